"""ODS exports we have not seen: variations of the 689 real records (../shared/data/ods_sample).

Each test takes real records and changes them the way other roads to the Dinas change an ODS
export (a CSV saved from a spreadsheet, a JSON API client, a data frame, another province's
rows in the national file), and checks there is no traceback, no value lost without an issue,
and no wrong verdict (a good record rejected, a NIK Koperasi replaced by a placeholder, a
Bandung koperasi given a DKI code).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.integration.ods import ODS_FIELDS, from_ods, to_ods
from kukm.integration.ods_fields import (
    FIELD_ALIASES,
    _parse_text,
    canonical_field,
    format_date,
    is_blank,
    parse_count,
    parse_date,
)
from kukm.integration.ods_io import OdsRow, export_ods, import_ods, read_csv
from kukm.model import Alamat, Koperasi
from kukm.plugins import open_store
from kukm.testing import strategies as ks

NIK = "Nomor Induk Koperasi (NIK)"
DATES = ("Tanggal Badan Hukum Pendirian", "Tanggal Perubahan Anggaran Dasar (Terbaru)",
         "Tanggal RAT Terakhir", "Tanggal Berlaku Sertifikat")
COUNTS = ("Jumlah Anggota Pria", "Jumlah Anggota Wanita", "Total Anggota", "Total Manajer",
          "Total Karyawan")
TEXTS = tuple(f for f in ODS_FIELDS if f not in DATES and f not in COUNTS and f != NIK)
REPORTED = {"ODS_FIELD_TIDAK_DIKENAL", "ODS_FIELD_HILANG", "ODS_TANGGAL_INVALID",
            "ODS_ANGKA_INVALID", "ODS_NIK_KOPERASI_INVALID", "ODS_FIELD_GANDA"}


@pytest.fixture(scope="module")
def sample() -> list[dict[str, str]]:
    from conftest import require_shared

    path = require_shared("data", "ods_sample", "ods_dki_sample.jsonl")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _typed(k: Koperasi) -> Koperasi:
    """What a record says, without the raw spellings kept beside it."""
    return attrs.evolve(k, atribut_lain={})


def _codes(record: dict[str, Any], **kw: Any) -> set[str]:
    return {i.code for i in from_ods(record, resolve=False, **kw).issues}


# -- field names ------------------------------------------------------------------------

_KEY_SPELLINGS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "padded": lambda k: f"  {k} ",
    "double spaces": lambda k: k.replace(" ", "  "),
    "no spaces around /": lambda k: k.replace(" / ", "/"),
    "no brackets": lambda k: k.replace("(", "").replace(")", ""),
    "bom": lambda k: "\ufeff" + k,
    "nbsp": lambda k: k.replace(" ", "\u00a0"),
    "snake": lambda k: k.lower().replace(" / ", "_").replace(" ", "_").replace("(", "").replace(")", ""),
}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_spelling_of_the_field_names_reads_the_same_koperasi(
    sample: list[dict[str, str]], data: st.DataObject
) -> None:
    """"nomor induk koperasi (nik)", "NOMOR INDUK KOPERASI NIK", "Nomor Induk Koperasi",
    a BOM before the first name …: every field is read as the ministry's own name reads it
    (before, such a record lost every field to atribut_lain and was rejected as having no
    identity), and the record comes back as written."""
    record = data.draw(st.sampled_from(sample))
    variant: dict[str, Any] = {}
    for name, value in record.items():
        labels = [name, *FIELD_ALIASES.get(name, ())]
        label = data.draw(st.sampled_from(labels))
        spell = data.draw(st.sampled_from(sorted(_KEY_SPELLINGS)))
        variant[_KEY_SPELLINGS[spell](label)] = value
    assert all(canonical_field(k) is not None for k in variant), variant
    got, want = from_ods(variant, resolve=False), from_ods(record, resolve=False)
    assert got.ok
    assert _typed(got.koperasi) == _typed(want.koperasi)
    assert not {i.code for i in got.issues} & {"ODS_FIELD_TIDAK_DIKENAL", "ODS_FIELD_HILANG"}
    assert to_ods(got.koperasi) == variant


@pytest.mark.parametrize("label", ["Nomor Induk Koperasi", "nomor induk koperasi (nik)",
                                   "NIK Koperasi", "NOMOR_INDUK_KOPERASI_NIK"])
def test_the_nik_koperasi_under_another_label_is_the_id(sample: list[dict[str, str]],
                                                        label: str) -> None:
    record = dict(sample[0])
    record[label] = record.pop(NIK)
    k = from_ods(record, resolve=False).koperasi
    assert k.id == k.nomor_induk_koperasi == "3101010020004"


def test_a_bare_nik_column_is_not_taken_for_the_nik_koperasi(sample: list[dict[str, str]]) -> None:
    """``NIK`` is also a person's 16-digit number (REGULATIONS.md §1.2): kept, reported."""
    record = dict(sample[0])
    record["NIK"] = record.pop(NIK)
    result = from_ods(record, resolve=False)
    assert result.koperasi.nomor_induk_koperasi is None
    assert {"ODS_FIELD_TIDAK_DIKENAL", "ODS_FIELD_HILANG"} <= {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


@given(
    st.dictionaries(
        st.sampled_from(["~ods_absent", "~ods_keys", "~ods_dup", "~json:Email", "~json:Koperasi",
                         "~x"]),
        st.one_of(st.sampled_from(["x", '["Koperasi"]', '{"a": 1}', "null"]), st.none(),
                  st.integers()),
        min_size=1,
    )
)
def test_source_fields_named_like_kukm_own_keys_come_back(extra: dict[str, Any]) -> None:
    """Before, a field named ``~ods_absent`` (or ``~json:…``) in a full record made
    :func:`to_ods` raise ``JSONDecodeError``."""
    record = {name: " " for name in ODS_FIELDS} | {"Koperasi": "A"} | extra
    result = from_ods(record, resolve=False)
    assert result.koperasi.nama == "A"
    assert to_ods(result.koperasi) == record


def test_a_field_given_twice_reads_the_one_with_a_value(sample: list[dict[str, str]]) -> None:
    record = sample[0]
    # the ministry's name blank (a CSV column another source left empty), the label filled
    both = {**record, "Koperasi": "", "Nama Koperasi": "Koperasi Lain"}
    result = from_ods(both, resolve=False)
    assert result.koperasi.nama == "Koperasi Lain"
    assert "ODS_FIELD_GANDA" not in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == both
    # two values: the ministry's name is read, the other kept and reported
    clash = {**record, "nama koperasi": "Koperasi Lain"}
    result = from_ods(clash, resolve=False)
    assert result.koperasi.nama == record["Koperasi"]
    assert [i.field for i in result.issues if i.code == "ODS_FIELD_GANDA"] == ["nama koperasi"]
    assert to_ods(result.koperasi) == clash
    same = {**record, "NAMA KOPERASI": record["Koperasi"]}
    assert "ODS_FIELD_GANDA" not in _codes(same)


def test_csv_export_of_records_read_under_other_names_keeps_their_values(
    sample: list[dict[str, str]],
) -> None:
    """The CSV header lists the names the sources used, so no value is dropped; importing
    the export gives the same koperasi."""
    store = open_store("memory://")
    lower = {k.lower(): v for k, v in sample[0].items()}
    import_ods(store, [OdsRow(1, lower), OdsRow(2, sample[1])], resolve=False)
    out = io.StringIO()
    export_ods(store, out, format="csv")
    again = open_store("memory://")
    report = import_ods(again, list(read_csv(io.StringIO(out.getvalue()))), resolve=False)
    assert (report.accepted, report.rejected) == (2, 0)
    assert not set(report.issue_counts) & REPORTED
    for stored in store.iter_records("koperasi"):
        copy = again.get("koperasi", stored.id)
        assert copy is not None and _typed(copy.record) == _typed(stored.record)  # type: ignore[arg-type]


# -- values that are not text -------------------------------------------------------------


def _as_number(text: str) -> Any:
    return int(text.replace(",", ""))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_json_numbers_read_as_the_text_they_stand_for(sample: list[dict[str, str]],
                                                      data: st.DataObject) -> None:
    """An API client's record: NIK Koperasi and counts as JSON ints or floats
    (``3101010020004.0``). Before, a float NIK Koperasi was "not 13 digits" (the id fell back
    to the badan hukum number) and a float count was invalid."""
    record = data.draw(st.sampled_from(sample))
    variant: dict[str, Any] = dict(record)
    for name in (NIK, *COUNTS):
        if record[name].strip() and data.draw(st.booleans()):
            number = _as_number(record[name])
            variant[name] = float(number) if data.draw(st.booleans()) else number
    result = from_ods(variant, resolve=False)
    assert _typed(result.koperasi) == _typed(from_ods(record, resolve=False).koperasi)
    assert not {i.code for i in result.issues} & REPORTED
    assert to_ods(result.koperasi) == variant


@pytest.mark.parametrize("value", [None, [], {}, True])
def test_null_and_structures_are_blanks(value: Any) -> None:
    record = {"Koperasi": "A", "Kecamatan": value, "Total Anggota": value}
    result = from_ods(record, resolve=False)
    k = result.koperasi
    assert k.alamat.kecamatan_nama is None and k.total_anggota is None
    assert ("ODS_BUKAN_TEKS" in {i.code for i in result.issues}) is (value is not None)
    assert to_ods(k) == record


@pytest.mark.parametrize(
    ("field", "value", "attr", "want"),
    [
        ("Tanggal RAT Terakhir", dt.date(2019, 3, 4), "tanggal_rat_terakhir", dt.date(2019, 3, 4)),
        ("Tanggal RAT Terakhir", dt.datetime(2019, 3, 4), "tanggal_rat_terakhir", dt.date(2019, 3, 4)),
        ("Total Anggota", Decimal("158"), "total_anggota", 158),
    ],
)
def test_python_values_from_a_workbook_reader_do_not_break_the_import(
    field: str, value: Any, attr: str, want: Any
) -> None:
    """Before: ``TypeError: Object of type date is not JSON serializable``."""
    result = from_ods({"Koperasi": "A", field: value}, resolve=False)
    assert getattr(result.koperasi, attr) == want


# -- blanks ------------------------------------------------------------------------------

_BLANKS = ("", " ", "  ", "-", "null", "NULL", "None", "N/A", "#N/A", "\u2014")


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_placeholders_for_no_value_are_blanks(sample: list[dict[str, str]],
                                              data: st.DataObject) -> None:
    """``-``, ``null``, ``N/A`` … in any field read as no value (before: an invalid date or
    count, or a NIK Koperasi ``-``), with no issue, and come back as written."""
    record = dict(data.draw(st.sampled_from(sample)))
    fields = data.draw(st.lists(st.sampled_from(ODS_FIELDS[1:]), min_size=1, unique=True))
    for name in fields:
        record[name] = data.draw(st.sampled_from(_BLANKS))
    result = from_ods(record, resolve=False)
    k = result.koperasi
    ods = to_ods(attrs.evolve(k, atribut_lain={}))
    assert all(ods[name] == " " for name in fields)
    assert not {i.code for i in result.issues} & REPORTED
    assert to_ods(k) == record


@pytest.mark.parametrize("value", ["nan", "NaT", "00/00/0000", "0000-00-00", "0000-00-00 00:00:00"])
def test_data_frame_and_database_blanks_in_dates(value: str) -> None:
    result = from_ods({"Koperasi": "A", "Tanggal RAT Terakhir": value}, resolve=False)
    assert result.koperasi.tanggal_rat_terakhir is None
    assert "ODS_TANGGAL_INVALID" not in {i.code for i in result.issues}


def test_nan_and_nil_stay_names_in_text_fields() -> None:
    """``Nan`` and ``Nil`` are names of people; only dates, counts and NIK read them as blank."""
    k = from_ods({"Koperasi": "A", "Nama Ketua": "Nan", "Nama Pengawas": "Nil"},
                 resolve=False).koperasi
    assert (k.pengurus.ketua, k.pengurus.pengawas) == ("Nan", "Nil")


_NOT_NUMBERS = ("3.10101E+12", "1234567890123456", "3101010020004 (aktif)", "310101002000")


@pytest.mark.parametrize("placeholder", ["-", "0", "null", "", " ", "N/A", *_NOT_NUMBERS])
def test_a_placeholder_nik_koperasi_does_not_replace_the_issued_one(
    sample: list[dict[str, str]], placeholder: str
) -> None:
    """Before, an ODS row with ``-`` in the NIK column (or Excel's ``3.10101E+12``, or the
    16-digit placeholder some apps show, REGULATIONS.md §1.2) replaced the stored NIK
    Koperasi with that text on import. Now a cell that is not a NIK Koperasi is kept as
    written beside the record and reported when it is not a blank."""
    store = open_store("memory://")
    import_ods(store, [OdsRow(1, sample[0])], resolve=False)
    later = {**sample[0], NIK: placeholder, "Status Grade": "A"}
    report = import_ods(store, [OdsRow(1, later)], resolve=False)
    assert report.updated == 1
    (stored,) = list(store.iter_records("koperasi"))
    assert stored.record.nomor_induk_koperasi == "3101010020004"  # type: ignore[union-attr]
    assert stored.record.grade == "A"  # type: ignore[union-attr]
    invalid = report.issue_counts.get("ODS_NIK_KOPERASI_INVALID", 0)
    assert invalid == (1 if placeholder in _NOT_NUMBERS else 0)
    assert to_ods(from_ods(later, resolve=False).koperasi) == later


@pytest.mark.parametrize("text", ["3101010020004.0", "'3101010020004", " 3101 0100 2000 4 "])
def test_nik_koperasi_as_a_spreadsheet_or_data_frame_writes_it(text: str) -> None:
    k = from_ods({"Koperasi": "A", NIK: text}, resolve=False).koperasi
    assert k.id == k.nomor_induk_koperasi == "3101010020004"


# -- dates ---------------------------------------------------------------------------------

_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember")
def _utc_of_midnight(day: dt.date, hours: int) -> str:
    """JavaScript's ``toISOString`` of midnight in UTC+``hours`` (WIB 7, WITA 8, WIT 9)."""
    local = dt.datetime.combine(day, dt.time(0), dt.timezone(dt.timedelta(hours=hours)))
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


_DATE_FORMS: dict[str, Callable[[dt.date], str]] = {
    "ods": format_date,
    "iso": dt.date.isoformat,
    "iso midnight": lambda d: f"{d.isoformat()}T00:00:00",
    "iso space": lambda d: f"{d.isoformat()} 00:00:00",
    "iso ms zone": lambda d: f"{d.isoformat()}T00:00:00.000+07:00",
    "dash": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year:04d}",
    "dot": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}",
    "short": lambda d: f"{d.day}/{d.month}/{d.year:04d}",
    "ymd slash": lambda d: f"{d.year:04d}/{d.month:02d}/{d.day:02d}",
    "bulan": lambda d: f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year:04d}",
    "bln": lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year:04d}",
    "utc of WIB midnight": lambda d: _utc_of_midnight(d, 7),
    "utc of WITA midnight": lambda d: _utc_of_midnight(d, 8),
    "utc of WIT midnight": lambda d: _utc_of_midnight(d, 9),
    "dotnet local WIB": lambda d: (
        f"/Date({int(dt.datetime.combine(d, dt.time(0), dt.timezone(dt.timedelta(hours=7))).timestamp())}000+0700)/"
    ),
    "dotnet": lambda d: f"/Date({int(dt.datetime.combine(d, dt.time(0), dt.UTC).timestamp())}000)/",
}


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1950, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(sorted(_DATE_FORMS)))
def test_dates_in_the_forms_exports_use(day: dt.date, form: str) -> None:
    """ISO, ``DD-MM-YYYY``, ``4/3/2019``, ``04 Maret 2019``, a JavaScript timestamp of WIB
    midnight, .NET ``/Date(ms)/``: all read as the date (before, every form but the first and
    ``4/3/2019`` was an invalid date), and written back as given."""
    text = _DATE_FORMS[form](day)
    assert parse_date(text) == day
    record = {"Koperasi": "A", "Tanggal RAT Terakhir": text}
    result = from_ods(record, resolve=False)
    assert result.koperasi.tanggal_rat_terakhir == day
    assert "ODS_TANGGAL_INVALID" not in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


