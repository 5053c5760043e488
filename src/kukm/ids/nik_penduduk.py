"""NIK kependudukan (Nomor Induk Kependudukan), the 16-digit resident number on the KTP.

Issued by Kemendagri (Dukcapil; UU 24/2013 Administrasi Kependudukan). Layout
``PPRRSS DDMMYY XXXX``: province, kab/kota and kecamatan of registration
(Kemendagri codes), date of birth (40 is added to the day for women), and a
4-digit serial. There is no check digit. Source: REGULATIONS.md §9 [S];
python-stdnum ``stdnum.id.nik``.

kukm's rules are python-stdnum's, exactly (a hypothesis property with
python-stdnum as the oracle checks it): digits only, 16 long, a date that
exists in 19YY or 20YY (day taken modulo 40), and a province prefix known to
python-stdnum's ``id/loc.dat``. Only the speed differs: the province set is
read from ``stdnum.numdb`` once and dates are checked against precomputed
sets. One addition: a leading Excel apostrophe is accepted.

>>> validate("3171011708450001")
'3171011708450001'
>>> validate("'3171 0117 0845 0001")
'3171011708450001'
>>> validate("31710117084500")
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidLength: [NIK_PENDUDUK_LENGTH] ...
>>> validate("3171013002001234")  # 30 February
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [NIK_PENDUDUK_DATE] ...
>>> validate("9971011708450001")  # no province 99
Traceback (most recent call last):
    ...
kukm.exceptions.InvalidComponent: [NIK_PENDUDUK_WILAYAH] ...
>>> get_birth_date("3171015708450001"), get_jenis_kelamin("3171015708450001").value
(datetime.date(1945, 8, 17), 'P')
"""

from __future__ import annotations

import datetime
from itertools import product
from typing import Final

from kukm.exceptions import (
    InvalidComponent,
    InvalidFormat,
    Issue,
    ValidationError,
    register_code,
)
from kukm.ids._util import clean, fixed_digits, problems_for
from kukm.model import JenisKelamin

__all__ = [
    "CODES",
    "NAME",
    "compact",
    "format",
    "get_birth_date",
    "get_jenis_kelamin",
    "is_valid",
    "mask",
    "problems",
    "validate",
]

NAME: Final = "NIK kependudukan"
LENGTH: Final = 16

NIK_PENDUDUK_FORMAT: Final = register_code(
    "NIK_PENDUDUK_FORMAT",
    "NIK kependudukan hanya boleh berisi angka.",
    "The NIK (resident number) must contain digits only.",
    module=__name__,
)
NIK_PENDUDUK_LENGTH: Final = register_code(
    "NIK_PENDUDUK_LENGTH",
    "NIK kependudukan harus 16 digit.",
    "The NIK (resident number) must have 16 digits.",
    module=__name__,
)
NIK_PENDUDUK_DATE: Final = register_code(
    "NIK_PENDUDUK_DATE",
    "Tanggal lahir dalam NIK kependudukan tidak valid.",
    "The date of birth in the NIK (resident number) is not valid.",
    module=__name__,
)
NIK_PENDUDUK_WILAYAH: Final = register_code(
    "NIK_PENDUDUK_WILAYAH",
    "Kode provinsi dalam NIK kependudukan tidak dikenal.",
    "The province code in the NIK (resident number) is unknown.",
    module=__name__,
)
CODES: Final = {
    "format": NIK_PENDUDUK_FORMAT,
    "length": NIK_PENDUDUK_LENGTH,
    "date": NIK_PENDUDUK_DATE,
    "wilayah": NIK_PENDUDUK_WILAYAH,
}
"""Problem codes this module raises, by failure kind."""


def _date_sets() -> tuple[frozenset[str], frozenset[str]]:
    """``DDMM`` strings valid in every year, and those valid only when YY % 4 == 0.

    stdnum tries 19YY, then 20YY, with the day taken modulo 40; 19YY or 20YY is
    a leap year exactly when YY % 4 == 0 (1900 is not, 2000 is).
    """
    always: set[str] = set()
    leap_only: set[str] = set()
    for day, month in product(range(100), range(1, 13)):
        key = f"{day:02d}{month:02d}"
        try:
            datetime.date(2001, month, day % 40)
        except ValueError:
            try:
                datetime.date(2000, month, day % 40)
            except ValueError:
                continue
            leap_only.add(key)
        else:
            always.add(key)
    return frozenset(always), frozenset(leap_only)


