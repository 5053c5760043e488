"""Test helper: write an XLSX workbook of named sheets (openpyxl, as Excel writes text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_xlsx(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    """A workbook at ``path`` holding ``sheets`` (title, rows) in order, and nothing else."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path
