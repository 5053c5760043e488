"""Configuration errors end to end: an empty ``--db``, a new in-memory store given to a command
that only reads, an unknown store scheme or a missing renderer, and a malformed kelurahan code
are each a registered code (Indonesian and English) and exit 2 (usage or configuration)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.cli._common import handle_errors
from kukm.exceptions import CODES, AdapterError, ConfigurationError
from kukm.plugins import get_plugins, open_store
from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv

pytest.importorskip("kukm.rules.instruments")


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def _coded(res: Result, code: str) -> None:
    assert res.exit_code == 2, res.output
    assert f"[{code}]" in res.stderr and CODES[code].message_id in res.stderr


# -- --db "" --------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_db_option_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "elsewhere.sqlite"
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(3, seed=4, faulty_share=0.0), UMKM_COLUMNS)
    env = {"KUKM_DATABASE_URL": f"sqlite:///{elsewhere}"}
    # before: `--db "$UNSET"` imported into KUKM_DATABASE_URL's store (or ./kukm.sqlite)
    _coded(_run("import", str(path), "--kind", "umkm", "--db", empty, env=env), "DB_KOSONG")
    _coded(_run("import", str(path), "--kind", "umkm", "--db", empty), "DB_KOSONG")
    assert not elsewhere.exists() and not (tmp_path / "kukm.sqlite").exists()
    _coded(_run("report", "rekap", "--db", empty, env=env), "DB_KOSONG")
    # leaving --db out still takes the variable
    res = _run("import", str(path), "--kind", "umkm", "--json", env=env)
    assert res.exit_code == 0, res.output
    assert elsewhere.exists()


@pytest.mark.parametrize("empty", ["", "  "])
def test_a_set_but_blank_database_url_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(3, seed=4, faulty_share=0.0), UMKM_COLUMNS)
    env = {"KUKM_DATABASE_URL": empty}
    # before: `export KUKM_DATABASE_URL=$UNSET` imported into ./kukm.sqlite without a word
    res = _run("import", str(path), "--kind", "umkm", env=env)
    _coded(res, "DB_KOSONG")
    assert "KUKM_DATABASE_URL" in res.stderr
    assert not (tmp_path / "kukm.sqlite").exists()
    _coded(_run("report", "rekap", env=env), "DB_KOSONG")
    # --db given wins over the blank variable
    db = f"sqlite:///{tmp_path / 'given.sqlite'}"
    assert _run("import", str(path), "--kind", "umkm", "--db", db, env=env).exit_code == 0


@pytest.mark.parametrize("empty", ["", "  "])
def test_demo_refuses_an_empty_db_before_writing(tmp_path: Path, empty: str) -> None:
    from kukm.demo import run_demo

    out = tmp_path / "demo"
    # before: --db "" went on to generate data into --out and failed opening the store ""
    _coded(_run("demo", "--out", str(out), "--rows", "small", "--db", empty), "DB_KOSONG")
    assert not out.exists()
    with pytest.raises(ConfigurationError) as info:
        run_demo(out, rows=10, db_url=empty)
    assert (info.value.code, info.value.field) == ("DB_KOSONG", "db")
    assert not out.exists()


# -- a read-only command on a new in-memory store -------------------------------------------


@pytest.mark.parametrize(
    "url", ["memory://", "sqlite://", "sqlite:///:memory:", "memory://never-opened-q7"]
)
@pytest.mark.parametrize(
    "args",
    [("report", "rekap"), ("nik", "show", "P-1"), ("pkt", "export", "--out", "OUT")],
    ids=["rekap", "nik-show", "pkt-export"],
)
def test_a_reading_command_refuses_a_new_in_memory_store(
    tmp_path: Path, url: str, args: tuple[str, ...]
) -> None:
    out = tmp_path / "pkt.csv"
    argv = [str(out) if a == "OUT" else a for a in args]
    # before: `report rekap --db memory://` printed a table of zeros, exit 0
    _coded(_run(*argv, "--db", url), "STORE_TIDAK_ADA")
    assert not out.exists()


def test_a_named_memory_store_holding_data_is_read(tmp_path: Path) -> None:
    url = "memory://test-empty-inputs-config-rekap"
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(4, seed=5, faulty_share=0.0), UMKM_COLUMNS)
    assert _run("import", str(path), "--kind", "umkm", "--db", url, "--json").exit_code == 0
    res = _run("report", "rekap", "--by", "skala", "--db", url, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)


# -- unregistered codes: STORAGE_SCHEME_UNKNOWN, RENDERER_MISSING -----------------------------


def test_an_unknown_store_scheme_has_its_own_message() -> None:
    info = CODES["STORAGE_SCHEME_UNKNOWN"]
    assert info.message_id and info.message_en and info.module == "kukm.plugins"
    with pytest.raises(ConfigurationError) as raised:
        open_store("nosuch://x")
    assert raised.value.code == "STORAGE_SCHEME_UNKNOWN"
    # before: the generic "Konfigurasi tidak valid."
    assert raised.value.message_id == info.message_id
    _coded(_run("report", "rekap", "--db", "nosuch://x"), "STORAGE_SCHEME_UNKNOWN")


def test_a_missing_renderer_is_a_configuration_error() -> None:
    info = CODES["RENDERER_MISSING"]
    assert info.message_id and info.message_en and info.module == "kukm.plugins"
    with pytest.raises(ConfigurationError) as raised:
        get_plugins().renderer("report", "no-such-format")
    # still an AdapterError for callers catching that
    assert isinstance(raised.value, AdapterError)
    assert raised.value.code == "RENDERER_MISSING"
    assert raised.value.message_id == info.message_id

    @click.command()
    @handle_errors
    def render() -> None:
        get_plugins().renderer("certificate", "no-such-format")

    # before: exit 1, which says the data had invalid rows
    res = CliRunner().invoke(render, [])
    _coded(res, "RENDERER_MISSING")


# -- kukm nik prefix with a malformed kelurahan code ----------------------------------------


@pytest.mark.parametrize("code", ["3171011001", "31.71.01", "31-71-01-1001", "", "31.71.01.1001x"])
def test_nik_prefix_of_a_malformed_kelurahan_code_is_exit_2(code: str) -> None:
    # before: exit 1 with NIK_PREFIX_UNKNOWN ("not in the region table")
    _coded(_run("nik", "prefix", code), "KODE_WILAYAH_FORMAT")


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=14))
def test_nik_prefix_exit_2_exactly_for_a_code_not_dotted(text: str) -> None:
    res = _run("nik", "prefix", "--", text)
    dotted = re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", text.strip(), flags=re.ASCII)
    assert (res.exit_code == 2) == (dotted is None), res.output


def test_nik_prefix_of_a_well_formed_code() -> None:
    res = _run("nik", "prefix", "31.71.01.1001", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["prefix"].isdigit()
    # well formed but not a kelurahan: the lookup's answer, exit 1
    res = _run("nik", "prefix", "31.71.01.9999")
    assert res.exit_code == 1 and "[NIK_PREFIX_UNKNOWN]" in res.stderr
