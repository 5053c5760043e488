"""Comparison of two periods (Kepgub F.5: membandingkan data) and the yearly trend.

A record belongs to the stock of a period when the date its data refers to
(``valid_from``, i.e. ``tanggal_data`` of the import) is on or before the
period's end. Counting uses the current version of each record, streamed with
:meth:`kukm.storage.base.Store.iter_records` in one pass for all dimensions.
Like every official table, only verified records count by default, unknown
values are a row, and rows sum to the totals.

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> import datetime as dt
>>> s = MemoryStore()
>>> _ = s.write_batch([WriteOp("umkm", str(i), Umkm(nama_usaha="U",
...     alamat=Alamat(kode_wilayah="31.71.01.1001")), Provenance(SumberData.SUDIN),
...     valid_from=dt.date(y, 6, 1)) for i, y in enumerate([2023, 2024, 2024])])
>>> p = bandingkan(s, "umkm", "kab_kota", 2023, 2024)
>>> [(r.label, r.a, r.b, r.selisih) for r in p.rows if r.b], p.total_a, p.total_b
([('Kota Administrasi Jakarta Pusat', 1, 3, 2)], 1, 3)
>>> tren(s, "umkm", 2023, 2024).baris
(('2023', 1, 1), ('2024', 2, 3))
"""

from __future__ import annotations

import collections
from collections.abc import Collection, Sequence
from typing import Final

from attrs import frozen

from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.labels import JUDUL_DIMENSI, kosakata, nama
from kukm.reports.rekap import RESMI
from kukm.storage.base import Kind, Store, StoredRecord, VerificationStatus, index_keys

__all__ = ["Perbandingan", "PerbandinganRow", "bandingkan", "nilai_dimensi", "scan", "tren"]

_KIND_NAMA: Final = {"umkm": "UMKM", "koperasi": "Koperasi"}


def nilai_dimensi(rec: StoredRecord, dim: str) -> str | None:
    """The value of tabulation dimension ``dim`` for a stored record."""
    if dim == "status":
        return rec.status.value
    if dim == "sumber_data":
        return rec.provenance.sumber.value
    if dim in rec.atribut:
        return rec.atribut[dim]
    return index_keys(rec.record).get(dim)


def scan(
    store: Store,
    kind: Kind,
    dims: Sequence[str],
    *,
    status: Collection[VerificationStatus] | None = RESMI,
    wilayah: str | None = None,
) -> dict[str, collections.Counter[tuple[str | None, int]]]:
    """One streaming pass: for each dimension, counts by (value, year of ``valid_from``)."""
    out: dict[str, collections.Counter[tuple[str | None, int]]] = {
        d: collections.Counter() for d in dims
    }
    for rec in store.iter_records(kind, wilayah=wilayah, status=status):
        year = rec.valid_from.year
        for d in dims:
            out[d][(nilai_dimensi(rec, d), year)] += 1
    return out


@frozen
class PerbandinganRow:
    kode: str | None
    label: str
    a: int
    b: int

    @property
    def selisih(self) -> int:
        return self.b - self.a

    @property
    def persen(self) -> float | None:
        return None if self.a == 0 else round(100 * (self.b - self.a) / self.a, 1)


