"""Cells python-calamine and openpyxl read differently, made to read the same.

* Error cells (``#N/A``, ``#REF!``: a failed formula). openpyxl reads an XLSX error cell as its
  value, which the form's checks report (``SEL_GALAT_EXCEL``); python-calamine reads every
  error cell as a blank cell, so in an XLS or ODS a failed lookup in a phone or an amount was
  lost without a word, and in a required field read as missing. kukm finds them itself.
* Number cells holding a fraction (``123.45`` in ``modal_usaha``): read as text ``"123.45"``
  they were ``AMOUNT_AMBIGUOUS`` (and the number 12.345 was read as 12345 rupiah, 5.125
  people as 5125): a number is not text, so it is written with the decimal comma
  (:mod:`kukm.pipeline.readers`) and is ``AMOUNT_NOT_INTEGER``, rupiah being whole.
* A table that does not start in column A: python-calamine starts each row at the first
  column holding something, openpyxl at column A; the cells are now where openpyxl puts them.

The workbooks are written in the tests: XLSX with openpyxl, XLS with xlwt, ODS with odfpy (as
LibreOffice writes an error cell), the same content in each.
"""

from __future__ import annotations

import csv
import json
import struct
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError, InvalidFormat
from kukm.pipeline import open_table, readers, run_file
from kukm.rules.amounts import AMOUNT_NOT_INTEGER, INT_FORMAT, parse_int, parse_rupiah

CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
#: The error values all three writers can write as error cells.
ERRORS = ("#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")
#: Their BIFF codes (MS-XLS 2.5.97.2; xlwt knows no "#N/A" by name and takes #VALUE! for #NUM!)
_XLS_CODE = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


class Err(str):
    """An error cell holding this value (not text)."""

    __slots__ = ()


def _ods_cell(v: Any) -> Any:
    from odf.table import TableCell
    from odf.text import P

    if v is None:
        return TableCell()
    if isinstance(v, Err):  # as LibreOffice writes an error cell
        cell = TableCell(valuetype="string", stringvalue="", formula="of:=NA()")
        cell.setAttrNS(CALCEXT, "value-type", "error")
    elif isinstance(v, int | float):
        cell = TableCell(valuetype="float", value=v)
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(v)))
    return cell


def write_book(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    """``sheets`` (title, rows) written as the workbook ``path``'s suffix says."""
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        first = wb.active
        assert first is not None
        wb.remove(first)
        for title, rows in sheets:
            ws = wb.create_sheet(title)
            for r, row in enumerate(rows, start=1):
                for c, v in enumerate(row, start=1):
                    if v is not None:
                        cell = ws.cell(row=r, column=c, value=v)
                        if isinstance(v, Err):  # openpyxl takes "#N/A" for the error value
                            assert cell.data_type == "e"
        wb.save(path)
    elif path.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook()
        for title, rows in sheets:
            ws = book.add_sheet(title)
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if isinstance(v, Err):
                        ws.row(r).set_cell_error(c, _XLS_CODE[v])
                    elif v is not None:
                        ws.write(r, c, v)
        book.save(str(path))
    else:
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableRow

        doc = OpenDocumentSpreadsheet()
        for title, rows in sheets:
            table = Table(name=title)
            for row in rows:
                tr = TableRow()
                for v in row:
                    tr.addElement(_ods_cell(v))
                table.addElement(tr)
            doc.spreadsheet.addElement(table)
        doc.save(str(path))
    return path


#: How a workbook is read: its suffix, and for XLSX the engine it is made to use.
ENGINES = ("xlsx-calamine", "xlsx-openpyxl", "xls", "ods")


def read(path: Path, engine: str, block: int | None = None, **kw: Any) -> tuple[Any, ...]:
    """What the reader gives: engine, sheet, columns, rows, read issues (code, value, message);
    ``block``: the bytes an ODS is scanned by at a time (a small one cuts every tag)."""
    limit = 1 << 40 if engine == "xlsx-calamine" else -1
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers, "CALAMINE_XLSX_BYTES", limit)
        if block is not None:
            mp.setattr(readers, "_BLOCK", block)
        with open_table(path, **kw) as t:
            rows = list(t)
            issues = {k: (i.code, i.value, i.message_en) for k, i in t.row_issues.items()}
            return t.engine, t.sheet, t.columns, t.header_line, rows, issues


