"""The SQLite schema of kukm as an ordered list of versioned migrations.

A database records the migrations applied to it in ``schema_version``. Opening
a database runs, in one ``BEGIN IMMEDIATE`` transaction, every migration whose
number is above the recorded one, so a file made by an older kukm upgrades in
place (and concurrent openers wait for each other). A database made by a
*newer* kukm is refused. Migrations are only ever appended, never edited.

Tables (see ``docs/storage.md``):

* ``records`` – every version of every record (never updated except the
  ``is_current`` flag 1→0, never deleted; triggers enforce it). The view
  ``current`` shows the latest version of each record.
* ``verifications`` – verification/rejection by a Dinas officer, keyed by
  the version it produced.
* ``sequences`` – running numbers per prefix (NIK Koperasi).
* ``documents`` – JSON workflow state by (collection, key).
* ``audit`` – append-only audit log (triggers refuse UPDATE/DELETE).
* ``batches`` – committed ``batch_key`` values with their result.
* ``tabulasi`` – how many current versions share each combination of region
  code, status, source and tabulation dimension but KBLI (``NULL`` kept as
  ``char(0)``), kept exact in the transaction that changes ``records``: a
  batch write counts its new current versions itself (its rows carry
  ``batch_key = ''``), a trigger counts any other insert, and another
  trigger takes one away when a version is retired. Counts and tabulations
  read a small table instead of the records.

>>> [m.version for m in MIGRATIONS]
[1, 2, 3, 4, 5]
>>> import sqlite3
>>> conn = sqlite3.connect(":memory:", isolation_level=None)
>>> migrate(conn)
5
>>> current_version(conn)
5
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence

from attrs import frozen

from kukm.exceptions import StorageError, register_code
from kukm.storage._codec import now_utc

__all__ = [
    "DEFERRABLE_INDEXES",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "current_version",
    "ensure_indexes",
    "migrate",
]

STORAGE_SCHEMA_TOO_NEW = register_code(
    "STORAGE_SCHEMA_TOO_NEW",
    "Basis data dibuat oleh versi kukm yang lebih baru; perbarui kukm.",
    "The database was made by a newer kukm; upgrade kukm.",
    module=__name__,
)


@frozen
class Migration:
    """One schema step: its number, what it does, and its SQL statements."""

    version: int
    description: str
    statements: Sequence[str]


# Frozen copy of kukm.storage._codec.DIMENSION_COLUMNS as of version 1 (a migration never
# changes meaning when the constant changes; a test checks the two still agree).
_V1_DIMENSIONS = (
    "nib", "npwp", "nik_penduduk", "nomor_induk_koperasi", "nomor_badan_hukum", "nama",
    "kode_wilayah", "provinsi", "kab_kota", "kecamatan", "kelurahan", "skala", "jenis", "bentuk",
    "kelompok", "kbli", "jenis_kelamin", "status_nik", "grade",
)  # fmt: skip
_DIM_DDL = ",\n  ".join(f"{c} TEXT" for c in _V1_DIMENSIONS)

_V1 = [
    f"""CREATE TABLE records (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  is_current INTEGER NOT NULL DEFAULT 1,
  valid_from TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  sumber TEXT NOT NULL,
  petugas TEXT,
  waktu TEXT,
  id_pengiriman TEXT,
  status TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  record TEXT NOT NULL,
  atribut TEXT NOT NULL DEFAULT '{{}}',
  batch_key TEXT,
  {_DIM_DDL}
)""",
    "CREATE UNIQUE INDEX records_version ON records(kind, id, version)",
    "CREATE VIEW current AS SELECT * FROM records WHERE is_current = 1",
    "CREATE TABLE sequences (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL)",
    """CREATE TABLE documents (
  collection TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (collection, key)) WITHOUT ROWID""",
    """CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  waktu TEXT NOT NULL, waktu_key TEXT NOT NULL, aktor TEXT NOT NULL, aksi TEXT NOT NULL,
  kind TEXT, record_id TEXT, diizinkan INTEGER NOT NULL, detail TEXT)""",
    """CREATE TABLE batches (
  batch_key TEXT PRIMARY KEY, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,
  unchanged INTEGER NOT NULL, committed_at TEXT NOT NULL)""",
]

_V2 = [
    """CREATE TABLE verifications (
  kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  status TEXT NOT NULL, petugas TEXT NOT NULL, waktu TEXT NOT NULL, catatan TEXT,
  PRIMARY KEY (kind, id, version))""",
    """CREATE TRIGGER records_keep_versions BEFORE UPDATE OF
  seq, kind, id, version, valid_from, recorded_at, sumber, petugas, waktu, id_pengiriman,
  status, content_hash, record, atribut ON records
