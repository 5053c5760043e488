"""``jsonl://<directory>``: a kukm store kept as an append-only JSON-lines event log.

Every change (a committed batch, a verification, a running number, a
document, an audit event) is **one line** of ``<directory>/kukm.jsonl``. On
open, and before every operation, the store replays lines other processes
appended since it last looked, holding an exclusive ``flock`` on
``<directory>/kukm.lock`` while it reads and appends. So:

* a batch is atomic: its line is written whole or (after a crash) is a torn
  last line without ``\\n``, which is cut off before the next append;
* running numbers are unique across processes (read-increment-append under
  the lock);
* all versions are kept: the log only grows.

State is held in memory after replay, so it suits a few hundred thousand
records; it is an example of the plugin surface, not a production backend.
It uses only kukm's public API (:mod:`kukm.storage.base`, :mod:`kukm.converters`,
:mod:`kukm.exceptions`).

>>> import tempfile
>>> from kukm.model import Umkm, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> d = tempfile.mkdtemp()
>>> store = open_jsonl_store(f"jsonl://{d}")
>>> store.write_batch([WriteOp("umkm", "u1", Umkm(nama_usaha="Toko"), Provenance(SumberData.SUDIN))])
BatchResult(inserted=1, updated=0, unchanged=0, replayed=False)
>>> open_jsonl_store(f"jsonl://{d}").get("umkm", "u1").record.nama_usaha
'Toko'
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kukm.converters import structure, unstructure
from kukm.exceptions import (
    ConfigurationError,
    NotFound,
    SequenceExhausted,
    StorageError,
    ValidationError,
)
from kukm.model import Koperasi, Umkm
from kukm.storage.base import (
    IDENTIFIER_KEYS,
    TABULATION_FIELDS,
    AuditEvent,
    BatchResult,
    Kind,
    Provenance,
    StoredRecord,
    Verification,
    VerificationStatus,
    WriteOp,
    content_hash,
    default_status,
    index_keys,
    wilayah_matches,
)

__all__ = ["JsonlStore", "open_jsonl_store"]

_TYPES: dict[str, type[Koperasi] | type[Umkm]] = {"umkm": Umkm, "koperasi": Koperasi}


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC (naive values are taken as UTC) for ordering audit events."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _check_kind(kind: str) -> None:
    if kind not in _TYPES:
        raise ValidationError(f"unknown record kind {kind!r}")


def _encode(rec: StoredRecord) -> dict[str, Any]:
    return {
        "kind": rec.kind,
        "id": rec.id,
        "version": rec.version,
        "record": unstructure(rec.record),
        "provenance": unstructure(rec.provenance),
        "status": rec.status.value,
        "valid_from": rec.valid_from.isoformat(),
        "recorded_at": rec.recorded_at.isoformat(),
        "content_hash": rec.content_hash,
        "atribut": dict(rec.atribut),
        "verifikasi": None if rec.verifikasi is None else unstructure(rec.verifikasi),
    }


def _decode(d: Mapping[str, Any]) -> StoredRecord:
    return StoredRecord(
        kind=d["kind"],
        id=d["id"],
        version=d["version"],
        record=structure(d["record"], _TYPES[d["kind"]]),
        provenance=structure(d["provenance"], Provenance),
        status=VerificationStatus(d["status"]),
        valid_from=dt.date.fromisoformat(d["valid_from"]),
        recorded_at=dt.datetime.fromisoformat(d["recorded_at"]),
        content_hash=d["content_hash"],
        atribut=dict(d["atribut"]),
        verifikasi=None if d["verifikasi"] is None else structure(d["verifikasi"], Verification),
    )


def dimension(rec: StoredRecord, field: str) -> str | None:
    """The value of a tabulation field: status, source, ``atribut``, then the record."""
    if field == "status":
        return rec.status.value
    if field == "sumber_data":
        return rec.provenance.sumber.value
    if field in rec.atribut:
        value = rec.atribut[field]
        return None if value is None else str(value)
    return index_keys(rec.record).get(field)


class JsonlStore:
    """A :class:`kukm.storage.base.Store` in one append-only JSON-lines file."""

    def __init__(self, url: str) -> None:
        self.url = url
        directory = url.split("://", 1)[1] if "://" in url else ""
        if not directory:
            raise ConfigurationError("jsonl:// needs a directory: jsonl:///path/to/dir")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._log = self.dir / "kukm.jsonl"
        self._log.touch(exist_ok=True)
        self._lockfile = open(self.dir / "kukm.lock", "a+")  # noqa: SIM115 - held open
        self._thread_lock = threading.RLock()
        self._offset = 0
        self._versions: dict[tuple[str, str], list[StoredRecord]] = {}
        self._batches: dict[str, list[int]] = {}
        self._sequences: dict[str, int] = {}
        self._documents: dict[str, dict[str, dict[str, Any]]] = {}
        self._audit: list[AuditEvent] = []
        self._closed = False
        with self._locked():
            pass

    # -- the log ---------------------------------------------------------------------
    class _Lock:
        def __init__(self, store: JsonlStore) -> None:
            self.store = store

        def __enter__(self) -> None:
            self.store._thread_lock.acquire()
            fcntl.flock(self.store._lockfile.fileno(), fcntl.LOCK_EX)
            self.store._refresh()

        def __exit__(self, *exc: object) -> None:
            fcntl.flock(self.store._lockfile.fileno(), fcntl.LOCK_UN)
            self.store._thread_lock.release()

    def _locked(self) -> JsonlStore._Lock:
        if self._closed:
            raise StorageError("store is closed")
        return JsonlStore._Lock(self)

    def _refresh(self) -> None:
        """Apply lines appended (by anyone) since we last read; cut a torn last line."""
        with open(self._log, "rb+") as f:
            f.seek(self._offset)
            data = f.read()
            end = data.rfind(b"\n") + 1
            if end < len(data):  # a writer died mid-line: that change never happened
                f.truncate(self._offset + end)
            for line in data[:end].splitlines():
                self._apply(json.loads(line))
            self._offset += end

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        with open(self._log, "ab") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        self._apply(entry)
        self._offset += len(line)

    def _apply(self, e: Mapping[str, Any]) -> None:
        t = e["t"]
        if t == "batch":
            for v in e["versions"]:
                rec = _decode(v)
                self._versions.setdefault((rec.kind, rec.id), []).append(rec)
            if e.get("key") is not None:
                self._batches[e["key"]] = e["result"]
        elif t == "seq":
            self._sequences[e["prefix"]] = e["value"]
        elif t == "doc":
            self._documents.setdefault(e["collection"], {})[e["key"]] = e["doc"]
        elif t == "audit":
            ev = dict(e["event"])
            ev["waktu"] = dt.datetime.fromisoformat(ev["waktu"])
            self._audit.append(AuditEvent(**ev))

    # -- Store protocol ----------------------------------------------------------------
    def close(self) -> None:
        """Release the lock file. Idempotent."""
        if not self._closed:
            self._closed = True
            self._lockfile.close()

    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        """Apply every op atomically (one log line); idempotent per content and batch key."""
        prepared = []
        for op in ops:  # serialise everything before writing anything
            _check_kind(op.kind)
            if type(op.record) is not _TYPES[op.kind] or not op.id:
                raise StorageError(f"bad write op for {op.kind} {op.id!r}")
            try:
                payload = unstructure(op.record)
                json.dumps(payload)
            except (TypeError, ValueError) as exc:
                raise StorageError(f"{op.kind} {op.id}: cannot serialise: {exc}") from exc
            prepared.append((op, payload, content_hash(payload)))
        now = dt.datetime.now(dt.UTC)
        with self._locked():
            if batch_key is not None and batch_key in self._batches:
                i, u, n = self._batches[batch_key]
                return BatchResult(i, u, n, replayed=True)
            heads: dict[tuple[str, str], StoredRecord | None] = {}
            new: list[StoredRecord] = []
            inserted = updated = unchanged = 0
            for op, payload, digest in prepared:
                key = (op.kind, op.id)
                if key not in heads:
                    chain = self._versions.get(key)
                    heads[key] = chain[-1] if chain else None
                cur = heads[key]
                if (
                    cur is not None
                    and cur.content_hash == digest
                    and dict(cur.atribut) == dict(op.atribut)
                    and (op.status is None or op.status == cur.status)
                ):
                    unchanged += 1
                    continue
                rec = StoredRecord(
                    kind=op.kind,
                    id=op.id,
                    version=1 if cur is None else cur.version + 1,
                    record=structure(payload, _TYPES[op.kind]),
                    provenance=op.provenance,
                    status=op.status or default_status(op.provenance),
                    valid_from=op.valid_from or op.record.tanggal_data or now.date(),
                    recorded_at=now,
                    content_hash=digest,
                    atribut=dict(op.atribut),
                )
                heads[key] = rec
                new.append(rec)
                inserted, updated = (
                    (inserted + 1, updated) if cur is None else (inserted, updated + 1)
                )
            result = [inserted, updated, unchanged]
            if new or batch_key is not None:
                self._append(
                    {
                        "t": "batch",
                        "key": batch_key,
                        "result": result,
                        "versions": [_encode(r) for r in new],
                    }
                )
            return BatchResult(inserted, updated, unchanged)

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
        """Verify or reject the current version (adds a version carrying the verification)."""
        _check_kind(kind)
        status = VerificationStatus(status)
        with self._locked():
            chain = self._versions.get((kind, id))
            if not chain:
                raise NotFound(f"{kind} {id!r} not found")
            old = chain[-1]
            now = dt.datetime.now(dt.UTC)
            rec = StoredRecord(
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
                verifikasi=Verification(status, petugas, waktu or now, catatan),
            )
            self._append(
                {"t": "batch", "key": None, "result": [0, 1, 0], "versions": [_encode(rec)]}
            )
            return rec

    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """Current version, or ``None``."""
        _check_kind(kind)
        with self._locked():
            chain = self._versions.get((kind, id))
            return chain[-1] if chain else None

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version, oldest first."""
        _check_kind(kind)
        with self._locked():
            return list(self._versions.get((kind, id), ()))

    def _current(
        self, kind: str, wilayah: str | None, status: Collection[VerificationStatus] | None
    ) -> list[StoredRecord]:
        _check_kind(kind)
        wanted = None if status is None else {VerificationStatus(s) for s in status}
        with self._locked():
            heads = sorted((k[1], c[-1]) for k, c in self._versions.items() if k[0] == kind)
        return [
            r
            for _, r in heads
            if wilayah_matches(r.record.alamat.kode_wilayah, wilayah)
            and (wanted is None or r.status in wanted)
        ]

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions whose identifier ``key`` equals ``value``, ordered by id."""
        if key not in IDENTIFIER_KEYS:
            raise ValidationError(f"{key!r} is not one of {IDENTIFIER_KEYS}")
        return [
            r for r in self._current(kind, None, None) if index_keys(r.record).get(key) == value
        ]

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Current versions ordered by id (a snapshot of the in-memory index)."""
        yield from self._current(kind, wilayah, status)

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        return len(self._current(kind, wilayah, status))

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts grouped by TABULATION_FIELDS, ``None`` groups first."""
        unknown = [f for f in by if f not in TABULATION_FIELDS]
        if unknown or isinstance(by, str):
            raise ValidationError(f"cannot tabulate by {unknown or by!r}")
        counts: dict[tuple[str | None, ...], int] = {}
        for rec in self._current(kind, wilayah, status):
            group = tuple(dimension(rec, f) for f in by)
            counts[group] = counts.get(group, 0) + 1
        return sorted(counts.items(), key=lambda kv: [(g is not None, g or "") for g in kv[0]])

    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        """Next running number for ``prefix``, unique across processes (flock)."""
        with self._locked():
            value = self._sequences.get(prefix, 0) + 1
            if value > maximum:
                raise SequenceExhausted(value=prefix)
            self._append({"t": "seq", "prefix": prefix, "value": value})
            return value

    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace a JSON document."""
        try:
            data = json.loads(json.dumps(dict(doc)))
        except (TypeError, ValueError) as exc:
            raise StorageError(f"document cannot be stored: {exc}") from exc
        with self._locked():
            self._append({"t": "doc", "collection": collection, "key": key, "doc": data})

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
        with self._locked():
            doc = self._documents.get(collection, {}).get(key)
        return None if doc is None else json.loads(json.dumps(doc))

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, doc) of a collection, ordered by key."""
        with self._locked():
            items = sorted(self._documents.get(collection, {}).items())
        for key, doc in items:
            yield key, json.loads(json.dumps(doc))

    def audit(self, event: AuditEvent) -> None:
        """Append an event to the log."""
        with self._locked():
            self._append({"t": "audit", "event": unstructure(event)})

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """Events in append order, optionally from ``since`` on."""
        with self._locked():
            events = list(self._audit)
        for e in events:
            if since is None or _utc(e.waktu) >= _utc(since):
                yield e


def open_jsonl_store(url: str) -> JsonlStore:
    """Open ``jsonl://<directory>`` (created if missing)."""
    return JsonlStore(url)
