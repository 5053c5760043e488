"""Streaming readers and writers for ODS files, and import/export between them and a store.

Kepgub DKI 1625/2021 huruf G (integrasi data with the ODS). Files use the
ministry's layout (field names of :data:`kukm.integration.ods.ODS_FIELDS`):

* **JSON lines** (``.jsonl``/``.ndjson``): one ODS record per line (:func:`read_jsonl`);
* **JSON** (``.json``): an array of ODS records, an API response wrapping one
  (``{"data": [...]}``, ``{"status": 200, "data": {"items": [...]}}``, a list of such pages),
  or JSON lines (:func:`read_json`);
* **CSV**: a header row with the ODS field names, one record per row, read as ``kukm
  import`` reads a CSV (:func:`read_csv`: UTF-8, UTF-16 or Windows-1252; ``,``, ``;``, tab
  or ``|`` between cells); written in UTF-8 with ``,``.

Nothing here loads a whole file but a ``.json`` one (a JSON array is parsed whole):
readers yield one row at a time, writers write one record at a time, and
:func:`import_ods` writes to the store in batches. National exports hold 100,000+ records.

>>> import io
>>> buf = io.StringIO()
>>> write_jsonl([{"Koperasi": "A", "Status Grade": "D"}], buf)
1
>>> [r.record for r in read_jsonl(io.StringIO(buf.getvalue()))]
[{'Koperasi': 'A', 'Status Grade': 'D'}]
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeVar

import attrs
from attrs import field, frozen

from kukm import _jsonread as jsonread
from kukm.exceptions import ConfigurationError, Issue, Severity, issue, register_code
from kukm.integration.ods import (
    ODS_FIELDS,
    WilayahResolver,
    _optional,
    cached_resolver,
    from_ods,
    keep_local,
    koperasi_id,
    to_ods,
    unknown_fields,
)
from kukm.integration.ods_fields import canonical_field
from kukm.model import Koperasi, SumberData
from kukm.storage.base import AuditEvent, Provenance, Store, StoredRecord, WriteOp

__all__ = [
    "Format",
    "ImportReport",
    "OdsRow",
    "detect_format",
    "export_ods",
    "import_ods",
    "iter_store_ods",
    "read_csv",
    "read_json",
    "read_jsonl",
    "read_ods",
    "stored_koperasi",
    "write_csv",
    "write_jsonl",
]

Format = Literal["jsonl", "csv"]

BARIS_INVALID = register_code(
    "ODS_BARIS_INVALID",
    "Baris bukan JSON yang sah.",
    "Line is not valid JSON.",
    Severity.ERROR,
    module=__name__,
)
BUKAN_OBJEK = register_code(
    "ODS_BUKAN_OBJEK",
    "Baris bukan objek JSON (rekaman ODS).",
    "Line is not a JSON object (ODS record).",
    Severity.ERROR,
    module=__name__,
)
KOLOM_LEBIH = register_code(
    "ODS_KOLOM_LEBIH",
    "Baris CSV memiliki sel lebih banyak dari header.",
    "CSV row has more cells than the header.",
    Severity.ERROR,
    module=__name__,
)
DUPLIKAT = register_code(
    "ODS_DUPLIKAT",
    "Koperasi yang sama muncul lagi dalam berkas; rekaman terakhir menjadi versi terbaru.",
    "The same cooperative appears again in the file; the last record becomes the current version.",
    Severity.WARNING,
    module=__name__,
)
BERKAS_TIDAK_TERBACA = register_code(
    "ODS_BERKAS_TIDAK_TERBACA",
    "Berkas bukan ekspor ODS yang terbaca (JSON lines, larik JSON, atau CSV berpemisah , ; tab "
    "atau | dalam UTF-8, UTF-16 atau Windows-1252).",
    "The file is not a readable ODS export (JSON lines, a JSON array, or CSV separated by , ; "
    "tab or | in UTF-8, UTF-16 or Windows-1252).",
    module=__name__,
)

AMPLOP_GANDA = register_code(
    "ODS_AMPLOP_GANDA",
    'Berkas JSON berupa amplop API (mis. {"data": [...]}) yang memuat lebih dari satu tempat '
    "rekaman (daftar objek atau satu rekaman ODS): tempat rekaman ODS tidak ditebak, tidak ada "
    "yang dibaca.",
    'The JSON file is an API envelope (e.g. {"data": [...]}) holding records in more than one '
    "place (a list of objects or one ODS record): which holds the ODS records is not guessed, "
    "nothing was read.",
    module=__name__,
)
AMPLOP_BARIS = register_code(
    "ODS_AMPLOP_BARIS",
    "Baris JSON lines berupa amplop API yang membungkus rekaman (daftar atau satu rekaman), "
    "bukan satu rekaman ODS; simpan respons API sebagai berkas .json.",
    "A JSON-lines line is an API envelope wrapping records (a list or one record), not one ODS "
    "record itself; save the API response as a .json file.",
    module=__name__,
)
ANGKA_TIDAK_TEPAT = register_code(
    "ODS_ANGKA_TIDAK_TEPAT",
    "Angka JSON memiliki lebih banyak digit daripada yang tersimpan tanpa pembulatan (mis. NIK "
    "penduduk 16 digit ditulis sebagai pecahan); tulis nilainya sebagai teks.",
    "A JSON number has more digits than can be kept without rounding (e.g. a 16-digit NIK "
    "penduduk written as a fraction); write the value as text.",
    module=__name__,
)
KUNCI_GANDA = register_code(
    "ODS_KUNCI_GANDA",
    "Objek JSON memuat kunci yang sama lebih dari sekali dengan nilai berbeda; nilai yang benar "
    "tidak ditebak.",
    "A JSON object holds the same key more than once with different values; which value is "
    "right is not guessed.",
    module=__name__,
)

HEADER_TIDAK_DIKENAL = register_code(
    "ODS_HEADER_TIDAK_DIKENAL",
    "Tidak satu pun judul kolom CSV adalah field ODS: berkas ini bukan ekspor ODS (berkas UMKM "
    "atau koperasi Dinas diimpor dengan 'kukm import'); tidak ada yang dibaca. Kolom:",
    "None of the CSV's column titles is an ODS field: the file is not an ODS export (a Dinas "
    "UMKM or koperasi file is imported with 'kukm import'); nothing was read. Columns:",
    module=__name__,
)
BARIS_JUDUL_ULANG = register_code(
    "ODS_BARIS_JUDUL_ULANG",
    "Baris mengulang judul kolom (ekspor yang menulis judul di setiap halaman); baris ini bukan "
    "rekaman: hapus baris itu.",
    "The row repeats the column titles (an export writing them on every page); it is not a "
    "record: delete that row.",
    module=__name__,
)

#: Issues an :class:`ImportReport` keeps in full (counts are always complete).
MAX_KEPT_ISSUES: Final = 1000


@frozen
class OdsRow:
    """One row of an ODS file: its 1-based data row number and record, or the error."""

    row: int
    record: dict[str, Any] | None
    error: Issue | None = None


def detect_format(path: str | Path) -> Format:
    """The file format from the suffix (``.csv``, ``.tsv``, ``.txt`` → csv, else JSON lines;
    :func:`read_ods` reads a ``.json`` file that holds a JSON array as its records).

    >>> detect_format("ods.csv"), detect_format("ods.jsonl"), detect_format("ods.json")
    ('csv', 'jsonl', 'jsonl')
    """
    return "csv" if Path(path).suffix.lower() in {".csv", ".tsv", ".txt"} else "jsonl"


@contextlib.contextmanager
def _open_text(source: str | Path | IO[str], mode: str) -> Iterator[IO[str]]:
    if isinstance(source, str | Path):
        encoding = jsonread.encoding(source) if "r" in mode else "utf-8"
        with open(source, mode, encoding=encoding, newline="") as fh:
            yield fh
    else:
        yield source


def _json_row(row: int, data: Any, text: str) -> OdsRow:
    """The row of ``data`` (parsed by :func:`kukm._jsonread.decoder`): a record, or the error
    of what is not one or cannot be kept as written (:func:`kukm._jsonread.problem`: a value
    that is not JSON ``ODS_BARIS_INVALID``, a number a float would round
    ``ODS_ANGKA_TIDAK_TEPAT``, a key given twice with different values ``ODS_KUNCI_GANDA``; the
    field named is the record's own key holding it)."""
    if not isinstance(data, dict):
        found = jsonread.problem(data)
        if found is not None and found.kind == "invalid":
            return OdsRow(row, None, issue(BARIS_INVALID, None, text[:200], row=row,
                                           detail=found.detail))  # fmt: skip
        return OdsRow(row, None, issue(BUKAN_OBJEK, None, text[:200], row=row))
    problem = jsonread.problem(data)
    if problem is not None:
        code = _PROBLEM_CODES[problem.kind]
        value = text[:200] if problem.kind == "invalid" else problem.value
        return OdsRow(row, None, issue(code, problem.key, value, row=row, detail=problem.detail))
    return OdsRow(row, data)


#: The code of each kind of :class:`kukm._jsonread.Problem`.
_PROBLEM_CODES: Final = {
    "invalid": BARIS_INVALID,
    "inexact": ANGKA_TIDAK_TEPAT,
    "clash": KUNCI_GANDA,
}


#: How deep :func:`_record_lists` looks through an envelope's objects (``data.items``).
_ENVELOPE_DEPTH: Final = 3


def _holders(value: Mapping[str, Any], depth: int = 1) -> list[tuple[tuple[str, ...], Any]]:
    """What an API envelope holds records in, by path of keys: each list holding an object,
    and each object with an ODS field (one record, ``{"data": {<record>}}``), looked for in
    ``value`` and the objects in it that have no ODS field (to :data:`_ENVELOPE_DEPTH`
    levels); none when ``value`` has an ODS field
    (:func:`~kukm.integration.ods_fields.canonical_field`): it is a record itself."""
    if any(canonical_field(key) is not None for key in value):
        return []
    items = list(value.items())
    if isinstance(value, jsonread.Clash):  # each value of a key given twice ({"data": […], "data": […]})
        items = [(k, v) for k, v in items if k not in value.clashes]
        items += [
            (f"{k} (#{n})", v) for k, vs in value.clashes.items() for n, v in enumerate(vs, 1)
        ]
    found: list[tuple[tuple[str, ...], Any]] = []
    for key, item in items:
        if isinstance(item, list) and any(isinstance(x, dict) for x in item):
            found.append(((key,), item))
        elif isinstance(item, dict) and any(canonical_field(k) is not None for k in item):
            found.append(((key,), item))  # one record wrapped as an object
        elif isinstance(item, dict) and depth < _ENVELOPE_DEPTH:
            found.extend(((key, *path), inner) for path, inner in _holders(item, depth + 1))
    return found


def _record_lists(value: Mapping[str, Any]) -> dict[str, Any]:
    """The record holders of an API envelope (:func:`_holders`: the lists holding an object,
    and the objects that are one record) by dotted path (``data``, ``data.items``); none for
    a record.

    >>> _record_lists({"status": 200, "data": {"items": [{"Koperasi": "A"}], "page": 1}})
    {'data.items': [{'Koperasi': 'A'}]}
    >>> _record_lists({"status": 200, "data": {"record": {"Koperasi": "A"}}})
    {'data.record': {'Koperasi': 'A'}}
    >>> _record_lists({"Koperasi": "A", "Pengurus": [{"nama": "B"}]})
    {}
    """
    return {".".join(path): item for path, item in _holders(value)}


def _shown_holders(lists: Mapping[str, Any]) -> str:
    """The holders named for a refusal: a list with its length, an object as one record."""
    return ", ".join(
        f"{path} ({len(item)})" if isinstance(item, list) else f"{path} (1 record)"
        for path, item in lists.items()
    )


def _not_json_outside(envelope: Mapping[str, Any], records: Any) -> tuple[str, str] | None:
    """The first value of an API envelope's own metadata (all of ``envelope`` but its
    ``records``, the holder :func:`_holders` found) that is not JSON (``NaN``, ``Infinity``,
    a number of more than 4,300 digits: :class:`kukm._jsonread.NotJson`), as (dotted key,
    text); else ``None``. Every value of a key given twice is looked at.

    >>> from kukm._jsonread import loads
    >>> env = loads('{"data": [{"Koperasi": "A", "x": NaN}], "meta": {"total": NaN}}')
    >>> _not_json_outside(env, env["data"])
    ('meta.total', 'NaN')
    """
    todo: list[tuple[str, Any]] = [("", envelope)]
    while todo:
        key, item = todo.pop()
        if item is records:
            continue
        if isinstance(item, jsonread.NotJson):
            return key, str(item)
        inner: list[tuple[str, Any]] = []
        if isinstance(item, dict):
            inner = [(f"{key}.{k}" if key else k, v) for k, v in item.items()]
            if isinstance(item, jsonread.Clash):
                inner += [(f"{key}.{k}" if key else k, v)
                          for k, vs in item.clashes.items() for v in vs]  # fmt: skip
        elif isinstance(item, list):
            inner = [(key, v) for v in item]
        todo.extend(reversed(inner))
    return None


def read_jsonl(source: str | Path | IO[str]) -> Iterator[OdsRow]:
    """Yield ODS records from a JSON-lines file or text stream, one line at a time.

    Blank lines are skipped (not counted); a broken line yields an error row
    (``ODS_BARIS_INVALID``; also a number of more digits than Python converts, 4,300, and
    arrays nested deeper than Python's recursion limit, which ``json`` refuses with another
    error than a syntax error), a line that is not an object ``ODS_BUKAN_OBJEK``. A byte-order
    mark at the start of a line (two exports joined with ``cat``) is dropped. A file in UTF-16
    or UTF-32 (a byte-order mark, or NUL bytes around the first character: Windows tools) is
    read as such. Nothing is changed without a word: a line holding a number a float would
    round (``9171014501900001.0``, a 16-digit NIK penduduk) is ``ODS_ANGKA_TIDAK_TEPAT``, one
    giving a key twice with different values (anywhere in it) ``ODS_KUNCI_GANDA``, one that
    is an API envelope (a list of records, see :func:`read_json`) ``ODS_AMPLOP_BARIS``; the
    field named is the record's key holding the problem. Integers are kept exactly (a 13-digit
    Nomor Induk Koperasi as a JSON number). ``NaN``, ``Infinity`` and ``-Infinity``, which are
    not JSON though Python's :mod:`json` reads them, make the line ``ODS_BARIS_INVALID``. The
    rules are :mod:`kukm._jsonread`'s, which ``kukm import`` reads JSON lines by too. A line
    that is an envelope wrapping one record (``{"data": {<record>}}``) is ``ODS_AMPLOP_BARIS``
    too, as ``kukm import`` reads the line as it is. A stream or file of only blank lines
    (:func:`kukm.pipeline.header.blank_text`, a byte-order mark at a line's start dropped) is
    ``BERKAS_KOSONG``, as a blank file is, not 0 rows.

    >>> import io
    >>> rows = list(read_jsonl(io.StringIO('{"Koperasi": "A"}\\n[1]\\n{oops\\n')))
    >>> [(r.row, r.error.code if r.error else None) for r in rows]
    [(1, None), (2, 'ODS_BUKAN_OBJEK'), (3, 'ODS_BARIS_INVALID')]
    """
    with _open_text(source, "r") as fh:
        row = 0
        # a stream of only blank lines is BERKAS_KOSONG, as a blank file is, not 0 rows
        for line in _lines_after_blank(fh, _source_label(source, "JSON lines text")):
            text = line.lstrip("\ufeff")
            if not text.strip():
                continue
            row += 1
            data, problem = jsonread.parse_line(text)
            if problem is not None and problem.kind == "invalid":
                found = issue(BARIS_INVALID, problem.key, line[:200], row=row, detail=problem.detail)
                yield OdsRow(row, None, found)
                continue
            lists = _record_lists(data) if isinstance(data, dict) else {}
            if lists:  # records wrapped in an envelope, a list of them or one ({"data": {…}})
                found = issue(AMPLOP_BARIS, None, line[:200], row=row,
                              detail=f"lists: {_shown_holders(lists)}")  # fmt: skip
                yield OdsRow(row, None, found)
                continue
            yield _json_row(row, data, line)


def _source_label(source: str | Path | IO[str], kind: str) -> str:
    return Path(source).name if isinstance(source, str | Path) else f"the {kind}"


def _refuse_blank(label: str, text: str) -> None:
    """``BERKAS_KOSONG`` for a blank file or stream (:func:`kukm.pipeline.header.blank_text`),
    as :func:`kukm.pipeline.header.refuse_blank_file` refuses a blank file."""
    from kukm.pipeline.header import empty_input

    raise empty_input(label, "only blank lines" if text else "no text")


def _lines_after_blank(fh: IO[str], label: str) -> Iterator[str]:
    """The lines of ``fh``, but a file or stream of only blank lines (each blank by
    :func:`kukm.pipeline.header.blank_text`, the rule of a blank file, after the byte-order
    mark a line of joined exports starts with) is refused (``BERKAS_KOSONG``) rather than read
    as 0 rows. Lines are held back only until the first one holding text."""
    from kukm.pipeline.header import blank_text

    waiting: list[str] = []
    for line in fh:
        if blank_text(line.lstrip("\ufeff")):
            waiting.append(line)
            continue
        yield from waiting
        waiting.clear()
        yield line
        yield from fh
        return
    _refuse_blank(label, "".join(waiting))


#: Blanks between the values of a ``.json`` file (a byte-order mark too: files joined).
_JSON_GAP: Final = re.compile(r"[\s\ufeff]+")


def _past_gap(text: str, at: int) -> int:
    gap = _JSON_GAP.match(text, at)
    return at if gap is None else gap.end()


def _parses(line: str) -> bool:
    try:
        jsonread.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def read_json(source: str | Path | IO[str]) -> Iterator[OdsRow]:
    """Yield ODS records from a ``.json`` file: a JSON **array** of records (as API clients and
    export tools write them), a single record (pretty-printed over several lines or not), or
    JSON lines.

    The file is one JSON document, which cannot be cut into records without parsing it, so it
    is read whole: memory grows with the file (a few times its size once parsed); keep
    national exports as JSON lines (``.jsonl``), which :func:`read_jsonl` streams. Rows are
    numbered by record (the 1-based place in the array); an element that is not an object is
    ``ODS_BUKAN_OBJEK``, one holding a number of more than 4,300 digits ``ODS_BARIS_INVALID``.
    Values that follow one another (several arrays or objects, a byte-order mark between them)
    are read in turn. A file that is not JSON throughout is read as JSON lines when one of its
    first two lines is a JSON value by itself (each broken line an ``ODS_BARIS_INVALID`` row),
    else refused (``ODS_BERKAS_TIDAK_TERBACA``, a configuration error naming the line and
    column): a broken array gives no rows rather than one rejected row per line.
    Numbers, repeated keys and encodings are read as :func:`read_jsonl` reads them.

    **API envelopes.** An object with no ODS field
    (:func:`~kukm.integration.ods_fields.canonical_field`), at the top or as an element of a
    top-level array (a list of pages), whose values hold exactly one list of objects or one
    object with an ODS field (a single record: ``{"data": {<record>}}``), directly or in nested
    objects (``data``, ``result``, ``data.items``, ``data.record``: any name, up to three
    levels), is a response wrapping records: its records are that list's elements, or that one
    record. Rows go on counting records, so in a file of one envelope row ``n`` is element
    ``n`` of its list, and a list of pages each wrapping one record has a row per page. An
    envelope with two or more of them (``data`` and ``links``, ``data`` given twice, a record
    beside a list of objects) is refused whole (``ODS_AMPLOP_GANDA``, a configuration error
    naming them and the keys): which holds the records is not guessed. An envelope holding none
    (an empty page ``{"data": []}``, an error response) is one row, rejected as not a record.
    Such an object could not be a record anyway (it has no ODS field), so unwrapping never
    drops one. The envelope's own metadata (``total``, ``page`` …) is not kept, but it must be
    JSON: ``NaN`` or ``Infinity`` there, where no record's row can carry the error, makes the
    file not JSON and it is refused whole (``ODS_BERKAS_TIDAK_TERBACA``, naming the key), as a
    broken file is; inside a record it rejects that record's row only.

    A stream or file of only blanks, line breaks and byte-order marks (by
    :func:`kukm.pipeline.header.blank_text`, the rule of a blank file) is ``BERKAS_KOSONG``,
    as :func:`read_ods` refuses a blank file, not 0 rows.

    >>> import io
    >>> text = '[\\n  {"Koperasi": "A"},\\n  {"Koperasi": "B"},\\n  3\\n]\\n'
    >>> [(r.row, r.record, r.error and r.error.code) for r in read_json(io.StringIO(text))]
    [(1, {'Koperasi': 'A'}, None), (2, {'Koperasi': 'B'}, None), (3, None, 'ODS_BUKAN_OBJEK')]
    >>> text = '{"status": 200, "data": {"items": [{"Koperasi": "A"}, 3]}, "total": 2}'
    >>> [(r.row, r.record, r.error and r.error.code) for r in read_json(io.StringIO(text))]
    [(1, {'Koperasi': 'A'}, None), (2, None, 'ODS_BUKAN_OBJEK')]
    """
    from kukm.pipeline.header import blank_text

    with _open_text(source, "r") as fh:
        name = _source_label(source, "JSON text")
        text = fh.read()
    if all(blank_text(line.lstrip("\ufeff")) for line in text.splitlines()):
        _refuse_blank(name, text)  # a blank stream is BERKAS_KOSONG, as a blank file is
    decode = jsonread.decoder().raw_decode
    values: list[Any] = []
    at = _past_gap(text, 0)
    try:
        while at < len(text):
            value, at = decode(text, at)
            values.append(value)
            at = _past_gap(text, at)
    except (ValueError, RecursionError) as exc:
        lines = [line for line in text.splitlines() if line.strip("\ufeff \t")][:2]
        if any(_parses(line.lstrip("\ufeff")) for line in lines):
            yield from read_jsonl(io.StringIO(text))
            return
        raise ConfigurationError(
            f"{name} is not JSON ({type(exc).__name__}: {exc}); nothing was read from it",
            code=BERKAS_TIDAK_TERBACA,
        ) from exc
    del text
    records = _unwrapped(values, name)
    del values
    for row, item in enumerate(records, 1):
        yield _json_row(row, item, json.dumps(item, ensure_ascii=False, default=str))


def _unwrapped(values: list[Any], name: str) -> list[Any]:
    """The records of a ``.json`` file's top-level ``values``, in order: the elements of an
    array, a value by itself, and, for an API envelope (an object that is not a record:
    no ODS field) at the top or in a top-level array (a list of pages), the elements of its
    one list of objects (:func:`_record_lists`). An envelope with more than one such list
    is refused (``ODS_AMPLOP_GANDA``), naming them and the envelope's keys: nothing is
    guessed, nothing read. An envelope holding no list of objects (an empty page
    ``{"data": []}``, an error response) stays one value (rejected as no record).

    >>> _unwrapped([{"data": [{"Koperasi": "A"}, {"Koperasi": "B"}], "total": 2}], "x.json")
    [{'Koperasi': 'A'}, {'Koperasi': 'B'}]
    >>> _unwrapped([[{"result": [{"Koperasi": "A"}]}, {"result": [{"Koperasi": "B"}]}]], "x")
    [{'Koperasi': 'A'}, {'Koperasi': 'B'}]
    >>> _unwrapped([{"data": [{"Koperasi": "A"}], "links": [{"next": "?page=2"}]}], "x.json")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ConfigurationError: [ODS_AMPLOP_GANDA] x.json: value 1 is an API envelope with more than one list of objects or record: data (1), links (1); keys: data, links
    """
    records: list[Any] = []
    for at, value in enumerate(values, 1):
        for place, item in enumerate(value if isinstance(value, list) else (value,), 1):
            lists = _record_lists(item) if isinstance(item, dict) else {}
            if not lists:
                records.append(item)
                continue
            where = f"value {at}" if not isinstance(value, list) else f"element {place}"
            if isinstance(value, list) and len(values) > 1:
                where += f" of value {at}"
            keys = ", ".join(item)
            if len(lists) > 1:
                raise ConfigurationError(
                    f"{name}: {where} is an API envelope with more than one list of objects "
                    f"or record: {_shown_holders(lists)}; keys: {keys}",
                    code=AMPLOP_GANDA,
                )
            (held,) = lists.values()
            bad = _not_json_outside(item, held)
            if bad is not None:  # no row to reject for it: the file is not JSON
                raise ConfigurationError(
                    f"{name}: {where} is an API envelope whose own {bad[0]!r} is {bad[1]}, "
                    "which is not JSON (RFC 8259 §6); nothing was read from it",
                    code=BERKAS_TIDAK_TERBACA,
                    value=f"{bad[0]}: {bad[1]}",
                )
            records.extend(held if isinstance(held, list) else (held,))
    return records


#: The bytes of a CSV file its encoding is detected from (as ``kukm import`` does).
_ENCODING_SAMPLE: Final = 65536


@contextlib.contextmanager
def _open_csv(source: str | Path | IO[str]) -> Iterator[IO[str]]:
    """A CSV file opened as ``kukm import`` opens one (:mod:`kukm.pipeline.readers`): its
    encoding detected from its first 64 KiB (:func:`~kukm.pipeline.readers.detect_encoding`:
    a byte-order mark, else UTF-8, else Windows-1252, as Excel writes CSV under Windows'
    regional settings; a stray Windows byte in a UTF-8 file is read as Windows-1252). A
    workbook saved under ``.csv`` is refused, not read as text. A text stream is read as is."""
    if not isinstance(source, str | Path):
        yield source
        return
    from kukm.pipeline import readers

    path = Path(source)
    kind = readers.sniff_format(path, "csv")
    if kind != "csv":
        raise ConfigurationError(
            f"{path.name} is a workbook ({kind}), not a CSV file: export the ODS as CSV or JSON "
            "lines, or save the sheet as CSV",
            code=BERKAS_TIDAK_TERBACA,
        )
    with open(path, "rb") as raw:
        head = raw.read(_ENCODING_SAMPLE)
    encoding = readers.detect_encoding(head, complete=len(head) < _ENCODING_SAMPLE)
    errors = readers.decode_errors(encoding)
    with open(path, encoding=encoding, errors=errors, newline="") as fh:
        yield fh


def read_csv(source: str | Path | IO[str]) -> Iterator[OdsRow]:
    """Yield ODS records from a CSV file with the ODS field names as header.

    Read as ``kukm import`` reads a CSV (:mod:`kukm.pipeline.readers`): the encoding of a file
    detected (:func:`_open_csv`: UTF-8 with or without a byte-order mark, UTF-16, or
    Windows-1252), the delimiter the one of ``,`` ``;`` tab ``|`` the header holds most
    (``,`` on a tie; Excel writes ``;`` under Indonesian regional settings), and a quoted cell
    may hold line breaks. The header is the first line holding text (blank lines, and lines of
    only separators, above it are passed over); a file without one is ``BERKAS_KOSONG``, and a
    header none of whose titles is an ODS field
    (:func:`~kukm.integration.ods_fields.canonical_field`: a Dinas UMKM sheet, say) is
    ``ODS_HEADER_TIDAK_DIKENAL`` naming the columns found (both configuration errors: nothing
    read). Cells are kept as written (the ministry's blank is a space; the
    record converts losslessly). A wholly blank row (Excel's ``,,,,`` below the data) is
    skipped, not counted, and keeps its row number, so row ``n`` is ``n`` lines below the
    header (when no cell breaks a line). A row repeating the titles (an export writing them on
    every page) is ``ODS_BARIS_JUDUL_ULANG``, not a record. A title given twice keeps both
    columns, the later one as ``<title> (kolom N)`` (reported by :func:`from_ods` as a field
    it does not know). A row holding a value beyond the header's cells, or in a column without
    a title, is ``ODS_KOLOM_LEBIH``; blank cells there are ignored.

    >>> import io
    >>> text = "Koperasi,Status Grade\\nA,D\\nB, \\n,,\\n"
    >>> [(r.row, r.record) for r in read_csv(io.StringIO(text))]
    [(1, {'Koperasi': 'A', 'Status Grade': 'D'}), (2, {'Koperasi': 'B', 'Status Grade': ' '})]
    >>> [r.record for r in read_csv(io.StringIO("Koperasi;Alamat\\nA;Jl. X, 1\\n"))]
    [{'Koperasi': 'A', 'Alamat': 'Jl. X, 1'}]
    """
    from kukm.pipeline.header import BERKAS_KOSONG
    from kukm.pipeline.readers import csv_records, sniff_delimiter

    with _open_csv(source) as fh:
        # the header is the first line holding text (blank lines and lines of only separators
        # above it passed over, as kukm import does); its delimiter is sniffed from it
        header: list[str] = []
        delimiter = ","
        for record in csv_records(fh):
            delimiter = sniff_delimiter(record)
            header = next(csv.reader([record], delimiter=delimiter), [])
            if any(name.strip() for name in header):
                break
        label = Path(source).name if isinstance(source, str | Path) else "the CSV text"
        if not any(h.strip() for h in header):
            raise ConfigurationError(
                f"{label} is empty: no header and no rows", code=BERKAS_KOSONG, value=label
            )
        # a header none of whose titles is an ODS field is another file (a Dinas UMKM sheet
        # given to ods import): every row would be read as no record, or none at all
        if not any(canonical_field(h.strip()) is not None for h in header if h.strip()):
            shown = ", ".join(repr(h.strip()) for h in header if h.strip())
            raise ConfigurationError(
                f"{label}: none of the columns ({shown[:300]}) is an ODS field "
                "(e.g. 'Koperasi', 'Nomor Induk Koperasi (NIK)'); not an ODS export, nothing "
                "was read",
                code=HEADER_TIDAK_DIKENAL,
                value=shown[:300],
            )
        width = len(header)
        # a row repeating the titles (an export writing them on every page) is not a record
        repeated = [_title_key(h) for h in header]
        titled: list[tuple[int, str]] = []
        for i, name in enumerate(header):
            if name.strip():
                # a title repeated (a column copied in the sheet) keeps each value: the later
                # ones under "<title> (kolom N)", which from_ods keeps and reports as fields it
                # does not know (a dict of the row kept only the last, without a word)
                taken = any(name == other for _, other in titled)
                titled.append((i, f"{name} (kolom {i + 1})" if taken else name))
        untitled = [i for i, name in enumerate(header) if not name.strip()]
        for row, cells in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
            if not any(cell.strip() for cell in cells):
                continue  # a blank row
            keys = [_title_key(c) for c in cells[:width]]
            keys += [""] * (width - len(keys))
            if keys == repeated and not any(c.strip() for c in cells[width:]):
                value = [c for c in cells if c.strip()]
                yield OdsRow(row, None, issue(BARIS_JUDUL_ULANG, None, value, row=row))
                continue
            extra = [cell for cell in cells[width:] if cell.strip()]
            if extra:
                yield OdsRow(row, None, issue(KOLOM_LEBIH, None, extra, row=row))
                continue
            stray = [i for i in untitled if i < len(cells) and cells[i].strip()]
            if stray:
                where = ", ".join(str(i + 1) for i in stray)
                value = [cells[i] for i in stray]
                detail = f"column {where} has no title"
                yield OdsRow(row, None, issue(KOLOM_LEBIH, None, value, row=row, detail=detail))
                continue
            n = len(cells)
            yield OdsRow(row, {name: cells[i] for i, name in titled if i < n})


def _title_key(text: str) -> str:
    """A cell compared with a column title: blanks around and between words, and case, aside."""
    return " ".join(text.split()).casefold()


def read_ods(path: str | Path, *, format: Format | None = None) -> Iterator[OdsRow]:
    """Read an ODS file in either layout (chosen by ``format`` or the suffix): CSV
    (:func:`read_csv`), JSON lines (:func:`read_jsonl`), or, for a ``.json`` file, a JSON
    array or JSON lines (:func:`read_json`, which reads the file whole; so is any file whose
    first line holding text is a lone ``[`` or ``{``, a JSON document pretty-printed under
    ``.jsonl`` or another suffix, which read line by line lost every record). A blank file (0 bytes,
    only blank lines: :func:`kukm.pipeline.header.blank_file`) is refused at once with
    ``BERKAS_KOSONG``, as ``kukm ods import`` refuses it, not read as 0 rows. A workbook
    (xlsx, xls, an OpenDocument ``.ods``: :func:`kukm.pipeline.readers.sniff_format`), whatever
    its name, is refused at once (``ODS_BERKAS_TIDAK_TERBACA``, naming the workbook): save the
    sheet as CSV.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ods.csv"
    >>> _ = p.write_text("Koperasi,Status Grade\\nA,D\\n", encoding="utf-8")
    >>> [r.record for r in read_ods(p)]
    [{'Koperasi': 'A', 'Status Grade': 'D'}]
    """
    from kukm.pipeline.header import refuse_blank_file
    from kukm.pipeline.readers import sniff_format

    # no header, no rows (0 bytes, only blank lines): BERKAS_KOSONG, as the CLI refuses it,
    # not 0 rows read
    refuse_blank_file(path)
    # a workbook (an ODS table opened and saved in Excel or LibreOffice: xlsx, xls, and the
    # OpenDocument .ods, whose name says ODS) under any name: said so, not a decoding error
    kind = sniff_format(path, "csv") if Path(path).is_file() else "csv"
    if kind in {"xlsx", "xls", "odf"}:
        raise ConfigurationError(
            f"{Path(path).name} is a workbook ({kind}), not an ODS export this reads (JSON "
            "lines, a JSON array, CSV): save the sheet as CSV (UTF-8) and import that; "
            "nothing was read",
            code=BERKAS_TIDAK_TERBACA,
            value=Path(path).name,
        )
    fmt = format or detect_format(path)
    if fmt == "csv":
        rows = read_csv(path)
    elif Path(path).suffix.lower() == ".json" or _pretty_printed(path):
        rows = read_json(path)
    else:
        rows = read_jsonl(path)
    return readable_rows(rows, Path(path).name, BERKAS_TIDAK_TERBACA, lambda item: item.row)


def _pretty_printed(path: str | Path) -> bool:
    """Whether the JSON (lines) file ``path``'s first line holding text is a lone ``[`` or
    ``{``: one JSON document written over many lines (an API response saved as ``.jsonl`` or
    without a suffix), which no JSON line starts with; read as a ``.json`` file
    (:func:`read_json`), not as hundreds of broken lines (each record lost as rejected rows).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ods.jsonl"
    >>> _ = p.write_text('\\ufeff\\n[\\n  {"Koperasi": "A"}\\n]\\n', encoding="utf-8")
    >>> _pretty_printed(p), [r.record for r in read_ods(p)]
    (True, [{'Koperasi': 'A'}])
    """
    if not Path(path).is_file():
        return False
    with open(path, encoding=jsonread.encoding(path), errors="replace", newline="") as fh:
        for line, _ in zip(fh, range(1000), strict=False):
            text = line.strip().lstrip("\ufeff").strip()
            if text:
                return text in {"[", "{"}
    return False


_T = TypeVar("_T")


def readable_rows(
    rows: Iterable[_T], name: str, code: str, row_of: Callable[[_T], int]
) -> Iterator[_T]:
    """``rows`` of a text file, with a file that is not UTF-8 text (a workbook, say) or a CSV
    quote never closed reported as ``code`` (a configuration error) after the last data row
    read (``row_of`` an item), instead of a traceback. The ODS and PKT readers use it."""
    row = 0
    try:
        for item in rows:
            row = row_of(item)
            yield item
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigurationError(
            f"{name} cannot be read after data row {row}: {type(exc).__name__}: {exc}",
            code=code,
        ) from exc


def write_jsonl(records: Iterable[Mapping[str, Any]], out: str | Path | IO[str]) -> int:
    """Write ODS records as JSON lines; returns how many were written."""
    n = 0
    with _open_text(out, "w") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write("\n")
            n += 1
    return n


def write_csv(
    records: Iterable[Mapping[str, Any]],
    out: str | Path | IO[str],
    *,
    extra_fields: Iterable[str] = (),
) -> int:
    """Write ODS records as CSV (header: ODS fields, then ``extra_fields``); returns the count.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_csv([{"Koperasi": "A"}], buf)
    1
    >>> buf.getvalue().splitlines()[1][:3]
    'A,,'
    """
    fields = list(ODS_FIELDS) + [f for f in extra_fields if f not in ODS_FIELDS]
    n = 0
    with _open_text(out, "w") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
            n += 1
    return n


def _csv_cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False)


