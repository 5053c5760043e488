"""The hooks through which plugins extend kukm (pluggy, project name ``kukm``).

Each hook is a function with no body; its docstring is the contract. A plugin
implements hooks with :data:`kukm.hookimpl` and is registered through the
``kukm`` entry-point group, exactly like kukm's own adapters
(``kukm.adapters.*``). Hooks take keyword arguments only and may gain new
optional arguments in later versions, never lose them.

Every hook is documented in ``docs/hooks.md`` (one section each) and has a
``test_hook_<name>`` test; ``tests/test_hooks_documented.py`` enforces both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy

if TYPE_CHECKING:
    from kukm.storage.base import Store

__all__ = [
    "Instrument",
    "Renderer",
    "Scheme",
    "StoreFactory",
    "SyncTransportFactory",
    "hookimpl",
    "hookspec",
]

PROJECT = "kukm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

StoreFactory = Callable[[str], "Store"]
"""Opens a store for a URL: ``factory("sqlite:///kukm.sqlite") -> Store``."""

SyncTransportFactory = Callable[..., Any]
"""Builds a sync transport: ``factory(url: str, **options) -> transport``."""


@runtime_checkable
class Renderer(Protocol):
    """Renders an object (certificate, report) to bytes in one format."""

    name: str
    target: str  # "certificate" or "report"
    format: str  # "svg", "png", "pdf", "html", "xlsx", "csv", "json"

    def render(self, obj: Any, **options: Any) -> bytes: ...


@runtime_checkable
class Scheme(Protocol):
    """A replaceable rule scheme: scale, health, rating or compliance."""

    kind: str  # "skala_umkm", "skala_koperasi", "kesehatan", "peringkat", "kepatuhan"
    name: str


@runtime_checkable
class Instrument(Protocol):
    """A data-collection form (Kepgub E.11)."""

    name: str


@hookspec
def kukm_register_storage_backends() -> Mapping[str, StoreFactory]:
    """Return URL schemes this plugin stores to, mapped to store factories.

    The scheme is the part of the URL before ``:`` (``sqlite``, ``postgresql``,
    ``postgresql+psycopg``, ``mysql+pymysql``, ``memory``). A scheme offered by
    a third-party plugin wins over kukm's own.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def kukm_register_sync_transports() -> Mapping[str, SyncTransportFactory]:
    """Return sync transport names (e.g. ``"ods-http"``) mapped to factories.

    A transport moves ODS records between the local register and a remote
    system; see :mod:`kukm.integration.sync` for the protocol it follows.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def kukm_register_renderers() -> Sequence[Renderer]:
    """Return renderers for certificates and reports.

    Each renderer names its ``target`` and ``format``; the first renderer of a
    third-party plugin for a (target, format) wins over kukm's own.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def kukm_register_reference_providers() -> Mapping[str, Callable[[], Any]]:
    """Return reference tables this plugin provides: table name → loader.

    Names used by kukm: ``wilayah``, ``kbli``, ``prefiks_kelurahan``,
    ``ods_vocabularies``. A third-party provider (for instance a Dinas's
    official file) wins over kukm's defaults.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def kukm_register_schemes() -> Sequence[Scheme]:
    """Return rule schemes (scale, health, rating, compliance) this plugin adds.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def kukm_register_instruments() -> Sequence[Instrument]:
    """Return data-collection instruments (forms) this plugin adds.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
