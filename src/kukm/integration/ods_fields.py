"""The ODS record layout: field names in the ministry's order, and the value codecs.

Kepgub DKI 1625/2021 huruf G; field list REGULATIONS.md §1.3 [D], spellings
exactly as the ministry's ODS detail pages write them. Dates are
``DD/MM/YYYY``, counts are text with ``,`` thousands separators, a blank is a
single space. Used by :mod:`kukm.integration.ods`.

Exports of the ODS reach a Dinas by other roads too (a CSV or workbook saved
from the detail pages, an API client, a Suku Dinas's copy), so the readers
accept what those roads do to the values, each rule below in the function that
applies it: field names in any case, spacing or punctuation and the other
labels the ministry's own pages and documents use (:func:`canonical_field`);
placeholders for "no value" (:func:`is_blank`); dates as ISO, ``DD-MM-YYYY``,
``4 Maret 2019`` or a timestamp (:func:`parse_date`); counts with Indonesian
``.`` grouping or a zero fraction (:func:`parse_count`); a NIK Koperasi
spoilt by a spreadsheet (:func:`_parse_nikkop`). The raw text is always kept
(:mod:`kukm.integration.ods` writes it back), so reading more forms loses nothing.

>>> parse_date("28/02/2013"), format_count(39096), ODS_FIELDS[0]
(datetime.date(2013, 2, 28), '39,096', 'Koperasi')
>>> canonical_field("nomor induk koperasi (nik)"), parse_date("2019-03-04")
('Nomor Induk Koperasi (NIK)', datetime.date(2019, 3, 4))
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "ABSENT_KEY",
    "BLANK",
    "DUP_KEY",
    "FIELD_ALIASES",
    "JSON_PREFIX",
    "KEYS_KEY",
    "MAX_COUNT",
    "ODS_FIELDS",
    "VOCAB_FIELDS",
    "by_field",
    "canonical_field",
    "field_key",
    "format_count",
    "format_date",
    "holds_value",
    "is_blank",
    "parse_count",
    "parse_date",
]

#: Field names of an ODS cooperative record, in the ministry's order.
ODS_FIELDS: Final[tuple[str, ...]] = (
    "Koperasi",
    "Nomor Badan Hukum Pendirian",
    "Tanggal Badan Hukum Pendirian",
    "Nomor Perubahan Anggaran Dasar (Terbaru)",
    "Tanggal Perubahan Anggaran Dasar (Terbaru)",
    "Tanggal RAT Terakhir",
    "Alamat",
    "Kelurahan / Desa",
    "Kecamatan",
    "Kabupaten",
    "Provinsi",
    "Bentuk Koperasi",
    "Jenis Koperasi",
    "Kelompok Koperasi",
    "Sektor Usaha",
    "Nama Ketua",
    "Nama Sekretaris",
    "Nama Bendahara",
    "Nama Pengawas",
    "Nama Manager",
    "Jumlah Anggota Pria",
    "Jumlah Anggota Wanita",
    "Total Anggota",
    "Total Manajer",
    "Total Karyawan",
    "Nomor Induk Koperasi (NIK)",
    "Status NIK",
    "Tanggal Berlaku Sertifikat",
    "Status Grade",
)
_KNOWN: Final[frozenset[str]] = frozenset(ODS_FIELDS)

#: ``atribut_lain`` key listing (as a JSON array) known fields the source record lacked.
ABSENT_KEY: Final = "~ods_absent"
#: ``atribut_lain`` key prefix for a value that was not a JSON string (kept as JSON text).
JSON_PREFIX: Final = "~json:"
#: ``atribut_lain`` key holding (as a JSON object) ODS field → the name the source wrote it
#: under, for fields read through :func:`canonical_field` under another name.
KEYS_KEY: Final = "~ods_keys"
#: ``atribut_lain`` key holding (as a JSON object) the fields a record gave twice under
#: different names (``Koperasi`` and ``Nama Koperasi``): the names and values not read.
DUP_KEY: Final = "~ods_dup"

BLANK: Final = " "

#: ODS field → vocabulary name of :mod:`kukm.reference.vocab`.
VOCAB_FIELDS: Final[Mapping[str, str]] = {
    "Bentuk Koperasi": "bentuk",
    "Jenis Koperasi": "jenis",
    "Kelompok Koperasi": "kelompok",
    "Status NIK": "status_nik",
    "Status Grade": "grade",
}

_NIKKOP_RE: Final = re.compile(r"\d{13}")

# -- field names ---------------------------------------------------------------------

#: Other labels of the ODS fields, beside the ministry's own (:data:`ODS_FIELDS`).
#: REGULATIONS.md §1.3 itself writes ``Tanggal BH Pendirian``, ``Nomor/Tanggal Perubahan AD
#: (terbaru)``, and the ODS API (Part 2 §1) a per-cooperative ``Grade``; the ministry's pages
#: spell the manager both ``Manager`` and ``Manajer``. Matching ignores case, spacing and
#: punctuation and reads the usual abbreviations (:func:`field_key`), so ``nomor induk
#: koperasi (nik)``, ``NOMOR INDUK KOPERASI NIK`` or ``Tgl. BH Pendirian`` need no entry.
#: A bare ``NIK`` is not read as the NIK Koperasi: it is also the 16-digit NIK of a person
#: (REGULATIONS.md §1.2, name clash); such a column stays an unknown field, kept and reported.
FIELD_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "Koperasi": ("Nama Koperasi",),
    "Nomor Badan Hukum Pendirian": ("Nomor Badan Hukum",),
    "Tanggal Badan Hukum Pendirian": ("Tanggal Badan Hukum",),
    "Nomor Perubahan Anggaran Dasar (Terbaru)": ("Nomor Perubahan Anggaran Dasar",),
    "Tanggal Perubahan Anggaran Dasar (Terbaru)": ("Tanggal Perubahan Anggaran Dasar",),
    "Tanggal RAT Terakhir": ("Tanggal RAT",),
    "Alamat": ("Alamat Koperasi",),
    "Kelurahan / Desa": ("Kelurahan", "Desa", "Desa / Kelurahan"),
    "Kabupaten": ("Kabupaten / Kota", "Kota / Kabupaten", "Kota"),
    "Provinsi": ("Propinsi",),
    "Bentuk Koperasi": ("Bentuk",),
    "Jenis Koperasi": ("Jenis",),
    "Kelompok Koperasi": ("Kelompok",),
    "Jumlah Anggota Pria": ("Anggota Pria", "Jumlah Anggota Laki-laki"),
    "Jumlah Anggota Wanita": ("Anggota Wanita", "Jumlah Anggota Perempuan"),
    "Total Anggota": ("Jumlah Anggota",),
    "Total Manajer": ("Jumlah Manajer",),
    "Total Karyawan": ("Jumlah Karyawan",),
    "Nomor Induk Koperasi (NIK)": ("Nomor Induk Koperasi", "NIK Koperasi"),
    "Tanggal Berlaku Sertifikat": ("Tanggal Berlaku Sertifikat NIK", "Masa Berlaku Sertifikat"),
    "Status Grade": ("Grade",),
}

#: Abbreviations in field names, read as the word (``Tgl.`` = ``Tanggal``, ``BH`` = badan hukum).
_KEY_WORDS: Final[Mapping[str, str]] = {
    "tgl": "tanggal",
    "no": "nomor",
    "nmr": "nomor",
    "jml": "jumlah",
    "bh": "badanhukum",
    "ad": "anggarandasar",
    "kab": "kabupaten",
    "kop": "koperasi",
    "manager": "manajer",
    "propinsi": "provinsi",
}
_WORD: Final = re.compile(r"[^\W_]+")


def field_key(name: str) -> str:
    """The matching form of a field name: case, spacing, punctuation, a byte-order mark or a
    zero-width space dropped, the abbreviations of :data:`_KEY_WORDS` read as their word.

    >>> field_key(" nomor induk  koperasi (NIK) "), field_key("\ufeffTgl. BH Pendirian")
    ('nomorindukkoperasinik', 'tanggalbadanhukumpendirian')
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", name).casefold())
    return "".join(_KEY_WORDS.get(w, w) for w in words)


