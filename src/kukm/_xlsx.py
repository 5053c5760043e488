"""Text an XLSX cell can hold.

An XLSX sheet is XML, which cannot hold the C0 control characters other than
tab, line feed and carriage return (openpyxl refuses them with
``IllegalCharacterError``, which would stop an import at its first rejected row
holding one), lone surrogates (a JSON ``"\\ud800"`` decodes to one) or U+FFFE
and U+FFFF (openpyxl writes those, and the file no longer opens). kukm writes
each as U+FFFD (``�``), visible in the cell; a CSV errors file or report keeps
them as they are.

>>> xlsx_safe("Toko\\x0bMaju"), xlsx_safe("Toko Maju"), xlsx_safe(12)
('Toko\\ufffdMaju', 'Toko Maju', 12)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

__all__ = ["REPLACEMENT", "xlsx_row", "xlsx_safe"]

#: What an illegal character becomes in an XLSX cell.
REPLACEMENT: Final = "\ufffd"
# what XML 1.0 cannot hold (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE is the first range)
_ILLEGAL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_safe(value: Any) -> Any:
    """``value`` with every character XLSX cannot hold made U+FFFD (text only)."""
    if value.__class__ is str and _ILLEGAL.search(value):
        return _ILLEGAL.sub(REPLACEMENT, value)
    return value


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """:func:`xlsx_safe` of each value, to append to the openpyxl ``sheet``.

    openpyxl takes text starting with ``=`` for a formula and ``#N/A``-style text for an
    error value; such text (a name, or a cell an officer typed as ``="0812…"``) is written
    as the text it is, so an errors file imported again reads what it shows.

    >>> from openpyxl import Workbook
    >>> ws = Workbook(write_only=True).create_sheet("s")
    >>> [getattr(v, "data_type", v) for v in xlsx_row(ws, ["=1+2", "#N/A", "Toko", 5])]
    ['s', 's', 'Toko', 5]
    """
    from openpyxl.cell.cell import ERROR_CODES  # the text openpyxl takes for an error value

    out = [xlsx_safe(v) for v in values]
    for i, v in enumerate(out):
        if v.__class__ is str and ((len(v) > 1 and v[0] == "=") or v in ERROR_CODES):
            out[i] = _text_cell(sheet, v)
    return out


def _text_cell(sheet: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell
