"""ODS files as they reach a Dinas: JSON lines with broken lines, ``.json`` arrays, and CSV
saved by Excel (``;``, Windows-1252, trailing blank rows)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.integration.ods_io import (
    import_ods,
    read_csv,
    read_json,
    read_jsonl,
    read_ods,
    write_csv,
)
from kukm.plugins import open_store

A = {"Koperasi": "Koperasi Café Sejahtera", "Nomor Induk Koperasi (NIK)": "3173010010001",
     "Kecamatan": "Gambir", "Alamat": "Jl. Kenanga 1, RT 01; RW 02"}  # fmt: skip
B = {"Koperasi": "Kop B", "Nomor Induk Koperasi (NIK)": "3173010010002",
     "Kecamatan": "Tambora", "Alamat": " "}  # fmt: skip


def _import(path: Path) -> dict[str, Any]:
    return import_ods(open_store("memory://"), path, resolve=False).as_dict()


# -- JSON lines ---------------------------------------------------------------------------


def test_a_huge_number_or_deep_nesting_rejects_its_line_only(tmp_path: Path) -> None:
    """json raises ValueError (Python's int-string limit, 4,300 digits) or RecursionError,
    not JSONDecodeError, for these lines: the whole import stopped with a traceback."""
    path = tmp_path / "ods.jsonl"
    lines = [
        json.dumps(A),
        '{"Koperasi": "X", "Total Anggota": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        json.dumps(B),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(read_ods(path))
    assert [(r.row, r.error.code if r.error else None) for r in rows] == [
        (1, None), (2, "ODS_BARIS_INVALID"), (3, "ODS_BARIS_INVALID"), (4, None)]  # fmt: skip
    assert rows[1].error is not None and "4300" in rows[1].error.message_en
    report = _import(path)
    assert (report["input"], report["accepted"], report["rejected"]) == (4, 2, 2)
    assert report["rejected_rows"] == [2, 3]


def test_two_exports_joined_keep_the_second_ones_byte_order_mark(tmp_path: Path) -> None:
    """``cat a.jsonl b.jsonl``: the second file's BOM starts a line, which json refused."""
    one = codecs.BOM_UTF8 + (json.dumps(A) + "\n").encode()
    two = codecs.BOM_UTF8 + (json.dumps(B) + "\n").encode()
    path = tmp_path / "joined.jsonl"
    path.write_bytes(one + two)
    assert [r.record for r in read_ods(path)] == [A, B]
    assert _import(path)["accepted"] == 2


# -- .json ----------------------------------------------------------------------------------


def test_a_json_array_is_its_records(tmp_path: Path) -> None:
    """An array of objects was one ODS_BUKAN_OBJEK row; pretty-printed, one row a line."""
    for indent in (None, 2):
        path = tmp_path / f"ods{indent}.json"
        path.write_text(json.dumps([A, B], indent=indent, ensure_ascii=False), encoding="utf-8")
        assert [(r.row, r.record) for r in read_ods(path)] == [(1, A), (2, B)]
        report = _import(path)
        assert (report["input"], report["accepted"]) == (2, 2)


def test_other_shapes_of_a_json_file(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(A, indent=4), encoding="utf-8-sig")
    assert [r.record for r in read_ods(one)] == [A]
    lines = tmp_path / "lines.json"  # JSON lines under .json, one line broken
    lines.write_text(f"{json.dumps(A)}\n{{oops\n{json.dumps(B)}\n", encoding="utf-8")
    assert [(r.row, r.error.code if r.error else None) for r in read_ods(lines)] == [
        (1, None), (2, "ODS_BARIS_INVALID"), (3, None)]  # fmt: skip
    mixed = io.StringIO("[" + json.dumps(A) + ', [1], {"Koperasi": "C", "n": ' + "1" * 4400 + "}]")
    assert [(r.row, r.error.code if r.error else None) for r in read_json(mixed)] == [
        (1, None), (2, "ODS_BUKAN_OBJEK"), (3, "ODS_BARIS_INVALID")]  # fmt: skip
    arrays = io.StringIO(json.dumps([A]) + "\n\ufeff" + json.dumps([B]))  # two arrays joined
    assert [r.record for r in read_json(arrays)] == [A, B]
    with pytest.raises(ConfigurationError) as info:  # a blank stream, as a blank file
        list(read_json(io.StringIO(" \n")))
    assert info.value.code == "BERKAS_KOSONG"


def test_a_broken_json_array_is_refused_whole(tmp_path: Path) -> None:
    """Not one rejected row per line of a broken document: a configuration error naming
    where it breaks, and nothing imported (CLI exit 2)."""
    path = tmp_path / "broken.json"
    text = json.dumps([A, B], indent=2)
    path.write_text(text[: len(text) - 10], encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        list(read_ods(path))
    assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA" and "line" in str(info.value)
    db = tmp_path / "k.sqlite"
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", f"sqlite:///{db}"])
    assert res.exit_code == 2 and "ODS_BERKAS_TIDAK_TERBACA" in res.output


def test_jsonl_files_are_still_read_line_by_line(tmp_path: Path) -> None:
    """Only ``.json`` is read whole: a ``.jsonl`` holding an array stays one line, one row."""
    path = tmp_path / "ods.jsonl"
    path.write_text(json.dumps([A, B]) + "\n", encoding="utf-8")
    rows = list(read_ods(path))
    assert len(rows) == 1 and rows[0].error is not None
    assert rows[0].error.code == "ODS_BUKAN_OBJEK"


# -- CSV ------------------------------------------------------------------------------------


def _excel_csv(records: list[dict[str, str]], delimiter: str, trailing: int = 3) -> str:
    """The text Excel writes: CRLF, every row as wide as the header, blank rows after."""
    fields = list(records[0])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([record[f] for f in fields])
    for _ in range(trailing):
        writer.writerow([""] * len(fields))
    return out.getvalue()


def test_an_excel_csv_under_indonesian_settings(tmp_path: Path) -> None:
    """``;`` between cells and Windows-1252: every row had no identity (the whole header was
    one field), or the file stopped with a configuration error; ``;;;`` rows were rejected."""
    path = tmp_path / "ods.csv"
    path.write_bytes(_excel_csv([A, B], ";").encode("cp1252"))
    rows = list(read_ods(path))
    assert [(r.row, r.record) for r in rows] == [(1, A), (2, B)]
    comma = tmp_path / "comma.csv"  # Windows-1252 alone: ODS_BERKAS_TIDAK_TERBACA before
    comma.write_bytes(_excel_csv([A, B], ",", trailing=0).encode("cp1252"))
    assert [r.record for r in read_ods(comma)] == [A, B]
    report = _import(path)
    assert (report["input"], report["accepted"], report["rejected"]) == (2, 2, 0)
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://", "--json",
                                   "--no-resolve"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["input"] == 2


def test_blank_rows_are_skipped_but_keep_their_number() -> None:
    text = "Koperasi,Kecamatan\n,\nA,Gambir\n , \n\nB,Tambora,,\n"
    rows = list(read_csv(io.StringIO(text)))
    assert [(r.row, r.record) for r in rows] == [
        (2, {"Koperasi": "A", "Kecamatan": "Gambir"}),
        (5, {"Koperasi": "B", "Kecamatan": "Tambora"}),
    ]


def test_cells_beyond_the_header_or_without_a_title() -> None:
    """Blank ones are ignored (Excel writes a row as wide as its widest); a value there is
    the row's rejection, as before."""
    text = "Koperasi,,Kecamatan,\nA,,Gambir,\nB,x,Tambora\nC,,Tambora,,y\n"
    rows = list(read_csv(io.StringIO(text)))
    assert rows[0].record == {"Koperasi": "A", "Kecamatan": "Gambir"}
    assert [r.error.code if r.error else None for r in rows] == [None, "ODS_KOLOM_LEBIH", "ODS_KOLOM_LEBIH"]
    assert rows[1].error is not None and "column 2" in rows[1].error.message_en


def test_excel_unicode_text_and_a_stray_windows_byte(tmp_path: Path) -> None:
    """UTF-16 with tabs (Excel's "Unicode Text"), and a UTF-8 file with one Windows byte."""
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(_excel_csv([A, B], "\t").encode("utf-16"))
    assert [r.record for r in read_ods(utf16)] == [A, B]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(_excel_csv([A, B], ",").encode("utf-8").replace(b"Kop B", b"Kop \x96 B"))
    assert [r.record["Koperasi"] for r in read_ods(mixed) if r.record] == [A["Koperasi"], "Kop – B"]


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    """Read as Windows-1252 text it would give rows of garbage; it is refused instead."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Koperasi"])  # type: ignore[union-attr]
    path = tmp_path / "ods.csv"
    wb.save(path)
    with pytest.raises(ConfigurationError) as info:
        list(read_ods(path))
    assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA" and "workbook" in str(info.value)


#: Windows-1252 characters whose byte is not a UTF-8 continuation byte (0x80-0xBF): text of
#: them is never valid UTF-8 as well (``Ãš`` is, and reads as ``Ú``: no reader can tell).
_CONTINUATION = "".join(bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0))
_CP1252_SAFE = st.characters(
    codec="cp1252", categories=("L", "N", "P", "Zs"), exclude_characters=_CONTINUATION
)
_CELL = st.text(st.one_of(_CP1252_SAFE, st.sampled_from(',;\t|"\n')), max_size=12)
_FIELDS = ["Koperasi", "Nomor Induk Koperasi (NIK)", "Kecamatan", "Alamat", "Status Grade"]


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(2, len(_FIELDS)),
    cells=st.lists(st.lists(_CELL, min_size=len(_FIELDS), max_size=len(_FIELDS)), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_any_delimiter_and_encoding_reads_the_same_records(
    tmp_path_factory: pytest.TempPathFactory,
    width: int,
    cells: list[list[str]],
    delimiter: str,
    encoding: str,
) -> None:
    """The same rows written with ``,`` ``;`` tab or ``|``, in UTF-8 (with or without BOM),
    Windows-1252 or UTF-16, read as the same records, blank rows left out."""
    fields = _FIELDS[:width]
    records = [dict(zip(fields, row, strict=False)) for row in cells]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows([r[f] for f in fields] for r in records)
    path = tmp_path_factory.mktemp("csv") / "ods.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    want = [r for r in records if any(v.strip() for v in r.values())]
    assert [r.record for r in read_ods(path)] == want


def test_the_sample_through_excel_csv_reads_as_its_json_lines(
    ods_sample_path: Path, tmp_path: Path
) -> None:
    """The ministry's 689 records written as kukm writes CSV, then as Excel would (``;``,
    UTF-8 with BOM, trailing blank rows): the same records."""
    records = [r.record for r in read_jsonl(ods_sample_path) if r.record is not None]
    plain = tmp_path / "plain.csv"
    write_csv(records, plain)
    want = [r.record for r in read_csv(plain)]
    rewritten = list(csv.reader(plain.open(encoding="utf-8", newline="")))
    excel = tmp_path / "excel.csv"
    with open(excel, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerows(rewritten)
        writer.writerows([[""] * len(rewritten[0])] * 5)
    assert [r.record for r in read_csv(excel)] == want
    report = _import(excel)
    assert (report["input"], report["accepted"]) == (689, 689)


def test_a_title_given_twice_keeps_both_values(tmp_path: Path) -> None:
    """A CSV whose header repeats a title (a column copied in the sheet): the row's dict kept
    only the last column's value, without a word. Both are kept; the later is reported."""
    from kukm.integration.ods_io import import_ods, read_csv

    p = tmp_path / "ods.csv"
    p.write_text(
        "Koperasi,Nomor Induk Koperasi (NIK),Status Grade,Status Grade\n"
        "A,3173010010021,B,C\nB,3173010010022,D,D\n",
        encoding="utf-8",
    )
    records = [r.record for r in read_csv(p)]
    assert records[0] is not None and records[0]["Status Grade"] == "B"
    assert records[0]["Status Grade (kolom 4)"] == "C"
    store = open_store("memory://")
    report = import_ods(store, p, resolve=False)
    assert report.accepted == 2
    reported = {(i.row, i.value) for i in report.issues if i.code != "ODS_FIELD_HILANG"}
    assert any(row == 1 and "C" in str(value) for row, value in reported), report.issues
    a = store.get("koperasi", "3173010010021")
    assert a is not None and a.record.grade == "B"  # type: ignore[union-attr]


# -- what is not an ODS export (read from Python, as the CLI reads it) ----------------------------


@pytest.mark.parametrize("name", ["ods.csv", "ods.jsonl", "ods.json"])
@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf \n;;;\n"])
def test_a_blank_file_is_refused_from_python_as_by_the_cli(
    tmp_path: Path, name: str, content: bytes
) -> None:
    """``read_ods``/``import_ods`` read a blank file (a failed download) as 0 rows, where
    ``kukm ods import`` refused it with ``BERKAS_KOSONG``; now both refuse it, at once."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigurationError) as info:
        read_ods(path)
    assert info.value.code == "BERKAS_KOSONG"
    store = open_store("memory://")
    with pytest.raises(ConfigurationError) as info:
        import_ods(store, path, resolve=False)
    assert info.value.code == "BERKAS_KOSONG"
    assert store.count("koperasi") == 0
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://"])
    assert res.exit_code == 2 and "BERKAS_KOSONG" in res.output


def test_a_blank_csv_stream_is_refused() -> None:
    with pytest.raises(ConfigurationError) as info:
        list(read_csv(io.StringIO("\n ; \n")))
    assert info.value.code == "BERKAS_KOSONG"


#: a UMKM file's titles (``alamat`` would be an ODS field: the rule is "no ODS field at all")
UMKM_HEADER = "nama_usaha;nib;nik_pemilik;nama_pemilik;kode_wilayah;kbli;omzet_tahunan"


@pytest.mark.parametrize("rows", ["", "Toko;1234567890123;3171011708450001;Budi;31.71.01.1001;10710;1000\n"])
def test_a_csv_of_another_layout_is_refused_naming_its_columns(tmp_path: Path, rows: str) -> None:
    """A UMKM file given to ``kukm ods import``: its header was never checked, so a file of
    the header alone imported 0 rows with exit 0 (and one with rows rejected each as no
    record). Now: ``ODS_HEADER_TIDAK_DIKENAL``, naming the columns found, nothing read."""
    path = tmp_path / "umkm.csv"
    path.write_text(UMKM_HEADER + "\n" + rows, encoding="utf-8")
    store = open_store("memory://")
    with pytest.raises(ConfigurationError) as info:
        import_ods(store, path, resolve=False)
    assert info.value.code == "ODS_HEADER_TIDAK_DIKENAL"
    assert "'nama_usaha'" in str(info.value) and "'omzet_tahunan'" in str(info.value)
    assert store.count("koperasi") == 0
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://"])
    assert res.exit_code == 2 and "ODS_HEADER_TIDAK_DIKENAL" in res.output


def test_one_ods_field_makes_an_ods_header() -> None:
    """A header with a single ODS field among others is the ODS layout (its other columns are
    reported as fields it does not know, row by row), not refused."""
    rows = list(read_csv(io.StringIO("catatan;NOMOR INDUK KOPERASI\nx;3173010010001\n")))
    assert [r.record for r in rows] == [{"catatan": "x", "NOMOR INDUK KOPERASI": "3173010010001"}]


@settings(max_examples=30, deadline=None)
@given(
    above=st.lists(st.sampled_from(["", " ", ";;;", ",,", "\t", '"",""']), max_size=3),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    repeats=st.lists(st.integers(0, 2), max_size=2),
)
def test_blank_lines_above_and_titles_repeated_below_the_header(
    above: list[str], delimiter: str, repeats: list[int]
) -> None:
    """Property: blank lines above the header are passed over (before, the first one was the
    header: every row ``ODS_KOLOM_LEBIH``), and each repetition of the titles in the data is
    ``ODS_BARIS_JUDUL_ULANG`` (before, a record of a koperasi named "Koperasi"); the records
    are the file's without them."""
    fields = list(A)
    lines: list[list[str]] = [[A[f] for f in fields], [B[f] for f in fields]]
    for at in sorted(repeats, reverse=True):
        lines.insert(at, [f.upper() for f in fields])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([fields, *lines])
    text = "".join(a + "\r\n" for a in above) + out.getvalue()
    rows = list(read_csv(io.StringIO(text, newline="")))
    assert [r.record for r in rows if r.error is None] == [A, B]
    refused = [r.error.code for r in rows if r.error is not None]
    assert refused == ["ODS_BARIS_JUDUL_ULANG"] * len(repeats)


# -- a workbook, and a JSON document under another suffix ------------------------------------


def _workbook(path: Path, records: list[dict[str, Any]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    keys = list(records[0])
    sheet.append(keys)
    for record in records:
        sheet.append([record.get(k) for k in keys])
    book.save(path)
    return path


@pytest.mark.parametrize("name", ["ods.xlsx", "ods.jsonl", "ods.json", "ods"])
def test_a_workbook_of_ods_records_is_refused_saying_so(tmp_path: Path, name: str) -> None:
    """``kukm ods import ods.xlsx`` said 'cannot be read after data row 0: UnicodeDecodeError:
    'utf-8' codec can't decode byte 0xc7': now that it is a workbook and what to do."""
    path = _workbook(tmp_path / name, [A, B])
    with pytest.raises(ConfigurationError) as info:
        read_ods(path)
    assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA"
    assert "is a workbook (xlsx)" in str(info.value) and "save the sheet as CSV" in str(info.value)
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://", "--no-resolve"])
    assert res.exit_code == 2 and "is a workbook (xlsx)" in res.output
    assert "UnicodeDecodeError" not in res.output


@pytest.mark.parametrize("name", ["ods.jsonl", "ods.ndjson", "ods", "ods.export"])
@pytest.mark.parametrize("shape", ["array", "envelope", "object"])
def test_a_pretty_printed_json_document_under_another_suffix_is_its_records(
    tmp_path: Path, ods_sample_path: Path, name: str, shape: str
) -> None:
    """An API response saved pretty-printed as ``.jsonl`` (or without a suffix) was read line
    by line: the 5 records became 157 rejected rows (ODS_BARIS_INVALID), every one lost."""
    with open(ods_sample_path, encoding="utf-8") as fh:
        records = [json.loads(line) for line, _ in zip(fh, range(5), strict=False)]
    value: Any = {"array": records, "envelope": {"data": records, "total": 5},
                  "object": records[0]}[shape]  # fmt: skip
    path = tmp_path / name
    path.write_text("\ufeff\n" + json.dumps(value, indent=2, ensure_ascii=False), encoding="utf-8")
    expected = records if shape != "object" else records[:1]
    assert [(r.record, r.error) for r in read_ods(path)] == [(r, None) for r in expected]
    report = import_ods(open_store("memory://"), path, resolve=False)
    assert (report.input, report.accepted, report.rejected) == (len(expected), len(expected), 0)


def test_json_lines_whose_first_line_is_broken_stay_json_lines(tmp_path: Path) -> None:
    """Only a lone ``[`` or ``{`` opens a pretty-printed document: a broken first line of
    JSON lines still rejects that line only."""
    path = tmp_path / "ods.jsonl"
    path.write_text('{"Koperasi": \n{oops\n' + json.dumps(A) + "\n", encoding="utf-8")
    rows = [(r.row, r.error.code if r.error else None) for r in read_ods(path)]
    assert rows == [(1, "ODS_BARIS_INVALID"), (2, "ODS_BARIS_INVALID"), (3, None)]
