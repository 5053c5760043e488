"""``kukm verify``, ``kukm quality``, ``kukm duplicates``, ``kukm pemutakhiran``.

Every command goes through :class:`kukm.governance.Service`, so the access
policy and the audit log apply. The acting officer is ``--petugas ID``: a
user granted rights in the store (``hak_akses``) keeps its role and region;
an officer not registered there acts with ``--peran`` (default ``dinas``) as long as
no officer is registered in the store (an operator's single-office install, run by whoever
holds the store URL); once one is, an unregistered id is refused
(``ACCESS_USER_UNREGISTERED``, exit 1), fail-closed.

The reports and exports (``kukm report rekap|banding|tahunan``, ``kukm ods export``,
``kukm pkt export``) act as an officer the same way (:func:`acting_officer`,
:func:`officer_service`): the officer's region limits their rows, the public gets verified
data only, masked, and each is audited.

A blank ``--petugas`` (``''``, spaces) is a usage error (exit 2): verification
needs a named, appointed Dinas officer (Kepgub D.3) and every action is audited
under that id. An unknown ``--peran`` is a configuration error (exit 2,
``ACCESS_ROLE_UNKNOWN``, listing the policy's roles) before anything is read;
access stays fail-closed, an unknown role is never given access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from kukm.cli._common import (
    db_option,
    emit,
    existing_db,
    handle_errors,
    json_option,
    officer_id,
    policy_option,
)
from kukm.exceptions import AccessDenied, ConfigurationError, KukmError, register_code
from kukm.governance.access import ACCESS_ROLE_UNKNOWN, User, default_policy, load_policy
from kukm.governance.quality import GROUPINGS, load_targets
from kukm.governance.service import USERS, Service, lookup_user, stored_policy
from kukm.model import SumberData
from kukm.storage.base import Kind, VerificationStatus

__all__ = [
    "ACCESS_USER_UNREGISTERED",
    "acting_officer",
    "duplicates",
    "officer_service",
    "pemutakhiran",
    "quality",
    "verify",
]

ACCESS_USER_UNREGISTERED = register_code(
    "ACCESS_USER_UNREGISTERED",
    "Petugas tidak terdaftar di basis data ini, padahal petugas lain sudah diberi hak akses; "
    "minta administrator memberi hak (kukm tidak memberi peran atas permintaan sendiri).",
    "The officer is not registered in this store while other officers are; ask its "
    "administrator for rights (kukm gives no role an officer names for itself).",
    module=__name__,
)

F = TypeVar("F", bound=Callable[..., Any])
KINDS: tuple[Kind, ...] = ("umkm", "koperasi")


def _kinds(kind: str | None) -> tuple[Kind, ...]:
    return KINDS if kind is None else (("koperasi",) if kind == "koperasi" else ("umkm",))


#: ``--petugas`` of the commands that only read (quality, duplicates, pemutakhiran): an id is
#: still recorded in the audit log, ``cli`` when none is given
_PETUGAS_DEFAULT_CLI = click.option(
    "--petugas",
    default="cli",
    show_default=True,
    callback=officer_id,
    help="Acting officer id (not blank).",
)


def _actor_options(f: F) -> F:
    f = policy_option(f)
    f = click.option(
        "--peran",
        default="dinas",
        show_default=True,
        help="Role of an officer not registered in the store (only while no officer is).",
    )(f)
    return f


def acting_officer(f: F) -> F:
    """``--petugas`` (default ``cli``), ``--peran`` and ``--policy`` of a command that reads as
    an officer (the governance reports here, ``kukm report …``, ``kukm ods/pkt export``)."""
    return _PETUGAS_DEFAULT_CLI(_actor_options(f))


@contextmanager
def _service(
    db_url: str | None, petugas: str, peran: str, policy_path: str | None
) -> Iterator[Service]:
    from kukm.plugins import open_store

    store = open_store(existing_db(db_url))
    try:
        policy = load_policy(policy_path) if policy_path else stored_policy(store)
        user = lookup_user(store, petugas)
        if user is None and next(iter(store.iter_documents(USERS)), None) is not None:
            # once officers are registered (Service.grant), access is theirs: an id that is not
            # one of them does not act with a role it names itself (a changed letter made a
            # Sudin officer a province-wide verifier)
            raise AccessDenied(
                f"officer {petugas!r} is not registered in this store (its administrator grants "
                "rights: Kepgub A.9)",
                code=ACCESS_USER_UNREGISTERED,
            )
        if user is None:  # no officer registered yet: acts with --peran (an operator's install)
            known = sorted((policy or default_policy()).roles)
            if peran not in known:
                raise ConfigurationError(
                    f"unknown role --peran {peran!r} (known: {', '.join(known)})",
                    code=ACCESS_ROLE_UNKNOWN,
                )
            user = User(petugas, peran)
        yield Service(store, user, policy=policy)
    finally:
        store.close()


#: :func:`_service` for the other command modules (reports, exports)
officer_service = _service


def _a_number(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value != value:  # nan passes any range
        raise click.BadParameter("not a number", ctx, param)
    return value


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO date: {value!r}") from exc


def _instrument(name: str | None, kind: Kind) -> Any:
    if name is None:
        return None
    from kukm.rules import instruments

    if name == "default":
        return instruments.get_instrument(kind)
    inst = instruments.load_instrument(name)
    if inst.entity != kind:  # it was swapped for the default form without a word
        raise ConfigurationError(
            f"--instrument {name} is a {inst.entity} form, not a {kind} one",
            code=instruments.INSTRUMENT_FILE,
        )
    return inst


_KIND_OPTION = click.option("--kind", type=click.Choice(KINDS), default=None)


@click.command()
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--id", "ids", multiple=True, help="Record id (repeatable).")
@click.option("--all-pending", is_flag=True, help="Every record waiting for verification.")
@click.option(
    "--sumber",
    type=click.Choice([s.value for s in SumberData]),
    default=None,
    help="With --all-pending: only records from this source.",
)
@click.option(
    "--petugas",
    required=True,
    callback=officer_id,
    help="Id of the Dinas officer verifying (D.3); not blank.",
)
@click.option("--reject", is_flag=True, help="Reject instead of verifying.")
@click.option("--catatan", default=None, help="Notes kept with the decision.")
@_actor_options
@json_option
@db_option
@handle_errors
def verify(
    kind: Kind,
    ids: tuple[str, ...],
    all_pending: bool,
    sumber: str | None,
    petugas: str,
    reject: bool,
    catatan: str | None,
    peran: str,
    policy_path: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Verify (or --reject) records, e.g. data from pihak lain (Kepgub D.3)."""
    if bool(ids) == all_pending:
        raise click.UsageError("give either --id ID ... or --all-pending")
    if sumber and not all_pending:
        raise click.UsageError("--sumber only goes with --all-pending")
    results: list[dict[str, Any]] = []
    failed = 0
    with _service(db_url, petugas, peran, policy_path) as svc:
        targets = list(ids)
        if all_pending:
            # a role that may not verify is refused (and audited), not told "0 of 0"
            svc.require("verify", "tolak" if reject else "verifikasi")
            wanted = SumberData(sumber) if sumber else None
            targets = [s.id for s in svc.pending(kind, sumber=wanted)]
        for rid in targets:
            try:
                before = svc.get(kind, rid)
                if before is None:
                    raise KukmError(f"{kind} {rid!r} not found", code="NOT_FOUND")
                action = svc.reject if reject else svc.verify
                after = action(kind, rid, catatan=catatan)
                results.append(
                    {
                        "id": rid,
                        "status_before": before.status.value,
                        "status": after.status.value,
                        "changed": after.version != before.version,
                    }
                )
            except KukmError as exc:
                failed += 1
                results.append({"id": rid, "error": exc.code, "message": exc.message})
    target_status = VerificationStatus.DITOLAK if reject else VerificationStatus.TERVERIFIKASI
    summary = {
        "kind": kind,
        "petugas": petugas,
        "status": target_status.value,
        "processed": len(results),
        "changed": sum(1 for r in results if r.get("changed")),
        "failed": failed,
        "results": results,
    }

    def text() -> str:
        lines = [
            f"{r['id']}: {r.get('status_before', '?')} -> {r['status']}"
            if "status" in r
            else f"{r['id']}: {r['error']} {r['message']}"
            for r in results
        ]
        lines.append(
            f"{summary['changed']} of {summary['processed']} {kind} set to "
            f"{target_status.value} by {petugas}; {failed} failed"
        )
        return "\n".join(lines)

    emit(as_json, summary, text)
    if failed:
        raise SystemExit(1)


