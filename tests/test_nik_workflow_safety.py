"""NIK workflow safety: officer rights and region (H.6 b–c, g), audit, atomic moves, identity."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import multiprocessing as mp
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.certificate.keys import generate_private_key, write_keypair
from kukm.certificate.registry import CERTIFICATES
from kukm.cli import cli
from kukm.exceptions import AccessDenied, ConfigurationError, KukmError, ValidationError
from kukm.governance import Service, User
from kukm.governance.access import load_policy
from kukm.model import Alamat, Koperasi, Petugas, SumberData
from kukm.nik.allocation import PrefixTable, assign_nomor_induk, nomor_induk_of
from kukm.nik.application import NikWorkflow, StatusPermohonan
from kukm.nik.eligibility import Kelayakan
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, WriteOp

KEY = generate_private_key()
ALWAYS = lambda k, on: Kelayakan(True)  # noqa: E731
T0 = dt.datetime(2026, 3, 1, 9, 0)
ON = dt.date(2026, 3, 2)
TABLE = PrefixTable(
    {"31.74.07.1001": "317106002", "31.71.01.1001": "317308001", "31.73.02.1004": "317404004"}
)
JAKSEL = Koperasi(
    nama="Koperasi Selatan",
    id="kop-s",
    nomor_badan_hukum="1/BH/XII.4/2001",
    alamat=Alamat(jalan="Jl. Kemang 1", kode_wilayah="31.74.07.1001"),
)
GRANTS = [
    User("sudin-jaksel", "sudin", "31.74"),
    User("sudin-jakpus", "sudin", "31.71"),
    User("dinas-1", "dinas"),
    User("pub-1", "publik"),
    User("lurah-x", "lurah", "31.74.07.1001"),
    User("gone", "sudin", "31.74"),
]


def _store(url: str = "memory://") -> Store:
    store = open_store(url)
    admin = Service(store, User("admin-1", "administrator"))
    for user in GRANTS:
        admin.grant(user)
    admin.revoke("gone")
    return store


def _wf(store: Store | None = None, **kw: Any) -> NikWorkflow:
    kw.setdefault("eligibility", ALWAYS)
    return NikWorkflow(store if store is not None else _store(), prefix_table=TABLE, **kw)


def _nik_audit(store: Store) -> list[tuple[str, str, bool, str | None]]:
    return [
        (e.aktor, e.aksi, e.diizinkan, e.detail)
        for e in store.audit_log()
        if e.aksi.startswith("nik_")
    ]


# -- 1. rights and region ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("officer", "code"),
    [
        ("pub-1", "NIK_OFFICER_ROLE_DENIED"),
        ("lurah-x", "NIK_OFFICER_ROLE_DENIED"),
        ("gone", "NIK_OFFICER_REVOKED"),
        ("made-up-7", "NIK_OFFICER_UNREGISTERED"),
        ("sudin-jakpus", "NIK_OFFICER_OUT_OF_SCOPE"),
        ("dinas-1", "NIK_OFFICER_ROLE_DENIED"),  # a Sudin application is the Sudin's (H.6 c)
        (Petugas("sudin-jakpus", "Ani", "sudin", "31.74"), "NIK_OFFICER_OUT_OF_SCOPE"),
        (Petugas("p-x", "Budi", "sudin", None), "ACCESS_SCOPE_MISSING"),
        (Petugas("p-y", "Cici", "tamu", "31.74"), "ACCESS_ROLE_UNKNOWN"),
    ],
)
def test_officer_without_right_or_region_is_refused_and_audited(
    officer: Petugas | str, code: str
) -> None:
    wf = _wf()
    p = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    with pytest.raises(AccessDenied) as info:
        wf.verify(p.id, officer)
    assert info.value.code == code
    with pytest.raises(AccessDenied):
        wf.reject(p.id, officer)
    wf.verify(p.id, "sudin-jaksel")
    with pytest.raises(AccessDenied) as info:
        wf.issue(p.id, private_key=KEY, on=ON, petugas=officer)
    assert info.value.code == code
    assert nomor_induk_of(wf.store, "kop-s") is None  # nothing allocated for a refusal
    wf.issue(p.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    with pytest.raises(AccessDenied) as info:
        wf.revoke(p.id, officer, alasan="x", on=ON)
    assert info.value.code == code
    assert wf.get(p.id).status is StatusPermohonan.TERBIT
    audit = _nik_audit(wf.store)
    name = officer if isinstance(officer, str) else officer.id
    refused = [(a, d) for who, a, ok, d in audit if who == name and not ok]
    assert [a for a, _ in refused] == ["nik_verifikasi", "nik_tolak", "nik_terbit", "nik_cabut"]
    assert all(d is not None and d.startswith(code) for _, d in refused)
    allowed = [a for who, a, ok, _ in audit if ok]
    assert allowed == ["nik_ajukan", "nik_verifikasi", "nik_terbit"]


def test_unregistered_officer_acts_only_with_a_named_role() -> None:
    store = _store()
    dinas_app = _wf(store).submit(JAKSEL, wilayah_keanggotaan=["31.74", "31.71"], waktu=T0)
    with pytest.raises(AccessDenied) as info:
        _wf(store).verify(dinas_app.id, "op-1")
    assert info.value.code == "NIK_OFFICER_UNREGISTERED"
    with pytest.raises(ConfigurationError) as cfg:
        _wf(store, unregistered_peran="tamu").verify(dinas_app.id, "op-1")
    assert cfg.value.code == "ACCESS_ROLE_UNKNOWN"
    with pytest.raises(AccessDenied) as info:  # a sudin needs a region: none for the unregistered
        _wf(store, unregistered_peran="sudin").verify(dinas_app.id, "op-1")
    assert info.value.code == "ACCESS_SCOPE_MISSING"
    got = _wf(store, unregistered_peran="dinas").verify(dinas_app.id, "op-1")
    assert got.status is StatusPermohonan.DIVERIFIKASI
    with pytest.raises(ConfigurationError) as cfg:
        _wf(store).verify(dinas_app.id, "  ")
    assert cfg.value.code == "ACCESS_USER_BLANK"
    with pytest.raises(ConfigurationError):  # issue names its officer too
        _wf(store).issue(dinas_app.id, private_key=KEY, on=ON)


ROLES = ["sudin", "dinas", "publik", "lurah", "camat", "administrator", "pusdatin"]
REGIONS = [None, "31", "31.71", "31.74", "31.74.07", "31.74.07.1001", "32"]
AREAS = [["31.71"], ["31.74"], ["31.71", "31.74"], ["31"], ["31.74", "32.01"], ["32.01", "32.02"]]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ROLES), st.sampled_from(REGIONS), st.sampled_from(AREAS))
def test_property_only_the_receiving_office_acts(
    peran: str, wilayah: str | None, area: list[str]
) -> None:
    store = open_store("memory://")
    levels = {"sudin": 2, "camat": 3, "lurah": 4}
    in_dki = wilayah is None or wilayah == "31" or wilayah.startswith("31.")
    workable = in_dki and (
        wilayah is not None and wilayah.count(".") + 1 == levels[peran]
        if peran in levels
        else True
    )
    try:  # a grant that cannot work (no region, wrong level, another province) is refused
        Service(store, User("admin", "administrator")).grant(User("o", peran, wilayah))
    except ConfigurationError as exc:
        assert not workable, exc
        assert exc.field == "wilayah" and exc.code
        return
    assert workable
    wf = _wf(store)
    p = wf.submit(JAKSEL, wilayah_keanggotaan=area, waktu=T0)
    kantor = p.kantor
    expected = (
        kantor.tingkat.value == "sudin" and peran == "sudin" and wilayah == kantor.kode_wilayah
    ) or (  # a grant naming no region is DKI's Dinas, not another province's
        kantor.tingkat.value == "dinas"
        and peran == "dinas"
        and (wilayah or "31") == kantor.kode_wilayah
    )
    try:
        wf.verify(p.id, "o")
    except AccessDenied as exc:
        assert not expected, exc
        assert exc.code and exc.message
        assert wf.get(p.id).status is StatusPermohonan.DIAJUKAN
    else:
        assert expected
    (event,) = [e for e in store.audit_log() if e.aksi == "nik_verifikasi"]
    assert event.diizinkan is expected and event.aktor == "o" and event.detail


def test_a_dinas_grant_without_region_does_not_act_for_another_province() -> None:
    store = open_store("memory://")
    admin = Service(store, User("admin", "administrator"))
    admin.grant(User("dinas-dki", "dinas"))
    # a DKI deployment (the packaged policy, provinsi 31) grants no Dinas officer of West Java
    with pytest.raises(ConfigurationError) as refused:
        admin.grant(User("dinas-jabar", "dinas", "32"))
    assert (refused.value.code, refused.value.field) == ("ACCESS_OUT_OF_SCOPE", "wilayah")
    wf = _wf(store)
    jabar = wf.submit(JAKSEL, wilayah_keanggotaan=["32.01", "32.02"], waktu=T0)
    assert (jabar.kantor.tingkat.value, jabar.kantor.kode_wilayah) == ("dinas", "32")
    # before the fix: the DKI Dinas officer (no region named) verified West Java's application
    with pytest.raises(AccessDenied) as info:
        wf.verify(jabar.id, "dinas-dki")
    assert info.value.code == "NIK_OFFICER_OUT_OF_SCOPE"
    assert wf.get(jabar.id).status is StatusPermohonan.DIAJUKAN
    # a grant stored before grants were checked, naming West Java: still not DKI's to act on
    store.put_document(
        "hak_akses", "dinas-jabar", {"id": "dinas-jabar", "peran": "dinas", "wilayah": "32"}
    )
    with pytest.raises(AccessDenied) as info:
        wf.verify(jabar.id, "dinas-jabar")
    assert info.value.code == "NIK_OFFICER_OUT_OF_SCOPE"
    assert wf.get(jabar.id).status is StatusPermohonan.DIAJUKAN
    # West Java's own deployment (policy provinsi 32): its Dinas acts, no region named
    data = tomllib.loads(
        importlib.resources.files("kukm.governance")
        .joinpath("policy_default.toml")
        .read_text(encoding="utf-8")
    )
    data["policy"]["provinsi"] = "32"
    jabar_wf = _wf(store, policy=load_policy(data))
    store.put_document("hak_akses", "dinas-jabar", {"id": "dinas-jabar", "peran": "dinas"})
    assert jabar_wf.reject(jabar.id, "dinas-jabar").status is StatusPermohonan.DITOLAK
    dki = wf.submit(JAKSEL, wilayah_keanggotaan=["31.71", "31.74"], waktu=T0)
    assert wf.verify(dki.id, "dinas-dki").status is StatusPermohonan.DIVERIFIKASI
    with pytest.raises(AccessDenied):  # nor DKI's for an officer of 32's deployment
        jabar_wf.reject(dki.id, "dinas-jabar")


# -- 2. atomic moves ------------------------------------------------------------------------


def _race_issue(url: str, pid: str, day: int, barrier: Any, queue: Any) -> None:
    store = open_store(url)
    wf = _wf(store)
    key = generate_private_key()
    barrier.wait()
    try:
        signed = wf.issue(pid, private_key=key, on=dt.date(2026, 3, day), petugas="sudin-jaksel")
        queue.put(("ok", signed.sertifikat.sertifikat_id))
    except KukmError as exc:
        queue.put(("err", exc.code))
    finally:
        store.close()


def test_concurrent_issue_of_one_application_issues_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    store = _store(url)
    wf = _wf(store)
    p = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(p.id, "sudin-jaksel")
    store.close()
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [
        ctx.Process(target=_race_issue, args=(url, p.id, day, barrier, queue))
        for day in (2, 3, 4, 5)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    results = [queue.get(timeout=5) for _ in procs]
    assert sorted(r[0] for r in results) == ["err", "err", "err", "ok"]
    # a loser that read the application before the claim, or after the decision was written
    refused = {r[1] for r in results if r[0] == "err"}
    assert refused <= {"NIK_TRANSITION_ILLEGAL", "NIK_ISSUE_PENDING"}
    (winner,) = [r[1] for r in results if r[0] == "ok"]
    store = open_store(url)
    assert [k for k, _ in store.iter_documents(CERTIFICATES)] == [winner]
    got = NikWorkflow(store).get(p.id)
    assert got.sertifikat_id == winner and got.nomor_induk_koperasi == "3171060020001"
    assert store.allocate_sequence("317106002") == 2  # the losers took no number
    assert len(got.riwayat) == 3


def test_a_stale_copy_cannot_move_the_application_again() -> None:
    store = _store()
    first, second = _wf(store), _wf(store)
    p = first.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    first.verify(p.id, "sudin-jaksel")
    stale = second.get(p.id)
    first.issue(p.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    with pytest.raises(KukmError) as info:
        second._move(stale, StatusPermohonan.DITOLAK, "sudin-jaksel", None, "x")
    assert info.value.code == "NIK_TRANSITION_ILLEGAL"
    assert second.get(p.id).status is StatusPermohonan.TERBIT


def test_a_failed_issue_frees_the_application_for_another_attempt() -> None:
    store = _store()
    wf = _wf(store)
    p = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(p.id, "sudin-jaksel")
    store.allocate_sequence("317106002", maximum=9999)
    for _ in range(9998):  # exhaust the prefix: the claimed issue fails after its claim
        store.allocate_sequence("317106002", maximum=9999)
    with pytest.raises(KukmError) as info:
        wf.issue(p.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    assert info.value.code == "NIK_SEQUENCE_EXHAUSTED"
    assert wf.get(p.id).status is StatusPermohonan.DIVERIFIKASI
    assert wf.reject(p.id, "sudin-jaksel").status is StatusPermohonan.DITOLAK


# -- 3. the register's key -------------------------------------------------------------------


def _issue(wf: NikWorkflow, kop: Koperasi, area: str, officer: str, **kw: Any) -> str:
    p = wf.submit(kop, wilayah_keanggotaan=[area], waktu=T0, **kw)
    wf.verify(p.id, officer)
    return wf.issue(p.id, private_key=KEY, on=ON, petugas=officer).sertifikat.nomor_induk_koperasi


def test_same_name_different_cooperatives_get_their_own_numbers() -> None:
    store = _store()
    admin = Service(store, User("admin-1", "administrator"))
    admin.grant(User("sudin-jakbar", "sudin", "31.73"))
    wf = _wf(store)
    a = Koperasi(
        nama="Koperasi Jasa Jaya",
        nomor_badan_hukum="1659/BH/XII.7/1991",
        alamat=Alamat(kode_wilayah="31.71.01.1001"),
    )
    b = Koperasi(
        nama="Koperasi Jasa Jaya",
        nomor_badan_hukum="421/BH/XII.4/1984",
        alamat=Alamat(kode_wilayah="31.73.02.1004"),
    )
    na = _issue(wf, a, "31.71", "sudin-jakpus")
    nb = _issue(wf, b, "31.73", "sudin-jakbar")
    assert (na[:9], nb[:9]) == ("317308001", "317404004")
    assert nomor_induk_of(store, "BH:1659/BH/XII.7/1991") == na
    with pytest.raises(ValidationError) as info:
        wf.submit(Koperasi(nama="Koperasi Jasa Jaya"), wilayah_keanggotaan=["31.71"], waktu=T0)
    assert info.value.code == "NIK_KOPERASI_IDENTITY_MISSING"


def test_a_cooperative_keeps_one_number_across_its_identities() -> None:
    store = _store()
    wf = _wf(store)
    # first issued from a JSON form (no store id): registered under its badan hukum number
    form = Koperasi(
        nama="Koperasi Selatan", nomor_badan_hukum=" 1 / bh / xii.4 / 2001 ", alamat=JAKSEL.alamat
    )
    first = _issue(wf, form, "31.74", "sudin-jaksel")
    # later filed from the store record whose id is the ODS id BH:…
    rec = Koperasi(
        nama="Koperasi Selatan", nomor_badan_hukum="1/BH/XII.4/2001", alamat=JAKSEL.alamat
    )
    with pytest.raises(KukmError) as info:  # the same cooperative: its certificate is valid
        wf.submit(rec, wilayah_keanggotaan=["31.74"], koperasi_key="BH:1/BH/XII.4/2001", waktu=T0)
    assert info.value.code == "NIK_CERTIFICATE_VALID"
    (issued,) = [a for a in wf.all() if a.status is StatusPermohonan.TERBIT]
    assert info.value.value == issued.id
    wf.revoke(issued.id, "sudin-jaksel", alasan="data badan hukum diperbarui", on=ON)
    store.write_batch([WriteOp("koperasi", "BH:1/BH/XII.4/2001", rec, Provenance(SumberData.ODS))])
    p = wf.submit(rec, wilayah_keanggotaan=["31.74"], koperasi_key="BH:1/BH/XII.4/2001", waktu=T0)
    wf.verify(p.id, "sudin-jaksel")
    again = wf.issue(p.id, private_key=KEY, on=ON + dt.timedelta(days=1), petugas="sudin-jaksel")
    assert again.sertifikat.nomor_induk_koperasi == first
    # the store record got a new version carrying the number and the certificate
    stored = store.get("koperasi", "BH:1/BH/XII.4/2001")
    assert stored is not None and stored.version == 2
    assert isinstance(stored.record, Koperasi)
    assert stored.record.nomor_induk_koperasi == first
    assert stored.record.status_nik == "Sertifikat - Aktif"
    assert stored.record.tanggal_berlaku_sertifikat == again.sertifikat.tanggal_berakhir
    wf.revoke(p.id, "sudin-jaksel", alasan="bubar", on=ON + dt.timedelta(days=2))
    stored = store.get("koperasi", "BH:1/BH/XII.4/2001")
    assert stored is not None and isinstance(stored.record, Koperasi)
    assert stored.record.status_nik == "Belum Bersertifikat"
    assert stored.record.nomor_induk_koperasi == first  # a number is never taken back


def test_register_allocates_once_per_cooperative() -> None:
    store = open_store("memory://")
    store.allocate_sequence("nik-koperasi:" + "0" * 24, maximum=1)  # unrelated claim
    one = assign_nomor_induk(store, "BH:9", prefix="317106002")
    assert assign_nomor_induk(store, "kop-9", prefix="317106002", aliases=["BH:9"]) == one
    assert nomor_induk_of(store, "kop-9") == one


# -- 4. same-day certificates, open applications ------------------------------------------------


def test_no_second_open_application_and_no_same_day_certificate() -> None:
    wf = _wf()
    p = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    with pytest.raises(KukmError) as info:
        wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    assert info.value.code == "NIK_APPLICATION_OPEN"
    alias = Koperasi(nama="Lain", nomor_badan_hukum="1/bh/xii.4/2001")  # same badan hukum
    with pytest.raises(KukmError):
        wf.submit(alias, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(p.id, "sudin-jaksel")
    wf.issue(p.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    wf.revoke(p.id, "sudin-jaksel", alasan="salah data", on=ON)
    q = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(q.id, "sudin-jaksel")
    with pytest.raises(KukmError) as info:
        wf.issue(q.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    assert info.value.code == "NIK_CERTIFICATE_SAME_DAY"
    assert wf.get(q.id).status is StatusPermohonan.DIVERIFIKASI
    later = wf.issue(q.id, private_key=KEY, on=ON + dt.timedelta(days=1), petugas="sudin-jaksel")
    assert later.sertifikat.sertifikat_id.endswith("20260303")


# -- 5. inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", [["31.99"], ["31.7"], ["99"], ["31.74", "31.99"]])
def test_unknown_membership_area_is_refused(area: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        _wf().submit(JAKSEL, wilayah_keanggotaan=area, waktu=T0)
    assert info.value.code == "NIK_WILAYAH_KEANGGOTAAN_INVALID"


def test_dates_out_of_order_and_long_fields_are_refused_before_a_number() -> None:
    wf = _wf()
    p = wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(p.id, "sudin-jaksel")
    with pytest.raises(ValidationError) as info:
        wf.issue(p.id, private_key=KEY, on=dt.date(2026, 2, 1), petugas="sudin-jaksel")
    assert info.value.code == "NIK_DATE_ORDER"
    wf.issue(p.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    with pytest.raises(ValidationError) as info:
        wf.revoke(p.id, "sudin-jaksel", alasan="x", on=ON - dt.timedelta(days=1))
    assert info.value.code == "NIK_DATE_ORDER"

    long = Koperasi(
        nama="K" * 256, nomor_badan_hukum="2/BH/2002", alamat=Alamat(kode_wilayah="31.74.07.1001")
    )
    q = wf.submit(long, wilayah_keanggotaan=["31.74"], waktu=T0)
    wf.verify(q.id, "sudin-jaksel")
    with pytest.raises(ValidationError) as info:
        wf.issue(q.id, private_key=KEY, on=ON, petugas="sudin-jaksel")
    assert info.value.code == "CERT_FIELD_INVALID" and info.value.field == "nama"
    assert nomor_induk_of(wf.store, "BH:2/BH/2002") is None
    assert wf.store.allocate_sequence("317106002") == 2  # only the first number was used


# -- CLI ------------------------------------------------------------------------------------------


def _run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_cli_looks_the_officer_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "k.sqlite"
    monkeypatch.setenv("KUKM_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KUKM_NO_PROGRESS", "1")
    _store(f"sqlite:///{db}").close()
    key = write_keypair(tmp_path / "keys", name="k").private_key
    kop = {
        "nama": "Koperasi Selatan",
        "nomor_badan_hukum": "1/BH/XII.4/2001",
        "tanggal_rat_terakhir": "2026-02-01",
        "alamat": {"jalan": "Jl. Kemang", "kode_wilayah": "31.74.07.1001"},
    }
    (tmp_path / "kop.json").write_text(json.dumps(kop))
    form = str(tmp_path / "kop.json")
    _run("nik", "apply", "--koperasi-json", form, "--wilayah", "31.99", code=1)
    app = json.loads(_run("nik", "apply", "--koperasi-json", form, "--wilayah", "31.74", "--json"))
    pid = app["id"]
    for who in ("pub-1", "gone", "made-up", "sudin-jakpus"):
        _run("nik", "verify", pid, "--petugas", who, code=1)
    _run("nik", "verify", pid, "--petugas", "made-up", "--peran", "tamu", code=2)
    _run("nik", "verify", pid, "--petugas", "made-up", "--peran", "dinas", code=1)
    _run("nik", "verify", pid, "--petugas", "sudin-jaksel")
    _run("nik", "issue", pid, "--private-key", str(key), code=2)  # --petugas is required
    _run("nik", "issue", pid, "--private-key", str(key), "--petugas", "pub-1", code=1)
    _run("nik", "issue", pid, "--private-key", str(key), "--petugas", "sudin-jaksel")
    _run("nik", "revoke", pid, "--petugas", "sudin-jakpus", "--alasan", "x", code=1)
    _run("nik", "revoke", pid, "--petugas", "sudin-jaksel", "--alasan", "x")
    _run("nik", "prefix", "31.71.01.9999", code=1)
    store = open_store(f"sqlite:///{db}")
    events = [
        (e.aktor, e.aksi, e.diizinkan) for e in store.audit_log() if e.aksi.startswith("nik_")
    ]
    assert ("gone", "nik_verifikasi", False) in events
    assert ("sudin-jaksel", "nik_cabut", True) in events
    assert sum(1 for e in events if not e[2]) >= 8
