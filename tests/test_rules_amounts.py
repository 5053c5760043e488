"""The one rupiah/date reading rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import InvalidFormat
from kukm.rules.amounts import parse_date, parse_int, parse_rupiah


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
        ("1.5 juta", "AMOUNT_AMBIGUOUS"),
        ("1,5", "AMOUNT_NOT_INTEGER"),
        ("1.000,5", "AMOUNT_NOT_INTEGER"),
        ("1,0000005 juta", "AMOUNT_NOT_INTEGER"),
        ("1,500,000", "AMOUNT_FORMAT"),
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
    [("31/02/2020", "DATE_INVALID"), ("2020-02-30", "DATE_INVALID"), ("2020/01/01", "DATE_FORMAT"),
     ("01-01-2020", "DATE_FORMAT"), ("1/1/20", "DATE_FORMAT"), (" ", "DATE_FORMAT")],
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
