"""One ``test_hook_<name>`` per hook in :mod:`kukm.hookspecs`, plus the loading rules
(third-party wins, KUKM_DISABLE_PLUGINS, check_pending)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pluggy
import pytest

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import AdapterError, ConfigurationError, PluginError
from kukm.hookspecs import hookimpl
from kukm.plugins import KukmPlugins, create_plugin_manager
from kukm.storage.base import Store


def _plugins(*plugins: object, entrypoints: bool = False) -> KukmPlugins:
    return KukmPlugins(create_plugin_manager(load_entrypoints=entrypoints, plugins=plugins))


class _FakeStore(MemoryStore):
    """A store a third-party plugin returns for ``sqlite:`` URLs."""


class _Renderer:
    def __init__(self, name: str, target: str, fmt: str) -> None:
        self.name, self.target, self.format = name, target, fmt

    def render(self, obj: Any, **options: Any) -> bytes:
        return f"{self.name}:{obj}:{sorted(options.items())}".encode()


class _Named:
    def __init__(self, name: str, kind: str = "") -> None:
        self.name, self.kind = name, kind


def test_hook_kukm_register_storage_backends(tmp_path: Any) -> None:
    class ThirdParty:
        @hookimpl
        def kukm_register_storage_backends(self) -> Mapping[str, Callable[[str], Store]]:
            return {"sqlite": _FakeStore, "fake+driver": _FakeStore}

    plain = _plugins(entrypoints=True)
    builtin = plain.open_store(f"sqlite:///{tmp_path}/a.sqlite")
    try:
        assert type(builtin).__module__ == "kukm.adapters.sqlite"
    finally:
        builtin.close()
    plugins = _plugins(ThirdParty(), entrypoints=True)
    store = plugins.open_store(f"sqlite:///{tmp_path}/b.sqlite")  # third-party wins
    assert isinstance(store, _FakeStore) and store.url.endswith("b.sqlite")
    assert isinstance(plugins.open_store("fake+driver://x"), _FakeStore)
    assert isinstance(plugins.open_store("FAKE+DRIVER://x"), _FakeStore)  # schemes are case-blind
    assert "memory" in plugins.storage_backends()  # the rest of the built-ins are kept
    with pytest.raises(ConfigurationError) as info:
        plugins.open_store("nosuch://x")
    assert info.value.code == "STORAGE_SCHEME_UNKNOWN"


def test_hook_kukm_register_sync_transports() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def factory(url: str, **options: Any) -> str:
        calls.append((url, options))
        return "transport"

    class ThirdParty:
        @hookimpl
        def kukm_register_sync_transports(self) -> Mapping[str, Callable[..., Any]]:
            return {"ods-http": factory, "sftp": factory}

    plugins = _plugins(ThirdParty(), entrypoints=True)
    transports = plugins.sync_transports()
    assert transports["ods-http"] is factory  # replaces kukm's own ods-http
    assert transports["sftp"]("sftp://x", client_id="c") == "transport"
    assert calls == [("sftp://x", {"client_id": "c"})]


def test_hook_kukm_register_renderers() -> None:
    mine = _Renderer("mine-svg", "certificate", "svg")

    class ThirdParty:
        @hookimpl
        def kukm_register_renderers(self) -> Sequence[Any]:
            return [mine, _Renderer("mine-csv", "report", "weird")]

    plugins = _plugins(ThirdParty(), entrypoints=True)
    assert plugins.renderer("certificate", "svg") is mine  # before kukm's SVG renderer
    assert plugins.renderer("report", "weird").render(1, a=2) == b"mine-csv:1:[('a', 2)]"
    names = [r.name for r in plugins.renderers()]
    assert names.index("mine-svg") < names.index("kukm-certificate-svg")
    with pytest.raises(AdapterError):
        _plugins(ThirdParty()).renderer("report", "nothing")


def test_hook_kukm_register_reference_providers() -> None:
    class First:
        @hookimpl
        def kukm_register_reference_providers(self) -> Mapping[str, Callable[[], Any]]:
            return {"wilayah": lambda: ["dinas"], "kbli": lambda: ["k"]}

    class Second:
        @hookimpl
        def kukm_register_reference_providers(self) -> Mapping[str, Callable[[], Any]]:
            return {"wilayah": lambda: ["second"], "lain": lambda: 1}

    providers = _plugins(First(), Second()).reference_providers()
    assert providers["wilayah"]() == ["dinas"]  # the first registered wins
    assert sorted(providers) == ["kbli", "lain", "wilayah"]
    with_builtin = _plugins(First(), entrypoints=True).reference_providers()
    assert with_builtin["wilayah"]() == ["dinas"]  # over kukm's packaged table
    assert "prefiks_kelurahan" in with_builtin  # kukm's other tables stay


def test_hook_kukm_register_schemes() -> None:
    class ThirdParty:
        @hookimpl
        def kukm_register_schemes(self) -> Sequence[Any]:
            return [_Named("skala-dinas", "skala_umkm"), _Named("sehat-dinas", "kesehatan")]

    plugins = _plugins(ThirdParty(), entrypoints=True)
    assert plugins.schemes("skala_umkm")[0].name == "skala-dinas"
    assert "skala-dinas" not in [s.name for s in plugins.schemes("kesehatan")]
    assert {"skala-dinas", "sehat-dinas"} <= {s.name for s in plugins.schemes()}


def test_hook_kukm_register_instruments() -> None:
    mine = _Named("formulir-2026")

    class ThirdParty:
        @hookimpl
        def kukm_register_instruments(self) -> Sequence[Any]:
            return [mine]

    class ReturnsNone:
        @hookimpl
        def kukm_register_instruments(self) -> None:
            return None

    instruments = _plugins(ThirdParty(), ReturnsNone(), entrypoints=True).instruments()
    assert instruments["formulir-2026"] is mine


# -- loading rules ---------------------------------------------------------------------


def test_builtin_adapters_come_from_entry_points() -> None:
    pm = create_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"memory", "sqlite", "sql"} <= names
    assert _plugins().storage_backends() == {}  # nothing without entry points


def test_disable_plugins_blocks_entry_points_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUKM_DISABLE_PLUGINS", "sqlite, sql")
    plugins = _plugins(entrypoints=True)
    backends = plugins.storage_backends()
    assert "sqlite" not in backends and "postgresql" not in backends
    assert "memory" in backends
    assert plugins.pm.is_blocked("sql")


def test_check_pending_catches_misspelled_impl() -> None:
    class Misspelled:
        @hookimpl
        def kukm_register_storage_backend(self) -> dict[str, Any]:  # missing "s"
            return {}

    with pytest.raises(PluginError) as info:
        create_plugin_manager(load_entrypoints=False, plugins=[Misspelled()])
    assert "kukm_register_storage_backend" in str(info.value)


def test_optional_hook_for_a_newer_kukm_is_allowed() -> None:
    class Future:
        @hookimpl(optionalhook=True)
        def kukm_register_something_new(self) -> list[str]:
            return []

    create_plugin_manager(load_entrypoints=False, plugins=[Future()])


def test_impl_with_argument_unknown_to_the_spec_is_rejected() -> None:
    class Wrong:
        @hookimpl
        def kukm_register_renderers(self, config: object) -> list[Any]:
            return []

    with pytest.raises((PluginError, pluggy.PluginValidationError)):
        create_plugin_manager(load_entrypoints=False, plugins=[Wrong()])
