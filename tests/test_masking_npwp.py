"""An individual's NPWP is the NIK (PMK 112/2022): personal data, masked like the NIK (I.3–4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import AccessDenied
from kukm.governance.access import User, default_policy, load_policy
from kukm.governance.service import Service
from kukm.model import Alamat, Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

KEL = "31.71.01.1001"
NIK = "3173066205843436"
LEGACY = "013121660091000"  # 15-digit NPWP of a business
LEGACY16 = "0013121660091000"  # the same, 16-digit form (0 + legacy)


def _store(npwps: dict[str, str]) -> MemoryStore:
    store = MemoryStore()
    store.write_batch(
        [
            WriteOp(
                "umkm",
                rid,
                Umkm(
                    nama_usaha=f"Toko {rid}",
                    npwp=npwp,
                    nib=f"91200012345{i}",
                    pemilik=Pemilik(nama="Nur Santoso", nik_penduduk=NIK),
                    alamat=Alamat(kode_wilayah=KEL),
                ),
                Provenance(SumberData.SUDIN),
                status=VerificationStatus.TERVERIFIKASI,
            )
            for i, (rid, npwp) in enumerate(npwps.items())
        ]
    )
    return store


def test_public_never_sees_a_nik_through_the_npwp() -> None:
    store = _store({"nik": NIK, "legacy": LEGACY, "legacy16": LEGACY16})
    pub = Service(store, User.public())
    shown = {s.id: s.record for s in pub.iter_records("umkm")}
    assert shown["nik"].npwp == "317306**********"
    assert shown["nik"].pemilik.nik_penduduk == "317306**********"
    assert shown["legacy"].npwp == LEGACY and shown["legacy16"].npwp == LEGACY16
    got = pub.get("umkm", "nik")
    assert got is not None and got.record.npwp == "317306**********"
    assert all(NIK not in repr(v.record) for v in pub.history("umkm", "nik"))


def test_find_by_a_nik_npwp_is_refused_for_the_public_and_audited() -> None:
    store = _store({"nik": NIK, "legacy": LEGACY})
    pub = Service(store, User.public())
    for value in (NIK, "3173.0662.0584.3436"):
        with pytest.raises(AccessDenied) as info:
            pub.find("umkm", "npwp", value)
        assert info.value.code == "ACCESS_ACTION_DENIED"
    assert [s.id for s in pub.find("umkm", "npwp", LEGACY)] == ["legacy"]
    assert any(not e.diizinkan and e.aksi == "cari" for e in store.audit_log())
    dinas = Service(store, User("d", "dinas"))
    assert [s.record.npwp for s in dinas.find("umkm", "npwp", NIK)] == [NIK]


def test_officers_with_read_personal_see_it_and_others_do_not() -> None:
    store = _store({"nik": NIK})
    sudin = Service(store, User("s", "sudin", "31.71")).get("umkm", "nik")
    assert sudin is not None and sudin.record.npwp == NIK
    admin = Service(store, User("adm", "administrator"))  # report, no read_personal
    got = admin.get("umkm", "nik")
    assert got is not None and got.record.npwp == "317306**********"
    assert admin.field_provenance("umkm", "nik")["npwp"].value == "317306**********"


def test_reports_mask_the_nik_npwp_for_users_without_read_personal() -> None:
    store = _store({"a": NIK, "b": NIK, "c": "3173066205843"})  # c: a 13-digit junk NPWP
    admin = Service(store, User("adm", "administrator"))
    values = [
        v
        for c in admin.duplicates("umkm")
        for r in c.reasons
        if r.field == "npwp"
        for v in (r.value_a, r.value_b)
    ]
    assert values and all(v == "317306**********" for v in values)
    issues = [ri.issue for ri in admin.quality("umkm").issues if ri.issue.field == "npwp"]
    assert issues and all("3173066205843" not in str(i.value) for i in issues)
    dinas = Service(store, User("d", "dinas"))
    assert any(
        r.value_a == NIK for c in dinas.duplicates("umkm") for r in c.reasons if r.field == "npwp"
    )


def test_a_policy_that_masks_the_nik_masks_the_nik_npwp_too() -> None:
    policy = load_policy(
        {
            "masking": {"fields": ["pemilik.nik_penduduk"], "style": "penuh"},
            "roles": {"publik": {"scope": "publik", "actions": ["read"]}},
        }
    )
    store = _store({"nik": NIK, "legacy": LEGACY})
    shown = {s.id: s.record.npwp for s in Service(store, User.public(), policy=policy).iter_records("umkm")}
    assert shown == {"nik": "*" * 16, "legacy": LEGACY}
    only_npwp = load_policy(
        {
            "masking": {"fields": ["npwp"]},
            "roles": {"publik": {"scope": "publik", "actions": ["read"]}},
        }
    )
    pub = Service(store, User.public(), policy=only_npwp)
    got = pub.get("umkm", "nik")
    assert got is not None and got.record.npwp == "317306**********"
    assert got.record.pemilik.nik_penduduk == NIK  # this policy does not list it
    assert "pemilik.nik_penduduk" in default_policy().masking.fields


@given(
    region=st.sampled_from(["317101", "317306", "310101", "327501"]),
    rest=st.from_regex(r"\A[0-9]{10}\Z"),
    sep=st.sampled_from(["", ".", " ", "-"]),
)
def test_property_a_nik_shaped_npwp_never_reaches_the_public(
    region: str, rest: str, sep: str
) -> None:
    nik = region + rest
    written = sep.join([nik[:4], nik[4:8], nik[8:12], nik[12:]])
    store = _store({"x": written})
    pub = Service(store, User.public())
    (shown,) = list(pub.iter_records("umkm"))
    assert shown.record.npwp == region + "*" * 10
    with pytest.raises(AccessDenied):
        pub.find("umkm", "npwp", written)


@given(legacy=st.from_regex(r"\A0?[0-9]{15}\Z"))
def test_property_a_business_npwp_stays_visible(legacy: str) -> None:
    store = _store({"x": legacy})
    (shown,) = list(Service(store, User.public()).iter_records("umkm"))
    assert shown.record.npwp == legacy
