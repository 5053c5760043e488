"""A third-party plugin that breaks is named, not shown as a raw traceback: the ``kukm``
command exits 2 with ``PLUGIN_FAILED`` naming the plugin and how to switch it off; kukm's
own errors raised by a plugin pass through unchanged; a bug in kukm itself keeps its
traceback."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kukm.plugins
from kukm.cli import cli
from kukm.exceptions import ConfigurationError, PluginError
from kukm.hookspecs import hookimpl
from kukm.plugins import KukmPlugins, create_plugin_manager, plugin_failure

BROKEN = '''
from kukm.exceptions import ConfigurationError
from kukm.hookspecs import hookimpl


class Broken:
    name, target, format = "broken", "report", "broken"

    def render(self, obj, **options):
        return {}["no such key"]  # a bug in the plugin


class Strict:
    name, target, format = "strict", "report", "strict"

    def render(self, obj, **options):
        raise ConfigurationError("strict renderer needs option x", code="POLICY_INVALID")


@hookimpl
def kukm_register_renderers():
    return [Broken(), Strict()]
'''

BROKEN_HOOK = '''
from kukm.hookspecs import hookimpl


@hookimpl
def kukm_register_storage_backends():
    raise RuntimeError("backend table not loaded")
'''


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> Any:
    name = f"kukm_test_broken_{uuid.uuid4().hex[:8]}"
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__(f"{name}.plugin")
    return sys.modules[f"{name}.plugin"]


@pytest.fixture
def with_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(source: str) -> KukmPlugins:
        module = _package(tmp_path, monkeypatch, source)
        plugins = KukmPlugins(create_plugin_manager(plugins=[module]))
        monkeypatch.setattr(kukm.plugins, "get_plugins", lambda: plugins)
        return plugins

    return install


def _db(tmp_path: Path) -> str:
    """An existing (empty: 0 bytes is an empty SQLite database) store: commands that read one
    refuse a file that is not there; made without kukm, whose plugins these tests break."""
    (tmp_path / "kukm.sqlite").touch()
    return f"sqlite:///{tmp_path / 'kukm.sqlite'}"


def test_a_broken_renderer_is_named_exit_2(with_plugin: Any, tmp_path: Path) -> None:
    with_plugin(BROKEN)
    out = tmp_path / "r.broken"
    result = CliRunner().invoke(
        cli, ["report", "rekap", "--by", "skala", "--out", str(out), "--db", _db(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    err = result.stderr
    assert "[PLUGIN_FAILED]" in err and "kukm_test_broken_" in err
    assert "KeyError" in err and "plugin.py:" in err
    assert "KUKM_DISABLE_PLUGINS=" in err
    assert "Traceback" not in err


def test_trace_plugins_shows_the_traceback(
    with_plugin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_plugin(BROKEN)
    monkeypatch.setenv("KUKM_TRACE_PLUGINS", "1")
    result = CliRunner().invoke(
        cli,
        ["report", "rekap", "--out", str(tmp_path / "r.broken"), "--db", _db(tmp_path)],
    )
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "[PLUGIN_FAILED]" in result.stderr


def test_kukm_errors_from_a_plugin_pass_through(with_plugin: Any, tmp_path: Path) -> None:
    with_plugin(BROKEN)
    result = CliRunner().invoke(
        cli, ["report", "rekap", "--out", str(tmp_path / "r.strict"), "--db", _db(tmp_path)]
    )
    assert result.exit_code == 2
    assert "[POLICY_INVALID] strict renderer needs option x" in result.stderr
    assert "PLUGIN_FAILED" not in result.stderr


def test_a_failing_hook_is_a_plugin_error(with_plugin: Any, tmp_path: Path) -> None:
    plugins = with_plugin(BROKEN_HOOK)
    with pytest.raises(PluginError) as info:
        plugins.storage_backends()
    assert info.value.code == "PLUGIN_FAILED"
    assert "kukm_register_storage_backends" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)
    result = CliRunner().invoke(cli, ["quality", "--db", _db(tmp_path)])
    assert result.exit_code == 2
    assert "[PLUGIN_FAILED]" in result.stderr and "backend table not loaded" in result.stderr


def test_builtin_hook_errors_are_not_blamed_on_plugins() -> None:
    class Builtin:
        __name__ = "kukm.adapters.fake"

        @hookimpl
        def kukm_register_schemes(self) -> list[Any]:
            raise RuntimeError("kukm bug")

    plugins = KukmPlugins(create_plugin_manager(load_entrypoints=False, plugins=[Builtin()]))
    with pytest.raises(RuntimeError, match="kukm bug"):
        plugins.schemes()


def test_kukm_own_bugs_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("kukm bug")

    monkeypatch.setattr("kukm.demo.run_demo", boom)
    result = CliRunner().invoke(cli, ["demo", "--rows", "10", "--year", "2024"])
    assert isinstance(result.exception, ZeroDivisionError)
    assert plugin_failure(ZeroDivisionError("x")) is None
    assert plugin_failure(ConfigurationError("x")) is None
