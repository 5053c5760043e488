"""The store's own ODS export round-trips: import adds nothing, a real change adds one version.

Records entered in kukm (not read from the ODS) carry a Kemendagri code without region
names, finances and ``tanggal_data`` the ODS layout does not hold, and may be kept under
``BH:<badan hukum>`` because they had no NIK Koperasi when first stored.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.integration.ods import to_ods
from kukm.integration.ods_io import OdsRow, export_ods, import_ods, iter_store_ods
from kukm.integration.sync import (
    ConflictRule,
    PullPage,
    PushAck,
    RemoteChange,
    agreed_hashes,
    sync,
)
from kukm.model import Alamat, Keuangan, Koperasi, SumberData
from kukm.pipeline.checks import classify
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, WriteOp

BH_ID = "BH:1067/BH/XII.5/1997"
NIK_OF_BH = "3175100070001"
NIK_ID = "3171010010001"


def _koperasi(nama: str, bh: str, nik: str | None, kode: str, aset: int) -> Koperasi:
    return Koperasi(
        nama=nama,
        nomor_badan_hukum=bh,
        alamat=Alamat(jalan="Jl. Swadaya No. 1", kode_wilayah=kode, kode_pos="13840"),
        jenis="Konsumen",
        total_anggota=120,
        nomor_induk_koperasi=nik,
        grade="D",
        keuangan=Keuangan(modal_sendiri=aset // 2, aset=aset, volume_usaha=aset // 3),
        tanggal_data=dt.date(2024, 6, 22),
    )


def _seed(store: Store) -> None:
    """As ``kukm demo`` leaves a store: one koperasi first stored without a NIK Koperasi
    (id ``BH:…``) that later got its NIK written back, and one stored under its NIK."""
    prov = Provenance(sumber=SumberData.BIDANG_KOPERASI)

    def op(id: str, k: Koperasi) -> WriteOp:
        return WriteOp(kind="koperasi", id=id, record=k, provenance=prov, atribut=classify(k))

    first = _koperasi("Koperasi Lestari", "1067/BH/XII.5/1997", None, "31.75.10.1007", 900)
    store.write_batch([op(BH_ID, first)])
    with_nik = _koperasi("Koperasi Lestari", "1067/BH/XII.5/1997", NIK_OF_BH, "31.75.10.1007", 900)
    other = _koperasi("Koperasi Gambir", "12/BH/I/2001", NIK_ID, "31.71.01.1001", 500)
    store.write_batch([op(BH_ID, with_nik), op(NIK_ID, other)])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'kukm.sqlite'}")
    _seed(s)
    yield s
    s.close()


def _export(store: Store) -> list[dict[str, Any]]:
    out = io.StringIO()
    export_ods(store, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _rows(records: Sequence[dict[str, Any]]) -> list[OdsRow]:
    return [OdsRow(i, r) for i, r in enumerate(records, start=1)]


def _versions(store: Store) -> dict[str, int]:
    return {s.id: len(store.history("koperasi", s.id)) for s in store.iter_records("koperasi")}


def test_export_names_the_region_of_the_code(store: Store) -> None:
    by_nik = {r["Nomor Induk Koperasi (NIK)"]: r for r in _export(store)}
    gambir = by_nik[NIK_ID]
    assert (gambir["Kelurahan / Desa"], gambir["Kecamatan"]) == ("Gambir", "Gambir")
    assert gambir["Kabupaten"] == "Kota Administrasi Jakarta Pusat"
    assert gambir["Provinsi"] == "Daerah Khusus Ibukota Jakarta"
    assert by_nik[NIK_OF_BH]["Kelurahan / Desa"] == "Lubang Buaya"
    # the names come from the code at export time; the record itself is not changed
    stored = store.get("koperasi", NIK_ID)
    assert stored is not None and isinstance(stored.record, Koperasi)
    assert stored.record.alamat.kelurahan_nama is None


def test_import_of_own_export_changes_nothing(store: Store) -> None:
    before = _versions(store)
    report = import_ods(store, _rows(_export(store)))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
    assert _versions(store) == before
    assert store.get("koperasi", NIK_OF_BH) is None  # no second record for the BH-keyed one


def test_import_of_an_export_without_region_names_keeps_the_code(store: Store) -> None:
    """An export written before the names were filled in (blank region fields)."""
    blank = {"Kelurahan / Desa": " ", "Kecamatan": " ", "Kabupaten": " ", "Provinsi": " "}
    records = [r | blank for r in _export(store)]
    before = _versions(store)
    report = import_ods(store, _rows(records))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
    assert _versions(store) == before
    stored = store.get("koperasi", NIK_ID)
    assert stored is not None and isinstance(stored.record, Koperasi)
    assert stored.record.alamat.kode_wilayah == "31.71.01.1001"


def test_one_changed_field_gives_one_version_keeping_the_rest(store: Store) -> None:
    records = _export(store)
    for r in records:
        if r["Nomor Induk Koperasi (NIK)"] == NIK_OF_BH:
            r["Status Grade"] = "A"
    old = store.get("koperasi", BH_ID)
    assert old is not None and isinstance(old.record, Koperasi)
    report = import_ods(store, _rows(records))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    new = store.get("koperasi", BH_ID)
    assert new is not None and isinstance(new.record, Koperasi)
    assert new.record.grade == "A"
    assert new.record.keuangan == old.record.keuangan
    assert new.record.tanggal_data == dt.date(2024, 6, 22)
    assert new.record.alamat == old.record.alamat  # code, post code, no names written in
    assert new.record.id == old.record.id


def test_a_changed_address_that_does_not_resolve_keeps_the_code(store: Store) -> None:
    records = _export(store)
    for r in records:
        if r["Nomor Induk Koperasi (NIK)"] == NIK_ID:
            r["Alamat"] = "Jl. Baru No. 2"
            r["Kelurahan / Desa"] = "Tidak Ada Namanya"
    report = import_ods(store, _rows(records))
    assert (report.inserted, report.updated) == (0, 1)
    stored = store.get("koperasi", NIK_ID)
    assert stored is not None and isinstance(stored.record, Koperasi)
    alamat = stored.record.alamat
    assert (alamat.jalan, alamat.kelurahan_nama) == ("Jl. Baru No. 2", "Tidak Ada Namanya")
    assert alamat.kode_wilayah is not None and alamat.kode_wilayah.startswith("31.71.01")
    assert alamat.kode_pos == "13840"
    assert stored.record.keuangan is not None and stored.record.keuangan.aset == 500


def test_cli_export_then_import_reports_all_unchanged(store: Store, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    snap = tmp_path / "snap.jsonl"
    runner = CliRunner()
    assert runner.invoke(cli, ["ods", "export", "--db", url, "--out", str(snap)]).exit_code == 0
    result = runner.invoke(cli, ["ods", "import", str(snap), "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["inserted"], data["updated"], data["unchanged"]) == (0, 0, 2)


def test_diff_of_own_export_finds_every_record_the_same(store: Store, tmp_path: Path) -> None:
    """ods diff of the store's own export: every record the same, exit 0 (the BH-keyed
    koperasi that has its NIK Koperasi now was 'new' under its NIK and 'missing' under BH)."""
    url = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    snap = tmp_path / "snap.jsonl"
    runner = CliRunner()
    assert runner.invoke(cli, ["ods", "export", "--db", url, "--out", str(snap)]).exit_code == 0
    result = runner.invoke(cli, ["ods", "diff", str(snap), "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (len(data["new"]), len(data["missing_in_snapshot"]), len(data["changed"]), data["same"]) == (0, 0, 0, 2)


class _Remote:
    """In-process partner keying every record by its NIK Koperasi, as the ministry does."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.data = {r["Nomor Induk Koperasi (NIK)"]: r for r in records}
        self.pushed: list[str] = []

    def pull(self, since: str | None, *, limit: int) -> PullPage:
        if since:
            return PullPage((), since)
        return PullPage(tuple(RemoteChange(k, v, "1") for k, v in self.data.items()), "1")

    def push(self, changes: Sequence[RemoteChange], *, idempotency_key: str) -> list[PushAck]:
        self.pushed += [c.id for c in changes]
        self.data.update({c.id: dict(c.record) for c in changes})
        return [PushAck(c.id) for c in changes]


