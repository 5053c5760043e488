"""Compare the local register with an ODS snapshot, and list what changed since the last sync.

Kepgub DKI 1625/2021 huruf G (integrasi data) and I angka 2 (sinkronisasi,
verifikasi dan validasi by the regional units). Records are matched by their
store id (:func:`kukm.integration.ods.koperasi_id`: the Nomor Induk Koperasi,
else the badan hukum number) and compared in the ODS layout, field by field.
The snapshot is streamed; only ids are kept in memory.

Fields are compared by the ODS field they are, not by how a side spells its name
(:func:`by_field`): a snapshot writing ``nomor induk koperasi (nik)`` or ``Nama
Koperasi`` where the stored source wrote ``Nomor Induk Koperasi (NIK)`` or
``Koperasi`` differs only where a value does, as :func:`~kukm.integration.ods.from_ods`
reads both the same (:func:`~kukm.integration.ods_fields.canonical_field`).

>>> from kukm.plugins import open_store
>>> from kukm.integration.ods import from_ods
>>> from kukm.integration.ods_io import import_ods, OdsRow
>>> store = open_store("memory://")
>>> a = {"Koperasi": "A", "Nomor Induk Koperasi (NIK)": "3173010010001", "Status Grade": "D"}
>>> _ = import_ods(store, [OdsRow(1, a)], resolve=False)
>>> snapshot = [OdsRow(1, a | {"Status Grade": "B"}),
...             OdsRow(2, {"Koperasi": "B", "Nomor Induk Koperasi (NIK)": "3173010010002"})]
>>> report = diff_snapshot(store, snapshot)
>>> report.new, [(c.field, c.local, c.remote) for c in report.changed[0].fields]
(('3173010010002',), [('Status Grade', 'D', 'B')])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from attrs import frozen

from kukm.integration.ods import from_ods, to_ods
from kukm.integration.ods_fields import by_field
from kukm.integration.ods_io import Format, OdsRow, read_ods, stored_koperasi
from kukm.integration.sync import STATE_COLLECTION, _agrees, agreed_hashes, ods_hash
from kukm.model import Koperasi
from kukm.storage.base import Store

__all__ = [
    "DiffReport",
    "FieldChange",
    "RecordDiff",
    "SinceReport",
    "by_field",
    "changes_since_sync",
    "diff_snapshot",
    "field_changes",
]


@frozen
class FieldChange:
    """One field that differs: the local value and the other side's (``None`` = absent)."""

    field: str
    local: Any
    remote: Any


@frozen
class RecordDiff:
    """A record that differs, with its changed fields.

    ``status`` is ``changed``, or for :func:`changes_since_sync` ``baru`` (never
    synced) / ``berubah`` (changed since the last agreed version).
    """

    id: str
    status: Literal["changed", "baru", "berubah"]
    fields: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "fields": [
                {"field": f.field, "local": f.local, "remote": f.remote} for f in self.fields
            ],
        }


@frozen
class DiffReport:
    """Local register vs snapshot: ``new`` (only in the snapshot), ``missing_in_snapshot``
    (only local), ``changed`` (both, with field differences), ``same`` (identical)."""

    new: tuple[str, ...]
    missing_in_snapshot: tuple[str, ...]
    changed: tuple[RecordDiff, ...]
    same: int
    invalid_rows: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": list(self.new),
            "missing_in_snapshot": list(self.missing_in_snapshot),
            "changed": [c.as_dict() for c in self.changed],
            "same": self.same,
            "invalid_rows": list(self.invalid_rows),
            "counts": {
                "new": len(self.new),
                "missing_in_snapshot": len(self.missing_in_snapshot),
                "changed": len(self.changed),
                "same": self.same,
            },
        }


