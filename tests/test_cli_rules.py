"""CLI: kukm skala umkm, kukm rules list, kukm instrument schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "skala"),
    [
        (["--modal-usaha", "1000000000", "--omzet-tahunan", "2000000000", "--tanggal", "2024-01-01"], "mikro"),
        (["--modal-usaha", "1000000001", "--omzet-tahunan", "1", "--tanggal", "2024-01-01"], "kecil"),
        (["--modal-usaha", "1", "--omzet-tahunan", "600 jt", "--tanggal", "2021-02-01"], "kecil"),
        (["--modal-usaha", "1", "--omzet-tahunan", "51 M", "--tanggal", "2024-01-01"], "besar"),
        (["--modal-usaha", "1", "--omzet-tahunan", "1", "--kekayaan-bersih", "600 jt", "--tanggal", "2020-01-01"],
         "menengah"),
    ],
)
def test_skala_umkm_json(args: list[str], skala: str) -> None:
    code, out = run("skala", "umkm", *args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["skala"] == skala
    assert data["kriteria"] and data["dasar_hukum"]["regulasi"] in {"UU 20/2008", "PP 7/2021"}
    assert data["aturan"] == "terbesar"


@pytest.mark.parametrize(
    ("args", "unused"),
    [
        (["--modal-usaha", "5 M", "--tanggal", "2021-02-01"], ["modal_usaha"]),  # UU 20/2008
        (["--modal-usaha", "5 M", "--omzet-tahunan", "1", "--tanggal", "2021-02-01"], ["modal_usaha"]),
        (["--modal-usaha", "5 M", "--tanggal", "2021-02-02"], []),  # PP 7/2021: a criterion
        (["--kekayaan-bersih", "5 M", "--omzet-tahunan", "1", "--tanggal", "2021-02-02"], ["kekayaan_bersih"]),
    ],
)
def test_a_figure_the_regime_does_not_use_is_said_so(args: list[str], unused: list[str]) -> None:
    """Modal usaha before PP 7/2021 (X = 2021-02-01, X+1 = 2021-02-02): 'not used', naming the
    regime; it was dropped without a word ('all criteria agree' on the one left)."""
    code, out = run("skala", "umkm", *args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["tidak_dipakai"] == unused
    assert ("tidak dipakai" in data["explain_id"]) == bool(unused)


def test_skala_umkm_text_and_errors() -> None:
    code, out = run("skala", "umkm", "--modal-usaha", "5 M", "--omzet-tahunan", "1", "--tanggal", "2024-01-01")
    assert code == 0 and "kecil" in out and "PP 7/2021" in out
    code, _ = run("skala", "umkm", "--modal-usaha", "1.5")
    assert code == 2
    code, _ = run("skala", "umkm")
    assert code == 2


def test_rules_list() -> None:
    code, out = run("rules", "list", "--json")
    assert code == 0
    ids = {r["id"] for r in json.loads(out)}
    assert {"skala_umkm.pp-7-2021-pasal-35", "kesehatan.perdep-06-2016", "kepatuhan.rat"} <= ids
    code, out = run("rules", "list")
    assert code == 0 and "UU 20/2008" in out


def test_instrument_schema(tmp_path: Path) -> None:
    code, out = run("instrument", "schema", "koperasi")
    assert code == 0
    assert any(f["name"] == "nomor_induk_koperasi" for f in json.loads(out)["fields"])
    p = tmp_path / "i.toml"
    p.write_text('name = "u2"\nrequire = ["email"]\n', encoding="utf-8")
    code, out = run("instrument", "schema", "umkm", "--instrument", str(p))
    assert code == 0
    email = next(f for f in json.loads(out)["fields"] if f["name"] == "email")
    assert email["constraints"]["required"] is True