def test_sync_matches_a_badan_hukum_keyed_record_by_its_nik(store: Store) -> None:
    records = [dict(r) for r in iter_store_ods(store)]
    for r in records:
        if r["Nomor Induk Koperasi (NIK)"] == NIK_OF_BH:
            r["Status Grade"] = "B"
    remote = _Remote(records)
    before = _versions(store)
    report = sync(store, remote, rule=ConflictRule(default="remote"))
    assert store.get("koperasi", NIK_OF_BH) is None
    assert report.applied == 1 and remote.pushed == []
    assert _versions(store) == before | {BH_ID: before[BH_ID] + 1}
    current = store.get("koperasi", BH_ID)
    assert current is not None and isinstance(current.record, Koperasi)
    assert current.record.grade == "B"
    assert current.record.keuangan is not None and current.record.keuangan.aset == 900
    assert agreed_hashes(store).keys() == {BH_ID, NIK_ID}
    again = sync(store, remote, rule=ConflictRule(default="remote"))
    assert again.transferred == 0
    assert to_ods(current.record)["Status Grade"] == "B"


_issued_values = st.one_of(st.none(), st.just(""), st.sampled_from(["Sudah", "Belum"]))


@given(
    inc_nik=st.sampled_from([None, "", "3173010010001", "3173010010002"]),
    cur_nik=st.sampled_from([None, "3173010010001"]),
    inc_status=_issued_values,
    cur_status=_issued_values,
    inc_end=st.one_of(st.none(), st.dates()),
    cur_end=st.one_of(st.none(), st.dates()),
    grade=st.sampled_from([None, "A", "B"]),
    inc_bh=st.sampled_from([None, "", "2/BH"]),
)
def test_keep_issued_fills_only_the_blanks_of_the_same_number(
    inc_nik: str | None, cur_nik: str | None, inc_status: str | None, cur_status: str | None,
    inc_end: dt.date | None, cur_end: dt.date | None, grade: str | None, inc_bh: str | None,
) -> None:  # fmt: skip
    """Property: every field but the issued ones is the incoming row's; an issued field is the
    incoming value unless it is blank and the stored record holds a number the row does not
    contradict, then the stored value."""
    from kukm.integration.ods import ISSUED_FIELDS, keep_issued

    inc = Koperasi(nama="X", grade=grade, nomor_induk_koperasi=inc_nik, status_nik=inc_status,
                   tanggal_berlaku_sertifikat=inc_end, nomor_badan_hukum=inc_bh)  # fmt: skip
    cur = Koperasi(nama="Y", grade="C", nomor_induk_koperasi=cur_nik, status_nik=cur_status,
                   tanggal_berlaku_sertifikat=cur_end, nomor_badan_hukum="1/BH")  # fmt: skip
    out = keep_issued(inc, cur)
    assert (out.nama, out.grade) == ("X", grade)
    assert out.nomor_badan_hukum == (inc_bh or "1/BH")
    same = bool(cur_nik) and (inc_nik or cur_nik) == cur_nik
    for name in ISSUED_FIELDS:
        mine, stored = getattr(inc, name), getattr(cur, name)
        expect = stored if same and mine in (None, "") and stored not in (None, "") else mine
        assert getattr(out, name) == expect, name
