"""The stock at the end of a year counts each record in the version in effect then.

``kukm.reports.periode``: the version with the greatest ``valid_from`` on or
before Y-12-31 (ties: highest version number), with its own values, region and
status. ``kukm.reports.tahunan``: every table of the report for Y is that stock.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import open_store
from kukm.reports import bandingkan, laporan_tahunan, tren
from kukm.reports.periode import TAHUN_TIDAK_VALID, periksa_tahun, scan, stok
from kukm.reports.rekap import DIMENSI_TIDAK_DIKENAL
from kukm.storage.base import Provenance, Store, VerificationStatus, WriteOp

KAB = ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]
TAHUN = range(2019, 2027)


def _op(
    id: str,
    tanggal: dt.date,
    kab: str | None = "31.71",
    sumber: SumberData = SumberData.SUDIN,
    nama: str = "U",
    skala: str | None = "mikro",
) -> WriteOp:
    kode = f"{kab}.01.1001" if kab else None
    return WriteOp(
        "umkm",
        id,
        Umkm(nama_usaha=nama, alamat=Alamat(kode_wilayah=kode)),
        Provenance(sumber),
        valid_from=tanggal,
        atribut={"skala": skala},
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    s: Store = (
        MemoryStore()
        if request.param == "memory"
        else open_store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    )
    yield s
    s.close()


def test_an_update_stays_in_the_earlier_years_stock(store: Store) -> None:
    """The tester's case: 3 UMKM of 2023-06-01, one re-imported with tanggal_data 2025-03-01."""
    store.write_batch([_op(f"u{i}", dt.date(2023, 6, 1)) for i in range(3)])
    store.write_batch([_op("u0", dt.date(2025, 3, 1), nama="U baru")])
    p = bandingkan(store, "umkm", "kab_kota", 2023, 2024)
    assert (p.total_a, p.total_b) == (3, 3)
    p = bandingkan(store, "umkm", "kab_kota", 2024, 2025)
    assert (p.total_a, p.total_b) == (3, 3)
    assert {r.kode: (r.a, r.b, r.selisih) for r in p.rows}["31.71"] == (3, 3, 0)
    assert tren(store, "umkm", 2022, 2025).baris == (
        ("2022", 0, 0),
        ("2023", 3, 3),
        ("2024", 0, 3),
        ("2025", 0, 3),
    )


def test_each_version_counts_with_its_own_region_and_values(store: Store) -> None:
    store.write_batch([_op("a", dt.date(2022, 1, 1), "31.71", skala="mikro")])
    store.write_batch([_op("a", dt.date(2024, 5, 1), "31.75", skala="kecil", nama="A2")])
    p = bandingkan(store, "umkm", "kab_kota", 2023, 2024)
    rows = {r.kode: (r.a, r.b) for r in p.rows}
    assert rows["31.71"] == (1, 0) and rows["31.75"] == (0, 1)
    sk = {r.kode: (r.a, r.b) for r in bandingkan(store, "umkm", "skala", 2023, 2024).rows}
    assert sk["mikro"] == (1, 0) and sk["kecil"] == (0, 1)
    # the region filter tests each version's own region: it moved out of Jakarta Pusat
    inside = bandingkan(store, "umkm", "kab_kota", 2023, 2024, wilayah="31.71")
    assert (inside.total_a, inside.total_b) == (1, 0)
    assert tren(store, "umkm", 2022, 2024, wilayah="31.71").baris == (
        ("2022", 1, 1),
        ("2023", 0, 1),
        ("2024", -1, 0),
    )
    # ... and a record whose current version is inside, its earlier one outside, enters late
    outside = bandingkan(store, "umkm", "kab_kota", 2023, 2024, wilayah="31.75")
    assert (outside.total_a, outside.total_b) == (0, 1)


def test_the_status_of_the_version_in_effect_counts(store: Store) -> None:
    store.write_batch([_op("a", dt.date(2023, 6, 1))])  # verified (Sudin)
    store.write_batch([_op("a", dt.date(2025, 6, 1), sumber=SumberData.PIHAK_LAIN, nama="A2")])
    p = bandingkan(store, "umkm", "kab_kota", 2024, 2025)
    assert (p.total_a, p.total_b) == (1, 0)  # the 2025 version waits for verification
    # a verification (a new version, same valid_from) counts from that data date on
    store.set_status("umkm", "a", VerificationStatus.TERVERIFIKASI, petugas="dinas-1")
    p = bandingkan(store, "umkm", "kab_kota", 2024, 2025)
    assert (p.total_a, p.total_b) == (1, 1)
    semua = bandingkan(store, "umkm", "status", 2024, 2025, status=None)
    assert {r.kode: (r.a, r.b) for r in semua.rows if r.a or r.b} == {"terverifikasi": (1, 1)}


