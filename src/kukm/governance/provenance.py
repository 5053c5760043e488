"""Sources, submissions and field-level provenance (Kepgub DKI 1625/2021 D, E.1, E.7–8).

Data is sent by Bidang Koperasi, Bidang UKM, Sudin, Camat and Lurah (E.1),
by Dekopinwil/Dekopinda (D.1), by the businesses themselves (D.2), from ODS,
or by other parties (D.3, verified by the Dinas first). Every version a store
keeps carries a :class:`~kukm.storage.base.Provenance`: the sender
(:class:`~kukm.model.SumberData`), the officer who answers for it
(``petugas``, E.7–8), when, and the submission it came in.

:func:`field_provenance` tells, for each field of a record, which
submission last set it; :func:`verification_trail` lists who verified or
rejected it, when, and why.

>>> import datetime as dt
>>> from kukm.model import Umkm, SumberData
>>> from kukm.storage.base import Provenance
>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.storage.base import WriteOp
>>> s = MemoryStore()
>>> _ = s.write_batch([WriteOp("umkm", "u1", Umkm(nama_usaha="Toko"),
...                            Provenance(SumberData.KELURAHAN, "lurah-1", id_pengiriman="p1"))])
>>> _ = s.write_batch([WriteOp("umkm", "u1", Umkm(nama_usaha="Toko", kbli="47111"),
...                            Provenance(SumberData.SUDIN, "sudin-1", id_pengiriman="p2"))])
>>> fp = field_provenance(s.history("umkm", "u1"))
>>> fp["nama_usaha"].provenance.id_pengiriman, fp["kbli"].provenance.id_pengiriman
('p1', 'p2')
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from kukm.converters import unstructure
from kukm.model import SumberData
from kukm.storage.base import Provenance, StoredRecord, Verification

__all__ = [
    "SUBMISSIONS",
    "FieldSource",
    "Submission",
    "field_provenance",
    "flatten",
    "new_submission_id",
    "verification_trail",
]

#: Document collection holding one :class:`Submission` per ``id_pengiriman``.
SUBMISSIONS = "pengiriman"


@frozen
class Submission:
    """One submission (pengiriman): sender, answerable officer, when, what it did.

    ``sumber``/``petugas`` are those of the first record; ``per_sumber``
    counts every source when a file mixes them.
    """

    id_pengiriman: str
    sumber: SumberData
    petugas: str | None
    waktu: dt.datetime
    pengirim: str
    jumlah: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Records per source when one submission mixes sources (e.g. an import file).
    per_sumber: Mapping[str, int] = field(factory=dict)

    def as_document(self) -> dict[str, Any]:
        """JSON-ready form stored in the ``pengiriman`` collection.

        >>> Submission("p1", SumberData.SUDIN, "s1", dt.datetime(2026, 1, 2), "s1").as_document()["sumber"]
        'sudin'
        """
        return {
            "id_pengiriman": self.id_pengiriman,
            "sumber": self.sumber.value,
            "petugas": self.petugas,
            "waktu": self.waktu.isoformat(),
            "pengirim": self.pengirim,
            "jumlah": self.jumlah,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "per_sumber": dict(self.per_sumber),
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Submission:
        """Inverse of :meth:`as_document`.

        >>> d = Submission("p1", SumberData.ODS, None, dt.datetime(2026, 1, 2), "x").as_document()
        >>> Submission.from_document(d).sumber
        <SumberData.ODS: 'ods'>
        """
        return cls(
            str(doc["id_pengiriman"]),
            SumberData(doc["sumber"]),
            doc.get("petugas"),
            dt.datetime.fromisoformat(doc["waktu"]),
            str(doc.get("pengirim", "")),
            int(doc.get("jumlah", 0)),
            int(doc.get("inserted", 0)),
            int(doc.get("updated", 0)),
            int(doc.get("unchanged", 0)),
            {str(k): int(v) for k, v in doc.get("per_sumber", {}).items()},
        )


@frozen
class FieldSource:
    """Which version (and so which submission) last set one field, and to what."""

    version: int
    provenance: Provenance
    recorded_at: dt.datetime
    valid_from: dt.date
    value: Any


def new_submission_id(now: dt.datetime | None = None) -> str:
    """A fresh, sortable submission id (``P`` + UTC timestamp + random suffix).

    >>> new_submission_id(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))[:16]
    'P20260102T030405'
    """
    t = now or dt.datetime.now(dt.UTC)
    return f"P{t:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested plain data (or an entity) as ``{dotted.path: leaf value}``.

    >>> flatten({"a": 1, "b": {"c": None, "d": [1]}})
    {'a': 1, 'b.c': None, 'b.d': [1]}
    """
    if not isinstance(data, Mapping) and not prefix:
        data = unstructure(data)
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        if not data and prefix:
            out[prefix] = None
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping) and value:
                out.update(flatten(value, path))
            else:
                out[path] = value if not (isinstance(value, Mapping)) else None
    else:
        out[prefix] = data
    return out


def field_provenance(history: Sequence[StoredRecord]) -> dict[str, FieldSource]:
    """``{field_path: FieldSource}``: the version/submission that last set each field.

    ``history`` is :meth:`Store.history` (oldest first). Fields never given a
    value are absent; a field later cleared maps to the version that cleared
    it (``value`` ``None``). Versions that only change the verification status
    set no field.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm
    >>> from kukm.storage.base import WriteOp
    >>> s = MemoryStore()
    >>> for n, k in (("P1", "47111"), ("P2", None)):
    ...     _ = s.write_batch([WriteOp("umkm", "u", Umkm(nama_usaha="T", kbli=k),
    ...                                Provenance(SumberData.ODS, id_pengiriman=n))])
    >>> fp = field_provenance(s.history("umkm", "u"))
    >>> fp["kbli"].provenance.id_pengiriman, fp["kbli"].value, fp["nama_usaha"].version
    ('P2', None, 1)
    """
    result: dict[str, FieldSource] = {}
    previous: dict[str, Any] = {}
    previous_hash: str | None = None
    for version in history:
        if version.content_hash == previous_hash:
            continue
        current = flatten(version.record)
        for path in set(current) | set(previous):
            new = current.get(path)
            if path in previous or path in result:
                changed = previous.get(path) != new
            else:
                changed = new is not None and new != {} and new != []
            if changed:
                result[path] = FieldSource(
                    version.version,
                    version.provenance,
                    version.recorded_at,
                    version.valid_from,
                    new,
                )
        previous = current
        previous_hash = version.content_hash
    return result


def verification_trail(history: Iterable[StoredRecord]) -> list[Verification]:
    """Every verification or rejection of a record (who, when, notes), oldest first.

    >>> verification_trail([])
    []
    """
    return [v.verifikasi for v in history if v.verifikasi is not None]
