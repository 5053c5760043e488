"""The in-memory adapter passes the whole storage conformance suite."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from kukm.adapters.memory import MemoryStore, open_memory_store
from kukm.plugins import KukmPlugins, create_plugin_manager
from kukm.storage.base import Store
from kukm.testing.conformance import AbstractStoreTests, StoreFixtures, umkm_op


class MemoryFixtures(StoreFixtures):
    supports_reopen = True
    supports_multiprocess = False

    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        shared = MemoryStore()
        return lambda: shared


class TestMemory(AbstractStoreTests, MemoryFixtures):
    pass


def test_memory_url_opens_through_plugins() -> None:
    plugins = KukmPlugins(create_plugin_manager())
    store = plugins.open_store("memory://")
    assert isinstance(store, MemoryStore)
    assert isinstance(store, Store)
    assert plugins.open_store("memory://") is not store


def test_named_memory_store_is_shared() -> None:
    a = open_memory_store("memory://test-named-shared")
    a.write_batch([umkm_op(1)])
    b = open_memory_store("memory://test-named-shared")
    assert b.get("umkm", "u00001") is not None


def test_threads_allocate_unique_numbers() -> None:
    store = MemoryStore()
    got: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [store.allocate_sequence("p") for _ in range(200)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 1601))


pytest_plugins = ["kukm.testing.pytest_plugin"]


def test_pytest_plugin_fixtures(
    kukm_store: MemoryStore, kukm_sqlite_store: Store, kukm_plugins: KukmPlugins
) -> None:
    for store in (kukm_store, kukm_sqlite_store):
        assert store.count("umkm") == 0
        store.write_batch([umkm_op(1)])
        assert store.count("umkm") == 1
    assert kukm_sqlite_store.url.startswith("sqlite:///")
    assert {"memory", "sqlite"} <= set(kukm_plugins.storage_backends())
    assert kukm_plugins.pm is not create_plugin_manager()
