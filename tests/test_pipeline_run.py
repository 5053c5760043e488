"""The streaming pipeline's mechanics, with a tiny stand-in instrument.

The real instruments are exercised end to end in ``test_cli_import.py``; here
the instrument is a fake so that batching, row numbers, the worker pool,
duplicates and idempotency are tested on their own.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import Issue, issue, register_code
from kukm.model import Alamat, SumberData, Umkm
from kukm.pipeline import BARIS_DUPLIKAT, RowChecker, open_table, record_id, run_file
from kukm.pipeline.checks import SUMBER_DATA_KOSONG, classify
from kukm.plugins import open_store
from kukm.storage.base import VerificationStatus

FAKE = register_code("TEST_FAKE_BAD", "Nilai salah (uji).", "Bad value (test).", module=__name__)


@frozen
class _Result:
    record: Umkm | None
    issues: tuple[Issue, ...]
    sumber_data: SumberData | None


class FakeInstrument:
    """nama_usaha required; nib must be 13 digits if given; 'omzet' digits."""

    name = "fake"

    def parse_row(self, row: Mapping[str, str], *, row_number: int) -> _Result:
        found: list[Issue] = []
        if not row.get("nama_usaha"):
            found.append(issue(FAKE, "nama_usaha", "", row=row_number))
        nib = row.get("nib") or None
        if nib is not None and not (nib.isdigit() and len(nib) == 13):
            found.append(issue(FAKE, "nib", nib, row=row_number))
        omzet = row.get("omzet_tahunan") or None
        if omzet is not None and not omzet.isdigit():
            found.append(issue(FAKE, "omzet_tahunan", omzet, row=row_number))
        sumber = SumberData(row["sumber_data"]) if row.get("sumber_data") else None
        if found:
            return _Result(None, tuple(found), sumber)
        rec = Umkm(
            nama_usaha=row["nama_usaha"],
            nib=nib,
            id_sumber=row.get("id_sumber") or None,
            omzet_tahunan=int(omzet) if omzet else None,
            alamat=Alamat(kode_wilayah=row.get("kode_wilayah") or None),
        )
        return _Result(rec, (), sumber)


COLUMNS = ["id_sumber", "nama_usaha", "nib", "omzet_tahunan", "kode_wilayah", "sumber_data"]


def _good(i: int) -> list[str]:
    return [
        f"S{i}",
        f"Toko {i}",
        f"{9_000_000_000_000 + i}",
        str(1_000_000 * i),
        "31.71.01.1001",
        "sudin",
    ]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows)
    return path


def _checker() -> RowChecker:
    return RowChecker("umkm", instrument=FakeInstrument())


def test_counts_errors_file_and_idempotent_reimport(tmp_path: Path) -> None:
    rows = [_good(i) for i in range(1, 31)]
    rows[4][2] = "123"  # row 5: nib
    rows[9][1] = ""  # row 10: nama_usaha
    rows[9][3] = "1,5"  # row 10: omzet too
    rows[20] = list(rows[3])  # row 21 duplicates row 4 (same NIB)
    src = _write(tmp_path / "in.csv", rows)
    store = MemoryStore()
    errors = tmp_path / "in.errors.csv"
    s = run_file(
        src, kind="umkm", store=store, checker=_checker(), errors_path=errors, batch_size=7
    )
    assert (s.input, s.accepted, s.rejected) == (30, 27, 3)
    assert s.input == s.accepted + s.rejected
    assert (s.inserted, s.updated, s.unchanged) == (27, 0, 0)
    assert store.count("umkm") == 27
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        got = {r["_row"]: (r["_codes"], r["_fields"]) for r in csv.DictReader(fh)}
    assert got == {
        "5": (FAKE, "nib"),
        "10": (f"{FAKE};{FAKE}", "nama_usaha;omzet_tahunan"),
        "21": (BARIS_DUPLIKAT, "nib"),
    }
    again = run_file(src, kind="umkm", store=store, checker=_checker(), batch_size=7)
    assert (again.inserted, again.updated) == (0, 0)
    assert again.replayed_batches == again.batches > 0
    assert store.count("umkm") == 27


def test_fixed_errors_file_imports_and_adds_only_the_fixed_rows(tmp_path: Path) -> None:
    rows = [_good(i) for i in range(1, 6)]
    rows[1][2] = "12"
    src = _write(tmp_path / "in.csv", rows)
    store = MemoryStore()
    errors = tmp_path / "in.errors.csv"
    run_file(src, kind="umkm", store=store, checker=_checker(), errors_path=errors)
    assert store.count("umkm") == 4
    # the officer fixes the cell in the errors file and imports that file
    text = errors.read_text(encoding="utf-8-sig").replace(",12,", f",{9_000_000_000_002},")
    errors.write_text(text, encoding="utf-8-sig")
    fixed = run_file(errors, kind="umkm", store=store, checker=_checker())
    assert (fixed.input, fixed.accepted, fixed.inserted) == (1, 1, 1)
    assert store.count("umkm") == 5


def test_default_source_and_missing_source(tmp_path: Path) -> None:
    rows = [_good(1), _good(2)]
    rows[1][5] = ""
    src = _write(tmp_path / "in.csv", rows)
    s = run_file(src, kind="umkm", checker=_checker(), errors_path=tmp_path / "e.csv")
    assert s.rejected == 1 and s.by_code[SUMBER_DATA_KOSONG] == 1 and not s.stored
    store = MemoryStore()
    s2 = run_file(src, kind="umkm", store=store, checker=_checker(), source="pihak_lain")
    assert s2.rejected == 0
    stored = {r.id: r for r in store.iter_records("umkm")}
    pending = stored[record_id(Umkm(nama_usaha="x", nib=rows[1][2]), None)[0]]
    assert pending.provenance.sumber is SumberData.PIHAK_LAIN
    assert pending.status is VerificationStatus.MENUNGGU
    assert pending.provenance.id_pengiriman and pending.provenance.id_pengiriman.startswith("imp-")


def test_validate_writes_no_errors_file_when_all_rows_pass(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", [_good(1)])
    s = run_file(src, kind="umkm", checker=_checker(), errors_path=tmp_path / "e.csv")
    assert s.ok and not (tmp_path / "e.csv").exists() and s.errors_file is None


def test_worker_pool_keeps_row_numbers(tmp_path: Path) -> None:
    rows = [_good(i) for i in range(1, 401)]
    bad = {7, 150, 151, 399}
    for r in bad:
        rows[r - 1][2] = "x"
    src = _write(tmp_path / "in.csv", rows)
    errors = tmp_path / "e.csv"
    store = MemoryStore()
    s = run_file(
        src,
        kind="umkm",
        store=store,
        checker=_checker(),
        errors_path=errors,
        workers=2,
        batch_size=37,
    )
    assert s.workers == 2 and (s.accepted, s.rejected) == (396, 4)
    with open_table(errors) as t:
        assert [int(d["id_sumber"][1:]) for _, d in t] == sorted(bad)
    assert store.count("umkm") == 396


def test_record_ids_are_deterministic() -> None:
    assert record_id(Umkm(nama_usaha="A", nib="1234567890123", id_sumber="9"), "sudin")[0] == (
        "umkm-nib-1234567890123"
    )
    a = record_id(Umkm(nama_usaha="Toko", alamat=Alamat(kode_wilayah="31.71.01.1001")), None)
    b = record_id(Umkm(nama_usaha="TOKO", alamat=Alamat(kode_wilayah="31.71.01.1001")), None)
    assert a == b and a[1] is None
    from kukm.model import Koperasi

    kid, field = record_id(Koperasi(nama="K", nomor_induk_koperasi="3171100090001"), None)
    assert field == "nomor_induk_koperasi" and "3171100090001" in kid


amount = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=60_000_000_000),
    st.sampled_from([50_000_000, 50_000_001, 300_000_000, 1_000_000_000, 1_000_000_001,
                     2_000_000_000, 15_000_000_000, 50_000_000_000, 50_000_000_001]),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    modal=amount,
    kekayaan=amount,
    omzet=amount,
    tanggal=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 1, 1)),
)
def test_classify_agrees_with_the_rule(
    modal: int | None, kekayaan: int | None, omzet: int | None, tanggal: dt.date
) -> None:
    from kukm.rules.skala_umkm import klasifikasi_umkm

    u = Umkm(nama_usaha="A", modal_usaha=modal, kekayaan_bersih=kekayaan, omzet_tahunan=omzet,
             tanggal_data=tanggal)  # fmt: skip
    verdict = klasifikasi_umkm(u).skala
    assert classify(u) == {"skala": verdict.value if verdict is not None else None}


@settings(max_examples=25, deadline=None)
@given(
    flags=st.lists(st.sampled_from(["ok", "nib", "nama", "dup"]), min_size=1, max_size=40),
    batch=st.integers(min_value=1, max_value=9),
)
def test_input_equals_accepted_plus_rejected(
    tmp_path_factory: pytest.TempPathFactory, flags: list[str], batch: int
) -> None:
    rows = []
    for i, f in enumerate(flags, start=1):
        r = _good(i)
        if f == "nib":
            r[2] = "1"
        elif f == "nama":
            r[1] = ""
        elif f == "dup" and rows:
            r = list(rows[0])
        rows.append(r)
    src = _write(tmp_path_factory.mktemp("p") / "in.csv", rows)
    store = MemoryStore()
    s = run_file(src, kind="umkm", store=store, checker=_checker(), batch_size=batch)
    assert s.input == len(rows) == s.accepted + s.rejected
    assert store.count("umkm") == s.accepted == s.inserted


def test_reimport_skips_committed_chunks_but_rewrites_the_errors_file(tmp_path: Path) -> None:
    from kukm.pipeline.run import BATCH_DOCS

    rows = [_good(i) for i in range(1, 41)]
    rows[2][2] = "bad"  # row 3
    rows[30] = list(rows[5])  # row 31 duplicates row 6
    src = _write(tmp_path / "in.csv", rows)
    store = MemoryStore()
    first = run_file(
        src,
        kind="umkm",
        store=store,
        checker=_checker(),
        errors_path=tmp_path / "e1.csv",
        batch_size=8,
    )
    calls: list[int] = []

    class Counting(FakeInstrument):
        def parse_row(self, row: Mapping[str, str], *, row_number: int) -> _Result:
            calls.append(row_number)
            return super().parse_row(row, row_number=row_number)

    again = run_file(
        src, kind="umkm", store=store, checker=RowChecker("umkm", instrument=Counting()),
        errors_path=tmp_path / "e2.csv", batch_size=8,
    )  # fmt: skip
    assert sorted(calls) == [3, 31]  # only the rejected rows were checked again
    for key in ("input", "accepted", "rejected", "batches"):
        assert getattr(again, key) == getattr(first, key), key
    assert (again.inserted, again.updated, again.replayed_batches) == (0, 0, first.batches)
    e1 = (tmp_path / "e1.csv").read_text(encoding="utf-8-sig")
    assert e1 == (tmp_path / "e2.csv").read_text(encoding="utf-8-sig")
    assert BARIS_DUPLIKAT in e1

    # a crash between commit and note: no notes, so the store replays the batches instead
    class NoNotes(MemoryStore):
        def get_document(self, collection: str, key: str) -> dict[str, Any] | None:
            return None if collection == BATCH_DOCS else super().get_document(collection, key)

    store2 = NoNotes()
    run_file(src, kind="umkm", store=store2, checker=_checker(), batch_size=8)
    third = run_file(src, kind="umkm", store=store2, checker=_checker(), batch_size=8)
    assert (third.inserted, third.input, third.rejected) == (0, 40, 2)
    assert third.replayed_batches == third.batches > 0


@pytest.mark.parametrize("workers", [0, 1])
def test_ids_seen_in_an_earlier_part_make_a_repeat_a_duplicate(tmp_path: Path, workers: int) -> None:
    """``seen`` (the sheets of one workbook): a business accepted in the first part is
    BARIS_DUPLIKAT in the second, changed or not, as within one file; the store holds one
    version of it; the ids the second part accepts are added too."""
    from kukm.adapters.sqlite import SqliteStore
    from kukm.pipeline.run import SeenIds
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv

    rows = [r for r in generate_umkm(30, seed=17, faulty_share=0.0)]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(first, rows[:20], UMKM_COLUMNS)
    changed = rows[3].data | {"alamat": "Jl. Lain No. 9"}
    again = [rows[5].data, changed, *(r.data for r in rows[20:])]
    with second.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, UMKM_COLUMNS)
        w.writeheader()
        w.writerows(again)
    seen = SeenIds()
    with SqliteStore(f"sqlite:///{tmp_path / 'k.sqlite'}") as store:
        one = run_file(first, kind="umkm", store=store, workers=workers, seen=seen, batch_size=4)
        assert (one.accepted, one.rejected, len(seen)) == (20, 0, 20)
        two = run_file(
            second, kind="umkm", store=store, workers=workers, seen=seen, batch_size=4,
            errors_path=tmp_path / "e.csv",
        )  # fmt: skip
        assert (two.input, two.accepted, two.rejected) == (12, 10, 2)
        assert dict(two.by_code) == {BARIS_DUPLIKAT: 2}
        assert (two.inserted, two.updated) == (10, 0) and len(seen) == 30
        assert store.count("umkm") == 30
        with open(tmp_path / "e.csv", encoding="utf-8-sig", newline="") as fh:
            assert [r["_row"] for r in csv.DictReader(fh)] == ["1", "2"]
        # without seen, each part is its own input: the changed row is a new version
        alone = run_file(second, kind="umkm", store=store, workers=workers, batch_size=5)
        assert (alone.rejected, alone.updated) == (0, 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=300), st.integers(min_value=1, max_value=64))
def test_seen_ids_behaves_like_a_set(items: list[str], capacity: int) -> None:
    from kukm.pipeline.run import SeenIds

    seen, model = SeenIds(capacity=capacity), set()
    for x in items:
        assert seen.add(x) == (x not in model)
        model.add(x)
    assert len(seen) == len(model)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.text(max_size=4), max_size=120), max_size=6),
    st.integers(min_value=1, max_value=64),
)
def test_seen_ids_add_all_is_add_one_by_one(batches: list[list[str]], capacity: int) -> None:
    """add_all (the column road's duplicate check) reports the positions add would refuse,
    repeats within one call included, and grows the table the same way."""
    from kukm.pipeline.run import SeenIds

    seen, model = SeenIds(capacity=capacity), set()
    for batch in batches:
        expected = []
        for k, x in enumerate(batch):
            if x in model:
                expected.append(k)
            model.add(x)
        assert seen.add_all(batch) == expected
        assert len(seen) == len(model)
    assert all(not seen.add(x) for x in model)


def test_a_bulk_import_stores_the_same_as_a_row_by_row_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default instrument on synthetic rows with faults: the column-wise checks and the
    deferred indexes of a bulk load change no stored record and no rejection."""
    from kukm.adapters.sqlite import SqliteStore
    from kukm.synthetic import generate_umkm, write_csv

    path = tmp_path / "u.csv"
    write_csv(path, generate_umkm(400, seed=11, faulty_share=0.1))
    results = []
    for label, minimum in (("bulk", 1), ("plain", 10**9)):
        monkeypatch.setattr(SqliteStore, "BULK_MIN_ROWS", minimum)
        row_by_row = label == "plain"
        if row_by_row:  # the per-row road: an instrument without parse_batch
            inst = RowChecker("umkm").instrument

            class PerRow:
                name, versi = inst.name, inst.versi

                def parse_row(self, row: Mapping[str, str], *, row_number: int, _i: Any = inst) -> Any:
                    return _i.parse_row(row, row_number=row_number)

            checker = RowChecker("umkm", instrument=PerRow())
        else:
            checker = None
        with SqliteStore(f"sqlite:///{tmp_path}/{label}.sqlite") as store:
            s = run_file(path, kind="umkm", store=store, checker=checker, errors_path=tmp_path / f"{label}.csv")
            stored = sorted((r.id, r.record, r.atribut) for r in store.iter_records("umkm"))
            names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "records_nib" in names
        results.append((s.accepted, s.rejected, dict(s.by_code), stored, (tmp_path / f"{label}.csv").read_text()))
    assert results[0] == results[1]
    assert results[0][1] > 0


def test_pool_workers_preparing_ops_store_what_the_writer_alone_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """workers=2, and the default (one worker for a large file on 2+ CPUs), into a SQLite
    store: the workers serialise and hash (write_prepared); the records, versions, provenance,
    summary, errors file and re-import all match workers=0."""
    import kukm.pipeline.run as run_module
    from kukm.adapters.sqlite import SqliteStore
    from kukm.synthetic import generate_umkm, write_csv

    path = tmp_path / "u.csv"
    rows = list(generate_umkm(300, seed=5, faulty_share=0.1))
    rows += rows[:7]  # the same businesses again: rejected as duplicates of earlier rows
    write_csv(path, rows)
    # this small file counts as large, on a 2-CPU machine, for the default's sake
    monkeypatch.setattr(run_module, "AUTO_WORKER_BYTES", path.stat().st_size)
    monkeypatch.setattr(run_module.os, "cpu_count", lambda: 2)
    seen = []
    for workers in (0, 2, None):
        with SqliteStore(f"sqlite:///{tmp_path}/w{workers}.sqlite") as store:
            s = run_file(
                path, kind="umkm", store=store, workers=workers, batch_size=64,
                petugas="op-1", errors_path=tmp_path / f"e{workers}.csv",
            )  # fmt: skip
            assert s.workers == (1 if workers is None else workers)
            again = run_file(path, kind="umkm", store=store, workers=workers, batch_size=64)
            stored = sorted(
                (r.id, r.version, r.record, r.atribut, r.status, r.valid_from,
                 r.provenance.sumber, r.provenance.petugas, r.provenance.id_pengiriman)
                for r in store.iter_records("umkm")
            )  # fmt: skip
        seen.append(
            (s.input, s.accepted, s.rejected, s.inserted, dict(s.by_code), stored,
             (tmp_path / f"e{workers}.csv").read_text(), again.inserted, again.accepted)
        )  # fmt: skip
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][4].get(BARIS_DUPLIKAT, 0) >= 1 and seen[0][7] == 0


