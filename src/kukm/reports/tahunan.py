"""The yearly report of the Dinas PPKUKM to the Governor, copied to the ministry.

Kepgub DKI 1625/2021 huruf E angka 3 (Dinas PPKUKM melaporkan hasil pendataan
kepada Gubernur dengan tembusan Kementerian Koperasi dan UKM RI), huruf I
angka 8–9 (laporan setiap tahun) and huruf F angka 8–9 (penyajian data at
least once a year).

Contents: a summary, UMKM per kab/kota, per scale, per source, the
verification status, Koperasi per kab/kota, jenis and bentuk, the yearly trend
and the comparison with the previous year (F.5). Official tables count only
verified records; every table reconciles (see :mod:`kukm.reports.rekap`).
Render it with any ``report`` renderer: HTML and PDF carry the charts, XLSX
holds one sheet per table.

>>> from kukm.adapters.memory import MemoryStore
>>> lap = laporan_tahunan(MemoryStore(), 2025)
>>> lap.to_dokumen().meta[0]
('Kepada', 'Yth. Gubernur Provinsi DKI Jakarta')
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from attrs import frozen

from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.periode import Perbandingan, perbandingan_dari, scan, tren_dari
from kukm.reports.rekap import Rekap, rekap
from kukm.storage.base import Store, VerificationStatus

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
                f"Jumlah UMKM terverifikasi: {u_total:,}; Koperasi terverifikasi: {k_total:,}.".replace(
                    ",", "."
                ),
                f"Menunggu verifikasi Dinas (data pihak lain, Kepgub huruf D angka 3): "
                f"UMKM {pending_u}, Koperasi {pending_k}.",
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
    """Collect the yearly report for ``tahun`` from ``store``."""
    rek_u = {
        d: rekap(store, "umkm", [d], wilayah=wilayah) for d in ("kab_kota", "skala", "sumber_data")
    }
    rek_k = {
        d: rekap(store, "koperasi", [d], wilayah=wilayah) for d in ("kab_kota", "jenis", "bentuk")
    }
    all_status = list(VerificationStatus)
    st_u = rekap(store, "umkm", ["status"], wilayah=wilayah, status=all_status)
    st_k = rekap(store, "koperasi", ["status"], wilayah=wilayah, status=all_status)
    sc_u = scan(store, "umkm", ["kab_kota"], wilayah=wilayah)["kab_kota"]
    sc_k = scan(store, "koperasi", ["kab_kota"], wilayah=wilayah)["kab_kota"]
    awal = tahun - TAHUN_TREN + 1
    return LaporanTahunan(
        tahun,
        dt.datetime.now(dt.UTC).replace(microsecond=0),
        rek_u,
        rek_k,
        st_u,
        st_k,
        tren_dari(sc_u, "umkm", awal, tahun),
        tren_dari(sc_k, "koperasi", awal, tahun),
        perbandingan_dari(sc_u, "umkm", "kab_kota", tahun - 1, tahun, wilayah=wilayah),
        perbandingan_dari(sc_k, "koperasi", "kab_kota", tahun - 1, tahun, wilayah=wilayah),
    )
