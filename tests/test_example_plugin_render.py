"""The example plugin's ``txt`` renderers follow kukm's renderer contract: a ``report``
renderer gets a report object (``Rekap``, ``Perbandingan``, ``LaporanTahunan`` or a
``Dokumen``), a ``certificate`` renderer a ``SignedCertificate``; ``kukm report rekap
--out r.txt`` uses it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli
from kukm.model import Alamat, SumberData, Umkm
from kukm.plugins import open_store
from kukm.reports import bandingkan, laporan_tahunan, rekap, render_report, write_report
from kukm.storage.base import Provenance, WriteOp

pytest.importorskip("kukm_example_jsonl")


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    store = open_store(url)
    store.write_batch(
        [
            WriteOp(
                "umkm",
                f"u{i}",
                Umkm(nama_usaha=f"U{i}", alamat=Alamat(kode_wilayah=kode)),
                Provenance(SumberData.SUDIN),
                valid_from=dt.date(2025, 3, 1),
                atribut={"skala": skala},
            )
            for i, (kode, skala) in enumerate(
                [("31.71.01.1001", "mikro"), ("31.72.01.1001", "mikro"), ("31.72.01.1001", "kecil")]
            )
        ]
    )
    store.close()
    return url


def test_cli_rekap_to_a_txt_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "r.txt"
    result = CliRunner().invoke(
        cli, ["report", "rekap", "--by", "skala", "--out", str(out), "--db", db]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Rekapitulasi UMKM menurut Skala usaha\n")
    rows = {" ".join(line.split()[:3]): line.split()[-2:] for line in text.splitlines()}
    assert rows["mikro Usaha Mikro"] == ["2", "66.7"]
    assert rows["kecil Usaha Kecil"] == ["1", "33.3"]
    assert text.splitlines()[-2].split() == ["Jumlah", "3", "100.0"]


def test_two_dimensions_and_other_reports(db: str) -> None:
    store = open_store(db)
    try:
        two = render_report(rekap(store, "umkm", ["kab_kota", "skala"]), "txt").decode()
        assert "Kota Administrasi Jakarta Utara" in two and "Usaha Kecil" in two
        banding = render_report(bandingkan(store, "umkm", "kab_kota", 2024, 2025), "txt").decode()
        assert banding.strip() and "2025" in banding
        yearly = render_report(laporan_tahunan(store, 2025), "txt").decode()
        assert yearly.count("\nJumlah") >= 2  # one total line per table of the report
    finally:
        store.close()


def test_not_a_report_is_refused_like_kukm_own_renderers(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_report([(("31.71",), 2)], tmp_path / "x.txt")
    with pytest.raises(TypeError):
        write_report([(("31.71",), 2)], tmp_path / "x.html")


def test_certificate_txt_from_a_signed_certificate(tmp_path: Path) -> None:
    pytest.importorskip("kukm.certificate.issuance")
    from kukm.certificate.issuance import write_certificate
    from kukm.certificate.keys import generate_private_key
    from kukm.certificate.payload import Sertifikat, sign_certificate

    s = Sertifikat(
        "3173070010001", "Koperasi Maju", "Jl. A", dt.date(2026, 1, 7), dt.date(2028, 1, 6), "D"
    )
    path = write_certificate(sign_certificate(s, generate_private_key()), tmp_path / "c.txt")
    text = path.read_text(encoding="utf-8")
    assert "3173070010001" in text and "Koperasi Maju" in text and "2028-01-06" in text
