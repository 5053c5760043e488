"""SQL storage adapter on SQLAlchemy 2 Core: PostgreSQL (psycopg 3) and MariaDB (PyMySQL).

The backend is chosen by the URL:

=====================================  ==========================
URL                                    database / driver
=====================================  ==========================
``postgresql://user@host/db``          PostgreSQL via psycopg 3
``postgresql+psycopg://user@host/db``  PostgreSQL via psycopg 3
``mysql+pymysql://root@host/db``       MariaDB / MySQL via PyMySQL
``mariadb+pymysql://root@host/db``     MariaDB via PyMySQL
=====================================  ==========================

On PostgreSQL an extra URL parameter ``schema=<name>`` keeps kukm's tables in
that schema (it becomes the connection's ``search_path``); the libpq form
``?options=-csearch_path%3D<name>`` works too. The schema is created and
upgraded on open (:func:`kukm.storage.sql_schema.migrate`).

How the :class:`~kukm.storage.base.Store` guarantees are kept:

* **Atomic, idempotent batches.** ``write_batch`` runs in one transaction,
  and batches of one database (PostgreSQL: one schema) are written one at a
  time: each first locks the row of schema version 1 (``SELECT … FOR UPDATE``
  on ``kukm_schema_version``, released by its commit or rollback, also when the
  writing process dies). Without it two imports of overlapping businesses into
  MariaDB locked the same index gaps and deadlocked again on every retry (one
  import of three failed with ``SQL_WRITE_CONFLICT`` in most runs). Then the
  batch key row is inserted (a replay of the same key sees it committed), current versions are read with
  ``SELECT … FOR UPDATE``, new versions are appended with ``executemany``
  (multi-row ``INSERT``), and current rows are replaced. A deadlock or
  unique-key race with another worker rolls the whole batch back and retries
  it (up to 5 times); nothing partial is ever committed.
* **Unique running numbers across processes.** PostgreSQL: ``INSERT … ON
  CONFLICT DO UPDATE SET value = value + 1 RETURNING value``; MariaDB:
  ``INSERT … ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)``.
  Both take a row lock, so concurrent workers serialise on the prefix.
* **Streaming.** ``iter_records`` uses a server-side cursor
  (``stream_results`` + ``yield_per``).
* **Push-down tabulation.** ``tabulate`` and ``count`` are ``GROUP BY`` /
  ``COUNT(*)`` queries on indexed dimension columns.

Records and documents are stored as JSON text written by
:mod:`kukm.storage._codec` (the same bytes and hashes as the SQLite and
memory adapters).

>>> sorted(DRIVERS)
['mariadb', 'mariadb+pymysql', 'mysql', 'mysql+pymysql', 'postgres', 'postgresql', 'postgresql+psycopg']
>>> engine_url("postgresql://u@h/db?schema=kukm")
('postgresql+psycopg://u@h/db', 'kukm')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql

from kukm.adapters.sql_plugin import DRIVERS
from kukm.converters import converter
from kukm.exceptions import (
    ConfigurationError,
    NotFound,
    SequenceExhausted,
    StorageError,
    StoreUnavailable,
    register_code,
)
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
)
from kukm.storage.sql_schema import build_metadata, migrate

__all__ = ["SqlStore", "engine_url", "missing_store", "open_sql_store", "shown_url"]

SQL_CONNECT_FAILED = register_code(
    "SQL_CONNECT_FAILED",
    "Tidak dapat terhubung ke basis data SQL.",
    "Could not connect to the SQL database.",
    module=__name__,
)
SQL_WRITE_CONFLICT = register_code(
    "SQL_WRITE_CONFLICT",
    "Penulisan bentrok dengan proses lain dan gagal setelah beberapa percobaan.",
    "The write kept conflicting with another worker and gave up after retries.",
    module=__name__,
)

SQL_VALUE_UNSTORABLE = register_code(
    "SQL_VALUE_UNSTORABLE",
    "Nilai tidak dapat disimpan di basis data SQL: terlalu panjang untuk kolomnya, atau berisi "
    "karakter NUL.",
    "A value cannot be stored in the SQL database: too long for its column, or holding a NUL "
    "character.",
    module=__name__,
)

T = TypeVar("T")

_DRIVERS = DRIVERS
_CHUNK = 500  # rows per streamed fetch and per IN (...) lookup on MariaDB
_PG_CHUNK = 10_000  # ids per "= ANY(array)" lookup on PostgreSQL
_RETRIES = 5

_MD = build_metadata(2)
_REC = _MD.tables["kukm_records"]
_VER = _MD.tables["kukm_versions"]
_BAT = _MD.tables["kukm_batches"]
_SEQ = _MD.tables["kukm_sequences"]
_DOC = _MD.tables["kukm_documents"]
_AUD = _MD.tables["kukm_audit"]
_SCHEMA = _MD.tables["kukm_schema_version"]
#: Taken first by every batch write: one batch writer at a time per database (module text).
#: Version 1 is the first row every migrated database holds, and no migration changes it.
_WRITE_LOCK = sa.select(_SCHEMA.c.version).where(_SCHEMA.c.version == 1).with_for_update()

_IDENTIFIERS = ("nib", "npwp", "nik_penduduk", "nomor_induk_koperasi", "nomor_badan_hukum")
_DIMS = (
    "provinsi",
    "kab_kota",
    "kecamatan",
    "kelurahan",
    "skala",
    "jenis",
    "bentuk",
    "kelompok",
    "kbli",
    "jenis_kelamin",
    "status_nik",
    "grade",
)
#: (column, most characters) of every length-limited text column a write fills from an op:
#: the record id and the identifier/dimension columns (the rest are fixed-size codes).
_ID_LIMIT: int = _VER.c.id.type.length or 255  # type: ignore[attr-defined]
_DIM_LIMITS: tuple[tuple[str, int], ...] = tuple(
    (c.name, c.type.length)  # type: ignore[attr-defined]
    for c in _REC.columns
    if c.name in (*_IDENTIFIERS, *_DIMS, "kode_wilayah")
)
_PG_TEXT_ARRAY = postgresql.ARRAY(sa.String)
_JOIN = sa.and_(
    _VER.c.kind == _REC.c.kind, _VER.c.id == _REC.c.id, _VER.c.version == _REC.c.version
)


def shown_url(url: str) -> str:
    """``url`` for a message: a password in it is masked (the URL may not even parse).

    >>> shown_url("postgresql+psycopg//kukm:rahasia@db.local/kukm")
    'postgresql+psycopg//kukm:***@db.local/kukm'
    >>> shown_url("mysql+pymysql://root@127.0.0.1/kukm")
    'mysql+pymysql://root@127.0.0.1/kukm'
    """
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    lead, slashes, userinfo = head.rpartition("//")
    user, colon, _ = userinfo.partition(":")
    return f"{lead}{slashes}{user}{':***' if colon else ''}@{tail}"


_ACCEPTED = "postgresql://, postgresql+psycopg://, mysql+pymysql:// or mariadb+pymysql://"


def engine_url(url: str) -> tuple[str, str | None]:
    """(SQLAlchemy URL with an explicit driver, PostgreSQL schema or ``None``).

    Every URL kukm cannot use is a :class:`~kukm.exceptions.ConfigurationError`
    (``SQL_URL_UNSUPPORTED``) that says what is wrong with it: no ``://``, a
    driver kukm does not ship (``psycopg2``, ``mysqldb``: kukm talks to
    PostgreSQL through psycopg 3 and to MariaDB through PyMySQL), a port that
    is not a number, a MariaDB URL without a database.

    >>> engine_url("mariadb+pymysql://root@127.0.0.1/test")
    ('mariadb+pymysql://root@127.0.0.1/test', None)
    >>> engine_url("sqlite:///x")
    Traceback (most recent call last):
    kukm.exceptions.ConfigurationError: [SQL_URL_UNSUPPORTED] ...
    >>> engine_url("postgresql+psycopg2://u@h/db")
    Traceback (most recent call last):
    kukm.exceptions.ConfigurationError: [SQL_URL_UNSUPPORTED] driver 'psycopg2' ... psycopg 3 ...
    """
    scheme, sep, rest = url.partition("://")
    shown = shown_url(url)
    if not sep:
        raise ConfigurationError(
            f"{shown!r} is not a database URL: expected <scheme>://user@host[:port]/database "
            f"(is the ':' or a '/' of '://' missing?); kukm takes {_ACCEPTED}",
            code="SQL_URL_UNSUPPORTED",
        )
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        base, plus, name = scheme.lower().partition("+")
        if plus and base in ("postgresql", "postgres"):
            why = f"driver {name!r} is not supported: kukm uses psycopg 3, write postgresql:// or postgresql+psycopg://"
        elif plus and base in ("mysql", "mariadb"):
            why = f"driver {name!r} is not supported: kukm uses PyMySQL, write {base}+pymysql:// or {base}://"
        else:
            why = f"scheme {scheme!r} is not PostgreSQL or MariaDB; kukm takes {_ACCEPTED}"
        raise ConfigurationError(f"{shown}: {why}", code="SQL_URL_UNSUPPORTED")
    try:
        parsed = sa.make_url(f"{driver}://{rest}")
    except (ValueError, sa_exc.ArgumentError) as exc:
        port = rest.partition("/")[0].rpartition("@")[2].partition(":")[2]
        why = f"port {port!r} is not a number" if port and not port.isdigit() else str(exc)
        raise ConfigurationError(f"{shown}: {why}", code="SQL_URL_UNSUPPORTED") from exc
    if not driver.startswith("postgresql") and not parsed.database:
        raise ConfigurationError(
            f"{shown}: the URL names no database; put it after the host, e.g. "
            f"{scheme}://user@host:3306/kukm",
            code="SQL_URL_UNSUPPORTED",
        )
    schema = parsed.query.get("schema")
    if (
        schema is None
        and "schema=" in rest
        and urllib.parse.parse_qs(rest.partition("?")[2], keep_blank_values=True).get("schema")
    ):
        schema = ""  # schema= with nothing after it (SQLAlchemy drops it: tables in public)
    if schema is not None:
        if isinstance(schema, tuple):
            schema = schema[-1]
        parsed = parsed.difference_update_query(["schema"])
        if not driver.startswith("postgresql"):
            raise ConfigurationError(
                "schema= is for PostgreSQL; on MariaDB put the database in the URL path",
                code="SQL_URL_UNSUPPORTED",
            )
        if not schema:
            raise ConfigurationError(
                f"{shown}: schema= names no schema", code="SQL_URL_UNSUPPORTED"
            )
    return parsed.render_as_string(hide_password=False), schema


register_code(
    "SQL_URL_UNSUPPORTED",
    "URL basis data SQL tidak didukung.",
    "Unsupported SQL database URL.",
    module=__name__,
)


def _is_retryable(exc: sa_exc.DBAPIError) -> bool:
    if isinstance(exc, sa_exc.IntegrityError):
        return True  # unique race with another worker: retry, next time we see its row
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    return bool(args) and args[0] in (1205, 1213)  # MariaDB lock wait timeout, deadlock


#: The SQL mode of kukm's MariaDB sessions, whatever the server's default: strict, so a
#: value that does not fit its column is an error, never silently cut (or a date zeroed).
MARIADB_SQL_MODE = (
    "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)


def _create_engine(
    url: str, *, pool_size: int = 5, pooled: bool = True
) -> tuple[sa.Engine, str | None]:
    """(engine, PostgreSQL schema or ``None``) for a kukm store URL; nothing is connected yet."""
    target, schema = engine_url(url)
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    if target.startswith(("mysql", "mariadb")):
        connect_args["charset"] = "utf8mb4"
        connect_args["init_command"] = f"SET SESSION sql_mode = '{MARIADB_SQL_MODE}'"
    else:
        # No server-side prepared statements: psycopg would prepare a query after
        # 5 runs, and PostgreSQL's generic plan for "id = ANY(array) FOR UPDATE"
        # turns into a sequential scan as the table grows. (Also keeps kukm usable
        # behind PgBouncer in transaction mode.)
        connect_args["prepare_threshold"] = None
    options: dict[str, Any] = (
        {"pool_pre_ping": True, "pool_size": pool_size}
        if pooled
        else {"poolclass": sa.pool.NullPool}
    )
    try:
        engine = sa.create_engine(target, connect_args=connect_args, **options)
    except (ValueError, TypeError, sa_exc.ArgumentError) as exc:
        raise ConfigurationError(f"{shown_url(url)}: {exc}", code="SQL_URL_UNSUPPORTED") from exc
    return engine, schema


def _raise_unavailable(url: str, exc: BaseException) -> None:
    """Re-raise what opening ``url`` failed with as a :class:`StoreUnavailable` that says why
    (server down, wrong password, no such database, no rights on it, a URL parameter the
    driver does not know); kukm's own errors and anything else pass through unchanged."""
    if isinstance(exc, sa_exc.DBAPIError):
        orig = exc.orig
        lines = str(orig).strip().splitlines()
        cut = next((k for k, line in enumerate(lines) if line.startswith("LINE ")), len(lines))
        why = " ".join(line.strip() for line in lines[:cut]) or type(orig).__name__  # not the SQL
        sqlstate = getattr(orig, "sqlstate", None)
        code = getattr(orig, "args", (None,))[0] if getattr(orig, "args", None) else None
        if sqlstate == "42501" or code in (1044, 1045, 1142, 1143):
            why = f"the database user lacks the rights kukm needs (create, read, write its tables): {why}"
        raise StoreUnavailable(
            f"cannot open {shown_url(url)}: {why}", code=SQL_CONNECT_FAILED
        ) from exc
    if isinstance(exc, sa_exc.ArgumentError) or (
        isinstance(exc, TypeError) and "keyword argument" in str(exc)
    ):  # e.g. ?foo=1, a parameter PyMySQL does not take
        raise ConfigurationError(f"{shown_url(url)}: {exc}", code="SQL_URL_UNSUPPORTED") from exc


