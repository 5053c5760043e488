"""The one rupiah/date reading rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import InvalidFormat
from kukm.rules.amounts import EXCEL_ERRORS, MULTIPLIERS, parse_date, parse_int, parse_rupiah


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rp 1.500.000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("2 M", 2_000_000_000),
        ("2M", 2_000_000_000),
        ("Rp.2,5 miliar", 2_500_000_000),
        ("2,5 milyar", 2_500_000_000),
        ("750 rb", 750_000),
        ("750 ribu", 750_000),
        ("3 jt", 3_000_000),
        ("1 T", 1_000_000_000_000),
        ("1,25 triliun", 1_250_000_000_000),
        ("1.500.000,00", 1_500_000),
        ("  rp 0 ", 0),
        ("-5.000", -5_000),
        ("-Rp 5.000", -5_000),
        ("1.500", 1_500),
        ("1.5 juta", 1_500_000),
        ("Rp 1.500.000.-", 1_500_000),
        ("Rp -", 0),
        ("1 500 000", 1_500_000),
        ("Rp\u00a01\u00a0500\u00a0000", 1_500_000),
    ],
)
def test_accepted_forms(text: str, value: int) -> None:
    assert parse_rupiah(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.5", "AMOUNT_AMBIGUOUS"),
        ("1.50", "AMOUNT_AMBIGUOUS"),
        ("1,500", "AMOUNT_AMBIGUOUS"),
        ("1.5 M", "AMOUNT_AMBIGUOUS"),
        ("1.5M", "AMOUNT_AMBIGUOUS"),
        ("1.5 T", "AMOUNT_AMBIGUOUS"),
        ("1500 000", "AMOUNT_FORMAT"),
        ("1 5000", "AMOUNT_FORMAT"),
        ("-Rp -", "AMOUNT_FORMAT"),
        ("1,5", "AMOUNT_NOT_INTEGER"),
        ("1.000,5", "AMOUNT_NOT_INTEGER"),
        ("1,0000005 juta", "AMOUNT_NOT_INTEGER"),
        ("1,500,000.5", "AMOUNT_NOT_INTEGER"),
        ("1,500,00", "AMOUNT_FORMAT"),
        ("1,500,000 juta", "AMOUNT_FORMAT"),
        ("", "AMOUNT_FORMAT"),
        ("abc", "AMOUNT_FORMAT"),
        ("5 dollar", "AMOUNT_FORMAT"),
        ("١٢٣", "AMOUNT_FORMAT"),
        ("12.34.567", "AMOUNT_FORMAT"),
    ],
)
def test_rejections_have_stable_codes(text: str, code: str) -> None:
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(text)
    assert info.value.code == code


def _indonesian(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=10**15))
def test_round_trip_of_written_forms(n: int) -> None:
    assert parse_rupiah(str(n)) == n
    assert parse_rupiah(_indonesian(n)) == n
    assert parse_rupiah("Rp " + _indonesian(n)) == n
    assert parse_rupiah(f"{n} rb") == n * 1000


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=9))
def test_decimal_comma_with_multiplier_is_exact(whole: int, tenth: int) -> None:
    assert parse_rupiah(f"{whole},{tenth} juta") == whole * 1_000_000 + tenth * 100_000


def test_parse_int_accepts_ods_grouping() -> None:
    assert parse_int("39,096") == 39_096
    assert parse_int("1.250") == 1_250
    assert parse_int("-3") == -3
    with pytest.raises(InvalidFormat):
        parse_int("1,5")


@pytest.mark.parametrize("text", ["2019-12-02", "02/12/2019", "2/12/2019", " 02/12/2019 "])
def test_dates(text: str) -> None:
    assert parse_date(text) == dt.date(2019, 12, 2)


@pytest.mark.parametrize(
    ("text", "code"),
    [("31/02/2020", "DATE_INVALID"), ("2020-02-30", "DATE_INVALID"), ("2020/13/01", "DATE_INVALID"),
     ("2020/1/1/1", "DATE_FORMAT"), ("2020-1-1", "DATE_FORMAT"), ("2020/01.01", "DATE_FORMAT"),
     ("01-01-20", "DATE_FORMAT"), ("1/1/20", "DATE_FORMAT"), (" ", "DATE_FORMAT"),
     ("20200101", "DATE_FORMAT"), ("01/01-2020", "DATE_FORMAT"), ("1 Foo 2020", "DATE_FORMAT"),
     ("30 Februari 2020", "DATE_INVALID"), ("2020-01-01 24:00", "DATE_INVALID"),
     ("2020-01-01 00:00:00+07:00", "DATE_FORMAT")],
)
def test_bad_dates(text: str, code: str) -> None:
    with pytest.raises(InvalidFormat) as info:
        parse_date(text)
    assert info.value.code == code


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_date_round_trip(d: dt.date) -> None:
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%d/%m/%Y")) == d


def _outcome(fn: object, text: str) -> object:
    try:
        return fn(text)  # type: ignore[operator]
    except InvalidFormat as exc:
        return exc.code


_RUPIAH_TEXT = st.one_of(
    st.from_regex(r"\A ?(Rp|rp|RP|-Rp|Rp\.)? ?[0-9]{1,4}([.,][0-9]{1,4}){0,3} ?(rb|jt|M|juta)? ?\Z"),
    st.text(alphabet="Rp 0123456789.,-jutaM٣", max_size=16),
)


@given(_RUPIAH_TEXT)
def test_rupiah_fast_paths_agree_with_the_general_rule(text: str) -> None:
    from kukm.rules.amounts import _parse_rupiah_general

    assert _outcome(parse_rupiah, text) == _outcome(_parse_rupiah_general, text)


@pytest.mark.parametrize("text", ["Rp 1.500.000", "Rp1500000", "Rp 1.500", "Rp 999", "Rp 1.500.00"])
def test_rupiah_fast_path_examples(text: str) -> None:
    from kukm.rules.amounts import _parse_rupiah_general

    assert _outcome(parse_rupiah, text) == _outcome(_parse_rupiah_general, text)


@given(
    mantissa=st.integers(min_value=1, max_value=99_999),
    exponent=st.integers(min_value=0, max_value=20),
    comma=st.booleans(),
)
def test_amount_in_scientific_notation_is_refused_with_its_code(
    mantissa: int, exponent: int, comma: bool
) -> None:
    text = f"{mantissa / 10 ** (len(str(mantissa)) - 1)}E+{exponent:02d}"
    if comma:
        text = text.replace(".", ",")
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(text)
    assert info.value.code == "NOTASI_ILMIAH"
    # the same digits written out are an amount
    assert parse_rupiah(str(mantissa)) == mantissa


# -- the shapes people and exports write (rule: day first; a date with a time is its date) -------

_MONTH_FORMS = {
    1: ["Januari", "Jan"], 2: ["Februari", "Feb", "Pebruari"], 3: ["Maret", "Mar"],
    4: ["April", "Apr"], 5: ["Mei", "May"], 6: ["Juni", "Jun"], 7: ["Juli", "Jul"],
    8: ["Agustus", "Agu", "Agt", "Ags", "Aug"], 9: ["September", "Sep", "Sept"],
    10: ["Oktober", "Okt", "Oct"], 11: ["November", "Nov", "Nopember"], 12: ["Desember", "Des", "Dec"],
}  # fmt: skip


@given(
    d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    sep=st.sampled_from(["/", "-", "."]),
    pad=st.booleans(),
)
def test_day_first_with_any_separator(d: dt.date, sep: str, pad: bool) -> None:
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if pad else (str(d.day), str(d.month))
    assert parse_date(f"{day}{sep}{month}{sep}{d.year}") == d
    with pytest.raises(InvalidFormat) as info:  # a two-digit year: which century?
        parse_date(f"{day}{sep}{month}{sep}{d.year % 100:02d}")
    assert info.value.code == "DATE_FORMAT"


@given(
    d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    form=st.integers(min_value=0, max_value=4),
    case=st.sampled_from([str, str.upper, str.lower]),
    sep=st.sampled_from([" ", "-"]),
    dot=st.booleans(),
)
def test_day_month_name_year(d: dt.date, form: int, case: Any, sep: str, dot: bool) -> None:
    names = _MONTH_FORMS[d.month]
    name = case(names[form % len(names)]) + ("." if dot and len(names[form % len(names)]) <= 4 else "")
    assert parse_date(f"{d.day}{sep}{name}{sep}{d.year}") == d


@given(
    d=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    sep=st.sampled_from([" ", "T"]),
    spec=st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds"]),
)
def test_iso_date_with_a_time_is_its_date(d: dt.datetime, sep: str, spec: str) -> None:
    assert parse_date(d.isoformat(sep=sep, timespec=spec)) == d.date()


@given(st.integers(min_value=1000, max_value=10**13), st.sampled_from([".0", ".00"]))
def test_exported_decimal_is_read(n: int, zeros: str) -> None:
    """Rule 5: four or more digits, a dot, one or two decimals (1500000.0) is a decimal point."""
    assert parse_rupiah(f"{n}{zeros}") == n
    assert parse_rupiah(f"Rp {n}{zeros}") == n
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(f"{n}.5")
    assert info.value.code == "AMOUNT_NOT_INTEGER"


@given(st.integers(min_value=0, max_value=999), st.sampled_from([".0", ".00"]))
def test_three_digits_and_a_dot_stay_ambiguous(n: int, zeros: str) -> None:
    """Rule 5's edge: 999.0 might be a mistyped 999.000 (rule 2); 1000.0 cannot be (X, X+1)."""
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(f"{n}{zeros}")
    assert info.value.code == "AMOUNT_AMBIGUOUS"
    assert parse_rupiah("1000" + zeros) == 1000


