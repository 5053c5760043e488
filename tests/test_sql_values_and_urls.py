"""PostgreSQL/MariaDB stores: values a column cannot hold, mistyped URLs, read-only commands.

* A value longer than its column (or holding a NUL) is refused row by row by the checks
  (``TEXT_TOO_LONG``), the same on every store; what still reaches an SQL store is a
  ``SQL_VALUE_UNSTORABLE`` naming the record and the column, before anything is written.
* A mistyped store URL is a configuration error (exit 2) saying what is wrong, never a
  traceback.
* A command that only reads refuses a server database or schema without kukm tables
  (``STORE_TIDAK_ADA``) and creates nothing there.

Tests needing a server skip without one (fail under ``KUKM_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from kukm.adapters.sql import MARIADB_SQL_MODE, SqlStore, engine_url
from kukm.cli import cli
from kukm.exceptions import ConfigurationError, StorageError, StoreUnavailable
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.pipeline.checks import OFFICE_AREA, umkm_id
from kukm.rules.instruments import get_instrument
from kukm.storage.base import Provenance, WriteOp
from kukm.storage.sql_schema import build_metadata
from services import mariadb_url, postgres_url  # noqa: F401  (pytest fixtures)

BACKENDS = ["postgres_url", "mariadb_url"]
ID_COLUMN = build_metadata(2).tables["kukm_versions"].c.id.type.length  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS, ids=["postgresql", "mariadb"])
def sql_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    return url


def _kukm_tables(url: str) -> list[str]:
    """kukm tables visible at ``url`` (its search_path schema / database), without kukm."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return sorted(t for t in sa.inspect(conn).get_table_names() if t.startswith("kukm_"))
    finally:
        engine.dispose()


# -- the checks keep every record id within the id column ------------------------------------


def test_id_sumber_limit_keeps_every_umkm_id_within_the_id_column() -> None:
    field = {f.name: f for f in get_instrument("umkm").fields}["id_sumber"]
    assert field.max_length is not None
    longest = "9" * field.max_length
    for sumber in SumberData:
        rid, how = umkm_id(None, longest, sumber.value, "A", None, "31.73.04.1010", None)
        assert how == "id_sumber"
        assert len(rid) <= ID_COLUMN, (sumber, len(rid))
    assert set(OFFICE_AREA) <= {s.value for s in SumberData}


def test_too_long_id_sumber_is_a_row_rejection_on_both_roads() -> None:
    inst = get_instrument("umkm")
    long_id = "S" + "9" * 243  # 244 characters: the tester's row 3001
    row = {"id_sumber": long_id, "nama_usaha": "Toko"}
    issues = inst.parse_row(row, row_number=3001).issues
    assert ("TEXT_TOO_LONG", "id_sumber") in {(i.code, i.field) for i in issues}
    batch = inst.parse_batch(["id_sumber", "nama_usaha"], [[long_id, "Toko"], ["S1", "Toko"]])
    assert "TEXT_TOO_LONG" in {i.code for i in batch.result(0).issues if i.field == "id_sumber"}
    assert not [i for i in batch.result(1).issues if i.field == "id_sumber"]


# -- mistyped URLs: a configuration error naming what is wrong (no server needed) ------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:notaport/x", "port 'notaport' is not a number"),
        ("mysql+pymysql://root@127.0.0.1:3306/", "names no database"),
        ("mariadb://root@127.0.0.1", "names no database"),
        ("postgresql+psycopg2://postgres@127.0.0.1:5432/x", "psycopg 3"),
        ("mysql+mysqldb://root@127.0.0.1/x", "PyMySQL"),
        ("postgresql+psycopg//postgres@127.0.0.1:5432/x", "://"),
        ("postgresql://postgres@127.0.0.1/x?schema=", "names no schema"),
    ],
)
def test_mistyped_url_is_a_configuration_error_naming_the_problem(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match="SQL_URL_UNSUPPORTED") as caught:
        engine_url(url)
    assert says in str(caught.value)
    res = CliRunner().invoke(cli, ["report", "rekap", "--kind", "umkm", "--db", url])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "SQL_URL_UNSUPPORTED" in res.output and "Traceback" not in res.output