@pytest.mark.parametrize(
    "text", ["31/02/2019", "04/03/19", "3/4/2019 12:00:00 AM", "2019-02-30", "Maretan 2019",
             "4 Mart 2019", "13/13/2019", "/Date(abc)/"]
)
def test_dates_that_are_not_read_are_reported(text: str) -> None:
    """Two-digit years and AM/PM times (the US month-first layout) are not guessed."""
    record = {"Koperasi": "A", "Tanggal RAT Terakhir": text}
    result = from_ods(record, resolve=False)
    assert result.koperasi.tanggal_rat_terakhir is None
    assert "ODS_TANGGAL_INVALID" in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


# -- counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [("1.012", 1012), ("1.012.345", 1012345), (" 158 ", 158), ("158.0", 158), ("158,00", 158),
     ("1,012.00", 1012), ("1.012,00", 1012), ("1,000", 1000)],
)
def test_counts_as_indonesian_spreadsheets_write_them(text: str, want: int) -> None:
    record = {"Koperasi": "A", "Total Anggota": text}
    result = from_ods(record, resolve=False)
    assert result.koperasi.total_anggota == want
    assert "ODS_ANGKA_INVALID" not in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


@pytest.mark.parametrize("text", ["9" * 30, "9" * 5000, "99,999,999,999,999,999,999", "12.5",
                                  "-3", "1 012"])