class SqlStore:
    """A :class:`~kukm.storage.base.Store` in PostgreSQL or MariaDB."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine, schema = _create_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        try:
            if schema:  # schema=… names a schema of its own: create it on first use
                with self.engine.begin() as conn:
                    quoted = self.engine.dialect.identifier_preparer.quote_identifier(schema)
                    conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
            migrate(self.engine)
        except BaseException as exc:
            self.engine.dispose()
            _raise_unavailable(url, exc)
            raise
        self._closed = False
        self._pinned = threading.local()  # .conn: this thread's snapshot connection

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStore({sa.make_url(self.engine.url).render_as_string()!r})"

    def close(self) -> None:
        """Release every pooled connection. Idempotent."""
        if not self._closed:
            self._closed = True
            self.engine.dispose()

    # -- helpers ---------------------------------------------------------------
    def _retry(self, work: Callable[[sa.Connection], T]) -> T:
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except sa_exc.DBAPIError as exc:
                if isinstance(exc, sa_exc.DataError):  # too long, a NUL: checked before, but
                    raise StorageError(  # a value the server still refuses is named here
                        f"a value does not fit the database: {exc.orig}", code=SQL_VALUE_UNSTORABLE
                    ) from exc
                if attempt == _RETRIES - 1 or not _is_retryable(exc):
                    if isinstance(exc, sa_exc.IntegrityError) or _is_retryable(exc):
                        raise StorageError(
                            f"write failed: {exc.orig}", code=SQL_WRITE_CONFLICT
                        ) from exc
                    raise StorageError(f"database error: {exc.orig}") from exc
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _bulk_insert(self, conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert many rows in the current transaction, straight through the driver.

        PostgreSQL: ``COPY … FROM STDIN`` (psycopg); MariaDB: PyMySQL's
        ``executemany``, which sends multi-row ``INSERT``s. Both run on the
        connection of ``conn``, so they are part of its transaction; driver
        errors are wrapped as SQLAlchemy would, so :meth:`_retry` sees them.
        """
        if not rows:
            return
        names = list(rows[0])
        raw: Any = conn.connection.dbapi_connection
        if self.dialect == "postgresql":
            import psycopg

            cols = ", ".join(f'"{n}"' for n in names)
            statement = f"COPY {table.name} ({cols}) FROM STDIN"
            try:
                with raw.cursor() as cur, cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row([row[n] for n in names])
            except psycopg.Error as exc:
                raise sa_exc.DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
            return
        import pymysql

        cols = ", ".join(f"`{n}`" for n in names)
        marks = ", ".join("%s" for _ in names)
        statement = f"INSERT INTO {table.name} ({cols}) VALUES ({marks})"
        try:
            with raw.cursor() as cur:
                cur.executemany(statement, [tuple(row[n] for n in names) for row in rows])
        except pymysql.Error as exc:
            raise sa_exc.DBAPIError.instance(statement, None, exc, pymysql.Error) from exc

    def _chunks(self, ids: Sequence[str]) -> Iterator[Sequence[str]]:
        size = _PG_CHUNK if self.dialect == "postgresql" else _CHUNK
        for start in range(0, len(ids), size):
            yield ids[start : start + size]

    def _id_in(self, ids: Sequence[str]) -> sa.ColumnElement[bool]:
        """``id IN (...)``; on PostgreSQL one array parameter (``= ANY``), planned once."""
        if self.dialect == "postgresql":
            array = sa.bindparam("ids", list(ids), type_=_PG_TEXT_ARRAY)
            return _REC.c.id == sa.func.any(array)
        return _REC.c.id.in_(list(ids))

    def _upsert(self, table: sa.Table, values: Mapping[str, Any], update: Sequence[str]) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            pstmt = pg_insert(table).values(**values)
            return pstmt.on_conflict_do_update(
                index_elements=[c.name for c in table.primary_key.columns],
                set_={c: pstmt.excluded[c] for c in update},
            )
        from sqlalchemy.dialects.mysql import insert as my_insert

        mstmt = my_insert(table).values(**values)
        return mstmt.on_duplicate_key_update({c: mstmt.inserted[c] for c in update})

    # -- writes ----------------------------------------------------------------
    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        """Apply every op in one transaction; idempotent per content and per ``batch_key``."""
        # prepare_ops fails before anything is written
        return self.write_prepared(_codec.prepare_ops(ops), batch_key=batch_key)

    def write_prepared(
        self, preps: Sequence[_codec.PreparedOp], *, batch_key: str | None = None
    ) -> BatchResult:
        """:meth:`write_batch` for ops prepared elsewhere (:func:`kukm.storage._codec.prepare_ops`)."""
        ready = list(preps)
        _check_storable(ready)
        return self._retry(lambda conn: self._write(conn, ready, batch_key))

    def _write(
        self, conn: sa.Connection, preps: list[_codec.PreparedOp], batch_key: str | None
    ) -> BatchResult:
        conn.execute(_WRITE_LOCK)  # one batch writer at a time (module text)
        recorded_at = _codec.now_utc()
        recorded = _codec.encode_datetime(recorded_at)
        if batch_key is not None:
            old = conn.execute(
                sa.select(_BAT.c.inserted, _BAT.c.updated, _BAT.c.unchanged).where(
                    _BAT.c.batch_key == batch_key
                )
            ).first()
            if old is not None:
                return BatchResult(old[0], old[1], old[2], replayed=True)
            # Claim the key now: a concurrent writer of the same key blocks here,
            # then fails on the key and retries into the replay branch above.
            conn.execute(
                _BAT.insert().values(
                    batch_key=batch_key, committed_at=recorded, inserted=0, updated=0, unchanged=0
                )
            )
        current: dict[tuple[str, str], tuple[int, str, str, str]] = {}
        by_kind: dict[str, list[str]] = {}
        for prep in preps:
            by_kind.setdefault(prep.kind, []).append(prep.id)
        for kind, ids in by_kind.items():
            unique = sorted(set(ids))
            for chunk in self._chunks(unique):
                rows = conn.execute(
                    sa.select(
                        _REC.c.id,
                        _REC.c.version,
                        _REC.c.content_hash,
                        _REC.c.status,
                        _REC.c.atribut,
                    )
                    .where(_REC.c.kind == kind, self._id_in(chunk))
                    .with_for_update()
                    .order_by(_REC.c.id)
                )
                for rid, version, chash, status, atribut in rows:
                    current[(kind, rid)] = (version, chash, status, atribut)
        versions: list[dict[str, Any]] = []
        heads: dict[tuple[str, str], dict[str, Any]] = {}
        existed: set[tuple[str, str]] = set()
        inserted = updated = unchanged = 0
        for prep in preps:
            key = (prep.kind, prep.id)
            cur = current.get(key)
            status = _codec.decide(
                prep,
                cur[1] if cur else None,
                cur[2] if cur else None,
                cur[3] if cur else None,
            )
            if status is None:
                unchanged += 1
                continue
            version = cur[0] + 1 if cur else 1
            if cur is None:
                inserted += 1
            else:
                updated += 1
                existed.add(key)
            current[key] = (version, prep.content_hash, status.value, prep.atribut_json)
            versions.append(
                {
                    "kind": prep.kind,
                    "id": prep.id,
                    "version": version,
                    "record": prep.blob,
                    "content_hash": prep.content_hash,
                    "status": status.value,
                    "valid_from": prep.resolved_valid_from(recorded_at).isoformat(),
                    "recorded_at": recorded,
                    "sumber": prep.provenance.sumber.value,
                    "petugas": prep.provenance.petugas,
                    "waktu": _codec.encode_datetime(prep.provenance.waktu),
                    "id_pengiriman": prep.provenance.id_pengiriman,
                    "atribut": prep.atribut_json,
                    "verifikasi": None,
                }
            )
            heads[key] = _head_row(prep, version, status)
        if versions:
            self._bulk_insert(conn, _VER, versions)
            self._replace_heads(conn, heads, existed)
        if batch_key is not None:
            conn.execute(
                _BAT.update()
                .where(_BAT.c.batch_key == batch_key)
                .values(inserted=inserted, updated=updated, unchanged=unchanged)
            )
        return BatchResult(inserted, updated, unchanged)

    def _replace_heads(
        self,
        conn: sa.Connection,
        heads: Mapping[tuple[str, str], dict[str, Any]],
        existed: set[tuple[str, str]],
    ) -> None:
        gone: dict[str, list[str]] = {}
        for kind, rid in existed:
            gone.setdefault(kind, []).append(rid)
        for kind, ids in gone.items():
            for chunk in self._chunks(ids):
                conn.execute(_REC.delete().where(_REC.c.kind == kind, self._id_in(chunk)))
        self._bulk_insert(conn, _REC, list(heads.values()))

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

        def work(conn: sa.Connection) -> StoredRecord:
            locked = conn.execute(
                sa.select(_REC.c.version)
                .where(_REC.c.kind == kind, _REC.c.id == id)
                .with_for_update()
            ).first()
            row = (
                None
                if locked is None
                else conn.execute(
                    _select_current().where(_REC.c.kind == kind, _REC.c.id == id)
                ).first()
            )
            if row is None:
                raise NotFound(f"{kind} {id!r} not found", value=id)
            now = _codec.now_utc()
            verif = Verification(status, petugas, waktu or now, catatan)
            values = dict(row._mapping)
            values.update(
                version=row.version + 1,
                status=status.value,
                recorded_at=_codec.encode_datetime(now),
                verifikasi=_encode_verification(verif),
            )
            conn.execute(_VER.insert().values(**values))
            conn.execute(
                _REC.update()
                .where(_REC.c.kind == kind, _REC.c.id == id)
                .values(version=row.version + 1, status=status.value)
            )
            return _stored(values)

        return self._retry(work)

    # -- reads ------------------------------------------------------------------
    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """Current version, or ``None``."""
        _codec.check_kind(kind)
        with self._reading() as conn:
            row = conn.execute(
                _select_current().where(_REC.c.kind == kind, _REC.c.id == id)
            ).first()
        return None if row is None else _stored(row._mapping)

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version, oldest first."""
        _codec.check_kind(kind)
        with self._reading() as conn:
            rows = conn.execute(
                sa.select(_VER).where(_VER.c.kind == kind, _VER.c.id == id).order_by(_VER.c.version)
            ).all()
        return [_stored(r._mapping) for r in rows]

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions whose identifier ``key`` equals ``value``, ordered by id."""
        _codec.check_kind(kind)
        _codec.check_identifier_key(key)
        with self._reading() as conn:
            rows = conn.execute(
                _select_current()
                .where(_REC.c.kind == kind, _REC.c[key] == value)
                .order_by(_REC.c.id)
            ).all()
        return [_stored(r._mapping) for r in rows]

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Stream current versions ordered by id through a server-side cursor."""
        _codec.check_kind(kind)
        query = _filtered(_select_current(), kind, wilayah, status).order_by(_REC.c.id)
        return self._stream(query)

    def _stream(self, query: sa.Select[Any]) -> Iterator[StoredRecord]:
        pinned: sa.Connection | None = getattr(self._pinned, "conn", None)
        if pinned is not None:  # in a snapshot: pages by id, so other reads can run between
            last: str | None = None
            while True:
                page = query if last is None else query.where(_REC.c.id > last)
                rows = pinned.execute(page.limit(_CHUNK)).all()
                for row in rows:
                    yield _stored(row._mapping)
                if len(rows) < _CHUNK:
                    return
                last = rows[-1]._mapping["id"]
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(query)
            for row in result:
                yield _stored(row._mapping)

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        """Number of current versions, counted by the database."""
        query = _count_query(kind, wilayah, status)
        with self._reading() as conn:
            return int(conn.execute(query).scalar_one())

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts grouped by TABULATION_FIELDS (``GROUP BY`` in SQL), ``None`` groups first."""
        query = _tabulate_query(kind, by, wilayah, status)
        with self._reading() as conn:
            return _groups(conn.execute(query).all())

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[list[tuple[tuple[str | None, ...], int]], int]:
        """:meth:`tabulate` and :meth:`count` in one ``REPEATABLE READ`` transaction.

        Apart, each read sees the data of its own moment, so a batch another
        process committed between them was counted by one and not the other
        (``REKAP_TIDAK_SEIMBANG`` in 62 of 104 rekaps during an import into
        PostgreSQL, 33 of 141 into MariaDB). In one transaction at this level
        both read the snapshot :meth:`snapshot` takes on entry (MariaDB/InnoDB:
        the consistent read view of ``START TRANSACTION WITH CONSISTENT
        SNAPSHOT``); reads take no locks, so writers are not held up.
        """
        with self.snapshot():
            groups = self.tabulate(kind, by, wilayah=wilayah, status=status)
            return groups, self.count(kind, wilayah=wilayah, status=status)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Record reads of this thread inside (get, history, find, iter_records, count,
        tabulate) share one ``REPEATABLE READ`` transaction, whose snapshot is taken on
        entry (see :meth:`tabulate_total`); ``iter_records`` pages by id there instead of
        streaming, so other reads can run between its rows. Documents and the audit log
        are read apart. Writes go through other connections, as ever."""
        if getattr(self._pinned, "conn", None) is not None:  # an enclosing snapshot
            yield
            return
        with self.engine.connect() as base:
            conn = base.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT 1"))  # the snapshot: taken by a first query
                else:
                    conn.execute(sa.text("START TRANSACTION WITH CONSISTENT SNAPSHOT"))
                self._pinned.conn = conn
                try:
                    yield
                finally:
                    self._pinned.conn = None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """This thread's snapshot connection (:meth:`snapshot`), or a connection of its own."""
        pinned: sa.Connection | None = getattr(self._pinned, "conn", None)
        if pinned is not None:
            yield pinned
            return
        with self.engine.connect() as conn:
            yield conn

    # -- sequences ----------------------------------------------------------------
    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        """Next running number for ``prefix``, unique across processes (row lock + upsert)."""
        problem = _unstorable("prefix", prefix, _SEQ.c.prefix.type.length)  # type: ignore[attr-defined]
        if problem is not None:
            raise _refuse("sequence", problem, column="prefix", value=prefix)

        def work(conn: sa.Connection) -> int:
            if self.dialect == "postgresql":
                value = conn.execute(
                    sa.text(
                        "INSERT INTO kukm_sequences (prefix, value) VALUES (:p, 1) "
                        "ON CONFLICT (prefix) DO UPDATE SET value = kukm_sequences.value + 1 "
                        "RETURNING value"
                    ),
                    {"p": prefix},
                ).scalar_one()
            else:
                conn.execute(
                    sa.text(
                        "INSERT INTO kukm_sequences (prefix, value) VALUES (:p, LAST_INSERT_ID(1)) "
                        "ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)"
                    ),
                    {"p": prefix},
                )
                value = conn.execute(sa.text("SELECT LAST_INSERT_ID()")).scalar_one()
            if int(value) > maximum:
                raise SequenceExhausted(value=prefix)  # rolls the increment back
            return int(value)

        return self._retry(work)

    # -- documents -------------------------------------------------------------------
    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace a JSON document."""
        blob = _codec.dump_document(doc)
        for column, value in (("collection", collection), ("key", key)):
            problem = _unstorable(column, value, _DOC.c[column].type.length)  # type: ignore[attr-defined]
            if problem is not None:
                raise _refuse(f"document {collection!r}", problem, column=column, value=value)
        stmt = self._upsert(_DOC, {"collection": collection, "key": key, "doc": blob}, ["doc"])
        self._retry(lambda conn: conn.execute(stmt))

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
        """A document, or ``None``."""
        with self.engine.connect() as conn:
            blob = conn.execute(
                sa.select(_DOC.c.doc).where(_DOC.c.collection == collection, _DOC.c.key == key)
            ).scalar()
        return None if blob is None else _load(blob)

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, doc) of a collection, ordered by key (streamed)."""
        query = (
            sa.select(_DOC.c.key, _DOC.c.doc)
            .where(_DOC.c.collection == collection)
            .order_by(_DOC.c.key)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(query)
            for key, blob in result:
                yield key, _load(blob)

    # -- audit -------------------------------------------------------------------------
    def audit(self, event: AuditEvent) -> None:
        """Append an event (rows are only ever inserted)."""
        values = {"waktu_key": _codec.utc_key(event.waktu), "event": _encode_event(event)}
        self._retry(lambda conn: conn.execute(_AUD.insert().values(**values)))

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """Events in the order they were appended, optionally from ``since`` on."""
        query = sa.select(_AUD.c.event).order_by(_AUD.c.seq)
        if since is not None:
            query = query.where(_AUD.c.waktu_key >= _codec.utc_key(since))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(query)
            for (blob,) in result:
                yield _decode_event(blob)


# -- row <-> value helpers ------------------------------------------------------------


def _unstorable(column: str, value: str | None, limit: int | None) -> str | None:
    """Why ``value`` cannot go into ``column`` (``None``: it can)."""
    if value is None:
        return None
    if limit is not None and len(value) > limit:
        return f"column {column} holds at most {limit} characters, the value has {len(value)}"
    if "\x00" in value:
        return f"column {column} cannot hold a NUL character (\\x00)"
    return None


def _refuse(what: str, problem: str, *, column: str, value: str) -> StorageError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return StorageError(
        f"{what} {shown!r}: {problem}; nothing of this batch was stored",
        code=SQL_VALUE_UNSTORABLE,
        field=column,
        value=value,
    )


def _check_storable(preps: Sequence[_codec.PreparedOp]) -> None:
    """Refuse (``SQL_VALUE_UNSTORABLE``, before anything is written) an op with a value a
    length-limited column cannot hold or a NUL character: PostgreSQL cannot store one in text,
    and the same op must not be kept by MariaDB and refused by PostgreSQL. The error names the
    record and the column (the database's own message names neither reliably). The import
    checks reject such rows one by one first (``TEXT_TOO_LONG``); this is the safety net."""
    id_limit, dim_limits = _ID_LIMIT, _DIM_LIMITS
    for prep in preps:
        rid = prep.id
        problem = _unstorable("id", rid, id_limit)
        if problem is not None:
            raise _refuse(f"{prep.kind} record", problem, column="id", value=rid)
        dims = prep.dims
        for column, limit in dim_limits:
            value = dims.get(column)
            if value and (len(value) > limit or "\x00" in value):
                raise _refuse(
                    f"{prep.kind} {rid!r}",
                    _unstorable(column, value, limit) or "",
                    column=column,
                    value=value,
                )
        prov = prep.provenance
        for column, value in (("petugas", prov.petugas), ("id_pengiriman", prov.id_pengiriman)):
            problem = _unstorable(column, value, None)
            if problem is not None and value is not None:
                raise _refuse(f"{prep.kind} {rid!r}", problem, column=column, value=value)


def _select_current() -> sa.Select[Any]:
    return sa.select(_VER).select_from(_REC).join(_VER, _JOIN)


def _filtered(
    query: sa.Select[Any],
    kind: str,
    wilayah: str | None,
    status: Collection[VerificationStatus] | None,
) -> sa.Select[Any]:
    query = query.where(_REC.c.kind == kind)
    if wilayah is not None:
        equal, low, high = _codec.wilayah_range(wilayah)
        query = query.where(
            sa.or_(
                _REC.c.kode_wilayah == equal,
                sa.and_(_REC.c.kode_wilayah >= low, _REC.c.kode_wilayah < high),
            )
        )
    if status is not None:
        wanted = sorted({VerificationStatus(s).value for s in status})
        query = query.where(_REC.c.status.in_(wanted)) if wanted else query.where(sa.false())
    return query


def _count_query(
    kind: str, wilayah: str | None, status: Collection[VerificationStatus] | None
) -> sa.Select[Any]:
    _codec.check_kind(kind)
    return _filtered(sa.select(sa.func.count()).select_from(_REC), kind, wilayah, status)


def _tabulate_query(
    kind: str,
    by: Sequence[str],
    wilayah: str | None,
    status: Collection[VerificationStatus] | None,
) -> sa.Select[Any]:
    _codec.check_kind(kind)
    columns = [_REC.c[c] for c in _codec.check_tabulation_fields(by)]
    return _filtered(
        sa.select(*columns, sa.func.count()).select_from(_REC), kind, wilayah, status
    ).group_by(*columns)


def _groups(rows: Sequence[Any]) -> list[tuple[tuple[str | None, ...], int]]:
    """Rows of :func:`_tabulate_query` as ``tabulate`` returns them, ``None`` groups first."""
    out = [(tuple(r[:-1]), int(r[-1])) for r in rows if r[-1]]  # no GROUP BY: one row
    out.sort(key=lambda kv: tuple((g is not None, g or "") for g in kv[0]))
    return out


def _head_row(prep: _codec.PreparedOp, version: int, status: VerificationStatus) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": prep.kind,
        "id": prep.id,
        "version": version,
        "content_hash": prep.content_hash,
        "atribut": prep.atribut_json,
        "kode_wilayah": prep.dims.get("kode_wilayah"),
        "status": status.value,
        "sumber": prep.provenance.sumber.value,
    }
    for name in _IDENTIFIERS + _DIMS:
        row[name] = prep.dims.get(name)
    return row


