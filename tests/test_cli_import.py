"""``kukm import`` / ``kukm validate`` end to end with the real instruments."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kukm.cli import cli
from kukm.plugins import open_store
from kukm.synthetic import (
    KOPERASI_COLUMNS,
    UMKM_COLUMNS,
    generate_koperasi,
    generate_umkm,
    write_csv,
)

pytest.importorskip("kukm.rules.instruments")


def _invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return res.exit_code, res.output


@pytest.fixture
def umkm_file(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    path = tmp_path / "umkm.csv"
    faults = write_csv(path, generate_umkm(400, seed=11, faulty_share=0.08), UMKM_COLUMNS)
    assert faults
    return path, faults


def _errors(path: Path) -> dict[int, dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {int(r["_row"]): r for r in csv.DictReader(fh)}


def test_import_with_faulty_rows(tmp_path: Path, umkm_file: tuple[Path, dict[int, str]]) -> None:
    path, faults = umkm_file
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    errors = tmp_path / "ditolak.csv"
    code, out = _invoke(
        "import", str(path), "--kind", "umkm", "--db", db, "--errors", str(errors), "--json"
    )
    assert code == 1
    summary = json.loads(out)
    assert summary["input"] == 400 == summary["accepted"] + summary["rejected"]
    assert summary["inserted"] == summary["accepted"]
    rejected = _errors(errors)
    # every faulty row is in the errors file, with the faulty field named
    for row, field in faults.items():
        assert row in rejected, f"row {row} ({field}) was not rejected"
        assert field in rejected[row]["_fields"].split(";")
        codes = rejected[row]["_codes"].split(";")
        assert len(codes) == len(rejected[row]["_fields"].split(";"))
    assert set(rejected) == set(faults)
    # the original columns come first, unchanged
    with open(path, encoding="utf-8", newline="") as fh:
        original = {i: r for i, r in enumerate(csv.DictReader(fh), start=1)}
    for row, rec in rejected.items():
        assert {k: rec[k] for k in UMKM_COLUMNS} == original[row]
    # every good row is stored
    store = open_store(db)
    try:
        assert store.count("umkm", status=None) == summary["accepted"]
        stored_src = {r.record.id_sumber for r in store.iter_records("umkm")}  # type: ignore[union-attr]
        assert stored_src == {original[i]["id_sumber"] for i in original if i not in faults}
        some = next(iter(store.iter_records("umkm")))
        assert some.atribut.get("skala") in {"mikro", "kecil", "menengah", "besar"}
        assert some.provenance.petugas is None
    finally:
        store.close()
    # the second import adds nothing
    code, out = _invoke(
        "import", str(path), "--kind", "umkm", "--db", db, "--errors", str(errors), "--json"
    )
    again = json.loads(out)
    assert code == 1 and again["inserted"] == 0 and again["updated"] == 0
    assert again["input"] == 400


def test_fix_errors_file_and_import_it(
    tmp_path: Path, umkm_file: tuple[Path, dict[int, str]]
) -> None:
    path, faults = umkm_file
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    code, out = _invoke("import", str(path), "--kind", "umkm", "--db", db, "--json")
    default_errors = path.with_name("umkm.errors.csv")
    assert code == 1 and json.loads(out)["errors_file"] == str(default_errors)
    rows = list(csv.DictReader(open(default_errors, encoding="utf-8-sig", newline="")))  # noqa: SIM115
    fixes = {
        "nib": "",
        "nik_pemilik": "3171014501800001",
        "modal_usaha": "1500000",
        "omzet_tahunan": "Rp 5.000.000",
        "tanggal_berdiri": "2020-02-28",
        "kode_wilayah": "31.71.01.1001",
        "nama_usaha": "Warung Perbaikan",
    }
    for r in rows:
        for field in r["_fields"].split(";"):
            if field in fixes:
                r[field] = fixes[field]
    fixed = tmp_path / "fixed.csv"
    with open(fixed, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    code, out = _invoke("import", str(fixed), "--kind", "umkm", "--db", db, "--json")
    res = json.loads(out)
    assert code == 0, res
    assert res["accepted"] == len(faults) == res["inserted"]


def test_validate_writes_nothing_to_the_store(
    tmp_path: Path, umkm_file: tuple[Path, dict[int, str]]
) -> None:
    path, faults = umkm_file
    db = tmp_path / "never.sqlite"
    errors = tmp_path / "e.xlsx"
    code, out = _invoke("validate", str(path), "--kind", "umkm", "--errors", str(errors), "--json")
    res = json.loads(out)
    assert code == 1 and res["rejected"] == len(faults) and not res["stored"]
    assert not db.exists()
    from kukm.pipeline import open_table

    with open_table(errors) as t:
        assert "_fields" in t.raw_columns
        assert len(list(t)) == len(faults)


def test_text_output_and_exit_zero(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    write_csv(path, generate_umkm(20, seed=3, faulty_share=0.0), UMKM_COLUMNS)
    code, out = _invoke(
        "import", str(path), "--kind", "umkm", "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"
    )
    assert code == 0
    assert "input 20 = accepted 20 + rejected 0" in out


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), (";", "cp1252"), (",", "cp1252")]
)
def test_csv_variants_import(tmp_path: Path, delimiter: str, encoding: str) -> None:
    rows = [r.data for r in generate_umkm(15, seed=5, faulty_share=0.0)]
    rows[0]["nama_usaha"] = "Kedai Café Señor"
    rows[1]["modal_usaha"] = "Rp 1.500.000"
    rows[2]["omzet_tahunan"] = "1,5 juta"
    path = tmp_path / "v.csv"
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(UMKM_COLUMNS), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    code, out = _invoke("import", str(path), "--kind", "umkm", "--db", db, "--json")
    res = json.loads(out)
    assert code == 0, res
    assert res["delimiter"] == delimiter
    store = open_store(db)
    try:
        names = {r.record.nama_usaha for r in store.iter_records("umkm", status=None)}  # type: ignore[union-attr]
        assert "Kedai Café Señor" in names
        amounts = {
            (r.record.modal_usaha, r.record.omzet_tahunan)
            for r in store.iter_records("umkm", status=None)
        }  # type: ignore[union-attr]
        assert any(m == 1_500_000 for m, _ in amounts) and any(o == 1_500_000 for _, o in amounts)
    finally:
        store.close()


def test_koperasi_import_with_source_option(tmp_path: Path) -> None:
    path = tmp_path / "kop.csv"
    faults = write_csv(path, generate_koperasi(40, seed=2, faulty_share=0.1), KOPERASI_COLUMNS)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    code, out = _invoke(
        "import", str(path), "--kind", "koperasi", "--db", db, "--source", "dekopin", "--json"
    )
    res = json.loads(out)
    assert res["rejected"] == len(faults)
    assert code == (1 if faults else 0)
    assert res["accepted"] == res["inserted"] == 40 - len(faults)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("nama_usaha\nA\n")
    code, _ = _invoke("import", str(path))  # --kind missing
    assert code == 2
    code, _ = _invoke("import", str(path), "--kind", "umkm", "--db", "nosuch://x")
    assert code == 2
    code, _ = _invoke("validate", str(path), "--errors", str(path))
    assert code == 2


def test_xlsx_input_errors_xlsx_round_trip(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    rows = list(generate_umkm(30, seed=21, faulty_share=0.2))
    faults = {r.row: r.fault for r in rows if r.fault}
    assert faults
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(UMKM_COLUMNS))
    for r in rows:
        ws.append([r.data[c] for c in UMKM_COLUMNS])
    src = tmp_path / "umkm.xlsx"
    wb.save(src)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    code, out = _invoke("import", str(src), "--kind", "umkm", "--db", db, "--json")
    res = json.loads(out)
    assert code == 1 and res["rejected"] == len(faults)
    errors = tmp_path / "umkm.errors.xlsx"
    assert res["errors_file"] == str(errors)
    wb2 = load_workbook(errors)
    sheet = wb2.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["_row", "_codes", "_fields", "_messages"]
    got = {int(r[-4]): r[-2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {k: faults[k] in str(v).split(";") for k, v in got.items()} == dict.fromkeys(
        faults, True
    )
    # importing the untouched errors file again rejects the same rows and stores nothing new
    code, out = _invoke(
        "import",
        str(errors),
        "--kind",
        "umkm",
        "--db",
        db,
        "--errors",
        str(tmp_path / "again.xlsx"),
        "--json",
    )
    again = json.loads(out)
    assert code == 1 and again["input"] == len(faults) and again["accepted"] == 0


def test_instrument_file_changes_the_checks_and_pool_uses_it(tmp_path: Path) -> None:
    inst = tmp_path / "umkm-dki.toml"
    inst.write_text(
        'name = "umkm-dki-test"\nextends = "umkm"\n\n[[fields]]\nname = "jumlah_cabang"\n'
        'type = "int"\nrequired = true\nminimum = 0\n',
        encoding="utf-8",
    )
    path = tmp_path / "u.csv"
    write_csv(path, generate_umkm(12, seed=8, faulty_share=0.0), UMKM_COLUMNS)
    for workers in ("0", "1", "2"):  # in this process, in the reader process, in a pool
        code, out = _invoke(
            "validate",
            str(path),
            "--instrument",
            str(inst),
            "--workers",
            workers,
            "--batch-size",
            "5",
            "--json",
        )
        res = json.loads(out)
        assert (
            code == 1
            and res["rejected"] == 12
            and res["rejected_by_field"] == {"jumlah_cabang": 12}
        )
    code, _ = _invoke("validate", str(path), "--json")
    assert code == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nextends = "umkm"\nwarna = 1\n', encoding="utf-8")
    code, _ = _invoke("validate", str(path), "--instrument", str(bad))
    assert code == 2
    # a configuration error met in the reader process is the same usage error here
    code, _ = _invoke("validate", str(path), "--workers", "1", "--encoding", "no-such-codec")
    assert code == 2


def test_import_of_a_large_file_uses_the_reader_process_by_default(
    tmp_path: Path, umkm_file: tuple[Path, dict[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --workers, `kukm import` of a large file on 2+ CPUs reads and checks in a
    reader process (any start method: the command is a guarded main); `kukm validate` and an
    explicit --workers 0 stay in this process; all store and reject the same."""
    import kukm.pipeline.run as run_module

    path, faults = umkm_file
    monkeypatch.setattr(run_module, "AUTO_WORKER_BYTES", 1)  # this file counts as large
    monkeypatch.setattr(run_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(run_module, "_start_method", lambda: "spawn")  # run_file alone: none
    assert run_module.default_workers(path) == 0
    seen = []  # the command still starts the reader (by spawn here: a fresh interpreter)
    for extra in ((), ("--workers", "0")):
        db = f"sqlite:///{tmp_path / f'k{len(extra)}.sqlite'}"
        code, out = _invoke("import", str(path), "--kind", "umkm", "--db", db, "--json", *extra)
        res = json.loads(out)
        assert code == 1 and res["workers"] == (0 if extra else 1)
        seen.append({k: res[k] for k in ("input", "accepted", "rejected", "inserted")})
    assert seen[0] == seen[1] and seen[0]["rejected"] >= len(faults)
    code, out = _invoke("validate", str(path), "--json")
    assert json.loads(out)["workers"] == 0


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_rejected_row_with_control_characters_goes_to_the_errors_file(
    tmp_path: Path, suffix: str
) -> None:
    """XLSX cannot hold C0 controls: the row is written with U+FFFD there (it stopped the import
    with openpyxl's IllegalCharacterError), and as it is in CSV."""
    rows = [r.data for r in generate_umkm(3, seed=5, faulty_share=0.0)]
    rows[1]["nama_usaha"] = "Toko\x0bMaju\x01"
    rows[1]["modal_usaha"] = "banyak"  # rejected
    path = tmp_path / "c.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(UMKM_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    errors = tmp_path / f"ditolak{suffix}"
    code, out = _invoke("validate", str(path), "--kind", "umkm", "--errors", str(errors), "--json")
    assert code == 1 and json.loads(out)["rejected"] == 1
    if suffix == ".csv":
        assert _errors(errors)[2]["nama_usaha"] == "Toko\x0bMaju\x01"
    else:
        from openpyxl import load_workbook

        ws = load_workbook(errors).active
        assert ws is not None
        got = [list(r) for r in ws.iter_rows(values_only=True)]
        name = got[1][got[0].index("nama_usaha")]
        assert name == "Toko\ufffdMaju\ufffd"
        assert got[1][got[0].index("_row")] == 2


_FORMS = {}


def _form_fields(kind: str) -> set[str]:
    from kukm.pipeline import load_instrument

    if kind not in _FORMS:
        _FORMS[kind] = {f.name for f in load_instrument(kind).fields}
    return _FORMS[kind]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["umkm", "koperasi"]), suffix=st.sampled_from([".csv", ".txt"]))