def test_counts_that_are_not_counts_are_reported_not_a_crash(text: str) -> None:
    """Before, 5,000 digits raised ``ValueError: Exceeds the limit (4300 digits)`` and 30
    digits became a count no SQL ``BIGINT`` holds."""
    record = {"Koperasi": "A", "Total Anggota": text}
    result = from_ods(record, resolve=False)
    assert result.koperasi.total_anggota is None
    assert "ODS_ANGKA_INVALID" in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


@given(st.integers(0, 2**63 - 1), st.sampled_from([",", ".", ""]))
def test_count_groupings_read_back(n: int, mark: str) -> None:
    assert parse_count(f"{n:,}".replace(",", mark)) == n


# -- regions ---------------------------------------------------------------------------------

_OTHER_PROVINCE = [
    # (Provinsi, Kabupaten, Kecamatan, Kelurahan): names also found in DKI, or another place
    ("Jawa Barat", "Kota Bandung", "Gambir", "Cideng"),
    ("Jawa Barat", " ", "Gambir", "Cideng"),
    (" ", "Kota Bandung", "Gambir", "Cideng"),
    ("Jawa Barat", " ", "Tanah Abang", "Kebon Melati"),
    ("Sumatera Selatan", " ", "Tanah Abang", "Kebon Melati"),
    ("Jawa Barat", "Kota Bandung", "Sumur Bandung", "Braga"),
    ("Banten", "Kota Tangerang", "Cipondoh", "Cipondoh"),
]


