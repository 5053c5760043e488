"""Streaming readers for the files officers bring: CSV, XLSX and JSON lines (Kepgub F.1).

Every reader yields ``(row, data)`` one row at a time, where ``row`` is the
1-based **data** row (the header is row 0, so a spreadsheet shows data row
``n`` on line ``n + 1``) and ``data`` maps each column name to its text
(``""`` when empty). Columns whose name starts with ``_`` are ignored: they
are the annotations kukm writes into an errors file (``_row``, ``_codes``,
``_fields``, ``_messages``), so a corrected errors file can be imported as is.
Wholly blank rows are skipped but keep their row number.

CSV rules (documented, never guessed silently):

* **Encoding**: a UTF-8 byte-order mark means UTF-8, a UTF-16 one UTF-16 (Excel's
  "Unicode Text", tab-separated). Otherwise the caller's
  declared ``encoding`` wins (e.g. ``cp1252`` for old Excel exports). Without
  either, the first 64 KiB are checked: valid UTF-8 → UTF-8; bytes that are not
  UTF-8 but at least as many characters that are (a UTF-8 file with a stray
  Windows byte pasted in) → UTF-8 too; else Windows-1252. A byte that is not
  UTF-8 in a UTF-8 file is read as Windows-1252 rather than failing the whole file
  (and rather than reading every other character of the file as Windows-1252:
  ``CafÃ©``), and the five bytes Windows-1252 leaves undefined are read as Windows
  reads them (the control character of that number).
* **Delimiter**: ``,`` unless the header line holds more ``;`` (Excel with an
  Indonesian locale), tabs or ``|``.
* A quoted cell may hold line breaks, in the header as in the data (Excel writes
  a title broken with Alt+Enter as ``"Nama\nUsaha"``).
* A row with more cells than the header is reported as ``BARIS_KOLOM_LEBIH``.

A row repeating the header's titles (blanks and case aside; exports that write them on every
page), in a CSV or a workbook, is reported as ``BARIS_JUDUL_ULANG``: never read as data.

Workbooks: a cell holding a *number* (not text) of 16 digits or more is reported as
``SEL_ANGKA_PANJANG`` on its column. Excel keeps 15 significant digits of a
number (Microsoft, *Excel specifications and limits*: number precision 15
digits), so a NIK typed into a number cell comes back with its last digit
turned to 0 and still looks like a NIK: accepting it would store a wrong number
without a word. A NIB (13 digits) or an old NPWP (15) survives as a number.

A number cell (of any workbook, and a number of a JSON line) is read to those 15
significant digits, as the spreadsheet shows it (``=1500000*1,1`` leaves
1650000.0000000002 in binary: ``1650000``). A whole number is its digits
(``1500000.0`` → ``1500000``); one with a fraction is written with the decimal comma,
as Indonesian Excel shows it (``123.45`` → ``123,45``), and a fraction of exactly
three digits with a ``0`` after it (``12.345`` → ``12,3450``): a number is not text
and is never ambiguous, so no rule may read it as text would be read (the text
``12.345`` is 12345 rupiah, the text ``123.45`` ambiguous, :mod:`kukm.rules.amounts`).
An amount with a fraction is then ``AMOUNT_NOT_INTEGER`` (rupiah are whole), a head count
``INT_FORMAT``, and ``43801,5`` (a date cell saved as its serial number, with a time)
the date.

The format is the file's suffix unless its content says otherwise
(:func:`sniff_format`): an ``.xls`` saved under ``.xlsx``, an ``.xlsx`` named
``.xls`` or a CSV named as a workbook is read as what it is; a workbook that
cannot be read (damaged, cut short, password-protected) is refused with
``BERKAS_TIDAK_TERBACA`` (a configuration error) instead of a traceback.

An error cell (a failed formula: ``#N/A``, ``#REF!``, LibreOffice's ``Err:502``) reads
as its value, as openpyxl reads it, whatever the format; the form's checks then report it
(``SEL_GALAT_EXCEL``) instead of taking it for a blank cell (a phone or an amount lost
without a word). python-calamine reads every error cell as a blank cell, so:

* XLSX workbooks are read with python-calamine (Rust; a 100,000-row sheet about four times
  faster end to end than with openpyxl) when their worksheets hold at most
  :data:`CALAMINE_XLSX_BYTES` of XML and no error cell; larger ones, or those, are
  streamed with openpyxl, which keeps memory bounded (:attr:`Table.engine` says which
  read it). Both give the same rows (a property test), each from column A.
* Excel 97-2003 workbooks (``.xls``, still kept by many offices) and OpenDocument
  spreadsheets (``.ods``, LibreOffice Calc) are read with python-calamine and then
  exactly as XLSX (sheet, header, cells, long numbers). They are not streamed whatever
  their size: calamine loads each sheet scanned, so memory grows with it (an ``.xls``
  sheet holds at most 65,536 rows). Their error cells are found and read as their value:
  in an XLS, xlrd reads them (``XL_CELL_ERROR``: the BOOLERR cells holding an error and the
  formulas whose saved result is one, named by xlrd's ``error_text_from_code``), only when a
  byte scan of the file and of its ``Workbook`` stream finds a record that may be one: xlrd
  then reads the whole workbook again (a 7 MB one of 21,000 rows: about a second more,
  against 20 ms for the scans of one without), and a workbook it cannot read is refused with
  ``BERKAS_TIDAK_TERBACA``, as is one whose error cells are on a sheet python-calamine
  does not name; in an ODS, the cells LibreOffice marks ``calcext:value-type="error"``
  and the formulas showing an error value (:data:`~kukm.rules.amounts.EXCEL_ERRORS`), the
  rows of ``content.xml`` counted by their tags and only those whose bytes hold either
  parsed (a file without is scanned once). An error whose value kukm does not know by name
  (LibreOffice shows ``#ЗНАЧЕН!`` in Russian) reads as :data:`OTHER_ERROR` (Excel 365's
  code 0x2B, which xlrd does not name, as ``#GETTING_DATA``). The limit: an ODS error cell
  another program wrote without LibreOffice's mark, unless it is a formula showing one of
  :data:`~kukm.rules.amounts.EXCEL_ERRORS`, reads as python-calamine reads it (blank).

A workbook's data sheet is the first sheet, or with a
``header_score`` the sheet whose header scores highest (the first of equals; an empty
sheet loses to any that holds something), so a cover or instructions sheet before the
data is passed over
(:attr:`Table.sheet` names the sheet read). The header of a CSV
is its first non-blank line (a line of only separators, ``;;;;``, is blank) and of an XLSX
its first non-blank row, unless the caller gives
a ``header_score`` (the import does: how many of the row's cells name a field of
the form, :func:`kukm.pipeline.header.header_score`): then it is the row, among
the first :data:`HEADER_SCAN` non-blank ones, with the highest score (the first
of equals; the first row when none scores), so the titles a Dinas sheet carries
above its table (also when saved as CSV) are passed over
(:attr:`Table.header_line` says where the header was). Data rows are numbered
from the header. JSON lines: one object per line (ODS exports), read by the rules of
:mod:`kukm._jsonread`, which ``kukm ods import`` follows too: UTF-8, UTF-16 or UTF-32; a line
holding ``NaN`` or ``Infinity`` (not JSON) is ``BARIS_JSON_INVALID``, one holding a number a
float would round ``BARIS_JSON_ANGKA_TIDAK_TEPAT``, one giving a key twice with different
values ``BARIS_JSON_KUNCI_GANDA``.

>>> import io, pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.csv").write_bytes("\\ufeffnama_usaha;kota\\nCaf\\u00e9;Jakarta\\n".encode())
>>> with open_table(d / "a.csv") as t:
...     t.columns, t.delimiter, t.encoding, list(t)
(['nama_usaha', 'kota'], ';', 'utf-8-sig', [(1, {'nama_usaha': 'Café', 'kota': 'Jakarta'})])
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Literal, TypeVar

from kukm import _jsonread as jsonread
from kukm.exceptions import ConfigurationError, Issue, issue, register_code

__all__ = [
    "BARIS_JSON_ANGKA_TIDAK_TEPAT",
    "BARIS_JSON_INVALID",
    "BARIS_JSON_KUNCI_GANDA",
    "BARIS_JUDUL_ULANG",
    "BARIS_KOLOM_LEBIH",
    "BERKAS_TIDAK_TERBACA",
    "CP1252_UNDEFINED_ERRORS",
    "CSV_ENCODING_SALAH",
    "CSV_TIDAK_TERBACA",
    "DELIMITER_INVALID",
    "DELIMITER_NAMES",
    "FALLBACK_ERRORS",
    "SEL_ANGKA_PANJANG",
    "SHEET_TIDAK_ADA",
    "Format",
    "Table",
    "csv_records",
    "decode_errors",
    "detect_encoding",
    "detect_format",
    "open_table",
    "sniff_delimiter",
    "sniff_format",
]

Format = Literal["csv", "xlsx", "xls", "odf", "jsonl"]

BARIS_KOLOM_LEBIH: Final = register_code(
    "BARIS_KOLOM_LEBIH",
    "Baris memiliki sel lebih banyak daripada judul kolom.",
    "The row has more cells than the header.",
    module=__name__,
)
BARIS_JUDUL_ULANG: Final = register_code(
    "BARIS_JUDUL_ULANG",
    "Baris mengulang judul kolom (ekspor yang menulis judul di setiap halaman); baris ini bukan "
    "data: hapus baris itu.",
    "The row repeats the column titles (an export writing them on every page); it is not data: "
    "delete that row.",
    module=__name__,
)
SEL_TANPA_JUDUL: Final = register_code(
    "SEL_TANPA_JUDUL",
    "Ada isian di kolom tanpa judul; beri judul kolom itu atau pindahkan isiannya. Kolom:",
    "A cell holds data in a column without a title; give the column a title or move the data. "
    "Column:",
    module=__name__,
)
SEL_RUMUS_TANPA_NILAI: Final = register_code(
    "SEL_RUMUS_TANPA_NILAI",
    "Baris berisi rumus yang hasilnya tidak tersimpan (berkas dibuat program, belum pernah "
    "dibuka); buka dan simpan di Excel atau LibreOffice, lalu impor lagi. Sel:",
    "The row holds formulas whose results are not saved (a file written by a program, never "
    "opened); open and save it in Excel or LibreOffice, then import it again. Cells:",
    module=__name__,
)
SEL_ANGKA_PANJANG: Final = register_code(
    "SEL_ANGKA_PANJANG",
    "Sel berisi angka 16 digit atau lebih; Excel hanya menyimpan 15 digit sebuah angka, sehingga "
    "digit terakhirnya bisa sudah hilang. Format kolom sebagai Teks lalu isi ulang nomornya "
    "(NIK 16 digit harus berupa teks).",
    "The cell holds a number of 16 or more digits; Excel keeps only 15 digits of a number, so "
    "its last digits may already be lost. Format the column as Text and enter the numbers again "
    "(a 16-digit NIK must be text).",
    module=__name__,
)
BARIS_JSON_INVALID: Final = register_code(
    "BARIS_JSON_INVALID",
    "Baris bukan objek JSON yang sah.",
    "The line is not a valid JSON object.",
    module=__name__,
)
BARIS_JSON_ANGKA_TIDAK_TEPAT: Final = register_code(
    "BARIS_JSON_ANGKA_TIDAK_TEPAT",
    "Angka JSON pada baris memiliki lebih banyak digit daripada yang tersimpan tanpa pembulatan "
    "(mis. NIK penduduk 16 digit ditulis sebagai pecahan); tulis nilainya sebagai teks.",
    "A JSON number on the line has more digits than can be kept without rounding (e.g. a "
    "16-digit NIK penduduk written as a fraction); write the value as text.",
    module=__name__,
)
BARIS_JSON_KUNCI_GANDA: Final = register_code(
    "BARIS_JSON_KUNCI_GANDA",
    "Objek JSON pada baris memuat kunci yang sama lebih dari sekali dengan nilai berbeda; nilai "
    "yang benar tidak ditebak.",
    "The JSON object on the line holds the same key more than once with different values; "
    "which value is right is not guessed.",
    module=__name__,
)
BERKAS_TIDAK_TERBACA: Final = register_code(
    "BERKAS_TIDAK_TERBACA",
    "Berkas tidak dapat dibaca sebagai lembar kerja (rusak, terpotong, atau diberi kata sandi?); "
    "buka di Excel lalu simpan ulang sebagai .xlsx atau .csv.",
    "The file cannot be read as a workbook (damaged, cut short, or password-protected?); open "
    "it in Excel and save it again as .xlsx or .csv.",
    module=__name__,
)

CSV_TIDAK_TERBACA: Final = register_code(
    "CSV_TIDAK_TERBACA",
    "Baris CSV tidak dapat dibaca: tanda kutip (\") dibuka dalam sebuah sel dan tidak ditutup, "
    "atau sel terlalu panjang. Perbaiki baris itu lalu impor ulang.",
    "A CSV row cannot be read: a quote (\") opened in a cell and never closed, or a cell too "
    "long. Fix that row and import again.",
    module=__name__,
)

CSV_ENCODING_SALAH: Final = register_code(
    "CSV_ENCODING_SALAH",
    "Berkas tidak dapat dibaca dengan encoding yang dinyatakan; periksa --encoding (mis. cp1252) "
    "atau simpan berkas sebagai CSV UTF-8.",
    "The file cannot be read in the declared encoding; check --encoding (e.g. cp1252) or save "
    "the file as CSV UTF-8.",
    module=__name__,
)
SHEET_TIDAK_ADA: Final = register_code(
    "SHEET_TIDAK_ADA",
    "Lembar (sheet) yang diminta tidak ada dalam berkas ini.",
    "The sheet asked for is not in this file.",
    module=__name__,
)
DELIMITER_INVALID: Final = register_code(
    "DELIMITER_INVALID",
    "Pemisah kolom harus satu karakter (atau 'tab').",
    "The delimiter must be one character (or 'tab').",
    module=__name__,
)
#: Names ``--delimiter`` takes besides the character itself.
DELIMITER_NAMES: Final = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

#: The code of each kind of :class:`kukm._jsonread.Problem` a JSON line holds.
_JSON_PROBLEM_CODES: Final = {
    "invalid": BARIS_JSON_INVALID,
    "inexact": BARIS_JSON_ANGKA_TIDAK_TEPAT,
    "clash": BARIS_JSON_KUNCI_GANDA,
}

_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOKS: Final = frozenset({"xlsx", "xls", "odf"})


def sniff_format(path: str | Path, named: Format) -> Format:
    """The format of the file's content where it differs from its name's (``named``): a
    workbook saved under another suffix (an ``.xls`` named ``.xlsx``, a CSV named ``.xls``)
    is read as what it is. ZIP → XLSX, or ODS when its ``mimetype`` says so; OLE2 (Excel
    97-2003) → XLS; text named as a workbook → CSV (JSON lines when it starts with ``{``).
    Text named as text keeps its name's format.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "data.xlsx"
    >>> _ = p.write_text("nama_usaha,nib\\nToko,1\\n")
    >>> sniff_format(p, "xlsx")
    'csv'
    """
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP):
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                if b"opendocument.spreadsheet" in zf.read("mimetype")[:100]:
                    return "odf"
        except (KeyError, zipfile.BadZipFile, OSError):
            pass
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    if named in _WORKBOOKS:
        return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"
    return named

#: Excel keeps a number to 15 significant digits; a number cell of 16 or more may have lost some
_EXCEL_LIMIT: Final = 10**15
_SAMPLE: Final = 65536
#: The codec error handler reading a byte that is not UTF-8 as Windows-1252 (module docstring):
#: open a UTF-8 file with ``errors=FALLBACK_ERRORS`` (:func:`decode_errors`).
FALLBACK_ERRORS: Final = "kukm-cp1252"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (documented rule above)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)

#: The codec error handler reading the five bytes Windows-1252 leaves undefined as Windows
#: does: open a Windows-1252 file with ``errors=CP1252_UNDEFINED_ERRORS`` (:func:`decode_errors`).
CP1252_UNDEFINED_ERRORS: Final = "kukm-cp1252-undefined"


def _cp1252_undefined(exc: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined (81, 8D, 8F, 90, 9D) read as the control
    characters of the same number, as Windows reads them, instead of failing the file."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(CP1252_UNDEFINED_ERRORS, _cp1252_undefined)


def decode_errors(encoding: str) -> str:
    """The ``errors`` to open a CSV file in ``encoding`` (as :func:`detect_encoding` names it)
    with: :data:`FALLBACK_ERRORS` for UTF-8, :data:`CP1252_UNDEFINED_ERRORS` for Windows-1252,
    else ``strict``.

    >>> decode_errors("utf-8-sig"), decode_errors("cp1252"), decode_errors("utf-16")
    ('kukm-cp1252', 'kukm-cp1252-undefined', 'strict')
    """
    if encoding in ("utf-8", "utf-8-sig"):
        return FALLBACK_ERRORS
    return CP1252_UNDEFINED_ERRORS if encoding == "cp1252" else "strict"


def detect_format(path: str | Path) -> Format:
    """The file format from its suffix.

    >>> detect_format("data.xlsx"), detect_format("ods.jsonl"), detect_format("x.CSV")
    ('xlsx', 'jsonl', 'csv')
    """
    suffix = Path(path).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix == ".xls":
        return "xls"
    if suffix == ".ods":
        return "odf"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".txt", ".tsv"}:
        return "csv"
    raise ConfigurationError(
        f"unknown input format {suffix!r} (use .csv, .xlsx or .jsonl)", code="FORMAT_UNKNOWN"
    )


def detect_encoding(head: bytes, *, complete: bool = True) -> str:
    """The encoding of a CSV file from its first bytes (rule in the module docstring).

    ``complete=False`` says ``head`` is a sample cut anywhere, so a multi-byte
    character cut at its end is not an error.

    >>> detect_encoding(b"\\xef\\xbb\\xbfa,b"), detect_encoding(b"caf\\xc3\\xa9"), detect_encoding(b"caf\\xe9")
    ('utf-8-sig', 'utf-8', 'cp1252')
    >>> detect_encoding("a\\tb".encode("utf-16"))  # Excel's "Unicode Text"
    'utf-16'
    >>> detect_encoding("Café Nusantara, Toko Andr".encode() + b"\\xe9")  # one stray byte
    'utf-8'
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        # not UTF-8 throughout: Windows-1252, unless as many characters as there are stray
        # bytes are UTF-8 (a cut sample keeps its last, incomplete character out)
        text = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape").decode(
            head, final=complete
        )
        stray = len(_STRAY.findall(text))
        wide = len(_WIDE.findall(text))
        return "utf-8" if wide >= stray else "cp1252"
    return "utf-8"