# -- store import / export ---------------------------------------------------------------


def _badan_hukum_id(koperasi: Koperasi) -> str | None:
    """The ``BH:`` id of ``koperasi`` when its own id is NIK-based and it has a badan hukum
    number (the id it was stored under before it had a Nomor Induk Koperasi), else None."""
    nik, bh = koperasi.nomor_induk_koperasi, koperasi.nomor_badan_hukum
    if not nik or koperasi.id != nik or not bh or not bh.strip():
        return None
    return koperasi_id(None, bh, koperasi.nama)


def stored_koperasi(store: Store, koperasi: Koperasi) -> tuple[str, StoredRecord | None]:
    """The id under which ``store`` keeps ``koperasi`` (as :func:`from_ods` read it), and the
    current version there (``None`` for a new koperasi).

    The id is ``koperasi.id`` (:func:`~kukm.integration.ods.koperasi_id`: the Nomor Induk
    Koperasi first), except for a koperasi stored under ``BH:<badan hukum>`` before it had
    its NIK Koperasi: when no record has the NIK-based id but one has the badan hukum id,
    that record is the same koperasi and keeps its id. Import, diff and sync match by it.

    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> _ = import_ods(store, [OdsRow(1, {"Koperasi": "A", "Nomor Badan Hukum Pendirian": "1/BH"})],
    ...                resolve=False)
    >>> later = from_ods({"Koperasi": "A", "Nomor Badan Hukum Pendirian": "1/BH",
    ...                   "Nomor Induk Koperasi (NIK)": "3173010010001"}).koperasi
    >>> later.id, stored_koperasi(store, later)[0]
    ('3173010010001', 'BH:1/BH')

    A row giving only the number finds the record the NIK workflow gave it to:

    >>> from kukm.storage.base import WriteOp
    >>> cur = store.get("koperasi", "BH:1/BH")
    >>> store.write_batch([WriteOp("koperasi", cur.id, attrs.evolve(cur.record,
    ...     nomor_induk_koperasi="3173010010001"), cur.provenance)]).updated
    1
    >>> stored_koperasi(store, from_ods({"Koperasi": "A",
    ...     "Nomor Induk Koperasi (NIK)": "3173010010001"}).koperasi)[0]
    'BH:1/BH'

    The other way round, a koperasi stored under its Nomor Induk Koperasi and met again by
    a row that gives only its badan hukum number (written any way) is that record:

    >>> _ = import_ods(store, [OdsRow(1, {"Koperasi": "B", "Nomor Badan Hukum Pendirian": "2/BH",
    ...                "Nomor Induk Koperasi (NIK)": "3173010010002"})], resolve=False)
    >>> bh_only = from_ods({"Koperasi": "B", "Nomor Badan Hukum Pendirian": " 2 / bh"}).koperasi
    >>> bh_only.id, stored_koperasi(store, bh_only)[0]
    ('BH:2/BH', '3173010010002')
    """
    assert koperasi.id is not None
    current = store.get("koperasi", koperasi.id)
    if current is None:
        bh_id = _badan_hukum_id(koperasi)
        if bh_id is not None and bh_id != koperasi.id:
            by_bh = store.get("koperasi", bh_id)
            if by_bh is not None:
                return bh_id, by_bh
        holder = _holder_of_badan_hukum(store, koperasi) or _holder_of_nik(store, koperasi)
        if holder is not None:
            return holder.id, holder
    return koperasi.id, current


