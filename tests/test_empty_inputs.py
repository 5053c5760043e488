"""A file with no header at all (0 bytes, only a byte-order mark, only blank lines or empty
cells, an empty sheet) is ``BERKAS_KOSONG`` (a configuration error, CLI exit 2) in the library
(:func:`kukm.pipeline.run_file`, :func:`kukm.integration.pkt.import_pkt_members`) and in every
command importing a file; a file with a header and no rows stays a valid, empty import."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kukm.cli import cli
from kukm.exceptions import CODES, ConfigurationError
from kukm.integration.pkt import import_pkt_members
from kukm.pipeline import run_file
from kukm.pipeline.header import BERKAS_KOSONG, blank_file
from kukm.plugins import open_store

pytest.importorskip("kukm.rules.instruments")

BOMS = [b"", codecs.BOM_UTF8]
#: lines without any text: blanks and line breaks, or cells without text
BLANK_LINES = st.lists(
    st.sampled_from(["", " ", "\t", ",,", " ; ;", ",", '"",""', "\t|"]), max_size=6
).map(lambda lines: "\r\n".join(lines) + ("\n" if lines else ""))

#: lines without text in a comma-separated file
COMMA_BLANK_LINES = st.lists(st.sampled_from(["", " ", ",,", " , ,", '"",""']), max_size=4).map(
    lambda lines: "".join(f"{line}\n" for line in lines)
)


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def _refused(res: Result) -> None:
    assert res.exit_code == 2, res.output
    assert "[BERKAS_KOSONG]" in res.stderr
    assert CODES["BERKAS_KOSONG"].message_id in res.stderr
    assert res.stdout == ""


# -- the library ----------------------------------------------------------------------------


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bom=st.sampled_from(BOMS), text=BLANK_LINES, suffix=st.sampled_from([".csv", ".txt"]))
def test_run_file_refuses_a_file_without_a_header(
    tmp_path: Path, bom: bytes, text: str, suffix: str
) -> None:
    # before: input 0 = accepted 0 + rejected 0 and a header report "missing: []"
    path = tmp_path / f"blank{suffix}"
    path.write_bytes(bom + text.encode("utf-8"))
    with pytest.raises(ConfigurationError) as info:
        run_file(path, kind="umkm")
    assert info.value.code == BERKAS_KOSONG


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bom=st.sampled_from(BOMS), above=COMMA_BLANK_LINES, below=COMMA_BLANK_LINES)
def test_a_header_without_rows_is_an_empty_import(
    tmp_path: Path, bom: bytes, above: str, below: str
) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(bom + (above + "nama_usaha,nib,alamat\n" + below).encode("utf-8"))
    summary = run_file(path, kind="umkm")
    assert (summary.input, summary.accepted, summary.rejected) == (0, 0, 0)
    assert summary.header is not None and "kode_wilayah" in summary.header.missing


@settings(max_examples=60)
@given(
    data=st.binary(max_size=40) | st.text(' \t\r\n,;|"a', max_size=40).map(str.encode),
    bom=st.sampled_from([b"", codecs.BOM_UTF8]),
)
def test_blank_file_is_no_text_but_blanks(data: bytes, bom: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f"
        path.write_bytes(bom + data)
        assert blank_file(path) == (data.strip(b' \t\r\n\x0b\x0c,;|"') == b"")


def test_a_utf16_file_of_blank_lines_is_blank(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_text("\r\n \r\n", encoding="utf-16")
    assert blank_file(path)
    path.write_text("a\r\n", encoding="utf-16")
    assert not blank_file(path)


@pytest.mark.parametrize("workers", [0, 1])
def test_cells_without_text_are_refused_in_the_reader_process_too(
    tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "commas.csv"
    path.write_text(",,,\n ; ;\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        run_file(path, kind="koperasi", workers=workers)
    assert info.value.code == BERKAS_KOSONG


def test_a_json_lines_file_of_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "ods.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b"\n  \n")
    with pytest.raises(ConfigurationError) as info:
        run_file(path, kind="koperasi")
    assert info.value.code == BERKAS_KOSONG


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    wb = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet(title)
        assert ws is not None
        ws.title = title
        first = False
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_a_workbook_whose_only_sheet_is_empty(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "kosong.xlsx", {"Sheet1": []})
    with pytest.raises(ConfigurationError) as info:
        run_file(path, kind="umkm")
    assert info.value.code == BERKAS_KOSONG and "'Sheet1'" in str(info.value)


def test_an_empty_first_sheet_before_the_data(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "w.xlsx",
        {"Kosong": [], "Data": [["nama_usaha", "nib", "alamat"], ["Toko", "x", "y"]]},
    )
    summary = run_file(path, kind="umkm")
    assert summary.sheet == "Data" and summary.input == 1
    # the empty sheet asked for by name: refused, naming the sheet with the data
    with pytest.raises(ConfigurationError) as info:
        run_file(path, kind="umkm", sheet="Kosong")
    assert info.value.code == BERKAS_KOSONG and "'Data'" in str(info.value)
    # a sheet with a header and no rows is an empty import
    path = _workbook(tmp_path / "h.xlsx", {"Kosong": [], "Data": [["nama_usaha", "nib"]]})
    summary = run_file(path, kind="umkm")
    assert (summary.sheet, summary.input) == ("Data", 0)


def test_pkt_member_list_without_a_header() -> None:
    store = open_store("memory://")
    for text in ("", "\n \n", ",,\n"):
        # before: a report of 0 members, nothing said
        with pytest.raises(ConfigurationError) as info:
            import_pkt_members(store, io.StringIO(text))
        assert info.value.code == BERKAS_KOSONG
    report = import_pkt_members(store, io.StringIO("\nid_anggota,nama_usaha\n"))
    assert report.input == 0


# -- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"\n\n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n \r\n"],
    ids=["blank", "bom", "bom-blank"],
)
@pytest.mark.parametrize("command", ["validate", "import"])
def test_validate_and_import_refuse_blank_lines(
    tmp_path: Path, command: str, content: bytes
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    db = tmp_path / "k.sqlite"
    extra = ["--kind", "umkm", "--db", f"sqlite:///{db}"] if command == "import" else []
    # before: exit 0, "input 0 = accepted 0 + rejected 0", header "missing: []"
    _refused(_run(command, str(path), *extra, "--json"))
    assert not db.exists()


def test_validate_refuses_a_workbook_with_an_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "kosong.xlsx", {"Sheet1": []})
    _refused(_run("validate", str(path), "--kind", "umkm", "--json"))


@pytest.mark.parametrize(
    "content", [b"", b"\n \n", codecs.BOM_UTF8], ids=["0-bytes", "blank", "bom"]
)
@pytest.mark.parametrize("args", [("ods", "import"), ("pkt", "import")], ids=["ods", "pkt"])
def test_ods_and_pkt_import_refuse_an_empty_file(
    tmp_path: Path, args: tuple[str, ...], content: bytes
) -> None:
    path = tmp_path / ("ods.jsonl" if args[0] == "ods" else "pkt.csv")
    path.write_bytes(content)
    db = tmp_path / "k.sqlite"
    # before: exit 0 with input 0, and a new empty store
    _refused(_run(*args, str(path), "--db", f"sqlite:///{db}", "--json"))
    assert not db.exists()


def test_pkt_import_of_a_header_without_rows_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "pkt.csv"
    path.write_text("id_anggota,nama_usaha,tahap_pkt\n", encoding="utf-8")
    res = _run("pkt", "import", str(path), "--db", f"sqlite:///{tmp_path / 'k.sqlite'}", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["input"] == 0
