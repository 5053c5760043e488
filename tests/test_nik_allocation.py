"""Issuing Nomor Induk Koperasi: prefixes, uniqueness across processes, exhaustion, stability,
one number for a cooperative under all of its identities (crashes: test_nik_allocation_crash)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
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
    KOPERASI_COLLECTION,
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

TABLE = PrefixTable({"31.71.01.1001": "317308001", "31.74.07.1001": "317106002"})
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
    register_existing(store, "ods-1", "3173080010001", today=dt.date(2022, 1, 1))
    register_existing(store, "ods-2", "3173080010002", today=dt.date(2022, 1, 1))
    fresh = assign_nomor_induk(store, "new", kode_kelurahan="31.71.01.1001", table=TABLE)
    assert fresh == "3173080010003"
    with pytest.raises(IntegrityError):
        register_existing(store, "someone-else", "3173080010001")
    # registering the same holder again is idempotent
    assert register_existing(store, "ods-1", "3173080010001") == "3173080010001"
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


# -- one cooperative, several identities ----------------------------------------------------------

P = "317307001"
BH = "BH:1/BH/XII.4/2001"
CONFLICT = "NIK_IDENTITY_CONFLICT"


def test_a_number_is_recorded_under_every_identity() -> None:
    store = open_store("memory://")
    nomor = assign_nomor_induk(store, "kop-1", prefix=P, aliases=[BH])
    # renewed later under its badan hukum number only: the same number, no second one drawn
    assert assign_nomor_induk(store, BH, prefix="317106002") == nomor
    assert nomor_induk_of(store, BH) == nomor_induk_of(store, "kop-1") == nomor
    assert store.allocate_sequence(P) == 2 and store.allocate_sequence("317106002") == 1
    doc = store.get_document(NOMOR_COLLECTION, nomor)
    assert doc is not None and (doc["koperasi"], doc["identitas"]) == ("kop-1", ["kop-1", BH])


def test_a_number_found_under_one_identity_is_recorded_under_the_others() -> None:
    store = open_store("memory://")
    nomor = assign_nomor_induk(store, BH, prefix=P)
    assert assign_nomor_induk(store, "kop-1", prefix=P, aliases=[BH, "ods-3"]) == nomor
    for ident in ("kop-1", "ods-3"):  # now found alone, by any of them
        assert assign_nomor_induk(store, ident, prefix=P) == nomor
        record = store.get_document(KOPERASI_COLLECTION, ident)
        assert record is not None and record["nomor_induk_koperasi"] == nomor
    assert [n for n, _ in store.iter_documents(NOMOR_COLLECTION)] == [nomor]


def test_identities_holding_different_numbers_are_refused_not_overwritten() -> None:
    store = open_store("memory://")
    a = assign_nomor_induk(store, "kop-1", prefix=P)
    b = assign_nomor_induk(store, BH, prefix=P)
    calls: list[Callable[[], object]] = [
        lambda: assign_nomor_induk(store, "kop-1", prefix=P, aliases=[BH, "ods-3"]),
        lambda: assign_nomor_induk(store, "ods-3", prefix=P, aliases=[BH, "kop-1"]),
        lambda: register_existing(store, "kop-1", b, aliases=[BH]),
        lambda: register_existing(store, BH, a, aliases=["kop-1"]),
        lambda: nomor_induk_of(store, "kop-1", BH),
    ]
    for call in calls:
        with pytest.raises(IntegrityError) as info:
            call()
        assert info.value.code == CONFLICT
        assert a in info.value.message and b in info.value.message
    assert (nomor_induk_of(store, "kop-1"), nomor_induk_of(store, BH)) == (a, b)
    assert nomor_induk_of(store, "ods-3") is None
    assert store.allocate_sequence(P) == 3  # no number drawn for a refusal


def test_register_existing_records_every_identity() -> None:
    store = open_store("memory://")
    nomor = register_existing(store, "ods-1", "3173070010007", aliases=[BH])
    assert nomor_induk_of(store, BH) == nomor
    assert assign_nomor_induk(store, BH, prefix=P) == nomor
    assert store.allocate_sequence(P) == 1  # nothing drawn
    assert register_existing(store, "kop-1", nomor, aliases=[BH]) == nomor
    assert nomor_induk_of(store, "kop-1") == nomor
    with pytest.raises(IntegrityError) as info:  # its identity holds another number
        register_existing(store, BH, "3173070010008")
    assert info.value.code == CONFLICT
    with pytest.raises(IntegrityError) as info:  # the number is another cooperative's
        register_existing(store, "kop-2", nomor)
    assert info.value.code == "NIK_ALREADY_ISSUED"
    assert nomor_induk_of(store, "kop-2") is None


def test_an_error_after_the_claim_gives_it_back() -> None:
    store = open_store("memory://")
    for _ in range(9999):
        store.allocate_sequence(P)
    with pytest.raises(SequenceExhausted):
        assign_nomor_induk(store, "kop-1", prefix=P, aliases=[BH])
    # not wedged: once the kelurahan's prefix is corrected it gets its number, no resume
    assert assign_nomor_induk(store, BH, prefix="317106002", aliases=["kop-1"]) == "3171060020001"
    assert nomor_induk_of(store, "kop-1") == "3171060020001"


@settings(deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["kop-1", BH, "ods-3", "3171060020009"]), min_size=1, unique=True),
        min_size=1,
        max_size=12,
    )
)
def test_property_an_identity_keeps_its_number(calls: list[list[str]]) -> None:
    """Calls under random subsets of one cooperative's identities: a call returns the number
    any of its identities holds (and records it under all), or a new one when none holds
    one, or is refused when they hold different ones; an identity's number never changes."""
    store = open_store("memory://")
    history: dict[str, str] = {}
    for ids in calls:
        held = {history[i] for i in ids if i in history}
        try:
            nomor = assign_nomor_induk(store, ids[0], prefix=P, aliases=ids[1:])
        except IntegrityError as exc:
            assert exc.code == CONFLICT and len(held) > 1
            continue
        assert held <= {nomor} and (held or nomor not in history.values())
        for ident in ids:
            assert history.setdefault(ident, nomor) == nomor
    assert {i: nomor_induk_of(store, i) for i in history} == history
    holders = {n: d["identitas"] for n, d in store.iter_documents(NOMOR_COLLECTION)}
    assert set(holders) == set(history.values())


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