def _holder_of_nik(store: Store, koperasi: Koperasi) -> StoredRecord | None:
    """For a koperasi keyed by its Nomor Induk Koperasi: the one current record stored under
    another id (``BH:…`` or ``NAMA:…``, recorded before the number was issued and given it by
    the NIK workflow) that holds the number, else ``None``."""
    nik, own = koperasi.nomor_induk_koperasi, koperasi.id
    if not nik or own != nik:
        return None
    found = {r.id: r for r in store.find("koperasi", "nomor_induk_koperasi", nik) if r.id != own}
    return next(iter(found.values())) if len(found) == 1 else None


def _holder_of_badan_hukum(store: Store, koperasi: Koperasi) -> StoredRecord | None:
    """For a koperasi known only by its badan hukum number (id ``BH:…``): the one current
    record stored under another id (its Nomor Induk Koperasi) with that badan hukum number
    however written, else ``None`` (none, or several: then nothing is guessed)."""
    bh, own = koperasi.nomor_badan_hukum, koperasi.id
    if not bh or not own or not own.startswith("BH:"):
        return None
    found: dict[str, StoredRecord] = {}
    for value in dict.fromkeys((bh, bh.strip(), own[3:])):
        for rec in store.find("koperasi", "nomor_badan_hukum", value):
            other = getattr(rec.record, "nomor_badan_hukum", None)
            if rec.id != own and koperasi_id(None, other, "") == own:
                found[rec.id] = rec
    return next(iter(found.values())) if len(found) == 1 else None