def books(d: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Iterator[tuple[str, Path]]:
    """The same ``sheets`` as each engine reads them."""
    for engine in ENGINES:
        suffix = "." + engine.split("-")[0]
        p = d / f"book{suffix}"
        if not p.exists():
            write_book(p, sheets)
        yield engine, p


# -- error cells ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_error_cells_read_as_their_value_in_every_format(tmp_path: Path, engine: str) -> None:
    """Each error value reads as itself, in a required field, an optional one and an amount,
    on any row and in the last column; ``#N/A`` typed as text reads as that text too. Before,
    an XLS or ODS read every one of them as a blank cell."""
    sheet = [
        ["nama_usaha", "telepon", "modal_usaha"],
        ["Toko A", Err("#N/A"), 1500000],
        [Err("#REF!"), "0812345678", Err("#DIV/0!")],
        ["Toko C", Err("#VALUE!"), Err("#NAME?")],
        [Err("#NUM!"), Err("#NULL!"), None],
        ["#N/A", None, 5],
    ]
    (_, p), = [b for b in books(tmp_path, [("Data", sheet)]) if b[0] == engine]
    got = read(p, engine)
    assert got[0] == ("openpyxl" if engine.startswith("xlsx") else "calamine")
    assert got[4] == [
        (1, {"nama_usaha": "Toko A", "telepon": "#N/A", "modal_usaha": "1500000"}),
        (2, {"nama_usaha": "#REF!", "telepon": "0812345678", "modal_usaha": "#DIV/0!"}),
        (3, {"nama_usaha": "Toko C", "telepon": "#VALUE!", "modal_usaha": "#NAME?"}),
        (4, {"nama_usaha": "#NUM!", "telepon": "#NULL!", "modal_usaha": ""}),
        (5, {"nama_usaha": "#N/A", "telepon": "", "modal_usaha": "5"}),
    ]
    assert got[5] == {}


def test_an_error_cell_alone_in_its_row_or_column_still_reads(tmp_path: Path) -> None:
    """An error cell is a cell: alone on the last row, or alone past the last title (then its
    row is refused, SEL_TANPA_JUDUL naming the column), or on another sheet."""
    sheets = [
        ("Data", [["nama_usaha", "telepon"], ["Toko A", None, Err("#N/A")], [None, Err("#REF!")]]),
        ("Lain", [[None, None], [None, Err("#DIV/0!")]]),
    ]
    seen = {engine: read(p, engine) for engine, p in books(tmp_path, sheets)}
    for engine in ENGINES:
        _, _, _, _, rows, issues = seen[engine]
        assert rows == [
            (1, {"nama_usaha": "Toko A", "telepon": ""}),
            (2, {"nama_usaha": "", "telepon": "#REF!"}),
        ], engine
        assert {k: v[:2] for k, v in issues.items()} == {1: (readers.SEL_TANPA_JUDUL, "#N/A")}
        assert issues[1][2].endswith("Column: (C)"), engine
    other = {engine: read(p, engine, sheet="Lain")[4] for engine, p in books(tmp_path, sheets)}
    assert all(rows == [] for rows in other.values())  # a header of one cell, "#DIV/0!"
    with open_table(tmp_path / "book.ods", sheet="Lain") as t:
        assert t.columns == ["#DIV/0!"]


_text = st.text(st.sampled_from("abcXYZ019.,-/"), min_size=1, max_size=6)
#: Numbers as a spreadsheet holds them: 15 significant digits at most (Excel keeps no more; and
#: python-calamine may read the 17th digit of an XLSX number one off: 5.3959411728620246e-247)
_numbers = st.builds(
    lambda m, e: float(Decimal(m).scaleb(e)), st.integers(-(10**15) + 1, 10**15 - 1), st.integers(-20, 0)
)
_value = st.one_of(
    st.none(),
    _text,
    st.integers(-(10**15) + 1, 10**15 - 1),
    _numbers,
    st.sampled_from(ERRORS).map(Err),
)


@settings(max_examples=20, deadline=None)
@given(
    left=st.integers(0, 2),
    titles=st.integers(0, 2),
    body=st.lists(st.lists(_value, min_size=1, max_size=5), max_size=5),
    block=st.sampled_from([None, 5, 64]),
)
def test_a_workbook_reads_the_same_in_every_format(
    tmp_path_factory: pytest.TempPathFactory,
    left: int,
    titles: int,
    body: list[list[Any]],
    block: int | None,
) -> None:
    """The same cells, in XLSX (either engine), XLS and ODS: the same header, rows and read
    issues (a cell past the last title named by its column), error cells and numbers
    included, the table starting in column A or further right, below titles or not (and the
    ODS scanned a few bytes at a time)."""
    header = ["nama_usaha", "telepon", "modal_usaha", "catatan"]
    pad: list[Any] = [None] * left
    sheet = [[*pad, f"DATA {i}"] for i in range(titles)]
    sheet += [[*pad, *header], *([*pad, *row] for row in body)]
    d = tmp_path_factory.mktemp("same")
    score = lambda cells: sum(c in header for c in cells)  # noqa: E731
    seen = {engine: read(p, engine, block, header_score=score) for engine, p in books(d, [("Data", sheet)])}
    want = seen["xlsx-openpyxl"][1:]
    for engine in ENGINES:
        assert seen[engine][1:] == want, engine
    rows = dict(want[3])
    for i, row in enumerate(body, start=1):
        for name, v in zip(header, row, strict=False):
            if isinstance(v, Err):
                assert rows[i][name] == v  # never a blank cell


def _patched_formula_result(path: Path, code: int) -> None:
    """Make the saved result of the one formula of an xlwt workbook the error ``code``, as
    Excel saves a failed formula (xlwt saves none: an empty result)."""
    data = path.read_bytes()
    blank = struct.pack("<Q", 0xFFFF000000000003)  # FormulaValue: an empty string
    assert data.count(blank) == 1
    path.write_bytes(data.replace(blank, bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])))


