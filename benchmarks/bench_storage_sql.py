"""Bulk-write speed of the SQL adapter (PostgreSQL, MariaDB): ``write_batch`` vs raw ``executemany``.

The same UMKM rows as ``bench_storage.py`` (SQLite) are loaded twice in the
same run, each into its own fresh schema (PostgreSQL) or database (MariaDB):

* **baseline**: the flat rows inserted with the driver's own ``executemany``
  (psycopg 3 / PyMySQL) into a plain table with one column per field and a
  primary key, one transaction per batch;
* **kukm**: ``WriteOp`` objects through ``SqlStore.write_batch`` (serialise,
  hash, index columns, full history table, idempotency check under row locks),
  one transaction per batch.

Run ``python benchmarks/bench_storage_sql.py [--quick] [--rows N] [--batch N]
[--backends postgresql,mariadb]``. Server URLs come from
``KUKM_TEST_POSTGRES_URL`` / ``KUKM_TEST_MARIADB_URL`` (defaults as in the
test suite); a backend whose server is unreachable is reported and skipped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_storage import FIELDS, make_ops, make_rows

from kukm.adapters.sql import SqlStore

PG_URL = (
    os.environ.get("KUKM_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MY_URL = os.environ.get("KUKM_TEST_MARIADB_URL") or "mysql+pymysql://root@127.0.0.1:3306/test"


def _batches(seq: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _libpq(url: str) -> str:
    _scheme, rest = url.split("://", 1)
    return "postgresql://" + rest


@contextmanager
def postgres_schema() -> Iterator[tuple[str, Callable[[Sequence[tuple[Any, ...]], int], None]]]:
    """(kukm URL of a fresh schema, raw loader into another fresh schema); both dropped after."""
    import psycopg

    kukm_schema, raw_schema = (f"kukm_bench_{secrets.token_hex(4)}" for _ in range(2))
    admin = psycopg.connect(_libpq(PG_URL), autocommit=True)
    for s in (kukm_schema, raw_schema):
        admin.execute(f'CREATE SCHEMA "{s}"')

    def raw_load(rows: Sequence[tuple[Any, ...]], batch: int) -> None:
        with psycopg.connect(_libpq(PG_URL), options=f"-csearch_path={raw_schema}") as conn:
            cols = ", ".join(
                f"{f} {'bigint' if f in ('modal_usaha', 'omzet_tahunan', 'tenaga_kerja') else 'text'}"
                for f in FIELDS
            )
            conn.execute(f"CREATE TABLE umkm ({cols}, PRIMARY KEY (id))")
            conn.commit()
            sql = f"INSERT INTO umkm VALUES ({', '.join('%s' for _ in FIELDS)})"
            for chunk in _batches(rows, batch):
                with conn.cursor() as cur:
                    cur.executemany(sql, chunk)
                conn.commit()

    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}schema={kukm_schema}", raw_load
    finally:
        for s in (kukm_schema, raw_schema):
            admin.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')
        admin.close()


@contextmanager
def mariadb_database() -> Iterator[tuple[str, Callable[[Sequence[tuple[Any, ...]], int], None]]]:
    """(kukm URL of a fresh database, raw loader into another fresh database)."""
    import pymysql
    from sqlalchemy import make_url

    u = make_url(MY_URL)
    args: dict[str, Any] = {
        "host": u.host,
        "port": u.port or 3306,
        "user": u.username,
        "password": u.password or "",
    }
    kukm_db, raw_db = (f"kukm_bench_{secrets.token_hex(4)}" for _ in range(2))
    admin = pymysql.connect(autocommit=True, **args)
    with admin.cursor() as cur:
        for d in (kukm_db, raw_db):
            cur.execute(f"CREATE DATABASE `{d}` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")

    def raw_load(rows: Sequence[tuple[Any, ...]], batch: int) -> None:
        conn = pymysql.connect(database=raw_db, charset="utf8mb4", **args)
        try:
            with conn.cursor() as cur:
                cols = ", ".join(
                    f"{f} {'BIGINT' if f in ('modal_usaha', 'omzet_tahunan', 'tenaga_kerja') else 'VARCHAR(255)'}"
                    for f in FIELDS
                )
                cur.execute(f"CREATE TABLE umkm ({cols}, PRIMARY KEY (id))")
                sql = f"INSERT INTO umkm VALUES ({', '.join('%s' for _ in FIELDS)})"
                for chunk in _batches(rows, batch):
                    cur.executemany(sql, chunk)
                    conn.commit()
        finally:
            conn.close()

    try:
        yield u.set(database=kukm_db).render_as_string(hide_password=False), raw_load
    finally:
        with admin.cursor() as cur:
            for d in (kukm_db, raw_db):
                cur.execute(f"DROP DATABASE IF EXISTS `{d}`")
        admin.close()


BACKENDS = {"postgresql": postgres_schema, "mariadb": mariadb_database}


def run(name: str, rows: list[tuple[Any, ...]], batch: int) -> float | None:
    ops = make_ops(rows)
    try:
        ctx = BACKENDS[name]()
        url, raw_load = ctx.__enter__()
    except Exception as exc:  # server not reachable: report, do not fail the other backends
        print(f"{name:<10} skipped: {type(exc).__name__}: {exc}")
        return None
    try:
        t0 = time.perf_counter()
        raw_load(rows, batch)
        raw = time.perf_counter() - t0
        store = SqlStore(url)
        try:
            t0 = time.perf_counter()
            for chunk in _batches(ops, batch):
                store.write_batch(chunk)
            kukm = time.perf_counter() - t0
            t0 = time.perf_counter()
            for chunk in _batches(ops, batch):
                store.write_batch(chunk)
            replay = time.perf_counter() - t0
            assert store.count("umkm") == len(rows)
        finally:
            store.close()
    finally:
        ctx.__exit__(None, None, None)
    n = len(rows)
    ratio = kukm / raw
    print(
        f"{name:<10} rows={n:>8}  raw executemany {n / raw:>9,.0f} rows/s   "
        f"kukm write_batch {n / kukm:>9,.0f} rows/s   ratio {ratio:.2f}x   "
        f"(unchanged re-write {n / replay:,.0f} rows/s)"
    )
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows (under 30 s)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--backends", default="postgresql,mariadb")
    args = parser.parse_args(argv)
    n = args.rows or (10_000 if args.quick else 100_000)
    rows = make_rows(n)
    for name in args.backends.split(","):
        run(name, rows, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
