"""Compliance state machine and certificate eligibility."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.model import Koperasi
from kukm.rules.kepatuhan import (
    AturanEligibilitas,
    AturanKepatuhan,
    StatusKepatuhan,
    assess,
    eligibility,
)

D = dt.date


@pytest.mark.parametrize(
    ("rats", "on", "status", "missed"),
    [
        ([D(2023, 5, 20)], D(2024, 6, 30), StatusKepatuhan.AKTIF, 0),  # deadline day: 2023 not yet due
        ([D(2023, 5, 20)], D(2024, 7, 1), StatusKepatuhan.RAT_TERLAMBAT, 1),
        ([D(2023, 5, 20)], D(2025, 6, 30), StatusKepatuhan.RAT_TERLAMBAT, 1),
        ([D(2023, 5, 20)], D(2025, 7, 1), StatusKepatuhan.TIDAK_AKTIF, 2),
        ([D(2023, 5, 20), D(2024, 3, 1)], D(2024, 7, 1), StatusKepatuhan.AKTIF, 0),
        ([D(2024, 9, 1)], D(2024, 10, 1), StatusKepatuhan.AKTIF, 0),  # late RAT for 2023 still counts
        ([], D(2024, 10, 1), StatusKepatuhan.TIDAK_AKTIF, 2),
    ],
)
def test_states(rats: list[dt.date], on: dt.date, status: StatusKepatuhan, missed: int) -> None:
    v = assess(rats, tanggal=on)
    assert v.status is status, v.explain("en")
    assert v.tahun_terlewat == missed
    assert "UU 25/1992 Pasal 26" in v.explain("id")


def test_new_koperasi_without_rat_is_aktif_until_first_deadline() -> None:
    k = Koperasi(nama="K", tanggal_badan_hukum=D(2023, 3, 1))
    assert assess(k, tanggal=D(2024, 6, 30)).status is StatusKepatuhan.AKTIF
    assert assess(k, tanggal=D(2024, 7, 1)).status is StatusKepatuhan.RAT_TERLAMBAT
    assert assess(k, tanggal=D(2025, 7, 1)).status is StatusKepatuhan.TIDAK_AKTIF


def test_configurable_deadline_and_limit() -> None:
    rules = AturanKepatuhan(bulan_batas_rat=3, tahun_tanpa_rat_tidak_aktif=3)
    v = assess([D(2022, 3, 1)], tanggal=D(2024, 4, 1), aturan=rules)
    assert v.tahun_buku_wajib == 2023 and v.status is StatusKepatuhan.RAT_TERLAMBAT
    assert assess([D(2022, 3, 1)], tanggal=D(2025, 4, 1), aturan=rules).status is StatusKepatuhan.TIDAK_AKTIF


def test_rat_after_reference_date_is_ignored() -> None:
    assert assess([D(2030, 1, 1)], tanggal=D(2024, 1, 1)).rat_terakhir is None


@pytest.mark.parametrize(
    ("rats", "years", "eligible"),
    [
        ([D(2023, 4, 1)], 1, True),
        ([D(2023, 4, 1)], 2, False),
        ([D(2022, 4, 1), D(2023, 4, 1)], 2, True),
        ([D(2021, 4, 1), D(2023, 4, 1)], 2, False),
        ([D(2021, 4, 1), D(2022, 4, 1), D(2023, 4, 1)], 3, True),
    ],
)
def test_eligibility_rat_years(rats: list[dt.date], years: int, eligible: bool) -> None:
    v = eligibility(rats, tanggal=D(2024, 1, 10), aturan=AturanEligibilitas(tahun_rat_berturut=years))
    assert v.eligible is eligible, v.explain("en")
    assert (v.berlaku_sampai is not None) is eligible


def test_eligibility_validity_and_health() -> None:
    rules = AturanEligibilitas(band_kesehatan_minimal="cukup_sehat", masa_berlaku_tahun=1)
    ok = eligibility([D(2023, 4, 1)], tanggal=D(2024, 1, 10), aturan=rules, band_kesehatan="sehat")
    assert ok.eligible and ok.berlaku_sampai == D(2025, 1, 10)
    no = eligibility([D(2023, 4, 1)], tanggal=D(2024, 1, 10), aturan=rules, band_kesehatan="dalam_pengawasan")
    assert not no.eligible and any("kesehatan" in r for r in no.reasons)
    assert not eligibility([D(2023, 4, 1)], tanggal=D(2024, 1, 10), aturan=rules).eligible
    assert not eligibility([], tanggal=D(2024, 1, 10)).eligible
    with pytest.raises(ValueError):
        AturanEligibilitas(tahun_rat_berturut=4)


@given(st.lists(st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 1, 1)), max_size=6),
       st.dates(min_value=D(2001, 1, 1), max_value=D(2030, 1, 1)))  # fmt: skip
def test_every_verdict_explains_itself_and_is_consistent(rats: list[dt.date], on: dt.date) -> None:
    v = assess(rats, tanggal=on)
    assert v.status.value in v.explain("id") and v.alasan_en in v.explain("en")
    if v.status is StatusKepatuhan.AKTIF:
        assert v.tahun_terlewat == 0
    e = eligibility(rats, tanggal=on)
    assert e.eligible == (v.status is StatusKepatuhan.AKTIF and v.rat_terakhir is not None)
    assert e.explain("en")