def test_validate_without_kind_checks_the_form_the_header_fits(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, kind: str, suffix: str
) -> None:
    """Without --kind the header decides: columns only one form has (any number, beside
    columns both have) make it that form; a header both fit equally is the default (umkm)."""
    from kukm.cli.data import guess_kind

    other = "koperasi" if kind == "umkm" else "umkm"
    own = sorted(_form_fields(kind) - _form_fields(other))
    shared = sorted(_form_fields(kind) & _form_fields(other))
    cols = data.draw(st.lists(st.sampled_from(own), min_size=1, unique=True))
    cols += data.draw(st.lists(st.sampled_from(shared), unique=True))
    cols = data.draw(st.permutations(cols))
    p = tmp_path_factory.mktemp("kind") / f"f{suffix}"
    p.write_text(",".join(cols) + "\n", encoding="utf-8")
    assert guess_kind(p) == kind
    if shared:
        p.write_text(",".join(shared) + "\n", encoding="utf-8")
        assert guess_kind(p) == "umkm"


def test_validate_without_kind_on_a_koperasi_file(tmp_path: Path) -> None:
    path = tmp_path / "kop.csv"
    write_csv(path, generate_koperasi(30, seed=4, faulty_share=0.0), KOPERASI_COLUMNS)
    res = CliRunner().invoke(cli, ["validate", str(path), "--json", "--source", "sudin"])
    out = json.loads(res.output)
    assert (out["kind"], out["input"], out["accepted"]) == ("koperasi", 30, 30)
    res = CliRunner().invoke(cli, ["validate", str(path), "--source", "sudin"])
    assert "checked as koperasi" in res.output


