"""In-memory storage adapter (``memory://``): for tests, demos and small jobs.

Thread-safe (one lock). ``memory://`` opens a fresh empty store every time;
``memory://<name>`` opens a process-wide named store, so two opens of the
same URL in one process see the same data (nothing survives the process).

It keeps every guarantee of :class:`kukm.storage.base.Store` and serialises
records through :mod:`kukm.storage._codec`, exactly like the SQL adapters,
so content hashes agree across adapters.

>>> from kukm.model import Umkm, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> store = MemoryStore()
>>> op = WriteOp("umkm", "u1", Umkm(nama_usaha="Toko"), Provenance(SumberData.SUDIN))
>>> store.write_batch([op])
BatchResult(inserted=1, updated=0, unchanged=0, replayed=False)
>>> store.write_batch([op]).unchanged
1
>>> store.get("umkm", "u1").version
1
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from kukm.exceptions import NotFound, SequenceExhausted
from kukm.hookspecs import hookimpl
from kukm.storage import _codec
from kukm.storage.base import (
    AuditEvent,
    BatchResult,
    Kind,
    SnapshotReads,
    SnapshotTabulation,
    Store,
    StoredRecord,
    Verification,
    VerificationStatus,
    WriteOp,
    wilayah_matches,
)

__all__ = [
    "MemoryStore", "kukm_register_storage_backends", "memory_store_exists", "open_memory_store",
]  # fmt: skip

_NAMED: dict[str, MemoryStore] = {}
_NAMED_LOCK = threading.Lock()


class _Version:
    """One stored version plus its index/dimension values."""

    __slots__ = ("dims", "stored")

    def __init__(self, stored: StoredRecord, dims: dict[str, str | None]) -> None:
        self.stored = stored
        self.dims = dims


class MemoryStore:
    """A :class:`~kukm.storage.base.Store` held in Python dicts."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.RLock()
        self._versions: dict[tuple[str, str], list[_Version]] = {}
        self._batches: dict[str, BatchResult] = {}
        self._sequences: dict[str, int] = {}
        self._documents: dict[str, dict[str, str]] = {}
        self._audit: list[tuple[str, AuditEvent]] = []
        self.closed = False

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release; data stays readable (named stores stay shared)."""
        self.closed = True

    # -- writes -------------------------------------------------------------
    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        """Apply every op atomically; idempotent per content and per ``batch_key``."""
        preps = _codec.prepare_ops(ops)  # fails before anything is written
        recorded_at = _codec.now_utc()
        with self._lock:
            if batch_key is not None and batch_key in self._batches:
                old = self._batches[batch_key]
                return BatchResult(old.inserted, old.updated, old.unchanged, replayed=True)
            pending: dict[tuple[str, str], list[_Version]] = {}
            inserted = updated = unchanged = 0
            for prep in preps:
                key = (prep.kind, prep.id)
                chain = pending.get(key)
                if chain is None:
                    chain = list(self._versions.get(key, ()))
                current = chain[-1].stored if chain else None
                status = _codec.decide(
                    prep,
                    current.content_hash if current else None,
                    current.status.value if current else None,
                    _codec.encode_atribut(current.atribut) if current else None,
                )
                if status is None:
                    unchanged += 1
                    continue
                stored = StoredRecord(
                    kind=prep.kind,
                    id=prep.id,
                    version=(current.version + 1) if current else 1,
                    record=_codec.decode_record(prep.kind, prep.blob),
                    provenance=prep.provenance,
                    status=status,
                    valid_from=prep.resolved_valid_from(recorded_at),
                    recorded_at=recorded_at,
                    content_hash=prep.content_hash,
                    atribut=dict(prep.atribut),
                )
                chain.append(_Version(stored, prep.dims))
                pending[key] = chain
                if current is None:
                    inserted += 1
                else:
                    updated += 1
            self._versions.update(pending)
            result = BatchResult(inserted, updated, unchanged)
            if batch_key is not None:
                self._batches[batch_key] = result
            return result

    def set_status(
        self,
        kind: Kind,
        id: str,
        status: VerificationStatus,
        *,
        petugas: str,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> StoredRecord:
        """Verify or reject the current version: adds a version carrying the verification."""
        _codec.check_kind(kind)
        status = VerificationStatus(status)
        with self._lock:
            chain = self._versions.get((kind, id))
            if not chain:
                raise NotFound(f"{kind} {id!r} not found", value=id)
            last = chain[-1]
            now = _codec.now_utc()
            verif = Verification(status, petugas, waktu or now, catatan)
            old = last.stored
            stored = StoredRecord(
                kind=old.kind,
                id=old.id,
                version=old.version + 1,
                record=old.record,
                provenance=old.provenance,
                status=status,
                valid_from=old.valid_from,
                recorded_at=now,
                content_hash=old.content_hash,
                atribut=dict(old.atribut),
                verifikasi=verif,
            )
            chain.append(_Version(stored, last.dims))
            return stored

    # -- reads ---------------------------------------------------------------
    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """Current version, or ``None``."""
        _codec.check_kind(kind)
        with self._lock:
            chain = self._versions.get((kind, id))
            return chain[-1].stored if chain else None

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version, oldest first."""
        _codec.check_kind(kind)
        with self._lock:
            return [v.stored for v in self._versions.get((kind, id), ())]

    def _current(
        self,
        kind: Kind,
        wilayah: str | None,
        status: Collection[VerificationStatus] | None,
    ) -> list[_Version]:
        _codec.check_kind(kind)
        wanted = None if status is None else {VerificationStatus(s) for s in status}
        with self._lock:
            items = sorted((k[1], chain[-1]) for k, chain in self._versions.items() if k[0] == kind)
        return [
            v
            for _, v in items
            if wilayah_matches(v.dims.get("kode_wilayah"), wilayah)
            and (wanted is None or v.stored.status in wanted)
        ]

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions whose identifier ``key`` equals ``value``, ordered by id."""
        _codec.check_identifier_key(key)
        return [v.stored for v in self._current(kind, None, None) if v.dims.get(key) == value]

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Current versions ordered by id (a snapshot taken at the first ``next``)."""
        for v in self._current(kind, wilayah, status):
            yield v.stored

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        """Number of current versions (optionally in a region / with a status)."""
        return len(self._current(kind, wilayah, status))

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts grouped by TABULATION_FIELDS, ordered by group (``None`` first)."""
        columns = _codec.check_tabulation_fields(by)
        counts: dict[tuple[str | None, ...], int] = {}
        for v in self._current(kind, wilayah, status):
            group = tuple(_dimension(v, c) for c in columns)
            counts[group] = counts.get(group, 0) + 1
        return sorted(counts.items(), key=lambda kv: _none_first(kv[0]))

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state: the block holds the store's lock (writers of other
        threads wait for its end)."""
        with self._lock:
            yield

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[list[tuple[tuple[str | None, ...], int]], int]:
        """:meth:`tabulate` and :meth:`count` under the store's lock: no batch in between."""
        with self._lock:
            groups = self.tabulate(kind, by, wilayah=wilayah, status=status)
            return groups, self.count(kind, wilayah=wilayah, status=status)

    # -- sequences --------------------------------------------------------------
    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        """Next running number for ``prefix``; raises SequenceExhausted past ``maximum``."""
        with self._lock:
            nxt = self._sequences.get(prefix, 0) + 1
            if nxt > maximum:
                raise SequenceExhausted(value=prefix)
            self._sequences[prefix] = nxt
            return nxt

    # -- documents ---------------------------------------------------------------
    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace a JSON document."""
        blob = _codec.dump_document(doc)
        with self._lock:
            self._documents.setdefault(collection, {})[key] = blob

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
        """A document, or ``None``."""
        with self._lock:
            blob = self._documents.get(collection, {}).get(key)
        return None if blob is None else _load(blob)

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, doc) of a collection, ordered by key."""
        with self._lock:
            items = sorted(self._documents.get(collection, {}).items())
        for key, blob in items:
            yield key, _load(blob)

    # -- audit ---------------------------------------------------------------------
    def audit(self, event: AuditEvent) -> None:
        """Append an event (events are frozen; the log is never changed)."""
        with self._lock:
            self._audit.append((_codec.utc_key(event.waktu), event))

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """Events in the order they were appended, optionally from ``since`` on."""
        key = None if since is None else _codec.utc_key(since)
        with self._lock:
            events = list(self._audit)
        for k, event in events:
            if key is None or k >= key:
                yield event


