"""A rekap is one consistent reading of the store, also while an import commits batches.

``rekap`` read the groups (``tabulate``) and the total (``count``) as two reads; a batch
committed between them made it fail with ``REKAP_TIDAK_SEIMBANG`` (62 of 104 runs on
PostgreSQL, 33 of 141 on MariaDB during an import). Both now come from one snapshot
(:func:`kukm.storage.base.tabulate_total`); the reconciliation check stays.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kukm.adapters.memory import MemoryStore
from kukm.adapters.sql import SqlStore
from kukm.adapters.sqlite import SqliteStore
from kukm.exceptions import IntegrityError
from kukm.plugins import open_store
from kukm.reports.rekap import REKAP_TIDAK_SEIMBANG, rekap
from kukm.storage.base import (
    Kind,
    SnapshotTabulation,
    Store,
    VerificationStatus,
    WriteOp,
    tabulate_total,
)
from kukm.synthetic import generate_umkm, write_csv
from kukm.testing.conformance import SUDIN, make_koperasi, umkm_op
from services import mariadb_url, postgres_url, store_url  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")


def _batch(start: int, n: int = 10) -> list[Any]:
    return [umkm_op(i, atribut={"skala": "mikro"}) for i in range(start, start + n)]


# -- a batch committed between the two reads, deterministically ------------------------


def test_sqlite_batch_between_the_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another connection commits a batch after the groups were read and before the total:
    the total is still of the groups' snapshot (before: REKAP_TIDAK_SEIMBANG, 10 vs 20)."""
    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    with SqliteStore(url) as reader, SqliteStore(url) as writer:
        reader.write_batch(_batch(0))
        count = reader.count

        def count_after_a_batch(kind: Kind, **kw: Any) -> int:
            writer.write_batch(_batch(100))  # commits while the reader's snapshot is open
            return count(kind, **kw)

        monkeypatch.setattr(reader, "count", count_after_a_batch)
        r = rekap(reader, "umkm", ["skala"])
        assert r.total == 10 and sum(row.jumlah for row in r.rows) == 10
        monkeypatch.undo()
        assert rekap(reader, "umkm", ["skala"]).total == 20


