"""Readers (CSV variants, XLSX, JSON lines) and the errors file."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError, Issue
from kukm.pipeline import ANNOTATION_COLUMNS, ErrorsWriter, detect_encoding, open_table
from kukm.pipeline.readers import BARIS_JSON_INVALID, BARIS_KOLOM_LEBIH, SEL_TANPA_JUDUL

HEADER = ["nama_usaha", "alamat", "omzet_tahunan"]
ROWS = [["Kedai Kopi Café", "Jl. Kenanga No. 1", "Rp 1.500.000"], ["Toko Ça", "", "1,5 juta"]]


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _csv_text(delimiter: str, rows: list[list[str]] = ROWS) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


def _read(path: Path, **kw: str) -> tuple[list[tuple[int, dict[str, str]]], object]:
    with open_table(path, **kw) as t:  # type: ignore[arg-type]
        return list(t), t


@pytest.mark.parametrize(
    ("delimiter", "encoding", "declared", "expect_enc"),
    [
        (",", "utf-8", None, "utf-8"),
        (";", "utf-8", None, "utf-8"),
        (",", "utf-8-sig", None, "utf-8-sig"),
        (";", "utf-8-sig", None, "utf-8-sig"),
        (";", "cp1252", None, "cp1252"),
        (",", "cp1252", "cp1252", "cp1252"),
        (";", "cp1252", "windows-1252", "cp1252"),
        ("\t", "utf-8", None, "utf-8"),
        ("|", "utf-8", None, "utf-8"),
    ],
)
def test_csv_variants_parse(
    tmp_path: Path, delimiter: str, encoding: str, declared: str | None, expect_enc: str
) -> None:
    p = _write(tmp_path / "in.csv", _csv_text(delimiter), encoding)
    kw = {"encoding": declared} if declared else {}
    rows, t = _read(p, **kw)
    assert t.delimiter == delimiter  # type: ignore[attr-defined]
    assert t.encoding == expect_enc  # type: ignore[attr-defined]
    assert t.columns == HEADER  # type: ignore[attr-defined]
    assert rows == [
        (1, dict(zip(HEADER, ROWS[0], strict=True))),
        (2, dict(zip(HEADER, ROWS[1], strict=True))),
    ]


def test_cp1252_byte_after_the_sample_is_still_read(tmp_path: Path) -> None:
    body = "a\n" + "x\n" * 40000 + "Caf\xe9\n"
    p = tmp_path / "late.csv"
    p.write_bytes(body.encode("cp1252"))
    rows, t = _read(p)
    assert t.encoding == "utf-8"  # type: ignore[attr-defined]
    assert rows[-1][1] == {"a": "Café"}


def test_detect_encoding_cut_sample_is_not_an_error() -> None:
    cut = "é".encode()[:1]
    assert detect_encoding(b"abc" + cut, complete=False) == "utf-8"
    assert detect_encoding(b"abc" + cut, complete=True) == "cp1252"


def test_annotation_columns_are_ignored_and_blank_rows_keep_numbers(tmp_path: Path) -> None:
    text = "nama_usaha,_row,_codes,nib\nA,3,X,1\n,,,\nB,,,2\n"
    rows, t = _read(_write(tmp_path / "e.csv", text, "utf-8"))
    assert t.columns == ["nama_usaha", "nib"]  # type: ignore[attr-defined]
    assert rows == [(1, {"nama_usaha": "A", "nib": "1"}), (3, {"nama_usaha": "B", "nib": "2"})]


@pytest.mark.parametrize("text", ["\n\n\n", "\r\n\r\n", " \n\t\n"])
def test_a_csv_of_blank_lines_reads_as_empty(tmp_path: Path, text: str) -> None:
    """Lines with nothing on them and no header: no rows, like an empty file (a traceback
    before)."""
    rows, t = _read(_write(tmp_path / "b.csv", text, "utf-8"))
    assert rows == [] and t.row_issues == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize("stated", ["A1", "A1:C3"])
def test_a_workbook_read_by_openpyxl_reads_past_a_stale_sheet_size(tmp_path: Path, stated: str) -> None:
    """A sheet whose stated size (<dimension>) is smaller than its data: every row and column
    is read all the same (openpyxl read only the stated range: no rows, or 2 rows of 3 cells,
    and the import succeeded). The error cell sends the workbook to openpyxl."""
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["nama_usaha", "nib", "alamat", "email"])
    for i in range(10):
        ws.append([f"Usaha {i}", f"91000000000{i:02d}", f"Jl. {i}", f"u{i}@example.com"])
    ws["D11"] = "#N/A"
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bad = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{stated}"'.encode(), data)
            zout.writestr(item, data)
    with open_table(bad) as t:
        assert t.engine == "openpyxl"  # type: ignore[attr-defined]
        rows = list(t)
    assert [r for r, _ in rows] == list(range(1, 11))
    assert rows[2][1] == {"nama_usaha": "Usaha 2", "nib": "9100000000002", "alamat": "Jl. 2", "email": "u2@example.com"}
    assert rows[9][1]["email"] == "#N/A"


def test_data_under_a_column_without_a_title_refuses_its_row(tmp_path: Path) -> None:
    """A cell holding data in a column with no title has no field to go to: its row is
    refused (SEL_TANPA_JUDUL, the column's letter in the detail) instead of the value being
    dropped without a word; an empty cell there is nothing."""
    text = "nama_usaha,,nib\nA,081234,1\nB,,2\n"
    rows, t = _read(_write(tmp_path / "u.csv", text, "utf-8"))
    assert rows == [(1, {"nama_usaha": "A", "nib": "1"}), (2, {"nama_usaha": "B", "nib": "2"})]
    got = t.row_issues  # type: ignore[attr-defined]
    assert set(got) == {1} and got[1].code == SEL_TANPA_JUDUL
    assert got[1].value == "081234" and got[1].message_en.endswith("Column: (B)")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_numbered_template_row_with_nothing_else_is_blank(
    tmp_path: Path, suffix: str, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows whose only content is a column the form does not know (the "No" of a template
    numbered ahead) are blank rows, not rows missing every field (each was rejected with a
    dozen REQUIRED_MISSING); a stray note past the last title refuses its row (in a
    workbook SEL_TANPA_JUDUL, whichever engine reads it)."""
    from openpyxl import Workbook

    from kukm.pipeline import readers, run_file
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    monkeypatch.setattr(readers, "CALAMINE_XLSX_BYTES", 1 << 40 if engine == "calamine" else -1)
    good = [[r.data[c] for c in UMKM_COLUMNS] for r in generate_umkm(2, seed=5, faulty_share=0.0)]
    table: list[list[object]] = [
        ["No", *UMKM_COLUMNS],
        [1, *good[0]],
        [2],
        [3, *good[1], "catatan: pindah"],
        [4],
        [5],
    ]
    p = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)
    else:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for r in table:
            ws.append(r)
        wb.save(p)
    got = run_file(p, kind="umkm", errors_path=tmp_path / "e.csv")
    code = BARIS_KOLOM_LEBIH if suffix == ".csv" else SEL_TANPA_JUDUL
    assert (got.input, got.accepted, got.rejected, dict(got.by_code)) == (2, 1, 1, {code: 1})
    with open(tmp_path / "e.csv", encoding="utf-8-sig", newline="") as fh:
        assert [r["_row"] for r in csv.DictReader(fh)] == ["3"]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("above", [0, 3])
