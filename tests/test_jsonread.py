"""One set of JSON reading rules (:mod:`kukm._jsonread`) for ``kukm import`` (JSON lines,
:mod:`kukm.pipeline.readers`) and ``kukm ods import`` (:mod:`kukm.integration.ods_io`).

Before: the ``kukm import`` reader read UTF-8 only (a UTF-16 file was a traceback), stored a
16-digit number written as a float rounded, kept the last of a key given twice without a
word; both readers took ``NaN``/``Infinity`` (not JSON) for numbers (``nan``, ``inf``)."""

from __future__ import annotations

import ast
import codecs
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm import _jsonread as jsonread
from kukm.exceptions import CODES, ConfigurationError, Severity
from kukm.integration import ods_io
from kukm.integration.ods_io import read_json, read_jsonl
from kukm.pipeline import readers
from kukm.pipeline.readers import open_table

SRC = Path(ods_io.__file__).resolve().parents[1]


def _table(path: Path) -> tuple[list[tuple[int, dict[str, str]]], dict[int, Any]]:
    with open_table(path) as t:
        rows = list(t)
        return rows, dict(t.row_issues)


def _write(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


# -- kukm import: encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_kukm_import_reads_utf16_and_utf32_json_lines(tmp_path: Path, encoding: str) -> None:
    """A UTF-16 file (PowerShell's ``Out-File``) was a UnicodeDecodeError traceback."""
    lines = [json.dumps({"nama_usaha": "Café Ñ", "nib": "9120001234567"}, ensure_ascii=False)]
    lines.append(json.dumps({"nama_usaha": "Toko B", "nib": "9120001234568"}))
    rows, issues = _table(_write(tmp_path, lines, encoding))
    assert rows == [
        (1, {"nama_usaha": "Café Ñ", "nib": "9120001234567"}),
        (2, {"nama_usaha": "Toko B", "nib": "9120001234568"}),
    ]
    assert issues == {}


def test_a_byte_order_mark_inside_the_file_is_dropped(tmp_path: Path) -> None:
    """Two exports joined with ``cat``: the second's first line was BARIS_JSON_INVALID."""
    path = tmp_path / "joined.jsonl"
    one = codecs.BOM_UTF8 + b'{"nama_usaha": "A"}\n'
    path.write_bytes(one + one.replace(b'"A"', b'"B"'))
    rows, issues = _table(path)
    assert rows == [(1, {"nama_usaha": "A"}), (2, {"nama_usaha": "B"})] and issues == {}


# -- kukm import: nothing changed without a word ------------------------------------------------


def test_a_byte_that_is_not_utf8_refuses_its_line_only(tmp_path: Path) -> None:
    """A stray byte (a cell pasted from a Windows-1252 tool) was a UnicodeDecodeError traceback
    that stopped the whole import; now only its line is refused, saying which byte."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(
        b'{"nama_usaha": "Toko A", "nib": "9120001234567"}\n'
        b'{"nama_usaha": "Caf\xe9 B", "nib": "9120001234568"}\n'
        b'{"nama_usaha": "Toko C", "nib": "9120001234569"}\n'
    )
    rows, issues = _table(path)
    assert [r for r, _ in rows] == [1, 2, 3]
    assert rows[0][1]["nama_usaha"] == "Toko A" and rows[2][1]["nama_usaha"] == "Toko C"
    assert rows[1][1] == {}
    assert list(issues) == [2] and issues[2].code == readers.BARIS_JSON_INVALID
    assert "0xe9" in issues[2].message_en and "\ufffd" in str(issues[2].value)


def test_a_stray_byte_on_the_first_line_leaves_the_header_to_the_next(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"nama_usaha": "\xff"}\n{"nama_usaha": "Toko C", "nib": "1"}\n')
    with open_table(path) as t:
        rows = list(t)
        assert t.columns == ["nama_usaha", "nib"]
        assert [r for r, _ in rows] == [1, 2] and list(t.row_issues) == [1]


def test_a_utf16_file_that_breaks_off_is_a_coded_error(tmp_path: Path) -> None:
    """A UTF-16 file cut in the middle of a character: a configuration error with its code,
    not a traceback."""
    path = tmp_path / "data.jsonl"
    text = '{"nama_usaha": "Toko A"}\n{"nama_usaha": "Toko B"}\n'
    path.write_bytes(text.encode("utf-16") + b"\x00")
    with pytest.raises(ConfigurationError) as exc:
        _table(path)
    assert exc.value.code == readers.CSV_ENCODING_SALAH


def test_kukm_import_refuses_a_rounded_float_naming_its_field(tmp_path: Path) -> None:
    """``9171014501900001.0`` was read as ``9171014501900000``: a wrong NIK, accepted."""
    path = _write(tmp_path, ['{"nama_usaha": "A", "nik_penduduk": 9171014501900001.0}'])
    rows, issues = _table(path)
    assert rows[0][1]["nik_penduduk"] == "9171014501900001.0"  # as written, for the errors file
    found = issues[1]
    assert (found.code, found.field, found.value, found.row) == (
        readers.BARIS_JSON_ANGKA_TIDAK_TEPAT, "nik_penduduk", "9171014501900001.0", 1)  # fmt: skip


def test_kukm_import_refuses_a_key_given_twice_with_other_values(tmp_path: Path) -> None:
    """``{"nama_usaha": "A", "nama_usaha": "B"}`` was read as B without a word."""
    path = _write(tmp_path, ['{"nama_usaha": "A", "nib": "1", "nama_usaha": "B"}', '{"nib": "2"}'])
    rows, issues = _table(path)
    assert [r for r, _ in rows] == [1, 2] and set(issues) == {1}
    assert (issues[1].code, issues[1].field) == (readers.BARIS_JSON_KUNCI_GANDA, "nama_usaha")
    assert '"A"' in issues[1].value and '"B"' in issues[1].value


def test_a_key_repeated_with_the_same_value_is_read(tmp_path: Path) -> None:
    rows, issues = _table(_write(tmp_path, ['{"nama_usaha": "A", "nama_usaha": "A"}']))
    assert rows == [(1, {"nama_usaha": "A"})] and issues == {}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_invalid_json_in_kukm_import(tmp_path: Path, constant: str) -> None:
    """``{"modal_usaha": NaN}`` was read as the cell ``nan``, ``Infinity`` as ``inf``."""
    path = _write(tmp_path, [f'{{"nama_usaha": "A", "modal_usaha": {constant}}}', constant])
    rows, issues = _table(path)
    assert rows == [(1, {}), (2, {})]
    assert {r: (i.code, i.field) for r, i in issues.items()} == {
        1: (readers.BARIS_JSON_INVALID, "modal_usaha"), 2: (readers.BARIS_JSON_INVALID, None)}  # fmt: skip
    assert constant in issues[1].message_en


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("read", [read_json, read_jsonl])
def test_nan_and_infinity_are_invalid_json_in_ods_import(read: Any, constant: str) -> None:
    """The ODS readers read ``NaN`` as a float nan, accepted as a record."""
    text = f'{{"Koperasi": "A", "Total Anggota": {constant}}}\n{{"Koperasi": "B"}}\n'
    rows = list(read(io.StringIO(text)))
    assert [(r.row, r.error.code if r.error else None) for r in rows] == [
        (1, "ODS_BARIS_INVALID"), (2, None)]  # fmt: skip
    assert rows[0].record is None and rows[0].error is not None
    assert rows[0].error.field == "Total Anggota"


def test_nan_in_a_json_array_rejects_its_record_only(tmp_path: Path) -> None:
    path = tmp_path / "ods.json"
    path.write_text('[{"Koperasi": "A", "x": [NaN]}, {"Koperasi": "B"}]', encoding="utf-8")
    rows = list(ods_io.read_ods(path))
    assert [(r.row, r.error.code if r.error else None) for r in rows] == [
        (1, "ODS_BARIS_INVALID"), (2, None)]  # fmt: skip


@pytest.mark.parametrize("code", ["BARIS_JSON_ANGKA_TIDAK_TEPAT", "BARIS_JSON_KUNCI_GANDA"])
def test_the_pipeline_codes_are_registered_in_both_languages(code: str) -> None:
    info = CODES[code]
    assert info.message_id and info.message_en and info.message_id != info.message_en
    assert info.severity is Severity.ERROR and info.module == "kukm.pipeline.readers"


# -- one implementation -------------------------------------------------------------------------

#: The ODS code of each ``kukm import`` code: same rule, same meaning.
_SAME = {
    None: None,
    readers.BARIS_JSON_INVALID: {"ODS_BARIS_INVALID", "ODS_BUKAN_OBJEK"},
    readers.BARIS_JSON_ANGKA_TIDAK_TEPAT: {"ODS_ANGKA_TIDAK_TEPAT"},
    readers.BARIS_JSON_KUNCI_GANDA: {"ODS_KUNCI_GANDA"},
}

_KEYS = st.sampled_from(["Koperasi", "Alamat", "x"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**17), 10**17).map(str),
    st.sampled_from(
        ["0.1", "1.5e3", "9171014501900001.0", "1e400", "NaN", "Infinity", "-Infinity", "-0.0"]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=5).map(
        lambda s: json.dumps(s, ensure_ascii=False)
    ),
)


def _json(value: Any) -> str:
    """A JSON text (possibly with NaN, repeated keys) from a generated tree."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, list) and value and value[0] == "obj":
        return "{" + ", ".join(f"{json.dumps(k)}: {_json(v)}" for k, v in value[1]) + "}"
    return "[" + ", ".join(_json(v) for v in value) + "]"


_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(st.just("obj"), st.lists(st.tuples(_KEYS, inner), max_size=3)).map(list),
    ),
    max_leaves=8,
)
_RECORDS = st.tuples(st.just("obj"), st.lists(st.tuples(_KEYS, _TREES), max_size=4)).map(list)


