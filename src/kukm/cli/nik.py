"""``kukm nik …``: Nomor Induk Koperasi prefixes, applications, issuing, priority.

Kepgub DKI 1625/2021 huruf H.6 (application → verification → certificate) and
H.7 (priority service). Exit codes: 0 ok; 1 refused (no right, illegal move,
not eligible, not found); 2 usage/configuration.

``verify``, ``issue`` and ``revoke`` act for the office the application was
routed to (the Sudin of its kota, or the Dinas across kota; H.6 b–c, g): the
officer ``--petugas`` is looked up in the store's grants (``hak_akses``) as
``kukm verify`` does. An officer not registered there acts only with an
explicit ``--peran`` (and then has no region, so only a province-wide role such
as ``dinas`` can act); without it the step is refused
(``NIK_OFFICER_UNREGISTERED``). Every step, allowed or refused, is audited.

``apply`` refuses a second application for a cooperative while one is open
(``NIK_APPLICATION_OPEN``) or its certificate is still valid
(``NIK_CERTIFICATE_VALID``), naming that application. ``issue`` finishes an
interrupted issue with the same number and certificate; when the process that
started it ended without releasing it, it is refused (``NIK_ISSUE_PENDING``)
until run with ``--resume`` (Kepgub H.6 i; one number per cooperative, A.10).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from kukm.cli._common import (
    db_option,
    emit,
    existing_db,
    handle_errors,
    json_option,
    officer_id,
    policy_option,
    resolve_db,
)
from kukm.cli.ods import ods_format_option

if TYPE_CHECKING:
    from kukm.nik.allocation import PrefixLookup
    from kukm.nik.application import NikWorkflow, Permohonan
    from kukm.storage.base import Store

__all__ = ["nik"]


def _open(db_url: str | None, *, existing: bool = True) -> Store:
    """The store of ``--db``. Every command but ``apply`` acts on what is stored (an
    application, a certificate): a SQLite file that is not there is ``STORE_TIDAK_ADA``
    (exit 2, :func:`~kukm.cli._common.existing_db`), not a new empty store in which the
    application is "not found" or a certified cooperative "not priority" (exit 1)."""
    from kukm.plugins import open_store

    return open_store(existing_db(db_url) if existing else resolve_db(db_url))


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


def _table(path: Path | None) -> PrefixLookup | None:
    from kukm.nik.allocation import PrefixTable

    return PrefixTable.from_csv(path) if path is not None else None


def _workflow(
    store: Store,
    *,
    masa_berlaku: int | None = None,
    table: Path | None = None,
    peran: str | None = None,
    policy_path: str | None = None,
) -> NikWorkflow:
    from kukm.governance.access import load_policy
    from kukm.nik.application import DEFAULT_MASA_BERLAKU_TAHUN, NikWorkflow

    return NikWorkflow(
        store,
        masa_berlaku_tahun=masa_berlaku or DEFAULT_MASA_BERLAKU_TAHUN,
        prefix_table=_table(table),
        policy=load_policy(policy_path) if policy_path else None,
        unregistered_peran=peran,
    )


F = TypeVar("F", bound=Callable[..., Any])


def _officer_options(f: F) -> F:
    f = policy_option(f)
    f = click.option(
        "--peran",
        default=None,
        help="Role of an officer not registered in the store (none: such an officer is refused).",
    )(f)
    return f


def _app_dict(p: Permohonan) -> dict[str, Any]:
    from kukm.nik.application import _unstructure

    d = _unstructure(p)
    d["koperasi"] = {"nama": p.koperasi.nama, "nomor_induk_koperasi": p.nomor_induk_koperasi}
    return d


def _app_text(p: Permohonan) -> str:
    lines = [
        f"{p.id}: {p.status.value} — {p.koperasi.nama}",
        f"  kantor: {p.kantor.nama} ({p.kantor.tingkat.value})",
        f"  wilayah keanggotaan: {', '.join(p.wilayah_keanggotaan)}; kanal {p.kanal.value}",
    ]
    if p.nomor_induk_koperasi:
        lines.append(f"  nomor induk koperasi: {p.nomor_induk_koperasi}")
    if p.sertifikat_id:
        lines.append(f"  sertifikat: {p.sertifikat_id} (berlaku s.d. {p.tanggal_berakhir})")
    if p.penerbitan is not None:
        plan = p.penerbitan
        lines.append(
            f"  penerbitan belum selesai: tanggal terbit {plan.tanggal_terbit}, dimulai "
            f"{plan.dimulai.isoformat()} oleh {plan.petugas} (selesaikan: kukm nik issue {p.id})"
        )
    for t in p.riwayat:
        who = f" oleh {t.petugas}" if t.petugas else ""
        note = f" — {t.catatan}" if t.catatan else ""
        frm = t.dari.value if t.dari else "-"
        lines.append(f"  {t.waktu.isoformat()} {frm} → {t.ke.value}{who}{note}")
    return "\n".join(lines)


@click.group()
def nik() -> None:
    """Nomor Induk Koperasi: prefixes, certificate applications (H.6), priority (H.7)."""


@nik.command("prefix")
@click.argument("kode_kelurahan")
@click.option("--table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@handle_errors
def prefix(kode_kelurahan: str, table: Path | None, as_json: bool) -> None:
    """The 9-digit NIK Koperasi region prefix of a Kemendagri KODE_KELURAHAN.

    A code not written PP.KK.CC.DDDD (``3171011001``, a BPS code) is a usage error,
    ``KODE_WILAYAH_FORMAT`` (exit 2); a well-formed one without a prefix is
    ``NIK_PREFIX_UNKNOWN`` (exit 1)."""
    import re

    from kukm.exceptions import ConfigurationError
    from kukm.ids.kode_wilayah import KODE_WILAYAH_FORMAT
    from kukm.nik.allocation import region_prefix

    kode_kelurahan = kode_kelurahan.strip()
    if not re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", kode_kelurahan, flags=re.ASCII):
        raise ConfigurationError(
            f"KODE_KELURAHAN {kode_kelurahan!r} is not a dotted Kemendagri kelurahan code "
            "(like 31.71.01.1001); digits without dots may be a BPS code, which is another "
            "numbering (BPS 3171 is Kemendagri 31.74): see the BPS-Kemendagri crosswalk",
            code=KODE_WILAYAH_FORMAT,
            field="kode_kelurahan",
            value=kode_kelurahan,
        )
    value = region_prefix(kode_kelurahan, table=_table(table))
    emit(as_json, {"kode_kelurahan": kode_kelurahan, "prefix": value}, value)


@nik.command("prefix-table")
@click.argument("ods_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV to write (kode_kelurahan,nama,prefiks_nik,dukungan,total,catatan).",
)
@ods_format_option
@json_option
@handle_errors
def prefix_table(ods_file: Path, out: Path, fmt: str | None, as_json: bool) -> None:
    """Build the kelurahan → NIK prefix table from an ODS export the Dinas holds.

    The ministry's kelurahan index is not public (REGULATIONS.md §1.2 [N]): for each
    kelurahan the records' names resolve to, the most frequent 9-digit prefix of their
    Nomor Induk Koperasi wins (kukm.reference.prefiks.build_from_ods). The file is what
    --table / --prefix-table take (``kukm nik prefix``, ``kukm nik issue``, ``kukm ods
    import``); ``catatan`` names kelurahan sharing a prefix (one of them is wrong).
    """
    from kukm.integration.ods_io import Format, read_ods
    from kukm.reference.prefiks import build_from_ods, dump

    read = 0

    def records() -> Any:
        nonlocal read
        for row in read_ods(ods_file, format=cast("Format | None", fmt)):
            read += 1
            yield row.record

    table = build_from_ods(records(), source=str(ods_file))
    written = dump(table, out)
    entries = table.entries()
    data = {
        "records": read,
        "kelurahan": written,
        "unanimous": sum(1 for e in entries if e.dukungan == e.total),
        "shared_prefix": sum(1 for e in entries if e.catatan),
        "out": str(out),
    }
    emit(
        as_json,
        data,
        lambda: (
            f"{read} ODS records → prefixes of {written} kelurahan in {out} "
            f"({data['unanimous']} unanimous, {data['shared_prefix']} sharing a prefix "
            "with another: see catatan)"
        ),
    )


@nik.command("apply")
@click.option("--koperasi-id", default=None, help="Id of a koperasi record in the store.")
@click.option(
    "--koperasi-json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A JSON file with the koperasi (kukm's plain form).",
)
@click.option(
    "--wilayah",
    "wilayah",
    multiple=True,
    required=True,
    help="Kemendagri code of the membership area (repeat: 31.71, 31.74 …).",
)
@click.option("--kanal", type=click.Choice(["offline", "online"]), default="offline")
@db_option
@json_option
@handle_errors
def apply(
    koperasi_id: str | None,
    koperasi_json: Path | None,
    wilayah: tuple[str, ...],
    kanal: str,
    db_url: str | None,
    as_json: bool,
) -> None:
    """File an application for a Sertifikat NIK (routed to Sudin, Dinas or ministry)."""
    from kukm.converters import structure
    from kukm.exceptions import NotFound
    from kukm.model import Koperasi

    if koperasi_json is None and koperasi_id is None:
        raise click.UsageError("give --koperasi-id or --koperasi-json")
    # a first application (--koperasi-json) may start the store; --koperasi-id reads it
    store = _open(db_url, existing=koperasi_json is None)
    try:
        if koperasi_json is not None:
            kop = structure(json.loads(koperasi_json.read_text("utf-8")), Koperasi)
        else:
            assert koperasi_id is not None
            rec = store.get("koperasi", koperasi_id)
            if rec is None or not isinstance(rec.record, Koperasi):
                raise NotFound(f"no koperasi {koperasi_id!r} in the store", value=koperasi_id)
            kop = rec.record
        p = _workflow(store).submit(
            kop, wilayah_keanggotaan=list(wilayah), kanal=kanal, koperasi_key=koperasi_id
        )
    finally:
        store.close()
    emit(as_json, _app_dict(p), lambda: _app_text(p))


@nik.command("verify")
@click.argument("permohonan_id")
@click.option("--petugas", required=True, callback=officer_id, help="Id of the appointed officer.")
@click.option("--reject", is_flag=True, help="Reject instead of accepting.")
@click.option("--catatan", default=None, help="Notes (the reason when rejecting).")
@_officer_options
@db_option
@json_option
@handle_errors
def verify(
    permohonan_id: str,
    petugas: str,
    reject: bool,
    catatan: str | None,
    peran: str | None,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Record the officer's verification (or rejection) of an application."""
    store = _open(db_url)
    try:
        wf = _workflow(store, peran=peran, policy_path=policy_path)
        p = (wf.reject if reject else wf.verify)(permohonan_id, petugas, catatan=catatan)
    finally:
        store.close()
    emit(as_json, _app_dict(p), lambda: _app_text(p))