def test_rows_with_formulas_whose_results_were_never_saved_are_refused(
    tmp_path: Path, engine: str, above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook written by a program holds formulas without their results: both engines
    read those cells blank (a phone or an amount silently gone). Each such row is refused
    with SEL_RUMUS_TANPA_NILAI naming its cells, the other rows read; with titles and blank
    rows above the header too; the same formula with its saved result reads as that result;
    one on another sheet does not count."""
    import re
    import zipfile

    from openpyxl import Workbook

    from kukm.pipeline import readers

    monkeypatch.setattr(readers, "CALAMINE_XLSX_BYTES", 1 << 40 if engine == "calamine" else -1)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    for _ in range(above):  # a title, then blank rows (calamine starts at the first used row)
        ws.append([None])
    if above:
        ws.cell(row=2, column=1, value="DATA UMKM 2025")
    ws.append(["nama_usaha", "modal_usaha"])
    ws.append(["Toko A", "=15000000*2"])
    ws.append(["Toko B", 5])
    ws.append(["Toko C", "=1+1"])
    other = wb.create_sheet("Rumus")
    other["A1"] = "=1+1"
    raw = tmp_path / "raw.xlsx"
    wb.save(raw)
    score = lambda cells: sum(c in ("nama_usaha", "modal_usaha") for c in cells)  # noqa: E731
    with open_table(raw, header_score=score) as t:
        rows = list(t)
        issues = {k: (v.code, v.value) for k, v in t.row_issues.items()}
    top = above + 1  # the header's sheet row
    assert [r for r, _ in rows] == [1, 2, 3]
    assert rows[1][1] == {"nama_usaha": "Toko B", "modal_usaha": "5"}
    assert issues == {
        1: (readers.SEL_RUMUS_TANPA_NILAI, f"B{top + 1}"),
        3: (readers.SEL_RUMUS_TANPA_NILAI, f"B{top + 3}"),
    }

    saved = tmp_path / "saved.xlsx"  # as a spreadsheet saves it: each result after its formula
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(saved, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(<f>15000000\*2</f>)<v\s*/>", rb"\1<v>30000000</v>", data)
                data = re.sub(rb"(<f>1\+1</f>)<v\s*/>", rb"\1<v>2</v>", data)
            zout.writestr(item, data)
    with open_table(saved, header_score=score) as t:
        rows = list(t)
        assert t.row_issues == {}
    assert [d["modal_usaha"] for _, d in rows] == ["30000000", "5", "2"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_titles_over_two_rows_are_one_clear_refusal(tmp_path: Path, suffix: str) -> None:
    """A header of merged titles over a second row of titles (Data Pemilik over NIK, Nama,
    L/P) is HEADER_DUA_BARIS, exit 2, naming the second row: every row was rejected for the
    fields it names, the second row itself as data."""
    from openpyxl import Workbook

    from kukm.pipeline import run_file
    from kukm.pipeline.header import HEADER_DUA_BARIS
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    rows = [r.data for r in generate_umkm(3, seed=51, faulty_share=0.0)]
    rest = [c for c in UMKM_COLUMNS if c not in ("nik_pemilik", "nama_pemilik", "jenis_kelamin")]
    first = ["Data Pemilik", "", "", *rest]
    second = ["NIK", "Nama", "L/P", *([""] * len(rest))]
    body = [[r["nik_pemilik"], r["nama_pemilik"], r["jenis_kelamin"], *(r[c] for c in rest)] for r in rows]
    p = tmp_path / f"dua{suffix}"
    if suffix == ".csv":
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([first, second, *body])
    else:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for r in (first, second, *body):
            ws.append(r)
        ws.merge_cells("A1:C1")
        wb.save(p)
    with pytest.raises(ConfigurationError) as info:
        run_file(p, kind="umkm")
    assert info.value.code == HEADER_DUA_BARIS and "'L/P'" in str(info.value)
    # the same data under one row of titles reads
    one = tmp_path / "satu.csv"
    with one.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["nik_pemilik", "nama_pemilik", "jenis_kelamin", *rest], *body])
    assert run_file(one, kind="umkm").accepted == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(st.characters(min_codepoint=0xA0, max_codepoint=0x2FFF, exclude_categories=("Cs", "Zl", "Zp")), min_size=1, max_size=8),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.sampled_from("éèüñ€’"), min_size=1, max_size=3),
)
def test_a_utf8_file_with_a_stray_windows_byte_stays_utf8(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], stray: list[str]
) -> None:
    """A UTF-8 file into which a Windows-1252 character was pasted (one byte that is not
    UTF-8) is read as UTF-8 with that byte as Windows reads it: every other accented
    character stays right (the whole file was read as Windows-1252: CafÃ©, silently)."""
    names = [n.replace(",", " ").replace('"', " ").strip() or "x" for n in names]
    if sum(ord(c) > 127 for n in names for c in n) < len(stray):  # the rule: at least as many
        names.append("é" * len(stray))
    body = "nama_usaha\n" + "".join(f"{n}\n" for n in names)
    raw = body.encode("utf-8") + b"".join(f"Toko {c}\n".encode("cp1252") for c in stray)
    p = tmp_path_factory.mktemp("mixed") / "m.csv"
    p.write_bytes(raw)
    with open_table(p) as t:
        rows = [d["nama_usaha"] for _, d in t]
        assert t.encoding == "utf-8"  # type: ignore[attr-defined]
    assert rows == [n.strip() for n in names] + [f"Toko {c}" for c in stray]


def test_a_windows_file_stays_windows(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_bytes("nama_usaha\nSébastien Café\nToko Andrés\n".encode("cp1252"))
    rows, t = _read(p)
    assert t.encoding == "cp1252"  # type: ignore[attr-defined]
    assert [d["nama_usaha"] for _, d in rows] == ["Sébastien Café", "Toko Andrés"]


def test_short_and_long_rows(tmp_path: Path) -> None:
    text = "a,b\n1\n1,2,3\n1,2,\n"
    with open_table(_write(tmp_path / "x.csv", text, "utf-8")) as t:
        rows = list(t)
        assert rows == [
            (1, {"a": "1", "b": ""}),
            (2, {"a": "1", "b": "2"}),
            (3, {"a": "1", "b": "2"}),
        ]
        assert set(t.row_issues) == {2}
        assert t.row_issues[2].code == BARIS_KOLOM_LEBIH


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        open_table(tmp_path / "nope.csv")
    (tmp_path / "x.parquet").write_text("")
    with pytest.raises(ConfigurationError):
        open_table(tmp_path / "x.parquet")


def test_xlsx_reader(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([None])
    ws.append(["nib", "nama_usaha", "tanggal_berdiri", "tenaga_kerja", "modal_usaha", "_codes"])
    ws.append([9120001234567, "Toko A", dt.datetime(2020, 5, 1), 3, 1500000.0, "X"])
    ws.append([None, None, None, None, None, None])
    ws.append(["9120001234568", " Toko B ", "01/02/2021", 2.5, "Rp 1.500.000", None])
    p = tmp_path / "in.xlsx"
    wb.save(p)
    rows, t = _read(p)
    assert t.columns == ["nib", "nama_usaha", "tanggal_berdiri", "tenaga_kerja", "modal_usaha"]  # type: ignore[attr-defined]
    assert rows[0] == (
        1,
        {"nib": "9120001234567", "nama_usaha": "Toko A", "tanggal_berdiri": "2020-05-01",
         "tenaga_kerja": "3", "modal_usaha": "1500000"},
    )  # fmt: skip
    assert rows[1][0] == 3
    assert rows[1][1]["nama_usaha"] == "Toko B"
    # a number cell with a fraction: the decimal comma, never read as thousands (module docstring)
    assert rows[1][1]["tenaga_kerja"] == "2,5"


def test_jsonl_reader(tmp_path: Path) -> None:
    lines = [
        json.dumps({"Koperasi": "A", "Total Anggota": 12, "_row": 9}),
        "",
        "{broken",
        json.dumps([1, 2]),
        json.dumps({"Koperasi": "B", "Grade": None, "Baru": True}),
    ]
    p = tmp_path / "ods.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open_table(p) as t:
        rows = list(t)
        assert [r for r, _ in rows] == [1, 2, 3, 4]
        assert rows[0][1] == {"Koperasi": "A", "Total Anggota": "12"}
        assert rows[3][1] == {"Koperasi": "B", "Grade": "", "Baru": "ya"}
        assert {k: v.code for k, v in t.row_issues.items()} == {
            2: BARIS_JSON_INVALID,
            3: BARIS_JSON_INVALID,
        }
        assert t.columns == ["Koperasi", "Total Anggota", "Grade", "Baru"]


def _issue(code: str, field: str | None) -> Issue:
    return Issue(code, field, "v", f"pesan {code}", f"message {code}")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_errors_file_layout_and_reimport(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"errors{suffix}"
    with ErrorsWriter(p, ["nib", "nama_usaha", "_old"], delimiter=";") as w:
        w.write(
            4,
            {"nib": "12", "nama_usaha": "Toko; A"},
            [_issue("NIB_LENGTH", "nib"), _issue("X", None)],
        )
        w.write(9, {"nib": "1234567890123", "nama_usaha": ""}, [_issue("REQ", "nama_usaha")])
    with open_table(p) as t:
        assert t.raw_columns == ["nib", "nama_usaha", *ANNOTATION_COLUMNS]
        assert t.columns == ["nib", "nama_usaha"]
        rows = list(t)
    assert rows == [
        (1, {"nib": "12", "nama_usaha": "Toko; A"}),
        (2, {"nib": "1234567890123", "nama_usaha": ""}),
    ]
    # the annotations themselves, read raw
    if suffix == ".csv":
        text = p.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0] == "nib;nama_usaha;_row;_codes;_fields;_messages"
        raw = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert raw[1][2:5] == ["4", "NIB_LENGTH;X", "nib;"]
        assert raw[1][5] == "pesan NIB_LENGTH | pesan X"
        assert raw[2][2:5] == ["9", "REQ", "nama_usaha"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(['="3171026201631843"', "=1+2", "#N/A", "#REF!", "=", "#N/A "]),
            st.text(alphabet=st.sampled_from("=#AN/!x1 "), max_size=6),
        ),
        min_size=2,
        max_size=2,
    )
)
def test_an_xlsx_errors_file_gives_back_each_cells_text(tmp_path_factory: pytest.TempPathFactory, cells: list[str]) -> None:
    """Text openpyxl would take for a formula (``=…``) or an error value (``#N/A``) is
    written as text: the errors file imported again reads what the rejected row held (it
    became a formula without a result, read back as a blank cell)."""
    p = tmp_path_factory.mktemp("e") / "errors.xlsx"
    with ErrorsWriter(p, ["nik_pemilik", "nama_usaha"]) as w:
        w.write(1, {"nik_pemilik": cells[0], "nama_usaha": cells[1]}, [_issue("X", "nik_pemilik")])
    with open_table(p) as t:
        rows = list(t)
    stripped = [c.strip() for c in cells]
    if any(stripped):
        assert rows == [(1, {"nik_pemilik": stripped[0], "nama_usaha": stripped[1]})]


def test_errors_file_rejects_other_suffix(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        ErrorsWriter(tmp_path / "e.json", ["a"])


cell = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=12,
).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]),
)
def test_csv_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    data = _csv_text(delimiter, rows).encode(encoding)
    if encoding == "utf-16-le":  # Excel's "Unicode Text": little-endian with its BOM
        data = codecs.BOM_UTF16_LE + data
    # Windows-1252 text whose bytes also spell valid UTF-8 ("Â¡" is C2 A1, UTF-8 for "¡"), or
    # spell as many UTF-8 characters as stray bytes ("¡" A1 beside "à\xa0¡" E0 A0 A1, UTF-8 for
    # "ࠡ"), is read as UTF-8 unless declared (the documented rule): declare it then
    declared = {"encoding": "cp1252"} if encoding == "cp1252" and detect_encoding(data) != "cp1252" else {}
    p = tmp_path_factory.mktemp("rt") / "r.csv"
    p.write_bytes(data)
    got, _ = _read(p, delimiter=delimiter, **declared)
    want = [(i, dict(zip(HEADER, r, strict=True))) for i, r in enumerate(rows, start=1) if any(r)]
    assert got == want


word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz .()/-", min_size=1, max_size=8).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    header=st.lists(
        st.lists(word.filter(bool), min_size=1, max_size=3).map("\n".join),
        min_size=2, max_size=5, unique=True,
    ),
    titles=st.lists(st.lists(word, min_size=1, max_size=3).map("\n".join), max_size=3),
    body=st.lists(st.lists(st.lists(word, max_size=2).map("\r\n".join), min_size=5, max_size=5),
                  max_size=4),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_csv_header_cells_with_line_breaks_property(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str], titles: list[str], body: list[list[str]], delimiter: str,
) -> None:
    """A quoted header cell broken over lines (Alt+Enter in Excel, saved as CSV) is one cell,
    also among title rows above the header and whatever the delimiter; the header line
    counts the lines the titles take."""
    rows = [r[: len(header)] for r in body]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for t in titles:
        w.writerow([t])
    w.writerow(header)
    w.writerows(rows)
    p = tmp_path_factory.mktemp("nl") / "h.csv"
    p.write_text(buf.getvalue(), encoding="utf-8", newline="")
    names = [h.strip() for h in header]
    with open_table(p, header_score=lambda cells: sum(c in names for c in cells)) as t:
        got = list(t)
        assert t.columns == names
        assert t.delimiter == delimiter
        assert t.header_line == 1 + sum(t_.count("\n") + 1 for t_ in titles)
    want = [
        (i, dict(zip(names, [c.strip() for c in r], strict=True)))
        for i, r in enumerate(rows, start=1)
        if any(c.strip() for c in r)
    ]
    assert got == want


def test_xlsx_number_cells_of_16_digits_are_reported(tmp_path: Path) -> None:
    """Excel keeps 15 digits of a number: a number cell of 16 digits (a NIK typed into a
    General cell comes back as 3173040202891540) is reported on its column; 15 digits, text
    cells and columns left out of ``long_number_columns`` are not."""
    from openpyxl import Workbook

    from kukm.pipeline.readers import SEL_ANGKA_PANJANG

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["nama_usaha", "nik_pemilik", "catatan"])
    ws.append(["A", 10**15 - 1, None])  # 15 digits: exact in Excel
    ws.append(["B", 10**15, None])  # 16 digits
    ws.append(["C", 3173040202891540.0, None])  # a float cell
    ws.append(["D", "3173040202891543", None])  # text: exact
    ws.append(["E", -(10**15), None])
    ws.append(["F", None, 3173040202891543])  # a number in another column
    p = tmp_path / "n.xlsx"
    wb.save(p)
    rows, t = _read(p)
    got = {k: (v.code, v.field, v.value) for k, v in t.row_issues.items()}  # type: ignore[attr-defined]
    assert got == {
        2: (SEL_ANGKA_PANJANG, "nik_pemilik", "1000000000000000"),
        3: (SEL_ANGKA_PANJANG, "nik_pemilik", "3173040202891540"),
        5: (SEL_ANGKA_PANJANG, "nik_pemilik", "-1000000000000000"),
        6: (SEL_ANGKA_PANJANG, "catatan", "3173040202891543"),
    }
    assert rows[1][1]["nik_pemilik"] == "1000000000000000"  # the cell is kept as it is
    with open_table(p) as t2:
        t2.long_number_columns = {"nama_usaha", "nik_pemilik"}
        list(t2)
        assert set(t2.row_issues) == {2, 3, 5}


def test_a_utf16_bom_wins_over_a_declared_encoding(tmp_path: Path) -> None:
    """Excel's "Unicode Text" export (UTF-16 with its byte-order mark, tab-separated) is read as
    UTF-16 whatever encoding is declared, as a UTF-8 byte-order mark is."""
    p = tmp_path / "u.txt"
    p.write_bytes(_csv_text("\t").encode("utf-16"))
    for declared in (None, "cp1252"):
        rows, t = _read(p, **({"encoding": declared} if declared else {}))
        assert t.encoding == "utf-16" and t.delimiter == "\t"  # type: ignore[attr-defined]
        assert rows == [(i, dict(zip(HEADER, r, strict=True))) for i, r in enumerate(ROWS, start=1)]


def test_delimiters_inside_quoted_header_cells_do_not_count(tmp_path: Path) -> None:
    """A semicolon file whose titles hold commas in quotes is still read with ``;``."""
    p = tmp_path / "q.csv"
    p.write_text('nama_usaha;"Omzet (Rp, per tahun)";"Alamat, lengkap"\nToko A;5;Jl. B, 1\n', encoding="utf-8")
    rows, t = _read(p)
    assert t.delimiter == ";"  # type: ignore[attr-defined]
    assert rows == [(1, {"nama_usaha": "Toko A", "Omzet (Rp, per tahun)": "5", "Alamat, lengkap": "Jl. B, 1"})]


_xlsx_value = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=10),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: abs(f) < 1e15),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.booleans(),
    st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"]),  # openpyxl writes these as error cells
)


@settings(max_examples=30, deadline=None)
@given(
    titles=st.integers(min_value=0, max_value=3),
    body=st.lists(st.lists(_xlsx_value, min_size=4, max_size=5), max_size=6),
    cover=st.booleans(),
)
def test_xlsx_read_by_calamine_is_read_as_openpyxl_reads_it(
    tmp_path_factory: pytest.TempPathFactory,
    titles: int,
    body: list[list[object]],
    cover: bool,
) -> None:
    """A workbook small enough for python-calamine gives the same sheet, header, rows and
    read issues (16-digit numbers included) as openpyxl's streaming read of it; one with an
    error cell (#N/A: calamine would read it blank) is read by openpyxl."""
    from openpyxl import Workbook

    from kukm.pipeline import readers

    header = ["nama_usaha", "nib", "tanggal_data", "modal_usaha"]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if cover:
        ws.title = "Petunjuk"
        ws.append(["Isi lembar Data"])
        ws = wb.create_sheet("Data")
    for i in range(titles):
        ws.append([f"DATA UMKM {i}"] if i % 2 == 0 else [None])
    ws.append(header)
    for r in body:
        ws.append(r)
    p = tmp_path_factory.mktemp("engines") / "w.xlsx"
    wb.save(p)
    score = lambda cells: sum(c in header for c in cells)  # noqa: E731
    seen = {}
    for engine, limit in (("calamine", 1 << 40), ("openpyxl", -1)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(readers, "CALAMINE_XLSX_BYTES", limit)
            with open_table(p, header_score=score) as t:
                t.long_number_columns = set(header)
                rows = list(t)
                seen[engine] = (t.engine, t.sheet, t.sheets, t.columns, t.header_line, rows, dict(t.row_issues))
    errors = any(isinstance(v, str) and v.startswith("#") for r in body for v in r)
    assert seen["calamine"][0] == ("openpyxl" if errors else "calamine")
    assert seen["openpyxl"][0] == "openpyxl"
    assert seen["calamine"][1:] == seen["openpyxl"][1:]


@pytest.mark.parametrize("workers", ["0", "1"])
@pytest.mark.parametrize("at", [1, 7])
def test_a_quote_never_closed_is_a_clear_error_with_its_row(tmp_path: Path, default_csv_field_limit: int, workers: str, at: int) -> None:
    """A quote opened and never closed makes the rest of the file one cell; past the csv
    module's field limit that was a traceback. Now CSV_TIDAK_TERBACA (exit 2) names the row."""
    from click.testing import CliRunner

    from kukm.cli import cli

    lines = ["nama_usaha,nib,alamat"] + [f"Toko {i},91200012345{i:02d},Jl. {i}" for i in range(1, at)]
    lines.append('"Toko terbuka,9120001234599,Jl. X')
    lines += [f"Toko {i},91200012345{i % 100:02d},Jl. {'y' * 40}" for i in range(4000)]
    p = tmp_path / "kutip.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert p.stat().st_size > csv.field_size_limit()
    for command in (["validate"], ["import", "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"]):
        res = CliRunner().invoke(cli, [*command, str(p), "--kind", "umkm", "--workers", workers])
        assert res.exit_code == 2, res.output
        assert "CSV_TIDAK_TERBACA" in res.output and f"data row {at}" in res.output


@pytest.mark.parametrize(("given", "used"), [("tab", "\t"), ("\\t", "\t"), ("TAB", "\t"), ("pipe", "|"), (";", ";")])
def test_delimiter_names(tmp_path: Path, given: str, used: str) -> None:
    p = tmp_path / "d.csv"
    p.write_text(f"nama_usaha{used}nib\nToko{used}1\n", encoding="utf-8")
    rows, t = _read(p, delimiter=given)
    assert t.delimiter == used  # type: ignore[attr-defined]
    assert rows == [(1, {"nama_usaha": "Toko", "nib": "1"})]


@pytest.mark.parametrize("given", [";;", "", '"', "\n"])
def test_a_delimiter_of_other_than_one_character_is_refused(tmp_path: Path, given: str) -> None:
    p = tmp_path / "d.csv"
    p.write_text("nama_usaha,nib\nToko,1\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        _read(p, delimiter=given)
    assert info.value.code == "DELIMITER_INVALID"


@pytest.mark.parametrize("late", [False, True])
def test_a_file_not_in_the_declared_encoding_is_a_clear_error(tmp_path: Path, late: bool) -> None:
    """A byte the declared encoding lacks (cp1252 text read as ASCII or UTF-16) was a
    traceback; now CSV_ENCODING_SALAH, with the data row when it comes late in the file."""
    lines = ["nama_usaha,nib"] + [f"Toko {i},{i}" for i in range(50_000 if late else 1)]
    lines.append("Caf\xe9,9")
    p = tmp_path / "e.csv"
    p.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    for encoding in ("ascii", "utf-16"):
        with pytest.raises(ConfigurationError) as info:
            _read(p, encoding=encoding)
        assert info.value.code == "CSV_ENCODING_SALAH"
        if late and encoding == "ascii":
            assert "data row" in str(info.value)
