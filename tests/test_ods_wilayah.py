"""Resolving ODS address names to Kemendagri codes (checked against ../shared/data/wilayah)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.integration.ods import WilayahResolver, from_ods, to_ods
from kukm.integration.ods_io import export_ods, import_ods
from kukm.integration.wilayah_match import make_resolver, normalise_name, resolver_from_dir
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
    differ = {k for k in built if built.get(k) != shared.get(k)}
    # "Keurahan. Pulau Panggang" now reads as Pulau Panggang: its prefix settles the tie the
    # shared table marks (Pulau Panggang 1 of 2 records, same prefix as Pulau Kelapa)
    assert differ == {"31.01.01.1001"}
    mine, theirs = built.entry("31.01.01.1001"), shared.entry("31.01.01.1001")
    assert mine is not None and theirs is not None and theirs.catatan
    assert 2 * theirs.dukungan <= theirs.total and 2 * mine.dukungan > mine.total


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


# -- names of exports we have not seen (tests/test_ods_unseen.py covers the converter) ------


@pytest.fixture(scope="module")
def dki() -> tuple[WilayahResolver, dict[str, str], list[tuple[str, str, str]]]:
    """The resolver over the DKI tables, and the rows of :func:`_dki_rows` (built once)."""
    from conftest import require_shared

    base = require_shared("data", "wilayah")
    return (_resolver(base), *_dki_rows(base))


def _dki_rows(wilayah_dir: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Kab/kota names by code, and every (kelurahan code, its name, its kecamatan's name)."""

    def rows(name: str) -> list[dict[str, str]]:
        with (wilayah_dir / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    kab = {r["kode"]: r["nama"] for r in rows("dki_kabkota.csv")}
    kec = {r["kode"]: r["nama"] for r in rows("dki_kecamatan.csv")}
    kel = [(r["kode"], r["nama"], kec[r["kode_kecamatan"]]) for r in rows("dki_kelurahan.csv")]
    return kab, kel


_KAB_SPELLINGS = (
    lambda n: n,
    lambda n: n.upper(),
    lambda n: n.replace("Kota Administrasi ", "Kota Adm. ").upper(),
    lambda n: n.replace("Kota Administrasi ", "").replace("Kabupaten Administrasi ", ""),
    lambda n: n.replace("Kota Administrasi ", "Kotamadya "),
    lambda n: n.replace("Kota Administrasi ", "Kodya ").replace("Kabupaten Administrasi ", "Kab. "),
    lambda n: n.replace("Kepulauan", "Kep.").replace("Kabupaten Administrasi", "KAB. ADM."),
)
_PLACE_SPELLINGS = (
    lambda n, p: n,
    lambda n, p: n.upper(),
    lambda n, p: f"  {n.lower()}  ",
    lambda n, p: f"{p}. {n}",
    lambda n, p: f"{p.upper()}.{n.upper()}",
    lambda n, p: n.replace(" ", "  "),
    lambda n, p: n.replace("Pulau ", "P. ").replace("Tanjung ", "Tg. ").replace("Kebon ", "Kb. "),
)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_spelling_of_a_dki_address_resolves_to_its_code(
    dki: tuple[WilayahResolver, dict[str, str], list[tuple[str, str, str]]], data: st.DataObject
) -> None:
    """KOTA ADM. JAKARTA PUSAT, Jakarta Pusat, Kodya Jakarta Pusat, KAB. ADM. KEP. SERIBU;
    kecamatan and kelurahan in any case, spacing, with ``Kec.``/``Kel.`` or ``P.``/``Tg.``/
    ``Kb.`` abbreviations: the kelurahan's own code (before, ``Kep.`` and ``Kodya`` found
    nothing and ``P. Tidung`` only the kab/kota)."""
    resolve, kab, kel = dki
    kode, nama, kec = data.draw(st.sampled_from(kel))
    kab_name = data.draw(st.sampled_from(_KAB_SPELLINGS))(kab[kode[:5]])
    kec_name = data.draw(st.sampled_from(_PLACE_SPELLINGS))(kec, "Kec")
    kel_name = data.draw(st.sampled_from(_PLACE_SPELLINGS))(nama, "Kel")
    prov = data.draw(st.sampled_from(["DKI Jakarta", "DKI JAKARTA", "Prov. DKI Jakarta", " ", None]))
    assert resolve(prov, kab_name, kec_name, kel_name) == kode


def test_a_kecamatan_misspelt_inside_its_kab_kota_resolves(wilayah_dir: Path) -> None:
    resolve = _resolver(wilayah_dir)
    assert resolve("DKI Jakarta", "Jakarta Utara", "Tanjung Priuk", "Sunter Agung") == "31.72.02.1006"


@settings(max_examples=40, deadline=None)
@given(
    prov=st.sampled_from(["Jawa Barat", "JAWA BARAT", "Prov. Banten", "Sumatera Selatan", "Papua"]),
    kab=st.sampled_from([None, " ", "Kota Bandung", "Kabupaten Bogor", "Kota Palembang"]),
    place=st.sampled_from([("Gambir", "Cideng"), ("Tanah Abang", "Kebon Melati"),
                           ("Cipayung", "Cipayung"), ("Taman Sari", "Taman Sari"),
                           ("Jatinegara", "Cipinang Besar Utara"), ("Tambora", None)]),
)
def test_another_province_never_gets_a_code_of_the_dki_tables(
    dki: tuple[WilayahResolver, dict[str, str], list[tuple[str, str, str]]],
    prov: str,
    kab: str | None,
    place: tuple[str, str | None],
) -> None:
    """The ODS is national; with the DKI tables of a Dinas, a koperasi of another province
    whose kecamatan/kelurahan names also exist in DKI resolves to nothing (before: the DKI
    kelurahan when its kab/kota was blank)."""
    assert dki[0](prov, kab, *place) is None


def test_province_names_from_a_provinsi_table(tmp_path: Path) -> None:
    (tmp_path / "kabkota.csv").write_text("kode,nama\n31.71,Jakarta Pusat\n", encoding="utf-8")
    (tmp_path / "kecamatan.csv").write_text("kode,nama,kode_kabkota\n31.71.01,Gambir,31.71\n",
                                            encoding="utf-8")
    (tmp_path / "kelurahan.csv").write_text("kode,nama,kode_kecamatan\n", encoding="utf-8")
    (tmp_path / "provinsi.csv").write_text("kode,nama\n31,Ibukota\n32,Priangan\n", encoding="utf-8")
    resolve = resolver_from_dir(tmp_path)
    assert resolve("Ibukota", None, "Gambir", None) == "31.71.01"
    assert resolve("Priangan", None, "Gambir", None) is None
    assert resolve("Jawa Barat", None, "Gambir", None) is None  # the national names too
    assert resolve("Nowhere", None, "Gambir", None) == "31.71.01"  # unknown: decides nothing
