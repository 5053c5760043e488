"""SQLite storage adapter (stdlib :mod:`sqlite3`): kukm's embedded default.

URLs: ``sqlite:///relative/path.sqlite`` (relative to the working directory),
``sqlite:////absolute/path.sqlite``, and ``sqlite://`` (or
``sqlite:///:memory:``) for a private in-memory database.

A file database runs in WAL mode with ``synchronous=NORMAL`` and a busy
timeout, so several processes can share it: writes take ``BEGIN IMMEDIATE``,
so running numbers stay unique and a batch is all-or-nothing even when a
process is killed mid-write. The schema and its migrations live in
:mod:`kukm.storage.sqlite_schema`; rows are encoded by
:mod:`kukm.storage._codec`.

>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> store = SqliteStore("sqlite://")
>>> u = Umkm(nama_usaha="Toko", nib="1234567890123", alamat=Alamat(kode_wilayah="31.71.01.1001"))
>>> store.write_batch([WriteOp("umkm", "u1", u, Provenance(SumberData.SUDIN))])
BatchResult(inserted=1, updated=0, unchanged=0, replayed=False)
>>> [r.id for r in store.find("umkm", "nib", "1234567890123")]
['u1']
>>> store.tabulate("umkm", ["kab_kota"])
[(('31.71',), 1)]
>>> store.close()
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import operator
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from kukm.exceptions import (
    ConfigurationError,
    NotFound,
    SequenceExhausted,
    StorageError,
    StoreUnavailable,
    register_code,
)
from kukm.hookspecs import hookimpl
from kukm.storage import _codec
from kukm.storage.base import (
    AuditEvent,
    BatchResult,
    Kind,
    SnapshotReads,
    SnapshotTabulation,
    Store,
    StoredRecord,
    Verification,
    VerificationStatus,
    WriteOp,
    default_status,
)
from kukm.storage.sqlite_schema import (
    DEFERRABLE_INDEXES,
    TABULASI_COLUMNS,
    TABULASI_KEY,
    VERSION_INDEX,
    ensure_indexes,
    migrate,
)

__all__ = [
    "SQLITE_BUSY",
    "SQLITE_TULIS_DI_SNAPSHOT",
    "SqliteStore",
    "kukm_register_storage_backends",
    "sqlite_path",
]

SQLITE_BUSY: Final = register_code(
    "SQLITE_BUSY",
    "Berkas basis data SQLite dikunci proses lain lebih lama dari batas tunggunya; tidak ada "
    "yang ditulis. Coba lagi setelah proses itu selesai.",
    "The SQLite database file was locked by another process for longer than its busy "
    "timeout; nothing was written. Try again once that process has finished.",
    module=__name__,
)


SQLITE_TULIS_DI_SNAPSHOT: Final = register_code(
    "SQLITE_TULIS_DI_SNAPSHOT",
    "Penulisan lewat koneksi SQLite yang sedang membaca satu snapshot (snapshot()) ditolak; "
    "tidak ada yang ditulis. Tulis lewat koneksi lain atau setelah blok snapshot.",
    "A write through an SQLite handle that is reading one snapshot (snapshot()) is refused; "
    "nothing was written. Write through another handle, or after the snapshot block.",
    module=__name__,
)


def _is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock (SQLITE_BUSY/LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)  # pragma: no cover - Python < 3.11


class _Fresh:
    """The ids a bulk load wrote into a store that held no rows of its kind when it began.

    While every batch holds new ids of that kind only and nothing else wrote to the
    ``records`` table since the last batch (its largest ``seq`` is the one this load left),
    none of the batch's ids has a version yet: the unique version index, dropped for the
    load, is not needed to find them. Anything else (another kind, an id seen before, a
    row from elsewhere) ends this and the index is built there and then.
    """

    __slots__ = ("kind", "last_seq", "seen")

    def __init__(self, kind: str, last_seq: int, rows: int) -> None:
        from kukm._seen import SeenIds

        self.kind = kind
        self.last_seq = last_seq
        self.seen = SeenIds(capacity=max(rows, 1 << 10))

    def all_new(self, conn: sqlite3.Connection, kind: str, ids: Sequence[str]) -> bool:
        if kind != self.kind or _max_seq(conn) != self.last_seq:
            return False
        return not self.seen.add_all(ids)


def _max_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT ifnull(MAX(seq), 0) FROM records").fetchone()[0])

_PAGE = 1000
_INSERT_COLUMNS = (
    "kind",
    "id",
    "version",
    "is_current",
    "valid_from",
    "recorded_at",
    "sumber",
    "petugas",
    "waktu",
    "id_pengiriman",
    "status",
    "content_hash",
    "record",
    "atribut",
    "batch_key",
    *_codec.DIMENSION_COLUMNS,
)
_INSERT_SQL = (
    f"INSERT INTO records ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})"
)
_HEAD_COLUMNS = _INSERT_COLUMNS[:14]
assert _INSERT_COLUMNS[14] == "batch_key"
_KIND_DIMS: dict[str, tuple[str, ...]] = {
    "umkm": tuple(
        c
        for c in _codec.DIMENSION_COLUMNS
        if c not in ("nomor_induk_koperasi", "nomor_badan_hukum", "jenis", "bentuk", "kelompok",
                     "status_nik", "grade")
    ),
    "koperasi": tuple(
        c
        for c in _codec.DIMENSION_COLUMNS
        if c not in ("nib", "npwp", "nik_penduduk", "kbli", "jenis_kelamin")
    ),
    "*": _codec.DIMENSION_COLUMNS,
}  # fmt: skip
_OTHER_KIND_DIMS = {k: frozenset(_codec.DIMENSION_COLUMNS) - frozenset(v) for k, v in _KIND_DIMS.items()}


def _statement(dims: tuple[str, ...]) -> str:
    # The batch key lives in ``batches``; a row's batch_key is only the mark '' of a row the
    # batch writer counts in tabulasi itself (sqlite_schema v5), so the trigger skips it.
    values = ", ".join(["?"] * len(_HEAD_COLUMNS) + ["''"] + ["?"] * len(dims))
    return f"INSERT INTO records ({', '.join((*_HEAD_COLUMNS, 'batch_key', *dims))}) VALUES ({values})"


def _getter(dims: tuple[str, ...]) -> Any:
    get = operator.itemgetter(*dims)
    return get if len(dims) > 1 else (lambda d: (get(d),))


_STATEMENTS: dict[str, tuple[str, Any]] = {
    kind: (_statement(dims), _getter(dims)) for kind, dims in _KIND_DIMS.items()
}
# tabulasi's key after kind is (kode_wilayah, status, sumber, *dimension columns)
assert TABULASI_KEY[:3] == ("kode_wilayah", "status", "sumber")
_TABULASI_DIMS = operator.itemgetter(*TABULASI_KEY[3:])
_TABULASI_UPSERT = (
    f"INSERT INTO tabulasi VALUES ({', '.join('?' for _ in range(len(TABULASI_KEY) + 2))}) "
    f"ON CONFLICT (kind, {', '.join(TABULASI_KEY)}) DO UPDATE SET n = n + excluded.n"
)
_SELECT = (
    "SELECT r.kind, r.id, r.version, r.valid_from, r.recorded_at, r.sumber, r.petugas, "
    "r.waktu, r.id_pengiriman, r.status, r.content_hash, r.record, r.atribut, "
    "v.status, v.petugas, v.waktu, v.catatan "
    "FROM records r LEFT JOIN verifications v "
    "ON v.kind = r.kind AND v.id = r.id AND v.version = r.version"
)


def _literal(value: Any) -> str:
    """An SQL literal for a per-batch constant written into a statement."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise StorageError(f"cannot write {value!r} as an SQL literal", code=_codec.STORAGE_BAD_OP)


