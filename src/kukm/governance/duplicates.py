"""Duplicate candidates and reviewed, undoable merges (Kepgub DKI 1625/2021 F.1 huruf d–e, F.4).

Processing includes correcting data (F.4), and integrated data (F.1 huruf e)
must not count one business twice. :func:`find_duplicates` proposes pairs:

* by **identifier** – the same NIB or NPWP (UMKM), the same Nomor Induk
  Koperasi or nomor badan hukum (koperasi); score 100;
* by **fuzzy name and address within one kelurahan** – records are blocked by
  their Kemendagri kelurahan code, so the work grows with the largest
  kelurahan, not with the whole province; names are compared with
  rapidfuzz ``token_sort_ratio`` after dropping legal-form words, streets
  with ``token_set_ratio``; score = 0.7 × name + 0.3 × address.

Each candidate carries its score and its reasons. Nothing is merged
silently: :func:`merge` needs an officer and notes, writes a new version of
the kept record, rejects the other one (``ditolak``, with who/when/why),
stores a document in ``penggabungan`` and an audit event; :func:`undo_merge`
restores both.

>>> from kukm.model import Umkm, Alamat
>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.storage.base import WriteOp, Provenance
>>> from kukm.model import SumberData
>>> s = MemoryStore()
>>> a = Alamat(jalan="Jl. Melati No. 5", kode_wilayah="31.71.01.1001")
>>> _ = s.write_batch([
...     WriteOp("umkm", "u1", Umkm(nama_usaha="Warung Bu Sri", alamat=a), Provenance(SumberData.SUDIN)),
...     WriteOp("umkm", "u2", Umkm(nama_usaha="Warung Bu Sri.", alamat=a, kbli="56103"),
...             Provenance(SumberData.KELURAHAN))])
>>> [c] = find_duplicates(s.iter_records("umkm"), kind="umkm")
>>> (c.a, c.b, c.score >= 90, [r.code for r in c.reasons])
('u1', 'u2', True, ['DUPLICATE_NAME', 'DUPLICATE_ADDRESS'])
>>> m = merge(s, "umkm", "u1", "u2", petugas="d1", catatan="sama")
>>> s.get("umkm", "u1").record.kbli, s.get("umkm", "u2").status.value
('56103', 'ditolak')
>>> _ = undo_merge(s, m.merge_id, petugas="d1")
>>> s.get("umkm", "u1").record.kbli is None, s.get("umkm", "u2").status.value
(True, 'terverifikasi')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import frozen
from rapidfuzz import fuzz, process

from kukm.exceptions import register_code
from kukm.governance.merges import MERGES, MergeRecord, merge, undo_merge
from kukm.model import Umkm
from kukm.storage.base import (
    Kind,
    StoredRecord,
)

__all__ = [
    "IDENTIFIER_FIELDS",
    "MERGES",
    "DuplicateCandidate",
    "MergeRecord",
    "Reason",
    "find_duplicates",
    "merge",
    "undo_merge",
]

_M = __name__
IDENTIFIER_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "umkm": ("nib", "npwp"),
    "koperasi": ("nomor_induk_koperasi", "nomor_badan_hukum"),
}
DUPLICATE_IDENTIFIER = register_code(
    "DUPLICATE_IDENTIFIER",
    "Nomor identitas sama.",
    "Same identifier.",
    module=_M,
)
DUPLICATE_NAME = register_code(
    "DUPLICATE_NAME",
    "Nama mirip dalam satu kelurahan.",
    "Similar name in one kelurahan.",
    module=_M,
)
DUPLICATE_ADDRESS = register_code(
    "DUPLICATE_ADDRESS", "Alamat jalan mirip.", "Similar street address.", module=_M
)
_LEGAL_WORDS: Final = frozenset(
    ("koperasi", "kop", "ksp", "ksu", "kspps", "kopwan", "usp", "cv", "pt", "ud", "pd", "tbk")
)
_STREET_WORDS: Final = {"jalan": "jl", "jln": "jl", "gang": "gg", "nomor": "no", "nomer": "no"}
_PUNCT = re.compile(r"[^\w\s]")


def _fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _norm_name(text: str | None) -> str:
    words = _PUNCT.sub(" ", _fold(text)).split()
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def _norm_street(text: str | None) -> str:
    words = _PUNCT.sub(" ", _fold(text)).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


def _norm_id(value: Any) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", str(value or "")).upper()


@frozen
class Reason:
    """Why two records look like one: a code, the field, both values, a score."""

    code: str
    field: str
    value_a: Any
    value_b: Any
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "value_a": self.value_a,
            "value_b": self.value_b,
            "score": round(self.score, 2),
        }


@frozen
class DuplicateCandidate:
    """A pair (``a`` < ``b``) that may be one business, with score (0–100) and reasons."""

    kind: str
    a: str
    b: str
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 2),
            "reasons": [r.as_dict() for r in self.reasons],
        }


@frozen
class _Entry:
    id: str
    name_field: str
    name: str
    norm_name: str
    street: str
    norm_street: str


def find_duplicates(
    records: Iterable[StoredRecord],
    *,
    kind: Kind,
    threshold: float = 85.0,
    name_threshold: float = 85.0,
) -> list[DuplicateCandidate]:
    """Duplicate candidates by identifier and by fuzzy name/address per kelurahan.

    Sorted by score (highest first), then by ids.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Koperasi, SumberData
    >>> from kukm.storage.base import WriteOp, Provenance
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("koperasi", i, Koperasi(nama=n, nomor_badan_hukum="12/BH/2001"),
    ...                            Provenance(SumberData.DEKOPIN)) for i, n in (("k1", "A"), ("k2", "B"))])
    >>> [(c.a, c.b, c.score, c.reasons[0].field) for c in find_duplicates(
    ...     s.iter_records("koperasi"), kind="koperasi")]
    [('k1', 'k2', 100.0, 'nomor_badan_hukum')]
    """
    fields = IDENTIFIER_FIELDS[kind]
    by_id: dict[tuple[str, str], list[str]] = {}
    blocks: dict[str, list[_Entry]] = {}
    for stored in records:
        rec = stored.record
        for f in fields:
            value = _norm_id(getattr(rec, f, None))
            if value:
                by_id.setdefault((f, value), []).append(stored.id)
        kel = rec.alamat.kode_kelurahan
        name_field = "nama_usaha" if isinstance(rec, Umkm) else "nama"
        name = str(getattr(rec, name_field) or "")
        if kel and name:
            street = rec.alamat.jalan or ""
            blocks.setdefault(kel, []).append(
                _Entry(stored.id, name_field, name, _norm_name(name), street, _norm_street(street))
            )
    pairs: dict[tuple[str, str], list[Reason]] = {}
    for (f, value), ids in by_id.items():
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.setdefault((a, b), []).append(
                    Reason(DUPLICATE_IDENTIFIER, f, value, value, 100.0)
                )
    fuzzy_score: dict[tuple[str, str], float] = {}
    for entries in blocks.values():
        entries.sort(key=lambda e: e.id)
        names = [e.norm_name for e in entries]
        for i, e in enumerate(entries[:-1]):
            matches = process.extract(
                e.norm_name,
                names[i + 1 :],
                scorer=fuzz.token_sort_ratio,
                score_cutoff=name_threshold,
                limit=None,
            )
            for _, name_score, j in matches:
                other = entries[i + 1 + j]
                reasons = [Reason(DUPLICATE_NAME, e.name_field, e.name, other.name, name_score)]
                score = float(name_score)
                if e.norm_street and other.norm_street:
                    street_score = float(fuzz.token_set_ratio(e.norm_street, other.norm_street))
                    score = 0.7 * score + 0.3 * street_score
                    reasons.append(
                        Reason(
                            DUPLICATE_ADDRESS, "alamat.jalan", e.street, other.street, street_score
                        )
                    )
                if score >= threshold:
                    key = (e.id, other.id)
                    pairs.setdefault(key, []).extend(reasons)
                    fuzzy_score[key] = score
    out = [
        DuplicateCandidate(
            kind,
            a,
            b,
            100.0 if any(r.code == DUPLICATE_IDENTIFIER for r in reasons) else fuzzy_score[(a, b)],
            tuple(reasons),
        )
        for (a, b), reasons in pairs.items()
    ]
    out.sort(key=lambda c: (-c.score, c.a, c.b))
    return out