BEGIN SELECT RAISE(ABORT, 'kukm: record versions are never changed'); END""",
    """CREATE TRIGGER records_current_only_retires BEFORE UPDATE OF is_current ON records
WHEN NEW.is_current <> 0 OR OLD.is_current <> 1
BEGIN SELECT RAISE(ABORT, 'kukm: is_current only goes from 1 to 0'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'kukm: record versions are never deleted'); END""",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'kukm: the audit log is append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'kukm: the audit log is append-only'); END""",
    """CREATE TRIGGER verifications_no_update BEFORE UPDATE ON verifications
BEGIN SELECT RAISE(ABORT, 'kukm: verifications are never changed'); END""",
]

_V3 = [
    *(
        f"CREATE INDEX records_{c} ON records(kind, {c}) WHERE is_current = 1 AND {c} IS NOT NULL"
        for c in ("nib", "npwp", "nik_penduduk", "nomor_induk_koperasi", "nomor_badan_hukum")
    ),
    "CREATE INDEX records_wilayah ON records(kind, kode_wilayah) WHERE is_current = 1",
    "CREATE INDEX audit_waktu ON audit(waktu_key)",
]

#: Identifier-lookup indexes (version 3) a bulk load may drop and build again at its end
#: (:meth:`kukm.adapters.sqlite.SqliteStore.bulk_load`): name → CREATE statement.
DEFERRABLE_INDEXES: dict[str, str] = {
    f"records_{c}": (
        f"CREATE INDEX IF NOT EXISTS records_{c} ON records(kind, {c}) "
        f"WHERE is_current = 1 AND {c} IS NOT NULL"
    )
    for c in ("nib", "npwp", "nik_penduduk", "nomor_induk_koperasi", "nomor_badan_hukum")
}

#: The unique version index (version 1): a bulk load into a store without rows of its kind
#: drops it too and builds it at its end (:meth:`kukm.adapters.sqlite.SqliteStore.bulk_load`).
VERSION_INDEX: tuple[str, str] = (
    "records_version",
    "CREATE UNIQUE INDEX IF NOT EXISTS records_version ON records(kind, id, version)",
)

_TAB_COLUMNS = (
    "status, sumber, provinsi, kab_kota, kecamatan, kelurahan, skala, jenis, bentuk, kelompok, "
    "kbli, jenis_kelamin, status_nik, grade"
)
_V4 = [
    "DROP INDEX IF EXISTS records_wilayah",
    # One covering index serves tabulate/count (any grouping, any region scope) without
    # reading the wide rows; it starts with (kind, kode_wilayah) for region ranges.
    f"CREATE INDEX records_tabulate ON records(kind, kode_wilayah, {_TAB_COLUMNS}, "
    "is_current, id) WHERE is_current = 1",
]

