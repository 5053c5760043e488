"""The ODS record layout: field names in the ministry's order, and the value codecs.

Kepgub DKI 1625/2021 huruf G; field list REGULATIONS.md §1.3 [D], spellings
exactly as the ministry's ODS detail pages write them. Dates are
``DD/MM/YYYY``, counts are text with ``,`` thousands separators, a blank is a
single space. Used by :mod:`kukm.integration.ods`.

>>> parse_date("28/02/2013"), format_count(39096), ODS_FIELDS[0]
(datetime.date(2013, 2, 28), '39,096', 'Koperasi')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Final

__all__ = [
    "ABSENT_KEY",
    "BLANK",
    "JSON_PREFIX",
    "ODS_FIELDS",
    "VOCAB_FIELDS",
    "format_count",
    "format_date",
    "parse_count",
    "parse_date",
]

#: Field names of an ODS cooperative record, in the ministry's order.
ODS_FIELDS: Final[tuple[str, ...]] = (
    "Koperasi",
    "Nomor Badan Hukum Pendirian",
    "Tanggal Badan Hukum Pendirian",
    "Nomor Perubahan Anggaran Dasar (Terbaru)",
    "Tanggal Perubahan Anggaran Dasar (Terbaru)",
    "Tanggal RAT Terakhir",
    "Alamat",
    "Kelurahan / Desa",
    "Kecamatan",
    "Kabupaten",
    "Provinsi",
    "Bentuk Koperasi",
    "Jenis Koperasi",
    "Kelompok Koperasi",
    "Sektor Usaha",
    "Nama Ketua",
    "Nama Sekretaris",
    "Nama Bendahara",
    "Nama Pengawas",
    "Nama Manager",
    "Jumlah Anggota Pria",
    "Jumlah Anggota Wanita",
    "Total Anggota",
    "Total Manajer",
    "Total Karyawan",
    "Nomor Induk Koperasi (NIK)",
    "Status NIK",
    "Tanggal Berlaku Sertifikat",
    "Status Grade",
)
_KNOWN: Final[frozenset[str]] = frozenset(ODS_FIELDS)

#: ``atribut_lain`` key listing (as a JSON array) known fields the source record lacked.
ABSENT_KEY: Final = "~ods_absent"
#: ``atribut_lain`` key prefix for a value that was not a JSON string (kept as JSON text).
JSON_PREFIX: Final = "~json:"

BLANK: Final = " "

#: ODS field → vocabulary name of :mod:`kukm.reference.vocab`.
VOCAB_FIELDS: Final[Mapping[str, str]] = {
    "Bentuk Koperasi": "bentuk",
    "Jenis Koperasi": "jenis",
    "Kelompok Koperasi": "kelompok",
    "Status NIK": "status_nik",
    "Status Grade": "grade",
}

_DATE_RE: Final = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_COUNT_RE: Final = re.compile(r"\d{1,3}(?:,\d{3})*|\d+")
_NIKKOP_RE: Final = re.compile(r"\d{13}")


# -- value codecs --------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """``DD/MM/YYYY`` → date; blank or invalid → ``None``.

    >>> parse_date("28/02/2013"), parse_date(" "), parse_date("31/02/2013")
    (datetime.date(2013, 2, 28), None, None)
    """
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def format_date(value: dt.date | None) -> str:
    """date → ``DD/MM/YYYY``; ``None`` → the ODS blank ``" "``.

    >>> format_date(dt.date(2013, 2, 28)), format_date(None)
    ('28/02/2013', ' ')
    """
    if value is None:
        return BLANK
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def parse_count(text: str) -> int | None:
    """``"1,012"`` or ``"1012"`` → 1012; blank or invalid → ``None``.

    >>> parse_count("1,012"), parse_count("0"), parse_count("-"), parse_count("1,01")
    (1012, 0, None, None)
    """
    if _COUNT_RE.fullmatch(text) is None:
        return None
    return int(text.replace(",", ""))


def format_count(value: int | None) -> str:
    """int → ODS text with ``,`` thousands separators; ``None`` → ``" "``.

    >>> format_count(39096), format_count(7), format_count(None)
    ('39,096', '7', ' ')
    """
    return BLANK if value is None else f"{value:,}"


def _parse_text(text: str) -> str | None:
    value = text.strip()
    return value or None


def _format_text(value: str | None) -> str:
    return value if value else BLANK


def _parse_nikkop(text: str) -> str | None:
    value = text.strip().lstrip("'")
    compact = re.sub(r"[\s.\-]", "", value)
    if _NIKKOP_RE.fullmatch(compact):
        return compact
    return value or None


_DATE_FIELDS: Final = {
    "Tanggal Badan Hukum Pendirian": "tanggal_badan_hukum",
    "Tanggal Perubahan Anggaran Dasar (Terbaru)": "tanggal_perubahan_ad",
    "Tanggal RAT Terakhir": "tanggal_rat_terakhir",
    "Tanggal Berlaku Sertifikat": "tanggal_berlaku_sertifikat",
}
_COUNT_FIELDS: Final = {
    "Jumlah Anggota Pria": "anggota_pria",
    "Jumlah Anggota Wanita": "anggota_wanita",
    "Total Anggota": "total_anggota",
    "Total Manajer": "total_manajer",
    "Total Karyawan": "total_karyawan",
}
_TEXT_FIELDS: Final = {
    "Nomor Badan Hukum Pendirian": "nomor_badan_hukum",
    "Nomor Perubahan Anggaran Dasar (Terbaru)": "nomor_perubahan_ad",
    "Bentuk Koperasi": "bentuk",
    "Jenis Koperasi": "jenis",
    "Kelompok Koperasi": "kelompok",
    "Sektor Usaha": "sektor_usaha",
    "Status NIK": "status_nik",
    "Status Grade": "grade",
}
_ALAMAT_FIELDS: Final = {
    "Alamat": "jalan",
    "Kelurahan / Desa": "kelurahan_nama",
    "Kecamatan": "kecamatan_nama",
    "Kabupaten": "kabkota_nama",
    "Provinsi": "provinsi_nama",
}
_PENGURUS_FIELDS: Final = {
    "Nama Ketua": "ketua",
    "Nama Sekretaris": "sekretaris",
    "Nama Bendahara": "bendahara",
    "Nama Pengawas": "pengawas",
    "Nama Manager": "manajer",
}
_NIKKOP_FIELD: Final = "Nomor Induk Koperasi (NIK)"
_NAMA_FIELD: Final = "Koperasi"


# Each ``_take_*`` parses one field and keeps the raw text in ``lain`` whenever
# formatting the parsed value would not give the raw text back (lossless rule).


def _take_text(text: Mapping[str, str], lain: dict[str, str], name: str) -> str | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    value = raw.strip()
    if value != raw or not value:
        lain[name] = raw
    return value or None


def _take_date(text: Mapping[str, str], lain: dict[str, str], name: str) -> dt.date | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    value = parse_date(raw)
    if value is None or format_date(value) != raw:
        lain[name] = raw
    return value


def _take_count(text: Mapping[str, str], lain: dict[str, str], name: str) -> int | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    if len(raw) <= 3 and raw.isascii() and raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
        return int(raw)
    value = parse_count(raw)
    if value is None or format_count(value) != raw:
        lain[name] = raw
    return value


def _take_nikkop(text: Mapping[str, str], lain: dict[str, str]) -> str | None:
    raw = text.get(_NIKKOP_FIELD)
    if raw is None or raw == BLANK:
        return None
    value = _parse_nikkop(raw)
    if _format_text(value) != raw:
        lain[_NIKKOP_FIELD] = raw
    return value
