"""CLI: ``kukm skala umkm``, ``kukm rules list``, ``kukm instrument schema``."""

from __future__ import annotations

import datetime as dt

import click

from kukm.cli._common import emit, handle_errors, json_option
from kukm.exceptions import ConfigurationError

__all__ = ["instrument", "rules", "skala"]


def _rupiah(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    from kukm.rules.amounts import parse_rupiah

    try:
        v = parse_rupiah(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if v < 0:
        raise click.BadParameter("must not be negative")
    return v


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from kukm.rules.amounts import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group()
def skala() -> None:
    """Skala usaha (UMKM: UU 20/2008 Pasal 6 / PP 7/2021 Pasal 35)."""


@skala.command("umkm")
@click.option("--modal-usaha", callback=_rupiah, metavar="N", help="Modal usaha (rupiah; '1,5 M' ok).")
@click.option("--omzet-tahunan", callback=_rupiah, metavar="N", help="Hasil penjualan tahunan (rupiah).")
@click.option("--kekayaan-bersih", callback=_rupiah, metavar="N", help="Kekayaan bersih (UU 20/2008).")
@click.option("--tanggal", callback=_date, metavar="YYYY-MM-DD", help="Tanggal acuan data (default: hari ini).")
@click.option(
    "--aturan",
    type=click.Choice(["terbesar", "terkecil", "hasil_penjualan", "modal"]),
    default="terbesar",
    show_default=True,
    help="Aturan bila kriteria berbeda.",
)
@json_option
@handle_errors
def skala_umkm(
    modal_usaha: int | None,
    omzet_tahunan: int | None,
    kekayaan_bersih: int | None,
    tanggal: dt.date | None,
    aturan: str,
    as_json: bool,
) -> None:
    """Skala satu usaha; dengan --json satu objek dengan kunci ``skala``."""
    from kukm.rules.skala_umkm import klasifikasi_umkm, scheme_for

    if modal_usaha is None and omzet_tahunan is None and kekayaan_bersih is None:
        raise ConfigurationError("give --modal-usaha, --omzet-tahunan or --kekayaan-bersih")
    v = klasifikasi_umkm(
        modal_usaha=modal_usaha,
        omzet_tahunan=omzet_tahunan,
        kekayaan_bersih=kekayaan_bersih,
        tanggal=tanggal,
        aturan=aturan,
    )
    data = v.as_dict()
    # a figure the regime in force does not use is said so, not dropped without a word
    # (before PP 7/2021 modal usaha is no criterion: UU 20/2008 Pasal 6 uses kekayaan bersih)
    used = {k.atribut for k in scheme_for(v.tanggal).kriteria}
    given = {"modal_usaha": modal_usaha, "kekayaan_bersih": kekayaan_bersih, "omzet_tahunan": omzet_tahunan}
    unused = [name for name, value in given.items() if value is not None and name not in used]
    cite = f"{v.dasar.regulasi} Pasal {v.dasar.pasal}"
    note_id = (
        f"tidak dipakai: {', '.join(unused)} (bukan kriteria {cite} pada {v.tanggal.isoformat()})"
        if unused
        else ""
    )
    note_en = f"not used: {', '.join(unused)} (no criterion of {cite} on {v.tanggal.isoformat()})" if unused else ""
    explain_id = v.explain("id") + (f"\n{note_id}" if note_id else "")
    data["tidak_dipakai"] = unused
    data["explain_id"] = explain_id
    data["explain_en"] = v.explain("en") + (f"\n{note_en}" if note_en else "")
    emit(as_json, data, explain_id)


@click.group()
def rules() -> None:
    """Aturan yang dikodekan kukm dan dasar hukumnya."""


@rules.command("list")
@json_option
@handle_errors
def rules_list(as_json: bool) -> None:
    """Daftar aturan (id, judul, dasar hukum, keyakinan)."""
    from kukm.rules._meta import RULES
    from kukm.rules.reference import load_all

    load_all()
    items = [RULES[k] for k in sorted(RULES) if not k.startswith("doctest.")]

    def text() -> str:
        return "\n".join(
            f"{r.id}: {r.judul} — " + "; ".join(f"{b.cite()} [{b.keyakinan}]" for b in r.dasar) for r in items
        )

    emit(as_json, [r.as_dict() for r in items], text)


@click.group()
def instrument() -> None:
    """Instrumen pendataan (Kepgub E.11)."""


@instrument.command("schema")
@click.argument("name", type=click.Choice(["umkm", "koperasi"]))
@click.option("--instrument", "path", type=click.Path(exists=True, dir_okay=False), help="TOML/JSON instrument file.")
@json_option
@handle_errors
def instrument_schema(name: str, path: str | None, as_json: bool) -> None:
    """Cetak instrumen sebagai Frictionless Table Schema (JSON).

    The output is JSON with or without ``--json`` (every command takes it)."""
    from kukm.rules.instruments import get_instrument, load_instrument

    inst = get_instrument(name)
    if path:
        inst = load_instrument(path, base=inst)
        if inst.entity != name:
            raise ConfigurationError(f"{path} extends a {inst.entity} instrument, not {name}")
    emit(True, inst.to_table_schema())