def _key_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in ODS_FIELDS:
        for label in (name, *FIELD_ALIASES.get(name, ())):
            key = field_key(label)
            if index.setdefault(key, name) != name:  # pragma: no cover - checked at import
                raise AssertionError(f"field label {label!r} names two ODS fields")
    return index


_BY_KEY: Final[Mapping[str, str]] = _key_index()


@functools.lru_cache(maxsize=4096)  # the same few names on every row of a file
def canonical_field(name: str) -> str | None:
    """The ODS field ``name`` stands for (:func:`field_key`, :data:`FIELD_ALIASES`), or ``None``.

    >>> canonical_field("NOMOR INDUK KOPERASI"), canonical_field("Kelurahan/Desa")
    ('Nomor Induk Koperasi (NIK)', 'Kelurahan / Desa')
    >>> canonical_field("Nama Manajer"), canonical_field("NIK"), canonical_field("Email")
    ('Nama Manager', None, None)
    """
    if name in _KNOWN:
        return name
    return _BY_KEY.get(field_key(name))


# -- value codecs --------------------------------------------------------------------

#: Texts that mean "no value" in spreadsheets, database dumps and Python exports (``-``,
#: ``null``, ``None``, ``N/A``, ``#N/A``): read as a blank, their spelling kept.
_TEXT_MARKERS: Final = frozenset({"-", "--", "---", "\u2013", "\u2014", "null", "none", "n/a", "#n/a"})
#: In a date, count or NIK Koperasi field also data frames' ``nan``/``NaT`` and ``nil`` (not
#: in a text field, where ``Nan`` or ``Nil`` can be a person's name).
_BLANK_MARKERS: Final = _TEXT_MARKERS | {"nan", "nat", "nil"}


