"""The ``kukm`` command line as a Dinas officer and a script meet it: exit codes (0 ok, 1 the
data had invalid rows or a check failed, 2 usage or configuration, 130 Ctrl-C), ``--json``
printing one JSON document on stdout, a mistyped ``--db`` refused instead of a new empty store,
coded errors in Indonesian and English."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.cli._common import EXIT_INTERRUPTED, error_text
from kukm.exceptions import CODES, KukmError, ValidationError
from kukm.plugins import open_store
from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv

pytest.importorskip("kukm.rules.instruments")


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def _fresh_store(path: Path) -> str:
    """An existing, empty kukm store at ``path``."""
    url = f"sqlite:///{path}"
    open_store(url).close()
    return url


# -- a mistyped --db: STORE_TIDAK_ADA (exit 2), no new empty store that answers -----------


@pytest.mark.parametrize(
    "args",
    [
        ("nik", "priority", "3174010050001"),
        ("nik", "show", "P-1"),
        ("nik", "verify", "P-1", "--petugas", "budi"),
        ("nik", "revoke", "P-1", "--petugas", "budi", "--alasan", "x"),
        ("nik", "apply", "--koperasi-id", "K-1", "--wilayah", "31.71"),
        ("ods", "diff", "SNAPSHOT"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_command_reading_the_store_refuses_a_missing_one(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    # before: `kukm nik priority NIK --db sqlite:///tpyo.sqlite` made an empty store and said
    # TIDAK PRIORITAS (exit 1) for a certified cooperative; `ods diff` called every record new
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text("", encoding="utf-8")
    typo = tmp_path / "tpyo.sqlite"
    argv = [str(snapshot) if a == "SNAPSHOT" else a for a in args]
    res = _run(*argv, "--db", f"sqlite:///{typo}", "--json")
    assert res.exit_code == 2, res.output
    assert "[STORE_TIDAK_ADA]" in res.stderr
    assert CODES["STORE_TIDAK_ADA"].message_id in res.stderr
    assert res.stdout == ""
    assert not typo.exists()


def test_nik_apply_from_a_json_file_may_start_the_store(tmp_path: Path) -> None:
    # the first application of an office is where its store begins: not refused
    kop = tmp_path / "kop.json"
    kop.write_text(json.dumps({"nama": "Koperasi Maju Bersama"}), encoding="utf-8")
    db = tmp_path / "new.sqlite"
    res = _run("nik", "apply", "--koperasi-json", str(kop), "--wilayah", "31.71",
               "--db", f"sqlite:///{db}", "--json")  # fmt: skip
    assert "STORE_TIDAK_ADA" not in res.output
    assert db.exists()


# -- nik priority: a mistyped number is a usage error, not "no priority" --------------------


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(st.text(max_size=16), st.from_regex(r"\A[0-9]{1,16}\Z")))
def test_nik_priority_exit_2_exactly_when_the_number_is_not_one(
    tmp_path: Path, number: str
) -> None:
    from kukm.ids import nomor_induk_koperasi

    db = tmp_path / "k.sqlite"
    url = f"sqlite:///{db}" if db.exists() else _fresh_store(db)
    try:
        nomor_induk_koperasi.validate(number)
        valid = True
    except ValidationError:
        valid = False
    res = _run("nik", "priority", "--db", url, "--json", "--", number)
    if valid:
        # exit 1 is the answer "not priority" (an empty store): stdout is its JSON verdict
        assert res.exit_code in (0, 1), res.output
        assert json.loads(res.stdout)["eligible"] is (res.exit_code == 0)
    else:
        # before: exit 1 with [NOMOR_INDUK_KOPERASI_…], read by a script as "not priority"
        assert res.exit_code == 2, res.output
        assert res.stdout == ""
        assert "NOMOR_INDUK_KOPERASI" in res.stderr


# -- report rekap --json: one JSON document or nothing, never a CSV/HTML table -------------


@pytest.fixture
def stored_umkm(tmp_path: Path) -> str:
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(30, seed=5, faulty_share=0.0), UMKM_COLUMNS)
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = _run("import", str(path), "--kind", "umkm", "--db", url, "--json")
    assert res.exit_code == 0, res.output
    return url


@pytest.mark.parametrize("fmt", ["csv", "html", "json", "pdf", "xlsx"])
def test_rekap_json_prints_json_or_nothing(stored_umkm: str, fmt: str) -> None:
    res = _run("report", "rekap", "--by", "skala", "--all-status", "--format", fmt, "--json",
               "--db", stored_umkm)  # fmt: skip
    if res.exit_code == 0:
        assert json.loads(res.stdout)["total"] == 30
    else:
        # before: --format csv|html --json printed the table itself on stdout, exit 0
        assert res.exit_code == 2 and res.stdout == ""
        assert "[JSON_FORMAT_BENTROK]" in res.stderr or "--out" in res.stderr
    assert fmt == "json" or res.exit_code == 2


def test_rekap_text_format_without_json_still_prints_it(stored_umkm: str) -> None:
    res = _run("report", "rekap", "--by", "skala", "--all-status", "--format", "csv",
               "--db", stored_umkm)  # fmt: skip
    assert res.exit_code == 0 and res.stdout.splitlines()[0].count(",") >= 1


@pytest.mark.parametrize(
    "args",
    [("rekap", "--by", "skala"), ("banding", "--from", "2024", "--to", "2025")],
    ids=["rekap", "banding"],
)
@pytest.mark.parametrize("name", ["rekap.weird", "rekap"])
def test_report_out_with_an_unknown_format_is_exit_2(
    tmp_path: Path, stored_umkm: str, args: tuple[str, ...], name: str
) -> None:
    # before: the store was read, then RENDERER_MISSING with exit 1 ("the data was invalid")
    out = tmp_path / name
    res = _run("report", *args, "--out", str(out), "--json", "--db", stored_umkm)
    assert res.exit_code == 2, res.output
    assert "[FORMAT_LAPORAN_TIDAK_DIKENAL]" in res.stderr and res.stdout == ""
    assert not out.exists()


def test_report_out_with_a_known_format(tmp_path: Path, stored_umkm: str) -> None:
    out = tmp_path / "rekap.XLSX"
    res = _run("report", "rekap", "--by", "skala", "--out", str(out), "--json", "--db", stored_umkm)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["out"] == str(out) and out.stat().st_size > 0


# -- instrument schema takes --json like every command -------------------------------------


@pytest.mark.parametrize("name", ["umkm", "koperasi"])
def test_instrument_schema_takes_json(name: str) -> None:
    # before: "No such option '--json'" (exit 2)
    res = _run("instrument", "schema", name, "--json")
    assert res.exit_code == 0, res.output
    plain = _run("instrument", "schema", name)
    assert json.loads(res.stdout) == json.loads(plain.stdout)
    assert json.loads(res.stdout)["fields"]


# -- import --petugas: a blank officer id is refused, not stored ---------------------------


def test_import_refuses_a_blank_officer(tmp_path: Path) -> None:
    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(5, seed=2, faulty_share=0.0), UMKM_COLUMNS)
    db = tmp_path / "k.sqlite"
    # before: stored with petugas '   '
    res = _run("import", str(path), "--kind", "umkm", "--petugas", "   ", "--db", f"sqlite:///{db}")
    assert res.exit_code == 2 and "--petugas" in res.stderr
    assert not db.exists()
    # a blank KUKM_PETUGAS is no officer (not one named '  ')
    res = _run("import", str(path), "--kind", "umkm", "--db", f"sqlite:///{db}", "--json",
               env={"KUKM_PETUGAS": "  "})  # fmt: skip
    assert res.exit_code == 0, res.output
    store = open_store(f"sqlite:///{db}")
    try:
        assert {r.provenance.petugas for r in store.iter_records("umkm", status=None)} == {None}
    finally:
        store.close()
    res = _run("import", str(path), "--kind", "umkm", "--db", f"sqlite:///{db}", "--json",
               "--petugas", " siti ")  # fmt: skip
    assert res.exit_code == 0, res.output


# -- an empty file is a coded error, not "0 rows, exit 0" ----------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
@pytest.mark.parametrize("command", ["validate", "import"])
def test_an_empty_file_is_berkas_kosong(tmp_path: Path, command: str, suffix: str) -> None:
    empty = tmp_path / f"data{suffix}"
    empty.write_bytes(b"")
    db = tmp_path / "k.sqlite"
    extra = ["--db", f"sqlite:///{db}"] if command == "import" else []
    res = _run(command, str(empty), "--kind", "koperasi", *extra, "--json")
    # before: exit 0 with input 0 = accepted 0 + rejected 0
    assert res.exit_code == 2, res.output
    assert "[BERKAS_KOSONG]" in res.stderr and CODES["BERKAS_KOSONG"].message_id in res.stderr
    assert res.stdout == ""
    assert not db.exists()


def test_a_header_only_file_is_still_fine(tmp_path: Path) -> None:
    path = tmp_path / "umkm.csv"
    path.write_text(",".join(UMKM_COLUMNS) + "\n", encoding="utf-8")
    res = _run("validate", str(path), "--kind", "umkm", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["input"] == 0


# -- Ctrl-C: exit 130, whole batches stored, the same import finishes it -------------------


def test_ctrl_c_during_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kukm.cli.data as data

    path = tmp_path / "umkm.csv"
    write_csv(path, generate_umkm(300, seed=9, faulty_share=0.05), UMKM_COLUMNS)
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"

    def interrupted(
        rows: Iterable[tuple[int, dict[str, str]]],
    ) -> Iterator[tuple[int, dict[str, str]]]:
        for n, row in enumerate(rows):
            if n == 170:
                raise KeyboardInterrupt
            yield row

    monkeypatch.setattr(data, "_progress", interrupted)
    args = ("import", str(path), "--kind", "umkm", "--db", url, "--batch-size", "50",
            "--workers", "0")  # fmt: skip
    res = _run(*args)
    # before: click's "Aborted!" with exit 1, the code of rejected rows
    assert res.exit_code == EXIT_INTERRUPTED, res.output
    assert "[DIHENTIKAN]" in res.stderr and res.stdout == ""
    store = open_store(url)
    try:
        kept = store.count("umkm", status=None)
    finally:
        store.close()
    assert 0 < kept < 300
    monkeypatch.undo()
    res = _run(*args, "--json")
    again = json.loads(res.stdout)
    assert res.exit_code == 1  # the faulty rows
    assert again["unchanged"] == kept and again["inserted"] + kept == again["accepted"]


# -- every coded error in both languages -----------------------------------------------------


@given(code=st.sampled_from(sorted(CODES)), detail=st.text(min_size=1, max_size=40))
def test_error_text_carries_the_code_in_both_languages(code: str, detail: str) -> None:
    info = CODES[code]
    text = error_text(KukmError(detail, code=code))
    assert text.startswith(f"[{code}] {detail}")
    assert info.message_id.strip() in text
    assert "\n" not in text.replace(detail, "")  # one line: tail -1 / grep keep both


def test_cli_error_is_bilingual(tmp_path: Path) -> None:
    # before: only the English message ("kukm: [NOT_FOUND] no NIK application 'P-9'")
    url = _fresh_store(tmp_path / "k.sqlite")
    res = _run("nik", "show", "P-9", "--db", url)
    assert res.exit_code == 1
    assert "[NOT_FOUND] no NIK application 'P-9'" in res.stderr
    assert "Data tidak ditemukan." in res.stderr and res.stderr.count("NOT_FOUND") == 1
