"""Sync against the ODS-like reference server: faults, idempotency, cursor, conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from kukm.adapters.ods_http import OdsHttpTransport
from kukm.integration.diff import changes_since_sync
from kukm.integration.ods import ODS_FIELDS, from_ods, to_ods
from kukm.integration.ods_io import OdsRow, import_ods, iter_store_ods
from kukm.integration.sync import (
    STATE_COLLECTION,
    ConflictRule,
    RetryPolicy,
    SyncError,
    conflict_collection,
    sync,
)
from kukm.model import Koperasi, SumberData
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, WriteOp
from kukm.testing.ods_server import Fault, OdsServer


def _record(i: int, **changes: str) -> dict[str, Any]:
    base = {name: " " for name in ODS_FIELDS}
    base |= {"Koperasi": f"Koperasi {i}", "Nomor Induk Koperasi (NIK)": f"31730100{i:05d}",
             "Status Grade": "D", "Total Anggota": str(i)}
    return base | changes


def _id(i: int) -> str:
    return f"31730100{i:05d}"


def _transport(server: OdsServer, **kw: Any) -> OdsHttpTransport:
    waits: list[float] = []
    return OdsHttpTransport(server.url, timeout=kw.pop("timeout", 0.3), client_id="dki",
                            retry=RetryPolicy(attempts=kw.pop("attempts", 8), sleep=waits.append),
                            **kw)


def _local(store: Store) -> dict[str, dict[str, Any]]:
    return {from_ods(r, resolve=False).koperasi.id or "": r for r in iter_store_ods(store)}


def _put_local(store: Store, record: dict[str, Any]) -> None:
    k = from_ods(record, resolve=False).koperasi
    assert k.id is not None
    store.write_batch([WriteOp(kind="koperasi", id=k.id, record=k,
                               provenance=Provenance(sumber=SumberData.BIDANG_KOPERASI))])


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store("memory://")
    yield s
    s.close()


def test_sync_under_faults_converges_without_duplicates(store: Store) -> None:
    remote = {_id(i): _record(i) for i in range(1, 31)}
    for i in range(20, 41):  # 20..30 overlap (equal), 31..40 local only
        _put_local(store, _record(i))
    with OdsServer(remote) as server:
        server.inject(
            Fault("error500", method="GET"),
            Fault("duplicate", method="GET"),
            Fault("drop", method="GET"),
            Fault("timeout", method="GET", delay=0.6),
            Fault("error500_after", method="POST"),
            Fault("drop", method="POST"),
            Fault("timeout", method="POST", delay=0.6),
            Fault("error500", method="POST"),
        )
        transport = _transport(server)
        report = sync(store, transport, page_size=7, batch_size=4)
        assert server.pending_faults == 0
        assert report.retries >= 6 and report.duplicates > 0
        assert _local(store) == server.records()
        assert len(server.records()) == 40 and store.count("koperasi") == 40
        # every local-only record was written remotely exactly once
        assert server.stats["writes"] == 30 + 10
        for i in range(1, 41):
            assert len(store.history("koperasi", _id(i))) == 1  # no duplicate versions

        second = sync(store, _transport(server), petugas="pusdatin-01")
        assert second.transferred == 0 and second.received == 0 and second.conflicts == 0
        assert server.stats["writes"] == 40
        runs = [e for e in store.audit_log() if e.aksi == "ods_sync"]
        assert [e.aktor for e in runs] == ["sync:ods", "pusdatin-01"]


def test_remote_changes_are_pulled_and_local_ones_pushed(store: Store) -> None:
    with OdsServer({_id(1): _record(1), _id(2): _record(2)}) as server:
        sync(store, _transport(server))
        server.put(_id(1), _record(1, **{"Status Grade": "A"}))
        _put_local(store, _record(2, **{"Alamat": "Jl. Baru 1"}))
        report = sync(store, _transport(server))
        assert (report.applied, report.pushed, report.conflicts) == (1, 1, 0)
        assert server.records()[_id(2)]["Alamat"] == "Jl. Baru 1"
        stored = store.get("koperasi", _id(1))
        assert stored is not None and isinstance(stored.record, Koperasi)
        assert stored.record.grade == "A" and stored.provenance.sumber is SumberData.ODS
        assert _local(store) == server.records()


@pytest.mark.parametrize(("rule", "expected"), [
    (ConflictRule(), "Jl. Lokal"),  # the regional authority (local) wins by default
    (ConflictRule(default="remote"), "Jl. Pusat"),
    (ConflictRule(default="remote", fields={"Alamat": "local"}), "Jl. Lokal"),
])
def test_conflict_rule_and_both_values_in_history(store: Store, rule: ConflictRule,
                                                  expected: str) -> None:
    with OdsServer({_id(1): _record(1)}) as server:
        sync(store, _transport(server))
        server.put(_id(1), _record(1, Alamat="Jl. Pusat", **{"Status Grade": "B"}))
        _put_local(store, _record(1, Alamat="Jl. Lokal", **{"Total Anggota": "99"}))
        report = sync(store, _transport(server), rule=rule)
        assert report.conflicts == 1
        final = _local(store)[_id(1)]
        assert final["Alamat"] == expected
        assert final["Status Grade"] == "B"  # changed only remotely: taken
        assert final["Total Anggota"] == "99"  # changed only locally: kept
        assert server.records() == _local(store)
        alamat_values = {
            v.record.alamat.jalan for v in store.history("koperasi", _id(1))
            if isinstance(v.record, Koperasi)
        }
        assert {"Jl. Pusat", "Jl. Lokal"} <= alamat_values
        logged = list(store.iter_documents(conflict_collection("ods")))
        assert logged and logged[0][1]["fields"][0]["field"] == "Alamat"
        assert sync(store, _transport(server), rule=rule).transferred == 0


def test_interrupted_sync_resumes_from_cursor(store: Store) -> None:
    remote = {_id(i): _record(i) for i in range(1, 21)}
    with OdsServer(remote) as server:
        transport = _transport(server, attempts=2)
        calls = {"n": 0}
        real_pull = transport.pull

        def pull(since: str | None, *, limit: int) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                server.inject(Fault("error500", method="GET"), Fault("error500", method="GET"))
            return real_pull(since, limit=limit)

        transport.pull = pull  # type: ignore[method-assign]
        with pytest.raises(SyncError):
            sync(store, transport, page_size=5)
        state = store.get_document(STATE_COLLECTION, "ods")
        assert state is not None and state["remote_cursor"] == "10"
        assert store.count("koperasi") == 10
        report = sync(store, _transport(server), page_size=5)
        assert report.applied == 10 and report.received == 10
        assert _local(store) == server.records()


def test_changes_since_last_sync(store: Store) -> None:
    with OdsServer({_id(1): _record(1)}) as server:
        sync(store, _transport(server))
        assert changes_since_sync(store).changes == ()
        _put_local(store, _record(1, **{"Status Grade": "C1"}))
        _put_local(store, _record(2))
        since = changes_since_sync(store)
        by_id = {c.id: c for c in since.changes}
        assert by_id[_id(1)].status == "berubah"
        assert [(f.field, f.local, f.remote) for f in by_id[_id(1)].fields] == [
            ("Status Grade", "C1", "D")
        ]
        assert by_id[_id(2)].status == "baru"
        assert since.last_run is not None


def test_retry_policy_gives_up(store: Store) -> None:
    with OdsServer() as server:
        server.inject(*[Fault("error500")] * 3)
        with pytest.raises(SyncError):
            sync(store, _transport(server, attempts=3))


def test_client_errors_are_not_retried() -> None:
    with OdsServer() as server:
        transport = _transport(server)
        with pytest.raises(SyncError):
            transport._request("POST", "/api/v1/koperasi/batch", {"records": []})
        assert transport.retries == 0
        assert transport.get("nope") is None


def test_sample_pushed_to_empty_server(ods_sample_path: Path, store: Store) -> None:
    import_ods(store, ods_sample_path, resolve=False)
    with OdsServer() as server:
        report = sync(store, _transport(server), batch_size=100)
        assert report.pushed == 689
        expected = {
            json.loads(line)["Nomor Induk Koperasi (NIK)"]: json.loads(line)
            for line in ods_sample_path.read_text(encoding="utf-8").splitlines()
        }
        assert {k: v for k, v in server.records().items()} == expected
        assert sync(store, _transport(server)).transferred == 0


def test_pulled_record_keeps_local_only_fields(store: Store) -> None:
    from kukm.model import Keuangan

    k = from_ods(_record(1), resolve=False).koperasi
    k = attrs.evolve(k, keuangan=Keuangan(tahun_buku=2023, aset=1_000_000))
    store.write_batch([WriteOp(kind="koperasi", id=_id(1), record=k,
                               provenance=Provenance(sumber=SumberData.BIDANG_KOPERASI))])
    with OdsServer({_id(1): _record(1)}) as server:
        sync(store, _transport(server))
        server.put(_id(1), _record(1, **{"Status Grade": "A"}))
        sync(store, _transport(server))
    stored = store.get("koperasi", _id(1))
    assert stored is not None and isinstance(stored.record, Koperasi)
    assert stored.record.grade == "A" and stored.record.keuangan is not None
    assert stored.record.keuangan.aset == 1_000_000
    assert to_ods(stored.record)["Status Grade"] == "A"


def test_ods_http_transport_registered_through_hook() -> None:
    from kukm.plugins import KukmPlugins, create_plugin_manager

    factories = KukmPlugins(create_plugin_manager()).sync_transports()
    with OdsServer({_id(1): _record(1)}) as server:
        transport = factories["ods-http"](server.url, client_id="x")
        page = transport.pull(None, limit=10)
        assert [c.id for c in page.changes] == [_id(1)]


def test_import_rows_then_sync_equal(store: Store) -> None:
    import_ods(store, [OdsRow(1, _record(5))], resolve=False)
    with OdsServer() as server:
        sync(store, _transport(server))
        assert server.records() == {_id(5): _record(5)}


def test_a_sync_and_an_ods_import_store_the_same_dimensions(store: Store) -> None:
    """A savings-and-loan koperasi pulled by sync gets the scale the imports give it
    (classify), so an ODS import of the same record afterwards adds no version (without it
    the two wrote different dimensions and each added a version over the other's)."""
    ksp = _record(1, **{"Jenis Koperasi": "Simpan Pinjam", "Total Anggota": "91"})
    with OdsServer({_id(1): ksp}) as server:
        sync(store, _transport(server))
    stored = store.get("koperasi", _id(1))
    assert stored is not None and stored.atribut.get("skala") == "I"
    again = import_ods(store, [OdsRow(1, ksp)], resolve=False)
    assert (again.accepted, again.inserted, again.updated) == (1, 0, 0)
    assert len(store.history("koperasi", _id(1))) == 1