def is_blank(text: str) -> bool:
    """Whether a date, count or NIK Koperasi ``text`` holds no value: empty, blank, or a
    placeholder of :data:`_BLANK_MARKERS`.

    >>> is_blank(" "), is_blank(" - "), is_blank("NULL"), is_blank("0"), is_blank("NaN")
    (True, True, True, False, True)
    """
    value = text.strip()
    return not value or value.casefold() in _BLANK_MARKERS


#: Database "zero dates" (MySQL ``0000-00-00``, ``00/00/0000``): no date, not a wrong one.
_ZERO_DATE: Final = re.compile(
    r"0{1,4}([-/.])0{1,2}(?:\1)0{1,4}(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?Z?)?"
)
_TIME: Final = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
_DMY: Final = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})" + _TIME)
_YMD: Final = re.compile(
    r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME + r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE
)
_NAMED: Final = re.compile(r"(?:[^\W\d_]+,\s*)?(\d{1,2})[\s-]+([^\W\d_]+)\.?[\s-]+(\d{4})")
_DOTNET: Final = re.compile(r"/Date\((-?\d{1,15})(?:([+-])(\d{2})(\d{2}))?\)/")
#: Month names and abbreviations, Indonesian and English (``Maret``, ``Agt``, ``Nop``, ``Oct``).
_MONTHS: Final[Mapping[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "pebruari", "february", "feb", "peb"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "ags", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
#: Indonesia's zones, WIB (UTC+7, DKI Jakarta's), WITA (UTC+8) and WIT (UTC+9): a date the ODS
#: keeps was entered as midnight in one of them.
_WIB: Final = dt.timezone(dt.timedelta(hours=7))
_ZONES: Final = (_WIB, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=9)))


