"""``kukm demo --rows small`` end to end in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli

pytest.importorskip("kukm.rules.instruments")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("demo") / "out"
    res = CliRunner().invoke(
        cli, ["demo", "--out", str(out), "--rows", "small", "--year", "2025", "--json"]
    )
    assert res.exit_code == 0, res.output
    return out, json.loads(res.output)


def test_demo_writes_data_errors_and_reports(demo_run: tuple[Path, dict[str, object]]) -> None:
    out, info = demo_run
    umkm = info["umkm"]
    assert isinstance(umkm, dict)
    assert umkm["input"] == 300 == umkm["accepted"] + umkm["rejected"] and umkm["rejected"] > 0
    assert (out / "data" / "umkm.errors.xlsx").exists()
    assert (out / "kukm-demo.sqlite").exists()
    assert not Path("kukm.sqlite").exists() or Path("kukm.sqlite").resolve().parent != out
    laporan = out / "laporan"
    for name in ("laporan-tahunan-2025.html", "laporan-tahunan-2025.pdf", "laporan-tahunan-2025.xlsx",
                 "rekap-umkm-kab_kota.html", "rekap-umkm-kab_kota.xlsx", "rekap-umkm-kab_kota.csv",
                 "rekap-umkm-kab_kota.json", "rekap-umkm-skala.json"):  # fmt: skip
        assert (laporan / name).stat().st_size > 0, name
    rekap = json.loads((laporan / "rekap-umkm-kab_kota.json").read_text(encoding="utf-8"))
    assert sum(r["jumlah"] for r in rekap["rows"]) == rekap["total"] > 0


def test_demo_html_charts_agree_with_tables(demo_run: tuple[Path, dict[str, object]]) -> None:
    from test_reports import (
        _check_html_charts_agree_with_tables as check_html_charts_agree_with_tables,
    )

    out, _ = demo_run
    html = (out / "laporan" / "laporan-tahunan-2025.html").read_text(encoding="utf-8")
    assert check_html_charts_agree_with_tables(html) >= 8
    html = (out / "laporan" / "rekap-umkm-skala.html").read_text(encoding="utf-8")
    assert check_html_charts_agree_with_tables(html) == 1


def test_demo_certificates(demo_run: tuple[Path, dict[str, object]]) -> None:
    pytest.importorskip("kukm.certificate.issuance")
    from kukm.plugins import get_plugins

    if "prefiks_kelurahan" not in get_plugins().reference_providers():
        pytest.skip("no NIK prefix table registered yet (kukm.reference)")
    out, info = demo_run
    certs = out / "sertifikat"
    assert list(certs.glob("sertifikat-*.png")) and list(certs.glob("sertifikat-*.pdf"))
    assert list(certs.glob("*.pub.pem"))
    assert info["certificates"]
