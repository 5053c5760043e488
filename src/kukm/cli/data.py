"""``kukm validate`` and ``kukm import``: check and load CSV, XLSX or ODS JSON-lines files.

Both stream the file (bounded memory), check every row with the instrument
(Kepgub E.11), and write every rejected row to an errors file (CSV or XLSX by
its extension; default ``<file>.errors.csv`` beside the input) that the
officer fixes in Excel and imports again. Exit code 1 when a row was
rejected, 2 for usage/configuration errors.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kukm.cli._common import (
    db_option,
    emit,
    handle_errors,
    json_option,
    officer_id,
    progress,
    resolve_db,
)
from kukm.pipeline.header import BERKAS_KOSONG, refuse_blank_file

if TYPE_CHECKING:
    from kukm._seen import SeenIds

#: ``BERKAS_KOSONG`` is the library's rule now (:mod:`kukm.pipeline.header`), kept importable here
__all__ = ["BERKAS_KOSONG", "guess_kind", "import_", "validate"]

KINDS = click.Choice(["umkm", "koperasi"])
SOURCES = [
    "pelaku_usaha",
    "sudin",
    "kecamatan",
    "kelurahan",
    "bidang_ukm",
    "bidang_koperasi",
    "dekopin",
    "ods",
    "pihak_lain",
]


def default_errors_path(path: Path) -> Path:
    """``data.csv`` → ``data.errors.csv``; ``data.xlsx`` → ``data.errors.xlsx``.

    >>> default_errors_path(Path("in/umkm.xlsx")).as_posix()
    'in/umkm.errors.xlsx'
    >>> default_errors_path(Path("ods.jsonl")).as_posix()
    'ods.errors.csv'
    """
    suffix = ".xlsx" if path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"} else ".csv"
    return path.with_name(f"{path.stem}.errors{suffix}")


def guess_kind(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> str:
    """``kukm validate`` without ``--kind``: the form whose fields the file's header names
    more (:func:`kukm.pipeline.header.header_score`, each form finding its header as an
    import does); on a tie (or a file that cannot be opened: the run reports why)
    ``koperasi`` for an ODS export (``.jsonl``), else ``umkm``.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "k.csv").write_text("Nama Koperasi;No. Badan Hukum;Jenis;Bentuk;Alamat\\n")
    >>> _ = (d / "u.csv").write_text("nama_usaha,nib,alamat\\n")
    >>> guess_kind(d / "k.csv"), guess_kind(d / "u.csv")
    ('koperasi', 'umkm')
    """
    from kukm.pipeline import load_instrument, open_table
    from kukm.pipeline.header import header_score

    default = "koperasi" if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} else "umkm"
    scores: dict[str, int] = {}
    for kind in ("umkm", "koperasi"):
        score = header_score(load_instrument(kind))
        if score is None:
            return default
        try:
            with open_table(
                path, encoding=encoding, delimiter=delimiter, header_score=score, sheet=sheet
            ) as t:
                scores[kind] = score(list(t.columns))
        except Exception:
            return default
    if scores["umkm"] == scores["koperasi"]:
        return default
    return max(scores, key=scores.__getitem__)


def _progress(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    return progress(rows, desc="rows")


def _text(summary: dict[str, Any], stored: bool) -> str:
    lines = [
        f"input {summary['input']} = accepted {summary['accepted']} "
        f"+ rejected {summary['rejected']}"
    ]
    if stored:
        lines.append(
            f"stored: inserted {summary['inserted']}, updated {summary['updated']}, "
            f"unchanged {summary['unchanged']}"
            + (
                f" ({summary['replayed_batches']} batch(es) already imported)"
                if summary["replayed_batches"]
                else ""
            )
        )
    else:
        lines.append("nothing written to the store (validate only)")
    if summary["rejected"]:
        lines.append(f"rejected by code: {_top(summary['rejected_by_code'])}")
        lines.append(f"errors file: {summary['errors_file']}")
    if summary["warnings"]:
        codes = summary.get("warnings_by_code") or {}
        lines.append(f"warnings: {summary['warnings']}" + (f" ({_top(codes)})" if codes else ""))
    if len(summary.get("sheets") or ()) > 1:
        others = ", ".join(repr(t) for t in summary["sheets"] if t != summary["sheet"])
        lines.append(
            f"sheet {summary['sheet']!r} read (not read: {others}; --sheet NAME reads another)"
        )
    if summary.get("wilayah_filled"):
        names = ", ".join(summary.get("wilayah_columns") or ("kelurahan", "kecamatan", "kota"))
        lines.append(
            f"kode_wilayah read from the region names ({names}) on "
            f"{summary['wilayah_filled']} row(s)"
        )
    lines.extend(_header_lines(summary.get("header")))
    return "\n".join(lines)


def _top(counts: dict[str, int], shown: int = 6) -> str:
    """The most frequent codes with their counts, and how many codes more.

    >>> _top({"A": 3, "B": 2, "C": 1}, shown=2)
    'A 3, B 2 and 1 code more'
    """
    items = list(counts.items())
    text = ", ".join(f"{c} {n}" for c, n in items[:shown])
    rest = len(items) - shown
    return text + (f" and {rest} code{'s' if rest > 1 else ''} more" if rest > 0 else "")


def _header_lines(header: dict[str, Any] | None) -> list[str]:
    """What the header match did (kukm.pipeline.header), for people."""
    if not header:
        return []
    lines = []
    if header.get("line", 1) > 1:
        lines.append(f"header found on line {header['line']} (rows above it skipped as titles)")
    if header["renamed"]:
        pairs = ", ".join(f"{k!r} → {v}" for k, v in header["renamed"].items())
        lines.append(f"columns matched by their titles: {pairs}")
    if header["missing"]:
        hints = header["suggestions"]
        names = ", ".join(
            f"{m} (did you mean {hints[m]!r}?)" if m in hints else m for m in header["missing"]
        )
        lines.append(f"required columns not in the file (every row fails them): {names}")
    unclear: dict[str, str] = header.get("unclear") or {}
    plain = [c for c in header["unknown"] if c not in unclear]
    if plain:
        lines.append(f"columns ignored (no field of the form): {', '.join(plain)}")
    for column, why in unclear.items():
        lines.append(f"column not taken: {column!r}: {why}")
    return lines


def _run(
    file: Path,
    *,
    kind: str,
    store_url: str | None,
    instrument: Path | None,
    errors: Path | None,
    source: str | None,
    petugas: str | None,
    encoding: str | None,
    delimiter: str | None,
    workers: int | None,
    batch_size: int,
    as_json: bool,
    sheet: str | None = None,
    all_sheets: bool = False,
) -> None:
    # one run of the pipeline; the errors file and the sheet vary with --all-sheets
    run = functools.partial(
        _run_one, file, kind=kind, store_url=store_url, instrument=instrument, source=source,
        petugas=petugas, encoding=encoding, delimiter=delimiter, workers=workers,
        batch_size=batch_size, as_json=as_json,
    )  # fmt: skip
    if all_sheets:
        if sheet is not None:
            raise click.UsageError("--sheet and --all-sheets exclude each other")
        _run_sheets(
            file, run, kind=kind, instrument=instrument, errors=errors,
            stored=store_url is not None, as_json=as_json,
        )  # fmt: skip
        return
    result = run(errors=errors, sheet=sheet)
    emit(as_json, result, lambda: _text(result, store_url is not None))
    if result["rejected"]:
        sys.exit(1)


def _sheet_errors_path(file: Path, errors: Path | None, sheet: str) -> Path:
    """One errors file per sheet: ``<errors or FILE.errors>.<sheet>.<suffix>``."""
    base = errors or default_errors_path(file)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in sheet).strip("_") or "sheet"
    return base.with_name(f"{base.stem}.{safe}{base.suffix}")


def _run_sheets(
    file: Path,
    run: Callable[..., dict[str, Any]],
    *,
    kind: str,
    instrument: Path | None,
    errors: Path | None,
    stored: bool,
    as_json: bool,
) -> None:
    """``--all-sheets``: ``run`` (:func:`_run_one` with the command's options) over every sheet
    holding a table of the form (:func:`kukm.pipeline.run.data_sheets`), one after the other,
    each with its errors file."""
    from kukm.pipeline import data_sheets

    titles = data_sheets(file, kind=kind, instrument_path=instrument)
    if not titles:
        raise click.UsageError(f"{file.name}: no sheet holds a table of the {kind} form")
    from kukm._seen import SeenIds

    # one workbook is one input: a business on an earlier sheet is BARIS_DUPLIKAT on a later one
    seen = SeenIds()
    results = [run(errors=_sheet_errors_path(file, errors, t), sheet=t, seen=seen) for t in titles]
    keys = ("input", "accepted", "rejected", "inserted", "updated", "unchanged", "warnings")
    total = {k: sum(int(r[k]) for r in results) for k in keys}
    data = {"file": str(file), "kind": kind, "sheets": results, **total}

    def text() -> str:
        lines = [
            f"sheet {r['sheet']!r}: input {r['input']} = accepted {r['accepted']} + rejected "
            f"{r['rejected']}" + (f" (errors file: {r['errors_file']})" if r["rejected"] else "")
            for r in results
        ]
        lines.append(
            f"all {len(results)} sheets: input {total['input']} = accepted {total['accepted']} "
            f"+ rejected {total['rejected']}"
        )
        if stored:
            lines.append(
                f"stored: inserted {total['inserted']}, updated {total['updated']}, "
                f"unchanged {total['unchanged']}"
            )
        return "\n".join(lines)

    emit(as_json, data, text)
    if total["rejected"]:
        sys.exit(1)


def _run_one(
    file: Path,
    *,
    kind: str,
    store_url: str | None,
    instrument: Path | None,
    errors: Path | None,
    source: str | None,
    petugas: str | None,
    encoding: str | None,
    delimiter: str | None,
    workers: int | None,
    batch_size: int,
    as_json: bool,
    sheet: str | None,
    seen: SeenIds | None = None,
) -> dict[str, Any]:
    """One run of the pipeline over ``file`` (or one of its sheets): its summary as data;
    ``seen`` carries the ids accepted on the workbook's earlier sheets."""
    from kukm.pipeline import run_file

    # no header, no rows (0 bytes, only blank lines): a failed download or a wrong file, not
    # "0 rows imported" (exit 0); refused before the store is opened (run_file refuses it too,
    # and an empty sheet of a workbook)
    refuse_blank_file(file)
    errors_path = errors or default_errors_path(file)
    if errors_path.resolve() == file.resolve():
        raise click.UsageError("the errors file must not be the input file")
    if errors_path.exists():
        errors_path.unlink()  # a stale errors file from an earlier run would mislead
    store = None
    if store_url is not None:
        from kukm.pipeline.run import default_workers
        from kukm.plugins import open_store

        store = open_store(store_url)
        if workers is None:  # this command is a proper main: any start method will do
            workers = default_workers(file, any_start_method=True)
    try:
        result = run_file(
            file,
            kind=kind,
            store=store,
            instrument_path=instrument,
            source=source,
            petugas=petugas,
            errors_path=errors_path,
            workers=workers,
            batch_size=batch_size,
            encoding=encoding,
            delimiter=delimiter,
            wrap_rows=None if as_json else _progress,
            sheet=sheet,
            seen=seen,
        )
    finally:
        if store is not None:
            store.close()
    return result.as_dict()


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--instrument",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Instrument file (Kepgub E.11) instead of the default for --kind.",
        ),
        click.option(
            "--errors",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Errors file, .csv or .xlsx (default: <FILE>.errors.csv beside FILE).",
        ),
        click.option(
            "--source",
            type=click.Choice(SOURCES),
            help="Sumber data for rows whose sumber_data column is empty.",
        ),
        click.option("--encoding", help="Declared CSV encoding, e.g. cp1252 (default: detect)."),
        click.option("--delimiter", help="CSV delimiter (default: detect , ; tab or |)."),
        click.option(
            "--sheet",
            help="Workbook sheet to read (default: the one whose header fits the form best).",
        ),
        click.option(
            "--all-sheets",
            is_flag=True,
            help="Read every sheet that holds a table of the form (e.g. one per kecamatan), "
            "each with its own errors file <errors>.<sheet>; a business already on an earlier "
            "sheet is BARIS_DUPLIKAT.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            help="Worker processes: 0 checks in this process, 1 reads and checks in another "
            "while this one writes, N >= 2 checks in a pool (default: 1 when importing a file "
            "of 4 MB or more on a machine with 2+ CPUs, else 0).",
        ),
        click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