@pytest.mark.parametrize("case", ["parent_is_a_file", "not_a_database", "server_refuses"])
def test_a_store_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path, case: str) -> None:
    """A --db URL naming a path under a file, a file that is not a database, or a server that
    refuses: exit 2 with the store's code (it was a traceback, or exit 1), nothing half done.
    The error is a StorageError and a ConfigurationError both."""
    from kukm.exceptions import ConfigurationError, StorageError
    from kukm.plugins import open_store as open_

    if case == "parent_is_a_file":
        (tmp_path / "afile").write_text("x")
        url = f"sqlite:///{tmp_path / 'afile' / 'k.sqlite'}"
    elif case == "not_a_database":
        (tmp_path / "k.sqlite").write_bytes(b"this is not SQLite" * 10)
        url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    else:
        url = "postgresql://kukm@127.0.0.1:1/test"  # nothing listens on port 1
    with pytest.raises(StorageError) as info:
        open_(url)
    assert isinstance(info.value, ConfigurationError)
    src = tmp_path / "u.csv"
    write_csv(src, generate_umkm(3, seed=2, faulty_share=0.0), UMKM_COLUMNS)
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "umkm", "--db", url])
    assert res.exit_code == 2, res.output
    assert ("STORE_UNAVAILABLE" if case != "server_refuses" else "SQL_CONNECT_FAILED") in res.output


