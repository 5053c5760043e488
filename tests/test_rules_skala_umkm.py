"""UMKM scale: every threshold at X and X+1, both regimes, both sides of 2021-02-02."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.model import Umkm
from kukm.rules.skala_umkm import (
    PP_7_2021,
    UU_20_2008,
    AturanGabungan,
    Skala,
    klasifikasi_umkm,
    scheme_for,
)

BEFORE = (dt.date(2008, 7, 4), dt.date(2021, 2, 1))
AFTER = (dt.date(2021, 2, 2), dt.date(2025, 12, 31))
ORDER = [Skala.MIKRO, Skala.KECIL, Skala.MENENGAH, Skala.BESAR]

CASES = []
for scheme, dates in ((UU_20_2008, BEFORE), (PP_7_2021, AFTER)):
    for k in scheme.kriteria:
        for tier, limit in enumerate(k.batas):
            for d in dates:
                CASES.append((scheme.name, k.atribut, limit, d, ORDER[tier], ORDER[tier + 1]))


@pytest.mark.parametrize(("scheme", "attr", "limit", "date", "at", "above"), CASES)
def test_threshold_x_and_x_plus_1(scheme: str, attr: str, limit: int, date: dt.date, at: Skala, above: Skala) -> None:
    v = klasifikasi_umkm(**{attr: limit}, tanggal=date)
    assert v.scheme == scheme
    assert v.skala is at, v.explain("en")
    w = klasifikasi_umkm(**{attr: limit + 1}, tanggal=date)
    assert w.skala is above, w.explain("en")


def test_exact_values_from_regulations() -> None:
    d = dt.date(2022, 1, 1)
    assert klasifikasi_umkm(modal_usaha=1_000_000_000, tanggal=d).skala is Skala.MIKRO
    assert klasifikasi_umkm(modal_usaha=1_000_000_001, tanggal=d).skala is Skala.KECIL
    assert klasifikasi_umkm(omzet_tahunan=50_000_000_001, tanggal=d).skala is Skala.BESAR
    old = dt.date(2020, 1, 1)
    assert klasifikasi_umkm(kekayaan_bersih=10_000_000_001, tanggal=old).skala is Skala.BESAR
    assert klasifikasi_umkm(omzet_tahunan=300_000_000, tanggal=old).skala is Skala.MIKRO


def test_regime_switch_day() -> None:
    assert scheme_for(dt.date(2021, 2, 1)) is UU_20_2008
    assert scheme_for(dt.date(2021, 2, 2)) is PP_7_2021
    # Rp 600 juta sales: kecil under UU 20/2008, mikro under PP 7/2021
    assert klasifikasi_umkm(omzet_tahunan=600_000_000, tanggal=dt.date(2021, 2, 1)).skala is Skala.KECIL
    assert klasifikasi_umkm(omzet_tahunan=600_000_000, tanggal=dt.date(2021, 2, 2)).skala is Skala.MIKRO


def test_modal_is_not_used_as_kekayaan_under_uu_20_2008() -> None:
    v = klasifikasi_umkm(modal_usaha=9_000_000_000, omzet_tahunan=1, tanggal=dt.date(2020, 1, 1))
    assert [k.kriteria for k in v.kriteria] == ["hasil_penjualan"]
    assert v.skala is Skala.MIKRO


def test_scheme_override_and_record_date() -> None:
    u = Umkm(nama_usaha="X", modal_usaha=2_000_000_000, kekayaan_bersih=40_000_000, tanggal_data=dt.date(2019, 5, 1))
    assert klasifikasi_umkm(u).scheme == UU_20_2008.name
    assert klasifikasi_umkm(u).skala is Skala.MIKRO
    assert klasifikasi_umkm(u, scheme=PP_7_2021).skala is Skala.KECIL


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (AturanGabungan.TERBESAR, Skala.MENENGAH),
        (AturanGabungan.TERKECIL, Skala.MIKRO),
        (AturanGabungan.HASIL_PENJUALAN, Skala.MENENGAH),
        (AturanGabungan.MODAL, Skala.MIKRO),
    ],
)
def test_disagreement_rules_are_named(rule: AturanGabungan, expected: Skala) -> None:
    v = klasifikasi_umkm(modal_usaha=1, omzet_tahunan=20_000_000_000, tanggal=dt.date(2024, 1, 1), aturan=rule)
    assert v.skala is expected
    assert not v.sepakat
    assert v.aturan == rule.value
    assert rule.value in v.explain("id") and rule.value in v.explain("en")


def test_no_values_gives_no_scale() -> None:
    v = klasifikasi_umkm(tanggal=dt.date(2024, 1, 1))
    assert v.skala is None
    assert "PP 7/2021" in v.explain("en")


amounts = st.integers(min_value=0, max_value=80_000_000_000)
dates = st.dates(min_value=dt.date(2009, 1, 1), max_value=dt.date(2030, 12, 31))


@given(amounts, amounts, amounts, st.integers(min_value=0, max_value=10**10), dates,
       st.sampled_from(["modal_usaha", "kekayaan_bersih", "omzet_tahunan"]), st.sampled_from(list(AturanGabungan)))
def test_scale_never_shrinks_when_an_amount_grows(
    modal: int, kekayaan: int, omzet: int, extra: int, date: dt.date, which: str, rule: AturanGabungan
) -> None:
    base = {"modal_usaha": modal, "kekayaan_bersih": kekayaan, "omzet_tahunan": omzet}
    grown = dict(base)
    grown[which] += extra
    a = klasifikasi_umkm(**base, tanggal=date, aturan=rule)
    b = klasifikasi_umkm(**grown, tanggal=date, aturan=rule)
    assert a.skala is not None and b.skala is not None
    assert b.skala.rank >= a.skala.rank


@given(amounts, amounts, dates)
def test_every_verdict_explains_itself(modal: int, omzet: int, date: dt.date) -> None:
    v = klasifikasi_umkm(modal_usaha=modal, omzet_tahunan=omzet, tanggal=date)
    for lang in ("id", "en"):
        text = v.explain(lang)
        assert v.dasar.regulasi in text and f"Pasal {v.dasar.pasal}" in text
        assert v.skala is not None and v.skala.value in text
        for k in v.kriteria:
            assert k.kriteria in text
            assert k.ayat is None or k.ayat in text
    d = v.as_dict()
    assert d["skala"] in {"mikro", "kecil", "menengah", "besar"}
    assert d["dasar_hukum"]["pasal"] == v.dasar.pasal
