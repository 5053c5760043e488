"""ODS JSON files as integrators hand them over: API envelopes (``{"data": [...]}``, pages),
UTF-16 from Windows tools, numbers written as JSON numbers, keys given twice.

Before these fixes an envelope was read as one bogus record (rejected: every record inside
lost), a UTF-16 file was refused, a 16-digit NIK penduduk written as a float was stored
rounded, and a key given twice kept its last value without a word."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.exceptions import CODES, ConfigurationError, Severity
from kukm.integration.ods import from_ods
from kukm.integration.ods_fields import canonical_field
from kukm.integration.ods_io import OdsRow, import_ods, read_json, read_jsonl, read_ods
from kukm.plugins import open_store

A = {"Koperasi": "Koperasi Café Sejahtera", "Nomor Induk Koperasi (NIK)": "3173010010001"}
B = {"Koperasi": "Kop B", "Nomor Induk Koperasi (NIK)": "3173010010002"}
C = {"Koperasi": "Kop C", "Nomor Induk Koperasi (NIK)": "3173010010003"}


def _rows(rows: Any) -> list[tuple[int, Any, str | None]]:
    return [(r.row, r.record, r.error.code if r.error else None) for r in rows]


def _sample(path: Path, n: int) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(n), strict=False)]


def _write(tmp_path: Path, name: str, value: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# -- envelopes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        lambda rs: {"data": rs},
        lambda rs: {"status": 200, "message": "OK", "data": {"items": rs, "page": 1}},
        lambda rs: {"result": rs, "total": 689},
        lambda rs: {"success": True, "data": {"meta": {"page": 1}, "payload": {"rows": rs}}},
    ],
    ids=["data", "status-data-items", "result-total", "three-levels"],
)
def test_an_api_envelope_is_the_records_it_wraps(
    tmp_path: Path, ods_sample_path: Path, wrap: Any
) -> None:
    """It was one row holding the key ``data`` (ODS_TANPA_IDENTITAS): the 689 records lost."""
    records = _sample(ods_sample_path, 689)
    path = _write(tmp_path, "ods.json", wrap(records))
    assert [r.record for r in read_ods(path)] == records
    report = import_ods(open_store("memory://"), path, resolve=False)
    assert (report.input, report.accepted, report.rejected) == (689, 689, 0)


def test_a_list_of_pages_is_the_records_of_every_page(tmp_path: Path) -> None:
    pages = [{"page": 1, "data": [A, B]}, {"page": 2, "data": [C]}]
    path = _write(tmp_path, "pages.json", pages)
    assert _rows(read_ods(path)) == [(1, A, None), (2, B, None), (3, C, None)]


def test_row_numbers_are_the_place_in_the_envelopes_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "ods.json", {"status": 200, "data": {"items": [A, "x", B, 7]}})
    assert _rows(read_ods(path)) == [
        (1, A, None), (2, None, "ODS_BUKAN_OBJEK"), (3, B, None), (4, None, "ODS_BUKAN_OBJEK")]  # fmt: skip
    report = import_ods(open_store("memory://"), path, resolve=False)
    assert report.rejected_rows == (2, 4)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"data": [A], "links": [{"rel": "next"}]}, ["data (1)", "links (1)", "keys: data, links"]),
        ({"data": {"items": [A, B]}, "included": [C]}, ["data.items (2)", "included (1)"]),
        ('{"data": [{"Koperasi": "A"}], "data": [{"Koperasi": "B"}]}', ["data (#1)", "data (#2)"]),
        ([{"data": [A]}, {"data": [B], "errors": [{"message": "x"}]}], ["element 2", "errors"]),
        # one record beside another holder (a list, another record, itself twice)
        ({"data": A, "links": [{"rel": "next"}]}, ["data (1 record)", "links (1)"]),
        ({"data": A, "previous": B}, ["data (1 record)", "previous (1 record)"]),
        ('{"data": {"Koperasi": "A"}, "data": {"Koperasi": "B"}}', ["data (#1)", "data (#2)"]),
        ({"data": {"record": A, "items": [B]}}, ["data.record (1 record)", "data.items (1)"]),
    ],
    ids=[
        "data-links", "nested-included", "data-twice", "one-page-of-two",
        "record-and-links", "two-records", "record-data-twice", "record-beside-list",
    ],
)
def test_an_envelope_with_two_places_of_records_is_refused_naming_them(
    tmp_path: Path, value: Any, named: list[str]
) -> None:
    path = tmp_path / "ods.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        list(read_ods(path))
    assert info.value.code == "ODS_AMPLOP_GANDA"
    for part in named:
        assert part in str(info.value), str(info.value)
    store = open_store("memory://")
    with pytest.raises(ConfigurationError):
        import_ods(store, path, resolve=False)
    assert list(store.iter_records("koperasi")) == []  # nothing read, nothing half-imported


def test_the_cli_refuses_an_ambiguous_envelope_with_its_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "ods.json", {"data": [A], "links": [{"rel": "next"}]})
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://", "--no-resolve"])
    assert res.exit_code == 2 and "ODS_AMPLOP_GANDA" in res.output and "links" in res.output


def test_a_record_holding_a_list_of_objects_stays_a_record(tmp_path: Path) -> None:
    """A field the ODS does not know may hold objects: a record (it has an ODS field) is never
    taken for an envelope."""
    rec = {**A, "Pengurus": [{"nama": "X"}, {"nama": "Y"}]}
    path = _write(tmp_path, "ods.json", [rec])
    assert _rows(read_ods(path)) == [(1, rec, None)]


def test_an_envelope_without_records_stays_one_rejected_row(tmp_path: Path) -> None:
    for value in ({"data": [], "total": 0}, {"status": 500, "message": "error"}):
        path = _write(tmp_path, "ods.json", value)
        report = import_ods(open_store("memory://"), path, resolve=False)
        assert (report.input, report.rejected) == (1, 1)


def test_an_envelope_on_a_json_line_is_refused_not_read_as_a_record(tmp_path: Path) -> None:
    path = tmp_path / "ods.jsonl"
    lines = [json.dumps(A), json.dumps({"data": [B, C], "total": 2})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(read_ods(path))
    assert _rows(rows) == [(1, A, None), (2, None, "ODS_AMPLOP_BARIS")]
    assert rows[1].error is not None and "data (2)" in rows[1].error.message_en


_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
    lambda k: canonical_field(k) is None
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
_RECORDS = st.lists(
    st.fixed_dictionaries(
        {
            "Koperasi": st.text(min_size=1, max_size=8),
            "Nomor Induk Koperasi (NIK)": st.from_regex(r"3[0-9]{12}", fullmatch=True),
        }
    ),
    max_size=5,
)


@given(
    records=_RECORDS,
    path=st.lists(_NAMES, min_size=1, max_size=3, unique=True),
    extra=st.dictionaries(_NAMES, _SCALARS, max_size=3),
    pages=st.integers(1, 3),
)
def test_any_unambiguous_envelope_reads_as_the_bare_array(
    records: list[dict[str, Any]], path: list[str], extra: dict[str, Any], pages: int
) -> None:
    """Property: wrapping the records in an envelope (any key names, one to three levels,
    scalar keys beside them), or splitting them over pages, reads the same rows as the bare
    array (an empty list of records is no envelope: the page stays a row)."""
    assume(records and not set(extra) & set(path))
    chunks = [records[i::pages] for i in range(pages)]
    chunks = [c for c in chunks if c]

    def wrap(chunk: list[dict[str, Any]]) -> dict[str, Any]:
        value: Any = chunk
        for key in reversed(path):
            value = {key: value}
        return {**extra, **value}

    bare = _rows(read_json(_text([r for c in chunks for r in c])))
    wrapped = wrap(chunks[0]) if len(chunks) == 1 else [wrap(c) for c in chunks]
    assert _rows(read_json(_text(wrapped))) == bare


@given(records=_RECORDS, other=st.lists(st.dictionaries(_NAMES, _SCALARS), min_size=1, max_size=3),
       keys=st.lists(_NAMES, min_size=2, max_size=2, unique=True))  # fmt: skip
def test_two_lists_of_objects_are_always_refused(
    records: list[dict[str, Any]], other: list[dict[str, Any]], keys: list[str]
) -> None:
    assume(records)
    with pytest.raises(ConfigurationError) as info:
        list(read_json(_text({keys[0]: records, keys[1]: other})))
    assert info.value.code == "ODS_AMPLOP_GANDA"
    assert all(k in str(info.value) for k in keys)


def _text(value: Any) -> io.StringIO:
    return io.StringIO(json.dumps(value))


# -- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_utf16_json_from_windows_tools_reads_as_utf8(
    tmp_path: Path, ods_sample_path: Path, encoding: str, suffix: str
) -> None:
    """PowerShell's ``Out-File`` writes UTF-16 with a byte-order mark: the file was refused
    (ODS_BERKAS_TIDAK_TERBACA, a UnicodeDecodeError)."""
    records = _sample(ods_sample_path, 40)
    if suffix == ".json":
        text = json.dumps(records, ensure_ascii=False, indent=2)
    else:
        text = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\r\n\r\n"
    path = tmp_path / f"ods{suffix}"
    path.write_text(text, encoding=encoding, newline="")
    assert [r.record for r in read_ods(path)] == records


def test_utf8_with_bom_and_crlf_and_blank_lines_keep_every_record(
    tmp_path: Path, ods_sample_path: Path
) -> None:
    records = _sample(ods_sample_path, 689)
    body = "\r\n\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\r\n"
    path = tmp_path / "ods.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + body.encode("utf-8"))
    rows = list(read_ods(path))
    assert [r.record for r in rows] == records and [r.row for r in rows] == list(range(1, 690))


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("read", [read_json, read_jsonl])
def test_a_rounded_float_is_refused_naming_its_field(read: Any) -> None:
    """``9171014501900001.0`` (a NIK penduduk a JSON writer made a float) was stored as
    ``9171014501900000.0``, accepted."""
    text = '{"Koperasi": "A", "NIK Penduduk Ketua": 9171014501900001.0}\n'
    [row] = list(read(_str(text)))
    assert row.record is None and row.error is not None
    assert (row.error.code, row.error.field, row.error.value) == (
        "ODS_ANGKA_TIDAK_TEPAT", "NIK Penduduk Ketua", "9171014501900001.0")  # fmt: skip
    assert row.error.severity is Severity.ERROR


def _str(text: str) -> io.StringIO:
    return io.StringIO(text)


#: 16-digit numbers; above 2**53 a float keeps only every other integer (NIK penduduk of
#: province codes 91-94 lie there).
_SIXTEEN_DIGITS = st.one_of(
    st.integers(10**15, 10**16 - 1),
    st.integers(2**52, (10**16 - 2) // 2).map(lambda k: 2 * k + 1),  # odd, above 2**53
)


@given(digits=_SIXTEEN_DIGITS, as_float=st.booleans(), nested=st.booleans(),
       read=st.sampled_from([read_json, read_jsonl]))  # fmt: skip
def test_a_16_digit_number_is_kept_exactly_or_refused_never_rounded(
    digits: int, as_float: bool, nested: bool, read: Any
) -> None:
    """Property: the value read back holds the digits written, or the row is
    ODS_ANGKA_TIDAK_TEPAT; an integer is always kept."""
    number = f"{digits}.0" if as_float else str(digits)
    value = f'{{"ketua": {{"nik_penduduk": {number}}}}}' if nested else number
    [row] = list(read(_str(f'{{"Koperasi": "A", "Pengurus Lain": {value}}}\n')))
    if row.record is None:
        assert as_float and row.error is not None
        assert (row.error.code, row.error.field) == ("ODS_ANGKA_TIDAK_TEPAT", "Pengurus Lain")
        assert float(digits) != digits
        return
    got = row.record["Pengurus Lain"]
    got = got["ketua"]["nik_penduduk"] if nested else got
    assert got == digits and (isinstance(got, float) or not as_float)
    assert int(got) == digits


@pytest.mark.parametrize("written", ["3173010010001", "3173010010001.0", "3.173010010001e12"])
def test_a_13_digit_nomor_induk_koperasi_as_a_json_number_keeps_its_digits(
    tmp_path: Path, written: str
) -> None:
    path = tmp_path / "ods.json"
    path.write_text(f'[{{"Koperasi": "A", "Nomor Induk Koperasi (NIK)": {written}}}]')
    [row] = list(read_ods(path))
    assert row.record is not None
    assert from_ods(row.record, resolve=False).koperasi.nomor_induk_koperasi == "3173010010001"


def test_ordinary_fractions_are_kept() -> None:
    [row] = list(read_json(_str('{"Koperasi": "A", "Omzet": 0.1, "Aset": 1.5e3, "x": -0.0}')))
    assert row.record == {"Koperasi": "A", "Omzet": 0.1, "Aset": 1500.0, "x": -0.0}


# -- keys given twice -------------------------------------------------------------------------


@pytest.mark.parametrize("read", [read_json, read_jsonl])
def test_a_key_given_twice_with_other_values_is_refused(read: Any) -> None:
    """json kept ``"Kop B"`` and dropped ``"Kop A"`` without a word."""
    text = '{"Koperasi": "Kop A", "Nomor Induk Koperasi (NIK)": "3173010010001", '
    text += '"Koperasi": "Kop B"}'
    [row] = list(read(_str(text + "\n")))
    assert row.record is None and row.error is not None
    assert (row.error.code, row.error.field) == ("ODS_KUNCI_GANDA", "Koperasi")
    assert "Kop A" in row.error.value and "Kop B" in row.error.value


@pytest.mark.parametrize("read", [read_json, read_jsonl])
def test_a_key_given_twice_inside_a_value_names_the_records_field(read: Any) -> None:
    [row] = list(read(_str('{"Koperasi": "A", "Alamat": {"rt": "01", "rt": "02"}}\n')))
    assert row.error is not None
    assert (row.error.code, row.error.field) == ("ODS_KUNCI_GANDA", "Alamat")
    assert "'rt'" in row.error.message_en


def test_a_key_repeated_with_the_same_value_loses_nothing() -> None:
    [row] = list(read_jsonl(_str('{"Koperasi": "A", "Koperasi": "A"}\n')))
    assert row.record == {"Koperasi": "A"}


def test_the_import_reports_the_refused_rows(tmp_path: Path) -> None:
    path = tmp_path / "ods.jsonl"
    lines = [json.dumps(A), '{"Koperasi": "X", "Koperasi": "Y"}', '{"Koperasi": "Z", "n": 1e400}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_ods(open_store("memory://"), path, resolve=False)
    assert (report.input, report.accepted, report.rejected_rows) == (3, 1, (2, 3))
    counts = report.issue_counts
    assert counts["ODS_KUNCI_GANDA"] == counts["ODS_ANGKA_TIDAK_TEPAT"] == 1


@pytest.mark.parametrize(
    "code", ["ODS_AMPLOP_GANDA", "ODS_AMPLOP_BARIS", "ODS_ANGKA_TIDAK_TEPAT", "ODS_KUNCI_GANDA"]
)
def test_the_new_codes_are_registered_in_both_languages(code: str) -> None:
    info = CODES[code]
    assert info.message_id and info.message_en and info.message_id != info.message_en
    assert info.severity is Severity.ERROR


# -- public CSV helpers -----------------------------------------------------------------------


def test_the_csv_helpers_ods_io_uses_are_public() -> None:
    from kukm.pipeline import readers

    assert {"csv_records", "sniff_delimiter"} <= set(readers.__all__)
    assert readers.sniff_delimiter("Koperasi;Alamat") == ";"
    assert list(readers.csv_records(io.StringIO('"A\nB";C\nD;E\n'))) == ['"A\nB";C\n', "D;E\n"]


def test_import_of_rows_given_directly_is_unchanged() -> None:
    report = import_ods(open_store("memory://"), [OdsRow(1, dict(A))], resolve=False)
    assert report.accepted == 1


# -- the import's clock dates the snapshot ----------------------------------------------------


def test_snapshots_imported_with_now_of_two_years_compare_by_year() -> None:
    """``now=`` set the provenance time only; every version was valid from the real day of the
    import, so a 2024 and a 2025 snapshot imported the same day were both outside 2024 and
    2025 (``bandingkan`` counted nothing in either year)."""
    import datetime as dt

    from kukm.reports.periode import bandingkan

    def at(year: int) -> Any:
        return lambda: dt.datetime(year, 6, 30, 9, tzinfo=dt.UTC)

    store = open_store("memory://")
    a_2024 = A | {"Jenis Koperasi": "Simpan Pinjam"}
    import_ods(store, [OdsRow(1, a_2024)], resolve=False, now=at(2024))
    a_2025 = A | {"Jenis Koperasi": "Konsumen"}
    report = import_ods(store, [OdsRow(1, a_2025), OdsRow(2, dict(B))], resolve=False,
                        now=at(2025))  # fmt: skip
    assert (report.updated, report.inserted) == (1, 1)
    history = store.history("koperasi", "3173010010001")
    assert [v.valid_from for v in history] == [dt.date(2024, 6, 30), dt.date(2025, 6, 30)]
    p = bandingkan(store, "koperasi", "jenis", 2024, 2025, status=None)
    assert (p.total_a, p.total_b) == (1, 2)
    counted = {r.label: (r.a, r.b) for r in p.rows if r.a or r.b}
    assert counted == {"Simpan Pinjam": (1, 0), "Konsumen": (0, 1), "(tidak diketahui)": (0, 1)}


# -- an envelope wrapping one record, and its own metadata ---------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"data": A},
        {"status": 200, "message": "OK", "data": {"record": A}},
        {"success": True, "result": {"meta": {"page": 1}, "payload": {"item": A}}},
    ],
    ids=["data", "status-data-record", "three-levels"],
)
def test_an_envelope_wrapping_one_record_is_that_record(tmp_path: Path, value: Any) -> None:
    """It was one row holding the key ``data`` (rejected: the record inside lost)."""
    path = _write(tmp_path, "ods.json", value)
    assert _rows(read_ods(path)) == [(1, A, None)]
    store = open_store("memory://")
    report = import_ods(store, path, resolve=False)
    assert (report.input, report.accepted, report.rejected) == (1, 1, 0)
    assert store.get("koperasi", "3173010010001") is not None


def test_pages_wrapping_one_record_each_are_a_row_per_page(tmp_path: Path) -> None:
    pages = [{"page": 1, "data": A}, {"page": 2, "data": {"record": B}}, C, {"data": []}]
    path = _write(tmp_path, "pages.json", pages)
    rows = _rows(read_ods(path))
    assert rows[:3] == [(1, A, None), (2, B, None), (3, C, None)]
    assert [(r, code) for r, _, code in rows[3:]] == [(4, None)]  # the empty page: one row
    report = import_ods(open_store("memory://"), path, resolve=False)
    assert (report.input, report.accepted, report.rejected_rows) == (4, 3, (4,))




def test_a_json_line_wrapping_one_record_is_refused_as_an_envelope() -> None:
    """``kukm import`` reads such a line as one row of the key ``data``: the ODS reader says it
    is an envelope (``ODS_AMPLOP_BARIS``) rather than hand on a row that is no record."""
    text = json.dumps(A) + "\n" + json.dumps({"status": 200, "data": {"record": B}}) + "\n"
    rows = list(read_jsonl(io.StringIO(text)))
    assert _rows(rows) == [(1, A, None), (2, None, "ODS_AMPLOP_BARIS")]
    assert rows[1].error is not None and "data.record (1 record)" in rows[1].error.message_en


@given(
    path=st.lists(_NAMES, min_size=1, max_size=3, unique=True),
    extra=st.dictionaries(_NAMES, _SCALARS, max_size=3),
    record=_RECORDS.filter(bool).map(lambda rs: rs[0]),
)
def test_any_envelope_of_one_record_reads_as_the_record(
    path: list[str], extra: dict[str, Any], record: dict[str, Any]
) -> None:
    """Property: one record wrapped under any keys (one to three levels, scalars beside it)
    reads as the record by itself, as row 1."""
    assume(not set(extra) & set(path))
    value: Any = record
    for key in reversed(path):
        value = {key: value}
    assert _rows(read_json(_text({**extra, **value}))) == [(1, record, None)]


_NOT_JSON = st.sampled_from(["NaN", "Infinity", "-Infinity"])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"data": [{"Koperasi": "A"}, {"Koperasi": "B"}], "total": NaN}', "'total'"),
        ('{"status": 200, "data": {"items": [{"Koperasi": "A"}], "page": Infinity}}', "'data.page'"),
        ('{"data": {"Koperasi": "A"}, "meta": {"took": [1, -Infinity]}}', "'meta.took'"),
        ('[{"data": [{"Koperasi": "A"}]}, {"data": [{"Koperasi": "B"}], "total": NaN}]', "'total'"),
        ('{"data": [{"Koperasi": "A"}], "total": NaN, "total": 1}', "'total'"),
    ],
    ids=["total", "nested-page", "in-a-list", "second-page", "key-given-twice"],
)
def test_not_json_in_an_envelopes_metadata_refuses_the_file(
    tmp_path: Path, text: str, key: str
) -> None:
    """``NaN`` in ``"total"`` was dropped with the envelope and its records read: the file is
    not JSON (RFC 8259 §6) and no record's row can carry the error, so it is refused whole, as
    a broken file is, naming the key (decision documented in read_json)."""
    path = tmp_path / "ods.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        list(read_ods(path))
    assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA"
    assert key in str(info.value)
    store = open_store("memory://")
    with pytest.raises(ConfigurationError):
        import_ods(store, path, resolve=False)
    assert store.count("koperasi") == 0
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://", "--no-resolve"])
    assert res.exit_code == 2 and "ODS_BERKAS_TIDAK_TERBACA" in res.output


@given(bad=_NOT_JSON, in_record=st.booleans(), records=_RECORDS.filter(bool))
def test_not_json_rejects_its_record_or_refuses_the_envelope(
    bad: str, in_record: bool, records: list[dict[str, Any]]
) -> None:
    """Property: ``NaN``/``Infinity`` inside a record rejects that record's row only (the
    others read); in the envelope's metadata it refuses the file: never ignored."""
    items = [json.dumps(r) for r in records]
    if in_record:
        items[-1] = items[-1][:-1] + f', "x": {bad}}}'
        text = '{"data": [' + ", ".join(items) + '], "total": 1}'
        rows = _rows(read_json(io.StringIO(text)))
        assert rows[:-1] == [(n, r, None) for n, r in enumerate(records[:-1], 1)]
        assert rows[-1] == (len(records), None, "ODS_BARIS_INVALID")
    else:
        text = '{"data": [' + ", ".join(items) + f'], "total": {bad}}}'
        with pytest.raises(ConfigurationError) as info:
            list(read_json(io.StringIO(text)))
        assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA" and "'total'" in str(info.value)