_DM_ALWAYS, _DM_LEAP = _date_sets()
_provinces: frozenset[str] | None = None
_prefix_len = 2


def _load_provinces() -> frozenset[str]:
    """Prefixes whose first level python-stdnum's ``id/loc.dat`` knows.

    Read once through ``stdnum.numdb`` (as ``stdnum.id.nik`` does on every
    call): all strings of the longest top-level prefix length are looked up.
    """
    global _provinces, _prefix_len
    from stdnum import numdb

    db = numdb.get("id/loc")
    length = max((entry[0] for entry in db.prefixes), default=2)
    length = min(max(length, 1), 4)
    found = frozenset(
        code
        for code in ("".join(p) for p in product("0123456789", repeat=length))
        if db.info(code)[0][1]
    )
    _prefix_len = length
    _provinces = found
    return found


def compact(number: object) -> str:
    """Strip spaces, dots, dashes and an Excel apostrophe (python-stdnum's cleaning).

    >>> compact("3171-0117-0845-0001")
    '3171011708450001'
    """
    text = clean(number)
    if text is None:
        raise InvalidFormat(code=NIK_PENDUDUK_FORMAT, value=number)
    return text


def validate(number: object) -> str:
    """Return the 16-digit NIK or raise (python-stdnum's rules, same order).

    >>> validate("3171011708450001")
    '3171011708450001'
    """
    n = fixed_digits(number, LENGTH, compact, NIK_PENDUDUK_FORMAT, NIK_PENDUDUK_LENGTH)
    dm = n[6:10]
    if dm not in _DM_ALWAYS and not (dm in _DM_LEAP and int(n[10:12]) % 4 == 0):
        raise InvalidComponent(code=NIK_PENDUDUK_DATE, value=number)
    provinces = _provinces if _provinces is not None else _load_provinces()
    if n[:_prefix_len] not in provinces:
        raise InvalidComponent(code=NIK_PENDUDUK_WILAYAH, value=number)
    return n


def is_valid(number: object) -> bool:
    """``True`` if *number* is a valid NIK; never raises.

    >>> is_valid("3171011708450001"), is_valid(None), is_valid("€")
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: object) -> str:
    """The 16 digits without separators, as on the KTP.

    >>> format("3171 0117 0845 0001")
    '3171011708450001'
    """
    return compact(number)


def get_birth_date(number: object, *, today: datetime.date | None = None) -> datetime.date:
    """Date of birth from a valid NIK (the day of women is reduced by 40).

    The number has only two digits of the year. Without *today* the result is
    python-stdnum's (19YY when that date exists, else 20YY). With *today* the
    latest century giving a date not after *today* is chosen.

    >>> get_birth_date("3171015708450001")
    datetime.date(1945, 8, 17)
    >>> get_birth_date("3171011708050001", today=datetime.date(2025, 1, 1))
    datetime.date(2005, 8, 17)
    """
    n = validate(number)
    day, month, year = int(n[6:8]) % 40, int(n[8:10]), int(n[10:12])
    if today is not None:
        for century in (2000, 1900):
            try:
                candidate = datetime.date(century + year, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return candidate
    try:
        return datetime.date(1900 + year, month, day)
    except ValueError:
        return datetime.date(2000 + year, month, day)


def get_jenis_kelamin(number: object) -> JenisKelamin:
    """Sex from a valid NIK: day + 40 marks women (``P``), otherwise men (``L``).

    >>> get_jenis_kelamin("3171011708450001").value
    'L'
    """
    n = validate(number)
    return JenisKelamin.PEREMPUAN if int(n[6:8]) > 40 else JenisKelamin.LAKI_LAKI


def mask(number: object) -> str:
    """The NIK with the date and serial hidden, for anything public (personal data).

    >>> mask("3171011708450001")
    '317101**********'
    """
    n = compact(number)
    return n[:6] + "*" * max(len(n) - 6, 0)


def problems(
    value: object, field: str | None = "nik_penduduk", *, row: int | None = None
) -> list[Issue]:
    """Issues for *value* (empty when valid).

    >>> [i.code for i in problems("3171013002001234")]
    ['NIK_PENDUDUK_DATE']
    """
    return problems_for(validate, value, field, row=row)
