"""Issued certificates and revocations kept in the store (documents API).

Collections:

* :data:`CERTIFICATES` – ``sertifikat_id`` → the certificate's fields and its signed payload;
* :data:`CURRENT` – ``nomor_induk_koperasi`` → ``sertifikat_id`` of its latest certificate;
* :data:`REVOCATIONS` – ``sertifikat_id`` → ``tanggal_cabut``, ``alasan``.

>>> import datetime as dt
>>> from kukm.plugins import open_store
>>> from kukm.certificate.keys import generate_private_key
>>> from kukm.certificate.payload import Sertifikat, sign_certificate
>>> store = open_store("memory://")
>>> s = Sertifikat("3173070010001", "K", "Jl. A", dt.date(2026, 1, 7), dt.date(2028, 1, 6), "Dinas")
>>> save_certificate(store, sign_certificate(s, generate_private_key()))
>>> current_certificate(store, "3173070010001").sertifikat == s
True
>>> record_revocation(store, s.sertifikat_id, tanggal_cabut=dt.date(2026, 5, 1), alasan="bubar")
>>> revocation_list(store).revoked(s.sertifikat_id, on=dt.date(2026, 6, 1)).alasan
'bubar'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kukm.certificate.payload import Sertifikat, SignedCertificate
from kukm.certificate.revocation import Pencabutan, RevocationList
from kukm.exceptions import IntegrityError, register_code
from kukm.storage.base import Store

__all__ = [
    "CERTIFICATES",
    "CURRENT",
    "REVOCATIONS",
    "certificate_from_doc",
    "current_certificate",
    "get_certificate",
    "record_revocation",
    "revocation_list",
    "save_certificate",
]

CERT_ID_TAKEN = register_code(
    "CERT_ID_TAKEN",
    "Nomor sertifikat ini sudah dipakai sertifikat lain; sertifikat tidak ditimpa.",
    "This certificate id already names another certificate; it is not overwritten.",
    module=__name__,
)

CERTIFICATES = "sertifikat_nik"
CURRENT = "sertifikat_nik_terkini"
REVOCATIONS = "pencabutan_sertifikat_nik"


def _doc(signed: SignedCertificate, permohonan_id: str | None) -> dict[str, Any]:
    s = signed.sertifikat
    return {
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
        "payload": signed.payload,
        "key_id": signed.key_id,
        "permohonan_id": permohonan_id,
    }


def certificate_from_doc(doc: dict[str, Any]) -> SignedCertificate:
    """Rebuild a stored certificate."""
    s = Sertifikat(
        nomor_induk_koperasi=doc["nomor_induk_koperasi"],
        nama=doc["nama"],
        alamat=doc["alamat"],
        tanggal_terbit=dt.date.fromisoformat(doc["tanggal_terbit"]),
        tanggal_berakhir=dt.date.fromisoformat(doc["tanggal_berakhir"]),
        kantor_penerbit=doc["kantor_penerbit"],
        kelompok=doc.get("kelompok"),
        jenis=doc.get("jenis"),
        skala_usaha=doc.get("skala_usaha"),
        peringkat=doc.get("peringkat"),
    )
    return SignedCertificate(s, doc["payload"], doc["key_id"])


def save_certificate(
    store: Store, signed: SignedCertificate, *, permohonan_id: str | None = None
) -> None:
    """Keep an issued certificate and make it the cooperative's current one.

    A certificate id names one certificate only (revocations name it): saving a
    different certificate under an id already kept raises :class:`IntegrityError`
    (``CERT_ID_TAKEN``); saving the same one again changes nothing.
    """
    s = signed.sertifikat
    held = store.get_document(CERTIFICATES, s.sertifikat_id)
    if held is not None and held.get("payload") != signed.payload:
        raise IntegrityError(
            f"certificate id {s.sertifikat_id} is taken by another certificate",
            code=CERT_ID_TAKEN,
            field="sertifikat_id",
            value=s.sertifikat_id,
        )
    store.put_document(CERTIFICATES, s.sertifikat_id, _doc(signed, permohonan_id))
    store.put_document(CURRENT, s.nomor_induk_koperasi, {"sertifikat_id": s.sertifikat_id})


def get_certificate(store: Store, sertifikat_id: str) -> SignedCertificate | None:
    doc = store.get_document(CERTIFICATES, sertifikat_id)
    return None if doc is None else certificate_from_doc(doc)


def current_certificate(store: Store, nomor_induk_koperasi: str) -> SignedCertificate | None:
    """The latest certificate issued for a Nomor Induk Koperasi, if any."""
    ref = store.get_document(CURRENT, nomor_induk_koperasi)
    return None if ref is None else get_certificate(store, str(ref["sertifikat_id"]))


def record_revocation(
    store: Store, sertifikat_id: str, *, tanggal_cabut: dt.date, alasan: str | None = None
) -> None:
    """Record that a certificate is revoked from ``tanggal_cabut`` on."""
    store.put_document(
        REVOCATIONS,
        sertifikat_id,
        {"id": sertifikat_id, "tanggal_cabut": tanggal_cabut.isoformat(), "alasan": alasan},
    )


def revocation_list(store: Store) -> RevocationList:
    """Every revocation in the store (export it signed with
    :func:`kukm.certificate.revocation.write_signed_revocations`)."""
    entries = [
        Pencabutan(
            str(doc["id"]),
            dt.date.fromisoformat(doc["tanggal_cabut"]) if doc.get("tanggal_cabut") else None,
            doc.get("alasan"),
        )
        for _, doc in store.iter_documents(REVOCATIONS)
    ]
    return RevocationList(entries)