def test_a_later_version_with_an_earlier_data_date_counts_from_that_date(store: Store) -> None:
    """Greatest valid_from wins, not the highest version: a late correction of old data."""
    store.write_batch([_op("a", dt.date(2024, 6, 1), "31.71")])
    store.write_batch([_op("a", dt.date(2022, 6, 1), "31.72", nama="A (data 2022)")])
    rows = {r.kode: (r.a, r.b) for r in bandingkan(store, "umkm", "kab_kota", 2023, 2024).rows}
    assert rows["31.72"] == (1, 0) and rows["31.71"] == (0, 1)


def test_same_data_date_goes_to_the_highest_version(store: Store) -> None:
    d = dt.date(2024, 6, 1)
    store.write_batch([_op("a", d, "31.71"), _op("a", d, "31.72", nama="A2")])
    rows = {r.kode: r.b for r in bandingkan(store, "umkm", "kab_kota", 2023, 2024).rows}
    assert rows["31.71"] == 0 and rows["31.72"] == 1


# -- property: against a direct reading of the definition ---------------------------------

version_spec = st.tuples(
    st.sampled_from([*TAHUN]),  # year of tanggal_data
    st.integers(1, 12),  # month
    st.sampled_from([*KAB[:3], None]),
    st.sampled_from([SumberData.SUDIN, SumberData.PIHAK_LAIN]),
)
records_spec = st.lists(st.lists(version_spec, min_size=1, max_size=4), max_size=12)


def _fill(store: Store, records: Sequence[Sequence[tuple[Any, ...]]]) -> None:
    for n in range(max((len(r) for r in records), default=0)):
        ops = [
            _op(f"u{i}", dt.date(y, m, 1), kab, sumber, nama=f"U{i} v{n}")
            for i, versions in enumerate(records)
            if n < len(versions)
            for y, m, kab, sumber in [versions[n]]
        ]
        store.write_batch(ops)


def _expected(
    records: Sequence[Sequence[tuple[Any, ...]]], year: int, scope: str | None = None
) -> dict[str | None, int]:
    """For each record, the version with the greatest (date, version) up to the year's end."""
    out: dict[str | None, int] = {}
    for versions in records:
        dated = [
            (dt.date(y, m, 1), n, kab, sumber)
            for n, (y, m, kab, sumber) in enumerate(versions)
            if dt.date(y, m, 1) <= dt.date(year, 12, 31)
        ]
        if not dated:
            continue
        _, _, kab, sumber = max(dated, key=lambda v: (v[0], v[1]))
        if sumber is SumberData.PIHAK_LAIN:
            continue  # waits for verification: not in official tables
        if scope is not None and kab != scope:
            continue
        out[kab] = out.get(kab, 0) + 1
    return out


@settings(max_examples=40, deadline=None)
@given(records_spec, st.sampled_from([None, "31.71"]))
def test_stock_at_each_year_end_follows_the_definition(
    records: list[list[tuple[Any, ...]]], scope: str | None
) -> None:
    store = MemoryStore()
    _fill(store, records)
    counter = scan(store, "umkm", ["kab_kota"], wilayah=scope)["kab_kota"]
    previous = 0
    trend = tren(store, "umkm", TAHUN[0], TAHUN[-1], wilayah=scope).baris
    for year, (label, change, total) in zip(TAHUN, trend, strict=True):
        expected = _expected(records, year, scope)
        assert stok(counter, year) == expected
        p = bandingkan(store, "umkm", "kab_kota", year - 1, year, wilayah=scope)
        assert {r.kode: r.b for r in p.rows if r.b} == expected
        assert p.total_b == sum(r.b for r in p.rows) == sum(expected.values())
        assert (label, total, change) == (str(year), p.total_b, p.total_b - previous)
        previous = p.total_b


