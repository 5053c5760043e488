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

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen
from rapidfuzz import fuzz, process

from kukm.converters import structure, unstructure
from kukm.exceptions import NotFound, WorkflowError, register_code
from kukm.governance.provenance import flatten
from kukm.model import Koperasi, Umkm
from kukm.storage.base import (
    AuditEvent,
    Kind,
    Provenance,
    Store,
    StoredRecord,
    VerificationStatus,
    WriteOp,
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
MERGES: Final = "penggabungan"
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
MERGE_SAME = register_code(
    "MERGE_SAME",
    "Data tidak dapat digabung dengan dirinya sendiri.",
    "A record cannot be merged with itself.",
    module=_M,
)
MERGE_UNDONE = register_code(
    "MERGE_UNDONE",
    "Penggabungan ini sudah dibatalkan.",
    "This merge was already undone.",
    module=_M,
)
MERGE_STALE = register_code(
    "MERGE_STALE",
    "Data yang dipertahankan sudah berubah sejak digabung; batalkan dengan force.",
    "The kept record changed since the merge; undo with force.",
    module=_M,
)

_LEGAL_WORDS: Final = frozenset(
    ("koperasi", "kop", "ksp", "ksu", "kspps", "kopwan", "usp", "cv", "pt", "ud", "pd", "tbk")
)
_STREET_WORDS: Final = {"jalan": "jl", "jln": "jl", "gang": "gg", "nomor": "no", "nomer": "no"}
_PUNCT = re.compile(r"[^\w\s]")


def _norm_name(text: str | None) -> str:
    words = _PUNCT.sub(" ", (text or "").lower()).split()
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def _norm_street(text: str | None) -> str:
    words = _PUNCT.sub(" ", (text or "").lower()).split()
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


@frozen
class MergeRecord:
    """A reviewed merge as kept in the ``penggabungan`` collection."""

    merge_id: str
    kind: Kind
    keep: str
    drop: str
    petugas: str
    waktu: dt.datetime
    catatan: str
    fields: tuple[str, ...]
    keep_version_before: int
    keep_version_after: int | None
    drop_status_before: VerificationStatus
    undone: bool = False
    undone_by: str | None = None
    undone_at: dt.datetime | None = None

    def as_document(self) -> dict[str, Any]:
        """JSON-ready form (the ``penggabungan`` document)."""
        return {
            "merge_id": self.merge_id,
            "kind": self.kind,
            "keep": self.keep,
            "drop": self.drop,
            "petugas": self.petugas,
            "waktu": self.waktu.isoformat(),
            "catatan": self.catatan,
            "fields": list(self.fields),
            "keep_version_before": self.keep_version_before,
            "keep_version_after": self.keep_version_after,
            "drop_status_before": self.drop_status_before.value,
            "undone": self.undone,
            "undone_by": self.undone_by,
            "undone_at": self.undone_at.isoformat() if self.undone_at else None,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> MergeRecord:
        """Inverse of :meth:`as_document`."""
        kind: Kind = "koperasi" if doc["kind"] == "koperasi" else "umkm"
        after = doc.get("keep_version_after")
        undone_at = doc.get("undone_at")
        return cls(
            str(doc["merge_id"]),
            kind,
            str(doc["keep"]),
            str(doc["drop"]),
            str(doc["petugas"]),
            dt.datetime.fromisoformat(doc["waktu"]),
            str(doc.get("catatan", "")),
            tuple(doc.get("fields", ())),
            int(doc["keep_version_before"]),
            None if after is None else int(after),
            VerificationStatus(doc["drop_status_before"]),
            bool(doc.get("undone", False)),
            doc.get("undone_by"),
            None if undone_at is None else dt.datetime.fromisoformat(undone_at),
        )


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        if not isinstance(data.get(p), dict):
            data[p] = {}
        data = data[p]
    data[parts[-1]] = value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def merge(
    store: Store,
    kind: Kind,
    keep: str,
    drop: str,
    *,
    petugas: str,
    catatan: str,
    fields: Sequence[str] | None = None,
    clock: Callable[[], dt.datetime] = _now,
) -> MergeRecord:
    """Merge ``drop`` into ``keep`` after review: logged, documented and undoable.

    ``keep`` gains every field it lacks that ``drop`` has (or exactly the
    dotted ``fields`` given, taken from ``drop``); ``drop`` is rejected with a
    note pointing at ``keep``. Neither is deleted.
    """
    if keep == drop:
        raise WorkflowError(f"cannot merge {keep!r} with itself", code=MERGE_SAME)
    kept, dropped = store.get(kind, keep), store.get(kind, drop)
    if kept is None or dropped is None:
        missing = keep if kept is None else drop
        raise NotFound(f"{kind} {missing!r} not found", value=missing)
    now = clock()
    merge_id = f"G{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    data: dict[str, Any] = unstructure(kept.record)
    keep_flat, drop_flat = flatten(data), flatten(dropped.record)
    if fields is None:
        taken = sorted(
            p
            for p, v in drop_flat.items()
            if v not in (None, "", [], {})
            and keep_flat.get(p) in (None, "", [], {})
            and not p.startswith(("id", "atribut_lain"))
        )
    else:
        taken = list(fields)
    for path in taken:
        _set_path(data, path, drop_flat.get(path))
    merged: Umkm | Koperasi = structure(data, Umkm) if kind == "umkm" else structure(data, Koperasi)
    after: int | None = None
    if merged != kept.record:
        prov = Provenance(kept.provenance.sumber, petugas, now, f"gabung:{merge_id}")
        store.write_batch([WriteOp(kind, keep, merged, prov, status=kept.status)])
        current = store.get(kind, keep)
        after = current.version if current else None
    store.set_status(
        kind,
        drop,
        VerificationStatus.DITOLAK,
        petugas=petugas,
        catatan=f"digabung ke {keep} ({merge_id}): {catatan}",
        waktu=now,
    )
    record = MergeRecord(
        merge_id,
        kind,
        keep,
        drop,
        petugas,
        now,
        catatan,
        tuple(taken),
        kept.version,
        after,
        dropped.status,
    )
    store.put_document(MERGES, merge_id, record.as_document())
    store.audit(
        AuditEvent(now, petugas, "gabung", kind, keep, True, f"{merge_id}: {drop} -> {keep}")
    )
    return record


def undo_merge(
    store: Store,
    merge_id: str,
    *,
    petugas: str,
    catatan: str | None = None,
    force: bool = False,
    clock: Callable[[], dt.datetime] = _now,
) -> MergeRecord:
    """Undo a merge: the kept record gets its earlier content back, the other its status."""
    doc = store.get_document(MERGES, merge_id)
    if doc is None:
        raise NotFound(f"merge {merge_id!r} not found", value=merge_id)
    record = MergeRecord.from_document(doc)
    if record.undone:
        raise WorkflowError(f"merge {merge_id} already undone", code=MERGE_UNDONE)
    now = clock()
    kind = record.kind
    if record.keep_version_after is not None:
        current = store.get(kind, record.keep)
        if current is None:  # pragma: no cover - stores never delete
            raise NotFound(f"{kind} {record.keep!r} not found", value=record.keep)
        if current.version != record.keep_version_after and not force:
            raise WorkflowError(f"{record.keep} changed since merge {merge_id}", code=MERGE_STALE)
        before = next(
            v for v in store.history(kind, record.keep) if v.version == record.keep_version_before
        )
        prov = Provenance(before.provenance.sumber, petugas, now, f"batal-gabung:{merge_id}")
        store.write_batch([WriteOp(kind, record.keep, before.record, prov, status=current.status)])
    store.set_status(
        kind,
        record.drop,
        record.drop_status_before,
        petugas=petugas,
        catatan=f"batal gabung {merge_id}" + (f": {catatan}" if catatan else ""),
        waktu=now,
    )
    done = MergeRecord(
        record.merge_id,
        record.kind,
        record.keep,
        record.drop,
        record.petugas,
        record.waktu,
        record.catatan,
        record.fields,
        record.keep_version_before,
        record.keep_version_after,
        record.drop_status_before,
        True,
        petugas,
        now,
    )
    store.put_document(MERGES, merge_id, done.as_document())
    store.audit(
        AuditEvent(now, petugas, "batal_gabung", kind, record.keep, True, f"{merge_id}: {catatan}")
    )
    return done
