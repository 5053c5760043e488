"""What an officer's report leaves out is said; past-year views keep the province.

``kukm report rekap`` reads through the officer's :class:`kukm.governance.Service`: a
province-wide officer's scope is the policy's province (``[policy] provinsi``), a Sudin's its
kota. Records outside the scope are not in the table, and the report says how many
(``luar_cakupan``; nothing is lost silently). The per-version view of ``banding`` and
``tahunan`` (:meth:`Service.reader(per_version=True) <kukm.governance.Service.reader>`)
counts no version of another province for a DKI Dinas (Kepgub DKI 1625/2021 F.3 huruf b).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.governance import Service, User
from kukm.model import Alamat, SumberData, Umkm
from kukm.plugins import open_store
from kukm.reports import bandingkan
from kukm.storage.base import Provenance, Store, VerificationStatus, WriteOp

JAKPUS = "31.71.01.1001"
JAKSEL = "31.74.01.1001"
BANDUNG = "32.73.01.1001"  # Kota Bandung, Jawa Barat: another province
#: the registered province-wide officer (once officers exist, the unregistered one is refused)
DINAS = ("--petugas", "dinas-dki")


def _op(
    rid: str,
    kode: str | None,
    *,
    sumber: SumberData = SumberData.SUDIN,
    tanggal: dt.date = dt.date(2023, 6, 1),
) -> WriteOp:
    return WriteOp(
        "umkm",
        rid,
        Umkm(nama_usaha=f"Usaha {rid}", alamat=Alamat(kode_wilayah=kode)),
        Provenance(sumber, "seed"),
        valid_from=tanggal,
    )


def _seed(store: Store) -> None:
    """Verified: 2 Jakarta Pusat, 3 Jakarta Selatan, 4 Bandung, 1 with no region;
    pending (pihak lain): 1 Jakarta Selatan, 2 Bandung."""
    ops = (
        [_op(f"p{i}", JAKPUS) for i in range(2)]
        + [_op(f"s{i}", JAKSEL) for i in range(3)]
        + [_op(f"b{i}", BANDUNG) for i in range(4)]
        + [_op("n0", None)]
        + [_op("xs0", JAKSEL, sumber=SumberData.PIHAK_LAIN)]
        + [_op(f"xb{i}", BANDUNG, sumber=SumberData.PIHAK_LAIN) for i in range(2)]
    )
    store.write_batch(ops)


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    store = open_store(u)
    try:
        _seed(store)
        admin = Service(store, User("admin", "administrator"))
        admin.grant(User("sudin-jaksel", "sudin", "31.74"))
        admin.grant(User("dinas-dki", "dinas"))
    finally:
        store.close()
    return u


def _count(url: str, status: set[VerificationStatus] | None) -> int:
    store = open_store(url)
    try:
        return store.count("umkm", status=status)
    finally:
        store.close()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# -- 1. rekap says how many records lie outside the scope ------------------------------------


@pytest.mark.parametrize(
    ("extra", "status", "luar"),
    [
        ((), {VerificationStatus.TERVERIFIKASI}, 4),  # the 4 verified in Bandung
        (("--all-status",), None, 6),
    ],
)
def test_province_rekap_json_total_plus_outside_is_the_store(
    url: str, extra: tuple[str, ...], status: set[VerificationStatus] | None, luar: int
) -> None:
    code, out, _ = _invoke("report", "rekap", "--json", *DINAS, "--db", url, *extra)
    assert code == 0, out
    data = json.loads(out)
    assert data["luar_cakupan"] == luar
    assert data["total"] + data["luar_cakupan"] == _count(url, status)
    assert sum(row["jumlah"] for row in data["rows"]) == data["total"]


def test_sudin_rekap_says_how_many_lie_outside_its_kota(url: str) -> None:
    code, out, _ = _invoke(
        "report", "rekap", "--json", "--all-status", "--petugas", "sudin-jaksel", "--db", url
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["wilayah"] == "31.74" and data["total"] == 4  # 3 verified + 1 pending
    # 2 Pusat + 6 Bandung + 1 with no region
    assert data["luar_cakupan"] == 9
    assert data["total"] + data["luar_cakupan"] == _count(url, None)


def test_rekap_text_says_it_on_stderr_not_in_the_table(url: str, tmp_path: Path) -> None:
    code, out, err = _invoke("report", "rekap", *DINAS, "--db", url)
    assert code == 0
    assert "4 data di luar cakupan provinsi 31" in err and "luar cakupan" not in out
    code, out, err = _invoke("report", "rekap", "--format", "csv", *DINAS, "--db", url)
    assert code == 0 and "luar" not in out
    code, out, err = _invoke("report", "rekap", "--out", str(tmp_path / "r.html"), *DINAS, "--db", url)
    assert code == 0 and "4 data di luar cakupan" in err
    assert "luar cakupan" not in (tmp_path / "r.html").read_text(encoding="utf-8")
    code, out, err = _invoke(
        "report", "rekap", "--out", str(tmp_path / "r.csv"), "--json", *DINAS, "--db", url
    )
    assert code == 0 and json.loads(out)["luar_cakupan"] == 4 and err == ""


def test_nothing_outside_no_line(tmp_path: Path) -> None:
    u = f"sqlite:///{tmp_path / 'dki.sqlite'}"
    store = open_store(u)
    try:
        store.write_batch([_op("p0", JAKPUS), _op("n0", None)])
    finally:
        store.close()
    code, out, err = _invoke("report", "rekap", "--db", u)
    assert code == 0 and err == ""
    code, out, _ = _invoke("report", "rekap", "--json", "--db", u)
    assert json.loads(out)["luar_cakupan"] == 0 and json.loads(out)["total"] == 2


_CODES = st.sampled_from([JAKPUS, JAKSEL, "31.74.02.1001", BANDUNG, "36.71.01.1001", None])


_USERS = [
    User("d1", "dinas"),
    User("s1", "sudin", "31.74"),
    User("c1", "camat", "31.74.01"),
    User("l1", "lurah", "31.74.01.1001"),
    User("warga", "publik"),
]


@settings(max_examples=40, deadline=None)
@given(regions=st.lists(st.tuples(_CODES, st.booleans()), max_size=15))
def test_in_scope_plus_outside_is_the_store_count(regions: list[tuple[str | None, bool]]) -> None:
    store = MemoryStore()
    store.write_batch(
        [
            _op(f"u{i}", kode, sumber=SumberData.PIHAK_LAIN if pending else SumberData.SUDIN)
            for i, (kode, pending) in enumerate(regions)
        ]
    )
    verified = {VerificationStatus.TERVERIFIKASI}
    for user in _USERS:
        svc = Service(store, user)
        for status in (None, verified):
            # the public counts verified records only, whatever it asks
            counted = verified if user.peran == "publik" else status
            assert svc.count("umkm", status=status) + svc.outside_scope(
                "umkm", status=status
            ) == store.count("umkm", status=counted), (user, status)


# -- 2. the per-version view keeps the province ----------------------------------------------


def _moved_in(store: Store) -> None:
    """A business in Bandung in 2023 that moved to Jakarta Pusat in 2024."""
    store.write_batch([_op("m0", BANDUNG, tanggal=dt.date(2023, 3, 1))])
    store.write_batch([_op("m0", JAKPUS, tanggal=dt.date(2024, 3, 1))])


def test_library_bandingkan_on_a_dinas_reader_leaves_other_provinces_out() -> None:
    store = MemoryStore()
    _seed(store)
    _moved_in(store)
    dinas = Service(store, User("d1", "dinas"))
    p = bandingkan(dinas.reader(per_version=True), "umkm", "kab_kota", 2023, 2024)
    # 2023: 2 Pusat + 3 Selatan + 1 no region; 2024: the moved-in business too
    assert (p.total_a, p.total_b) == (6, 7)
    kodes = {r.kode for r in p.rows if r.a or r.b}
    assert not any(k and k.startswith("32") for k in kodes)
    # the plain store (the library's documented view) keeps Bandung as rows of its own
    plain = bandingkan(store, "umkm", "kab_kota", 2023, 2024)
    assert (plain.total_a, plain.total_b) == (11, 11)


def test_cli_banding_of_a_dki_dinas_counts_no_other_province(url: str) -> None:
    store = open_store(url)
    try:
        _moved_in(store)
    finally:
        store.close()
    code, out, _ = _invoke(
        "report", "banding", "--from", "2023", "--to", "2024", "--json", *DINAS, "--db", url
    )
    assert code == 0, out
    data = json.loads(out)
    assert (data["total_a"], data["total_b"]) == (6, 7)
    assert not any(
        r["kode"] and r["kode"].startswith("32") for r in data["rows"] if r["a"] or r["b"]
    )


def test_tahunan_of_a_dki_dinas_counts_no_other_province(url: str, tmp_path: Path) -> None:
    code, out, _ = _invoke(
        "report", "tahunan", "--year", "2024", "--out", str(tmp_path / "t"), "--json", *DINAS,
        "--db", url
    )
    assert code == 0, out
    lap = json.loads((tmp_path / "t" / "laporan-tahunan-2024.json").read_text(encoding="utf-8"))
    text = json.dumps(lap, ensure_ascii=False)
    assert "32.73" not in text and "Bandung" not in text


_YEARS = st.lists(st.integers(2021, 2025), min_size=1, max_size=3, unique=True).map(sorted)


@st.composite
def _came_or_stayed(draw: st.DrawFn) -> list[tuple[str | None, int]]:
    """A record's versions (region, year of its data): some in another province, then (a
    business that moved in) only in DKI or with no region code."""
    years = draw(_YEARS)
    split = draw(st.integers(0, len(years)))
    outside = st.sampled_from([BANDUNG, "36.71.01.1001"])
    inside = st.sampled_from([JAKPUS, JAKSEL, None])
    return [(draw(outside if i < split else inside), y) for i, y in enumerate(years)]


@settings(max_examples=30, deadline=None)
@given(records=st.lists(_came_or_stayed(), max_size=6))
def test_dinas_stock_counts_a_record_only_in_its_years_in_the_province(
    records: list[list[tuple[str | None, int]]],
) -> None:
    store = MemoryStore()
    for i, versions in enumerate(records):
        for j, (kode, year) in enumerate(versions):
            store.write_batch(
                [
                    WriteOp(
                        "umkm",
                        f"u{i}",
                        Umkm(nama_usaha=f"Usaha {i}/{j}", alamat=Alamat(kode_wilayah=kode)),
                        Provenance(SumberData.SUDIN, "seed"),
                        valid_from=dt.date(year, 6, 1),
                    )
                ]
            )

    def expected(year: int) -> int:
        n = 0
        for versions in records:
            in_effect = [kode for kode, y in versions if y <= year]
            if in_effect and (in_effect[-1] is None or in_effect[-1].startswith("31.")):
                n += 1
        return n

    reader = Service(store, User("d1", "dinas")).reader(per_version=True)
    p = bandingkan(reader, "umkm", "kab_kota", 2022, 2024)
    assert (p.total_a, p.total_b) == (expected(2022), expected(2024))