@pytest.mark.parametrize("names", _OTHER_PROVINCE)
def test_a_koperasi_of_another_province_gets_no_dki_code(
    sample: list[dict[str, str]], names: tuple[str, str, str, str]
) -> None:
    """The ODS is national. Before, a Jawa Barat koperasi whose kecamatan and kelurahan names
    also exist in DKI (Gambir/Cideng, Tanah Abang/Kebon Melati) was given the DKI kelurahan."""
    pytest.importorskip("kukm.reference.wilayah")
    prov, kab, kec, kel = names
    record = {**sample[5], "Provinsi": prov, "Kabupaten": kab, "Kecamatan": kec,
              "Kelurahan / Desa": kel}
    result = from_ods(record)
    kode = result.koperasi.alamat.kode_wilayah
    assert kode is None or not kode.startswith("31"), kode
    assert result.ok
    assert to_ods(result.koperasi) == record


def test_a_dki_record_still_resolves_with_its_province_named(sample: list[dict[str, str]]) -> None:
    pytest.importorskip("kukm.reference.wilayah")
    record = {**sample[5], "Provinsi": "DKI JAKARTA", "Kabupaten": "KOTA ADM. JAKARTA PUSAT",
              "Kecamatan": "GAMBIR", "Kelurahan / Desa": "CIDENG"}
    assert from_ods(record).koperasi.alamat.kode_wilayah == "31.71.01.1002"


