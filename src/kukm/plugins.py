"""The plugin manager and a typed facade over its hooks.

kukm's own adapters are registered through the ``kukm`` entry-point group,
exactly as third-party adapters are. ``KUKM_DISABLE_PLUGINS=a,b`` blocks
entry points by name; ``KUKM_TRACE_PLUGINS=1`` traces hook calls to stderr.

>>> pm = create_plugin_manager()
>>> plugins = KukmPlugins(pm)
>>> "sqlite" in plugins.storage_backends()
True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import pluggy

from kukm import hookspecs
from kukm.exceptions import AdapterError, ConfigurationError, PluginError
from kukm.hookspecs import Renderer, Scheme, StoreFactory, SyncTransportFactory
from kukm.storage.base import Store

__all__ = ["KukmPlugins", "create_plugin_manager", "get_plugins", "open_store"]

ENTRY_POINT_GROUP = "kukm"


def create_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Sequence[object] = ()
) -> pluggy.PluginManager:
    """Build an isolated plugin manager (nothing global happens at import time)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in filter(None, os.environ.get("KUKM_DISABLE_PLUGINS", "").split(",")):
        pm.set_blocked(name.strip())
    if load_entrypoints:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:  # pragma: no cover - depends on installed plugins
            raise PluginError(f"could not load kukm plugins: {exc}") from exc
    for plugin in plugins:
        pm.register(plugin)
    if os.environ.get("KUKM_TRACE_PLUGINS"):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm


def _is_builtin(pm: pluggy.PluginManager, impl_plugin: object) -> bool:
    name = getattr(impl_plugin, "__name__", "")
    return isinstance(name, str) and name.startswith("kukm.")


class KukmPlugins:
    """Typed access to every hook; kukm's code never calls ``pm.hook`` directly."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else create_plugin_manager()

    def _ordered_results(self, hook_name: str) -> list[Any]:
        """Results with third-party plugins first, then kukm's own (stable order)."""
        caller = getattr(self.pm.hook, hook_name)
        third: list[Any] = []
        builtin: list[Any] = []
        for impl in caller.get_hookimpls():
            result = impl.function()
            if result is None:
                continue
            (builtin if _is_builtin(self.pm, impl.plugin) else third).append(result)
        return third + builtin

    def storage_backends(self) -> dict[str, StoreFactory]:
        found: dict[str, StoreFactory] = {}
        for mapping in self._ordered_results("kukm_register_storage_backends"):
            for scheme, factory in mapping.items():
                found.setdefault(scheme, factory)
        return found

    def open_store(self, url: str) -> Store:
        scheme = url.split(":", 1)[0].lower()
        backends = self.storage_backends()
        factory = backends.get(scheme) or backends.get(scheme.split("+", 1)[0])
        if factory is None:
            raise ConfigurationError(
                f"no storage adapter for URL scheme {scheme!r} (known: {sorted(backends)})",
                code="STORAGE_SCHEME_UNKNOWN",
            )
        return factory(url)

    def sync_transports(self) -> dict[str, SyncTransportFactory]:
        found: dict[str, SyncTransportFactory] = {}
        for mapping in self._ordered_results("kukm_register_sync_transports"):
            for name, factory in mapping.items():
                found.setdefault(name, factory)
        return found

    def renderers(self) -> list[Renderer]:
        out: list[Renderer] = []
        for seq in self._ordered_results("kukm_register_renderers"):
            out.extend(seq)
        return out

    def renderer(self, target: str, fmt: str) -> Renderer:
        for r in self.renderers():
            if r.target == target and r.format == fmt:
                return r
        raise AdapterError(f"no renderer for {target} as {fmt}", code="RENDERER_MISSING")

    def reference_providers(self) -> dict[str, Callable[[], Any]]:
        found: dict[str, Callable[[], Any]] = {}
        for mapping in self._ordered_results("kukm_register_reference_providers"):
            for name, loader in mapping.items():
                found.setdefault(name, loader)
        return found

    def schemes(self, kind: str | None = None) -> list[Scheme]:
        out: list[Scheme] = []
        for seq in self._ordered_results("kukm_register_schemes"):
            out.extend(s for s in seq if kind is None or s.kind == kind)
        return out

    def instruments(self) -> Mapping[str, Any]:
        found: dict[str, Any] = {}
        for seq in self._ordered_results("kukm_register_instruments"):
            for inst in seq:
                found.setdefault(inst.name, inst)
        return found


@cache
def get_plugins() -> KukmPlugins:
    """The process-wide facade over entry-point plugins (built on first use)."""
    return KukmPlugins()


def open_store(url: str) -> Store:
    """Open a store by URL through the registered storage backends."""
    return get_plugins().open_store(url)
