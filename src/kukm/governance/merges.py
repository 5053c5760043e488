"""Reviewed, logged and undoable merges of duplicate records.

Nothing is merged silently (see :mod:`kukm.governance.duplicates` for how
candidates are found): :func:`merge` needs an officer and notes, writes a new
version of the kept record (its empty fields filled from the other one),
rejects the other record (``ditolak``, with who, when and a note naming the
merge), stores a document in the ``penggabungan`` collection and an audit
event. :func:`undo_merge` gives the kept record its earlier content and the
other record its earlier status back, and marks the document undone.

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> s = MemoryStore()
>>> _ = s.write_batch([WriteOp("umkm", "a", Umkm(nama_usaha="Toko"), Provenance(SumberData.SUDIN)),
...     WriteOp("umkm", "b", Umkm(nama_usaha="Toko", kbli="47111"), Provenance(SumberData.ODS))])
>>> m = merge(s, "umkm", "a", "b", petugas="d1", catatan="sama")
>>> m.fields, s.get("umkm", "b").status.value
(('kbli',), 'ditolak')
>>> undo_merge(s, m.merge_id, petugas="d1").undone
True
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from kukm.converters import structure, unstructure
from kukm.exceptions import NotFound, WorkflowError, register_code
from kukm.governance.provenance import flatten
from kukm.model import Koperasi, Umkm
from kukm.storage.base import (
    AuditEvent,
    Kind,
    Provenance,
    Store,
    VerificationStatus,
    WriteOp,
)

__all__ = ["MERGES", "MergeRecord", "merge", "undo_merge"]

_M = __name__
#: Document collection holding one :class:`MergeRecord` per merge.
MERGES: Final = "penggabungan"
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

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm, SumberData
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("umkm", i, Umkm(nama_usaha="Toko", nib=n),
    ...     Provenance(SumberData.SUDIN)) for i, n in (("a", None), ("b", "9120001234567"))])
    >>> merge(s, "umkm", "a", "b", petugas="d1", catatan="ganda").fields
    ('nib',)
    >>> s.get("umkm", "a").record.nib
    '9120001234567'
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
    """Undo a merge: the kept record gets its earlier content back, the other its status.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm, SumberData
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("umkm", i, Umkm(nama_usaha="Toko", kbli=k),
    ...     Provenance(SumberData.SUDIN)) for i, k in (("a", None), ("b", "47111"))])
    >>> m = merge(s, "umkm", "a", "b", petugas="d1", catatan="ganda")
    >>> _ = undo_merge(s, m.merge_id, petugas="d1", catatan="keliru")
    >>> s.get("umkm", "a").record.kbli, s.get("umkm", "b").status.value
    (None, 'terverifikasi')
    """
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
