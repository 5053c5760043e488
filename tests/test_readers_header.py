"""Where the readers find the header and the delimiter of the files officers bring: blank lines,
lines of only separators and titles above a CSV header (Excel under Indonesian settings writes
``;``, some exports tabs), an empty first sheet, and a header repeated on every page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError
from kukm.pipeline import load_instrument, open_table, run_file
from kukm.pipeline.header import HEADER_TIDAK_DIKENAL, header_score
from kukm.pipeline.readers import BARIS_JUDUL_ULANG
from kukm.synthetic import UMKM_COLUMNS, generate_umkm
from test_readers_cells import ENGINES, read, write_book

SCORE = header_score(load_instrument("umkm"))
HEADER = ["nama_usaha", "nib", "alamat"]
ROW = ["Toko Kopi", "1234567890123", "Jl. Kenanga 1, RT 01"]


def _csv_text(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _table(path: Path, scored: bool) -> tuple[list[str], str | None, int, list[object]]:
    with open_table(path, header_score=SCORE if scored else None) as t:
        return t.columns, t.delimiter, t.header_line, list(t)


# -- CSV: what stands above the header ---------------------------------------------------------


@pytest.mark.parametrize("scored", [False, True])
@pytest.mark.parametrize(
    ("above", "line"),
    [
        ("\n", 2),  # a blank line: it was the header (no column), its delimiter ","
        ("\r\n\r\n", 3),
        (";;;;\r\n", 2),  # Excel's empty row: it was a header of five untitled columns
        ("\ufeff\r\n \r\n", 3),  # a byte-order mark, then blank lines
        ('"";""\n\t\n', 3),
    ],
)
def test_blank_lines_above_a_csv_header_are_passed_over(
    tmp_path: Path, above: str, line: int, scored: bool
) -> None:
    p = tmp_path / "a.csv"
    p.write_text(above + _csv_text([HEADER, ROW], ";"), encoding="utf-8")
    columns, delimiter, header_line, rows = _table(p, scored)
    assert (columns, delimiter, header_line) == (HEADER, ";", line)
    assert rows == [(1, dict(zip(HEADER, ROW, strict=True)))]


@pytest.mark.parametrize("title", ["DATA UMKM KEL. GAMBIR 2025", "DATA UMKM, KEL. GAMBIR, 2025"])
@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_a_title_above_the_header_neither_is_the_header_nor_gives_the_delimiter(
    tmp_path: Path, title: str, delimiter: str
) -> None:
    p = tmp_path / "t.csv"
    p.write_text("\n" + title + "\n\n" + _csv_text([HEADER, ROW], delimiter), encoding="utf-8")
    columns, sep, header_line, rows = _table(p, True)
    assert (columns, sep, header_line) == (HEADER, delimiter, 4)
    assert rows == [(1, dict(zip(HEADER, ROW, strict=True)))]


def test_a_header_of_another_form_below_a_blank_line_is_refused_as_foreign(tmp_path: Path) -> None:
    """No line scores: the header is the first line holding text. Before, it was the blank
    line, so the file read as columns ``[]`` and every row was rejected (``BARIS_KOLOM_LEBIH``)
    instead of the file being refused as another form's."""
    p = tmp_path / "f.csv"
    p.write_text("\nkolom_a;kolom_b\n1;2\n", encoding="utf-8")
    assert _table(p, True)[:3] == (["kolom_a", "kolom_b"], ";", 2)
    with pytest.raises(ConfigurationError) as err:
        run_file(p, kind="umkm")
    assert err.value.code == HEADER_TIDAK_DIKENAL


_BLANKISH = st.sampled_from(["", " ", ";;;", ",,,,", "\t\t", '"";""', "  ;  ;"])


@settings(max_examples=40, deadline=None)
@given(
    above=st.lists(_BLANKISH, max_size=4),
    bom=st.booleans(),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    scored=st.booleans(),
)
def test_blank_lines_above_change_nothing_but_the_header_line(
    tmp_path_factory: pytest.TempPathFactory,
    above: list[str],
    bom: bool,
    delimiter: str,
    newline: str,
    scored: bool,
) -> None:
    """Property: a file read with blank lines (of any separators) above its header gives the
    columns, delimiter and rows of the file without them, its header that many lines down."""
    d = tmp_path_factory.mktemp("b")
    src = [r.data for r in generate_umkm(4, seed=7, faulty_share=0.3)]
    body = _csv_text([list(UMKM_COLUMNS), *[[x.get(c, "") for c in UMKM_COLUMNS] for x in src]], delimiter)
    lead = "\ufeff" if bom else ""
    plain, padded = d / "plain.csv", d / "padded.csv"
    plain.write_text(lead + body, encoding="utf-8", newline="")
    padded.write_text(lead + "".join(a + newline for a in above) + body, encoding="utf-8", newline="")
    want = _table(plain, scored)
    got = _table(padded, scored)
    assert got[2] == want[2] + len(above)
    assert (got[0], got[1], got[3]) == (want[0], want[1], want[3])
    assert got[1] == delimiter