_STRAY: Final = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8 (surrogateescape)
_WIDE: Final = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")  # a UTF-8 character beyond ASCII


_QUOTED = re.compile(r'"[^"]*"')
#: A byte a UTF-8 JSON-lines file holds that is not UTF-8 text, as ``surrogateescape`` reads it.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def sniff_delimiter(header: str) -> str:
    """``,``, ``;``, tab or ``|``: the most frequent outside quoted cells (``,`` on a tie).

    >>> sniff_delimiter("Nama;Alamat;NIB"), sniff_delimiter('"Jl. X, 1";B'), sniff_delimiter("A")
    (';', ';', ',')
    """
    bare = _QUOTED.sub("", header) if '"' in header else header
    counts = {d: bare.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


#: A record of the header scan (:func:`csv_records`) stops growing at this many characters
#: (:func:`csv.field_size_limit`'s default): a quote never closed does not read the whole file.
_RECORD_LIMIT: Final = 131_072
_FIELD_START = frozenset(",;\t|\r\n")


def _in_quotes(line: str, inside: bool) -> bool:
    """Whether a record is still inside a quoted cell after ``line`` (``inside``: before it).
    A quote opens a cell only at its start (after a delimiter, whichever it is, or at the
    start of the line), as the csv module reads it; ``""`` inside a cell is a quote."""
    prev = "\n"
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if inside:
            if ch == '"':
                if i + 1 < n and line[i + 1] == '"':
                    i += 2
                    continue
                inside = False
        elif ch == '"' and prev in _FIELD_START:
            inside = True
        prev = ch
        i += 1
    return inside


def csv_records(fh: IO[str]) -> Iterator[str]:
    """The text of ``fh`` one CSV record at a time: a line, with the lines after it that a
    quoted cell carries on to (Excel writes a header cell broken with Alt+Enter so, e.g.
    ``"Nama\nUsaha"``). The header scan reads records, so the delimiter is sniffed from a
    whole header, not from its first line.

    >>> import io
    >>> list(csv_records(io.StringIO('"Nama\\nUsaha",NIB\\nA,1\\n')))
    ['"Nama\\nUsaha",NIB\\n', 'A,1\\n']
    """
    lines = iter(fh.readline, "")
    for line in lines:
        if '"' not in line:
            yield line
            continue
        taken = [line]
        size = len(line)
        inside = _in_quotes(line, False)
        while inside and size < _RECORD_LIMIT:
            more = next(lines, "")
            if not more:
                break
            taken.append(more)
            size += len(more)
            inside = _in_quotes(more, True)
        yield "".join(taken)


def _title_key(text: str) -> str:
    """A cell as it is compared with a column title: blanks around and between words, and
    case, aside."""
    return " ".join(text.split()).casefold()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else _fraction_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


#: The significant digits of a number Excel keeps and shows (module docstring)
_EXCEL_DIGITS: Final = 15


def _fraction_text(value: float) -> str:
    """The text of a number cell that is not a whole number (rule in the module docstring):
    read to Excel's 15 significant digits (whole then: its digits), else with the decimal
    comma, and a fraction of exactly three digits gets a ``0`` after it.

    >>> _fraction_text(123.45), _fraction_text(1500000 * 1.1), _fraction_text(12.345)
    ('123,45', '1650000', '12,3450')
    """
    if not math.isfinite(value):
        return repr(value)  # NaN: no number any rule reads (a JSON line's is refused)
    d = Decimal(repr(value))
    if abs(value) < _EXCEL_LIMIT:
        step = Decimal(1).scaleb(d.adjusted() - _EXCEL_DIGITS + 1)
        d = d.quantize(step, rounding=ROUND_HALF_UP)
        if d == d.to_integral_value():
            return str(int(d))
    whole, _, frac = format(d.normalize(), "f").partition(".")
    return f"{whole},{frac}0" if len(frac) == 3 else f"{whole},{frac}"


#: An XLSX workbook whose worksheets hold at most this many bytes of XML (uncompressed; about
#: 100,000 rows of 18 columns) is read with python-calamine, about four times faster than
#: openpyxl, which streams larger ones: calamine holds the sheet in memory, about 30 bytes a cell.
CALAMINE_XLSX_BYTES: Final = 64 << 20


_ERROR_CELL: Final = (b't="e"', b"t='e'")


def _calamine_fits(path: Path, formulas: set[str] | None = None) -> bool:
    """Whether python-calamine may read this XLSX file: its worksheets hold at most
    :data:`CALAMINE_XLSX_BYTES` of XML and no error cell (``#N/A``, ``#DIV/0!``: calamine
    gives those as blank cells, openpyxl as their text, which the checks then report). Not a
    zip: ``False`` (openpyxl says what is wrong). When it fits, ``formulas`` (if given) gets
    the worksheet parts that hold a formula, so :func:`_formulas_without_result` need not
    read the others again."""
    import zipfile

    found: set[str] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/")]
            if sum(i.file_size for i in sheets) > CALAMINE_XLSX_BYTES:
                return False
            for info in sheets:
                with zf.open(info) as fh:
                    tail = b""
                    while block := fh.read(1 << 20):
                        if any(e in tail + block[:8] or e in block for e in _ERROR_CELL):
                            return False
                        if b"<f" in tail + block[:8] or b"<f" in block:
                            found.add(info.filename)
                        tail = block[-8:]
    except (OSError, zipfile.BadZipFile):
        return False
    if formulas is not None:
        formulas.update(found)
    return True


# a formula cell whose result was never saved: <f …>…</f> or <f …/>, then no value or an empty
# <v/>, then the cell's end (a workbook written by a program, never opened in a spreadsheet)
_NO_RESULT: Final = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>'
)


