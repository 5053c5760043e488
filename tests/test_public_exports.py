"""Personal data never reaches a public output unmasked; region scopes are never matched silently.

Kepgub DKI 1625/2021 I.3–4 (personal data kept confidential, masked in public outputs) and
F.3 (a Sudin sees its own kota); region codes are Kemendagri codes (``31.71``), a BPS code
(``3173``) is refused, not matched.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.governance.access import User, load_policy
from kukm.governance.masking import MaskingConfig, mask_dict, mask_record
from kukm.governance.service import Service
from kukm.integration.ods_io import OdsRow, import_ods
from kukm.model import Alamat, Koperasi, Pemilik, SumberData, Umkm
from kukm.plugins import open_store
from kukm.rules.instruments import get_instrument
from kukm.storage.base import Provenance, Store, VerificationStatus, WriteOp

KEL = "31.71.01.1001"
NIK = "3173066205843436"
ADMIN = User("adm", "administrator")  # may report, has no read_personal
DINAS = User("d", "dinas")


def _umkm_store(nik: str) -> MemoryStore:
    store = MemoryStore()
    store.write_batch(
        [
            WriteOp(
                "umkm",
                "u1",
                Umkm(
                    nama_usaha="Toko",
                    pemilik=Pemilik(nama="Nur Santoso", nik_penduduk=nik),
                    alamat=Alamat(kode_wilayah=KEL),
                ),
                Provenance(SumberData.SUDIN),
                status=VerificationStatus.TERVERIFIKASI,
            )
        ]
    )
    return store


# -- quality with the Dinas's instrument (E.11): issues name the form's fields ---------------


def _quality_json(store: Store, user: User) -> str:
    report = Service(store, user).quality("umkm", instrument=get_instrument("umkm"))
    return json.dumps(report.as_dict(), ensure_ascii=False)


def test_quality_with_an_instrument_masks_the_nik_under_its_form_name() -> None:
    bad = NIK[:14]  # 14 digits: NIK_PENDUDUK_LENGTH, reported as field nik_pemilik by the form
    store = _umkm_store(bad)
    issues = Service(store, ADMIN).quality("umkm", instrument=get_instrument("umkm")).issues
    by_form = [ri.issue for ri in issues if ri.issue.field == "nik_pemilik"]
    assert by_form and all(i.value == "317306********" for i in by_form)
    assert bad not in _quality_json(store, ADMIN)
    assert bad in _quality_json(store, DINAS)  # read_personal: the officer sees what to fix


@given(nik=st.from_regex(r"\A3[1-9][0-9]{8,12}\Z"))
def test_property_an_invalid_nik_never_reaches_a_quality_report_unmasked(nik: str) -> None:
    assert nik not in _quality_json(_umkm_store(nik), ADMIN)


# -- region filters: Kemendagri codes only, a BPS code is refused ------------------------


@pytest.mark.parametrize("user", [DINAS, User("s", "sudin", "31.71"), User.public()])
def test_a_bps_region_filter_is_refused_not_matched_silently(user: User) -> None:
    svc = Service(_umkm_store(NIK), user)
    for call in (
        lambda: svc.count("umkm", wilayah="3173"),
        lambda: svc.tabulate("umkm", ["kab_kota"], wilayah="3173"),
        lambda: list(svc.iter_records("umkm", wilayah="3173")),
    ):
        with pytest.raises(ConfigurationError) as info:
            call()
        assert info.value.code == "KODE_WILAYAH_FORMAT"
    with pytest.raises(ConfigurationError) as unknown:
        svc.count("umkm", wilayah="31.76")
    assert unknown.value.code == "KODE_WILAYAH_UNKNOWN"
    assert svc.count("umkm", wilayah="31.71") == 1


@given(code=st.from_regex(r"\A[0-9]{2,10}\Z").filter(lambda c: len(c) != 2))
def test_property_plain_digit_region_filters_are_refused(code: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Service(_umkm_store(NIK), DINAS).count("umkm", wilayah=code)
    assert info.value.code == "KODE_WILAYAH_FORMAT"


# -- a role of public scope is the public, whatever its name ------------------------------


@pytest.mark.parametrize("extra", ["audit", "grant", "write", "verify", "merge", "read_personal"])
def test_a_public_scope_role_gets_no_more_than_the_public(extra: str) -> None:
    data = {"roles": {"tamu": {"scope": "publik", "actions": ["read", extra]}}}
    with pytest.raises(ConfigurationError) as info:
        load_policy(data)
    assert info.value.code == "POLICY_INVALID"
    ok = load_policy({"roles": {"tamu": {"scope": "publik", "actions": ["read", "report"]}}})
    assert ok.is_public(User("t", "tamu"))


# -- a source's personal columns kept in atribut_lain (ODS NIK, Email, No HP, Ketua) ------


def _ods_store(row: dict[str, str]) -> Store:
    store = open_store("memory://")
    import_ods(store, [OdsRow(1, {"Koperasi": "KSP Maju", **row})], resolve=False)
    dinas = Service(store, DINAS)
    for s in list(store.iter_records("koperasi")):
        dinas.verify("koperasi", s.id)
    return store


PERSONAL_COLUMNS = {
    "NIK": NIK,
    "Email": "budi@contoh.id",
    "No HP": "081234567890",
    "Ketua": "Budi Santoso",
}


def test_the_public_never_sees_a_source_personal_column() -> None:
    store = _ods_store({**PERSONAL_COLUMNS, "Nama Ketua": "Ani Lestari", "nama ketua": "Ani L"})
    (shown,) = list(Service(store, User.public()).iter_records("koperasi"))
    lain = shown.record.atribut_lain
    assert lain["NIK"] == "317306**********"
    assert lain["Email"] == "b***@contoh.id"
    assert lain["No HP"] == "*********890"
    assert lain["Ketua"] == "B*** S******"
    assert "Ani L" not in lain["~ods_dup"]  # the value a source gave twice, not read
    text = repr(shown.record)
    assert not any(v in text for v in PERSONAL_COLUMNS.values())
    provenance = Service(store, User.public()).field_provenance("koperasi", shown.id)
    assert NIK not in repr(provenance)
    (full,) = list(Service(store, DINAS).iter_records("koperasi"))
    assert full.record.atribut_lain["NIK"] == NIK  # read_personal: unmasked


def test_a_policy_that_does_not_mask_the_kind_leaves_the_column() -> None:
    k = Koperasi(nama="KSP", atribut_lain={"NIK": NIK, "Email": "a@b.id", "pkt_tahap": "P2"})
    only_email = mask_record(k, MaskingConfig(fields=["email"]))
    assert only_email.atribut_lain == {"NIK": NIK, "Email": "***@b.id", "pkt_tahap": "P2"}
    assert mask_dict({"atribut_lain": {"No. KTP": NIK}})["atribut_lain"]["No. KTP"] == (
        "317306**********"
    )


@given(
    title=st.sampled_from(["NIK", "No KTP", "nik_pemilik", "NIK Ketua", "NIK Penduduk"]),
    nik=st.from_regex(r"\A3[1-9][0-9]{14}\Z"),
)
def test_property_a_nik_column_never_reaches_the_public(title: str, nik: str) -> None:
    store = _ods_store({title: nik})
    (shown,) = list(Service(store, User.public()).iter_records("koperasi"))
    assert nik not in repr(shown.record)


def test_ods_export_mask_hides_the_source_personal_columns(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    try:
        import_ods(store, [OdsRow(1, {"Koperasi": "KSP", **PERSONAL_COLUMNS})], resolve=False)
    finally:
        store.close()
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"x.{fmt}"
        res = CliRunner().invoke(cli, ["ods", "export", "--out", str(out), "--db", db, "--mask"])
        assert res.exit_code == 0, res.output
        text = out.read_text(encoding="utf-8")
        assert not [v for v in PERSONAL_COLUMNS.values() if v in text], fmt


# -- pkt export masks as the policy in force does ----------------------------------------


def _default_policy_data() -> dict[str, Any]:
    text = importlib.resources.files("kukm.governance").joinpath("policy_default.toml")
    return tomllib.loads(text.read_text(encoding="utf-8"))


def test_pkt_export_follows_the_stored_policy_masking(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    store = open_store(db)
    try:
        store.write_batch(
            [
                WriteOp(
                    "umkm",
                    "u1",
                    Umkm(
                        nama_usaha="Warung",
                        pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk=NIK),
                        alamat=Alamat(kode_wilayah=KEL),
                    ),
                    Provenance(SumberData.SUDIN),
                )
            ]
        )
        data = _default_policy_data()
        data["masking"]["style"] = "penuh"
        Service(store, ADMIN).store_policy(data)
    finally:
        store.close()
    out = tmp_path / "pkt.csv"
    res = CliRunner().invoke(cli, ["pkt", "export", "--out", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["nik_penduduk"] == "*" * 16  # not 317306**********: the policy says penuh
    assert row["nama_pemilik"] == "*" * len("Sri Wahyuni")
