"""Nomor badan hukum koperasi (legal-entity number of a cooperative).

Two families occur in ODS data (REGULATIONS.md §1.3 [D], 4,125 DKI records):

* since ~2019, numbers of the Kemenkumham AHU system:
  ``AHU-NNNNNNN.AH.01.26.TAHUN YYYY`` (7-digit serial; ``.26.`` for
  pendirian, other two-digit codes for changes such as perubahan anggaran
  dasar);
* older numbers issued by the ministry or regional offices, free text with
  ``/BH/`` (``478/BH/XII.6/-1.829/II/2013``, ``001331/BH/M.KUKM.2/V/2016``,
  ``3101/BH/I``, ``1567/B.H/I``) or ``/PAD/`` for amendments.

AHU numbers are checked strictly and written canonically. Legacy numbers are
free text: kukm only checks the shape (starts with a number, has a ``/``
part) and keeps the text as written (whitespace tidied). A failing legacy
number is reported as a warning (``BADAN_HUKUM_FORMAT``), never rewritten.

>>> validate("AHU-0000804.AH.01.26.TAHUN 2019")
'AHU-0000804.AH.01.26.TAHUN 2019'
>>> validate("ahu 804 ah 01 26 tahun 2019")
'AHU-0000804.AH.01.26.TAHUN 2019'
>>> validate(" 478/BH/XII.6/-1.829/II/2013 ")
'478/BH/XII.6/-1.829/II/2013'
>>> is_ahu("3101/BH/I"), year("478/BH/XII.6/-1.829/II/2013"), year("3101/BH/I") is None
(False, 2013, True)
>>> validate("AHU-12.AH.01")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidFormat: [BADAN_HUKUM_AHU] ...
>>> validate("Koperasi")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidFormat: [BADAN_HUKUM_FORMAT] ...
"""

from __future__ import annotations

import re
from typing import Final

from kukm.exceptions import InvalidFormat, Issue, Severity, ValidationError, register_code
from kukm.ids._util import problems_for

__all__ = [
    "CODES",
    "NAME",
    "compact",
    "format",
    "is_ahu",
    "is_valid",
    "problems",
    "validate",
    "year",
]

NAME: Final = "Nomor badan hukum"
MAX_LENGTH: Final = 120

BADAN_HUKUM_FORMAT: Final = register_code(
    "BADAN_HUKUM_FORMAT",
    "Nomor badan hukum tidak berbentuk nomor (contoh: 123/BH/I atau AHU-...).",
    "The legal-entity number does not look like one (e.g. 123/BH/I or AHU-...).",
    Severity.WARNING,
    module=__name__,
)
BADAN_HUKUM_AHU: Final = register_code(
    "BADAN_HUKUM_AHU",
    "Nomor AHU tidak sesuai format AHU-NNNNNNN.AH.01.NN.TAHUN YYYY.",
    "The AHU number does not match AHU-NNNNNNN.AH.01.NN.TAHUN YYYY.",
    module=__name__,
)
CODES: Final = {"format": BADAN_HUKUM_FORMAT, "ahu": BADAN_HUKUM_AHU}
"""Problem codes this module raises, by failure kind."""

_AHU: Final = re.compile(
    r"AHU[\s\-.]*(\d{1,7})[\s.]*AH[\s.]*(\d{2})[\s.]*(\d{2})[\s.]*"
    r"(?:TAHUN|THN|TH)[\s.]*((?:19|20)\d{2})",
    re.ASCII | re.IGNORECASE,
)
_LEGACY: Final = re.compile(r"\d+[A-Za-z]?\s*[./]?\s*[^/]*/\S", re.ASCII)
_YEAR: Final = re.compile(r"/\s*((?:19|20)\d{2})(?!\d)")
_SPACES: Final = re.compile(r"\s+")


def compact(number: object) -> str:
    """Tidy whitespace and an Excel apostrophe; AHU numbers in canonical form.

    >>> compact("  001331/BH/M.KUKM.2/V/2016")
    '001331/BH/M.KUKM.2/V/2016'
    """
    if not isinstance(number, str):
        raise InvalidFormat(code=BADAN_HUKUM_FORMAT, value=number)
    text = _SPACES.sub(" ", number).strip()
    if text[:1] == "'":
        text = text[1:].strip()
    match = _AHU.fullmatch(text)
    if match:
        serial, a, b, yyyy = match.groups()
        return f"AHU-{int(serial):07d}.AH.{a}.{b}.TAHUN {yyyy}"
    return text


def validate(number: object) -> str:
    """Return the tidied number or raise InvalidFormat.

    >>> validate("1567/B.H/I")
    '1567/B.H/I'
    """
    text = compact(number)
    if text.startswith("AHU-") and _AHU.fullmatch(text):
        return text
    if text[:3].upper() == "AHU":
        raise InvalidFormat(code=BADAN_HUKUM_AHU, value=number)
    if len(text) > MAX_LENGTH or not text.isprintable() or not _LEGACY.match(text):
        raise InvalidFormat(code=BADAN_HUKUM_FORMAT, value=number)
    return text


def is_valid(number: object) -> bool:
    """``True`` if *number* passes :func:`validate`; never raises.

    >>> is_valid("3101/BH/I"), is_valid(""), is_valid(None)
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def is_ahu(number: object) -> bool:
    """``True`` for a valid AHU-format number.

    >>> is_ahu("AHU-0013149.AH.01.26.TAHUN 2021")
    True
    """
    return is_valid(number) and validate(number).startswith("AHU-")


def year(number: object) -> int | None:
    """The year in the number (AHU ``TAHUN YYYY`` or a legacy ``/YYYY`` part), if any.

    >>> year("AHU-0013149.AH.01.26.TAHUN 2021")
    2021
    """
    try:
        text = validate(number)
    except ValidationError:
        return None
    match = _AHU.fullmatch(text)
    if match:
        return int(match.group(4))
    found = _YEAR.findall(text)
    return int(found[-1]) if found else None


def format(number: object) -> str:
    """The canonical text (same as :func:`compact`).

    >>> format("AHU-0000804.AH.01.26.Tahun 2019")
    'AHU-0000804.AH.01.26.TAHUN 2019'
    """
    return compact(number)


def problems(
    value: object, field: str | None = "nomor_badan_hukum", *, row: int | None = None
) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [(i.code, i.severity.value) for i in problems("Koperasi")]
    [('BADAN_HUKUM_FORMAT', 'warning')]
    """
    return problems_for(validate, value, field, row=row)
