"""Rekapitulasi: counts of Koperasi or UMKM by region, kind, scale, source, status.

Kepgub DKI 1625/2021 huruf F angka 4 (pengolahan: mengelompokkan dan tabulasi
data), F.8–9 (penyajian, at least yearly) and E.4 (hasil pendataan dan
rekapitulasi data digunakan sebagai data terpadu).

Rules every table follows:

* **Official tables count only verified records** (``terverifikasi``, Kepgub
  D.3): data from other parties counts after a Dinas officer verified it. A
  table grouped *by* ``status`` shows every status, so the pending work is
  visible.
* **Tables reconcile.** Missing or unknown values (``None``, empty or blank
  text) are a row of their own (``(tidak diketahui)``), a one-dimension table
  lists every known value even at zero, and the rows sum to the total, which
  is counted separately in the store; a mismatch raises
  :class:`kukm.exceptions.IntegrityError`. The rows and the total are read
  from one snapshot of the store (:func:`kukm.storage.base.tabulate_total`),
  so an import committing batches meanwhile is never half in a table; a
  third-party store without ``tabulate_total`` is read twice, one read after
  the other.
* **Spellings of one value are one row.** A stored value that differs from a
  vocabulary value only in case, spacing or ``_`` (``KONSUMEN``,
  ``konsumen `` → ``Konsumen``) counts under that value; a value outside the
  vocabulary (``Koperasi Tani``, skala ``tidak_dipakai``) is a row of its
  own, after the vocabulary and before the unknown row
  (:func:`kukm.reports.labels.kanonik`). Records of another province
  (e.g. kab/kota ``32.73``) are rows of their own too: they are in the store
  and in the total unless a ``wilayah`` filter leaves them out (read through an
  officer's :class:`~kukm.governance.Service`, as ``kukm report rekap`` reads, they
  are outside a province-wide officer's scope, ``[policy] provinsi``, and left
  out); a record whose
  code stops above the table's level (``31.71`` in a kecamatan table) counts as
  unknown there.
* Counting happens in the database (:meth:`kukm.storage.base.Store.tabulate`).

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> s = MemoryStore()
>>> _ = s.write_batch([WriteOp("umkm", str(i), Umkm(nama_usaha="U",
...     alamat=Alamat(kode_wilayah=k)), Provenance(SumberData.SUDIN), atribut={"skala": "mikro"})
...     for i, k in enumerate(["31.71.01.1001", "31.71.02.1001", None])])
>>> r = rekap(s, "umkm", ["kab_kota"])
>>> [(row.label[0], row.jumlah) for row in r.rows if row.jumlah], r.total
([('Kota Administrasi Jakarta Pusat', 2), ('(tidak diketahui)', 1)], 3)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from kukm.exceptions import ConfigurationError, IntegrityError, register_code
from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.labels import judul_dimensi, kanonik, kosakata, nama
from kukm.reports.wilayah import periksa_wilayah
from kukm.storage.base import (
    TABULATION_FIELDS,
    Kind,
    Store,
    VerificationStatus,
    tabulate_total,
)

__all__ = [
    "DIMENSI_TIDAK_DIKENAL",
    "REKAP_TIDAK_SEIMBANG",
    "RESMI",
    "Rekap",
    "RekapRow",
    "periksa_dimensi",
    "rekap",
    "rekap_dari",
]

#: Statuses that count in official tables (Kepgub D.3).
RESMI: Final[tuple[VerificationStatus, ...]] = (VerificationStatus.TERVERIFIKASI,)

REKAP_TIDAK_SEIMBANG: Final = register_code(
    "REKAP_TIDAK_SEIMBANG",
    "Jumlah baris rekapitulasi tidak sama dengan total data.",
    "The rows of the summary table do not add up to the total.",
    module=__name__,
)
DIMENSI_TIDAK_DIKENAL: Final = register_code(
    "DIMENSI_TIDAK_DIKENAL",
    "Dimensi rekapitulasi tidak dikenal.",
    "Unknown summary dimension.",
    module=__name__,
)

_KIND_NAMA: Final = {"umkm": "UMKM", "koperasi": "Koperasi"}


@frozen
class RekapRow:
    """One group: its codes (``None`` = unknown), their labels and the count."""

    kunci: tuple[str | None, ...]
    label: tuple[str, ...]
    jumlah: int


@frozen
class Rekap:
    """A reconciled summary table (see the module docstring)."""

    kind: str
    by: tuple[str, ...]
    rows: tuple[RekapRow, ...]
    total: int
    status: tuple[str, ...] | None
    wilayah: str | None
    dibuat: dt.datetime
    #: For a table of the stock at the end of a year (:func:`rekap_dari`); ``None``: now.
    tahun: int | None = None

    @property
    def judul(self) -> str:
        dims = ", ".join(judul_dimensi(b, self.kind) for b in self.by) or "total"
        akhir = f" akhir tahun {self.tahun}" if self.tahun is not None else ""
        return f"Rekapitulasi {_KIND_NAMA.get(self.kind, self.kind)} menurut {dims}{akhir}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data: ``rows`` (code, name and ``jumlah`` per dimension) and ``total``."""
        rows = []
        for r in self.rows:
            d: dict[str, Any] = {}
            for b, k, lbl in zip(self.by, r.kunci, r.label, strict=True):
                d[b] = k
                d[f"{b}_nama"] = lbl
            d["jumlah"] = r.jumlah
            rows.append(d)
        return {
            "judul": self.judul,
            "kind": self.kind,
            "by": list(self.by),
            "status": list(self.status) if self.status is not None else None,
            "wilayah": self.wilayah,
            "tahun": self.tahun,
            "dibuat": self.dibuat.isoformat(timespec="seconds"),
            "rows": rows,
            "total": self.total,
        }

    def tabel(self) -> Tabel:
        """The table: a code and a name column per dimension, then ``Jumlah`` and share."""
        kolom: list[str] = []
        for b in self.by:
            judul = judul_dimensi(b, self.kind)
            kolom += [f"Kode {judul.lower()}", judul]
        kolom += ["Jumlah", "Persen"]
        baris = []
        for r in self.rows:
            cells: list[Any] = []
            for k, lbl in zip(r.kunci, r.label, strict=True):
                cells += [k if k is not None else "", lbl]
            share = round(100 * r.jumlah / self.total, 1) if self.total else 0.0
            baris.append((*cells, r.jumlah, share))
        total: list[str | int | float | None] = [
            "Jumlah",
            *([""] * (2 * len(self.by) - 1)),
            self.total,
            100.0 if self.total else 0.0,
        ]
        status = (
            "hanya data terverifikasi"
            if self.status == tuple(s.value for s in RESMI)
            else "semua status"
            if self.status is None
            else ", ".join(self.status)
        )
        catatan = f"Cakupan: {status}."
        if self.tahun is not None:
            catatan += (
                f" Keadaan akhir tahun {self.tahun}: setiap data dihitung menurut versinya yang "
                f"berlaku pada 31 Desember {self.tahun} (tanggal data terakhir sampai tanggal itu)."
            )
        return Tabel(self.judul, tuple(kolom), baris, tuple(total), catatan=catatan)

    def to_dokumen(self) -> Dokumen:
        """The table (and, for one dimension, a bar chart of it) as a document."""
        tabel = self.tabel()
        grafik = None
        if len(self.by) == 1:
            grafik = Grafik.dari_tabel(tabel, kolom_label=1, kolom_nilai=2)
        meta = [("Dibuat", self.dibuat.strftime("%Y-%m-%d %H:%M UTC"))]
        if self.wilayah:
            meta.append(("Wilayah", f"{nama('kab_kota', self.wilayah)} ({self.wilayah})"))
        return Dokumen(
            self.judul,
            "Dinas PPKUKM Provinsi DKI Jakarta",
            tuple(meta),
            (Bagian(self.judul, tabel=tabel, grafik=grafik),),
            dasar="Kepgub DKI Jakarta 1625/2021 huruf F angka 4 dan 8",
        )


