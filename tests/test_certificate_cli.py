"""CLI: kukm keys generate, kukm nik …, kukm certificate render/verify/revocations."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.cli import cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KUKM_DATABASE_URL", f"sqlite:///{tmp_path / 'k.sqlite'}")
    monkeypatch.setenv("KUKM_NO_PROGRESS", "1")
    return tmp_path


def day(n: int) -> dt.date:
    """``n`` days after today (an application is dated the day it is made, and a
    certificate is issued on or after it)."""
    return dt.date.today() + dt.timedelta(days=n)


def grant(env: Path, officer: str, peran: str, wilayah: str | None) -> None:
    """Register an officer in the store (the administrator's grant, Kepgub A.9): the NIK
    workflow acts only for officers of the office an application was routed to."""
    from kukm.governance import Service, User
    from kukm.plugins import open_store

    store = open_store(f"sqlite:///{env / 'k.sqlite'}")
    try:
        Service(store, User("admin-1", "administrator", "31")).grant(User(officer, peran, wilayah))
    finally:
        store.close()


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_keys_generate(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = json.loads(run("keys", "generate", "--out", str(env / "keys"), "--name", "d", "--json"))
    private = Path(out["private_key"])
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert Path(out["public_key"]).read_bytes().startswith(b"-----BEGIN PUBLIC KEY")
    # never overwrite
    run("keys", "generate", "--out", str(env / "keys"), "--name", "d", code=2)
    # refuse a git working tree unless asked
    (env / "repo" / ".git").mkdir(parents=True)
    run("keys", "generate", "--out", str(env / "repo" / "k"), code=2)
    run("keys", "generate", "--out", str(env / "repo" / "k"), "--allow-in-repo")
    # default directory comes from KUKM_KEY_DIR
    monkeypatch.setenv("KUKM_KEY_DIR", str(env / "default-keys"))
    run("keys", "generate")
    assert (env / "default-keys" / "kukm-kantor.key").exists()


def test_end_to_end(env: Path) -> None:
    run("keys", "generate", "--out", str(env / "keys"), "--name", "dinas")
    key, pub = env / "keys" / "dinas.key", env / "keys" / "dinas.pub.pem"
    kop = {
        "nama": "Koperasi Gambir Jaya",
        "id": "kop-9",
        "tanggal_rat_terakhir": str(day(-30)),
        "alamat": {"jalan": "Jl. Gambir 3", "kode_wilayah": "31.71.01.1001"},
    }
    (env / "kop.json").write_text(json.dumps(kop))
    (env / "pref.csv").write_text("kode_kelurahan,prefiks_nik\n31.71.01.1001,317308001\n")
    assert run("nik", "prefix", "31.71.01.1001", "--table", str(env / "pref.csv")).strip() == (
        "317308001"
    )
    app = json.loads(
        run(
            "nik", "apply", "--koperasi-json", str(env / "kop.json"), "--wilayah", "31.71", "--json"
        )
    )
    assert app["kantor"]["tingkat"] == "sudin" and app["status"] == "diajukan"
    pid = app["id"]
    grant(env, "p-1", "sudin", "31.71")  # an officer of the Sudin the application went to
    run("nik", "issue", pid, "--private-key", str(key), "--petugas", "p-1", code=1)  # not verified yet
    run("nik", "verify", pid, "--petugas", "p-9", "--catatan", "lengkap", code=1)  # not registered
    run("nik", "verify", pid, "--petugas", "p-1", "--catatan", "lengkap")
    issued = json.loads(
        run(
            "nik",
            "issue",
            pid,
            "--petugas",
            "p-1",
            "--private-key",
            str(key),
            "--on",
            str(day(1)),
            "--prefix-table",
            str(env / "pref.csv"),
            "--masa-berlaku",
            "1",
            "--json",
        )
    )
    assert issued["nomor_induk_koperasi"] == "3173080010001"
    start = day(1)
    one_year = dt.date(start.year + 1, 3, 1) if (start.month, start.day) == (2, 29) else start.replace(year=start.year + 1)
    assert issued["tanggal_berakhir"] == str(one_year - dt.timedelta(days=1))
    payload = issued["payload"]

    ok = json.loads(
        run(
            "certificate",
            "verify",
            payload,
            "--public-key",
            str(pub),
            "--on",
            str(day(90)),
            "--json",
        )
    )
    assert ok["valid"] and ok["sertifikat"]["nama"] == "Koperasi Gambir Jaya"
    out = run(
        "certificate", "verify", payload, "--public-key", str(pub), "--on", str(one_year), code=1
    )
    assert "CERT_EXPIRED" in out
    tampered = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    out = run("certificate", "verify", tampered, "--public-key", str(pub), code=1)
    assert "CERT_SIGNATURE_INVALID" in out

    for fmt in ("svg", "png", "pdf"):
        run("certificate", "render", "3173080010001", "--out", str(env / f"c.{fmt}"))
        assert (env / f"c.{fmt}").stat().st_size > 500
    run("certificate", "render", "3173080010001", "--out", str(env / "c.bin"), "--format", "svg")
    run("certificate", "render", "3173080010002", "--out", str(env / "x.svg"), code=1)
    # the PNG itself verifies (QR decoded with zxing-cpp)
    pytest.importorskip("zxingcpp")
    run("certificate", "verify", str(env / "c.png"), "--public-key", str(pub), "--on", str(day(90)))

    assert "PRIORITAS" in run("nik", "priority", "3173080010001", "--on", str(day(90)))
    run("nik", "revoke", pid, "--petugas", "p-1", "--alasan", "dibubarkan", "--on", str(day(120)))
    run("nik", "priority", "3173080010001", "--on", str(day(121)), code=1)
    run("certificate", "revocations", "--private-key", str(key), "--out", str(env / "rl.json"))
    out = run(
        "certificate",
        "verify",
        payload,
        "--public-key",
        str(pub),
        "--on",
        str(day(121)),
        "--revocations",
        str(env / "rl.json"),
        code=1,
    )
    assert "CERT_REVOKED" in out
    shown = json.loads(run("nik", "show", pid, "--json"))
    assert [h["ke"] for h in shown["riwayat"]] == ["diajukan", "diverifikasi", "terbit", "dicabut"]
    run("nik", "show", "PNIK-missing", code=1)


def test_apply_from_store_record_and_reject(env: Path) -> None:
    from kukm.model import Alamat, Koperasi, SumberData
    from kukm.plugins import open_store
    from kukm.storage.base import Provenance, WriteOp

    store = open_store(f"sqlite:///{env / 'k.sqlite'}")
    kop = Koperasi(nama="Koperasi Lintas", alamat=Alamat(kode_wilayah="31.71.01.1001"))
    store.write_batch([WriteOp("koperasi", "kop-x", kop, Provenance(SumberData.BIDANG_KOPERASI))])
    store.close()
    app = json.loads(
        run(
            "nik",
            "apply",
            "--koperasi-id",
            "kop-x",
            "--wilayah",
            "31.71",
            "--wilayah",
            "31.74",
            "--kanal",
            "online",
            "--json",
        )
    )
    assert app["kantor"]["tingkat"] == "dinas" and app["kanal"] == "online"
    grant(env, "p-2", "dinas", "31")  # membership over two kota: the Dinas decides
    out = run(
        "nik", "verify", app["id"], "--petugas", "p-2", "--reject", "--catatan", "tidak lengkap"
    )
    assert "ditolak" in out
    run("nik", "apply", "--koperasi-id", "nope", "--wilayah", "31.71", code=1)
    run("nik", "apply", "--wilayah", "31.71", code=2)
