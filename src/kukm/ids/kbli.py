"""KBLI 2020 code (Klasifikasi Baku Lapangan Usaha Indonesia, kelompok level).

Peraturan BPS No. 2 Tahun 2020 (REGULATIONS.md §9). A business's KBLI is the
5-digit *kelompok* ``GGxxx``; its first two digits are the golongan pokok,
which determines the kategori letter (:mod:`kukm.reference.kbli`).

Checks: 5 ASCII digits; a golongan pokok that exists in KBLI 2020's
structure; and, when an official KBLI table is loaded
(:func:`kukm.reference.kbli.set_table`), presence in that table.

A code written with its title after it, as KBLI lists and OSS print it
(``47111 - Perdagangan Eceran ...``, ``47111: Perdagangan ...``), or with
``KBLI`` before it, is that code: the title starts with a letter, so it cannot
be more digits of the code. The title itself is not checked.

>>> validate("47111")
'47111'
>>> validate("4711")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [KBLI_LENGTH] ...
>>> validate("04111")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [KBLI_GOLONGAN_POKOK] ...
>>> format("47.111")
'47111'
"""

from __future__ import annotations

import re
from typing import Final

from kukm.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids._util import clean, is_ascii_digits, problems_for
from kukm.reference import kbli as _table

__all__ = ["CODES", "NAME", "compact", "format", "get_kategori", "is_valid", "problems", "validate"]

NAME: Final = "KBLI 2020"
# a code with "KBLI" before it or its title after it (the title begins with a letter)
_WITH_TITLE: Final = re.compile(
    r"\s*(?:KBLI\s*[:.]?\s*)?(\d{2}\.?\d{3})(?:\s*[-\u2013\u2014:]\s*|\s+)[^\W\d_].*|"
    r"\s*KBLI\s*[:.]?\s*(\d{2}\.?\d{3})\s*",
    re.IGNORECASE | re.DOTALL,
)
LENGTH: Final = 5

KBLI_FORMAT: Final = register_code(
    "KBLI_FORMAT",
    "Kode KBLI hanya boleh berisi angka.",
    "The KBLI code must contain digits only.",
    module=__name__,
)
KBLI_LENGTH: Final = register_code(
    "KBLI_LENGTH",
    "Kode KBLI harus 5 digit (kelompok).",
    "The KBLI code must have 5 digits (kelompok).",
    module=__name__,
)
KBLI_GOLONGAN_POKOK: Final = register_code(
    "KBLI_GOLONGAN_POKOK",
    "Golongan pokok (2 digit pertama) KBLI 2020 tidak ada.",
    "The KBLI 2020 golongan pokok (first 2 digits) does not exist.",
    module=__name__,
)
KBLI_UNKNOWN: Final = register_code(
    "KBLI_UNKNOWN",
    "Kode KBLI tidak ada dalam tabel KBLI 2020 yang dimuat.",
    "The KBLI code is not in the loaded KBLI 2020 table.",
    module=__name__,
)
CODES: Final = {
    "format": KBLI_FORMAT,
    "length": KBLI_LENGTH,
    "golongan_pokok": KBLI_GOLONGAN_POKOK,
    "unknown": KBLI_UNKNOWN,
}
"""Problem codes this module raises, by failure kind."""


def compact(number: object) -> str:
    """Strip spaces, dots, dashes and an Excel apostrophe (and a title after the code).

    >>> compact(" 47.111 "), compact("47111 - Perdagangan Eceran"), compact("KBLI 47111")
    ('47111', '47111', '47111')
    """
    if isinstance(number, str) and not number.isdigit():
        m = _WITH_TITLE.fullmatch(number)
        if m is not None:
            number = m.group(1) or m.group(2)
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=KBLI_FORMAT, value=number)
    return text


def validate(number: object) -> str:
    """Return the 5-digit code or raise.

    >>> validate("'64191")
    '64191'
    """
    n = compact(number)
    if not is_ascii_digits(n):
        raise InvalidFormat(code=KBLI_FORMAT, value=number)
    if len(n) != LENGTH:
        raise InvalidLength(code=KBLI_LENGTH, value=number)
    if n[:2] not in _table.GOLONGAN_POKOK:
        raise InvalidComponent(code=KBLI_GOLONGAN_POKOK, value=number)
    table = _table.get_table()
    if table is not None and n not in table:
        raise InvalidComponent(code=KBLI_UNKNOWN, value=number)
    return n


def is_valid(number: object) -> bool:
    """``True`` if *number* is a valid KBLI code; never raises.

    >>> is_valid("47111"), is_valid(None), is_valid("4711")
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The 5 digits without separators.

    >>> format("47 111")
    '47111'
    """
    return compact(number)


def get_kategori(number: object) -> str:
    """The kategori letter of a valid code.

    >>> get_kategori("64191")
    'K'
    """
    return _table.GOLONGAN_POKOK[validate(number)[:2]]


def problems(value: object, field: str | None = "kbli", *, row: int | None = None) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("x")]
    ['KBLI_FORMAT']
    """
    return problems_for(validate, value, field, row=row)
