"""Report tables on messy stored data: every record counted once, tables reconcile.

Stores hold what imports left: koperasi without a region code or with only a
kab/kota- or kecamatan-level code, records of another province, UMKM without
a skala or with ``tidak_dipakai``, vocabulary values in odd case or spacing,
every verification status and every source.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import open_store
from kukm.reports import bandingkan, laporan_tahunan, rekap
from kukm.reports.labels import TIDAK_DIKETAHUI, kanonik
from kukm.reports.rekap import RESMI
from kukm.storage.base import Kind, Provenance, Store, VerificationStatus, WriteOp

KODE = [
    None,
    "31",
    "31.71",
    "31.71.01",
    "31.71.01.1001",
    "31.75.02.1003",
    "31.01.01.1001",
    "32.73.01.1001",  # another province (ODS national data)
]
JENIS = [
    *(None, "", "  ", "Konsumen", "KONSUMEN", " konsumen", "Simpan Pinjam", "simpan_pinjam"),
    *("Koperasi Tani", "Jasa"),
]
BENTUK = [None, "Primer Kabupaten/Kota", "PRIMER KABUPATEN/KOTA", "Sekunder Nasional", "Lainnya"]
SKALA = ["absent", None, "", "mikro", "MIKRO", "Usaha Kecil", "besar", "tidak_dipakai"]

record_spec = st.tuples(
    st.sampled_from(["umkm", "koperasi"]),
    st.sampled_from(KODE),
    st.sampled_from(JENIS),
    st.sampled_from(BENTUK),
    st.sampled_from(SKALA),
    st.sampled_from(list(SumberData)),
    st.sampled_from(list(VerificationStatus)),
    st.integers(min_value=2022, max_value=2025),
)

DIMS_1 = ["kab_kota", "kecamatan", "provinsi", "jenis", "bentuk", "skala", "sumber_data", "status"]
DIMS_2 = [
    ("kab_kota", "jenis"),
    ("kecamatan", "skala"),
    ("status", "sumber_data"),
    ("bentuk", "kab_kota"),
    ("skala", "status"),
]


def _op(i: int, spec: Sequence[Any]) -> WriteOp:
    kind, kode, jenis, bentuk, skala, sumber, status, year = spec
    alamat = Alamat(kode_wilayah=kode)
    record: Umkm | Koperasi
    if kind == "umkm":
        record = Umkm(nama_usaha=f"U{i}", alamat=alamat)
    else:
        record = Koperasi(nama=f"K{i}", alamat=alamat, jenis=jenis, bentuk=bentuk)
    return WriteOp(
        kind,
        f"{kind[0]}{i}",
        record,
        Provenance(sumber),
        valid_from=dt.date(year, 6, 1),
        atribut={} if skala == "absent" else {"skala": skala},
        status=status,
    )


def _fill(store: Store, specs: Sequence[Sequence[Any]]) -> Store:
    if specs:
        store.write_batch([_op(i, s) for i, s in enumerate(specs)])
    return store


def _check(store: Store, kind: Kind, wilayah: str | None = None) -> None:
    """Every table reconciles with the store's count, and (a, b) adds up to a."""
    one: dict[str, dict[str | None, int]] = {}
    for d in DIMS_1:
        for status in ("resmi", None):
            r = rekap(store, kind, [d], status=status, wilayah=wilayah)
            counted = None if status is None or d == "status" else RESMI
            assert r.total == store.count(kind, wilayah=wilayah, status=counted)
            assert sum(row.jumlah for row in r.rows) == r.total
            keys = [row.kunci for row in r.rows]
            assert len(keys) == len(set(keys))  # one row per value
            assert keys[-1] == (None,) and r.rows[-1].label == (TIDAK_DIKETAHUI,)
            assert all(k[0] is None or k[0].strip() == k[0] != "" for k in keys)
            if status is None:
                one[d] = {row.kunci[0]: row.jumlah for row in r.rows if row.jumlah}
    for a, b in DIMS_2:
        r = rekap(store, kind, [a, b], status=None, wilayah=wilayah)
        assert sum(row.jumlah for row in r.rows) == r.total == store.count(kind, wilayah=wilayah)
        by_a: Counter[str | None] = Counter()
        by_b: Counter[str | None] = Counter()
        for row in r.rows:
            by_a[row.kunci[0]] += row.jumlah
            by_b[row.kunci[1]] += row.jumlah
        assert {k: n for k, n in by_a.items() if n} == one[a]
        assert {k: n for k, n in by_b.items() if n} == one[b]


