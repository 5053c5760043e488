"""NPWP (Nomor Pokok Wajib Pajak, Indonesian taxpayer number).

Issued by the Direktorat Jenderal Pajak. Two forms (REGULATIONS.md §9 [S];
PMK 112/PMK.03/2022):

* legacy **15 digits** ``TT.NNN.NNN.C-KKK.CCC``: taxpayer type (2), serial (6),
  a Luhn check digit over the first 8, tax office (3), branch (3);
* **16 digits** since 2024: either the holder's NIK kependudukan (citizens), or
  ``0`` followed by the legacy number (Luhn over the first 10 digits).

kukm's rules are python-stdnum's ``stdnum.id.npwp`` exactly (checked by a
hypothesis property with python-stdnum as the oracle), in a faster
implementation; a leading Excel apostrophe is also accepted.

>>> validate("01.312.166.0-091.000")
'013121660091000'
>>> validate("0013121660091000")
'0013121660091000'
>>> validate("3171011708450001")  # a NIK used as NPWP
'3171011708450001'
>>> validate("01.312.166.1-091.000")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidChecksum: [NPWP_CHECKSUM] ...
>>> validate("123456789")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [NPWP_LENGTH] ...
>>> format("013000666091000")
'01.300.066.6-091.000'
"""

from __future__ import annotations

from typing import Final

from kukm.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids import nik_penduduk
from kukm.ids._util import clean, format_error, is_ascii_digits, problems_for

__all__ = ["CODES", "NAME", "compact", "format", "is_valid", "problems", "to_16", "validate"]

NAME: Final = "NPWP"

NPWP_FORMAT: Final = register_code(
    "NPWP_FORMAT",
    "NPWP hanya boleh berisi angka.",
    "The NPWP must contain digits only.",
    module=__name__,
)
NPWP_LENGTH: Final = register_code(
    "NPWP_LENGTH",
    "NPWP harus 15 atau 16 digit.",
    "The NPWP must have 15 or 16 digits.",
    module=__name__,
)
NPWP_CHECKSUM: Final = register_code(
    "NPWP_CHECKSUM",
    "Digit pemeriksa NPWP tidak cocok.",
    "The NPWP check digit does not match.",
    module=__name__,
)
NPWP_NIK: Final = register_code(
    "NPWP_NIK",
    "NPWP 16 digit berupa NIK kependudukan yang tidak valid.",
    "The 16-digit NPWP is a NIK (resident number) that is not valid.",
    module=__name__,
)
NPWP_ISIAN: Final = register_code(
    "NPWP_ISIAN",
    "Ini angka isian, bukan NPWP (mis. 00.000.000.0-000.000); kosongkan bila tidak ber-NPWP.",
    "A filler, not an NPWP (e.g. 00.000.000.0-000.000); leave it blank when there is no NPWP.",
    module=__name__,
)
CODES: Final = {
    "format": NPWP_FORMAT,
    "length": NPWP_LENGTH,
    "checksum": NPWP_CHECKSUM,
    "nik": NPWP_NIK,
    "filler": NPWP_ISIAN,
}
"""Problem codes this module raises, by failure kind."""

_DOUBLED: Final = str.maketrans("0123456789", "0246813579")
"""Each digit replaced by the digit sum of its double (Luhn)."""


def _luhn_sum(digits: str) -> int:
    mixed = digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)
    return sum(mixed.encode()) - 48 * len(digits)


def _chunks() -> tuple[dict[str, int], dict[str, int]]:
    """Luhn sums of every 1–3 digit chunk: rightmost digit plain, or rightmost doubled."""
    plain: dict[str, int] = {}
    doubled: dict[str, int] = {}
    for size in (1, 2, 3):
        for i in range(10**size):
            chunk = f"{i:0{size}d}"
            plain[chunk] = _luhn_sum(chunk)
            doubled[chunk] = _luhn_sum(chunk + "0")
    return plain, doubled


_PLAIN, _DOUBLE = _chunks()


def _luhn_ok(digits: str) -> bool:
    """Luhn check over ASCII *digits* (python-stdnum's ``luhn.checksum(...) == 0``).

    Sums precomputed 3-digit chunks (parity alternates from the right).

    >>> _luhn_ok("013121660"), _luhn_ok("013121661"), _luhn_ok("0013121660")
    (True, False, True)
    """
    if len(digits) == 9:
        total = _PLAIN[digits[0:3]] + _DOUBLE[digits[3:6]] + _PLAIN[digits[6:9]]
    elif len(digits) == 10:
        total = (
            _DOUBLE[digits[0]] + _PLAIN[digits[1:4]] + _DOUBLE[digits[4:7]] + _PLAIN[digits[7:10]]
        )
    else:
        total = _luhn_sum(digits)
    return total % 10 == 0


def compact(number: object) -> str:
    """Strip spaces, dots, dashes and an Excel apostrophe (python-stdnum's cleaning).

    >>> compact("01.312.166.0-091.000")
    '013121660091000'
    """
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=NPWP_FORMAT, value=number)
    return text


def validate(number: object) -> str:
    """Return the NPWP digits (15 or 16) or raise, following python-stdnum.

    >>> validate("016090524017000")
    '016090524017000'
    """
    if type(number) is str and number.isdigit() and number.isascii():
        n = number
    else:
        n = compact(number)
        if not is_ascii_digits(n):
            raise format_error(NPWP_FORMAT, number)
    length = len(n)
    if n.count("0") == length and length in (15, 16):
        # all zeros: how tax forms (e-Faktur) write "no NPWP"; its check digit is right, and
        # taken as an NPWP it would tie every such business to every other
        raise InvalidComponent(code=NPWP_ISIAN, value=number)
    if length == 15:
        if not _luhn_ok(n[:9]):
            raise InvalidChecksum(code=NPWP_CHECKSUM, value=number)
        return n
    if length == 16:
        if n[0] != "0":
            try:
                return nik_penduduk.validate(n)
            except ValidationError:
                raise InvalidComponent(code=NPWP_NIK, value=number) from None
        if not _luhn_ok(n[:10]):
            raise InvalidChecksum(code=NPWP_CHECKSUM, value=number)
        return n
    raise InvalidLength(code=NPWP_LENGTH, value=number)


def is_valid(number: object) -> bool:
    """``True`` if *number* is a valid NPWP; never raises.

    >>> is_valid("01.312.166.0-091.000"), is_valid(object()), is_valid("")
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """Legacy numbers as ``01.312.166.0-091.000``; 16-digit numbers as 16 digits.

    >>> format("0013121660091000")
    '0013121660091000'
    """
    n = compact(number)
    if len(n) != 15:
        return n
    return f"{n[:2]}.{n[2:5]}.{n[5:8]}.{n[8]}-{n[9:12]}.{n[12:]}"


def to_16(number: object) -> str:
    """The 16-digit form (PMK 112/2022): ``0`` + a valid legacy 15-digit number.

    >>> to_16("01.312.166.0-091.000")
    '0013121660091000'
    """
    n = validate(number)
    return "0" + n if len(n) == 15 else n


def problems(value: object, field: str | None = "npwp", *, row: int | None = None) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("01.312.166.1-091.000")]
    ['NPWP_CHECKSUM']
    """
    return problems_for(validate, value, field, row=row)
