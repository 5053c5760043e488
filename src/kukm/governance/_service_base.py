"""Core of :class:`kukm.governance.service.Service`: policy decisions, audit, scope and masking.

Split out of ``service.py`` to keep modules small; use :class:`~kukm.governance.service.Service`.

>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.governance.access import User
>>> ServiceBase(MemoryStore(), User.public()).sees_personal
False
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator, Sequence

import attrs

from kukm.exceptions import ConfigurationError, register_code
from kukm.governance._service_personal import mask_for_user
from kukm.governance.access import (
    ACCESS_ACTION_DENIED,
    ACCESS_OUT_OF_SCOPE,
    Decision,
    Policy,
    RegionCheck,
    User,
    default_policy,
    default_region_check,
    in_province,
    load_policy,
    named_user_id,
)
from kukm.ids.kode_wilayah import KODE_WILAYAH_FORMAT, KODE_WILAYAH_UNKNOWN
from kukm.storage.base import (
    AuditEvent,
    Groups,
    Kind,
    Store,
    StoredRecord,
    VerificationStatus,
    tabulate_total,
    wilayah_matches,
)

#: Document collection of users granted rights by the administrator (A.9).
USERS = "hak_akses"

ACCESS_USER_AMBIGUOUS = register_code(
    "ACCESS_USER_AMBIGUOUS",
    "Identitas petugas sama dengan identitas terdaftar lain, hanya beda huruf besar/kecil.",
    "The officer id equals another registered id up to upper/lower case.",
    module=__name__,
)
_VERIFIED = VerificationStatus.TERVERIFIKASI
#: A dotted Kemendagri code PP[.KK[.CC[.DDDD]]] (Kepmendagri 300.2.2-2138/2025).
_DOTTED = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


__all__ = [
    "ACCESS_USER_AMBIGUOUS",
    "ACTIVE_POLICY",
    "POLICIES",
    "USERS",
    "ServiceBase",
    "lookup_user",
    "registered_variants",
    "stored_policy",
]

#: Document collection of access policies stored by the administrator (A.9).
POLICIES = "kebijakan"
#: Key of the policy in force inside :data:`POLICIES`.
ACTIVE_POLICY = "aktif"


def _region(stored: StoredRecord) -> str | None:
    return stored.record.alamat.kode_wilayah


def _none_first(key: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, v or "") for v in key)


def _fold(user_id: str) -> str:
    return user_id.strip().casefold()


def registered_variants(store: Store, user_id: str) -> list[str]:
    """Registered user ids equal to ``user_id`` up to case and surrounding blanks.

    >>> from kukm.adapters.memory import MemoryStore
    >>> registered_variants(MemoryStore(), "x")
    []
    """
    wanted = _fold(user_id)
    return sorted(str(key) for key, _ in store.iter_documents(USERS) if _fold(str(key)) == wanted)


def lookup_user(store: Store, user_id: str) -> User | None:
    """A user granted rights with :meth:`Service.grant`, or ``None``.

    Officer ids are matched **without regard to case** (and surrounding blanks):
    ``Sudin-Jakpus`` is the registered ``sudin-jakpus``, with that user's role and region
    – never an unregistered user a caller might then give wider rights. An id matching
    several registered ids that differ only in case is refused
    (``ACCESS_USER_AMBIGUOUS``, a configuration error), fail-closed.

    >>> from kukm.adapters.memory import MemoryStore
    >>> lookup_user(MemoryStore(), "x") is None
    True
    """
    doc = store.get_document(USERS, user_id)
    if doc is None:
        variants = registered_variants(store, user_id)
        if len(variants) > 1:
            raise ConfigurationError(
                f"officer id {user_id!r} matches registered ids {variants} that differ only "
                "in case: give the exact id",
                code=ACCESS_USER_AMBIGUOUS,
            )
        if not variants:
            return None
        doc = store.get_document(USERS, variants[0])
        if doc is None:  # pragma: no cover - removed between the two reads
            return None
    milik: frozenset[tuple[str, str]] = frozenset((str(k), str(i)) for k, i in doc.get("milik", []))
    return User(str(doc["id"]), str(doc["peran"]), doc.get("wilayah"), milik, doc.get("nama"))


def stored_policy(store: Store) -> Policy | None:
    """The policy an administrator stored with :meth:`Service.store_policy`, or ``None``.

    >>> from kukm.adapters.memory import MemoryStore
    >>> stored_policy(MemoryStore()) is None
    True
    """
    doc = store.get_document(POLICIES, ACTIVE_POLICY)
    if doc is None:
        return None
    return load_policy(doc["data"])


class ServiceBase:
    """Policy decisions, audit, scope and masking shared by every service method."""

    def __init__(
        self,
        store: Store,
        user: User,
        *,
        policy: Policy | None = None,
        region_check: RegionCheck | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        named_user_id(user.id)  # every decision and audit event names who acted
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
        >>> ServiceBase(MemoryStore(), User.public()).can("verify").code
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
        return attrs.evolve(stored, record=mask_for_user(stored.record, self.policy.masking))

    def _effective_status(
        self, status: Collection[VerificationStatus] | None
    ) -> Collection[VerificationStatus] | None:
        if not self.policy.is_public(self.user):
            return status
        if status is None:
            return {_VERIFIED}
        return {s for s in status if VerificationStatus(s) is _VERIFIED}

    def _checked_filter(self, wilayah: str | None) -> str | None:
        """A region filter as given, refused unless a known dotted Kemendagri code.

        Stores match regions segment by segment, so ``3173`` (a BPS code: Jakarta Pusat,
        Kemendagri ``31.71``) or ``31.7`` would match nothing and read as "no data"; they are
        refused instead (``KODE_WILAYAH_FORMAT``, ``KODE_WILAYAH_UNKNOWN``), never converted
        silently: convert a BPS code with :mod:`kukm.reference.crosswalk` first.
        """
        if wilayah is None:
            return None
        if not isinstance(wilayah, str) or not _DOTTED.fullmatch(wilayah):
            raise ConfigurationError(
                f"region filter {wilayah!r} is not a dotted Kemendagri code (like 31, 31.71, "
                "31.71.01 or 31.71.01.1001); a BPS code (3173) is not matched against "
                "Kemendagri codes: convert it explicitly (kukm.reference.crosswalk)",
                code=KODE_WILAYAH_FORMAT,
                field="wilayah",
            )
        if not self._region_check(wilayah):
            raise ConfigurationError(
                f"region filter {wilayah!r} is not in the Kemendagri region table",
                code=KODE_WILAYAH_UNKNOWN,
                field="wilayah",
            )
        return wilayah

    def _effective_region(self, wilayah: str | None, aksi: str) -> str | None:
        wilayah = self._checked_filter(wilayah)
        limit = self.policy.region_scope(self.user)
        if limit is None:
            province = self.policy.province_scope(self.user)
            if province is not None and not in_province(wilayah, province):
                self._enforce(
                    Decision(
                        False,
                        ACCESS_OUT_OF_SCOPE,
                        f"region {wilayah!r} outside the province {province!r} of the policy",
                    ),
                    aksi,
                )
            return wilayah
        if wilayah is None or wilayah_matches(wilayah, limit):
            return wilayah or limit
        if wilayah_matches(limit, wilayah):
            return limit
        self._enforce(
            Decision(False, ACCESS_OUT_OF_SCOPE, f"region {wilayah!r} outside {limit!r}"), aksi
        )
        return limit  # pragma: no cover - _enforce raised

    def _province_limit(self, region: str | None) -> str | None:
        """The province a read without a region filter (``region`` None) of a province-wide
        user is limited to: records of another province in the store are left out."""
        return self.policy.province_scope(self.user) if region is None else None

    def _tabulate_in_province(
        self,
        kind: Kind,
        by: Sequence[str],
        province: str,
        status: Collection[VerificationStatus] | None,
    ) -> tuple[Groups, int]:
        """Groups by ``by`` and their total over the records in ``province`` (or with no
        region), from one snapshot; pushed down to the store grouped by ``provinsi`` too."""
        columns = list(by)
        stripped = "provinsi" not in columns
        if stripped:
            columns.insert(0, "provinsi")
        at = columns.index("provinsi")
        groups, total = tabulate_total(self._store, kind, columns, status=status)
        kept: dict[tuple[str | None, ...], int] = {}
        for key, n in groups:
            if not in_province(key[at], province):
                total -= n
                continue
            key = key[1:] if stripped else key
            kept[key] = kept.get(key, 0) + n
        return sorted(kept.items(), key=lambda kv: _none_first(kv[0])), total

    def _own_only(self) -> bool:
        rule = self.policy.role(self.user)
        return rule is not None and rule.scope == "milik_sendiri"

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
        wilayah = self._checked_filter(wilayah)
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
        province = self._province_limit(region)
        for stored in self._store.iter_records(kind, wilayah=region, status=status):
            if province is None or in_province(_region(stored), province):
                yield stored

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
