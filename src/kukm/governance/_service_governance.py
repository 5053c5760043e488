"""Rights (A.9) and governance operations of :class:`kukm.governance.service.Service`.

Quality (F.1, I.5), pemutakhiran (E.10), duplicates and merges, granting rights.
Split out of ``service.py`` to keep modules small; use :class:`~kukm.governance.service.Service`.

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.governance.access import User
>>> GovernanceOps(MemoryStore(), User("d", "dinas")).duplicates("umkm")
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Self

import attrs

from kukm.exceptions import AccessDenied, ConfigurationError, NotFound
from kukm.governance._service_base import (
    ACCESS_USER_AMBIGUOUS,
    ACTIVE_POLICY,
    POLICIES,
    USERS,
    ServiceBase,
    lookup_user,
    registered_variants,
    stored_policy,
)
from kukm.governance._service_personal import is_masked, mask_field
from kukm.governance.access import (
    ACCESS_OUT_OF_SCOPE,
    ACCESS_ROLE_UNKNOWN,
    Decision,
    Policy,
    User,
    load_policy,
    named_user_id,
)
from kukm.governance.duplicates import (
    MERGES,
    DuplicateCandidate,
    MergeRecord,
    Reason,
    find_duplicates,
    merge,
    undo_merge,
)
from kukm.governance.pemutakhiran import PemutakhiranReport, pemutakhiran
from kukm.governance.quality import QualityReport, assess
from kukm.storage.base import Kind, Store, VerificationStatus, wilayah_matches

__all__ = ["GovernanceOps"]



#: The records that are data of a region: verified, or waiting for verification (a rejected
#: version, or one merged into another record, is not).
LIVE: frozenset[VerificationStatus] = frozenset(
    {VerificationStatus.TERVERIFIKASI, VerificationStatus.MENUNGGU}
)


def _instrument_targets(instrument: Any) -> dict[str, str]:
    """Form field name -> entity path of an instrument (E.11): its issues name the form's
    fields (``nik_pemilik``), masking names the entity's (``pemilik.nik_penduduk``). A field
    without a ``target`` is kept in ``atribut_lain`` under its name.

    >>> from kukm.rules.instruments import get_instrument
    >>> _instrument_targets(get_instrument("umkm"))["nik_pemilik"]
    'pemilik.nik_penduduk'
    >>> _instrument_targets(None)
    {}
    """
    out: dict[str, str] = {}
    for f in getattr(instrument, "fields", ()) if instrument is not None else ():
        name, target = str(f.name), getattr(f, "target", None)
        if target == "-":
            continue
        out[name] = f"atribut_lain.{name}" if target is None else str(target)
    return out


class GovernanceOps(ServiceBase):
    """Rights and governance reports/merges, policy-checked and audited."""

    # -- rights (A.9) --------------------------------------------------------------------
    def grant(self, target: User) -> None:
        """Give ``target`` its rights (administrator only); stored in ``hak_akses``.

        An id that differs only in case from another registered id is refused
        (``ACCESS_USER_AMBIGUOUS``): ids are looked up without regard to case.

        A grant that could never work is refused at once (a configuration error, field
        ``wilayah``), never stored to deny its holder every action later: a region that is
        not a dotted Kemendagri code (``3173``, a BPS code: ``KODE_WILAYAH_FORMAT``) or not
        in the region table (``KODE_WILAYAH_UNKNOWN``), and the policy's own check of the
        grant (:meth:`~kukm.governance.access.Policy.scope_of`): an unknown role
        (``ACCESS_ROLE_UNKNOWN``), a region missing for a role that needs one
        (``ACCESS_SCOPE_MISSING``) or of another level than the role's scope
        (``ACCESS_SCOPE_LEVEL``), a region (of any role) outside the policy's province
        (``ACCESS_OUT_OF_SCOPE``); an unknown role names the field ``peran``. A province-wide role may name a region of its province
        (a Dinas officer acting for one kota only, :mod:`kukm.nik.officer`).
        """
        self.require("grant", "hak_akses")
        named_user_id(target.id)
        self._check_grant(target)
        clash = [v for v in registered_variants(self._store, target.id) if v != target.id]
        if clash:
            raise ConfigurationError(
                f"user id {target.id!r} differs only in case from the registered {clash}: "
                "officer ids are matched without regard to case",
                code=ACCESS_USER_AMBIGUOUS,
            )
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

    def _check_grant(self, target: User) -> None:
        if target.wilayah is not None:
            try:
                self._checked_filter(target.wilayah)
            except ConfigurationError as exc:
                raise ConfigurationError(
                    f"grant {target.id!r} ({target.peran}): region {target.wilayah!r} is not a "
                    "known dotted Kemendagri code (like 31.71; a BPS code such as 3173 is "
                    "converted with kukm.reference.crosswalk first)",
                    code=exc.code,
                    field="wilayah",
                    value=target.wilayah,
                ) from None
        scope = self.policy.scope_of(target, self._region_check)
        province = self.policy.provinsi
        outside = target.wilayah is not None and not wilayah_matches(target.wilayah, province)
        if scope.allowed and outside:
            scope = Decision(
                False,
                ACCESS_OUT_OF_SCOPE,
                f"region {target.wilayah!r} outside the province {province!r} of the policy",
            )
        if not scope.allowed:
            raise ConfigurationError(
                f"grant {target.id!r} ({target.peran}, wilayah {target.wilayah!r}) cannot "
                f"work: {scope.reason}",
                code=scope.code,
                field="peran" if scope.code == ACCESS_ROLE_UNKNOWN else "wilayah",
                value=target.peran if scope.code == ACCESS_ROLE_UNKNOWN else target.wilayah,
            )

    def revoke(self, user_id: str) -> None:
        """Withdraw a user's rights (administrator only)."""
        self.require("grant", "hak_akses")
        doc = self._store.get_document(USERS, user_id)
        if doc is None:
            raise NotFound(f"user {user_id!r} not found", value=user_id)
        self._store.put_document(USERS, user_id, {**doc, "aktif": False, "peran": "dicabut"})
        self._audit("hak_akses", detail=f"revoke {user_id}")

    @classmethod
    def for_user_id(cls, store: Store, user_id: str, **kwargs: Any) -> Self:
        """A service for a user granted rights before; unknown users are refused."""
        user = lookup_user(store, user_id)
        if user is None:
            raise AccessDenied(f"unknown user {user_id!r}", code="ACCESS_USER_UNKNOWN")
        if kwargs.get("policy") is None:
            kwargs["policy"] = stored_policy(store)
        return cls(store, user, **kwargs)

    def store_policy(self, data: Mapping[str, Any]) -> Policy:
        """Put a policy (parsed TOML) in force for this store (administrator only).

        It is checked first (:func:`~kukm.governance.access.load_policy`);
        :meth:`for_user_id` and the CLI use it from then on.
        """
        self.require("grant", "kebijakan")
        policy = load_policy(data)
        doc = {"data": dict(data), "oleh": self.user.id, "waktu": self._clock().isoformat()}
        self._store.put_document(POLICIES, ACTIVE_POLICY, doc)
        self._audit("kebijakan", detail=f"policy {policy.name} {policy.version}")
        return policy

    # -- governance reports and merges -------------------------------------------------
    def quality(
        self,
        kind: Kind,
        *,
        by: str = "kab_kota",
        as_of: dt.date | None = None,
        required: Sequence[str] | None = None,
        status: Collection[VerificationStatus] | None = LIVE,
        instrument: Any = None,
    ) -> QualityReport:
        """Data quality per region or source in scope (F.1); personal values masked as needed.

        ``status``: the records counted, by default the live ones (:data:`LIVE`: verified or
        waiting), as :meth:`pemutakhiran` and the duplicate search count them — a rejected or
        merged-away record is no data of the region; ``None``: every record."""
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
        config = self.policy.masking
        targets = _instrument_targets(instrument)

        def path_of(name: str | None) -> str:
            # an instrument's issue names its form field (nik_pemilik), not the entity's path
            return targets.get(name or "", name or "")

        if self.sees_personal:
            shown = sum(1 for ri in report.issues if is_masked(path_of(ri.issue.field), config))
            if shown:
                self._audit("baca_data_pribadi", kind=kind, detail=f"mutu: {shown} nilai")
            return report
        issues = tuple(
            attrs.evolve(
                ri,
                issue=attrs.evolve(
                    ri.issue, value=mask_field(ri.issue.value, path_of(ri.issue.field), config)
                ),
            )
            if is_masked(path_of(ri.issue.field), config)
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
        """Records overdue for their yearly update (E.10) in scope, per officer and region.

        ``max_age_days=None`` takes the policy's ``[pemutakhiran] max_age_days``; any
        given value must be > 0, as in the policy file (0 or less: ``PEMUTAKHIRAN_CONFIG``).
        """
        self._report_allowed("pemutakhiran")
        live = LIVE
        return pemutakhiran(
            self.iter_scoped(kind, status=live, action="report"),
            as_of=as_of or self._clock().date(),
            # 0 is not "the policy's default": like the policy file, the limit must be > 0
            max_age_days=self.policy.max_age_days if max_age_days is None else max_age_days,
            basis=basis,
        )

    def duplicates(
        self, kind: Kind, *, threshold: float = 85.0, name_threshold: float = 85.0
    ) -> list[DuplicateCandidate]:
        """Duplicate candidates in scope (rejected records are left out).

        The values behind a reason are personal data when their field is masked (an
        NPWP that is a NIK above all): masked unless the user has ``read_personal``.
        """
        self._report_allowed("duplikat")
        live = LIVE
        found = find_duplicates(
            self.iter_scoped(kind, status=live, action="report"),
            kind=kind,
            threshold=threshold,
            name_threshold=name_threshold,
        )
        if self.sees_personal:
            return found
        config = self.policy.masking

        def shown(reason: Reason) -> Reason:
            if not is_masked(reason.field, config):
                return reason
            return attrs.evolve(
                reason,
                value_a=mask_field(reason.value_a, reason.field, config),
                value_b=mask_field(reason.value_b, reason.field, config),
            )

        return [attrs.evolve(c, reasons=tuple(shown(r) for r in c.reasons)) for c in found]

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
