"""Names shown in report tables for the codes stored in records.

Region names come from the reference wilayah table
(:func:`kukm.reference.wilayah.get_table`, Kemendagri codes); when that table is
not installed, the six DKI kab/kota names below stand in (Kemendagri codes,
REGULATIONS.md §8) and other codes are shown as they are. Unknown and missing
values get one visible label, :data:`TIDAK_DIKETAHUI`, so they are counted,
never dropped.

**Stored values as tables group them** (:func:`kanonik`). Records keep the
source's text ("KONSUMEN", "konsumen ", "Simpan Pinjam"), so before counting
a value is read as follows:

* missing, empty or only spaces: unknown (the :data:`TIDAK_DIKETAHUI` row);
* a dimension with a fixed vocabulary (:func:`kosakata`: ``skala`` of UMKM
  and of koperasi, ``status``, ``sumber_data``, ``jenis_kelamin``, ``jenis``,
  ``bentuk``, ``kelompok``, ``status_nik``, ``grade``): a value equal to a
  vocabulary value or to its shown name *ignoring case, spaces around and
  between words, and ``_`` against a space* counts under that vocabulary value
  ("KONSUMEN", " konsumen" and "Konsumen" are one row, ``Konsumen``; "Usaha
  Mikro" and "MIKRO" count as ``mikro``);
* the koperasi vocabularies (``jenis``, ``bentuk``, ``kelompok``,
  ``status_nik``, ``grade``) are the ministry's ODS spellings
  (:mod:`kukm.reference.vocab`, REGULATIONS.md §1.3 and §4). A value the ODS
  matching reads as one of them (case, spaces and punctuation ignored, and its
  aliases: "KOP. NELAYAN" and "Kop Nelayan" → ``Kop. Nelayan``, "Primer
  Kab/Kota" and ``primer_kabkota`` → ``Primer Kabupaten/Kota``, "KSP" →
  ``Simpan Pinjam``, "BELUM BERSERTIFIKAT" → ``Belum Bersertifikat``, "c1" →
  ``C1``; :func:`kukm.rules.koperasi.normalise_jenis`,
  :func:`~kukm.rules.koperasi.normalise_bentuk`,
  :func:`kukm.reference.vocab.normalise`) counts under it;
* ``skala`` of a koperasi is the tier of Permenkop UKM 8/2023 Pasal 49
  (:data:`kukm.rules.skala_koperasi.PERMENKOP_8_2023`, the scheme imports
  store): ``I`` … ``IV``, shown as "Klasifikasi Usaha I" …; a cooperative the
  scheme does not cover (not simpan pinjam) has no tier and is counted unknown;
* any other value (outside the vocabulary, or a dimension without one) keeps
  its own row, shown as stored with the spaces around it dropped and runs of
  spaces read as one; its case is kept, so "Koperasi Tani" and "KOPERASI
  TANI" are two rows (no vocabulary says which spelling is right). Such a row
  comes after the vocabulary values and before the unknown row. Example:
  ``skala`` ``tidak_dipakai`` is its own row, not merged into unknown.

Grouping only ever merges rows, so every table still sums to its total.

>>> nama("kab_kota", "31.71")
'Kota Administrasi Jakarta Pusat'
>>> nama("skala", None)
'(tidak diketahui)'
>>> kanonik("jenis", " KONSUMEN "), kanonik("skala", "Usaha Mikro"), kanonik("jenis", "  ")
('Konsumen', 'mikro', None)
>>> kanonik("kelompok", " Koperasi  Tani ")
'Koperasi Tani'
>>> kanonik("kelompok", "KOP. NELAYAN"), kanonik("bentuk", "primer_kabkota"), kanonik("grade", "c1")
('Kop. Nelayan', 'Primer Kabupaten/Kota', 'C1')
>>> kanonik("skala", "i", kind="koperasi"), nama("skala", "II", kind="koperasi")
('I', 'Klasifikasi Usaha II')
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

__all__ = [
    "JUDUL_DIMENSI",
    "TIDAK_DIKETAHUI",
    "judul_dimensi",
    "kanonik",
    "kosakata",
    "nama",
    "wilayah_codes",
    "wilayah_nama",
]

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


def judul_dimensi(dimensi: str, kind: str = "umkm") -> str:
    """The column heading of ``dimensi`` in a table of ``kind`` records.

    >>> judul_dimensi("skala"), judul_dimensi("skala", "koperasi")
    ('Skala usaha', 'Klasifikasi usaha KSP/KSPPS')
    """
    if dimensi == "skala" and kind == "koperasi":
        return "Klasifikasi usaha KSP/KSPPS"  # Permenkop UKM 8/2023 Pasal 49
    return JUDUL_DIMENSI.get(dimensi, dimensi)


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


_ODS_VOCAB: Final = frozenset({"kelompok", "status_nik", "grade"})


@cache
def _skala_koperasi() -> tuple[str, ...]:
    """The tiers koperasi ``skala`` holds: those of the scheme imports store (Pasal 49)."""
    from kukm.rules.skala_koperasi import PERMENKOP_8_2023

    return PERMENKOP_8_2023.tingkat


def _nama_skala_koperasi(kode: str) -> str:
    """The label of tier ``kode`` ("Klasifikasi Usaha I"; Permenkop UKM 8/2023 Pasal 49)."""
    return f"Klasifikasi Usaha {kode}" if kode in _skala_koperasi() else kode


def _ods_kanonik(dimensi: str, text: str) -> str | None:
    """The ODS spelling a koperasi value reads as (REGULATIONS.md §1.3, §4), else ``None``."""
    if dimensi == "jenis":
        from kukm.rules.koperasi import JENIS_LABEL, normalise_jenis

        jenis = normalise_jenis(text)
        return JENIS_LABEL[jenis] if jenis is not None else None
    if dimensi == "bentuk":
        from kukm.rules.koperasi import BENTUK_LABEL, normalise_bentuk

        bentuk = normalise_bentuk(text)
        return BENTUK_LABEL[bentuk] if bentuk is not None else None
    if dimensi in _ODS_VOCAB:
        from kukm.reference import vocab

        v = vocab.get(dimensi)
        return v.normalise(text) if text in v else None
    return None


@cache
def _wilayah_table() -> Any:
    """The reference wilayah table, or ``None`` when it is not installed."""
    try:
        from kukm.reference import wilayah as ref  # type: ignore[attr-defined,unused-ignore]

        return ref.get_table()
    except Exception:  # pragma: no cover - reference data not installed
        return None


def wilayah_nama(kode: str) -> str | None:
    """The official name of a Kemendagri code (reference table, else the DKI kab/kota list)."""
    table = _wilayah_table()
    found = table.nama(kode) if table is not None else None
    return found if found else _DKI_KABKOTA.get(kode)


def wilayah_codes(scope: str, depth: int) -> tuple[str, ...]:
    """Codes at ``depth`` (1 provinsi … 4 kelurahan) inside ``scope``, in code order."""
    if scope.count(".") + 1 == depth:
        return (scope,)
    if scope.count(".") + 1 > depth:
        return ()
    table = _wilayah_table()
    if table is not None:
        tingkat = ("provinsi", "kabkota", "kecamatan", "kelurahan")[depth - 1]
        try:
            return tuple(table.descendants(scope, tingkat))
        except Exception:  # pragma: no cover - a replacement table without descendants()
            pass
    return tuple(k for k in _DKI_KABKOTA if k.count(".") == depth - 1 and k.startswith(scope + "."))


def nama(dimensi: str, kode: str | None, *, kind: str = "umkm") -> str:
    """The label of ``kode`` in dimension ``dimensi`` (records of ``kind``)."""
    if kode is None or kode == "":
        return TIDAK_DIKETAHUI
    if dimensi in ("provinsi", "kab_kota", "kecamatan", "kelurahan"):
        nm = wilayah_nama(kode)
        return nm if nm else kode
    if dimensi == "skala" and kind == "koperasi":
        return _nama_skala_koperasi(kode)
    table = {
        "sumber_data": _SUMBER,
        "status": _STATUS,
        "jenis_kelamin": _JENIS_KELAMIN,
        "skala": _SKALA,
    }.get(dimensi)
    if table is not None:
        return table.get(kode, kode)
    return kode


def kosakata(
    dimensi: str, *, wilayah: str | None = None, kind: str = "umkm"
) -> tuple[str, ...] | None:
    """Every value a single-dimension table lists even when its count is zero, if known.

    >>> kosakata("skala")
    ('mikro', 'kecil', 'menengah', 'besar')
    >>> kosakata("kab_kota", wilayah="31")[:2]
    ('31.01', '31.71')
    >>> kosakata("skala", kind="koperasi"), kosakata("grade")
    (('I', 'II', 'III', 'IV'), ('A', 'B', 'C1', 'C2', 'D'))
    """
    if dimensi == "skala":
        return tuple(_SKALA) if kind == "umkm" else _skala_koperasi()
    if dimensi in _ODS_VOCAB:
        from kukm.reference import vocab

        return tuple(vocab.get(dimensi).values)
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
        return wilayah_codes(wilayah or "31", depth) or None
    return None


_WILAYAH_DIMS: Final = frozenset({"provinsi", "kab_kota", "kecamatan", "kelurahan"})


def _lipat(text: str) -> str:
    """``text`` compared ignoring case, spaces and ``_`` against a space."""
    return " ".join(text.replace("_", " ").split()).casefold()


def _vocab_token(dimensi: str) -> object:
    """The ODS vocabulary installed for ``dimensi`` now (replaceable), else ``None``."""
    if dimensi not in _ODS_VOCAB:
        return None
    from kukm.reference import vocab

    return vocab.get(dimensi)


@cache
def _kanonik_map(dimensi: str, kind: str, token: object = None) -> dict[str, str]:
    """Folded vocabulary value or shown name → the vocabulary value.

    ``token``: :func:`_vocab_token`, so a replaced ODS vocabulary gets a new map.
    """
    if dimensi in _WILAYAH_DIMS:
        return {}
    out: dict[str, str] = {}
    for v in kosakata(dimensi, kind=kind) or ():
        out.setdefault(_lipat(nama(dimensi, v, kind=kind)), v)
    for v in kosakata(dimensi, kind=kind) or ():
        out[_lipat(v)] = v  # the value itself wins over another value's shown name
    return out


def kanonik(dimensi: str, kode: str | None, *, kind: str = "umkm") -> str | None:
    """The value a table counts stored value ``kode`` under (see the module docstring).

    ``None`` for missing, empty or blank values; the vocabulary value for a
    variant of one (case, spaces, ``_``; for the koperasi vocabularies also
    punctuation and the ODS aliases); else the value with its spaces tidied.
    """
    if kode is None:
        return None
    text = " ".join(kode.split())
    if not text:
        return None
    found = _kanonik_map(dimensi, kind, _vocab_token(dimensi)).get(_lipat(text))
    if found is None:
        ods = _ods_kanonik(dimensi, text)
        if ods is not None and ods in (kosakata(dimensi, kind=kind) or ()):
            found = ods
    return found if found is not None else text
