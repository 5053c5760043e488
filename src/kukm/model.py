"""Entities of the decree (Kepgub DKI 1625/2021 huruf A): Koperasi, UMKM, wilayah,
officers and data sources.

All entities are frozen attrs classes with slots. Rupiah amounts are exact
``int`` (never float), dates are :class:`datetime.date`. Converting to and from
plain data lives in :mod:`kukm.converters`, never here.

Field naming: ``nomor_induk_koperasi`` is the 13-digit Nomor Induk Koperasi;
``nik_penduduk`` is the 16-digit population number of a person. Nothing is
ever called just ``nik``.

Region codes on addresses are Kemendagri codes (``31.71.01.1001``), canonical
dotted form. BPS codes appear only inside a Nomor Induk Koperasi.

>>> from kukm.model import Umkm, Alamat
>>> u = Umkm(nama_usaha="Warung Bu Sri", alamat=Alamat(kode_wilayah="31.71.01.1001"))
>>> u.alamat.kode_kabkota
'31.71'
>>> u.modal_usaha is None
True
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import final

from attrs import field, frozen

__all__ = [
    "Alamat",
    "JenisKelamin",
    "Keuangan",
    "Koperasi",
    "Pemilik",
    "Pengurus",
    "Petugas",
    "Sumber",
    "SumberData",
    "TingkatWilayah",
    "Umkm",
    "Wilayah",
]


class SumberData(enum.StrEnum):
    """Who sent the data (Kepgub huruf D angka 1–3; E.1).

    ``kecamatan`` stands for the Camat, ``kelurahan`` for the Lurah, ``dekopin``
    for Dekopinwil/Dekopinda. Data from ``pihak_lain`` counts only after a
    Dinas officer verifies it (D.3).
    """

    PELAKU_USAHA = "pelaku_usaha"
    SUDIN = "sudin"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    BIDANG_UKM = "bidang_ukm"
    BIDANG_KOPERASI = "bidang_koperasi"
    DEKOPIN = "dekopin"
    ODS = "ods"
    PIHAK_LAIN = "pihak_lain"

    @property
    def needs_verification(self) -> bool:
        """Secondary data from others waits for Dinas verification (D.3)."""
        return self is SumberData.PIHAK_LAIN


class JenisKelamin(enum.StrEnum):
    LAKI_LAKI = "L"
    PEREMPUAN = "P"


class TingkatWilayah(enum.StrEnum):
    PROVINSI = "provinsi"
    KABKOTA = "kabkota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"


def _parent_codes(code: str | None, parts: int) -> str | None:
    if not code:
        return None
    pieces = code.split(".")
    if len(pieces) < parts:
        return None
    return ".".join(pieces[:parts])


@final
@frozen
class Wilayah:
    """An administrative region (Kepmendagri 300.2.2-2138/2025 codes).

    ``kode`` is the dotted Kemendagri code; ``kode_bps`` the BPS code where the
    crosswalk knows it (for DKI they differ at kab/kota level).
    """

    kode: str
    nama: str
    tingkat: TingkatWilayah
    induk: str | None = None
    kode_bps: str | None = None

    @property
    def kode_provinsi(self) -> str:
        return self.kode.split(".")[0]


@final
@frozen
class Alamat:
    """An address. ``kode_wilayah`` is the Kemendagri kelurahan code (dotted).

    The ``*_nama`` fields keep names exactly as the source wrote them (ODS
    shows them as text), so a round-trip loses nothing.
    """

    jalan: str | None = None
    kode_wilayah: str | None = None
    kelurahan_nama: str | None = None
    kecamatan_nama: str | None = None
    kabkota_nama: str | None = None
    provinsi_nama: str | None = None
    kode_pos: str | None = None

    @property
    def kode_provinsi(self) -> str | None:
        return _parent_codes(self.kode_wilayah, 1)

    @property
    def kode_kabkota(self) -> str | None:
        return _parent_codes(self.kode_wilayah, 2)

    @property
    def kode_kecamatan(self) -> str | None:
        return _parent_codes(self.kode_wilayah, 3)

    @property
    def kode_kelurahan(self) -> str | None:
        return _parent_codes(self.kode_wilayah, 4)


@final
@frozen
class Pengurus:
    """Names of the board as ODS shows them (personal data: masked in public)."""

    ketua: str | None = None
    sekretaris: str | None = None
    bendahara: str | None = None
    pengawas: str | None = None
    manajer: str | None = None


@final
@frozen
class Keuangan:
    """Optional financial figures of a koperasi for one book year (rupiah, exact)."""

    tahun_buku: int | None = None
    modal_sendiri: int | None = None
    modal_luar: int | None = None
    aset: int | None = None
    volume_usaha: int | None = None
    shu: int | None = None


@final
@frozen
class Koperasi:
    """A cooperative with every field the ministry's ODS shows (REGULATIONS.md §1.3).

    Vocabulary fields (``bentuk``, ``jenis``, ``kelompok``, ``sektor_usaha``,
    ``status_nik``, ``grade``) keep the source's text; values outside the known
    vocabularies are kept and reported by :mod:`kukm.reference`, never dropped.
    ``atribut_lain`` keeps source fields kukm has no place for.
    """

    nama: str
    nomor_badan_hukum: str | None = None
    tanggal_badan_hukum: dt.date | None = None
    nomor_perubahan_ad: str | None = None
    tanggal_perubahan_ad: dt.date | None = None
    tanggal_rat_terakhir: dt.date | None = None
    alamat: Alamat = field(factory=Alamat)
    bentuk: str | None = None
    jenis: str | None = None
    kelompok: str | None = None
    sektor_usaha: str | None = None
    pengurus: Pengurus = field(factory=Pengurus)
    anggota_pria: int | None = None
    anggota_wanita: int | None = None
    total_anggota: int | None = None
    total_manajer: int | None = None
    total_karyawan: int | None = None
    nomor_induk_koperasi: str | None = None
    status_nik: str | None = None
    tanggal_berlaku_sertifikat: dt.date | None = None
    grade: str | None = None
    keuangan: Keuangan | None = None
    id: str | None = None
    tanggal_data: dt.date | None = None
    atribut_lain: dict[str, str] = field(factory=dict, hash=False)


@final
@frozen
class Pemilik:
    """The owner of a business (personal data: masked in public outputs)."""

    nama: str | None = None
    nik_penduduk: str | None = None
    jenis_kelamin: JenisKelamin | None = None


@final
@frozen
class Umkm:
    """A micro, small or medium enterprise, registered by the owner's domicile (Kepgub D.2).

    ``tanggal_data`` is the date the figures refer to; it chooses the scale
    regime (UU 20/2008 before 2021-02-02, PP 7/2021 from then).
    """

    nama_usaha: str
    nib: str | None = None
    npwp: str | None = None
    pemilik: Pemilik = field(factory=Pemilik)
    alamat: Alamat = field(factory=Alamat)
    kbli: str | None = None
    modal_usaha: int | None = None
    kekayaan_bersih: int | None = None
    omzet_tahunan: int | None = None
    tenaga_kerja: int | None = None
    tanggal_berdiri: dt.date | None = None
    telepon: str | None = None
    email: str | None = None
    tanggal_data: dt.date | None = None
    id: str | None = None
    id_sumber: str | None = None
    atribut_lain: dict[str, str] = field(factory=dict, hash=False)


@final
@frozen
class Petugas:
    """An appointed officer who answers for data (Kepgub E.7–8).

    ``peran`` is a role of the access policy (``dinas``, ``sudin``, ``camat``,
    ``lurah``, ``pusdatin``, ``administrator``, …); ``wilayah`` the Kemendagri
    code of the region the officer is scoped to (``None`` = province-wide
    for Dinas roles).
    """

    id: str
    nama: str
    peran: str
    wilayah: str | None = None
    nip: str | None = None
    unit: str | None = None


@final
@frozen
class Sumber:
    """A data source: its kind and, optionally, the sending unit's name."""

    jenis: SumberData
    nama: str | None = None
