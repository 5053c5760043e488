"""PKT / Jakpreneur: export layout with masked personal data, member-list import."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.exceptions import CODES
from kukm.integration.pkt import (
    PKT_COLUMNS,
    PktTahap,
    export_pkt,
    import_pkt_members,
    mask_nik_penduduk,
    pkt_row,
)
from kukm.model import Alamat, JenisKelamin, Pemilik, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, WriteOp

NIK = "3171234567890001"


def _store_with_umkm() -> Store:
    store = open_store("memory://")
    u = Umkm(
        nama_usaha="Warung Bu Sri",
        nib="1234567890123",
        pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk=NIK, jenis_kelamin=JenisKelamin.PEREMPUAN),
        alamat=Alamat(kode_wilayah="31.71.01.1001", kelurahan_nama="Gambir"),
        modal_usaha=5_000_000,
        atribut_lain={"pkt_tahap": "P3"},
    )
    store.write_batch([WriteOp(kind="umkm", id="U1", record=u,
                               provenance=Provenance(sumber=SumberData.BIDANG_UKM))])
    return store


def test_export_layout_masks_personal_data() -> None:
    store = _store_with_umkm()
    buf = io.StringIO()
    assert export_pkt(store, buf) == 1
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0]) == PKT_COLUMNS
    row = rows[0]
    assert row["id_anggota"] == ""  # not a PKT member: no id, never the kukm record id
    assert row["nik_penduduk"] == "317123**********" and NIK not in buf.getvalue()
    assert "Sri" not in row["nama_pemilik"] and "Wahyuni" not in buf.getvalue()
    assert (row["tahap_pkt"], row["nama_tahap"]) == ("P3", "pendampingan")
    assert row["modal_usaha"] == "5000000" and row["kode_wilayah"] == "31.71.01.1001"


def test_full_view_only_when_allowed() -> None:
    u = Umkm(nama_usaha="X", pemilik=Pemilik(nik_penduduk=NIK))
    assert pkt_row(u, id="A", reveal_personal=True)["nik_penduduk"] == NIK


def test_stages_are_replaceable() -> None:
    custom = PktTahap({"T1": "kurasi"}, sumber="Juknis Dinas 2025")
    u = Umkm(nama_usaha="X", atribut_lain={"pkt_tahap": "T1"})
    assert pkt_row(u, id="A", tahap=custom)["nama_tahap"] == "kurasi"
    assert list(PktTahap.default().tahap) == [f"P{i}" for i in range(1, 8)]


def test_member_import_matches_and_creates() -> None:
    store = _store_with_umkm()
    form = ",jenis_kelamin,alamat,kode_wilayah,kbli,modal_usaha,omzet_tahunan,tenaga_kerja,tanggal_berdiri"
    full = ",L,Jl. Melati 2,31.71.01.1002,47111,1000000,5000000,1,2020-01-01"
    text = (
        "id_anggota,nik_penduduk,nama_pemilik,nama_usaha,nib,tahap_pkt" + form + "\n"
        f"JP-001,{NIK},Sri Wahyuni,Warung Bu Sri,,P5,,,,,,,,\n"
        "JP-002,3171010101800002,Budi,Bengkel Budi,,P1" + full + "\n"
        ",3171234567890003,Tanpa Id,Usaha,,P1,,,,,,,,\n"
        "JP-004,123,Ani,Toko Ani,,P9" + full + "\n"
    )
    report = import_pkt_members(store, io.StringIO(text))
    assert report.input == 4 == report.accepted + report.rejected
    assert (report.matched, report.created, report.rejected) == (1, 1, 2)
    assert report.issue_counts["PKT_TANPA_ID_ANGGOTA"] == 1
    assert report.issue_counts["PKT_TAHAP_TIDAK_DIKENAL"] == 1
    assert report.issue_counts["PKT_NIK_PENDUDUK_INVALID"] == 1
    assert report.issue_counts["PKT_ANGGOTA_BARU_TIDAK_LOLOS"] == 1  # JP-004: NIK 123
    sri = store.get("umkm", "U1")
    assert sri is not None and isinstance(sri.record, Umkm)
    assert sri.record.atribut_lain["pkt_tahap"] == "P5"
    assert sri.record.atribut_lain["pkt_id_anggota"] == "JP-001"
    assert len(store.history("umkm", "U1")) == 2  # both stages kept in history
    budi = store.get("umkm", "PKT:JP-002")
    assert budi is not None and isinstance(budi.record, Umkm)
    assert budi.record.pemilik.nik_penduduk == "3171010101800002"
    assert budi.provenance.sumber is SumberData.PIHAK_LAIN
    again = import_pkt_members(store, io.StringIO(text))
    assert again.matched == 2 and again.created == 0
    assert len(store.history("umkm", "U1")) == 2  # idempotent
    out = io.StringIO()
    export_pkt(store, out)
    ids = [r["id_anggota"] for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert sorted(ids) == ["JP-001", "JP-002"]


def test_codes_registered() -> None:
    assert CODES["PKT_TAHAP_TIDAK_DIKENAL"].message_en


@settings(max_examples=60)
@given(st.text(alphabet="0123456789", min_size=7, max_size=20))
def test_mask_hides_everything_after_the_region(nik: str) -> None:
    masked = mask_nik_penduduk(nik)
    assert masked is not None and len(masked) == len(nik)
    assert masked[:6] == nik[:6] and set(masked[6:]) <= {"*"}


def test_cli_pkt(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pkt.sqlite'}"
    members = tmp_path / "members.csv"
    members.write_text(
        "id_anggota,nik_penduduk,nama_pemilik,jenis_kelamin,nama_usaha,alamat,kode_wilayah,kbli,"
        "modal_usaha,omzet_tahunan,tenaga_kerja,tanggal_berdiri,tahap_pkt\n"
        "JP-1,3171014501800001,Sri,P,A,Jl. X,31.71.01.1001,47111,1000000,5000000,1,2020-01-01,P2\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["pkt", "import", str(members), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["created"] == 1
    out = tmp_path / "pkt.csv"
    res = runner.invoke(cli, ["pkt", "export", "--out", str(out), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["exported"] == 1
    assert "3171014501800001" not in out.read_text(encoding="utf-8")


def test_masking_follows_the_policy_config() -> None:
    import pytest

    masking = pytest.importorskip("kukm.governance.masking")
    u = Umkm(nama_usaha="X", pemilik=Pemilik(nama="Sri", nik_penduduk=NIK))
    row = pkt_row(u, id="A", masking=masking.MaskingConfig(style="penuh"))
    assert row["nik_penduduk"] == "*" * 16 and row["nama_pemilik"] == "***"


@pytest.mark.parametrize("body", [b"PK\x03\x04\x9b\xff binary", b'id_anggota,nama_usaha\n"P1,' + b"x" * 140_000 + b"\n"])
def test_an_unreadable_member_list_is_a_configuration_error(tmp_path: Path, default_csv_field_limit: int, body: bytes) -> None:
    from click.testing import CliRunner

    from kukm.cli import cli

    p = tmp_path / "anggota.csv"
    p.write_bytes(body)
    res = CliRunner().invoke(cli, ["pkt", "import", str(p), "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"])
    assert res.exit_code == 2 and "PKT_BERKAS_TIDAK_TERBACA" in res.output
