"""Offline verification of a certificate payload (what a scanner of the QR code does).

Checks, in order, each failing with a stable code (bilingual messages in
:data:`kukm.exceptions.CODES`):

1. ``CERT_PAYLOAD_MALFORMED`` / ``CERT_VERSION_UNKNOWN`` – not a payload kukm can read;
2. ``CERT_KEY_UNKNOWN`` – signed by a key the verifier does not hold;
3. ``CERT_SIGNATURE_INVALID`` – any changed byte;
4. ``CERT_NOT_YET_VALID`` / ``CERT_EXPIRED`` – the date (default: today) lies
   outside [tanggal_terbit, tanggal_berakhir];
5. ``CERT_REVOKED`` – named in a trusted revocation list.

A valid payload gives code ``CERT_VALID``.

>>> import datetime as dt
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from kukm.certificate.payload import Sertifikat, sign_certificate
>>> key = Ed25519PrivateKey.generate()
>>> s = Sertifikat("3173010010001", "Koperasi Contoh", "Jl. Contoh 1", dt.date(2026, 1, 5),
...                dt.date(2028, 1, 4), "Sudin PPKUKM Jakarta Pusat")
>>> p = sign_certificate(s, key).payload
>>> r = verify_payload(p, key.public_key(), on=dt.date(2026, 6, 1))
>>> r.valid, r.code, r.sertifikat == s
(True, 'CERT_VALID', True)
>>> verify_payload(p, key.public_key(), on=dt.date(2029, 1, 1)).code
'CERT_EXPIRED'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, final

from attrs import frozen
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kukm.certificate.keys import key_id
from kukm.certificate.payload import Sertifikat, decode_payload, verify_signature
from kukm.certificate.revocation import RevocationList
from kukm.exceptions import CODES, ValidationError, register_code

__all__ = ["VerificationResult", "verify_or_raise", "verify_payload"]

CERT_VALID = "CERT_VALID"
CERT_KEY_UNKNOWN = register_code(
    "CERT_KEY_UNKNOWN",
    "Sertifikat ditandatangani dengan kunci yang tidak dikenal.",
    "The certificate is signed with an unknown key.",
    module=__name__,
)
CERT_SIGNATURE_INVALID = register_code(
    "CERT_SIGNATURE_INVALID",
    "Tanda tangan sertifikat tidak sah: isinya telah diubah.",
    "The certificate signature is not valid: its content was changed.",
    module=__name__,
)
CERT_EXPIRED = register_code(
    "CERT_EXPIRED",
    "Masa berlaku sertifikat sudah habis.",
    "The certificate has expired.",
    module=__name__,
)
CERT_NOT_YET_VALID = register_code(
    "CERT_NOT_YET_VALID",
    "Sertifikat belum berlaku pada tanggal tersebut.",
    "The certificate is not yet valid on that date.",
    module=__name__,
)
CERT_REVOKED = register_code(
    "CERT_REVOKED",
    "Sertifikat telah dicabut.",
    "The certificate has been revoked.",
    module=__name__,
)

_VALID_MESSAGES = ("Sertifikat sah.", "The certificate is valid.")


@final
@frozen
class VerificationResult:
    """The verdict on one payload. ``sertifikat`` is set once the signature checked out."""

    valid: bool
    code: str
    message_id: str
    message_en: str
    sertifikat: Sertifikat | None = None
    key_id: str | None = None
    on: dt.date | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO text)."""
        s = self.sertifikat
        return {
            "valid": self.valid,
            "code": self.code,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "key_id": self.key_id,
            "on": self.on.isoformat() if self.on else None,
            "detail": self.detail,
            "sertifikat": None
            if s is None
            else {
                "sertifikat_id": s.sertifikat_id,
                "nomor_induk_koperasi": s.nomor_induk_koperasi,
                "nama": s.nama,
                "alamat": s.alamat,
                "kelompok": s.kelompok,
                "jenis": s.jenis,
                "skala_usaha": s.skala_usaha,
                "peringkat": s.peringkat,
                "tanggal_terbit": s.tanggal_terbit.isoformat(),
                "tanggal_berakhir": s.tanggal_berakhir.isoformat(),
                "kantor_penerbit": s.kantor_penerbit,
            },
        }


def _result(
    code: str,
    *,
    sertifikat: Sertifikat | None = None,
    kid: str | None = None,
    on: dt.date | None = None,
    detail: str | None = None,
) -> VerificationResult:
    if code == CERT_VALID:
        mid, men = _VALID_MESSAGES
    else:
        info = CODES[code]
        mid, men = info.message_id, info.message_en
    return VerificationResult(code == CERT_VALID, code, mid, men, sertifikat, kid, on, detail)


def _key_map(
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey] | Mapping[bytes, Ed25519PublicKey],
) -> dict[bytes, Ed25519PublicKey]:
    if isinstance(public_keys, Ed25519PublicKey):
        return {key_id(public_keys): public_keys}
    if isinstance(public_keys, Mapping):
        return dict(public_keys)
    return {key_id(k): k for k in public_keys}


def verify_payload(
    payload: str | bytes,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey] | Mapping[bytes, Ed25519PublicKey],
    *,
    on: dt.date | None = None,
    revocations: RevocationList | None = None,
) -> VerificationResult:
    """Verify a QR payload offline with the office's public key(s). Never raises for bad input.

    ``on`` defaults to today; ``revocations`` is a trusted list (see
    :func:`kukm.certificate.revocation.load_revocations`).
    """
    day = on or dt.date.today()
    try:
        decoded = decode_payload(payload)
    except ValidationError as exc:
        return _result(exc.code, on=day, detail=str(exc.value) if exc.value is not None else None)
    kid = decoded.key_id.hex()
    key = _key_map(public_keys).get(decoded.key_id)
    if key is None:
        return _result(CERT_KEY_UNKNOWN, kid=kid, on=day)
    if not verify_signature(decoded, key):
        return _result(CERT_SIGNATURE_INVALID, kid=kid, on=day)
    s = decoded.sertifikat
    if day < s.tanggal_terbit:
        return _result(CERT_NOT_YET_VALID, sertifikat=s, kid=kid, on=day)
    if day > s.tanggal_berakhir:
        return _result(
            CERT_EXPIRED, sertifikat=s, kid=kid, on=day, detail=s.tanggal_berakhir.isoformat()
        )
    if revocations is not None:
        entry = revocations.revoked(s.sertifikat_id, on=day)
        if entry is not None:
            return _result(CERT_REVOKED, sertifikat=s, kid=kid, on=day, detail=entry.alasan)
    return _result(CERT_VALID, sertifikat=s, kid=kid, on=day)


def verify_or_raise(
    payload: str | bytes,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey] | Mapping[bytes, Ed25519PublicKey],
    *,
    on: dt.date | None = None,
    revocations: RevocationList | None = None,
) -> Sertifikat:
    """Like :func:`verify_payload`, but return the certificate or raise ``ValidationError``.

    >>> verify_or_raise("KUKM:AAAA", [])
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [CERT_VERSION_UNKNOWN] ...
    """
    result = verify_payload(payload, public_keys, on=on, revocations=revocations)
    if not result.valid or result.sertifikat is None:
        raise ValidationError(code=result.code, field="payload", value=result.detail)
    return result.sertifikat
