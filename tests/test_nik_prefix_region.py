"""A new Nomor Induk Koperasi carries the BPS region of the cooperative's address.

The address holds a Kemendagri code (31.74 = Jakarta Selatan), the number a BPS one
(3171 = Jakarta Selatan; 3174 is Jakarta Barat): REGULATIONS.md §1.2, §8. A prefix table
that mixes them (or names another kota) must not give a number: ``NIK_PREFIX_REGION_MISMATCH``,
checked through :mod:`kukm.reference.crosswalk` before any number is used.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.certificate.keys import generate_private_key
from kukm.exceptions import InvalidComponent, KukmError
from kukm.governance import Service, User
from kukm.model import Alamat, Koperasi
from kukm.nik.allocation import PrefixTable, nomor_induk_of, region_prefix
from kukm.nik.application import NikWorkflow, StatusPermohonan
from kukm.nik.eligibility import Kelayakan
from kukm.plugins import open_store
from kukm.reference.crosswalk import from_bps, to_bps

KELURAHAN = "31.74.07.1001"  # Jakarta Selatan (Kemendagri 31.74 = BPS 3171)
DKI_KABKOTA = ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]


def _always(koperasi: Koperasi, on: dt.date) -> Kelayakan:
    return Kelayakan(True)


def test_a_prefix_with_the_kemendagri_code_gives_no_number() -> None:
    store = open_store("memory://")
    Service(store, User("admin-1", "administrator")).grant(User("sudin-jaksel", "sudin", "31.74"))
    # the Kemendagri kota code put where the BPS one belongs: 3174 is BPS Jakarta Barat
    table = PrefixTable({KELURAHAN: "317406001"})
    wf = NikWorkflow(store, prefix_table=table, eligibility=_always)
    kop = Koperasi(nama="K", id="kop-s", alamat=Alamat(jalan="Jl. Kemang", kode_wilayah=KELURAHAN))
    p = wf.submit(kop, wilayah_keanggotaan=["31.74"], waktu=dt.datetime(2026, 3, 1, 9))
    wf.verify(p.id, "sudin-jaksel")
    with pytest.raises(KukmError) as info:
        wf.issue(p.id, private_key=generate_private_key(), on=dt.date(2026, 3, 2),
                 petugas="sudin-jaksel")  # fmt: skip
    # before the fix: issued 3174060010001, a Jakarta Barat number for a Jakarta Selatan address
    assert (info.value.code, info.value.field, info.value.value) == (
        "NIK_PREFIX_REGION_MISMATCH",
        "prefix",
        "317406001",
    )
    assert "3171" in info.value.message  # names the BPS code expected
    after = wf.get(p.id)  # refused before any number is used
    assert after.status is StatusPermohonan.DIVERIFIKASI and after.penerbitan is None
    assert nomor_induk_of(store, "kop-s") is None
    assert store.allocate_sequence("317406001") == 1
    # the right table issues, with the BPS region of the address
    wf.prefix_table = PrefixTable({KELURAHAN: "317106002"})
    signed = wf.issue(p.id, private_key=generate_private_key(), on=dt.date(2026, 3, 2),
                      petugas="sudin-jaksel")  # fmt: skip
    assert from_bps(signed.sertifikat.nomor_induk_koperasi[:4]) == "31.74"


@given(
    kabkota=st.sampled_from(DKI_KABKOTA),
    bps=st.sampled_from(["3101", "3171", "3172", "3173", "3174", "3175", "3201"]),
    rest=st.from_regex(r"[0-9]{5}", fullmatch=True),
)
def test_property_a_prefix_is_accepted_only_with_the_bps_region_of_its_kelurahan(
    kabkota: str, bps: str, rest: str
) -> None:
    kelurahan = f"{kabkota}.01.1001"
    table = PrefixTable({kelurahan: bps + rest})
    kecamatan = to_bps(f"{kabkota}.01") or ""  # digits 5-6: the BPS kecamatan (§1.2)
    if to_bps(kabkota) == bps and rest[:2] == kecamatan[4:6]:
        assert region_prefix(kelurahan, table=table) == bps + rest
    else:
        with pytest.raises(InvalidComponent) as info:
            region_prefix(kelurahan, table=table)
        assert info.value.code == "NIK_PREFIX_REGION_MISMATCH"


def test_a_region_outside_the_crosswalk_is_not_assumed() -> None:
    table = PrefixTable({"32.01.01.1001": "320101001"})  # same digits, but never assumed
    with pytest.raises(InvalidComponent) as info:
        region_prefix("32.01.01.1001", table=table)
    assert (info.value.code, info.value.field) == ("CROSSWALK_UNKNOWN", "kode_wilayah")


@given(kabkota=st.sampled_from(DKI_KABKOTA[1:]))
def test_property_the_default_table_round_trips_through_the_crosswalk(kabkota: str) -> None:
    kelurahan = f"{kabkota}.01.1001"
    assert from_bps(region_prefix(kelurahan)[:4]) == kabkota
