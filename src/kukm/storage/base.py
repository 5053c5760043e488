"""The storage contract (a :class:`typing.Protocol`) and its value types.

Every adapter (memory, SQLite, SQLAlchemy for PostgreSQL/MariaDB, or a
third-party package) implements :class:`Store`. Callers go through the
service layer (:mod:`kukm.governance`), which enforces access rights and
writes the audit log; the store itself only keeps data safe.

Guarantees an adapter gives (checked by :mod:`kukm.testing.conformance`):

* **Full history.** Every write that changes a record adds a version; no
  version is ever changed or erased. Valid time (``valid_from``, the date the
  data refers to) is kept apart from record time (``recorded_at``, when the
  store learned it).
* **Idempotent writes.** Writing a record whose content equals its current
  version adds nothing (``unchanged``). A batch with a ``batch_key`` already
  committed is not applied again.
* **Atomic batches.** ``write_batch`` applies all of its operations or none.
* **Unique running numbers.** ``allocate_sequence(prefix)`` never returns the
  same number twice for a prefix, across processes and machines.
* **Streaming.** ``iter_records`` yields lazily, never loading everything.
* **Push-down tabulation.** ``tabulate`` counts in the database.
* **One reading per table** (optional, :class:`SnapshotTabulation`):
  ``tabulate_total`` returns the groups of ``tabulate`` and the total of
  ``count`` read from one snapshot of the data, so a batch another process
  commits meanwhile is in both or in neither. A store without it still works:
  :func:`tabulate_total` then makes the two reads one after the other (a write
  between them can make a table not add up, which
  :func:`kukm.reports.rekap.rekap` reports as ``REKAP_TIDAK_SEIMBANG``).
  Likewise ``snapshot()`` (optional, :class:`SnapshotReads`): every read of
  that handle from that thread inside the block sees one state of the data
  (the reports of :mod:`kukm.reports.periode` stream the records and read
  histories inside one); without it :func:`read_snapshot` does nothing.

>>> from kukm.model import Umkm, Alamat
>>> keys = index_keys(Umkm(nama_usaha="A", nib="1234567890123",
...                        alamat=Alamat(kode_wilayah="31.71.01.1001")))
>>> keys["nib"], keys["kab_kota"], keys["kecamatan"]
('1234567890123', '31.71', '31.71.01')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from attrs import field, frozen

from kukm.model import Koperasi, SumberData, Umkm

__all__ = [
    "IDENTIFIER_KEYS",
    "TABULATION_FIELDS",
    "AuditEvent",
    "BatchResult",
    "Kind",
    "Provenance",
    "SnapshotReads",
    "SnapshotTabulation",
    "Store",
    "StoredRecord",
    "Verification",
    "VerificationStatus",
    "WriteOp",
    "content_hash",
    "default_status",
    "index_keys",
    "read_snapshot",
    "record_kind",
    "tabulate_total",
    "wilayah_matches",
]

Kind = Literal["umkm", "koperasi"]
Record = Koperasi | Umkm
#: What :meth:`Store.tabulate` returns: (group values, count) pairs.
Groups = list[tuple[tuple[str | None, ...], int]]

#: Identifier lookups every store supports through :meth:`Store.find`.
IDENTIFIER_KEYS: tuple[str, ...] = (
    "nib",
    "npwp",
    "nik_penduduk",
    "nomor_induk_koperasi",
    "nomor_badan_hukum",
)

#: Dimensions :meth:`Store.tabulate` groups by. Region fields hold Kemendagri
#: codes; ``skala`` and other derived values come from ``WriteOp.atribut``.
TABULATION_FIELDS: tuple[str, ...] = (
    "provinsi",
    "kab_kota",
    "kecamatan",
    "kelurahan",
    "skala",
    "sumber_data",
    "status",
    "jenis",
    "bentuk",
    "kelompok",
    "kbli",
    "jenis_kelamin",
    "status_nik",
    "grade",
)


class VerificationStatus(enum.StrEnum):
    """Whether a record counts in official tables (Kepgub D.3)."""

    TERVERIFIKASI = "terverifikasi"
    MENUNGGU = "menunggu_verifikasi"
    DITOLAK = "ditolak"


@frozen
class Provenance:
    """Who sent a version, the officer who answers for it, and when (Kepgub D, E.1, E.7–8)."""

    sumber: SumberData
    petugas: str | None = None
    waktu: dt.datetime | None = None
    id_pengiriman: str | None = None


@frozen
class Verification:
    """A verification or rejection by a Dinas officer (D.3): who, when, notes."""

    status: VerificationStatus
    petugas: str
    waktu: dt.datetime
    catatan: str | None = None


@frozen
class WriteOp:
    """One upsert in a batch.

    ``atribut`` holds derived dimension values (e.g. ``{"skala": "mikro"}``)
    stored beside the record for tabulation. ``status=None`` lets the store
    apply :func:`default_status`.
    """

    kind: Kind
    id: str
    record: Record
    provenance: Provenance
    valid_from: dt.date | None = None
    atribut: Mapping[str, str | None] = field(factory=dict)
    status: VerificationStatus | None = None


@frozen
class StoredRecord:
    """One version of a record as the store holds it."""

    kind: Kind
    id: str
    version: int
    record: Record
    provenance: Provenance
    status: VerificationStatus
    valid_from: dt.date
    recorded_at: dt.datetime
    content_hash: str
    atribut: Mapping[str, str | None] = field(factory=dict)
    verifikasi: Verification | None = None


@frozen
class BatchResult:
    """What a batch did. ``inserted + updated + unchanged == len(ops)``."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    replayed: bool = False


