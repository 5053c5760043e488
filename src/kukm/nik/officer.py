"""Who may verify, reject, issue and revoke a NIK application (Kepgub DKI 1625/2021 H.6, A.9).

H.6 b–c route an application to one office: the **Sudin PPKUKM** of the
kota/kabupaten administrasi when the membership area lies in that one kota,
the **Dinas PPKUKM** when it spans several (:func:`kukm.nik.routing.route`);
H.6 g, i: that office verifies, and the certificate is given after the
verification by the officer it appointed. Rights are given by the
administrator (A.9): the officer's grant is looked up in the store
(collection ``hak_akses``, :meth:`kukm.governance.Service.grant`), exactly
as ``kukm verify`` does.

The decision is **fail-closed**, every refusal with a stable code:

* a blank officer id: ``ACCESS_USER_BLANK`` (configuration error);
* an officer not registered in the store: ``NIK_OFFICER_UNREGISTERED`` unless
  the caller names the role the officer acts with (``unregistered_peran``,
  ``kukm nik … --peran``: the operator answers for it, as with ``kukm verify``);
  such an officer has no region, so only a province-wide role can act;
* a withdrawn grant: ``NIK_OFFICER_REVOKED``;
* a role the access policy does not know, or a region that is missing, of the
  wrong level or not in the Kemendagri tree: the policy's own code
  (``ACCESS_ROLE_UNKNOWN``, ``ACCESS_SCOPE_MISSING``, …);
* a role that is not the one of the receiving office (default: ``sudin`` for a
  Sudin, ``dinas`` for the Dinas; nobody in kukm for the ministry):
  ``NIK_OFFICER_ROLE_DENIED``;
* an officer whose region is not the receiving office's: ``NIK_OFFICER_OUT_OF_SCOPE``.
  A province-wide grant that names no region is the Dinas PPKUKM of the province the
  access policy serves (``[policy] provinsi``, :attr:`~kukm.governance.access.Policy.provinsi`;
  ``31``, DKI Jakarta, in the packaged policy): it does not act for the office of another
  province (a membership area wholly in, say, Jawa Barat routes to that province's Dinas),
  and neither does a grant naming a region outside the policy's province.

The D.3 right ``verify`` of the data policy is a different thing (the Dinas
verifying secondary data) and is not what H.6 g asks for.

>>> from kukm.governance.access import User
>>> from kukm.nik.routing import route
>>> sudin_pusat = User("s1", "sudin", "31.71")
>>> decide(sudin_pusat, route(["31.71"])).allowed
True
>>> decide(sudin_pusat, route(["31.74"])).code
'NIK_OFFICER_OUT_OF_SCOPE'
>>> decide(User("d1", "dinas"), route(["31.74"])).code
'NIK_OFFICER_ROLE_DENIED'
>>> decide(User("x", "publik"), route(["31.71", "31.74"])).code
'NIK_OFFICER_ROLE_DENIED'
>>> decide(User("d1", "dinas"), route(["32.01", "32.02"])).code
'NIK_OFFICER_OUT_OF_SCOPE'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from kukm.exceptions import AccessDenied, ConfigurationError, register_code
from kukm.governance.access import (
    ACCESS_ROLE_UNKNOWN,
    Decision,
    Policy,
    RegionCheck,
    User,
    default_policy,
    named_user_id,
)
from kukm.governance.service import USERS, lookup_user, stored_policy
from kukm.model import Petugas
from kukm.nik.routing import Kantor, TingkatKantor
from kukm.storage.base import Store, wilayah_matches

__all__ = [
    "DEFAULT_OFFICER_ROLES",
    "NIK_OFFICER_OUT_OF_SCOPE",
    "NIK_OFFICER_REVOKED",
    "NIK_OFFICER_ROLE_DENIED",
    "NIK_OFFICER_UNREGISTERED",
    "decide",
    "resolve_officer",
]

_M = __name__
NIK_OFFICER_OUT_OF_SCOPE = register_code(
    "NIK_OFFICER_OUT_OF_SCOPE",
    "Petugas tidak ditunjuk untuk wilayah kantor penerima permohonan.",
    "The officer is not appointed for the region of the receiving office.",
    module=_M,
)
NIK_OFFICER_UNREGISTERED = register_code(
    "NIK_OFFICER_UNREGISTERED",
    "Petugas tidak terdaftar (hak_akses) dan tidak disebutkan perannya: tindakan atas "
    "permohonan Sertifikat NIK ditolak.",
    "The officer is not registered (hak_akses) and no acting role was given: the action on "
    "the NIK certificate application is refused.",
    module=_M,
)
NIK_OFFICER_REVOKED = register_code(
    "NIK_OFFICER_REVOKED",
    "Hak akses petugas telah dicabut.",
    "The officer's rights have been withdrawn.",
    module=_M,
)
NIK_OFFICER_ROLE_DENIED = register_code(
    "NIK_OFFICER_ROLE_DENIED",
    "Peran petugas bukan peran kantor penerima permohonan (Sudin untuk keanggotaan satu "
    "kota/kabupaten, Dinas untuk lintas kota/kabupaten; Kepgub H.6 b–c, g).",
    "The officer's role is not the receiving office's (the Sudin for a membership within one "
    "kota/kabupaten, the Dinas across several; Kepgub H.6 b–c, g).",
    module=_M,
)

#: Receiving office level → the policy role whose officers act for it (H.6 b–c, g).
DEFAULT_OFFICER_ROLES: Final[Mapping[TingkatKantor, str]] = MappingProxyType(
    {TingkatKantor.SUDIN: "sudin", TingkatKantor.DINAS: "dinas"}
)


def officer_id(petugas: Petugas | str) -> str:
    """The id of an officer given as id or :class:`~kukm.model.Petugas` (blank refused)."""
    return named_user_id(petugas if isinstance(petugas, str) else petugas.id, "petugas")


def resolve_officer(
    store: Store,
    petugas: Petugas | str,
    *,
    unregistered_peran: str | None = None,
    policy: Policy | None = None,
) -> User:
    """The officer as the store knows it (its grant: role and region).

    A registered grant always wins over what a :class:`~kukm.model.Petugas`
    claims. An officer not registered in the store acts: as the given
    :class:`~kukm.model.Petugas` (the library caller declares the appointment,
    E.7–8), else with ``unregistered_peran`` and no region, else not at all
    (``NIK_OFFICER_UNREGISTERED``). A withdrawn grant is ``NIK_OFFICER_REVOKED``.
    """
    pid = officer_id(petugas)
    doc = store.get_document(USERS, pid)
    if doc is not None:
        if doc.get("aktif") is False:
            raise AccessDenied(
                f"officer {pid!r}: rights withdrawn (peran {doc.get('peran')!r})",
                code=NIK_OFFICER_REVOKED,
            )
        user = lookup_user(store, pid)
        assert user is not None
        return user
    if isinstance(petugas, Petugas):
        return User.from_petugas(petugas)
    if unregistered_peran is None:
        raise AccessDenied(
            f"officer {pid!r} is not registered in the store (hak_akses) and no acting role "
            "was given (grant the officer with its role and region, or name --peran)",
            code=NIK_OFFICER_UNREGISTERED,
        )
    known = sorted((policy or stored_policy(store) or default_policy()).roles)
    if unregistered_peran not in known:
        raise ConfigurationError(
            f"unknown role --peran {unregistered_peran!r} (known: {', '.join(known)})",
            code=ACCESS_ROLE_UNKNOWN,
        )
    return User(pid, unregistered_peran)


def decide(
    user: User,
    kantor: Kantor,
    *,
    policy: Policy | None = None,
    roles: Mapping[TingkatKantor, str] = DEFAULT_OFFICER_ROLES,
    region_check: RegionCheck | None = None,
) -> Decision:
    """Whether ``user`` may act for the receiving office ``kantor``, and why."""
    policy = policy or default_policy()
    scope = policy.scope_of(user, region_check)
    if not scope.allowed:
        return scope
    wanted = roles.get(kantor.tingkat)
    if wanted is None:
        return Decision(
            False,
            NIK_OFFICER_ROLE_DENIED,
            f"applications for {kantor.nama} ({kantor.tingkat.value}) are not handled in kukm",
        )
    if user.peran != wanted:
        return Decision(
            False,
            NIK_OFFICER_ROLE_DENIED,
            f"role {user.peran!r} does not act for {kantor.nama}: role {wanted!r} does",
        )
    # The role's region scope, or any region the grant names (a Dinas grant limited to one
    # kota does not act for the whole province), else the policy's province (a grant naming
    # no region is not one for another province's Dinas): fail-closed. A province-wide role
    # never reaches outside the policy's province, whatever region its grant names.
    limit = policy.region_scope(user) or user.wilayah or policy.provinsi
    province = policy.province_scope(user)
    if (
        kantor.kode_wilayah is None
        or not wilayah_matches(kantor.kode_wilayah, limit)
        or (province is not None and not wilayah_matches(kantor.kode_wilayah, province))
    ):
        return Decision(
            False,
            NIK_OFFICER_OUT_OF_SCOPE,
            f"officer region {limit!r} (policy province {policy.provinsi!r}) is not that of "
            f"{kantor.nama} ({kantor.kode_wilayah})",
        )
    return Decision(True, None, f"{user.peran} {limit} acts for {kantor.nama}")
