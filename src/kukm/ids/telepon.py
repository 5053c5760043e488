"""Indonesian telephone numbers (mobile and fixed line), normalised to E.164.

Indonesia's country code is ``+62`` (ITU-T E.164). Nationally a number is
dialled with a trunk prefix ``0``: mobile ``08xx-xxxx-xxxx`` (national
significant number, NSN, starting with ``8``, 9–12 digits), fixed lines
``0AA(A)-xxxxxxx`` (area code starting 2–7 or 9; NSN 8–11 digits).
The E.164 form is ``+62`` + NSN. Source: ITU-T E.164 national numbering
plan for Indonesia (Kominfo); kukm checks the shape only, not whether a
number is assigned.

Accepted input: ``0812-3456-7890``, ``+62 812 3456 7890``, ``62812...``,
``(021) 3456789``, ``+62 (0) 21 ...``, ``812...`` (NSN as typed after a
``+62`` field), with spaces, dots, dashes, parentheses, an Excel apostrophe.

>>> validate("0812-3456-7890")
'+6281234567890'
>>> validate("(021) 345 6789")
'+62213456789'
>>> format("+6281234567890")
'+62 812-3456-7890'
>>> validate("+1 202 555 0100")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [TELEPON_NEGARA] ...
>>> validate("0812")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [TELEPON_LENGTH] ...
"""

from __future__ import annotations

from typing import Final

from kukm.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids._util import clean, format_error, is_ascii_digits, problems_for

__all__ = [
    "CODES",
    "NAME",
    "compact",
    "format",
    "is_mobile",
    "is_valid",
    "mask",
    "problems",
    "validate",
]

NAME: Final = "Nomor telepon"

TELEPON_FORMAT: Final = register_code(
    "TELEPON_FORMAT",
    "Nomor telepon hanya boleh berisi angka (dan +62 di depan).",
    "The phone number must contain digits only (and a leading +62).",
    module=__name__,
)
TELEPON_LENGTH: Final = register_code(
    "TELEPON_LENGTH",
    "Panjang nomor telepon tidak sesuai.",
    "The phone number has an invalid length.",
    module=__name__,
)
TELEPON_NEGARA: Final = register_code(
    "TELEPON_NEGARA",
    "Nomor telepon bukan nomor Indonesia (+62).",
    "The phone number is not an Indonesian (+62) number.",
    module=__name__,
)
TELEPON_PREFIX: Final = register_code(
    "TELEPON_PREFIX",
    "Awalan nomor telepon tidak valid.",
    "The phone number starts with an invalid prefix.",
    module=__name__,
)
CODES: Final = {
    "format": TELEPON_FORMAT,
    "length": TELEPON_LENGTH,
    "negara": TELEPON_NEGARA,
    "prefix": TELEPON_PREFIX,
}
"""Problem codes this module raises, by failure kind."""

_TWO_DIGIT_AREAS: Final = frozenset({"21", "22", "24", "31", "61"})
"""Area codes of two digits (Jakarta, Bandung, Semarang, Surabaya, Medan); others have three."""


def _digits(number: object) -> str:
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=TELEPON_FORMAT, value=number)
    return text.replace("(", "").replace(")", "")


def _nsn(number: object) -> str:
    """The national significant number, or raise."""
    text = _digits(number)
    plus = text.startswith("+")
    if plus:
        text = text[1:]
    if not is_ascii_digits(text):
        raise format_error(TELEPON_FORMAT, number)
    if plus or (text.startswith("62") and len(text) >= 10):
        if not text.startswith("62"):
            raise InvalidComponent(code=TELEPON_NEGARA, value=number)
        text = text[2:]
    if text.startswith("0"):
        text = text[1:]
    if not text or text[0] in "01":
        raise InvalidComponent(code=TELEPON_PREFIX, value=number)
    low, high = (9, 12) if text[0] == "8" else (8, 11)
    if not low <= len(text) <= high:
        raise InvalidLength(code=TELEPON_LENGTH, value=number)
    return text


def compact(number: object) -> str:
    """E.164 (``+62…``) when the number parses, else the cleaned text.

    >>> compact("0812 3456 7890")
    '+6281234567890'
    >>> compact("12ab")
    '12ab'
    """
    text = _digits(number)  # raises only for non-strings
    try:
        return "+62" + _nsn(text)
    except ValidationError:
        return text


def validate(number: object) -> str:
    """Return the E.164 form or raise.

    >>> validate("+62 (0) 21 3456 789")
    '+62213456789'
    """
    if (
        type(number) is str
        and 12 <= len(number) <= 15
        and number.startswith("+628")
        and number[1:].isdigit()
        and number.isascii()
    ):
        return number
    return "+62" + _nsn(number)


def is_valid(number: object) -> bool:
    """``True`` for a well-formed Indonesian number; never raises.

    >>> is_valid("081234567890"), is_valid("€"), is_valid(None)
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def is_mobile(number: object) -> bool:
    """``True`` for a valid mobile number (NSN starting with 8).

    >>> is_mobile("0812-3456-7890"), is_mobile("021-3456789")
    (True, False)
    """
    return is_valid(number) and validate(number)[3] == "8"


def format(number: object) -> str:
    """A readable international form: ``+62 812-3456-7890``, ``+62 21 3456789``.

    >>> format("02123456789")
    '+62 21 23456789'
    >>> format("0274 123456")
    '+62 274 123456'
    """
    nsn = validate(number)[3:]
    if nsn[0] == "8":
        return f"+62 {nsn[:3]}-{nsn[3:7]}-{nsn[7:]}"
    area = 2 if nsn[:2] in _TWO_DIGIT_AREAS else 3
    return f"+62 {nsn[:area]} {nsn[area:]}"


def mask(number: object) -> str:
    """Masked for anything public (personal data): keep the prefix and last 3 digits.

    >>> mask("0812-3456-7890")
    '+62812*****890'
    """
    e164 = validate(number)
    return e164[:6] + "*" * (len(e164) - 9) + e164[-3:]


def problems(
    value: object, field: str | None = "telepon", *, row: int | None = None
) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("+44 20 7946 0958")]
    ['TELEPON_NEGARA']
    """
    return problems_for(validate, value, field, row=row)
