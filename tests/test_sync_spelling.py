"""Sync compares and hashes ODS records by field, not by how a side spells the field names.

The ODS reader takes ``Nama Koperasi``, ``nomor induk koperasi (nik)`` or ``Grade`` for
``Koperasi``, ``Nomor Induk Koperasi (NIK)`` and ``Status Grade`` and keeps the name the
source used (:func:`~kukm.integration.ods_fields.canonical_field`); a record sent again
under other names, with the same values, is the same record to the sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.adapters.ods_http import OdsHttpTransport
from kukm.integration.diff import by_field, changes_since_sync
from kukm.integration.ods import ODS_FIELDS, from_ods, to_ods
from kukm.integration.ods_fields import FIELD_ALIASES, canonical_field
from kukm.integration.ods_io import OdsRow, import_ods, iter_store_ods
from kukm.integration.sync import (
    ConflictRule,
    PullPage,
    PushAck,
    RemoteChange,
    RetryPolicy,
    agreed_hashes,
    base_collection,
    conflict_collection,
    ods_hash,
    sync,
)
from kukm.model import Koperasi
from kukm.plugins import open_store
from kukm.storage.base import Store, content_hash
from kukm.testing.ods_server import OdsServer

#: Other spellings of some fields, each read by from_ods as the field it stands for.
SPELT: dict[str, str] = {
    "Koperasi": "Nama Koperasi",
    "Nomor Induk Koperasi (NIK)": "nomor induk koperasi (nik)",
    "Status Grade": "Grade",
    "Total Anggota": "Jumlah Anggota",
    "Alamat": "ALAMAT KOPERASI",
    "Kelurahan / Desa": "Kelurahan/Desa",
    "Tanggal Badan Hukum Pendirian": "Tgl. BH Pendirian",
    "Nama Manager": "Nama Manajer",
}


def _record(i: int, **changes: str) -> dict[str, Any]:
    base = {name: " " for name in ODS_FIELDS}
    base |= {"Koperasi": f"Koperasi {i}", "Nomor Induk Koperasi (NIK)": _id(i),
             "Status Grade": "D", "Total Anggota": str(i), "Alamat": f"Jl. Kenari {i}"}
    return base | changes


def _id(i: int) -> str:
    return f"31730100{i:05d}"


def _respelt(record: Mapping[str, Any], names: Mapping[str, str] = SPELT) -> dict[str, Any]:
    return {names.get(key, key): value for key, value in record.items()}


def _transport(server: OdsServer) -> OdsHttpTransport:
    return OdsHttpTransport(server.url, timeout=2.0, client_id="dki",
                            retry=RetryPolicy(attempts=3, sleep=lambda s: None))


def _local(store: Store) -> dict[str, dict[str, Any]]:
    return {from_ods(r, resolve=False).koperasi.id or "": r for r in iter_store_ods(store)}


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store("memory://")
    yield s
    s.close()


def test_spellings_are_read_as_their_fields() -> None:
    assert {canonical_field(name) for name in SPELT.values()} == set(SPELT)


def test_official_names_hash_as_before_and_other_spellings_the_same() -> None:
    """The hashes stored in existing databases stay valid: a record under the ministry's
    names hashes exactly as before (values captured from the code before hashing by field),
    and the same record under other names now hashes the same."""
    official = {"Koperasi": "Koperasi Maju", "Nomor Induk Koperasi (NIK)": "3173010000001",
                "Status Grade": "B", "Total Anggota": "1,500", "Alamat": "Jl. Kenari 2",
                "Catatan": "x"}
    full = {name: " " for name in ODS_FIELDS} | official
    assert ods_hash(official) == "013b18b6249323adb5bb2b8184326b2d"
    assert ods_hash(full) == "52a7e80e630614358c83582fa9d304f5"
    assert ods_hash(full) == content_hash(full)
    stored = to_ods(from_ods(_record(3), resolve=False).koperasi)
    assert ods_hash(stored) == content_hash(stored)
    assert ods_hash(_respelt(official)) == ods_hash(official)
    assert ods_hash(_respelt(full)) == ods_hash(full)
    assert ods_hash(_respelt(full, {"Status Grade": "Grade"}) | {"Grade": "A"}) != ods_hash(full)


def test_remote_sending_the_same_records_spelt_otherwise_transfers_nothing(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 6)}) as server:
        assert sync(store, _transport(server)).applied == 5
        before = {id: v for id, v in agreed_hashes(store).items()}
        for i in range(1, 6):
            server.put(_id(i), _respelt(_record(i)))
        writes = server.stats["writes"]
        report = sync(store, _transport(server))
        assert report.received == 5
        assert (report.transferred, report.applied, report.pushed, report.conflicts) == (0, 0, 0, 0)
        assert report.skipped == 5
        assert server.stats["writes"] == writes  # nothing pushed back
        assert agreed_hashes(store) == before
        assert changes_since_sync(store).changes == ()
        for i in range(1, 6):
            assert len(store.history("koperasi", _id(i))) == 1
        assert list(store.iter_documents(conflict_collection("ods"))) == []
        assert sync(store, _transport(server)).transferred == 0


def test_one_value_changed_under_other_spelling_is_that_record_only(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 6)}) as server:
        sync(store, _transport(server))
        for i in range(1, 6):
            changed = {"Status Grade": "A"} if i == 3 else {}
            server.put(_id(i), _respelt(_record(i, **changed)))
        writes = server.stats["writes"]
        report = sync(store, _transport(server))
        assert (report.applied, report.pushed, report.conflicts, report.skipped) == (1, 0, 0, 4)
        assert server.stats["writes"] == writes
        stored = store.get("koperasi", _id(3))
        assert stored is not None and isinstance(stored.record, Koperasi)
        assert stored.record.grade == "A"
        assert [len(store.history("koperasi", _id(i))) for i in range(1, 6)] == [1, 1, 2, 1, 1]
        assert changes_since_sync(store).changes == ()
        assert {id: by_field(r) for id, r in _local(store).items()} == {
            id: by_field(r) for id, r in server.records().items()
        }
        assert sync(store, _transport(server)).transferred == 0


@pytest.mark.parametrize(("rule", "winner", "grade"), [
    (ConflictRule(), "local", "C1"),  # the regional authority (local) wins by default
    (ConflictRule(fields={"Grade": "remote"}), "remote", "A"),  # a field named as a side does
    (ConflictRule(default="remote", fields={"status grade": "local"}), "local", "C1"),
])
def test_conflict_under_other_spelling_clashes_on_that_field_only(
    store: Store, rule: ConflictRule, winner: str, grade: str
) -> None:
    with OdsServer({_id(1): _record(1)}) as server:
        sync(store, _transport(server))
        server.put(_id(1), _respelt(_record(1, **{"Status Grade": "A", "Total Anggota": "7"})))
        import_ods(store, [OdsRow(1, _record(1, **{"Status Grade": "C1", "Alamat": "Jl. Lokal"}))],
                   resolve=False)
        report = sync(store, _transport(server), rule=rule)
        assert report.conflicts == 1
        [(_, logged)] = list(store.iter_documents(conflict_collection("ods")))
        assert [(f["field"], f["local"], f["remote"], f["winner"]) for f in logged["fields"]] == [
            ("Status Grade", "C1", "A", winner)
        ]
        record = _local(store)[_id(1)]
        assert set(record) == set(_respelt(_record(1)))  # one name per field: the remote's
        final = by_field(record)
        assert final["Status Grade"] == grade  # both changed it: the authority's value
        assert final["Total Anggota"] == "7"  # changed only remotely: taken
        assert final["Alamat"] == "Jl. Lokal"  # changed only locally: kept
        assert by_field(server.records()[_id(1)]) == final
        assert sync(store, _transport(server), rule=rule).transferred == 0


def test_reimport_under_other_spelling_pushes_only_the_changed_record(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 6)}) as server:
        sync(store, _transport(server))
        import_ods(store, [OdsRow(i, _respelt(_record(i))) for i in range(1, 6)], resolve=False)
        assert changes_since_sync(store).changes == ()
        assert sync(store, _transport(server)).transferred == 0
        import_ods(store, [OdsRow(i, _respelt(_record(i, **({"Status Grade": "B"} if i == 2 else {}))))
                           for i in range(1, 6)], resolve=False)
        assert [c.id for c in changes_since_sync(store).changes] == [_id(2)]
        writes = server.stats["writes"]
        report = sync(store, _transport(server))
        assert (report.pushed, report.applied, report.conflicts) == (1, 0, 0)
        assert server.stats["writes"] == writes + 1
        assert by_field(server.records()[_id(2)])["Status Grade"] == "B"
        assert sync(store, _transport(server)).transferred == 0


def test_agreements_stored_as_spelt_before_stay_valid(store: Store) -> None:
    """A database synced before records were hashed by field holds, for a record under
    other names, the hash of the record as spelt: it still is the agreed one (nothing is
    pushed again), and it still is the base a conflict is merged against."""
    spelt = {_id(i): _respelt(_record(i)) for i in range(1, 4)}
    with OdsServer(spelt) as server:
        sync(store, _transport(server))
        for id, record in spelt.items():  # as the code before hashing by field stored it
            store.put_document(base_collection("ods"), id, {"hash": content_hash(record)})
        assert sync(store, _transport(server)).transferred == 0
        server.put(_id(1), _record(1, **{"Status Grade": "A"}))  # the ministry's names now
        local = _respelt(_record(1, **{"Total Anggota": "9"}))  # as "Jumlah Anggota"
        import_ods(store, [OdsRow(1, local)], resolve=False)
        report = sync(store, _transport(server))
        assert (report.applied, report.pushed, report.conflicts) == (1, 1, 0)
        final = _local(store)[_id(1)]
        assert by_field(final) == by_field(_record(1, **{"Total Anggota": "9", "Status Grade": "A"}))
        assert set(final) == set(_record(1))  # one name per field: the remote's
        assert by_field(server.records()[_id(1)]) == by_field(final)
        assert sync(store, _transport(server)).transferred == 0


class _Remote:
    """An in-process sync partner: records by id, each with the sequence of its last change."""

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self.seq = 0
        self.data: dict[str, tuple[int, dict[str, Any]]] = {}
        self.pushed: list[str] = []
        for id, record in records.items():
            self.put(id, record)

    def put(self, id: str, record: Mapping[str, Any]) -> None:
        self.seq += 1
        self.data[id] = (self.seq, dict(record))

    def pull(self, since: str | None, *, limit: int) -> PullPage:
        after = int(since or 0)
        rows = sorted((seq, id, r) for id, (seq, r) in self.data.items() if seq > after)[:limit]
        changes = tuple(RemoteChange(id, r, str(seq)) for seq, id, r in rows)
        return PullPage(changes, str(rows[-1][0]) if rows else since, more=len(rows) == limit)

    def push(self, changes: Sequence[RemoteChange], *, idempotency_key: str) -> list[PushAck]:
        for c in changes:
            self.put(c.id, c.record)
            self.pushed.append(c.id)
        return [PushAck(c.id, str(self.data[c.id][0])) for c in changes]


def _spellings(name: str) -> list[str]:
    out = [name, *FIELD_ALIASES.get(name, ())]
    out += [s.upper() for s in out] + [s.lower() for s in out] + [f"  {s} " for s in out]
    return [s for s in dict.fromkeys(out) if canonical_field(s) == name]


SPELLINGS = st.fixed_dictionaries({name: st.sampled_from(_spellings(name)) for name in ODS_FIELDS})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    SPELLINGS,
    st.integers(1, 4),
    st.none() | st.tuples(st.integers(1, 4), st.sampled_from(["Status Grade", "Alamat",
                                                               "Total Anggota", "Nama Ketua"])),
    st.booleans(),
)
def test_any_spelling_of_the_fields_is_the_same_record(
    names: dict[str, str], count: int, change: tuple[int, str] | None, reimport: bool
) -> None:
    """Whatever names the fields come under, only a changed value is transferred: from the
    remote (pulled, nothing pushed back) or re-imported locally (pushed, nothing pulled)."""
    store = open_store("memory://")
    try:
        remote = _Remote({_id(i): _record(i) for i in range(1, count + 1)})
        sync(store, remote)
        remote.pushed.clear()
        changed = None if change is None or change[0] > count else change
        values = {"Status Grade": "A", "Alamat": "Jl. Baru", "Total Anggota": "77",
                  "Nama Ketua": "Siti"}
        expected: dict[str, Any] = {}
        rows = []
        for i in range(1, count + 1):
            fields = {changed[1]: values[changed[1]]} if changed and changed[0] == i else {}
            record = _respelt(_record(i, **fields), names)
            if fields:
                expected = {_id(i): by_field(record)}
            rows.append(OdsRow(i, record))
            if not reimport:
                remote.put(_id(i), record)
        if reimport:
            import_ods(store, rows, resolve=False)
            assert [c.id for c in changes_since_sync(store).changes] == list(expected)
        report = sync(store, remote)
        assert report.conflicts == 0
        if reimport:
            assert (report.applied, report.pushed) == (0, len(expected))
            assert {id: by_field(remote.data[id][1]) for id in remote.pushed} == expected
        else:
            assert (report.applied, report.pushed) == (len(expected), 0)
            assert remote.pushed == []
        for id, record in expected.items():
            assert by_field(_local(store)[id]) == record
        assert {id: by_field(r) for id, r in _local(store).items()} == {
            id: by_field(r) for id, (_, r) in remote.data.items()
        }
        assert changes_since_sync(store).changes == ()
        assert sync(store, remote).transferred == 0
    finally:
        store.close()


def test_changes_since_sync_lists_only_the_field_that_changed(store: Store) -> None:
    """A record agreed under the ministry's names, re-imported under other spellings with one
    value changed: changes_since_sync listed every renamed field as changed."""
    with OdsServer({_id(i): _record(i) for i in range(1, 4)}) as server:
        sync(store, _transport(server))
        import_ods(store, [OdsRow(1, _respelt(_record(1, **{"Status Grade": "B"})))], resolve=False)
        [change] = changes_since_sync(store).changes
        assert change.id == _id(1) and change.status == "berubah"
        assert [(f.field, f.remote, f.local) for f in change.fields] == [("Status Grade", "D", "B")]
