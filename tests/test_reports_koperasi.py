"""Koperasi reports: the decree's (ODS) words and tables that add up.

* ``skala`` of a koperasi is the tier of Permenkop UKM 8/2023 Pasal 49: every
  tier is a row, labelled, and the heading names the classification.
* The ministry's spellings (``Kop. Nelayan``, ``Primer Kabupaten/Kota``,
  ``Belum Bersertifikat``, grade ``C1``, jenis ``Simpan Pinjam``) and their
  variants ("KOP. NELAYAN", "Primer Kab/Kota", ``primer_kabkota``, "KSP",
  "c1") are one row in a rekap and in a comparison of two years.
* The 689 real DKI cooperatives (``../shared``) reconcile in every table by
  one and two dimensions, with Kepulauan Seribu in its kab/kota.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.integration.ods_io import OdsRow, import_ods
from kukm.model import Alamat, Koperasi, SumberData
from kukm.plugins import open_store
from kukm.reference import vocab
from kukm.reports import bandingkan, laporan_tahunan, rekap
from kukm.reports.labels import TIDAK_DIKETAHUI, kanonik, kosakata
from kukm.rules.koperasi import BENTUK_LABEL, JENIS_LABEL
from kukm.rules.skala_koperasi import PERMENKOP_8_2023
from kukm.storage.base import Provenance, Store, WriteOp

#: The dimensions a koperasi table is asked for (the brief of the reports).
DIMS = ["jenis", "bentuk", "kelompok", "skala", "grade", "status_nik", "kab_kota", "kecamatan"]

#: (dimension, ODS spelling, variants that are the same value)
SPELLINGS = [
    ("kelompok", "Kop. Nelayan", ["KOP. NELAYAN", "Kop Nelayan", " kop.  nelayan "]),
    ("bentuk", "Primer Kabupaten/Kota", ["Primer Kab/Kota", "primer_kabkota", "PRIMER KAB/KOTA"]),
    ("jenis", "Simpan Pinjam", ["KSP", "simpan_pinjam", "SIMPAN PINJAM"]),
    ("status_nik", "Belum Bersertifikat", ["BELUM BERSERTIFIKAT", "belum-bersertifikat"]),
    ("status_nik", "Sertifikat - Expired", ["Sertifikat-Expired", "SERTIFIKAT EXPIRED"]),
    ("grade", "C1", ["c1", " C1 ", "c 1"]),
]


def _kop(
    i: int,
    *,
    year: int = 2024,
    skala: str | None = None,
    kode: str | None = "31.71.01.1001",
    **fields: str | None,
) -> WriteOp:
    return WriteOp(
        "koperasi",
        f"k{i}",
        Koperasi(nama=f"K{i}", alamat=Alamat(kode_wilayah=kode), **fields),  # type: ignore[arg-type]
        Provenance(SumberData.BIDANG_KOPERASI),
        valid_from=dt.date(year, 6, 1),
        atribut={"skala": skala},
    )


def _rows(store: Store, by: list[str], **kw: Any) -> dict[Any, int]:
    r = rekap(store, "koperasi", by, **kw)
    assert sum(row.jumlah for row in r.rows) == r.total
    keys = [row.kunci for row in r.rows]
    assert len(keys) == len(set(keys))
    return {row.kunci if len(by) > 1 else row.kunci[0]: row.jumlah for row in r.rows}


# -- skala of a koperasi ----------------------------------------------------------------------


def test_koperasi_skala_lists_every_tier_labelled() -> None:
    s = MemoryStore()
    s.write_batch(
        [_kop(i, skala=v, jenis="Simpan Pinjam") for i, v in enumerate(["I", "I", "iii", None])]
    )
    r = rekap(s, "koperasi", ["skala"])
    got = [(row.kunci[0], row.label[0], row.jumlah) for row in r.rows]
    assert got == [
        ("I", "Klasifikasi Usaha I", 2),
        ("II", "Klasifikasi Usaha II", 0),
        ("III", "Klasifikasi Usaha III", 1),
        ("IV", "Klasifikasi Usaha IV", 0),
        (None, TIDAK_DIKETAHUI, 1),
    ]
    assert r.total == 4
    assert r.judul == "Rekapitulasi Koperasi menurut Klasifikasi usaha KSP/KSPPS"
    assert r.tabel().kolom[1] == "Klasifikasi usaha KSP/KSPPS"
    # the tiers are those of the scheme imports store, and UMKM keep their own words
    assert kosakata("skala", kind="koperasi") == PERMENKOP_8_2023.tingkat
    assert rekap(MemoryStore(), "umkm", ["skala"]).rows[0].label == ("Usaha Mikro",)


def test_koperasi_skala_comparison_is_labelled() -> None:
    s = MemoryStore()
    s.write_batch([_kop(0, skala="I", year=2023), _kop(1, skala="II", year=2024)])
    p = bandingkan(s, "koperasi", "skala", 2023, 2024)
    got = [(r.kode, r.label, r.a, r.b) for r in p.rows]
    assert got[:2] == [("I", "Klasifikasi Usaha I", 1, 1), ("II", "Klasifikasi Usaha II", 0, 1)]
    assert "Klasifikasi usaha KSP/KSPPS" in p.judul and p.tabel().kolom[1] in p.judul


# -- ODS spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize(("dim", "canon", "variants"), SPELLINGS)
def test_ods_spellings_are_one_row(dim: str, canon: str, variants: list[str]) -> None:
    s = MemoryStore()
    values = [canon, *variants]
    s.write_batch([_kop(i, **{dim: v}) for i, v in enumerate(values)])
    one = _rows(s, [dim])
    assert one[canon] == len(values)
    assert {k for k, n in one.items() if n} == {canon}
    assert canon in kosakata(dim)  # the row is a vocabulary value, listed even at zero
    two = _rows(s, [dim, "kab_kota"])
    assert two == {(canon, "31.71"): len(values)}


@pytest.mark.parametrize(("dim", "canon", "variants"), SPELLINGS)
def test_a_respelled_record_is_no_change_between_years(
    dim: str, canon: str, variants: list[str]
) -> None:
    """The record is updated in 2024 with the same value in another spelling."""
    s = MemoryStore()
    s.write_batch([_kop(0, year=2023, **{dim: canon}), _kop(1, year=2023, **{dim: canon})])
    s.write_batch([_kop(0, year=2024, **{dim: variants[0]})])
    p = bandingkan(s, "koperasi", dim, 2023, 2024)
    changed = [(r.kode, r.a, r.b) for r in p.rows if r.a or r.b]
    assert changed == [(canon, 2, 2)]
    assert p.total_a == p.total_b == 2


def test_value_outside_the_ods_vocabulary_keeps_its_own_row() -> None:
    s = MemoryStore()
    s.write_batch(
        [_kop(0, kelompok="Kop. Nelayan"), _kop(1, kelompok="Koperasi Tani"), _kop(2, grade="E")]
    )
    kelompok = {k: n for k, n in _rows(s, ["kelompok"]).items() if n}
    assert kelompok == {"Kop. Nelayan": 1, "Koperasi Tani": 1, None: 1}
    grade = {k: n for k, n in _rows(s, ["grade"]).items() if n}
    assert grade == {"E": 1, None: 2}


def test_a_replaced_vocabulary_is_used() -> None:
    """A Dinas may replace an ODS vocabulary (vocab.set_vocabulary); tables follow it."""
    assert kanonik("grade", "c1") == "C1"
    meta = vocab.get("grade").metadata
    vocab.set_vocabulary(vocab.Vocabulary("grade", ("A", "B"), meta))
    try:
        assert kanonik("grade", "c1") == "c1"
        assert kanonik("grade", "a") == "A"
        assert kosakata("grade") == ("A", "B")
    finally:
        vocab.set_vocabulary(None, name="grade")
    assert kanonik("grade", "c1") == "C1"


ODS_DIMS = ["jenis", "bentuk", "kelompok", "status_nik", "grade"]


def _ods_values(dim: str) -> tuple[str, ...]:
    if dim == "jenis":
        return tuple(JENIS_LABEL.values())
    if dim == "bentuk":
        return tuple(BENTUK_LABEL.values())
    return tuple(vocab.get(dim).values)


@st.composite
def _variant(draw: st.DrawFn) -> tuple[str, str, str]:
    """A vocabulary value and a spelling of it: case, spaces and dots changed."""
    dim = draw(st.sampled_from(ODS_DIMS))
    canon = draw(st.sampled_from(_ods_values(dim)))
    out = []
    for ch in canon:
        if ch == ".":
            ch = draw(st.sampled_from([".", "", " "]))
        elif ch.isalpha():
            ch = draw(st.sampled_from([ch.lower(), ch.upper()]))
        out.append(ch)
    pad = draw(st.sampled_from(["", " ", "  "]))
    return dim, canon, pad + "".join(out) + pad


@settings(deadline=None)
@given(_variant())
def test_every_spelling_of_an_ods_value_counts_under_it(spec: tuple[str, str, str]) -> None:
    dim, canon, spelled = spec
    assert kanonik(dim, spelled, kind="koperasi") == canon
    assert kanonik(dim, canon, kind="koperasi") == canon


@settings(deadline=None)
@given(st.sampled_from([*ODS_DIMS, "skala"]), st.text(max_size=12))
def test_kanonik_is_stable_and_only_merges_into_the_vocabulary(dim: str, text: str) -> None:
    once = kanonik(dim, text, kind="koperasi")
    assert kanonik(dim, once, kind="koperasi") == once
    if once is not None and once != " ".join(text.split()):
        assert once in (kosakata(dim, kind="koperasi") or ())


@settings(deadline=None, max_examples=30)
@given(st.lists(st.tuples(st.sampled_from(ODS_DIMS), st.data()), min_size=1, max_size=8))
def test_tables_of_spellings_reconcile(items: list[tuple[str, st.DataObject]]) -> None:
    s = MemoryStore()
    ops = []
    expected: dict[str, Counter[str]] = {d: Counter() for d in ODS_DIMS}
    for i, (_, data) in enumerate(items):
        dim, canon, spelled = data.draw(_variant())
        ops.append(_kop(i, **{dim: spelled}))
        expected[dim][canon] += 1
    s.write_batch(ops)
    for dim in ODS_DIMS:
        got = {k: n for k, n in _rows(s, [dim]).items() if n and k is not None}
        assert got == dict(expected[dim])


# -- the real ODS sample ----------------------------------------------------------------------


def _respelled(row: dict[str, str]) -> dict[str, str]:
    """The same record as another system might write it (case, aliases, punctuation)."""
    out = dict(row)
    for field in ("Jenis Koperasi", "Kelompok Koperasi", "Status NIK", "Status Grade"):
        out[field] = out[field].upper().replace(".", "")
    out["Bentuk Koperasi"] = out["Bentuk Koperasi"].replace("Kabupaten/Kota", "Kab/Kota")
    return out


@pytest.fixture(scope="module")
def ods_rows() -> list[dict[str, str]]:
    from conftest import require_shared

    path = require_shared("data", "ods_sample", "ods_dki_sample.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _import(rows: list[dict[str, str]], path: Path) -> Store:
    store = open_store(f"sqlite:///{path}")
    report = import_ods(store, [OdsRow(i, r) for i, r in enumerate(rows, 1)])
    assert report.accepted == len(rows) == 689
    return store


def test_real_sample_tables_reconcile_and_speak_ods(
    ods_rows: list[dict[str, str]], tmp_path: Path
) -> None:
    store = _import(ods_rows, tmp_path / "a.sqlite")
    spelled = _import([_respelled(r) for r in ods_rows], tmp_path / "b.sqlite")
    try:
        source = {
            "jenis": Counter(r["Jenis Koperasi"] for r in ods_rows),
            "bentuk": Counter(r["Bentuk Koperasi"] for r in ods_rows),
            "kelompok": Counter(r["Kelompok Koperasi"] for r in ods_rows),
            "status_nik": Counter(r["Status NIK"] for r in ods_rows),
            "grade": Counter(r["Status Grade"] for r in ods_rows),
        }
        one = {d: _rows(store, [d]) for d in DIMS}
        for d, counts in source.items():
            assert {k: n for k, n in one[d].items() if n} == dict(counts)
            assert _rows(spelled, [d]) == one[d], d  # other spellings: the same table
        assert one["kelompok"]["Kop. Nelayan"] == 4
        assert one["grade"]["C1"] == 9
        assert one["bentuk"]["Primer Kabupaten/Kota"] == 55
        seribu = sum(r["Kabupaten"] == "Kab. Administrasi Kepulauan Seribu" for r in ods_rows)
        assert one["kab_kota"]["31.01"] == seribu == 13
        assert one["kecamatan"]["31.01.01"] + one["kecamatan"]["31.01.02"] == seribu
        assert one["skala"]["I"] + one["skala"]["II"] == source["jenis"]["Simpan Pinjam"]
        for a, b in itertools.combinations(DIMS, 2):
            two = _rows(store, [a, b])
            assert sum(two.values()) == 689
            by_a: Counter[Any] = Counter()
            for (ka, _), n in two.items():
                by_a[ka] += n
            assert {k: n for k, n in by_a.items() if n} == {k: n for k, n in one[a].items() if n}
            assert _rows(spelled, [a, b]) == two, (a, b)
        tahun = next(iter(store.iter_records("koperasi"))).valid_from.year
        lap = laporan_tahunan(store, tahun)
        for d, r in lap.rekap_koperasi.items():
            assert r.total == 689 and sum(row.jumlah for row in r.rows) == 689
            assert {row.kunci[0]: row.jumlah for row in r.rows} == one[d]
    finally:
        store.close()
        spelled.close()
