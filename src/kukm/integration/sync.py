"""Sync protocol between the local register and the ministry's ODS: cursor, retries, conflicts.

Kepgub DKI 1625/2021 huruf G angka 1–2 (integration of the Dinas's system with
the ODS) and huruf I angka 2 (the regional units control synchronisation).
Data authority stays with the regional agencies (REGULATIONS.md §2, [S]), so
by default the **local (regional) register wins** a conflict; the authority
is configurable per field or per side (:class:`ConflictRule`).

Protocol (any transport implementing :class:`SyncTransport`; the HTTP one is
``ods-http`` in :mod:`kukm.adapters.ods_http`):

* **pull** ``since=<cursor>`` returns a page of remote changes (id + ODS
  record), the next cursor and whether more follow. The cursor is saved in
  the store (documents collection ``sync_state``) after every page, so an
  interrupted run resumes where it stopped. Duplicate deliveries are ignored.
* **push** sends local records whose ODS form differs from what the remote
  side last acknowledged, in batches with an **idempotency key** derived from
  the content and the number of batches acknowledged so far (``push_generation``
  in ``sync_state``), so a retried or resumed batch is applied once, while a
  later push of content sent before (a value changed and changed back) is a new
  batch, not a replay of the old answer. Only records the partner acknowledges
  (``ok``, ``created``, ``updated``, ``unchanged``) count as agreed; a record it
  rejects is logged in ``sync_rejects:<name>`` (code ``SYNC_PUSH_REJECTED``) and
  pushed again next run.
* A partner whose cursor stops moving while it says more pages follow
  (``more`` with the same or no ``next``) is given up on after
  :data:`MAX_STALLED_PAGES` pages (``SYNC_CURSOR_STUCK``), not looped on.
* For every record the store keeps the hash of the ODS form both sides agreed
  on last (collection ``sync_base:<name>``). A remote change to a record that
  also changed locally is a **conflict**: merged field by field against that
  base; a field changed on both sides goes to the authority. Both the remote
  version and the merged result are written, so history keeps both values;
  each conflict is logged in collection ``sync_conflicts:<name>``.
* Records are compared, hashed and merged by the ODS field each name stands for
  (:func:`ods_hash`, :func:`kukm.integration.ods_fields.by_field`), not by how a side
  spells it: a record sent again under ``Nama Koperasi`` or ``Grade`` where the
  other side wrote ``Koperasi`` and ``Status Grade``, with the same values, is
  the same record, neither pulled nor pushed again.

Retries use exponential backoff with full jitter (:class:`RetryPolicy`, sleep
and randomness injectable for tests), and wait at least what the partner asks
(``Retry-After`` of an HTTP 429 or 503, :attr:`TransientSyncError.retry_after`).

>>> rule = ConflictRule(default="local", fields={"Status Grade": "remote"})
>>> rule.winner("Status Grade"), rule.winner("Alamat")
('remote', 'local')
>>> RetryPolicy(base_delay=1.0, max_delay=8.0, random=lambda: 1.0).delay(5)
8.0
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random as _random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, Protocol, TypeVar, runtime_checkable

import attrs
from attrs import field, frozen

from kukm.exceptions import AdapterError, ConfigurationError, register_code
from kukm.integration.ods import WilayahResolver, cached_resolver, from_ods, keep_local, to_ods
from kukm.integration.ods_fields import by_field, canonical_field
from kukm.integration.ods_io import stored_koperasi
from kukm.model import Koperasi, SumberData
from kukm.storage.base import (
    AuditEvent,
    Provenance,
    Store,
    StoredRecord,
    WriteOp,
    content_hash,
)

__all__ = [
    "ACCEPTED",
    "MAX_STALLED_PAGES",
    "STATE_COLLECTION",
    "ConflictRule",
    "PullPage",
    "PushAck",
    "RemoteChange",
    "RemoteNotFound",
    "RetryPolicy",
    "Side",
    "SyncError",
    "SyncReport",
    "SyncTransport",
    "TransientSyncError",
    "agreed_hashes",
    "base_collection",
    "conflict_collection",
    "ods_hash",
    "reject_collection",
    "sync",
]

Side = Literal["local", "remote"]
T = TypeVar("T")

STATE_COLLECTION: Final = "sync_state"
#: Pages in a row a partner may answer ``more`` without moving its cursor (one repeated
#: page is a duplicate delivery; a cursor that never moves would loop for ever).
MAX_STALLED_PAGES: Final = 3
#: Acknowledgement statuses that mean the partner holds the pushed record.
ACCEPTED: Final = frozenset({"ok", "created", "updated", "unchanged"})

SYNC_CURSOR_STUCK: Final = register_code(
    "SYNC_CURSOR_STUCK",
    "Mitra sinkronisasi terus menyatakan ada halaman berikutnya tanpa memajukan kursor.",
    "The sync partner keeps announcing more pages without moving its cursor.",
    module=__name__,
)
SYNC_PUSH_REJECTED: Final = register_code(
    "SYNC_PUSH_REJECTED",
    "Data yang dikirim ditolak atau tidak dikonfirmasi mitra sinkronisasi; dikirim ulang "
    "pada sinkronisasi berikutnya.",
    "The sync partner rejected or did not acknowledge a pushed record; it is sent again "
    "on the next sync.",
    module=__name__,
)
SYNC_RATE_LIMITED: Final = register_code(
    "SYNC_RATE_LIMITED",
    "Mitra sinkronisasi meminta menunggu lebih lama dari batas yang diizinkan.",
    "The sync partner asks to wait longer than the allowed maximum.",
    module=__name__,
)


def base_collection(name: str) -> str:
    """Documents collection holding the last agreed ODS hash per record id."""
    return f"sync_base:{name}"


def conflict_collection(name: str) -> str:
    """Documents collection logging every conflict (both values, the winner)."""
    return f"sync_conflicts:{name}"


def reject_collection(name: str) -> str:
    """Documents collection logging every pushed record the partner did not accept
    (key ``<id>@<hash>``: code, the partner's status and error)."""
    return f"sync_rejects:{name}"


class SyncError(AdapterError):
    """The sync could not finish (after retries). The saved cursor lets it resume."""

    code = "SYNC_FAILED"
    message_id = "Sinkronisasi gagal."
    message = "Synchronisation failed."


class TransientSyncError(SyncError):
    """A failure worth retrying: timeout, dropped connection, HTTP 5xx or 429.

    ``retry_after``: seconds the partner asked to wait (``Retry-After``), if it did.
    """

    code = "SYNC_TRANSIENT"
    message_id = "Gangguan sementara saat sinkronisasi."
    message = "Transient synchronisation failure."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RemoteNotFound(SyncError):
    """The remote side does not know the requested record (HTTP 404)."""

    code = "SYNC_NOT_FOUND"
    message_id = "Data tidak ditemukan di sisi mitra sinkronisasi."
    message = "The sync partner does not have this record."


@frozen
class RemoteChange:
    """One record as the remote side has it: store id, ODS record, remote sequence."""

    id: str
    record: Mapping[str, Any]
    seq: str | None = None


@frozen
class PullPage:
    """A page of remote changes; ``next_cursor`` resumes after it."""

    changes: tuple[RemoteChange, ...]
    next_cursor: str | None
    more: bool = False


@frozen
class PushAck:
    """The remote side's answer for one pushed record; ``status`` outside :data:`ACCEPTED`
    (e.g. ``rejected``) means the partner does not hold it, ``error`` says why."""

    id: str
    seq: str | None = None
    status: str = "ok"
    error: str | None = None


@runtime_checkable
class SyncTransport(Protocol):
    """What a sync transport provides (registered via ``kukm_register_sync_transports``)."""

    def pull(self, since: str | None, *, limit: int) -> PullPage:
        """Remote changes after cursor ``since`` (``None`` = from the beginning)."""
        ...

    def push(self, changes: Sequence[RemoteChange], *, idempotency_key: str) -> Sequence[PushAck]:
        """Send records; the same ``idempotency_key`` is applied at most once."""
        ...


@frozen
class RetryPolicy:
    """Exponential backoff with full jitter: wait ``random() * min(max, base * 2**n)``,
    or what the partner asks (:attr:`TransientSyncError.retry_after`) if that is longer;
    a partner asking more than ``max_retry_after`` seconds is given up on at once
    (``SYNC_RATE_LIMITED``).

    ``sleep`` and ``random`` are injectable so tests never wait.

    >>> waits = []
    >>> policy = RetryPolicy(attempts=3, sleep=waits.append, random=lambda: 0.5)
    >>> calls = iter([TransientSyncError(), TransientSyncError(), "ok"])
    >>> def flaky():
    ...     v = next(calls)
    ...     if isinstance(v, Exception):
    ...         raise v
    ...     return v
    >>> policy.call(flaky), waits
    ('ok', [0.125, 0.25])
    >>> waits.clear()
    >>> calls = iter([TransientSyncError("HTTP 429", retry_after=30.0), "ok"])
    >>> policy.call(flaky), waits
    ('ok', [30.0])
    """

    attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random

    def delay(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (0-based)."""
        return float(self.random() * min(self.max_delay, self.base_delay * (2**attempt)))

    def call(
        self, fn: Callable[[], T], *, on_retry: Callable[[int, Exception], None] | None = None
    ) -> T:
        """Call ``fn``, retrying :class:`TransientSyncError` up to ``attempts`` times in all."""
        attempt = 0
        while True:
            try:
                return fn()
            except TransientSyncError as exc:
                if attempt + 1 >= self.attempts:
                    raise SyncError(f"gave up after {self.attempts} attempts: {exc}") from exc
                wait = self.delay(attempt)
                if exc.retry_after is not None:
                    if exc.retry_after > self.max_retry_after:
                        raise SyncError(
                            f"the partner asks to wait {exc.retry_after:g} s, more than "
                            f"{self.max_retry_after:g} s: {exc}",
                            code=SYNC_RATE_LIMITED,
                        ) from exc
                    wait = max(wait, exc.retry_after)
                if on_retry is not None:
                    on_retry(attempt, exc)
                self.sleep(wait)
                attempt += 1


@frozen
class ConflictRule:
    """Which side wins a field changed on both sides: ``fields`` overrides ``default``.

    The default ``"local"`` makes the regional register (Dinas PPKUKM, the
    regional data authority) win; use ``ConflictRule(default="remote")`` where
    the ministry's values must prevail, or per field
    (``fields={"Status NIK": "remote"}``).

    >>> ConflictRule.parse("remote", ["Alamat=local"]).winner("Alamat")
    'local'
    """

    default: Side = "local"
    fields: Mapping[str, Side] = field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for side in (self.default, *self.fields.values()):
            if side not in ("local", "remote"):
                raise ConfigurationError(f"authority must be 'local' or 'remote', not {side!r}")

    def winner(self, name: str) -> Side:
        """The side whose value of field ``name`` wins; a field is found under any name
        :func:`~kukm.integration.ods_fields.canonical_field` reads as it.

        >>> ConflictRule(fields={"Grade": "remote"}).winner("Status Grade")
        'remote'
        """
        side = self.fields.get(name)
        if side is not None:
            return side
        field = canonical_field(name) or name
        for key, side in self.fields.items():
            if (canonical_field(key) or key) == field:
                return side
        return self.default

    @classmethod
    def parse(cls, default: str, per_field: Sequence[str] = ()) -> ConflictRule:
        """Build from CLI text: ``default`` side and ``"Field Name=side"`` items."""
        fields: dict[str, Side] = {}
        for item in per_field:
            name, sep, side = item.rpartition("=")
            if not sep or side.strip() not in ("local", "remote"):
                raise ConfigurationError(f"expected 'Field=local|remote', got {item!r}")
            fields[name.strip()] = "local" if side.strip() == "local" else "remote"
        if default not in ("local", "remote"):
            raise ConfigurationError(f"authority must be 'local' or 'remote', not {default!r}")
        return cls("local" if default == "local" else "remote", fields)


@frozen
class SyncReport:
    """What one sync run did. ``transferred == 0`` means both sides were already equal."""

    received: int = 0
    duplicates: int = 0
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    pushed: int = 0
    rejected: int = 0
    pages: int = 0
    batches: int = 0
    retries: int = 0
    cursor: str | None = None

    @property
    def transferred(self) -> int:
        return self.applied + self.pushed

    def as_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["transferred"] = self.transferred
        return out


def ods_hash(record: Mapping[str, Any]) -> str:
    """Stable hash of an ODS record (the unit both sides compare), by field: the record
    under its fields' own names (:func:`kukm.integration.ods_fields.by_field`), so another
    spelling of a field name hashes the same. A record under the ministry's names (and
    any unknown field under its own) is hashed as it is, as before fields were read under
    other names, so the hashes stored then stay valid.

    >>> ods_hash({"Koperasi": "A"}) == ods_hash({"Nama Koperasi": "A"})
    True
    >>> ods_hash({"Koperasi": "A"}) == content_hash({"Koperasi": "A"})
    True
    """
    return content_hash(by_field(record))


def _agrees(agreed: str | None, record: Mapping[str, Any], hash: str) -> bool:
    """Whether ``record`` (whose :func:`ods_hash` is ``hash``) is the agreed one: by field,
    or, for a hash stored before records were hashed by field, as the record is spelt."""
    if agreed is None:
        return False
    return agreed == hash or content_hash(record) == agreed


def _spelt_as(record: Mapping[str, Any], *sources: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` (one name per field, as :func:`_merge` gives it) with each field under
    the name the first of ``sources`` giving it uses, so a merged record keeps a side's
    names; :func:`from_ods` reads it the same.

    >>> _spelt_as({"Koperasi": "A", "Status Grade": "B"}, {"Nama Koperasi": "X"})
    {'Nama Koperasi': 'A', 'Status Grade': 'B'}
    """
    names: dict[str, str] = {}
    for source in sources:
        for key in source:
            field = canonical_field(str(key))
            if field is not None:
                names.setdefault(field, str(key))
    return {names.get(key, key): value for key, value in record.items()}


def _merge(
    local: Mapping[str, Any],
    remote: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    rule: ConflictRule,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Three-way merge of ODS records by field (:func:`kukm.integration.ods_fields.by_field`, so a
    side spelling a field's name otherwise is the same field); returns the merged record,
    under the fields' own names, and the conflicting fields."""
    local, remote = by_field(local), by_field(remote)
    base = None if base is None else by_field(base)
    merged: dict[str, Any] = {}
    clashes: list[dict[str, Any]] = []
    missing = object()
    for name in list(dict.fromkeys([*remote, *local])):
        lv, rv = local.get(name, missing), remote.get(name, missing)
        bv = base.get(name, missing) if base is not None else missing
        if lv == rv:
            chosen = lv
        elif base is not None and lv == bv:
            chosen = rv
        elif base is not None and rv == bv:
            chosen = lv
        else:
            side = rule.winner(name)
            chosen = lv if side == "local" else rv
            clashes.append(
                {
                    "field": name,
                    "local": None if lv is missing else lv,
                    "remote": None if rv is missing else rv,
                    "winner": side,
                }
            )
        if chosen is not missing:
            merged[name] = chosen
    return merged, clashes


def _base_record(store: Store, id: str, base_hash: str | None) -> dict[str, Any] | None:
    if base_hash is None:
        return None
    for version in reversed(store.history("koperasi", id)):
        if isinstance(version.record, Koperasi):
            ods = to_ods(version.record)
            if _agrees(base_hash, ods, ods_hash(ods)):
                return ods
    return None


def _koperasi(
    ods: Mapping[str, Any], id: str, local: Koperasi | None, resolver: WilayahResolver | None
) -> Koperasi:
    k = from_ods(ods, resolver=resolver).koperasi
    if local is not None:
        return keep_local(k, local)  # the ODS supplies the ODS fields only
    return attrs.evolve(k, id=id)


def _stored(store: Store, remote: Mapping[str, Any], id: str) -> tuple[str, StoredRecord | None]:
    """The local id and current version of the koperasi the partner sent as ``id``: for a
    NIK-based ``id`` unknown here, the record kept under the koperasi's badan hukum number
    (:func:`~kukm.integration.ods_io.stored_koperasi`), else ``(id, None)``."""
    k = from_ods(remote, resolve=False).koperasi
    if k.id != id:  # the partner does not key this record the way kukm does
        return id, None
    return stored_koperasi(store, k)


def sync(
    store: Store,
    transport: SyncTransport,
    *,
    name: str = "ods",
    rule: ConflictRule | None = None,
    page_size: int = 200,
    batch_size: int = 200,
    resolver: WilayahResolver | None = None,
    push: bool = True,
    pull: bool = True,
    petugas: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> SyncReport:
    """Pull remote changes, then push local ones, until both sides hold the same ODS records.

    ``name`` separates sync partners (its cursor and per-record state).
    Raises :class:`SyncError` when the transport keeps failing; what was done
    is saved, so running again resumes. A finished run is written to the
    audit log (``aksi="ods_sync"``, actor ``petugas`` or ``sync:<name>``).

    >>> from kukm.plugins import open_store
    >>> class Remote:  # a minimal in-process transport
    ...     def __init__(self): self.data = {"1": {"Koperasi": "A"}}
    ...     def pull(self, since, *, limit):
    ...         changes = () if since else tuple(RemoteChange(k, v, "1") for k, v in self.data.items())
    ...         return PullPage(changes, "1")
    ...     def push(self, changes, *, idempotency_key):
    ...         self.data.update({c.id: dict(c.record) for c in changes})
    ...         return [PushAck(c.id) for c in changes]
    >>> store, remote = open_store("memory://"), Remote()
    >>> sync(store, remote).applied, sync(store, remote).transferred
    (1, 0)
    """
    rule = rule or ConflictRule()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    resolver = cached_resolver(resolver)
    state = store.get_document(STATE_COLLECTION, name) or {}
    cursor: str | None = state.get("remote_cursor")
    counts = dict.fromkeys(
        [
            "received",
            "duplicates",
            "applied",
            "skipped",
            "conflicts",
            "pushed",
            "rejected",
            "pages",
            "batches",
        ],
        0,
    )
    bases = base_collection(name)
    agreed_now = agreed_hashes(store, name)  # one streamed read instead of one per record

    from kukm.pipeline.checks import classify  # the dimensions kukm import and ods import store

    def op(id: str, record: Koperasi, sumber: SumberData, tag: str) -> WriteOp:
        # with the same derived dimensions as the imports, or a sync and an import of one
        # record would each add a version over the other's
        return WriteOp(
            kind="koperasi",
            id=id,
            record=record,
            provenance=Provenance(sumber=sumber, waktu=clock(), id_pengiriman=tag),
            atribut=classify(record),
        )

    stalled = 0
    while pull:
        page = transport.pull(cursor, limit=page_size)
        counts["pages"] += 1
        if page.more and (page.next_cursor is None or page.next_cursor == cursor):
            stalled += 1
            if stalled >= MAX_STALLED_PAGES:
                raise SyncError(
                    f"{stalled} pages in a row announce more without moving the cursor "
                    f"from {cursor!r}",
                    code=SYNC_CURSOR_STUCK,
                )
        else:
            stalled = 0
        seen: set[str] = set()
        # The applies of this page (plain ones, and a conflict's remote version with its
        # merge) go in one atomic batch; the agreed hashes are saved after it and the
        # cursor last, so a crash never loses a record nor leaves half a merge.
        applies: list[WriteOp] = []
        agreed: list[tuple[str, dict[str, Any]]] = []
        for change in page.changes:
            counts["received"] += 1
            if change.id in seen:
                counts["duplicates"] += 1
                continue
            seen.add(change.id)
            remote = dict(change.record)
            rhash = ods_hash(remote)
            base_hash = agreed_now.get(change.id)
            if _agrees(base_hash, remote, rhash):
                counts["skipped"] += 1
                continue
            current = store.get("koperasi", change.id)
            id = change.id
            if current is None:
                # a koperasi kept under its badan hukum number before it had a NIK Koperasi
                id, current = _stored(store, remote, change.id)
                if id != change.id:
                    base_hash = agreed_now.get(id)
                    if _agrees(base_hash, remote, rhash):
                        counts["skipped"] += 1
                        continue
            local = current.record if current and isinstance(current.record, Koperasi) else None
            tag = f"sync:{name}:{change.seq}"
            if local is None:
                applies.append(
                    op(change.id, _koperasi(remote, change.id, None, resolver), SumberData.ODS, tag)
                )
                counts["applied"] += 1
            else:
                local_ods = to_ods(local)
                lhash = ods_hash(local_ods)
                if lhash == rhash:
                    counts["skipped"] += 1
                elif _agrees(base_hash, local_ods, lhash):
                    applies.append(
                        op(
                            id,
                            _koperasi(remote, id, local, resolver),
                            SumberData.ODS,
                            tag,
                        )
                    )
                    counts["applied"] += 1
                else:
                    base_ods = _base_record(store, id, base_hash)
                    merged, clashes = _merge(local_ods, remote, base_ods, rule)
                    merged = _spelt_as(merged, remote, local_ods)
                    # the remote version and the merge go in the page's one batch: written
                    # alone, the remote version became current, and a run resumed after a
                    # failure before the merge took it for the local record (the local edit
                    # was lost; the agreed hash moved past it)
                    applies.append(
                        op(id, _koperasi(remote, id, local, resolver), SumberData.ODS, tag)
                    )
                    counts["applied"] += 1
                    if ods_hash(merged) != rhash:
                        assert current is not None
                        applies.append(
                            op(
                                id,
                                _koperasi(merged, id, local, resolver),
                                current.provenance.sumber,
                                f"sync-merge:{name}:{change.seq}",
                            )
                        )
                    if clashes:
                        counts["conflicts"] += 1
                        store.put_document(
                            conflict_collection(name),
                            f"{id}@{change.seq}",
                            {
                                "id": id,
                                "seq": change.seq,
                                "fields": clashes,
                                "waktu": clock().isoformat(),
                            },
                        )
            agreed.append((id, {"hash": rhash, "seq": change.seq}))
        if applies:
            store.write_batch(applies)
        for id, doc in agreed:
            store.put_document(bases, id, doc)
            agreed_now[id] = doc["hash"]
        if page.next_cursor is not None:
            cursor = page.next_cursor
        state = {**state, "remote_cursor": cursor}
        store.put_document(STATE_COLLECTION, name, state)
        if not page.more:
            break

    if push:
        pending = list(_push_candidates(store, agreed_now))
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            changes: list[RemoteChange] = []
            hashes: dict[str, str] = {}
            for id, _ in chunk:
                current = store.get("koperasi", id)
                if current is None or not isinstance(current.record, Koperasi):
                    continue
                ods = to_ods(current.record)
                hashes[id] = ods_hash(ods)
                changes.append(RemoteChange(id=id, record=ods))
            if not changes:
                continue
            generation = state.get("push_generation", 0)
            generation = generation if isinstance(generation, int) else 0
            key = _idempotency_key(name, hashes, generation)
            acks = transport.push(changes, idempotency_key=key)
            counts["batches"] += 1
            answered: dict[str, PushAck] = {ack.id: ack for ack in acks if ack.id in hashes}
            for id in hashes:
                ack = answered.get(id)
                if ack is not None and ack.status in ACCEPTED:
                    store.put_document(bases, id, {"hash": hashes[id], "seq": ack.seq})
                    agreed_now[id] = hashes[id]
                    counts["pushed"] += 1
                    continue
                counts["rejected"] += 1
                store.put_document(
                    reject_collection(name),
                    f"{id}@{hashes[id]}",
                    {
                        "id": id,
                        "code": SYNC_PUSH_REJECTED,
                        "hash": hashes[id],
                        "status": "missing" if ack is None else ack.status,
                        "error": None if ack is None or ack.error is None else ack.error[:200],
                        "waktu": clock().isoformat(),
                    },
                )
            # a later batch, even of content pushed before, gets another key
            state = {**state, "push_generation": generation + 1}
            store.put_document(STATE_COLLECTION, name, state)

    store.put_document(
        STATE_COLLECTION,
        name,
        {**state, "remote_cursor": cursor, "last_run": clock().isoformat()},
    )
    retries = getattr(transport, "retries", 0)
    report = SyncReport(cursor=cursor, retries=retries if isinstance(retries, int) else 0, **counts)
    store.audit(
        AuditEvent(
            waktu=clock(),
            aktor=petugas or f"sync:{name}",
            aksi="ods_sync",
            kind="koperasi",
            detail=json.dumps(report.as_dict(), sort_keys=True),
        )
    )
    return report


def agreed_hashes(store: Store, name: str = "ods") -> dict[str, str]:
    """Record id → hash of the ODS form last agreed with sync partner ``name``.

    >>> from kukm.plugins import open_store
    >>> agreed_hashes(open_store("memory://"))
    {}
    """
    out: dict[str, str] = {}
    for key, doc in store.iter_documents(base_collection(name)):
        value = doc.get("hash")
        if isinstance(value, str):
            out[key] = value
    return out


def _push_candidates(store: Store, agreed: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(id, hash) of every local koperasi whose ODS form differs from the last agreed one."""
    for stored in store.iter_records("koperasi"):
        if not isinstance(stored.record, Koperasi):
            continue
        ods = to_ods(stored.record)
        h = ods_hash(ods)
        if not _agrees(agreed.get(stored.id), ods, h):
            yield stored.id, h


def _idempotency_key(name: str, hashes: Mapping[str, str], generation: int = 0) -> str:
    """The same batch (ids and contents) at the same ``generation`` (batches acknowledged
    before it) gets the same key; the partner applies it once."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{generation}\n".encode())
    for id in sorted(hashes):
        digest.update(f"{id}\x00{hashes[id]}\n".encode())
    return f"kukm-{name}-{digest.hexdigest()}"
