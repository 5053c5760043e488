"""Bulk import benchmark: ``kukm import`` against three baselines on the same file, in one run.

    python benchmarks/bench_import.py            # 1,000,000 rows (5% faulty)
    python benchmarks/bench_import.py --quick    # 50,000 rows (< 30 s)
    python benchmarks/bench_import.py --repeat 2 # raw and kukm twice each, the faster kept

The data file is generated once by :mod:`kukm.synthetic` and cached under
``benchmarks/_data/`` (gitignored). Each contender runs in its own child
process; its peak memory is sampled with psutil every 0.1 s, PSS every 0.5 s (the process plus
its pool workers, summed; ``ru_maxrss`` is not used because Linux carries the
parent's high-water mark over fork and exec). Both sums are printed: RSS, and
PSS, which counts a page shared by n processes 1/n in each (summed RSS counts
what forked workers share with their parent once per process):

* **raw**: ``csv.reader`` → SQLite ``executemany`` into a table of text
  columns, no checks at all (the floor);
* **pydantic**: a pydantic v2 model with the same checks as the UMKM
  instrument (required fields, NIB/NIK/NPWP/region/KBLI/phone/e-mail shapes,
  rupiah amounts, dates), valid rows stored as JSON in SQLite;
* **frictionless**: Table Schema validation (types, ``required``, ``pattern``,
  ``enum``) of the whole file; ``--frictionless-rows N`` runs it on the first N rows
  only and **extrapolates** the time linearly (printed as such: on 1,000,000 rows the
  extrapolation from 20,000 gave 22.16 s where the whole file took 18.86 s, flattering
  kukm by 17%);
* **kukm**: :func:`kukm.pipeline.run_file` exactly as ``kukm import`` runs it
  (instrument checks, scale classification, provenance, versioned SQLite store
  with atomic idempotent batches, errors file): **kukm** with kukm's default
  pool (one worker for a file this large on 2+ CPUs, ``default_workers``),
  **kukm-0w** with every check in-process, **kukm-2w** with two workers;
* **kukm-shuffled**: the default ``kukm`` run on the same rows in random order
  (ids no longer rise with the row number, as real NIBs do not: the store's
  indexes see random keys);
* **kukm-validate**: ``kukm validate`` (every check, nothing stored), the
  like-for-like comparison with frictionless's validation;
* **rekap**: ``kukm report rekap`` (by kab/kota and by skala) over the stored
  rows against a plain ``GROUP BY`` on the raw table.

Targets (issue 7): kukm ≤ 2× raw, ≥ 5× faster than pydantic, ≥ 10× faster than
frictionless, peak RSS < 300 MB, rekap over 1M rows ≤ 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
#: Rows frictionless validates (None: the whole file); ``--frictionless-rows`` sets it.
FRICTIONLESS_SLICE: int | None = None


def data_file(rows: int) -> Path:
    path = DATA / f"umkm_{rows}.csv"
    if not path.exists():
        from kukm.synthetic import generate_umkm, write_csv

        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write_csv(tmp, generate_umkm(rows, seed=7, faulty_share=0.05))
        tmp.replace(path)
        print(f"generated {path} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    return path


def shuffled_file(path: Path) -> Path:
    """The rows of ``path`` in a random (seeded) order, cached beside it."""
    out = path.with_name(path.stem + "_shuffled.csv")
    if not out.exists():
        import random

        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        head, body = rows[0], rows[1:]
        random.Random(5).shuffle(body)
        tmp = out.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            w.writerows(body)
        tmp.replace(out)
    return out


# -- contenders (each runs in a child process) ---------------------------------------------


def phase_raw(path: Path, work: Path) -> dict[str, Any]:
    from _baseline import raw_csv_load

    db = sqlite3.connect(work / "raw.sqlite")
    t = time.perf_counter()
    n = raw_csv_load(path, db, "umkm")
    secs = time.perf_counter() - t
    t = time.perf_counter()
    db.execute("SELECT substr(kode_wilayah, 1, 5), COUNT(*) FROM umkm GROUP BY 1").fetchall()
    group_secs = time.perf_counter() - t
    db.close()
    return {"rows": n, "seconds": secs, "group_by_seconds": group_secs}


def _pydantic_model() -> Any:
    import datetime as dt
    from typing import Annotated, Literal

    from pydantic import AfterValidator, BaseModel, StringConstraints
    from stdnum.id import nik as stdnik
    from stdnum.id import npwp as stdnpwp

    from kukm.rules.amounts import parse_date, parse_int, parse_rupiah

    def opt(fn: Any) -> Any:
        return lambda v: None if v in ("", None) else fn(v)

    def rupiah(v: str) -> int | None:
        return None if not v else parse_rupiah(v)

    def date(v: str) -> dt.date | None:
        return None if not v else parse_date(v)

    def nik(v: str) -> str | None:
        return None if not v else str(stdnik.validate(v))

    def npwp(v: str) -> str | None:
        return None if not v else str(stdnpwp.validate(v))

    def matches(rx: str) -> Any:
        pat = re.compile(rx)

        def check(v: str) -> str | None:
            if not v:
                return None
            if not pat.fullmatch(v):
                raise ValueError(f"does not match {rx}")
            return v

        return check

    Opt = Annotated[str, AfterValidator(lambda v: v or None)]

    class UmkmRow(BaseModel):
        id_sumber: Opt
        nama_usaha: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
        nib: Annotated[str, AfterValidator(matches(r"\d{13}"))]
        npwp: Annotated[str, AfterValidator(npwp)]
        nik_pemilik: Annotated[str, AfterValidator(nik)]
        nama_pemilik: Opt
        jenis_kelamin: Literal["L", "P", ""]
        alamat: Opt
        kode_wilayah: Annotated[str, AfterValidator(matches(r"31\.\d{2}\.\d{2}\.\d{4}"))]
        kbli: Annotated[str, AfterValidator(matches(r"\d{2,5}"))]
        modal_usaha: Annotated[str, AfterValidator(rupiah)]
        omzet_tahunan: Annotated[str, AfterValidator(rupiah)]
        tenaga_kerja: Annotated[str, AfterValidator(opt(parse_int))]
        tanggal_berdiri: Annotated[str, AfterValidator(date)]
        telepon: Annotated[str, AfterValidator(matches(r"0\d{7,13}"))]
        email: Annotated[str, AfterValidator(matches(r"[^@\s]+@[^@\s]+\.[^@\s]+"))]
        sumber_data: Literal[
            "pelaku_usaha", "sudin", "kecamatan", "kelurahan", "bidang_ukm", "bidang_koperasi",
            "dekopin", "ods", "pihak_lain",
        ]  # fmt: skip
        tanggal_data: Annotated[str, AfterValidator(date)]

    return UmkmRow


def phase_pydantic(path: Path, work: Path) -> dict[str, Any]:
    from pydantic import ValidationError

    model = _pydantic_model()
    db = sqlite3.connect(work / "pydantic.sqlite")
    db.execute("CREATE TABLE umkm (id TEXT, record TEXT)")
    t = time.perf_counter()
    ok = bad = 0
    batch: list[tuple[str, str]] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            try:
                m = model.model_validate(row)
            except (ValidationError, ValueError):
                bad += 1
                continue
            ok += 1
            batch.append((m.nib or f"row{i}", m.model_dump_json()))
            if len(batch) >= 5000:
                db.executemany("INSERT INTO umkm VALUES (?, ?)", batch)
                db.commit()
                batch = []
    db.executemany("INSERT INTO umkm VALUES (?, ?)", batch)
    db.commit()
    db.close()
    return {"rows": ok + bad, "accepted": ok, "rejected": bad, "seconds": time.perf_counter() - t}


def phase_frictionless(path: Path, work: Path) -> dict[str, Any]:
    from frictionless import Resource, Schema, validate

    with open(path, encoding="utf-8") as fh:
        total = sum(1 for _ in fh) - 1
    n = total if FRICTIONLESS_SLICE is None else min(FRICTIONLESS_SLICE, total)
    slice_path = path
    if n < total:
        slice_path = work / "slice.csv"
        with open(path, encoding="utf-8") as src, open(slice_path, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > n:
                    break
                dst.write(line)

    def s(name: str, **c: Any) -> dict[str, Any]:
        return (
            {"name": name, "type": "string", "constraints": c}
            if c
            else {"name": name, "type": "string"}
        )

    amount = r"(Rp\s?)?\d{1,3}(\.\d{3})*(,\d+)?(\s?(juta|jt|rb|ribu|M|miliar))?|\d+"
    date = r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}"
    schema = Schema.from_descriptor(
        {
            "fields": [
                s("id_sumber"),
                s("nama_usaha", required=True),
                s("nib", pattern=r"\d{13}"),
                s("npwp", pattern=r"\d{15,16}"),
                s("nik_pemilik", pattern=r"\d{16}"),
                s("nama_pemilik"),
                s("jenis_kelamin", enum=["L", "P"]),
                s("alamat"),
                s("kode_wilayah", pattern=r"31\.\d{2}\.\d{2}\.\d{4}"),
                s("kbli", pattern=r"\d{2,5}"),
                s("modal_usaha", pattern=amount),
                s("omzet_tahunan", pattern=amount),
                {"name": "tenaga_kerja", "type": "integer"},
                s("tanggal_berdiri", pattern=date),
                s("telepon", pattern=r"0\d{7,13}"),
                s("email", pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+"),
                s(
                    "sumber_data",
                    enum=[
                        "pelaku_usaha",
                        "sudin",
                        "kecamatan",
                        "kelurahan",
                        "bidang_ukm",
                        "bidang_koperasi",
                        "dekopin",
                        "ods",
                        "pihak_lain",
                    ],
                ),
                s("tanggal_data", pattern=date),
            ]
        }
    )
    t = time.perf_counter()
    resource = Resource(path=slice_path.name, basepath=str(slice_path.parent), schema=schema)
    report = validate(resource, limit_errors=10**9)
    if any(
        e.type in ("resource-error", "scheme-error", "source-error") for e in report.tasks[0].errors
    ):
        raise RuntimeError(str(report.flatten(["type", "note"])[:3]))
    secs = time.perf_counter() - t
    errors = len(report.flatten(["rowNumber"]))
    out: dict[str, Any] = {"rows": n, "seconds": secs * total / max(n, 1), "errors": errors}
    if n < total:
        out |= {"slice_seconds": secs, "extrapolated_from": n}
    return out


def phase_kukm(path: Path, work: Path, workers: int, extras: bool = True) -> dict[str, Any]:
    """``kukm import``; ``workers`` < 0 leaves the pool to kukm's default (what the CLI does),
    and then (with ``extras``) also times a re-import and rekap."""
    from kukm.pipeline import run_file
    from kukm.plugins import open_store
    from kukm.reports import rekap

    store = open_store(f"sqlite:///{work / f'kukm{workers}.sqlite'}")
    t = time.perf_counter()
    s = run_file(
        path, kind="umkm", store=store, errors_path=work / f"errors{workers}.csv",
        workers=None if workers < 0 else workers,
    )  # fmt: skip
    secs = time.perf_counter() - t
    out: dict[str, Any] = {
        "rows": s.input,
        "accepted": s.accepted,
        "rejected": s.rejected,
        "inserted": s.inserted,
        "seconds": secs,
        "workers": s.workers,
    }
    if workers >= 0 or not extras:  # the re-import and rekap are measured once, on the default run
        store.close()
        return out
    t = time.perf_counter()
    again = run_file(path, kind="umkm", store=store)
    out["reimport_seconds"] = time.perf_counter() - t
    out["reimport_inserted"] = again.inserted
    for by in ("kab_kota", "skala", "kab_kota"):  # the first call also loads the region names
        t = time.perf_counter()
        r = rekap(store, "umkm", [by])
        out.setdefault(f"rekap_{by}_seconds", time.perf_counter() - t)
        out["rekap_warm_seconds"] = time.perf_counter() - t
        out["rekap_total"] = r.total
    store.close()
    return out


def phase_kukm_validate(path: Path, work: Path) -> dict[str, Any]:
    """``kukm validate``: every check, no store (the work frictionless does)."""
    from kukm.pipeline import run_file

    t = time.perf_counter()
    s = run_file(path, kind="umkm", store=None, errors_path=work / "errors-validate.csv")
    return {"rows": s.input, "accepted": s.accepted, "rejected": s.rejected,
            "seconds": time.perf_counter() - t}  # fmt: skip


def _sample_rss(proc: subprocess.Popen[str], peak: list[float]) -> None:
    """Poll the child's RSS and PSS plus its own workers' (psutil) until it exits.

    ``peak[0]`` is the largest sum of RSS, ``peak[1]`` the largest sum of PSS
    (proportional set size: a page shared by n processes counts 1/n in each, so
    the sum is what the process tree really holds; summed RSS counts the pages
    a forked pool worker shares with its parent once per process).
    """
    try:
        import psutil
    except ImportError:  # pragma: no cover - bench group installs it
        return
    try:
        root = psutil.Process(proc.pid)
        tick = 0
        while proc.poll() is None:
            # PSS reads /proc/PID/smaps (about 2 ms per 200 MB process, CPU the contender
            # would use): every 0.5 s; RSS every 0.1 s
            full = tick % 5 == 0
            tick += 1
            rss = pss = 0
            for p in (root, *root.children(recursive=True)):
                with contextlib.suppress(psutil.Error):
                    if full:
                        m = p.memory_full_info()
                        rss += m.rss
                        pss += getattr(m, "pss", m.rss)
                    else:
                        rss += p.memory_info().rss
            peak[0] = max(peak[0], rss / 1e6)
            if full:
                peak[1] = max(peak[1], pss / 1e6)
            time.sleep(0.1)
    except psutil.Error:
        return


def run_phase(name: str, path: Path, work: Path, *extra: str) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--file",
        str(path),
        "--work",
        str(work),
        *extra,
    ]
    return run_command(cmd, name)


def run_command(cmd: list[str], name: str) -> dict[str, Any]:
    """Run one contender's command (a child process printing its JSON result last), its
    process tree's peak memory sampled meanwhile."""
    env = {**os.environ, "KUKM_NO_PROGRESS": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0.0, 0.0]
    sampler = threading.Thread(target=_sample_rss, args=(proc, peak), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        print(err, file=sys.stderr)
        raise SystemExit(f"phase {name} failed")
    res = dict(json.loads(out.strip().splitlines()[-1]))
    # psutil samples the process tree (main + pool workers, summed) every 0.1 s.
    # Not ru_maxrss: Linux carries the parent's high-water mark over fork + exec.
    res["peak_rss_mb"] = round(peak[0], 1)
    res["peak_pss_mb"] = round(peak[1], 1)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50,000 rows instead of 1,000,000")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--skip", default="", help="comma-separated contenders to skip")
    ap.add_argument(
        "--frictionless-rows",
        type=int,
        default=None,
        help="validate only the first N rows with frictionless and extrapolate (default: all)",
    )
    ap.add_argument(
        "--pool", action="store_true", help="with --quick: also time the 2-worker pool run"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run raw and each kukm contender this many times and keep the fastest (a shared "
        "machine's speed drifts by 15%% within the hour); peak memory is the largest seen",
    )
    args = ap.parse_args()
    global FRICTIONLESS_SLICE
    FRICTIONLESS_SLICE = args.frictionless_rows
    if args.phase:
        path, work = Path(args.file), Path(args.work)
        if args.phase in ("kukm", "kukm-shuffled"):
            res = phase_kukm(path, work, args.workers, extras=args.phase == "kukm")
        else:
            res = {
                "raw": phase_raw,
                "pydantic": phase_pydantic,
                "frictionless": phase_frictionless,
                "kukm-validate": phase_kukm_validate,
            }[args.phase](path, work)
        print(json.dumps(res))
        return

    rows = args.rows or (50_000 if args.quick else 1_000_000)
    path = data_file(rows)
    skip = set(filter(None, args.skip.split(",")))
    if args.quick and not args.pool:
        skip.update({"kukm-0w", "kukm-2w"})  # keeps --quick short; the full run times them
    print(f"bench_import: {rows:,} UMKM rows, 5% faulty ({path.name}); cpu count {os.cpu_count()}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fl_extra = () if args.frictionless_rows is None else (
            "--frictionless-rows", str(args.frictionless_rows),
        )  # fmt: skip
        plan: list[tuple[str, str, tuple[str, ...]]] = [
            ("raw", "raw", ()),
            ("pydantic", "pydantic", ()),
            ("frictionless", "frictionless", fl_extra),
            ("kukm", "kukm", ("--workers", "-1")),
            ("kukm-shuffled", "kukm-shuffled", ("--workers", "-1")),
            ("kukm-0w", "kukm", ("--workers", "0")),
            ("kukm-2w", "kukm", ("--workers", "2")),
            ("kukm-validate", "kukm-validate", ()),
        ]
        for label, phase, extra in plan:
            if label in skip or phase in skip:
                continue
            src = shuffled_file(path) if phase == "kukm-shuffled" else path
            times = 1 if phase in ("pydantic", "frictionless") else max(args.repeat, 1)
            runs = []
            for i in range(times):  # the slow baselines run once
                here = work / f"{label}-{i}"
                here.mkdir()
                runs.append(run_phase(phase, src, here, *extra))
            results[label] = r = min(runs, key=lambda x: x["seconds"])
            r["peak_rss_mb"] = max(x["peak_rss_mb"] for x in runs)
            r["peak_pss_mb"] = max(x["peak_pss_mb"] for x in runs)
            if len(runs) > 1:
                r["all_seconds"] = [round(x["seconds"], 2) for x in runs]
            note = (
                f" (extrapolated from the first {r['extrapolated_from']} rows)"
                if "extrapolated_from" in r
                else ""
            )
            if "all_seconds" in r:
                note += f" (best of {r['all_seconds']})"
            print(
                f"  {label:<13} {r['seconds']:8.2f} s  {rows / r['seconds']:>10,.0f} rows/s  "
                f"peak RSS {r['peak_rss_mb']:6.1f} MB (PSS {r['peak_pss_mb']:6.1f}){note}"
            )
    raw = results.get("raw", {}).get("seconds")
    print("ratios (time, lower is better for kukm):")
    for label in ("kukm", "kukm-shuffled", "kukm-0w", "kukm-2w"):
        k = results.get(label)
        if not k:
            continue
        parts = [f"  {label} ({k['workers']} worker{'s' * (k['workers'] != 1)}):"]
        if raw:
            parts.append(f"{k['seconds'] / raw:.2f}x raw load (target <= 2x)")
        for other, target in (("pydantic", 5), ("frictionless", 10)):
            if other in results:
                parts.append(
                    f"{results[other]['seconds'] / k['seconds']:.2f}x faster than {other} (target >= {target}x)"
                )
        parts.append(
            f"peak RSS {k['peak_rss_mb']:.0f} MB, PSS {k['peak_pss_mb']:.0f} MB (target < 300)"
        )
        print(" | ".join(parts))
        if "reimport_seconds" not in k:
            continue
        print(
            f"    accepted {k['accepted']:,} rejected {k['rejected']:,}; re-import {k['reimport_seconds']:.2f} s "
            f"inserted {k['reimport_inserted']}; rekap over {k['rekap_total']:,} stored rows: "
            f"kab_kota {k['rekap_kab_kota_seconds']:.3f} s (first call), skala "
            f"{k['rekap_skala_seconds']:.3f} s, kab_kota again {k['rekap_warm_seconds']:.3f} s "
            f"(target <= 1 s; raw GROUP BY {results.get('raw', {}).get('group_by_seconds', float('nan')):.3f} s)"
        )
    if "kukm-validate" in results and "frictionless" in results:
        v = results["kukm-validate"]
        print(
            f"  kukm validate (checks only, no store): {v['seconds']:.2f} s, "
            f"{results['frictionless']['seconds'] / v['seconds']:.2f}x faster than frictionless "
            f"validation of the same file (the like-for-like comparison)"
        )
    if "kukm-0w" in results:
        base = results["kukm-0w"]["seconds"]
        for label in ("kukm", "kukm-2w"):
            if label in results:
                k = results[label]
                plural = "s" * (k["workers"] != 1)
                print(f"  {label} ({k['workers']} worker{plural}) vs in-process: {base / k['seconds']:.2f}x")


if __name__ == "__main__":
    main()
