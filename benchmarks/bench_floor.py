"""Where the import's time goes, and the least time each of issue 7's targets allows.

    python benchmarks/bench_floor.py            # 1,000,000 rows (5% faulty), the bench's file
    python benchmarks/bench_floor.py --rows 200000
    python benchmarks/bench_floor.py --quick    # 50,000 rows (nox -s bench -- --quick)

:mod:`bench_import` times whole contenders; this script splits them, on the same file and in
one run, each part in its own child process:

* **raw** (the baseline) and its two halves: **csv-parse** (``csv.reader`` over the file,
  nothing stored) and **raw-store** (only the ``executemany`` + ``commit`` calls of the raw
  load, timed around those calls while the rows are read untimed): the least any importer
  that keeps the rows in SQLite can take;
* **kukm-split**: ``kukm import`` in-process (``workers=0``) with the store's write calls
  (``write_columns``, ``write_prepared``, ``write_batch``, and the index build that ends
  ``bulk_load``) timed apart: **writer** is what one process spends storing kukm's rows,
  **reader** the rest (reading, every check, classification, the records' JSON and hashes).
  With two cores, reader and writer in two processes can at best overlap perfectly, so
  ``max(reader, writer)`` is the least kukm's default (one reader process) can take;
* **kukm-validate**: every check, nothing stored;
* **frictionless** and **pydantic**, as in :mod:`bench_import` (frictionless on the whole
  file). ``--skip pydantic`` leaves the slowest one out.

It then prints each target as a time budget beside the floors: the raw store alone against
"10x faster than frictionless", ``max(reader, writer)`` against "<= 2x raw" and "5x faster
than pydantic". A budget below a floor cannot be met by tuning this design: only by doing
less work per row (another storage layout) or doing it outside CPython (native code).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_import as bi  # noqa: E402


def phase_csv_parse(path: Path, work: Path) -> dict[str, Any]:
    t = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    return {"rows": n, "seconds": time.perf_counter() - t}


def phase_raw_store(path: Path, work: Path) -> dict[str, Any]:
    """The raw load with only its SQLite calls timed (same table, batches and commits)."""
    db = sqlite3.connect(work / "raw-store.sqlite")
    spent = 0.0
    n = 0
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        db.execute(f"CREATE TABLE umkm ({', '.join(f'{chr(34)}{c}{chr(34)} TEXT' for c in header)})")
        sql = f"INSERT INTO umkm VALUES ({', '.join('?' for _ in header)})"
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 5000:
                t = time.perf_counter()
                db.executemany(sql, batch)
                db.commit()
                spent += time.perf_counter() - t
                n += len(batch)
                batch = []
        t = time.perf_counter()
        db.executemany(sql, batch)
        db.commit()
        spent += time.perf_counter() - t
        n += len(batch)
    db.close()
    return {"rows": n, "seconds": spent}


def _timed(fn: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - t

    return wrapper


def phase_kukm_split(path: Path, work: Path) -> dict[str, Any]:
    """``kukm import`` in one process, the store's write calls timed apart."""
    from kukm.adapters.sqlite import SqliteStore
    from kukm.pipeline import run_file
    from kukm.plugins import open_store

    spent = [0.0]
    for name in ("write_columns", "write_prepared", "write_batch"):
        setattr(SqliteStore, name, _timed(getattr(SqliteStore, name), spent))
    bulk = SqliteStore.bulk_load

    @contextlib.contextmanager
    def timed_bulk(self: SqliteStore, *args: Any, **kw: Any) -> Iterator[bool]:
        with contextlib.ExitStack() as stack:
            t = time.perf_counter()
            deferred = stack.enter_context(bulk(self, *args, **kw))
            spent[0] += time.perf_counter() - t
            yield deferred
            t = time.perf_counter()  # the index build at the end is the writer's work
        spent[0] += time.perf_counter() - t

    SqliteStore.bulk_load = timed_bulk  # type: ignore[assignment,method-assign]
    store = open_store(f"sqlite:///{work / 'kukm-split.sqlite'}")
    t = time.perf_counter()
    s = run_file(path, kind="umkm", store=store, errors_path=work / "errors.csv", workers=0)
    total = time.perf_counter() - t
    store.close()
    return {
        "rows": s.input,
        "accepted": s.accepted,
        "seconds": total,
        "writer_seconds": spent[0],
        "reader_seconds": total - spent[0],
    }


PHASES: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "csv-parse": phase_csv_parse,
    "raw-store": phase_raw_store,
    "kukm-split": phase_kukm_split,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="50,000 rows instead of 1,000,000")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip (e.g. pydantic)")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](Path(args.file), Path(args.work))))
        return

    rows = args.rows or (50_000 if args.quick else 1_000_000)
    path = bi.data_file(rows)
    skip = set(filter(None, args.skip.split(",")))
    print(f"bench_floor: {rows:,} UMKM rows, 5% faulty ({path.name})")
    res: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label in (
            "raw", "csv-parse", "raw-store", "kukm-split", "kukm-validate", "frictionless",
            "pydantic",
        ):  # fmt: skip
            if label in skip:
                continue
            work = Path(tmp) / label
            work.mkdir()
            if label in PHASES:
                cmd = [sys.executable, __file__, "--phase", label, "--file", str(path)]
                r = bi.run_command([*cmd, "--work", str(work)], label)
            else:
                r = bi.run_phase(label, path, work)
            res[label] = r
            extra = ""
            if "writer_seconds" in r:
                extra = f"  (reader {r['reader_seconds']:.2f} s, writer {r['writer_seconds']:.2f} s)"
            if "extrapolated_from" in r:
                extra = f"  (extrapolated from the first {r['extrapolated_from']:,} rows)"
            print(f"  {label:<14} {r['seconds']:8.2f} s{extra}")

    raw = res.get("raw", {}).get("seconds")
    if not raw:
        return
    floors: list[tuple[str, float]] = [("the raw load itself (no checks)", raw)]
    if "raw-store" in res:
        floors.append(("the raw rows' SQLite inserts alone", res["raw-store"]["seconds"]))
    if "kukm-split" in res:
        k = res["kukm-split"]
        floors += [
            ("kukm's writer alone (its rows' inserts)", k["writer_seconds"]),
            ("kukm's reader alone (read, check, JSON)", k["reader_seconds"]),
        ]
    budgets = [("<= 2x the raw load", 2 * raw)]
    for other, times in (("pydantic", 5), ("frictionless", 10)):
        if other in res:
            budgets.append((f">= {times}x faster than {other}", res[other]["seconds"] / times))
    print("each target as a time budget, against the least time each part of the work takes:")
    for name, budget in budgets:
        print(f"  {name}: budget {budget:.2f} s")
        for fname, floor in floors:
            verdict = "within" if floor <= budget else f"{floor / budget:.2f}x over"
            print(f"    {fname:<42} {floor:7.2f} s  {verdict}")

if __name__ == "__main__":
    main()
