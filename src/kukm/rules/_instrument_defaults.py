"""kukm's default instruments ``umkm`` and ``koperasi`` and their cross-field rules.

The UMKM form's columns are those of issue 3 (the Dinas may change them with a
file, Kepgub E.11); the koperasi form is the flat CSV form of the ODS record
(REGULATIONS.md §1.3), and accepts the ODS labels as column aliases, so an ODS
JSON record parses as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from kukm.exceptions import Severity, register_code
from kukm.model import SumberData
from kukm.rules.instruments import CrossRule, Field, FieldType, Instrument

__all__ = ["BUILTIN_RULES", "KOPERASI", "UMKM", "defaults"]

DATE_IN_FUTURE = register_code(
    "DATE_IN_FUTURE", "Tanggal berada di masa depan.", "The date is in the future.", module=__name__
)
DATE_BEFORE_1900 = register_code(
    "DATE_BEFORE_1900", "Tanggal sebelum tahun 1900.", "The date is before 1900.", module=__name__
)
JENIS_KELAMIN_NIK_MISMATCH = register_code(
    "JENIS_KELAMIN_NIK_MISMATCH",
    "Jenis kelamin tidak sesuai dengan tanggal lahir pada NIK kependudukan (perempuan: tanggal + 40).",
    "Sex does not match the birth day in the NIK (women: day + 40).",
    Severity.WARNING,
    module=__name__,
)
TOTAL_ANGGOTA_MISMATCH = register_code(
    "TOTAL_ANGGOTA_MISMATCH",
    "Total anggota tidak sama dengan anggota pria + wanita.",
    "Total members differ from male + female members.",
    module=__name__,
)
RAT_BEFORE_BADAN_HUKUM = register_code(
    "RAT_BEFORE_BADAN_HUKUM",
    "Tanggal RAT terakhir sebelum tanggal badan hukum.",
    "The last RAT date is before the legal-entity date.",
    module=__name__,
)

KODE_WILAYAH_BUKAN_KELURAHAN = register_code(
    "KODE_WILAYAH_BUKAN_KELURAHAN",
    "Kode wilayah harus sampai kelurahan/desa (mis. 31.73.04.1010): usaha didata menurut "
    "domisilinya.",
    "The region code must reach the kelurahan/village (e.g. 31.73.04.1010): a business is "
    "recorded where it is domiciled.",
    module=__name__,
)

_1900: Final = dt.date(1900, 1, 1)


def _kode_kelurahan() -> CrossRule:
    """A UMKM's region code names its kelurahan (Kepgub huruf D angka 2: data UMKM menurut
    domisili pengusaha); a province, kota or kecamatan alone does not say where it is."""

    def short(code: Any) -> bool:
        # a checked code is PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD: 13 characters at the kelurahan
        return isinstance(code, str) and len(code) < 13

    def check(values: Mapping[str, Any], today: dt.date) -> list[tuple[str, str, Any, str]] | None:
        code = values.get("kode_wilayah")
        if short(code):
            return [(KODE_WILAYAH_BUKAN_KELURAHAN, "kode_wilayah", code, "")]
        return None

    def screen(columns: Mapping[str, Sequence[Any]], today: dt.date) -> list[int]:
        col = columns.get("kode_wilayah") or ()
        codes = list(filter(None, col))  # typed codes (text) or None
        if not codes or min(map(len, codes)) >= 13:  # one scan in C: all at the kelurahan
            return []
        return [k for k, c in enumerate(col) if short(c)]

    return CrossRule(
        "kode_wilayah_kelurahan",
        ("kode_wilayah",),
        (KODE_WILAYAH_BUKAN_KELURAHAN,),
        "Kode wilayah UMKM sampai kelurahan/desa (domisili pengusaha).",
        "A UMKM's region code reaches the kelurahan/village (the owner's domicile).",
        check,
        dasar="Kepgub DKI 1625/2021 huruf D angka 2",
        screen=screen,
    )


def tanggal_wajar(rule_id: str, fields: Sequence[str], *, not_before_1900: bool = True) -> CrossRule:
    """Dates not in the future (and, optionally, not before 1900)."""
    names = tuple(fields)

    def check(values: Mapping[str, Any], today: dt.date) -> list[tuple[str, str, Any, str]] | None:
        out = None
        for n in names:
            d = values.get(n)
            if d is None:
                continue
            if d > today:
                out = out or []
                out.append((DATE_IN_FUTURE, n, d.isoformat(), f"> {today.isoformat()}"))
            elif not_before_1900 and d < _1900:
                out = out or []
                out.append((DATE_BEFORE_1900, n, d.isoformat(), ""))
        return out

    def screen(columns: Mapping[str, Sequence[Any]], today: dt.date) -> list[int]:
        low = _1900 if not_before_1900 else dt.date.min
        out: list[int] = []
        for n in names:
            col = columns.get(n) or ()
            dates = list(filter(None, col))  # dates are never false
            if dates and (min(dates) < low or max(dates) > today):  # C-level scan first
                out += [k for k, d in enumerate(col) if d is not None and (d > today or d < low)]
        return out

    codes = (DATE_IN_FUTURE, DATE_BEFORE_1900) if not_before_1900 else (DATE_IN_FUTURE,)
    return CrossRule(
        rule_id,
        names,
        codes,
        "Tanggal tidak di masa depan" + (" dan tidak sebelum 1900." if not_before_1900 else "."),
        "Dates not in the future" + (" nor before 1900." if not_before_1900 else "."),
        check,
        screen=screen,
    )


def _jenis_kelamin_nik() -> CrossRule:
    def check(values: Mapping[str, Any], today: dt.date) -> list[tuple[str, str, Any, str]] | None:
        jk = values.get("jenis_kelamin")
        nik = values.get("nik_pemilik")
        if jk is None or nik is None or len(nik) != 16:
            return None
        # nik is the validated 16-digit form: day DD (women DD + 40) at [6:8]
        from_nik = "P" if nik[6] in "4567" else "L"
        if from_nik != jk:
            return [(JENIS_KELAMIN_NIK_MISMATCH, "jenis_kelamin", str(jk), f"NIK: {from_nik}")]
        return None

    def screen(columns: Mapping[str, Sequence[Any]], today: dt.date) -> list[int]:
        jks, niks = columns.get("jenis_kelamin") or (), columns.get("nik_pemilik") or ()
        return [
            k
            for k, (jk, nik) in enumerate(zip(jks, niks, strict=False))
            if jk is not None and nik is not None and (len(nik) != 16 or (nik[6] in "4567") != (jk == "P"))
        ]

    return CrossRule(
        "jenis_kelamin_nik",
        ("jenis_kelamin", "nik_pemilik"),
        (JENIS_KELAMIN_NIK_MISMATCH,),
        "Jenis kelamin sesuai tanggal lahir NIK (perempuan +40); peringatan.",
        "Sex agrees with the NIK birth day (women +40); a warning.",
        check,
        dasar="UU 24/2013 (Dukcapil NIK layout) [S]",
        screen=screen,
    )


def _total_anggota(values: Mapping[str, Any], today: dt.date) -> list[tuple[str, str, Any, str]] | None:
    p, w, t = values.get("anggota_pria"), values.get("anggota_wanita"), values.get("total_anggota")
    if p is None or w is None or t is None or p + w == t:
        return None
    return [(TOTAL_ANGGOTA_MISMATCH, "total_anggota", t, f"{p} + {w} = {p + w}")]


def _rat_setelah_bh(values: Mapping[str, Any], today: dt.date) -> list[tuple[str, str, Any, str]] | None:
    rat, bh = values.get("tanggal_rat_terakhir"), values.get("tanggal_badan_hukum")
    if rat is None or bh is None or rat >= bh:
        return None
    return [(RAT_BEFORE_BADAN_HUKUM, "tanggal_rat_terakhir", rat.isoformat(), f"< {bh.isoformat()}")]


_JK_SYNONYMS: Final = {
    "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "laki - laki": "L", "laki2": "L",
    "laki": "L", "lk": "L", "pria": "L", "male": "L", "m": "L",
    "perempuan": "P", "pr": "P", "wanita": "P", "w": "P", "female": "P", "f": "P",
}  # fmt: skip

#: Sources as sheets name them (Kepgub D: Dekopinwil/Dekopinda, Suku Dinas, Camat, Lurah, ...):
#: each value with spaces or dashes for its underscores, and the decree's own names
_SUMBER_SYNONYMS: Final = {
    **{v.value.replace("_", sep): v.value for v in SumberData for sep in (" ", "-")},
    "suku dinas": "sudin", "dekopinwil": "dekopin", "dekopinda": "dekopin", "camat": "kecamatan",
    "lurah": "kelurahan", "pemilik usaha": "pelaku_usaha", "pihak ketiga": "pihak_lain",
}  # fmt: skip

UMKM: Final = Instrument(
    "umkm",
    "umkm",
    [
        Field("id_sumber", target="id_sumber", max_length=200, title="ID pada sumber data"),
        Field("nama_usaha", required=True, target="nama_usaha", max_length=200, title="Nama usaha"),
        Field("nib", FieldType.IDENTIFIER, identifier="nib", target="nib", title="Nomor Induk Berusaha"),
        Field("npwp", FieldType.IDENTIFIER, identifier="npwp", target="npwp", title="NPWP"),
        Field(
            "nik_pemilik",
            FieldType.IDENTIFIER,
            required=True,
            identifier="nik_penduduk",
            target="pemilik.nik_penduduk",
            title="NIK kependudukan pemilik",
        ),
        Field("nama_pemilik", required=True, target="pemilik.nama", max_length=200, title="Nama pemilik"),
        Field(
            "jenis_kelamin",
            FieldType.ENUM,
            required=True,
            choices=("L", "P"),
            synonyms=_JK_SYNONYMS,
            target="pemilik.jenis_kelamin",
            title="Jenis kelamin pemilik",
        ),
        Field("alamat", required=True, target="alamat.jalan", title="Alamat (jalan, RT/RW)"),
        Field(
            "kode_wilayah",
            FieldType.IDENTIFIER,
            required=True,
            identifier="kode_wilayah",
            target="alamat.kode_wilayah",
            title="Kode wilayah Kemendagri (kelurahan)",
        ),
        Field("kbli", FieldType.IDENTIFIER, required=True, identifier="kbli", target="kbli", title="KBLI 2020"),
        Field("modal_usaha", FieldType.RUPIAH, required=True, target="modal_usaha", minimum=0, title="Modal usaha"),
        Field(
            "omzet_tahunan",
            FieldType.RUPIAH,
            required=True,
            target="omzet_tahunan",
            minimum=0,
            title="Hasil penjualan tahunan",
        ),
        Field("tenaga_kerja", FieldType.INT, required=True, target="tenaga_kerja", minimum=0, title="Tenaga kerja"),
        Field("tanggal_berdiri", FieldType.DATE, required=True, target="tanggal_berdiri", title="Tanggal berdiri"),
        Field("telepon", FieldType.IDENTIFIER, identifier="telepon", target="telepon", title="Telepon"),
        Field("email", FieldType.EMAIL, target="email", title="Email"),
        Field(
            "sumber_data",
            FieldType.ENUM,
            required=True,
            choices=tuple(s.value for s in SumberData),
            synonyms=_SUMBER_SYNONYMS,
            target="-",
            title="Sumber data (Kepgub D)",
        ),
        Field(
            "kekayaan_bersih",
            FieldType.RUPIAH,
            target="kekayaan_bersih",
            minimum=0,
            title="Kekayaan bersih (UU 20/2008)",
        ),
        Field("tanggal_data", FieldType.DATE, target="tanggal_data", title="Tanggal acuan data"),
    ],
    [
        tanggal_wajar("tanggal_berdiri_wajar", ("tanggal_berdiri",)),
        tanggal_wajar("tanggal_data_wajar", ("tanggal_data",), not_before_1900=False),
        _jenis_kelamin_nik(),
        _kode_kelurahan(),
    ],
    title="Instrumen pendataan UMKM (bawaan kukm)",
)

KOPERASI: Final = Instrument(
    "koperasi",
    "koperasi",
    [
        Field("nama", required=True, aliases=("Koperasi",), target="nama", title="Nama koperasi"),
        Field(
            "nomor_badan_hukum",
            FieldType.IDENTIFIER,
            required=True,
            identifier="badan_hukum",
            strict=False,
            aliases=("Nomor Badan Hukum Pendirian",),
            target="nomor_badan_hukum",
            max_length=250,
        ),
        Field(
            "tanggal_badan_hukum",
            FieldType.DATE,
            required=True,
            aliases=("Tanggal Badan Hukum Pendirian",),
            target="tanggal_badan_hukum",
        ),
        Field("nomor_perubahan_ad", aliases=("Nomor Perubahan Anggaran Dasar (Terbaru)",), target="nomor_perubahan_ad"),
        Field(
            "tanggal_perubahan_ad",
            FieldType.DATE,
            aliases=("Tanggal Perubahan Anggaran Dasar (Terbaru)",),
            target="tanggal_perubahan_ad",
        ),
        Field("tanggal_rat_terakhir", FieldType.DATE, aliases=("Tanggal RAT Terakhir",), target="tanggal_rat_terakhir"),
        Field("alamat", aliases=("Alamat",), target="alamat.jalan"),
        Field("kelurahan", aliases=("Kelurahan / Desa",), target="alamat.kelurahan_nama"),
        Field("kecamatan", aliases=("Kecamatan",), target="alamat.kecamatan_nama"),
        Field("kabupaten", aliases=("Kabupaten",), target="alamat.kabkota_nama"),
        Field("provinsi", aliases=("Provinsi",), target="alamat.provinsi_nama"),
        Field("kode_wilayah", FieldType.IDENTIFIER, identifier="kode_wilayah", target="alamat.kode_wilayah"),
        Field(
            "bentuk",
            FieldType.ENUM,
            required=True,
            vocabulary="bentuk",
            aliases=("Bentuk Koperasi",),
            target="bentuk",
            max_length=255,
        ),
        Field(
            "jenis",
            FieldType.ENUM,
            required=True,
            vocabulary="jenis",
            aliases=("Jenis Koperasi",),
            target="jenis",
            max_length=255,
        ),
        Field(
            "kelompok",
            FieldType.ENUM,
            vocabulary="kelompok",
            aliases=("Kelompok Koperasi",),
            target="kelompok",
            max_length=255,
        ),
        Field(
            "sektor_usaha",
            FieldType.ENUM,
            vocabulary="sektor_usaha",
            aliases=("Sektor Usaha",),
            target="sektor_usaha",
        ),
        Field("nama_ketua", aliases=("Nama Ketua",), target="pengurus.ketua"),
        Field("nama_sekretaris", aliases=("Nama Sekretaris",), target="pengurus.sekretaris"),
        Field("nama_bendahara", aliases=("Nama Bendahara",), target="pengurus.bendahara"),
        Field("nama_pengawas", aliases=("Nama Pengawas",), target="pengurus.pengawas"),
        Field("nama_manajer", aliases=("Nama Manager",), target="pengurus.manajer"),
        Field("anggota_pria", FieldType.INT, aliases=("Jumlah Anggota Pria",), target="anggota_pria", minimum=0),
        Field("anggota_wanita", FieldType.INT, aliases=("Jumlah Anggota Wanita",), target="anggota_wanita", minimum=0),
        Field("total_anggota", FieldType.INT, aliases=("Total Anggota",), target="total_anggota", minimum=0),
        Field("total_manajer", FieldType.INT, aliases=("Total Manajer",), target="total_manajer", minimum=0),
        Field("total_karyawan", FieldType.INT, aliases=("Total Karyawan",), target="total_karyawan", minimum=0),
        Field(
            "nomor_induk_koperasi",
            FieldType.IDENTIFIER,
            identifier="nomor_induk_koperasi",
            aliases=("Nomor Induk Koperasi (NIK)",),
            target="nomor_induk_koperasi",
        ),
        Field(
            "status_nik",
            FieldType.ENUM,
            vocabulary="status_nik",
            aliases=("Status NIK",),
            target="status_nik",
            max_length=255,
        ),
        Field(
            "tanggal_berlaku_sertifikat",
            FieldType.DATE,
            aliases=("Tanggal Berlaku Sertifikat",),
            target="tanggal_berlaku_sertifikat",
        ),
        Field(
            "grade", FieldType.ENUM, vocabulary="grade", aliases=("Status Grade",), target="grade", max_length=255
        ),
        Field("modal_sendiri", FieldType.RUPIAH, target="keuangan.modal_sendiri", minimum=0),
        Field("aset", FieldType.RUPIAH, target="keuangan.aset", minimum=0),
        Field("volume_usaha", FieldType.RUPIAH, target="keuangan.volume_usaha", minimum=0),
        Field("tanggal_data", FieldType.DATE, target="tanggal_data"),
        Field(
            "sumber_data",
            FieldType.ENUM,
            choices=tuple(s.value for s in SumberData),
            synonyms=_SUMBER_SYNONYMS,
            target="-",
            title="Sumber data (Kepgub D; kosong: opsi --source)",
        ),
    ],
    [
        tanggal_wajar(
            "tanggal_koperasi_wajar",
            ("tanggal_badan_hukum", "tanggal_perubahan_ad", "tanggal_rat_terakhir", "tanggal_data"),
        ),
        CrossRule(
            "total_anggota",
            ("total_anggota", "anggota_pria", "anggota_wanita"),
            (TOTAL_ANGGOTA_MISMATCH,),
            "Total anggota = anggota pria + anggota wanita.",
            "Total members = male + female members.",
            _total_anggota,
        ),
        CrossRule(
            "rat_setelah_badan_hukum",
            ("tanggal_rat_terakhir", "tanggal_badan_hukum"),
            (RAT_BEFORE_BADAN_HUKUM,),
            "Tanggal RAT tidak sebelum tanggal badan hukum.",
            "The RAT date is not before the legal-entity date.",
            _rat_setelah_bh,
            dasar="UU 25/1992 (RAT is held by an existing badan hukum)",
        ),
    ],
    title="Instrumen pendataan koperasi (bentuk CSV datar dari data ODS)",
)


#: kukm's own cross-field rules by id (instruments pickle them by id).
BUILTIN_RULES: Final[dict[str, CrossRule]] = {r.id: r for inst in (UMKM, KOPERASI) for r in inst.rules}


def defaults() -> dict[str, Instrument]:
    """The default instruments by name."""
    return {UMKM.name: UMKM, KOPERASI.name: KOPERASI}
