"""The koperasi instrument: flat CSV form and ODS records as they come."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kukm.model import Koperasi
from kukm.rules.instruments import get_instrument

TODAY = dt.date(2025, 6, 1)


def test_flat_csv_row() -> None:
    r = get_instrument("koperasi").parse_row(
        {
            "nama": "Koperasi Maju", "nomor_badan_hukum": "AHU-0000804.AH.01.26.TAHUN 2019",
            "tanggal_badan_hukum": "02/12/2019", "tanggal_rat_terakhir": "2023-03-01",
            "bentuk": "primer kab/kota", "jenis": "simpan pinjam", "anggota_pria": "10",
            "anggota_wanita": "5", "total_anggota": "15", "modal_sendiri": "Rp 2,5 M",
        },
        today=TODAY,
    )
    assert r.issues == [], r.issues
    k = r.record
    assert isinstance(k, Koperasi)
    assert k.jenis == "Simpan Pinjam" and k.bentuk == "Primer Kabupaten/Kota"
    assert k.keuangan is not None and k.keuangan.modal_sendiri == 2_500_000_000


def test_cross_rules() -> None:
    r = get_instrument("koperasi").parse_row(
        {"nama": "K", "nomor_badan_hukum": "1/BH/I", "tanggal_badan_hukum": "2019-12-02", "bentuk": "Primer Nasional",
         "jenis": "Jasa", "tanggal_rat_terakhir": "2019-01-01", "anggota_pria": "1", "anggota_wanita": "1",
         "total_anggota": "3"},
        today=TODAY,
    )  # fmt: skip
    codes = {(i.code, i.kind) for i in r.issues}
    assert codes == {("RAT_BEFORE_BADAN_HUKUM", "konsisten"), ("TOTAL_ANGGOTA_MISMATCH", "konsisten")}
    assert r.record is None


def test_unknown_vocabulary_is_a_warning_and_kept() -> None:
    r = get_instrument("koperasi").parse_row(
        {"nama": "K", "nomor_badan_hukum": "1/BH/I", "tanggal_badan_hukum": "2019-12-02", "bentuk": "Primer Nasional",
         "jenis": "Koperasi Tani", "kelompok": "Kop. Entah"},
        today=TODAY,
    )  # fmt: skip
    assert r.record is not None
    assert r.record.jenis == "Koperasi Tani" and r.record.kelompok == "Kop. Entah"
    assert {i.code for i in r.issues} == {"VOCAB_UNKNOWN"}


def test_all_ods_sample_records_parse(ods_sample_path: Path) -> None:
    inst = get_instrument("koperasi")
    rows = [json.loads(line) for line in ods_sample_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 689
    rejected = []
    for n, row in enumerate(rows, 1):
        r = inst.parse_row(row, row_number=n, today=TODAY)
        if r.record is None:
            rejected.append((n, [(i.code, i.field) for i in r.errors]))
        else:
            assert r.record.nama == row["Koperasi"]
            assert r.record.nomor_induk_koperasi == row["Nomor Induk Koperasi (NIK)"].strip()
    assert rejected == []
