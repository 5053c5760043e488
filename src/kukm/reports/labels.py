"""Names shown in report tables for the codes stored in records.

Region names come from the reference wilayah table
(:func:`kukm.reference.wilayah.get_table`, Kemendagri codes); when that table is
not installed, the six DKI kab/kota names below stand in (Kemendagri codes,
REGULATIONS.md §8) and other codes are shown as they are. Unknown and missing
values get one visible label, :data:`TIDAK_DIKETAHUI`, so they are counted,
never dropped.

>>> nama("kab_kota", "31.71")
'Kota Administrasi Jakarta Pusat'
>>> nama("skala", None)
'(tidak diketahui)'
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

__all__ = ["JUDUL_DIMENSI", "TIDAK_DIKETAHUI", "kosakata", "nama"]

TIDAK_DIKETAHUI: Final = "(tidak diketahui)"

#: Column headings for each tabulation dimension.
JUDUL_DIMENSI: Final[dict[str, str]] = {
    "provinsi": "Provinsi",
    "kab_kota": "Kabupaten/Kota",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
    "skala": "Skala usaha",
    "sumber_data": "Sumber data",
    "status": "Status verifikasi",
    "jenis": "Jenis koperasi",
    "bentuk": "Bentuk koperasi",
    "kelompok": "Kelompok koperasi",
    "kbli": "KBLI",
    "jenis_kelamin": "Jenis kelamin pemilik",
    "status_nik": "Status NIK",
    "grade": "Grade",
}

_DKI_KABKOTA: Final[dict[str, str]] = {
    "31": "Provinsi DKI Jakarta",
    "31.01": "Kabupaten Administrasi Kepulauan Seribu",
    "31.71": "Kota Administrasi Jakarta Pusat",
    "31.72": "Kota Administrasi Jakarta Utara",
    "31.73": "Kota Administrasi Jakarta Barat",
    "31.74": "Kota Administrasi Jakarta Selatan",
    "31.75": "Kota Administrasi Jakarta Timur",
}

_SUMBER: Final[dict[str, str]] = {
    "pelaku_usaha": "Pelaku usaha",
    "sudin": "Suku Dinas PPKUKM",
    "kecamatan": "Camat",
    "kelurahan": "Lurah",
    "bidang_ukm": "Bidang UKM",
    "bidang_koperasi": "Bidang Koperasi",
    "dekopin": "Dekopinwil/Dekopinda",
    "ods": "ODS Kemenkop",
    "pihak_lain": "Pihak lain (perlu verifikasi)",
}
_STATUS: Final[dict[str, str]] = {
    "terverifikasi": "Terverifikasi",
    "menunggu_verifikasi": "Menunggu verifikasi",
    "ditolak": "Ditolak",
}
_JENIS_KELAMIN: Final[dict[str, str]] = {"L": "Laki-laki", "P": "Perempuan"}
_SKALA: Final[dict[str, str]] = {
    "mikro": "Usaha Mikro",
    "kecil": "Usaha Kecil",
    "menengah": "Usaha Menengah",
    "besar": "Usaha Besar",
}


@cache
def _wilayah_names() -> dict[str, str]:
    names = dict(_DKI_KABKOTA)
    try:
        from kukm.reference import wilayah as ref  # type: ignore[attr-defined,unused-ignore]

        table: Any = ref.get_table()
    except Exception:
        return names
    entries: Any = None
    for attr in ("all", "items", "values", "__iter__"):
        if hasattr(table, attr) and attr != "items":
            try:
                entries = list(
                    table.all() if attr == "all" else table.values() if attr == "values" else table
                )
            except Exception:
                entries = None
            if entries:
                break
    for entry in entries or ():
        kode = getattr(entry, "kode", None)
        nm = getattr(entry, "nama", None)
        if isinstance(kode, str) and isinstance(nm, str):
            names[kode] = nm
    return names


def nama(dimensi: str, kode: str | None) -> str:
    """The label of ``kode`` in dimension ``dimensi``."""
    if kode is None or kode == "":
        return TIDAK_DIKETAHUI
    if dimensi in ("provinsi", "kab_kota", "kecamatan", "kelurahan"):
        nm = _wilayah_names().get(kode)
        return nm if nm else kode
    table = {
        "sumber_data": _SUMBER,
        "status": _STATUS,
        "jenis_kelamin": _JENIS_KELAMIN,
        "skala": _SKALA,
    }.get(dimensi)
    if table is not None:
        return table.get(kode, kode)
    return kode


def kosakata(dimensi: str, *, wilayah: str | None = None) -> tuple[str, ...] | None:
    """Every value a single-dimension table lists even when its count is zero, if known.

    >>> kosakata("skala")
    ('mikro', 'kecil', 'menengah', 'besar')
    >>> kosakata("kab_kota", wilayah="31")[:2]
    ('31.01', '31.71')
    """
    if dimensi == "skala":
        return tuple(_SKALA)
    if dimensi == "status":
        return tuple(_STATUS)
    if dimensi == "sumber_data":
        return tuple(_SUMBER)
    if dimensi == "jenis_kelamin":
        return tuple(_JENIS_KELAMIN)
    if dimensi in ("jenis", "bentuk"):
        # records keep the ODS wording ("Simpan Pinjam", "Primer Kabupaten/Kota")
        try:
            from kukm.rules.koperasi import BENTUK_LABEL, JENIS_LABEL
        except ImportError:  # pragma: no cover
            return None
        labels: Any = JENIS_LABEL if dimensi == "jenis" else BENTUK_LABEL
        return tuple(str(v) for v in labels.values())
    if dimensi in ("kab_kota", "kecamatan"):
        depth = 2 if dimensi == "kab_kota" else 3
        scope = wilayah or "31"
        codes = sorted(
            k
            for k in _wilayah_names()
            if k.count(".") == depth - 1 and (k == scope or k.startswith(scope + "."))
        )
        return tuple(codes) or None
    return None
