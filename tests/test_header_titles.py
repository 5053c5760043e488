"""Column titles of real Dinas / Suku Dinas / Kelurahan sheets against the default forms.

Each title says what kukm takes it for (a field), or why it is not taken (``unclear``): a
title that could be two fields, or one whose meaning would put a wrong figure in a field
(a monthly turnover read as the yearly sales, the owner's home address read as the
business's), is never guessed.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.pipeline import load_instrument, run_file
from kukm.pipeline.header import (
    ABBREVIATIONS,
    ASK,
    BROAD_TITLES,
    GUARDS,
    TITLES,
    _Matcher,
    column_key,
    header_score,
    match_header,
    title_key,
)
from kukm.rules.instruments import Field, FieldType

UMKM = load_instrument("umkm")
KOPERASI = load_instrument("koperasi")
FORMS = {"umkm": UMKM, "koperasi": KOPERASI}

#: (form, title, field it gives or None, words the reason holds when it is not taken or None)
TABLE: list[tuple[str, str, str | None, str | None]] = [
    # row numbers are no field
    ("umkm", "No", None, None),
    ("umkm", "No.", None, None),
    ("umkm", "NO", None, None),
    ("umkm", "Nomor", None, None),
    ("umkm", "No Urut", None, None),
    ("koperasi", "No.", None, None),
    # names
    ("umkm", "Nama Usaha", "nama_usaha", None),
    ("umkm", "NAMA UMKM", "nama_usaha", None),
    ("umkm", "1. Nama Usaha", "nama_usaha", None),
    ("umkm", "(1) Nama Usaha", "nama_usaha", None),
    ("umkm", "a. Nama Usaha", "nama_usaha", None),
    ("umkm", "1.2 Nama Pemilik", "nama_pemilik", None),
    ("umkm", "NAMA USAHA :", "nama_usaha", None),
    ("umkm", "Nama Usaha\n(sesuai NIB)", "nama_usaha", None),
    ("umkm", "Nama UKM", "nama_usaha", None),
    ("umkm", "Business Name", "nama_usaha", None),
    ("umkm", "Nama Pelaku Usaha", "nama_pemilik", None),
    ("umkm", "Nama Pemilik", "nama_pemilik", None),
    ("umkm", "Nama Pemilik (sesuai KTP)", "nama_pemilik", None),
    ("umkm", "Owner Name", "nama_pemilik", None),
    ("umkm", "Nama", None, "business"),
    ("umkm", "Nama Lengkap", None, "owner"),
    ("koperasi", "Nama", "nama", None),
    ("koperasi", "Nama Koperasi", "nama", None),
    # NIK: the owner's in the UMKM form (its only NIK field), whose? in the koperasi form
    ("umkm", "NIK", "nik_pemilik", None),
    ("umkm", "No. NIK", "nik_pemilik", None),
    ("umkm", "NIK (16 digit)", "nik_pemilik", None),
    ("koperasi", "NIK", None, "whose NIK"),
    ("koperasi", "No. NIK", None, "whose NIK"),
    ("umkm", "NIK KTP", "nik_pemilik", None),
    ("umkm", "No. KTP", "nik_pemilik", None),
    ("umkm", "No KTP Pemilik", "nik_pemilik", None),
    ("umkm", "No. KTP (16 digit)", "nik_pemilik", None),
    ("umkm", "NIK Pelaku Usaha", "nik_pemilik", None),
    ("umkm", "NIK kependudukan pemilik", "nik_pemilik", None),  # the field's own title
    ("umkm", "NIK Koperasi", None, None),
    ("koperasi", "NIK Koperasi", "nomor_induk_koperasi", None),
    ("koperasi", "No. NIK Koperasi", "nomor_induk_koperasi", None),
    ("koperasi", "NIK Ketua", None, None),  # a person's NIK is no NIK Koperasi
    ("koperasi", "NIK Pemilik", None, None),
    # business numbers
    ("umkm", "NIB", "nib", None),
    ("umkm", "Nomor Induk Berusaha", "nib", None),
    ("umkm", "NIB (Nomor Induk Berusaha)", "nib", None),
    ("umkm", "NPWP", "npwp", None),
    ("umkm", "Nomor Pokok Wajib Pajak", "npwp", None),
    # contact
    ("umkm", "No. HP", "telepon", None),
    ("umkm", "No HP/WA", "telepon", None),
    ("umkm", "No. Telp/HP", "telepon", None),
    ("umkm", "Nomor Telepon/HP", "telepon", None),
    ("umkm", "HP/WA", "telepon", None),
    ("umkm", "No. WhatsApp", "telepon", None),
    ("umkm", "Nomor Handphone", "telepon", None),
    ("umkm", "Telp", "telepon", None),
    ("umkm", "Email", "email", None),
    ("umkm", "E-mail", "email", None),
    # addresses: the business's, never the owner's
    ("umkm", "Alamat", "alamat", None),
    ("umkm", "Alamat Usaha", "alamat", None),
    ("umkm", "Alamat Lengkap Usaha", "alamat", None),
    ("umkm", "Alamat (jalan, RT/RW)", "alamat", None),  # the field's own title
    ("umkm", "Alamat Usaha (Jalan, RT/RW)", "alamat", None),
    ("umkm", "Alamat Pemilik", None, "person's address"),
    ("umkm", "Alamat KTP", None, "person's address"),
    ("umkm", "Alamat (sesuai KTP)", None, "person's address"),
    ("umkm", "Alamat Rumah", None, "person's address"),
    ("umkm", "Alamat Domisili", None, "person's address"),
    ("umkm", "Alamat Tempat Tinggal", None, "person's address"),
    ("koperasi", "Alamat", "Alamat", None),  # an ODS label: the field itself
    ("koperasi", "Alamat Koperasi", "alamat", None),
    # regions (the UMKM form reads them to fill kode_wilayah: kukm.pipeline.wilayah)
    ("umkm", "Kelurahan", None, None),
    ("umkm", "Kode Wilayah", "kode_wilayah", None),
    ("umkm", "Kode Kelurahan", "kode_wilayah", None),
    ("koperasi", "Kelurahan", "kelurahan", None),
    ("koperasi", "Kota/Kab", "kabupaten", None),
    ("koperasi", "Kab.", "kabupaten", None),
    ("koperasi", "Prov.", "provinsi", None),
    ("koperasi", "Kode Pos", None, None),
    # kind of business: free text is no KBLI code
    ("umkm", "Jenis Usaha", None, None),
    ("umkm", "Bidang Usaha", None, None),
    ("umkm", "Sektor Usaha", None, None),
    ("umkm", "KBLI", "kbli", None),
    ("umkm", "KBLI 2020", "kbli", None),
    ("koperasi", "Bidang Usaha", "sektor_usaha", None),
    # turnover: the yearly sales only
    ("umkm", "Omzet/Tahun", "omzet_tahunan", None),
    ("umkm", "Omzet per Tahun (Rp)", "omzet_tahunan", None),
    ("umkm", "Omzet (Rp/Tahun)", "omzet_tahunan", None),
    ("umkm", "Omset (Rp/Thn)", "omzet_tahunan", None),
    ("umkm", "Omzet\nper Tahun", "omzet_tahunan", None),
    ("umkm", "Omset Pertahun", "omzet_tahunan", None),
    ("umkm", "Hasil Penjualan Tahunan (Rupiah)", "omzet_tahunan", None),
    ("umkm", "Annual Turnover", "omzet_tahunan", None),
    ("umkm", "Omzet", None, "without its period"),
    ("umkm", "Omset", None, "without its period"),
    ("umkm", "Penjualan", None, "without its period"),
    ("umkm", "Revenue", None, "without its period"),
    ("umkm", "Omset per Bulan (Rp)", None, "YEARLY"),
    ("umkm", "Omzet per Bulan", None, "YEARLY"),
    ("umkm", "Omzet Bulanan", None, "YEARLY"),
    ("umkm", "Omset/Bln", None, "YEARLY"),
    ("umkm", "Omzet (Rp/Bulan)", None, "YEARLY"),
    ("umkm", "Omzet Rata-rata per Bulan", None, "YEARLY"),
    ("umkm", "Omzet per Tahun (per bulan)", None, "YEARLY"),
    ("umkm", "Omzet Tahunan (rata-rata per bulan)", None, "YEARLY"),
    ("umkm", "Omzet Harian", None, "YEARLY"),
    ("umkm", "Penjualan per Minggu", None, "YEARLY"),
    ("umkm", "Monthly Turnover", None, "YEARLY"),
    ("umkm", "Omzet per Tahun (Rp juta)", None, "thousands or millions"),
    ("umkm", "Omzet/Tahun (Rp 000)", None, "thousands or millions"),
    ("umkm", "Omzet per Tahun (dalam ribuan Rp)", None, "thousands or millions"),
    ("umkm", "Modal Usaha (Juta Rupiah)", None, "thousands or millions"),
    ("umkm", "Omzet 2023", None, "stated year"),
    ("umkm", "Omzet Tahun 2024 (Rp)", None, "stated year"),
    # capital and assets
    ("umkm", "Modal", "modal_usaha", None),
    ("umkm", "Modal Usaha (Rp)", "modal_usaha", None),
    ("umkm", "Modal Usaha (tidak termasuk tanah dan bangunan)", "modal_usaha", None),
    ("umkm", "Aset", None, "are neither modal_usaha"),
    ("umkm", "Total Aset (Rp)", None, "are neither modal_usaha"),
    ("umkm", "Kekayaan Bersih", "kekayaan_bersih", None),
    ("umkm", "Modal Sendiri", None, None),
    ("koperasi", "Aset", "aset", None),
    ("koperasi", "Nilai Aset", "aset", None),
    ("koperasi", "Modal", None, "own capital"),
    ("koperasi", "Modal Sendiri (Rp)", "modal_sendiri", None),
    # workers
    ("umkm", "Jumlah Tenaga Kerja", "tenaga_kerja", None),
    ("umkm", "Jml Tenaga Kerja", "tenaga_kerja", None),
    ("umkm", "Jml Karyawan", "tenaga_kerja", None),
    ("umkm", "Jumlah TK (orang)", "tenaga_kerja", None),
    ("koperasi", "Jml Karyawan", "total_karyawan", None),
    ("koperasi", "Jml Anggota", "total_anggota", None),
    ("koperasi", "Anggota (P)", "anggota_wanita", None),
    # dates
    ("umkm", "Tgl Berdiri", "tanggal_berdiri", None),
    ("umkm", "Tanggal Berdiri (dd/mm/yyyy)", "tanggal_berdiri", None),
    ("umkm", "Tgl Berdiri (tgl/bln/thn)", "tanggal_berdiri", None),
    ("umkm", "Tahun Berdiri", None, "year is not a date"),
    ("umkm", "Tahun Mulai Usaha", None, "year is not a date"),
    ("koperasi", "Tahun RAT", None, "year is not a date"),
    ("koperasi", "Tgl RAT Terakhir", "tanggal_rat_terakhir", None),
    ("koperasi", "No. SK Badan Hukum", "nomor_badan_hukum", None),
    ("umkm", "Tanggal Pendataan", "tanggal_data", None),
    ("umkm", "Tgl. Pendataan", "tanggal_data", None),
    # the owner's sex
    ("umkm", "L/P", "jenis_kelamin", None),
    ("umkm", "Jenis Kelamin (L/P)", "jenis_kelamin", None),
    ("umkm", "12. Jenis Kelamin (L/P) :", "jenis_kelamin", None),
    ("umkm", "Sex", "jenis_kelamin", None),
    # where the data comes from
    ("umkm", "Sumber Data", "sumber_data", None),
    ("koperasi", "Sumber", "sumber_data", None),
    # nothing kukm keeps
    ("umkm", "Keterangan", None, None),
    ("umkm", "Tanggal Lahir", None, None),
    ("umkm", "RT/RW", None, None),
]


def test_the_title_table() -> None:
    """Every title of the table is what it says: the field it gives, or not taken and why."""
    wrong = []
    for form, title, want, why in TABLE:
        m = match_header(FORMS[form], [title])
        got = m.columns[0] if title not in m.unknown else None
        reason = getattr(m, "unclear", {}).get(title)
        if got != want or (why is None) != (reason is None) or (why and why not in str(reason)):
            wrong.append((form, title, got, reason))
    assert wrong == []


@pytest.mark.parametrize(
    "title",
    ["Omzet Bulanan", "Omzet per Bulan", "Omset/Bulan", "Omzet per Hari", "Omzet Mingguan"],
)
def test_a_monthly_turnover_is_never_the_hint_for_the_yearly_one(title: str) -> None:
    """The hint for the missing omzet_tahunan once said "did you mean 'Omzet Bulanan'?": an
    officer following it filed monthly figures as yearly ones (the scale then a class or two
    too low, PP 7/2021 Pasal 35). The monthly column is reported instead."""
    m = match_header(UMKM, ["Nama Usaha", title])
    assert "omzet_tahunan" in m.missing
    assert "omzet_tahunan" not in m.suggestions
    assert "omzet_tahunan" in m.unclear[title]


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("broad", ["Alamat", "ALAMAT LENGKAP", "Alamat:"])
def test_a_bare_alamat_gives_way_to_the_business_address(order: int, broad: str) -> None:
    """A sheet with the owner's data first (``Alamat``) and the business's after (``Alamat
    Usaha``) gave alamat the owner's address, the first column found; the specific title wins
    in either order, and the broad one is reported."""
    cols = ["Nama Usaha", broad, "Alamat Usaha"]
    if order:
        cols = ["Nama Usaha", "Alamat Usaha", broad]
    m = match_header(UMKM, cols)
    assert m.renamed["Alamat Usaha"] == "alamat"
    assert broad in m.unknown and "whose" in m.unclear[broad]
    assert match_header(UMKM, ["Nama Usaha", broad]).renamed[broad] == "alamat"  # alone: it


def test_a_column_whose_field_another_gives_is_reported() -> None:
    m = match_header(UMKM, ["No HP", "No. WA", "nama_usaha", "Nama UMKM"])
    assert m.renamed == {"No HP": "telepon"}
    assert m.unclear["No. WA"] == "column 'No HP' gives telepon already; not taken"
    assert m.unclear["Nama UMKM"] == "column 'nama_usaha' gives nama_usaha already; not taken"


def test_a_form_with_a_monthly_field_takes_the_monthly_title() -> None:
    """The guards only keep a qualified title from a field without the qualifier: a Dinas form
    (Kepgub E.11) with its own monthly field and owner's address takes those titles there, and
    the yearly and business ones stay where they were."""
    form = SimpleNamespace(
        fields=[
            Field("omzet_per_bulan", FieldType.RUPIAH),
            Field("omzet_tahunan", FieldType.RUPIAH),
            Field("alamat_pemilik"),
            Field("alamat"),
        ]
    )
    titles = ["Omzet per Bulan (Rp)", "Omzet/Tahun", "Alamat Pemilik", "Alamat Usaha"]
    m = match_header(form, titles)
    assert m.columns == ["omzet_per_bulan", "omzet_tahunan", "alamat_pemilik", "alamat"]
    assert m.unknown == ()


def test_the_header_score_counts_no_unclear_title() -> None:
    score = header_score(UMKM)
    assert score is not None
    assert score(["No", "Aset", "Omzet per Bulan", "Nama", "Alamat Pemilik"]) == 0
    assert score(["1. Nama Usaha", "Jenis Kelamin (L/P)", "Omzet (Rp/Tahun)"]) == 3


def test_the_cli_reports_a_monthly_column_and_stores_nothing_from_it(tmp_path: Path) -> None:
    """End to end: the monthly column is ignored and said so in --json's header.unclear; every
    row fails omzet_tahunan as missing (REQUIRED_MISSING), none is stored with a monthly figure
    for a yearly one."""
    path = tmp_path / "kel.csv"
    path.write_text(
        "No,Nama Usaha,No. KTP,Omzet per Bulan (Rp)\n1,Warung A,3171011708450001,2500000\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm", "--json"])
    header = json.loads(res.output)["header"]
    assert "omzet_tahunan" in header["missing"]
    assert "omzet_tahunan" not in header["suggestions"]
    assert "YEARLY" in header["unclear"]["Omzet per Bulan (Rp)"]
    summary = run_file(path, kind="umkm", errors_path=tmp_path / "e.csv", workers=0)
    assert summary.accepted == 0 and summary.by_code.get("REQUIRED_MISSING", 0) >= 1


# -- properties ----------------------------------------------------------------------------------

_KNOWN = [
    (form, title, name)
    for form, inst in FORMS.items()
    for f in inst.fields
    for name in [f.name]
    for title in (f.name, *f.aliases, *([f.title] if f.title else []), *TITLES.get(f.name, ()))
]


def _vary(title: str, upper: list[bool], sep: str, pad: tuple[str, str], number: str) -> str:
    """``title`` as another officer might write it: other case per letter, other blanks and
    punctuation between its words, a number before it, a colon or star after it."""
    words = [w for w in column_key(title).split("_") if w]
    cased = [
        "".join(ch.upper() if upper[(i + j) % len(upper)] else ch for j, ch in enumerate(w))
        for i, w in enumerate(words)
    ]
    return number + pad[0] + sep.join(cased) + pad[1]


@settings(max_examples=300, deadline=None)
@given(
    known=st.sampled_from(_KNOWN),
    upper=st.lists(st.booleans(), min_size=1, max_size=6),
    sep=st.sampled_from([" ", "  ", "\n", "\u00a0", "-", "_", ". ", " / ", "."]),
    pad=st.tuples(st.sampled_from(["", " ", "\n", "*"]), st.sampled_from(["", ":", " :", " *", "\n"])),
    number=st.sampled_from(["", "1. ", "12) ", "(3) ", "b. ", "4.1 "]),
    unit=st.sampled_from(["", " (Rp)", " (Rupiah)", "\n(orang)", " Rp"]),
)
def test_variations_of_a_known_title_give_its_field(
    known: tuple[str, str, str],
    upper: list[bool],
    sep: str,
    pad: tuple[str, str],
    number: str,
    unit: str,
) -> None:
    """Casing, blanks, line breaks, punctuation, a numbering and a unit do not change the field
    a title gives."""
    form, title, name = known
    varied = _vary(title, upper, sep, pad, number) + unit
    m = match_header(FORMS[form], [varied])
    assert m.columns == [name], (title, varied, m.unclear)


_WORDS = [
    "nama", "usaha", "pemilik", "nik", "no", "ktp", "alamat", "rumah", "domisili", "omzet",
    "omset", "per", "bulan", "tahun", "bln", "thn", "rp", "juta", "modal", "aset", "jumlah",
    "jml", "tenaga", "kerja", "karyawan", "tanggal", "tgl", "berdiri", "kelurahan", "kode",
    "wilayah", "koperasi", "anggota", "hp", "wa", "l/p", "(", ")", "2024", "1.",
]  # fmt: skip
_TITLE = st.one_of(
    st.sampled_from([t for _, t, _ in _KNOWN]),
    st.sampled_from([t for _, t, _, _ in TABLE]),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join),
    st.text(max_size=10),
)


@settings(max_examples=300, deadline=None)
@given(form=st.sampled_from(["umkm", "koperasi"]), titles=st.lists(_TITLE, max_size=8, unique=True))
def test_no_title_gives_two_fields_and_none_is_taken_silently_for_another(
    form: str, titles: list[str]
) -> None:
    """A column gives at most one field and a field comes from at most one column; a title
    renamed gives the field it gives alone; a column not taken is unknown (with, at most, a
    reason); no hint points at a column reported as unclear; a turnover per month never gives
    a yearly field and an owner's address never the business's."""
    inst = FORMS[form]
    labels = {label: f.name for f in inst.fields for label in (f.name, *f.aliases)}
    exact = [labels[t] for t in titles if t in labels]
    assume(len(exact) == len(set(exact)))  # two labels of one field: refused (HEADER_KOLOM_GANDA)
    m = match_header(inst, titles)
    names = [m.columns[i] for i, t in enumerate(titles) if t not in m.unknown]
    assert len(names) == len(set(names))
    for before, after in m.renamed.items():
        assert match_header(inst, [before]).columns == [after]
        words = set(title_key(before).split("_"))
        turnover, month = GUARDS[0][0], GUARDS[0][1]
        if words & turnover and words & month:
            raise AssertionError(f"{before!r} (a turnover per month) gave {after}")
        if after == "alamat":
            assert not words & GUARDS[1][1], before
    assert set(m.unclear) <= set(m.unknown)
    assert not set(m.suggestions.values()) & set(m.unclear)


@settings(max_examples=200, deadline=None)
@given(
    turnover=st.sampled_from(["Omzet", "Omset", "OMSET", "Penjualan", "Hasil Penjualan", "Pendapatan"]),
    per=st.sampled_from(["", "per ", "/", " / ", "Rata-rata per ", "Per-"]),
    month=st.sampled_from(["Bulan", "bulanan", "Bln", "BLN", "Hari", "Minggu", "Month"]),
    before=st.sampled_from(["", "1. ", "Total "]),
    after=st.sampled_from(["", " (Rp)", " (Rupiah)", ":", " Tahun 2024", " (Rp/Tahun)"]),
)
def test_a_turnover_per_month_never_feeds_the_yearly_sales(
    turnover: str, per: str, month: str, before: str, after: str
) -> None:
    """However the title puts it, a monthly (weekly, daily) turnover is not omzet_tahunan: it
    is reported, and the yearly field stays missing."""
    title = f"{before}{turnover} {per}{month}{after}"
    m = match_header(UMKM, ["Nama Usaha", title])
    assert m.columns[1] == title and "omzet_tahunan" in m.missing, title
    assert title in m.unclear and "omzet_tahunan" not in m.suggestions


def test_the_tables_fit_each_key_to_one_field() -> None:
    """In each default form a key or a normal key of a name, alias or common title names one
    field (a key naming two would leave every column with it unknown)."""
    for inst in FORMS.values():
        m = _Matcher(inst.fields)
        assert {k: v for k, v in m.by_key.items() if len(v) > 1} == {}
        assert {k: v for k, v in m.by_norm.items() if len(v) > 1} == {}
    # the words the rules read are written as normal keys write them
    for keys, _candidates, _why in ASK:
        assert all(title_key(k) == k for k in keys)
    assert not set(ABBREVIATIONS) & set(ABBREVIATIONS.values())
    assert all(any(_Matcher(i.fields).fit(t)[0] for i in FORMS.values()) for t in BROAD_TITLES)


def test_a_bare_nik_in_a_umkm_sheet_is_the_owners_and_checked_as_such(tmp_path: Path) -> None:
    """The UMKM form's only NIK is the owner's: a column titled 'NIK' fills nik_pemilik (every
    row was refused for the missing field); a Nomor Induk Koperasi put there (13 digits) is
    refused as a NIK kependudukan, never taken."""
    from kukm.pipeline import run_file
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv

    rows = list(generate_umkm(4, seed=3, faulty_share=0.0))
    src = tmp_path / "u.csv"
    write_csv(src, rows, UMKM_COLUMNS)
    text = src.read_text(encoding="utf-8").replace("nik_pemilik", "NIK", 1)
    src.write_text(text, encoding="utf-8")
    ok = run_file(src, kind="umkm")
    assert (ok.accepted, ok.rejected) == (4, 0)
    lines = text.splitlines()
    at = lines[0].split(",").index("NIK")
    cells = lines[1].split(",")
    cells[at] = "3173010010001"
    src.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    bad = run_file(src, kind="umkm")
    assert (bad.accepted, bad.rejected) == (3, 1)
    assert dict(bad.by_field).get("nik_pemilik") == 1