def test_an_xls_formula_whose_saved_result_is_an_error(tmp_path: Path) -> None:
    """Excel saves a failed formula with its error as the result (a FORMULA record): read as
    that error, where python-calamine reads a blank cell."""
    import xlwt
    from python_calamine import CalamineWorkbook

    book = xlwt.Workbook()
    ws = book.add_sheet("Data")
    for c, v in enumerate(["nama_usaha", "kbli"]):
        ws.write(0, c, v)
    ws.write(1, 0, "Toko A")
    ws.write(1, 1, xlwt.Formula("1/0"))
    p = tmp_path / "f.xls"
    book.save(str(p))
    with open_table(p) as t:  # a formula with an empty result: blank, as calamine reads it
        assert list(t) == [(1, {"nama_usaha": "Toko A", "kbli": ""})]
    _patched_formula_result(p, 0x2A)
    assert list(CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).iter_rows())[1] == ["Toko A", ""]
    with open_table(p) as t:
        assert list(t) == [(1, {"nama_usaha": "Toko A", "kbli": "#N/A"})]
    _patched_formula_result_code(p, 0x2A, 0x2B)  # Excel 365's #GETTING_DATA
    with open_table(p) as t:
        assert list(t) == [(1, {"nama_usaha": "Toko A", "kbli": "#GETTING_DATA"})]
    _patched_formula_result_code(p, 0x2B, 0x63)  # no Excel's code: python-calamine refuses it
    with pytest.raises(ConfigurationError) as exc:
        open_table(p)
    assert exc.value.code == readers.BERKAS_TIDAK_TERBACA


def _patched_formula_result_code(path: Path, old: int, new: int) -> None:
    data = path.read_bytes()
    was = bytes([2, 0, old, 0, 0, 0, 0xFF, 0xFF])
    assert data.count(was) == 1
    path.write_bytes(data.replace(was, bytes([2, 0, new, 0, 0, 0, 0xFF, 0xFF])))