def test_mangled_scheme_message_shows_the_url_with_its_password_masked() -> None:
    with pytest.raises(ConfigurationError) as caught:
        engine_url("postgresql+psycopg//kukm:rahasia@db.example/kukm")
    text = str(caught.value)
    assert "postgresql+psycopg//kukm:***@db.example/kukm" in text
    assert "rahasia" not in text
    with pytest.raises(ConfigurationError) as caught:
        engine_url("postgresql+psycopg2://kukm:rahasia@db.example/kukm")
    assert "rahasia" not in str(caught.value) and "psycopg2" in str(caught.value)


def test_url_parameter_the_driver_does_not_take_is_exit_2(sql_url: str) -> None:
    sep = "&" if "?" in sql_url else "?"
    res = CliRunner().invoke(
        cli, ["report", "rekap", "--kind", "umkm", "--db", f"{sql_url}{sep}nonsense_option=1"]
    )
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


# -- the SQL store refuses what a column cannot hold, naming the record and column ---------


def _umkm_op(rid: str, **kw: str) -> WriteOp:
    return WriteOp(
        "umkm",
        rid,
        Umkm(nama_usaha="Toko", alamat=Alamat(kode_wilayah="31.71.01.1001"), **kw),  # type: ignore[arg-type]
        Provenance(SumberData.SUDIN, petugas="p1"),
    )


def test_value_a_column_cannot_hold_is_refused_naming_record_and_column(sql_url: str) -> None:
    good = _umkm_op("u-good")
    long_id = "umkm-src-sudin-" + "9" * 300
    kop = WriteOp(
        "koperasi",
        "BH:1/BH/2005",
        Koperasi(nama="Kop", nomor_badan_hukum="1/BH/2005", grade="G" * 300),
        Provenance(SumberData.ODS),
    )
    cases = [
        ([good, _umkm_op(long_id)], "id", long_id[:40]),
        ([good, _umkm_op("umkm-src-sudin-A\x00B")], "id", "A\\x00B"),
        ([good, kop], "grade", "BH:1/BH/2005"),
    ]
    with SqlStore(sql_url) as store:
        for ops, column, named in cases:
            with pytest.raises(StorageError) as caught:
                store.write_batch(ops)
            err = caught.value
            assert err.code == "SQL_VALUE_UNSTORABLE", err
            assert err.field == column
            assert f"column {column}" in str(err) and named in str(err)
        # nothing of a refused batch was stored, and the same good op still writes
        assert store.count("umkm") == 0 and store.count("koperasi") == 0
        assert store.write_batch([good]).inserted == 1


def test_database_refusing_a_value_is_a_named_storage_error(sql_url: str) -> None:
    # the safety net behind the checks: what the server itself refuses (a MariaDB session in a
    # lax sql_mode would instead cut the value silently)
    with SqlStore(sql_url) as store:
        with pytest.raises(StorageError) as caught:
            store._retry(
                lambda conn: conn.execute(
                    sa.text("INSERT INTO kukm_sequences (prefix, value) VALUES (:p, 1)"),
                    {"p": "P" * 100},
                )
            )
        assert caught.value.code == "SQL_VALUE_UNSTORABLE"
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM kukm_sequences")).scalar() == 0