@pytest.mark.parametrize("command", ["tahunan", "rekap"])
def test_an_output_place_that_cannot_be_written_is_exit_2(tmp_path: Path, command: str) -> None:
    """--out under a file (not a folder): BERKAS_OS with the reason, exit 2; was a traceback."""
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "sub"
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    open_store(db).close()
    args = (
        ["report", "tahunan", "--year", "2025", "--out", str(out), "--db", db]
        if command == "tahunan"
        else ["report", "rekap", "--by", "skala", "--format", "xlsx", "--out", str(out / "r.xlsx"), "--db", db]
    )
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    assert "BERKAS_OS" in res.output and "afile" in res.output


@pytest.mark.parametrize("body", [b"\x9b\xff binary", b"nama_usaha,nib\nToko,1\n"])
def test_a_prefix_table_that_is_not_one_is_exit_2(tmp_path: Path, body: bytes) -> None:
    p = tmp_path / "prefiks.csv"
    p.write_bytes(body)
    res = CliRunner().invoke(cli, ["nik", "prefix", "31.71.01.1001", "--table", str(p)])
    assert res.exit_code == 2 and "NIK_PREFIX_TABLE_INVALID" in res.output


@pytest.mark.parametrize(
    ("place", "code"),
    [("e.ods", "FORMAT_UNKNOWN"), ("u.csv/e.csv", "BERKAS_OS"), ("u.csv/sub/e.xlsx", "BERKAS_OS")],
)
def test_an_errors_file_that_cannot_be_written_is_refused_before_anything_is_stored(
    tmp_path: Path, place: str, code: str
) -> None:
    """--errors of another format (x.ods), or under a file: refused (exit 2) before a row is
    read; each was found at the first rejected row, after the batches before it were stored."""
    rows = list(generate_umkm(30, seed=9, faulty_share=0.0))
    src = tmp_path / "u.csv"
    write_csv(src, rows, UMKM_COLUMNS)
    with src.open("a", encoding="utf-8", newline="") as fh:  # a rejected row at the end
        csv.writer(fh).writerow(["S-X", "", *[""] * (len(UMKM_COLUMNS) - 2)])
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(
        cli, ["import", str(src), "--kind", "umkm", "--db", db, "--batch-size", "5", "--errors", str(tmp_path / place)]
    )
    assert res.exit_code == 2 and code in res.output, res.output
    store = open_store(db)
    try:
        assert store.count("umkm") == 0
    finally:
        store.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_errors_file_in_a_folder_not_there_yet_lands_in_it(tmp_path: Path, suffix: str) -> None:
    """The folder of --errors is made (an XLSX errors file failed at its first rejected row)."""
    src = tmp_path / "u.csv"
    write_csv(src, generate_umkm(6, seed=9, faulty_share=0.0), UMKM_COLUMNS)
    with src.open("a", encoding="utf-8", newline="") as fh:  # a rejected row at the end
        csv.writer(fh).writerow(["S-X", "", *[""] * (len(UMKM_COLUMNS) - 2)])
    errors = tmp_path / "out" / "sub" / f"e{suffix}"
    res = CliRunner().invoke(cli, ["validate", str(src), "--kind", "umkm", "--errors", str(errors)])
    assert res.exit_code == 1, res.output
    assert errors.is_file()


