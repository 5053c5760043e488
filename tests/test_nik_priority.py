"""Priority service (Kepgub H.7): certified cooperatives, and only those, get priority."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.certificate.keys import generate_private_key
from kukm.certificate.payload import Sertifikat, sign_certificate
from kukm.certificate.registry import record_revocation, save_certificate
from kukm.certificate.revocation import Pencabutan, RevocationList
from kukm.model import Koperasi
from kukm.nik.priority import priority_service
from kukm.plugins import open_store

KEY = generate_private_key()
S = Sertifikat(
    "3173070010001",
    "Koperasi A",
    "Jl. A",
    dt.date(2026, 1, 1),
    dt.date(2027, 12, 31),
    "Dinas",
    peringkat="B",
)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2029, 1, 1)))
def test_property_eligible_exactly_within_validity(on: dt.date) -> None:
    verdict = priority_service(S, on=on)
    assert verdict.eligible is (S.tanggal_terbit <= on <= S.tanggal_berakhir)
    assert verdict.reasons and all(r.dasar and "H.7" in r.dasar for r in verdict.reasons)
    signed = priority_service(sign_certificate(S, KEY), on=on, public_keys=KEY.public_key())
    assert signed.eligible is verdict.eligible


def test_reasons_explain_the_verdict() -> None:
    assert priority_service(S, on=dt.date(2026, 6, 1)).reasons[0].code == "PRIORITY_CERTIFIED"
    expired = priority_service(S, on=dt.date(2028, 1, 1))
    assert [r.code for r in expired.reasons] == ["PRIORITY_CERTIFICATE_INVALID", "CERT_EXPIRED"]
    rl = RevocationList([Pencabutan(S.sertifikat_id, dt.date(2026, 3, 1), "dibubarkan")])
    revoked = priority_service(S, on=dt.date(2026, 6, 1), revocations=rl)
    assert not revoked.eligible and revoked.reasons[1].code == "CERT_REVOKED"
    assert revoked.as_dict()["reasons"][1]["value"] == "dibubarkan"


def test_payload_needs_keys_and_a_good_signature() -> None:
    payload = sign_certificate(S, KEY).payload
    with pytest.raises(TypeError):
        priority_service(payload, on=dt.date(2026, 6, 1))
    other = generate_private_key().public_key()
    v = priority_service(payload, on=dt.date(2026, 6, 1), public_keys=[other])
    assert not v.eligible and v.reasons[1].code == "CERT_KEY_UNKNOWN"


def test_koperasi_with_store_certificate_and_store_revocations() -> None:
    store = open_store("memory://")
    kop = Koperasi(nama="Koperasi A", nomor_induk_koperasi=S.nomor_induk_koperasi)
    assert priority_service(kop, on=dt.date(2026, 6, 1), store=store).reasons[0].code == (
        "PRIORITY_NO_CERTIFICATE"
    )
    save_certificate(store, sign_certificate(S, KEY))
    assert priority_service(kop, on=dt.date(2026, 6, 1), store=store).eligible
    record_revocation(store, S.sertifikat_id, tanggal_cabut=dt.date(2026, 7, 1))
    assert priority_service(kop, on=dt.date(2026, 6, 30), store=store).eligible
    assert not priority_service(kop, on=dt.date(2026, 7, 1), store=store).eligible


@pytest.mark.parametrize(
    ("status", "berlaku", "eligible", "code"),
    [
        ("Sudah Bersertifikat", dt.date(2026, 12, 31), True, "PRIORITY_CERTIFIED"),
        ("Sudah Bersertifikat", dt.date(2026, 5, 31), False, "PRIORITY_CERTIFICATE_INVALID"),
        ("Sertifikat - Expired", dt.date(2026, 12, 31), False, "PRIORITY_CERTIFICATE_INVALID"),
        ("Belum Bersertifikat", None, False, "PRIORITY_NO_CERTIFICATE"),
        (None, None, False, "PRIORITY_NO_CERTIFICATE"),
    ],
)
def test_koperasi_from_ods_fields(
    status: str | None, berlaku: dt.date | None, eligible: bool, code: str
) -> None:
    kop = Koperasi(
        nama="K",
        nomor_induk_koperasi="3101010020004",
        status_nik=status,
        tanggal_berlaku_sertifikat=berlaku,
    )
    verdict = priority_service(kop, on=dt.date(2026, 6, 1))
    assert verdict.eligible is eligible
    assert verdict.reasons[0].code == code


def test_no_nik_no_priority() -> None:
    verdict = priority_service(Koperasi(nama="Baru"), on=dt.date(2026, 6, 1))
    assert not verdict.eligible and verdict.reasons[0].code == "PRIORITY_NO_NIK"
    assert verdict.as_dict()["dasar"].startswith("Kepgub")
