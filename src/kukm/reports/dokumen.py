"""A small document model every report renders through (Kepgub F.8–9: penyajian data).

A :class:`Dokumen` is a title, a few header lines (to whom, copy to whom, the
legal basis) and sections (:class:`Bagian`), each with paragraphs, a table and
optionally a chart. Renderers (HTML with inline SVG, PDF, XLSX, CSV, JSON;
see :mod:`kukm.adapters.reports`) only know this model, so a chart is always
drawn from the very numbers of its table.

>>> t = Tabel("Per skala", ("Skala", "Jumlah"), (("mikro", 3), ("kecil", 1)), ("Jumlah", 4))
>>> g = Grafik.dari_tabel(t)
>>> g.label, g.nilai
(('mikro', 'kecil'), (3, 1))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from attrs import field, frozen

__all__ = ["Bagian", "Dokumen", "Grafik", "Sel", "Tabel"]

Sel = str | int | float | None


def _tuple_rows(rows: Sequence[Sequence[Sel]]) -> tuple[tuple[Sel, ...], ...]:
    return tuple(tuple(r) for r in rows)


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _nums(items: Iterable[int | float]) -> tuple[int | float, ...]:
    return tuple(items)


def _opt_row(row: Sequence[Sel] | None) -> tuple[Sel, ...] | None:
    return None if row is None else tuple(row)


def _pairs(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(items)


def _sections(items: Iterable[Bagian]) -> tuple[Bagian, ...]:
    return tuple(items)


@frozen
class Tabel:
    """A table: column names, rows, and an optional total row."""

    judul: str
    kolom: tuple[str, ...] = field(converter=_strs)
    baris: tuple[tuple[Sel, ...], ...] = field(converter=_tuple_rows)
    total: tuple[Sel, ...] | None = field(default=None, converter=_opt_row)
    catatan: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Rows as dicts keyed by column name.

        >>> Tabel("T", ("a", "n"), (("x", 1),)).as_dict()["rows"]
        [{'a': 'x', 'n': 1}]
        """
        return {
            "judul": self.judul,
            "kolom": list(self.kolom),
            "rows": [dict(zip(self.kolom, r, strict=False)) for r in self.baris],
            "total": None
            if self.total is None
            else dict(zip(self.kolom, self.total, strict=False)),
            "catatan": self.catatan,
        }


@frozen
class Grafik:
    """A chart: ``batang`` (bars), ``garis`` (line, for trends)."""

    judul: str
    label: tuple[str, ...] = field(converter=_strs)
    nilai: tuple[int | float, ...] = field(converter=_nums)
    jenis: Literal["batang", "garis"] = "batang"
    satuan: str = ""

    @classmethod
    def dari_tabel(
        cls,
        tabel: Tabel,
        *,
        kolom_label: int = 0,
        kolom_nilai: int = -1,
        jenis: Literal["batang", "garis"] = "batang",
        judul: str | None = None,
    ) -> Grafik:
        """A chart of one column of ``tabel`` (labels from another column)."""
        labels: list[str] = []
        values: list[int | float] = []
        for row in tabel.baris:
            v = row[kolom_nilai]
            labels.append("" if row[kolom_label] is None else str(row[kolom_label]))
            values.append(v if isinstance(v, int | float) else 0)
        return cls(judul or tabel.judul, labels, values, jenis)


@frozen
class Bagian:
    """A section: heading, paragraphs, an optional table and chart."""

    judul: str
    teks: tuple[str, ...] = field(default=(), converter=_strs)
    tabel: Tabel | None = None
    grafik: Grafik | None = None


@frozen
class Dokumen:
    """A whole report."""

    judul: str
    subjudul: str = ""
    meta: tuple[tuple[str, str], ...] = field(default=(), converter=_pairs)
    bagian: tuple[Bagian, ...] = field(default=(), converter=_sections)
    dasar: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for the JSON renderer).

        >>> Dokumen("Judul").as_dict()["judul"]
        'Judul'
        """
        return {
            "judul": self.judul,
            "subjudul": self.subjudul,
            "meta": dict(self.meta),
            "dasar": self.dasar,
            "bagian": [
                {
                    "judul": b.judul,
                    "teks": list(b.teks),
                    "tabel": b.tabel.as_dict() if b.tabel else None,
                    "grafik": (
                        {
                            "judul": b.grafik.judul,
                            "jenis": b.grafik.jenis,
                            "label": list(b.grafik.label),
                            "nilai": list(b.grafik.nilai),
                        }
                        if b.grafik
                        else None
                    ),
                }
                for b in self.bagian
            ],
        }
