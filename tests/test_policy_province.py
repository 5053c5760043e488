"""The province a deployment serves (``[policy] provinsi``) and grants that cannot work.

A province-wide scope (``scope = "provinsi"``) is the policy's province, not "everything":
Kepgub DKI Jakarta 1625/2021 F.3 huruf b gives the Dinas PPKUKM its own province, and
H.6 c routes an application across several kota to that province's Dinas. A grant whose
region can never be used is refused when it is given (A.9), not stored to deny every action.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import AccessDenied, ConfigurationError
from kukm.governance import Service, User
from kukm.governance.access import default_policy, in_province, load_policy
from kukm.model import Alamat, SumberData, Umkm
from kukm.nik.officer import decide
from kukm.nik.routing import route
from kukm.reference.wilayah import get_table
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

PROVINCES = sorted(k for k in get_table() if "." not in k)
T0 = dt.datetime(2026, 3, 1, 9, 0)


def _packaged() -> dict[str, Any]:
    text = importlib.resources.files("kukm.governance").joinpath("policy_default.toml")
    return tomllib.loads(text.read_text(encoding="utf-8"))


def _policy(provinsi: object) -> Any:
    data = _packaged()
    data["policy"]["provinsi"] = provinsi
    return load_policy(data)


# -- the policy's province ------------------------------------------------------------------


def test_a_policy_for_province_32_lets_its_unscoped_dinas_act_for_32_and_not_31() -> None:
    jabar = _policy("32")
    dinas = User("d1", "dinas")
    # before: PROVINSI_DKI = "31" was hard-coded, whatever the policy
    assert decide(dinas, route(["32.01", "32.02"]), policy=jabar).allowed
    denied = decide(dinas, route(["31.71", "31.74"]), policy=jabar)
    assert denied.code == "NIK_OFFICER_OUT_OF_SCOPE"
    # data access: the same province
    assert jabar.decide(dinas, "read", wilayah="32.73.01.1001").allowed
    assert jabar.decide(dinas, "read", wilayah="31.71.01.1001").code == "ACCESS_OUT_OF_SCOPE"
    # a Sudin grant of another province's kota cannot act either
    assert jabar.scope_of(User("s", "sudin", "31.71")).code == "ACCESS_OUT_OF_SCOPE"
    assert jabar.scope_of(User("s", "sudin", "32.73")).allowed


def test_the_packaged_policy_serves_dki_as_before() -> None:
    policy = default_policy()
    assert policy.provinsi == "31" and "1625/2021" in policy.sumber_hukum
    dinas = User("d1", "dinas")
    assert decide(dinas, route(["31.71", "31.74"])).allowed
    assert decide(dinas, route(["32.01", "32.02"])).code == "NIK_OFFICER_OUT_OF_SCOPE"
    assert decide(User("s", "sudin", "31.71"), route(["31.71"])).allowed
    assert policy.decide(dinas, "verify", wilayah="31.75.02.1003").allowed
    assert policy.decide(dinas, "read", wilayah=None).allowed  # no region yet: the Dinas's
    # a policy file without the key is DKI's too (Kepgub DKI 1625/2021)
    data = _packaged()
    del data["policy"]["provinsi"]
    assert load_policy(data).provinsi == "31"


@pytest.mark.parametrize("bad", ["3173", "31.71", "3", "99", "", " 31", 31, None, ["31"]])
def test_a_malformed_provinsi_is_policy_invalid(bad: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        _policy(bad)
    assert info.value.code == "POLICY_INVALID"
    assert "provinsi" in info.value.message and "Kemendagri" in info.value.message


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=5))
def test_property_provinsi_is_accepted_exactly_when_a_known_province(code: str) -> None:
    try:
        policy = _policy(code)
    except ConfigurationError as exc:
        assert exc.code == "POLICY_INVALID"
        assert code not in PROVINCES
    else:
        assert code in PROVINCES and policy.provinsi == code


# -- data access of a province-wide officer --------------------------------------------------

REGIONS = [None, "31.71.01.1001", "31.75.02.1003", "32.73.01.1001", "33.01.01.2001"]


def _store(regions: list[str | None]) -> MemoryStore:
    store = MemoryStore()
    ops = [
        WriteOp(
            "umkm",
            f"u{i}",
            Umkm(nama_usaha=f"Toko {i}", alamat=Alamat(kode_wilayah=r)),
            Provenance(SumberData.SUDIN, "op", T0),
        )
        for i, r in enumerate(regions)
    ]
    store.write_batch(ops)
    return store


def test_dki_dinas_does_not_read_another_provinces_records() -> None:
    store = _store(REGIONS)
    dinas = Service(store, User("d1", "dinas"))
    # before: region_scope None = unlimited, u3 (Jawa Barat) and u4 (Jawa Tengah) were read
    with pytest.raises(AccessDenied) as info:
        dinas.get("umkm", "u3")
    assert info.value.code == "ACCESS_OUT_OF_SCOPE"
    assert dinas.get("umkm", "u0") is not None  # no region yet: still the Dinas's to fix
    assert [s.id for s in dinas.iter_records("umkm")] == ["u0", "u1", "u2"]
    assert dinas.count("umkm") == 3
    assert dinas.tabulate("umkm", ["kab_kota"]) == [((None,), 1), (("31.71",), 1), (("31.75",), 1)]
    assert dinas.tabulate("umkm", ["provinsi"]) == [((None,), 1), (("31",), 2)]
    assert dinas.tabulate_total("umkm", ["kab_kota"])[1] == 3
    with pytest.raises(AccessDenied) as info:
        dinas.count("umkm", wilayah="32.73")
    assert info.value.code == "ACCESS_OUT_OF_SCOPE"
    with pytest.raises(AccessDenied):  # nor writes there, nor moving a record out of there
        dinas.submit([WriteOp("umkm", "u9", Umkm(nama_usaha="X", alamat=Alamat(
            kode_wilayah="32.73.01.1001")), Provenance(SumberData.SUDIN))])
    with pytest.raises(AccessDenied):
        dinas.submit([WriteOp("umkm", "u3", Umkm(nama_usaha="X", alamat=Alamat(
            kode_wilayah="31.71.01.1001")), Provenance(SumberData.SUDIN))])
    assert store.get("umkm", "u3").record.alamat.kode_wilayah == "32.73.01.1001"
    denied = [e for e in store.audit_log() if not e.diizinkan]
    assert denied and all("ACCESS_OUT_OF_SCOPE" in (e.detail or "") for e in denied)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from([*REGIONS, "3171011001", "31.74.07.1001", "36.71.01.1001"]),
        max_size=12,
    ),
    st.sampled_from(["31", "32", "36"]),
    st.lists(st.sampled_from(["kab_kota", "provinsi", "status", "sumber_data"]), max_size=2,
             unique=True),
)
def test_property_reads_and_counts_of_a_province_agree(
    regions: list[str | None], provinsi: str, by: list[str]
) -> None:
    store = _store(regions)
    svc = Service(store, User("d1", "dinas"), policy=_policy(provinsi))
    seen = {s.id for s in svc.iter_records("umkm")}
    wanted = {f"u{i}" for i, r in enumerate(regions) if in_province(r, provinsi)}
    assert seen == wanted
    assert svc.count("umkm") == len(wanted)
    groups, total = svc.tabulate_total("umkm", by)
    assert total == len(wanted) == sum(n for _, n in groups)
    assert groups == svc.tabulate("umkm", by)
    assert [g for g, _ in groups] == sorted(
        (g for g, _ in groups), key=lambda g: tuple((v is not None, v or "") for v in g)
    )
    for rid in {f"u{i}" for i in range(len(regions))} - wanted:
        assert svc.can("read", store.get("umkm", rid)).code == "ACCESS_OUT_OF_SCOPE"


# -- grants that cannot work -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("peran", "wilayah", "code"),
    [
        ("sudin", "3173", "KODE_WILAYAH_FORMAT"),  # a BPS code
        ("sudin", "31-71", "KODE_WILAYAH_FORMAT"),
        ("lurah", "31.71.01.1001 ", "KODE_WILAYAH_FORMAT"),
        ("sudin", "31.99", "KODE_WILAYAH_UNKNOWN"),
        ("sudin", "31.71.01", "ACCESS_SCOPE_LEVEL"),  # deeper than a kota
        ("camat", "31.71", "ACCESS_SCOPE_LEVEL"),  # shallower than a kecamatan
        ("sudin", None, "ACCESS_SCOPE_MISSING"),
        ("tamu", None, "ACCESS_ROLE_UNKNOWN"),
        ("sudin", "32.73", "ACCESS_OUT_OF_SCOPE"),  # another province's kota
        ("dinas", "32", "ACCESS_OUT_OF_SCOPE"),
        ("koperasi", None, "ACCESS_SCOPE_MISSING"),  # no own records
    ],
)
def test_a_grant_that_cannot_work_is_refused_at_once(
    peran: str, wilayah: str | None, code: str
) -> None:
    store = MemoryStore()
    admin = Service(store, User("admin", "administrator"))
    # before: stored as given, then every action of "o" was ACCESS_SCOPE_LEVEL (or the like)
    with pytest.raises(ConfigurationError) as info:
        admin.grant(User("o", peran, wilayah))
    field = "peran" if code == "ACCESS_ROLE_UNKNOWN" else "wilayah"
    assert (info.value.code, info.value.field) == (code, field)
    assert store.get_document("hak_akses", "o") is None


@pytest.mark.parametrize(
    ("peran", "wilayah"),
    [("sudin", "31.71"), ("camat", "31.71.01"), ("lurah", "31.71.01.1001"), ("dinas", None),
     ("dinas", "31.74"), ("pusdatin", "31"), ("publik", None)],
)
def test_a_workable_grant_is_stored(peran: str, wilayah: str | None) -> None:
    store = MemoryStore()
    Service(store, User("admin", "administrator")).grant(User("o", peran, wilayah))
    doc = store.get_document("hak_akses", "o")
    assert doc is not None and (doc["peran"], doc["wilayah"]) == (peran, wilayah)
    assert Service.for_user_id(store, "o").can("read").allowed


def test_a_grant_is_checked_against_the_policy_in_force() -> None:
    store = MemoryStore()
    admin = Service(store, User("admin", "administrator"), policy=_policy("32"))
    admin.grant(User("s", "sudin", "32.73"))
    with pytest.raises(ConfigurationError) as info:
        admin.grant(User("s2", "sudin", "31.71"))
    assert info.value.code == "ACCESS_OUT_OF_SCOPE"
    svc = Service(store, User("s", "sudin", "32.73"), policy=_policy("32"))
    assert svc.count("umkm", status={VerificationStatus.TERVERIFIKASI}) == 0
