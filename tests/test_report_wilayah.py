"""``--wilayah`` of reports and exports takes a known, dotted Kemendagri code only.

A filter the stores cannot match (BPS-style ``3171``, ``31.7``, ``99``) used to give
an empty table or "0 records" with exit 0; it is refused (exit 2) instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.ids.kode_wilayah import KODE_WILAYAH_FORMAT, KODE_WILAYAH_UNKNOWN
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import open_store
from kukm.reference.wilayah import get_table
from kukm.reports import bandingkan, laporan_tahunan, rekap, tren
from kukm.reports.wilayah import periksa_wilayah
from kukm.storage.base import Provenance, WriteOp

REFUSED = [
    ("3171", KODE_WILAYAH_FORMAT),  # BPS style: Jakarta Selatan there, 31.71 is Jakarta Pusat
    ("3171011001", KODE_WILAYAH_FORMAT),
    ("31.7", KODE_WILAYAH_FORMAT),
    ("31.71.1", KODE_WILAYAH_FORMAT),
    ("31-71", KODE_WILAYAH_FORMAT),
    ("", KODE_WILAYAH_FORMAT),
    ("99", KODE_WILAYAH_UNKNOWN),
    ("31.76", KODE_WILAYAH_UNKNOWN),
    ("31.71.01.9999", KODE_WILAYAH_UNKNOWN),
]


@pytest.mark.parametrize(("kode", "code"), REFUSED)
def test_unknown_or_undotted_codes_are_refused(kode: str, code: str) -> None:
    with pytest.raises(ConfigurationError) as e:
        periksa_wilayah(kode)
    assert e.value.code == code
    s = MemoryStore()
    for call in (
        lambda: rekap(s, "umkm", ["kab_kota"], wilayah=kode),
        lambda: bandingkan(s, "umkm", "kab_kota", 2024, 2025, wilayah=kode),
        lambda: tren(s, "umkm", 2024, 2025, wilayah=kode),
        lambda: laporan_tahunan(s, 2025, wilayah=kode),
    ):
        with pytest.raises(ConfigurationError):
            call()


def test_a_bps_code_is_explained() -> None:
    with pytest.raises(ConfigurationError) as e:
        periksa_wilayah("3171")
    assert "31.74" in str(e.value) and "Jakarta Selatan" in str(e.value)


@pytest.mark.parametrize("kode", ["31", "31.71", " 31.71.01 ", "31.71.01.1001", "32"])
def test_known_codes_pass_stripped(kode: str) -> None:
    assert periksa_wilayah(kode) == kode.strip()


@given(st.sampled_from(sorted(get_table())), st.sampled_from(["", " ", "\t"]))
def test_every_code_of_the_table_passes(kode: str, pad: str) -> None:
    assert periksa_wilayah(pad + kode + pad) == kode


@given(st.text(alphabet="0123456789. ", max_size=14))
def test_anything_else_is_refused(text: str) -> None:
    try:
        kode = periksa_wilayah(text)
    except ConfigurationError as e:
        assert e.code in (KODE_WILAYAH_FORMAT, KODE_WILAYAH_UNKNOWN)
        assert not get_table().has_code(text.strip())  # has_code: dotted table codes only
    else:
        assert kode == text.strip() and get_table().has_code(kode)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    s = open_store(url)
    s.write_batch(
        [
            WriteOp(
                "umkm",
                "u1",
                Umkm(nama_usaha="U", alamat=Alamat(kode_wilayah="31.71.01.1001")),
                Provenance(SumberData.SUDIN),
                valid_from=dt.date(2024, 1, 1),
            ),
            WriteOp(
                "koperasi",
                "k1",
                Koperasi(nama="K", alamat=Alamat(kode_wilayah="31.71.01.1001")),
                Provenance(SumberData.DEKOPIN),
                valid_from=dt.date(2024, 1, 1),
            ),
        ]
    )
    s.close()
    return url


@pytest.mark.parametrize(("kode", "code"), [("3171", KODE_WILAYAH_FORMAT), ("31.7", KODE_WILAYAH_FORMAT), ("99", KODE_WILAYAH_UNKNOWN)])  # fmt: skip
def test_cli_refuses_with_exit_2(db: str, tmp_path: Path, kode: str, code: str) -> None:
    runner = CliRunner()
    commands = [
        ["report", "rekap", "--wilayah", kode],
        ["report", "tahunan", "--year", "2025", "--out", str(tmp_path / "lap"), "--wilayah", kode],
        ["ods", "export", "--out", str(tmp_path / "o.jsonl"), "--wilayah", kode],
        ["pkt", "export", "--out", str(tmp_path / "p.csv"), "--wilayah", kode],
    ]
    for args in commands:
        res = runner.invoke(cli, [*args, "--db", db])
        assert res.exit_code == 2, (args, res.output)
        assert code in res.output, (args, res.output)
    assert not (tmp_path / "lap").exists() and not (tmp_path / "o.jsonl").exists()


def test_cli_takes_a_known_code_with_a_trailing_space(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["report", "rekap", "--wilayah", "31.71.01 ", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert '"total": 1' in res.output
    out = tmp_path / "o.jsonl"
    res = runner.invoke(
        cli, ["ods", "export", "--out", str(out), "--wilayah", "31.71 ", "--db", db]
    )
    assert res.exit_code == 0, res.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
