"""The plugin manager and a typed facade over its hooks.

kukm's own adapters are registered through the ``kukm`` entry-point group,
exactly as third-party adapters are. ``KUKM_DISABLE_PLUGINS=a,b`` blocks
entry points by name; ``KUKM_TRACE_PLUGINS=1`` traces hook calls to stderr.

A third-party plugin that raises something other than a kukm error (a bug in
the plugin) is reported as :class:`~kukm.exceptions.PluginError` with code
``PLUGIN_FAILED`` naming the plugin: at once when its hook function fails,
and through :func:`plugin_failure` (used by the CLI) when a store or renderer
it returned fails later. kukm's own errors raised by a plugin
(:class:`~kukm.exceptions.KukmError`) pass through unchanged.

>>> pm = create_plugin_manager()
>>> plugins = KukmPlugins(pm)
>>> "sqlite" in plugins.storage_backends()
True
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

import pluggy

from kukm import hookspecs
from kukm.exceptions import (
    CODES,
    AdapterError,
    ConfigurationError,
    KukmError,
    PluginError,
    register_code,
)
from kukm.hookspecs import Renderer, Scheme, StoreFactory, SyncTransportFactory
from kukm.storage.base import Store

__all__ = [
    "PLUGIN_FAILED",
    "RENDERER_MISSING",
    "STORAGE_SCHEME_UNKNOWN",
    "KukmPlugins",
    "RendererMissing",
    "create_plugin_manager",
    "get_plugins",
    "open_store",
    "plugin_failure",
]

ENTRY_POINT_GROUP = "kukm"

PLUGIN_FAILED: Final = register_code(
    "PLUGIN_FAILED",
    "Plugin pihak ketiga gagal saat dijalankan (kesalahan plugin, bukan kukm atau data); "
    "laporkan ke pembuatnya atau matikan dengan KUKM_DISABLE_PLUGINS.",
    "A third-party plugin failed while running (a fault of the plugin, not of kukm or the "
    "data); report it to its authors or switch it off with KUKM_DISABLE_PLUGINS.",
    module=__name__,
)

STORAGE_SCHEME_UNKNOWN: Final = register_code(
    "STORAGE_SCHEME_UNKNOWN",
    "Tidak ada adapter penyimpanan untuk skema URL ini (periksa --db / KUKM_DATABASE_URL, "
    "mis. sqlite:///kukm.sqlite, atau pasang plugin penyimpanannya).",
    "No storage adapter for this URL scheme (check --db / KUKM_DATABASE_URL, e.g. "
    "sqlite:///kukm.sqlite, or install the storage plugin).",
    module=__name__,
)
RENDERER_MISSING: Final = register_code(
    "RENDERER_MISSING",
    "Tidak ada renderer untuk sasaran dan format ini (format lain, atau pasang plugin "
    "renderer-nya).",
    "No renderer for this target and format (another format, or install the renderer plugin).",
    module=__name__,
)


class RendererMissing(AdapterError, ConfigurationError):
    """No registered renderer makes the target in the format asked for: an adapter that is
    missing (an :class:`AdapterError`) because of what was asked or installed, so a
    configuration error too (CLI exit 2, like an unknown store URL scheme)."""

    code = RENDERER_MISSING
    message_id = CODES[RENDERER_MISSING].message_id
    message = CODES[RENDERER_MISSING].message_en


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


def _plugin_module(plugin: object) -> str:
    if isinstance(plugin, types.ModuleType):
        return plugin.__name__
    return type(plugin).__module__


def _failure(name: str, dist: str | None, exc: BaseException, where: str | None) -> PluginError:
    origin = f"plugin {name!r}" + (f" ({dist})" if dist else "")
    at = f" at {where}" if where else ""
    return PluginError(
        f"{origin} failed{at}: {type(exc).__name__}: {exc}. This is a fault of the plugin, "
        f"not of kukm or the data: report it to the plugin's authors, or switch it off with "
        f"KUKM_DISABLE_PLUGINS={name}",
        code=PLUGIN_FAILED,
    )


def _dists(pm: pluggy.PluginManager) -> dict[int, str]:
    """``id(plugin)`` -> ``"distribution version"`` for plugins loaded from entry points."""
    return {id(p): f"{d.project_name} {d.version}" for p, d in pm.list_plugin_distinfo()}


def _third_party(pm: pluggy.PluginManager) -> dict[str, tuple[str, str | None]]:
    """Top-level package of each third-party plugin -> (plugin name, "dist version")."""
    dists = _dists(pm)
    found: dict[str, tuple[str, str | None]] = {}
    for name, plugin in pm.list_name_plugin():
        if plugin is None or _is_builtin(pm, plugin):
            continue
        top = _plugin_module(plugin).split(".", 1)[0]
        if top and top not in ("kukm", "builtins"):
            found.setdefault(top, (name, dists.get(id(plugin))))
    return found


def plugin_failure(exc: BaseException, plugins: KukmPlugins | None = None) -> PluginError | None:
    """A :class:`PluginError` (``PLUGIN_FAILED``) naming the third-party plugin whose code
    raised ``exc``, or ``None`` when no plugin's code is in its traceback (kukm's own errors
    are never attributed: they are deliberate).

    The innermost frame of the traceback that belongs to a plugin's package decides.

    >>> plugin_failure(ValueError("x")) is None
    True
    """
    if isinstance(exc, KukmError):
        return None
    try:
        owners = _third_party((plugins or get_plugins()).pm)
    except Exception:  # pragma: no cover - no plugin manager, nothing to attribute
        return None
    hit: tuple[str, str | None] | None = None
    where: str | None = None
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        owner = owners.get(module.split(".", 1)[0])
        if owner is not None:
            hit = owner
            where = f"{module} ({Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})"
        tb = tb.tb_next
    if hit is None:
        return None
    return _failure(hit[0], hit[1], exc, where)


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
            is_builtin = _is_builtin(self.pm, impl.plugin)
            try:
                result = impl.function()
            except KukmError:
                raise
            except Exception as exc:
                if is_builtin:
                    raise
                dist = _dists(self.pm).get(id(impl.plugin))
                raise _failure(impl.plugin_name, dist, exc, f"{hook_name}()") from exc
            if result is None:
                continue
            (builtin if is_builtin else third).append(result)
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
                code=STORAGE_SCHEME_UNKNOWN,
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
        raise RendererMissing(f"no renderer for {target} as {fmt}", code=RENDERER_MISSING)

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
