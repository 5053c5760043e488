"""Access rights: roles, region scopes and the policy file (Kepgub DKI 1625/2021 A.9, F.3, I.2).

Rights are given by the administrator (A.9). The Sudin PPKUKM manages the
data of its own kota/kabupaten, the Dinas PPKUKM the whole province (F.3);
Camat and Lurah send data of their area (E.1); the public sees only
published (verified) data with personal data masked (I.3).

The decree names no concrete matrix of rights [N], so the policy is **data**:
``policy_default.toml`` beside this module, replaceable with
:func:`load_policy`. Decisions are **fail-closed**: an unknown role, a role
that needs a region but has none (or one of the wrong level), a region not in
the Kemendagri tree, or a record outside the scope is refused, each with a
stable code (:class:`~kukm.exceptions.AccessDenied` ``.code``).

A province-wide scope (``scope = "provinsi"``) is the province the deployment serves,
``[policy] provinsi`` (a 2-digit Kemendagri code; default ``31``, DKI Jakarta, the province
of Kepgub DKI 1625/2021): a record of another province is ``ACCESS_OUT_OF_SCOPE``.

>>> policy = default_policy()
>>> sudin = User("s1", "sudin", wilayah="31.71")
>>> policy.decide(sudin, "read", wilayah="31.71.01.1001").allowed
True
>>> policy.decide(sudin, "read", wilayah="31.72.01.1001").code
'ACCESS_OUT_OF_SCOPE'
>>> policy.decide(User("x", "tamu"), "read").code
'ACCESS_ROLE_UNKNOWN'
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
from attrs import field, frozen

from kukm.exceptions import AccessDenied, ConfigurationError, register_code
from kukm.governance.masking import DEFAULT_MASKED_FIELDS, MASK_STYLES, MaskingConfig
from kukm.model import Petugas, SumberData
from kukm.storage.base import Kind, VerificationStatus, wilayah_matches

__all__ = [
    "ACTIONS",
    "DEFAULT_PROVINSI",
    "PUBLIC_ROLE",
    "SCOPES",
    "Decision",
    "Policy",
    "RoleRule",
    "User",
    "default_policy",
    "default_region_check",
    "in_province",
    "load_policy",
    "named_user_id",
]

#: What a role may do.
ACTIONS: Final[frozenset[str]] = frozenset(
    {"read", "read_personal", "write", "verify", "merge", "report", "grant", "audit"}
)
#: Scope kinds; the region ones need a user region of exactly that level.
SCOPES: Final[dict[str, int | None]] = {
    "provinsi": None,
    "kab_kota": 2,
    "kecamatan": 3,
    "kelurahan": 4,
    "milik_sendiri": None,
    "publik": None,
}
PUBLIC_ROLE: Final = "publik"

_M = __name__
ACCESS_ROLE_UNKNOWN = register_code(
    "ACCESS_ROLE_UNKNOWN", "Peran pengguna tidak dikenal.", "Unknown user role.", module=_M
)
ACCESS_ACTION_DENIED = register_code(
    "ACCESS_ACTION_DENIED",
    "Peran ini tidak berhak melakukan tindakan tersebut.",
    "This role may not perform that action.",
    module=_M,
)
ACCESS_SCOPE_MISSING = register_code(
    "ACCESS_SCOPE_MISSING",
    "Wilayah atau data milik pengguna belum ditetapkan.",
    "The user's region or own records are not set.",
    module=_M,
)
ACCESS_SCOPE_LEVEL = register_code(
    "ACCESS_SCOPE_LEVEL",
    "Tingkat wilayah pengguna tidak sesuai dengan perannya.",
    "The user's region is not of the level its role needs.",
    module=_M,
)
ACCESS_REGION_UNKNOWN = register_code(
    "ACCESS_REGION_UNKNOWN",
    "Kode wilayah pengguna tidak dikenal.",
    "The user's region code is not known.",
    module=_M,
)
ACCESS_OUT_OF_SCOPE = register_code(
    "ACCESS_OUT_OF_SCOPE",
    "Data berada di luar wilayah kewenangan pengguna.",
    "The record lies outside the user's scope.",
    module=_M,
)
ACCESS_NOT_PUBLISHED = register_code(
    "ACCESS_NOT_PUBLISHED",
    "Data belum terverifikasi dan tidak diterbitkan untuk umum.",
    "The record is not verified and not published.",
    module=_M,
)
ACCESS_SOURCE_DENIED = register_code(
    "ACCESS_SOURCE_DENIED",
    "Peran ini tidak boleh mengirim data dengan sumber tersebut.",
    "This role may not submit data under that source.",
    module=_M,
)
ACCESS_USER_UNKNOWN = register_code(
    "ACCESS_USER_UNKNOWN", "Pengguna tidak terdaftar.", "Unknown user.", module=_M
)
ACCESS_USER_BLANK = register_code(
    "ACCESS_USER_BLANK",
    "Identitas pengguna/petugas kosong: setiap tindakan, terutama verifikasi (D.3), "
    "harus atas nama petugas yang ditunjuk.",
    "The user (officer) id is blank: every action, verification above all (D.3), "
    "needs a named, appointed officer.",
    module=_M,
)

POLICY_INVALID = register_code(
    "POLICY_INVALID",
    "Berkas kebijakan hak akses tidak valid.",
    "The access policy file is not valid.",
    module=_M,
)

_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")

#: Keys a policy file may hold, per table; anything else is a typo and refused
#: (``action = [...]`` for ``actions`` would otherwise leave a role without rights).
_POLICY_KEYS: Final[dict[str, frozenset[str]]] = {
    "": frozenset({"policy", "masking", "pemutakhiran", "roles"}),
    "policy": frozenset({"name", "version", "sumber_hukum", "provinsi"}),
    "masking": frozenset({"fields", "style"}),
    "pemutakhiran": frozenset({"max_age_days"}),
    "role": frozenset({"description", "scope", "actions", "sumber"}),
}
#: What the ``publik`` role may ever be given.
_PUBLIC_ACTIONS: Final = frozenset({"read", "report"})
#: Free-form source fields (``atribut_lain.<key>``) a masking path may name.
_FREE_FORM_PREFIXES: Final = ("atribut_lain.",)

RegionCheck = Callable[[str], bool]

#: The province a policy serves when its ``[policy]`` table names none: DKI Jakarta
#: (Kemendagri ``31``), the province of Kepgub DKI Jakarta 1625/2021 (F.3 huruf b).
DEFAULT_PROVINSI: Final = "31"
_PROVINSI_RE = re.compile(r"^\d{2}$")


def in_province(code: str | None, province: str) -> bool:
    """Whether a record's region code may lie in ``province``: a code of another province
    (its first segment two other digits) does not; a record with no region code, or one
    whose first segment is no province code at all (``3171011001``), does — it is the
    deployment's data whose address is still to be fixed (the quality report flags it), never
    hidden from the province-wide officers who fix it.

    >>> [in_province(c, "31") for c in ("31.71.01.1001", None, "3171011001", "32.73.01")]
    [True, True, True, False]
    """
    if not code:
        return True
    head = code.split(".", 1)[0]
    return not (len(head) == 2 and head.isdigit()) or head == province


def _region_level(code: str) -> int:
    return code.count(".") + 1


def default_region_check() -> RegionCheck:
    """Whether a Kemendagri code is known: the reference region tree when installed.

    Uses :func:`kukm.reference.wilayah.get_table` when that module is available;
    otherwise only well-formed dotted codes pass (still fail-closed for junk).

    >>> check = default_region_check()
    >>> check("31.71"), check("31-71"), check("")
    (True, False, False)
    """
    table: Any = None
    try:  # the reference region tree (kukm.reference.wilayah), when installed
        from kukm.reference import wilayah as _wilayah

        table = _wilayah.get_table()
    except Exception:  # pragma: no cover - the reference package is part of kukm
        table = None

    def check(code: str) -> bool:
        if not isinstance(code, str) or not _CODE_RE.match(code):
            return False
        if table is None:
            return True
        return code in table

    return check


def named_user_id(user_id: object, what: str = "user") -> str:
    """``user_id`` when it names someone; a blank (empty or whitespace) id is refused.

    Verification needs a named, appointed Dinas officer (Kepgub D.3), and every
    decision and audit event is written under the acting user's id, so an
    action by nobody is a configuration error (``ACCESS_USER_BLANK``).

    >>> named_user_id("d1")
    'd1'
    >>> named_user_id("  ", "petugas")
    Traceback (most recent call last):
        ...
    kukm.exceptions.ConfigurationError: [ACCESS_USER_BLANK] petugas id is blank ...
    """
    if not isinstance(user_id, str) or not user_id.strip():
        raise ConfigurationError(
            f"{what} id is blank ({user_id!r}): every action, and verification above all "
            "(Kepgub D.3), needs a named, appointed officer",
            code=ACCESS_USER_BLANK,
        )
    return user_id


def _invalid(message: str) -> ConfigurationError:
    return ConfigurationError(message, code=POLICY_INVALID)


def _table(data: object, where: str) -> Mapping[str, Any]:
    """``data`` as a table of the policy file whose keys are all known."""
    if not isinstance(data, Mapping):
        raise _invalid(f"policy: [{where}] must be a table")
    kind = "role" if where.startswith("roles.") else where
    unknown = sorted(str(k) for k in data if k not in _POLICY_KEYS[kind])
    if unknown:
        label = f"[{where}]" if where else "the top level"
        raise _invalid(
            f"policy: unknown key(s) {unknown} in {label} "
            f"(known: {', '.join(sorted(_POLICY_KEYS[kind]))})"
        )
    return data


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"policy: {what} must be a list of strings, got {value!r}")
    return list(value)


def _provinsi(value: object) -> str:
    """``[policy] provinsi`` checked: a 2-digit Kemendagri province code in the region table.

    >>> _provinsi("32")
    '32'
    >>> _provinsi("3173")
    Traceback (most recent call last):
        ...
    kukm.exceptions.ConfigurationError: [POLICY_INVALID] policy: policy.provinsi must be ...
    """
    if not isinstance(value, str) or not _PROVINSI_RE.match(value):
        raise _invalid(
            f"policy: policy.provinsi must be a 2-digit Kemendagri province code such as "
            f"\"31\" (DKI Jakarta), got {value!r}; a BPS code (3173) or a kota (31.71) is not "
            "a province"
        )
    if not default_region_check()(value):
        raise _invalid(f"policy: policy.provinsi {value!r} is not in the Kemendagri region table")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"policy: {what} must be a string, got {value!r}")
    return value


@functools.cache
def entity_field_paths() -> frozenset[str]:
    """Dotted paths of the scalar fields of :class:`~kukm.model.Umkm` and
    :class:`~kukm.model.Koperasi` – what a ``[masking] fields`` entry may name.

    >>> {"pemilik.nik_penduduk", "npwp", "pengurus.ketua"} <= entity_field_paths()
    True
    >>> "pemilik.nik_pendudk" in entity_field_paths()
    False
    """
    from kukm.model import Koperasi, Umkm

    paths: set[str] = set()

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in attrs.fields(cls):
            hint = hints.get(f.name, f.type)
            nested = [a for a in (hint, *typing.get_args(hint)) if attrs.has(a)]
            if nested:
                walk(nested[0], f"{prefix}{f.name}.")
            elif typing.get_origin(hint) is not dict:  # atribut_lain: see _FREE_FORM_PREFIXES
                paths.add(prefix + f.name)

    walk(Umkm, "")
    walk(Koperasi, "")
    return frozenset(paths)


def _masking(data: object) -> MaskingConfig:
    """The ``[masking]`` table checked: every path a real entity field, a known style."""
    table = _table(data, "masking")
    fields = _strings(table.get("fields", list(DEFAULT_MASKED_FIELDS)), "masking.fields")
    known = entity_field_paths()
    bad = [
        f
        for f in fields
        if f not in known
        and not (f.startswith(_FREE_FORM_PREFIXES) and f.split(".", 1)[1].strip())
    ]
    if bad:
        raise _invalid(
            f"policy: masking.fields {bad} are not fields of Umkm or Koperasi "
            "(dotted paths such as pemilik.nik_penduduk, telepon, pengurus.ketua, "
            "or atribut_lain.<key>); a mistyped path would leave personal data unmasked"
        )
    style = _style(table.get("style", "sebagian"))
    return MaskingConfig.from_mapping({"fields": fields, "style": style})


def _style(value: object) -> str:
    style = _text(value, "masking.style")
    if style not in MASK_STYLES:
        raise _invalid(f"policy: unknown masking.style {style!r} (known: {', '.join(MASK_STYLES)})")
    return style


def _pairs(value: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    return frozenset((str(k), str(i)) for k, i in value)


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(str(v) for v in value)


@frozen
class User:
    """Someone acting through the service: an officer, a business, or the public.

    ``peran`` is a role of the policy; ``wilayah`` the Kemendagri code of the
    region the user is scoped to; ``milik`` the ``(kind, id)`` records a
    ``koperasi``/``pelaku_usaha`` user owns.

    >>> User.public().peran
    'publik'
    >>> User.from_petugas(Petugas("p1", "Ani", "lurah", "31.71.01.1001")).wilayah
    '31.71.01.1001'
    """

    id: str
    peran: str
    wilayah: str | None = None
    milik: frozenset[tuple[str, str]] = field(factory=frozenset, converter=_pairs)
    nama: str | None = None

    @classmethod
    def from_petugas(cls, petugas: Petugas) -> User:
        """The user of an appointed officer (E.7–8)."""
        return cls(petugas.id, petugas.peran, petugas.wilayah, nama=petugas.nama)

    @classmethod
    def public(cls) -> User:
        """An anonymous member of the public."""
        return cls("publik", PUBLIC_ROLE)


@frozen
class RoleRule:
    """One role of the policy: its actions, scope kind and allowed sources."""

    name: str
    scope: str
    actions: frozenset[str] = field(converter=_names)
    sumber: frozenset[str] = field(factory=frozenset, converter=_names)
    description: str = ""


@frozen
class Decision:
    """The answer of the policy: allowed or not, with a stable code and reason."""

    allowed: bool
    code: str | None = None
    reason: str = ""

    def raise_if_denied(self) -> None:
        """Raise :class:`~kukm.exceptions.AccessDenied` with the code when denied."""
        if not self.allowed:
            raise AccessDenied(self.reason or None, code=self.code)


_ALLOW: Final = Decision(True)


@frozen
class Policy:
    """An access policy loaded from a TOML file (see ``policy_default.toml``)."""

    roles: Mapping[str, RoleRule]
    masking: MaskingConfig = field(factory=MaskingConfig)
    name: str = "custom"
    version: str = ""
    sumber_hukum: str = ""
    max_age_days: int = 365
    #: Kemendagri code of the province the deployment serves (``[policy] provinsi``): what a
    #: province-wide scope (``scope = "provinsi"``) means. Default: DKI Jakarta (F.3 huruf b).
    provinsi: str = DEFAULT_PROVINSI

    # -- loading ---------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Build and check a policy from parsed TOML; raises ConfigurationError.

        >>> p = Policy.from_mapping({"roles": {"dinas": {"scope": "provinsi",
        ...                                              "actions": ["read"]}}})
        >>> sorted(p.roles)
        ['dinas']
        """
        top = _table(data, "")
        roles_raw = top.get("roles")
        if not isinstance(roles_raw, Mapping) or not roles_raw:
            raise _invalid("policy has no [roles.*] tables")
        roles: dict[str, RoleRule] = {}
        known_sources = {s.value for s in SumberData}
        folded: dict[str, str] = {PUBLIC_ROLE: PUBLIC_ROLE}
        for name in roles_raw:
            other = folded.setdefault(str(name).casefold(), str(name))
            if other != name:
                raise _invalid(f"role {name!r} differs only in case from {other!r}")
        for name, raw in roles_raw.items():
            spec = _table(raw, f"roles.{name}")
            scope = spec.get("scope")
            if scope not in SCOPES:
                raise _invalid(f"role {name!r}: unknown scope {scope!r} (known: {sorted(SCOPES)})")
            if "actions" not in spec:
                raise _invalid(f"role {name!r} has no actions = [...] (use [] for none)")
            actions = _strings(spec["actions"], f"roles.{name}.actions")
            bad = set(actions) - ACTIONS
            if bad:
                raise _invalid(f"role {name!r}: unknown actions {sorted(bad)}")
            sumber = _strings(spec.get("sumber", []), f"roles.{name}.sumber")
            bad = set(sumber) - known_sources
            if bad:
                raise _invalid(f"role {name!r}: unknown sumber {sorted(bad)}")
            if str(name) == PUBLIC_ROLE and scope != "publik":
                raise _invalid(
                    f"role {PUBLIC_ROLE!r} (everyone, unauthenticated) must have scope 'publik' "
                    f"and no actions beyond {sorted(_PUBLIC_ACTIONS)}"
                )
            if scope == "publik" and set(actions) - _PUBLIC_ACTIONS:
                # a role of public scope is the public under another name (I.3): the audit log
                # (officers' notes), grants or writes would reach whoever holds it
                raise _invalid(
                    f"role {name!r} has scope 'publik' (everyone, unauthenticated): no actions "
                    f"beyond {sorted(_PUBLIC_ACTIONS)}, got {sorted(set(actions) - _PUBLIC_ACTIONS)}"
                )
            description = _text(spec.get("description", ""), f"roles.{name}.description")
            roles[str(name)] = RoleRule(str(name), str(scope), actions, sumber, description)
        meta = _table(top.get("policy", {}), "policy")
        upd = _table(top.get("pemutakhiran", {}), "pemutakhiran")
        max_age = upd.get("max_age_days", 365)
        if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age <= 0:
            raise _invalid("pemutakhiran.max_age_days must be > 0")
        return cls(
            roles,
            _masking(top.get("masking", {})),
            _text(meta.get("name", "custom"), "policy.name"),
            _text(meta.get("version", ""), "policy.version"),
            _text(meta.get("sumber_hukum", ""), "policy.sumber_hukum"),
            max_age,
            _provinsi(meta.get("provinsi", DEFAULT_PROVINSI)),
        )

    # -- decisions ---------------------------------------------------------------
    def role(self, user: User) -> RoleRule | None:
        """The user's role rule, or ``None`` when the role is unknown."""
        return self.roles.get(user.peran)

    def scope_of(self, user: User, region_check: RegionCheck | None = None) -> Decision:
        """Whether the user's own scope is well defined (role known, region right)."""
        rule = self.role(user)
        if rule is None:
            return Decision(False, ACCESS_ROLE_UNKNOWN, f"unknown role {user.peran!r}")
        level = SCOPES[rule.scope]
        if level is not None:
            if not user.wilayah:
                return Decision(False, ACCESS_SCOPE_MISSING, f"role {rule.name} needs a region")
            if _region_level(user.wilayah) != level:
                return Decision(
                    False,
                    ACCESS_SCOPE_LEVEL,
                    f"role {rule.name} needs a {rule.scope} code, got {user.wilayah!r}",
                )
            check = region_check or default_region_check()
            if not check(user.wilayah):
                return Decision(False, ACCESS_REGION_UNKNOWN, f"unknown region {user.wilayah!r}")
            if not wilayah_matches(user.wilayah, self.provinsi):
                return Decision(
                    False,
                    ACCESS_OUT_OF_SCOPE,
                    f"region {user.wilayah!r} of role {rule.name} lies outside the province "
                    f"{self.provinsi!r} of the policy",
                )
        if rule.scope == "milik_sendiri" and not user.milik:
            return Decision(False, ACCESS_SCOPE_MISSING, "no own records assigned")
        return _ALLOW

    def region_scope(self, user: User) -> str | None:
        """The Kemendagri code limiting a regional user (``None``: no kota/kecamatan/kelurahan
        limit; a province-wide role is still limited to :meth:`province_scope`)."""
        rule = self.role(user)
        if rule is not None and SCOPES.get(rule.scope) is not None:
            return user.wilayah
        return None

    def province_scope(self, user: User) -> str | None:
        """The province a province-wide role is limited to (:attr:`provinsi`), else ``None``.

        A record whose region lies in another province is outside it; a record with no
        region code is not (it is the deployment's, its address still to be completed).

        >>> p = Policy.from_mapping({"policy": {"provinsi": "32"},
        ...     "roles": {"dinas": {"scope": "provinsi", "actions": ["read"]}}})
        >>> p.province_scope(User("d1", "dinas"))
        '32'
        >>> p.decide(User("d1", "dinas"), "read", wilayah="31.71.01.1001").code
        'ACCESS_OUT_OF_SCOPE'
        """
        rule = self.role(user)
        if rule is not None and rule.scope == "provinsi":
            return self.provinsi
        return None

    def is_public(self, user: User) -> bool:
        """Whether the user sees only published, masked data (unknown roles count too)."""
        rule = self.role(user)
        return rule is None or rule.scope == "publik"

    def may_see_personal(self, user: User) -> bool:
        """Unmasked personal data: needs ``read_personal`` and a non-public scope."""
        rule = self.role(user)
        return rule is not None and rule.scope != "publik" and "read_personal" in rule.actions

    def decide(
        self,
        user: User,
        action: str,
        *,
        kind: Kind | None = None,
        record_id: str | None = None,
        wilayah: str | None = None,
        status: VerificationStatus | None = None,
        sumber: SumberData | None = None,
        region_check: RegionCheck | None = None,
        any_record: bool = False,
    ) -> Decision:
        """Decide one action on one record (its region, status, id) or, with
        ``any_record``, on the user's scope as a whole.

        >>> p = default_policy()
        >>> p.decide(User.public(), "read", wilayah="31.71.01.1001",
        ...          status=VerificationStatus.MENUNGGU).code
        'ACCESS_NOT_PUBLISHED'
        >>> p.decide(User("l", "lurah", "31.71.01.1001"), "verify", any_record=True).code
        'ACCESS_ACTION_DENIED'
        """
        scope = self.scope_of(user, region_check)
        if not scope.allowed:
            return scope
        rule = self.roles[user.peran]
        if action not in rule.actions:
            return Decision(False, ACCESS_ACTION_DENIED, f"role {rule.name} may not {action}")
        if sumber is not None and rule.sumber and SumberData(sumber).value not in rule.sumber:
            return Decision(
                False, ACCESS_SOURCE_DENIED, f"role {rule.name} may not submit as {sumber}"
            )
        if any_record:
            return _ALLOW
        if rule.scope == "publik":
            if status is not VerificationStatus.TERVERIFIKASI:
                return Decision(False, ACCESS_NOT_PUBLISHED, "only verified data is published")
            return _ALLOW
        if rule.scope == "milik_sendiri":
            if kind is None or record_id is None or (kind, record_id) not in user.milik:
                return Decision(False, ACCESS_OUT_OF_SCOPE, "not the user's own record")
            return _ALLOW
        limit = self.region_scope(user)
        if limit is not None and not wilayah_matches(wilayah, limit):
            return Decision(False, ACCESS_OUT_OF_SCOPE, f"region {wilayah!r} outside {limit!r}")
        province = self.province_scope(user)
        if province is not None and not in_province(wilayah, province):
            return Decision(
                False,
                ACCESS_OUT_OF_SCOPE,
                f"region {wilayah!r} outside the province {province!r} of the policy",
            )
        return _ALLOW


def load_policy(source: str | Path | Mapping[str, Any] | None = None) -> Policy:
    """Load a policy from a TOML file path, a parsed mapping, or the default file.

    >>> load_policy().name
    'kukm-default'
    """
    if source is None:
        text = importlib.resources.files("kukm.governance").joinpath("policy_default.toml")
        return Policy.from_mapping(tomllib.loads(text.read_text(encoding="utf-8")))
    if isinstance(source, Mapping):
        return Policy.from_mapping(source)
    path = Path(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read policy {path}: {exc}", code="POLICY_INVALID"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"policy {path} is not TOML: {exc}", code="POLICY_INVALID"
        ) from exc
    return Policy.from_mapping(data)


_DEFAULT: list[Policy] = []


def default_policy() -> Policy:
    """The packaged default policy (loaded once).

    >>> "sudin" in default_policy().roles
    True
    """
    if not _DEFAULT:
        _DEFAULT.append(load_policy())
    return _DEFAULT[0]
