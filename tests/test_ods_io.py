"""ODS files ↔ store: streaming import/export, input = accepted + rejected, CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kukm.cli import cli
from kukm.integration.ods import ODS_FIELDS
from kukm.integration.ods_io import (
    OdsRow,
    export_ods,
    import_ods,
    read_csv,
    read_jsonl,
    write_csv,
    write_jsonl,
)
from kukm.model import Koperasi, SumberData
from kukm.plugins import open_store
from kukm.storage.base import Store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'kukm.sqlite'}")
    yield store
    store.close()


def _by_id(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["Nomor Induk Koperasi (NIK)"]: r for r in lines}


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_sample_through_sqlite_store_is_identical(
    ods_sample_path: Path, sqlite_store: Store, tmp_path: Path
) -> None:
    report = import_ods(sqlite_store, ods_sample_path, resolve=False)
    assert report.input == 689 == report.accepted + report.rejected
    assert report.rejected == 0 and report.inserted == 689
    out = tmp_path / "out.jsonl"
    assert export_ods(sqlite_store, out) == 689
    assert _by_id(_load(out)) == _by_id(_load(ods_sample_path))
    stored = sqlite_store.get("koperasi", "3101010020004")
    assert stored is not None and stored.provenance.sumber is SumberData.ODS
    assert isinstance(stored.record, Koperasi)


def test_reimport_changes_nothing(ods_sample_path: Path, sqlite_store: Store) -> None:
    import_ods(sqlite_store, ods_sample_path, resolve=False)
    again = import_ods(sqlite_store, ods_sample_path, resolve=False)
    assert again.accepted == 689 and again.unchanged == 689
    assert again.inserted == again.updated == 0
    assert len(sqlite_store.history("koperasi", "3101010020004")) == 1


def test_csv_round_trip(ods_sample_path: Path, sqlite_store: Store, tmp_path: Path) -> None:
    csv_path = tmp_path / "ods.csv"
    assert write_csv((r.record for r in read_jsonl(ods_sample_path) if r.record), csv_path) == 689
    report = import_ods(sqlite_store, csv_path, resolve=False)
    assert (report.input, report.accepted) == (689, 689)
    out = tmp_path / "back.csv"
    export_ods(sqlite_store, out, format="csv")
    back = [r.record for r in read_csv(out)]
    assert _by_id([b for b in back if b]) == _by_id(_load(ods_sample_path))
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:3] == list(ODS_FIELDS[:3])


def test_broken_rows_are_rejected_and_counted(tmp_path: Path) -> None:
    store = open_store("memory://")
    good = {name: " " for name in ODS_FIELDS} | {"Koperasi": "A", "Status Grade": "Z"}
    nameless = {name: " " for name in ODS_FIELDS}
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([json.dumps(good), "{not json", "[1, 2]", json.dumps(nameless), "",
                   json.dumps(good)]) + "\n",
        encoding="utf-8",
    )
    report = import_ods(store, path, resolve=False)
    assert report.input == 5 == report.accepted + report.rejected
    assert (report.accepted, report.rejected) == (2, 3)
    assert report.rejected_rows == (2, 3, 4)
    counts = report.issue_counts
    assert counts["ODS_BARIS_INVALID"] == 1 and counts["ODS_BUKAN_OBJEK"] == 1
    assert counts["ODS_TANPA_IDENTITAS"] == 1
    assert counts["ODS_KOSAKATA_TIDAK_DIKENAL"] == 2  # kept and reported
    assert counts["ODS_DUPLIKAT"] == 1
    assert store.count("koperasi") == 1
    audit = [e for e in store.audit_log() if e.aksi == "ods_import"]
    assert len(audit) == 1 and audit[0].detail is not None
    assert json.loads(audit[0].detail)["rejected"] == 3


def test_import_streams_small_batches(ods_sample_path: Path) -> None:
    store = open_store("memory://")
    seen: list[str] = []
    report = import_ods(store, read_jsonl(ods_sample_path), batch_size=7, resolve=False,
                        on_issue=lambda i: seen.append(i.code))
    assert report.accepted == 689 and store.count("koperasi") == 689
    assert seen == []


def test_readers_are_lazy() -> None:
    class Endless(io.StringIO):
        def __iter__(self) -> Iterator[str]:
            while True:
                yield '{"Koperasi": "A"}\n'

    rows = read_jsonl(Endless())
    first: OdsRow = next(rows)
    assert first.row == 1 and first.record == {"Koperasi": "A"}


def test_write_jsonl_matches_ministry_bytes(ods_sample_path: Path) -> None:
    buf = io.StringIO()
    write_jsonl((r.record for r in read_jsonl(ods_sample_path) if r.record), buf)
    assert buf.getvalue() == ods_sample_path.read_text(encoding="utf-8")


def test_cli_import_export(ods_sample_path: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    runner = CliRunner()
    res = runner.invoke(cli, ["ods", "import", str(ods_sample_path), "--db", db, "--json",
                              "--no-resolve"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["input"] == data["accepted"] + data["rejected"] == 689
    out = tmp_path / "export.jsonl"
    res = runner.invoke(cli, ["ods", "export", "--out", str(out), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["exported"] == 689
    assert _by_id(_load(out)) == _by_id(_load(ods_sample_path))


def test_cli_import_rejects_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"Koperasi": "A"}\n{oops\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["ods", "import", str(path), "--db", "memory://", "--json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert (data["input"], data["accepted"], data["rejected"]) == (2, 1, 1)


def test_tricky_records_survive_the_sqlite_store(sqlite_store: Store, tmp_path: Path) -> None:
    tricky = [
        {"Koperasi": " Spasi ", "Nomor Induk Koperasi (NIK)": "3173010010001",
         "Total Anggota": "1012", "Tanggal RAT Terakhir": "31/02/2020", "Status Grade": "E",
         "Email": "k@example.org"},
        {"Koperasi": "Angka", "Nomor Badan Hukum Pendirian": "12/BH/I", "Total Anggota": 7,
         "Extra": [1, {"a": None}], "Status NIK": None},
        {name: "" for name in ODS_FIELDS} | {"Koperasi": "Kosong", "Nomor Induk Koperasi (NIK)":
                                             "3173010010003"},
    ]
    report = import_ods(sqlite_store, [OdsRow(i, r) for i, r in enumerate(tricky, 1)],
                        resolve=False)
    assert report.accepted == 3
    out = tmp_path / "tricky.jsonl"
    export_ods(sqlite_store, out)
    assert sorted(_load(out), key=lambda r: r["Koperasi"]) == sorted(
        tricky, key=lambda r: r["Koperasi"])


def test_masked_export_hides_board_names(ods_sample_path: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["ods", "import", str(ods_sample_path), "--db", db,
                               "--no-resolve"]).exit_code == 0
    out = tmp_path / "masked.jsonl"
    res = runner.invoke(cli, ["ods", "export", "--out", str(out), "--db", db, "--mask"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "Ketua 0000" not in text and "K**** 0***" in text
    first = _by_id(_load(out))["3101010020004"]
    assert first["Koperasi"] == "Koperasi Produksi Nelayan Tidung Sejahtera"  # not personal


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("export.jsonl", b'{"Koperasi": "A"}\n\x9b\xff binary\n'),
        ("export.csv", b'Koperasi,Status Grade\n"A,' + b"x" * 140_000 + b"\n"),
        ("export.xlsx", b"PK\x03\x04\x9b\xff"),
    ],
)
def test_an_unreadable_export_is_a_configuration_error(tmp_path: Path, default_csv_field_limit: int, name: str, body: bytes) -> None:
    """A workbook or other binary given as an ODS export, or a CSV quote never closed: a clear
    ODS_BERKAS_TIDAK_TERBACA (CLI exit 2), not a traceback."""
    from click.testing import CliRunner

    from kukm.cli import cli
    from kukm.exceptions import ConfigurationError
    from kukm.integration.ods_io import read_ods

    p = tmp_path / name
    p.write_bytes(body)
    with pytest.raises(ConfigurationError) as info:
        list(read_ods(p))
    assert info.value.code == "ODS_BERKAS_TIDAK_TERBACA"
    res = CliRunner().invoke(cli, ["ods", "import", str(p), "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"])
    assert res.exit_code == 2 and "ODS_BERKAS_TIDAK_TERBACA" in res.output


def test_an_ods_row_by_badan_hukum_only_is_the_koperasi_stored_by_its_nik(sqlite_store: Store) -> None:
    """An ODS row giving only the badan hukum number of a koperasi stored under its NIK
    Koperasi updates that record and keeps the number (it was a second koperasi, ``BH:…``);
    two rows of one file, the NIK one first, are one koperasi too."""
    from kukm.integration.ods_io import OdsRow

    with_nik = {"Koperasi": "A", "Nomor Badan Hukum Pendirian": "9/BH/2001",
                "Nomor Induk Koperasi (NIK)": "3173010010009", "Status NIK": "Sudah"}  # fmt: skip
    bh_only = {"Koperasi": "A", "Nomor Badan Hukum Pendirian": "9 / bh / 2001", "Status Grade": "B"}
    import_ods(sqlite_store, [OdsRow(1, with_nik)], resolve=False)
    r = import_ods(sqlite_store, [OdsRow(1, bh_only)], resolve=False)
    assert (r.inserted, r.updated) == (0, 1)
    assert sqlite_store.count("koperasi") == 1
    cur = sqlite_store.get("koperasi", "3173010010009")
    assert cur is not None and isinstance(cur.record, Koperasi)
    assert (cur.record.nomor_induk_koperasi, cur.record.status_nik, cur.record.grade) == (
        "3173010010009", "Sudah", "B",
    )  # fmt: skip
    other = {"Koperasi": "C", "Nomor Badan Hukum Pendirian": "7/BH/2001", "Nomor Induk Koperasi (NIK)": "3173010010007"}
    r = import_ods(
        sqlite_store,
        [OdsRow(1, other), OdsRow(2, {"Koperasi": "C", "Nomor Badan Hukum Pendirian": "7/bh/2001"})],
        resolve=False,
    )
    assert r.inserted == 1 and sqlite_store.count("koperasi") == 2
    assert sqlite_store.get("koperasi", "BH:7/BH/2001") is None


def test_an_ods_row_giving_only_the_issued_nik_koperasi_updates_the_record_holding_it(
    sqlite_store: Store,
) -> None:
    """A koperasi recorded by its badan hukum number (BH:…) that the Dinas then gave a NIK
    Koperasi, sent by the ODS with the number but no badan hukum number, is that record (it
    was stored as a second koperasi under the number)."""
    import attrs

    from kukm.integration.ods_io import OdsRow
    from kukm.storage.base import WriteOp

    import_ods(sqlite_store, [OdsRow(1, {"Koperasi": "A", "Nomor Badan Hukum Pendirian": "5/BH/2001"})], resolve=False)
    cur = sqlite_store.get("koperasi", "BH:5/BH/2001")
    assert cur is not None
    given_nik = attrs.evolve(cur.record, nomor_induk_koperasi="3173010010005")  # type: ignore[misc]
    sqlite_store.write_batch([WriteOp("koperasi", cur.id, given_nik, cur.provenance)])
    r = import_ods(
        sqlite_store,
        [OdsRow(1, {"Koperasi": "A Jaya", "Nomor Induk Koperasi (NIK)": "3173010010005"})],
        resolve=False,
    )
    assert (r.inserted, r.updated) == (0, 1)
    assert sqlite_store.count("koperasi") == 1 and sqlite_store.get("koperasi", "3173010010005") is None
    now = sqlite_store.get("koperasi", "BH:5/BH/2001")
    assert now is not None and isinstance(now.record, Koperasi) and now.record.nama == "A Jaya"
    assert now.record.nomor_badan_hukum == "5/BH/2001"  # a row without it does not drop it


def test_an_address_change_under_another_spelling_of_the_field_is_kept(sqlite_store: Store) -> None:
    """Both the stored and the incoming record name the address 'ALAMAT KOPERASI': keep_local
    compared the address by the ministry's names (absent in both: equal) and kept the old
    address, reporting the import as an update that changed nothing of it."""
    from kukm.integration.ods_io import OdsRow

    row = {"Koperasi": "A", "Nomor Induk Koperasi (NIK)": "3173010010011", "ALAMAT KOPERASI": "Jl. Lama 1"}
    import_ods(sqlite_store, [OdsRow(1, row)], resolve=False)
    r = import_ods(sqlite_store, [OdsRow(1, row | {"ALAMAT KOPERASI": "Jl. Baru 2"})], resolve=False)
    assert r.updated == 1
    cur = sqlite_store.get("koperasi", "3173010010011")
    assert cur is not None and isinstance(cur.record, Koperasi)
    assert cur.record.alamat.jalan == "Jl. Baru 2"
    again = import_ods(sqlite_store, [OdsRow(1, row | {"ALAMAT KOPERASI": "Jl. Baru 2"})], resolve=False)
    assert (again.updated, again.unchanged) == (0, 1)
