"""``kukm demo``: the whole system on a synthetic Jakarta dataset, into one folder."""

from __future__ import annotations

from pathlib import Path

import click

from kukm.cli._common import emit, handle_errors, json_option
from kukm.exceptions import ConfigurationError

__all__ = ["demo"]


def _year(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """``--year``: from 2000 to the current year (:func:`kukm.demo.check_year`), else exit 2."""
    if value is None:
        return None
    from kukm.demo import check_year

    try:
        return check_year(value)
    except ConfigurationError as exc:
        raise click.BadParameter(exc.message, ctx, param) from None


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for data, errors files, reports, certificates and the demo's own store.",
)
@click.option(
    "--rows",
    default="2000",
    show_default=True,
    help="UMKM rows to generate: a number, or small (300) / medium (3000) / large (30000).",
)
@click.option(
    "--year",
    type=int,
    default=None,
    callback=_year,
    help="Report year, 2000 to the current year (default: last year).",
)
@click.option("--seed", type=int, default=1625, show_default=True)
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Store URL (default: a fresh SQLite file inside --out; never ./kukm.sqlite).",
)
@json_option
@handle_errors
def demo(
    out: Path, rows: str, year: int | None, seed: int, db_url: str | None, as_json: bool
) -> None:
    """Generate → import (faulty rows → errors file) → classify → certificates → reports."""
    from kukm.demo import parse_rows, run_demo

    try:
        n = parse_rows(rows)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rows") from None
    res = run_demo(
        out,
        rows=n,
        seed=seed,
        year=year,
        db_url=db_url,
        echo=(lambda s: None) if as_json else click.echo,
    )

    def text() -> str:
        lines = ["", f"Done. Everything is in {res.out}/"]
        yearly = [
            p for p in res.reports if p.name.startswith("laporan-tahunan") and p.suffix == ".html"
        ]
        if yearly:
            lines.append(f"  open the yearly report:   {yearly[0]}")
        lines.append(
            f"  rekapitulasi tables:      {res.out / 'laporan'}/rekap-*.html|xlsx|csv|json"
        )
        if res.umkm.get("errors_file"):
            lines.append(
                f"  rejected UMKM rows:       {res.umkm['errors_file']} (fix and `kukm import` it)"
            )
        if res.certificates:
            lines.append(
                f"  certificates (PNG/PDF):   {res.certificates[0].parent}/ (public key {res.public_key})"
            )
        lines.append(f"  store:                    {res.db_url}")
        lines += [f"  note: {n}" for n in res.notes]
        return "\n".join(lines)

    emit(as_json, res.as_dict(), text)