def _date(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _instant_date(moment: dt.datetime) -> dt.date:
    """The date of a timestamp with a zone: its own date when it is midnight there, else the
    date of the Indonesian zone where it is midnight, else its date in WIB.

    A date field holds a date; a serialiser that writes one as a timestamp (JavaScript's
    ``toISOString``, .NET's ``/Date(…)/``) writes the midnight it was entered at in UTC:
    ``2019-03-03T17:00:00Z`` is 4 March 2019 in WIB, ``2019-03-03T16:00:00Z`` in WITA.
    """
    if moment.timetz().replace(tzinfo=None) == dt.time(0):
        return moment.date()
    for zone in _ZONES:
        local = moment.astimezone(zone)
        if local.time() == dt.time(0):
            return local.date()
    return moment.astimezone(_WIB).date()


def parse_date(text: str) -> dt.date | None:
    """An ODS date → date; blank or invalid → ``None``.

    Read (surrounding blanks ignored): the ODS's ``DD/MM/YYYY``, also with ``-`` or ``.``
    (``04-03-2019``), day and month first as the ODS writes them; ISO ``YYYY-MM-DD`` (also
    ``/``); either with a 24-hour time (ignored: a date field holds a date); ISO timestamps with
    a zone and .NET ``/Date(ms±hhmm)/`` (:func:`_instant_date`); ``4 Maret 2019`` with Indonesian
    or English month names, optionally after a weekday (``Senin, 4 Maret 2019``). Not read,
    so reported as invalid: two-digit years and times with ``AM``/``PM`` (the US month-first
    layout; reading it day first would give another date).

    >>> parse_date("28/02/2013"), parse_date(" "), parse_date("31/02/2013")
    (datetime.date(2013, 2, 28), None, None)
    >>> [parse_date(t).isoformat() for t in ("2019-03-04", "04-03-2019", "4/3/2019",
    ...     "2019-03-04T00:00:00", "04 Maret 2019", "2019-03-03T17:00:00.000Z")]
    ['2019-03-04', '2019-03-04', '2019-03-04', '2019-03-04', '2019-03-04', '2019-03-04']
    >>> parse_date("3/4/2019 12:00:00 AM"), parse_date("04/03/19")
    (None, None)
    """
    value = text.strip()
    m = _DMY.fullmatch(value)
    if m is not None:
        return _date(m[4], m[3], m[1])
    m = _YMD.fullmatch(value)
    if m is not None:
        day = _date(m[1], m[3], m[4])
        if day is None or m[8] is None or m[5] is None:
            return day
        zone = m[8].upper()
        try:
            offset = (
                dt.timedelta(0)
                if zone == "Z"
                else (1 if zone[0] == "+" else -1)
                * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:].lstrip(":") or 0))
            )
            moment = dt.datetime.combine(
                day, dt.time(int(m[5]), int(m[6]), int(m[7] or 0)), dt.timezone(offset)
            )
        except ValueError:
            return None
        return _instant_date(moment)
    m = _NAMED.fullmatch(value)
    if m is not None:
        month = _MONTHS.get(m[2].casefold())
        return None if month is None else _date(m[3], month, m[1])
    m = _DOTNET.fullmatch(value)
    if m is not None:
        offset = dt.timedelta(0)
        if m[2] is not None:
            offset = (1 if m[2] == "+" else -1) * dt.timedelta(hours=int(m[3]), minutes=int(m[4]))
        try:
            moment = dt.datetime.fromtimestamp(int(m[1]) / 1000, dt.UTC)
            return _instant_date(moment.astimezone(dt.timezone(offset)))
        except (ValueError, OverflowError, OSError):
            return None
    return None


def _date_is_blank(text: str) -> bool:
    """A date field's text holds no date (:func:`is_blank`, or a database zero date)."""
    return is_blank(text) or _ZERO_DATE.fullmatch(text.strip()) is not None


def format_date(value: dt.date | None) -> str:
    """date → ``DD/MM/YYYY``; ``None`` → the ODS blank ``" "``.

    >>> format_date(dt.date(2013, 2, 28)), format_date(None)
    ('28/02/2013', ' ')
    """
    if value is None:
        return BLANK
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


#: The largest count kept: a signed 64-bit integer (SQL ``BIGINT``), what databases and the
#: readers of an export hold. A longer digit string is a broken cell, not a count.
MAX_COUNT: Final = 2**63 - 1
#: Count forms: ``1,012`` (the ODS), ``1.012`` (Indonesian grouping), plain ``1012``; each with
#: an all-zero fraction of one or two digits after the other mark (``1,012.00``, ``1.012,00``,
#: ``12.0``, a spreadsheet's number). Three digits after a mark are a group (``1.000`` = 1000).
_COUNT_FORMS: Final = (
    (re.compile(r"(\d{1,3}(?:,\d{3})+)(?:\.0{1,2})?"), ","),
    (re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,0{1,2})?"), "."),
    (re.compile(r"(\d+)(?:[.,]0{1,2})?"), ""),
)


def parse_count(text: str) -> int | None:
    """An ODS count → int (forms of :data:`_COUNT_FORMS`, blanks around ignored); blank,
    negative, fractional, or above :data:`MAX_COUNT` → ``None``.

    >>> parse_count("1,012"), parse_count("0"), parse_count("-"), parse_count("1,01")
    (1012, 0, None, None)
    >>> parse_count("1.012"), parse_count(" 12.0 "), parse_count("12.5"), parse_count("9" * 30)
    (1012, 12, None, None)
    """
    value = text.strip()
    for form, mark in _COUNT_FORMS:
        m = form.fullmatch(value)
        if m is not None:
            digits = m[1].replace(mark, "") if mark else m[1]
            if len(digits) > 19:
                return None
            number = int(digits)
            return number if number <= MAX_COUNT else None
    return None


