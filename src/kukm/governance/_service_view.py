"""A read-only :class:`~kukm.storage.base.Store` seen through a :class:`Service` (F.3, I.2–4).

Reports and exports (:func:`kukm.reports.rekap`, :func:`kukm.reports.bandingkan`,
:func:`kukm.reports.laporan_tahunan`, :func:`kukm.integration.ods_io.export_ods`,
:func:`kukm.integration.pkt.export_pkt`) take a ``Store``. Handing them
:meth:`Service.reader() <kukm.governance.service.Service.reader>` instead of the
store makes them act as the officer: only the records of its scope, the public
only verified data, personal data masked unless the role may see it. Every write is
refused (``ACCESS_ACTION_DENIED``). Use :class:`~kukm.governance.service.Service`.

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.governance.service import Service, User
>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> store = MemoryStore()
>>> _ = store.write_batch([WriteOp("umkm", f"u{i}", Umkm(nama_usaha="U",
...     alamat=Alamat(kode_wilayah=k)), Provenance(SumberData.SUDIN))
...     for i, k in enumerate(["31.71.01.1001", "31.74.01.1001"])])
>>> view = Service(store, User("s1", "sudin", "31.74")).reader()
>>> [s.id for s in view.iter_records("umkm")], view.count("umkm")
(['u1'], 1)
>>> view.iter_records("umkm", wilayah="31.71")
Traceback (most recent call last):
    ...
kukm.exceptions.AccessDenied: [ACCESS_OUT_OF_SCOPE] ...
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kukm.exceptions import AccessDenied
from kukm.governance.access import ACCESS_ACTION_DENIED, in_province
from kukm.storage.base import (
    AuditEvent,
    BatchResult,
    Kind,
    StoredRecord,
    VerificationStatus,
    WriteOp,
    read_snapshot,
)

if TYPE_CHECKING:
    from kukm.governance.service import Service

__all__ = ["ServiceReader"]

_VERIFIED = VerificationStatus.TERVERIFIKASI


def _region(stored: StoredRecord) -> str | None:
    return stored.record.alamat.kode_wilayah


class ServiceReader:
    """The store as ``service``'s user may read it (see the module docs).

    ``per_version=True`` is the view of a count of the stock at the end of past years
    (:mod:`kukm.reports.periode`): a record's earlier version may lie in the user's region
    while its current one does not, so current versions are not limited to the region here;
    the caller passes the region returned by :meth:`Service.report_scope` to the count, which
    tests each version against it. The public sees each record in its latest verified version
    (its history: verified versions only), so pending and rejected data is never counted.
    A province-wide user (:meth:`Policy.province_scope
    <kukm.governance.access.Policy.province_scope>`) sees a record from its first version in
    the policy's province on (a version with no region code is the province's,
    :func:`~kukm.governance.access.in_province`); a record none of whose versions lies there is
    not seen. (A version in another province *after* one in the province, a business that
    moved out, still counts, in its own province's row: leaving it out needs a per-version
    test in :func:`kukm.reports.periode.scan_banyak`.)
    """

    def __init__(self, service: Service, *, per_version: bool = False) -> None:
        self._svc = service
        self._per_version = per_version
        self.url = f"service:{service.user.id}"

    # -- reads -------------------------------------------------------------------------
    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        if not self._per_version:
            # the scope is checked now: an out-of-scope region is refused at the call, before
            # an export opens its output file, not at the first row
            svc = self._svc
            if not svc._own_only():
                svc.require("read", "baca")
                svc._effective_region(wilayah, "baca")
            return svc.iter_records(kind, wilayah=wilayah, status=status)
        return self._published(kind, wilayah, status)

    def _published(
        self,
        kind: Kind,
        wilayah: str | None,
        status: Collection[VerificationStatus] | None,
    ) -> Iterator[StoredRecord]:
        svc = self._svc
        svc._aggregate_allowed()
        wilayah = svc._checked_filter(wilayah)
        public = svc.policy.is_public(svc.user)
        province = svc.policy.province_scope(svc.user)
        for stored in svc._store.iter_records(kind, wilayah=wilayah):
            if public and stored.status is not _VERIFIED:
                history = svc._store.history(kind, stored.id)
                verified = [v for v in history if v.status is _VERIFIED]
                if not verified:
                    continue
                stored = verified[-1]
            if (
                province is not None
                and not in_province(_region(stored), province)
                and (stored.version <= 1 or not self.history(kind, stored.id))
            ):
                continue  # no version in the province (else its history has those versions)
            if status is None or stored.status in status:
                yield svc._present(stored)

    def _in_province(self, versions: list[StoredRecord]) -> list[StoredRecord]:
        """``versions`` from the first one in the user's province on, in the order they take
        effect (:mod:`kukm.reports.periode`): a record that came from another province is in
        the stock from then on; one that never lay in it has no version here."""
        province = self._svc.policy.province_scope(self._svc.user)
        if province is None:
            return versions
        first = min(
            (
                (v.valid_from, v.version)
                for v in versions
                if in_province(_region(v), province)
            ),
            default=None,
        )
        if first is None:
            return []
        return [v for v in versions if (v.valid_from, v.version) >= first]

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        svc = self._svc
        versions = svc._store.history(kind, id)
        if not versions:
            return []
        if not self._per_version:  # per version: the count tests each version's region
            svc._enforce(svc.can("read", versions[-1]), "baca", kind, id)
        if svc.policy.is_public(svc.user):
            versions = [v for v in versions if v.status is _VERIFIED]
        if self._per_version:
            versions = self._in_province(versions)
        return [svc._present(v) for v in versions]

    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        return self._svc.get(kind, id)

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        return self._svc.find(kind, key, value)

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        return self._svc.count(kind, wilayah=wilayah, status=status)

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        return self._svc.tabulate(kind, by, wilayah=wilayah, status=status)

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[list[tuple[tuple[str | None, ...], int]], int]:
        """The groups and the total in scope from one snapshot (:meth:`Service.tabulate_total`)."""
        return self._svc.tabulate_total(kind, by, wilayah=wilayah, status=status)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """The store's one-state reads (:func:`kukm.storage.base.read_snapshot`) for a report
        that reads several times (the period and yearly reports); the right to aggregate is
        checked before it opens (a refusal is audited, a write the snapshot would not take)."""
        self._svc._aggregate_allowed()
        with read_snapshot(self._svc._store):
            yield

    def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
        self._refuse("read documents")
        return None  # pragma: no cover - refused

    def iter_documents(self, collection: str) -> Iterator[tuple[str, dict[str, Any]]]:
        self._refuse("read documents")
        return iter(())  # pragma: no cover - refused

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        return self._svc.audit_log(since=since)

    def close(self) -> None:
        """Nothing to release: the service's store is closed by its owner."""

    # -- writes: refused -----------------------------------------------------------------
    def _refuse(self, what: str) -> None:
        raise AccessDenied(
            f"a report/export view of the store may not {what}", code=ACCESS_ACTION_DENIED
        )

    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        self._refuse("write")
        raise AssertionError  # pragma: no cover - refused

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
        self._refuse("set a status")
        raise AssertionError  # pragma: no cover - refused

    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        self._refuse("allocate a number")
        raise AssertionError  # pragma: no cover - refused

    def put_document(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        self._refuse("write documents")

    def audit(self, event: AuditEvent) -> None:
        self._refuse("write the audit log")

