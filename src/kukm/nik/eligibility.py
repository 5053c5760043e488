"""Whether the compliance rules allow a Sertifikat NIK, as an injectable check.

Kepgub H.6 i: the certificate is given "setelah diadakan verifikasi"; the
conditions themselves are not in the decree and differ between offices
(REGULATIONS.md §1.1 and Part 2 §2, all [S]: RAT held; RAT 2 or 3
consecutive years; "sehat"). The rule set lives in
:mod:`kukm.rules.kepatuhan` (``eligibility(...)``); the workflow takes any
callable ``(koperasi, on) -> Kelayakan`` so a Dinas can supply its own.

:func:`default_eligibility` is :func:`kukm.rules.kepatuhan.eligibility` with its
default thresholds (compliance state ``aktif``, RAT held; validity and the
number of consecutive RAT years are settings there). :func:`rat_held_recently`
is a simpler alternative: a RAT within :data:`RAT_WINDOW_DAYS` days (Kemenkop
slide 2016 "NIK dan QR Code (Koperasi yang aktif dan sudah RAT)" [S]).

>>> import datetime as dt
>>> from kukm.model import Koperasi
>>> k = Koperasi(nama="K", tanggal_rat_terakhir=dt.date(2025, 3, 1))
>>> rat_held_recently(k, dt.date(2025, 12, 1)).eligible
True
>>> rat_held_recently(Koperasi(nama="K"), dt.date(2025, 12, 1)).reasons[0].code
'NIK_RAT_MISSING'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, final

from attrs import field, frozen

from kukm.exceptions import CODES, register_code
from kukm.model import Koperasi

if TYPE_CHECKING:
    from kukm.rules.kepatuhan import EligibilityVerdict

__all__ = [
    "RAT_WINDOW_DAYS",
    "Alasan",
    "EligibilityCheck",
    "Kelayakan",
    "default_eligibility",
    "from_kepatuhan",
    "rat_held_recently",
]

#: A RAT for the last book year is held in the first months of the next; 18 months covers it.
RAT_WINDOW_DAYS = 548

NIK_RAT_MISSING = register_code(
    "NIK_RAT_MISSING",
    "Koperasi belum melaporkan RAT.",
    "The cooperative has not reported a RAT (annual members' meeting).",
    module=__name__,
)
NIK_RAT_OUTDATED = register_code(
    "NIK_RAT_OUTDATED",
    "RAT terakhir terlalu lama.",
    "The last RAT is too old.",
    module=__name__,
)
NIK_RAT_OK = register_code(
    "NIK_RAT_OK",
    "RAT terakhir masih dalam batas waktu.",
    "The last RAT is recent enough.",
    module=__name__,
)
NIK_KEPATUHAN_OK = register_code(
    "NIK_KEPATUHAN_OK",
    "Syarat kepatuhan untuk Sertifikat NIK terpenuhi.",
    "The compliance conditions for a NIK certificate are met.",
    module=__name__,
)
NIK_NOT_ELIGIBLE = register_code(
    "NIK_NOT_ELIGIBLE",
    "Koperasi belum memenuhi syarat kepatuhan untuk Sertifikat NIK.",
    "The cooperative does not meet the compliance conditions for a NIK certificate.",
    module=__name__,
)


@final
@frozen
class Alasan:
    """One reason of a verdict: a code, the values used, and the bilingual message."""

    code: str
    message_id: str
    message_en: str
    value: Any = None
    dasar: str | None = None

    @classmethod
    def of(cls, code: str, value: Any = None, *, dasar: str | None = None) -> Alasan:
        info = CODES[code]
        return cls(code, info.message_id, info.message_en, value, dasar)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "value": self.value if not isinstance(self.value, dt.date) else self.value.isoformat(),
            "dasar": self.dasar,
        }


def _as_tuple(items: Sequence[Alasan]) -> tuple[Alasan, ...]:
    return tuple(items)


@final
@frozen
class Kelayakan:
    """Verdict of a compliance check: eligible or not, and why."""

    eligible: bool
    reasons: tuple[Alasan, ...] = field(converter=_as_tuple, factory=tuple)
    rule: str = ""


EligibilityCheck = Callable[[Koperasi, dt.date], Kelayakan]
"""``check(koperasi, on) -> Kelayakan``."""

_RAT_BASIS = (
    "Kemenkop UKM 2016 (slide 'NIK dan QR Code: koperasi aktif dan sudah RAT') [S]; "
    "Kepgub DKI 1625/2021 H.6 i"
)


def rat_held_recently(
    koperasi: Koperasi, on: dt.date, *, window_days: int = RAT_WINDOW_DAYS
) -> Kelayakan:
    """Eligible when the last RAT lies within ``window_days`` before ``on``."""
    rat = koperasi.tanggal_rat_terakhir
    rule = f"rat_held_recently(window_days={window_days})"
    if rat is None:
        return Kelayakan(False, [Alasan.of(NIK_RAT_MISSING, None, dasar=_RAT_BASIS)], rule)
    if (on - rat).days > window_days or rat > on:
        return Kelayakan(False, [Alasan.of(NIK_RAT_OUTDATED, rat, dasar=_RAT_BASIS)], rule)
    return Kelayakan(True, [Alasan.of(NIK_RAT_OK, rat, dasar=_RAT_BASIS)], rule)


def from_kepatuhan(verdict: EligibilityVerdict) -> Kelayakan:
    """A :class:`kukm.rules.kepatuhan.EligibilityVerdict` as a :class:`Kelayakan`."""
    code = NIK_KEPATUHAN_OK if verdict.eligible else NIK_NOT_ELIGIBLE
    dasar = verdict.dasar.cite()
    reasons = [
        Alasan(code, rid, ren, verdict.kepatuhan.status.value, dasar)
        for rid, ren in zip(verdict.reasons, verdict.reasons_en, strict=False)
    ]
    aturan = verdict.aturan
    rule = (
        "kukm.rules.kepatuhan.eligibility("
        f"tahun_rat_berturut={aturan.tahun_rat_berturut}, "
        f"band_kesehatan_minimal={aturan.band_kesehatan_minimal})"
    )
    return Kelayakan(verdict.eligible, reasons or [Alasan.of(code, None, dasar=dasar)], rule)


def default_eligibility(koperasi: Koperasi, on: dt.date) -> Kelayakan:
    """:func:`kukm.rules.kepatuhan.eligibility` with its default thresholds.

    >>> default_eligibility(Koperasi(nama="K"), dt.date(2026, 1, 1)).eligible
    False
    """
    from kukm.rules.kepatuhan import eligibility

    return from_kepatuhan(eligibility(koperasi, tanggal=on))
