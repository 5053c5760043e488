"""Resolving ODS address names to Kemendagri codes (checked against ../shared/data/wilayah)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.integration.ods import WilayahResolver, from_ods, to_ods
from kukm.integration.ods_io import export_ods, import_ods
from kukm.integration.wilayah_match import make_resolver, normalise_name
from kukm.plugins import open_store


def _resolver(wilayah_dir: Path, prefiks_path: Path | None = None) -> WilayahResolver:
    def rows(name: str) -> list[dict[str, str]]:
        with (wilayah_dir / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    prefiks: list[tuple[str, str]] = []
    if prefiks_path is not None:
        with prefiks_path.open(encoding="utf-8") as fh:
            prefiks = [(r["kode_kelurahan"], r["prefiks_nik"]) for r in csv.DictReader(fh)]
    return make_resolver(
        kabkota=[(r["kode"], r["nama"]) for r in rows("dki_kabkota.csv")],
        kecamatan=[(r["kode"], r["nama"], r["kode_kabkota"]) for r in rows("dki_kecamatan.csv")],
        kelurahan=[(r["kode"], r["nama"], r["kode_kecamatan"]) for r in rows("dki_kelurahan.csv")],
        prefiks=prefiks,
    )


def test_sample_addresses_resolve(ods_sample_path: Path, wilayah_dir: Path,
                                  prefiks_path: Path) -> None:
    resolve = _resolver(wilayah_dir, prefiks_path)
    levels = {3: 0, 4: 0}
    with ods_sample_path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            result = from_ods(record, resolver=resolve)
            kode = result.koperasi.alamat.kode_wilayah
            assert kode is not None  # every sample record has kecamatan + kab/kota
            parts = kode.count(".") + 1
            levels[parts] += 1
            assert kode.startswith("31.71." if "Pusat" in record["Kabupaten"] else "31.01.")
            if parts == 3:
                assert "ODS_WILAYAH_TIDAK_DIKENAL" in {i.code for i in result.issues}
            assert result.koperasi.alamat.kecamatan_nama == record["Kecamatan"]
            assert to_ods(result.koperasi) == record
    assert levels[4] >= 460  # the rest name another kecamatan's kelurahan or nothing usable


def test_import_with_resolver_fills_codes_and_stays_lossless(
    ods_sample_path: Path, wilayah_dir: Path, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'w.sqlite'}")
    report = import_ods(store, ods_sample_path, resolver=_resolver(wilayah_dir))
    assert report.accepted == 689
    assert store.count("koperasi", wilayah="31.01") == 13
    assert store.count("koperasi", wilayah="31.71") == 676
    out = tmp_path / "out.jsonl"
    export_ods(store, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    expected = ods_sample_path.read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(expected)
    store.close()


def test_spellings_resolve_alike() -> None:
    resolve = make_resolver(
        kabkota=[("31.73", "Kota Administrasi Jakarta Barat")],
        kecamatan=[("31.73.07", "Palmerah", "31.73")],
        kelurahan=[("31.73.07.1001", "Slipi", "31.73.07")],
    )
    for kec in ("Palmerah", "Pal Merah", "PALMERAH", "Kec. Palmerah"):
        assert resolve("DKI Jakarta", "Jakarta Barat", kec, "Kel. Slipi") == "31.73.07.1001"
    assert resolve(None, None, "Palmerah", "Nowhere") == "31.73.07"
    assert resolve(None, None, "Nowhere", None) is None


@settings(max_examples=60)
@given(st.text(max_size=30))
def test_normalise_is_idempotent_and_alnum(name: str) -> None:
    once = normalise_name(name)
    assert once.isalnum() or once == ""
    assert normalise_name(once) == once


def test_cli_import_with_wilayah_dir(ods_sample_path: Path, wilayah_dir: Path,
                                     tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kukm.cli import cli

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    res = CliRunner().invoke(cli, ["ods", "import", str(ods_sample_path), "--db", db, "--json",
                                   "--wilayah-dir", str(wilayah_dir)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["input"] == data["accepted"] == 689
    assert data["issue_counts"]["ODS_WILAYAH_TIDAK_DIKENAL"] > 0
    store = open_store(db)
    assert store.count("koperasi", wilayah="31.71") == 676
    store.close()


def test_default_resolver_uses_reference_tables(ods_sample_path: Path,
                                                prefiks_path: Path) -> None:
    import pytest

    pytest.importorskip("kukm.reference.wilayah")
    prefiks = pytest.importorskip("kukm.reference.prefiks")
    old = prefiks.set_table(prefiks.load(prefiks_path))
    try:
        levels = {3: 0, 4: 0}
        with ods_sample_path.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                k = from_ods(record).koperasi
                assert k.alamat.kode_wilayah is not None
                levels[k.alamat.kode_wilayah.count(".") + 1] += 1
                assert to_ods(k) == record
        assert levels[4] >= 460
    finally:
        prefiks.set_table(old)


def test_a_prefix_table_built_from_the_sample_agrees_with_the_shared_one(
    ods_sample_path: Path, prefiks_path: Path, tmp_path: Path
) -> None:
    """``kukm nik prefix-table``: every kelurahan the 689 records give gets the prefix the
    table derived from 4,125 records gives it."""
    from click.testing import CliRunner

    from kukm.cli import cli
    from kukm.reference import prefiks

    out = tmp_path / "prefiks.csv"
    res = CliRunner().invoke(cli, ["nik", "prefix-table", str(ods_sample_path), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    built, shared = prefiks.load(out), prefiks.load(prefiks_path)
    assert data["records"] == 689 and data["kelurahan"] == len(built) >= 40
    assert {k: built.get(k) for k in built} == {k: shared.get(k) for k in built}


def test_ods_import_resolves_ods_codes_through_a_built_prefix_table(
    ods_sample_path: Path, tmp_path: Path
) -> None:
    """A kelurahan field holding the ODS's 10-digit code is stored as the kelurahan whose
    prefix (in the table built from the export) is the code's first 9 digits."""
    from click.testing import CliRunner

    from kukm.cli import cli
    from kukm.reference import prefiks

    table = tmp_path / "prefiks.csv"
    CliRunner().invoke(cli, ["nik", "prefix-table", str(ods_sample_path), "--out", str(table)])
    runs = {}
    for name, extra in (("without", []), ("with", ["--prefix-table", str(table)])):
        db = f"sqlite:///{tmp_path / (name + '.sqlite')}"
        res = CliRunner().invoke(cli, ["ods", "import", str(ods_sample_path), "--db", db, "--json", *extra])
        assert res.exit_code == 0, res.output
        store = open_store(db)
        try:
            runs[name] = (
                json.loads(res.output)["issue_counts"].get("ODS_WILAYAH_TIDAK_DIKENAL", 0),
                {r.record.nomor_induk_koperasi or r.id: r.record.alamat.kode_wilayah for r in store.iter_records("koperasi")},
            )
        finally:
            store.close()
    assert prefiks.get_table() is None  # the CLI put the process's table back
    built = prefiks.load(table)
    codes = {}
    with ods_sample_path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            kel = (r.get("Kelurahan / Desa") or "").strip()
            if len(kel) == 10 and kel.isdigit():
                codes[r["Nomor Induk Koperasi (NIK)"].strip()] = kel
    resolved = 0
    for nik, kel in codes.items():
        before, after = runs["without"][1][nik], runs["with"][1][nik]
        assert before is None or after.startswith(before)  # never a different place
        if after is not None and after.count(".") == 3:
            assert built.get(after) == kel[:9]
            resolved += 1
    assert resolved >= 60
    assert runs["with"][0] == runs["without"][0] - resolved