@pytest.mark.parametrize("block", [None, 3, 50])
def test_ods_error_cells_as_libreoffice_and_others_write_them(
    tmp_path: Path, block: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibreOffice marks an error cell ``calcext:value-type="error"``, its string value empty,
    its text the error (``Err:502``, or in the language of its user: ``#ЗНАЧЕН!``, read as
    #VALUE!); a formula another program wrote with no mark but showing an error value (a
    number cell valued 0 showing ``#DIV/0!``) is that error; a repeated error cell is one on
    every row and column it covers; a comment reading ``#N/A`` is not the cell's value. The
    file is scanned a block of bytes at a time (``block``: a few, so every tag is cut)."""
    if block is not None:
        monkeypatch.setattr(readers, "_BLOCK", block)
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    def err(text: str, repeated: int = 1) -> Any:
        cell = TableCell(valuetype="string", stringvalue="", formula="of:=1/0", numbercolumnsrepeated=repeated)
        cell.setAttrNS(CALCEXT, "value-type", "error")
        cell.addElement(P(text=text))
        return cell

    def text(t: str, **kw: Any) -> Any:
        cell = TableCell(valuetype="string", **kw)
        cell.addElement(P(text=t))
        return cell

    def row(*cells: Any, repeated: int = 1) -> Any:
        tr = TableRow(numberrowsrepeated=repeated)
        for c in cells:
            tr.addElement(c)
        return tr

    shown = TableCell(valuetype="float", value=0, formula="oooc:=1/0")
    shown.addElement(P(text="#DIV/0!"))
    commented = text("Toko D")
    note = Annotation()
    note.addElement(P(text="#N/A"))
    commented.insertBefore(note, commented.childNodes[0])
    table = Table(name="Data")
    for tr in (
        row(TableCell(numbercolumnsrepeated=4), repeated=2),
        row(TableCell(), text("nama_usaha"), text("telepon"), text("modal_usaha")),
        row(TableCell(), text("Toko A"), err("Err:502"), err("#ЗНАЧЕН!")),
        row(TableCell(), text("Toko B", numbercolumnsspanned=2), CoveredTableCell(), shown),
        row(TableCell(), text("Toko C"), err("#N/A", repeated=2), repeated=2),
        row(TableCell(), commented, text("081"), text("5")),
    ):
        table.addElement(tr)
    doc = OpenDocumentSpreadsheet()
    doc.spreadsheet.addElement(table)
    p = tmp_path / "lo.ods"
    doc.save(str(p))
    with open_table(p) as t:
        assert (t.header_line, t.columns) == (3, ["nama_usaha", "telepon", "modal_usaha"])
        assert list(t) == [
            (1, {"nama_usaha": "Toko A", "telepon": "Err:502", "modal_usaha": "#VALUE!"}),
            (2, {"nama_usaha": "Toko B", "telepon": "", "modal_usaha": "#DIV/0!"}),
            (3, {"nama_usaha": "Toko C", "telepon": "#N/A", "modal_usaha": "#N/A"}),
            (4, {"nama_usaha": "Toko C", "telepon": "#N/A", "modal_usaha": "#N/A"}),
            (5, {"nama_usaha": "Toko D", "telepon": "081", "modal_usaha": "5"}),
        ]


def test_a_workbook_without_error_cells_is_not_read_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search for error cells costs a byte scan: an ODS holding none is not parsed, an XLS
    holding none is not read again by xlrd."""
    import xml.etree.ElementTree as ET

    import xlrd

    sheet = [["nama_usaha", "modal_usaha"], ["Toko A", 1500000], ["Toko B", 2.5]]
    ods = write_book(tmp_path / "a.ods", [("Data", sheet)])
    xls = write_book(tmp_path / "a.xls", [("Data", sheet)])

    def boom(*args: Any, **kw: Any) -> Any:
        raise AssertionError("read again")

    monkeypatch.setattr(ET, "iterparse", boom)
    monkeypatch.setattr(xlrd, "open_workbook", boom)
    for p in (ods, xls):
        with open_table(p) as t:
            assert [r["modal_usaha"] for _, r in t] == ["1500000", "2,5"]


# -- XLS compound files -------------------------------------------------------------------

_FREE, _END, _FATSECT, _DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC


def compound(stream: bytes, *, mini: bool = False, scatter: bool = False, difat: bool = False) -> bytes:
    """An OLE2 compound file (MS-CFB version 3, 512-byte sectors) holding ``stream`` as its
    ``Workbook``: in the mini stream (``mini``), in sectors no two of which are neighbours in
    the file (``scatter``), with a FAT sector listed in a DIFAT sector (``difat``)."""
    sectors: dict[int, bytes] = {}
    fat: dict[int, int] = {}
    free = iter(range(1 << 16))

    def place(data: bytes, spread: bool = False) -> int:
        chunks = [data[i : i + 512].ljust(512, b"\0") for i in range(0, len(data), 512)]
        ids = [next(free) for _ in range(len(chunks) * (2 if spread else 1))]
        if spread:
            ids = ids[::-2]
        for k, (n, chunk) in enumerate(zip(ids, chunks, strict=False)):
            sectors[n] = chunk
            fat[n] = ids[k + 1] if k + 1 < len(chunks) else _END
        return ids[0]

    n_minifat = 0
    if mini:
        n_mini = -(-len(stream) // 64)
        root = (place(stream.ljust(n_mini * 64, b"\0")), n_mini * 64)
        first_mini = place(struct.pack(f"<{n_mini}I", *range(1, n_mini), _END))
        n_minifat = -(-n_mini // 128)  # the header says how many sectors the mini FAT takes
        workbook = 0
    else:
        root, first_mini = (_END, 0), _END
        workbook = place(stream, spread=scatter)

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, _FREE, _FREE, child, b"\0" * 16, 0, 0, 0,
            start, size,
        )  # fmt: skip

    directory = entry("Root Entry", 5, 1, *root) + entry("Workbook", 2, _FREE, workbook, len(stream))
    first_dir = place(directory + entry("", 0, _FREE, 0, 0) * 2)
    fat_ids = [next(free) for _ in range(2 if difat else 1)]
    dif = next(free) if difat else _END
    fat.update(dict.fromkeys(fat_ids, _FATSECT))
    if difat:
        fat[dif] = _DIFSECT
        sectors[dif] = struct.pack("<128I", fat_ids[1], *[_FREE] * 126, _END)
    table = [fat.get(n, _FREE) for n in range(128 * len(fat_ids))]
    for k, n in enumerate(fat_ids):
        sectors[n] = struct.pack("<128I", *table[128 * k : 128 * (k + 1)])
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, len(fat_ids), first_dir, 0,
        0x10000 if mini else 0x1000, first_mini, n_minifat, dif, int(difat),
    ) + struct.pack("<109I", fat_ids[0], *[_FREE] * 108)  # fmt: skip
    return header + b"".join(sectors.get(n, b"\0" * 512) for n in range(max(sectors) + 1))


@pytest.mark.parametrize("layout", ["plain", "mini", "scatter", "difat"])
def test_error_cells_of_an_xls_whatever_its_compound_file_layout(tmp_path: Path, layout: str) -> None:
    """The ``Workbook`` stream is found as python-calamine finds it: in sectors anywhere in the
    file (followed through the FAT, not in file order), in the mini stream when small, through
    FAT sectors the DIFAT lists."""
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("Data")
    ws.write(0, 0, "nama_usaha")
    ws.write(0, 1, "telepon")
    for r in range(1, 200):
        ws.write(r, 0, f"Toko {r}")
        if r % 40 == 0:
            ws.row(r).set_cell_error(1, 0x2A)
        else:
            ws.write(r, 1, f"0812{r:06d}")
    p = tmp_path / "c.xls"
    p.write_bytes(compound(book.get_biff_data(), **({layout: True} if layout != "plain" else {})))
    with open_table(p) as t:
        rows = dict(t)
    assert len(rows) == 199
    assert {r for r, d in rows.items() if d["telepon"] == "#N/A"} == {40, 80, 120, 160}
    assert rows[41] == {"nama_usaha": "Toko 41", "telepon": "0812000041"}


def _without_string_record(path: Path) -> None:
    """Damage the xlwt workbook ``path``: its one formula's saved result says text, which a
    STRING record after it should hold, and there is none. python-calamine reads the cell as
    blank; xlrd cannot read the workbook."""
    data = path.read_bytes()
    blank = struct.pack("<Q", 0xFFFF000000000003)  # FormulaValue: an empty string
    assert data.count(blank) == 1
    path.write_bytes(data.replace(blank, struct.pack("<Q", 0xFFFF000000000000)))


def test_an_xls_whose_error_cells_cannot_be_found_is_never_read_silently(tmp_path: Path) -> None:
    """A workbook python-calamine reads but xlrd cannot: read as it is when no byte of it may
    be an error cell, refused (BERKAS_TIDAK_TERBACA) when one may: its error cells would read
    as blank."""
    import xlwt

    def book(error: bool) -> Path:
        wb = xlwt.Workbook()
        ws = wb.add_sheet("Data")
        ws.write(0, 0, "nama_usaha")
        ws.write(0, 1, "kbli")
        ws.write(1, 0, "Toko A")
        ws.write(1, 1, xlwt.Formula('"a"&"b"'))
        ws.write(2, 0, "Toko B")
        if error:
            ws.row(2).set_cell_error(1, 0x2A)
        p = tmp_path / f"{error}.xls"
        wb.save(str(p))
        _without_string_record(p)
        return p

    with open_table(book(False)) as t:
        assert list(t) == [(1, {"nama_usaha": "Toko A", "kbli": ""}), (2, {"nama_usaha": "Toko B", "kbli": ""})]
    with pytest.raises(ConfigurationError) as exc:
        open_table(book(True))
    assert exc.value.code == readers.BERKAS_TIDAK_TERBACA and "#N/A" in str(exc.value)


def test_an_xls_whose_compound_file_xlrd_cannot_follow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When xlrd cannot follow the compound file at all, a workbook whose bytes hold no record
    that may be an error cell is read as it is, and one whose bytes may hold one is refused."""
    from xlrd import compdoc

    class Broken(compdoc.CompDoc):
        def __init__(self, *args: Any, **kw: Any) -> None:
            raise compdoc.CompDocError("a sector chain loops")

    clean = write_book(tmp_path / "a.xls", [("Data", [["nama_usaha"], ["Toko A"]])])
    failed = write_book(tmp_path / "b.xls", [("Data", [["nama_usaha"], [Err("#N/A")]])])
    monkeypatch.setattr(compdoc, "CompDoc", Broken)
    with open_table(clean) as t:
        assert list(t) == [(1, {"nama_usaha": "Toko A"})]
    with pytest.raises(ConfigurationError) as exc:
        open_table(failed)
    assert exc.value.code == readers.BERKAS_TIDAK_TERBACA and "a sector chain loops" in str(exc.value)


def test_xls_error_cells_on_every_sheet_in_calamines_order(tmp_path: Path) -> None:
    """xlrd names the sheets as python-calamine does, in the same order (a title beyond ASCII
    too), and places each error cell on its own sheet, rows and columns from A1."""
    from python_calamine import CalamineWorkbook

    sheets = [
        ("Sampul", [["Data UMKM Kec. Menteng"]]),
        ("Kec. Cempaka Putih", [["nama_usaha", "telepon"], ["Toko A", Err("#N/A")]]),
        ("Pulo Gadung – Ü", [[None, None], ["nama_usaha", "telepon"], [Err("#REF!"), "081"]]),
    ]
    p = write_book(tmp_path / "s.xls", sheets)
    found = readers._error_cells(p, "xls")
    assert [name for name, _ in found] == CalamineWorkbook.from_path(str(p)).sheet_names
    assert found == [(sheets[0][0], {}), (sheets[1][0], {(1, 1): "#N/A"}), (sheets[2][0], {(2, 0): "#REF!"})]
    with open_table(p, sheet="Kec. Cempaka Putih") as t:
        assert list(t) == [(1, {"nama_usaha": "Toko A", "telepon": "#N/A"})]
    with open_table(p, sheet="Pulo Gadung – Ü") as t:
        assert (t.header_line, list(t)) == (2, [(1, {"nama_usaha": "#REF!", "telepon": "081"})])


def test_error_cells_on_a_sheet_calamine_does_not_name_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Error cells found on a sheet python-calamine does not list (the sheets counted apart,
    their titles read differently) cannot be placed: refused, not read as blank."""
    p = write_book(tmp_path / "a.xls", [("Data", [["nama_usaha"], [Err("#N/A")]])])
    monkeypatch.setattr(readers, "_error_cells", lambda path, fmt: [("Data", {}), ("Dat\u00e4", {(1, 0): "#N/A"})])
    with pytest.raises(ConfigurationError) as exc:
        open_table(p)
    assert exc.value.code == readers.BERKAS_TIDAK_TERBACA


def test_xls_error_texts_are_those_excel_shows() -> None:
    """Every error xlrd names (and Excel 365's #GETTING_DATA, which it does not) reads as a
    value of kukm.rules.amounts.EXCEL_ERRORS, so the form's checks report it as an error."""
    from xlrd.biffh import error_text_from_code

    from kukm.rules.amounts import EXCEL_ERRORS

    assert set(error_text_from_code.values()) | {"#GETTING_DATA", readers.OTHER_ERROR} <= EXCEL_ERRORS
    assert set(ERRORS) <= set(error_text_from_code.values())


# -- the verdicts of an import -------------------------------------------------------------


def _umkm_rows(n: int) -> tuple[list[str], list[list[Any]]]:
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    columns = list(UMKM_COLUMNS)
    rows = [[r.data.get(c, "") or None for c in columns] for r in generate_umkm(n, seed=11, faulty_share=0.0)]
    return columns, rows


def _verdicts(path: Path, d: Path) -> tuple[dict[int, str], dict[str, Any]]:
    """Each rejected row's codes, and each accepted business's modal_usaha and tenaga_kerja."""
    from kukm.adapters.memory import MemoryStore

    store = MemoryStore()
    errors = d / f"{path.stem}-{path.suffix[1:]}.errors.csv"
    run_file(path, kind="umkm", store=store, workers=0, errors_path=errors)
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        rejected = {int(r["_row"]): r["_codes"] for r in csv.DictReader(fh)}
    kept = {
        s.record.nama_usaha: (s.record.modal_usaha, s.record.tenaga_kerja)
        for s in store.iter_records("umkm")
    }
    return rejected, kept


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_error_cells_are_reported_by_the_import_in_every_format(tmp_path: Path, suffix: str) -> None:
    """An error in an optional field (telepon, email) or a required one (modal_usaha) is
    SEL_GALAT_EXCEL on its row, as in XLSX: not a blank phone accepted, nor REQUIRED_MISSING."""
    columns, rows = _umkm_rows(4)
    rows[0][columns.index("telepon")] = Err("#N/A")
    rows[1][columns.index("email")] = Err("#REF!")
    rows[2][columns.index("modal_usaha")] = Err("#DIV/0!")
    p = write_book(tmp_path / f"u{suffix}", [("Data", [columns, *rows])])
    rejected, kept = _verdicts(p, tmp_path)
    assert rejected == {1: "SEL_GALAT_EXCEL", 2: "SEL_GALAT_EXCEL", 3: "SEL_GALAT_EXCEL"}
    assert len(kept) == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".jsonl"])
