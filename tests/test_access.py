"""Access policy: loading, fail-closed decisions, audit of personal data, rights (A.9, F.3, I.2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import CODES, AccessDenied, ConfigurationError
from kukm.governance.access import User, default_policy, load_policy
from kukm.governance.service import Service
from kukm.model import Alamat, Pemilik, Petugas, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

KEL_A = "31.71.01.1001"  # Jakarta Pusat, Gambir
KEL_B = "31.71.02.1001"  # Jakarta Pusat, Sawah Besar
KEL_C = "31.72.01.1001"  # Jakarta Utara


def _umkm(code: str | None, nama: str = "Toko") -> Umkm:
    return Umkm(
        nama_usaha=nama,
        pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk="3171014708900001"),
        telepon="081234567890",
        email="sri@example.com",
        alamat=Alamat(kode_wilayah=code),
    )


@pytest.fixture
def store() -> MemoryStore:
    s = MemoryStore()
    s.write_batch(
        [
            WriteOp("umkm", "a", _umkm(KEL_A), Provenance(SumberData.SUDIN)),
            WriteOp("umkm", "b", _umkm(KEL_B), Provenance(SumberData.SUDIN)),
            WriteOp("umkm", "c", _umkm(KEL_C), Provenance(SumberData.SUDIN)),
            WriteOp("umkm", "p", _umkm(KEL_A), Provenance(SumberData.PIHAK_LAIN)),
            WriteOp("umkm", "n", _umkm(None), Provenance(SumberData.ODS)),
        ]
    )
    return s


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        (User("d", "dinas"), {"a", "b", "c", "p", "n"}),
        (User("pd", "pusdatin"), {"a", "b", "c", "p", "n"}),
        (User("s", "sudin", "31.71"), {"a", "b", "p"}),
        (User("s", "sudin", "31.72"), {"c"}),
        (User("c", "camat", "31.71.01"), {"a", "p"}),
        (User("l", "lurah", KEL_B), {"b"}),
        (User("o", "pelaku_usaha", milik={("umkm", "c")}), {"c"}),
        (User.public(), {"a", "b", "c", "n"}),
    ],
)
def test_each_role_sees_its_scope(store: MemoryStore, user: User, visible: set[str]) -> None:
    svc = Service(store, user)
    assert {s.id for s in svc.iter_records("umkm")} == visible
    for rid in "abcpn":
        if rid in visible:
            assert svc.get("umkm", rid) is not None
        else:
            with pytest.raises(AccessDenied):
                svc.get("umkm", rid)


@pytest.mark.parametrize(
    ("user", "code"),
    [
        (User("x", "tamu"), "ACCESS_ROLE_UNKNOWN"),
        (User("x", "sudin"), "ACCESS_SCOPE_MISSING"),
        (User("x", "sudin", KEL_A), "ACCESS_SCOPE_LEVEL"),
        (User("x", "lurah", "31.71"), "ACCESS_SCOPE_LEVEL"),
        (User("x", "lurah", "31.71.01.10O1"), "ACCESS_REGION_UNKNOWN"),
        (User("x", "sudin", "3I.71"), "ACCESS_REGION_UNKNOWN"),
        (User("x", "sudin", "31.79"), "ACCESS_REGION_UNKNOWN"),  # not in the region tree
        (User("x", "lurah", "31.71.01.1999"), "ACCESS_REGION_UNKNOWN"),
        (User("x", "koperasi"), "ACCESS_SCOPE_MISSING"),
    ],
)
def test_fail_closed_codes(store: MemoryStore, user: User, code: str) -> None:
    svc = Service(store, user)
    with pytest.raises(AccessDenied) as err:
        svc.get("umkm", "a")
    assert err.value.code == code
    assert code in CODES
    with pytest.raises(AccessDenied):
        list(svc.iter_records("umkm"))


def test_region_not_in_tree_is_denied(store: MemoryStore) -> None:
    known = {"31", "31.71", "31.71.01", KEL_A}
    svc = Service(store, User("s", "sudin", "31.79"), region_check=known.__contains__)
    with pytest.raises(AccessDenied) as err:
        svc.get("umkm", "a")
    assert err.value.code == "ACCESS_REGION_UNKNOWN"
    ok = Service(store, User("s", "sudin", "31.71"), region_check=known.__contains__)
    assert ok.get("umkm", "a") is not None


def test_sudin_asking_for_another_region_is_denied(store: MemoryStore) -> None:
    svc = Service(store, User("s", "sudin", "31.71"))
    with pytest.raises(AccessDenied) as err:
        list(svc.iter_records("umkm", wilayah="31.72"))
    assert err.value.code == "ACCESS_OUT_OF_SCOPE"
    assert [s.id for s in svc.iter_records("umkm", wilayah="31.71.02")] == ["b"]
    # a wider request is narrowed to the scope
    assert svc.count("umkm", wilayah="31") == 3


def test_personal_data_reads_are_audited(store: MemoryStore) -> None:
    Service(store, User("d", "dinas")).get("umkm", "a")
    with pytest.raises(AccessDenied):
        Service(store, User("l", "lurah", KEL_B)).get("umkm", "a")
    Service(store, User.public()).get("umkm", "a")  # masked: no personal data read
    events = list(store.audit_log())
    allowed = [e for e in events if e.diizinkan]
    denied = [e for e in events if not e.diizinkan]
    assert [(e.aktor, e.aksi, e.record_id) for e in allowed] == [("d", "baca_data_pribadi", "a")]
    assert [(e.aktor, e.record_id) for e in denied] == [("l", "a")]
    assert denied[0].detail is not None and "ACCESS_OUT_OF_SCOPE" in denied[0].detail


def test_masking_follows_read_personal(store: MemoryStore) -> None:
    raw = Service(store, User("d", "dinas")).get("umkm", "a")
    admin = Service(store, User("adm", "administrator")).get("umkm", "a")
    assert raw is not None and admin is not None
    assert raw.record.pemilik.nik_penduduk == "3171014708900001"
    assert admin.record.pemilik.nik_penduduk == "317101**********"
    assert admin.record.email == "s***@example.com"
    assert admin.record.nama_usaha == "Toko"


def test_find_by_nik_needs_personal_right(store: MemoryStore) -> None:
    assert (
        len(
            Service(store, User("s", "sudin", "31.71")).find(
                "umkm", "nik_penduduk", "3171014708900001"
            )
        )
        == 3
    )
    with pytest.raises(AccessDenied):
        Service(store, User.public()).find("umkm", "nik_penduduk", "3171014708900001")


def test_write_checks_source_status_and_old_region(store: MemoryStore) -> None:
    lurah = Service(store, User("l", "lurah", KEL_A))
    ok = WriteOp("umkm", "new", _umkm(KEL_A, "Baru"), Provenance(SumberData.KELURAHAN))
    assert lurah.submit([ok]).inserted == 1
    with pytest.raises(AccessDenied) as err:
        lurah.submit([WriteOp("umkm", "x", _umkm(KEL_A), Provenance(SumberData.BIDANG_UKM))])
    assert err.value.code == "ACCESS_SOURCE_DENIED"
    forced = WriteOp(
        "umkm",
        "y",
        _umkm(KEL_A),
        Provenance(SumberData.PIHAK_LAIN),
        status=VerificationStatus.TERVERIFIKASI,
    )
    with pytest.raises(AccessDenied) as err:
        lurah.submit([forced])
    assert err.value.code == "ACCESS_ACTION_DENIED"
    # moving record b (another kelurahan) into the lurah's kelurahan is refused
    with pytest.raises(AccessDenied):
        lurah.submit([WriteOp("umkm", "b", _umkm(KEL_A), Provenance(SumberData.KELURAHAN))])
    assert store.get("umkm", "b").record.alamat.kode_wilayah == KEL_B  # type: ignore[union-attr]
    # the whole batch is refused when one op is out of scope
    batch = [ok, WriteOp("umkm", "z", _umkm(KEL_C), Provenance(SumberData.KELURAHAN))]
    with pytest.raises(AccessDenied):
        lurah.submit(batch)
    assert store.get("umkm", "z") is None


def test_only_dinas_verifies(store: MemoryStore) -> None:
    for user in (User("s", "sudin", "31.71"), User("pd", "pusdatin"), User.public()):
        with pytest.raises(AccessDenied):
            Service(store, user).verify("umkm", "p")
    assert store.get("umkm", "p").status is VerificationStatus.MENUNGGU  # type: ignore[union-attr]
    Service(store, User("d", "dinas")).verify("umkm", "p")
    assert store.get("umkm", "p").status is VerificationStatus.TERVERIFIKASI  # type: ignore[union-attr]


def test_administrator_grants_rights(store: MemoryStore) -> None:
    admin = Service(store, User("adm", "administrator"))
    admin.grant(User.from_petugas(Petugas("lurah-7", "Budi", "lurah", KEL_B)))
    svc = Service.for_user_id(store, "lurah-7")
    assert svc.user.wilayah == KEL_B
    assert [s.id for s in svc.iter_records("umkm")] == ["b"]
    with pytest.raises(AccessDenied):
        Service(store, User("d", "dinas")).grant(User("x", "dinas"))
    admin.revoke("lurah-7")
    with pytest.raises(AccessDenied) as err:
        Service.for_user_id(store, "lurah-7").get("umkm", "b")
    assert err.value.code == "ACCESS_ROLE_UNKNOWN"
    with pytest.raises(AccessDenied) as err:
        Service.for_user_id(store, "nobody")
    assert err.value.code == "ACCESS_USER_UNKNOWN"


def test_audit_log_needs_audit_right(store: MemoryStore) -> None:
    assert isinstance(list(Service(store, User("d", "dinas")).audit_log()), list)
    with pytest.raises(AccessDenied):
        Service(store, User("s", "sudin", "31.71")).audit_log()


def test_policy_is_replaceable_data(tmp_path: Path, store: MemoryStore) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        """
[policy]
name = "ketat"
[masking]
fields = ["pemilik.nama"]
style = "hapus"
[pemutakhiran]
max_age_days = 180
[roles.sudin]
scope = "kab_kota"
actions = ["read"]
""",
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.name == "ketat" and policy.max_age_days == 180
    svc = Service(store, User("s", "sudin", "31.71"), policy=policy)
    got = svc.get("umkm", "a")
    assert got is not None and got.record.pemilik.nama is None
    assert got.record.pemilik.nik_penduduk == "3171014708900001"  # not in this policy's fields
    with pytest.raises(AccessDenied) as err:
        Service(store, User("d", "dinas"), policy=policy).get("umkm", "a")
    assert err.value.code == "ACCESS_ROLE_UNKNOWN"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[roles.x]\nscope = 'galaxy'\nactions = []",
        "[roles.x]\nscope = 'provinsi'\nactions = ['fly']",
        "[roles.x]\nscope = 'provinsi'\nactions = []\nsumber = ['alien']",
        "[masking]\nstyle = 'blur'\n[roles.x]\nscope = 'provinsi'\nactions = []",
        "[pemutakhiran]\nmax_age_days = 0\n[roles.x]\nscope = 'provinsi'\nactions = []",
        "not toml [",
    ],
)
def test_bad_policies_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_policy(path)


def test_default_policy_covers_decree_roles() -> None:
    roles = default_policy().roles
    for name in (
        "administrator",
        "dinas",
        "sudin",
        "camat",
        "lurah",
        "pusdatin",
        "koperasi",
        "pelaku_usaha",
        "publik",
    ):
        assert name in roles
    assert roles["sudin"].scope == "kab_kota"
    assert "verify" in roles["dinas"].actions
    assert "verify" not in roles["sudin"].actions


def test_clock_is_used_for_audit(store: MemoryStore) -> None:
    t = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    Service(store, User("d", "dinas"), clock=lambda: t).get("umkm", "a")
    assert [e.waktu for e in store.audit_log()] == [t]


def test_stored_policy_is_used_by_for_user_id_and_cli(store: MemoryStore) -> None:
    admin = Service(store, User("adm", "administrator"))
    data = {
        "policy": {"name": "disimpan"},
        "masking": {"fields": ["pemilik.nama"], "style": "penuh"},
        "roles": {"sudin": {"scope": "kab_kota", "actions": ["read"]}},
    }
    with pytest.raises(AccessDenied):
        Service(store, User("d", "dinas")).store_policy(data)
    assert admin.store_policy(data).name == "disimpan"
    with pytest.raises(ConfigurationError):
        admin.store_policy({"roles": {}})
    admin.grant(User("s9", "sudin", "31.71"))
    svc = Service.for_user_id(store, "s9")
    assert svc.policy.name == "disimpan"
    got = svc.get("umkm", "a")
    assert got is not None and got.record.pemilik.nama == "***********"
    assert any(e.aksi == "kebijakan" for e in store.audit_log())