def test_a_record_without_kecamatan_gets_its_kab_kota_code(sample: list[dict[str, str]]) -> None:
    """Before, no code at all (and no issue): a Sudin scoped to its kota never saw it."""
    pytest.importorskip("kukm.reference.wilayah")
    record = {**sample[5], "Kabupaten": "Jakarta Pusat", "Kecamatan": " ", "Kelurahan / Desa": " "}
    result = from_ods(record)
    assert result.koperasi.alamat.kode_wilayah == "31.71"
    assert "ODS_WILAYAH_TIDAK_DIKENAL" in {i.code for i in result.issues}


# -- generated koperasi ---------------------------------------------------------------------


def _as_read(k: Koperasi) -> Koperasi:
    """``k`` as the ODS layout carries it and :func:`from_ods` reads text (blanks around a
    text and placeholders such as ``-`` are no value)."""

    def text(value: str | None) -> str | None:
        return None if value is None else _parse_text(value)

    a, p = k.alamat, k.pengurus
    return Koperasi(
        nama=text(k.nama) or "",
        nomor_badan_hukum=text(k.nomor_badan_hukum),
        tanggal_badan_hukum=k.tanggal_badan_hukum,
        nomor_perubahan_ad=text(k.nomor_perubahan_ad),
        tanggal_perubahan_ad=k.tanggal_perubahan_ad,
        tanggal_rat_terakhir=k.tanggal_rat_terakhir,
        alamat=Alamat(jalan=text(a.jalan), kelurahan_nama=text(a.kelurahan_nama),
                      kecamatan_nama=text(a.kecamatan_nama), kabkota_nama=text(a.kabkota_nama),
                      provinsi_nama=text(a.provinsi_nama)),
        bentuk=text(k.bentuk), jenis=text(k.jenis), kelompok=text(k.kelompok),
        sektor_usaha=text(k.sektor_usaha),
        pengurus=attrs.evolve(p, ketua=text(p.ketua), sekretaris=text(p.sekretaris),
                              bendahara=text(p.bendahara), pengawas=text(p.pengawas),
                              manajer=text(p.manajer)),
        anggota_pria=k.anggota_pria, anggota_wanita=k.anggota_wanita,
        total_anggota=k.total_anggota, total_manajer=k.total_manajer,
        total_karyawan=k.total_karyawan, nomor_induk_koperasi=k.nomor_induk_koperasi,
        status_nik=text(k.status_nik),
        tanggal_berlaku_sertifikat=k.tanggal_berlaku_sertifikat, grade=text(k.grade),
    )


