"""Identifier checks used by instruments: ``kukm.ids.<name>.validate``.

Each ``kukm.ids`` module follows python-stdnum's contract: ``validate(value)``
returns the canonical form or raises a :class:`kukm.exceptions.ValidationError`
whose ``code`` is a registered problem code. When a module is not installed
(yet) a minimal built-in check stands in, so instruments always work; it
accepts rather than wrongly rejects (stdnum's rule).

>>> check = resolve("nib")
>>> check("9120001234567")
'9120001234567'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Final

from kukm.exceptions import CODES, InvalidFormat, InvalidLength, register_code

__all__ = ["IDENTIFIER_INVALID", "cached", "known", "problem_code", "resolve"]

IDENTIFIER_INVALID = register_code(
    "IDENTIFIER_INVALID",
    "Nomor identitas tidak valid.",
    "The identifier is not valid.",
    module=__name__,
)

Validator = Callable[[str], str]

_SEPARATORS = re.compile(r"[\s.\-/]")


def _digits(value: str, length: int) -> str:
    s = _SEPARATORS.sub("", value)
    if not (s.isdigit() and s.isascii()):
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value)
    if len(s) != length:
        raise InvalidLength(code=IDENTIFIER_INVALID, value=value)
    return s


def _nib(value: str) -> str:
    return _digits(value, 13)


def _nomor_induk_koperasi(value: str) -> str:
    return _digits(value, 13)


def _nik_penduduk(value: str) -> str:
    from stdnum.id import nik

    try:
        return str(nik.validate(value))
    except ValueError as exc:
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value) from exc


def _npwp(value: str) -> str:
    from stdnum.id import npwp

    try:
        return str(npwp.compact(npwp.validate(value)))
    except ValueError as exc:
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value) from exc


_WILAYAH = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")


def _kode_wilayah(value: str) -> str:
    s = value.strip()
    if not _WILAYAH.fullmatch(s):
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value)
    return s


def _kbli(value: str) -> str:
    s = value.strip()
    if not (s.isdigit() and s.isascii() and 2 <= len(s) <= 5):
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value)
    return s


def _telepon(value: str) -> str:
    if value.isdigit() and value.isascii() and value.startswith("0") and 8 <= len(value) <= 14:
        return value
    s = re.sub(r"[\s\-().]", "", value)
    if s.startswith("+62"):
        s = "0" + s[3:]
    elif s.startswith("62"):
        s = "0" + s[2:]
    if not (s.isdigit() and s.isascii() and s.startswith("0") and 8 <= len(s) <= 14):
        raise InvalidFormat(code=IDENTIFIER_INVALID, value=value)
    return s


def _free_text(value: str) -> str:
    return value.strip()


_FALLBACK: Final[dict[str, Validator]] = {
    "nib": _nib,
    "nomor_induk_koperasi": _nomor_induk_koperasi,
    "nik_penduduk": _nik_penduduk,
    "npwp": _npwp,
    "kode_wilayah": _kode_wilayah,
    "kbli": _kbli,
    "telepon": _telepon,
    "badan_hukum": _free_text,
}


def resolve(name: str) -> Validator:
    """The ``validate`` function of ``kukm.ids.<name>``, or the built-in stand-in."""
    try:
        module = importlib.import_module(f"kukm.ids.{name}")
    except ImportError:
        module = None
    fn = getattr(module, "validate", None) if module is not None else None
    if callable(fn):
        return fn  # type: ignore[no-any-return]
    try:
        return _FALLBACK[name]
    except KeyError:
        raise LookupError(f"no identifier check named {name!r}") from None


def known() -> list[str]:
    """The identifier checks an instrument may name."""
    return sorted(_FALLBACK)


def problem_code(exc: BaseException) -> str:
    """The registered problem code an identifier error carries, else the generic one."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code in CODES else IDENTIFIER_INVALID


def cached(fn: Validator, limit: int = 100_000) -> Validator:
    """Memoise a validator for low-cardinality values (region codes, KBLI).

    Errors are memoised too; the cache is simply cleared when it grows past
    ``limit`` entries.
    """
    ok: dict[str, str] = {}
    bad: dict[str, str] = {}

    def check(value: str) -> str:
        hit = ok.get(value)
        if hit is not None:
            return hit
        code = bad.get(value)
        if code is not None:
            raise InvalidFormat(code=code, value=value)
        if len(ok) + len(bad) > limit:
            ok.clear()
            bad.clear()
        try:
            result = fn(value)
        except ValueError as exc:
            bad[value] = problem_code(exc)
            raise
        ok[value] = result
        return result

    return check