# -- workbooks: which sheet ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_first_sheet_loses_to_one_holding_a_table(tmp_path: Path, engine: str) -> None:
    """No sheet names a field of the form (a tie at 0): the sheet holding something is read,
    not the empty first one (which gave columns ``[]`` and then ``BERKAS_KOSONG``)."""
    p = write_book(
        tmp_path / ("b." + engine.split("-")[0]),
        [("Sheet1", []), ("Data", [["kolom_a", "kolom_b"], ["1", "2"]]), ("Lain", [["x"]])],
    )
    _, sheet, columns, line, rows, _ = read(p, engine, header_score=SCORE)
    assert (sheet, columns, line, rows) == ("Data", ["kolom_a", "kolom_b"], 1, [(1, {"kolom_a": "1", "kolom_b": "2"})])
    # a sheet that names a field still wins over one that does not, wherever it stands
    p = write_book(
        tmp_path / ("c." + engine.split("-")[0]),
        [("Sheet1", []), ("Petunjuk", [["Isi data"]]), ("Data", [HEADER, ROW])],
    )
    assert read(p, engine, header_score=SCORE)[1:3] == ("Data", HEADER)


# -- a header repeated in the data --------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
@pytest.mark.parametrize("lists", [False, True])
def test_a_csv_header_repeated_on_every_page_is_no_data_row(
    tmp_path: Path, delimiter: str, lists: bool
) -> None:
    """Before, the titles below the data were a row like any other (a business named
    ``nama_usaha`` with NIB ``nib``), reported by the checks of each field, if at all."""
    p = tmp_path / "p.csv"
    again = [" Nama_Usaha ", "NIB", "alamat"]  # the same titles, as the export writes them
    p.write_text(_csv_text([HEADER, ROW, HEADER, ROW, again, ROW], delimiter), encoding="utf-8")
    with open_table(p, header_score=SCORE) as t:
        rows = list(t.cell_rows() if lists else t)
        issues = {k: (i.code, i.value) for k, i in t.row_issues.items()}
    assert [r for r, _ in rows] == [1, 2, 3, 4, 5]
    assert issues == {
        2: (BARIS_JUDUL_ULANG, "nama_usaha|nib|alamat"),
        4: (BARIS_JUDUL_ULANG, "Nama_Usaha|NIB|alamat"),
    }


def test_a_row_sharing_only_some_titles_is_data(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text(_csv_text([HEADER, ["nama_usaha", "nib", "Jl. A"], [*HEADER, "x"]], ";"), encoding="utf-8")
    with open_table(p) as t:
        list(t)
        assert {k: i.code for k, i in t.row_issues.items()} == {2: "BARIS_KOLOM_LEBIH"}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_workbook_header_repeated_on_every_page_is_no_data_row(tmp_path: Path, engine: str) -> None:
    titles = ["Nama Usaha", "NIB", "Alamat"]
    p = write_book(
        tmp_path / ("r." + engine.split("-")[0]),
        [("Data", [["DATA UMKM 2025"], titles, ROW, [], ["nama usaha", " NIB", "Alamat"], ROW])],
    )
    *_, line, rows, issues = read(p, engine, header_score=SCORE)
    assert line == 2 and [r for r, _ in rows] == [1, 3, 4]
    assert {k: v[0] for k, v in issues.items()} == {3: BARIS_JUDUL_ULANG}


@settings(max_examples=15, deadline=None)
@given(at=st.lists(st.integers(0, 6), max_size=3), delimiter=st.sampled_from([";", ","]))
def test_an_import_rejects_each_repeated_header_and_nothing_else(
    tmp_path_factory: pytest.TempPathFactory, at: list[int], delimiter: str
) -> None:
    """Property: the header repeated anywhere in the data rejects those rows, by
    ``BARIS_JUDUL_ULANG``, and leaves every other row's outcome as without them."""
    d = tmp_path_factory.mktemp("r")
    src = [r.data for r in generate_umkm(6, seed=3, faulty_share=0.3)]
    data = [[x.get(c, "") for c in UMKM_COLUMNS] for x in src]
    header = list(UMKM_COLUMNS)
    paged = list(data)
    for i in sorted(at, reverse=True):
        paged.insert(i, header)
    plain, paged_p = d / "plain.csv", d / "paged.csv"
    plain.write_text(_csv_text([header, *data], delimiter), encoding="utf-8")
    paged_p.write_text(_csv_text([header, *paged], delimiter), encoding="utf-8")
    want = run_file(plain, kind="umkm").as_dict()
    got = run_file(paged_p, kind="umkm").as_dict()
    assert got["accepted"] == want["accepted"]
    assert got["rejected"] == want["rejected"] + len(at)
    by_code = dict(want["rejected_by_code"])
    if at:
        by_code[BARIS_JUDUL_ULANG] = len(at)
    assert got["rejected_by_code"] == by_code
