"""``kukm ods import`` stores the koperasi's derived dimensions (``skala``) as ``kukm import`` does.

Both go through :func:`kukm.pipeline.checks.classify` (KSP/KSPPS tier, Permenkop UKM 8/2023
Pasal 49), so ``kukm report rekap --kind koperasi --by skala`` counts a cooperative the same
whichever way it came in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.integration.ods import from_ods
from kukm.integration.ods_io import OdsRow, import_ods
from kukm.model import SumberData
from kukm.pipeline import classify, run_file
from kukm.storage.base import Provenance, WriteOp

#: the tester's cooperative: Simpan Pinjam with 91 members (tier I of Permenkop UKM 8/2023)
KSP = {
    "Koperasi": "Koperasi Simpan Pinjam Sejahtera",
    "Nomor Badan Hukum Pendirian": "AHU-0001234.AH.01.26.TAHUN 2019",
    "Tanggal Badan Hukum Pendirian": "02/12/2019",
    "Bentuk Koperasi": "Primer Kabupaten/Kota",
    "Nomor Induk Koperasi (NIK)": "3173080020001",
    "Jenis Koperasi": "Simpan Pinjam",
    "Jumlah Anggota Pria": "50",
    "Jumlah Anggota Wanita": "41",
    "Total Anggota": "91",
}


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _atribut(store: MemoryStore) -> dict[str, dict[str, str | None]]:
    return {r.id: dict(r.atribut) for r in store.iter_records("koperasi")}


def test_ods_import_stores_the_skala_kukm_import_stores(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "ksp.jsonl", [KSP])
    via_import, via_ods = MemoryStore(), MemoryStore()
    run_file(path, kind="koperasi", store=via_import, workers=0, source="ods", errors_path=tmp_path / "e.csv")
    import_ods(via_ods, path, resolve=False)
    assert _atribut(via_ods) == _atribut(via_import) == {"3173080020001": {"skala": "I"}}


def test_cli_rekap_by_skala_counts_an_ods_import(tmp_path: Path) -> None:
    """The tester's report: the cooperative was under "(tidak diketahui)"; now it is tier I."""
    path = _write_jsonl(tmp_path / "ksp.jsonl", [KSP])
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    runner = CliRunner()
    done = runner.invoke(cli, ["ods", "import", str(path), "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    out = runner.invoke(
        cli, ["report", "rekap", "--kind", "koperasi", "--by", "skala", "--all-status", "--db", db, "--json"]
    )
    assert out.exit_code == 0, out.output
    counts = {row["skala"]: row["jumlah"] for row in json.loads(out.output)["rows"]}
    assert counts.get("I") == 1 and not counts.get(None)


def test_real_ods_sample_same_skala_as_kukm_import_and_idempotent(ods_sample_path: Path, tmp_path: Path) -> None:
    """The 689 real records: every Simpan Pinjam one gets a tier, each record the dimensions
    ``kukm import`` gives it, and importing the file again adds nothing."""
    via_ods = MemoryStore()
    first = import_ods(via_ods, ods_sample_path)
    assert (first.accepted, first.inserted) == (689, 689)
    again = import_ods(via_ods, ods_sample_path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 689)
    via_import = MemoryStore()
    run_file(
        ods_sample_path, kind="koperasi", store=via_import, workers=0, source="ods",
        errors_path=tmp_path / "e.csv",
    )  # fmt: skip
    got = _atribut(via_ods)
    assert got == _atribut(via_import)
    jenis = {r.id: r.record.jenis for r in via_ods.iter_records("koperasi")}  # type: ignore[union-attr]
    ksp = [i for i, j in jenis.items() if j == "Simpan Pinjam"]
    assert len(ksp) == 110
    assert all(got[i]["skala"] is not None for i in ksp)
    assert all(got[i]["skala"] is None for i in jenis if i not in ksp)


def test_a_record_stored_without_skala_gets_one_new_version(tmp_path: Path) -> None:
    """A record an older kukm stored (no dimensions) gets one version with them, then no more."""
    store = MemoryStore()
    old = from_ods(KSP, resolve=False).koperasi
    assert old.id is not None
    store.write_batch([WriteOp("koperasi", old.id, old, Provenance(SumberData.ODS))])
    assert dict(store.get("koperasi", old.id).atribut) == {}  # type: ignore[union-attr]
    first = import_ods(store, [OdsRow(1, KSP)], resolve=False)
    assert (first.inserted, first.updated, first.unchanged) == (0, 1, 0)
    assert dict(store.get("koperasi", old.id).atribut) == {"skala": "I"}  # type: ignore[union-attr]
    second = import_ods(store, [OdsRow(1, KSP)], resolve=False)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 1)


@settings(max_examples=40, deadline=None)
@given(
    jenis=st.sampled_from(["Simpan Pinjam", "Konsumen", "Produsen", "Jasa", "Pemasaran", " ", "Simpan pinjam"]),
    anggota=st.one_of(st.integers(min_value=0, max_value=20_000_000), st.none()),
)
def test_stored_dimensions_are_classify_of_the_record(jenis: str, anggota: int | None) -> None:
    """Whatever the jenis and member count, the ODS import stores ``classify`` of the record
    it stores (the same function, not a copy), and a second import changes nothing."""
    record = {**KSP, "Jenis Koperasi": jenis}
    for name in ("Jumlah Anggota Pria", "Jumlah Anggota Wanita"):
        record.pop(name)
    record["Total Anggota"] = " " if anggota is None else f"{anggota:,}"
    store = MemoryStore()
    import_ods(store, [OdsRow(1, record)], resolve=False)
    (stored,) = list(store.iter_records("koperasi"))
    assert dict(stored.atribut) == classify(stored.record)
    if jenis == "Simpan Pinjam" and anggota is not None:
        assert stored.atribut["skala"] is not None
    again = import_ods(store, [OdsRow(1, record)], resolve=False)
    assert again.unchanged == 1