def test_mariadb_sessions_are_strict(mariadb_url: str) -> None:  # noqa: F811
    with SqlStore(mariadb_url) as store, store.engine.connect() as conn:
        mode = set(str(conn.execute(sa.text("SELECT @@SESSION.sql_mode")).scalar()).split(","))
    assert {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES"} <= mode
    assert set(MARIADB_SQL_MODE.split(",")) <= mode


# -- an import rejects the row, the same on every store --------------------------------------


def test_import_with_too_long_id_sumber_rejects_that_row_on_every_store(
    sql_url: str, tmp_path: Path
) -> None:
    synthetic = pytest.importorskip("kukm.synthetic")
    path = tmp_path / "umkm.csv"
    synthetic.write_csv(
        path, synthetic.generate_umkm(60, seed=11, faulty_share=0.0), synthetic.UMKM_COLUMNS
    )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[30]["id_sumber"] = "SRC-" + "9" * 240
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    results = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'k.sqlite'}"), ("sql", sql_url)):
        errors = tmp_path / f"{name}.errors.csv"
        res = CliRunner().invoke(
            cli,
            ["import", str(path), "--kind", "umkm", "--db", url, "--json", "--workers", "0",
             "--errors", str(errors)],
        )  # fmt: skip
        assert res.exit_code == 1, res.output
        data = json.loads(res.output)
        with errors.open(encoding="utf-8-sig", newline="") as fh:
            rejected = {(r["_row"], r["_codes"]) for r in csv.DictReader(fh)}
        results[name] = (data["accepted"], data["inserted"], rejected)
    assert results["sql"] == results["sqlite"]
    accepted, inserted, rejected = results["sql"]
    assert rejected == {("31", "TEXT_TOO_LONG")}  # data rows are numbered from 1
    assert accepted == inserted == 60 - len(rejected)


# -- read-only commands refuse a database without kukm tables and create nothing ------------


def test_report_on_database_without_kukm_tables_is_store_tidak_ada(sql_url: str) -> None:
    assert _kukm_tables(sql_url) == []
    res = CliRunner().invoke(cli, ["report", "rekap", "--kind", "umkm", "--db", sql_url])
    assert res.exit_code == 2, res.output
    assert "STORE_TIDAK_ADA" in res.output
    assert _kukm_tables(sql_url) == []  # nothing was created
    with SqlStore(sql_url) as store:  # once kukm stored something there, the report runs
        store.write_batch([_umkm_op("u1")])
    res = CliRunner().invoke(cli, ["report", "rekap", "--kind", "umkm", "--db", sql_url])
    assert res.exit_code == 0, res.output


def test_report_on_mistyped_schema_creates_no_schema(postgres_url: str) -> None:  # noqa: F811
    with SqlStore(postgres_url):
        pass  # the fixture's schema holds a kukm store
    base = postgres_url.split("?", 1)[0]
    typo = f"kukm_typo_{secrets.token_hex(4)}"
    res = CliRunner().invoke(
        cli, ["report", "rekap", "--kind", "umkm", "--db", f"{base}?schema={typo}"]
    )
    assert res.exit_code == 2, res.output
    assert "STORE_TIDAK_ADA" in res.output and typo in res.output
    engine = sa.create_engine(base)
    try:
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_schema(typo)
    finally:
        engine.dispose()


def test_postgres_user_without_table_rights_is_store_unavailable(postgres_url: str) -> None:  # noqa: F811
    with SqlStore(postgres_url):
        pass  # kukm tables exist in the fixture's schema
    schema = postgres_url.rsplit("%3D", 1)[1]
    role = f"kukm_norights_{secrets.token_hex(4)}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            database = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
            conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        parts = urlsplit(postgres_url)
        netloc = f"{role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        try:
            SqlStore(url).close()
        except StoreUnavailable as exc:
            if "authentication" in str(exc):
                pytest.skip(f"the server does not let a new role log in without a password: {exc}")
            assert exc.code == "SQL_CONNECT_FAILED"
            assert "rights" in str(exc) and "permission denied" in str(exc)
        else:
            pytest.fail("a user without rights on kukm's tables opened the store")
        res = CliRunner().invoke(cli, ["report", "rekap", "--kind", "umkm", "--db", url])
        assert res.exit_code == 2, res.output
        assert "SQL_CONNECT_FAILED" in res.output and "Traceback" not in res.output
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
