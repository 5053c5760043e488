"""kukm's nik_penduduk and npwp agree with python-stdnum (the oracle) on every input.

The documented differences: kukm removes a single leading Excel apostrophe (after
stdnum's own cleaning) and the characters that take no room on screen
(:data:`kukm.ids._util.ZERO_WIDTH`, pasted from web pages and chats); the oracle is
applied to the value without them.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import exceptions as std_exc
from stdnum.id import nik as std_nik
from stdnum.id import npwp as std_npwp

from kukm import exceptions as kukm_exc
from kukm.ids import nik_penduduk, npwp
from kukm.ids._util import ZERO_WIDTH

PAIRS = [(nik_penduduk, std_nik), (npwp, std_npwp)]

VALID_NIK = ["3171011708450001", "3171015708450001", "3201011508950001", "1101012902000001"]
VALID_NPWP = ["013121660091000", "016090524017000", "0013121660091000", *VALID_NIK]


def _oracle_input(value: str) -> str:
    value = value.translate(_NO_ZERO_WIDTH)
    cleaned = std_nik.compact(value)
    return cleaned[1:] if cleaned.startswith("'") else value


_NO_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH))


def _outcome(module: object, value: str) -> tuple[str, str]:
    try:
        return ("ok", module.validate(value))  # type: ignore[attr-defined]
    except (std_exc.ValidationError, kukm_exc.ValidationError) as exc:
        # kukm's classes carry the same names as stdnum's
        for name in ("InvalidLength", "InvalidFormat", "InvalidChecksum", "InvalidComponent"):
            if type(exc).__name__ == name or any(c.__name__ == name for c in type(exc).__mro__):
                return ("error", name)
        return ("error", "ValidationError")


def _check(value: str) -> None:
    for ours, theirs in PAIRS:
        oracle = _oracle_input(value)
        assert ours.is_valid(value) == theirs.is_valid(oracle), (ours.__name__, value)
        assert _outcome(ours, value) == _outcome(theirs, oracle), (ours.__name__, value)
        assert ours.compact(value) == theirs.compact(oracle)


digits = st.text(alphabet="0123456789", min_size=0, max_size=20)
typed = st.text(alphabet="0123456789 .-'\t/", min_size=0, max_size=24)
unicode_digits = st.text(
    alphabet=st.sampled_from("0123456789０１２３４５６７８９٠١٢३𝟎𝟏 \u00a0\u2013\u2014\u3000.-"),
    max_size=20,
)


@st.composite
def mutations(draw: st.DrawFn) -> str:
    base = list(draw(st.sampled_from(VALID_NPWP)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "delete", "insert", "swap"]))
        pos = draw(st.integers(0, max(len(base) - 1, 0)))
        if kind == "replace" and base:
            base[pos] = draw(st.sampled_from("0123456789 -.x"))
        elif kind == "delete" and base:
            del base[pos]
        elif kind == "insert":
            base.insert(pos, draw(st.sampled_from("0123456789 -.")))
        elif kind == "swap" and len(base) > 1:
            other = draw(st.integers(0, len(base) - 1))
            base[pos], base[other] = base[other], base[pos]
    return "".join(base)


@given(st.text(max_size=30))
@example("")
@example("\u200b")
@example("3171011708450001\u200b")
@example("€")
@example("'3171011708450001")
@example("  '  3171011708450001")
@example("3171012902000001")
@example("3171012902010001")
@example("3171016902040001")
@example("3171019902040001")
@example("3171018102040001")
def test_arbitrary_strings(value: str) -> None:
    _check(value)


@given(digits)
def test_digit_strings(value: str) -> None:
    _check(value)


@given(typed)
def test_typed_strings(value: str) -> None:
    _check(value)


@given(unicode_digits)
def test_unicode_lookalikes(value: str) -> None:
    _check(value)


@given(mutations())
def test_mutations_of_valid_numbers(value: str) -> None:
    _check(value)


@given(
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 9999),
    st.sampled_from(["31", "32", "99", "00", "94", "11"]),
)
def test_nik_dates_exhaustively_sampled(
    day: int, month: int, year: int, serial: int, prov: str
) -> None:
    _check(f"{prov}7101{day:02d}{month:02d}{year:02d}{serial:04d}")


def test_every_date_prefix_agrees() -> None:
    """All 100×100×100 DDMMYY combinations in one fixed place: exact agreement."""
    for day in range(100):
        for month in range(14):
            for year in (0, 1, 4, 45, 96, 99):
                value = f"317101{day:02d}{month:02d}{year:02d}0001"
                assert nik_penduduk.is_valid(value) == std_nik.is_valid(value), value


def test_every_province_prefix_agrees() -> None:
    for prov in range(100):
        value = f"{prov:02d}71011708450001"
        assert nik_penduduk.is_valid(value) == std_nik.is_valid(value), value


@pytest.mark.parametrize("value", VALID_NPWP)
def test_valid_examples(value: str) -> None:
    assert npwp.validate(value) == std_npwp.validate(value)


@given(st.integers(0, 99), st.integers(1, 12), st.integers(0, 99))
def test_birth_date_agrees(day: int, month: int, year: int) -> None:
    value = f"317101{day:02d}{month:02d}{year:02d}0001"
    if std_nik.is_valid(value):
        assert nik_penduduk.get_birth_date(value) == std_nik.get_birth_date(value)
    else:
        with pytest.raises(kukm_exc.ValidationError):
            nik_penduduk.get_birth_date(value)