@given(st.integers(min_value=0, max_value=10**12), st.booleans())
def test_no_sen_suffix(n: int, rp: bool) -> None:
    """'Rp 1.500.000,-' (no sen) is the amount."""
    text = ("Rp " if rp else "") + _indonesian(n)
    assert parse_rupiah(text + ",-") == parse_rupiah(text) == n


@given(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["orang", "Orang", "ORANG", "org", "org.", "jiwa"]),
    st.sampled_from(["", " "]),
)
def test_a_head_count_with_its_unit(n: int, unit: str, space: str) -> None:
    assert parse_int(f"{n}{space}{unit}") == n
    assert parse_int(f"{_indonesian(n)} {unit}") == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=9))
def test_an_exported_whole_count(n: int, tenth: int) -> None:
    assert parse_int(f"{n}.0") == n
    with pytest.raises(InvalidFormat):
        parse_int(f"{n}.{tenth}")


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["IDR ", "idr", "IDR. "]))
def test_idr_and_the_word_rupiah(n: int, prefix: str) -> None:
    assert parse_rupiah(prefix + _indonesian(n)) == n
    assert parse_rupiah(_indonesian(n) + " rupiah") == parse_rupiah(f"{_indonesian(n)} Rupiah") == n


@given(d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), sep=st.sampled_from(["/", "."]))
def test_year_first(d: dt.date, sep: str) -> None:
    """2019/12/02: the year first is year, month, day."""
    assert parse_date(f"{d.year}{sep}{d.month:02d}{sep}{d.day:02d}") == d
    assert parse_date(f"{d.year}{sep}{d.month}{sep}{d.day}") == d


