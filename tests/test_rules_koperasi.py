"""Koperasi classification, KSP scale scheme and compliance on the 689 ODS records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kukm.exceptions import ConfigurationError
from kukm.model import Keuangan, Koperasi
from kukm.rules.amounts import parse_date
from kukm.rules.kepatuhan import StatusKepatuhan, assess
from kukm.rules.koperasi import BentukKoperasi, JenisKoperasi, klasifikasi_koperasi
from kukm.rules.skala_koperasi import (
    PERMENKOP_8_2023,
    klasifikasi_skala_koperasi,
    load_skala_koperasi,
)


def test_all_ods_sample_records_classify_and_get_a_compliance_state(ods_sample_path: Path) -> None:
    rows = [json.loads(line) for line in ods_sample_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 689
    states: dict[str, int] = {}
    on = dt.date(2022, 6, 1)
    for row in rows:
        rat = row["Tanggal RAT Terakhir"].strip()
        bh = row["Tanggal Badan Hukum Pendirian"].strip()
        k = Koperasi(
            nama=row["Koperasi"],
            jenis=row["Jenis Koperasi"],
            bentuk=row["Bentuk Koperasi"],
            kelompok=row["Kelompok Koperasi"],
            sektor_usaha=row["Sektor Usaha"],
            tanggal_rat_terakhir=parse_date(rat) if rat else None,
            tanggal_badan_hukum=parse_date(bh) if bh else None,
        )
        c = klasifikasi_koperasi(k)
        assert c.jenis is not None and c.bentuk is not None and c.kelompok is not None, row
        assert c.issues == ()
        v = assess(k, tanggal=on)
        assert v.explain("id") and v.explain("en")
        states[v.status.value] = states.get(v.status.value, 0) + 1
    assert sum(states.values()) == 689
    assert set(states) <= {s.value for s in StatusKepatuhan}


@pytest.mark.parametrize(
    ("text", "jenis"),
    [("Simpan Pinjam", JenisKoperasi.SIMPAN_PINJAM), ("KSP", JenisKoperasi.SIMPAN_PINJAM),
     ("konsumen", JenisKoperasi.KONSUMEN), ("pemasaran", JenisKoperasi.PEMASARAN)],
)  # fmt: skip
def test_jenis_spellings(text: str, jenis: JenisKoperasi) -> None:
    assert klasifikasi_koperasi(Koperasi(nama="K", jenis=text)).jenis is jenis


def test_bentuk_and_unknown_values_are_warnings() -> None:
    c = klasifikasi_koperasi(Koperasi(nama="K", bentuk="Sekunder Provinsi", kelompok="Kop. Tani", sektor_usaha="X"))
    assert c.bentuk is BentukKoperasi.SEKUNDER_PROVINSI
    assert c.kelompok == "Kop. Tani"
    assert {i.code for i in c.issues} == {"KOPERASI_KELOMPOK_UNKNOWN", "KOPERASI_SEKTOR_UNKNOWN"}
    assert all(i.severity.value == "warning" for i in c.issues)
    assert "bentuk" in c.explain("en")


@pytest.mark.parametrize(
    ("anggota", "modal", "aset", "tier"),
    [
        (5_000, None, None, "I"), (5_001, None, None, "II"), (10_000, None, None, "II"), (30_001, None, None, "IV"),
        (None, 2_500_000_000, None, "I"), (None, 2_500_000_001, None, "II"), (None, 50_000_000_001, None, "IV"),
        (None, None, 15_000_000_000, "I"), (None, None, 100_000_000_001, "III"), (None, None, 500_000_000_001, "IV"),
        (100, 1, 200_000_000_000, "III"),
    ],
)  # fmt: skip
def test_permenkop_8_2023_tiers(anggota: int | None, modal: int | None, aset: int | None, tier: str) -> None:
    v = PERMENKOP_8_2023.klasifikasi(anggota=anggota, modal_sendiri=modal, aset=aset, jenis="Simpan Pinjam")
    assert v.tingkat == tier
    assert "Permenkop UKM 8/2023 Pasal 49" in v.explain("id")


def test_ksp_scale_only_for_simpan_pinjam() -> None:
    k = Koperasi(nama="K", jenis="Konsumen", total_anggota=99_999)
    v = klasifikasi_skala_koperasi(k)
    assert not v.berlaku and v.tingkat is None
    k2 = Koperasi(nama="K", jenis="Simpan Pinjam", total_anggota=6_000, keuangan=Keuangan(aset=1))
    assert klasifikasi_skala_koperasi(k2).tingkat == "II"


def test_dinas_scheme_from_file(tmp_path: Path) -> None:
    p = tmp_path / "skala.toml"
    p.write_text(
        'name = "dinas-kuk"\nregulasi = "Keputusan Kepala Dinas X"\nkeyakinan = "P"\n'
        'tingkat = ["KUK1", "KUK2"]\ngabungan = "terkecil"\n[batas]\nanggota = [5000]\naset = [2500000000]\n',
        encoding="utf-8",
    )
    s = load_skala_koperasi(p)
    v = klasifikasi_skala_koperasi(Koperasi(nama="K", jenis="Jasa", total_anggota=6000,
                                            keuangan=Keuangan(aset=1)), scheme=s)  # fmt: skip
    assert v.tingkat == "KUK1" and v.gabungan == "terkecil"
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nregulasi = "y"\ntingkat = ["A", "B"]\n[batas]\nanggota = [1, 2]\n', encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_skala_koperasi(bad)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_opt = st.one_of(st.none(), st.integers(min_value=0, max_value=10**13))


@given(_opt, _opt, _opt, st.sampled_from(["Simpan Pinjam", "Konsumen", None]), st.integers(0, 10**12))
def test_ksp_tier_never_shrinks_and_explains(
    anggota: int | None, modal: int | None, aset: int | None, jenis: str | None, extra: int
) -> None:
    a = PERMENKOP_8_2023.klasifikasi(anggota=anggota, modal_sendiri=modal, aset=aset, jenis=jenis)
    assert a.explain("id") and a.explain("en")
    if a.tingkat is None:
        return
    b = PERMENKOP_8_2023.klasifikasi(
        anggota=anggota, modal_sendiri=None if modal is None else modal + extra, aset=aset, jenis=jenis
    )
    order = list(PERMENKOP_8_2023.tingkat)
    assert b.tingkat is not None and order.index(b.tingkat) >= order.index(a.tingkat)
    assert a.tingkat in a.explain("id")


def test_validate_record_of_koperasi() -> None:
    from kukm.rules.instruments import get_instrument

    k = Koperasi(nama="K", tanggal_badan_hukum=dt.date(2020, 1, 1), tanggal_rat_terakhir=dt.date(2019, 1, 1),
                 anggota_pria=1, anggota_wanita=1, total_anggota=3, jenis="Tani")  # fmt: skip
    got = {(i.field, i.code) for i in get_instrument("koperasi").validate_record(k, today=dt.date(2025, 1, 1))}
    assert ("tanggal_rat_terakhir", "RAT_BEFORE_BADAN_HUKUM") in got
    assert ("total_anggota", "TOTAL_ANGGOTA_MISMATCH") in got
    assert ("jenis", "VOCAB_UNKNOWN") in got
    assert ("nomor_badan_hukum", "REQUIRED_MISSING") in got
