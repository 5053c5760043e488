"""An opt-in pytest plugin with kukm fixtures (tox's ``tox.pytest`` style).

Enable it in a test suite's top-level ``conftest.py`` (needs the
``kukm[testing]`` extra)::

    pytest_plugins = ["kukm.testing.pytest_plugin"]

Fixtures:

* ``kukm_store`` – a fresh in-memory store (:class:`kukm.adapters.memory.MemoryStore`);
* ``kukm_sqlite_url`` – a ``sqlite:///…`` URL of a new file under ``tmp_path``;
* ``kukm_sqlite_store`` – an open :class:`kukm.adapters.sqlite.SqliteStore` on that file,
  closed after the test;
* ``kukm_plugins`` – an isolated :class:`kukm.plugins.KukmPlugins` (a new plugin
  manager loading the installed entry points; register extra plugins on
  ``kukm_plugins.pm`` without touching the process-wide one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kukm.adapters.memory import MemoryStore
from kukm.adapters.sqlite import SqliteStore
from kukm.plugins import KukmPlugins, create_plugin_manager

__all__ = ["kukm_plugins", "kukm_sqlite_store", "kukm_sqlite_url", "kukm_store"]


@pytest.fixture
def kukm_store() -> Iterator[MemoryStore]:
    """A fresh, empty in-memory store."""
    store = MemoryStore()
    yield store
    store.close()


@pytest.fixture
def kukm_sqlite_url(tmp_path: Path) -> str:
    """URL of a new SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'kukm.sqlite'}"


@pytest.fixture
def kukm_sqlite_store(kukm_sqlite_url: str) -> Iterator[SqliteStore]:
    """An empty SQLite store on a temporary file (closed after the test)."""
    store = SqliteStore(kukm_sqlite_url)
    yield store
    store.close()


@pytest.fixture
def kukm_plugins() -> KukmPlugins:
    """An isolated plugin facade over a new plugin manager."""
    return KukmPlugins(create_plugin_manager())
