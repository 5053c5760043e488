"""The 689-record ODS round trip and a sync on PostgreSQL and MariaDB (services)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kukm.adapters.ods_http import OdsHttpTransport
from kukm.integration.ods_io import export_ods, import_ods, read_jsonl
from kukm.integration.sync import sync
from kukm.plugins import open_store
from kukm.testing.ods_server import Fault, OdsServer
from services import mariadb_url, postgres_url  # noqa: F401  (pytest fixtures)


@pytest.fixture(params=["postgres", "mariadb"])
def sql_url(request: pytest.FixtureRequest) -> str:
    fixture = "postgres_url" if request.param == "postgres" else "mariadb_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.mark.services
def test_sample_round_trip_and_sync_on_sql(ods_sample_path: Path, sql_url: str,
                                           tmp_path: Path) -> None:
    rows = list(read_jsonl(ods_sample_path))
    store = open_store(sql_url)
    try:
        # sync a part (documents cost a round trip each on a server), then the round trip
        assert import_ods(store, rows[:120], resolve=False).accepted == 120
        with OdsServer() as server:
            server.inject(Fault("error500_after", method="POST"), Fault("drop", method="GET"))
            transport = OdsHttpTransport(server.url, client_id="dki")
            assert sync(store, transport, batch_size=50).pushed == 120
            assert sync(store, transport).transferred == 0
            assert server.records() == {
                r.record["Nomor Induk Koperasi (NIK)"]: r.record
                for r in rows[:120] if r.record is not None
            }
        report = import_ods(store, ods_sample_path, resolve=False)
        assert report.input == report.accepted == 689
        assert (report.inserted, report.unchanged) == (569, 120)
        out = tmp_path / "out.jsonl"
        assert export_ods(store, out) == 689
        assert sorted(out.read_text(encoding="utf-8").splitlines()) == sorted(
            ods_sample_path.read_text(encoding="utf-8").splitlines()
        )
        assert all(isinstance(json.loads(line), dict) for line in out.read_text().splitlines())
    finally:
        store.close()