def _load(blob: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(blob)
    return value


def _dimension(v: _Version, column: str) -> str | None:
    if column == "status":
        return v.stored.status.value
    if column == "sumber":
        return v.stored.provenance.sumber.value
    return v.dims.get(column)


def _none_first(group: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((g is not None, g or "") for g in group)


def open_memory_store(url: str = "memory://") -> MemoryStore:
    """Open ``memory://`` (fresh) or ``memory://<name>`` (shared within the process).

    >>> open_memory_store("memory://a") is open_memory_store("memory://a")
    True
    >>> open_memory_store() is open_memory_store()
    False
    """
    name = url.split("://", 1)[1] if "://" in url else ""
    if not name:
        return MemoryStore(url)
    with _NAMED_LOCK:
        store = _NAMED.get(name)
        if store is None:
            store = _NAMED[name] = MemoryStore(url)
        return store


def memory_store_exists(url: str) -> bool:
    """Whether opening this ``memory:`` URL finds a store this process holds already:
    ``memory://NAME`` opened before; never ``memory://`` (always a new, empty one).

    >>> _ = open_memory_store("memory://held")
    >>> memory_store_exists("memory://held"), memory_store_exists("memory://"), memory_store_exists("memory://x")
    (True, False, False)
    """
    name = url.split("://", 1)[1] if "://" in url else ""
    with _NAMED_LOCK:
        return bool(name) and name in _NAMED


@hookimpl
def kukm_register_storage_backends() -> dict[str, Any]:
    """kukm's in-memory backend: the ``memory`` URL scheme."""
    return {"memory": open_memory_store}


def _check_protocol(store: MemoryStore) -> Store:
    return store  # mypy checks MemoryStore satisfies the Store protocol


def _check_snapshot(store: MemoryStore) -> SnapshotTabulation:
    return store  # and the optional one-snapshot tabulation


def _check_snapshot_reads(store: MemoryStore) -> SnapshotReads:
    return store  # and the optional snapshot of several reads
