"""The Sertifikat NIK and its compact signed QR payload (Kepgub DKI 1625/2021 huruf H.1).

Kepgub H.1 (following Permenkop UKM 10/Per/M.KUKM/VI/2016 Pasal 16): the Nomor
Induk Koperasi is given as a *Sertifikat Nomor Induk Koperasi* "yang
dilengkapi dengan QR Code, kelompok jenis dan skala usaha serta peringkat
Koperasi". The decree does not say what the QR code holds; kukm makes it an
offline-verifiable signed statement of the certificate's data.

Binary layout, version 1 (all integers big-endian)::

    offset size  field
    0      1     layout version (1)
    1      4     key id: SHA-256(raw Ed25519 public key)[:4]
    5      6     nomor_induk_koperasi as an unsigned 48-bit integer (13 digits)
    11     2     tanggal_terbit, days since 2000-01-01
    13     2     tanggal_berakhir, days since 2000-01-01
    15     …     7 strings, each 1 length byte + UTF-8 (≤ 255 bytes):
                 nama, alamat, kelompok, jenis, skala_usaha, peringkat,
                 kantor_penerbit (an empty string stands for "not stated")
    end-64 64    Ed25519 signature over b"kukm-sertifikat-nik\\0" + all bytes before it

The text in the QR code is ``KUKM:`` followed by the RFC 4648 base32 of the
bytes without ``=`` padding: only characters of QR *alphanumeric* mode, so the
code stays small (5.5 bits a character) and survives copy and paste.

>>> import datetime as dt
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
>>> s = Sertifikat(nomor_induk_koperasi="3101010020004", nama="Koperasi Tidung Sejahtera",
...                alamat="Jl. Ahmad Mundari", kelompok="Kop. Nelayan", jenis="Produsen",
...                skala_usaha="KUK 1", peringkat="B", tanggal_terbit=dt.date(2026, 1, 5),
...                tanggal_berakhir=dt.date(2028, 1, 4), kantor_penerbit="Sudin PPKUKM Kep. Seribu")
>>> signed = sign_certificate(s, key)
>>> signed.payload[:5]
'KUKM:'
>>> decode_payload(signed.payload).sertifikat == s
True
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import final

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kukm.certificate.keys import key_id
from kukm.exceptions import ValidationError, register_code

__all__ = [
    "EPOCH",
    "LAYOUT_VERSION",
    "PAYLOAD_PREFIX",
    "SIGNATURE_CONTEXT",
    "DecodedPayload",
    "Sertifikat",
    "SignedCertificate",
    "decode_payload",
    "encode_body",
    "payload_bytes",
    "sign_certificate",
    "verify_signature",
]

LAYOUT_VERSION = 1
PAYLOAD_PREFIX = "KUKM:"
SIGNATURE_CONTEXT = b"kukm-sertifikat-nik\x00"
EPOCH = dt.date(2000, 1, 1)
_MAX_DATE = EPOCH + dt.timedelta(days=0xFFFF)
_HEADER = 15
_SIG = 64

CERT_FIELD_INVALID = register_code(
    "CERT_FIELD_INVALID",
    "Isian sertifikat tidak dapat dimuat dalam QR (tanggal 2000–2179, teks ≤ 255 bita, NIK 13 digit).",
    "A certificate field cannot be encoded (dates 2000–2179, text ≤ 255 bytes, NIK 13 digits).",
    module=__name__,
)
CERT_PAYLOAD_MALFORMED = register_code(
    "CERT_PAYLOAD_MALFORMED",
    "Isi QR sertifikat rusak atau bukan sertifikat NIK Koperasi.",
    "The certificate QR payload is damaged or not a NIK Koperasi certificate.",
    module=__name__,
)
CERT_VERSION_UNKNOWN = register_code(
    "CERT_VERSION_UNKNOWN",
    "Versi format sertifikat tidak dikenal.",
    "Unknown certificate payload version.",
    module=__name__,
)


def _optional_text(value: str | None) -> str | None:
    return value or None


def _check_nik(_: object, attribute: object, value: str) -> None:
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(code=CERT_FIELD_INVALID, field="nomor_induk_koperasi", value=value)


@final
@frozen
class Sertifikat:
    """What a Sertifikat NIK states (Kepgub H.1; Permenkop 10/2016 Pasal 16).

    Empty optional texts are normalised to ``None``. The validity ends at the
    end of ``tanggal_berakhir`` (inclusive).
    """

    nomor_induk_koperasi: str = field(validator=_check_nik)
    nama: str
    alamat: str
    tanggal_terbit: dt.date
    tanggal_berakhir: dt.date
    kantor_penerbit: str
    kelompok: str | None = field(default=None, converter=_optional_text)
    jenis: str | None = field(default=None, converter=_optional_text)
    skala_usaha: str | None = field(default=None, converter=_optional_text)
    peringkat: str | None = field(default=None, converter=_optional_text)

    @property
    def sertifikat_id(self) -> str:
        """``<nomor_induk_koperasi>-<YYYYMMDD of tanggal_terbit>``: what a revocation names."""
        return f"{self.nomor_induk_koperasi}-{self.tanggal_terbit:%Y%m%d}"

    def berlaku_pada(self, on: dt.date) -> bool:
        """Whether ``on`` lies within [tanggal_terbit, tanggal_berakhir]."""
        return self.tanggal_terbit <= on <= self.tanggal_berakhir


@final
@frozen
class SignedCertificate:
    """A certificate with its signed QR payload (what renderers draw)."""

    sertifikat: Sertifikat
    payload: str
    key_id: str


@final
@frozen
class DecodedPayload:
    """A payload taken apart (signature not yet checked)."""

    version: int
    key_id: bytes
    sertifikat: Sertifikat
    signed_message: bytes
    signature: bytes


def _days(d: dt.date, name: str) -> bytes:
    if not EPOCH <= d <= _MAX_DATE:
        raise ValidationError(code=CERT_FIELD_INVALID, field=name, value=d)
    return (d - EPOCH).days.to_bytes(2, "big")


def _texts(s: Sertifikat) -> tuple[tuple[str, str | None], ...]:
    return (
        ("nama", s.nama),
        ("alamat", s.alamat),
        ("kelompok", s.kelompok),
        ("jenis", s.jenis),
        ("skala_usaha", s.skala_usaha),
        ("peringkat", s.peringkat),
        ("kantor_penerbit", s.kantor_penerbit),
    )


def encode_body(sertifikat: Sertifikat, kid: bytes) -> bytes:
    """The bytes that get signed (layout version 1, without the signature).

    >>> import datetime as dt
    >>> s = Sertifikat("3171100090001", "K", "", dt.date(2000, 1, 2), dt.date(2000, 1, 3), "D")
    >>> encode_body(s, b"\\0\\0\\0\\0").hex()
    '010000000002e2544b5e9100010002014b00000000000144'
    """
    out = bytearray((LAYOUT_VERSION,))
    out += kid
    out += int(sertifikat.nomor_induk_koperasi).to_bytes(6, "big")
    out += _days(sertifikat.tanggal_terbit, "tanggal_terbit")
    out += _days(sertifikat.tanggal_berakhir, "tanggal_berakhir")
    for name, text in _texts(sertifikat):
        raw = (text or "").encode("utf-8")
        if len(raw) > 255:
            raise ValidationError(code=CERT_FIELD_INVALID, field=name, value=text)
        out.append(len(raw))
        out += raw
    return bytes(out)


def sign_certificate(sertifikat: Sertifikat, private_key: Ed25519PrivateKey) -> SignedCertificate:
    """Sign ``sertifikat`` and return it with its QR payload text."""
    kid = key_id(private_key.public_key())
    body = encode_body(sertifikat, kid)
    signature = private_key.sign(SIGNATURE_CONTEXT + body)
    text = base64.b32encode(body + signature).decode("ascii").rstrip("=")
    return SignedCertificate(sertifikat, PAYLOAD_PREFIX + text, kid.hex())


def _malformed(value: object) -> ValidationError:
    return ValidationError(code=CERT_PAYLOAD_MALFORMED, field="payload", value=value)


def payload_bytes(payload: str) -> bytes:
    """The raw bytes of a payload text (prefix optional, case and blanks ignored).

    >>> payload_bytes("KUKM:AE")
    b'\\x01'
    """
    text = "".join(payload.split()).upper()
    if text.startswith(PAYLOAD_PREFIX):
        text = text[len(PAYLOAD_PREFIX) :]
    text += "=" * (-len(text) % 8)
    try:
        return base64.b32decode(text)
    except (binascii.Error, ValueError):
        raise _malformed(payload[:40]) from None


def decode_payload(payload: str | bytes) -> DecodedPayload:
    """Take a payload apart; raises :class:`ValidationError` if it is not one.

    >>> decode_payload("KUKM:hello")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [CERT_PAYLOAD_MALFORMED] ...
    """
    raw = payload_bytes(payload) if isinstance(payload, str) else bytes(payload)
    if not raw:
        raise _malformed("")
    if raw[0] != LAYOUT_VERSION:
        raise ValidationError(code=CERT_VERSION_UNKNOWN, field="payload", value=raw[0])
    if len(raw) < _HEADER + 7 + _SIG:
        raise _malformed(len(raw))
    body, signature = raw[:-_SIG], raw[-_SIG:]
    kid = body[1:5]
    nik = int.from_bytes(body[5:11], "big")
    terbit = EPOCH + dt.timedelta(days=int.from_bytes(body[11:13], "big"))
    berakhir = EPOCH + dt.timedelta(days=int.from_bytes(body[13:15], "big"))
    texts: list[str] = []
    pos = _HEADER
    for _ in range(7):
        if pos >= len(body):
            raise _malformed(pos)
        n = body[pos]
        chunk = body[pos + 1 : pos + 1 + n]
        if len(chunk) != n:
            raise _malformed(pos)
        try:
            texts.append(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            raise _malformed(pos) from None
        pos += 1 + n
    if pos != len(body) or nik >= 10**13:
        raise _malformed(pos)
    nama, alamat, kelompok, jenis, skala, peringkat, kantor = texts
    try:
        sertifikat = Sertifikat(
            nomor_induk_koperasi=f"{nik:013d}",
            nama=nama,
            alamat=alamat,
            tanggal_terbit=terbit,
            tanggal_berakhir=berakhir,
            kantor_penerbit=kantor,
            kelompok=kelompok,
            jenis=jenis,
            skala_usaha=skala,
            peringkat=peringkat,
        )
    except ValidationError:
        raise _malformed(nik) from None
    return DecodedPayload(LAYOUT_VERSION, kid, sertifikat, SIGNATURE_CONTEXT + body, signature)


def verify_signature(decoded: DecodedPayload, public_key: Ed25519PublicKey) -> bool:
    """Whether the payload's signature is valid for ``public_key``."""
    try:
        public_key.verify(decoded.signature, decoded.signed_message)
    except InvalidSignature:
        return False
    return True