def test_number_cells_of_amounts_and_counts(tmp_path: Path, suffix: str) -> None:
    """A number cell is not text: 123.45 and 1500000.5 rupiah are a fraction of a rupiah
    (AMOUNT_NOT_INTEGER, not AMOUNT_AMBIGUOUS), 12.345 too (not 12345 rupiah); 5.125 people
    are INT_FORMAT (not 5125 people); 1500000.0 is 1500000, and 1650000.0000000002 (what
    =1500000*1.1 leaves) is 1650000, as the spreadsheet shows it."""
    columns, rows = _umkm_rows(7)
    modal, kerja = columns.index("modal_usaha"), columns.index("tenaga_kerja")
    cases: list[tuple[str, float]] = [
        ("modal_usaha", 123.45), ("modal_usaha", 1500000.5), ("modal_usaha", 12.345),
        ("tenaga_kerja", 5.125), ("modal_usaha", 1500000.0), ("modal_usaha", 1500000 * 1.1),
        ("tenaga_kerja", 7.0),
    ]  # fmt: skip
    for row, (field, value) in zip(rows, cases, strict=True):
        row[modal if field == "modal_usaha" else kerja] = value
        if field == "tenaga_kerja":
            row[modal] = 2000000
    if suffix == ".jsonl":
        p = tmp_path / "u.jsonl"
        p.write_text(
            "".join(json.dumps(dict(zip(columns, r, strict=True))) + "\n" for r in rows), encoding="utf-8"
        )
    else:
        p = write_book(tmp_path / f"u{suffix}", [("Data", [columns, *rows])])
    rejected, kept = _verdicts(p, tmp_path)
    assert rejected == {1: AMOUNT_NOT_INTEGER, 2: AMOUNT_NOT_INTEGER, 3: AMOUNT_NOT_INTEGER, 4: INT_FORMAT}
    name = columns.index("nama_usaha")
    assert kept[rows[4][name]][0] == 1500000
    assert kept[rows[5][name]][0] == 1650000
    assert kept[rows[6][name]][1] == 7


