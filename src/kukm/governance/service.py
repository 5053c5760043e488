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
from collections import Counter
from collections.abc import Collection, Iterator, Sequence

import attrs

from kukm.exceptions import KukmError, NotFound, register_code
from kukm.governance._service_base import USERS, lookup_user, stored_policy
from kukm.governance._service_governance import GovernanceOps
from kukm.governance._service_personal import mask_field, npwp_is_personal
from kukm.governance._service_view import ServiceReader
from kukm.governance.access import (
    ACCESS_ACTION_DENIED,
    ACCESS_NOT_PUBLISHED,
    Decision,
    User,
    in_province,
    named_user_id,
)
from kukm.governance.provenance import (
    SUBMISSIONS,
    FieldSource,
    Submission,
    field_provenance,
    new_submission_id,
)
from kukm.model import SumberData
from kukm.storage.base import (
    AuditEvent,
    BatchResult,
    Kind,
    StoredRecord,
    VerificationStatus,
    WriteOp,
    default_status,
    tabulate_total,
)

_VERIFIED = VerificationStatus.TERVERIFIKASI
#: The tabulation column of a region scope, by its number of code segments (31.71: kab_kota).
_LEVEL_COLUMNS = ("provinsi", "kab_kota", "kecamatan", "kelurahan")


__all__ = ["USERS", "Service", "User", "lookup_user", "stored_policy"]

RECORD_DIGABUNG = register_code(
    "RECORD_DIGABUNG",
    "Data ini sudah digabung ke data lain; batalkan penggabungannya untuk mengembalikannya.",
    "This record was merged into another; undo that merge to give it back.",
    module=__name__,
)