def field_changes(local: Mapping[str, Any], remote: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Fields whose values differ between two ODS records (local order first).

    >>> field_changes({"A": "1", "B": "2"}, {"A": "1", "B": "3", "C": "4"})
    (FieldChange(field='B', local='2', remote='3'), FieldChange(field='C', local=None, remote='4'))
    """
    out: list[FieldChange] = []
    for name in dict.fromkeys([*local, *remote]):
        lv, rv = local.get(name), remote.get(name)
        if lv != rv or (name in local) != (name in remote):
            out.append(FieldChange(name, lv, rv))
    return tuple(out)


def diff_snapshot(
    store: Store,
    snapshot: str | Path | Iterable[OdsRow],
    *,
    format: Format | None = None,
    wilayah: str | None = None,
) -> DiffReport:
    """Compare every current koperasi of ``store`` with an ODS snapshot (file or rows)."""
    rows = read_ods(snapshot, format=format) if isinstance(snapshot, str | Path) else snapshot
    seen: set[str] = set()
    new: list[str] = []
    changed: list[RecordDiff] = []
    invalid: list[int] = []
    same = 0
    for row in rows:
        if row.record is None:
            invalid.append(row.row)
            continue
        result = from_ods(row.record, resolve=False)
        if not result.ok or result.koperasi.id is None:
            invalid.append(row.row)
            continue
        # a koperasi stored under its badan hukum number before it had its NIK Koperasi is
        # the record the snapshot's NIK names (as the import and the sync match it)
        id, stored = stored_koperasi(store, result.koperasi)
        if id in seen:
            continue
        seen.add(id)
        if stored is None or not isinstance(stored.record, Koperasi):
            new.append(id)
            continue
        fields = field_changes(by_field(to_ods(stored.record)), by_field(row.record))
        if fields:
            changed.append(RecordDiff(id, "changed", fields))
        else:
            same += 1
    missing = [s.id for s in store.iter_records("koperasi", wilayah=wilayah) if s.id not in seen]
    return DiffReport(tuple(new), tuple(missing), tuple(changed), same, tuple(invalid))


@frozen
class SinceReport:
    """Local changes not yet agreed with sync partner ``name``, and when it last ran."""

    name: str
    last_run: str | None
    changes: tuple[RecordDiff, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "last_run": self.last_run,
            "changes": [c.as_dict() for c in self.changes],
            "count": len(self.changes),
        }


def changes_since_sync(store: Store, name: str = "ods") -> SinceReport:
    """What changed locally since the last sync with ``name``, field by field.

    Uses the sync state kept by :func:`kukm.integration.sync.sync` (the hash of
    the last agreed ODS record per id) and the store's history to find the
    agreed version. Records never synced are listed as ``baru``. In each
    :class:`FieldChange`, ``local`` is the value now and ``remote`` the value
    last agreed with the partner.

    >>> from kukm.plugins import open_store
    >>> from kukm.integration.ods_io import OdsRow, import_ods
    >>> store = open_store("memory://")
    >>> _ = import_ods(store, [OdsRow(1, {"Koperasi": "A"})], resolve=False)
    >>> [(c.status, c.fields[0].local) for c in changes_since_sync(store).changes]
    [('baru', 'A')]
    """
    state = store.get_document(STATE_COLLECTION, name) or {}
    agreed = agreed_hashes(store, name)
    out: list[RecordDiff] = []
    for stored in store.iter_records("koperasi"):
        if not isinstance(stored.record, Koperasi):
            continue
        current = to_ods(stored.record)
        base_hash = agreed.get(stored.id)
        if base_hash is None:
            fresh = tuple(FieldChange(f, v, None) for f, v in current.items())
            out.append(RecordDiff(stored.id, "baru", fresh))
            continue
        if _agrees(base_hash, current, ods_hash(current)):
            continue
        agreed_record: dict[str, Any] = {}
        for version in reversed(store.history("koperasi", stored.id)):
            if isinstance(version.record, Koperasi):
                candidate = to_ods(version.record)
                if _agrees(base_hash, candidate, ods_hash(candidate)):
                    agreed_record = candidate
                    break
        # by field: a version spelling the field names otherwise differs only in its values
        changes = tuple(
            FieldChange(c.field, c.remote, c.local)
            for c in field_changes(by_field(agreed_record), by_field(current))
        )
        out.append(RecordDiff(stored.id, "berubah", changes))
    return SinceReport(name, state.get("last_run"), tuple(out))
