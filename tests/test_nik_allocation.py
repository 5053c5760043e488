"""Issuing Nomor Induk Koperasi: prefixes, uniqueness across processes, exhaustion, stability."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import (
    ConfigurationError,
    IntegrityError,
    InvalidComponent,
    SequenceExhausted,
)
from kukm.ids import nomor_induk_koperasi as nik_id
from kukm.model import Alamat, Koperasi
from kukm.nik.allocation import (
    NOMOR_COLLECTION,
    PrefixTable,
    allocate_nomor_induk,
    assign_nomor_induk,
    nomor_induk_of,
    region_prefix,
    register_existing,
)
from kukm.plugins import open_store
from services import postgres_url  # noqa: F401  (pytest fixture)

TABLE = PrefixTable({"31.71.01.1001": "317307001", "31.74.07.1001": "317106002"})
PER_WORKER = 40
WORKERS = 8


def _allocate_many(url: str, prefix: str, n: int, worker: int) -> list[str]:
    """One process issuing ``n`` numbers to ``n`` new cooperatives."""
    store = open_store(url)
    try:
        return [assign_nomor_induk(store, f"w{worker}-k{i}", prefix=prefix) for i in range(n)]
    finally:
        store.close()


def _run_workers(url: str) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        futures = [
            pool.submit(_allocate_many, url, "317307001", PER_WORKER, w) for w in range(WORKERS)
        ]
        return [n for f in futures for n in f.result()]


def test_eight_processes_sqlite_no_duplicates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nik.sqlite'}"
    open_store(url).close()  # create the schema once
    numbers = _run_workers(url)
    assert len(numbers) == WORKERS * PER_WORKER
    assert len(set(numbers)) == len(numbers)
    assert sorted(int(n[9:]) for n in numbers) == list(range(1, WORKERS * PER_WORKER + 1))
    assert all(nik_id.is_valid(n) and n.startswith("317307001") for n in numbers)
    store = open_store(url)
    registry = dict(store.iter_documents(NOMOR_COLLECTION))
    store.close()
    assert set(registry) == set(numbers)


@pytest.mark.services
def test_eight_processes_postgresql_no_duplicates(postgres_url: str) -> None:  # noqa: F811
    open_store(postgres_url).close()
    numbers = _run_workers(postgres_url)
    assert len(numbers) == WORKERS * PER_WORKER
    assert len(set(numbers)) == len(numbers)
    assert sorted(int(n[9:]) for n in numbers) == list(range(1, WORKERS * PER_WORKER + 1))


def test_layout_prefix_plus_running_number() -> None:
    store = open_store("memory://")
    nomor = assign_nomor_induk(store, "k1", kode_kelurahan="31.74.07.1001", table=TABLE)
    parts = nik_id.split(nomor)
    assert (parts.provinsi, parts.kabkota, parts.kecamatan) == ("31", "71", "06")
    assert (parts.kelurahan_index, parts.urut) == ("002", "0001")


def test_exhausted_prefix_raises_clear_bilingual_error() -> None:
    store = open_store("memory://")
    for _ in range(9998):
        store.allocate_sequence("317307001", maximum=9999)
    assert allocate_nomor_induk(store, "317307001") == "3173070019999"
    with pytest.raises(SequenceExhausted) as info:
        allocate_nomor_induk(store, "317307001")
    assert info.value.code == "NIK_SEQUENCE_EXHAUSTED"
    assert "9999" in info.value.message_id and "9999" in info.value.message
    # another prefix is unaffected
    assert allocate_nomor_induk(store, "317106002") == "3171060020001"


def test_number_never_changes_when_the_koperasi_moves() -> None:
    store = open_store("memory://")
    kop = Koperasi(nama="K", id="k1", alamat=Alamat(kode_wilayah="31.71.01.1001"))
    first = assign_nomor_induk(store, "k1", kode_kelurahan=kop.alamat.kode_wilayah, table=TABLE)
    moved = evolve(kop, alamat=Alamat(kode_wilayah="31.74.07.1001"))
    again = assign_nomor_induk(store, "k1", kode_kelurahan=moved.alamat.kode_wilayah, table=TABLE)
    assert again == first == nomor_induk_of(store, "k1")
    other = assign_nomor_induk(store, "k2", kode_kelurahan="31.71.01.1001", table=TABLE)
    assert other != first


def test_registered_numbers_are_never_reissued() -> None:
    store = open_store("memory://")
    register_existing(store, "ods-1", "3173070010001", today=dt.date(2022, 1, 1))
    register_existing(store, "ods-2", "3173070010002", today=dt.date(2022, 1, 1))
    fresh = assign_nomor_induk(store, "new", kode_kelurahan="31.71.01.1001", table=TABLE)
    assert fresh == "3173070010003"
    with pytest.raises(IntegrityError):
        register_existing(store, "someone-else", "3173070010001")
    # registering the same holder again is idempotent
    assert register_existing(store, "ods-1", "3173070010001") == "3173070010001"
    assert store.get_document(NOMOR_COLLECTION, fresh)["koperasi"] == "new"  # type: ignore[index]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=30))
def test_property_allocation_never_repeats(keys: list[str]) -> None:
    store = open_store("memory://")
    given_out: dict[str, str] = {}
    for key in keys:
        nomor = assign_nomor_induk(store, key, prefix="317307001")
        assert given_out.setdefault(key, nomor) == nomor
    assert len(set(given_out.values())) == len(given_out)


def test_unknown_kelurahan_and_bad_prefix() -> None:
    with pytest.raises(InvalidComponent) as info:
        region_prefix("31.71.01.9999", table=TABLE)
    assert info.value.code == "NIK_PREFIX_UNKNOWN"
    with pytest.raises(InvalidComponent):
        allocate_nomor_induk(open_store("memory://"), "31730700")
    with pytest.raises(InvalidComponent):
        allocate_nomor_induk(open_store("memory://"), "31730700x")


def test_prefix_table_from_shared_csv(prefiks_path: Path) -> None:
    table = PrefixTable.from_csv(prefiks_path)
    assert len(table) >= 250
    assert region_prefix("31.01.01.1003", table=table) == "310102003"
    # kelurahan without a prefix in the derived table are unknown, never guessed
    with pytest.raises(InvalidComponent):
        region_prefix("31.99.99.9999", table=table)


def test_default_table_missing_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import kukm.nik.allocation as allocation

    def boom() -> PrefixTable:
        raise ConfigurationError(code=allocation.NIK_PREFIX_TABLE_MISSING)

    monkeypatch.setattr(allocation, "default_prefix_table", boom)
    with pytest.raises(ConfigurationError):
        allocation.region_prefix("31.71.01.1001")


def test_default_table_comes_from_reference_data(prefiks_path: Path) -> None:
    from kukm.reference import prefiks

    # without a loaded table: BPS kecamatan (crosswalk) + index of the Kemendagri code
    assert region_prefix("31.71.01.1001") == "317308001"
    old = prefiks.set_table(prefiks.load(prefiks_path))
    try:
        assert region_prefix("31.01.01.1003") == "310102003"  # the ODS-derived index
        store = open_store("memory://")
        nomor = assign_nomor_induk(store, "k", kode_kelurahan="31.01.01.1003")
        assert nomor == "3101020030001"
    finally:
        prefiks.set_table(old)
