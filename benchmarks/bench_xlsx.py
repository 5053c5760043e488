"""Reading an XLSX workbook for an import: kukm's calamine road against openpyxl's stream.

    python benchmarks/bench_xlsx.py            # 100,000 UMKM rows in one sheet
    python benchmarks/bench_xlsx.py --quick    # 20,000 rows (a few seconds)

The workbook is written once from :mod:`kukm.synthetic` rows (cached under
``benchmarks/_data/``, gitignored) with shared strings, as Excel saves text. Two
contenders each read it in its own process, best of ``--repeat``:

* **openpyxl**: kukm's reader forced onto openpyxl's read-only stream
  (``CALAMINE_XLSX_BYTES = -1``): every row as ``open_table`` gives it; the road
  every XLSX took before;
* **calamine**: the same rows through kukm's default road for a workbook of this size
  (python-calamine, :data:`kukm.pipeline.readers.CALAMINE_XLSX_BYTES`);
* **kukm validate**: the whole ``kukm validate`` (every check) on each road.

Printed: seconds, rows/s, peak RSS (the child's ``VmHWM``: ``ru_maxrss`` would carry the
parent's high-water mark over fork and exec), and the ratios. Linux only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

_CHILD = r"""
import json, sys, time
from kukm.pipeline import readers, run_file
limit, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
readers.CALAMINE_XLSX_BYTES = limit
t = time.perf_counter()
if mode == "read":
    with readers.open_table(path) as table:
        n = sum(1 for _ in table)
        engine = table.engine
else:
    n = run_file(path, kind="umkm").input
    engine = None
secs = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"rows": n, "seconds": secs, "engine": engine, "rss_mb": hwm / 1024}))
"""


def workbook(rows: int) -> Path:
    path = DATA / f"umkm_{rows}.xlsx"
    if not path.exists():
        from openpyxl import Workbook

        from kukm.synthetic import UMKM_COLUMNS, generate_umkm

        DATA.mkdir(exist_ok=True)
        t = time.perf_counter()
        wb = Workbook()  # not write_only: shared strings, as Excel writes text
        ws = wb.active
        assert ws is not None
        ws.append(list(UMKM_COLUMNS))
        for r in generate_umkm(rows, seed=7, faulty_share=0.05):
            ws.append([r.data.get(c, "") for c in UMKM_COLUMNS])
        tmp = path.with_suffix(".tmp.xlsx")
        wb.save(tmp)
        tmp.replace(path)
        print(f"generated {path} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    return path


def run(limit: int, path: Path, mode: str) -> dict[str, float | str | None]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(limit), str(path), mode],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float | str | None] = json.loads(out.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    rows = args.rows or (20_000 if args.quick else 100_000)
    path = workbook(rows)
    print(f"bench_xlsx: {rows:,} UMKM rows in one sheet ({path.name}, {path.stat().st_size >> 10:,} KiB)")
    results: dict[str, dict[str, float | str | None]] = {}
    for mode in ("read", "validate"):
        for name, limit in (("openpyxl", -1), ("calamine", 1 << 40)):
            best = min((run(limit, path, mode) for _ in range(args.repeat)), key=lambda r: float(r["seconds"] or 0))
            results[f"{mode}/{name}"] = best
            secs = float(best["seconds"] or 0)
            print(
                f"  {mode:<9}{name:<10}{secs:8.2f} s {rows / secs:10,.0f} rows/s"
                f"  peak RSS {float(best['rss_mb'] or 0):7.1f} MB"
                + (f"  (engine {best['engine']})" if best["engine"] else "")
            )
        ratio = float(results[f"{mode}/openpyxl"]["seconds"] or 0) / float(
            results[f"{mode}/calamine"]["seconds"] or 1
        )
        print(f"  {mode}: calamine {ratio:.2f}x faster than openpyxl")


if __name__ == "__main__":
    main()
