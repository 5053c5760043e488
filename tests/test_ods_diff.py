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
from kukm.integration.ods_fields import ODS_FIELDS
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


def _respell(name: str) -> str:
    """Another spelling of an ODS field name, as other exports write it (FIELD_ALIASES, case,
    spacing, abbreviations): read by from_ods as the same field."""
    other = {"Koperasi": "Nama Koperasi", "Kabupaten": "Kabupaten / Kota", "Status Grade": "Grade",
             "Tanggal RAT Terakhir": "Tgl. RAT Terakhir",
             "Nomor Induk Koperasi (NIK)": "nomor induk koperasi (nik)"}
    return other.get(name, f"  {name.upper()} ")


def test_a_snapshot_spelling_field_names_otherwise_differs_only_in_values(
    ods_sample_path: Path,
) -> None:
    """Field names spelt otherwise than the stored source spelt them are the same fields: no
    change when only the names differ, either way round; a real change is that field alone."""
    records = _sample(ods_sample_path)
    respelt = [{_respell(k): v for k, v in r.items()} for r in records]
    assert all(set(r) != set(s) for r, s in zip(records, respelt, strict=True))
    for stored, snapshot in ((records, respelt), (respelt, records)):
        store = open_store("memory://")
        import_ods(store, [OdsRow(i, r) for i, r in enumerate(stored, 1)], resolve=False)
        report = diff_snapshot(store, [OdsRow(i, r) for i, r in enumerate(snapshot, 1)])
        assert (report.new, report.missing_in_snapshot, report.changed) == ((), (), ())
        assert report.same == len(records) == 689
        # one real change, under the snapshot's spelling: exactly that field, by its ODS name
        edited = [dict(r) for r in snapshot]
        grade = next(k for k in edited[5] if "grade" in k.casefold())
        kab = next(k for k in edited[5] if k.strip().casefold().startswith("kabupaten"))
        edited[5][grade] = "A" if records[5]["Status Grade"] != "A" else "B"
        edited[5][kab] = records[5]["Kabupaten"]  # the same value: no change
        report = diff_snapshot(store, [OdsRow(i, r) for i, r in enumerate(edited, 1)])
        assert report.same == 688
        (changed,) = report.changed
        assert changed.id == records[5]["Nomor Induk Koperasi (NIK)"]
        assert [(f.field, f.local, f.remote) for f in changed.fields] == [
            ("Status Grade", records[5]["Status Grade"], edited[5][grade])
        ]
        store.close()


SPELLING = st.sampled_from([str, str.casefold, str.upper, lambda n: f" {n} ", _respell])


@settings(max_examples=40, deadline=None)
@given(st.lists(SPELLING, min_size=3, max_size=3), st.lists(st.tuples(FIELD, VALUE), max_size=4))
def test_any_spelling_of_the_field_names_reports_only_the_values_changed(
    spell: list[Any], edits: list[tuple[str, str]]
) -> None:
    """Whatever spelling each field name of the snapshot takes, the changes reported are those
    of the values, under the ODS names."""
    base = {"Koperasi": "K", "Nomor Induk Koperasi (NIK)": "3173010000001", "Status Grade": "D"}
    store = open_store("memory://")
    import_ods(store, [OdsRow(1, base)], resolve=False)
    remote = dict(base)
    for field, value in edits:
        remote[field] = value
    snapshot = {  # an unknown field ("Extra Field") is its own name only
        (spell[i % 3](k) if k in ODS_FIELDS else k): v for i, (k, v) in enumerate(remote.items())
    }
    report = diff_snapshot(store, [OdsRow(1, snapshot)])
    changed = {f.field: f.remote for c in report.changed for f in c.fields}
    assert changed == {k: v for k, v in remote.items() if base.get(k) != v}
    store.close()