@settings(max_examples=25, deadline=None)
@given(st.lists(record_spec, max_size=30), st.sampled_from([None, "31", "31.71"]))
def test_every_table_reconciles_on_messy_data(
    specs: list[tuple[Any, ...]], wilayah: str | None
) -> None:
    store = _fill(MemoryStore(), specs)
    for kind in ("umkm", "koperasi"):
        _check(store, kind, wilayah)




def _messy(kind: str, i: int) -> tuple[Any, ...]:
    """Record ``i`` of a store with every odd value above (every status and source)."""
    kop = kind == "koperasi"
    return (
        kind,
        KODE[i % len(KODE)],
        JENIS[i % len(JENIS)] if kop else None,
        BENTUK[i % len(BENTUK)] if kop else None,
        SKALA[i % len(SKALA)],
        list(SumberData)[i % len(SumberData)],
        list(VerificationStatus)[i % 3],
        2022 + i % 4,
    )


MESSY = [_messy(kind, i) for kind in ("koperasi", "umkm") for i in range(90)]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_messy_store_reconciles_in_each_backend(backend: str, tmp_path: Path) -> None:
    url = "memory://" if backend == "memory" else f"sqlite:///{tmp_path / 'm.sqlite'}"
    store = _fill(open_store(url), MESSY)
    try:
        for kind in ("umkm", "koperasi"):
            for wilayah in (None, "31", "31.71", "31.71.01"):
                _check(store, kind, wilayah)
    finally:
        store.close()


def _kop(i: int, jenis: str | None, kode: str | None = "31.71.01.1001") -> WriteOp:
    return WriteOp(
        "koperasi",
        f"k{i}",
        Koperasi(nama=f"K{i}", alamat=Alamat(kode_wilayah=kode), jenis=jenis),
        Provenance(SumberData.SUDIN),
        valid_from=dt.date(2024, 6, 1),
    )


def test_spellings_of_a_vocabulary_value_are_one_row() -> None:
    s = MemoryStore()
    jenis = ["Konsumen", "KONSUMEN", " konsumen ", "simpan_pinjam"]
    jenis += ["Koperasi Tani", "KOPERASI TANI"]
    s.write_batch([_kop(i, j) for i, j in enumerate(jenis)])
    rows = {row.kunci[0]: row.jumlah for row in rekap(s, "koperasi", ["jenis"]).rows}
    assert rows == {
        "Konsumen": 3,
        "Simpan Pinjam": 1,
        "Jasa": 0,
        "Produsen": 0,
        "Pemasaran": 0,
        "Koperasi Tani": 1,  # outside the vocabulary: shown as stored, case kept
        "KOPERASI TANI": 1,
        None: 0,
    }
    assert kanonik("skala", "Usaha Kecil") == "kecil" and kanonik("status", "DITOLAK") == "ditolak"


def test_blank_value_is_the_unknown_row() -> None:
    s = MemoryStore()
    s.write_batch([_kop(0, "  "), _kop(1, None), _kop(2, "Jasa")])
    r = rekap(s, "koperasi", ["jenis"])
    rows = [(row.kunci[0], row.label[0], row.jumlah) for row in r.rows if row.jumlah]
    assert rows == [("Jasa", "Jasa", 1), (None, TIDAK_DIKETAHUI, 2)]


def test_partial_and_foreign_codes_are_rows_of_their_own() -> None:
    s = MemoryStore()
    codes = ["31.71", "31.71.01", "31.71.01.1001", "32.73.01.1001", None, "31"]
    s.write_batch([_kop(i, "Jasa", k) for i, k in enumerate(codes)])
    kab = {row.kunci[0]: row.jumlah for row in rekap(s, "koperasi", ["kab_kota"]).rows}
    assert (kab["31.71"], kab["32.73"], kab[None], sum(kab.values())) == (3, 1, 2, 6)
    kec = rekap(s, "koperasi", ["kecamatan"], wilayah="31.71")
    got = {row.kunci[0]: row.jumlah for row in kec.rows if row.jumlah}
    assert got == {"31.71.01": 2, None: 1} and kec.total == s.count("koperasi", wilayah="31.71")