def sqlite_path(url: str) -> str:
    """The database path of a ``sqlite:`` URL (``:memory:`` for an in-memory one).

    >>> sqlite_path("sqlite:///data/kukm.sqlite")
    'data/kukm.sqlite'
    >>> sqlite_path("sqlite:////var/lib/kukm.sqlite")
    '/var/lib/kukm.sqlite'
    >>> sqlite_path("sqlite://")
    ':memory:'
    """
    if not url.startswith("sqlite://"):
        raise ConfigurationError(f"not a sqlite URL: {url!r}", code="STORAGE_SCHEME_UNKNOWN")
    rest = url[len("sqlite://") :].split("?", 1)[0]
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ConfigurationError(
            f"sqlite URL needs three slashes: sqlite:///path (got {url!r})",
            code="STORAGE_SCHEME_UNKNOWN",
        )
    return rest[1:]


_STATUS: dict[str, VerificationStatus] = {s.value: s for s in VerificationStatus}


class _RowReader:
    """Turns ``_SELECT`` rows into StoredRecords, reusing decoded values that repeat
    (provenance, dates, atribut) within one read."""

    __slots__ = ("_atribut", "_dates", "_provs", "_times")

    def __init__(self) -> None:
        self._provs: dict[tuple[str, str | None, str | None, str | None], Any] = {}
        self._dates: dict[str, dt.date] = {}
        self._times: dict[str, dt.datetime] = {}
        self._atribut: dict[str, dict[str, str | None]] = {}

    def __call__(self, row: Sequence[Any]) -> StoredRecord:
        verif = None
        if row[13] is not None:
            verif = Verification(_STATUS[row[13]], row[14], self._time(row[15]), row[16])
        pkey = (row[5], row[6], row[7], row[8])
        prov = self._provs.get(pkey)
        if prov is None:
            prov = self._provs[pkey] = _codec.provenance_from_columns(*pkey)
        valid_from = self._dates.get(row[3])
        if valid_from is None:
            valid_from = self._dates[row[3]] = dt.date.fromisoformat(row[3])
        atribut = self._atribut.get(row[12])
        if atribut is None:
            atribut = self._atribut[row[12]] = _codec.decode_atribut(row[12])
        if len(self._provs) > 10_000:
            self._provs.clear()
        return StoredRecord(
            row[0],
            row[1],
            row[2],
            _codec.decode_record(row[0], row[11]),
            prov,
            _STATUS[row[9]],
            valid_from,
            self._time(row[4]),
            row[10],
            dict(atribut),
            verif,
        )

    def _time(self, text: str) -> dt.datetime:
        value = self._times.get(text)
        if value is None:
            if len(self._times) > 10_000:
                self._times.clear()
            value = self._times[text] = dt.datetime.fromisoformat(text)
        return value


