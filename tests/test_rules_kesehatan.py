"""Health (Perdep 06/2016): score in [0, 100], band agrees, every component kept."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError
from kukm.rules.kesehatan import Band, band_for, default_tabel, load_tabel, nilai_kesehatan

INPUTS = sorted({n for k in default_tabel().komponen for n in k.pembilang + k.penyebut})
GROUPS = {m.id: m.pertanyaan for m in default_tabel().manajemen}


def test_default_table_weights() -> None:
    t = default_tabel()
    assert [int(w) for _, _, w in t.aspek] == [15, 25, 15, 10, 15, 10, 10]
    for a_id, _, w in t.aspek:
        parts = [k.bobot for k in t.komponen if k.aspek == a_id] + (
            [m.bobot for m in t.manajemen] if a_id == "manajemen" else []
        )
        assert sum(parts) == w, a_id
    assert all(k.keyakinan in {"P", "S", "D", "N"} and k.sumber for k in t.komponen)


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, Band.SEHAT), (80, Band.SEHAT), (Decimal("79.99"), Band.CUKUP_SEHAT), (66, Band.CUKUP_SEHAT),
     (Decimal("65.99"), Band.DALAM_PENGAWASAN), (51, Band.DALAM_PENGAWASAN),
     (Decimal("50.99"), Band.DALAM_PENGAWASAN_KHUSUS), (0, Band.DALAM_PENGAWASAN_KHUSUS)],
)  # fmt: skip
def test_band_edges(score: Decimal, band: Band) -> None:
    assert band_for(score) is band


def test_healthy_ksp_full_marks_where_expected() -> None:
    inputs = dict(modal_sendiri=500, total_aset=1000, pinjaman_diberikan_berisiko=100, modal_tertimbang=10, atmr=100,
                  volume_pinjaman_anggota=90, volume_pinjaman=100, risiko_pinjaman_bermasalah=0, pinjaman_diberikan=100,
                  cadangan_risiko=5, beban_operasi_anggota=80, partisipasi_bruto=100, beban_usaha=30, shu_kotor=100,
                  biaya_karyawan=4, kas_dan_bank=12, kewajiban_lancar=100, dana_diterima=100, shu_sebelum_pajak=100,
                  shu_bagian_anggota=60, partisipasi_neto=120, beban_usaha_dan_perkoperasian=100, pendapatan=10,
                  promosi_ekonomi_anggota=11, simpanan_pokok_dan_wajib=100)  # fmt: skip
    v = nilai_kesehatan(inputs, jawaban_manajemen=GROUPS)
    assert v.lengkap
    assert v.band is Band.SEHAT
    by = {k.id: k for k in v.komponen}
    assert by["npl"].skor == 5  # no problem loans
    assert by["cadangan_risiko"].skor == 5 and "penyebut nol" in by["cadangan_risiko"].keterangan
    assert by["ms_total_aset"].rasio == 50 and by["ms_total_aset"].skor == 6
    assert len(v.komponen) == len(default_tabel().komponen) + len(GROUPS)
    assert "sehat" in v.explain("id") and "Health score" in v.explain("en")


def test_missing_inputs_are_listed_not_guessed() -> None:
    v = nilai_kesehatan({"modal_sendiri": 1, "total_aset": 0})
    assert "ms_total_aset" in v.tidak_dinilai and not v.lengkap
    with pytest.raises(ValueError):
        nilai_kesehatan({}, jawaban_manajemen={"kelembagaan": 7})


def test_replaceable_table(tmp_path: Path) -> None:
    data = dict(default_tabel().raw or {})
    data["name"] = "dinas-2025"
    data["band"] = [{"id": "sehat", "min": "90"}, {"id": "cukup_sehat", "min": "70"},
                    {"id": "dalam_pengawasan", "min": "50"}, {"id": "dalam_pengawasan_khusus", "min": "0"}]  # fmt: skip
    p = tmp_path / "t.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    t = load_tabel(p)
    assert band_for(85, t) is Band.CUKUP_SEHAT
    assert nilai_kesehatan({}, tabel=t).tabel == "dinas-2025"
    data["aspek"] = data["aspek"][:-1]
    p.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_tabel(p)


amount = st.one_of(st.none(), st.integers(min_value=0, max_value=10**13))


@given(st.fixed_dictionaries({n: amount for n in INPUTS}),
       st.fixed_dictionaries({g: st.integers(min_value=0, max_value=q) for g, q in GROUPS.items()}))  # fmt: skip
def test_score_in_range_and_band_agrees(inputs: dict[str, int | None], answers: dict[str, int]) -> None:
    v = nilai_kesehatan(inputs, jawaban_manajemen=answers)
    assert 0 <= v.skor <= 100
    assert v.band is band_for(v.skor)
    assert v.skor == sum(k.skor for k in v.komponen)
    for k in v.komponen:
        assert 0 <= k.skor <= k.bobot
    assert sum(s for _, s, _ in v.aspek) == v.skor
    assert str(v.skor) in v.explain("id")