@frozen
class AuditEvent:
    """One line of the audit log: writes, and reads of personal data (allowed or denied)."""

    waktu: dt.datetime
    aktor: str
    aksi: str
    kind: str | None = None
    record_id: str | None = None
    diizinkan: bool = True
    detail: str | None = None


def record_kind(record: Record) -> Kind:
    return "koperasi" if isinstance(record, Koperasi) else "umkm"


def default_status(provenance: Provenance) -> VerificationStatus:
    """``pihak_lain`` waits for verification (Kepgub D.3); every other source counts."""
    if provenance.sumber.needs_verification:
        return VerificationStatus.MENUNGGU
    return VerificationStatus.TERVERIFIKASI


def content_hash(payload: Mapping[str, Any]) -> str:
    """Stable hash of an unstructured record (sorted keys, compact JSON)."""
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


def index_keys(record: Record) -> dict[str, str | None]:
    """Identifier and dimension values a store indexes for one record."""
    alamat = record.alamat
    keys: dict[str, str | None] = {
        "provinsi": alamat.kode_provinsi,
        "kab_kota": alamat.kode_kabkota,
        "kecamatan": alamat.kode_kecamatan,
        "kelurahan": alamat.kode_kelurahan,
    }
    if isinstance(record, Umkm):
        keys.update(
            nib=record.nib,
            npwp=record.npwp,
            nik_penduduk=record.pemilik.nik_penduduk,
            nomor_induk_koperasi=None,
            nomor_badan_hukum=None,
            kbli=record.kbli,
            jenis_kelamin=(
                record.pemilik.jenis_kelamin.value if record.pemilik.jenis_kelamin else None
            ),
            jenis=None,
            bentuk=None,
            kelompok=None,
            status_nik=None,
            grade=None,
            nama=record.nama_usaha,
        )
    else:
        keys.update(
            nib=None,
            npwp=None,
            nik_penduduk=None,
            nomor_induk_koperasi=record.nomor_induk_koperasi,
            nomor_badan_hukum=record.nomor_badan_hukum,
            kbli=None,
            jenis_kelamin=None,
            jenis=record.jenis,
            bentuk=record.bentuk,
            kelompok=record.kelompok,
            status_nik=record.status_nik,
            grade=record.grade,
            nama=record.nama,
        )
    return keys


def wilayah_matches(code: str | None, scope: str | None) -> bool:
    """Whether Kemendagri ``code`` lies in region ``scope`` (segment-wise prefix).

    >>> wilayah_matches("31.71.01.1001", "31.71")
    True
    >>> wilayah_matches("31.75.01.1001", "31.7")
    False
    >>> wilayah_matches(None, "31")
    False
    >>> wilayah_matches("31.71.01.1001", None)
    True
    """
    if scope is None:
        return True
    if code is None:
        return False
    return code == scope or code.startswith(scope + ".")


