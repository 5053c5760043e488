"""Bulk-write speed of storage adapters: ``write_batch`` vs a raw ``executemany``.

For each backend, the same UMKM rows are loaded twice in the same run:

* **baseline** – the flat CSV-like rows inserted with ``executemany`` into a
  plain table (one column per field), one transaction per batch, same pragmas;
* **csv baseline** – the same rows read back from a CSV file with :mod:`csv`
  and inserted the same way (the "raw csv→SQLite load" the import pipeline
  compares itself with);
* **kukm** – ``WriteOp`` objects through ``Store.write_batch`` (serialise,
  hash, index, history, idempotency check).

Run ``python benchmarks/bench_storage.py [--quick] [--rows N] [--batch N]
[--backends sqlite,...]``. Backends are entries of :data:`BACKENDS`; each
provides ``open_store(workdir)`` and ``raw_load(workdir, rows, batch)``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from kukm.model import Alamat, JenisKelamin, Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, Store, WriteOp

KODE = ("31.71.01.1001", "31.71.02.1003", "31.72.05.1002", "31.73.04.1001", "31.74.07.1005")
FIELDS = (
    "id", "nama_usaha", "nib", "npwp", "pemilik", "nik_penduduk", "jenis_kelamin", "jalan",
    "kode_wilayah", "kbli", "modal_usaha", "omzet_tahunan", "tenaga_kerja", "telepon",
    "tanggal_data",
)


def make_rows(n: int) -> list[tuple[Any, ...]]:
    """Flat rows as a CSV reader would give them."""
    return [
        (
            f"u{i:07d}", f"Usaha Contoh {i}", f"9{i:012d}", f"01{i:013d}", f"Pemilik {i}",
            f"3171{(i % 28) + 1:02d}0101{i % 10000:04d}"[:16].ljust(16, "0"),
            "P" if i % 2 else "L", f"Jl. Contoh No. {i}", KODE[i % len(KODE)],
            ("47111", "56102", "10710")[i % 3], 5_000_000 + i, 120_000_000 + i, 1 + i % 9,
            f"0812{i:08d}", "2024-06-30",
        )
        for i in range(n)
    ]


def make_ops(rows: Sequence[tuple[Any, ...]]) -> list[WriteOp]:
    """The same rows as WriteOps (building entities is the pipeline's cost, not the store's)."""
    prov = Provenance(SumberData.SUDIN, petugas="bench")
    ops = []
    for r in rows:
        record = Umkm(
            nama_usaha=r[1], nib=r[2], npwp=r[3],
            pemilik=Pemilik(nama=r[4], nik_penduduk=r[5], jenis_kelamin=JenisKelamin(r[6])),
            alamat=Alamat(jalan=r[7], kode_wilayah=r[8]), kbli=r[9], modal_usaha=r[10],
            omzet_tahunan=r[11], tenaga_kerja=r[12], telepon=r[13],
            tanggal_data=dt.date.fromisoformat(r[14]),
        )
        ops.append(WriteOp("umkm", r[0], record, prov, atribut={"skala": "mikro"}))
    return ops


def _batches(seq: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)]


# -- backends -------------------------------------------------------------------


def sqlite_open(workdir: Path) -> Store:
    from kukm.adapters.sqlite import SqliteStore

    return SqliteStore(f"sqlite:///{workdir}/kukm.sqlite")


def sqlite_raw(workdir: Path, rows: Sequence[tuple[Any, ...]], batch: int) -> None:
    conn = sqlite3.connect(workdir / "raw.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE umkm ({', '.join(FIELDS)}, PRIMARY KEY (id))")
    sql = f"INSERT INTO umkm VALUES ({', '.join('?' for _ in FIELDS)})"
    for chunk in _batches(rows, batch):
        conn.execute("BEGIN")
        conn.executemany(sql, chunk)
        conn.execute("COMMIT")
    conn.close()


def write_csv(path: Path, rows: Sequence[tuple[Any, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        writer.writerows(rows)


def sqlite_csv(workdir: Path, csv_path: Path, batch: int) -> None:
    conn = sqlite3.connect(workdir / "csv.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE umkm ({', '.join(FIELDS)}, PRIMARY KEY (id))")
    sql = f"INSERT INTO umkm VALUES ({', '.join('?' for _ in FIELDS)})"
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        while True:
            chunk = list(itertools.islice(reader, batch))
            if not chunk:
                break
            conn.execute("BEGIN")
            conn.executemany(sql, chunk)
            conn.execute("COMMIT")
    conn.close()


class Backend(NamedTuple):
    open_store: Callable[[Path], Store]
    raw_load: Callable[[Path, Sequence[tuple[Any, ...]], int], None]
    csv_load: Callable[[Path, Path, int], None] | None = None


#: Backend name → (open a fresh kukm store in a workdir, raw executemany load).
BACKENDS: dict[str, Backend] = {"sqlite": Backend(sqlite_open, sqlite_raw, sqlite_csv)}


def run(name: str, backend: Backend, rows: list[tuple[Any, ...]], batch: int) -> float:
    ops = make_ops(rows)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        backend.raw_load(work, rows, batch)
        raw = time.perf_counter() - t0
        from_csv = None
        if backend.csv_load is not None:
            csv_path = work / "rows.csv"
            write_csv(csv_path, rows)
            t0 = time.perf_counter()
            backend.csv_load(work, csv_path, batch)
            from_csv = time.perf_counter() - t0
        store = backend.open_store(work)
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
    n = len(rows)
    ratio = kukm / raw
    print(f"{name} ({n:,} rows, batches of {batch:,})")
    print(f"  baseline executemany (rows in memory) {n / raw:>10,.0f} rows/s")
    if from_csv is not None:
        print(f"  baseline csv -> executemany           {n / from_csv:>10,.0f} rows/s")
    print(f"  kukm write_batch (new records)        {n / kukm:>10,.0f} rows/s")
    print(f"  kukm write_batch (same rows again)    {n / replay:>10,.0f} rows/s")
    print(f"  ratio write_batch / executemany       {ratio:>10.2f}x")
    if from_csv is not None:
        print(f"  ratio write_batch / csv load          {kukm / from_csv:>10.2f}x")
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows (under 30 s)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args(argv)
    n = args.rows or (20_000 if args.quick else 200_000)
    rows = make_rows(n)
    for name in args.backends.split(","):
        run(name, BACKENDS[name], rows, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
