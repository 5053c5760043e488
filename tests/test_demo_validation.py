"""``kukm demo`` refuses a report year or a row count it cannot use: exit 2, no traceback,
nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli
from kukm.demo import MIN_YEAR, check_year, parse_rows, run_demo
from kukm.exceptions import ConfigurationError


@pytest.mark.parametrize("year", ["9999", "10000", str(dt.date.today().year + 1), "1999", "0"])
def test_out_of_range_year_is_a_usage_error(tmp_path: Path, year: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["demo", "--rows", "10", "--year", year, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "--year" in result.output and "out of range" in result.output
    assert not out.exists()  # refused before anything is written


@pytest.mark.parametrize("rows", ["abc", "1.5", ""])
def test_rows_not_a_number_is_a_usage_error(tmp_path: Path, rows: str) -> None:
    result = CliRunner().invoke(cli, ["demo", "--rows", rows, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--rows" in result.output
    assert "invalid literal" not in result.output
    assert "small, medium, large" in result.output


def test_check_year_bounds() -> None:
    today = dt.date(2026, 3, 1)
    assert check_year(MIN_YEAR, today=today) == MIN_YEAR
    assert check_year(2026, today=today) == 2026
    for bad in (MIN_YEAR - 1, 2027, 9999):
        with pytest.raises(ConfigurationError) as info:
            check_year(bad, today=today)
        assert info.value.code == "DEMO_TAHUN"


def test_run_demo_refuses_a_bad_year_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ConfigurationError):
        run_demo(out, rows=10, year=9999)
    assert not out.exists()


def test_parse_rows() -> None:
    assert parse_rows("large") == 30000 and parse_rows(" 1_000 ") == 1000
    with pytest.raises(ValueError, match="at least 10"):
        parse_rows("9")
    with pytest.raises(ValueError, match="not a number of rows"):
        parse_rows("abc")
