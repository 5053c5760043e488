"""A blank text stream given to the ODS JSON readers is refused as a blank file is.

``read_ods``/``kukm ods import`` refused a blank file (``BERKAS_KOSONG``), but ``read_json``
and ``read_jsonl`` given a text stream of only blanks, line breaks or a byte-order mark read
it as 0 rows without a word. The rule is :func:`kukm.pipeline.header.blank_file`'s, shared
as :func:`kukm.pipeline.header.blank_text`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError
from kukm.integration.ods_io import read_json, read_jsonl
from kukm.pipeline.header import blank_file, blank_text

A = {"Koperasi": "A", "Nomor Induk Koperasi (NIK)": "3173010010001"}
READERS = [read_json, read_jsonl]
_BLANK = ' \t\r\n\x0b\x0c,;|"'


def _refused(read: Any, text: str) -> bool:
    """Whether ``read`` refuses ``text`` as blank (another refusal, text that is not JSON,
    is not)."""
    try:
        list(read(io.StringIO(text)))
    except ConfigurationError as exc:
        return exc.code == "BERKAS_KOSONG"
    return False


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize(
    "text", ["", " ", "\n\n", "\ufeff", "\ufeff\r\n \r\n", " ;;\n\t\n", "\n\ufeff\n\ufeff \n"]
)
def test_a_blank_stream_is_refused_like_a_blank_file(read: Any, text: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        list(read(io.StringIO(text)))
    assert info.value.code == "BERKAS_KOSONG"
    assert "the JSON" in str(info.value) and "empty" in str(info.value)


@pytest.mark.parametrize("read", READERS)
def test_a_blank_path_read_directly_is_refused_too(tmp_path: Path, read: Any) -> None:
    path = tmp_path / "ods.jsonl"
    path.write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    with pytest.raises(ConfigurationError) as info:
        list(read(path))
    assert info.value.code == "BERKAS_KOSONG" and "ods.jsonl" in str(info.value)


def test_blank_lines_before_the_records_keep_the_row_numbers() -> None:
    """Lines held back while only blanks came are read as before once text comes: ';;' is
    still row 1 (not JSON), the record row 2."""
    text = "\n ;;\n\n" + json.dumps(A) + "\n"
    rows = [(r.row, r.record, r.error and r.error.code) for r in read_jsonl(io.StringIO(text))]
    assert rows == [(1, None, "ODS_BARIS_INVALID"), (2, A, None)]
    assert [r.record for r in read_json(io.StringIO("\ufeff\n \n" + json.dumps([A])))] == [A]


@given(bom=st.booleans(), body=st.text(_BLANK, max_size=20), tail=st.sampled_from(["", "x", "{}"]))
def test_streams_are_blank_exactly_when_the_file_would_be(
    tmp_path_factory: pytest.TempPathFactory, bom: bool, body: str, tail: str
) -> None:
    """Property: one rule. A stream is refused by both JSON readers exactly when the same text
    saved as a file is a blank file (``blank_file``), and ``blank_text`` says the same."""
    text = ("\ufeff" if bom else "") + body + tail
    path = tmp_path_factory.mktemp("blank") / "ods.jsonl"
    path.write_bytes(text.encode("utf-8"))
    expected = blank_file(path)
    assert blank_text(text) == expected
    assert expected == (tail == "")
    for read in READERS:
        assert _refused(read, text) == expected
