"""Shared helpers of the identifier modules: python-stdnum-compatible cleaning.

:func:`clean` does what ``stdnum.util.clean(number, ' -.').strip()`` does
(python-stdnum 2.x): it maps look-alike Unicode characters (fullwidth digits,
dashes, dots, spaces) to ASCII, deletes spaces, dashes and dots, and strips
surrounding whitespace. It is faster because it uses one ``str.translate``
table, built once from python-stdnum's own character map on first use, and a
fast path for values that are already plain ASCII digits.

One deliberate addition: a single leading apostrophe, which Excel puts before
numbers stored as text (``'3171011708450001``), is removed after cleaning.
python-stdnum rejects such values; kukm accepts them. Apart from that the
result is always python-stdnum's (``tests/test_ids_stdnum.py`` checks it).

>>> clean("  '3171-0117.0845 0001 ")
'3171011708450001'
>>> clean("３１７１")  # fullwidth digits, as python-stdnum maps them
'3171'
>>> clean(None) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from kukm.exceptions import (
    InvalidFormat,
    InvalidLength,
    Issue,
    ValidationError,
    issue,
    register_code,
)

__all__ = ["NOTASI_ILMIAH", "clean", "format_error", "is_ascii_digits", "problems_for"]

NOTASI_ILMIAH: Final = register_code(
    "NOTASI_ILMIAH",
    "Nomor tertulis dalam notasi ilmiah (mis. 3,17304E+15), sehingga digitnya sudah hilang: "
    "Excel hanya menyimpan 15 digit sebuah angka. Format kolom sebagai Teks lalu isi ulang nomornya.",
    "The number is written in scientific notation (e.g. 3.17304E+15), so its digits are lost: "
    "Excel keeps only 15 digits of a number. Format the column as Text and enter the numbers again.",
    module=__name__,
)

# Excel's way of showing a number too long for its cell ("3,17304E+15" in an Indonesian locale)
_SCIENTIFIC: Final = re.compile(r"'?[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d{1,3}")

_DELETE: Final = " -."
_table: dict[int, str | None] | None = None


#: Characters that take no room on screen (zero-width space, joiners, word joiner, BOM): an
#: officer cannot see them in a cell, so identifiers and choices are read without them.
ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"


def _build_table() -> dict[int, str | None]:
    """Translate table equal to stdnum's ``_clean_chars`` followed by deleting `` -.``."""
    import stdnum.util  # heavy import (pydoc, ssl): only on first non-trivial value

    char_map: dict[str, str] = getattr(stdnum.util, "_char_map", {})
    table: dict[int, str | None] = {}
    for char, replacement in char_map.items():
        table[ord(char)] = None if replacement in _DELETE else replacement
    for char in _DELETE:
        table[ord(char)] = None
    for char in ZERO_WIDTH:  # invisible in a cell: a number pasted from a web page or chat
        table[ord(char)] = None
    return table


def clean(number: object) -> str | None:
    """The cleaned string, or ``None`` when *number* is not a string.

    >>> clean("01.312.166.0-091.000")
    '013121660091000'
    >>> clean(b"123") is None
    True
    >>> clean("\u200b9120001234567")  # a zero-width space pasted in front
    '9120001234567'
    """
    global _table
    if type(number) is not str and not isinstance(number, str):
        return None
    if number.isascii():
        if number.isdigit():
            return number
        # on ASCII stdnum's character map only turns "`" into "'"; then delete " -."
        text = number.replace(" ", "").replace("-", "").replace(".", "").strip()
        if "`" in text:
            text = text.replace("`", "'")
    else:
        if _table is None:
            _table = _build_table()
        text = number.translate(_table).strip()
    if text[:1] == "'":
        text = text[1:].strip()
    return text


def format_error(code: str, number: object) -> InvalidFormat:
    """The error for a *number* that is not digits: :data:`NOTASI_ILMIAH` when it is in the
    scientific notation Excel shows a long number in (the digits past the fifth or so are gone,
    and no check can get them back), else *code*.

    >>> format_error("NIB_FORMAT", "9,12E+12").code, format_error("NIB_FORMAT", "91x").code
    ('NOTASI_ILMIAH', 'NIB_FORMAT')
    """
    if isinstance(number, str) and _SCIENTIFIC.fullmatch(number.strip()):
        return InvalidFormat(code=NOTASI_ILMIAH, value=number)
    return InvalidFormat(code=code, value=number)


def is_ascii_digits(text: str) -> bool:
    """``True`` for a non-empty string of ASCII digits ``0``–``9`` only.

    >>> is_ascii_digits("0123"), is_ascii_digits("١٢"), is_ascii_digits("")
    (True, False, False)
    """
    return text.isdigit() and text.isascii()


def fixed_digits(
    number: object,
    length: int,
    compact: Callable[[object], str],
    format_code: str,
    length_code: str,
) -> str:
    """*number* as its ``length`` ASCII digits (a string already so is taken as it is), after
    the module's ``compact``; else the module's format error (:func:`format_error`) or length
    error. The shared first step of the fixed-length numbers (NIB, NIK, NIK Koperasi).

    >>> fixed_digits(" 12-34 ", 4, lambda n: str(n).replace(" ", "").replace("-", ""), "F", "L")
    '1234'
    """
    if type(number) is str and len(number) == length and number.isdigit() and number.isascii():
        return number
    text = compact(number)
    if not is_ascii_digits(text):
        raise format_error(format_code, number)
    if len(text) != length:
        raise InvalidLength(code=length_code, value=number)
    return text


def problems_for(
    validate: Callable[[object], object],
    value: object,
    field: str | None,
    *,
    row: int | None = None,
) -> list[Issue]:
    """Run *validate* and turn a :class:`~kukm.exceptions.ValidationError` into an Issue.

    The exception's ``code`` is the registered problem code of the module that
    raised it, so the issue carries a stable code and bilingual messages.

    >>> from kukm.ids import nib
    >>> [i.code for i in problems_for(nib.validate, "123", "nib")]
    ['NIB_LENGTH']
    >>> problems_for(nib.validate, "9120001234567", "nib")
    []
    """
    try:
        validate(value)
    except ValidationError as exc:
        return [issue(exc.code, field, value, row=row)]
    return []
