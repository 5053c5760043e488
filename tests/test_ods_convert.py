"""ODS record converter: lossless round-trip, problems reported, never dropped."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import CODES, Severity
from kukm.integration.ods import (
    ABSENT_KEY,
    ODS_FIELDS,
    format_count,
    format_date,
    from_ods,
    koperasi_id,
    parse_count,
    parse_date,
    to_ods,
)
from kukm.model import Koperasi


def _records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_all_sample_records_round_trip(ods_sample_path: Path) -> None:
    records = _records(ods_sample_path)
    assert len(records) == 689
    ids = set()
    for row, record in enumerate(records, start=1):
        result = from_ods(record, row=row, resolve=False)
        assert result.ok
        assert to_ods(result.koperasi) == record
        assert list(to_ods(result.koperasi)) == list(record)  # field order too
        ids.add(result.koperasi.id)
    assert len(ids) == 689


def test_sample_values_are_typed(ods_sample_path: Path) -> None:
    first = _records(ods_sample_path)[0]
    k = from_ods(first, resolve=False).koperasi
    assert k.id == k.nomor_induk_koperasi == "3101010020004"
    assert k.tanggal_badan_hukum == dt.date(2013, 2, 28)
    assert k.tanggal_perubahan_ad is None  # " " is blank
    assert (k.anggota_pria, k.anggota_wanita, k.total_anggota) == (154, 4, 158)
    assert k.alamat.kelurahan_nama == "Pulau Tidung"
    assert k.pengurus.ketua == "Ketua 0000"
    assert k.pengurus.manajer is None
    assert k.status_nik == "Belum Bersertifikat" and k.grade == "D"
    assert k.atribut_lain == {}  # everything canonical: nothing raw to keep


def test_thousands_separator_parsed_and_written() -> None:
    k = from_ods({"Koperasi": "A", "Total Anggota": "39,096"}).koperasi
    assert k.total_anggota == 39096
    assert to_ods(k)["Total Anggota"] == "39,096"


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ("Tanggal RAT Terakhir", "31/02/2020", "ODS_TANGGAL_INVALID"),
        ("Tanggal RAT Terakhir", "2020-13-01", "ODS_TANGGAL_INVALID"),
        ("Tanggal RAT Terakhir", "3/4/2019 12:00:00 AM", "ODS_TANGGAL_INVALID"),
        ("Total Anggota", "-5", "ODS_ANGKA_INVALID"),
        ("Total Anggota", "12.5", "ODS_ANGKA_INVALID"),
        ("Total Anggota", "1,01", "ODS_ANGKA_INVALID"),
        ("Jenis Koperasi", "Serba Usaha", "ODS_KOSAKATA_TIDAK_DIKENAL"),
        ("Status Grade", "E", "ODS_KOSAKATA_TIDAK_DIKENAL"),
        ("Status NIK", "Dicabut", "ODS_KOSAKATA_TIDAK_DIKENAL"),
        ("Kelompok Koperasi", "Kop. Antariksa", "ODS_KOSAKATA_TIDAK_DIKENAL"),
        ("Nomor Induk Koperasi (NIK)", "12345", "ODS_NIK_KOPERASI_INVALID"),
        ("Email Koperasi", "a@b.c", "ODS_FIELD_TIDAK_DIKENAL"),
    ],
)
def test_problems_are_reported_and_raw_kept(field: str, raw: str, code: str) -> None:
    record = {name: " " for name in ODS_FIELDS} | {"Koperasi": "K", field: raw}
    result = from_ods(record, row=7, resolve=False)
    found = [i for i in result.issues if i.code == code]
    assert found, result.issues
    assert found[0].row == 7 and found[0].field == field
    assert found[0].severity is Severity.WARNING
    assert result.ok  # kept, not rejected
    assert to_ods(result.koperasi) == record


def test_non_canonical_spellings_survive() -> None:
    record = {"Koperasi": " Koperasi  A ", "Total Anggota": "1012", "Tanggal RAT Terakhir": "1/2/2020",
              "Nomor Induk Koperasi (NIK)": "'3101010020004", "Nama Ketua": ""}
    k = from_ods(record).koperasi
    assert k.nama == "Koperasi  A" and k.total_anggota == 1012
    assert k.tanggal_rat_terakhir == dt.date(2020, 2, 1)
    assert k.nomor_induk_koperasi == "3101010020004" and k.id == "3101010020004"
    assert k.pengurus.ketua is None
    assert to_ods(k) == record


def test_non_string_values_kept_as_json() -> None:
    record = {"Koperasi": "A", "Total Anggota": 12, "Extra": [1, 2], "Status Grade": None}
    result = from_ods(record)
    assert result.koperasi.total_anggota == 12
    assert "ODS_BUKAN_TEKS" in {i.code for i in result.issues}
    assert to_ods(result.koperasi) == record


def test_absent_fields_stay_absent_and_are_reported() -> None:
    result = from_ods({"Koperasi": "A"})
    assert ABSENT_KEY in result.koperasi.atribut_lain
    assert [i.code for i in result.issues] == ["ODS_FIELD_HILANG"]
    assert to_ods(result.koperasi) == {"Koperasi": "A"}


def test_edited_value_wins_over_kept_spelling() -> None:
    import attrs

    k = from_ods({"Koperasi": "A", "Total Anggota": "1012"}).koperasi
    assert to_ods(attrs.evolve(k, total_anggota=2000))["Total Anggota"] == "2,000"
    bad = from_ods({"Koperasi": "A", "Tanggal RAT Terakhir": "xx"}).koperasi
    fixed = attrs.evolve(bad, tanggal_rat_terakhir=dt.date(2021, 3, 1))
    assert to_ods(fixed)["Tanggal RAT Terakhir"] == "01/03/2021"


def test_record_without_identity_is_an_error() -> None:
    result = from_ods({name: " " for name in ODS_FIELDS})
    assert not result.ok
    assert any(i.code == "ODS_TANPA_IDENTITAS" for i in result.issues)


def test_total_anggota_consistency() -> None:
    result = from_ods({"Koperasi": "A", "Jumlah Anggota Pria": "1", "Jumlah Anggota Wanita": "1",
                       "Total Anggota": "3"})
    assert "ODS_TOTAL_ANGGOTA" in {i.code for i in result.issues}


def test_wilayah_resolver_fills_kemendagri_code() -> None:
    calls: list[tuple[str | None, ...]] = []

    def resolver(prov: str | None, kab: str | None, kec: str | None, kel: str | None) -> str | None:
        calls.append((prov, kab, kec, kel))
        return "31.01.02.1001" if kel == "Pulau Tidung" else "31.01.02"

    rec = {"Koperasi": "A", "Kelurahan / Desa": "Pulau Tidung",
           "Kecamatan": "Kepulauan Seribu Selatan", "Kabupaten": "Kab. Administrasi Kepulauan Seribu",
           "Provinsi": "DKI Jakarta"}
    k = from_ods(rec, resolver=resolver).koperasi
    assert k.alamat.kode_wilayah == "31.01.02.1001"
    assert k.alamat.kelurahan_nama == "Pulau Tidung"  # names kept as written
    assert calls[0] == ("DKI Jakarta", "Kab. Administrasi Kepulauan Seribu",
                        "Kepulauan Seribu Selatan", "Pulau Tidung")
    other = from_ods(rec | {"Kelurahan / Desa": "3173010011"}, resolver=resolver)
    assert other.koperasi.alamat.kode_wilayah == "31.01.02"
    assert "ODS_WILAYAH_TIDAK_DIKENAL" in {i.code for i in other.issues}
    assert to_ods(other.koperasi) == rec | {"Kelurahan / Desa": "3173010011"}


def test_codes_registered_with_both_languages() -> None:
    for code in ("ODS_TANGGAL_INVALID", "ODS_KOSAKATA_TIDAK_DIKENAL", "ODS_TANPA_IDENTITAS"):
        info = CODES[code]
        assert info.message_id and info.message_en and info.module == "kukm.integration.ods"


def test_id_is_deterministic() -> None:
    assert koperasi_id(None, None, "Koperasi A") == koperasi_id(None, None, " koperasi a ")
    assert koperasi_id("12", "1/BH/I", "A") == "BH:1/BH/I"


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_date_codec_round_trip(d: dt.date) -> None:
    assert parse_date(format_date(d)) == d


@given(st.integers(min_value=0, max_value=10**12))
def test_count_codec_round_trip(n: int) -> None:
    assert parse_count(format_count(n)) == n


_text = st.text(alphabet=string.ascii_letters + string.digits + " /,.-:()'", max_size=20)
_value = st.one_of(
    _text,
    st.sampled_from([" ", "", "0", "1,012", "1012", "28/02/2013", "1/2/2013", "31/02/2013", "-",
                     "D", "E", "Konsumen", "3101010020004", " 3101010020004"]),
)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ODS_FIELDS), _value, max_size=len(ODS_FIELDS)),
    st.dictionaries(_text.filter(lambda s: s not in ODS_FIELDS and not s.startswith("~")), _text,
                    max_size=3),
)
def test_any_record_round_trips(known: dict[str, str], extra: dict[str, str]) -> None:
    record = {**known, **extra}
    result = from_ods(record, resolve=False)
    assert to_ods(result.koperasi) == record


def test_to_ods_of_a_fresh_koperasi() -> None:
    k = Koperasi(nama="Koperasi Baru", tanggal_rat_terakhir=dt.date(2024, 3, 30), grade="A")
    out = to_ods(k)
    assert list(out) == list(ODS_FIELDS)
    assert out["Tanggal RAT Terakhir"] == "30/03/2024"
    assert out["Nama Ketua"] == " "
    assert to_ods(from_ods(out).koperasi) == out
