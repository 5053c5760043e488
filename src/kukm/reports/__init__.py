"""Reports (Kepgub F.4–9, E.3, I.7–10): rekapitulasi, period comparison, the yearly report.

Build a report object, then render it through the ``report`` renderers
(:func:`write_report` picks one by the file's extension):

>>> from kukm.adapters.memory import MemoryStore
>>> r = rekap(MemoryStore(), "umkm", ["skala"])
>>> [row.kunci[0] for row in r.rows], r.total
(['mikro', 'kecil', 'menengah', 'besar', None], 0)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kukm.reports.dokumen import Bagian, Dokumen, Grafik, Tabel
from kukm.reports.periode import Perbandingan, bandingkan, tren
from kukm.reports.rekap import RESMI, Rekap, RekapRow, rekap
from kukm.reports.tahunan import LaporanTahunan, laporan_tahunan

__all__ = [
    "RESMI",
    "Bagian",
    "Dokumen",
    "Grafik",
    "LaporanTahunan",
    "Perbandingan",
    "Rekap",
    "RekapRow",
    "Tabel",
    "bandingkan",
    "laporan_tahunan",
    "rekap",
    "render_report",
    "tren",
    "write_report",
]


def render_report(obj: Any, fmt: str, **options: Any) -> bytes:
    """Render a report object through the registered ``report`` renderer for ``fmt``.

    >>> from kukm.reports.dokumen import Dokumen
    >>> render_report(Dokumen("T"), "json")[:1]
    b'{'
    """
    from kukm.plugins import get_plugins

    return get_plugins().renderer("report", fmt).render(obj, **options)


def write_report(obj: Any, path: str | Path, fmt: str | None = None, **options: Any) -> Path:
    """Render ``obj`` into ``path`` (format from ``fmt`` or the extension); returns the path."""
    p = Path(path)
    data = render_report(obj, fmt or p.suffix.lstrip(".").lower(), **options)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p