def format_count(value: int | None) -> str:
    """int → ODS text with ``,`` thousands separators; ``None`` → ``" "``.

    >>> format_count(39096), format_count(7), format_count(None)
    ('39,096', '7', ' ')
    """
    return BLANK if value is None else f"{value:,}"


def _parse_text(text: str) -> str | None:
    """Text without its surrounding blanks; a blank or a placeholder of :data:`_TEXT_MARKERS`
    (``-``, ``null``, ``N/A`` …) → ``None``.

    >>> _parse_text(" Koperasi A "), _parse_text("-"), _parse_text("N/A"), _parse_text("Nan")
    ('Koperasi A', None, None, 'Nan')
    """
    value = text.strip()
    return None if not value or value.casefold() in _TEXT_MARKERS else value


def _format_text(value: str | None) -> str:
    return value if value else BLANK


_ZERO_FRACTION: Final = re.compile(r"(.*\d)[.,]0+")


def _nikkop_is_blank(text: str) -> bool:
    """A NIK Koperasi cell holding no number: blank, a placeholder (:func:`is_blank`) or zeros.

    >>> _nikkop_is_blank("-"), _nikkop_is_blank("'0000"), _nikkop_is_blank("3.10101E+12")
    (True, True, False)
    """
    value = text.strip().lstrip("'").strip()
    return is_blank(value) or set(value) <= {"0"}


def _parse_nikkop(text: str) -> str | None:
    """The Nomor Induk Koperasi in a cell: its 13 digits (REGULATIONS.md §1.2: every NIK
    Koperasi has 13) once a leading ``'`` (a spreadsheet's text mark), blanks, dots and dashes,
    and a zero fraction (``3101010020004.0``, a number a data frame wrote) are gone; anything
    else → ``None``: a blank, a placeholder (:func:`_nikkop_is_blank`), scientific notation
    (``3.10101E+12``: a spreadsheet dropped the digits), the 16-digit placeholders some apps
    show (§1.2), other text. :func:`kukm.integration.ods.from_ods` keeps such a cell's text
    and reports it (as for a date or count it cannot read), so the record never holds a
    non-number as its NIK Koperasi, and a row carrying one does not replace the number the
    Dinas issued (:func:`kukm.integration.ods.keep_issued`).

    >>> _parse_nikkop("'3101010020004"), _parse_nikkop("3101010020004.0"), _parse_nikkop("-")
    ('3101010020004', '3101010020004', None)
    >>> _parse_nikkop("3.10101E+12"), _parse_nikkop("0"), _parse_nikkop("12345")
    (None, None, None)
    """
    value = text.strip().lstrip("'").strip()
    if _nikkop_is_blank(value):
        return None
    whole = _ZERO_FRACTION.fullmatch(value)
    compact = re.sub(r"[\s.\-]", "", value if whole is None else whole[1])
    if _NIKKOP_RE.fullmatch(compact):
        return "".join(str(unicodedata.digit(c)) for c in compact)
    return None


def _json_text(raw: object) -> str:
    """The text a non-string JSON value stands for: a number as its digits (an integral float
    without ``.0``: ``3101010020004.0`` is the NIK Koperasi a JSON writer made a float of),
    ``null``, ``true``/``false``, an array or an object as a blank (no usable value; the JSON
    is kept beside it).

    >>> _json_text(3101010020004.0), _json_text(158), _json_text(None), _json_text([1])
    ('3101010020004', '158', ' ', ' ')
    """
    if raw is None or isinstance(raw, bool | list | dict):
        return BLANK
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    try:
        return str(raw)
    except ValueError:  # an int longer than Python converts to text: not a value of the ODS
        return BLANK


def _json_dump(raw: object) -> str:
    """``raw`` as JSON text; a value JSON has no type for (a ``datetime.date`` a workbook
    reader gives, a ``Decimal``) as its text, so a record built in Python never breaks
    the import (:func:`kukm.integration.ods.to_ods` gives that text back)."""
    return json.dumps(raw, ensure_ascii=False, default=str)


