"""Metadata every rule carries: its legal basis and how sure we are of it.

Each rule module registers a :class:`RuleInfo` at import time with
:func:`register_rule`. ``docs/rules-reference.md`` is generated from
:data:`RULES` (see :mod:`kukm.rules.reference`), and ``kukm rules list``
prints it, so code and docs cannot drift.

Confidence marks follow ``REGULATIONS.md``: ``P`` primary text, ``S``
secondary source, ``D`` derived by kukm, ``N`` not found (then the rule is a
replaceable scheme and has no invented numbers).

>>> b = LegalBasis("PP 7/2021", pasal="35", ayat="3", berlaku_mulai=dt.date(2021, 2, 2))
>>> b.cite()
'PP 7/2021 Pasal 35 ayat (3), berlaku 2021-02-02'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final, final

from attrs import field, frozen

__all__ = ["RULES", "LegalBasis", "RuleInfo", "register_rule"]


@final
@frozen
class LegalBasis:
    """Where a rule comes from: regulation, article, paragraph, dates, confidence."""

    regulasi: str
    pasal: str | None = None
    ayat: str | None = None
    berlaku_mulai: dt.date | None = None
    berlaku_sampai: dt.date | None = None
    keyakinan: str = "P"
    sumber: str = ""
    catatan: str = ""

    def cite(self) -> str:
        """A short citation in Indonesian legal style."""
        text = self.regulasi
        if self.pasal:
            text += f" Pasal {self.pasal}"
        if self.ayat:
            text += f" ayat ({self.ayat})"
        if self.berlaku_mulai:
            text += f", berlaku {self.berlaku_mulai.isoformat()}"
        if self.berlaku_sampai:
            text += f" s.d. sebelum {self.berlaku_sampai.isoformat()}"
        return text

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready data."""
        return {
            "regulasi": self.regulasi,
            "pasal": self.pasal,
            "ayat": self.ayat,
            "berlaku_mulai": self.berlaku_mulai.isoformat() if self.berlaku_mulai else None,
            "berlaku_sampai": self.berlaku_sampai.isoformat() if self.berlaku_sampai else None,
            "keyakinan": self.keyakinan,
            "sumber": self.sumber,
            "catatan": self.catatan,
        }


@final
@frozen
class RuleInfo:
    """A rule as the reference documentation shows it."""

    id: str
    judul: str
    title: str
    dasar: tuple[LegalBasis, ...]
    modul: str
    ringkasan: str = ""
    #: Ordered threshold table: a header row then data rows (all text).
    tabel: tuple[tuple[str, ...], ...] = ()
    dapat_diganti: bool = False
    parameter: Mapping[str, str] = field(factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready data."""
        return {
            "id": self.id,
            "judul": self.judul,
            "title": self.title,
            "dasar": [b.as_dict() for b in self.dasar],
            "modul": self.modul,
            "ringkasan": self.ringkasan,
            "tabel": [list(r) for r in self.tabel],
            "dapat_diganti": self.dapat_diganti,
            "parameter": dict(self.parameter),
        }


RULES: Final[dict[str, RuleInfo]] = {}


def register_rule(info: RuleInfo, *, registry: dict[str, RuleInfo] | None = None) -> RuleInfo:
    """Register a rule's metadata once (same id twice must be identical).

    >>> r = RuleInfo("doctest.rule", "Contoh", "Example", (LegalBasis("X 1/2000"),), __name__)
    >>> register_rule(r, registry={}) is r
    True
    """
    target = RULES if registry is None else registry
    old = target.get(info.id)
    if old is not None and old != info:
        raise ValueError(f"rule {info.id!r} registered twice with different metadata")
    target[info.id] = info
    return info


def rupiah(value: int) -> str:
    """Format rupiah the Indonesian way.

    >>> rupiah(1_000_000_000)
    'Rp1.000.000.000'
    """
    sign = "-" if value < 0 else ""
    return f"{sign}Rp{abs(value):,}".replace(",", ".")