def _row_to_stored(row: Sequence[Any]) -> StoredRecord:
    return _RowReader()(row)


def _filters(
    kind: Kind,
    wilayah: str | None,
    status: Collection[VerificationStatus] | None,
    *,
    table: str = "records",
) -> tuple[str, list[Any]]:
    """WHERE clause over ``records r`` (current versions) or ``tabulasi r`` (counts)."""
    _codec.check_kind(kind)
    where = ["r.kind = ?", "r.is_current = 1"] if table == "records" else ["r.kind = ?"]
    params: list[Any] = [kind]
    if wilayah is not None:
        eq, low, high = _codec.wilayah_range(wilayah)
        # one index range [scope, scope + "/") and a residual test for the segment boundary
        where.append(
            "r.kode_wilayah >= ? AND r.kode_wilayah < ? AND (r.kode_wilayah = ? OR r.kode_wilayah >= ?)"
        )
        params += [eq, high, eq, low]
    if status is not None:
        values = sorted({VerificationStatus(s).value for s in status})
        if values:
            where.append(f"r.status IN ({', '.join('?' for _ in values)})")
            params += values
        else:
            where.append("0")
    return " AND ".join(where), params


#: Page size of a database this store creates (``PRAGMA page_size``).
PAGE_SIZE: Final = 16384