_DATE_FIELDS: Final = {
    "Tanggal Badan Hukum Pendirian": "tanggal_badan_hukum",
    "Tanggal Perubahan Anggaran Dasar (Terbaru)": "tanggal_perubahan_ad",
    "Tanggal RAT Terakhir": "tanggal_rat_terakhir",
    "Tanggal Berlaku Sertifikat": "tanggal_berlaku_sertifikat",
}
_COUNT_FIELDS: Final = {
    "Jumlah Anggota Pria": "anggota_pria",
    "Jumlah Anggota Wanita": "anggota_wanita",
    "Total Anggota": "total_anggota",
    "Total Manajer": "total_manajer",
    "Total Karyawan": "total_karyawan",
}
_TEXT_FIELDS: Final = {
    "Nomor Badan Hukum Pendirian": "nomor_badan_hukum",
    "Nomor Perubahan Anggaran Dasar (Terbaru)": "nomor_perubahan_ad",
    "Bentuk Koperasi": "bentuk",
    "Jenis Koperasi": "jenis",
    "Kelompok Koperasi": "kelompok",
    "Sektor Usaha": "sektor_usaha",
    "Status NIK": "status_nik",
    "Status Grade": "grade",
}
_ALAMAT_FIELDS: Final = {
    "Alamat": "jalan",
    "Kelurahan / Desa": "kelurahan_nama",
    "Kecamatan": "kecamatan_nama",
    "Kabupaten": "kabkota_nama",
    "Provinsi": "provinsi_nama",
}
_PENGURUS_FIELDS: Final = {
    "Nama Ketua": "ketua",
    "Nama Sekretaris": "sekretaris",
    "Nama Bendahara": "bendahara",
    "Nama Pengawas": "pengawas",
    "Nama Manager": "manajer",
}
_NIKKOP_FIELD: Final = "Nomor Induk Koperasi (NIK)"
_NAMA_FIELD: Final = "Koperasi"


# Each ``_take_*`` parses one field and keeps the raw text in ``lain`` whenever
# formatting the parsed value would not give the raw text back (lossless rule).


def _take_text(text: Mapping[str, str], lain: dict[str, str], name: str) -> str | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    value = _parse_text(raw)
    if _format_text(value) != raw:
        lain[name] = raw
    return value


def _take_date(text: Mapping[str, str], lain: dict[str, str], name: str) -> dt.date | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    value = parse_date(raw)
    if value is None or format_date(value) != raw:
        lain[name] = raw
    return value


def _take_count(text: Mapping[str, str], lain: dict[str, str], name: str) -> int | None:
    raw = text.get(name)
    if raw is None or raw == BLANK:
        return None
    if len(raw) <= 3 and raw.isascii() and raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
        return int(raw)
    value = parse_count(raw)
    if value is None or format_count(value) != raw:
        lain[name] = raw
    return value


def _take_nikkop(text: Mapping[str, str], lain: dict[str, str]) -> str | None:
    raw = text.get(_NIKKOP_FIELD)
    if raw is None or raw == BLANK:
        return None
    value = _parse_nikkop(raw)
    if _format_text(value) != raw:
        lain[_NIKKOP_FIELD] = raw
    return value


def holds_value(raw: object) -> bool:
    """Whether a field's raw value (text, or any JSON value) holds something (not
    :func:`is_blank`)."""
    return not is_blank(raw if isinstance(raw, str) else _json_text(raw))


def by_field(record: Mapping[str, Any]) -> dict[str, Any]:
    """An ODS record under its fields' own names, as :func:`~kukm.integration.ods.from_ods`
    reads it: a field named another way (any case, spacing, punctuation or another label,
    :func:`canonical_field`) under the ministry's name; of a
    field given under two names, the one from_ods reads (the one holding a value, then the
    ministry's name, then the first given; the other is from_ods's ``ODS_FIELD_GANDA``);
    any other field under its own name. Values are kept as they are.

    >>> by_field({"nomor induk koperasi (nik)": "3173010010001", "Nama Koperasi": " ",
    ...           "Koperasi": "A", "Catatan": "x"})
    {'Nomor Induk Koperasi (NIK)': '3173010010001', 'Koperasi': 'A', 'Catatan': 'x'}
    """
    out: dict[str, Any] = {}
    rank: dict[str, tuple[bool, bool, int]] = {}  # field → the rank of the name it is read from
    for index, (key, raw) in enumerate(record.items()):
        name = str(key)
        field = canonical_field(name)
        if field is None:
            out[name] = raw
            continue
        order = (not holds_value(raw), name != field, index)
        if field not in rank or order < rank[field]:
            rank[field] = order
            out[field] = raw
    return out