@click.command()
@_KIND_OPTION
@click.option("--by", type=click.Choice(GROUPINGS), default="kab_kota", show_default=True)
@click.option("--targets", "targets_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-of", default=None, help="Reference date (ISO), default today.")
@click.option(
    "--instrument",
    "instrument_name",
    default=None,
    help="Also apply a data-collection instrument (E.11): 'default' or a TOML/JSON file.",
)
@_PETUGAS_DEFAULT_CLI
@_actor_options
@json_option
@db_option
@handle_errors
def quality(
    kind: str | None,
    by: str,
    targets_path: str | None,
    as_of: str | None,
    instrument_name: str | None,
    petugas: str,
    peran: str,
    policy_path: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Data quality per region or source (Kepgub F.1) and targets per unit (I.5)."""
    targets = load_targets(targets_path) if targets_path else []
    out: dict[str, Any] = {}
    with _service(db_url, petugas, peran, policy_path) as svc:
        for k in _kinds(kind):
            report = svc.quality(
                k, by=by, as_of=_date(as_of), instrument=_instrument(instrument_name, k)
            )
            out[k] = report.as_dict(targets)

    def text() -> str:
        lines: list[str] = []
        for k, rep in out.items():
            lines.append(f"== {k} (by {rep['by']}, as of {rep['as_of']})")
            lines.append(
                f"{'group':<18}{'n':>7}{'lengkap':>9}{'valid':>8}{'terkini':>9}{'konsisten':>11}"
            )
            for g in rep["groups"]:
                lines.append(
                    f"{g['group']:<18}{g['jumlah']:>7}{g['lengkap']:>9.1%}{g['valid']:>8.1%}"
                    f"{g['terkini']:>9.1%}{g['konsisten']:>11.1%}"
                )
            codes: dict[str, int] = {}
            for i in rep["issues"]:
                codes[i["code"]] = codes.get(i["code"], 0) + 1
            lines.extend(f"  {c}: {n}" for c, n in sorted(codes.items()))
            for a in rep["achievements"]:
                mark = "ok" if a["tercapai"] else "BELUM"
                lines.append(
                    f"  target {a['unit']} {a['metric']}: {a['actual']:.3g} / {a['target']:.3g} {mark}"
                )
        return "\n".join(lines)

    emit(as_json, out, text)


@click.command()
@_KIND_OPTION
@click.option(
    "--threshold", type=click.FloatRange(0, 100), default=85.0, show_default=True,
    callback=_a_number, help="Score (0-100) from which two records are a candidate pair.",
)
@_PETUGAS_DEFAULT_CLI
@_actor_options
@json_option
@db_option
@handle_errors
def duplicates(
    kind: str | None,
    threshold: float,
    petugas: str,
    peran: str,
    policy_path: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Duplicate candidates by identifier and by similar name/address per kelurahan."""
    out: dict[str, Any] = {}
    with _service(db_url, petugas, peran, policy_path) as svc:
        for k in _kinds(kind):
            out[k] = [c.as_dict() for c in svc.duplicates(k, threshold=threshold)]

    def text() -> str:
        lines: list[str] = []
        for k, cands in out.items():
            lines.append(f"== {k}: {len(cands)} candidate pair(s)")
            for c in cands:
                why = "; ".join(f"{r['code']} {r['field']}" for r in c["reasons"])
                lines.append(f"{c['a']} ~ {c['b']}  {c['score']:.1f}  {why}")
        return "\n".join(lines)

    emit(as_json, out, text)


@click.command()
@_KIND_OPTION
@click.option("--as-of", default=None, help="Reference date (ISO), default today.")
@click.option(
    "--max-age-days",
    type=click.IntRange(min=1),
    default=None,
    help="Days (at least 1) a record may go without update. Default: the policy's (365).",
)
@click.option(
    "--level",
    type=click.Choice(["provinsi", "kab_kota", "kecamatan", "kelurahan"]),
    default="kecamatan",
    show_default=True,
)
@_PETUGAS_DEFAULT_CLI
@_actor_options
@json_option
@db_option
@handle_errors
def pemutakhiran(
    kind: str | None,
    as_of: str | None,
    max_age_days: int | None,
    level: str,
    petugas: str,
    peran: str,
    policy_path: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Records not updated within a year (Kepgub E.10), per officer and region."""
    out: dict[str, Any] = {}
    with _service(db_url, petugas, peran, policy_path) as svc:
        for k in _kinds(kind):
            report = svc.pemutakhiran(k, as_of=_date(as_of), max_age_days=max_age_days)
            out[k] = report.as_dict(level)

    def text() -> str:
        lines: list[str] = []
        for k, rep in out.items():
            lines.append(
                f"== {k}: {rep['overdue']} of {rep['checked']} overdue "
                f"(> {rep['max_age_days']} days before {rep['as_of']})"
            )
            for who, ids in rep["by_petugas"].items():
                lines.append(f"  petugas {who}: {len(ids)}")
            for where, ids in rep["by_wilayah"].items():
                lines.append(f"  wilayah {where}: {len(ids)}")
        return "\n".join(lines)

    emit(as_json, out, text)