def _formulas_without_result(
    path: Path, sheet: str | None, formulas: set[str] | None = None
) -> list[str]:
    """The cells of ``sheet`` (an XLSX sheet title; ``None``: the first) holding a formula
    whose result the file does not hold. Both engines read those as blank cells.
    ``formulas``: the worksheet parts known to hold a formula (:func:`_calamine_fits`), when
    known; the sheet is then read again only if it is one of them."""
    import posixpath
    import xml.etree.ElementTree as ET
    import zipfile

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(path) as zf:
            book = ET.fromstring(zf.read("xl/workbook.xml"))
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            found = [
                targets.get(e.get(rel), "")
                for e in book.iter(f"{main}sheet")
                if sheet is None or e.get("name") == sheet
            ][:1]
            if not found or not found[0]:
                return []
            target = found[0]
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            if formulas is not None and name not in formulas:
                return []
            data = zf.read(name)
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return []  # not this layout: nothing known to be missing
    if b"<f" not in data:
        return []
    return [m.group(1).decode() for m in _NO_RESULT.finditer(data)]


# -- error cells python-calamine reads as blank (XLS, ODS) -------------------------------------

#: A cell's place on its sheet: (row, column), both 0-based from A1.
_Cell = tuple[int, int]

#: What an error cell whose value kukm does not know by name reads as (a code of a later Excel,
#: LibreOffice's error shown in another language: ``#ЗНАЧЕН!``): an error all the same.
OTHER_ERROR: Final = "#VALUE!"
#: The error code of Excel 365's ``#GETTING_DATA`` (MS-XLS 2.5.97.2, ``BErr``), which xlrd's
#: ``error_text_from_code`` does not name
_XLS_GETTING_DATA: Final = 0x2B


