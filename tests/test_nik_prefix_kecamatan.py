"""A new Nomor Induk Koperasi's prefix names the BPS kecamatan of the cooperative's address.

Digits 5-6 of the 9-digit prefix are the BPS kecamatan code without its trailing 0
(REGULATIONS.md §1.2 [D]); BPS and Kemendagri number the kecamatan of DKI differently
(§8: Gambir is Kemendagri 31.71.01, BPS 3173080, so its prefixes are ``317308…``; BPS
3173070 is Sawah Besar). The check goes through :mod:`kukm.reference.crosswalk`; a
kecamatan it does not know is ``NIK_PREFIX_KECAMATAN_UNKNOWN``, never assumed.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import InvalidComponent
from kukm.nik.allocation import (
    PrefixTable,
    assign_nomor_induk,
    nomor_induk_of,
    region_prefix,
    register_existing,
)
from kukm.plugins import open_store
from kukm.reference._meta import TableMetadata
from kukm.reference.crosswalk import Crosswalk, get_crosswalk, set_crosswalk

GAMBIR = "31.71.01.1001"
#: Kemendagri kecamatan code → BPS kecamatan code, for the 44 kecamatan of DKI (§8).
DKI_KECAMATAN = {k: v for k, v in get_crosswalk().items() if k.count(".") == 2}


def test_the_crosswalk_holds_all_44_dki_kecamatan() -> None:
    assert len(DKI_KECAMATAN) == 44
    assert DKI_KECAMATAN["31.71.01"] == "3173080" and DKI_KECAMATAN["31.71.02"] == "3173070"


@given(
    kecamatan=st.sampled_from(sorted(DKI_KECAMATAN)),
    other=st.sampled_from(sorted(DKI_KECAMATAN)),
    kelurahan=st.integers(1001, 1020),
    index=st.integers(0, 999),
)
def test_property_a_prefix_is_accepted_only_with_the_bps_kecamatan_of_its_kelurahan(
    kecamatan: str, other: str, kelurahan: int, index: int
) -> None:
    kode = f"{kecamatan}.{kelurahan}"
    own = DKI_KECAMATAN[kecamatan][:6] + f"{index:03d}"
    assert region_prefix(kode, table=PrefixTable({kode: own})) == own
    # the prefix of another kecamatan (same kota or not) gives no number
    foreign = DKI_KECAMATAN[other][:6] + f"{index:03d}"
    if other != kecamatan:
        with pytest.raises(InvalidComponent) as info:
            region_prefix(kode, table=PrefixTable({kode: foreign}))
        assert (info.value.code, info.value.field, info.value.value) == (
            "NIK_PREFIX_REGION_MISMATCH",
            "prefix",
            foreign,
        )
        assert DKI_KECAMATAN[kecamatan][:4] in info.value.message  # names the BPS code expected


@given(kecamatan=st.sampled_from(sorted(DKI_KECAMATAN)), digits=st.integers(0, 99))
def test_property_only_the_right_two_kecamatan_digits_pass(kecamatan: str, digits: int) -> None:
    bps = DKI_KECAMATAN[kecamatan]
    kode = f"{kecamatan}.1001"
    prefix = f"{bps[:4]}{digits:02d}001"
    table = PrefixTable({kode: prefix})
    if f"{digits:02d}0" == bps[4:]:
        assert region_prefix(kode, table=table) == prefix
    else:
        with pytest.raises(InvalidComponent) as info:
            region_prefix(kode, table=table)
        assert info.value.code == "NIK_PREFIX_REGION_MISMATCH"


def test_gambir_with_the_sawah_besar_prefix_gives_no_number() -> None:
    store = open_store("memory://")
    table = PrefixTable({GAMBIR: "317307001"})  # BPS 3173070 is Sawah Besar
    with pytest.raises(InvalidComponent) as info:
        assign_nomor_induk(store, "kop-g", kode_kelurahan=GAMBIR, table=table)
    # before the fix: 3173070010001, a Sawah Besar number for a Gambir address
    assert info.value.code == "NIK_PREFIX_REGION_MISMATCH"
    assert "3173080" in info.value.message
    assert nomor_induk_of(store, "kop-g") is None
    assert store.allocate_sequence("317307001") == 1  # no number of that prefix was used
    good = PrefixTable({GAMBIR: "317308001"})
    assert assign_nomor_induk(store, "kop-g", kode_kelurahan=GAMBIR, table=good) == (
        "3173080010001"
    )


def test_a_number_already_held_keeps_its_prefix() -> None:
    store = open_store("memory://")
    register_existing(store, "ods-1", "3173070010001", today=dt.date(2022, 1, 1))
    table = PrefixTable({GAMBIR: "317307001"})
    assert assign_nomor_induk(store, "ods-1", kode_kelurahan=GAMBIR, table=table) == (
        "3173070010001"
    )


def test_a_kecamatan_outside_the_crosswalk_is_not_assumed() -> None:
    # 31.71.09 is no kecamatan of Jakarta Pusat: kab/kota known, kecamatan not
    kode = "31.71.09.1001"
    with pytest.raises(InvalidComponent) as info:
        region_prefix(kode, table=PrefixTable({kode: "317309001"}))
    assert (info.value.code, info.value.field, info.value.value) == (
        "NIK_PREFIX_KECAMATAN_UNKNOWN",
        "kode_wilayah",
        kode,
    )


def test_a_crosswalk_without_kecamatan_codes_refuses_rather_than_guesses() -> None:
    meta = TableMetadata("crosswalk_bps", "", "", "test: kab/kota only")
    old = set_crosswalk(Crosswalk({"31": "31", "31.71": "3173"}, meta))
    try:
        with pytest.raises(InvalidComponent) as info:
            region_prefix(GAMBIR, table=PrefixTable({GAMBIR: "317308001"}))
        assert info.value.code == "NIK_PREFIX_KECAMATAN_UNKNOWN"
    finally:
        set_crosswalk(old)
    assert region_prefix(GAMBIR, table=PrefixTable({GAMBIR: "317308001"})) == "317308001"


def test_a_plain_kelurahan_code_is_checked_as_the_dotted_one() -> None:
    with pytest.raises(InvalidComponent) as info:
        region_prefix("3171011001", table=PrefixTable({"3171011001": "317307001"}))
    assert info.value.code == "NIK_PREFIX_REGION_MISMATCH"
    assert region_prefix("3171011001", table=PrefixTable({"3171011001": "317308001"})) == (
        "317308001"
    )


def test_every_prefix_of_the_ods_derived_table_passes() -> None:
    from conftest import require_shared

    path = require_shared("data", "ods_sample", "ods_prefiks_kelurahan_dki.csv")
    table = PrefixTable.from_csv(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["prefiks_nik"]]
    assert len(rows) > 200
    for row in rows:
        assert region_prefix(row["kode_kelurahan"], table=table) == row["prefiks_nik"]