@given(
    st.dates(min_value=dt.date(1927, 5, 18), max_value=dt.date(2173, 10, 14)),
    st.sampled_from(["", ".0", ".5", ".999988426", ",5", ",1250"]),
)
def test_excel_serial_dates(d: dt.date, tail: str) -> None:
    """A date cell saved by Excel as its serial number: days since 1899-12-30 (1900 system, as
    openpyxl's from_excel reads it), a fraction the time of day (the date is kept, as with
    ISO dates; 44060.5 was DATE_FORMAT), after a dot or, as kukm's readers write a number
    cell with a fraction, a comma (44060,5); a four-digit number is a year, not a date (X, X+1)."""
    from openpyxl.utils.datetime import from_excel

    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(f"{serial}{tail}") == d == from_excel(serial).date()
    with pytest.raises(InvalidFormat):
        parse_date(str(d.year))
    with pytest.raises(InvalidFormat):
        parse_date("9999")
    assert parse_date("10000") == dt.date(1927, 5, 18)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["umkm", "koperasi"]))
def test_a_none_marker_is_a_blank_cell(data: st.DataObject, kind: str) -> None:
    """'-', 'tidak ada', 'N/A' ... in any field of either default form: the row reads exactly as
    with that cell empty (same record, same issues); '0' is not a marker."""
    from kukm.rules.amounts import BLANK_CELLS
    from kukm.rules.instruments import get_instrument
    from kukm.synthetic import generate_koperasi, generate_umkm

    inst = get_instrument(kind)
    gen = generate_umkm if kind == "umkm" else generate_koperasi
    row = dict(next(iter(gen(1, seed=data.draw(st.integers(0, 50)), faulty_share=0.0))).data)
    field = data.draw(st.sampled_from([f.name for f in inst.fields]))
    marker = data.draw(st.sampled_from(sorted(BLANK_CELLS)))
    with_marker = inst.parse_row({**row, field: f" {marker} "}, row_number=3)
    empty = inst.parse_row({**row, field: ""}, row_number=3)
    assert with_marker.record == empty.record
    assert [(i.code, i.field) for i in with_marker.issues] == [(i.code, i.field) for i in empty.issues]
    assert "0" not in BLANK_CELLS