@given(lines=st.lists(st.one_of(_RECORDS, _TREES).map(_json), min_size=1, max_size=5))
def test_both_readers_accept_and_refuse_the_same_lines_for_the_same_reason(
    lines: list[str],
) -> None:
    """Property: every JSON line is accepted by both readers or refused by both under the
    same rule (the codes of :data:`_SAME`), naming the same field; an accepted line gives the
    same values."""
    text = "\n".join(lines) + "\n"
    ods = {r.row: r for r in read_jsonl(io.StringIO(text))}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.jsonl"
        path.write_text(text, encoding="utf-8")
        with open_table(path) as table:
            pipeline = dict(table)
            issues = dict(table.row_issues)
    assert set(ods) == set(pipeline) == set(range(1, len(lines) + 1))
    for row, got in ods.items():
        mine = issues.get(row)
        if got.error is None:
            assert mine is None
            assert got.record is not None
            want = {k: readers._cell_text(v) for k, v in got.record.items()}
            assert pipeline[row] == want
            continue
        if got.error.code == "ODS_AMPLOP_BARIS":  # an ODS envelope: kukm import reads a row
            continue
        assert mine is not None, (lines[row - 1], got.error)
        assert got.error.code in _SAME[mine.code]  # type: ignore[operator]
        assert mine.field == got.error.field