def _ods_part(k: Koperasi) -> Koperasi:
    return attrs.evolve(k, id=None, atribut_lain={},
                        alamat=attrs.evolve(k.alamat, kode_wilayah=None))


@settings(max_examples=60, deadline=None)
@given(ks.koperasi(atribut_lain=st.just({})), st.sampled_from(sorted(_KEY_SPELLINGS)))
def test_generated_koperasi_survive_the_ods_layout_under_any_field_spelling(
    k: Koperasi, spell: str
) -> None:
    """``from_ods(to_ods(k))`` gives back every ODS field of ``k`` (as the reading rules read
    text), whatever spelling the field names come in."""
    k = attrs.evolve(k, alamat=attrs.evolve(k.alamat, kode_wilayah=None))
    ods = {_KEY_SPELLINGS[spell](name): value for name, value in to_ods(k).items()}
    result = from_ods(ods, resolve=False)
    assert _ods_part(result.koperasi) == _ods_part(_as_read(k))
    assert to_ods(result.koperasi) == ods


_LABELS = [*ODS_FIELDS, *(a for v in FIELD_ALIASES.values() for a in v), "Email", "NIK", "~x"]
_JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["-", "null", "0", "1.012", "2019-03-04", "04 Maret 2019", "3101010020004",
                     "3.1E+12", "1,012.00", "/Date(0)/", "0000-00-00", "Gambir", "Jawa Barat"]),
)
_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(
    st.one_of(st.sampled_from(_LABELS), st.sampled_from(_LABELS).map(str.upper), st.text(max_size=12)),
    _JSON, max_size=35,
))
def test_any_json_record_is_read_without_a_traceback_and_given_back(record: dict[str, Any]) -> None:
    """Whatever names and JSON values a record holds (and with the default region resolver):
    no exception, and :func:`to_ods` gives the record back."""
    result = from_ods(record)
    assert json.dumps(to_ods(result.koperasi), sort_keys=True) == json.dumps(record, sort_keys=True)


# -- files -----------------------------------------------------------------------------------


def test_cli_imports_a_spreadsheet_csv_with_other_headers_bom_and_blank_cells(
    sample: list[dict[str, str]], tmp_path: Path
) -> None:
    """A CSV saved from a spreadsheet: a BOM, lowercase headers in other labels, ``-`` and
    empty cells, ISO dates, ``1.012`` counts, blank lines. Every row is accepted with the values
    of the original record."""
    import csv

    from kukm.cli import cli

    records = sample[:40]
    header = {name: (FIELD_ALIASES.get(name) or (name,))[0].lower() for name in ODS_FIELDS}
    path = tmp_path / "ods.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[header[n] for n in ODS_FIELDS], lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            row = {}
            for name, value in record.items():
                if name in DATES and (d := parse_date(value)) is not None:
                    value = d.isoformat()
                elif name in COUNTS and (n := parse_count(value)) is not None:
                    value = f"{n:,}".replace(",", ".")
                elif is_blank(value):
                    value = "-" if name in TEXTS else ""
                row[header[name]] = value
            writer.writerow(row)
        fh.write("\r\n")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", db, "--json", "--no-resolve"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert (data["input"], data["accepted"]) == (40, 40)
    assert not set(data["issue_counts"]) & REPORTED, data["issue_counts"]
    store = open_store(db)
    try:
        for record in records:
            want = from_ods(record, resolve=False).koperasi
            got = store.get("koperasi", want.id or "")
            assert got is not None and _typed(got.record) == _typed(want)  # type: ignore[arg-type]
    finally:
        store.close()
