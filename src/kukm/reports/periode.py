"""Comparison of two periods (Kepgub F.5: membandingkan data) and the yearly trend.

**The stock at the end of year Y** counts, for every record, the version in
effect on Y-12-31: the version with the greatest ``valid_from`` (the
``tanggal_data`` of its import, i.e. the date its data refers to) on or before
Y-12-31, ties going to the highest version number. That version's own values
are counted: its region, scale, source, jenis … and its verification status.
So a record updated later (a new version with a later ``tanggal_data``, which
Kepgub E.10 asks for at least yearly) stays in the stock of the earlier years
with its earlier values; a record whose first data date is after Y is not in
the stock of Y; a business that moved to another kab/kota counts in the old
one until the year of the move; with a region filter (``wilayah``), each
version is tested against its own region, so a business that moved out of the
region leaves its stock. Like every official table, only verified records
count by default (the status *of the version in effect*), except in a
comparison *by* ``status``, which shows every status (as
:func:`kukm.reports.rekap.rekap` does); unknown values are a row, spellings
of one vocabulary value are one row (:func:`kukm.reports.labels.kanonik`),
and rows sum to the totals.

Counting is one streaming pass over the current versions
(:meth:`kukm.storage.base.Store.iter_records`, no filter, since an earlier
version may lie in the region or have a status the current one has not); only
a record whose current version number is above 1 has its history read
(:meth:`kukm.storage.base.Store.history`). The pass and the histories read one
state of the store (:func:`kukm.storage.base.read_snapshot`): a batch an import
commits meanwhile is wholly in it or not at all (on SQLite a pass counted part
of a batch: its pages were separate reads). Each version in effect at the end of
some year adds +1 to (value, first such year) and −1 to (value, year the next
version takes over): the stock at the end of Y is the sum over the years up to
Y (:func:`stok`).

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> import datetime as dt
>>> s = MemoryStore()
>>> def op(i, y, kode="31.71.01.1001"):
...     return WriteOp("umkm", str(i), Umkm(nama_usaha="U", alamat=Alamat(kode_wilayah=kode)),
...                    Provenance(SumberData.SUDIN), valid_from=dt.date(y, 6, 1))
>>> _ = s.write_batch([op(i, y) for i, y in enumerate([2023, 2024, 2024])])
>>> p = bandingkan(s, "umkm", "kab_kota", 2023, 2024)
>>> [(r.label, r.a, r.b, r.selisih) for r in p.rows if r.b], p.total_a, p.total_b
([('Kota Administrasi Jakarta Pusat', 1, 3, 2)], 1, 3)
>>> tren(s, "umkm", 2023, 2024).baris
(('2023', 1, 1), ('2024', 2, 3))

Record 0 moves to Jakarta Timur with data of 2025: it stays in Jakarta Pusat
at the end of 2023 and 2024, and is counted once, in Jakarta Timur, from 2025:

>>> _ = s.write_batch([op(0, 2025, "31.75.01.1001")])
>>> p = bandingkan(s, "umkm", "kab_kota", 2024, 2025)
>>> [(r.kode, r.a, r.b) for r in p.rows if r.a or r.b]
[('31.71', 3, 2), ('31.75', 0, 1)]
>>> tren(s, "umkm", 2023, 2025).baris
(('2023', 1, 1), ('2024', 2, 3), ('2025', 0, 3))
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Final

from attrs import frozen

from kukm.exceptions import ConfigurationError, register_code
from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.labels import judul_dimensi, kanonik, kosakata, nama
from kukm.reports.rekap import DIMENSI_TIDAK_DIKENAL, RESMI, periksa_dimensi
from kukm.reports.wilayah import periksa_wilayah
from kukm.storage.base import (
    Kind,
    Store,
    StoredRecord,
    VerificationStatus,
    index_keys,
    read_snapshot,
    wilayah_matches,
)

__all__ = [
    "TAHUN_MIN",
    "TAHUN_TIDAK_VALID",
    "Perbandingan",
    "PerbandinganRow",
    "bandingkan",
    "masa_berlaku",
    "nilai_dimensi",
    "periksa_tahun",
    "scan",
    "scan_banyak",
    "stok",
    "tren",
]

_KIND_NAMA: Final = {"umkm": "UMKM", "koperasi": "Koperasi"}

#: The earliest report year accepted (dates before 1900 are refused on import too).
TAHUN_MIN: Final = 1900

TAHUN_TIDAK_VALID: Final = register_code(
    "TAHUN_TIDAK_VALID",
    "Tahun laporan harus antara 1900 dan tahun depan.",
    "The report year must lie between 1900 and next year.",
    module=__name__,
)

#: Dimensions read from the stored version itself, not from its record.
_OWN: Final = frozenset({"status", "sumber_data"})

_CATATAN_STOK: Final = (
    "Keadaan akhir tahun: setiap data dihitung menurut versinya yang berlaku pada 31 Desember "
    "(tanggal data terakhir sampai tanggal itu); hanya data terverifikasi."
)
_RESMI_NAMA: Final = tuple(s.value for s in RESMI)


def _catatan_stok(status: tuple[str, ...] | None) -> str:
    """:data:`_CATATAN_STOK` for the statuses counted (``None``: all)."""
    if status == _RESMI_NAMA:
        return _CATATAN_STOK
    cakupan = "semua status" if status is None else "status " + ", ".join(status)
    return _CATATAN_STOK.replace("hanya data terverifikasi", cakupan)


#: Counts by (value, year): +n where versions start being in effect, −n where they stop.
Hitungan = collections.Counter[tuple[str | None, int]]


def periksa_tahun(tahun: int, *, nama_opsi: str = "tahun") -> int:
    """``tahun`` if it is a sensible report year (1900 … next year), else ConfigurationError.

    >>> periksa_tahun(2024)
    2024
    >>> periksa_tahun(0)
    Traceback (most recent call last):
        ...
    kukm.exceptions.ConfigurationError: [TAHUN_TIDAK_VALID] tahun 0 is outside 1900–...
    """
    akhir = dt.date.today().year + 1
    if isinstance(tahun, bool) or not isinstance(tahun, int) or not TAHUN_MIN <= tahun <= akhir:
        raise ConfigurationError(
            f"{nama_opsi} {tahun!r} is outside {TAHUN_MIN}–{akhir}", code=TAHUN_TIDAK_VALID
        )
    return tahun


def nilai_dimensi(
    rec: StoredRecord, dim: str, keys: Mapping[str, str | None] | None = None
) -> str | None:
    """The value of tabulation dimension ``dim`` for a stored record (``""`` reads as unknown).

    ``keys``: the record's :func:`~kukm.storage.base.index_keys`, when already computed.
    """
    value: str | None
    if dim == "status":
        value = rec.status.value
    elif dim == "sumber_data":
        value = rec.provenance.sumber.value
    elif dim in rec.atribut:
        value = rec.atribut[dim]
    else:
        value = (keys if keys is not None else index_keys(rec.record)).get(dim)
    return value or None


def _berlaku(versions: Iterable[StoredRecord]) -> Iterator[tuple[StoredRecord, int, int | None]]:
    """See :func:`masa_berlaku`, for the versions of one record."""
    per_year: dict[int, StoredRecord] = {}
    for v in sorted(versions, key=lambda v: (v.valid_from, v.version)):
        per_year[v.valid_from.year] = v  # the last one of a year is in effect at its end
    years = sorted(per_year)
    for i, y in enumerate(years):
        yield per_year[y], y, years[i + 1] if i + 1 < len(years) else None


def masa_berlaku(store: Store, kind: Kind) -> Iterator[tuple[StoredRecord, int, int | None]]:
    """Every version in effect at the end of some year: (version, first such year, end).

    ``end`` is the year from whose end on another version of the record is in
    effect (``None``: still in effect). A version is in effect at the end of Y
    when it has the greatest ``valid_from`` on or before Y-12-31 among its
    record's versions (ties: the highest version number). Streams the current
    versions; reads the history only of records with more than one version.
    """
    for current in store.iter_records(kind):
        if current.version <= 1:
            yield current, current.valid_from.year, None
        else:
            yield from _berlaku(store.history(kind, current.id) or [current])


def scan_banyak(
    store: Store,
    kind: Kind,
    specs: Sequence[tuple[Sequence[str], Collection[VerificationStatus] | None]],
    *,
    wilayah: str | None = None,
) -> list[dict[str, Hitungan]]:
    """Several :func:`scan` results (one per ``(dims, status)`` of ``specs``) in one pass."""
    scope = periksa_wilayah(wilayah)
    wanted = [
        (dims, None if st is None else frozenset(map(VerificationStatus, st))) for dims, st in specs
    ]
    out: list[dict[str, Hitungan]] = [{d: collections.Counter() for d in dims} for dims, _ in specs]
    with read_snapshot(store):  # the stream and the histories: one state, whatever is written
        for rec, start, end in masa_berlaku(store, kind):
            if scope is not None and not wilayah_matches(rec.record.alamat.kode_wilayah, scope):
                continue
            keys: dict[str, str | None] | None = None
            for (dims, statuses), counters in zip(wanted, out, strict=True):
                if statuses is not None and rec.status not in statuses:
                    continue
                for d in dims:
                    if keys is None and d not in _OWN and d not in rec.atribut:
                        keys = index_keys(rec.record)
                    v = nilai_dimensi(rec, d, keys)
                    counters[d][(v, start)] += 1
                    if end is not None:
                        counters[d][(v, end)] -= 1
    return out


def scan(
    store: Store,
    kind: Kind,
    dims: Sequence[str],
    *,
    status: Collection[VerificationStatus] | None = RESMI,
    wilayah: str | None = None,
) -> dict[str, Hitungan]:
    """One streaming pass: for each dimension, the changes of the stock by (value, year).

    ``stok(counter, Y)`` is the stock at the end of Y (see the module docstring).
    """
    return scan_banyak(store, kind, [(dims, status)], wilayah=wilayah)[0]


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
    #: Statuses counted (``None``: all).
    status: tuple[str, ...] | None = _RESMI_NAMA

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
            f"{judul_dimensi(self.dimensi, self.kind)}: {self.tahun_a} dan {self.tahun_b}"
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
                judul_dimensi(self.dimensi, self.kind),
                f"Akhir {a}",
                f"Akhir {b}",
                "Selisih",
                "Perubahan (%)",
            ),
            rows,
            total,
            catatan=_catatan_stok(self.status),
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
            "status": list(self.status) if self.status is not None else None,
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


def stok(counter: Hitungan, year: int) -> dict[str | None, int]:
    """The stock at the end of ``year`` by value, from the counts of :func:`scan`."""
    out: dict[str | None, int] = {}
    for (v, y), n in counter.items():
        if y <= year:
            out[v] = out.get(v, 0) + n
    return {v: n for v, n in out.items() if n}


def perbandingan_dari(
    counter: Hitungan,
    kind: str,
    dimensi: str,
    tahun_a: int,
    tahun_b: int,
    *,
    wilayah: str | None = None,
    status: Collection[VerificationStatus] | None = RESMI,
) -> Perbandingan:
    """Build a :class:`Perbandingan` from the counts of :func:`scan` (made with ``status``).

    Values are grouped by :func:`kukm.reports.labels.kanonik`, as in a rekap.
    """
    a = _kanonik_stok(stok(counter, tahun_a), dimensi, kind)
    b = _kanonik_stok(stok(counter, tahun_b), dimensi, kind)
    keys: list[str | None] = list(kosakata(dimensi, wilayah=wilayah, kind=kind) or ())
    for k in sorted({*a, *b} - {None} - set(keys), key=str):
        keys.append(k)
    keys.append(None)
    rows = tuple(
        PerbandinganRow(k, nama(dimensi, k, kind=kind), a.get(k, 0), b.get(k, 0)) for k in keys
    )
    status_names = None if status is None else tuple(s.value for s in status)
    return Perbandingan(kind, dimensi, tahun_a, tahun_b, rows, status_names)


def _kanonik_stok(
    counts: Mapping[str | None, int], dimensi: str, kind: str
) -> dict[str | None, int]:
    """``counts`` with the spellings of one value added up (:func:`kanonik`)."""
    out: dict[str | None, int] = {}
    for v, n in counts.items():
        k = kanonik(dimensi, v, kind=kind)
        out[k] = out.get(k, 0) + n
    return out


def bandingkan(
    store: Store,
    kind: Kind,
    dimensi: str,
    tahun_a: int,
    tahun_b: int,
    *,
    status: Collection[VerificationStatus] | str | None = "resmi",
    wilayah: str | None = None,
) -> Perbandingan:
    """Compare the stock at the end of two years by one dimension (Kepgub F.5).

    ``status="resmi"`` (default) counts verified records only, except when
    comparing by ``status`` (then all, so pending and rejected records show);
    pass a collection to choose, or ``None`` for all.

    ``dimensi`` is one field of ``TABULATION_FIELDS`` (else ``DIMENSI_TIDAK_DIKENAL``);
    the years lie in 1900 … next year (else ``TAHUN_TIDAK_VALID``); ``wilayah``
    is a known Kemendagri code (see :func:`kukm.reports.wilayah.periksa_wilayah`).
    """
    if "," in dimensi:
        raise ConfigurationError(
            f"a comparison is by exactly one field, not {dimensi!r}", code=DIMENSI_TIDAK_DIKENAL
        )
    dims = periksa_dimensi([dimensi])
    if len(dims) != 1:
        raise ConfigurationError("a comparison needs a field", code=DIMENSI_TIDAK_DIKENAL)
    dimensi = dims[0]
    periksa_tahun(tahun_a)
    periksa_tahun(tahun_b)
    wilayah = periksa_wilayah(wilayah)
    statuses: Collection[VerificationStatus] | None = (
        (None if dimensi == "status" else RESMI) if isinstance(status, str) else status
    )
    counts = scan(store, kind, [dimensi], status=statuses, wilayah=wilayah)[dimensi]
    return perbandingan_dari(
        counts, kind, dimensi, tahun_a, tahun_b, wilayah=wilayah, status=statuses
    )


def tren_dari(counter: Hitungan, kind: str, awal: int, akhir: int) -> Tabel:
    """Per year: the stock at the year's end and its net change during the year.

    The change is the stock at the end of the year minus that at the end of the
    year before: records that came in, minus those that left (a later version
    moved out of the region, or is not verified).
    """
    per_year: dict[int, int] = {}
    for (_, y), n in counter.items():
        per_year[y] = per_year.get(y, 0) + n
    running = sum(n for y, n in per_year.items() if y < awal)
    rows = []
    for y in range(awal, akhir + 1):
        running += per_year.get(y, 0)
        rows.append((str(y), per_year.get(y, 0), running))
    return Tabel(
        f"Tren jumlah {_KIND_NAMA.get(kind, kind)} {awal}–{akhir}",
        ("Tahun", "Perubahan selama tahun", "Jumlah akhir tahun"),
        rows,
        catatan=_CATATAN_STOK
        + " Perubahan = jumlah akhir tahun dikurangi jumlah akhir tahun sebelumnya.",
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
    periksa_tahun(awal)
    periksa_tahun(akhir)
    counts = scan(store, kind, ["provinsi"], status=status, wilayah=wilayah)["provinsi"]
    return tren_dari(counts, kind, awal, akhir)