@nik.command("issue")
@click.argument("permohonan_id")
@click.option("--private-key", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="Issue date (today).")
@click.option("--masa-berlaku", type=click.IntRange(1, 10), default=None, help="Years (2).")
@click.option("--prefix-table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--petugas",
    required=True,
    callback=officer_id,
    help="Id of the officer of the receiving office who issues.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Take over an issue whose process ended before finishing it (NIK_ISSUE_PENDING) "
    "and finish it with the same number and certificate. Only once that process has ended.",
)
@_officer_options
@db_option
@json_option
@handle_errors
def issue(
    permohonan_id: str,
    private_key: Path,
    on: str | None,
    masa_berlaku: int | None,
    prefix_table: Path | None,
    petugas: str,
    resume: bool,
    peran: str | None,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Issue the certificate of a verified application (allocates the NIK if needed).

    An issue interrupted earlier is finished with its number, date and certificate
    (``--on`` is then not used); see ``--resume``.
    """
    from kukm.certificate.keys import load_private_key

    key = load_private_key(private_key)
    store = _open(db_url)
    try:
        wf = _workflow(
            store,
            masa_berlaku=masa_berlaku,
            table=prefix_table,
            peran=peran,
            policy_path=policy_path,
        )
        signed = wf.issue(
            permohonan_id, private_key=key, on=_date(on), petugas=petugas, resume=resume
        )
    finally:
        store.close()
    s = signed.sertifikat
    emit(
        as_json,
        {
            "sertifikat_id": s.sertifikat_id,
            "nomor_induk_koperasi": s.nomor_induk_koperasi,
            "tanggal_terbit": s.tanggal_terbit,
            "tanggal_berakhir": s.tanggal_berakhir,
            "payload": signed.payload,
        },
        f"{s.nomor_induk_koperasi}: sertifikat {s.sertifikat_id} berlaku s.d. "
        f"{s.tanggal_berakhir}\n{signed.payload}",
    )


@nik.command("show")
@click.argument("permohonan_id")
@db_option
@json_option
@handle_errors
def show(permohonan_id: str, db_url: str | None, as_json: bool) -> None:
    """Show an application with its history."""
    store = _open(db_url)
    try:
        p = _workflow(store).get(permohonan_id)
    finally:
        store.close()
    emit(as_json, _app_dict(p), lambda: _app_text(p))


@nik.command("revoke")
@click.argument("permohonan_id")
@click.option("--petugas", required=True, callback=officer_id)
@click.option("--alasan", required=True, help="Reason of the revocation.")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD")
@_officer_options
@db_option
@json_option
@handle_errors
def revoke(
    permohonan_id: str,
    petugas: str,
    alasan: str,
    on: str | None,
    peran: str | None,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Revoke the certificate of an application (status dicabut)."""
    store = _open(db_url)
    try:
        wf = _workflow(store, peran=peran, policy_path=policy_path)
        p = wf.revoke(permohonan_id, petugas, alasan=alasan, on=_date(on))
    finally:
        store.close()
    emit(as_json, _app_dict(p), lambda: _app_text(p))


@nik.command("priority")
@click.argument("nomor_induk_koperasi")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD")
@db_option
@json_option
@handle_errors
def priority(nomor_induk_koperasi: str, on: str | None, db_url: str | None, as_json: bool) -> None:
    """Whether a cooperative gets priority service (H.7); exit 1 when it does not."""
    from kukm.certificate.registry import current_certificate
    from kukm.exceptions import ValidationError
    from kukm.ids import nomor_induk_koperasi as nik_id
    from kukm.model import Koperasi
    from kukm.nik.priority import priority_service

    try:
        nomor = nik_id.validate(nomor_induk_koperasi)
    except ValidationError as exc:
        # a mistyped number is a usage error (exit 2), not "no priority" (exit 1): a script
        # reading the exit code must not take a typo for a refusal
        raise click.BadParameter(
            f"{exc} / {exc.message_id}", param_hint="'NOMOR_INDUK_KOPERASI'"
        ) from None
    day = _date(on)
    store = _open(db_url)
    try:
        found = store.find("koperasi", "nomor_induk_koperasi", nomor)
        subject: Koperasi
        if found and isinstance(found[0].record, Koperasi):
            subject = found[0].record
        else:
            cert = current_certificate(store, nomor)
            name = cert.sertifikat.nama if cert else nomor
            subject = Koperasi(nama=name, nomor_induk_koperasi=nomor)
        verdict = priority_service(subject, on=day, store=store)
    finally:
        store.close()
    emit(
        as_json,
        verdict.as_dict(),
        lambda: "\n".join(
            [f"{nomor}: {'PRIORITAS' if verdict.eligible else 'TIDAK PRIORITAS'} ({verdict.dasar})"]
            + [f"  [{r.code}] {r.message_id} / {r.message_en}" for r in verdict.reasons]
        ),
    )
    if not verdict.eligible:
        sys.exit(1)