@given(st.integers(min_value=1_000_000, max_value=10**15), st.sampled_from(["", ".0", ".00"]), st.booleans())
def test_english_grouping_with_two_or_more_commas(n: int, tail: str, rp: bool) -> None:
    """Rule 6: 1,500,000 (two commas or more) is English thousands grouping; 1,500 stays ambiguous."""
    text = ("Rp " if rp else "") + f"{n:,}" + tail
    assert parse_rupiah(text) == n
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(f"{n % 1000 + 1},{n % 1000:03d}")
    assert info.value.code == "AMOUNT_AMBIGUOUS"


@given(st.integers(min_value=0, max_value=10**12), st.booleans())
def test_no_sen_suffix_with_a_dot(n: int, rp: bool) -> None:
    """'Rp 1.500.000.-' (no sen, written with a dot) is the amount."""
    text = ("Rp " if rp else "") + _indonesian(n)
    assert parse_rupiah(text + ".-") == parse_rupiah(text + " .-") == n


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from([" ", "\u00a0", "\u202f"]), st.booleans())
def test_thousands_grouped_by_spaces(n: int, space: str, rp: bool) -> None:
    """Rule 7: '1 500 000' (groups of three) is read as '1.500.000'; a group of four is not."""
    text = ("Rp " if rp else "") + f"{n:,}".replace(",", space)
    assert parse_rupiah(text) == n
    if n >= 1000:
        with pytest.raises(InvalidFormat):  # a last group of four digits: not grouping
            parse_rupiah(f"{str(n)[:-3]}{space}{str(n)[-3:]}0")


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(sorted(set(MULTIPLIERS) - {"m", "t"})),
    st.sampled_from(["", " "]),
)
def test_decimal_dot_before_a_multiplier_word(whole: int, frac: int, word: str, sp: str) -> None:
    """Rule 8: a dot and one or two digits before 'juta' (…) is the decimal point, as the
    comma is; three digits after the dot are a thousands group (rule 2)."""
    for digits in (str(frac % 10), f"{frac:02d}"):
        dotted, comma = f"{whole}.{digits}{sp}{word}", f"{whole},{digits}{sp}{word}"
        try:
            want = parse_rupiah(comma)
        except InvalidFormat as exc:
            with pytest.raises(InvalidFormat) as info:
                parse_rupiah(dotted)
            assert info.value.code == exc.code
        else:
            assert parse_rupiah(dotted) == want
    if whole < 1000:  # 1.500 juta: thousands, 1500 juta
        assert parse_rupiah(f"{whole}.{frac:03d}{sp}{word}") == (whole * 1000 + frac) * 10 ** MULTIPLIERS[word]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99), st.sampled_from(["m", "M", "t", "T"]))