# Frozen copy (as of version 5) of the tabulation columns kept in ``tabulasi``: kode_wilayah
# for region scopes, then TABULATION_COLUMNS' values but ``kbli`` (hundreds of codes would make
# the table nearly as long as ``records``; a tabulation by KBLI reads the records). NULL is
# kept as char(0) so the key is unique.
_V5_KEY = (
    "kode_wilayah", "status", "sumber", "provinsi", "kab_kota", "kecamatan", "kelurahan", "skala",
    "jenis", "bentuk", "kelompok", "jenis_kelamin", "status_nik", "grade",
)  # fmt: skip
#: The key columns of ``tabulasi`` after ``kind``, in order.
TABULASI_KEY: tuple[str, ...] = _V5_KEY
#: Tabulation columns ``tabulasi`` holds (the others are counted from ``records``).
TABULASI_COLUMNS: frozenset[str] = frozenset(_V5_KEY)
_NUL = "char(0)"
_V5 = [
    "CREATE TABLE tabulasi (\n  kind TEXT NOT NULL,\n  "
    + ",\n  ".join(f"{c} TEXT NOT NULL" for c in _V5_KEY)
    + ",\n  n INTEGER NOT NULL)",
    f"CREATE UNIQUE INDEX tabulasi_key ON tabulasi(kind, {', '.join(_V5_KEY)})",
    f"INSERT INTO tabulasi SELECT kind, {', '.join(f'ifnull({c}, {_NUL})' for c in _V5_KEY)}, COUNT(*) "
    f"FROM records WHERE is_current = 1 GROUP BY kind, {', '.join(f'ifnull({c}, {_NUL})' for c in _V5_KEY)}",
    # rows written by SqliteStore.write_batch/write_prepared carry batch_key '' and are counted
    # by the writer, per batch, in the same transaction; every other insert by this trigger
    f"""CREATE TRIGGER records_tabulasi_add AFTER INSERT ON records
WHEN NEW.is_current = 1 AND NEW.batch_key IS NULL
BEGIN
  INSERT INTO tabulasi VALUES (NEW.kind, {", ".join(f"ifnull(NEW.{c}, {_NUL})" for c in _V5_KEY)}, 1)
  ON CONFLICT (kind, {", ".join(_V5_KEY)}) DO UPDATE SET n = n + 1;
END""",
    f"""CREATE TRIGGER records_tabulasi_retire AFTER UPDATE OF is_current ON records
WHEN OLD.is_current = 1 AND NEW.is_current = 0
BEGIN
  UPDATE tabulasi SET n = n - 1 WHERE kind = OLD.kind AND {" AND ".join(f"{c} = ifnull(OLD.{c}, {_NUL})" for c in _V5_KEY)};
END""",
    "DROP INDEX IF EXISTS records_tabulate",
]

#: Every migration, in order. Append new ones; never edit released ones.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records, sequences, documents, audit, batches", _V1),
    Migration(2, "verifications; triggers keeping versions and the audit log unchanged", _V2),
    Migration(3, "indexes for identifier lookups, region scopes and audit time", _V3),
    Migration(4, "covering index for tabulation and region counts (replaces records_wilayah)", _V4),
    Migration(
        5,
        "tabulasi: counts of current versions per dimension combination, kept with every write "
        "(replaces the covering index of version 4, which made every insert several times dearer)",
        _V5,
    ),
)
LATEST_VERSION: int = MIGRATIONS[-1].version


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in ``conn`` (0 for an empty database).

    >>> current_version(sqlite3.connect(":memory:"))
    0
    """
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if row is None:
        return 0
    value = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    return int(value or 0)


def migrate(conn: sqlite3.Connection, *, target: int | None = None) -> int:
    """Bring ``conn`` (autocommit mode) up to ``target`` (default: latest); return the version.

    >>> conn = sqlite3.connect(":memory:", isolation_level=None)
    >>> migrate(conn, target=1), migrate(conn)
    (1, 5)
    """
    goal = LATEST_VERSION if target is None else target
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        have = current_version(conn)
        if have > LATEST_VERSION:
            raise StorageError(
                f"database schema version {have} is newer than this kukm ({LATEST_VERSION})",
                code=STORAGE_SCHEMA_TOO_NEW,
            )
        for migration in MIGRATIONS:
            if have < migration.version <= goal:
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    (migration.version, migration.description, now_utc().isoformat()),
                )
                have = migration.version
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return have


def ensure_indexes(conn: sqlite3.Connection) -> list[str]:
    """Build :data:`VERSION_INDEX` and any :data:`DEFERRABLE_INDEXES` missing (a bulk load that
    did not finish).

    >>> conn = sqlite3.connect(":memory:", isolation_level=None)
    >>> _ = migrate(conn)
    >>> conn.execute("DROP INDEX records_nib").close()
    >>> ensure_indexes(conn), ensure_indexes(conn)
    (['records_nib'], [])
    """
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [(n, s) for n, s in (VERSION_INDEX, *DEFERRABLE_INDEXES.items()) if n not in have]
    if not missing:
        return []
    # the sorter of CREATE INDEX may use helper threads (PRAGMA threads, one per CPU up to four;
    # the connection's own setting comes back after): the end of a 1M-row bulk load, when the
    # reader process has finished, built its four indexes in 3.0-3.1 s with them against
    # 3.6-3.9 s without on the 2-core test machine
    before = int(conn.execute("PRAGMA threads").fetchone()[0])
    cpus = os.cpu_count() or 1
    conn.execute(f"PRAGMA threads = {min(cpus, 4) if cpus > 1 else 0}")
    try:
        for _, statement in missing:
            conn.execute(statement)
    finally:
        conn.execute(f"PRAGMA threads = {before}")
    return [name for name, _ in missing]
