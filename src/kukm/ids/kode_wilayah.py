"""Kode wilayah: Kemendagri region code (Kepmendagri 300.2.2-2138/2025).

Layout ``PP.KK.CC.DDDD``: province (2), kab/kota (2), kecamatan (2),
kelurahan/desa (4; ``1xxx`` kelurahan, ``2xxx`` desa). Any level is a code:
``31`` (2 characters), ``31.71`` (5), ``31.71.01`` (8), ``31.71.01.1001``
(13). Plain digits (2, 4, 6 or 10 of them) are accepted and written dotted.
Source: Kepmendagri No. 300.2.2-2138 Tahun 2025; table:
:mod:`kukm.reference.wilayah`. BPS codes are a different system (see
:mod:`kukm.reference.crosswalk`, REGULATIONS.md §8) and are never accepted here silently: a
BPS-only code is rejected because it is not in the Kemendagri table, with
``KODE_WILAYAH_BPS`` when the crosswalk knows it as a BPS code (``3173080``, the
BPS kelurahan ``3173080001``); and a kab/kota code in plain digits that is also
the BPS code of *another* kab/kota (``3171``-``3175``: 3173 is Jakarta Barat for
Kemendagri, Jakarta Pusat for BPS) is ``KODE_WILAYAH_AMBIGU``: written with its
dot (``31.73``) it is a Kemendagri code. ``3101`` (Kepulauan Seribu in both) and
plain 6- and 10-digit Kemendagri codes (BPS has no codes of those lengths that
are also Kemendagri codes of DKI) are read as before.

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
>>> validate("3173")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [KODE_WILAYAH_AMBIGU] ...
>>> validate("3173080001")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [KODE_WILAYAH_BPS] ...
>>> validate("3101"), validate("3171011001")
('31.01', '31.71.01.1001')
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
KODE_WILAYAH_AMBIGU: Final = register_code(
    "KODE_WILAYAH_AMBIGU",
    "Kode kab/kota tanpa titik ini juga kode BPS untuk wilayah lain (mis. 3173: Jakarta Barat "
    "menurut Kemendagri, Jakarta Pusat menurut BPS); tulis kode Kemendagri dengan titik (31.73).",
    "This kab/kota code without dots is also the BPS code of another region (e.g. 3173: Jakarta "
    "Barat for Kemendagri, Jakarta Pusat for BPS); write the Kemendagri code with its dot (31.73).",
    module=__name__,
)
KODE_WILAYAH_BPS: Final = register_code(
    "KODE_WILAYAH_BPS",
    "Ini kode wilayah BPS, bukan kode Kemendagri; alamat memakai kode Kemendagri "
    "(PP.KK.CC.DDDD, lihat tabel padanan BPS–Kemendagri).",
    "This is a BPS region code, not a Kemendagri one; addresses use Kemendagri codes "
    "(PP.KK.CC.DDDD, see the BPS–Kemendagri crosswalk).",
    module=__name__,
)
CODES: Final = {
    "format": KODE_WILAYAH_FORMAT,
    "length": KODE_WILAYAH_LENGTH,
    "unknown": KODE_WILAYAH_UNKNOWN,
    "ambiguous": KODE_WILAYAH_AMBIGU,
    "bps": KODE_WILAYAH_BPS,
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
        if _bps_name(text) is not None:
            raise InvalidComponent(code=KODE_WILAYAH_BPS, value=number)
        raise InvalidLength(code=KODE_WILAYAH_LENGTH, value=number)
    kode = _dot(text)
    if not table.has_code(kode):
        if _bps_name(text) is not None:
            raise InvalidComponent(code=KODE_WILAYAH_BPS, value=number)
        raise InvalidComponent(code=KODE_WILAYAH_UNKNOWN, value=number)
    if len(text) == 4 and "." not in number:
        other = _bps_name(text)
        if other is not None and other != kode:
            raise InvalidComponent(code=KODE_WILAYAH_AMBIGU, value=number)
    return kode


def _bps_name(digits: str) -> str | None:
    """The Kemendagri code of the region whose BPS code ``digits`` is (its kab/kota or
    kecamatan part for a 10-digit BPS kelurahan code), from the crosswalk
    (:mod:`kukm.reference.crosswalk`, REGULATIONS.md §8), else ``None``."""
    from kukm.reference.crosswalk import from_bps

    if len(digits) == 10:
        digits = digits[:7]  # BPS kelurahan: kecamatan (7) + 3 digits; not in the crosswalk
    if len(digits) not in (4, 7):
        return None
    try:
        return from_bps(digits)
    except (ValueError, LookupError):
        return None


def is_valid(number: object, *, table: WilayahTable | None = None) -> bool:
    """``True`` if *number* is a known Kemendagri code; never raises.

    >>> is_valid("31.71.01.1001"), is_valid("3176"), is_valid(None)
    (True, False, False)
    >>> validate("31.73")  # dotted, a Kemendagri code: Jakarta Barat
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
