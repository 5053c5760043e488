"""Priority refusals from ODS fields give the true reason (Kepgub H.7 b).

REGULATIONS.md Part 2 §2: "expired" is ``tanggal_berlaku < reference date`` (or an
ODS status ``Sertifikat - Expired``). A "certified" status with no validity date is
refused, but not as expired: its validity on the date asked cannot be established.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kukm.model import Koperasi
from kukm.nik.priority import priority_service

ON = dt.date(2026, 6, 1)
STATUSES = [
    "Sudah Bersertifikat",
    "Sertifikat - Aktif",
    "sertifikat aktif",
    "Sertifikat - Expired",
    "Belum Bersertifikat",
    None,
]


def _kop(status: str | None, berlaku: dt.date | None) -> Koperasi:
    return Koperasi(
        nama="K",
        nomor_induk_koperasi="3101010020004",
        status_nik=status,
        tanggal_berlaku_sertifikat=berlaku,
    )


def test_an_active_status_without_a_validity_date_is_not_called_expired() -> None:
    verdict = priority_service(_kop("Sertifikat - Aktif", None), on=ON)
    assert not verdict.eligible
    # before the fix: ["PRIORITY_CERTIFICATE_INVALID", "CERT_EXPIRED"] with value None
    assert [r.code for r in verdict.reasons] == [
        "PRIORITY_CERTIFICATE_INVALID",
        "PRIORITY_VALIDITY_UNKNOWN",
    ]
    reason = verdict.as_dict()["reasons"][1]
    assert reason["message_id"] and reason["message_en"] and "H.7" in reason["dasar"]


def test_an_expired_status_without_a_date_is_expired_not_uncertified() -> None:
    verdict = priority_service(_kop("Sertifikat - Expired", None), on=ON)
    # before: PRIORITY_NO_CERTIFICATE, as if it never had a certificate
    assert not verdict.eligible
    assert [r.code for r in verdict.reasons] == ["PRIORITY_CERTIFICATE_INVALID", "CERT_EXPIRED"]


@given(
    status=st.sampled_from(STATUSES),
    berlaku=st.none() | st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
)
def test_property_the_reason_matches_the_fields(
    status: str | None, berlaku: dt.date | None
) -> None:
    verdict = priority_service(_kop(status, berlaku), on=ON)
    codes = [r.code for r in verdict.reasons]
    text = (status or "").lower()
    certified = text in {"sudah bersertifikat", "sertifikat - aktif", "sertifikat aktif"}
    expired_status = "expired" in text
    valid_date = berlaku is not None and berlaku >= ON
    if valid_date and not expired_status and text != "belum bersertifikat":
        assert verdict.eligible and codes == ["PRIORITY_CERTIFIED"]
        return
    assert not verdict.eligible
    if "CERT_EXPIRED" in codes:  # expired is said only when the data says so
        assert expired_status or (berlaku is not None and berlaku < ON)
    if certified and berlaku is None:
        assert codes == ["PRIORITY_CERTIFICATE_INVALID", "PRIORITY_VALIDITY_UNKNOWN"]
    if expired_status:
        assert codes == ["PRIORITY_CERTIFICATE_INVALID", "CERT_EXPIRED"]
    if text in {"", "belum bersertifikat"} and berlaku is None:
        assert codes == ["PRIORITY_NO_CERTIFICATE"]
