"""The example third-party package (``tests/example_plugin``) is found through its
entry point and used with no change to kukm, and its store passes the whole
storage conformance suite."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import KukmPlugins, create_plugin_manager
from kukm.reports import rekap
from kukm.storage.base import Provenance, Store, WriteOp
from kukm.testing.conformance import AbstractStoreTests, StoreFixtures

REPO = Path(__file__).resolve().parent.parent


def _example_entry_point() -> importlib.metadata.EntryPoint:
    found = [
        ep for ep in importlib.metadata.entry_points(group="kukm") if ep.name == "example_jsonl"
    ]
    if not found:
        pytest.fail("kukm-example-jsonl is not installed: pip install -e tests/example_plugin")
    return found[0]


def test_found_through_entry_point() -> None:
    ep = _example_entry_point()
    assert ep.value == "kukm_example_jsonl.plugin"
    assert ep.dist is not None and ep.dist.name == "kukm-example-jsonl"
    pm = create_plugin_manager()
    assert pm.get_plugin("example_jsonl") is not None


def test_kukm_itself_does_not_know_the_plugin() -> None:
    for path in (REPO / "src" / "kukm").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "kukm_example_jsonl" not in text and "jsonl://" not in text, path


def test_storage_backend_used_by_url(tmp_path: Path) -> None:
    plugins = KukmPlugins(create_plugin_manager())
    store = plugins.open_store(f"jsonl://{tmp_path}/db")
    try:
        assert type(store).__module__ == "kukm_example_jsonl.store"
        assert isinstance(store, Store)
        op = WriteOp("koperasi", "k1", Koperasi(nama="Kop"), Provenance(SumberData.SUDIN))
        assert store.write_batch([op]).inserted == 1
    finally:
        store.close()
    assert (tmp_path / "db" / "kukm.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_renderers_used_by_target_and_format() -> None:
    plugins = KukmPlugins(create_plugin_manager())
    report = plugins.renderer("report", "txt")
    store = plugins.open_store(f"memory://example-plugin-render-{uuid.uuid4().hex}")
    store.write_batch(
        [
            WriteOp(
                "umkm",
                f"u{i}",
                Umkm(nama_usaha="U", alamat=Alamat(kode_wilayah=kode)),
                Provenance(SumberData.SUDIN),
            )
            for i, kode in enumerate(["31.71.01.1001", "31.72.01.1001", "31.72.01.1001"])
        ]
    )
    # a report renderer gets what kukm's own get: a report object (here a Rekap)
    text = report.render(rekap(store, "umkm", ["kab_kota"])).decode()
    assert text.splitlines()[-2].split() == ["Jumlah", "3", "100.0"]
    assert "Kota Administrasi Jakarta Utara 2 66.7" in " ".join(text.split())
    cert = plugins.renderer("certificate", "txt")
    kop = Koperasi(
        nama="Koperasi Maju",
        nomor_induk_koperasi="3171100020001",
        alamat=Alamat(kode_wilayah="31.71.01.1001"),
    )
    body = cert.render(kop).decode()
    assert "3171100020001" in body and "31.71.01.1001" in body


def test_blocked_by_kukm_disable_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUKM_DISABLE_PLUGINS", "example_jsonl")
    plugins = KukmPlugins(create_plugin_manager())
    assert "jsonl" not in plugins.storage_backends()
    assert "sqlite" in plugins.storage_backends()


def test_cli_process_finds_it(tmp_path: Path) -> None:
    """A fresh interpreter (as the ``kukm`` command is) opens the store by URL."""
    code = (
        "import sys; from kukm.plugins import open_store; "
        "s = open_store(sys.argv[1]); print(type(s).__name__, s.allocate_sequence('p')); s.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, f"jsonl://{tmp_path}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KUKM_DISABLE_PLUGINS": ""},
    )
    assert out.stdout.split() == ["JsonlStore", "1"]


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    from kukm_example_jsonl import open_jsonl_store

    url = f"jsonl://{tmp_path}"
    with_kop = WriteOp("koperasi", "k1", Koperasi(nama="Kop"), Provenance(SumberData.SUDIN))
    store = open_jsonl_store(url)
    store.write_batch([with_kop])
    store.close()
    with open(tmp_path / "kukm.jsonl", "a", encoding="utf-8") as f:
        f.write('{"t": "batch", "key": "half-writ')  # a writer killed mid-line
    again = open_jsonl_store(url)
    try:
        assert again.count("koperasi") == 1
        assert not again.write_batch([with_kop], batch_key="half-written").replayed
    finally:
        again.close()


class JsonlFixtures(StoreFixtures):
    supports_reopen = True
    supports_multiprocess = True

    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"jsonl://{tmp_path}/store"

    @pytest.fixture
    def store_factory(self, store_url: str) -> Callable[[], Store]:
        from kukm_example_jsonl import open_jsonl_store

        return lambda: open_jsonl_store(store_url)


class TestJsonlConformance(AbstractStoreTests, JsonlFixtures):
    """The example adapter keeps every guarantee of the Store protocol."""