class SqliteStore:
    """A :class:`~kukm.storage.base.Store` in one SQLite file (or in memory)."""

    def __init__(self, url: str = "sqlite://", *, busy_timeout: float = 60.0) -> None:
        self.url = url
        self.path = sqlite_path(url)
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a read-only place, or a file where a folder should be
                raise StoreUnavailable(f"cannot open {url!r}: {exc}") from exc
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._fresh: _Fresh | None = None  # a bulk load without the version index (_Fresh)
        try:
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {url!r}: {exc}") from exc
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            # a new database gets 16 KiB pages (an existing one keeps its own): a 1M-row import
            # wrote 945 MB instead of 1,026 and ran 0.6-1.0 s faster (its index builds 2.8 s
            # against 3.1), measured twice each on the 2-core test machine
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # 16 MB of page cache: a 1M-row import ran as fast as with 64 MB and peaked 50 MB
            # lower; temporary sorts (index builds at the end of a bulk load) go to a file, not
            # to memory
            conn.execute("PRAGMA cache_size = -16384")
            self.schema_version = migrate(conn)
            ensure_indexes(conn)  # after a bulk load that was killed before its end
        except sqlite3.DatabaseError as exc:  # not a database (another file), or unreadable
            conn.close()
            self._conn = None
            if _is_busy(exc):  # busy: not a wrong URL
                raise self._busy_error(exc) from exc
            raise StoreUnavailable(f"cannot open {url!r}: {exc}") from exc
        except BaseException:
            conn.close()
            self._conn = None
            raise

    # -- plumbing --------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection (raises StorageError once closed)."""
        if self._conn is None:
            raise StorageError(f"store {self.url!r} is closed")
        return self._conn

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection. Idempotent."""
        with self._lock:
            if self._conn is not None:
                try:  # keeps the planner's statistics fresh (SQLite's advice for long-lived files)
                    self._conn.execute("PRAGMA analysis_limit = 1000")
                    self._conn.execute("PRAGMA optimize")
                except sqlite3.Error:  # pragma: no cover - busy or read-only: harmless
                    pass
                self._conn.close()
                self._conn = None

    def _busy_error(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(
            f"{self.path}: another connection kept the database locked for longer than the "
            f"busy timeout ({self.busy_timeout:g} s): {exc}",
            code=SQLITE_BUSY,
            value=self.path,
        )

    @contextlib.contextmanager
    def _unless_busy(self) -> Iterator[None]:
        """SQLite's "database is locked" (another connection held its lock past the busy
        timeout) raised as :class:`StorageError` ``SQLITE_BUSY``, not as a bare
        :class:`sqlite3.OperationalError` (which ``kukm import`` showed as a traceback)."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise self._busy_error(exc) from exc
            raise

    def _writable(self) -> sqlite3.Connection:
        """The connection, unless this thread reads a snapshot through it (:meth:`snapshot`):
        a write would join that read transaction (or fail on it)."""
        conn = self.conn
        if conn.in_transaction:
            raise StorageError(
                f"{self.path}: write inside snapshot() of the same handle",
                code=SQLITE_TULIS_DI_SNAPSHOT,
            )
        return conn

    def _begin(self) -> sqlite3.Connection:
        conn = self._writable()
        with self._unless_busy():
            conn.execute("BEGIN IMMEDIATE")
        return conn

    #: A bulk load defers the identifier indexes only from this many rows on, and only when
    #: they are at least a quarter of what the store holds (rebuilding sorts every row once;
    #: keeping them costs each new row a few random B-tree inserts).
    BULK_MIN_ROWS: int = 20_000

    @contextlib.contextmanager
    def bulk_load(self, rows: int, kind: Kind | None = None) -> Iterator[bool]:
        """Around a large import of about ``rows`` rows: identifier indexes built once at the end.

        With ``kind``, only the indexes of identifiers that kind has are
        deferred (a UMKM load leaves the koperasi indexes alone: its rows add
        nothing to those partial indexes, and building one again means a scan
        of the whole table). Yields whether it deferred them. When ``kind`` is given and
        the store holds no rows of it yet, the unique version index waits too (random ids
        cost each batch thousands of changed index pages: a 1M-row load of shuffled rows
        took 41 s with it and 32 s without); while it is away the batches are known to be
        new (:class:`_Fresh`), and anything that might not be builds it at once. Inside,
        writes are as atomic and idempotent as ever and lookups stay correct (only slower);
        at the end, or at the next open after a crash, the indexes are built again.

        >>> with SqliteStore() as store, store.bulk_load(10) as deferred:
        ...     deferred
        False
        """
        existing = int(self._fetch("SELECT ifnull(MAX(seq), 0) FROM records", ())[0][0])
        if self.path == ":memory:" or rows < self.BULK_MIN_ROWS or rows * 4 < existing:
            yield False
            return
        with self._lock:
            conn = self._begin()
            try:
                for name in DEFERRABLE_INDEXES:
                    if kind is None or name.removeprefix("records_") in _KIND_DIMS[kind]:
                        conn.execute(f"DROP INDEX IF EXISTS {name}")
                fresh = None
                if kind is not None and not conn.execute(
                    "SELECT 1 FROM records WHERE kind = ? LIMIT 1", (kind,)
                ).fetchall():
                    conn.execute(f"DROP INDEX IF EXISTS {VERSION_INDEX[0]}")
                    fresh = _Fresh(kind, _max_seq(conn), rows)
                conn.execute("COMMIT")
                self._fresh = fresh
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        try:
            yield True
        finally:
            with self._lock, self._unless_busy():
                self._fresh = None
                ensure_indexes(self.conn)

    # -- writes ----------------------------------------------------------------
    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        """Apply every op in one transaction (all or nothing); idempotent."""
        return self.write_prepared(_codec.prepare_ops(ops), batch_key=batch_key)

    def write_prepared(
        self, preps: Sequence[_codec.PreparedOp], *, batch_key: str | None = None
    ) -> BatchResult:
        """:meth:`write_batch` for ops already prepared by :func:`kukm.storage._codec.prepare_ops`
        (possibly in another process, :func:`~kukm.storage._codec.detach`-ed): the import
        pipeline's workers serialise and hash, this process only writes."""
        return self._write(preps, batch_key)

    def write_columns(
        self, cols: _codec.PreparedColumns, *, batch_key: str | None = None
    ) -> BatchResult:
        """:meth:`write_prepared` for a batch held column by column (the bulk import's form).

        When none of its ids has a current version (a first import), the rows go
        in with one ``executemany`` whose per-batch constants (kind, version,
        recording time, officer, shipment) are written into the statement, and
        ``tabulasi`` gets one upsert per combination counted over the zipped
        columns; otherwise (and for repeated ids) the batch goes op by op
        through :meth:`write_prepared`. Same outcome either way.

        >>> from kukm.model import Umkm, SumberData
        >>> from kukm.storage.base import WriteOp, Provenance
        >>> ops = [WriteOp("umkm", f"u{i}", Umkm(nama_usaha="A"), Provenance(SumberData.SUDIN))
        ...        for i in range(2)]
        >>> cols = _codec.PreparedColumns.from_ops(_codec.prepare_ops(ops))
        >>> with SqliteStore() as store:
        ...     store.write_columns(cols, batch_key="b"), store.write_columns(cols)
        (BatchResult(inserted=2, updated=0, unchanged=0, replayed=False), BatchResult(inserted=0, updated=0, unchanged=2, replayed=False))
        """
        if len(set(cols.ids)) != len(cols.ids):
            return self._write(cols.ops(), batch_key)
        return self._write(cols, batch_key)

    def _write(
        self,
        preps: Sequence[_codec.PreparedOp] | _codec.PreparedColumns,
        batch_key: str | None,
    ) -> BatchResult:
        recorded_at = _codec.now_utc()
        recorded = _codec.encode_datetime(recorded_at)
        with self._lock:
            conn = self._begin()
            try:
                fresh = self._fresh
                if fresh is not None and _max_seq(conn) != fresh.last_seq:
                    # another connection wrote since this load's last batch: its ids are no
                    # longer known to be new (even if this batch writes nothing, which would
                    # otherwise take the other rows for this load's own)
                    self._end_fresh(conn)
                if batch_key is not None:
                    row = conn.execute(
                        "SELECT inserted, updated, unchanged FROM batches WHERE batch_key = ?",
                        (batch_key,),
                    ).fetchone()
                    if row is not None:
                        conn.execute("COMMIT")
                        return BatchResult(row[0], row[1], row[2], replayed=True)
                if isinstance(preps, _codec.PreparedColumns):
                    cols = preps
                    current = self._current(conn, cols.kind, cols.ids)
                    if current:
                        result = self._write_changed(conn, cols, current, recorded_at, recorded)
                    else:
                        result = self._write_new(conn, cols, recorded_at, recorded)
                else:
                    kinds = {p.kind for p in preps}
                    if len(kinds) == 1:
                        current = self._current(conn, kinds.pop(), [p.id for p in preps])
                    else:
                        if kinds and self._fresh is not None:
                            self._end_fresh(conn)  # several kinds: the load's ids go untracked
                        current = self._current_of(conn, [(p.kind, p.id) for p in preps])
                    result = self._write_ops(conn, preps, current, recorded_at, recorded)
                if batch_key is not None:
                    conn.execute(
                        "INSERT INTO batches VALUES (?, ?, ?, ?, ?)",
                        (batch_key, result.inserted, result.updated, result.unchanged, recorded),
                    )
                if self._fresh is not None:
                    self._fresh.last_seq = _max_seq(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return result

    def _write_ops(
        self,
        conn: sqlite3.Connection,
        preps: Sequence[_codec.PreparedOp],
        current: dict[tuple[str, str], tuple[int | None, str, str, str, int]],
        recorded_at: dt.datetime,
        recorded: str | None,
    ) -> BatchResult:
        plan: list[tuple[_codec.PreparedOp, str, int]] = []
        retire: list[tuple[int]] = []
        last: dict[tuple[str, str], int] = {}
        inserted = updated = unchanged = 0
        for prep in preps:
            key = (prep.kind, prep.id)
            cur = current.get(key)
            if cur is None:
                status = _codec.decide(prep, None, None, None)
            else:
                status = _codec.decide(prep, cur[1], cur[2], cur[3])
            if status is None:
                unchanged += 1
                continue
            if cur is None:
                inserted += 1
                version = 1
            else:
                updated += 1
                version = cur[4] + 1
                if cur[0] is not None:
                    retire.append((cur[0],))
            current[key] = (None, prep.content_hash, status.value, prep.atribut_json, version)
            last[key] = len(plan)
            plan.append((prep, status.value, version))
        groups = self._insert_rows(plan, last, recorded_at, recorded)
        if retire:
            conn.executemany("UPDATE records SET is_current = 0 WHERE seq = ?", retire)
        for sql, rows in groups.items():
            conn.executemany(sql, rows)
        self._count_current(conn, plan, last)
        return BatchResult(inserted, updated, unchanged)

    @classmethod
    def _write_changed(
        cls,
        conn: sqlite3.Connection,
        cols: _codec.PreparedColumns,
        current: Mapping[tuple[str, str], tuple[int | None, str, str, str, int]],
        recorded_at: dt.datetime,
        recorded: str | None,
    ) -> BatchResult:
        """A batch of distinct ids some of which have a current version, from its columns: the
        unchanged ones left out (:func:`~kukm.storage._codec.decide` with the default status:
        same hash, same ``atribut``), the changed ones' current versions retired, and the
        rest inserted as new versions by :meth:`_write_new`."""
        kind, hashes, atribut_json = cols.kind, cols.hashes, cols.atribut_json
        get = current.get
        keep: list[int] = []
        versions: list[int] = []
        retire: list[tuple[int]] = []
        for k, id_ in enumerate(cols.ids):
            cur = get((kind, id_))
            if cur is None:
                keep.append(k)
                versions.append(1)
            elif cur[1] != hashes[k] or (cur[3] or "{}") != atribut_json[k]:
                keep.append(k)
                versions.append(cur[4] + 1)
                if cur[0] is not None:
                    retire.append((cur[0],))
        if retire:
            conn.executemany("UPDATE records SET is_current = 0 WHERE seq = ?", retire)
        cls._write_new(conn, cols.take(keep), recorded_at, recorded, versions)
        updated = len(keep) - versions.count(1)
        return BatchResult(len(keep) - updated, updated, len(cols) - len(keep))

    @staticmethod
    def _write_new(
        conn: sqlite3.Connection,
        cols: _codec.PreparedColumns,
        recorded_at: dt.datetime,
        recorded: str | None,
        versions: list[int] | None = None,
    ) -> BatchResult:
        """Insert a batch of distinct ids from its columns (write_columns), current, as
        version 1 or as ``versions`` (one per row)."""
        n = len(cols)
        if not n:
            return BatchResult(0, 0, 0)
        provs = {id(p): p for p in cols.provenances}
        per_prov = {
            k: (
                p.sumber.value,
                default_status(p).value,
                p.petugas,
                None if p.waktu is None else p.waktu.isoformat(),
                p.id_pengiriman,
            )
            for k, p in provs.items()
        }
        keys = list(map(id, cols.provenances))
        sumber = [per_prov[k][0] for k in keys]
        status = [per_prov[k][1] for k in keys]
        dates: dict[dt.date | None, str] = {None: _codec.recorded_date(recorded_at).isoformat()}
        for d in set(cols.valid_from) - dates.keys():
            assert d is not None
            dates[d] = d.isoformat()
        valid_from = list(map(dates.__getitem__, cols.valid_from))
        # constants of the batch go into the statement itself (fewer values to bind per row)
        fixed: dict[str, Any] = {
            "kind": cols.kind, "version": 1, "is_current": 1, "recorded_at": recorded,
            "batch_key": "",
        }  # fmt: skip
        bound: dict[str, list[Any]] = {
            "id": cols.ids, "valid_from": valid_from, "sumber": sumber, "status": status,
            "content_hash": cols.hashes, "record": cols.blobs, "atribut": cols.atribut_json,
        }  # fmt: skip
        if versions is not None and versions.count(1) != n:
            del fixed["version"]
            bound["version"] = versions
        for i, name in ((2, "petugas"), (3, "waktu"), (4, "id_pengiriman")):
            seen = {v[i] for v in per_prov.values()}
            value = next(iter(seen))
            if len(seen) == 1 and (value is None or "\x00" not in value):
                fixed[name] = value  # one value for the whole batch
            else:
                bound[name] = [per_prov[k][i] for k in keys]
        for name, col in cols.dims.items():
            if col.count(None) != n:  # columns left NULL are not bound at all
                bound[name] = col
        literals = {name: _literal(v) for name, v in fixed.items()}
        names = [*literals, *bound]
        values = [*literals.values(), *("?" * len(bound))]
        sql = f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join(values)})"
        conn.executemany(sql, zip(*bound.values(), strict=True))
        # tabulasi: one upsert per combination (NULL kept as char(0), as the triggers do)
        absent = [None] * n
        tab = [cols.dims.get(c, absent) for c in TABULASI_KEY[3:]]
        counts = collections.Counter(zip(cols.dims["kode_wilayah"], status, sumber, *tab, strict=True))
        kind = cols.kind
        conn.executemany(
            _TABULASI_UPSERT,
            [(kind, *["\x00" if v is None else v for v in key], c) for key, c in counts.items()],
        )
        return BatchResult(n, 0, 0)

    @staticmethod
    def _count_current(
        conn: sqlite3.Connection,
        plan: Sequence[tuple[_codec.PreparedOp, str, int]],
        last: Mapping[tuple[str, str], int],
    ) -> None:
        """Add the batch's new current versions to ``tabulasi`` (one upsert per combination)."""
        counts: dict[tuple[Any, ...], int] = {}
        get = _TABULASI_DIMS
        for index, (prep, status, _version) in enumerate(plan):
            if last[(prep.kind, prep.id)] != index:
                continue  # superseded within the batch: never current
            d = prep.dims
            key = (prep.kind, d["kode_wilayah"], status, prep.provenance.sumber.value, *get(d))
            counts[key] = counts.get(key, 0) + 1
        if counts:  # NULL is kept as char(0) in the key, as the triggers do
            conn.executemany(
                _TABULASI_UPSERT,
                [(*["\x00" if v is None else v for v in key], n) for key, n in counts.items()],
            )

    @staticmethod
    def _insert_rows(
        plan: Sequence[tuple[_codec.PreparedOp, str, int]],
        last: Mapping[tuple[str, str], int],
        recorded_at: dt.datetime,
        recorded: str | None,
    ) -> dict[str, list[tuple[Any, ...]]]:
        """INSERT statements → rows. Rows of one kind leave out the other kind's columns
        (binding NULL is slow in :mod:`sqlite3`); an op whose ``atribut`` fills one of
        them uses the statement with every column."""
        groups: dict[str, list[tuple[Any, ...]]] = {}
        date_cache: dict[Any, str] = {}
        prov_cache: dict[int, tuple[str, str | None, str | None, str | None]] = {}
        for index, (prep, status, version) in enumerate(plan):
            kind: str = prep.kind
            if prep.atribut and not _OTHER_KIND_DIMS[kind].isdisjoint(prep.atribut):
                kind = "*"
            sql, getter = _STATEMENTS[kind]
            prov = prep.provenance
            pv = prov_cache.get(id(prov))
            if pv is None:
                waktu = None if prov.waktu is None else prov.waktu.isoformat()
                pv = prov_cache[id(prov)] = (
                    prov.sumber.value, prov.petugas, waktu, prov.id_pengiriman
                )
            valid_from = prep.resolved_valid_from(recorded_at)
            vf = date_cache.get(valid_from)
            if vf is None:
                vf = date_cache[valid_from] = valid_from.isoformat()
            head = (
                prep.kind,
                prep.id,
                version,
                1 if last[(prep.kind, prep.id)] == index else 0,
                vf,
                recorded,
                *pv,
                status,
                prep.content_hash,
                prep.blob,
                prep.atribut_json,
            )
            row = (*head, *getter(prep.dims))
            rows = groups.get(sql)
            if rows is None:
                rows = groups[sql] = []
            rows.append(row)
        return groups

    def _current(
        self, conn: sqlite3.Connection, kind: str, ids: Sequence[str]
    ) -> dict[tuple[str, str], tuple[int | None, str, str, str, int]]:
        """:meth:`_current_of` ``ids`` of one kind; nothing to look up while a bulk load knows
        them to be new (:class:`_Fresh`), whose end builds the version index in this
        transaction."""
        fresh = self._fresh
        if fresh is not None:
            if fresh.all_new(conn, kind, ids):
                return {}
            self._end_fresh(conn)
        return self._current_of(conn, [(kind, i) for i in ids])

    def _end_fresh(self, conn: sqlite3.Connection) -> None:
        """Leave the bulk load's fresh mode (:class:`_Fresh`): build the version index now, in
        this transaction, and look versions up from here on."""
        self._fresh = None
        conn.execute(VERSION_INDEX[1])

    @staticmethod
    def _current_of(
        conn: sqlite3.Connection, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int | None, str, str, str, int]]:
        """(kind, id) → (seq, hash, status, atribut, version) of current versions, one query per kind."""
        by_kind: dict[str, set[str]] = {}
        for kind, id_ in keys:
            by_kind.setdefault(kind, set()).add(id_)
        found: dict[tuple[str, str], tuple[int | None, str, str, str, int]] = {}
        for kind, ids in by_kind.items():
            rows = conn.execute(
                "SELECT seq, id, content_hash, status, atribut, version FROM records "
                "WHERE kind = ? AND is_current = 1 AND id IN (SELECT value FROM json_each(?))",
                (kind, json.dumps(sorted(ids))),
            )
            for seq, id_, digest, status, atribut, version in rows:
                found[(kind, id_)] = (seq, digest, status, atribut, version)
        return found

    def set_status(
        self,
        kind: Kind,
        id: str,
        status: VerificationStatus,
        *,
        petugas: str,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> StoredRecord:
        """Verify or reject the current version: adds a version carrying the verification."""
        _codec.check_kind(kind)
        status = VerificationStatus(status)
        now = _codec.now_utc()
        with self._lock:
            conn = self._begin()
            try:
                row = conn.execute(
                    "SELECT seq, version FROM records WHERE kind = ? AND id = ? AND is_current = 1",
                    (kind, id),
                ).fetchone()
                if row is None:
                    raise NotFound(f"{kind} {id!r} not found", value=id)
                seq, version = row
                conn.execute("UPDATE records SET is_current = 0 WHERE seq = ?", (seq,))
                copied = [
                    c
                    for c in _INSERT_COLUMNS
                    if c not in ("version", "is_current", "recorded_at", "status", "batch_key")
                ]
                conn.execute(
                    f"INSERT INTO records (version, is_current, recorded_at, status, "
                    f"{', '.join(copied)}) SELECT ?, 1, ?, ?, {', '.join(copied)} "
                    f"FROM records WHERE seq = ?",
                    (version + 1, _codec.encode_datetime(now), status.value, seq),
                )
                conn.execute(
                    "INSERT INTO verifications VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        kind,
                        id,
                        version + 1,
                        status.value,
                        petugas,
                        _codec.encode_datetime(waktu or now),
                        catatan,
                    ),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        stored = self.get(kind, id)
        assert stored is not None
        return stored

    # -- reads ---------------------------------------------------------------------
    def _fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._lock, self._unless_busy():
            return self.conn.execute(sql, params).fetchall()

    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """Current version, or ``None``."""
        _codec.check_kind(kind)
        rows = self._fetch(
            f"{_SELECT} WHERE r.kind = ? AND r.id = ? AND r.is_current = 1", (kind, id)
        )
        return _row_to_stored(rows[0]) if rows else None

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version, oldest first."""
        _codec.check_kind(kind)
        rows = self._fetch(
            f"{_SELECT} WHERE r.kind = ? AND r.id = ? ORDER BY r.version", (kind, id)
        )
        read = _RowReader()
        return [read(r) for r in rows]

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions whose identifier ``key`` equals ``value``, ordered by id."""
        _codec.check_kind(kind)
        column = _codec.check_identifier_key(key)
        rows = self._fetch(
            f"{_SELECT} WHERE r.kind = ? AND r.is_current = 1 AND r.{column} = ? ORDER BY +r.id",
            (kind, value),
        )
        read = _RowReader()
        return [read(r) for r in rows]

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Stream current versions ordered by id, a page of rows at a time."""
        where, params = _filters(kind, wilayah, status)
        last: str | None = None
        read = _RowReader()
        while True:
            page_where = where if last is None else where + " AND r.id > ?"
            page_params = params if last is None else [*params, last]
            rows = self._fetch(
                f"{_SELECT} WHERE {page_where} ORDER BY r.id LIMIT {_PAGE}", page_params
            )
            for row in rows:
                yield read(row)
            if len(rows) < _PAGE:
                return
            last = rows[-1][1]

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        """Number of current versions (optionally in a region / with a status).

        Read from ``tabulasi`` (migration 5), the counts kept with every write.
        """
        where, params = _filters(kind, wilayah, status, table="tabulasi")
        return int(self._fetch(f"SELECT ifnull(SUM(n), 0) FROM tabulasi r WHERE {where}", params)[0][0])

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts grouped by TABULATION_FIELDS with ``GROUP BY`` (groups ordered, NULL first)."""
        fields = _codec.check_tabulation_fields(by)
        if not fields:
            total = self.count(kind, wilayah=wilayah, status=status)
            return [((), total)] if total else []
        if set(fields) <= TABULASI_COLUMNS:  # the trigger-kept counts (migration 5)
            cols = ", ".join(f"NULLIF(r.{c}, char(0))" for c in fields)
            where, params = _filters(kind, wilayah, status, table="tabulasi")
            sql = (
                f"SELECT {cols}, SUM(n) FROM tabulasi r WHERE {where} GROUP BY {cols} "
                f"HAVING SUM(n) > 0 ORDER BY {cols}"
            )
        else:  # KBLI: counted from the current versions themselves
            cols = ", ".join(f"r.{c}" for c in fields)
            where, params = _filters(kind, wilayah, status)
            sql = f"SELECT {cols}, COUNT(*) FROM records r WHERE {where} GROUP BY {cols} ORDER BY {cols}"
        return [(tuple(r[:-1]), int(r[-1])) for r in self._fetch(sql, params)]

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[list[tuple[tuple[str | None, ...], int]], int]:
        """:meth:`tabulate` and :meth:`count` in one read transaction (one snapshot).

        Each read alone is its own transaction, so a batch another process
        commits between them was counted by one and not the other. A deferred
        ``BEGIN`` takes no write lock: in WAL mode the read on entry fixes the
        snapshot both see, writers go on meanwhile (in rollback-journal mode its
        shared lock holds their commit back until the ``COMMIT`` here).
        """
        with self.snapshot():
            groups = self.tabulate(kind, by, wilayah=wilayah, status=status)
            return groups, self.count(kind, wilayah=wilayah, status=status)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside are one read transaction whose snapshot is taken on entry (see
        :meth:`tabulate_total`).

        The block holds this handle's lock: other threads using this handle wait for its
        end. Do not write through this handle inside it (another handle or process may).
        """
        with self._lock:
            conn = self.conn
            if conn.in_transaction:  # an enclosing snapshot
                yield
                return
            with self._unless_busy():
                conn.execute("BEGIN")
                try:  # a first read takes the snapshot now, not at the block's first query
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            try:
                yield
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")  # read only: nothing to keep or undo

    # -- sequences ---------------------------------------------------------------------
    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        """Next running number for ``prefix``, unique across processes (``BEGIN IMMEDIATE``)."""
        with self._lock:
            conn = self._begin()
            try:
                (value,) = conn.execute(
                    "INSERT INTO sequences (prefix, last) VALUES (?, 1) "
                    "ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
                    (prefix,),
                ).fetchone()
                if value > maximum:
                    raise SequenceExhausted(value=prefix)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return int(value)

    # -- documents ---------------------------------------------------------------------
    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace a JSON document."""
        blob = _codec.dump_document(doc)
        with self._lock, self._unless_busy():
            self._writable().execute(
                "INSERT OR REPLACE INTO documents (collection, key, doc) VALUES (?, ?, ?)",
                (collection, key, blob),
            )

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
        """A document, or ``None``."""
        rows = self._fetch(
            "SELECT doc FROM documents WHERE collection = ? AND key = ?", (collection, key)
        )
        return _load(rows[0][0]) if rows else None

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, doc) of a collection, ordered by key, a page at a time."""
        last = ""
        first = True
        while True:
            rows = self._fetch(
                "SELECT key, doc FROM documents WHERE collection = ? AND (? OR key > ?) "
                f"ORDER BY key LIMIT {_PAGE}",
                (collection, first, last),
            )
            for key, blob in rows:
                yield key, _load(blob)
            if len(rows) < _PAGE:
                return
            first, last = False, rows[-1][0]

    # -- audit -------------------------------------------------------------------------
    def audit(self, event: AuditEvent) -> None:
        """Append an event (triggers refuse any UPDATE or DELETE of the log)."""
        with self._lock, self._unless_busy():
            self._writable().execute(
                "INSERT INTO audit (waktu, waktu_key, aktor, aksi, kind, record_id, diizinkan, "
                "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _codec.encode_datetime(event.waktu),
                    _codec.utc_key(event.waktu),
                    event.aktor,
                    event.aksi,
                    event.kind,
                    event.record_id,
                    int(event.diizinkan),
                    event.detail,
                ),
            )

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """Events in the order they were appended, optionally from ``since`` on."""
        key = "" if since is None else _codec.utc_key(since)
        last = 0
        while True:
            rows = self._fetch(
                "SELECT seq, waktu, aktor, aksi, kind, record_id, diizinkan, detail FROM audit "
                f"WHERE seq > ? AND waktu_key >= ? ORDER BY seq LIMIT {_PAGE}",
                (last, key),
            )
            for seq, waktu, aktor, aksi, kind, record_id, diizinkan, detail in rows:
                when = _codec.decode_datetime(waktu)
                assert when is not None
                yield AuditEvent(when, aktor, aksi, kind, record_id, bool(diizinkan), detail)
                last = seq
            if len(rows) < _PAGE:
                return


def _load(blob: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(blob)
    return value


@hookimpl
def kukm_register_storage_backends() -> dict[str, Any]:
    """kukm's embedded default backend: the ``sqlite`` URL scheme."""
    return {"sqlite": SqliteStore}


def _check_protocol(store: SqliteStore) -> Store:
    return store  # mypy checks SqliteStore satisfies the Store protocol


def _check_snapshot(store: SqliteStore) -> SnapshotTabulation:
    return store  # and the optional one-snapshot tabulation


def _check_snapshot_reads(store: SqliteStore) -> SnapshotReads:
    return store  # and the optional snapshot of several reads