def test_decimal_dot_before_the_letters_m_and_t_stays_ambiguous(whole: int, frac: int, letter: str) -> None:
    """'1.5M' is English-style (a million), where 'M' means miliar in rule 3: refused."""
    with pytest.raises(InvalidFormat) as info:
        parse_rupiah(f"{whole}.{frac}{letter}")
    assert info.value.code == "AMOUNT_AMBIGUOUS"


@pytest.mark.parametrize("text", ["Rp -", "Rp  -  ", "rp-", "Rp. \u2013", "IDR -", "Rp \u2014"])
def test_rp_and_a_dash_is_zero(text: str) -> None:
    """Excel's Accounting format shows a zero as 'Rp -'; a dash alone is a blank cell instead."""
    assert parse_rupiah(text) == 0
    with pytest.raises(InvalidFormat):
        parse_rupiah(text.replace("Rp", "").replace("rp", "").replace("IDR", "").replace(".", ""))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # how kukm's readers write a number cell with a fraction: a fraction of a rupiah
        ("123,45", "AMOUNT_NOT_INTEGER"),
        ("1500000,5", "AMOUNT_NOT_INTEGER"),
        ("12,3450", "AMOUNT_NOT_INTEGER"),  # 12.345 in a number cell: not thousands
        ("0,0010", "AMOUNT_NOT_INTEGER"),
        ("-123,45", "AMOUNT_NOT_INTEGER"),
        ("0,00000000000000000001", "AMOUNT_NOT_INTEGER"),
        # the same numbers typed as text keep the text rule
        ("123.45", "AMOUNT_AMBIGUOUS"),
        ("12,345", "AMOUNT_AMBIGUOUS"),
        ("0.5", "AMOUNT_AMBIGUOUS"),
    ],
)
def test_a_fraction_of_a_rupiah_is_refused_and_a_dot_stays_ambiguous(text: str, code: str) -> None:
    """Rupiah are whole (module docstring): a fraction written with the decimal comma is
    AMOUNT_NOT_INTEGER, never rounded; text with a dot that could be thousands stays
    AMOUNT_AMBIGUOUS. A count is never a fraction."""
    with pytest.raises(InvalidFormat) as exc:
        parse_rupiah(text)
    assert exc.value.code == code
    if code == "AMOUNT_NOT_INTEGER":
        with pytest.raises(InvalidFormat) as exc:
            parse_int(text)
        assert exc.value.code == "INT_FORMAT"


def test_the_whole_rupiah_message_names_hidden_decimals() -> None:
    """A number cell formatted without decimals shows 1.650.001 while it holds 1650000,5: the
    message says where the fraction hides and how to round it."""
    from kukm.exceptions import CODES

    info = CODES["AMOUNT_NOT_INTEGER"]
    assert "number cell" in info.message_en and "ROUND" in info.message_en
    assert "Sel angka" in info.message_id and "ROUND" in info.message_id


@pytest.mark.parametrize("text", ["Err:501", "Err:507", "Err:513", "Err:514", "Err:527", "Err:538", "Err:540"])
def test_every_libreoffice_error_code_is_an_error_value(text: str) -> None:
    """LibreOffice shows its failed formulas as Err:NNN (help.libreoffice.org, Error Codes in
    LibreOffice Calc); a CSV saved from Calc carries them as text. Err:501, 507, 513, 514,
    516-521, 526, 527, 538-540 were taken as data (a name, an address)."""
    from kukm.pipeline.checks import load_instrument

    assert text in EXCEL_ERRORS
    row = {"nama_usaha": text, "sumber_data": "sudin"}
    issues = load_instrument("umkm").parse_row(row, row_number=1).issues
    assert any(i.code == "SEL_GALAT_EXCEL" and i.field == "nama_usaha" for i in issues)