def test_the_same_amounts_typed_as_text_keep_the_text_rule(tmp_path: Path) -> None:
    """A CSV holds text: "123.45" stays AMOUNT_AMBIGUOUS and "12.345" is 12345 rupiah
    (kukm.rules.amounts, rule 2), "123,45" is AMOUNT_NOT_INTEGER."""
    columns, rows = _umkm_rows(3)
    modal = columns.index("modal_usaha")
    for row, text in zip(rows, ["123.45", "12.345", "123,45"], strict=True):
        row[modal] = text
    p = tmp_path / "u.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([columns, *[["" if v is None else v for v in r] for r in rows]])
    rejected, kept = _verdicts(p, tmp_path)
    assert rejected == {1: "AMOUNT_AMBIGUOUS", 3: AMOUNT_NOT_INTEGER}
    assert kept[rows[1][columns.index("nama_usaha")]][0] == 12345


# -- number cells ----------------------------------------------------------------------------


def _shown(value: float) -> Decimal:
    """``value`` to Excel's 15 significant digits (half away from zero)."""
    d = Decimal(repr(value))
    return d.quantize(Decimal(1).scaleb(d.adjusted() - 14), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: abs(f) < 1e15))
def test_a_number_is_read_as_the_spreadsheet_shows_it(value: float) -> None:
    """The text of a number cell is its value to 15 significant digits: a whole number its
    digits; else the decimal comma, which an amount reads as a fraction of a rupiah and a
    count as no count, never as thousands nor as ambiguous."""
    text = readers._cell_text(value)
    shown = _shown(value)
    if shown == shown.to_integral_value():
        assert text == str(int(shown))
        assert parse_rupiah(text) == parse_int(text) == int(shown)
        return
    whole, _, frac = text.partition(",")
    assert "." not in text and len(frac) != 3  # never thousands, by any rule
    assert not frac.endswith("0") or len(frac) == 4  # a 0 only after three decimals
    assert Decimal(f"{whole}.{frac}") == shown
    with pytest.raises(InvalidFormat) as exc:
        parse_rupiah(text)
    assert exc.value.code == AMOUNT_NOT_INTEGER
    with pytest.raises(InvalidFormat) as exc:
        parse_int(text)
    assert exc.value.code == INT_FORMAT