@click.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=KINDS,
    help="umkm or koperasi (default: the form the file's header fits better; "
    "on a tie koperasi for .jsonl, else umkm).",
)
@_common
@json_option
@handle_errors
def validate(
    file: Path,
    kind: str | None,
    instrument: Path | None,
    errors: Path | None,
    source: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    all_sheets: bool,
    workers: int | None,
    batch_size: int,
    as_json: bool,
) -> None:
    """Check FILE with the instrument; write nothing to the store.

    Prints input = accepted + rejected; rejected rows go to the errors file.
    Exit code 1 when a row is rejected.
    """
    if kind is None:
        kind = guess_kind(file, encoding=encoding, delimiter=delimiter, sheet=sheet)
        if not as_json:
            click.echo(f"--kind not given: checked as {kind} (the form its header fits)", err=True)
    _run(
        file,
        kind=kind,
        store_url=None,
        instrument=instrument,
        errors=errors,
        source=source,
        petugas=None,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        all_sheets=all_sheets,
        workers=workers,
        batch_size=batch_size,
        as_json=as_json,
    )


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=KINDS, required=True, help="umkm or koperasi.")
@_common
@click.option(
    "--petugas",
    callback=officer_id,
    help="Officer who answers for this data (Kepgub E.7–8; env KUKM_PETUGAS).",
)
@db_option
@json_option
@handle_errors
def import_(
    file: Path,
    kind: str,
    instrument: Path | None,
    errors: Path | None,
    source: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    all_sheets: bool,
    workers: int | None,
    batch_size: int,
    petugas: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Check, classify and store FILE (CSV, XLSX, XLS, LibreOffice ODS or ODS JSON lines).

    Accepted rows are stored with their provenance in atomic, idempotent
    batches: importing the same file again adds nothing. Rejected rows go to
    the errors file with _row, _codes, _fields and _messages; fix them there and
    import that file. Exit code 1 when a row is rejected.
    """
    _run(
        file,
        kind=kind,
        store_url=resolve_db(db_url),
        instrument=instrument,
        errors=errors,
        source=source,
        petugas=petugas or (os.environ.get("KUKM_PETUGAS") or "").strip() or None,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        all_sheets=all_sheets,
        workers=workers,
        batch_size=batch_size,
        as_json=as_json,
    )
