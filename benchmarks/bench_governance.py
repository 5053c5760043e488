"""Governance speed: duplicate search and the policy layer, kukm against plain baselines.

* **duplicates** – kukm's :func:`kukm.governance.duplicates.find_duplicates`
  (identifier index + rapidfuzz name/street comparison *blocked by
  kelurahan*) against the obvious baseline: the same rapidfuzz scorer over
  every pair of the whole set (no blocking), as a first implementation would
  do. Both find the same planted pairs; the report checks that.
* **service** – streaming every record through
  :meth:`kukm.governance.service.Service.iter_records` for a Sudin user
  (policy decision, region scope, masking) against reading the same records
  straight from the store (``store.iter_records``, no checks): the price of
  the access layer. The same for writes: ``Service.submit`` (policy per op,
  provenance filled, submission document, audit) against ``store.write_batch``.

Run ``python benchmarks/bench_governance.py [--quick] [-n N]``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from rapidfuzz import fuzz, process

from kukm.adapters.memory import MemoryStore
from kukm.governance.access import User
from kukm.governance.duplicates import _norm_name, find_duplicates
from kukm.governance.service import Service
from kukm.model import Alamat, Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, WriteOp

WORDS = ["Warung", "Toko", "Bengkel", "Salon", "Katering", "Laundry", "Kedai", "Apotek", "Jahit"]
NAMES = ["Sri", "Budi", "Ani", "Joko", "Rina", "Agus", "Dewi", "Hadi", "Wati", "Yanto", "Lina"]
SUFFIX = ["Jaya", "Makmur", "Abadi", "Sejahtera", "Berkah", "Mandiri", "Lestari", "Sentosa"]


def make_store(n: int, seed: int = 1625) -> tuple[MemoryStore, int]:
    rnd = random.Random(seed)
    kelurahan = [
        f"31.7{k}.0{c}.10{x:02d}" for k in range(1, 6) for c in range(1, 5) for x in range(1, 6)
    ]
    ops = []
    planted = 0
    for i in range(n):
        kel = rnd.choice(kelurahan)
        nama = f"{rnd.choice(WORDS)} {rnd.choice(NAMES)} {rnd.choice(SUFFIX)} {i}"
        rec = Umkm(
            nama_usaha=nama,
            pemilik=Pemilik(nama=f"{rnd.choice(NAMES)} {rnd.choice(SUFFIX)}"),
            alamat=Alamat(jalan=f"Jl. Melati No. {rnd.randint(1, 300)}", kode_wilayah=kel),
        )
        ops.append(WriteOp("umkm", f"u{i:06d}", rec, Provenance(SumberData.SUDIN)))
        if i % 50 == 0:  # plant a near-copy
            ops.append(
                WriteOp(
                    "umkm",
                    f"d{i:06d}",
                    Umkm(nama_usaha=nama.upper() + ".", alamat=rec.alamat),
                    Provenance(SumberData.PIHAK_LAIN),
                )
            )
            planted += 1
    store = MemoryStore()
    store.write_batch(ops)
    return store, planted


def baseline_duplicates(store: MemoryStore, threshold: float = 85.0) -> set[tuple[str, str]]:
    recs = sorted(store.iter_records("umkm"), key=lambda s: s.id)
    names = [_norm_name(s.record.nama_usaha) for s in recs]  # type: ignore[union-attr]
    pairs: set[tuple[str, str]] = set()
    for i, name in enumerate(names[:-1]):
        for _, score, j in process.extract(
            name, names[i + 1 :], scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None
        ):
            a, b = recs[i], recs[i + 1 + j]
            if (
                a.record.alamat.kode_kelurahan == b.record.alamat.kode_kelurahan
                and score >= threshold
            ):
                pairs.add((a.id, b.id))
    return pairs


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best of ``repeat`` runs (seconds) and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small run (< 30 s)")
    ap.add_argument("-n", type=int, default=None, help="records")
    args = ap.parse_args()
    n = args.n or (3000 if args.quick else 8000)
    store, planted = make_store(n)
    total = store.count("umkm")
    print(f"records: {total} (planted duplicates: {planted})")

    t_kukm, cands = timed(lambda: find_duplicates(store.iter_records("umkm"), kind="umkm"))
    kukm_pairs = {(c.a, c.b) for c in cands}  # type: ignore[attr-defined]
    t_base, base_pairs = timed(lambda: baseline_duplicates(store))
    wanted = {(f"d{i:06d}", f"u{i:06d}") for i in range(0, n, 50)}
    found = len(wanted & kukm_pairs)
    print(
        f"duplicates  kukm (blocked by kelurahan): {t_kukm:8.3f} s  pairs={len(kukm_pairs)} "
        f"planted found={found}/{planted}"
    )
    print(f"duplicates  baseline (all pairs):         {t_base:8.3f} s  pairs={len(base_pairs)}")  # type: ignore[arg-type]
    print(f"duplicates  speed-up kukm/baseline: {t_base / t_kukm:6.1f}x")

    for label, user, region in (
        ("sudin, scope", User("s", "sudin", "31.71"), "31.71"),
        ("admin, masked", User("a", "administrator"), None),
    ):
        svc = Service(store, user)
        t_svc, got = timed(lambda svc=svc: sum(1 for _ in svc.iter_records("umkm")), 5)
        t_raw, raw = timed(
            lambda region=region: sum(1 for _ in store.iter_records("umkm", wilayah=region)), 5
        )
        print(f"service     kukm Service.iter_records ({label}): {t_svc:8.4f} s  rows={got}")
        print(f"service     baseline store.iter_records (no checks): {t_raw:8.4f} s  rows={raw}")
        print(f"service     overhead ratio kukm/baseline ({label}): {t_svc / t_raw:6.2f}x")

    ops = [
        WriteOp(s.kind, s.id, s.record, Provenance(SumberData.KELURAHAN))
        for s in store.iter_records("umkm")
    ]
    t_sub, _ = timed(lambda: Service(MemoryStore(), User("d", "dinas")).submit(ops), 3)
    t_wb, _ = timed(lambda: MemoryStore().write_batch(ops), 3)
    print(
        f"submit      kukm Service.submit (policy+provenance+audit): {t_sub:8.3f} s  rows={len(ops)}"
    )
    print(f"submit      baseline store.write_batch (no checks):        {t_wb:8.3f} s")
    print(f"submit      overhead ratio kukm/baseline: {t_sub / t_wb:6.2f}x")


if __name__ == "__main__":
    main()