def test_comparison_by_status_shows_every_status() -> None:
    s = MemoryStore()
    s.write_batch(
        [
            WriteOp(
                "umkm",
                f"u{i}",
                Umkm(nama_usaha="U", alamat=Alamat(kode_wilayah="31.71.01.1001")),
                Provenance(SumberData.SUDIN),
                valid_from=dt.date(2024, 6, 1),
                status=st_,
            )
            for i, st_ in enumerate(VerificationStatus)
        ]
    )
    p = bandingkan(s, "umkm", "status", 2024, 2025)
    assert {r.kode: r.b for r in p.rows} == {
        "terverifikasi": 1,
        "menunggu_verifikasi": 1,
        "ditolak": 1,
        None: 0,
    }
    assert p.total_b == s.count("umkm") and p.as_dict()["status"] is None
    assert "semua status" in (p.tabel().catatan or "")
    resmi = bandingkan(s, "umkm", "kab_kota", 2024, 2025)
    assert resmi.total_b == 1 and "hanya data terverifikasi" in (resmi.tabel().catatan or "")


def test_comparison_and_yearly_report_group_spellings() -> None:
    s = MemoryStore()
    s.write_batch([_kop(i, j) for i, j in enumerate(["Konsumen", "KONSUMEN", "  ", None])])
    p = bandingkan(s, "koperasi", "jenis", 2023, 2024)
    got = {r.kode: r.b for r in p.rows if r.b}
    assert got == {"Konsumen": 2, None: 2} and p.total_b == 4
    lap = laporan_tahunan(s, 2024)
    jenis = {row.kunci[0]: row.jumlah for row in lap.rekap_koperasi["jenis"].rows if row.jumlah}
    assert jenis == {"Konsumen": 2, None: 2}
    assert lap.rekap_koperasi["jenis"].total == lap.rekap_koperasi["kab_kota"].total == 4


def test_yearly_report_on_messy_store_reconciles() -> None:
    s = _fill(MemoryStore(), MESSY)
    lap = laporan_tahunan(s, 2025)
    for kind, tables, status in (
        ("umkm", lap.rekap_umkm, lap.status_umkm),
        ("koperasi", lap.rekap_koperasi, lap.status_koperasi),
    ):
        verified = s.count(kind, status=RESMI)  # type: ignore[arg-type]
        for r in tables.values():
            assert sum(row.jumlah for row in r.rows) == r.total == verified
        everything = s.count(kind)  # type: ignore[arg-type]
        assert sum(row.jumlah for row in status.rows) == status.total == everything
    assert lap.banding_koperasi.total_b == lap.rekap_koperasi["kab_kota"].total
    assert lap.tren_koperasi.baris[-1][2] == lap.rekap_koperasi["kab_kota"].total
    assert len(lap.to_dokumen().bagian) > 5


@pytest.mark.parametrize("by", ["jenis", "kab_kota,jenis", "kecamatan", "status", "skala"])
def test_cli_rekap_json_and_csv_reconcile(by: str, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = _fill(open_store(db), MESSY)
    status = None if by == "status" else RESMI
    # the command acts as the province's Dinas (the default --peran dinas): a record of another
    # province (32.73, ODS national data) is out of its scope (policy provinsi = 31)
    expected = store.count("koperasi", status=status) - store.count(
        "koperasi", wilayah="32", status=status
    )
    assert store.count("koperasi", wilayah="32", status=None) > 0  # the case is in the data
    store.close()
    runner = CliRunner()
    res = runner.invoke(
        cli, ["report", "rekap", "--kind", "koperasi", "--by", by, "--format", "json", "--db", db]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert sum(r["jumlah"] for r in data["rows"]) == data["total"] == expected
    names = [tuple(r[f"{b}_nama"] for b in by.split(",")) for r in data["rows"]]
    assert len(names) == len(set(names)) and all(all(n.strip() for n in t) for t in names)
    res = runner.invoke(
        cli, ["report", "rekap", "--kind", "koperasi", "--by", by, "--format", "csv", "--db", db]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))  # stderr says what is out of scope
    body, total = rows[1:-1], rows[-1]
    col = 2 * len(by.split(","))
    assert sum(int(r[col]) for r in body) == int(total[col]) == expected
