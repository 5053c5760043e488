"""Sessions: tests, lint, typecheck, demo, bench, docs.  Run ``nox -l`` to list them."""

from __future__ import annotations

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "typecheck", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest, doctests in src and docs, hypothesis)."""
    session.install("-e", ".[sql,testing]", *_group("test"))
    session.install("-e", "tests/example_plugin")
    session.run("pytest", *session.posargs, env={"HYPOTHESIS_PROFILE": "ci"})


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint."""
    session.install(*_group("lint"))
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src."""
    session.install("-e", ".[sql,testing]", *_group("typecheck"))
    session.run("mypy", "--strict", "src/kukm")


@nox.session
def demo(session: nox.Session) -> None:
    """The main job on the embedded SQLite default: writes demo-output/."""
    # .[sql]: the sql adapter's entry point imports SQLAlchemy when plugins load
    session.install("-e", ".[sql]")
    out = session.posargs[0] if session.posargs else "demo-output"
    session.run("kukm", "demo", "--out", out)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: kukm against baselines in the same run, printing ratios."""
    session.install("-e", ".[sql]", *_group("bench"))
    session.run("python", "benchmarks/run_all.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate the generated docs (error codes, rule reference, hooks check)."""
    session.install("-e", ".")
    session.run("python", "-m", "kukm.docgen", "docs")