def _encode_verification(v: Verification) -> str:
    return json.dumps(
        {
            "status": v.status.value,
            "petugas": v.petugas,
            "waktu": _codec.encode_datetime(v.waktu),
            "catatan": v.catatan,
        },
        sort_keys=True,
    )


def _decode_verification(blob: str | None) -> Verification | None:
    if not blob:
        return None
    d = json.loads(blob)
    waktu = _codec.decode_datetime(d["waktu"])
    assert waktu is not None
    return Verification(VerificationStatus(d["status"]), d["petugas"], waktu, d.get("catatan"))


def _stored(row: Mapping[Any, Any]) -> StoredRecord:
    kind = _codec.check_kind(row["kind"])
    recorded_at = _codec.decode_datetime(row["recorded_at"])
    assert recorded_at is not None
    return StoredRecord(
        kind=kind,
        id=row["id"],
        version=int(row["version"]),
        record=converter.structure(json.loads(row["record"]), _codec.RECORD_TYPES[kind]),
        provenance=_codec.provenance_from_columns(
            row["sumber"], row["petugas"], row["waktu"], row["id_pengiriman"]
        ),
        status=VerificationStatus(row["status"]),
        valid_from=dt.date.fromisoformat(row["valid_from"]),
        recorded_at=recorded_at,
        content_hash=row["content_hash"],
        atribut=_codec.decode_atribut(row["atribut"]),
        verifikasi=_decode_verification(row["verifikasi"]),
    )


