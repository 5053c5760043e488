"""What a printed Sertifikat NIK shows, shared by the SVG, PNG and PDF renderers.

The layout follows Kepgub DKI 1625/2021 huruf H.1: the number, the
cooperative's identity, kelompok and jenis, skala usaha, peringkat, the
validity dates, the issuing office and the QR code.

>>> import datetime as dt
>>> format_tanggal(dt.date(2026, 1, 5))
'5 Januari 2026'
>>> format_nomor("3101010020004")
'3101 01 002 0004'
"""

from __future__ import annotations

import datetime as dt

from kukm.certificate.payload import Sertifikat

__all__ = [
    "BASIS",
    "QR_CAPTION",
    "SUBTITLE",
    "TITLE",
    "certificate_rows",
    "format_nomor",
    "format_tanggal",
]

TITLE = "SERTIFIKAT NOMOR INDUK KOPERASI"
SUBTITLE = "Certificate of Cooperative Registration Number"
BASIS = (
    "Dasar: Keputusan Gubernur DKI Jakarta No. 1625 Tahun 2021 huruf H; "
    "Permenkop UKM No. 10/Per/M.KUKM/VI/2016 Pasal 16."
)
QR_CAPTION = "Pindai QR untuk verifikasi dengan kunci publik kantor penerbit"

_BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def format_tanggal(d: dt.date) -> str:
    """Indonesian long date."""
    return f"{d.day} {_BULAN[d.month - 1]} {d.year}"


def format_nomor(nomor: str) -> str:
    """The NIK Koperasi grouped as ``PPKK CC DDD SSSS`` for reading."""
    return f"{nomor[:4]} {nomor[4:6]} {nomor[6:9]} {nomor[9:]}"


def certificate_rows(s: Sertifikat) -> list[tuple[str, str]]:
    """(label, value) rows in print order; absent values print as ``-``.

    >>> s = Sertifikat("3173010010001", "Koperasi A", "Jl. B", dt.date(2026, 1, 5),
    ...                dt.date(2028, 1, 4), "Dinas PPKUKM")
    >>> certificate_rows(s)[0]
    ('Nama Koperasi', 'Koperasi A')
    """
    kelompok_jenis = " / ".join(v for v in (s.kelompok, s.jenis) if v) or "-"
    return [
        ("Nama Koperasi", s.nama),
        ("Alamat", s.alamat or "-"),
        ("Kelompok / Jenis", kelompok_jenis),
        ("Skala Usaha", s.skala_usaha or "-"),
        ("Peringkat", s.peringkat or "-"),
        ("Tanggal Terbit", format_tanggal(s.tanggal_terbit)),
        ("Berlaku Sampai", format_tanggal(s.tanggal_berakhir)),
        ("Kantor Penerbit", s.kantor_penerbit),
    ]
