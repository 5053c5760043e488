"""Metadata every reference table carries: which regulation, which date, where from."""

from __future__ import annotations

from typing import final

from attrs import frozen

__all__ = ["TableMetadata"]


@final
@frozen
class TableMetadata:
    """Where a reference table comes from (Kepgub I.2: data referensi).

    ``date`` is the date the table reflects, ISO 8601 and as precise as known
    (``"2025"`` when only the year is known). ``confidence`` uses the marks of
    REGULATIONS.md: P primary, S secondary, D derived, N not found.

    >>> TableMetadata("kbli", "Peraturan BPS 2/2020", "2020", "file.csv").regulation
    'Peraturan BPS 2/2020'
    """

    name: str
    regulation: str
    date: str
    source: str
    licence: str = ""
    confidence: str = ""
    note: str = ""