def periksa_dimensi(by: Sequence[str]) -> tuple[str, ...]:
    """The fields of ``by`` (stripped, blanks dropped); each must be a TABULATION_FIELDS field."""
    out = tuple(b.strip() for b in by if b.strip())
    for b in out:
        if b not in TABULATION_FIELDS:
            raise ConfigurationError(
                f"unknown rekap field {b!r} (one of {', '.join(TABULATION_FIELDS)})",
                code=DIMENSI_TIDAK_DIKENAL,
            )
    return out


def _rows(
    kind: str,
    dims: tuple[str, ...],
    groups: Iterable[tuple[tuple[str | None, ...], int]],
    wilayah: str | None,
) -> tuple[RekapRow, ...]:
    """Rows in table order: unknown as a row, a one-field table with every known value.

    Stored values are grouped by :func:`kukm.reports.labels.kanonik`.
    """
    counts: dict[tuple[str | None, ...], int] = {}
    for key, n in groups:
        norm = tuple(kanonik(b, k, kind=kind) for b, k in zip(dims, key, strict=True))
        counts[norm] = counts.get(norm, 0) + n
    if len(dims) == 1:
        vocab = kosakata(dims[0], wilayah=wilayah, kind=kind)
        for v in vocab or ():
            counts.setdefault((v,), 0)
        counts.setdefault((None,), 0)

    def order(key: tuple[str | None, ...]) -> tuple[tuple[int, int, str], ...]:
        out = []
        for b, k in zip(dims, key, strict=True):
            vocab = kosakata(b, wilayah=wilayah, kind=kind) or ()
            if k is None:
                out.append((2, 0, ""))
            elif k in vocab:
                out.append((0, vocab.index(k), k))
            else:
                out.append((1, 0, k))
        return tuple(out)

    return tuple(
        RekapRow(
            key, tuple(nama(b, k, kind=kind) for b, k in zip(dims, key, strict=True)), counts[key]
        )
        for key in sorted(counts, key=order)
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def rekap(
    store: Store,
    kind: Kind,
    by: Sequence[str],
    *,
    status: Collection[VerificationStatus] | str | None = "resmi",
    wilayah: str | None = None,
) -> Rekap:
    """Count ``kind`` records grouped by ``by`` (fields of ``TABULATION_FIELDS``).

    ``status="resmi"`` (default) counts verified records only, except when
    grouping by ``status`` (then all); pass a collection to choose, or ``None``
    for all. ``wilayah`` must be a known Kemendagri code
    (:func:`kukm.reports.wilayah.periksa_wilayah`).
    """
    dims = periksa_dimensi(by)
    wilayah = periksa_wilayah(wilayah)
    statuses: Collection[VerificationStatus] | None = (
        (None if "status" in dims else RESMI) if isinstance(status, str) else status
    )
    # one snapshot: an import committing a batch between the two reads is in both or neither
    groups, total = tabulate_total(store, kind, dims, wilayah=wilayah, status=statuses)
    rows = _rows(kind, dims, groups, wilayah)
    summed = sum(r.jumlah for r in rows)
    if summed != total:
        raise IntegrityError(
            f"rekap rows sum to {summed}, total is {total}", code=REKAP_TIDAK_SEIMBANG
        )
    status_names = None if statuses is None else tuple(s.value for s in statuses)
    return Rekap(kind, dims, rows, total, status_names, wilayah, _now())


def rekap_dari(
    counts: Mapping[str | None, int],
    kind: str,
    dimensi: str,
    *,
    status: Collection[VerificationStatus] | None = RESMI,
    wilayah: str | None = None,
    tahun: int | None = None,
) -> Rekap:
    """A one-field :class:`Rekap` from counts by value (e.g. ``periode.stok(scan, year)``).

    The rows follow :func:`rekap` (every known value, unknown last) and the
    total is their sum. ``status`` and ``wilayah`` describe what was counted;
    ``tahun`` marks a table of the stock at the end of that year.

    >>> r = rekap_dari({"mikro": 2, None: 1, "": 1}, "umkm", "skala", tahun=2024)
    >>> [(row.kunci[0], row.jumlah) for row in r.rows], r.total, r.judul
    ([('mikro', 2), ('kecil', 0), ('menengah', 0), ('besar', 0), (None, 2)], 4, 'Rekapitulasi UMKM menurut Skala usaha akhir tahun 2024')
    """
    dims = periksa_dimensi([dimensi])
    rows = _rows(kind, dims, (((k,), n) for k, n in counts.items()), wilayah)
    status_names = None if status is None else tuple(s.value for s in status)
    return Rekap(
        kind, dims, rows, sum(r.jumlah for r in rows), status_names, wilayah, _now(), tahun
    )
