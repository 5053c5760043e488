"""Priority service for certified cooperatives (Kepgub DKI 1625/2021 huruf H.7).

H.7 a: a cooperative holding a Sertifikat NIK and QR code gets *prioritas
pelayanan* from the government, the regional government and businesses
dealing with cooperatives (ranked by health and compliance); H.7 b: one
without a certificate has no right to priority. kukm reads "holding" as: a
certificate that is valid on the date asked about — issued, not expired, not
revoked, and (for a scanned payload) correctly signed.

:func:`priority_service` accepts what an officer has at hand:

* a QR payload text or a :class:`~kukm.certificate.payload.SignedCertificate`
  (needs the office's public key(s) to check the signature);
* a :class:`~kukm.certificate.payload.Sertifikat` from a trusted register;
* a :class:`~kukm.model.Koperasi`: its current certificate in ``store``, or
  else the ODS fields ``status_nik`` / ``tanggal_berlaku_sertifikat``.

>>> import datetime as dt
>>> from kukm.model import Koperasi
>>> k = Koperasi(nama="K", nomor_induk_koperasi="3173070010001",
...              status_nik="Sudah Bersertifikat", tanggal_berlaku_sertifikat=dt.date(2027, 1, 1))
>>> v = priority_service(k, on=dt.date(2026, 6, 1))
>>> v.eligible, v.reasons[0].code
(True, 'PRIORITY_CERTIFIED')
>>> priority_service(Koperasi(nama="K"), on=dt.date(2026, 6, 1)).reasons[0].code
'PRIORITY_NO_NIK'

An ODS status without the validity date proves nothing about the date asked:

>>> k = Koperasi(nama="K", nomor_induk_koperasi="3173070010001", status_nik="Sertifikat - Aktif")
>>> [r.code for r in priority_service(k, on=dt.date(2026, 6, 1)).reasons]
['PRIORITY_CERTIFICATE_INVALID', 'PRIORITY_VALIDITY_UNKNOWN']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, final

from attrs import field, frozen
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kukm.certificate.payload import Sertifikat, SignedCertificate
from kukm.certificate.registry import current_certificate, revocation_list
from kukm.certificate.revocation import RevocationList
from kukm.certificate.verify import verify_payload
from kukm.exceptions import register_code
from kukm.model import Koperasi
from kukm.nik.eligibility import Alasan
from kukm.storage.base import Store

__all__ = ["BASIS", "PriorityVerdict", "priority_service"]

BASIS = "Kepgub DKI Jakarta 1625/2021 huruf H.7"

PRIORITY_CERTIFIED = register_code(
    "PRIORITY_CERTIFIED",
    "Koperasi memiliki Sertifikat NIK yang berlaku: berhak atas prioritas pelayanan.",
    "The cooperative holds a valid NIK certificate: it is entitled to priority service.",
    module=__name__,
)
PRIORITY_NO_NIK = register_code(
    "PRIORITY_NO_NIK",
    "Koperasi belum memiliki Nomor Induk Koperasi: tidak berhak atas prioritas pelayanan.",
    "The cooperative has no Nomor Induk Koperasi: no right to priority service.",
    module=__name__,
)
PRIORITY_NO_CERTIFICATE = register_code(
    "PRIORITY_NO_CERTIFICATE",
    "Koperasi belum memiliki Sertifikat NIK dan QR Code: tidak berhak atas prioritas pelayanan.",
    "The cooperative has no NIK certificate with QR code: no right to priority service.",
    module=__name__,
)
PRIORITY_CERTIFICATE_INVALID = register_code(
    "PRIORITY_CERTIFICATE_INVALID",
    "Sertifikat NIK tidak berlaku pada tanggal tersebut: tidak berhak atas prioritas pelayanan.",
    "The NIK certificate is not valid on that date: no right to priority service.",
    module=__name__,
)
PRIORITY_VALIDITY_UNKNOWN = register_code(
    "PRIORITY_VALIDITY_UNKNOWN",
    "Status ODS menyatakan koperasi bersertifikat, tetapi tanggal berlaku sertifikat tidak ada: "
    "keberlakuan sertifikat pada tanggal tersebut tidak dapat dipastikan, tidak berhak atas "
    "prioritas pelayanan.",
    "The ODS status says the cooperative is certified, but the certificate's validity date is "
    "missing: whether it is valid on that date cannot be established; no right to priority "
    "service.",
    module=__name__,
)

_SUDAH = {"sudah bersertifikat", "sertifikat - aktif", "sertifikat aktif"}


def _tuple(items: Iterable[Alasan]) -> tuple[Alasan, ...]:
    return tuple(items)


@final
@frozen
class PriorityVerdict:
    """Whether a cooperative gets priority service on ``on``, and why (each reason cites H.7)."""

    eligible: bool
    on: dt.date
    reasons: tuple[Alasan, ...] = field(converter=_tuple)
    nomor_induk_koperasi: str | None = None
    peringkat: str | None = None
    dasar: str = BASIS

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "on": self.on.isoformat(),
            "nomor_induk_koperasi": self.nomor_induk_koperasi,
            "peringkat": self.peringkat,
            "dasar": self.dasar,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _verdict_for(s: Sertifikat, on: dt.date, revocations: RevocationList | None) -> PriorityVerdict:
    nomor = s.nomor_induk_koperasi
    if on < s.tanggal_terbit or on > s.tanggal_berakhir:
        code = "CERT_NOT_YET_VALID" if on < s.tanggal_terbit else "CERT_EXPIRED"
        reasons = [
            Alasan.of(PRIORITY_CERTIFICATE_INVALID, s.sertifikat_id, dasar=BASIS + " b"),
            Alasan.of(code, s.tanggal_berakhir, dasar=BASIS + " b"),
        ]
        return PriorityVerdict(False, on, reasons, nomor, s.peringkat)
    if revocations is not None:
        entry = revocations.revoked(s.sertifikat_id, on=on)
        if entry is not None:
            reasons = [
                Alasan.of(PRIORITY_CERTIFICATE_INVALID, s.sertifikat_id, dasar=BASIS + " b"),
                Alasan.of("CERT_REVOKED", entry.alasan, dasar=BASIS + " b"),
            ]
            return PriorityVerdict(False, on, reasons, nomor, s.peringkat)
    reasons = [Alasan.of(PRIORITY_CERTIFIED, s.sertifikat_id, dasar=BASIS + " a")]
    return PriorityVerdict(True, on, reasons, nomor, s.peringkat)


def priority_service(
    subject: Koperasi | Sertifikat | SignedCertificate | str,
    *,
    on: dt.date,
    store: Store | None = None,
    public_keys: Ed25519PublicKey
    | Iterable[Ed25519PublicKey]
    | Mapping[bytes, Ed25519PublicKey]
    | None = None,
    revocations: RevocationList | None = None,
) -> PriorityVerdict:
    """Verdict on priority service (H.7) for a cooperative, a certificate or a QR payload.

    With a ``store``, revocations recorded there count too (besides ``revocations``).
    A payload or signed certificate is only trusted with ``public_keys``.
    """
    if revocations is None and store is not None:
        revocations = revocation_list(store)
    elif revocations is not None and store is not None:
        revocations = RevocationList([*revocations.entries, *revocation_list(store).entries])
    if isinstance(subject, str | SignedCertificate):
        payload = subject if isinstance(subject, str) else subject.payload
        if public_keys is None:
            raise TypeError("a payload needs public_keys to be trusted")
        result = verify_payload(payload, public_keys, on=on, revocations=revocations)
        if result.valid and result.sertifikat is not None:
            return _verdict_for(result.sertifikat, on, None)
        reasons = [
            Alasan.of(PRIORITY_CERTIFICATE_INVALID, None, dasar=BASIS + " b"),
            Alasan.of(result.code, result.detail, dasar=BASIS + " b"),
        ]
        s = result.sertifikat
        return PriorityVerdict(
            False, on, reasons, s.nomor_induk_koperasi if s else None, s.peringkat if s else None
        )
    if isinstance(subject, Sertifikat):
        return _verdict_for(subject, on, revocations)
    nomor = subject.nomor_induk_koperasi
    if not nomor:
        return PriorityVerdict(False, on, [Alasan.of(PRIORITY_NO_NIK, None, dasar=BASIS + " b")])
    if store is not None:
        signed = current_certificate(store, nomor)
        if signed is not None:
            return _verdict_for(signed.sertifikat, on, revocations)
    status = (subject.status_nik or "").strip().lower()
    berlaku = subject.tanggal_berlaku_sertifikat
    expired = "expired" in status
    if status in _SUDAH or expired or (berlaku is not None and status != "belum bersertifikat"):
        if berlaku is not None and berlaku >= on and not expired:
            reasons = [Alasan.of(PRIORITY_CERTIFIED, berlaku, dasar=BASIS + " a")]
            return PriorityVerdict(True, on, reasons, nomor, subject.grade)
        # Expired: the status says so, or tanggal_berlaku < on (REGULATIONS.md Part 2 §2).
        # A "sudah/aktif" status without its validity date proves no validity on ``on``:
        # not an expired certificate, an unknown validity.
        why = PRIORITY_VALIDITY_UNKNOWN if berlaku is None and not expired else "CERT_EXPIRED"
        reasons = [
            Alasan.of(PRIORITY_CERTIFICATE_INVALID, subject.status_nik, dasar=BASIS + " b"),
            Alasan.of(why, berlaku, dasar=BASIS + " b"),
        ]
        return PriorityVerdict(False, on, reasons, nomor, subject.grade)
    reasons = [Alasan.of(PRIORITY_NO_CERTIFICATE, subject.status_nik, dasar=BASIS + " b")]
    return PriorityVerdict(False, on, reasons, nomor, subject.grade)
