"""Every hook is documented in docs/hooks.md (exact signature as heading) and tested
(a ``test_hook_<name>`` somewhere under tests/), as in datasette's test_docs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from kukm import hookspecs

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "hooks.md"


def _hooks() -> list[str]:
    return sorted(
        name
        for name, fn in vars(hookspecs).items()
        if name.startswith("kukm_") and hasattr(fn, f"{hookspecs.PROJECT}_spec")
    )


def _signature(name: str) -> str:
    params = inspect.signature(getattr(hookspecs, name)).parameters
    return f"{name}({', '.join(params)})"


HOOKS = _hooks()


def test_there_are_hooks() -> None:
    assert "kukm_register_storage_backends" in HOOKS and len(HOOKS) >= 6


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented_with_its_signature(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f'<a id="hook-{name}"></a>' in text, f"anchor for {name} missing in docs/hooks.md"
    headings = re.findall(r"^## `([^`]+)`\s*$", text, flags=re.MULTILINE)
    assert _signature(name) in headings, f"heading `{_signature(name)}` missing in docs/hooks.md"
    section = text.split(f'<a id="hook-{name}"></a>', 1)[1].split('<a id="hook-', 1)[0]
    assert "**Returns:**" in section and "**Parameters:**" in section
    assert "@hookimpl" in section and f"def {name}(" in section, "section needs an example"


def test_no_documented_hook_is_missing_from_hookspecs() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r'<a id="hook-([a-z_]+)"></a>', text))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_test(name: str) -> None:
    pattern = re.compile(rf"^\s*def test_hook_{name}\(", re.MULTILINE)
    files = [p for p in (REPO / "tests").rglob("test_*.py") if "example_plugin" not in p.parts]
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in files), (
        f"no test named test_hook_{name} under tests/"
    )
