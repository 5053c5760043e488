"""``kukm ods …`` (ODS import, export, diff, sync) and ``kukm pkt …`` (PKT/Jakpreneur).

Kepgub DKI 1625/2021 huruf G. Exit codes: 0 ok; 1 rejected rows, differences
or a failed sync; 2 usage/configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from kukm.cli._common import (
    db_option,
    emit,
    existing_db,
    handle_errors,
    json_option,
    progress,
    resolve_db,
)
from kukm.cli.governance import acting_officer, officer_service

if TYPE_CHECKING:
    from kukm.storage.base import Store

__all__ = ["ods", "pkt"]


def _open(db_url: str | None) -> Store:
    from kukm.plugins import open_store

    return open_store(resolve_db(db_url))


@click.group()
def ods() -> None:
    """Data exchange with the ministry's ODS (Online Data System) in its own layout."""


#: ``--format`` of the commands reading an ODS export (``ods import``, ``nik prefix-table``)
ods_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="ODS file layout (default: from the suffix).",
)


@ods.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ods_format_option
@click.option("--batch-size", default=500, show_default=True)
@click.option("--petugas", default=None, help="Officer id answering for the data.")
@click.option(
    "--wilayah-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Region tables (*kabkota*.csv, *kecamatan*.csv, *kelurahan*.csv) to resolve names.",
)
@click.option(
    "--resolve/--no-resolve",
    default=True,
    show_default=True,
    help="Resolve kelurahan names to Kemendagri codes.",
)
@click.option(
    "--prefix-table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Kelurahan → NIK prefix table (kukm nik prefix-table): a kelurahan field holding "
    "the ODS's own 10-digit code resolves through it.",
)
@db_option
@json_option
@handle_errors
def import_(
    file: Path,
    fmt: str | None,
    batch_size: int,
    petugas: str | None,
    wilayah_dir: Path | None,
    resolve: bool,
    prefix_table: Path | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Import an ODS export (JSON lines or CSV) into the store, streaming."""
    import contextlib

    from kukm.integration.ods_io import Format, import_ods, read_ods
    from kukm.integration.wilayah_match import resolver_from_dir
    from kukm.pipeline.header import refuse_blank_file
    from kukm.reference import prefiks

    resolver = resolver_from_dir(wilayah_dir) if wilayah_dir is not None and resolve else None
    if prefix_table is not None and wilayah_dir is not None:
        raise click.UsageError(
            "--prefix-table goes with the built-in region tables; with --wilayah-dir, put the "
            "prefix table in that directory as *prefiks*.csv"
        )
    # no header, no rows (0 bytes, only blank lines): BERKAS_KOSONG, before the store is opened
    refuse_blank_file(file)
    restore = contextlib.ExitStack()
    if prefix_table is not None:
        old = prefiks.set_table(prefiks.load(prefix_table))
        restore.callback(prefiks.set_table, old)
    store = _open(db_url)
    try:
        # read_ods takes the layout from the suffix when --format is not given
        rows = progress(read_ods(file, format=cast("Format | None", fmt)), desc="ODS import")
        report = import_ods(
            store,
            rows,
            batch_size=batch_size,
            petugas=petugas,
            resolver=resolver,
            resolve=resolve,
        )
    finally:
        store.close()
        restore.close()
    data = report.as_dict()
    emit(
        as_json,
        data,
        lambda: (
            f"input {report.input} = accepted {report.accepted} + rejected {report.rejected} "
            f"(inserted {report.inserted}, updated {report.updated}, unchanged {report.unchanged})"
            + "".join(f"\n  {code}: {n}" for code, n in sorted(report.issue_counts.items()))
        ),
    )
    if report.rejected:
        sys.exit(1)


@ods.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="Layout (default: from the suffix of --out).",
)
@click.option("--wilayah", default=None, help="Only this Kemendagri region (e.g. 31.71).")
@click.option(
    "--mask",
    is_flag=True,
    help="Mask personal data (the board's names …) as the store's access policy masks it.",
)
@acting_officer
@db_option
@json_option
@handle_errors
def export(
    out: Path,
    fmt: str | None,
    wilayah: str | None,
    mask: bool,
    petugas: str,
    peran: str,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Export the cooperatives in the officer's scope in the ODS layout, streaming.

    Acts as the officer (``--petugas``/``--peran``, see ``kukm quality``): its region only
    (a ``--wilayah`` outside it is refused), the public only verified records, masked;
    audited. ``--mask`` masks with the policy in force (stored in the store, else the packaged
    one)."""
    from kukm.integration.ods_io import detect_format, export_ods
    from kukm.reports.wilayah import periksa_wilayah

    wilayah = periksa_wilayah(wilayah)  # 3171 or 31.7 would export nothing: refused, exit 2
    layout = fmt or detect_format(out)
    with officer_service(db_url, petugas, peran, policy_path) as svc:
        region = svc.export_scope("ekspor_ods", kind="koperasi", wilayah=wilayah)
        n = export_ods(
            svc.reader(),
            out,
            format="csv" if layout == "csv" else "jsonl",
            wilayah=region,
            mask=mask,
            masking=svc.policy.masking,
        )
    emit(
        as_json,
        {"exported": n, "out": str(out), "format": layout},
        f"{n} records written to {out} ({layout})",
    )


@ods.command("diff")
@click.argument(
    "snapshot", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--since-sync",
    "since_sync",
    default=None,
    metavar="NAME",
    help="Instead of a snapshot: local changes since the last sync with NAME.",
)
@db_option
@json_option
@handle_errors
def diff(snapshot: Path | None, since_sync: str | None, db_url: str | None, as_json: bool) -> None:
    """Compare the local register with an ODS SNAPSHOT (new, changed, missing)."""
    from kukm.integration.diff import changes_since_sync, diff_snapshot

    if snapshot is None and since_sync is None:
        raise click.UsageError("give a SNAPSHOT file or --since-sync NAME")
    # the local register is read: a mistyped --db is STORE_TIDAK_ADA (exit 2), not a new
    # empty store against which every snapshot record is "new" (exit 1)
    store = _open(existing_db(db_url))
    try:
        if snapshot is None:
            assert since_sync is not None
            since = changes_since_sync(store, since_sync)
            emit(
                as_json,
                since.as_dict(),
                lambda: "\n".join(
                    [f"{len(since.changes)} local changes since last sync ({since.last_run})"]
                    + [
                        f"  {c.status} {c.id}: " + ", ".join(f.field for f in c.fields)
                        for c in since.changes[:50]
                    ]
                ),
            )
            return
        report = diff_snapshot(store, snapshot)
    finally:
        store.close()
    emit(
        as_json,
        report.as_dict(),
        lambda: "\n".join(
            [
                f"new {len(report.new)}, changed {len(report.changed)}, "
                f"missing in snapshot {len(report.missing_in_snapshot)}, same {report.same}"
            ]
            + [
                f"  {c.id}: "
                + "; ".join(f"{f.field}: {f.local!r} -> {f.remote!r}" for f in c.fields)
                for c in report.changed[:50]
            ]
        ),
    )
    if report.new or report.changed or report.missing_in_snapshot:
        sys.exit(1)


@ods.command("sync")
@click.option("--url", required=True, help="Base URL of the ODS endpoint.")
@click.option(
    "--transport",
    default="ods-http",
    show_default=True,
    help="Sync transport name (kukm_register_sync_transports).",
)
@click.option("--name", default="ods", show_default=True, help="Sync partner name (cursor key).")
@click.option("--client-id", default="kukm", show_default=True)
@click.option(
    "--authority",
    type=click.Choice(["local", "remote"]),
    default="local",
    show_default=True,
    help="Side that wins conflicts (regional = local).",
)
@click.option(
    "--field-authority",
    multiple=True,
    metavar="FIELD=SIDE",
    help="Per-field winner, e.g. 'Status Grade=remote'.",
)
@click.option("--timeout", default=30.0, show_default=True)
@click.option("--petugas", default=None, help="Officer id recorded in the audit log.")
@db_option
@json_option
@handle_errors
def sync_(
    url: str,
    transport: str,
    name: str,
    client_id: str,
    authority: str,
    field_authority: tuple[str, ...],
    timeout: float,
    petugas: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Pull remote changes and push local ones (idempotent, resumable); exit 1 when the
    partner rejected pushed records (they are sent again next run)."""
    from kukm.exceptions import ConfigurationError
    from kukm.integration.sync import ConflictRule, sync
    from kukm.plugins import get_plugins

    factories = get_plugins().sync_transports()
    if transport not in factories:
        raise ConfigurationError(f"no sync transport {transport!r} (known: {sorted(factories)})")
    rule = ConflictRule.parse(authority, field_authority)
    client = factories[transport](url, client_id=client_id, timeout=timeout)
    store = _open(db_url)
    try:
        report = sync(store, client, name=name, rule=rule, petugas=petugas)
    finally:
        store.close()
    emit(
        as_json,
        report.as_dict(),
        lambda: (
            f"pulled {report.received} (applied {report.applied}, conflicts {report.conflicts}, "
            f"duplicates {report.duplicates}), pushed {report.pushed}, rejected "
            f"{report.rejected}, retries {report.retries}"
        ),
    )
    if report.rejected:  # records the partner does not hold: not done (SYNC_PUSH_REJECTED)
        sys.exit(1)


@click.group()
def pkt() -> None:
    """Exchange with the PKT / Jakpreneur app (Pengembangan Kewirausahaan Terpadu)."""


#: ``--kunci-file`` of pkt export and import: the Dinas's secret behind the opaque references
_kunci_option = click.option(
    "--kunci-file",
    "kunci_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="KUKM_PKT_KUNCI_FILE",
    default=None,
    help="Secret key file (>= 16 bytes, env KUKM_PKT_KUNCI_FILE) of the opaque id_anggota "
    "references (kukm-…): export gives them to UMKM without a PKT member id (without a key "
    "their id_anggota is empty), import resolves them.",
)


@pkt.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--wilayah", default=None, help="Only this Kemendagri region (e.g. 31.71).")
@_kunci_option
@acting_officer
@db_option
@json_option
@handle_errors
def pkt_export(
    out: Path,
    wilayah: str | None,
    kunci_file: Path | None,
    petugas: str,
    peran: str,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Write the UMKM records in the officer's scope in the PKT layout (NIK penduduk and names
    masked as the store's access policy masks them, else the packaged one; id_anggota is the
    PKT member id or an opaque reference, never a kukm record id).

    Acts as the officer (``--petugas``/``--peran``, see ``kukm quality``): its region only
    (a ``--wilayah`` outside it is refused), the public only verified records; audited."""
    from kukm.integration.pkt import export_pkt, load_kunci
    from kukm.reports.wilayah import periksa_wilayah

    wilayah = periksa_wilayah(wilayah)  # 3171 or 31.7 would export nothing: refused, exit 2
    kunci = load_kunci(kunci_file) if kunci_file is not None else None
    with officer_service(db_url, petugas, peran, policy_path) as svc:
        region = svc.export_scope("ekspor_pkt", kind="umkm", wilayah=wilayah)
        # the policy in force masks here as in every other output (I.3-4): a policy of style
        # penuh/hapus must not leave the NIK's region digits in the PKT file
        n = export_pkt(svc.reader(), out, wilayah=region, kunci=kunci, masking=svc.policy.masking)
    emit(as_json, {"exported": n, "out": str(out)}, f"{n} UMKM written to {out}")


@pkt.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--petugas", default=None)
@click.option("--batch-size", default=500, show_default=True, help="Writes per transaction.")
@_kunci_option
@db_option
@json_option
@handle_errors
def pkt_import(
    file: Path,
    petugas: str | None,
    batch_size: int,
    kunci_file: Path | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Import the PKT member list (CSV): PKT member id and stage per UMKM.

    Matched UMKM keep their content, status and source; unmatched members become new UMKM
    (source pihak_lain, waiting for verification) only when they pass the UMKM form's checks.
    """
    from kukm.exceptions import ConfigurationError
    from kukm.integration.pkt import import_pkt_members, load_kunci
    from kukm.pipeline.header import refuse_blank_file

    if batch_size < 1:
        raise ConfigurationError(f"--batch-size must be at least 1 (got {batch_size})")
    kunci = load_kunci(kunci_file) if kunci_file is not None else None
    refuse_blank_file(file)  # BERKAS_KOSONG before the store is opened (the library refuses it too)
    store = _open(db_url)
    try:
        report = import_pkt_members(
            store, file, petugas=petugas, kunci=kunci, batch_size=batch_size
        )
    finally:
        store.close()
    emit(
        as_json,
        report.as_dict(),
        lambda: (
            f"input {report.input} = accepted {report.accepted} + rejected {report.rejected} "
            f"(matched {report.matched}, created {report.created})"
            + "".join(f"\n  {code}: {n}" for code, n in sorted(report.issue_counts.items()))
        ),
    )
    if report.rejected:
        sys.exit(1)