@settings(max_examples=15, deadline=None)
@given(
    whole=st.lists(st.integers(-(10**15) + 1, 10**15 - 1), min_size=1, max_size=6),
    fractions=st.lists(_numbers.filter(lambda f: not f.is_integer()), max_size=4),
)
def test_number_cells_read_the_same_in_every_format(
    tmp_path_factory: pytest.TempPathFactory, whole: list[int], fractions: list[float]
) -> None:
    """Any whole number written as a number cell, as an integer or as a float (1500000.0),
    reads back as its digits in every format and engine (and as a JSON number); a number
    with a fraction reads as the same text in each."""
    d = tmp_path_factory.mktemp("numbers")
    values: list[Any] = [*whole, *(float(n) for n in whole if abs(n) < 2**53), *fractions]
    sheet = [["nama_usaha", "modal_usaha"], *(["Toko", v] for v in values)]
    want = [readers._cell_text(v) for v in values]
    assert want[: 2 * len(whole)] == [str(n) for n in whole] * 2
    for engine, p in books(d, [("Data", sheet)]):
        rows = read(p, engine)[4]
        assert [r["modal_usaha"] for _, r in rows] == want, engine
    p = d / "n.jsonl"
    p.write_text("".join(json.dumps({"modal_usaha": v}) + "\n" for v in values), encoding="utf-8")
    with open_table(p) as t:
        assert [r["modal_usaha"] for _, r in t] == want
