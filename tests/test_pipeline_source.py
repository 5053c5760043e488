"""Every stored row keeps a source (Kepgub D): its ``sumber_data`` cell, else ``--source``."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.model import SumberData
from kukm.pipeline import run_file
from kukm.pipeline.checks import SUMBER_DATA_KOSONG
from kukm.synthetic import KOPERASI_COLUMNS, UMKM_COLUMNS, generate_koperasi, generate_umkm


def _rows(kind: str, n: int) -> tuple[list[str], list[dict[str, str]]]:
    if kind == "umkm":
        return list(UMKM_COLUMNS), [r.data for r in generate_umkm(n, seed=8, faulty_share=0.0)]
    return list(KOPERASI_COLUMNS), [r.data for r in generate_koperasi(n, seed=8, faulty_share=0.0)]


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows([[r.get(c, "") for c in columns] for r in rows])
    return path


@settings(max_examples=12, deadline=None)
@given(
    kind=st.sampled_from(["umkm", "koperasi"]),
    blank=st.sets(st.integers(min_value=0, max_value=9)),
    source=st.sampled_from([None, SumberData.SUDIN, SumberData.DEKOPIN]),
    workers=st.sampled_from([0, 1]),
)
def test_a_blank_source_cell_is_the_default_source(
    kind: str, blank: set[int], source: SumberData | None, workers: int
) -> None:
    """Rows with a source keep theirs; blank ones take --source, and without it are rejected
    (REQUIRED_MISSING where the form requires the column, else SUMBER_DATA_KOSONG)."""
    columns, rows = _rows(kind, 10)
    own = {i: SumberData(r["sumber_data"]) for i, r in enumerate(rows)}
    for i in blank:
        rows[i]["sumber_data"] = ""
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d) / "f.csv", columns, rows)
        store = MemoryStore()
        s = run_file(path, kind=kind, store=store, source=source, workers=workers, errors_path=Path(d) / "e.csv")
    if source is None:
        assert (s.accepted, s.rejected) == (10 - len(blank), len(blank))
        if blank:
            code = "REQUIRED_MISSING" if kind == "umkm" else SUMBER_DATA_KOSONG
            assert s.by_code == {code: len(blank)} and s.by_field == {"sumber_data": len(blank)}
    else:
        assert (s.accepted, s.rejected) == (10, 0)
    stored = sorted(r.provenance.sumber for r in store.iter_records(kind))  # type: ignore[arg-type]
    want = sorted(
        own[i] if i not in blank else source for i in range(10) if i not in blank or source
    )  # type: ignore[type-var]
    assert stored == want


@pytest.mark.parametrize("kind", ["umkm", "koperasi"])
def test_a_file_without_the_source_column_takes_the_option(tmp_path: Path, kind: str) -> None:
    columns, rows = _rows(kind, 5)
    path = _write(tmp_path / "f.csv", [c for c in columns if c != "sumber_data"], rows)
    with_option = run_file(path, kind=kind, source=SumberData.KELURAHAN, errors_path=tmp_path / "e.csv")
    assert (with_option.accepted, with_option.rejected) == (5, 0)
    assert "sumber_data" not in with_option.header.missing  # type: ignore[union-attr]
    without = run_file(path, kind=kind, errors_path=tmp_path / "e2.csv")
    assert (without.accepted, without.rejected) == (0, 5)


def test_none_markers_do_not_make_rows_one_business(tmp_path: Path) -> None:
    """Rows without a NIB whose id_sumber is '-' (as sheets mark 'none') are different
    businesses: the marker is a blank cell, so each row gets its own id instead of all but the
    first being rejected as repeats; '-' in NPWP, telepon and e-mail is blank too."""
    columns, rows = _rows("umkm", 12)
    for r in rows:
        r.update(nib="", id_sumber="-", npwp="-", telepon="tidak ada", email="N/A")
    path = _write(tmp_path / "f.csv", columns, rows)
    store = MemoryStore()
    s = run_file(path, kind="umkm", store=store, errors_path=tmp_path / "e.csv", workers=0)
    assert (s.accepted, s.rejected) == (12, 0), dict(s.by_code)
    stored = list(store.iter_records("umkm"))
    assert len({r.id for r in stored}) == 12
    assert all(r.record.id_sumber is None and r.record.npwp is None for r in stored)  # type: ignore[union-attr]