class Service(GovernanceOps):
    """Policy-enforcing, audited access to a store for one user (see the module docs).

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm, Alamat, SumberData
    >>> from kukm.storage.base import WriteOp, Provenance
    >>> store = MemoryStore()
    >>> sudin = Service(store, User("s1", "sudin", "31.71"))
    >>> ops = [WriteOp("umkm", f"u{i}", Umkm(nama_usaha=f"Toko {i}", nib=f"912000123456{i}",
    ...        alamat=Alamat(kode_wilayah="31.71.01.1001")), Provenance(src))
    ...        for i, src in enumerate([SumberData.SUDIN, SumberData.PIHAK_LAIN])]
    >>> sudin.submit(ops, id_pengiriman="P9").inserted
    2
    >>> sudin.submission("P9").per_sumber
    {'pihak_lain': 1, 'sudin': 1}
    >>> [s.id for s in sudin.pending("umkm")], sudin.count("umkm")
    (['u1'], 2)
    >>> sudin.tabulate("umkm", ["status"])
    [(('menunggu_verifikasi',), 1), (('terverifikasi',), 1)]
    >>> [s.id for s in sudin.find("umkm", "nib", "9120001234560")]
    ['u0']
    >>> dinas = Service(store, User("d1", "dinas"))
    >>> dinas.reject("umkm", "u1", catatan="tidak ditemukan").status.value
    'ditolak'
    >>> [v.status.value for v in dinas.history("umkm", "u1")]
    ['menunggu_verifikasi', 'ditolak']
    >>> sorted({e.aksi for e in dinas.audit_log()})
    ['baca_data_pribadi', 'tolak', 'tulis']
    >>> [c.a for c in dinas.duplicates("umkm")], dinas.pemutakhiran("umkm").checked
    ([], 1)
    """

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

        Looking up by ``nik_penduduk`` is itself personal data: it needs ``read_personal``;
        so does looking up by an ``npwp`` that is a NIK (16 digits not starting with ``0``,
        PMK 112/2022; see :mod:`kukm.governance._service_personal`). A business's NPWP
        (15 digits, or ``0`` + 15) may be looked up by anyone who may read.
        """
        self.require("read", "cari")
        if not self.sees_personal:
            if key == "nik_penduduk":
                reason = "lookup by nik_penduduk is personal data"
            elif key == "npwp" and npwp_is_personal(value):
                reason = "lookup by an NPWP that is a NIK (PMK 112/2022) is personal data"
            else:
                reason = ""
            if reason:
                self._enforce(Decision(False, ACCESS_ACTION_DENIED, reason), "cari", kind)
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
        region = self._effective_region(wilayah, "rekap")
        province = self._province_limit(region)
        if province is not None:
            return self._tabulate_in_province(kind, (), province, self._effective_status(status))[1]
        return self._store.count(kind, wilayah=region, status=self._effective_status(status))

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
        region = self._effective_region(wilayah, "rekap")
        province = self._province_limit(region)
        if province is not None:
            return self._tabulate_in_province(kind, by, province, self._effective_status(status))[0]
        return self._store.tabulate(kind, by, wilayah=region, status=self._effective_status(status))

    def tabulate_total(
        self,
        kind: Kind,
        by: Sequence[str],
        *,
        wilayah: str | None = None,
        status: Collection[VerificationStatus] | None = None,
    ) -> tuple[list[tuple[tuple[str | None, ...], int]], int]:
        """:meth:`tabulate` and :meth:`count` in scope, read from one snapshot of the store
        (:func:`kukm.storage.base.tabulate_total`): a batch committed meanwhile is in both or
        in neither, so a rekap made while an import runs still adds up."""
        self._aggregate_allowed()
        region = self._effective_region(wilayah, "rekap")
        province = self._province_limit(region)
        if province is not None:
            return self._tabulate_in_province(kind, by, province, self._effective_status(status))
        return tabulate_total(
            self._store, kind, by, wilayah=region, status=self._effective_status(status)
        )

    def outside_scope(
        self,
        kind: Kind,
        *,
        status: Collection[VerificationStatus] | None = None,
    ) -> int:
        """How many current versions of ``kind`` (``status`` as for :meth:`count`; the public:
        verified only) the store holds outside the user's scope, so that a report of the
        scope can say what it leaves out (nothing is lost silently).

        The scope is the user's region (a Sudin's kab/kota, …), or the policy's province for
        a province-wide role (``[policy] provinsi``; a record with no region code is the
        province's, :func:`~kukm.governance.access.in_province`); a role with neither (the
        public, which sees every published record) has nothing outside it (``0``). A
        ``wilayah`` filter narrower than the scope is not the scope: what it leaves out was
        asked for. Counted in the store, grouped by the scope's level (``provinsi``,
        ``kab_kota``, …), from one snapshot (:func:`kukm.storage.base.tabulate_total`): the
        count in scope plus this number is the store's count.

        >>> from kukm.adapters.memory import MemoryStore
        >>> from kukm.model import Umkm, Alamat, SumberData
        >>> from kukm.storage.base import WriteOp, Provenance
        >>> store = MemoryStore()
        >>> _ = store.write_batch([WriteOp("umkm", f"u{i}", Umkm(nama_usaha="U",
        ...     alamat=Alamat(kode_wilayah=k)), Provenance(SumberData.SUDIN))
        ...     for i, k in enumerate(["31.71.01.1001", "31.74.01.1001", "32.73.01.1001", None])])
        >>> Service(store, User("d1", "dinas")).outside_scope("umkm")
        1
        >>> Service(store, User("s1", "sudin", "31.74")).outside_scope("umkm")
        3
        """
        self._aggregate_allowed()
        limit = self.policy.region_scope(self.user)
        province = self.policy.province_scope(self.user)
        if limit is None and province is None:
            return 0
        column = _LEVEL_COLUMNS[limit.count(".")] if limit is not None else "provinsi"
        groups, total = tabulate_total(
            self._store, kind, [column], status=self._effective_status(status)
        )
        inside = sum(
            n
            for (key,), n in groups
            if (key == limit if limit is not None else in_province(key, province or ""))
        )
        return total - inside

    # -- reports and exports as this user (F.3, I.2-4) ----------------------------------
    def reader(self, *, per_version: bool = False) -> ServiceReader:
        """A read-only store view for report and export functions that take a ``Store``:
        the user's scope, the public's verified data, masking (see
        :mod:`kukm.governance._service_view`). Pass ``per_version=True`` to a count of the
        stock at the end of past years, with the region of :meth:`report_scope`."""
        return ServiceReader(self, per_version=per_version)

    def report_scope(
        self,
        aksi: str,
        *,
        kind: str | None = None,
        wilayah: str | None = None,
        unverified: bool = False,
    ) -> str | None:
        """Check and audit an aggregate report ``aksi``; return the region it covers.

        The region is ``wilayah`` inside the user's scope (outside it: ``ACCESS_OUT_OF_SCOPE``),
        or the scope itself when none is given (``None``: the province). A report that
        shows data other than verified (``unverified``) is refused to the public
        (``ACCESS_NOT_PUBLISHED``, Kepgub I.3); so are roles without ``report``/``read`` and
        own-record roles. Refusals and the report itself are audited.

        >>> from kukm.adapters.memory import MemoryStore
        >>> Service(MemoryStore(), User("s1", "sudin", "31.74")).report_scope("rekap")
        '31.74'
        >>> Service(MemoryStore(), User.public()).report_scope("rekap", unverified=True)
        Traceback (most recent call last):
            ...
        kukm.exceptions.AccessDenied: [ACCESS_NOT_PUBLISHED] ...
        """
        self._aggregate_allowed()
        if unverified and self.policy.is_public(self.user):
            self._enforce(
                Decision(False, ACCESS_NOT_PUBLISHED, "the public sees verified data only"),
                aksi,
                kind,
            )
        region = self._effective_region(wilayah, aksi)
        self._audit(aksi, kind=kind, detail=f"wilayah={region or 'provinsi'}")
        return region

    def export_scope(self, aksi: str, *, kind: Kind, wilayah: str | None = None) -> str | None:
        """Check and audit an export ``aksi`` of ``kind`` records; return its region filter
        (as :meth:`report_scope`; own-record roles: ``wilayah`` as given, their own records).

        >>> from kukm.adapters.memory import MemoryStore
        >>> Service(MemoryStore(), User("s1", "sudin", "31.74")).export_scope(
        ...     "ekspor", kind="koperasi", wilayah="31.74.01")
        '31.74.01'
        """
        self.require("read", aksi)
        region = self._checked_filter(wilayah) if self._own_only() else (
            self._effective_region(wilayah, aksi)
        )
        self._audit(aksi, kind=kind, detail=f"wilayah={region or 'provinsi'}")
        return region

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
        config = self.policy.masking
        shown: dict[str, FieldSource] = {}
        for path, src in result.items():
            value = mask_field(src.value, path, config)
            shown[path] = src if value is src.value else attrs.evolve(src, value=value)
        return shown

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
        region_limited = (
            self.policy.region_scope(self.user) is not None
            or self.policy.province_scope(self.user) is not None
        )
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
                per_sumber=dict(Counter(op.provenance.sumber.value for op in prepared)),
            )
            self._store.put_document(SUBMISSIONS, sub_id, sub.as_document())
        self._audit("tulis", detail=f"pengiriman={sub_id} n={len(prepared)}")
        return result

    def _set_status(
        self, kind: Kind, id: str, status: VerificationStatus, catatan: str | None
    ) -> StoredRecord:
        aksi = "verifikasi" if status is _VERIFIED else "tolak"
        named_user_id(self.user.id, "petugas")  # D.3: a named, appointed officer decides
        self.require("verify", aksi)
        current = self._store.get(kind, id)
        if current is None:
            raise NotFound(f"{kind} {id!r} not found", value=id)
        self._enforce(self.can("verify", current), aksi, kind, id)
        if current.status is status:
            return current
        if current.status is VerificationStatus.DITOLAK:
            self._refuse_if_merged_away(kind, id)
        stored = self._store.set_status(
            kind, id, status, petugas=self.user.id, catatan=catatan, waktu=self._clock()
        )
        self._audit(aksi, kind=kind, record_id=id, detail=catatan)
        return stored

    def _refuse_if_merged_away(self, kind: Kind, id: str) -> None:
        """A record rejected by a merge is given back only by undoing the merge
        (:meth:`undo_merge`): verified again, it would count twice beside the one it was merged
        into, and the duplicate search would pair them again."""
        from kukm.governance.merges import MERGES

        for key, doc in self._store.iter_documents(MERGES):
            if doc.get("kind") == kind and doc.get("drop") == id and not doc.get("undone"):
                raise KukmError(
                    f"{kind} {id!r} was merged into {doc.get('keep')!r} ({key}); undo that "
                    "merge to give it back",
                    code=RECORD_DIGABUNG,
                )

    def verify(self, kind: Kind, id: str, *, catatan: str | None = None) -> StoredRecord:
        """Verify the current version (D.3): it then counts in official tables.

        Verifying an already verified record changes nothing and returns it. The
        acting user's id is recorded as the verifying officer; a blank id is refused
        (:class:`~kukm.exceptions.ConfigurationError` ``ACCESS_USER_BLANK``).
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

    def audit_log(self, *, since: dt.datetime | None = None) -> Iterator[AuditEvent]:
        """The audit log (needs ``audit``)."""
        self.require("audit", "baca_audit")
        return self._store.audit_log(since=since)
