"""The yearly report of the Dinas PPKUKM to the Governor, copied to the ministry.

Kepgub DKI 1625/2021 huruf E angka 3 (Dinas PPKUKM melaporkan hasil pendataan
kepada Gubernur dengan tembusan Kementerian Koperasi dan UKM RI), huruf I
angka 8–9 (laporan setiap tahun) and huruf F angka 8–9 (penyajian data at
least once a year).

Contents: a summary, UMKM per kab/kota, per scale, per source, the
verification status, Koperasi per kab/kota, jenis and bentuk, the yearly trend
and the comparison with the previous year (F.5). Official tables count only
verified records; every table reconciles (see :mod:`kukm.reports.rekap`).

**Every table is of the report's year**: the report for year Y counts the
stock at the end of Y as :mod:`kukm.reports.periode` defines it (each record
in the version in effect on Y-12-31, i.e. its latest ``tanggal_data`` up to
that day, with that version's values and status; data dated after Y is not in
it). So the summary, the rekap tables, the last row of the trend and the "end
of Y" column of the comparison give the same totals, whenever the report is
made. One streaming pass per kind collects every table; both passes read one
state of the store (:func:`kukm.storage.base.read_snapshot`), so an import
running meanwhile is in the report wholly or not at all.
Render it with any ``report`` renderer: HTML and PDF carry the charts, XLSX
holds one sheet per table.

>>> from kukm.adapters.memory import MemoryStore
>>> lap = laporan_tahunan(MemoryStore(), 2025)
>>> lap.to_dokumen().meta[0]
('Kepada', 'Yth. Gubernur Provinsi DKI Jakarta')
>>> laporan_tahunan(MemoryStore(), 0)
Traceback (most recent call last):
    ...
kukm.exceptions.ConfigurationError: [TAHUN_TIDAK_VALID] tahun 0 is outside 1900–...
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from attrs import frozen

from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.periode import (
    Perbandingan,
    perbandingan_dari,
    periksa_tahun,
    scan_banyak,
    stok,
    tren_dari,
)
from kukm.reports.rekap import RESMI, Rekap, rekap_dari
from kukm.reports.wilayah import periksa_wilayah
from kukm.storage.base import Kind, Store, VerificationStatus, read_snapshot

__all__ = ["KEPADA", "TEMBUSAN", "LaporanTahunan", "laporan_tahunan"]

KEPADA: Final = "Yth. Gubernur Provinsi DKI Jakarta"
TEMBUSAN: Final = "Menteri Koperasi dan Usaha Kecil dan Menengah Republik Indonesia"
DASAR: Final = (
    "Keputusan Gubernur DKI Jakarta Nomor 1625 Tahun 2021 huruf E angka 3, "
    "huruf F angka 5 dan 8–9, huruf I angka 8–9"
)
#: Years shown in the trend, ending with the report's year.
TAHUN_TREN: Final = 5


@frozen
class LaporanTahunan:
    """Everything the yearly report shows (build it with :func:`laporan_tahunan`)."""

    tahun: int
    dibuat: dt.datetime
    rekap_umkm: dict[str, Rekap]
    rekap_koperasi: dict[str, Rekap]
    status_umkm: Rekap
    status_koperasi: Rekap
    tren_umkm: Tabel
    tren_koperasi: Tabel
    banding_umkm: Perbandingan
    banding_koperasi: Perbandingan
    penyusun: str = "Dinas PPKUKM Provinsi DKI Jakarta"

    def to_dokumen(self) -> Dokumen:
        y = self.tahun
        u_total = self.rekap_umkm["kab_kota"].total
        k_total = self.rekap_koperasi["kab_kota"].total
        pending_u = sum(
            r.jumlah for r in self.status_umkm.rows if r.kunci[0] == "menunggu_verifikasi"
        )
        pending_k = sum(
            r.jumlah for r in self.status_koperasi.rows if r.kunci[0] == "menunggu_verifikasi"
        )
        ringkasan = Bagian(
            "Ringkasan",
            (
                f"Laporan pelaksanaan pendataan dan pengelolaan data Koperasi dan UMKM "
                f"Provinsi DKI Jakarta tahun {y}.",
                f"Jumlah pada akhir tahun {y}: UMKM terverifikasi {u_total:,}; "
                f"Koperasi terverifikasi {k_total:,}.".replace(",", "."),
                f"Menunggu verifikasi Dinas pada akhir tahun {y} (data pihak lain, Kepgub huruf "
                f"D angka 3): UMKM {pending_u}, Koperasi {pending_k}.",
                f"Setiap tabel menghitung keadaan akhir tahun {y}: setiap data menurut versinya "
                f"yang berlaku pada 31 Desember {y} (tanggal data terakhir sampai tanggal itu); "
                f"data dengan tanggal data sesudahnya tidak termasuk.",
                "Tabel resmi hanya menghitung data terverifikasi; nilai yang tidak diketahui "
                "ditampilkan sebagai baris tersendiri sehingga setiap tabel berjumlah sama "
                "dengan totalnya.",
            ),
        )
        sections = [ringkasan]

        def rekap_section(title: str, r: Rekap, chart: bool = True) -> Bagian:
            t = r.tabel()
            g = Grafik.dari_tabel(t, kolom_label=1, kolom_nilai=2, judul=title) if chart else None
            return Bagian(title, tabel=t, grafik=g)

        names = {
            "kab_kota": "per kabupaten/kota",
            "skala": "per skala usaha",
            "sumber_data": "per sumber data",
            "jenis": "per jenis",
            "bentuk": "per bentuk",
        }
        for dim, r in self.rekap_umkm.items():
            sections.append(rekap_section(f"UMKM {names.get(dim, dim)}", r))
        sections.append(rekap_section("UMKM per status verifikasi", self.status_umkm))
        for dim, r in self.rekap_koperasi.items():
            sections.append(rekap_section(f"Koperasi {names.get(dim, dim)}", r))
        sections.append(rekap_section("Koperasi per status verifikasi", self.status_koperasi))
        for label, t in (("UMKM", self.tren_umkm), ("Koperasi", self.tren_koperasi)):
            sections.append(
                Bagian(
                    f"Tren {label}",
                    tabel=t,
                    grafik=Grafik.dari_tabel(t, kolom_label=0, kolom_nilai=2, jenis="garis"),
                )
            )
        for p in (self.banding_umkm, self.banding_koperasi):
            t = p.tabel()
            sections.append(
                Bagian(
                    p.judul,
                    tabel=t,
                    grafik=Grafik.dari_tabel(
                        t, kolom_label=1, kolom_nilai=4, judul=f"Selisih {p.tahun_a}–{p.tahun_b}"
                    ),
                )
            )
        return Dokumen(
            f"Laporan Tahunan Pendataan Koperasi dan UMKM Tahun {y}",
            self.penyusun,
            (
                ("Kepada", KEPADA),
                ("Tembusan", TEMBUSAN),
                ("Tahun laporan", str(y)),
                ("Dibuat", self.dibuat.strftime("%Y-%m-%d %H:%M UTC")),
            ),
            sections,
            dasar=DASAR,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "tahun": self.tahun,
            "kepada": KEPADA,
            "tembusan": TEMBUSAN,
            "umkm": {k: v.as_dict() for k, v in self.rekap_umkm.items()},
            "koperasi": {k: v.as_dict() for k, v in self.rekap_koperasi.items()},
            "status_umkm": self.status_umkm.as_dict(),
            "status_koperasi": self.status_koperasi.as_dict(),
            "tren_umkm": self.tren_umkm.as_dict(),
            "tren_koperasi": self.tren_koperasi.as_dict(),
            "perbandingan_umkm": self.banding_umkm.as_dict(),
            "perbandingan_koperasi": self.banding_koperasi.as_dict(),
        }


def laporan_tahunan(store: Store, tahun: int, *, wilayah: str | None = None) -> LaporanTahunan:
    """Collect the yearly report for ``tahun`` (1900 … next year) from ``store``.

    Every table counts the stock at the end of ``tahun`` (see the module docstring).
    """
    periksa_tahun(tahun)
    wilayah = periksa_wilayah(wilayah)
    awal = tahun - TAHUN_TREN + 1
    all_status = tuple(VerificationStatus)

    def bagian(
        kind: Kind, dims: tuple[str, ...]
    ) -> tuple[dict[str, Rekap], Rekap, Tabel, Perbandingan]:
        resmi, semua = scan_banyak(
            store, kind, [(dims, RESMI), (("status",), None)], wilayah=wilayah
        )
        tabel = {
            d: rekap_dari(stok(resmi[d], tahun), kind, d, wilayah=wilayah, tahun=tahun)
            for d in dims
        }
        status = rekap_dari(
            stok(semua["status"], tahun),
            kind,
            "status",
            status=all_status,
            wilayah=wilayah,
            tahun=tahun,
        )
        return (
            tabel,
            status,
            tren_dari(resmi[dims[0]], kind, awal, tahun),
            perbandingan_dari(resmi[dims[0]], kind, dims[0], tahun - 1, tahun, wilayah=wilayah),
        )

    with read_snapshot(store):  # UMKM and Koperasi of one moment, whatever an import writes
        rek_u, st_u, tren_u, band_u = bagian("umkm", ("kab_kota", "skala", "sumber_data"))
        rek_k, st_k, tren_k, band_k = bagian("koperasi", ("kab_kota", "jenis", "bentuk"))
    return LaporanTahunan(
        tahun,
        dt.datetime.now(dt.UTC).replace(microsecond=0),
        rek_u,
        rek_k,
        st_u,
        st_k,
        tren_u,
        tren_k,
        band_u,
        band_k,
    )