@runtime_checkable
class Store(Protocol):
    """What every storage adapter provides. Open one with :func:`kukm.plugins.open_store`."""

    url: str

    def close(self) -> None:
        """Release connections. Idempotent."""

    # -- writes -----------------------------------------------------------
    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        """Apply every op atomically (all or nothing); idempotent per content and per batch_key."""
        ...

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
        """Record a verification/rejection of the current version. Raises NotFound."""
        ...

    # -- reads ----------------------------------------------------------------
    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """Current version, or ``None``."""
        ...

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version, oldest first."""
        ...

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions whose identifier ``key`` (one of IDENTIFIER_KEYS) equals ``value``."""
        ...

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Stream current versions, ordered by id, optionally within a Kemendagri region."""
        ...

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int: ...

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts of current versions grouped by TABULATION_FIELDS, computed in the database."""
        ...

    # -- NIK running numbers ------------------------------------------------
    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        """Next running number for ``prefix`` (1, 2, …), never reused. Raises SequenceExhausted."""
        ...

    # -- documents: workflow state (applications, certificates, sync cursors) ----
    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace a JSON document."""
        ...

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None: ...

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, doc) of a collection, ordered by key."""
        ...

    # -- audit --------------------------------------------------------------
    def audit(self, event: AuditEvent) -> None:
        """Append an event to the audit log (never changed afterwards)."""
        ...

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]: ...


@runtime_checkable
class SnapshotTabulation(Protocol):
    """A store that reads a table and its total in one snapshot (optional beside :class:`Store`).

    kukm's memory, SQLite, PostgreSQL and MariaDB stores have it; a third-party
    store may add it (:func:`tabulate_total` falls back to two reads without it).
    """

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[Groups, int]:
        """``(tabulate(kind, by, …), count(kind, …))`` read from one snapshot of the data:
        no write committed meanwhile is seen by one of the two reads and not by the other."""
        ...


def tabulate_total(
    store: Store,
    kind: Kind,
    by: Sequence[str],
    *,
    wilayah: str | None = None,
    status: Collection[VerificationStatus] | None = None,
) -> tuple[Groups, int]:
    """The groups of ``store.tabulate`` and the total of ``store.count``, as one reading.

    Through the store's own ``tabulate_total`` (:class:`SnapshotTabulation`) when
    it has one; otherwise (a third-party store without it) the two reads one
    after the other, as kukm did before: a batch committed between them is then
    in one and not in the other.

    >>> from kukm.adapters.memory import MemoryStore
    >>> tabulate_total(MemoryStore(), "umkm", ["skala"])
    ([], 0)
    """
    method = getattr(store, "tabulate_total", None)
    if callable(method):
        groups, total = method(kind, by, wilayah=wilayah, status=status)
        return list(groups), int(total)
    return (
        store.tabulate(kind, by, wilayah=wilayah, status=status),
        store.count(kind, wilayah=wilayah, status=status),
    )


@runtime_checkable
class SnapshotReads(Protocol):
    """A store whose reads can share one snapshot (optional beside :class:`Store`)."""

    def snapshot(self) -> contextlib.AbstractContextManager[None]:
        """A block in which every read of this handle, from this thread, sees one state of
        the data: batches committed meanwhile are in none of them. Blocks nest. Write through
        another handle, not this one, inside it."""
        ...


def read_snapshot(store: Store) -> contextlib.AbstractContextManager[None]:
    """``store.snapshot()`` (:class:`SnapshotReads`), or a block that does nothing for a
    store without it (each read then sees the data of its own moment).

    >>> from kukm.adapters.memory import MemoryStore
    >>> s = MemoryStore()
    >>> with read_snapshot(s):
    ...     s.count("umkm")
    0
    """
    method = getattr(store, "snapshot", None)
    if callable(method):
        cm: contextlib.AbstractContextManager[None] = method()
        return cm
    return contextlib.nullcontext()
