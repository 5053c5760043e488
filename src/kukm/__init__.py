"""kukm: the data system for Koperasi and UMKM of Kepgub DKI Jakarta 1625/2021.

A pure-Python core (entities, identifiers, rules, NIK Koperasi) with pluggy
hooks through which adapters supply storage, ODS sync and rendering.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kukm.hookspecs import hookimpl

__all__ = ["__version__", "hookimpl"]

try:
    __version__ = version("kukm")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"
