"""Application workflow (Kepgub H.6): routing, states, officer, compliance, persistence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.certificate.keys import generate_private_key
from kukm.certificate.registry import current_certificate, revocation_list
from kukm.certificate.verify import verify_payload
from kukm.exceptions import AccessDenied, NotFound, ValidationError, WorkflowError
from kukm.model import Alamat, Koperasi, Petugas
from kukm.nik.allocation import PrefixTable, nomor_induk_of
from kukm.nik.application import (
    TRANSITIONS,
    NikWorkflow,
    StatusPermohonan,
    default_classifier,
    expiry_date,
)
from kukm.nik.eligibility import Kelayakan, default_eligibility, rat_held_recently
from kukm.nik.routing import TingkatKantor, route
from kukm.plugins import open_store

KEY = generate_private_key()
TABLE = PrefixTable({"31.71.01.1001": "317308001", "31.74.07.1001": "317106002"})
KOP = Koperasi(
    nama="Koperasi Karyawan Gambir",
    id="kop-1",
    kelompok="Kopkar",
    jenis="Konsumen",
    grade="B",
    tanggal_rat_terakhir=dt.date(2026, 2, 1),
    alamat=Alamat(jalan="Jl. Gambir 3", kode_wilayah="31.71.01.1001", kelurahan_nama="Gambir"),
)
SUDIN_OFFICER = Petugas(id="p-1", nama="Petugas Satu", peran="sudin", wilayah="31.71")
ALWAYS = lambda k, on: Kelayakan(True)  # noqa: E731
NEVER = lambda k, on: Kelayakan(False)  # noqa: E731
T0 = dt.datetime(2026, 3, 1, 9, 0)


def _wf(store_url: str = "memory://", **kw: object) -> NikWorkflow:
    """A workflow whose store grants ``p-1`` (Sudin Jakarta Pusat) and ``p-9`` (Dinas)."""
    from kukm.governance import Service, User

    kw.setdefault("eligibility", ALWAYS)
    store = open_store(store_url)
    admin = Service(store, User("admin", "administrator"))
    admin.grant(User("p-1", "sudin", "31.71"))
    admin.grant(User("p-9", "dinas"))
    return NikWorkflow(store, prefix_table=TABLE, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("wilayah", "tingkat", "kode"),
    [
        (["31.71"], TingkatKantor.SUDIN, "31.71"),
        (["31.71.01", "31.71.02.1001"], TingkatKantor.SUDIN, "31.71"),
        (["31.01"], TingkatKantor.SUDIN, "31.01"),
        (["31.71", "31.74"], TingkatKantor.DINAS, "31"),
        (["31"], TingkatKantor.DINAS, "31"),
        (["31.71", "32.01"], TingkatKantor.KEMENTERIAN, None),
        (["31", "36"], TingkatKantor.KEMENTERIAN, None),
    ],
)
def test_routing(wilayah: list[str], tingkat: TingkatKantor, kode: str | None) -> None:
    kantor = route(wilayah)
    assert (kantor.tingkat, kantor.kode_wilayah) == (tingkat, kode)
    assert kantor.nama


@pytest.mark.parametrize("bad", [[], ["Jakarta"], ["3.71"], ["31.x"]])
def test_routing_rejects_bad_codes(bad: list[str]) -> None:
    with pytest.raises(ValidationError):
        route(bad)


def test_full_path_to_terbit_with_history_persisted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wf.sqlite'}"
    wf = _wf(url)
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], kanal="online", waktu=T0)
    wf.verify(p.id, SUDIN_OFFICER, catatan="lengkap", waktu=T0 + dt.timedelta(hours=1))
    signed = wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
    wf.store.close()
    reopened = _wf(url)
    got = reopened.get(p.id)
    assert got.status is StatusPermohonan.TERBIT
    assert [t.ke for t in got.riwayat] == [
        StatusPermohonan.DIAJUKAN,
        StatusPermohonan.DIVERIFIKASI,
        StatusPermohonan.TERBIT,
    ]
    verification = got.riwayat[1]
    assert (verification.petugas, verification.catatan) == ("p-1", "lengkap")
    assert verification.waktu == T0 + dt.timedelta(hours=1)
    assert got.nomor_induk_koperasi == "3173080010001" == nomor_induk_of(reopened.store, "kop-1")
    assert got.koperasi.nomor_induk_koperasi == got.nomor_induk_koperasi
    s = signed.sertifikat
    assert (s.kelompok, s.jenis, s.peringkat) == ("Kopkar", "Konsumen", "B")
    assert s.kantor_penerbit == "Suku Dinas PPKUKM Kota Administrasi Jakarta Pusat"
    assert s.tanggal_berakhir == dt.date(2028, 3, 1)
    stored = current_certificate(reopened.store, s.nomor_induk_koperasi)
    assert stored == signed
    assert verify_payload(signed.payload, KEY.public_key(), on=dt.date(2027, 1, 1)).valid


def test_validity_period_is_configurable() -> None:
    wf = _wf(masa_berlaku_tahun=1)
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    wf.verify(p.id, "p-1")
    signed = wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
    assert signed.sertifikat.tanggal_berakhir == dt.date(2027, 3, 1)
    with pytest.raises(ValueError):
        _wf(masa_berlaku_tahun=0)
    assert expiry_date(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 27)


def test_not_issued_without_verification_or_when_not_eligible() -> None:
    wf = _wf(eligibility=NEVER)
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    with pytest.raises(WorkflowError) as info:
        wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
    assert info.value.code == "NIK_TRANSITION_ILLEGAL"
    wf.verify(p.id, "p-1")
    with pytest.raises(WorkflowError) as info:
        wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
    assert info.value.code == "NIK_NOT_ELIGIBLE"
    assert wf.get(p.id).status is StatusPermohonan.DIVERIFIKASI
    assert nomor_induk_of(wf.store, "kop-1") is None  # no number burnt on refusal
    wf.reject(p.id, "p-1", catatan="RAT belum dilaporkan")
    assert wf.get(p.id).status is StatusPermohonan.DITOLAK


def test_officer_scope_is_checked() -> None:
    wf = _wf()
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    other = Petugas(id="p-2", nama="Petugas Dua", peran="sudin", wilayah="31.74")
    with pytest.raises(AccessDenied) as info:
        wf.verify(p.id, other)
    assert info.value.code == "NIK_OFFICER_OUT_OF_SCOPE"
    dinas = Petugas(id="p-3", nama="Petugas Dinas", peran="dinas", wilayah="31")
    with pytest.raises(AccessDenied) as info:  # a Sudin application is the Sudin's (H.6 c)
        wf.verify(p.id, dinas)
    assert info.value.code == "NIK_OFFICER_ROLE_DENIED"
    assert wf.verify(p.id, SUDIN_OFFICER).status is StatusPermohonan.DIVERIFIKASI
    wf.reject(p.id, SUDIN_OFFICER)
    q = wf.submit(KOP, wilayah_keanggotaan=["31.71", "32.01"], waktu=T0)  # ministry
    for officer in (dinas, "kemenkop-1"):
        with pytest.raises(AccessDenied):
            wf.verify(q.id, officer)
    assert wf.get(q.id).status is StatusPermohonan.DIAJUKAN


def test_expire_and_revoke() -> None:
    wf = _wf()
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    wf.verify(p.id, "p-1")
    signed = wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
    with pytest.raises(WorkflowError) as info:
        wf.expire(p.id, on=dt.date(2028, 3, 1))
    assert info.value.code == "NIK_NOT_YET_EXPIRED"
    assert wf.expire_due(on=dt.date(2028, 3, 1)) == []
    assert [x.id for x in wf.expire_due(on=dt.date(2028, 3, 2))] == [p.id]
    assert wf.get(p.id).status is StatusPermohonan.KEDALUWARSA
    with pytest.raises(WorkflowError):
        wf.revoke(p.id, "p-1", alasan="x", on=dt.date(2028, 3, 3))

    q = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    wf.verify(q.id, "p-1")
    signed = wf.issue(q.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 4, 1))
    assert signed.sertifikat.nomor_induk_koperasi == "3173080010001"  # same number, renewed
    wf.revoke(q.id, "p-1", alasan="dibubarkan", on=dt.date(2026, 5, 1))
    rl = revocation_list(wf.store)
    result = verify_payload(
        signed.payload, KEY.public_key(), on=dt.date(2026, 6, 1), revocations=rl
    )
    assert result.code == "CERT_REVOKED"


ACTIONS = ["verify", "reject", "issue", "expire", "revoke"]
TARGET = {
    "verify": StatusPermohonan.DIVERIFIKASI,
    "reject": StatusPermohonan.DITOLAK,
    "issue": StatusPermohonan.TERBIT,
    "expire": StatusPermohonan.KEDALUWARSA,
    "revoke": StatusPermohonan.DICABUT,
}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(ACTIONS), max_size=6))
def test_property_only_legal_moves_happen(actions: list[str]) -> None:
    wf = _wf()
    p = wf.submit(KOP, wilayah_keanggotaan=["31.71"], waktu=T0)
    state = StatusPermohonan.DIAJUKAN
    moves = 1
    for action in actions:
        legal = TARGET[action] in TRANSITIONS[state]
        try:
            if action == "verify":
                wf.verify(p.id, "p-1")
            elif action == "reject":
                wf.reject(p.id, "p-1")
            elif action == "issue":
                wf.issue(p.id, private_key=KEY, petugas="p-1", on=dt.date(2026, 3, 2))
            elif action == "expire":
                wf.expire(p.id, on=dt.date(2030, 1, 1))
            else:
                wf.revoke(p.id, "p-1", alasan="x", on=dt.date(2026, 4, 1))
        except WorkflowError:
            assert not legal
        else:
            assert legal
            state = TARGET[action]
            moves += 1
        got = wf.get(p.id)
        assert got.status is state
        assert len(got.riwayat) == moves


def test_unknown_application() -> None:
    with pytest.raises(NotFound):
        _wf().get("PNIK-none")


def test_eligibility_defaults() -> None:
    on = dt.date(2026, 3, 2)
    assert rat_held_recently(KOP, on).eligible
    old = Koperasi(nama="Lama", tanggal_rat_terakhir=dt.date(2020, 1, 1))
    verdict = rat_held_recently(old, on)
    assert not verdict.eligible and verdict.reasons[0].code == "NIK_RAT_OUTDATED"
    assert verdict.reasons[0].value == dt.date(2020, 1, 1)
    assert verdict.reasons[0].dasar
    # boundary: exactly the window is still eligible, one more day is not
    edge = Koperasi(nama="Tepi", tanggal_rat_terakhir=on - dt.timedelta(days=548))
    assert rat_held_recently(edge, on).eligible
    late = Koperasi(nama="Telat", tanggal_rat_terakhir=on - dt.timedelta(days=549))
    assert not rat_held_recently(late, on).eligible
    assert isinstance(default_eligibility(KOP, on), Kelayakan)


def test_default_classifier_uses_rules_and_grade() -> None:
    from kukm.model import Keuangan

    assert default_classifier(KOP, dt.date(2026, 3, 2)) == (None, "B")  # Konsumen: no KSP tier
    ksp = Koperasi(
        nama="KSP",
        jenis="Simpan Pinjam",
        total_anggota=100,
        grade="A",
        keuangan=Keuangan(modal_sendiri=1_000_000_000, aset=1_000_000_000),
    )
    assert default_classifier(ksp, dt.date(2026, 3, 2)) == ("I", "A")


def test_default_eligibility_is_the_kepatuhan_rule() -> None:
    on = dt.date(2026, 3, 2)
    ok = default_eligibility(KOP, on)
    assert ok.eligible and ok.rule.startswith("kukm.rules.kepatuhan")
    assert all(r.message_id and r.message_en and r.dasar for r in ok.reasons)
    no = default_eligibility(Koperasi(nama="Tanpa RAT"), on)
    assert not no.eligible and no.reasons[0].code == "NIK_NOT_ELIGIBLE"
    wf = NikWorkflow(open_store("memory://"), prefix_table=TABLE)  # default check
    p = wf.submit(Koperasi(nama="Tanpa RAT", id="x"), wilayah_keanggotaan=["31.71"], waktu=T0)
    wf.verify(p.id, SUDIN_OFFICER)
    with pytest.raises(WorkflowError) as info:
        wf.issue(p.id, private_key=KEY, petugas=SUDIN_OFFICER, on=on)
    assert info.value.code == "NIK_NOT_ELIGIBLE"


def test_ods_number_is_kept(tmp_path: Path) -> None:
    wf = _wf()
    ods = Koperasi(nama="Koperasi ODS", id="ods-7", nomor_induk_koperasi="3101010020004")
    p = wf.submit(ods, wilayah_keanggotaan=["31.01"], waktu=T0)
    seribu = Petugas(id="p-5", nama="Petugas Seribu", peran="sudin", wilayah="31.01")
    wf.verify(p.id, seribu)
    signed = wf.issue(p.id, private_key=KEY, petugas=seribu, on=dt.date(2026, 3, 2))
    assert signed.sertifikat.nomor_induk_koperasi == "3101010020004"
    assert nomor_induk_of(wf.store, "ods-7") == "3101010020004"