def test_a_rekap_through_an_officer_reads_one_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kukm report rekap`` reads through the officer's Service view: it too takes its rows
    and total from one snapshot (before: the view had no tabulate_total, so the two reads of
    today's rekap split around a batch and failed REKAP_TIDAK_SEIMBANG)."""
    from kukm.governance import Service, User

    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    with SqliteStore(url) as reader, SqliteStore(url) as writer:
        reader.write_batch(_batch(0))
        count = reader.count

        def count_after_a_batch(kind: Kind, **kw: Any) -> int:
            writer.write_batch(_batch(100))
            return count(kind, **kw)

        monkeypatch.setattr(reader, "count", count_after_a_batch)
        view = Service(reader, User("d1", "dinas")).reader()
        r = rekap(view, "umkm", ["skala"])
        assert r.total == 10 and sum(row.jumlah for row in r.rows) == 10
        monkeypatch.undo()
        assert rekap(view, "umkm", ["skala"]).total == 20


def test_memory_batch_between_the_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread's batch waits for the memory store's lock until the rekap has both reads."""
    store = MemoryStore()
    store.write_batch(_batch(0))
    count = store.count
    writers: list[threading.Thread] = []

    def count_after_a_batch(kind: Kind, **kw: Any) -> int:
        t = threading.Thread(target=store.write_batch, args=(_batch(100),))
        t.start()
        t.join(timeout=0.3)  # before: the batch went in here
        writers.append(t)
        return count(kind, **kw)

    monkeypatch.setattr(store, "count", count_after_a_batch)
    r = rekap(store, "umkm", ["skala"])
    writers[0].join()
    assert r.total == 10
    monkeypatch.undo()
    assert rekap(store, "umkm", ["skala"]).total == 20


@pytest.fixture(params=["postgres_url", "mariadb_url"])
def sql_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(request.param))


def test_sql_batch_between_the_reads(sql_url: str) -> None:
    """PostgreSQL/MariaDB: a batch committed by another connection just before the count
    query runs is not counted (before: REKAP_TIDAK_SEIMBANG, rows 10, total 20)."""
    reader, writer = SqlStore(sql_url), SqlStore(sql_url)
    try:
        reader.write_batch(_batch(0))
        done: list[bool] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            text = statement.lower()
            if not done and "count(*)" in text and "group by" not in text:
                done.append(True)
                writer.write_batch(_batch(100))

        sa.event.listen(reader.engine, "before_cursor_execute", before)
        try:
            r = rekap(reader, "umkm", ["skala"])
        finally:
            sa.event.remove(reader.engine, "before_cursor_execute", before)
        assert done and r.total == 10 and sum(row.jumlah for row in r.rows) == 10
        assert rekap(reader, "umkm", ["skala"]).total == 20
    finally:
        writer.close()
        reader.close()


# -- a third-party store without tabulate_total -------------------------------------------


class _TwoReads:
    """A store with only the :class:`Store` protocol (no ``tabulate_total``)."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.url = "twoReads://"

    def __getattr__(self, name: str) -> Any:
        if name == "tabulate_total":
            raise AttributeError(name)
        return getattr(self._inner, name)

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        return self._inner.tabulate(kind, by, wilayah=wilayah, status=status)


def test_store_without_tabulate_total_falls_back_to_two_reads() -> None:
    inner = MemoryStore()
    inner.write_batch(_batch(0, 7))
    store: Any = _TwoReads(inner)
    assert isinstance(store, Store) and not isinstance(store, SnapshotTabulation)
    assert tabulate_total(store, "umkm", ["skala"]) == ([(("mikro",), 7)], 7)
    r, ref = rekap(store, "umkm", ["skala"]), rekap(inner, "umkm", ["skala"])
    assert (r.rows, r.total) == (ref.rows, ref.total) and r.total == 7


def test_a_real_mismatch_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A total that is not the rows' sum in one snapshot (a broken store) is never hidden."""
    store = MemoryStore()
    store.write_batch(_batch(0, 3))
    monkeypatch.setattr(
        store, "tabulate_total", lambda *a, **kw: ([(("mikro",), 3)], 4), raising=True
    )
    with pytest.raises(IntegrityError) as err:
        rekap(store, "umkm", ["skala"])
    assert err.value.code == REKAP_TIDAK_SEIMBANG


# -- real processes: an import running while rekap is called over and over --------------

ROWS = 6000
BATCH = 100


def test_rekap_while_an_import_runs(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    """``kukm import`` commits a batch of 100 rows after another in its own process while
    this one makes rekaps: every one reconciles, and the totals only grow."""
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(ROWS, seed=7, faulty_share=0.0))
    open_store(store_url).close()  # the schema exists before the import and the first rekap
    args = [sys.executable, "-m", "kukm", "import", str(path), "--kind", "umkm", "--source",
            "sudin", "--workers", "0", "--batch-size", str(BATCH), "--db", store_url]  # fmt: skip
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    store = open_store(store_url)
    totals: list[int] = []
    errors: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            for by in (["kab_kota"], ["skala", "kbli"]):
                try:
                    totals.append(rekap(store, "umkm", by, status=None).total)
                    rekap(store, "umkm", by)  # verified only
                except IntegrityError as exc:
                    errors.append(str(exc))
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err, (out[-500:], err[-1500:])
        final = rekap(store, "umkm", ["kab_kota"], status=None).total
    finally:
        if proc.poll() is None:  # pragma: no cover - a hung import
            proc.kill()
            proc.communicate()
        store.close()
    assert not errors, f"{len(errors)} of {len(totals) + len(errors)} rekaps: {errors[:3]}"
    assert final == ROWS
    assert totals == sorted(totals)
    assert any(0 < t < final for t in totals), "no rekap ran while the import wrote"


# -- periode / tahunan: the stream and the histories are one reading --------------------


@pytest.fixture(params=["memory", "sqlite", "postgres_url", "mariadb_url"])
def two_handles(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """A reading and a writing handle of one fresh database."""
    if request.param == "memory":
        shared = MemoryStore()
        yield shared, shared
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    else:
        url = str(request.getfixturevalue(request.param))
    reader, writer = open_store(url), open_store(url)
    try:
        yield reader, writer
    finally:
        writer.close()
        reader.close()


def test_scan_does_not_count_a_batch_committed_midway(
    two_handles: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the pass streams the records, another handle commits new records and a new
    version of the record whose history the pass is reading. Before: SQLite counted the new
    records in its next page (1210 of 1200) and every store counted the record's new
    version from its history."""
    from kukm.reports.periode import scan, stok
    from kukm.reports.tahunan import laporan_tahunan

    reader, writer = two_handles
    n = 1200
    reader.write_batch([umkm_op(i, valid_from=dt.date(2024, 3, 1)) for i in range(n)])
    reader.write_batch([umkm_op(5, record=_kbli(5, "10110"), valid_from=dt.date(2024, 6, 1))])
    expected = stok(scan(reader, "umkm", ["kbli"], status=None)["kbli"], 2025)
    assert sum(expected.values()) == n and expected["10110"] == 1
    later = [umkm_op(5, record=_kbli(5, "99999"), valid_from=dt.date(2025, 1, 2))]
    later += [umkm_op(i, valid_from=dt.date(2024, 3, 1)) for i in range(5000, 5010)]
    history = reader.history
    threads: list[threading.Thread] = []

    def history_then_write(kind: Kind, id: str) -> Any:
        if not threads:  # first history read: the pass is in its first page
            threads.append(threading.Thread(target=writer.write_batch, args=(later,)))
            threads[0].start()
            threads[0].join(timeout=0.5)  # memory: waits for the pass's end
        return history(kind, id)

    monkeypatch.setattr(reader, "history", history_then_write)
    got = stok(scan(reader, "umkm", ["kbli"], status=None)["kbli"], 2025)
    threads[0].join()
    assert got == expected
    # the yearly report: koperasi committed while its UMKM pass runs are not in its Koperasi
    # tables (before: the second pass, a moment later, counted them)
    threads.clear()
    later = [  # what history_then_write writes now
        WriteOp("koperasi", f"k{i}", make_koperasi(i), SUDIN, valid_from=dt.date(2024, 3, 1))
        for i in range(4)
    ]
    lap = laporan_tahunan(reader, 2025)
    threads[0].join()
    assert (lap.status_umkm.total, lap.status_koperasi.total) == (n + 10, 0)
    monkeypatch.undo()
    assert laporan_tahunan(reader, 2025).status_koperasi.total == 4


def _kbli(i: int, kbli: str) -> Any:
    from kukm.testing.conformance import make_umkm

    return make_umkm(i, kbli=kbli)


def test_sqlite_write_through_the_reading_handle_is_refused(tmp_path: Path) -> None:
    """Inside ``snapshot()`` a write through the same SQLite handle would join the read
    transaction: refused with SQLITE_TULIS_DI_SNAPSHOT (not a bare sqlite3 error), nothing
    written; other handles write as ever."""
    from kukm.adapters.sqlite import SQLITE_TULIS_DI_SNAPSHOT
    from kukm.exceptions import StorageError
    from kukm.storage.base import AuditEvent

    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    with SqliteStore(url) as store, SqliteStore(url) as other:
        with store.snapshot():
            for write in (
                lambda: store.write_batch(_batch(0)),
                lambda: store.allocate_sequence("317110002"),
                lambda: store.put_document("c", "k", {"a": 1}),
                lambda: store.audit(AuditEvent(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "a", "b")),
            ):
                with pytest.raises(StorageError) as err:
                    write()
                assert err.value.code == SQLITE_TULIS_DI_SNAPSHOT
            other.write_batch(_batch(0))
            assert store.count("umkm") == 0
        assert store.count("umkm") == 10 and store.get_document("c", "k") is None
        assert list(store.audit_log()) == [] and store.allocate_sequence("317110002") == 1
