"""The SQL adapter (PostgreSQL, MariaDB): conformance suite, migrations, concurrency.

Every test gets a fresh PostgreSQL schema / MariaDB database from
``tests/services.py``; without servers they skip (fail under
``KUKM_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from kukm.adapters.sql import SqlStore, engine_url
from kukm.converters import unstructure
from kukm.exceptions import ConfigurationError, StorageError
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import KukmPlugins, create_plugin_manager
from kukm.storage import _codec
from kukm.storage.base import Provenance, Store, VerificationStatus, WriteOp, content_hash
from kukm.storage.sql_schema import CURRENT_VERSION, current_version, migrate
from kukm.testing import strategies
from kukm.testing.conformance import AbstractStoreTests, StoreFixtures
from services import mariadb_url, postgres_url  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.services

BACKENDS = ["postgres_url", "mariadb_url"]


@pytest.fixture(params=BACKENDS, ids=["postgresql", "mariadb"])
def sql_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    return url


@pytest.fixture
def sql_store(sql_url: str) -> Iterator[SqlStore]:
    store = SqlStore(sql_url)
    yield store
    store.close()


def _umkm(i: int, *, kelurahan: str = "31.71.01.1001", nama: str = "Toko") -> WriteOp:
    return WriteOp(
        "umkm",
        f"u{i:06d}",
        Umkm(nama_usaha=f"{nama} {i}", nib=f"{i:013d}", alamat=Alamat(kode_wilayah=kelurahan)),
        Provenance(SumberData.SUDIN, petugas="p1"),
        atribut={"skala": "mikro" if i % 2 else "kecil"},
    )


# -- URLs and plugin registration ----------------------------------------------------


def test_engine_url_forms() -> None:
    assert engine_url("postgresql://u@h/db")[0] == "postgresql+psycopg://u@h/db"
    assert engine_url("postgres://u@h/db")[0] == "postgresql+psycopg://u@h/db"
    assert engine_url("mysql://root@h/db")[0] == "mysql+pymysql://root@h/db"
    assert engine_url("postgresql+psycopg://u@h/db?schema=s1") == (
        "postgresql+psycopg://u@h/db",
        "s1",
    )
    with pytest.raises(ConfigurationError):
        engine_url("mysql+pymysql://root@h/db?schema=x")
    with pytest.raises(ConfigurationError):
        engine_url("oracle://x@h/db")


def test_open_store_finds_sql_adapter_by_scheme(sql_url: str) -> None:
    plugins = KukmPlugins(create_plugin_manager())
    for scheme in ("postgresql", "postgresql+psycopg", "mysql+pymysql", "mariadb+pymysql"):
        assert scheme in plugins.storage_backends()
    store = plugins.open_store(sql_url)
    try:
        assert isinstance(store, SqlStore)
        assert isinstance(store, Store)
    finally:
        store.close()


def test_plain_postgresql_url_with_schema_parameter(postgres_url: str) -> None:  # noqa: F811
    # the fixture selects its schema through libpq options; the same schema via schema=
    schema = postgres_url.rsplit("%3D", 1)[1]
    base = postgres_url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    store = KukmPlugins(create_plugin_manager()).open_store(f"{base}?schema={schema}")
    try:
        store.write_batch([_umkm(1)])
    finally:
        store.close()
    with SqlStore(postgres_url) as again:
        assert again.get("umkm", "u000001") is not None
    # a schema that does not exist yet is created (and dropped with the fixture's)
    other = f"{schema}_x"
    try:
        with SqlStore(f"{base}?schema={other}") as created:
            assert created.count("umkm") == 0
    finally:
        with SqlStore(postgres_url) as admin, admin.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{other}" CASCADE'))


def test_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError):
        SqlStore("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


# -- behaviour beyond the conformance suite --------------------------------------------


def test_bulk_write_tabulate_and_stream(sql_store: SqlStore) -> None:
    ops = [_umkm(i, kelurahan=("31.71.01.1001" if i % 3 else "31.72.02.1002")) for i in range(1200)]
    assert sql_store.write_batch(ops).inserted == 1200
    assert sql_store.count("umkm") == 1200
    assert sql_store.count("umkm", wilayah="31.72") == 400
    assert sql_store.count("umkm", wilayah="31.7") == 0  # segment-wise, not a string prefix
    table = dict(sql_store.tabulate("umkm", ["kab_kota", "skala"]))
    assert sum(table.values()) == 1200
    assert table[("31.72", "kecil")] == 200
    ids = [r.id for r in sql_store.iter_records("umkm", wilayah="31.71.01")]
    assert ids == sorted(ids) and len(ids) == 800
    # update half: new versions, history kept
    changed = [_umkm(i, nama="Warung") for i in range(0, 1200, 2)]
    result = sql_store.write_batch(changed)
    assert (result.updated, result.unchanged) == (600, 0)
    assert [h.version for h in sql_store.history("umkm", "u000000")] == [1, 2]
    assert sql_store.find("umkm", "nib", f"{2:013d}")[0].record.nama_usaha == "Warung 2"


def test_ids_compare_by_code_point(sql_store: SqlStore) -> None:
    ids = ["a", "A", "a ", "b", "Z", "é", "ä", "_", "%"]
    ops = [
        WriteOp("koperasi", i, Koperasi(nama=f"K{n}"), Provenance(SumberData.BIDANG_KOPERASI))
        for n, i in enumerate(ids)
    ]
    assert sql_store.write_batch(ops).inserted == len(ids)
    assert [r.id for r in sql_store.iter_records("koperasi")] == sorted(ids)
    assert sql_store.get("koperasi", "a ").record.nama == "K2"  # type: ignore[union-attr]


def test_concurrent_batches_on_same_ids_lose_nothing(sql_url: str) -> None:
    stores = [SqlStore(sql_url) for _ in range(3)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for round_ in range(4):
                ops = [_umkm(i, nama=f"W{n}R{round_}") for i in range(20)]
                stores[n].write_batch(ops)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        for i in range(20):
            versions = [h.version for h in stores[0].history("umkm", f"u{i:06d}")]
            assert versions == list(range(1, len(versions) + 1))
            assert len(versions) == 12  # every write changed the name
    finally:
        for s in stores:
            s.close()


def test_concurrent_replay_of_one_batch_key_applies_once(sql_url: str) -> None:
    stores = [SqlStore(sql_url) for _ in range(4)]
    results = []
    ops = [_umkm(i) for i in range(50)]

    def work(n: int) -> None:
        results.append(stores[n].write_batch(ops, batch_key="same-key"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(r.replayed for r in results) == [False, True, True, True]
        assert all(r.inserted == 50 for r in results)
        assert stores[0].count("umkm") == 50
    finally:
        for s in stores:
            s.close()


_KILL_WORKER = textwrap.dedent(
    """
    import sys
    import sqlalchemy as sa
    from kukm.plugins import open_store
    from kukm.model import Umkm
    from kukm.storage.base import Provenance, WriteOp
    from kukm.model import SumberData
    store = open_store(sys.argv[1])
    ops = [WriteOp("umkm", f"k{i:06d}", Umkm(nama_usaha=f"T{i}"), Provenance(SumberData.SUDIN))
           for i in range(int(sys.argv[2]))]
    said = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def _inside(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO kukm_batches" in statement and not said:
            said.append(1)
            print("writing", flush=True)  # inside the batch transaction

    store.write_batch(ops, batch_key="killed")
    print("done", flush=True)
    """
)


def test_sigkill_during_batch_leaves_all_or_nothing(sql_url: str) -> None:
    n = 8000
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_WORKER, sql_url, str(n)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with SqlStore(sql_url) as store:
        # the server notices the dead connection and rolls back; wait for it
        for _ in range(100):
            count = store.count("umkm")
            if count in (0, n):
                break
            time.sleep(0.1)  # pragma: no cover - rollback still in progress
        assert count in (0, n)
        ops = [
            WriteOp("umkm", f"k{i:06d}", Umkm(nama_usaha=f"T{i}"), Provenance(SumberData.SUDIN))
            for i in range(n)
        ]
        result = store.write_batch(ops, batch_key="killed")
        assert store.count("umkm") == n
        assert result.replayed == (count == n)


# -- migrations ----------------------------------------------------------------------


def test_database_from_schema_v1_upgrades(sql_url: str) -> None:
    target, schema = engine_url(sql_url)
    engine = sa.create_engine(
        target, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
    )
    try:
        assert migrate(engine, target=1) == 1
        kop = Koperasi(nama="Kop Lama", grade="B", status_nik="aktif")
        blob, digest = _codec.encode_record(kop)
        v1 = sa.MetaData()
        v1.reflect(engine)
        assert "grade" not in v1.tables["kukm_records"].c
        with engine.begin() as conn:
            conn.execute(
                v1.tables["kukm_versions"]
                .insert()
                .values(
                    kind="koperasi",
                    id="k-old",
                    version=1,
                    record=blob,
                    content_hash=digest,
                    status="terverifikasi",
                    valid_from="2023-01-01",
                    recorded_at="2023-01-01T00:00:00+00:00",
                    sumber="bidang_koperasi",
                    atribut="{}",
                )
            )
            conn.execute(
                v1.tables["kukm_records"]
                .insert()
                .values(
                    kind="koperasi",
                    id="k-old",
                    version=1,
                    content_hash=digest,
                    atribut="{}",
                    status="terverifikasi",
                    sumber="bidang_koperasi",
                )
            )
        with engine.connect() as conn:
            assert current_version(conn) == 1
    finally:
        engine.dispose()
    with SqlStore(sql_url) as store:  # opening upgrades
        with store.engine.connect() as conn:
            assert current_version(conn) == CURRENT_VERSION
        old = store.get("koperasi", "k-old")
        assert old is not None and old.record == kop
        assert store.tabulate("koperasi", ["grade", "status_nik"]) == [(("B", "aktif"), 1)]
        store.write_batch(
            [WriteOp("koperasi", "k-old", kop, Provenance(SumberData.BIDANG_KOPERASI))]
        )
        assert len(store.history("koperasi", "k-old")) == 1  # unchanged content


def test_newer_schema_is_refused(sql_url: str) -> None:
    SqlStore(sql_url).close()
    target, schema = engine_url(sql_url)
    engine = sa.create_engine(
        target, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
    )
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO kukm_schema_version (version, description, applied_at)"
                " VALUES (99, 'future', 'x')"
            )
        )
    engine.dispose()
    with pytest.raises(StorageError) as info:
        SqlStore(sql_url)
    assert info.value.code == "SQL_SCHEMA_TOO_NEW"


def test_many_workers_open_one_database_at_once(sql_url: str) -> None:
    stores: list[SqlStore] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            stores.append(SqlStore(sql_url))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    with SqlStore(sql_url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version FROM kukm_schema_version")).all()
        assert sorted(r[0] for r in rows) == list(range(1, CURRENT_VERSION + 1))


def test_verification_status_counts(sql_store: SqlStore) -> None:
    op = WriteOp("umkm", "x", Umkm(nama_usaha="X"), Provenance(SumberData.PIHAK_LAIN))
    sql_store.write_batch([op])
    assert sql_store.count("umkm", status=[VerificationStatus.TERVERIFIKASI]) == 0
    sql_store.set_status("umkm", "x", VerificationStatus.TERVERIFIKASI, petugas="dinas-1")
    assert sql_store.count("umkm", status=[VerificationStatus.TERVERIFIKASI]) == 1


# -- the conformance suite every adapter runs ---------------------------------------------


class PostgresFixtures(StoreFixtures):
    supports_reopen = True
    supports_multiprocess = True

    @pytest.fixture
    def store_factory(self, postgres_url: str) -> Callable[[], Store]:  # noqa: F811
        return lambda: SqlStore(postgres_url)

    @pytest.fixture
    def store_url(self, postgres_url: str) -> str:  # noqa: F811
        return postgres_url


class MariadbFixtures(StoreFixtures):
    supports_reopen = True
    supports_multiprocess = True

    @pytest.fixture
    def store_factory(self, mariadb_url: str) -> Callable[[], Store]:  # noqa: F811
        return lambda: SqlStore(mariadb_url)

    @pytest.fixture
    def store_url(self, mariadb_url: str) -> str:  # noqa: F811
        return mariadb_url


class TestPostgresConformance(AbstractStoreTests, PostgresFixtures):
    pass


class TestMariadbConformance(AbstractStoreTests, MariadbFixtures):
    pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(op=strategies.write_op())
def test_any_entity_round_trips(sql_store: SqlStore, op: WriteOp) -> None:
    sql_store.write_batch([op])
    got = sql_store.get(op.kind, op.id)
    assert got is not None and got.record == op.record
    assert got.content_hash == content_hash(unstructure(op.record))
    history = sql_store.history(op.kind, op.id)
    assert [h.version for h in history] == list(range(1, len(history) + 1))


def test_cli_ods_import_export_round_trip(sql_url: str, tmp_path: Path) -> None:
    """``kukm ods import/export --db <postgresql or mariadb URL>`` works as with SQLite."""
    from click.testing import CliRunner

    from conftest import require_shared
    from kukm.cli import cli

    sample = require_shared("data", "ods_sample", "ods_dki_sample.jsonl")
    runner = CliRunner()
    for expected in ("inserted", "unchanged"):  # a second import adds nothing
        res = runner.invoke(
            cli, ["ods", "import", str(sample), "--db", sql_url, "--json", "--no-resolve"]
        )
        assert res.exit_code == 0, res.output
        data = json.loads(res.output)
        assert data[expected] == data["accepted"] == data["input"] - data["rejected"] > 0
    out = tmp_path / "export.jsonl"
    res = runner.invoke(cli, ["ods", "export", "--out", str(out), "--db", sql_url, "--json"])
    assert res.exit_code == 0, res.output
    exported = sorted(out.read_text(encoding="utf-8").splitlines())
    assert exported == sorted(sample.read_text(encoding="utf-8").splitlines())


def _schema_shape(url: str) -> dict[str, object]:
    target, schema = engine_url(url)
    engine = sa.create_engine(
        target, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
    )
    try:
        insp = sa.inspect(engine)
        return {
            t: (
                sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)),
                insp.get_pk_constraint(t)["constrained_columns"],
                sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
            )
            for t in sorted(insp.get_table_names())
        }
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_fresh_and_upgraded_databases_have_the_same_schema(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from services import fresh_mariadb_url, fresh_postgres_url

    fresh = fresh_postgres_url if backend == "postgres_url" else fresh_mariadb_url
    request.getfixturevalue(backend)  # skips (or fails under CI) without the server
    with fresh() as new_url, fresh() as old_url:
        SqlStore(new_url).close()
        target, schema = engine_url(old_url)
        engine = sa.create_engine(
            target, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
        )
        migrate(engine, target=1)
        engine.dispose()
        SqlStore(old_url).close()
        assert _schema_shape(new_url) == _schema_shape(old_url)


def test_upgrade_cut_short_after_partial_ddl_completes(sql_url: str) -> None:
    target, schema = engine_url(sql_url)
    engine = sa.create_engine(
        target, connect_args={"options": f"-csearch_path={schema}"} if schema else {}
    )
    migrate(engine, target=1)
    with engine.begin() as conn:  # step 2 ran half-way, its version row never written
        conn.execute(sa.text("ALTER TABLE kukm_records ADD COLUMN grade VARCHAR(255)"))
    engine.dispose()
    with SqlStore(sql_url) as store, store.engine.connect() as conn:
        assert current_version(conn) == CURRENT_VERSION


def test_cli_import_works_like_sqlite(sql_url: str, tmp_path: Path) -> None:
    """``kukm import FILE --db <postgresql or mariadb URL>``: same result as on SQLite."""
    pytest.importorskip("kukm.rules.instruments")
    synthetic = pytest.importorskip("kukm.synthetic")
    from click.testing import CliRunner

    from kukm.cli import cli
    from kukm.plugins import open_store

    path = tmp_path / "umkm.csv"
    synthetic.write_csv(
        path, synthetic.generate_umkm(150, seed=5, faulty_share=0.05), synthetic.UMKM_COLUMNS
    )
    sqlite_url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    results = {}
    for name, url in (("sqlite", sqlite_url), ("sql", sql_url)):
        for attempt in (1, 2):
            res = CliRunner().invoke(
                cli,
                ["import", str(path), "--kind", "umkm", "--db", url, "--json", "--workers", "0",
                 "--errors", str(tmp_path / f"{name}.errors.csv")],
            )  # fmt: skip
            assert res.exit_code in (0, 1), res.output
            data = json.loads(res.output)
            assert data["inserted"] == (data["accepted"] if attempt == 1 else 0)
        store = open_store(url)
        try:
            results[name] = (
                store.count("umkm"),
                store.tabulate("umkm", ["kab_kota", "skala", "status"]),
                [(r.id, r.content_hash) for r in store.iter_records("umkm")],
            )
        finally:
            store.close()
    assert results["sql"] == results["sqlite"]
    assert results["sql"][0] > 0


def test_postgres_connections_prepare_no_statements(postgres_url: str) -> None:  # noqa: F811
    # A generic plan for "id = ANY(array) FOR UPDATE" degrades to a sequential scan
    # once psycopg prepares the lookup; kukm keeps every plan custom.
    with SqlStore(postgres_url) as store:
        raw = store.engine.raw_connection()
        try:
            assert raw.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
        finally:
            raw.close()