def test_the_pipeline_does_not_import_the_integration_package() -> None:
    code = (
        "import sys, kukm.pipeline.readers, kukm._jsonread\n"
        "bad = sorted(m for m in sys.modules if m.startswith('kukm.integration'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_json_rules_are_written_once() -> None:
    """The rules live in kukm._jsonread only: neither reader parses JSON by itself, and
    ods_io reaches no private name of the pipeline's readers."""
    for module in (readers, ods_io):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert not (node.value.id == "json" and node.attr in {"loads", "JSONDecoder"}), (
                    f"{module.__name__}:{node.lineno} parses JSON by itself"
                )
                assert not (node.value.id == "readers" and node.attr.startswith("_")), (
                    f"{module.__name__}:{node.lineno} uses readers.{node.attr}"
                )
    assert {"FALLBACK_ERRORS", "CP1252_UNDEFINED_ERRORS", "decode_errors"} <= set(readers.__all__)


@given(st.text(max_size=30))
def test_parse_line_never_raises_and_refuses_what_json_would_change(text: str) -> None:
    """Property: a line either parses to what strict JSON reads (RFC 8259: no NaN), or gives
    a problem; nothing else comes out."""
    data, found = jsonread.parse_line(text)
    if found is None:
        strict = json.loads(text.lstrip("\ufeff"), parse_constant=_refuse)
        assert data == strict


def _refuse(name: str) -> Any:
    raise ValueError(name)
