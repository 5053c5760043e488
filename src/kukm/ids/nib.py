"""NIB (Nomor Induk Berusaha, business identification number from OSS).

The NIB is issued by the OSS (Online Single Submission) system and doubles as
TDP, API and customs access number (PP 5/2021, OSS-RBA). It has **13 digits**;
no check-digit rule has been published, so only the length and the digits
are checked. Layout: ``NNNNNNNNNNNNN`` (13 digits, opaque).

Source: REGULATIONS.md §9 ("NIB ... 13 digits ... validate as ^\\d{13}$")
[S: satoeasa.com, urusizin.co.id, idxchannel.com; check digit: N].

>>> validate("9120 0012 3456 7")
'9120001234567'
>>> validate("'9120001234567")  # leading apostrophe from Excel
'9120001234567'
>>> validate("912000123456")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [NIB_LENGTH] ...
>>> validate("91200012345A7")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidFormat: [NIB_FORMAT] ...
>>> is_valid(None)
False
>>> format("9120001234567")
'9120001234567'
"""

from __future__ import annotations

from typing import Final

from kukm.exceptions import (
    InvalidComponent,
    InvalidFormat,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids._util import clean, fixed_digits, problems_for

__all__ = ["CODES", "FILLERS", "NAME", "compact", "format", "is_valid", "problems", "validate"]

NAME: Final = "NIB"
LENGTH: Final = 13

NIB_FORMAT: Final = register_code(
    "NIB_FORMAT",
    "NIB hanya boleh berisi angka.",
    "The NIB must contain digits only.",
    module=__name__,
)
NIB_LENGTH: Final = register_code(
    "NIB_LENGTH",
    "NIB harus 13 digit.",
    "The NIB must have 13 digits.",
    module=__name__,
)
NIB_ISIAN: Final = register_code(
    "NIB_ISIAN",
    "Ini angka isian, bukan NIB (mis. 0000000000000); kosongkan bila usaha belum ber-NIB.",
    "A filler, not a NIB (e.g. 0000000000000); leave it blank when the business has no NIB.",
    module=__name__,
)
CODES: Final = {"format": NIB_FORMAT, "length": NIB_LENGTH, "filler": NIB_ISIAN}
"""Problem codes this module raises, by failure kind."""

#: 13 digits offices type where a business has no NIB: one digit repeated. Taken as a NIB,
#: each made every such business one record (the NIB is the record id).
FILLERS: Final = frozenset(d * LENGTH for d in "0123456789")


def compact(number: object) -> str:
    """Strip spaces, dots, dashes and an Excel apostrophe.

    >>> compact(" 9120-0012-34567 ")
    '9120001234567'
    """
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=NIB_FORMAT, value=number)
    return text


def validate(number: object) -> str:
    """Return the 13-digit NIB or raise InvalidFormat / InvalidLength.

    >>> validate("9120001234567")
    '9120001234567'
    """
    text = fixed_digits(number, LENGTH, compact, NIB_FORMAT, NIB_LENGTH)
    if text in FILLERS:
        raise InvalidComponent(code=NIB_ISIAN, value=number)
    return text


def is_valid(number: object) -> bool:
    """``True`` if *number* is a valid NIB; never raises.

    >>> is_valid("9120001234567"), is_valid("€"), is_valid(object())
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The NIB as printed by OSS: 13 digits without separators.

    >>> format("9120-0012-34567")
    '9120001234567'
    """
    return compact(number)


def problems(value: object, field: str | None = "nib", *, row: int | None = None) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("12", "nib", row=4)]
    ['NIB_LENGTH']
    """
    return problems_for(validate, value, field, row=row)