@settings(max_examples=25, deadline=None)
@given(records_spec, st.sampled_from([2019, 2021, 2023, 2025]))
def test_every_table_of_the_yearly_report_is_the_stock_at_its_year_end(
    records: list[list[tuple[Any, ...]]], year: int
) -> None:
    store = MemoryStore()
    _fill(store, records)
    store.write_batch(
        [
            WriteOp(
                "koperasi",
                f"k{y}",
                Koperasi(nama=f"K{y}", jenis="Konsumen"),
                Provenance(SumberData.DEKOPIN),
                valid_from=dt.date(y, 1, 1),
            )
            for y in (2020, 2024)
        ]
    )
    lap = laporan_tahunan(store, year)
    expected = _expected(records, year)
    total = sum(expected.values())
    for r in lap.rekap_umkm.values():
        assert r.total == sum(row.jumlah for row in r.rows) == total
        assert r.tahun == year
    kab = lap.rekap_umkm["kab_kota"]
    assert [row.kunci[0] for row in kab.rows] == [*KAB, None]  # every kab/kota, unknown last
    assert {row.kunci[0]: row.jumlah for row in kab.rows if row.jumlah} == expected
    assert lap.banding_umkm.total_b == total and lap.tren_umkm.baris[-1][2] == total
    assert lap.banding_umkm.total_a == sum(_expected(records, year - 1).values())
    status = {row.kunci[0]: row.jumlah for row in lap.status_umkm.rows}
    assert status["terverifikasi"] == total
    assert lap.status_umkm.total == sum(status.values())
    koperasi = (year >= 2020) + (year >= 2024)
    for r in lap.rekap_koperasi.values():
        assert r.total == koperasi
    assert lap.banding_koperasi.total_b == koperasi == lap.tren_koperasi.baris[-1][2]


def test_the_yearly_report_leaves_out_later_data() -> None:
    store = MemoryStore()
    store.write_batch([_op(f"u{y}", dt.date(y, 6, 1)) for y in (2020, 2023, 2025)])
    for year, n in ((2019, 0), (2020, 1), (2024, 2), (2025, 3)):
        lap = laporan_tahunan(store, year)
        assert lap.rekap_umkm["kab_kota"].total == n, year
        assert lap.banding_umkm.total_b == n and lap.tren_umkm.baris[-1][2] == n
        summary = lap.to_dokumen().bagian[0].teks
        assert any(f"akhir tahun {year}: UMKM terverifikasi {n}" in p for p in summary)


# -- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("year", [0, -1, 1899, 3000, dt.date.today().year + 2])
def test_nonsense_years_are_refused(year: int) -> None:
    with pytest.raises(ConfigurationError) as e:
        laporan_tahunan(MemoryStore(), year)
    assert e.value.code == TAHUN_TIDAK_VALID
    with pytest.raises(ConfigurationError):
        bandingkan(MemoryStore(), "umkm", "kab_kota", year, 2024)


@given(st.integers(-10_000, 10_000))
def test_a_year_is_accepted_exactly_within_1900_and_next_year(year: int) -> None:
    ok = 1900 <= year <= dt.date.today().year + 1
    try:
        assert periksa_tahun(year) == year and ok
    except ConfigurationError:
        assert not ok


def test_cli_tahunan_refuses_a_nonsense_year_and_writes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    runner = CliRunner()
    for year in ("0", "3000", "1899"):
        out = tmp_path / f"lap{year}"
        res = runner.invoke(
            cli, ["report", "tahunan", "--year", year, "--out", str(out), "--db", db]
        )
        assert res.exit_code == 2, res.output
        assert TAHUN_TIDAK_VALID in res.output and not out.exists()
    res = runner.invoke(cli, ["report", "banding", "--from", "0", "--to", "2025", "--db", db])
    assert res.exit_code == 2 and TAHUN_TIDAK_VALID in res.output
    next_year = str(dt.date.today().year + 1)
    open_store(db).close()  # a store with nothing in it yet (a missing one is STORE_TIDAK_ADA)
    res = runner.invoke(
        cli, ["report", "tahunan", "--year", next_year, "--out", str(tmp_path / "n"), "--db", db]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "n" / f"laporan-tahunan-{next_year}.json").exists()


@pytest.mark.parametrize("by", ["foo", "kab_kota,skala", "kab_kota,", " "])
def test_banding_refuses_unknown_or_several_fields(tmp_path: Path, by: str) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    store.write_batch([_op("a", dt.date(2024, 1, 1))])
    store.close()
    res = CliRunner().invoke(
        cli, ["report", "banding", "--by", by, "--from", "2024", "--to", "2025", "--db", db]
    )
    assert res.exit_code == 2, res.output
    assert DIMENSI_TIDAK_DIKENAL in res.output
    with pytest.raises(ConfigurationError) as e:
        bandingkan(MemoryStore(), "umkm", by, 2024, 2025)
    assert e.value.code == DIMENSI_TIDAK_DIKENAL


def test_cli_banding_counts_the_version_in_effect(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    store.write_batch([_op(f"u{i}", dt.date(2023, 6, 1)) for i in range(3)])
    store.write_batch([_op("u0", dt.date(2025, 3, 1), nama="U baru")])
    store.close()
    runner = CliRunner()
    res = runner.invoke(
        cli, ["report", "banding", "--from", "2024", "--to", "2025", "--db", db, "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert (data["total_a"], data["total_b"]) == (3, 3)
