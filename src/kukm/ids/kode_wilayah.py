"""Kode wilayah: Kemendagri region code (Kepmendagri 300.2.2-2138/2025).

Layout ``PP.KK.CC.DDDD``: province (2), kab/kota (2), kecamatan (2),
kelurahan/desa (4; ``1xxx`` kelurahan, ``2xxx`` desa). Any level is a code:
``31`` (2 characters), ``31.71`` (5), ``31.71.01`` (8), ``31.71.01.1001``
(13). Plain digits (2, 4, 6 or 10 of them) are accepted and written dotted.
Source: Kepmendagri No. 300.2.2-2138 Tahun 2025; table:
:mod:`kukm.reference.wilayah`. BPS codes are a different system (see
:mod:`kukm.reference.crosswalk`) and are never accepted here silently: a
BPS-only code is rejected because it is not in the Kemendagri table.

The code must exist in the loaded wilayah table (:func:`kukm.reference.wilayah.get_table`).

>>> validate("3171011001")
'31.71.01.1001'
>>> validate(" 31.71 ")
'31.71'
>>> validate("31.71.1")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidFormat: [KODE_WILAYAH_FORMAT] ...
>>> validate("3171011")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [KODE_WILAYAH_LENGTH] ...
>>> validate("31.76")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [KODE_WILAYAH_UNKNOWN] ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from kukm.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids._util import ZERO_WIDTH, clean, is_ascii_digits, problems_for

if TYPE_CHECKING:
    from kukm.reference.wilayah import WilayahTable

__all__ = ["CODES", "NAME", "compact", "format", "is_valid", "problems", "tingkat", "validate"]

NAME: Final = "Kode wilayah Kemendagri"

KODE_WILAYAH_FORMAT: Final = register_code(
    "KODE_WILAYAH_FORMAT",
    "Kode wilayah harus berbentuk PP.KK.CC.DDDD (angka).",
    "The region code must look like PP.KK.CC.DDDD (digits).",
    module=__name__,
)
KODE_WILAYAH_LENGTH: Final = register_code(
    "KODE_WILAYAH_LENGTH",
    "Kode wilayah harus 2, 4, 6 atau 10 digit.",
    "The region code must have 2, 4, 6 or 10 digits.",
    module=__name__,
)
KODE_WILAYAH_UNKNOWN: Final = register_code(
    "KODE_WILAYAH_UNKNOWN",
    "Kode wilayah tidak ada dalam tabel wilayah Kemendagri.",
    "The region code is not in the Kemendagri region table.",
    module=__name__,
)
CODES: Final = {
    "format": KODE_WILAYAH_FORMAT,
    "length": KODE_WILAYAH_LENGTH,
    "unknown": KODE_WILAYAH_UNKNOWN,
}
"""Problem codes this module raises, by failure kind."""

_SEGMENTS: Final = (2, 2, 2, 4)
_LEVELS: Final = {2: 1, 4: 2, 6: 3, 10: 4}


def _dot(digits: str) -> str:
    if len(digits) == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def compact(number: object) -> str:
    """The dotted form when the digits have a valid length, else the cleaned digits.

    >>> compact("31 71 01 1001"), compact("31.71.01")
    ('31.71.01.1001', '31.71.01')
    """
    text = clean(number)  # removes spaces, dots, dashes
    if text is None:
        raise InvalidFormat(code=KODE_WILAYAH_FORMAT, value=number)
    if is_ascii_digits(text) and len(text) in _LEVELS:
        return _dot(text)
    return text


_NO_ZERO_WIDTH: Final = dict.fromkeys(map(ord, ZERO_WIDTH))


def _check_segments(number: str) -> None:
    if not number.isascii():
        number = number.translate(_NO_ZERO_WIDTH)
    raw = number.strip().lstrip("'").strip()
    if "." not in raw:
        return
    parts = raw.split(".")
    if len(parts) > 4 or any(len(p.strip()) != n for p, n in zip(parts, _SEGMENTS, strict=False)):
        raise InvalidFormat(code=KODE_WILAYAH_FORMAT, value=number)


def _default_table() -> WilayahTable:
    from kukm.reference.wilayah import get_table

    return get_table()


def validate(number: object, *, table: WilayahTable | None = None) -> str:
    """Return the dotted code or raise; it must exist in *table* (default: the loaded one).

    >>> validate("31.74.02")
    '31.74.02'
    """
    if table is None:
        table = _default_table()
    if type(number) is str and table.has_code(number):
        return number  # fast path: already a canonical code of the table
    text = clean(number)
    if text is None or not is_ascii_digits(text):
        raise InvalidFormat(code=KODE_WILAYAH_FORMAT, value=number)
    assert isinstance(number, str)
    _check_segments(number)
    if len(text) not in _LEVELS:
        raise InvalidLength(code=KODE_WILAYAH_LENGTH, value=number)
    kode = _dot(text)
    if not table.has_code(kode):
        raise InvalidComponent(code=KODE_WILAYAH_UNKNOWN, value=number)
    return kode


def is_valid(number: object, *, table: WilayahTable | None = None) -> bool:
    """``True`` if *number* is a known Kemendagri code; never raises.

    >>> is_valid("31.71.01.1001"), is_valid("3176"), is_valid(None)
    (True, False, False)
    >>> validate("3173")  # always read as Kemendagri: 31.73 is Jakarta Barat
    '31.73'

    """
    try:
        return bool(validate(number, table=table))
    except ValidationError:
        return False


def tingkat(number: object) -> int:
    """Level of a valid code: 1 provinsi, 2 kab/kota, 3 kecamatan, 4 kelurahan/desa.

    >>> tingkat("31.71.01.1001")
    4
    """
    return validate(number).count(".") + 1


def format(number: object) -> str:
    """The dotted Kemendagri form.

    >>> format("3171011001")
    '31.71.01.1001'
    """
    return compact(number)


def problems(
    value: object, field: str | None = "kode_wilayah", *, row: int | None = None
) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("99.99")]
    ['KODE_WILAYAH_UNKNOWN']
    """
    return problems_for(validate, value, field, row=row)
