"""The ONE rule for reading rupiah amounts and dates as people write them.

Rupiah (result: an exact ``int``; anything else is rejected with a stable code,
never guessed):

1. Spaces around the value are ignored; a leading ``Rp`` / ``Rp.`` / ``IDR``
   (any case, with or without a space) is dropped, and so is a trailing
   ``rupiah``; one leading ``-`` is the sign; a trailing ``,-`` or ``.-``
   (``Rp 1.500.000,-``, ``Rp 1.500.000.-``: no sen) is dropped. ``Rp`` followed
   by a dash alone (``Rp -``) is zero: Excel's Accounting format shows a zero
   so (a dash alone, without ``Rp``, is a blank cell: :data:`BLANK_CELLS`).
2. The number uses the Indonesian convention: ``.`` groups thousands
   (groups of exactly three digits: ``1.500.000``), ``,`` starts the decimals
   (``1,5``). Plain digits (``1500000``) are fine.
3. An optional multiplier word follows, with or without a space (any case):
   ``rb``/``ribu`` = 10³, ``jt``/``juta`` = 10⁶, ``M``/``miliar``/``milyar`` = 10⁹,
   ``T``/``triliun`` = 10¹².
4. The value times the multiplier must be a whole number of rupiah
   (``1,5 juta`` = 1.500.000; ``1,0000005 juta`` is rejected).
5. A number as spreadsheets and databases export it, four or more digits, a
   ``.`` and one or two decimals (``1500000.0``, ``1500000.00``), is read with
   the dot as the decimal point: by rule 2 a dot is followed by exactly three
   digits and preceded by at most three, so no Indonesian amount is written so.
6. Thousands grouped by **two or more** commas, as English-locale
   spreadsheets write them (``1,500,000``, ``1,500,000.00``), are read so: by
   rule 2 a comma starts the decimals, so it appears at most once in an
   Indonesian amount. One comma stays ambiguous (``1,500``).
7. Thousands grouped by single spaces (``1 500 000``; also the no-break
   spaces spreadsheets format numbers with) in groups of exactly three digits
   are read as grouped by dots.
8. Before a multiplier word written out or shortened (``ribu``/``rb``,
   ``juta``/``jt``, ``miliar``/``milyar``, ``triliun``), a dot followed by one or
   two digits is the decimal point (``1.5 juta`` = 1.500.000): a thousands dot is
   followed by three. Not before the letters ``M`` or ``T``: ``1.5M`` is
   English-style, where ``M`` is a million, not a *miliar* (rule 3), so it
   stays ambiguous.

Rejections: ``AMOUNT_AMBIGUOUS`` when a dot is followed by other than three
digits outside rules 5 and 8 (``1.5``: English decimal or a typo?) or a comma by exactly three digits
without a multiplier (``1,500``: English thousands?); ``AMOUNT_NOT_INTEGER``
for fractions of a rupiah; ``NOTASI_ILMIAH`` for Excel's scientific notation
(``1,5E+11``: Excel shows a long number so and its last digits are gone);
``AMOUNT_FORMAT`` for anything else. Head counts (:func:`parse_int`) may group
thousands with ``,`` as the ODS does (a count cannot have decimals).

Whole rupiah (rule 4): the amounts of the forms (modal usaha, omzet, aset, volume
usaha) are reported in rupiah, and a rupiah's hundredth, the sen, has long been out of
circulation, so no amount held or turned over has one. A fraction is then a
formula's leftover (``=A2/3`` of 1.000.000 gives 333.333,33…) or a mistyped
separator, and which whole amount was meant is not for the import to guess: it is
refused with ``AMOUNT_NOT_INTEGER``, never rounded, and the officer rounds it in
the sheet (``=ROUND(A2/3;0)``).
Spreadsheet *number* cells are not text and are never ambiguous: the readers
(:mod:`kukm.pipeline.readers`) read one to the 15 significant digits a spreadsheet
keeps and shows (``=1500000*1,1`` leaves 1650000.0000000002 in binary: 1650000),
give a whole number as its digits (``1500000.0`` → ``1500000``) and one with a
fraction with the decimal comma, which rule 2 reads as a decimal (``123.45`` →
``123,45``, ``1500000.5`` → ``1500000,5``; a fraction of exactly three digits
with a ``0`` after it, ``12.345`` → ``12,3450``, so that no rule takes it for
thousands): ``AMOUNT_NOT_INTEGER``, as the same fraction typed (in a head count
``INT_FORMAT``). The *text* ``123.45`` stays ``AMOUNT_AMBIGUOUS``.

Empty cells as people write them: a cell holding only a dash (``-``, ``--``,
``–``, ``—``) or a word for "none" (``tidak ada``, ``belum ada``, ``nihil``,
``kosong``, ``N/A``; lower, Title or UPPER case) is blank (:data:`BLANK_CELLS`),
in every field: an optional field is then empty, a required one
``REQUIRED_MISSING``. (``0`` is not among them: it is an amount.)

Dates, day first as Indonesia writes them: ISO ``YYYY-MM-DD`` (also with a
time of day after it, ``2019-12-02 00:00:00`` as exports write dates: the date
is taken); ``DD/MM/YYYY`` (the ODS form), ``DD-MM-YYYY`` or ``DD.MM.YYYY``
(one or two digits for day and month); the year first with ``/`` or ``.``
(``2019/12/02``: year, month, day, as no one writes day before month after
the year); ``D Month YYYY`` with the month's
Indonesian name or its three-letter short form, any case (``2 Desember 2019``,
``02-Des-2019``; the English forms that differ too: ``May``, ``Aug``,
``Oct``, ``Dec``); a five-digit number is the serial number Excel saves a
date cell as when its column is not formatted as a date (``43801`` =
2019-12-02; 1900 date system), a fraction after it the time of day (``43801.5``, or
``43801,5`` as kukm reads such a number cell: the date, as with ISO dates). A
two-digit year is not read (which century?), nor a year alone (``2019``: which day?).
``DATE_FORMAT`` for other shapes, ``DATE_INVALID`` for impossible days
(``31/02/2020``) or times.

>>> [parse_rupiah(s) for s in ("Rp 1.500.000", "1.500.000", "1500000", "1,5 juta", "2 M")]
[1500000, 1500000, 1500000, 1500000, 2000000000]
>>> parse_rupiah("1.5")
Traceback (most recent call last):
...
kukm.exceptions.InvalidFormat: [AMOUNT_AMBIGUOUS] ...
>>> parse_date("02/12/2019"), parse_date("2019-12-02")
(datetime.date(2019, 12, 2), datetime.date(2019, 12, 2))
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from kukm.exceptions import InvalidFormat, register_code
from kukm.ids._util import format_error

__all__ = [
    "AMOUNT_AMBIGUOUS",
    "AMOUNT_FORMAT",
    "AMOUNT_NOT_INTEGER",
    "BLANK_CELLS",
    "DATE_FORMAT",
    "DATE_INVALID",
    "EXCEL_ERRORS",
    "MULTIPLIERS",
    "parse_date",
    "parse_int",
    "parse_rupiah",
]

AMOUNT_FORMAT = register_code(
    "AMOUNT_FORMAT",
    "Format jumlah rupiah tidak dikenali (contoh yang benar: 1.500.000, Rp 1.500.000, 1,5 juta).",
    "Unrecognised rupiah amount (valid examples: 1.500.000, Rp 1.500.000, 1,5 juta).",
    module=__name__,
)
AMOUNT_AMBIGUOUS = register_code(
    "AMOUNT_AMBIGUOUS",
    "Jumlah rupiah ambigu: titik adalah pemisah ribuan (3 angka), koma adalah desimal.",
    "Ambiguous rupiah amount: '.' separates thousands (3 digits), ',' starts decimals.",
    module=__name__,
)
AMOUNT_NOT_INTEGER = register_code(
    "AMOUNT_NOT_INTEGER",
    "Jumlah rupiah harus bilangan bulat (tanpa sen). Sel angka bisa menyimpan pecahan yang "
    "tidak tampil karena format selnya; bulatkan di lembar kerja (=ROUND(...;0)).",
    "A rupiah amount must be a whole number (no sen). A number cell may hold a fraction its "
    "format does not show; round it in the sheet (=ROUND(...;0)).",
    module=__name__,
)
DATE_FORMAT = register_code(
    "DATE_FORMAT",
    "Format tanggal tidak dikenali (gunakan YYYY-MM-DD atau DD/MM/YYYY).",
    "Unrecognised date format (use YYYY-MM-DD or DD/MM/YYYY).",
    module=__name__,
)
DATE_INVALID = register_code(
    "DATE_INVALID",
    "Tanggal tidak ada di kalender.",
    "The date does not exist.",
    module=__name__,
)
INT_FORMAT = register_code(
    "INT_FORMAT",
    "Harus berupa bilangan bulat.",
    "Must be a whole number.",
    module=__name__,
)

#: Cell texts that mean "no value" (module docstring), matched exactly after stripping.
BLANK_CELLS: Final[frozenset[str]] = frozenset(
    {"-", "--", "---", "\u2013", "\u2014", "N/A", "n/a", "N/a"}
    | {
        form
        for word in ("tidak ada", "belum ada", "nihil", "kosong")
        for form in (word, word.title(), word.upper(), word.capitalize())
    }
)

#: LibreOffice Calc's error codes a cell shows as ``Err:NNN`` (the others show as Excel's
#: ``#NUM!``, ``#VALUE!``, ``#REF!``, ``#NAME?``, ``#DIV/0!``): "Error Codes in LibreOffice
#: Calc", help.libreoffice.org/latest/en-US/text/scalc/05/02140000.html.
LIBREOFFICE_ERROR_CODES: Final = (
    501, 502, 504, 507, 508, 509, 510, 511, 512, 513, 514, 516, 517, 518, 520, 521, 522, 523,
    526, 527, 538, 539, 540,
)  # fmt: skip

#: What a spreadsheet shows in a cell whose formula failed (Excel's and LibreOffice's error
#: values; a CSV saves them as this text, openpyxl reads an error cell as it): never a value
#: of any field (a failed VLOOKUP is not a name or an address).
EXCEL_ERRORS: Final[frozenset[str]] = frozenset(
    ("#N/A", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
     *(f"Err:{n}" for n in LIBREOFFICE_ERROR_CODES))
)  # fmt: skip

#: Multiplier words (lower case) and their power of ten.
MULTIPLIERS: Final[dict[str, int]] = {
    "rb": 3,
    "ribu": 3,
    "jt": 6,
    "juta": 6,
    "m": 9,
    "miliar": 9,
    "milyar": 9,
    "t": 12,
    "triliun": 12,
}

_NUMBER = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
_SPLIT = re.compile(r"([0-9.,]+)\s*([a-z]*)")
_GROUPED_INT = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")
_DOT_DECIMAL = re.compile(r"\d+\.\d+")
# the unit of a head count ("5 orang")
_COUNT_UNITS: Final = ("orang", "org", "jiwa")
# rule 6: thousands grouped by two or more commas, as English spreadsheets write them
_ENGLISH_GROUPED = re.compile(r"(\d{1,3}(?:,\d{3}){2,})(?:\.(\d{1,2}))?")
# rule 5: a number as exported ("1500000.0"): the dot is a decimal point
_EXPORT_DECIMAL = re.compile(r"(\d{4,})\.(\d{1,2})")
# rule 7: thousands grouped by spaces (also no-break and narrow no-break spaces)
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![0-9.])")
# rule 8: "1.5 juta": a decimal dot before a multiplier word (not the letters m and t)
_WORD_DECIMAL = re.compile(r"(\d+)\.(\d{1,2})")
_DECIMAL_WORDS: Final = frozenset(MULTIPLIERS) - {"m", "t"}
_DASHES: Final = frozenset({"-", "\u2013", "\u2014"})
# the form most files use ("Rp 1.500.000", "Rp1500000"): read without the general rule's steps;
# tests check it agrees with the general rule on every input
_RP_PLAIN = re.compile(r"Rp ?([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)")


def parse_rupiah(text: str) -> int:
    """Read an amount of rupiah by the one rule above; raise ``InvalidFormat`` otherwise.

    >>> parse_rupiah("Rp2,5 M"), parse_rupiah("750 rb"), parse_rupiah("-Rp 5.000")
    (2500000000, 750000, -5000)
    >>> parse_rupiah("1,500")
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidFormat: [AMOUNT_AMBIGUOUS] ...
    """
    s = text.strip()
    if s.isdigit() and s.isascii():  # fast path: plain digits
        return int(s)
    m = _RP_PLAIN.fullmatch(s)
    if m is not None:
        return int(m.group(1).replace(".", ""))
    return _parse_rupiah_general(text)


def _parse_rupiah_general(text: str) -> int:
    """:func:`parse_rupiah` without its fast paths (the rule as written)."""
    s = text.strip().lower()
    negative = False
    if s.startswith("-"):
        negative, s = True, s[1:].lstrip()
    prefixed = s.startswith(("rp", "idr"))
    if s.startswith("rp"):
        s = s[2:].lstrip(". \u00a0")
    elif s.startswith("idr"):
        s = s[3:].lstrip(". \u00a0")
    if s.endswith("rupiah"):
        s = s[:-6].rstrip()
    if prefixed and not negative and s in _DASHES:
        return 0  # "Rp -": Excel's Accounting format shows zero so (rule 1)
    if s.startswith("-") and not negative:
        negative, s = True, s[1:].lstrip()
    if s.endswith((",-", ".-")):
        s = s[:-2].rstrip()
    g = _SPACE_GROUPED.match(s)
    if g is not None:  # rule 7
        s = "".join(filter(str.isdigit, g.group(0))) + s[g.end() :]
    m = _SPLIT.fullmatch(s)
    if m is None or not s.isascii():
        raise format_error(AMOUNT_FORMAT, text)
    number, word = m.group(1), m.group(2)
    power = 0
    if word:
        if word not in MULTIPLIERS:
            raise InvalidFormat(code=AMOUNT_FORMAT, value=text)
        power = MULTIPLIERS[word]
    n = _NUMBER.fullmatch(number)
    if n is None and not word:  # rule 5 (1500000.0) or rule 6 (1,500,000 and 1,500,000.00)
        n = _EXPORT_DECIMAL.fullmatch(number) or _ENGLISH_GROUPED.fullmatch(number)
    elif n is None and word in _DECIMAL_WORDS:  # rule 8 (1.5 juta)
        n = _WORD_DECIMAL.fullmatch(number)
    if n is None:
        if _DOT_DECIMAL.fullmatch(number) or (number.count(",") == 1 and "." not in number):
            raise InvalidFormat(code=AMOUNT_AMBIGUOUS, value=text)
        raise InvalidFormat(code=AMOUNT_FORMAT, value=text)
    whole, frac = n.group(1).replace(".", "").replace(",", ""), n.group(2) or ""
    if frac and not word and len(frac) == 3:
        raise InvalidFormat(code=AMOUNT_AMBIGUOUS, value=text)
    scaled: int = int(whole + frac) * 10**power
    divisor: int = 10 ** len(frac)
    if scaled % divisor:
        raise InvalidFormat(code=AMOUNT_NOT_INTEGER, value=text)
    value: int = scaled // divisor
    return -value if negative else value


def parse_int(text: str) -> int:
    """A whole number such as a head count.

    A count has no fractions, so thousands may be grouped with ``.`` or, as
    the ODS writes its member counts, with ``,`` (one separator per value,
    groups of three digits). The word ``orang`` / ``org`` / ``jiwa`` after it
    (``5 orang``) is the unit of a head count; a ``.0`` after it is how exports
    write a whole number (``5.0``: a dot then one digit groups nothing).

    >>> parse_int("1.250"), parse_int("39,096"), parse_int(" 7 "), parse_int("5 Orang"), parse_int("5.0")
    (1250, 39096, 7, 5, 5)
    """
    s = text.strip()
    if s.isdigit() and s.isascii():
        return int(s)
    low = s.lower().removesuffix(".")
    for unit in _COUNT_UNITS:
        if low.endswith(unit):
            s = low[: -len(unit)].rstrip()
            break
    if s.endswith(".0") and s[:-2].isdigit() and s.isascii():
        s = s[:-2]
    negative = s.startswith("-")
    body = s[1:].strip() if negative else s
    if _GROUPED_INT.fullmatch(body):
        value = int(body.replace(".", "").replace(",", ""))
        return -value if negative else value
    if body.isdigit() and body.isascii():
        return -int(body) if negative else int(body)
    raise InvalidFormat(code=INT_FORMAT, value=text)


#: Month names (lower case) and their number: Indonesian, their short forms, English differences
_MONTH_NAMES: Final = (
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
    "oktober", "november", "desember",
)  # fmt: skip
MONTHS: Final[dict[str, int]] = {
    **{m: i for i, m in enumerate(_MONTH_NAMES, start=1)},
    **{m[:3]: i for i, m in enumerate(_MONTH_NAMES, start=1)},  # jan ... agu ... des
    "pebruari": 2, "nopember": 11, "agt": 8, "ags": 8, "agus": 8, "sept": 9, "nop": 11,
    "may": 5, "aug": 8, "oct": 10, "dec": 12,
}  # fmt: skip

_ISO_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?Z?")
#: Day 0 of Excel's serial dates (1900 system; serial 1 is 1900-01-01, and Excel counts a
#: 29 February 1900 that never was, so from serial 61 on the serial is days since this day)
EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
# a date column Excel saved as its serial number (five digits: 1927-05-18 to 2173-10-14)
_EXCEL_SERIAL = re.compile(r"([1-9]\d{4})(?:[.,]\d+)?")  # a fraction is the time of day
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_NAMED_MONTH = re.compile(r"(\d{1,2})[ -]([a-z]+)\.?[ -](\d{4})")


def parse_date(text: str) -> dt.date:
    """Read a date by the rule above (day first; ``YYYY-MM-DD`` and ``DD/MM/YYYY`` fastest).

    >>> parse_date("2 Desember 2019"), parse_date("02-12-2019"), parse_date("2019-12-02 00:00:00")
    (datetime.date(2019, 12, 2), datetime.date(2019, 12, 2), datetime.date(2019, 12, 2))

    >>> parse_date("31/02/2020")
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidFormat: [DATE_INVALID] ...
    """
    s = text.strip()
    n = len(s)
    if n == 10 and s.isascii():
        try:
            if s[4] == "-" and s[7] == "-":  # fast path: ISO (C code)
                return dt.date.fromisoformat(s)
            if s[2] == "/" and s[5] == "/" and (s[:2] + s[3:5] + s[6:]).isdigit():
                return dt.date(int(s[6:]), int(s[3:5]), int(s[:2]))
        except ValueError:
            pass
    try:
        if n == 10 and s[4] == "-" and s[7] == "-":
            y, mo, d = s[0:4], s[5:7], s[8:10]
        elif 8 <= n <= 10 and s.count("/") == 2:
            d, mo, y = s.split("/")
            if len(y) != 4 or not (1 <= len(d) <= 2 and 1 <= len(mo) <= 2):
                return _parse_date_other(s, text)
        else:
            return _parse_date_other(s, text)
        if not (y.isdigit() and mo.isdigit() and d.isdigit() and (y + mo + d).isascii()):
            raise InvalidFormat(code=DATE_FORMAT, value=text)
        return dt.date(int(y), int(mo), int(d))
    except ValueError as exc:
        if isinstance(exc, InvalidFormat):
            raise
        raise InvalidFormat(code=DATE_INVALID, value=text) from None


def _parse_date_other(s: str, text: str) -> dt.date:
    """The shapes of the rule beyond ``YYYY-MM-DD`` and ``DD/MM/YYYY`` (``s`` stripped)."""
    if not s.isascii():
        raise InvalidFormat(code=DATE_FORMAT, value=text)
    m = _ISO_TIME.fullmatch(s)
    if m is not None:
        dt.time(int(m.group(4)), int(m.group(5)), int(m.group(6) or 0))  # a real time of day
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DAY_FIRST.fullmatch(s)
    if m is not None:
        return dt.date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    m = _YEAR_FIRST.fullmatch(s)
    if m is not None:
        return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _NAMED_MONTH.fullmatch(s.lower())
    if m is not None and m.group(2) in MONTHS:
        return dt.date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
    m = _EXCEL_SERIAL.fullmatch(s)
    if m is not None:
        return EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
    raise InvalidFormat(code=DATE_FORMAT, value=text)