def _encode_event(e: AuditEvent) -> str:
    return json.dumps(
        {
            "waktu": _codec.encode_datetime(e.waktu),
            "aktor": e.aktor,
            "aksi": e.aksi,
            "kind": e.kind,
            "record_id": e.record_id,
            "diizinkan": e.diizinkan,
            "detail": e.detail,
        },
        sort_keys=True,
    )


def _decode_event(blob: str) -> AuditEvent:
    d = json.loads(blob)
    waktu = _codec.decode_datetime(d["waktu"])
    assert waktu is not None
    return AuditEvent(
        waktu=waktu,
        aktor=d["aktor"],
        aksi=d["aksi"],
        kind=d["kind"],
        record_id=d["record_id"],
        diizinkan=d["diizinkan"],
        detail=d["detail"],
    )


def _load(blob: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(blob)
    return value


def missing_store(url: str) -> str | None:
    """Why ``url`` holds no kukm store (``None``: it does), found without creating anything.

    One short connection (no pool) looks for kukm's schema-version table, in the
    ``schema=`` schema on PostgreSQL; opening a :class:`SqlStore` would instead
    create the schema and the tables, which a command that only reads must not do
    (:func:`kukm.cli._common.existing_db`). A server that cannot be reached, a
    database that is not there or a user without rights is a
    :class:`~kukm.exceptions.StoreUnavailable`, as on opening.
    """
    engine, schema = _create_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            if schema and not insp.has_schema(schema):
                return f"schema {schema!r} does not exist in that database"
            if not insp.has_table("kukm_schema_version", schema=schema):
                where = f"schema {schema!r}" if schema else "that database"
                return f"{where} holds no kukm tables (nothing was imported there)"
            return None
    except BaseException as exc:
        _raise_unavailable(url, exc)
        raise
    finally:
        engine.dispose()


def open_sql_store(url: str) -> SqlStore:
    """Open (creating or upgrading the schema) a PostgreSQL or MariaDB store by URL."""
    return SqlStore(url)


def _check_protocol(store: SqlStore) -> Store:
    return store  # mypy checks SqlStore satisfies the Store protocol


def _check_snapshot(store: SqlStore) -> SnapshotTabulation:
    return store  # and the optional one-snapshot tabulation


def _check_snapshot_reads(store: SqlStore) -> SnapshotReads:
    return store  # and the optional snapshot of several reads