@frozen
class Perbandingan:
    """Stock at the end of ``tahun_a`` against the end of ``tahun_b`` by one dimension."""

    kind: str
    dimensi: str
    tahun_a: int
    tahun_b: int
    rows: tuple[PerbandinganRow, ...]

    @property
    def total_a(self) -> int:
        return sum(r.a for r in self.rows)

    @property
    def total_b(self) -> int:
        return sum(r.b for r in self.rows)

    @property
    def judul(self) -> str:
        return (
            f"Perbandingan {_KIND_NAMA.get(self.kind, self.kind)} menurut "
            f"{JUDUL_DIMENSI.get(self.dimensi, self.dimensi)}: {self.tahun_a} dan {self.tahun_b}"
        )

    def tabel(self) -> Tabel:
        a, b = str(self.tahun_a), str(self.tahun_b)
        rows = [(r.kode or "", r.label, r.a, r.b, r.selisih, r.persen) for r in self.rows]
        ta, tb = self.total_a, self.total_b
        total = ("", "Jumlah", ta, tb, tb - ta, None if ta == 0 else round(100 * (tb - ta) / ta, 1))
        return Tabel(
            self.judul,
            (
                "Kode",
                JUDUL_DIMENSI.get(self.dimensi, self.dimensi),
                f"Akhir {a}",
                f"Akhir {b}",
                "Selisih",
                "Perubahan (%)",
            ),
            rows,
            total,
            catatan="Jumlah data terverifikasi dengan tanggal data sampai akhir tahun.",
        )

    def to_dokumen(self) -> Dokumen:
        t = self.tabel()
        return Dokumen(
            self.judul,
            bagian=[
                Bagian(
                    self.judul, tabel=t, grafik=Grafik.dari_tabel(t, kolom_label=1, kolom_nilai=3)
                )
            ],
            dasar="Kepgub DKI Jakarta 1625/2021 huruf F angka 5",
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "judul": self.judul,
            "dimensi": self.dimensi,
            "tahun_a": self.tahun_a,
            "tahun_b": self.tahun_b,
            "rows": [
                {
                    "kode": r.kode,
                    "nama": r.label,
                    "a": r.a,
                    "b": r.b,
                    "selisih": r.selisih,
                    "persen": r.persen,
                }
                for r in self.rows
            ],
            "total_a": self.total_a,
            "total_b": self.total_b,
        }


def _stock(
    counter: collections.Counter[tuple[str | None, int]], year: int
) -> dict[str | None, int]:
    out: dict[str | None, int] = {}
    for (v, y), n in counter.items():
        if y <= year:
            out[v] = out.get(v, 0) + n
    return out


def perbandingan_dari(
    counter: collections.Counter[tuple[str | None, int]],
    kind: str,
    dimensi: str,
    tahun_a: int,
    tahun_b: int,
    *,
    wilayah: str | None = None,
) -> Perbandingan:
    """Build a :class:`Perbandingan` from the counts of :func:`scan`."""
    a, b = _stock(counter, tahun_a), _stock(counter, tahun_b)
    keys: list[str | None] = list(kosakata(dimensi, wilayah=wilayah, kind=kind) or ())
    for k in sorted({*a, *b} - {None} - set(keys), key=str):
        keys.append(k)
    keys.append(None)
    rows = tuple(PerbandinganRow(k, nama(dimensi, k), a.get(k, 0), b.get(k, 0)) for k in keys)
    return Perbandingan(kind, dimensi, tahun_a, tahun_b, rows)


def bandingkan(
    store: Store,
    kind: Kind,
    dimensi: str,
    tahun_a: int,
    tahun_b: int,
    *,
    status: Collection[VerificationStatus] | None = RESMI,
    wilayah: str | None = None,
) -> Perbandingan:
    """Compare the stock at the end of two years by one dimension (Kepgub F.5)."""
    counts = scan(store, kind, [dimensi], status=status, wilayah=wilayah)[dimensi]
    return perbandingan_dari(counts, kind, dimensi, tahun_a, tahun_b, wilayah=wilayah)


def tren_dari(
    counter: collections.Counter[tuple[str | None, int]], kind: str, awal: int, akhir: int
) -> Tabel:
    """Per year: records whose data year is that year, and the cumulative stock."""
    per_year: dict[int, int] = {}
    for (_, y), n in counter.items():
        per_year[y] = per_year.get(y, 0) + n
    before = sum(n for y, n in per_year.items() if y < awal)
    rows = []
    running = before
    for y in range(awal, akhir + 1):
        running += per_year.get(y, 0)
        rows.append((str(y), per_year.get(y, 0), running))
    return Tabel(
        f"Tren jumlah {_KIND_NAMA.get(kind, kind)} {awal}–{akhir}",
        ("Tahun", "Data tahun ini", "Jumlah s.d. akhir tahun"),
        rows,
        catatan="Menurut tahun tanggal data; hanya data terverifikasi.",
    )


def tren(
    store: Store,
    kind: Kind,
    awal: int,
    akhir: int,
    *,
    status: Collection[VerificationStatus] | None = RESMI,
    wilayah: str | None = None,
) -> Tabel:
    """The yearly trend table (see :func:`tren_dari`)."""
    counts = scan(store, kind, ["provinsi"], status=status, wilayah=wilayah)["provinsi"]
    return tren_dari(counts, kind, awal, akhir)
