"""Nomor Induk Koperasi (NIK Koperasi), the cooperative's number in the ministry's ODS.

Issued by Kemenkop UKM through its Online Data System (Permenkop UKM
10/Per/M.KUKM/VI/2016, Pasal 1 angka 9 and Pasal 16; the regulation does not
publish a layout). The layout below is **derived from real data**
(REGULATIONS.md §1.2 [D]: all 4,125 DKI Jakarta numbers of a public ODS scrape):
**13 digits**, ``PP KK CC DDD SSSS``:

* ``PP`` province and ``KK`` kab/kota, in **BPS** order (3173 = Jakarta Pusat,
  while Kemendagri 31.71 = Jakarta Pusat; see :mod:`kukm.reference.crosswalk`);
* ``CC`` kecamatan: the BPS 3-digit kecamatan code without its trailing 0;
* ``DDD`` kelurahan index from ODS's own (unpublished) table
  (see :mod:`kukm.reference.prefiks`);
* ``SSSS`` running number within the 9-digit prefix.

There is **no check digit**, and the prefix reflects the place of
registration: a cooperative that moved keeps its number, so validation never
compares the prefix with the current address.

>>> validate("3101010020004")
'3101010020004'
>>> p = split("3101010020004")
>>> p.provinsi, p.kabkota, p.kecamatan, p.kelurahan_index, p.urut
('31', '01', '01', '002', '0004')
>>> prefix("3101 0100 2000 4")
'310101002'
>>> validate("310101002000")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [NOMOR_INDUK_KOPERASI_LENGTH] ...
>>> validate("3101010020004A")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidFormat: [NOMOR_INDUK_KOPERASI_FORMAT] ...
>>> is_valid("3101-01-002-0004"), is_valid(None)
(True, False)
"""

from __future__ import annotations

from typing import Final, final

from attrs import frozen

from kukm.exceptions import InvalidFormat, Issue, ValidationError, register_code
from kukm.ids._util import clean, fixed_digits, problems_for

__all__ = [
    "CODES",
    "NAME",
    "BagianNomorInduk",
    "compact",
    "format",
    "is_valid",
    "prefix",
    "problems",
    "split",
    "validate",
]

NAME: Final = "Nomor Induk Koperasi"
LENGTH: Final = 13

NOMOR_INDUK_KOPERASI_FORMAT: Final = register_code(
    "NOMOR_INDUK_KOPERASI_FORMAT",
    "Nomor Induk Koperasi hanya boleh berisi angka.",
    "The Nomor Induk Koperasi must contain digits only.",
    module=__name__,
)
NOMOR_INDUK_KOPERASI_LENGTH: Final = register_code(
    "NOMOR_INDUK_KOPERASI_LENGTH",
    "Nomor Induk Koperasi harus 13 digit.",
    "The Nomor Induk Koperasi must have 13 digits.",
    module=__name__,
)
CODES: Final = {"format": NOMOR_INDUK_KOPERASI_FORMAT, "length": NOMOR_INDUK_KOPERASI_LENGTH}
"""Problem codes this module raises, by failure kind."""


@final
@frozen
class BagianNomorInduk:
    """The parts of a Nomor Induk Koperasi (all strings, leading zeros kept)."""

    provinsi: str
    """BPS province code, 2 digits (``31``)."""
    kabkota: str
    """BPS kab/kota code within the province, 2 digits (``73`` = Jakarta Pusat)."""
    kecamatan: str
    """BPS kecamatan code without its trailing 0, 2 digits."""
    kelurahan_index: str
    """ODS kelurahan index, 3 digits (not a BPS or Kemendagri code)."""
    urut: str
    """Running number within the 9-digit prefix, 4 digits."""

    @property
    def prefix(self) -> str:
        """The 9-digit region prefix ``PPKKCCDDD``."""
        return self.provinsi + self.kabkota + self.kecamatan + self.kelurahan_index

    @property
    def kode_bps_kabkota(self) -> str:
        """The 4-digit BPS kab/kota code (``3173``)."""
        return self.provinsi + self.kabkota

    @property
    def kode_bps_kecamatan(self) -> str:
        """The 7-digit BPS kecamatan code (``3173080``)."""
        return self.provinsi + self.kabkota + self.kecamatan + "0"


def compact(number: object) -> str:
    """Strip spaces, dots, dashes and an Excel apostrophe.

    >>> compact("'3101 0100 2000 4")
    '3101010020004'
    """
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=NOMOR_INDUK_KOPERASI_FORMAT, value=number)
    return text


def validate(number: object) -> str:
    """Return the 13 digits or raise InvalidFormat / InvalidLength.

    >>> validate("3175010020045")
    '3175010020045'
    """
    return fixed_digits(number, LENGTH, compact, NOMOR_INDUK_KOPERASI_FORMAT, NOMOR_INDUK_KOPERASI_LENGTH)


def is_valid(number: object) -> bool:
    """``True`` if *number* is a valid Nomor Induk Koperasi; never raises.

    >>> is_valid("3101010020004"), is_valid("€"), is_valid("9" * 10_000)
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def split(number: object) -> BagianNomorInduk:
    """Validate and split into province, kab/kota, kecamatan, kelurahan index, sequence.

    >>> split("3173080020012").kode_bps_kecamatan
    '3173080'
    """
    n = validate(number)
    return BagianNomorInduk(n[0:2], n[2:4], n[4:6], n[6:9], n[9:13])


def prefix(number: object) -> str:
    """The 9-digit region prefix (first 9 digits) of a valid number.

    >>> prefix("3173080020012")
    '317308002'
    """
    return validate(number)[:9]


def format(number: object, separator: str = "") -> str:
    """The number as ODS prints it (13 digits), or grouped ``PPKK CC DDD SSSS``.

    >>> format("3101-0100-2000-4")
    '3101010020004'
    >>> format("3101010020004", separator=" ")
    '3101 01 002 0004'
    """
    n = compact(number)
    if not separator:
        return n
    return separator.join((n[0:4], n[4:6], n[6:9], n[9:]))


def problems(
    value: object, field: str | None = "nomor_induk_koperasi", *, row: int | None = None
) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("31010100", row=2)]
    ['NOMOR_INDUK_KOPERASI_LENGTH']
    """
    return problems_for(validate, value, field, row=row)
