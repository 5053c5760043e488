"""The default UMKM instrument: every issue of a row, kinds, warnings, typed records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import CODES, Severity
from kukm.model import JenisKelamin, SumberData, Umkm
from kukm.rules.instruments import RowResult, get_instrument
from kukm.rules.skala_umkm import Skala, klasifikasi_umkm

TODAY = dt.date(2025, 6, 1)
COLUMNS = [
    "id_sumber", "nama_usaha", "nib", "npwp", "nik_pemilik", "nama_pemilik", "jenis_kelamin",
    "alamat", "kode_wilayah", "kbli", "modal_usaha", "omzet_tahunan", "tenaga_kerja",
    "tanggal_berdiri", "telepon", "email", "sumber_data",
]  # fmt: skip


def good_row(**over: str) -> dict[str, str]:
    row = {
        "id_sumber": "SRC-1",
        "nama_usaha": "Warung Bu Sri",
        "nib": "1234567890123",
        "npwp": "",
        "nik_pemilik": "3171015708450001",  # woman (day 57 = 17 + 40)
        "nama_pemilik": "Sri",
        "jenis_kelamin": "P",
        "alamat": "Jl. Contoh 1 RT 001/002",
        "kode_wilayah": "31.71.01.1001",
        "kbli": "47111",
        "modal_usaha": "Rp 1.500.000",
        "omzet_tahunan": "1,5 juta",
        "tenaga_kerja": "3",
        "tanggal_berdiri": "17/08/2015",
        "telepon": "081234567890",
        "email": "sri@contoh.id",
        "sumber_data": "kelurahan",
    }
    row.update(over)
    return row


def parse(row: dict[str, Any]) -> RowResult:
    return get_instrument("umkm").parse_row(row, row_number=7, today=TODAY)


def test_instrument_has_the_issue_columns() -> None:
    names = [f.name for f in get_instrument("umkm").fields]
    assert names[: len(COLUMNS)] == COLUMNS
    assert {"kekayaan_bersih", "tanggal_data"} <= set(names)


def test_good_row_gives_typed_record() -> None:
    r = parse(good_row())
    assert r.issues == [], r.issues
    u = r.record
    assert isinstance(u, Umkm)
    assert u.modal_usaha == 1_500_000 and u.omzet_tahunan == 1_500_000
    assert u.tanggal_berdiri == dt.date(2015, 8, 17)
    assert u.pemilik.jenis_kelamin is JenisKelamin.PEREMPUAN
    assert u.pemilik.nik_penduduk == "3171015708450001"
    assert u.alamat.kode_wilayah == "31.71.01.1001"
    assert r.sumber_data is SumberData.KELURAHAN
    assert r.ok and r.row == 7
    assert klasifikasi_umkm(u, tanggal=TODAY).skala is Skala.MIKRO


def test_every_problem_is_reported_not_only_the_first() -> None:
    r = parse(good_row(nama_usaha="", nib="12", modal_usaha="1.5", tenaga_kerja="-1",
                       tanggal_berdiri="31/02/2020", email="x@", sumber_data="entah"))
    assert r.record is None
    got = {(i.field, i.code, i.kind) for i in r.issues}
    assert ("nama_usaha", "REQUIRED_MISSING", "lengkap") in got
    assert ("modal_usaha", "AMOUNT_AMBIGUOUS", "akurat") in got
    assert ("tenaga_kerja", "NEGATIVE_VALUE", "akurat") in got
    assert ("tanggal_berdiri", "DATE_INVALID", "akurat") in got
    assert ("email", "EMAIL_INVALID", "akurat") in got
    assert ("sumber_data", "ENUM_INVALID", "akurat") in got
    assert any(f == "nib" and k == "akurat" for f, _, k in got)
    for i in r.issues:
        assert i.row == 7
        assert i.code in CODES
        assert i.message_id and i.message_en


def test_completeness_is_separate_from_validity() -> None:
    r = parse({"nama_usaha": "X"})
    kinds = {i.kind for i in r.issues}
    assert kinds == {"lengkap"}
    assert {i.field for i in r.issues} >= {"nik_pemilik", "modal_usaha", "sumber_data"}


@pytest.mark.parametrize(
    ("date", "code"), [("2025-06-02", "DATE_IN_FUTURE"), ("31/12/1899", "DATE_BEFORE_1900")]
)
def test_tanggal_berdiri_cross_rule(date: str, code: str) -> None:
    r = parse(good_row(tanggal_berdiri=date))
    assert [(i.code, i.kind) for i in r.issues] == [(code, "konsisten")]
    assert r.record is None
    assert parse(good_row(tanggal_berdiri="2025-06-01")).ok
    assert parse(good_row(tanggal_berdiri="1900-01-01")).ok


def test_sex_against_nik_is_a_warning_that_does_not_reject() -> None:
    r = parse(good_row(jenis_kelamin="Laki-laki"))
    assert [(i.code, i.severity) for i in r.issues] == [("JENIS_KELAMIN_NIK_MISMATCH", Severity.WARNING)]
    assert r.record is not None and r.warnings and not r.errors
    assert parse(good_row(nik_pemilik="3171011708450001", jenis_kelamin="L")).issues == []


def test_negative_amounts_rejected() -> None:
    r = parse(good_row(omzet_tahunan="-Rp 5.000", kekayaan_bersih="-1"))
    assert {(i.field, i.code) for i in r.issues} == {("omzet_tahunan", "NEGATIVE_VALUE"), ("kekayaan_bersih", "NEGATIVE_VALUE")}


def test_optional_columns_and_extra_columns() -> None:
    r = parse(good_row(kekayaan_bersih="40 jt", tanggal_data="2020-12-31", kolom_lain="diabaikan"))
    assert r.record is not None
    assert r.record.kekayaan_bersih == 40_000_000
    assert r.record.tanggal_data == dt.date(2020, 12, 31)
    assert klasifikasi_umkm(r.record).scheme == "uu-20-2008-pasal-6"


def test_validate_record_matches_parse_row() -> None:
    inst = get_instrument("umkm")
    r = parse(good_row())
    assert r.record is not None
    assert [i.code for i in inst.validate_record(r.record, today=TODAY) if i.kind != "lengkap"] == []
    bad = Umkm(nama_usaha="", nib="12", modal_usaha=-5, tanggal_berdiri=dt.date(2030, 1, 1), email="nope")
    codes = {(i.field, i.code) for i in inst.validate_record(bad, today=TODAY)}
    assert ("nama_usaha", "REQUIRED_MISSING") in codes
    assert ("modal_usaha", "NEGATIVE_VALUE") in codes
    assert ("tanggal_berdiri", "DATE_IN_FUTURE") in codes
    assert ("email", "EMAIL_INVALID") in codes
    assert any(f == "nib" for f, _ in codes)


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@given(st.dictionaries(st.sampled_from([*COLUMNS, "kekayaan_bersih", "tanggal_data"]), text))
def test_parse_row_never_raises_and_rejects_iff_errors(row: dict[str, str]) -> None:
    r = parse(row)
    has_error = any(i.severity is Severity.ERROR for i in r.issues)
    assert (r.record is None) == has_error
    for i in r.issues:
        assert i.code in CODES and i.kind in {"lengkap", "akurat", "konsisten"}


@given(
    st.integers(min_value=0, max_value=10**14),
    st.sampled_from(["{}", "Rp {}", "Rp{}", "{} "]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.booleans(),
)
def test_written_amounts_and_dates_reach_the_record(amount: int, form: str, date: dt.date, iso: bool) -> None:
    written = form.format(f"{amount:,}".replace(",", "."))
    r = parse(good_row(modal_usaha=written, tanggal_berdiri=date.isoformat() if iso else date.strftime("%d/%m/%Y")))
    assert r.issues == [], r.issues
    assert r.record is not None
    assert r.record.modal_usaha == amount and r.record.tanggal_berdiri == date


@given(
    value=st.sampled_from(list(SumberData)),
    sep=st.sampled_from(["_", " ", "-"]),
    case=st.sampled_from([str, str.title, str.upper]),
    kind=st.sampled_from(["umkm", "koperasi"]),
)
def test_sources_as_sheets_write_them(value: SumberData, sep: str, case: Any, kind: str) -> None:
    """'Pelaku Usaha', 'PIHAK-LAIN', 'bidang_ukm': each source in any case with spaces or dashes."""
    inst = get_instrument(kind)
    res = inst.parse_row({"sumber_data": case(value.value.replace("_", sep))}, row_number=1)
    assert res.sumber_data is value
    assert "sumber_data" not in {i.field for i in res.issues}


@pytest.mark.parametrize(
    ("text", "value"),
    [("Suku Dinas", "sudin"), ("Dekopinwil", "dekopin"), ("DEKOPINDA", "dekopin"), ("Camat", "kecamatan"),
     ("Lurah", "kelurahan"), ("Pemilik Usaha", "pelaku_usaha"), ("Pihak Ketiga", "pihak_lain")],
)
def test_sources_by_the_decrees_names(text: str, value: str) -> None:
    res = get_instrument("umkm").parse_row({"sumber_data": text}, row_number=1)
    assert res.sumber_data is SumberData(value)


@pytest.mark.parametrize(
    ("text", "jk"),
    [("Lk", "L"), ("LAKI", "L"), ("laki2", "L"), ("Laki - Laki", "L"), ("Pr", "P"), ("W", "P")],
)
def test_sex_as_sheets_write_it(text: str, jk: str) -> None:
    res = get_instrument("umkm").parse_row({"jenis_kelamin": text}, row_number=1)
    assert "jenis_kelamin" not in {i.field for i in res.issues}
    row = {"jenis_kelamin": text, "nik_pemilik": "3171011708450001" if jk == "L" else "3171015708450001"}
    assert "JENIS_KELAMIN_NIK_MISMATCH" not in {i.code for i in get_instrument("umkm").parse_row(row, row_number=1).issues}
