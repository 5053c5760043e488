"""Local register vs ODS snapshot; CLI diff and sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.integration.diff import diff_snapshot, field_changes
from kukm.integration.ods_io import OdsRow, import_ods, read_jsonl, write_jsonl
from kukm.plugins import open_store
from kukm.testing.ods_server import OdsServer


def _sample(path: Path) -> list[dict[str, Any]]:
    return [r.record for r in read_jsonl(path) if r.record is not None]


def test_diff_against_changed_snapshot(ods_sample_path: Path, tmp_path: Path) -> None:
    records = _sample(ods_sample_path)
    store = open_store("memory://")
    import_ods(store, [OdsRow(i, r) for i, r in enumerate(records[:-1], 1)], resolve=False)
    snapshot = [dict(r) for r in records[1:]]  # drop the first, keep the last (new)
    snapshot[0] = snapshot[0] | {"Status Grade": "A", "Total Anggota": "1,234"}
    path = tmp_path / "snap.jsonl"
    write_jsonl(snapshot, path)
    report = diff_snapshot(store, path)
    assert report.new == (records[-1]["Nomor Induk Koperasi (NIK)"],)
    assert report.missing_in_snapshot == (records[0]["Nomor Induk Koperasi (NIK)"],)
    assert len(report.changed) == 1
    fields = {f.field: (f.local, f.remote) for f in report.changed[0].fields}
    assert fields["Status Grade"] == (records[1]["Status Grade"], "A")
    assert fields["Total Anggota"][1] == "1,234"
    assert report.same == 689 - 3
    counts = report.as_dict()["counts"]
    assert counts == {"new": 1, "missing_in_snapshot": 1, "changed": 1, "same": 686}


def test_identical_snapshot_has_no_differences(ods_sample_path: Path) -> None:
    store = open_store("memory://")
    import_ods(store, ods_sample_path, resolve=False)
    report = diff_snapshot(store, ods_sample_path)
    assert (report.new, report.missing_in_snapshot, report.changed) == ((), (), ())
    assert report.same == 689


def test_field_changes_sees_absent_fields() -> None:
    assert [c.field for c in field_changes({"A": None}, {})] == ["A"]
    assert field_changes({"A": "1"}, {"A": "1"}) == ()


def test_cli_diff_and_sync(ods_sample_path: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    runner = CliRunner()
    res = runner.invoke(cli, ["ods", "import", str(ods_sample_path), "--db", db, "--no-resolve"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["ods", "diff", str(ods_sample_path), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["counts"]["same"] == 689
    res = runner.invoke(cli, ["ods", "diff", "--since-sync", "ods", "--db", db, "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["count"] == 689
    with OdsServer() as server:
        res = runner.invoke(cli, ["ods", "sync", "--url", server.url, "--db", db, "--json",
                                  "--field-authority", "Status Grade=remote"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.output)["pushed"] == 689
        res = runner.invoke(cli, ["ods", "sync", "--url", server.url, "--db", db, "--json"])
        assert json.loads(res.output)["transferred"] == 0
    res = runner.invoke(cli, ["ods", "diff", "--since-sync", "ods", "--db", db, "--json"])
    assert json.loads(res.output)["count"] == 0
    res = runner.invoke(cli, ["ods", "diff", "--db", db])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["ods", "sync", "--url", "ftp://x", "--db", db])
    assert res.exit_code == 2


FIELD = st.sampled_from(["Alamat", "Status Grade", "Total Anggota", "Tanggal RAT Terakhir",
                         "Kelompok Koperasi", "Extra Field"])
VALUE = st.sampled_from([" ", "A", "1,012", "01/02/2020", "31/02/2020", "x y"])


@settings(max_examples=60)
@given(st.lists(st.tuples(FIELD, VALUE), max_size=5), st.sets(st.integers(0, 9), max_size=3))
def test_diff_reports_exactly_what_was_changed(edits: list[tuple[str, str]],
                                               dropped: set[int]) -> None:
    base = [{"Koperasi": f"K{i}", "Nomor Induk Koperasi (NIK)": f"31730100{i:05d}",
             "Status Grade": "D"} for i in range(10)]
    store = open_store("memory://")
    import_ods(store, [OdsRow(i, r) for i, r in enumerate(base, 1)], resolve=False)
    snapshot = [dict(r) for i, r in enumerate(base) if i not in dropped]
    expected: dict[str, str] = {}
    for field, value in edits:
        if snapshot:
            snapshot[0][field] = value
            expected[field] = value
    report = diff_snapshot(store, [OdsRow(i, r) for i, r in enumerate(snapshot, 1)])
    assert set(report.missing_in_snapshot) == {base[i]["Nomor Induk Koperasi (NIK)"]
                                               for i in dropped}
    assert report.new == ()
    changed = {f.field: f.remote for c in report.changed for f in c.fields}
    original = base[min(set(range(10)) - dropped)] if snapshot else {}
    assert changed == {k: v for k, v in expected.items() if original.get(k) != v}
    store.close()
