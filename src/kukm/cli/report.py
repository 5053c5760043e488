"""``kukm report``: rekapitulasi tables, period comparison and the yearly report.

Every report acts as an officer (``--petugas``, ``--peran``, ``--policy``, as ``kukm quality``:
see :mod:`kukm.cli.governance`) through :class:`kukm.governance.Service`: the officer's region
scope limits the rows (a ``--wilayah`` outside it is refused, ``ACCESS_OUT_OF_SCOPE``; none
given: the whole scope), the public role counts verified data only (``--all-status`` or a
table by ``status`` is refused to it, ``ACCESS_NOT_PUBLISHED``), and each report is audited
(Kepgub F.3, I.2–4). With no officer registered in the store, the default ``--peran dinas``
reports on the whole province.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from kukm.cli._common import db_option, emit, handle_errors, json_option
from kukm.cli.governance import acting_officer, officer_service
from kukm.exceptions import ConfigurationError, register_code

if TYPE_CHECKING:
    from kukm.governance.service import Service

__all__ = ["report"]

FORMATS = ["csv", "xlsx", "html", "json", "pdf"]

FORMAT_LAPORAN_TIDAK_DIKENAL: Final = register_code(
    "FORMAT_LAPORAN_TIDAK_DIKENAL",
    "Format laporan tidak dikenal: beri --out berakhiran .csv, .xlsx, .html, .json atau .pdf.",
    "Unknown report format: give --out ending in .csv, .xlsx, .html, .json or .pdf.",
    module=__name__,
)
JSON_FORMAT_BENTROK: Final = register_code(
    "JSON_FORMAT_BENTROK",
    "--json mencetak satu dokumen JSON; format lain (--format csv/html) ditulis dengan --out.",
    "--json prints one JSON document; another format (--format csv/html) is written with --out.",
    module=__name__,
)


def _out_format(out: Path | None, fmt: str | None, *, has_format: bool = True) -> str | None:
    """The format ``--out`` will be written in (``--format``, else the file's extension),
    checked against the report renderers before the store is opened: an unknown one is
    ``FORMAT_LAPORAN_TIDAK_DIKENAL`` (exit 2), not a store read and then exit 1."""
    if out is None:
        return fmt
    from kukm.plugins import get_plugins

    chosen = fmt or out.suffix.lstrip(".").lower()
    known = sorted({r.format for r in get_plugins().renderers() if r.target == "report"})
    if chosen not in known:
        raise ConfigurationError(
            f"no report format {chosen or '(none)'!r} for --out {out} "
            f"(known: {', '.join(known)}{'; or give --format' if has_format else ''})",
            code=FORMAT_LAPORAN_TIDAK_DIKENAL,
        )
    return chosen


@click.group("report")
def report() -> None:
    """Reports: rekap (summary tables), banding (two periods), tahunan (yearly report)."""


@report.command("rekap")
@click.option(
    "--by",
    "by",
    default="kab_kota",
    show_default=True,
    help="Field(s), comma-separated: kab_kota, kecamatan, skala, sumber_data, status, jenis, bentuk, …",
)
@click.option("--kind", type=click.Choice(["umkm", "koperasi"]), default="umkm", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Default: from --out, else a text table.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--wilayah", help="Only this Kemendagri region, e.g. 31.71.")
@click.option("--all-status", is_flag=True, help="Count every status, not only verified records.")
@acting_officer
@db_option
@json_option
@handle_errors
def rekap_cmd(
    by: str,
    kind: str,
    fmt: str | None,
    out: Path | None,
    wilayah: str | None,
    all_status: bool,
    petugas: str,
    peran: str,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Counts grouped by FIELD(s); unknown values shown; rows sum to the total.

    Official tables count only verified records (Kepgub D.3), unless
    --all-status or grouping by status.
    """
    from kukm.reports import rekap, render_report, write_report
    from kukm.reports.rekap import RESMI, periksa_dimensi
    from kukm.reports.wilayah import periksa_wilayah

    dims = periksa_dimensi(by.split(","))  # refused before the store is opened (or created)
    wilayah = periksa_wilayah(wilayah)
    _out_format(out, fmt)
    if as_json and out is None and fmt not in (None, "json"):
        # stdout holds one JSON document with --json: a CSV or HTML table there is not one
        raise ConfigurationError(
            f"--json with --format {fmt}: write the {fmt} with --out FILE, or drop --json",
            code=JSON_FORMAT_BENTROK,
        )
    with officer_service(db_url, petugas, peran, policy_path) as svc:
        # the officer's region (its whole scope when --wilayah is not given); pending and
        # rejected records (--all-status, a table by status) are not the public's
        region = svc.report_scope(
            "rekap", kind=kind, wilayah=wilayah, unverified=all_status or "status" in dims
        )
        reader = svc.reader()
        statuses = None if all_status or "status" in dims else RESMI
        # the table and what the scope leaves out, of one state of the store: they add up to it
        with reader.snapshot():
            r = rekap(reader, kind, dims, wilayah=region, status=statuses)  # type: ignore[arg-type]
            luar = svc.outside_scope(kind, status=statuses)  # type: ignore[arg-type]
    if as_json and fmt is None and out is None:
        fmt = "json"
    if fmt in ("xlsx", "pdf") and out is None:
        raise click.UsageError(f"--format {fmt} needs --out FILE")
    if luar and not as_json and fmt != "json":
        # a table stays reconciled to its own total: the records it leaves out are said beside
        # it, on stderr (a CSV/HTML body on stdout stays as it is; a JSON one holds luar_cakupan)
        click.echo(_luar_cakupan_line(luar, svc), err=True)
    if out is not None:
        path = write_report(r, out, fmt)
        emit(
            as_json,
            {"out": str(path), "total": r.total, "rows": len(r.rows), "luar_cakupan": luar},
            f"written {path}",
        )
        return
    if fmt == "json":
        data = r.as_dict()
        data["luar_cakupan"] = luar
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    if fmt is not None:
        click.echo(render_report(r, fmt).decode("utf-8"), nl=False)
        return
    width = max([len(" / ".join(row.label)) for row in r.rows] + [10])
    lines = [r.judul, ""]
    for row in r.rows:
        lines.append(f"{' / '.join(row.label):<{width}}  {row.jumlah:>10,}")
    lines.append(f"{'Jumlah':<{width}}  {r.total:>10,}")
    click.echo("\n".join(lines))


def _luar_cakupan_line(n: int, svc: Service) -> str:
    """The stderr line saying how many records a rekap leaves out (outside the scope)."""
    limit = svc.policy.region_scope(svc.user) or f"provinsi {svc.policy.province_scope(svc.user)}"
    return (
        f"{n:,} data di luar cakupan {limit} tidak dihitung "
        f"({n:,} records outside the scope {limit} are not counted)"
    )


@report.command("banding")
@click.option(
    "--by",
    "dim",
    default="kab_kota",
    show_default=True,
    help="One field: kab_kota, kecamatan, skala, sumber_data, status, jenis, bentuk, …",
)
@click.option("--kind", type=click.Choice(["umkm", "koperasi"]), default="umkm", show_default=True)
@click.option("--from", "tahun_a", type=int, required=True, help="First year (stock at its end).")
@click.option("--to", "tahun_b", type=int, required=True, help="Second year (stock at its end).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--wilayah", help="Only this Kemendagri region, e.g. 31.71.")
@acting_officer
@db_option
@json_option
@handle_errors
def banding(
    dim: str,
    kind: str,
    tahun_a: int,
    tahun_b: int,
    out: Path | None,
    wilayah: str | None,
    petugas: str,
    peran: str,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Compare the stock at the end of two years by one field (Kepgub F.5).

    Each record counts in the version in effect at the end of each year (its
    latest data date up to 31 December), with that version's values.
    """
    from kukm.reports import bandingkan, write_report
    from kukm.reports.periode import periksa_tahun
    from kukm.reports.rekap import DIMENSI_TIDAK_DIKENAL, periksa_dimensi
    from kukm.reports.wilayah import periksa_wilayah

    if "," in dim:
        raise ConfigurationError(
            f"--by of a comparison takes exactly one field, not {dim!r}",
            code=DIMENSI_TIDAK_DIKENAL,
        )
    periksa_dimensi([dim])
    periksa_tahun(tahun_a, nama_opsi="--from")
    periksa_tahun(tahun_b, nama_opsi="--to")
    wilayah = periksa_wilayah(wilayah)
    _out_format(out, None, has_format=False)
    with officer_service(db_url, petugas, peran, policy_path) as svc:
        region = svc.report_scope(
            "banding", kind=kind, wilayah=wilayah, unverified=dim.strip() == "status"
        )
        # each version is tested against the region (a record that moved counts where it was)
        p = bandingkan(
            svc.reader(per_version=True),
            kind,  # type: ignore[arg-type]
            dim,
            tahun_a,
            tahun_b,
            wilayah=region,
        )
    if out is not None:
        write_report(p, out)
    emit(
        as_json,
        p.as_dict(),
        lambda: "\n".join(
            [p.judul]
            + [f"{r.label:<45} {r.a:>8} {r.b:>8} {r.selisih:>+8}" for r in p.rows]
            + [f"{'Jumlah':<45} {p.total_a:>8} {p.total_b:>8} {p.total_b - p.total_a:>+8}"]
        ),
    )


@report.command("tahunan")
@click.option(
    "--year",
    type=int,
    default=None,
    help="Report year, 1900 to next year (default: last year). Every table counts the stock "
    "at the end of that year.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output directory.",
)
@click.option("--wilayah", help="Only this Kemendagri region.")
@acting_officer
@db_option
@json_option
@handle_errors
def tahunan(
    year: int | None,
    out: Path,
    wilayah: str | None,
    petugas: str,
    peran: str,
    policy_path: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """The yearly report to the Governor (cc the ministry): HTML and PDF with charts, XLSX tables."""
    from kukm.reports.periode import periksa_tahun
    from kukm.reports.wilayah import periksa_wilayah

    tahun = year if year is not None else dt.date.today().year - 1
    periksa_tahun(tahun, nama_opsi="--year")  # the options first, then the store
    periksa_wilayah(wilayah)
    with officer_service(db_url, petugas, peran, policy_path) as svc:
        files = write_tahunan(svc, tahun, out, wilayah=wilayah)
    emit(
        as_json,
        {"files": [str(f) for f in files]},
        lambda: "\n".join(f"written {f}" for f in files),
    )


def write_tahunan(
    svc: Service, year: int, out: Path, *, wilayah: str | None = None
) -> list[Path]:
    """Write ``laporan-tahunan-YYYY.{html,pdf,xlsx,json}`` into ``out``; return the paths.

    The report is ``svc``'s officer's: its region scope (a ``wilayah`` outside it is refused,
    ``ACCESS_OUT_OF_SCOPE``), the public's verified data only; it is audited. A year outside
    1900 … next year (``TAHUN_TIDAK_VALID``) or an unknown region code is refused before
    anything is read or written.
    """
    from kukm.reports import laporan_tahunan, write_report
    from kukm.reports.periode import periksa_tahun
    from kukm.reports.wilayah import periksa_wilayah

    periksa_tahun(year, nama_opsi="--year")
    wilayah = periksa_wilayah(wilayah)
    # the report has a table by status (pending, rejected): the public sees it of its
    # published view (each record in its latest verified version), see Service.reader
    region = svc.report_scope("laporan_tahunan", wilayah=wilayah)
    lap = laporan_tahunan(svc.reader(per_version=True), year, wilayah=region)
    out.mkdir(parents=True, exist_ok=True)
    files = [
        write_report(lap, out / f"laporan-tahunan-{year}.{ext}") for ext in ("html", "pdf", "xlsx")
    ]
    j = out / f"laporan-tahunan-{year}.json"
    j.write_text(json.dumps(lap.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    files.append(j)
    return files
