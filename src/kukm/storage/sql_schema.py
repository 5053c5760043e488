"""Tables of the SQL storage adapter and their versioned migrations.

The adapter (:mod:`kukm.adapters.sql`) keeps its schema version in the table
``kukm_schema_version`` (one row per applied migration). Opening a store runs
:func:`migrate`, which applies every migration newer than the database under a
server-wide lock (PostgreSQL ``pg_advisory_xact_lock``, MariaDB ``GET_LOCK``),
so several workers starting at once upgrade a database exactly once. A
database written by a *newer* kukm is refused (:class:`~kukm.exceptions.StorageError`
code ``SQL_SCHEMA_TOO_NEW``) rather than damaged.

Versions:

1. ``kukm_records`` (current version of each record + indexed identifier and
   dimension columns), ``kukm_versions`` (every version, append-only, JSON
   payload as TEXT), ``kukm_batches`` (committed batch keys),
   ``kukm_sequences`` (NIK running numbers), ``kukm_documents`` and
   ``kukm_audit``.
2. Adds the Koperasi dimensions ``status_nik`` and ``grade`` to
   ``kukm_records`` (for tabulation by NIK status and rating grade) and fills
   them from the stored payloads, plus an index on ``kukm_audit.waktu``.

Identifier columns compare and sort by code point, as Python does: collation
``"C"`` on PostgreSQL, ``utf8mb4_nopad_bin`` on MariaDB (no case folding, no
trailing-space padding).

>>> [m.version for m in MIGRATIONS] == list(range(1, CURRENT_VERSION + 1))
True
>>> sorted(build_metadata(CURRENT_VERSION).tables)[:3]
['kukm_audit', 'kukm_batches', 'kukm_documents']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.dialects import mysql

from kukm.exceptions import StorageError, register_code

__all__ = [
    "CURRENT_VERSION",
    "DIMENSION_COLUMNS",
    "MIGRATIONS",
    "Migration",
    "build_metadata",
    "current_version",
    "migrate",
]

SCHEMA_TOO_NEW = register_code(
    "SQL_SCHEMA_TOO_NEW",
    "Skema basis data dibuat oleh versi kukm yang lebih baru.",
    "The database schema was written by a newer kukm version.",
    module=__name__,
)

#: Dimension columns of ``kukm_records`` at the current version, in the order of
#: :data:`kukm.storage.base.TABULATION_FIELDS` (``sumber_data`` is column ``sumber``).
DIMENSION_COLUMNS: tuple[str, ...] = (
    "provinsi",
    "kab_kota",
    "kecamatan",
    "kelurahan",
    "skala",
    "sumber",
    "status",
    "jenis",
    "bentuk",
    "kelompok",
    "kbli",
    "jenis_kelamin",
    "status_nik",
    "grade",
)
_V2_DIMENSIONS = ("status_nik", "grade")

_MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}


def _key(length: int = 255) -> sa.types.TypeEngine[str]:
    """A string that sorts and compares by code point on every backend."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def build_metadata(version: int) -> sa.MetaData:
    """The tables as they stand at schema ``version`` (1 … CURRENT_VERSION)."""
    md = sa.MetaData()
    sa.Table(
        "kukm_schema_version",
        md,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.String(40), nullable=False),
        **_MYSQL,
    )
    dims = [d for d in DIMENSION_COLUMNS if version >= 2 or d not in _V2_DIMENSIONS]
    sa.Table(
        "kukm_records",
        md,
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", _key(), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("atribut", _text(), nullable=False),
        sa.Column("kode_wilayah", _key(64)),
        sa.Column("nib", _key()),
        sa.Column("npwp", _key()),
        sa.Column("nik_penduduk", _key()),
        sa.Column("nomor_induk_koperasi", _key()),
        sa.Column("nomor_badan_hukum", _key()),
        *(sa.Column(d, _key()) for d in dims),
        sa.Index("ix_kukm_records_wilayah", "kind", "kode_wilayah"),
        sa.Index("ix_kukm_records_nib", "nib"),
        sa.Index("ix_kukm_records_npwp", "npwp"),
        sa.Index("ix_kukm_records_nik_penduduk", "nik_penduduk"),
        sa.Index("ix_kukm_records_nomor_induk_koperasi", "nomor_induk_koperasi"),
        sa.Index("ix_kukm_records_nomor_badan_hukum", "nomor_badan_hukum"),
        **_MYSQL,
    )
    sa.Table(
        "kukm_versions",
        md,
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", _key(), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("record", _text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("sumber", sa.String(32), nullable=False),
        sa.Column("petugas", sa.Text),
        sa.Column("waktu", sa.String(40)),
        sa.Column("id_pengiriman", sa.Text),
        sa.Column("atribut", _text(), nullable=False),
        sa.Column("verifikasi", sa.Text),
        **_MYSQL,
    )
    sa.Table(
        "kukm_batches",
        md,
        sa.Column("batch_key", _key(), primary_key=True),
        sa.Column("committed_at", sa.String(40), nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        **_MYSQL,
    )
    sa.Table(
        "kukm_sequences",
        md,
        sa.Column("prefix", _key(64), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
        **_MYSQL,
    )
    sa.Table(
        "kukm_documents",
        md,
        sa.Column("collection", _key(100), primary_key=True),
        sa.Column("key", _key(), primary_key=True),
        sa.Column("doc", _text(), nullable=False),
        **_MYSQL,
    )
    audit = sa.Table(
        "kukm_audit",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("waktu_key", sa.String(26), nullable=False),
        sa.Column("event", _text(), nullable=False),
        **_MYSQL,
    )
    if version >= 2:
        sa.Index("ix_kukm_audit_waktu", audit.c.waktu_key)
    return md


@frozen
class Migration:
    """One schema step: ``upgrade(connection)`` moves version-1 → version."""

    version: int
    description: str
    upgrade: Callable[[sa.Connection], None]


def _v1(conn: sa.Connection) -> None:
    build_metadata(1).create_all(conn)


def _v2(conn: sa.Connection) -> None:
    string = sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql")
    ddl_type = string.compile(dialect=conn.dialect)
    # Idempotent: on MariaDB DDL commits at once, so a step cut short by a crash
    # may have run partly before its version row was written.
    insp = sa.inspect(conn)
    have_columns = {c["name"] for c in insp.get_columns("kukm_records")}
    for column in _V2_DIMENSIONS:
        if column not in have_columns:
            conn.execute(sa.text(f"ALTER TABLE kukm_records ADD COLUMN {column} {ddl_type}"))
    if "ix_kukm_audit_waktu" not in {i["name"] for i in insp.get_indexes("kukm_audit")}:
        conn.execute(sa.text("CREATE INDEX ix_kukm_audit_waktu ON kukm_audit (waktu_key)"))
    # Backfill from the stored payload of each Koperasi's current version.
    md = build_metadata(2)
    rec, ver = md.tables["kukm_records"], md.tables["kukm_versions"]
    rows = conn.execute(
        sa.select(rec.c.id, ver.c.record, ver.c.atribut)
        .join(
            ver,
            sa.and_(ver.c.kind == rec.c.kind, ver.c.id == rec.c.id, ver.c.version == rec.c.version),
        )
        .where(rec.c.kind == "koperasi")
    ).all()
    updates: list[dict[str, Any]] = []
    for rid, record_json, atribut_json in rows:
        record = json.loads(record_json)
        atribut = json.loads(atribut_json or "{}")
        updates.append(
            {
                "b_id": rid,
                "status_nik": atribut.get("status_nik", record.get("status_nik")),
                "grade": atribut.get("grade", record.get("grade")),
            }
        )
    if updates:
        conn.execute(
            rec.update()
            .where(rec.c.kind == "koperasi", rec.c.id == sa.bindparam("b_id"))
            .values(status_nik=sa.bindparam("status_nik"), grade=sa.bindparam("grade")),
            updates,
        )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables", _v1),
    Migration(2, "koperasi dimensions status_nik and grade; audit time index", _v2),
)
CURRENT_VERSION = MIGRATIONS[-1].version


def current_version(conn: sa.Connection) -> int:
    """The schema version of the database (0 when kukm never ran there)."""
    if not sa.inspect(conn).has_table("kukm_schema_version"):
        return 0
    value = conn.execute(sa.text("SELECT MAX(version) FROM kukm_schema_version")).scalar()
    return int(value or 0)


def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7260518)"))
    elif conn.dialect.name in ("mysql", "mariadb"):
        got = conn.execute(sa.text("SELECT GET_LOCK('kukm_migrate', 120)")).scalar()
        if got != 1:  # pragma: no cover - another worker held the lock for 2 minutes
            raise StorageError("could not take the schema migration lock", code="STORAGE")


