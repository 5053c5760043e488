"""A kecamatan named without its kota: the (kecamatan, kelurahan) pair decides.

Five DKI kecamatan names recur in other provinces (Tanah Abang, Tambora, Taman Sari,
Jatinegara, Cipayung), so a sheet with Kecamatan/Kelurahan columns and no Kota column named
them for all of Indonesia and found none. :func:`kukm.reference.wilayah.match_alamat` takes the
pair when it exists once, else once in DKI Jakarta (the Kepgub's province), and calls the rest
ambiguous (``WILAYAH_NAMA_AMBIGU``), not unknown.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_shared
from kukm.adapters.memory import MemoryStore
from kukm.integration.ods import from_ods
from kukm.pipeline import run_file
from kukm.pipeline.wilayah import WILAYAH_NAMA_AMBIGU, WILAYAH_NAMA_TIDAK_DIKENAL
from kukm.reference.wilayah import PROVINSI_KEPGUB, get_table, match_alamat, resolve_alamat
from kukm.synthetic import generate_koperasi, generate_umkm

#: the tester's five kecamatan (each also outside DKI), and two that always resolved
CASES = [
    ("Tanah Abang", "Kebon Melati", "31.71.07.1005"),
    ("Tambora", "Jembatan Besi", "31.73.04.1006"),
    ("Taman Sari", "Pinangsia", "31.73.03.1008"),
    ("Jatinegara", "Cipinang Cempedak", "31.75.03.1005"),
    ("Cipayung", "Bambu Apus", "31.75.10.1006"),
    ("Gambir", "Cideng", "31.71.01.1002"),
    ("Kramat Jati", "Cawang", "31.75.04.1007"),
]


def _dki_kelurahan() -> list[tuple[str, str, str]]:
    """(kode, kecamatan name, kelurahan name) of the 267 DKI kelurahan in ../shared."""
    base = require_shared("data", "wilayah")
    with open(base / "dki_kecamatan.csv", encoding="utf-8", newline="") as fh:
        kec = {r["kode"]: r["nama"] for r in csv.DictReader(fh)}
    with open(base / "dki_kelurahan.csv", encoding="utf-8", newline="") as fh:
        return [(r["kode"], kec[r["kode_kecamatan"]], r["nama"]) for r in csv.DictReader(fh)]


@pytest.mark.parametrize(("kecamatan", "kelurahan", "kode"), CASES)
def test_pair_without_kota_resolves(kecamatan: str, kelurahan: str, kode: str) -> None:
    assert resolve_alamat("", "", kecamatan, kelurahan) == kode
    assert resolve_alamat(None, None, kecamatan.upper(), "Kel. " + kelurahan) == kode
    assert match_alamat("", "", kecamatan, kelurahan).kandidat == ()


def test_every_dki_kelurahan_with_its_kecamatan_and_no_kota_resolves_to_itself() -> None:
    """Exhaustive over the real DKI table: all 267 kelurahan, no kota and no province."""
    rows = _dki_kelurahan()
    assert len(rows) == 267
    wrong = [(k, kec, kel, resolve_alamat("", "", kec, kel)) for k, kec, kel in rows]
    assert [w for w in wrong if w[0] != w[3]] == []


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    kec_prefix=st.sampled_from(["", "Kec. ", "KECAMATAN "]),
    kel_prefix=st.sampled_from(["", "Kel. ", "Kelurahan "]),
    case=st.sampled_from([str, str.upper, str.lower, str.title]),
    provinsi=st.sampled_from(["", " ", "-", "DKI Jakarta", "Provinsi DKI Jakarta"]),
)
def test_spellings_of_a_dki_pair_without_kota_resolve(
    data: st.DataObject, kec_prefix: str, kel_prefix: str, case: object, provinsi: str
) -> None:
    """Prefixes, case and a province or none: the pair still gives the kelurahan's own code,
    and never a code outside DKI."""
    kode, kec, kel = data.draw(st.sampled_from(_dki_kelurahan()))
    fmt = case if callable(case) else str
    provinsi = "" if provinsi == "-" else provinsi
    got = resolve_alamat(provinsi, "", fmt(kec_prefix + kec), fmt(kel_prefix + kel))
    assert got == kode


def test_dki_pair_that_also_exists_elsewhere_prefers_dki() -> None:
    """Taman Sari / Taman Sari and Cipayung / Cipayung exist in Jawa Barat too: without a kota
    the Kepgub's province decides; with prefer=None they are ambiguous; a kota or a
    province picks the place named."""
    assert PROVINSI_KEPGUB == "31"
    assert resolve_alamat("", "", "Taman Sari", "Taman Sari") == "31.73.03.1001"
    assert resolve_alamat("", "", "Cipayung", "Cipayung") == "31.75.10.1001"
    m = match_alamat("", "", "Taman Sari", "Taman Sari", prefer=None)
    assert m.kode is None and m.ambigu
    assert set(m.kandidat) == {"31.73.03.1001", "32.01.31.2004", "32.78.07.1001"}
    assert resolve_alamat("", "Kota Depok", "Cipayung", "Cipayung") == "32.76.07.1001"
    jabar = match_alamat("Jawa Barat", "", "Taman Sari", "Taman Sari")  # Bogor and Tasikmalaya
    assert jabar.kode is None and set(jabar.kandidat) == {"32.01.31.2004", "32.78.07.1001"}


def test_boundaries_unknown_ambiguous_and_kecamatan_only() -> None:
    # a pair found twice, neither in DKI: ambiguous, no code
    payung = match_alamat("", "", "Payung", "Payung")
    assert payung.kode is None and payung.ambigu
    assert set(payung.kandidat) == {"12.06.11.2001", "19.03.05.2001"}
    # the kelurahan fits none of the kecamatan so named: unknown, not ambiguous
    nowhere = match_alamat("", "", "Tanah Abang", "Atlantis")
    assert nowhere.kode is None and not nowhere.ambigu
    # a kecamatan name alone that recurs identifies no kecamatan, even in DKI
    alone = match_alamat("", "", "Tanah Abang", " ")
    assert alone.kode is None and set(alone.kandidat) == {"16.12.05", "31.71.07"}
    # ... unless the kota (or the province) says which
    assert resolve_alamat("", "Jakarta Pusat", "Tanah Abang", "") == "31.71.07"
    assert resolve_alamat("DKI Jakarta", "", "Tanah Abang", "") == "31.71.07"
    # a near spelling inside the one candidate that has it
    assert resolve_alamat("", "", "Tanah Abang", "Kebon Melaty") == "31.71.07.1005"
    # unique kecamatan: unchanged behaviour (kecamatan when the kelurahan is unknown)
    assert resolve_alamat("", "", "Gambir", "Atlantis") == "31.71.01"
    assert match_alamat("", "", "", "Cideng") == (None, ())
    # stacked prefixes: "Kel." before an official name that starts with "Kota"
    assert resolve_alamat("", "", "Palmerah", "Kel. Kota Bambu Utara") == "31.73.07.1003"
    assert resolve_alamat("DKI Jakarta", "Jakarta Barat", "Pal Merah", "KEL. KOTA BAMBU SELATAN") == "31.73.07.1006"


def test_ods_record_without_kabupaten_and_provinsi() -> None:
    record = {"Koperasi": "K", "Kelurahan / Desa": "Kebon Melati", "Kecamatan": "Tanah Abang",
              "Kabupaten": " ", "Provinsi": " "}  # fmt: skip
    result = from_ods(record)
    assert result.koperasi.alamat.kode_wilayah == "31.71.07.1005"
    assert "ODS_WILAYAH_TIDAK_DIKENAL" not in [i.code for i in result.issues]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_umkm_sheet_without_kota_column(tmp_path: Path) -> None:
    """UMKM rows: the five kecamatan are accepted with their codes; an ambiguous pair is
    rejected as ambiguous, a wrong name as unknown."""
    rows = [r.data for r in generate_umkm(len(CASES) + 2, seed=7, faulty_share=0.0)]
    base = [c for c in rows[0] if c != "kode_wilayah"]
    places = [(kec, kel) for kec, kel, _ in CASES] + [("Payung", "Payung"), ("Tanah Abang", "Atlantis")]
    body = [[r[k] for k in base] + list(p) for r, p in zip(rows, places, strict=True)]
    path = _write(tmp_path / "u.csv", [*base, "Kecamatan", "Kelurahan"], body)
    errors = tmp_path / "e.csv"
    store = MemoryStore()
    summary = run_file(path, kind="umkm", store=store, workers=0, errors_path=errors)
    assert (summary.accepted, summary.rejected, summary.wilayah_filled) == (len(CASES), 2, len(CASES))
    got = sorted(r.record.alamat.kode_wilayah or "" for r in store.iter_records("umkm"))
    assert got == sorted(k for _, _, k in CASES)
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        codes = {int(e["_row"]): (e["_codes"], e["_messages"]) for e in csv.DictReader(fh)}
    n = len(CASES)
    assert codes[n + 1][0] == WILAYAH_NAMA_AMBIGU and "ambigu" in codes[n + 1][1]
    assert "perbaiki" not in codes[n + 1][1]
    assert codes[n + 2][0] == WILAYAH_NAMA_TIDAK_DIKENAL


def test_koperasi_sheet_without_kota_column(tmp_path: Path) -> None:
    """Koperasi rows (code optional) get the kelurahan code instead of a blank one."""
    rows = [r.data for r in generate_koperasi(len(CASES), seed=3, faulty_share=0.0)]
    drop = {"kode_wilayah", "kecamatan", "kelurahan", "kab_kota", "kabkota", "provinsi"}
    base = [c for c in rows[0] if c not in drop]
    body = [[r[k] for k in base] + [kec, kel] for r, (kec, kel, _) in zip(rows, CASES, strict=True)]
    path = _write(tmp_path / "k.csv", [*base, "Kecamatan", "Kelurahan"], body)
    store = MemoryStore()
    summary = run_file(path, kind="koperasi", store=store, workers=0, errors_path=tmp_path / "e.csv")
    assert (summary.accepted, summary.rejected) == (len(CASES), 0)
    got = sorted(r.record.alamat.kode_wilayah or "" for r in store.iter_records("koperasi"))
    assert got == sorted(k for _, _, k in CASES)


def test_table_facts_the_rule_rests_on() -> None:
    """The five names really recur outside DKI (else these tests would prove nothing)."""
    t = get_table()
    for kec, _, kode in CASES[:5]:
        found = [w.kode for w in t.resolve_all(kec, tingkat="kecamatan")]
        assert kode.rsplit(".", 1)[0] in found and len(found) > 1, kec