def test_one_badan_hukum_number_written_three_ways_is_one_koperasi(tmp_path: Path) -> None:
    """A koperasi without a NIK Koperasi is known by its badan hukum number, in capitals and
    without blanks: 796/BH/XII/2005, 796/bh/xii/2005 and 796 / BH / XII / 2005 are one
    koperasi (the second and third rows BARIS_DUPLIKAT; they were stored as three)."""
    head = "nama,nomor_badan_hukum,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data\n"
    rest = ",2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin\n"
    src = tmp_path / "k.csv"
    src.write_text(
        head + "".join(f"Koperasi Maju,{bh}{rest}" for bh in ("796/BH/XII/2005", "796/bh/xii/2005", "796 / BH / XII / 2005")),
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "koperasi", "--db", db, "--json"])
    out = json.loads(res.output)
    assert (out["accepted"], out["rejected"], out["inserted"]) == (1, 2, 1)
    assert out["rejected_by_code"] == {"BARIS_DUPLIKAT": 2}


@pytest.mark.parametrize(
    "args",
    [
        ["report", "rekap", "--by", "kab_kota"],
        ["report", "banding", "--by", "kab_kota", "--from", "2024", "--to", "2025"],
        ["report", "tahunan", "--year", "2025", "--out", "OUT"],
        ["quality", "--kind", "umkm", "--petugas", "pusdatin-1"],
        ["ods", "export", "--out", "OUT/x.jsonl"],
    ],
)
def test_a_command_reading_the_store_refuses_a_database_that_is_not_there(tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db made a new empty store and the report printed zeros with exit 0, as if
    nothing had been recorded: STORE_TIDAK_ADA, exit 2, and nothing is created."""
    path = tmp_path / "salah.sqlite"
    args = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    res = CliRunner().invoke(cli, [*args, "--db", f"sqlite:///{path}"])
    assert res.exit_code == 2, res.output
    assert "STORE_TIDAK_ADA" in res.output and not path.exists()


def _one_koperasi_then_two(tmp_path: Path, db: str, first: str, later: str) -> Any:
    """``first`` (one koperasi) then ``later`` (it again and a new one) imported into ``db``:
    the store, open, after checking the second import updated one and inserted one."""
    runner = CliRunner()
    out = []
    for name, text in (("a.csv", first), ("b.csv", later)):
        src = tmp_path / name
        src.write_text(text, encoding="utf-8")
        res = runner.invoke(cli, ["import", str(src), "--kind", "koperasi", "--db", db, "--json"])
        out.append(json.loads(res.output))
    assert out[0]["inserted"] == 1
    assert (out[1]["inserted"], out[1]["updated"]) == (1, 1)
    store = open_store(db)
    assert store.count("koperasi") == 2
    return store


@pytest.mark.parametrize("url", ["memory://bh-then-nik-{}", "sqlite:///{}/k.sqlite"])
def test_a_koperasi_imported_again_with_its_new_nik_koperasi_stays_one_record(tmp_path: Path, url: str) -> None:
    """A koperasi recorded by its badan hukum number (BH:…) and imported again once it has its
    NIK Koperasi is the same record, a new version of it (it became a second koperasi: the
    rekap counted it twice); a koperasi with a NIK no record has is still a new one."""
    import uuid

    db = url.format(uuid.uuid4().hex if url.startswith("memory") else tmp_path)
    head = "nama,nomor_badan_hukum,nomor_induk_koperasi,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data\n"
    rest = ",2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin\n"
    store = _one_koperasi_then_two(
        tmp_path, db, head + f"Koperasi Maju,796/BH/XII/2005,{rest}",
        head + f"Koperasi Maju,796/BH/XII/2005,3171010010001{rest}" + f"Koperasi Baru,797/BH/XII/2005,3171010010002{rest}",
    )  # fmt: skip
    try:
        kept = store.get("koperasi", "BH:796/BH/XII/2005")
        assert kept is not None and kept.version == 2
        assert kept.record.nomor_induk_koperasi == "3171010010001"  # type: ignore[union-attr]
        assert store.get("koperasi", "3171010010001") is None
    finally:
        store.close()


@pytest.mark.parametrize("url", ["memory://nik-then-bh-{}", "sqlite:///{}/k.sqlite"])
def test_a_koperasi_stored_by_its_nik_koperasi_met_by_its_badan_hukum_number_only_stays_one(
    tmp_path: Path, url: str
) -> None:
    """A koperasi stored under its NIK Koperasi, then sent again by a list without the NIK
    column (its badan hukum number written another way) is that record, a new version that
    keeps the NIK Koperasi: it was stored as a second koperasi (``BH:…``), counted twice."""
    import uuid

    db = url.format(uuid.uuid4().hex if url.startswith("memory") else tmp_path)
    rest = ",2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin"
    store = _one_koperasi_then_two(
        tmp_path,
        db,
        "nama,nomor_badan_hukum,nomor_induk_koperasi,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data\n"
        f"Koperasi Maju,796/BH/XII/2005,3171010010001{rest}\n",
        "nama,nomor_badan_hukum,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data,jumlah_anggota\n"
        f"Koperasi Maju,796 / bh / xii / 2005{rest},40\nKoperasi Lain,798/BH/XII/2005{rest},20\n",
    )
    try:
        assert store.get("koperasi", "BH:796/BH/XII/2005") is None
        kept = store.get("koperasi", "3171010010001")
        assert kept is not None and kept.version == 2
        assert kept.record.nomor_induk_koperasi == "3171010010001"  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_list_without_the_nik_column_keeps_the_nik_koperasi_the_dinas_issued(tmp_path: Path) -> None:
    """Kepgub G: the Dinas issues the NIK Koperasi and writes it on the koperasi's record. The
    Dekopinwil's next yearly list, without that column, updated the record and took the
    number, its status and the certificate's end date off it; a blank is not a revocation."""
    import datetime as dt

    import attrs

    from kukm.storage.base import WriteOp

    head = "nama,nomor_badan_hukum,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data,tanggal_data,jumlah_anggota\n"
    src = tmp_path / "k.csv"
    src.write_text(head + "Koperasi Maju,796/BH/XII/2005,2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin,2025-01-10,30\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(src), "--kind", "koperasi", "--db", db]).exit_code == 0
    store = open_store(db)
    try:
        cur = store.get("koperasi", "BH:796/BH/XII/2005")
        assert cur is not None
        issued = attrs.evolve(
            cur.record,  # type: ignore[misc]
            nomor_induk_koperasi="3171010010001",
            status_nik="Sudah",
            tanggal_berlaku_sertifikat=dt.date(2030, 1, 9),
        )
        store.write_batch([WriteOp("koperasi", cur.id, issued, cur.provenance, atribut=dict(cur.atribut), status=cur.status)])
    finally:
        store.close()
    src.write_text(src.read_text(encoding="utf-8").replace("2025-01-10,30", "2026-01-10,45"), encoding="utf-8")
    out = json.loads(runner.invoke(cli, ["import", str(src), "--kind", "koperasi", "--db", db, "--json"]).output)
    assert (out["inserted"], out["updated"]) == (0, 1)
    store = open_store(db)
    try:
        now = store.get("koperasi", "BH:796/BH/XII/2005")
        assert now is not None and now.version == 3
        k = now.record
        assert (k.nomor_induk_koperasi, k.status_nik, k.tanggal_berlaku_sertifikat) == (  # type: ignore[union-attr]
            "3171010010001", "Sudah", dt.date(2030, 1, 9)
        )
        assert k.tanggal_data == dt.date(2026, 1, 10)  # type: ignore[union-attr]
    finally:
        store.close()


def test_the_output_says_why_a_column_was_not_taken(tmp_path: Path) -> None:
    """A monthly turnover column is not taken for the yearly one; the plain output said only
    'columns ignored', as for a note column, and the officer could not tell why every row
    then lacked omzet_tahunan."""
    src = tmp_path / "h.csv"
    src.write_text(
        "nama_usaha,nib,Omzet per Bulan (Rp),Catatan\nToko A,9100000000001,2000000,x\n", encoding="utf-8"
    )
    res = CliRunner().invoke(cli, ["validate", str(src), "--kind", "umkm"])
    assert res.exit_code == 1, res.output
    assert "columns ignored (no field of the form): Catatan" in res.output
    taken = [line for line in res.output.splitlines() if line.startswith("column not taken:")]
    assert len(taken) == 1 and "'Omzet per Bulan (Rp)'" in taken[0] and "omzet_tahunan" in taken[0]
    out = json.loads(CliRunner().invoke(cli, ["validate", str(src), "--kind", "umkm", "--json"]).output)
    assert set(out["header"]["unclear"]) == {"Omzet per Bulan (Rp)"}


def test_an_owners_region_column_is_reported_as_not_taken(tmp_path: Path) -> None:
    """A 'Kelurahan (sesuai KTP)' column is the owner's domicile, not the business's place: it
    is not read for kode_wilayah, and the output now says why (it was only 'ignored')."""
    src = tmp_path / "w.csv"
    src.write_text(
        "nama_usaha,nib,Kecamatan,Kelurahan (sesuai KTP)\nToko A,9100000000001,Gambir,Cideng\n",
        encoding="utf-8",
    )
    out = json.loads(CliRunner().invoke(cli, ["validate", str(src), "--kind", "umkm", "--json"]).output)
    assert "Kelurahan (sesuai KTP)" in out["header"]["unclear"]
    assert "Kelurahan (sesuai KTP)" in out["header"]["unknown"]
    res = CliRunner().invoke(cli, ["validate", str(src), "--kind", "umkm"])
    assert "column not taken: 'Kelurahan (sesuai KTP)'" in res.output