@frozen
class ImportReport:
    """Outcome of :func:`import_ods`: ``input == accepted + rejected`` always holds.

    ``inserted + updated + unchanged == accepted``. ``issue_counts`` counts every
    issue by code; ``issues`` keeps the first :data:`MAX_KEPT_ISSUES` of them.
    """

    input: int = 0
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    issue_counts: Mapping[str, int] = field(factory=dict)
    issues: tuple[Issue, ...] = ()
    rejected_rows: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "issue_counts": dict(self.issue_counts),
            "issues": [dict(i.as_dict()) for i in self.issues],
            "rejected_rows": list(self.rejected_rows),
        }


def import_ods(
    store: Store,
    source: str | Path | Iterable[OdsRow],
    *,
    format: Format | None = None,
    batch_size: int = 500,
    petugas: str | None = None,
    resolver: WilayahResolver | None = None,
    resolve: bool = True,
    on_issue: Callable[[Issue], None] | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> ImportReport:
    """Stream ODS records into ``store`` (kind ``koperasi``, provenance ``sumber=ods``).

    A row is rejected when it is not an ODS record or has an error-severity
    issue; everything else is accepted (warnings are reported, values kept).
    Each record is stored with the derived dimensions ``kukm import --kind
    koperasi`` stores (:func:`kukm.pipeline.checks.classify`: ``skala``, the
    KSP/KSPPS tier of Permenkop UKM 8/2023 Pasal 49, ``None`` for other jenis),
    so reports group both imports alike. A koperasi already in the store is matched by
    :func:`stored_koperasi` (so one stored under its badan hukum number before it had a NIK
    Koperasi keeps its id) and keeps every field the ODS layout does not carry
    (:func:`~kukm.integration.ods.keep_local`: finances, ``tanggal_data``, region code …),
    so importing the store's own export changes nothing. The store adds a version only when a
    record's content or dimensions changed, so importing the same file again
    changes nothing (``unchanged``); a record an older kukm stored without
    them gets one new version, with them, on its next import. The run
    is written to the audit log (``aksi="ods_import"``).

    ``now`` is the import's clock (default: now, UTC): it gives each version's provenance time
    and, as the ODS layout carries no data date, its valid time (``valid_from``, the date of
    ``now()`` in its own time zone), so snapshots imported with ``now`` of different years are
    compared by year (:func:`kukm.reports.periode.bandingkan`). A record's ``tanggal_data``,
    kept from the store (:func:`~kukm.integration.ods.keep_local`), dates its local fields
    (finances), not the ODS fields a new version brings, so it does not date the version.

    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> rows = [OdsRow(1, {"Koperasi": "A", "Nomor Induk Koperasi (NIK)": "3173010010001"}),
    ...         OdsRow(2, None)]
    >>> r = import_ods(store, rows, resolve=False)
    >>> (r.input, r.accepted, r.rejected), store.get("koperasi", "3173010010001").provenance.sumber
    ((2, 1, 1), <SumberData.ODS: 'ods'>)
    >>> ksp = {"Koperasi": "B", "Nomor Induk Koperasi (NIK)": "3173010010002",
    ...        "Jenis Koperasi": "Simpan Pinjam", "Total Anggota": "91"}
    >>> _ = import_ods(store, [OdsRow(1, ksp)], resolve=False)
    >>> dict(store.get("koperasi", "3173010010002").atribut)
    {'skala': 'I'}
    """
    if batch_size < 1:
        raise ConfigurationError("batch_size must be at least 1", code="CONFIGURATION")
    rows: Iterable[OdsRow]
    if isinstance(source, str | Path):
        rows = read_ods(source, format=format)
        label = Path(source).name
    else:
        rows = source
        label = "stream"
    from kukm.pipeline.checks import classify  # the dimensions kukm import stores

    clock = now or (lambda: dt.datetime.now(dt.UTC))
    if resolve:
        resolver = cached_resolver(resolver)
    counts: Counter[str] = Counter()
    kept: list[Issue] = []
    rejected_rows: list[int] = []
    totals = {"input": 0, "accepted": 0, "rejected": 0, "inserted": 0, "updated": 0, "unchanged": 0}
    seen: set[str] = set()
    batch: list[WriteOp] = []
    batch_ids: set[str] = set()
    batch_bh: set[str] = set()  # the BH: ids of the badan hukum numbers in ``batch``

    def report(found: Issue) -> None:
        counts[found.code] += 1
        if len(kept) < MAX_KEPT_ISSUES:
            kept.append(found)
        if on_issue is not None:
            on_issue(found)

    def flush() -> None:
        if not batch:
            return
        result = store.write_batch(batch)
        totals["inserted"] += result.inserted
        totals["updated"] += result.updated
        totals["unchanged"] += result.unchanged
        batch.clear()
        batch_ids.clear()
        batch_bh.clear()

    for ods_row in rows:
        totals["input"] += 1
        if ods_row.record is None:
            totals["rejected"] += 1
            rejected_rows.append(ods_row.row)
            if ods_row.error is not None:
                report(ods_row.error)
            continue
        result = from_ods(ods_row.record, row=ods_row.row, resolver=resolver, resolve=resolve)
        for found in result.issues:
            report(found)
        if not result.ok:
            totals["rejected"] += 1
            rejected_rows.append(ods_row.row)
            continue
        koperasi = result.koperasi
        assert koperasi.id is not None
        if (
            koperasi.id in batch_ids
            or _badan_hukum_id(koperasi) in batch_ids
            or koperasi.id in batch_bh
        ):
            flush()  # the store must hold this koperasi's latest version before it is read
        id, current = stored_koperasi(store, koperasi)
        if current is not None and isinstance(current.record, Koperasi):
            koperasi = keep_local(koperasi, current.record)
        if id in seen:
            report(issue(DUPLIKAT, "id", id, row=ods_row.row))
        seen.add(id)
        totals["accepted"] += 1
        moment = clock()
        provenance = Provenance(
            sumber=SumberData.ODS,
            petugas=petugas,
            waktu=moment,
            id_pengiriman=f"ods-import:{label}",
        )
        batch.append(
            WriteOp(
                kind="koperasi",
                id=id,
                record=koperasi,
                provenance=provenance,
                # the ODS layout carries no data date: the snapshot is dated by the import's
                # clock, not by the tanggal_data keep_local kept for the local fields
                valid_from=moment.date(),
                atribut=classify(koperasi),
            )
        )
        batch_ids.add(id)
        if koperasi.nomor_badan_hukum:
            batch_bh.add(koperasi_id(None, koperasi.nomor_badan_hukum, ""))
        if len(batch) >= batch_size:
            flush()
    flush()
    outcome = ImportReport(
        issue_counts=dict(counts),
        issues=tuple(kept),
        rejected_rows=tuple(rejected_rows),
        **totals,
    )
    store.audit(
        AuditEvent(
            waktu=clock(),
            aktor=petugas or "ods-import",
            aksi="ods_import",
            kind="koperasi",
            detail=json.dumps({"sumber": label, **totals}, sort_keys=True),
        )
    )
    return outcome


def _mask_pengurus(koperasi: Koperasi, masking: object | None = None) -> Koperasi:
    """The board's names masked (personal data, Kepgub I.3) via :mod:`kukm.governance.masking`,
    with ``masking`` (the access policy's :class:`~kukm.governance.masking.MaskingConfig`;
    ``None``: its defaults)."""
    mask_record = _optional("kukm.governance.masking", "mask_record")
    if mask_record is not None:
        masked = mask_record(koperasi, masking)
        if isinstance(masked, Koperasi):
            return masked
    p = koperasi.pengurus

    def m(name: str | None) -> str | None:
        return (
            None if name is None else " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split(" "))
        )

    pengurus = attrs.evolve(
        p,
        ketua=m(p.ketua),
        sekretaris=m(p.sekretaris),
        bendahara=m(p.bendahara),
        pengawas=m(p.pengawas),
        manajer=m(p.manajer),
    )
    return attrs.evolve(koperasi, pengurus=pengurus)


def iter_store_ods(
    store: Store, *, wilayah: str | None = None, mask: bool = False, masking: object | None = None
) -> Iterator[dict[str, Any]]:
    """Stream every current koperasi of ``store`` as an ODS record (ordered by id).

    ``mask=True`` masks personal data, the board's names among it (for sharing beyond the ODS
    exchange; such an export is no longer lossless), as ``masking`` says: the access policy's
    :class:`~kukm.governance.masking.MaskingConfig` (``policy.masking``; ``None``: the
    packaged policy's). Pass the policy in force (``stored_policy(store) or default_policy()``).

    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> _ = import_ods(store, [OdsRow(1, {"Koperasi": "A"})], resolve=False)
    >>> list(iter_store_ods(store))
    [{'Koperasi': 'A'}]
    """
    for stored in store.iter_records("koperasi", wilayah=wilayah):
        if isinstance(stored.record, Koperasi):
            yield to_ods(_mask_pengurus(stored.record, masking) if mask else stored.record)


def export_ods(
    store: Store,
    out: str | Path | IO[str],
    *,
    format: Format = "jsonl",
    wilayah: str | None = None,
    mask: bool = False,
    masking: object | None = None,
) -> int:
    """Write every current koperasi of ``store`` in the ODS layout; returns the count.

    CSV needs its header first, so a CSV export streams the store twice (the
    first pass only collects the names of non-ODS fields kept in ``atribut_lain``).
    ``mask``/``masking``: see :func:`iter_store_ods`. To export as an officer (its region,
    the public's verified data), pass ``Service.reader()`` as ``store``.

    >>> import io
    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> _ = import_ods(store, [OdsRow(1, {"Koperasi": "A", "Email": "a@b.id"})], resolve=False)
    >>> out = io.StringIO()
    >>> export_ods(store, out, format="csv"), out.getvalue().splitlines()[0].endswith(",Email")
    (1, True)
    """
    if format == "csv":
        extra = unknown_fields(
            s.record
            for s in store.iter_records("koperasi", wilayah=wilayah)
            if isinstance(s.record, Koperasi)
        )
        rows = iter_store_ods(store, wilayah=wilayah, mask=mask, masking=masking)
        return write_csv(rows, out, extra_fields=extra)
    if format != "jsonl":
        raise ConfigurationError(f"unknown ODS format {format!r}", code="CONFIGURATION")
    return write_jsonl(iter_store_ods(store, wilayah=wilayah, mask=mask, masking=masking), out)