def test_default_workers_one_only_for_a_large_file_on_two_cpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool is used unasked only where it pays: an import (not a validation) of a file of
    AUTO_WORKER_BYTES or more, 2+ CPUs, and no checker of the caller's (which a spawned worker
    could not rebuild)."""
    import kukm.pipeline.run as run_module
    from kukm.pipeline.run import AUTO_WORKER_BYTES, default_workers

    big = tmp_path / "big.csv"
    big.write_bytes(b"nama_usaha\n" + (b"x" * 1023 + b"\n") * (AUTO_WORKER_BYTES // 1024))
    small = tmp_path / "small.csv"
    small.write_bytes(b"nama_usaha\nx\n")
    monkeypatch.setattr(run_module, "_start_method", lambda: "fork")
    assert [default_workers(big, cpus=c) for c in (1, 2, 8)] == [0, 1, 1]
    assert default_workers(small, cpus=8) == 0
    assert default_workers(tmp_path / "absent.csv", cpus=8) == 0
    # where processes are not forked the calling program must be guarded: only when told
    monkeypatch.setattr(run_module, "_start_method", lambda: "spawn")
    assert default_workers(big, cpus=2) == 0
    assert default_workers(big, cpus=2, any_start_method=True) == 1
    # a daemonic process (a pool's worker) may not start one
    import multiprocessing

    class Daemonic:
        daemon = True

    with monkeypatch.context() as m:
        m.setattr(multiprocessing, "current_process", lambda: Daemonic())
        assert default_workers(big, cpus=2, any_start_method=True) == 0
    monkeypatch.setattr(run_module, "_start_method", lambda: "fork")
    monkeypatch.setattr(run_module.os, "cpu_count", lambda: 2)
    assert run_file(small, kind="umkm", checker=RowChecker("umkm", instrument=FakeInstrument())).workers == 0
    store = MemoryStore()
    given_checker = run_file(
        big, kind="umkm", store=store, checker=RowChecker("umkm", instrument=FakeInstrument())
    )
    assert given_checker.workers == 0 and given_checker.input == AUTO_WORKER_BYTES // 1024
    # a validation (no store) stays in this process too
    monkeypatch.setattr(run_module, "AUTO_WORKER_BYTES", small.stat().st_size)
    assert run_file(small, kind="umkm").workers == 0
    assert run_file(small, kind="umkm", store=MemoryStore()).workers == 1


def test_validate_without_records_reports_what_the_record_road_reports(tmp_path: Path) -> None:
    from kukm.synthetic import generate_umkm, write_csv

    path = tmp_path / "u.csv"
    rows = list(generate_umkm(300, seed=9, faulty_share=0.1))
    write_csv(path, rows + rows[:5])
    inst = RowChecker("umkm").instrument

    class PerRow:
        name, versi = inst.name, inst.versi

        def parse_row(self, row: Mapping[str, str], *, row_number: int) -> Any:
            return inst.parse_row(row, row_number=row_number)

    got = []
    for checker in (None, RowChecker("umkm", instrument=PerRow())):
        s = run_file(path, kind="umkm", checker=checker, errors_path=tmp_path / "e.csv")
        got.append((s.input, s.accepted, s.rejected, dict(s.by_code), (tmp_path / "e.csv").read_text()))
    assert got[0] == got[1]
    assert got[0][3].get(BARIS_DUPLIKAT, 0) >= 1


def test_a_reader_process_that_dies_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """workers=1: when the reader process ends without a word (killed, out of memory), the
    import stops with an error naming its exit code; nothing of a later batch is written."""
    import multiprocessing
    import os

    import kukm.pipeline.run as run_module

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the stand-in reader is patched into this process; it needs fork")

    def dies(queue: Any, *args: Any) -> None:
        os._exit(3)

    monkeypatch.setattr(run_module, "_reader_main", dies)
    path = tmp_path / "u.csv"
    path.write_text("nama_usaha,nib\nToko A,9120001234567\n", encoding="utf-8")
    store = MemoryStore()
    with pytest.raises(RuntimeError, match="exit code 3"):
        run_file(path, kind="umkm", store=store, checker=_checker(), workers=1)
    assert list(store.iter_records("umkm")) == []


@pytest.mark.parametrize("workers", [0, 1])
def test_reimporting_an_xlsx_replays_every_batch(tmp_path: Path, workers: int) -> None:
    """Importing the same workbook again replays every batch and adds nothing, in this
    process and with the reader process alike (the reader gets the committed batches' notes
    before it starts)."""
    from openpyxl import Workbook

    from kukm.adapters.sqlite import SqliteStore
    from kukm.synthetic import generate_umkm

    rows = list(generate_umkm(300, seed=9, faulty_share=0.1))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(rows[0].data))
    for r in rows:
        ws.append(list(r.data.values()))
    path = tmp_path / "u.xlsx"
    wb.save(path)
    with SqliteStore(f"sqlite:///{tmp_path}/x.sqlite") as store:
        first = run_file(path, kind="umkm", store=store, workers=workers, batch_size=2)
        again = run_file(path, kind="umkm", store=store, workers=workers, batch_size=2)
    assert first.batches > 100 and first.inserted == first.accepted > 0
    assert again.replayed_batches == again.batches == first.batches  # every chunk, none read anew
    assert (again.inserted, again.accepted, again.rejected) == (0, first.accepted, first.rejected)


def test_every_chunk_is_a_batch_even_one_with_no_accepted_row(tmp_path: Path) -> None:
    rows = [_good(i) for i in range(1, 13)]
    for k in range(5, 10):  # the second chunk of five: every row rejected
        rows[k][1] = ""
    src = _write(tmp_path / "in.csv", rows)
    store = MemoryStore()
    first = run_file(src, kind="umkm", store=store, checker=_checker(), batch_size=5)
    again = run_file(src, kind="umkm", store=store, checker=_checker(), batch_size=5)
    assert (first.accepted, first.rejected) == (7, 5)
    assert first.batches == again.batches == again.replayed_batches == 3
    checked = run_file(src, kind="umkm", store=None, checker=_checker(), batch_size=5)
    assert checked.batches == 0  # validation records nothing


@settings(max_examples=8, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=11)))
def test_a_nik_in_a_number_cell_rejects_its_row_and_only_its_row(numeric: set[int]) -> None:
    """A NIK written as a number cell (Excel has kept only 15 of its digits) rejects the row
    with SEL_ANGKA_PANJANG on the NIK column, whatever the rest of the row; the same NIK as text
    is stored; a long number in a column the form ignores rejects nothing."""
    import tempfile

    from openpyxl import Workbook

    from kukm.pipeline.readers import SEL_ANGKA_PANJANG
    from kukm.synthetic import generate_umkm

    rows = [r.data for r in generate_umkm(12, seed=3, faulty_share=0.0)]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*rows[0], "no_kk"])
    for i, r in enumerate(rows):
        cells: list[Any] = list(r.values())
        if i in numeric:
            cells[list(r).index("nik_pemilik")] = int(r["nik_pemilik"])
        ws.append([*cells, 3171010101010001])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "u.xlsx"
        wb.save(path)
        store = MemoryStore()
        summary = run_file(path, kind="umkm", store=store, workers=0, errors_path=Path(d) / "e.csv")
        errors_file = Path(d) / "e.csv"
        assert errors_file.exists() == bool(numeric)  # no errors file when every row is good
        errors = []
        if numeric:
            with open(errors_file, encoding="utf-8-sig", newline="") as fh:
                errors = list(csv.DictReader(fh))
    assert summary.rejected == len(numeric) and summary.accepted == 12 - len(numeric)
    assert sorted(int(e["_row"]) - 1 for e in errors) == sorted(numeric)
    assert all((e["_codes"], e["_fields"]) == (SEL_ANGKA_PANJANG, "nik_pemilik") for e in errors)


from hypothesis import given as _given  # noqa: E402
from hypothesis import settings as _settings  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402


@_settings(max_examples=25, deadline=None)
@_given(
    label=_st.sampled_from(["Jumlah", "Total", "Jml.", "Grand Total", "Sub Total", "Total Keseluruhan"]),
    case=_st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    colon=_st.sampled_from(["", ":", " :"]),
    at=_st.sampled_from(["nama_usaha", "id_sumber", "alamat"]),
    numbers=_st.lists(_st.sampled_from(["omzet_tahunan", "modal_usaha", "tenaga_kerja"]), unique=True),
)
def test_a_total_row_is_rejected_as_such(
    tmp_path_factory: pytest.TempPathFactory, label: str, case: Any, colon: str, at: str, numbers: list[str]
) -> None:
    """A sheet's total row (its only text 'JUMLAH', 'Total:' …, the rest blank or numbers) is
    rejected once, BARIS_JUMLAH on the label's column, not for every blank required field; a
    row of a business named 'Jumlah Jaya' is not one."""
    from kukm.pipeline.checks import BARIS_JUMLAH
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv

    path = tmp_path_factory.mktemp("total") / "u.csv"
    write_csv(path, generate_umkm(6, seed=3, faulty_share=0.0), UMKM_COLUMNS)
    total = dict.fromkeys(UMKM_COLUMNS, "")
    total[at] = case(label) + colon
    for i, name in enumerate(numbers):
        total[name] = ["Rp 1.234.000", "12", "3.500.000"][i]
    other = {**total, at: "Jumlah Jaya"}
    with path.open("a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([total[c] for c in UMKM_COLUMNS])
        w.writerow([other[c] for c in UMKM_COLUMNS])
    s = run_file(path, kind="umkm")
    assert (s.input, s.accepted, s.rejected) == (8, 6, 2)
    assert s.by_code[BARIS_JUMLAH] == 1 and s.by_field[at] >= 1
    assert s.by_code["REQUIRED_MISSING"] >= 5  # the 'Jumlah Jaya' row, field by field


@pytest.mark.parametrize("workers", [0, 1])
def test_warnings_are_counted_by_code(tmp_path: Path, workers: int) -> None:
    """The summary says which warnings the rows raised (an officer saw 'warnings: 6' and no
    more), and they add up to the count, in the reader process too."""
    head = "nama,nomor_badan_hukum,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data\n"
    rows = [
        "Koperasi A,796/BH/XII/2005,2005-12-01,Primer,Konsumen,31.71.01.1001,dekopin",
        "Koperasi B,797/BH/XII/2005,2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin",
        "Koperasi C,798/BH/XII/2005,2005-12-01,Grade A,Lain Lain,31.71.01.1001,dekopin",
    ]
    src = tmp_path / "k.csv"
    src.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    from kukm.adapters.sqlite import SqliteStore

    with SqliteStore(f"sqlite:///{tmp_path / 'k.sqlite'}") as store:
        got = run_file(src, kind="koperasi", store=store, workers=workers, batch_size=2)
    assert got.accepted == 3 and got.warnings >= 3
    assert sum(got.warnings_by_code.values()) == got.warnings
    assert got.warnings_by_code["VOCAB_UNKNOWN"] >= 3
    assert got.as_dict()["warnings_by_code"] == dict(got.warnings_by_code.most_common())


def test_business_numbers_of_two_kelurahan_offices_are_two_businesses(tmp_path: Path) -> None:
    """Kelurahan offices number their own businesses (id_sumber 1, 2, …): business 1 of one
    kelurahan is not business 1 of another (the second replaced the first as its new version);
    the same office sending its business 1 again is still that business."""
    from kukm.adapters.sqlite import SqliteStore
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    a, b = (dict(r.data) for r in generate_umkm(2, seed=91, faulty_share=0.0))
    for r, code in ((a, "31.71.07.1004"), (b, "31.74.08.1002")):
        r.update(nib="", id_sumber="1", sumber_data="kelurahan", kode_wilayah=code)
    moved = dict(a, alamat="Jl. Baru No. 2")
    paths = []
    for name, r in (("a", a), ("b", b), ("a2", moved)):
        p = tmp_path / f"{name}.csv"
        with p.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, UMKM_COLUMNS)
            w.writeheader()
            w.writerow({c: r.get(c, "") for c in UMKM_COLUMNS})
        paths.append(p)
    with SqliteStore(f"sqlite:///{tmp_path / 'k.sqlite'}") as store:
        got = [run_file(p, kind="umkm", store=store) for p in paths]
        assert [(g.inserted, g.updated) for g in got] == [(1, 0), (1, 0), (0, 1)]
        assert store.count("umkm") == 2
        assert store.get("umkm", "umkm-src-kelurahan-31.71.07.1004-1") is not None


def test_a_second_import_reports_the_warnings_of_the_first(tmp_path: Path) -> None:
    """The chunks a re-import replays are not checked again but for their rejected rows: it
    reported the warnings of those rows only (0 of the 3 rows' unknown ``jenis`` here), as if
    the file had become cleaner. The batch note keeps its chunk's warnings."""
    head = "nama,nomor_badan_hukum,tanggal_badan_hukum,bentuk,jenis,kode_wilayah,sumber_data\n"
    rows = "".join(
        f"Koperasi {i},{i}/BH/XII/2005,2005-12-01,Primer Kab/Kota,Jenis Baru {i},31.71.01.1001,dekopin\n"
        for i in range(1, 4)
    )
    src = tmp_path / "k.csv"
    src.write_text(head + rows + "Tanpa BH,,2005-12-01,Primer Kab/Kota,Konsumen,31.71.01.1001,dekopin\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    try:
        first = run_file(src, kind="koperasi", store=store, batch_size=2)
        again = run_file(src, kind="koperasi", store=store, batch_size=2)
    finally:
        store.close()
    assert first.warnings >= 3 and (first.accepted, first.rejected) == (3, 1)
    assert again.inserted == 0 and again.replayed_batches == 2
    assert (again.warnings, again.warnings_by_code) == (first.warnings, first.warnings_by_code)
