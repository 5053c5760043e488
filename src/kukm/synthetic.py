"""A realistic synthetic Jakarta dataset for demos, tests and benchmarks.

Everything here is invented, but shaped like the real thing: region codes
are real Kemendagri kelurahan codes (from :mod:`kukm.reference.wilayah` when
installed, else the first three kelurahan ``…1001–1003`` of each of the 44 DKI
kecamatan, which exist in Kepmendagri 300.2.2-2138/2025), identifiers are
valid (13-digit NIB, 16-digit NIK penduduk with a region and birth date, NPWP
equal to the owner's NIK as allowed from 2024), amounts are written the ways
officers write them (``Rp 15.000.000``, ``15000000``, ``1,5 juta``), and a
share of rows carries exactly one known fault, so a test can check that the
errors file names the right field.

Personal data is fake: names come from short word lists, e-mail addresses use
the reserved ``example.com`` domain, phone numbers are random.

>>> rows = list(generate_umkm(200, seed=1, faulty_share=0.1))
>>> len(rows), sum(1 for r in rows if r.fault) > 0
(200, True)
>>> rows[0].data["kode_wilayah"].startswith("31.")
True
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Final

from attrs import frozen

__all__ = [
    "KOPERASI_COLUMNS",
    "UMKM_COLUMNS",
    "SyntheticRow",
    "generate_koperasi",
    "generate_umkm",
    "kelurahan_codes",
    "write_csv",
]

UMKM_COLUMNS: Final[tuple[str, ...]] = (
    "id_sumber",
    "nama_usaha",
    "nib",
    "npwp",
    "nik_pemilik",
    "nama_pemilik",
    "jenis_kelamin",
    "alamat",
    "kode_wilayah",
    "kbli",
    "modal_usaha",
    "omzet_tahunan",
    "tenaga_kerja",
    "tanggal_berdiri",
    "telepon",
    "email",
    "sumber_data",
    "tanggal_data",
)

KOPERASI_COLUMNS: Final[tuple[str, ...]] = (
    "id_sumber",
    "nama",
    "nomor_badan_hukum",
    "tanggal_badan_hukum",
    "alamat",
    "kode_wilayah",
    "bentuk",
    "jenis",
    "kelompok",
    "sektor_usaha",
    "tanggal_rat_terakhir",
    "anggota_pria",
    "anggota_wanita",
    "total_anggota",
    "total_karyawan",
    "modal_sendiri",
    "aset",
    "volume_usaha",
    "grade",
    "sumber_data",
    "tanggal_data",
)

_KECAMATAN_PER_KABKOTA: Final = {
    "31.01": 2,
    "31.71": 8,
    "31.72": 6,
    "31.73": 8,
    "31.74": 10,
    "31.75": 10,
}
#: rough share of businesses per kab/kota (Kep. Seribu is small)
_BOBOT_KABKOTA: Final = {
    "31.01": 1,
    "31.71": 14,
    "31.72": 17,
    "31.73": 22,
    "31.74": 21,
    "31.75": 25,
}

_USAHA: Final = ("Warung", "Toko", "Kedai", "Bengkel", "Laundry", "Konveksi", "Katering",
                 "Salon", "Kios", "Depot", "Percetakan", "Apotek Rakyat")  # fmt: skip
_SIFAT: Final = ("Berkah", "Jaya", "Makmur", "Sejahtera", "Barokah", "Mandiri", "Sentosa",
                 "Abadi", "Rezeki", "Lestari", "Sumber Rejeki", "Maju")  # fmt: skip
_DEPAN_L: Final = (
    "Budi",
    "Agus",
    "Joko",
    "Rudi",
    "Ahmad",
    "Dedi",
    "Hendra",
    "Eko",
    "Bambang",
    "Fajar",
)
_DEPAN_P: Final = ("Siti", "Sri", "Dewi", "Rina", "Wati", "Ani", "Yuni", "Lestari", "Nur", "Ratna")
_BELAKANG: Final = ("Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Siregar", "Nasution",
                    "Simanjuntak", "Pratama", "Setiawan", "Rahmawati", "Lubis")  # fmt: skip
_JALAN: Final = ("Jl. Kenanga", "Jl. Melati", "Jl. Mawar", "Jl. Raya Bogor", "Jl. Haji Naim",
                 "Gg. Masjid", "Jl. Pemuda", "Jl. Swadaya", "Jl. Mangga Besar", "Jl. Kramat")  # fmt: skip
#: KBLI 2020 five-digit codes common among UMKM
_KBLI: Final = ("10710", "10792", "14111", "47111", "47211", "47711", "47911", "56101",
                "56102", "56103", "96011", "45201", "95230", "18111")  # fmt: skip
_SUMBER: Final = (
    ("pelaku_usaha", 40),
    ("sudin", 20),
    ("kelurahan", 14),
    ("kecamatan", 8),
    ("bidang_ukm", 10),
    ("pihak_lain", 8),
)
#: weights of the data year, from four years before the last year to the last year
_BOBOT_TAHUN: Final = (10, 15, 20, 25, 30)


def _tahun_data(akhir: int) -> tuple[tuple[object, int], ...]:
    return tuple((akhir - 4 + i, w) for i, w in enumerate(_BOBOT_TAHUN))


#: The faults a faulty row may carry: the field and a bad value maker.
FAULT_FIELDS: Final[tuple[str, ...]] = (
    "nib",
    "nik_pemilik",
    "modal_usaha",
    "omzet_tahunan",
    "tanggal_berdiri",
    "kode_wilayah",
    "nama_usaha",
)


@frozen
class SyntheticRow:
    """One generated row; ``fault`` names the field made invalid (``None`` = clean)."""

    row: int
    data: dict[str, str]
    fault: str | None = None


@cache
def kelurahan_codes() -> tuple[str, ...]:
    """Real DKI kelurahan codes (reference table if installed, else a built-in subset)."""
    from kukm.reports.labels import wilayah_codes

    codes = list(wilayah_codes("31", 4))
    if codes:
        return tuple(codes)
    return tuple(
        f"{kab}.{kec:02d}.{1001 + j}"
        for kab, n in _KECAMATAN_PER_KABKOTA.items()
        for kec in range(1, n + 1)
        for j in range(3)
    )


def _weighted_codes() -> list[str]:
    out: list[str] = []
    codes = kelurahan_codes()
    by_kab: dict[str, list[str]] = {}
    for c in codes:
        by_kab.setdefault(c[:5], []).append(c)
    for kab, weight in _BOBOT_KABKOTA.items():
        members = by_kab.get(kab, [])
        if not members:
            continue
        # each kab/kota gets about weight% of the draws, spread over its kelurahan
        reps = max(1, round(weight * 40 / len(members)))
        out += members * reps
    return out


def _amount(rnd: random.Random, value: int) -> str:
    style = rnd.random()
    if style < 0.45:
        return str(value)
    if style < 0.75:
        return "Rp " + f"{value:,}".replace(",", ".")
    if style < 0.9:
        return f"{value:,}".replace(",", ".")
    juta = value / 1_000_000
    if juta >= 1 and (value % 100_000 == 0):
        text = f"{juta:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text} juta"
    return str(value)


def _skala_amounts(rnd: random.Random) -> tuple[int, int]:
    r = rnd.random()
    if r < 0.86:  # mikro (PP 7/2021: modal ≤ 1 M, omzet ≤ 2 M)
        modal = rnd.randrange(2, 900) * 1_000_000
        omzet = rnd.randrange(12, 1_900) * 1_000_000
    elif r < 0.97:  # kecil
        modal = rnd.randrange(1_001, 4_900) * 1_000_000
        omzet = rnd.randrange(2_001, 14_000) * 1_000_000
    elif r < 0.995:  # menengah
        modal = rnd.randrange(5_001, 9_900) * 1_000_000
        omzet = rnd.randrange(15_001, 49_000) * 1_000_000
    else:  # besar
        modal = rnd.randrange(10_001, 40_000) * 1_000_000
        omzet = rnd.randrange(50_001, 90_000) * 1_000_000
    return modal, omzet


def _pick(rnd: random.Random, weighted: tuple[tuple[object, int], ...]) -> object:
    total = sum(w for _, w in weighted)
    x = rnd.random() * total
    for v, w in weighted:
        x -= w
        if x < 0:
            return v
    return weighted[-1][0]


def generate_umkm(
    n: int,
    *,
    seed: int = 1625,
    faulty_share: float = 0.05,
    start: int = 0,
    tahun_akhir: int = 2025,
) -> Iterator[SyntheticRow]:
    """Yield ``n`` UMKM rows (columns :data:`UMKM_COLUMNS`); ``faulty_share`` of them faulty.

    Deterministic for a seed; NIBs are unique within ``start … start + n``. Data
    dates (``tanggal_data``) spread over the five years ending with ``tahun_akhir``.
    """
    rnd = random.Random(seed)
    tahun = _tahun_data(tahun_akhir)
    codes = _weighted_codes()
    for i in range(start, start + n):
        kode = rnd.choice(codes)
        perempuan = rnd.random() < 0.55
        depan = rnd.choice(_DEPAN_P if perempuan else _DEPAN_L)
        nama_pemilik = f"{depan} {rnd.choice(_BELAKANG)}"
        day, month, year = rnd.randrange(1, 29), rnd.randrange(1, 13), rnd.randrange(1955, 2004)
        nik = (
            kode[0:2] + kode[3:5] + kode[6:8]
            + f"{day + 40 if perempuan else day:02d}{month:02d}{year % 100:02d}"
            + f"{rnd.randrange(1, 9999):04d}"
        )  # fmt: skip
        modal, omzet = _skala_amounts(rnd)
        usaha = rnd.choice(_USAHA)
        nama_usaha = f"{usaha} {rnd.choice(_SIFAT)} {depan}"
        berdiri_y = rnd.randrange(1995, 2025)
        berdiri = f"{rnd.randrange(1, 29):02d}/{rnd.randrange(1, 13):02d}/{berdiri_y}"
        if rnd.random() < 0.5:
            d, m, y = berdiri.split("/")
            berdiri = f"{y}-{m}-{d}"
        tahun_data = int(str(_pick(rnd, tahun)))
        data = {
            "id_sumber": f"S{i + 1:07d}",
            "nama_usaha": nama_usaha,
            "nib": f"91{i + 1:011d}" if rnd.random() < 0.8 else "",
            "npwp": nik if rnd.random() < 0.35 else "",
            "nik_pemilik": nik,
            "nama_pemilik": nama_pemilik,
            "jenis_kelamin": "P" if perempuan else "L",
            "alamat": f"{rnd.choice(_JALAN)} No. {rnd.randrange(1, 200)}",
            "kode_wilayah": kode,
            "kbli": rnd.choice(_KBLI),
            "modal_usaha": _amount(rnd, modal),
            "omzet_tahunan": _amount(rnd, omzet),
            "tenaga_kerja": str(rnd.randrange(1, 30)),
            "tanggal_berdiri": berdiri,
            "telepon": f"08{rnd.randrange(11, 99)}{rnd.randrange(10_000_000, 99_999_999)}",
            "email": f"usaha{i + 1}@example.com" if rnd.random() < 0.4 else "",
            "sumber_data": str(_pick(rnd, _SUMBER)),
            "tanggal_data": f"{tahun_data}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
        }
        fault = None
        if rnd.random() < faulty_share:
            fault = rnd.choice(FAULT_FIELDS)
            if fault == "nib":
                data["nib"] = f"91{i + 1:010d}"  # 12 digits
            elif fault == "nik_pemilik":
                data["nik_pemilik"] = nik[:15]
                data["npwp"] = ""
            elif fault == "modal_usaha":
                data["modal_usaha"] = "1.5M"  # English million or a miliar: ambiguous by the rupiah rule
            elif fault == "omzet_tahunan":
                data["omzet_tahunan"] = "sekitar lima juta"
            elif fault == "tanggal_berdiri":
                data["tanggal_berdiri"] = f"31/02/{berdiri_y}"
            elif fault == "kode_wilayah":
                data["kode_wilayah"] = "31.7A.01.1001"
            elif fault == "nama_usaha":
                data["nama_usaha"] = ""
        yield SyntheticRow(i - start + 1, data, fault)


_JENIS: Final = (
    ("Konsumen", 57),
    ("Simpan Pinjam", 18),
    ("Jasa", 17),
    ("Produsen", 5),
    ("Pemasaran", 3),
)
_BENTUK: Final = (
    ("Primer Kabupaten/Kota", 80),
    ("Primer Provinsi", 15),
    ("Sekunder Kabupaten/Kota", 5),
)
#: ODS "Status Grade" (opaque, REGULATIONS.md Part 2 §1), roughly the DKI shares
_GRADE: Final = (("A", 9), ("B", 5), ("C1", 2), ("C2", 1), ("D", 83))
_KELOMPOK: Final = ("Kopkar", "Kop. Serba Usaha", "Kop. Simpan Pinjam", "Kop. Pegawai Negeri (KPRI)",
                    "Kop. Pasar", "Kop. Wanita", "Kop. Lainnya")  # fmt: skip
_SEKTOR: Final = ("Jasa Lainnya", "Jasa Keuangan dan Asuransi", "Industri Pengolahan",
                  "Perdagangan Besar dan Eceran - Rep Mobil dan Motor")  # fmt: skip


def generate_koperasi(
    n: int, *, seed: int = 1625, faulty_share: float = 0.05, tahun_akhir: int = 2025
) -> Iterator[SyntheticRow]:
    """Yield ``n`` koperasi rows (columns :data:`KOPERASI_COLUMNS`), some faulty.

    >>> next(generate_koperasi(1, faulty_share=0)).data["jenis"] in {"Konsumen", "Simpan Pinjam", "Jasa", "Produsen", "Pemasaran"}
    True
    """
    rnd = random.Random(seed + 1)
    tahun = _tahun_data(tahun_akhir)
    codes = _weighted_codes()
    for i in range(n):
        kode = rnd.choice(codes)
        jenis = str(_pick(rnd, _JENIS))
        tahun_bh = rnd.randrange(1980, 2023)
        # most cooperatives held their RAT for the last book year (certificate condition)
        rat = int(
            str(_pick(rnd, ((tahun_akhir, 70), (tahun_akhir - 1, 20), (tahun_akhir - 3, 10))))
        )
        rat = max(rat, tahun_bh + 1)  # a clean row holds no RAT before its legal entity
        pria, wanita = rnd.randrange(10, 400), rnd.randrange(10, 400)
        tahun_data = int(str(_pick(rnd, tahun)))
        nomor_bh = (
            f"AHU-{rnd.randrange(1_000_000, 9_999_999)}.AH.01.26.TAHUN {tahun_bh}"
            if tahun_bh >= 2019
            else f"{rnd.randrange(100, 9999)}/BH/XII.{rnd.randrange(1, 9)}/{tahun_bh}"
        )
        data = {
            "id_sumber": f"K{i + 1:06d}",
            "nama": f"Koperasi {jenis} {rnd.choice(_SIFAT)} {rnd.choice(_BELAKANG)}",
            "nomor_badan_hukum": nomor_bh,
            "tanggal_badan_hukum": f"{rnd.randrange(1, 29):02d}/{rnd.randrange(1, 13):02d}/{tahun_bh}",
            "alamat": f"{rnd.choice(_JALAN)} No. {rnd.randrange(1, 200)}",
            "kode_wilayah": kode,
            "bentuk": str(_pick(rnd, _BENTUK)),
            "jenis": jenis,
            "kelompok": rnd.choice(_KELOMPOK),
            "sektor_usaha": rnd.choice(_SEKTOR),
            "tanggal_rat_terakhir": f"{rat}-0{rnd.randrange(1, 7)}-{rnd.randrange(10, 28)}",
            "anggota_pria": str(pria),
            "anggota_wanita": str(wanita),
            "total_anggota": str(pria + wanita),
            "total_karyawan": str(rnd.randrange(0, 25)),
            "modal_sendiri": _amount(rnd, rnd.randrange(5, 5000) * 1_000_000),
            "aset": _amount(rnd, rnd.randrange(10, 20000) * 1_000_000),
            "volume_usaha": _amount(rnd, rnd.randrange(10, 9000) * 1_000_000),
            "grade": str(_pick(rnd, _GRADE)),
            "sumber_data": "dekopin" if rnd.random() < 0.7 else "bidang_koperasi",
            "tanggal_data": f"{tahun_data}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
        }
        fault = None
        if rnd.random() < faulty_share:
            fault = rnd.choice(("kode_wilayah", "tanggal_rat_terakhir", "nama"))
            if fault == "kode_wilayah":
                data["kode_wilayah"] = "31.7A.01.1001"
            elif fault == "tanggal_rat_terakhir":
                data["tanggal_rat_terakhir"] = f"30/02/{rat}"
            else:
                data["nama"] = ""
        yield SyntheticRow(i + 1, data, fault)


def write_csv(
    path: str | Path, rows: Iterator[SyntheticRow], columns: tuple[str, ...] = UMKM_COLUMNS
) -> dict[int, str]:
    """Write rows to a UTF-8 CSV; return ``{row: faulty field}`` for the faulty rows."""
    faults: dict[int, str] = {}
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.data.get(c, "") for c in columns])
            if r.fault:
                faults[r.row] = r.fault
    return faults
