"""Identifier modules with python-stdnum's contract, one module per number.

Every module ``kukm.ids.<name>`` offers:

* ``compact(number) -> str``: the minimal form (separators removed; accepts what
  people type: spaces, dots, dashes, an Excel apostrophe);
* ``validate(number) -> str``: the canonical compact form, or raises one of
  :class:`~kukm.exceptions.InvalidFormat`, :class:`~kukm.exceptions.InvalidLength`,
  :class:`~kukm.exceptions.InvalidChecksum`, :class:`~kukm.exceptions.InvalidComponent`
  carrying a registered problem code (``NIB_LENGTH`` …);
* ``is_valid(number) -> bool``: never raises, whatever it is given;
* ``format(number) -> str``: the presentation form (``validate(format(x)) == compact(x)``);
* ``problems(value, field, *, row=None) -> list[Issue]``: the failure as Issue
  records for bulk work; ``CODES`` maps failure kinds to the module's codes.

Importing this package imports none of the modules;
:func:`get_number_modules` imports and returns all of them.

>>> [m.__name__.rsplit(".", 1)[1] for m in get_number_modules()]  # doctest: +NORMALIZE_WHITESPACE
['badan_hukum', 'kbli', 'kode_wilayah', 'nib', 'nik_penduduk', 'nomor_induk_koperasi',
 'npwp', 'telepon']
>>> from kukm.ids import nomor_induk_koperasi
>>> nomor_induk_koperasi.validate("3101010020004")
'3101010020004'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, cast

from kukm.exceptions import Issue

__all__ = ["MODULE_NAMES", "NumberModule", "get_number_modules"]

MODULE_NAMES = (
    "badan_hukum",
    "kbli",
    "kode_wilayah",
    "nib",
    "nik_penduduk",
    "nomor_induk_koperasi",
    "npwp",
    "telepon",
)
"""Names of the identifier modules under :mod:`kukm.ids`."""


class NumberModule(Protocol):
    """What every identifier module provides (python-stdnum's contract plus issues)."""

    @property
    def NAME(self) -> str:
        """Human name of the number."""

    @property
    def CODES(self) -> Mapping[str, str]:
        """Failure kind → registered problem code."""

    def compact(self, number: object) -> str: ...

    def validate(self, number: object) -> str: ...

    def is_valid(self, number: object) -> bool: ...

    def format(self, number: object) -> str: ...

    def problems(
        self, value: object, field: str | None = ..., *, row: int | None = ...
    ) -> list[Issue]: ...


if TYPE_CHECKING:  # mypy checks that every module satisfies the protocol
    from kukm.ids import (
        badan_hukum,
        kbli,
        kode_wilayah,
        nib,
        nik_penduduk,
        nomor_induk_koperasi,
        npwp,
        telepon,
    )

    _CONFORMING: tuple[NumberModule, ...] = (
        badan_hukum,
        kbli,
        kode_wilayah,
        nib,
        nik_penduduk,
        nomor_induk_koperasi,
        npwp,
        telepon,
    )


def get_number_modules() -> list[NumberModule]:
    """Import and return every identifier module, in name order.

    >>> all(hasattr(m, "validate") for m in get_number_modules())
    True
    """
    return [
        cast(NumberModule, importlib.import_module(f"{__name__}.{name}")) for name in MODULE_NAMES
    ]
