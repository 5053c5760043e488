"""Run every ``benchmarks/bench_*.py`` in turn (``nox -s bench``), passing ``--quick`` through.

    python benchmarks/run_all.py [--quick] [--only NAME[,NAME…]]

Each benchmark is its own process and prints kukm against its baseline and the
ratio; this runner only reports which ones failed (exit code 1 if any).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (each < 30 s)")
    ap.add_argument("--only", default="", help="comma-separated names, e.g. import,storage")
    args, rest = ap.parse_known_args()
    only = {n.strip().removeprefix("bench_") for n in args.only.split(",") if n.strip()}
    failed: list[str] = []
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        cmd = [sys.executable, str(script), *(["--quick"] if args.quick else []), *rest]
        print(f"==> {script.name}", flush=True)
        t = time.perf_counter()
        code = subprocess.call(cmd)
        print(f"<== {script.name}: exit {code} in {time.perf_counter() - t:.1f}s\n", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