def _error_cells(path: Path, fmt: Format) -> list[tuple[str, dict[_Cell, str]]]:
    """The error cells python-calamine reads as blank in an XLS or ODS workbook (module
    docstring): each sheet's title, in the workbook's order, with its error cells' values."""
    if fmt == "xls":
        return _xls_error_cells(path)
    if fmt == "odf":
        return _ods_error_cells(path)
    return []


#: A BOOLERR record holding an error, and a FORMULA record whose saved result is an error
#: (MS-XLS 2.4.24, 2.4.127): a workbook whose bytes hold neither has no error cell, and xlrd
#: does not read it (two patterns: one with an alternative is six times slower)
_BIFF_ERROR_RECORDS: Final = (
    re.compile(rb"\x05\x02\x08\x00.{7}\x01", re.S),
    re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff", re.S),
)


def _may_hold_error_cells(data: bytes | memoryview) -> bool:
    """Whether ``data`` holds bytes that may be a record of an error cell."""
    return any(p.search(data) is not None for p in _BIFF_ERROR_RECORDS)


def _xls_may_hold_error_cells(data: bytes, log: IO[str]) -> bool:
    """Whether the Excel 97-2003 workbook ``data`` may hold an error cell: its bytes, or its
    ``Workbook`` stream as xlrd assembles it from the compound file (its sectors need not follow
    each other in the file, so a record may be cut in two there), hold what may be one."""
    if _may_hold_error_cells(data):
        return True
    from xlrd.compdoc import CompDoc

    try:
        doc = CompDoc(data, logfile=log, ignore_workbook_corruption=True)
        for name in ("Workbook", "Book"):  # BIFF8, BIFF5 (Excel 95); any case
            mem, base, size = doc.locate_named_stream(name)
            if mem is not None:
                return _may_hold_error_cells(memoryview(mem)[base : base + size])
    except Exception:  # a compound file xlrd cannot follow, and no byte of it may be one
        return False
    return False


def _xls_error_cells(path: Path) -> list[tuple[str, dict[_Cell, str]]]:
    """The error cells of an Excel 97-2003 workbook (BIFF8, and BIFF5 of Excel 95), read with
    xlrd: its BOOLERR cells holding an error and its formulas whose saved result is one (both
    ``XL_CELL_ERROR``), each sheet's (xlrd lists the worksheets in the workbook's order, no
    chart sheet).
    xlrd reads the workbook only when :func:`_xls_may_hold_error_cells` says it may hold one;
    one it cannot read is then refused (``BERKAS_TIDAK_TERBACA``): which cells they are is
    unknown."""
    import io

    import xlrd
    from xlrd.biffh import error_text_from_code

    from kukm.rules.amounts import EXCEL_ERRORS

    data = path.read_bytes()
    log = io.StringIO()  # xlrd writes its warnings there, not on the officer's console
    if not _xls_may_hold_error_cells(data, log):
        return []

    def text(code: int) -> str:
        shown = error_text_from_code.get(code)
        if shown is None and code == _XLS_GETTING_DATA:
            shown = "#GETTING_DATA"
        return shown if shown in EXCEL_ERRORS else OTHER_ERROR

    out: list[tuple[str, dict[_Cell, str]]] = []
    try:
        book = xlrd.open_workbook(
            file_contents=data, logfile=log, on_demand=True, ragged_rows=True,
            ignore_workbook_corruption=True,
        )  # fmt: skip
        try:
            for i, name in enumerate(book.sheet_names()):
                sheet = book.sheet_by_index(i)
                cells: dict[_Cell, str] = {}
                for r in range(sheet.nrows):
                    kinds = sheet.row_types(r)
                    if xlrd.XL_CELL_ERROR in kinds:
                        values = sheet.row_values(r)
                        for c, kind in enumerate(kinds):
                            if kind == xlrd.XL_CELL_ERROR:
                                cells[r, c] = text(int(values[c]))
                out.append((name, cells))
                book.unload_sheet(i)
        finally:
            book.release_resources()
    except Exception as exc:  # damaged past what python-calamine minded
        raise ConfigurationError(
            f"the error cells (#N/A, #REF!, …) of {path.name} cannot be found "
            f"({type(exc).__name__}: {exc}), so they would read as blank cells: open it in "
            "Excel and save it again as .xlsx",
            code=BERKAS_TIDAK_TERBACA,
        ) from exc
    return out


#: Bytes of an ODS ``content.xml`` without which it holds no error cell: LibreOffice's mark,
#: or a cell's text starting as an error value does
_ODS_ERROR_HINTS: Final = (b'value-type="error"', b"value-type='error'", b">#", b">Err:")
# python-calamine reads an ODS only when its tables are written with the prefix table: (it finds
# no sheet else), so the rows are found by their tags
_ODS_TAG: Final = re.compile(rb"<table:table(?:-row)?[\s/>]|</table:table>")
_ODS_ROW_END: Final = b"</table:table-row>"
_ODS_NS: Final = re.compile(rb"""\sxmlns:[\w.-]+=(?:"[^"]*"|'[^']*')""")
_ODS_TABLE: Final = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_P: Final = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_ODS_CALC_TYPE: Final = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


#: How much of a workbook part is read at a time when it is scanned
_BLOCK: Final = 1 << 20


