"""ODS record conversion and import speed: kukm against baselines in the same run.

* **convert** – ODS JSON record → entity → ODS JSON record, per record:
  kukm's lossless converter (:func:`kukm.integration.ods.from_ods` /
  :func:`~kukm.integration.ods.to_ods`, with vocabulary checks and issue
  reporting) against a pydantic v2 model with the same aliases, date and
  count parsing (``model_validate`` + ``model_dump(by_alias=True)``), which
  is not lossless and reports nothing.
* **sync** – a first pull of every record from the reference ODS-like server
  (:mod:`kukm.testing.ods_server`) into SQLite with
  :func:`kukm.integration.sync.sync` (cursor, per-record agreed hash, history)
  against fetching the same pages with ``urllib`` and an ``executemany``.
* **import** – a JSON-lines file into SQLite: ``kukm ods import`` internals
  (:func:`kukm.integration.ods_io.import_ods`: parse, convert, history,
  idempotency) against a raw ``sqlite3`` ``executemany`` of the JSON text.

Records are synthetic, shaped like the ministry's sample (no ../shared data).
Run ``python benchmarks/bench_ods.py [--quick] [--records N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from kukm.adapters.ods_http import OdsHttpTransport
from kukm.integration.ods import ODS_FIELDS, from_ods, to_ods
from kukm.integration.ods_io import import_ods, write_jsonl
from kukm.integration.sync import sync
from kukm.plugins import open_store
from kukm.testing.ods_server import OdsServer


def make_records(n: int, seed: int = 1625) -> list[dict[str, str]]:
    rnd = random.Random(seed)

    def date() -> str:
        if rnd.random() < 0.4:
            return " "
        return f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(1990, 2022)}"

    out = []
    for i in range(n):
        pria, wanita = rnd.randint(0, 3000), rnd.randint(0, 3000)
        r = {name: " " for name in ODS_FIELDS}
        r |= {
            "Koperasi": f"Koperasi Contoh {i}",
            "Nomor Badan Hukum Pendirian": f"{i}/BH/XII.6/-1.829/II/2013",
            "Tanggal Badan Hukum Pendirian": date(),
            "Tanggal RAT Terakhir": date(),
            "Alamat": f"Jl. Contoh No. {i}",
            "Kelurahan / Desa": "Gambir",
            "Kecamatan": "Gambir",
            "Kabupaten": "Kota Jakarta Pusat",
            "Provinsi": "DKI Jakarta",
            "Bentuk Koperasi": rnd.choice(["Primer Nasional", "Primer Provinsi"]),
            "Jenis Koperasi": rnd.choice(["Konsumen", "Jasa", "Simpan Pinjam"]),
            "Kelompok Koperasi": "Kop. Lainnya",
            "Sektor Usaha": "Jasa Lainnya",
            "Nama Ketua": f"Ketua {i:04d}",
            "Jumlah Anggota Pria": f"{pria:,}",
            "Jumlah Anggota Wanita": f"{wanita:,}",
            "Total Anggota": f"{pria + wanita:,}",
            "Total Manajer": str(rnd.randint(0, 3)),
            "Total Karyawan": str(rnd.randint(0, 20)),
            "Nomor Induk Koperasi (NIK)": f"3173{i:09d}",
            "Status NIK": rnd.choice(["Belum Bersertifikat", "Sudah Bersertifikat"]),
            "Tanggal Berlaku Sertifikat": date(),
            "Status Grade": rnd.choice(["A", "B", "C1", "C2", "D"]),
        }
        out.append(r)
    return out


def _date_in(v: str) -> dt.date | None:
    if not v.strip():
        return None
    d, m, y = v.split("/")
    return dt.date(int(y), int(m), int(d))


def _date_out(v: dt.date | None) -> str:
    return " " if v is None else v.strftime("%d/%m/%Y")


def _count_in(v: str) -> int | None:
    return None if not v.strip() else int(v.replace(",", ""))


def _count_out(v: int | None) -> str:
    return " " if v is None else f"{v:,}"


def _text_in(v: str) -> str | None:
    return v.strip() or None


def _text_out(v: str | None) -> str:
    return v or " "


DateF = Annotated[dt.date | None, BeforeValidator(_date_in), PlainSerializer(_date_out)]
CountF = Annotated[int | None, BeforeValidator(_count_in), PlainSerializer(_count_out)]
TextF = Annotated[str | None, BeforeValidator(_text_in), PlainSerializer(_text_out)]

_kinds: dict[str, Any] = {}
for name in ODS_FIELDS:
    if name.startswith("Tanggal"):
        _kinds[name] = DateF
    elif name.startswith(("Jumlah", "Total")):
        _kinds[name] = CountF
    else:
        _kinds[name] = TextF

_annotations = {f"f{i}": _kinds[n] for i, n in enumerate(ODS_FIELDS)}
_namespace: dict[str, Any] = {
    "__annotations__": _annotations,
    "model_config": ConfigDict(populate_by_name=True),
    **{f"f{i}": Field(default=None, alias=n) for i, n in enumerate(ODS_FIELDS)},
}
PydanticOds = type("PydanticOds", (BaseModel,), _namespace)


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (< 30 s)")
    parser.add_argument("--records", type=int, default=None)
    args = parser.parse_args()
    n = args.records or (2_000 if args.quick else 20_000)
    repeat = 2 if args.quick else 3
    records = make_records(n)

    def kukm_convert() -> None:
        for r in records:
            to_ods(from_ods(r, resolve=False).koperasi)

    def pydantic_convert() -> None:
        for r in records:
            PydanticOds.model_validate(r).model_dump(by_alias=True)

    assert all(to_ods(from_ods(r, resolve=False).koperasi) == r for r in records[:200])
    t_k = timed(kukm_convert, repeat)
    t_p = timed(pydantic_convert, repeat)
    print(f"convert round-trip, {n} records (best of {repeat}):")
    print(f"  kukm      {t_k * 1e6 / n:8.1f} µs/record  (lossless, issues reported)")
    print(f"  pydantic  {t_p * 1e6 / n:8.1f} µs/record  (baseline)")
    print(f"  ratio kukm/baseline = {t_k / t_p:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ods.jsonl"
        write_jsonl(records, path)

        def kukm_import() -> None:
            db = Path(tmp) / f"kukm-{time.perf_counter_ns()}.sqlite"
            store = open_store(f"sqlite:///{db}")
            try:
                report = import_ods(store, path, resolve=False)
                assert report.accepted == n
            finally:
                store.close()

        def raw_import() -> None:
            db = Path(tmp) / f"raw-{time.perf_counter_ns()}.sqlite"
            con = sqlite3.connect(db)
            con.execute("create table ods (id text primary key, doc text)")
            with path.open(encoding="utf-8") as fh:
                rows = ((json.loads(line)["Nomor Induk Koperasi (NIK)"], line) for line in fh)
                with con:
                    con.executemany("insert into ods values (?, ?)", rows)
            con.close()

        t_ki = timed(kukm_import, 1)
        t_ri = timed(raw_import, 1)
    print(f"import JSON lines into SQLite, {n} records:")
    print(f"  kukm      {n / t_ki:10.0f} records/s")
    print(f"  raw sqlite3 executemany {n / t_ri:10.0f} records/s  (baseline: no parsing/history)")
    print(f"  ratio kukm/baseline time = {t_ki / t_ri:.2f}")

    seed = {r["Nomor Induk Koperasi (NIK)"]: r for r in records}
    with tempfile.TemporaryDirectory() as tmp, OdsServer(seed) as server:
        store = open_store(f"sqlite:///{Path(tmp) / 'sync.sqlite'}")
        t0 = time.perf_counter()
        report = sync(store, OdsHttpTransport(server.url), page_size=500)
        t_ks = time.perf_counter() - t0
        store.close()
        assert report.applied == n

        t0 = time.perf_counter()
        con = sqlite3.connect(Path(tmp) / "raw-sync.sqlite")
        con.execute("create table ods (id text primary key, doc text)")
        since, more = "0", True
        while more:
            url = f"{server.url}/api/v1/koperasi/changes?since={since}&limit=500"
            with urllib.request.urlopen(url) as resp:
                page = json.loads(resp.read())
            with con:
                con.executemany(
                    "insert or replace into ods values (?, ?)",
                    [(c["id"], json.dumps(c["record"])) for c in page["changes"]],
                )
            since, more = page["next"], page["more"]
        con.close()
        t_rs = time.perf_counter() - t0
    print(f"sync: first pull of {n} records over HTTP into SQLite:")
    print(f"  kukm      {n / t_ks:10.0f} records/s")
    print(f"  raw urllib + executemany {n / t_rs:10.0f} records/s  (baseline: no cursor/history)")
    print(f"  ratio kukm/baseline time = {t_ks / t_rs:.2f}")


if __name__ == "__main__":
    main()
