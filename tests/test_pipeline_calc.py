"""Excel 97-2003 (.xls) and LibreOffice Calc (.ods) workbooks read as the same rows as a CSV.

Many Dinas offices still keep .xls files, and government offices use LibreOffice; kukm reads both
with python-calamine. The test files are written with xlwt and odfpy (test dependencies): numbers
as number cells, dates as date cells, a cover sheet before the data.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.pipeline import open_table, run_file
from kukm.pipeline.readers import SEL_ANGKA_PANJANG
from kukm.synthetic import UMKM_COLUMNS, generate_umkm
from workbooks import write_xlsx

_NUMBERS = {"modal_usaha", "omzet_tahunan", "tenaga_kerja"}
_DATES = {"tanggal_berdiri", "tanggal_data"}


def _typed(column: str, text: str) -> Any:
    """The cell a spreadsheet would hold: plain whole numbers as numbers, ISO dates as dates."""
    if column in _NUMBERS and text.isdigit():
        return int(text)
    if column in _DATES:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _write_xls(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    import xlwt

    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for title, rows in sheets:
        ws = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write(r, c, v, date_style)
                else:
                    ws.write(r, c, v)
    book.save(str(path))
    return path


def _write_ods(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for title, rows in sheets:
        table = Table(name=title)
        for row in rows:
            tr = TableRow()
            for v in row:
                if isinstance(v, bool) or v is None or v == "":
                    cell = TableCell()
                elif isinstance(v, int | float):
                    cell = TableCell(valuetype="float", value=v)
                    cell.addElement(P(text=str(v)))
                elif isinstance(v, dt.date):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat())
                    cell.addElement(P(text=v.isoformat()))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(v)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


WRITERS = {".xls": _write_xls, ".ods": _write_ods}


def _rows(n: int, seed: int) -> list[dict[str, str]]:
    return [r.data for r in generate_umkm(n, seed=seed, faulty_share=0.3)]


@settings(max_examples=6, deadline=None)
@given(suffix=st.sampled_from(sorted(WRITERS)), seed=st.integers(0, 50), cover=st.booleans())
def test_a_calc_workbook_imports_as_its_csv(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, seed: int, cover: bool
) -> None:
    d = tmp_path_factory.mktemp("calc")
    data = _rows(25, seed)
    columns = list(UMKM_COLUMNS)
    with open(d / "a.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows([[r.get(c, "") for c in columns] for r in data])
    body = [[_typed(c, r.get(c, "")) for c in columns] for r in data]
    sheets = [("Petunjuk", [["Petunjuk pengisian"], ["nama_usaha wajib diisi"]])] if cover else []
    sheets.append(("Data", [["DATA UMKM"], [], columns, *body]))
    book = WRITERS[suffix](d / f"a{suffix}", sheets)
    want_store, got_store = MemoryStore(), MemoryStore()
    want = run_file(d / "a.csv", kind="umkm", store=want_store, workers=0, errors_path=d / "w.csv")
    got = run_file(book, kind="umkm", store=got_store, workers=0, errors_path=d / "g.csv")
    assert (got.input, got.accepted, got.rejected) == (want.input, want.accepted, want.rejected)
    assert got.rejected > 0 and got.sheet == "Data" and got.header_line == 3
    assert dict(got.by_code) == dict(want.by_code)
    records = [
        sorted((r.id, r.content_hash) for r in s.iter_records("umkm")) for s in (want_store, got_store)
    ]
    assert records[0] == records[1]


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_a_nik_in_a_number_cell_of_a_calc_workbook(tmp_path: Path, suffix: str) -> None:
    """The 15-digit limit of a spreadsheet number holds for .xls and .ods as for .xlsx."""
    row = _rows(1, 2)[0]
    row = {**_rows(40, 2)[0], "nik_pemilik": row["nik_pemilik"]}
    columns = list(UMKM_COLUMNS)
    cells = [_typed(c, row.get(c, "")) for c in columns]
    cells[columns.index("nik_pemilik")] = float(row["nik_pemilik"])
    book = WRITERS[suffix](tmp_path / f"n{suffix}", [("Data", [columns, cells])])
    with open_table(book) as t:
        list(t)
        assert {k: (i.code, i.field) for k, i in t.row_issues.items()} == {
            1: (SEL_ANGKA_PANJANG, "nik_pemilik")
        }


def _write_csv(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[str(v) for v in r] for r in sheets[-1][1]])
    return path


_CONTENT = {"xlsx": write_xlsx, "xls": _write_xls, "odf": _write_ods, "csv": _write_csv}


@settings(max_examples=16, deadline=None)
@given(
    content=st.sampled_from(sorted(_CONTENT)),
    named=st.sampled_from([".xlsx", ".xls", ".ods", ".xlsm"]),
    seed=st.integers(0, 50),
)
def test_a_workbook_under_another_suffix_is_read_as_what_it_is(
    tmp_path_factory: pytest.TempPathFactory, content: str, named: str, seed: int
) -> None:
    """An .xls saved as .xlsx, an .xlsx named .xls, a CSV named as a workbook: read by their
    content (kukm.pipeline.readers.sniff_format), as the same file under its own suffix."""
    from kukm.pipeline.readers import sniff_format

    d = tmp_path_factory.mktemp("named")
    data = _rows(12, seed)
    columns = list(UMKM_COLUMNS)
    sheet = [columns, *[[d_.get(c, "") for c in columns] for d_ in data]]
    own = {"xlsx": ".xlsx", "xls": ".xls", "odf": ".ods", "csv": ".csv"}[content]
    right = _CONTENT[content](d / f"right{own}", [("Data", sheet)])
    wrong = d / f"wrong{named}"
    wrong.write_bytes(right.read_bytes())
    assert sniff_format(wrong, "xlsx" if named in (".xlsx", ".xlsm") else "xls" if named == ".xls" else "odf") == content
    with open_table(right) as a, open_table(wrong) as b:
        assert (b.format, b.columns, list(b)) == (a.format, a.columns, list(a))


@pytest.mark.parametrize("body", [b"PK\x03\x04 cut short", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not a workbook"])
def test_a_damaged_workbook_is_a_clear_error(tmp_path: Path, body: bytes) -> None:
    from click.testing import CliRunner

    from kukm.cli import cli

    p = tmp_path / "rusak.xlsx"
    p.write_bytes(body)
    res = CliRunner().invoke(cli, ["validate", str(p), "--kind", "umkm"])
    assert res.exit_code == 2
    assert "BERKAS_TIDAK_TERBACA" in res.output


def test_undefined_windows_1252_bytes_do_not_fail_a_csv(tmp_path: Path) -> None:
    """The five bytes Windows-1252 leaves undefined are read as Windows reads them (the C1
    control of that number); the file was refused with a traceback."""
    p = tmp_path / "x.csv"
    p.write_bytes(b"nama_usaha;alamat\nToko \xe9\x81;Jl. A\n")
    with open_table(p) as t:
        assert t.encoding == "cp1252"
        assert list(t) == [(1, {"nama_usaha": "Toko \xe9\x81", "alamat": "Jl. A"})]
