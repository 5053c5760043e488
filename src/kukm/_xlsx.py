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


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    """:func:`xlsx_safe` of each value."""
    return [xlsx_safe(v) for v in values]
