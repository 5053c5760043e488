"""The region filter of reports and exports (``--wilayah``): a known Kemendagri code only.

Stores select a region by the dotted Kemendagri code, segment by segment
(:func:`kukm.storage.base.wilayah_matches`), so a filter that is not such a
code matches nothing and a report would be an empty table that looks like "no
data". :func:`periksa_wilayah` refuses it instead (``ConfigurationError``, CLI
exit 2):

* the code must be dotted, ``PP[.KK[.CC[.DDDD]]]`` (Kepmendagri No. 300.2.2-2138
  Tahun 2025; DKI: ``31``, ``31.71``, ``31.71.01``, ``31.71.01.1001``), else
  ``KODE_WILAYAH_FORMAT``. Plain digits such as ``3171`` are refused, not
  guessed: ``3171`` is Jakarta Selatan in BPS codes (Kemendagri ``31.74``) but
  would read as Kemendagri ``31.71``, Jakarta Pusat;
* it must be in the wilayah reference table
  (:func:`kukm.reference.wilayah.get_table`), else ``KODE_WILAYAH_UNKNOWN``.

Spaces around the code are stripped.

>>> periksa_wilayah(" 31.71 "), periksa_wilayah(None)
('31.71', None)
>>> periksa_wilayah("3171")
Traceback (most recent call last):
    ...
kukm.exceptions.ConfigurationError: [KODE_WILAYAH_FORMAT] region filter '3171' is not a dotted Kemendagri code ...
>>> periksa_wilayah("31.76")
Traceback (most recent call last):
    ...
kukm.exceptions.ConfigurationError: [KODE_WILAYAH_UNKNOWN] region filter '31.76' is not in the Kemendagri region table ...
"""

from __future__ import annotations

import re
from typing import Final

from kukm.exceptions import ConfigurationError, KukmError
from kukm.ids.kode_wilayah import KODE_WILAYAH_FORMAT, KODE_WILAYAH_UNKNOWN
from kukm.reference.wilayah import get_table

__all__ = ["periksa_wilayah"]

_DOTTED: Final = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


def _hint(text: str) -> str:
    """What a plain-digit code would be, as Kemendagri and as BPS code."""
    if not (text.isascii() and text.isdigit()):
        return ""
    hint = ""
    if len(text) in (4, 6, 10):
        parts = [text[0:2], text[2:4], text[4:6], text[6:]]
        hint += f"; as a Kemendagri code write {'.'.join(p for p in parts if p)}"
    try:
        from kukm.reference.crosswalk import get_crosswalk

        bps = get_crosswalk().from_bps(text)
    except KukmError:  # the hint is optional; the refusal is not
        bps = None
    if bps:
        hint += f"; as a BPS code it is Kemendagri {bps} ({get_table().nama(bps) or bps})"
    return hint


def periksa_wilayah(kode: str | None) -> str | None:
    """The region filter as a known dotted Kemendagri code (stripped), ``None`` for none.

    Raises :class:`~kukm.exceptions.ConfigurationError` with ``KODE_WILAYAH_FORMAT``
    or ``KODE_WILAYAH_UNKNOWN`` (see the module docstring).
    """
    if kode is None:
        return None
    text = kode.strip()
    if not _DOTTED.fullmatch(text):
        raise ConfigurationError(
            f"region filter {kode!r} is not a dotted Kemendagri code "
            f"(like 31, 31.71, 31.71.01 or 31.71.01.1001){_hint(text)}",
            code=KODE_WILAYAH_FORMAT,
        )
    if not get_table().has_code(text):
        raise ConfigurationError(
            f"region filter {kode!r} is not in the Kemendagri region table "
            "(DKI Jakarta: 31, kab/kota 31.01 and 31.71–31.75)",
            code=KODE_WILAYAH_UNKNOWN,
        )
    return text
