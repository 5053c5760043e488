"""``kukm verify``, ``quality``, ``duplicates``, ``pemutakhiran`` on any store URL."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli
from kukm.model import Alamat, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import Provenance, VerificationStatus, WriteOp
from services import mariadb_url, postgres_url  # noqa: F401  (pytest fixtures)

KEL = "31.71.01.1001"


def _seed(url: str) -> None:
    store = open_store(url)
    a = Alamat(jalan="Jl. Kenanga 3", kode_wilayah=KEL)
    store.write_batch(
        [
            WriteOp(
                "umkm",
                "u1",
                Umkm(nama_usaha="Warung Kenanga", nib="9120001234567", alamat=a),
                Provenance(SumberData.PIHAK_LAIN, "x"),
                valid_from=dt.date(2024, 1, 1),
            ),
            WriteOp(
                "umkm",
                "u2",
                Umkm(nama_usaha="Bengkel Jaya", nib="9120001234567", alamat=a),
                Provenance(SumberData.PIHAK_LAIN, "x"),
                valid_from=dt.date(2026, 6, 1),
            ),
            WriteOp(
                "umkm",
                "u3",
                Umkm(nama_usaha="Toko Lain", alamat=a),
                Provenance(SumberData.SUDIN, "s1"),
                valid_from=dt.date(2026, 6, 1),
            ),
        ]
    )
    store.close()


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres_url", marks=pytest.mark.services),
        pytest.param("mariadb_url", marks=pytest.mark.services),
    ]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same commands on every kind of store (they only use the Store contract)."""
    if request.param == "memory":
        u = f"memory://govcli-{uuid.uuid4().hex}"
    elif request.param == "sqlite":
        u = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    else:
        u = str(request.getfixturevalue(request.param))
    _seed(u)
    return u


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_verify_all_pending_then_official_counts(url: str) -> None:
    store = open_store(url)
    official = [VerificationStatus.TERVERIFIKASI]
    assert store.count("umkm", status=official) == 1
    code, out = _run(
        "verify",
        "--kind",
        "umkm",
        "--all-pending",
        "--sumber",
        "pihak_lain",
        "--petugas",
        "dinas-7",
        "--catatan",
        "ok",
        "--json",
        "--db",
        url,
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["changed"] == 2 and data["failed"] == 0
    assert {r["id"] for r in data["results"]} == {"u1", "u2"}
    store = open_store(url)
    assert store.count("umkm", status=official) == 3
    got = store.get("umkm", "u1")
    assert got is not None and got.verifikasi is not None
    assert (got.verifikasi.petugas, got.verifikasi.catatan) == ("dinas-7", "ok")


def test_verify_reject_by_id_and_errors(url: str) -> None:
    code, out = _run(
        "verify",
        "--kind",
        "umkm",
        "--id",
        "u1",
        "--id",
        "zz",
        "--reject",
        "--petugas",
        "d1",
        "--json",
        "--db",
        url,
    )
    assert code == 1
    data = json.loads(out)
    assert data["results"][0]["status"] == "ditolak"
    assert data["results"][1]["error"] == "NOT_FOUND"
    # a non-Dinas role cannot verify
    code, out = _run(
        "verify",
        "--kind",
        "umkm",
        "--id",
        "u2",
        "--petugas",
        "s1",
        "--peran",
        "sudin",
        "--json",
        "--db",
        url,
    )
    assert code == 1
    assert json.loads(out)["results"][0]["error"] == "ACCESS_SCOPE_MISSING"
    code, _ = _run("verify", "--kind", "umkm", "--petugas", "d1", "--db", url)
    assert code == 2  # neither --id nor --all-pending


def test_quality_duplicates_pemutakhiran(url: str, tmp_path: Path) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nunit = "31.71"\njumlah = 10\nvalid = 0.5\n', encoding="utf-8")
    code, out = _run(
        "quality",
        "--kind",
        "umkm",
        "--targets",
        str(targets),
        "--as-of",
        "2026-11-28",
        "--json",
        "--db",
        url,
    )
    assert code == 0, out
    rep = json.loads(out)["umkm"]
    assert rep["groups"][0]["group"] == "31.71" and rep["groups"][0]["jumlah"] == 3
    ach = {a["metric"]: a for a in rep["achievements"]}
    assert ach["jumlah"]["actual"] == 3 and ach["jumlah"]["tercapai"] is False
    code, out = _run("quality", "--by", "sumber_data", "--db", url)
    assert code == 0 and "pihak_lain" in out

    code, out = _run("duplicates", "--kind", "umkm", "--json", "--db", url)
    assert code == 0
    pairs = json.loads(out)["umkm"]
    assert [(p["a"], p["b"]) for p in pairs] == [("u1", "u2")]
    assert pairs[0]["reasons"][0]["field"] == "nib"

    code, out = _run("pemutakhiran", "--as-of", "2026-11-28", "--json", "--db", url)
    assert code == 0
    rep = json.loads(out)["umkm"]
    assert [i["id"] for i in rep["items"]] == ["u1"]
    assert rep["by_petugas"] == {"x": ["u1"]}
    assert rep["by_wilayah"] == {"31.71.01": ["u1"]}
    code, out = _run("pemutakhiran", "--kind", "umkm", "--as-of", "2026-11-28", "--db", url)
    assert code == 0 and "1 of 3 overdue" in out
