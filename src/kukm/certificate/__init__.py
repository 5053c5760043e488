"""Sertifikat Nomor Induk Koperasi with an offline-verifiable QR code (Kepgub DKI 1625/2021 huruf H).

* :class:`Sertifikat` – what the certificate states; :func:`sign_certificate`
  makes a :class:`SignedCertificate` whose ``payload`` goes into the QR code.
* :func:`verify_payload` – offline check with the office's public key: a
  changed byte, an expired or a revoked certificate fails with a stable code.
* :mod:`kukm.certificate.keys` – Ed25519 key pairs (``kukm keys generate``).
* :mod:`kukm.certificate.revocation` – signed or plain revocation lists.
* :func:`render_certificate` – SVG / PNG / PDF through the ``kukm_register_renderers`` hook.
* :mod:`kukm.certificate.issuance` – issue from the store, and the demo helper.

See ``docs/certificate.md``.
"""

from __future__ import annotations

from kukm.certificate.keys import (
    KeyPairPaths,
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    write_keypair,
    write_public_key,
)
from kukm.certificate.payload import (
    Sertifikat,
    SignedCertificate,
    decode_payload,
    sign_certificate,
)
from kukm.certificate.revocation import (
    Pencabutan,
    RevocationList,
    load_revocations,
    write_signed_revocations,
)
from kukm.certificate.verify import VerificationResult, verify_or_raise, verify_payload

__all__ = [
    "KeyPairPaths",
    "Pencabutan",
    "RevocationList",
    "Sertifikat",
    "SignedCertificate",
    "VerificationResult",
    "decode_payload",
    "generate_private_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "load_revocations",
    "sign_certificate",
    "verify_or_raise",
    "verify_payload",
    "write_keypair",
    "write_public_key",
    "write_signed_revocations",
]