def _unlock(conn: sa.Connection) -> None:
    if conn.dialect.name in ("mysql", "mariadb"):
        conn.execute(sa.text("SELECT RELEASE_LOCK('kukm_migrate')"))


def migrate(engine: sa.Engine, *, target: int | None = None) -> int:
    """Bring the database to ``target`` (default: current) and return its version.

    Safe to call from many processes at once (a server-wide lock). All steps
    run in one transaction; on PostgreSQL DDL is transactional, so a failed
    upgrade leaves the previous version intact. An empty database gets the
    current tables directly (the same tables the steps would build; the test
    suite checks both paths give the same schema).
    """
    goal = CURRENT_VERSION if target is None else target
    with engine.connect() as conn:
        try:
            with conn.begin():
                _lock(conn)
                have = current_version(conn)
                if have > CURRENT_VERSION:
                    raise StorageError(
                        f"database schema version {have} is newer than this kukm "
                        f"({CURRENT_VERSION}); upgrade kukm",
                        code=SCHEMA_TOO_NEW,
                    )
                fresh = have == 0 and goal == CURRENT_VERSION
                if fresh:  # an empty database gets the current tables in one go
                    build_metadata(CURRENT_VERSION).create_all(conn)
                for step in MIGRATIONS:
                    if have < step.version <= goal:
                        if not fresh:
                            step.upgrade(conn)
                        conn.execute(
                            sa.text(
                                "INSERT INTO kukm_schema_version (version, description, applied_at)"
                                " VALUES (:v, :d, :t)"
                            ),
                            {
                                "v": step.version,
                                "d": step.description,
                                "t": dt.datetime.now(dt.UTC).isoformat(),
                            },
                        )
                        have = step.version
        finally:
            _unlock(conn)
            if conn.in_transaction():
                conn.commit()
    return have
