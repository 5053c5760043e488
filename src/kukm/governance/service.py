"""The service layer every adapter goes through (Kepgub DKI 1625/2021 A.9, D.3, F.3, I.2–4).

:class:`Service` wraps any :class:`~kukm.storage.base.Store` for one
:class:`~kukm.governance.access.User`: every read, write, verification,
merge and report passes the access policy (fail-closed) and the audit log.
Public users see only verified data; whoever lacks ``read_personal`` gets
personal data masked. Reads of unmasked personal data, and every refusal, are
written to the audit log (``AuditEvent``: ``aksi``, ``diizinkan``, ``detail``).

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, Alamat, Pemilik, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> store = MemoryStore()
>>> lurah = Service(store, User("l1", "lurah", "31.71.01.1001"))
>>> u = Umkm(nama_usaha="Toko", pemilik=Pemilik(nama="Sri Wahyuni"),
...          alamat=Alamat(kode_wilayah="31.71.01.1001"))
>>> lurah.submit([WriteOp("umkm", "u1", u, Provenance(SumberData.PIHAK_LAIN))]).inserted
1
>>> Service(store, User.public()).get("umkm", "u1")
Traceback (most recent call last):
    ...
kukm.exceptions.AccessDenied: [ACCESS_NOT_PUBLISHED] ...
>>> dinas = Service(store, User("d1", "dinas"))
>>> dinas.verify("umkm", "u1", catatan="cek lapangan").verifikasi.petugas
'd1'
>>> Service(store, User.public()).get("umkm", "u1").record.pemilik.nama
'S** W******'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import attrs

from kukm.exceptions import AccessDenied, NotFound
from kukm.governance.access import (
    ACCESS_ACTION_DENIED,
    ACCESS_OUT_OF_SCOPE,
    Decision,
    Policy,
    RegionCheck,
    User,
    default_policy,
    default_region_check,
)
from kukm.governance.duplicates import (
    MERGES,
    DuplicateCandidate,
    MergeRecord,
    find_duplicates,
    merge,
    undo_merge,
)
from kukm.governance.masking import mask_record, mask_value
from kukm.governance.pemutakhiran import PemutakhiranReport, pemutakhiran
from kukm.governance.provenance import (
    SUBMISSIONS,
    FieldSource,
    Submission,
    field_provenance,
    new_submission_id,
)
from kukm.governance.quality import QualityReport, assess
from kukm.model import SumberData
from kukm.storage.base import (
    AuditEvent,
    BatchResult,
    Kind,
    Store,
    StoredRecord,
    VerificationStatus,
    WriteOp,
    default_status,
    wilayah_matches,
)

__all__ = ["USERS", "Service", "lookup_user"]

#: Document collection of users granted rights by the administrator (A.9).
USERS = "hak_akses"
_VERIFIED = VerificationStatus.TERVERIFIKASI


def _region(stored: StoredRecord) -> str | None:
    return stored.record.alamat.kode_wilayah


def lookup_user(store: Store, user_id: str) -> User | None:
    """A user granted rights with :meth:`Service.grant`, or ``None``.

    >>> from kukm.adapters.memory import MemoryStore
    >>> lookup_user(MemoryStore(), "x") is None
    True
    """
    doc = store.get_document(USERS, user_id)
    if doc is None:
        return None
    milik: frozenset[tuple[str, str]] = frozenset((str(k), str(i)) for k, i in doc.get("milik", []))
    return User(str(doc["id"]), str(doc["peran"]), doc.get("wilayah"), milik, doc.get("nama"))


class Service:
    """Policy-enforcing, audited access to a store for one user."""

    def __init__(
        self,
        store: Store,
        user: User,
        *,
        policy: Policy | None = None,
        region_check: RegionCheck | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._store = store
        self.user = user
        self.policy = policy or default_policy()
        self._region_check = region_check or default_region_check()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- decisions and audit ---------------------------------------------------
    def _audit(
        self,
        aksi: str,
        *,
        kind: str | None = None,
        record_id: str | None = None,
        allowed: bool = True,
        detail: str | None = None,
    ) -> None:
        self._store.audit(
            AuditEvent(self._clock(), self.user.id, aksi, kind, record_id, allowed, detail)
        )

    def _enforce(
        self, decision: Decision, aksi: str, kind: str | None = None, record_id: str | None = None
    ) -> None:
        if not decision.allowed:
            self._audit(
                aksi,
                kind=kind,
                record_id=record_id,
                allowed=False,
                detail=f"{decision.code}: {decision.reason}",
            )
            decision.raise_if_denied()

    def can(self, action: str, stored: StoredRecord | None = None) -> Decision:
        """The policy's decision for ``action`` on a stored record (or on the scope).

        >>> from kukm.adapters.memory import MemoryStore
        >>> Service(MemoryStore(), User.public()).can("verify").code
        'ACCESS_ACTION_DENIED'
        """
        if stored is None:
            return self.policy.decide(
                self.user, action, region_check=self._region_check, any_record=True
            )
        return self.policy.decide(
            self.user,
            action,
            kind=stored.kind,
            record_id=stored.id,
            wilayah=_region(stored),
            status=stored.status,
            region_check=self._region_check,
        )

    def require(self, action: str, aksi: str | None = None) -> None:
        """Raise :class:`AccessDenied` (and audit it) unless the scope allows ``action``."""
        self._enforce(self.can(action), aksi or action)

    @property
    def sees_personal(self) -> bool:
        """Whether this user gets unmasked personal data."""
        return self.policy.may_see_personal(self.user)

    def _present(self, stored: StoredRecord) -> StoredRecord:
        if self.sees_personal:
            return stored
        return attrs.evolve(stored, record=mask_record(stored.record, self.policy.masking))

    def _effective_status(
        self, status: Collection[VerificationStatus] | None
    ) -> Collection[VerificationStatus] | None:
        if not self.policy.is_public(self.user):
            return status
        if status is None:
            return {_VERIFIED}
        return {s for s in status if VerificationStatus(s) is _VERIFIED}

    def _effective_region(self, wilayah: str | None, aksi: str) -> str | None:
        limit = self.policy.region_scope(self.user)
        if limit is None:
            return wilayah
        if wilayah is None or wilayah_matches(wilayah, limit):
            return wilayah or limit
        if wilayah_matches(limit, wilayah):
            return limit
        self._enforce(
            Decision(False, ACCESS_OUT_OF_SCOPE, f"region {wilayah!r} outside {limit!r}"), aksi
        )
        return limit  # pragma: no cover - _enforce raised

    def _own_only(self) -> bool:
        rule = self.policy.role(self.user)
        return rule is not None and rule.scope == "milik_sendiri"

    # -- reads ------------------------------------------------------------------------
    def get(self, kind: Kind, id: str) -> StoredRecord | None:
        """The current version if the user may read it (masked as needed), ``None`` if absent."""
        self.require("read", "baca")
        stored = self._store.get(kind, id)
        if stored is None:
            return None
        self._enforce(self.can("read", stored), "baca", kind, id)
        if self.sees_personal:
            self._audit("baca_data_pribadi", kind=kind, record_id=id)
        return self._present(stored)

    def history(self, kind: Kind, id: str) -> list[StoredRecord]:
        """Every version the user may see (the public: verified versions only)."""
        current = self.get(kind, id)
        if current is None:
            return []
        versions = self._store.history(kind, id)
        if self.policy.is_public(self.user):
            versions = [v for v in versions if v.status is _VERIFIED]
        return [self._present(v) for v in versions]

    def iter_scoped(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
        action: str = "read",
    ) -> Iterator[StoredRecord]:
        """Unmasked current versions inside the user's scope (for governance reports)."""
        self.require(action)
        status = self._effective_status(status)
        if self._own_only():
            for k, rid in sorted(self.user.milik):
                if k != kind:
                    continue
                stored = self._store.get(kind, rid)
                if stored is None or (status is not None and stored.status not in status):
                    continue
                if wilayah_matches(_region(stored), wilayah):
                    yield stored
            return
        region = self._effective_region(wilayah, "baca")
        yield from self._store.iter_records(kind, wilayah=region, status=status)

    def iter_records(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> Iterator[StoredRecord]:
        """Stream the current versions the user may read, masked as needed.

        One audit event per call records a bulk read of unmasked personal data.
        """
        records = self.iter_scoped(kind, wilayah=wilayah, status=status)
        if self.sees_personal:
            self._audit("baca_data_pribadi", kind=kind, detail=f"iter wilayah={wilayah}")
        for stored in records:
            yield self._present(stored)

    def find(self, kind: Kind, key: str, value: str) -> list[StoredRecord]:
        """Current versions with identifier ``key == value`` inside the user's scope.

        Looking up by ``nik_penduduk`` is itself personal data: it needs ``read_personal``.
        """
        self.require("read", "cari")
        if key == "nik_penduduk" and not self.sees_personal:
            self._enforce(
                Decision(False, ACCESS_ACTION_DENIED, "lookup by nik_penduduk is personal data"),
                "cari",
                kind,
            )
        found = [s for s in self._store.find(kind, key, value) if self.can("read", s).allowed]
        if found and self.sees_personal:
            self._audit("baca_data_pribadi", kind=kind, detail=f"find {key}")
        return [self._present(s) for s in found]

    def pending(self, kind: Kind, *, sumber: SumberData | None = None) -> list[StoredRecord]:
        """Records waiting for verification (D.3) in scope, optionally from one source."""
        wanted = None if sumber is None else SumberData(sumber)
        return [
            self._present(s)
            for s in self.iter_scoped(kind, status={VerificationStatus.MENUNGGU})
            if wanted is None or s.provenance.sumber is wanted
        ]

    def _aggregate_allowed(self) -> None:
        rule = self.policy.role(self.user)
        action = "report" if rule is not None and "report" in rule.actions else "read"
        self.require(action, "rekap")
        if self._own_only():
            self._enforce(
                Decision(False, ACCESS_ACTION_DENIED, "no aggregates for own-record roles"),
                "rekap",
            )

    def count(
        self,
        kind: Kind,
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        """Number of current versions in scope (the public: verified only)."""
        self._aggregate_allowed()
        return self._store.count(
            kind,
            wilayah=self._effective_region(wilayah, "rekap"),
            status=self._effective_status(status),
        )

    def tabulate(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> list[tuple[tuple[str | None, ...], int]]:
        """Counts grouped by ``by`` in scope, pushed down to the store."""
        self._aggregate_allowed()
        return self._store.tabulate(
            kind,
            by,
            wilayah=self._effective_region(wilayah, "rekap"),
            status=self._effective_status(status),
        )

    def field_provenance(self, kind: Kind, id: str) -> dict[str, FieldSource]:
        """Which submission last set each field (values masked as the user needs)."""
        self.require("read", "baca")
        history = self._store.history(kind, id)
        if not history:
            raise NotFound(f"{kind} {id!r} not found", value=id)
        self._enforce(self.can("read", history[-1]), "baca", kind, id)
        result = field_provenance(history)
        if self.sees_personal:
            return result
        masked = set(self.policy.masking.fields)
        style = self.policy.masking.style
        return {
            path: (
                attrs.evolve(src, value=mask_value(src.value, path, style))
                if path in masked
                else src
            )
            for path, src in result.items()
        }

    def submission(self, id_pengiriman: str) -> Submission | None:
        """The recorded submission (sender, officer, when, counts)."""
        self.require("read", "baca")
        doc = self._store.get_document(SUBMISSIONS, id_pengiriman)
        return None if doc is None else Submission.from_document(doc)

    # -- writes -----------------------------------------------------------------------
    def submit(
        self,
        ops: Sequence[WriteOp],
        *,
        batch_key: str | None = None,
        id_pengiriman: str | None = None,
    ) -> BatchResult:
        """Write a submission atomically after checking every op against the policy.

        Missing ``petugas``/``waktu``/``id_pengiriman`` in an op's provenance are
        filled with this user, now, and the submission id. Each op needs
        ``write`` on the record's region (and on its current region if it
        moves), a source the role may use, and ``verify`` when it sets a
        status other than :func:`~kukm.storage.base.default_status`.
        """
        self.require("write", "tulis")
        now = self._clock()
        sub_id = id_pengiriman or new_submission_id(now)
        region_limited = self.policy.region_scope(self.user) is not None
        prepared: list[WriteOp] = []
        for op in ops:
            prov = op.provenance
            decision = self.policy.decide(
                self.user,
                "write",
                kind=op.kind,
                record_id=op.id,
                wilayah=op.record.alamat.kode_wilayah,
                sumber=prov.sumber,
                region_check=self._region_check,
            )
            self._enforce(decision, "tulis", op.kind, op.id)
            if region_limited:
                current = self._store.get(op.kind, op.id)
                if current is not None:
                    self._enforce(self.can("write", current), "tulis", op.kind, op.id)
            if op.status is not None and VerificationStatus(op.status) is not default_status(prov):
                self._enforce(self.can("verify"), "verifikasi", op.kind, op.id)
            prov = attrs.evolve(
                prov,
                petugas=prov.petugas or self.user.id,
                waktu=prov.waktu or now,
                id_pengiriman=prov.id_pengiriman or sub_id,
            )
            prepared.append(attrs.evolve(op, provenance=prov))
        result = self._store.write_batch(prepared, batch_key=batch_key)
        if prepared:
            first = prepared[0].provenance
            sub = Submission(
                sub_id,
                first.sumber,
                first.petugas,
                now,
                self.user.id,
                len(prepared),
                result.inserted,
                result.updated,
                result.unchanged,
            )
            self._store.put_document(SUBMISSIONS, sub_id, sub.as_document())
        self._audit("tulis", detail=f"pengiriman={sub_id} n={len(prepared)}")
        return result

    def _set_status(
        self, kind: Kind, id: str, status: VerificationStatus, catatan: str | None
    ) -> StoredRecord:
        aksi = "verifikasi" if status is _VERIFIED else "tolak"
        self.require("verify", aksi)
        current = self._store.get(kind, id)
        if current is None:
            raise NotFound(f"{kind} {id!r} not found", value=id)
        self._enforce(self.can("verify", current), aksi, kind, id)
        if current.status is status:
            return current
        stored = self._store.set_status(
            kind, id, status, petugas=self.user.id, catatan=catatan, waktu=self._clock()
        )
        self._audit(aksi, kind=kind, record_id=id, detail=catatan)
        return stored

    def verify(self, kind: Kind, id: str, *, catatan: str | None = None) -> StoredRecord:
        """Verify the current version (D.3): it then counts in official tables.

        Verifying an already verified record changes nothing and returns it.
        """
        return self._set_status(kind, id, _VERIFIED, catatan)

    def reject(self, kind: Kind, id: str, *, catatan: str | None = None) -> StoredRecord:
        """Reject the current version (kept, with who, when and why; never counted)."""
        return self._set_status(kind, id, VerificationStatus.DITOLAK, catatan)

    def set_status(
        self, kind: Kind, id: str, status: VerificationStatus, *, catatan: str | None = None
    ) -> StoredRecord:
        """Set any verification status (e.g. back to ``menunggu_verifikasi`` on undo)."""
        return self._set_status(kind, id, VerificationStatus(status), catatan)

    # -- rights (A.9) --------------------------------------------------------------------
    def grant(self, target: User) -> None:
        """Give ``target`` its rights (administrator only); stored in ``hak_akses``."""
        self.require("grant", "hak_akses")
        doc: dict[str, Any] = {
            "id": target.id,
            "peran": target.peran,
            "wilayah": target.wilayah,
            "milik": sorted([k, i] for k, i in target.milik),
            "nama": target.nama,
            "oleh": self.user.id,
            "waktu": self._clock().isoformat(),
            "aktif": True,
        }
        self._store.put_document(USERS, target.id, doc)
        self._audit("hak_akses", detail=f"grant {target.id} {target.peran} {target.wilayah}")

    def revoke(self, user_id: str) -> None:
        """Withdraw a user's rights (administrator only)."""
        self.require("grant", "hak_akses")
        doc = self._store.get_document(USERS, user_id)
        if doc is None:
            raise NotFound(f"user {user_id!r} not found", value=user_id)
        self._store.put_document(USERS, user_id, {**doc, "aktif": False, "peran": "dicabut"})
        self._audit("hak_akses", detail=f"revoke {user_id}")

    @classmethod
    def for_user_id(cls, store: Store, user_id: str, **kwargs: Any) -> Service:
        """A service for a user granted rights before; unknown users are refused."""
        user = lookup_user(store, user_id)
        if user is None:
            raise AccessDenied(f"unknown user {user_id!r}", code="ACCESS_USER_UNKNOWN")
        return cls(store, user, **kwargs)

    # -- governance reports and merges -------------------------------------------------
    def _report_allowed(self, aksi: str) -> None:
        rule = self.policy.role(self.user)
        ok = rule is not None and (
            "merge" in rule.actions or ("report" in rule.actions and rule.scope != "publik")
        )
        if not ok:
            self._enforce(self.can("report"), aksi)
            self._enforce(
                Decision(False, ACCESS_ACTION_DENIED, f"role {self.user.peran} may not {aksi}"),
                aksi,
            )

    def quality(
        self,
        kind: Kind,
        *,
        by: str = "kab_kota",
        as_of: dt.date | None = None,
        required: Sequence[str] | None = None,
        status: Collection[VerificationStatus] | None = None,
        instrument: Any = None,
    ) -> QualityReport:
        """Data quality per region or source in scope (F.1); personal values masked as needed."""
        self._report_allowed("mutu")
        report = assess(
            self.iter_scoped(kind, status=status, action="report"),
            kind=kind,
            by=by,
            as_of=as_of or self._clock().date(),
            required=required,
            max_age_days=self.policy.max_age_days,
            region_check=self._region_check,
            instrument=instrument,
        )
        if self.sees_personal:
            return report
        masked = set(self.policy.masking.fields)
        style = self.policy.masking.style
        issues = tuple(
            attrs.evolve(
                ri,
                issue=attrs.evolve(
                    ri.issue, value=mask_value(ri.issue.value, ri.issue.field or "", style)
                ),
            )
            if ri.issue.field in masked
            else ri
            for ri in report.issues
        )
        return attrs.evolve(report, issues=issues)

    def pemutakhiran(
        self,
        kind: Kind,
        *,
        as_of: dt.date | None = None,
        max_age_days: int | None = None,
        basis: str = "valid_from",
    ) -> PemutakhiranReport:
        """Records overdue for their yearly update (E.10) in scope, per officer and region."""
        self._report_allowed("pemutakhiran")
        live = {VerificationStatus.TERVERIFIKASI, VerificationStatus.MENUNGGU}
        return pemutakhiran(
            self.iter_scoped(kind, status=live, action="report"),
            as_of=as_of or self._clock().date(),
            max_age_days=max_age_days or self.policy.max_age_days,
            basis=basis,
        )

    def duplicates(
        self, kind: Kind, *, threshold: float = 85.0, name_threshold: float = 85.0
    ) -> list[DuplicateCandidate]:
        """Duplicate candidates in scope (rejected records are left out)."""
        self._report_allowed("duplikat")
        live = {VerificationStatus.TERVERIFIKASI, VerificationStatus.MENUNGGU}
        return find_duplicates(
            self.iter_scoped(kind, status=live, action="report"),
            kind=kind,
            threshold=threshold,
            name_threshold=name_threshold,
        )

    def merge(
        self,
        kind: Kind,
        keep: str,
        drop: str,
        *,
        catatan: str,
        fields: Sequence[str] | None = None,
    ) -> MergeRecord:
        """Merge ``drop`` into ``keep`` after review (needs ``merge`` on both records)."""
        self.require("merge", "gabung")
        for rid in (keep, drop):
            stored = self._store.get(kind, rid)
            if stored is None:
                raise NotFound(f"{kind} {rid!r} not found", value=rid)
            self._enforce(self.can("merge", stored), "gabung", kind, rid)
        return merge(
            self._store,
            kind,
            keep,
            drop,
            petugas=self.user.id,
            catatan=catatan,
            fields=fields,
            clock=self._clock,
        )

    def undo_merge(
        self, merge_id: str, *, catatan: str | None = None, force: bool = False
    ) -> MergeRecord:
        """Undo a merge (needs ``merge`` on both records)."""
        self.require("merge", "batal_gabung")
        doc = self._store.get_document(MERGES, merge_id)
        if doc is None:
            raise NotFound(f"merge {merge_id!r} not found", value=merge_id)
        record = MergeRecord.from_document(doc)
        for rid in (record.keep, record.drop):
            stored = self._store.get(record.kind, rid)
            if stored is not None:
                self._enforce(self.can("merge", stored), "batal_gabung", record.kind, rid)
        return undo_merge(
            self._store,
            merge_id,
            petugas=self.user.id,
            catatan=catatan,
            force=force,
            clock=self._clock,
        )

    def merges(self) -> list[MergeRecord]:
        """Every merge recorded (needs ``merge`` or ``audit``)."""
        rule = self.policy.role(self.user)
        if rule is None or not ({"merge", "audit"} & rule.actions):
            self.require("merge", "baca_gabung")
        return [MergeRecord.from_document(d) for _, d in self._store.iter_documents(MERGES)]

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """The audit log (needs ``audit``)."""
        self.require("audit", "baca_audit")
        return self._store.audit_log(since=since)
