"""``kukm report rekap|banding|tahunan``, ``kukm ods export``, ``kukm pkt export`` act as an
officer: region scope (Kepgub F.3), the public's verified data only, masked (I.2-4), audited,
fail-closed (an unregistered officer refused once officers exist)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.governance import Service, User
from kukm.model import Alamat, Koperasi, Pemilik, Pengurus, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

JAKPUS = "31.71.01.1001"  # Jakarta Pusat
JAKSEL = "31.74.01.1001"  # Jakarta Selatan
NIK = "3174010101900001"


def _ops(kode: str, n: int, prefix: str, sumber: SumberData) -> list[WriteOp]:
    alamat = Alamat(kode_wilayah=kode)
    out: list[WriteOp] = []
    for i in range(n):
        out.append(
            WriteOp(
                "umkm",
                f"{prefix}u{i}",
                Umkm(
                    nama_usaha=f"Usaha {prefix}{i}",
                    pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk=NIK),
                    alamat=alamat,
                ),
                Provenance(sumber, "seed"),
                valid_from=dt.date(2024, 6, 1),
            )
        )
        out.append(
            WriteOp(
                "koperasi",
                f"{prefix}k{i}",
                Koperasi(
                    nama=f"KSP {prefix}{i}", pengurus=Pengurus(ketua="Ahmad Yani"), alamat=alamat
                ),
                Provenance(sumber, "seed"),
                valid_from=dt.date(2024, 6, 1),
            )
        )
    return out


def _seed(url: str, *, pusat: int = 2, selatan: int = 3, pending: int = 1) -> None:
    """Verified data (source sudin) in Jakarta Pusat and Selatan; ``pending`` records of
    pihak lain waiting for verification in Jakarta Selatan."""
    store = open_store(url)
    try:
        store.write_batch(
            _ops(JAKPUS, pusat, "p", SumberData.SUDIN)
            + _ops(JAKSEL, selatan, "s", SumberData.SUDIN)
            + _ops(JAKSEL, pending, "x", SumberData.PIHAK_LAIN)
        )
    finally:
        store.close()


def _register(url: str) -> None:
    store = open_store(url)
    try:
        admin = Service(store, User("admin", "administrator"))
        admin.grant(User("sudin-jaksel", "sudin", "31.74"))
        admin.grant(User("warga", "publik"))
    finally:
        store.close()


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    _seed(u)
    return u


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _rekap(url: str, *extra: str) -> tuple[int, dict[str, object] | str]:
    code, out = _run("report", "rekap", "--by", "kab_kota", "--json", "--db", url, *extra)
    return code, (json.loads(out) if code == 0 else out)


def _audit(url: str) -> list[tuple[str, str, bool]]:
    store = open_store(url)
    try:
        return [(e.aktor, e.aksi, e.diizinkan) for e in store.audit_log()]
    finally:
        store.close()


# -- no officer registered: an operator's install, province-wide as before ------------------


def test_unregistered_install_default_dinas_reads_the_province(url: str) -> None:
    code, r = _rekap(url)
    assert code == 0 and isinstance(r, dict)
    assert r["total"] == 5  # verified only: 2 Pusat + 3 Selatan
    code, r = _rekap(url, "--all-status")
    assert code == 0 and isinstance(r, dict) and r["total"] == 6
    assert ("cli", "rekap", True) in _audit(url)


def test_unregistered_install_peran_sudin_without_region_refused(url: str) -> None:
    # a region-limited role named with --peran has no region: fail-closed, not the province
    code, out = _run("report", "rekap", "--peran", "sudin", "--db", url)
    assert code == 1 and "ACCESS_SCOPE_MISSING" in out


def test_unregistered_install_peran_publik_sees_verified_only(url: str, tmp_path: Path) -> None:
    code, out = _run("report", "rekap", "--peran", "publik", "--all-status", "--db", url)
    assert code == 1 and "ACCESS_NOT_PUBLISHED" in out
    code, out = _run("report", "rekap", "--peran", "publik", "--by", "status", "--db", url)
    assert code == 1 and "ACCESS_NOT_PUBLISHED" in out
    code, r = _rekap(url, "--peran", "publik")
    assert code == 0 and isinstance(r, dict) and r["total"] == 5


# -- officers registered: their scope -------------------------------------------------------


def test_rekap_sudin_sees_its_own_kota_only(url: str) -> None:
    _register(url)
    code, r = _rekap(url, "--petugas", "sudin-jaksel", "--all-status")
    assert code == 0 and isinstance(r, dict)
    assert r["wilayah"] == "31.74" and r["total"] == 4  # 3 verified + 1 pending, no Pusat
    rows = r["rows"]
    assert isinstance(rows, list)
    assert {row["kab_kota"] for row in rows if row["jumlah"]} == {"31.74"}


def test_rekap_wilayah_outside_scope_refused_and_audited(url: str) -> None:
    _register(url)
    code, out = _rekap(url, "--petugas", "sudin-jaksel", "--wilayah", "31.71")
    assert code == 1 and "ACCESS_OUT_OF_SCOPE" in str(out)
    assert ("sudin-jaksel", "rekap", False) in _audit(url)
    # inside the scope: narrowed
    code, r = _rekap(url, "--petugas", "sudin-jaksel", "--wilayah", "31.74.01")
    assert code == 0 and isinstance(r, dict) and r["wilayah"] == "31.74.01"


def test_unregistered_officer_refused_once_officers_exist(url: str, tmp_path: Path) -> None:
    _register(url)
    for args in (
        ["report", "rekap"],
        ["report", "banding", "--from", "2024", "--to", "2025"],
        ["report", "tahunan", "--year", "2025", "--out", str(tmp_path / "lap")],
        ["ods", "export", "--out", str(tmp_path / "o.jsonl")],
        ["pkt", "export", "--out", str(tmp_path / "p.csv")],
    ):
        code, out = _run(*args, "--db", url)
        assert code == 1 and "ACCESS_USER_UNREGISTERED" in out, args
        code, out = _run(*args, "--petugas", "pretend", "--peran", "dinas", "--db", url)
        assert code == 1 and "ACCESS_USER_UNREGISTERED" in out, args
    assert not (tmp_path / "lap").exists()


def test_public_officer_rekap_verified_only(url: str) -> None:
    _register(url)
    code, out = _rekap(url, "--petugas", "warga", "--all-status")
    assert code == 1 and "ACCESS_NOT_PUBLISHED" in str(out)
    code, r = _rekap(url, "--petugas", "warga")
    assert code == 0 and isinstance(r, dict) and r["total"] == 5


def test_banding_scoped_to_the_officer(url: str) -> None:
    _register(url)
    code, out = _run(
        "report", "banding", "--from", "2023", "--to", "2024", "--json",
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["total_b"] == 3
    assert {r["kode"] for r in data["rows"] if r["a"] or r["b"]} == {"31.74"}
    code, out = _run(
        "report", "banding", "--from", "2023", "--to", "2024", "--wilayah", "31.71",
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 1 and "ACCESS_OUT_OF_SCOPE" in out
    code, out = _run(
        "report", "banding", "--by", "status", "--from", "2023", "--to", "2024",
        "--petugas", "warga", "--db", url,
    )
    assert code == 1 and "ACCESS_NOT_PUBLISHED" in out


def test_tahunan_scoped_and_public_published_view(url: str, tmp_path: Path) -> None:
    _register(url)
    code, out = _run(
        "report", "tahunan", "--year", "2024", "--out", str(tmp_path / "s"),
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 0, out
    lap = json.loads((tmp_path / "s" / "laporan-tahunan-2024.json").read_text(encoding="utf-8"))
    kab = lap["umkm"]["kab_kota"]
    assert kab["wilayah"] == "31.74" and kab["total"] == 3
    assert {r["kab_kota"] for r in kab["rows"] if r["jumlah"]} == {"31.74"}
    assert _status_counts(lap) == {"terverifikasi": 3, "menunggu_verifikasi": 1}
    code, out = _run(
        "report", "tahunan", "--year", "2024", "--out", str(tmp_path / "w"), "--wilayah", "31.71",
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 1 and "ACCESS_OUT_OF_SCOPE" in out
    assert not (tmp_path / "w").exists()
    code, out = _run(
        "report", "tahunan", "--year", "2024", "--out", str(tmp_path / "p"),
        "--petugas", "warga", "--db", url,
    )
    assert code == 0, out
    lap = json.loads((tmp_path / "p" / "laporan-tahunan-2024.json").read_text(encoding="utf-8"))
    assert _status_counts(lap) == {"terverifikasi": 5}  # the pending record is not the public's


def _status_counts(lap: dict[str, Any]) -> dict[str, int]:
    rows = lap["status_umkm"]["rows"]
    return {r["status"]: r["jumlah"] for r in rows if r["jumlah"]}


# -- exports ---------------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_ods_export_scoped_to_the_officer(url: str, tmp_path: Path) -> None:
    _register(url)
    out = tmp_path / "o.jsonl"
    code, text = _run("ods", "export", "--out", str(out), "--petugas", "sudin-jaksel", "--db", url)
    assert code == 0, text
    rows = _jsonl(out)
    assert len(rows) == 4 and all(str(r["Koperasi"]).startswith("KSP s") or
                                  str(r["Koperasi"]).startswith("KSP x") for r in rows)
    code, text = _run(
        "ods", "export", "--out", str(tmp_path / "b.jsonl"), "--wilayah", "31.71",
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 1 and "ACCESS_OUT_OF_SCOPE" in text
    assert not (tmp_path / "b.jsonl").exists()
    assert ("sudin-jaksel", "ekspor_ods", True) in _audit(url)


def test_ods_and_pkt_export_public_verified_and_masked(url: str, tmp_path: Path) -> None:
    _register(url)
    out = tmp_path / "o.jsonl"
    code, text = _run("ods", "export", "--out", str(out), "--petugas", "warga", "--db", url)
    assert code == 0, text
    rows = _jsonl(out)
    assert len(rows) == 5  # verified only
    assert "Ahmad Yani" not in out.read_text(encoding="utf-8")
    pkt = tmp_path / "p.csv"
    code, text = _run("pkt", "export", "--out", str(pkt), "--petugas", "warga", "--db", url)
    assert code == 0, text
    lines = pkt.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 5
    assert NIK not in pkt.read_text(encoding="utf-8")


def test_pkt_export_scoped_to_the_officer(url: str, tmp_path: Path) -> None:
    _register(url)
    pkt = tmp_path / "p.csv"
    code, text = _run("pkt", "export", "--out", str(pkt), "--petugas", "sudin-jaksel", "--db", url)
    assert code == 0, text
    body = pkt.read_text(encoding="utf-8").splitlines()[1:]
    assert len(body) == 4 and all("31.74." in line for line in body)
    code, text = _run(
        "pkt", "export", "--out", str(tmp_path / "b.csv"), "--wilayah", "31.71",
        "--petugas", "sudin-jaksel", "--db", url,
    )
    assert code == 1 and "ACCESS_OUT_OF_SCOPE" in text
    assert ("sudin-jaksel", "ekspor_pkt", True) in _audit(url)


def test_ods_export_mask_uses_the_stored_policy(url: str, tmp_path: Path) -> None:
    """--mask masks as the policy in force: a stored policy of style ``hapus`` removes the
    board's names, not the packaged ``sebagian`` (which keeps initials)."""
    store = open_store(url)
    try:
        data = tomllib.loads(
            resources.files("kukm.governance").joinpath("policy_default.toml").read_text("utf-8")
        )
        data["masking"]["style"] = "hapus"
        Service(store, User("admin", "administrator")).store_policy(data)
    finally:
        store.close()
    out = tmp_path / "o.jsonl"
    code, text = _run("ods", "export", "--out", str(out), "--mask", "--db", url)
    assert code == 0, text
    content = out.read_text(encoding="utf-8")
    assert "Ahmad Yani" not in content and "A**** Y***" not in content


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pusat=st.integers(0, 3),
    selatan=st.integers(0, 3),
    pending=st.integers(0, 2),
    wilayah=st.sampled_from([None, "31.74", "31.74.01", "31.74.01.1001"]),
)
def test_sudin_rekap_equals_dinas_rekap_of_its_region(
    tmp_path_factory: pytest.TempPathFactory,
    pusat: int,
    selatan: int,
    pending: int,
    wilayah: str | None,
) -> None:
    """Rule (F.3): a Sudin officer's table is the Dinas's table of the Sudin's kota (or the
    narrower --wilayah), whatever the data outside it."""
    u = f"sqlite:///{tmp_path_factory.mktemp('h') / f'{uuid.uuid4().hex}.sqlite'}"
    _seed(u, pusat=pusat, selatan=selatan, pending=pending)
    _register(u)
    extra = ["--wilayah", wilayah] if wilayah else []
    code, sudin = _rekap(u, "--petugas", "sudin-jaksel", "--all-status", *extra)
    assert code == 0 and isinstance(sudin, dict)
    store = open_store(u)
    try:
        dinas = Service(store, User("d", "dinas"))
        expected = dinas.count("umkm", wilayah=wilayah or "31.74")
        statuses = {VerificationStatus.TERVERIFIKASI}
        public_expected = Service(store, User("d", "dinas")).count(
            "umkm", wilayah=None, status=statuses
        )
    finally:
        store.close()
    assert sudin["total"] == expected == selatan + pending
    code, public = _rekap(u, "--petugas", "warga")
    assert code == 0 and isinstance(public, dict) and public["total"] == public_expected