def _holds_any(fh: IO[bytes], needles: Sequence[bytes]) -> bool:
    """Whether the stream ``fh`` holds one of ``needles``, read :data:`_BLOCK` at a time."""
    keep = max(map(len, needles)) - 1
    tail = b""
    while block := fh.read(_BLOCK):
        window = tail + block
        if any(n in window for n in needles):
            return True
        tail = window[-keep:]
    return False


def _found(data: bytes, needle: bytes) -> Iterator[int]:
    """Where ``needle`` starts in ``data``."""
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def _attr(tag: bytes, name: bytes, default: str) -> str:
    """The value of the attribute ``name`` in the start ``tag`` (XML entities read)."""
    import html

    m = re.search(rb"\s" + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    if m is None:
        return default
    return html.unescape((m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8"))


def _ods_error_cells(path: Path) -> list[tuple[str, dict[_Cell, str]]]:
    """The error cells of an OpenDocument spreadsheet: those LibreOffice marks
    ``calcext:value-type="error"``, and those that are a formula showing an error value
    (:data:`~kukm.rules.amounts.EXCEL_ERRORS`; another program's, without the mark). Each
    table's rows are counted by their tags, streamed; only a row whose bytes hold a hint
    (:data:`_ODS_ERROR_HINTS`) is parsed."""
    import xml.etree.ElementTree as ET
    import zipfile

    out: list[tuple[str, dict[_Cell, str]]] = []
    with zipfile.ZipFile(path) as zf:
        with zf.open("content.xml") as fh:
            if not _holds_any(fh, _ODS_ERROR_HINTS):
                return []
        cells: dict[_Cell, str] = {}
        depth = row = 0
        namespaces = b""
        buf = b""
        with zf.open("content.xml") as fh:
            while block := fh.read(_BLOCK):
                buf += block
                if not namespaces:  # the root's declarations, for parsing a row alone
                    root = re.search(rb"<[\w.-]+:document-content\b[^>]*>", buf)
                    if root is None:
                        continue
                    namespaces = b"".join(_ODS_NS.findall(root.group(0))) or b" "
                pos = 0
                hints = sorted(i for h in _ODS_ERROR_HINTS for i in _found(buf, h))
                k = 0
                while True:
                    m = _ODS_TAG.search(buf, pos)
                    if m is None:  # keep only what may be the start of a tag cut off
                        pos = max(pos, len(buf) - 32)
                        break
                    at = m.start()
                    if buf.startswith(b"</", at):  # a table's end
                        depth -= 1
                        pos = m.end()
                        continue
                    close = buf.find(b">", at)
                    if close < 0:
                        break  # the tag goes on in the next block
                    tag = buf[at : close + 1]
                    if not tag.startswith(b"<table:table-row"):  # a table's start
                        depth += 0 if tag.endswith(b"/>") else 1
                        if depth > 1:
                            raise ValueError("a table inside a table's cell")
                        cells, row = {}, 0
                        out.append((_attr(tag, b"table:name", ""), cells))
                        pos = close + 1
                        continue
                    repeat = int(_attr(tag, b"table:number-rows-repeated", "1")) if b"d=" in tag else 1
                    if tag.endswith(b"/>"):
                        row, pos = row + repeat, close + 1
                        continue
                    stop = buf.find(_ODS_ROW_END, close)
                    if stop < 0:
                        break  # the row goes on in the next block
                    stop += len(_ODS_ROW_END)
                    while k < len(hints) and hints[k] < at:
                        k += 1
                    if k < len(hints) and hints[k] < stop:  # the row may hold an error cell
                        body = buf[close + 1 : stop]
                        if b"<table:table " in body or b"<table:table>" in body:
                            raise ValueError("a table inside a table's cell")
                        xml_row = ET.fromstring(b"<kukm" + namespaces + b">" + buf[at:stop] + b"</kukm>")
                        _ods_row_errors(xml_row[0], row, repeat, cells)
                    row, pos = row + repeat, stop
                buf = buf[pos:]
    return out


def _ods_row_errors(row: Any, at: int, repeat: int, cells: dict[_Cell, str]) -> None:
    """Put the error cells of the ODS ``row`` element (sheet row ``at``, repeated ``repeat``
    times) in ``cells``."""
    from kukm.rules.amounts import EXCEL_ERRORS

    kinds = (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell")
    col = 0
    for cell in row:
        if cell.tag not in kinds:
            continue
        n = int(cell.get(_ODS_TABLE + "number-columns-repeated", "1"))
        marked = cell.get(_ODS_CALC_TYPE) == "error"
        if marked or cell.get(_ODS_TABLE + "formula") is not None:
            shown = "\n".join("".join(p.itertext()) for p in cell.findall(_ODS_P)).strip()
            if marked or shown in EXCEL_ERRORS:
                value = shown if shown in EXCEL_ERRORS else OTHER_ERROR
                for r in range(at, at + repeat):
                    for c in range(col, col + n):
                        cells[r, c] = value
        col += n


def _sheet_rows(sheet: Any, errors: dict[_Cell, str] | None) -> Iterator[Sequence[Any]]:
    """The rows of a python-calamine sheet as openpyxl gives them: each from column A
    (calamine starts every row at the sheet's first column holding something) and, with
    ``errors``, each error cell as its value (calamine reads it blank)."""
    rows: Iterator[Sequence[Any]] = iter(sheet.iter_rows())
    start = sheet.start
    first = start[1] if start is not None else 0
    if not first and not errors:
        return rows
    return _placed(rows, first, errors or {})


def _placed(
    rows: Iterator[Sequence[Any]], first: int, errors: dict[_Cell, str]
) -> Iterator[Sequence[Any]]:
    """:func:`_sheet_rows` when a row needs more than calamine gives: ``first`` blank cells
    before each row, and the ``errors`` put in."""
    pad: list[Any] = [""] * first
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), value in errors.items():
        by_row.setdefault(r, []).append((c, value))

    def put(cells: list[Any], values: list[tuple[int, str]]) -> list[Any]:
        for c, value in values:
            if c >= len(cells):
                cells.extend([""] * (c + 1 - len(cells)))
            cells[c] = value
        return cells

    done = 0
    for done, cells in enumerate(rows, start=1):
        values = by_row.get(done - 1)
        if values is not None:
            yield put([*pad, *cells], values)
        else:
            yield [*pad, *cells] if first else cells
    for r in range(done, max(by_row, default=-1) + 1):  # error cells below calamine's last row
        yield put([], by_row.get(r, []))


#: How many non-blank rows from the top may hold the header (titles above it), given a score
HEADER_SCAN: Final = 20

_T = TypeVar("_T")


def _find_header(
    rows: Iterator[_T],
    cells: Callable[[_T], list[str]],
    header_score: Callable[[list[str]], int] | None,
) -> tuple[list[_T], int | None, int | None]:
    """Read ``rows`` until the header is known: ``(rows read, best, first)``.

    ``best`` is the index of the row, among the first :data:`HEADER_SCAN`
    non-blank ones, whose ``cells`` score highest (the first of equals; ``None``
    when none scores or without ``header_score``); ``first`` that of the first
    non-blank row (``None``: all blank). Without a score, reading stops at the
    first non-blank row.
    """
    top: list[_T] = []
    best: tuple[int, int] | None = None  # (score, index in top)
    first: int | None = None
    filled = 0
    for item in rows:
        top.append(item)
        text = cells(item)
        if not any(text):
            continue
        filled += 1
        if first is None:
            first = len(top) - 1
        if header_score is None:
            break
        score = header_score(text)
        if score > 0 and (best is None or score > best[0]):
            best = (score, len(top) - 1)
        if filled >= HEADER_SCAN:
            break
    return top, (best[1] if best is not None else None), first


class Table:
    """An open input file: its ``columns`` and an iterator over ``(row, data)``.

    Use :func:`open_table`. A row the reader itself finds broken (extra cells,
    a line that is not JSON) is still yielded, and its issue is put in
    :attr:`row_issues` under its row number before the row is yielded.
    """

    def __init__(
        self,
        path: Path,
        fmt: Format,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        header_score: Callable[[list[str]], int] | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = path
        #: workbooks: the sheet the caller asked for (``None``: found by the header)
        self.wanted_sheet = sheet
        if sheet is not None and fmt not in _WORKBOOKS:
            raise ConfigurationError(
                f"{path.name} is not a workbook: it has no sheet {sheet!r} to choose",
                code=SHEET_TIDAK_ADA,
            )
        #: the 1-based line of the file (or sheet) holding the header
        self.header_line = 1
        #: the cells of the first non-blank row below the header, when the header search read
        #: it (a second row of titles under merged cells shows there)
        self.next_row: list[str] | None = None
        # XLSX: sheet row → cells holding a formula without its result
        self._no_result: dict[int, list[str]] = {}
        self.format: Format = fmt
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.columns: list[str] = []
        #: all header cells, including ``_`` annotations (kept for reference)
        self.raw_columns: list[str] = []
        #: row number -> read issue of that row (only rows that had one)
        self.row_issues: dict[int, Issue] = {}
        #: workbooks: the columns whose number cells of 16+ digits are reported (``None``: all);
        #: the import leaves out the columns its form ignores
        self.long_number_columns: set[str] | None = None
        #: workbooks (XLSX, XLS, ODS): the title of the sheet read, and of every sheet
        self.sheet: str | None = None
        self.sheets: list[str] = []
        #: workbooks: the library that read it, ``"calamine"`` or ``"openpyxl"``
        self.engine: str | None = None
        self._fh: IO[Any] | None = None
        self._wb: Any = None
        self._renamed: dict[str, str] = {}
        self._iter: Iterator[tuple[int, dict[str, str]]]
        if fmt == "csv":
            self._open_csv(encoding, delimiter, header_score)
        elif fmt == "xlsx":
            self._open_xlsx(header_score)
        elif fmt in ("xls", "odf"):
            self._open_calamine(header_score)
        else:
            self._open_jsonl()

    # -- CSV -------------------------------------------------------------------
    def _open_csv(
        self,
        encoding: str | None,
        delimiter: str | None,
        header_score: Callable[[list[str]], int] | None = None,
    ) -> None:
        if delimiter is not None:
            delimiter = DELIMITER_NAMES.get(delimiter.lower(), delimiter)
            if len(delimiter) != 1 or delimiter in '"\r\n':
                raise ConfigurationError(
                    f"the delimiter must be one character or 'tab', not {delimiter!r}",
                    code=DELIMITER_INVALID,
                )
        with open(self.path, "rb") as raw:
            head = raw.read(_SAMPLE)
        if head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            enc = "utf-16"  # Excel's "Unicode Text" (tab-separated)
        elif encoding:
            try:
                enc = codecs.lookup(encoding).name
            except LookupError:
                raise ConfigurationError(
                    f"unknown encoding {encoding!r}", code="ENCODING_UNKNOWN"
                ) from None
        else:
            enc = detect_encoding(head, complete=len(head) < _SAMPLE)
        self.encoding = enc
        fh = open(self.path, encoding=enc, errors=decode_errors(enc), newline="")  # noqa: SIM115
        self._fh = fh
        try:
            self._read_header(fh, delimiter, header_score)
        except UnicodeError as exc:
            raise self._encoding_error(0, exc) from exc

    def _encoding_error(self, row: int, exc: UnicodeError) -> ConfigurationError:
        where = f"data row {row}" if row else "the start of the file"
        return ConfigurationError(
            f"{self.path.name} is not {self.encoding} text at {where} ({exc}); give the right "
            "--encoding (e.g. cp1252) or save the file as CSV UTF-8",
            code=CSV_ENCODING_SALAH,
        )

    def _read_header(
        self,
        fh: IO[str],
        delimiter: str | None,
        header_score: Callable[[list[str]], int] | None,
    ) -> None:
        # the header is the first non-blank line (blank lines and lines of only separators,
        # ";;;;", above it are passed over, as blank rows above an XLSX header are), or with a
        # score the best-scoring of the first HEADER_SCAN non-blank lines (titles above the
        # table, a sheet saved as CSV), as in XLSX; the first non-blank line when none scores.
        # Its delimiter is sniffed from it, never from a blank line or a title above it.

        def cells(line: str) -> list[str]:
            sep = delimiter or sniff_delimiter(line)
            try:
                return [c.strip() for c in next(csv.reader([line], delimiter=sep), [])]
            except csv.Error:  # a quote never closed: no header (the rows report it)
                return []

        top, best, nonblank = _find_header(csv_records(fh), cells, header_score)
        at = best if best is not None else (nonblank if nonblank is not None else 0)
        first = top[at] if top else ""
        # a record above the header may span lines (a quoted cell with line breaks)
        self.header_line = 1 + sum(r.count("\n") for r in top[:at])
        self.next_row = next((c for c in map(cells, top[at + 1 :]) if any(c)), None)
        lines: Iterable[str] = itertools.chain(top[at + 1 :], fh)
        self.delimiter = delimiter or sniff_delimiter(first)
        try:
            header = next(csv.reader([first], delimiter=self.delimiter), [])
        except csv.Error as exc:
            raise ConfigurationError(
                f"the header of {self.path.name} cannot be read ({exc}): a quote (\") opened "
                "in a title and never closed?",
                code=CSV_TIDAK_TERBACA,
            ) from exc
        self._set_header([h.strip() for h in header])
        self._csv_reader = csv.reader(lines, delimiter=self.delimiter)
        self._iter = self._csv_rows(self._csv_reader)

    def _set_header(self, header: list[str]) -> None:
        self.raw_columns = header
        self._keep = [i for i, h in enumerate(header) if h and not h.startswith("_")]
        self.columns = [header[i] for i in self._keep]

    def _repeats_header(self, row: int, cells: Sequence[str]) -> bool:
        """Whether ``cells`` (a row's texts) are the header's titles again (blanks around and
        between words, and case, aside; nothing beyond them): an export that writes the
        titles on every page. The row then gets ``BARIS_JUDUL_ULANG`` in :attr:`row_issues`,
        so it is refused as what it is, never read as data (a business named ``nama_usaha``
        with NIB ``nib``)."""
        raw = self.raw_columns
        width = len(raw)
        if len(cells) < width and any(raw[len(cells) :]):
            return False
        if any(c.strip() for c in cells[width:]):
            return False
        if any(_title_key(c) != _title_key(t) for c, t in zip(cells, raw, strict=False)):
            return False
        shown = "|".join(c.strip() for c in cells[:width])[:200]
        self.row_issues[row] = issue(BARIS_JUDUL_ULANG, None, shown, row=row)
        return True

    def _untitled(self) -> list[int]:
        """Positions of the columns without a title (their data has no field to go to)."""
        return [i for i, h in enumerate(self.raw_columns) if not h]

    @staticmethod
    def _stray(row: int, where: Sequence[int], cells: Sequence[str]) -> Issue:
        """``SEL_TANPA_JUDUL`` for the cells at ``where`` (0-based positions), named by their
        column letters as a spreadsheet shows them: the row is refused rather than its data
        dropped without a word."""
        from openpyxl.utils import get_column_letter

        letters = ", ".join(get_column_letter(i + 1) for i in where)
        value = "|".join(cells[i].strip() if i < len(cells) else "" for i in where)[:200]
        return issue(SEL_TANPA_JUDUL, None, value, row=row, detail=letters)

    def _csv_rows(
        self, reader: Iterator[list[str]], lists: bool = False
    ) -> Iterator[tuple[int, Any]]:
        keep = self._keep
        names = self.columns
        width = len(self.raw_columns)
        pairs = list(zip(keep, names, strict=True))
        every = keep == list(range(width))  # no ignored ("_…") columns: zip in C
        untitled = self._untitled()
        strip = str.strip
        # a row repeating the header (_repeats_header) holds its first title where it stands
        lead = next((i for i, t in enumerate(self.raw_columns) if t), -1)
        title = _title_key(self.raw_columns[lead]) if lead >= 0 else ""
        initial = frozenset({title[:1], title[:1].upper()})  # a cheap test before the key
        repeats = self._repeats_header
        row = 0
        try:
            for row, cells in enumerate(reader, start=1):
                n = len(cells)
                if (
                    n > lead >= 0
                    and cells[lead].lstrip()[:1] in initial
                    and _title_key(cells[lead]) == title
                ):
                    repeats(row, cells)
                if every and n == width and n and cells[0] and cells[0].strip():
                    if lists:
                        yield row, list(map(strip, cells))
                    else:
                        yield row, dict(zip(names, map(strip, cells), strict=True))
                    continue
                extra = n > width and any(c.strip() for c in cells[width:])
                stray = [i for i in untitled if i < n and cells[i].strip()]
                if not extra and not stray and not any(cells[i].strip() for i in keep if i < n):
                    continue  # blank, or only an ignored column ("No" of a numbered template)
                if extra:
                    self.row_issues[row] = issue(
                        BARIS_KOLOM_LEBIH, None, "|".join(cells[width:])[:200], row=row
                    )
                elif stray:
                    self.row_issues[row] = self._stray(row, stray, cells)
                yield row, {name: (cells[i].strip() if i < n else "") for i, name in pairs}
        except UnicodeError as exc:  # a byte the declared encoding does not have
            raise self._encoding_error(row + 1, exc) from exc
        except csv.Error as exc:  # a quote never closed ran a cell over the field size limit
            raise ConfigurationError(
                f"data row {row + 1} of {self.path.name} cannot be read ({exc}): a quote (\") "
                "opened in a cell and never closed, or a cell longer than "
                f"{csv.field_size_limit():,} characters",
                code=CSV_TIDAK_TERBACA,
            ) from exc

    # -- XLSX ---------------------------------------------------------------------
    def _open_xlsx(self, header_score: Callable[[list[str]], int] | None) -> None:
        """An XLSX workbook: with python-calamine when it fits (:func:`_calamine_fits`), else
        streamed with openpyxl (module docstring). A row holding formulas whose results were
        never saved is refused (``SEL_RUMUS_TANPA_NILAI``, naming the cells): both engines
        would read them as blank cells."""
        formulas = self._open_xlsx_engine(header_score)
        for ref in _formulas_without_result(self.path, self.sheet, formulas):
            row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            self._no_result.setdefault(row, []).append(ref)

    def _open_xlsx_engine(self, header_score: Callable[[list[str]], int] | None) -> set[str] | None:
        """Open the workbook with one engine; the worksheet parts holding a formula when the
        size check read them all (``None``: not known)."""
        formulas: set[str] = set()
        if _calamine_fits(self.path, formulas):
            from python_calamine import CalamineError

            try:
                self._open_calamine(header_score)  # sets the engine
            except CalamineError:  # openpyxl reads it, or says what is wrong
                self.close()
            else:
                return formulas
        from openpyxl import load_workbook

        self.engine = "openpyxl"
        # a file object, not the path: openpyxl refuses a workbook whose suffix is not .xlsx
        self._fh = open(self.path, "rb")  # noqa: SIM115 - closed with the table
        wb = load_workbook(self._fh, read_only=True, data_only=True)
        self._wb = wb
        for ws in wb.worksheets:
            # the size a sheet states (<dimension ref="A1:C3">) may be stale or wrong, as some
            # writers leave it; openpyxl would read only that range: read what is there
            reset = getattr(ws, "reset_dimensions", None)
            if reset is not None:
                reset()
        sheets = [(ws.title, partial(ws.iter_rows, values_only=True)) for ws in wb.worksheets]
        self._open_sheets(sheets, header_score)
        return None

    def _open_calamine(self, header_score: Callable[[list[str]], int] | None) -> None:
        """Excel 97-2003 (``.xls``) and OpenDocument (``.ods``, LibreOffice Calc) workbooks,
        and XLSX ones of moderate size, read with python-calamine; then as any workbook."""
        self.engine = "calamine"
        from python_calamine import CalamineWorkbook

        # from the bytes, not the path: calamine would take the format from the file's suffix
        with open(self.path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
        self._wb = wb

        # error cells, which calamine reads blank (module docstring); an XLSX holding one is
        # read by openpyxl (_calamine_fits)
        found = _error_cells(self.path, self.format)
        names = wb.sheet_names
        if len(found) == len(names):  # both list the sheets in the workbook's order
            found = [(name, cells) for name, (_, cells) in zip(names, found, strict=True)]
        errors = {name: cells for name, cells in found if cells}
        # else by their titles (xlrd lists no chart sheet): error cells on a sheet calamine
        # does not name would be lost without a word
        lost = sorted(set(errors) - set(names))
        if lost:
            raise ConfigurationError(
                f"the error cells (#N/A, #REF!, …) of sheet {lost[0]!r} of {self.path.name} "
                "cannot be placed, so they would read as blank cells: open it in Excel and "
                "save it again as .xlsx",
                code=BERKAS_TIDAK_TERBACA,
            )

        def rows_of(name: str) -> Iterator[Sequence[Any]]:
            return _sheet_rows(wb.get_sheet_by_name(name), errors.get(name))

        self._open_sheets([(name, partial(rows_of, name)) for name in wb.sheet_names], header_score)

    def _open_sheets(
        self,
        sheets: Sequence[tuple[str, Callable[[], Iterator[Sequence[Any]]]]],
        header_score: Callable[[list[str]], int] | None,
    ) -> None:
        """Read the header of the workbook's data sheet (its title and a row iterator each)."""

        def cells(values: Sequence[Any]) -> list[str]:
            return [_cell_text(v) for v in values]

        # the first sheet, or with a score the sheet whose header scores highest (the first of
        # equals, an empty sheet losing to one that holds something): a workbook may open with
        # a cover or instructions sheet before its data, or with an empty "Sheet1"
        chosen: tuple[
            tuple[int, bool], str | None, Iterator[Sequence[Any]], list[Any], int | None, int | None
        ]
        chosen = ((-1, False), None, iter(()), [], None, None)
        self.sheets = [title for title, _ in sheets]
        if self.wanted_sheet is not None:
            wanted = self.wanted_sheet
            named = [x for x in sheets if x[0] == wanted] or [
                x for x in sheets if x[0].strip().casefold() == wanted.strip().casefold()
            ]
            if not named:
                raise ConfigurationError(
                    f"no sheet {wanted!r} in {self.path.name} (its sheets: "
                    + ", ".join(repr(t) for t in self.sheets) + ")",
                    code=SHEET_TIDAK_ADA,
                )
            sheets = named[:1]
        for title, open_rows in sheets if header_score is not None else sheets[:1]:
            it = open_rows()
            top, best, first = _find_header(it, cells, header_score)
            score = header_score(cells(top[best])) if header_score and best is not None else 0
            rank = (score, first is not None)
            if rank > chosen[0]:
                chosen = (rank, title, it, top, best, first)
        _, self.sheet, rows, top, best, first = chosen
        at = best if best is not None else first
        if at is None:  # an empty sheet
            self._iter = iter(())
            return
        self._set_header([_cell_text(v) for v in top[at]])
        self.header_line = at + 1
        self.next_row = next((c for c in map(cells, top[at + 1 :]) if any(c)), None)
        self._iter = self._xlsx_rows(itertools.chain(top[at + 1 :], rows))

    def _xlsx_rows(self, rows: Iterator[Sequence[Any]]) -> Iterator[tuple[int, dict[str, str]]]:
        pairs = list(zip(self._keep, self.columns, strict=True))
        only = self.long_number_columns
        names = {i: name for i, name in pairs if only is None or name in only}
        width = len(self.raw_columns)
        untitled = self._untitled()
        keep = self._keep
        no_result = self._no_result
        # data row r is on sheet row r + header_line (both engines give rows from the sheet's
        # first row, blank ones too)
        base = self.header_line
        for row, values in enumerate(rows, start=1):
            cells = [_cell_text(v) for v in values]
            n = len(cells)
            # a cell beyond the header's last title is under a column without a title, as
            # it is where the sheet's stated size took it in (python-calamine, openpyxl)
            stray = [i for i in untitled if i < n and cells[i]]
            stray += [i for i in range(width, n) if cells[i]]
            unsaved = no_result.get(row + base) if no_result else None
            if not stray and not unsaved and not any(cells[i] for i in keep if i < n):
                continue  # blank, or only an ignored column ("No" of a numbered template)
            if unsaved:
                self.row_issues[row] = issue(
                    SEL_RUMUS_TANPA_NILAI, None, ", ".join(unsaved)[:200], row=row,
                    detail=", ".join(unsaved)[:200],
                )  # fmt: skip
            elif stray:
                self.row_issues[row] = self._stray(row, stray, cells)
            elif not self._repeats_header(row, cells):
                for i, v in enumerate(values):
                    if (
                        (type(v) is int or type(v) is float)
                        and abs(v) >= _EXCEL_LIMIT
                        and i in names
                    ):
                        self.row_issues[row] = issue(SEL_ANGKA_PANJANG, names[i], cells[i], row=row)
                        break
            yield row, {name: (cells[i] if i < n else "") for i, name in pairs}

    # -- JSON lines -------------------------------------------------------------------
    def _open_jsonl(self) -> None:
        """JSON lines, read by the rules of :mod:`kukm._jsonread` (as ``kukm ods import``
        reads them): UTF-8, UTF-16 or UTF-32 (:func:`kukm._jsonread.encoding`); a line that
        is not a JSON object, or holds ``NaN``/``Infinity`` (not JSON), is
        ``BARIS_JSON_INVALID``, one holding a number a float would round
        ``BARIS_JSON_ANGKA_TIDAK_TEPAT``, one giving a key twice with different values
        ``BARIS_JSON_KUNCI_GANDA``, each naming the key holding it."""
        enc = jsonread.encoding(self.path)
        # a byte that is not UTF-8 text is kept as a lone surrogate and refuses its line only
        # (BARIS_JSON_INVALID), never the rest of the file (it was a UnicodeDecodeError)
        errors = "surrogateescape" if enc.startswith("utf-8") else "strict"
        fh = open(self.path, encoding=enc, errors=errors, newline="")  # noqa: SIM115
        self._fh = fh
        self.encoding = "utf-8" if enc == "utf-8-sig" else enc
        # the header is the keys of the first object; later new keys are appended
        pos = fh.tell()
        try:
            for line in fh:
                if _NOT_UTF8.search(line):
                    continue
                if line.strip("\ufeff \t\r\n"):
                    first, _ = jsonread.parse_line(line)
                    if isinstance(first, dict):
                        self._set_header([str(k) for k in first])
                    break
        except UnicodeError as exc:
            raise self._encoding_error(0, exc) from exc
        fh.seek(pos)
        self._iter = self._jsonl_rows(fh)

    def _decoded(self, fh: IO[str], row: list[int]) -> Iterator[str]:
        """The lines of ``fh``; a UTF-16/32 file that breaks off after data row ``row[0]`` is
        ``CSV_ENCODING_SALAH`` (a UTF-8 one cannot: its stray bytes refuse their lines)."""
        lines = iter(fh)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except UnicodeError as exc:
                raise self._encoding_error(row[0] + 1, exc) from exc
            yield line

    def _jsonl_rows(self, fh: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
        known = set(self.raw_columns)
        row = 0
        at = [0]
        for line in self._decoded(fh, at):
            at[0] = row
            if not line.strip("\ufeff \t\r\n"):
                continue
            row += 1
            bad = _NOT_UTF8.search(line)
            if bad is not None:
                shown = _NOT_UTF8.sub("\ufffd", line.rstrip("\r\n"))[:200]
                byte = ord(bad.group()) - 0xDC00
                detail = f"byte 0x{byte:02x} is not {self.encoding} text (RFC 8259 §8.1: UTF-8)"
                self.row_issues[row] = issue(BARIS_JSON_INVALID, None, shown, row=row, detail=detail)
                yield row, {}
                continue
            data, problem = jsonread.parse_line(line)
            if not isinstance(data, dict) or (problem is not None and problem.kind == "invalid"):
                detail = problem.detail if problem is not None else "not an object"
                where = problem.key if problem is not None else None
                self.row_issues[row] = issue(
                    BARIS_JSON_INVALID, where, line.rstrip("\r\n")[:200], row=row, detail=detail
                )
                yield row, {}
                continue
            if problem is not None:  # kept whole for the errors file, the row refused
                code = _JSON_PROBLEM_CODES[problem.kind]
                self.row_issues[row] = issue(
                    code, problem.key, problem.value, row=row, detail=problem.detail
                )
            for k in data:
                if k not in known:
                    known.add(k)
                    self.raw_columns.append(k)
                    if not k.startswith("_"):
                        name = str(k)
                        self.columns.append(self._renamed.get(name, name))
            renamed = self._renamed
            yield (
                row,
                {
                    renamed.get(str(k), str(k)): _cell_text(v)
                    for k, v in data.items()
                    if not str(k).startswith("_")
                },
            )

    # -- protocol ------------------------------------------------------------------------
    def rename(self, renamed: dict[str, str]) -> None:
        """Give columns other names (old → new) before the rows are read: the rows then
        carry the new names, :attr:`raw_columns` keeps the file's own titles.

        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
        >>> _ = p.write_text("Nama Usaha,kota\\nKopi,Jakarta\\n", encoding="utf-8")
        >>> with open_table(p) as t:
        ...     t.rename({"Nama Usaha": "nama_usaha"})
        ...     t.columns, list(t)
        (['nama_usaha', 'kota'], [(1, {'nama_usaha': 'Kopi', 'kota': 'Jakarta'})])
        """
        self._renamed.update(renamed)
        self.columns = [renamed.get(c, c) for c in self.columns]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._iter

    def cell_rows(self) -> Iterator[tuple[int, list[str] | dict[str, str]]]:
        """The rows as iterating gives them, but a regular CSV row (as many cells as the
        header, which has no ignored ``_`` column) as the list of its stripped cells, in the
        order of :attr:`columns`, without making a dict (the bulk import's form). Iterate one
        way or the other, not both.

        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("a,b\\n 1 ,2\\n,\\n3\\n", encoding="utf-8")
        >>> with open_table(p) as t:
        ...     list(t.cell_rows())
        [(1, ['1', '2']), (3, {'a': '3', 'b': ''})]
        """
        if self.format == "csv" and self._keep == list(range(len(self.raw_columns))):
            return self._csv_rows(self._csv_reader, lists=True)
        return self._iter

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._wb is not None:
            self._wb.close()
            self._wb = None

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_table(
    path: str | Path,
    *,
    format: Format | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_score: Callable[[list[str]], int] | None = None,
    sheet: str | None = None,
) -> Table:
    """Open an input file for streaming (see the module docstring for the rules;
    ``header_score`` finds a CSV or XLSX header below title rows).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = p.write_bytes("nama,_codes\\nKop\\xe9rasi,X\\n".encode("cp1252"))
    >>> with open_table(p) as t:
    ...     t.encoding, t.columns, list(t)
    ('cp1252', ['nama'], [(1, {'nama': 'Kopérasi'})])
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigurationError(f"input file not found: {p}", code="INPUT_NOT_FOUND")
    fmt = format or sniff_format(p, detect_format(p))
    try:
        return Table(
            p, fmt, encoding=encoding, delimiter=delimiter, header_score=header_score,
            sheet=sheet,
        )  # fmt: skip
    except Exception as exc:
        if fmt not in _WORKBOOKS or isinstance(exc, ConfigurationError):
            raise
        raise ConfigurationError(
            f"{p.name} cannot be read as a workbook ({fmt}): {type(exc).__name__}: {exc}",
            code=BERKAS_TIDAK_TERBACA,
        ) from exc
