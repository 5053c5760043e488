"""Rekapitulasi, period comparison, yearly report, renderers and ``kukm report``."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import ConfigurationError, IntegrityError
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.plugins import get_plugins, open_store
from kukm.reports import bandingkan, laporan_tahunan, rekap, render_report, write_report
from kukm.reports.labels import TIDAK_DIKETAHUI
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

KAB = ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]
SKALA = ["mikro", "kecil", "menengah", "besar"]


def _umkm(
    i: int, kab: str | None, skala: str | None, sumber: SumberData, year: int = 2025
) -> WriteOp:
    kode = f"{kab}.01.1001" if kab else None
    return WriteOp(
        "umkm",
        f"u{i}",
        Umkm(nama_usaha=f"U{i}", alamat=Alamat(kode_wilayah=kode)),
        Provenance(sumber),
        valid_from=dt.date(year, 6, 1),
        atribut={"skala": skala},
    )


row_spec = st.tuples(
    st.sampled_from([*KAB, None]),
    st.sampled_from([*SKALA, None]),
    st.sampled_from([SumberData.SUDIN, SumberData.PIHAK_LAIN, SumberData.KELURAHAN]),
    st.integers(min_value=2021, max_value=2025),
)


def _store(specs: Sequence[tuple[Any, ...]]) -> MemoryStore:
    s = MemoryStore()
    if specs:
        s.write_batch([_umkm(i, *spec) for i, spec in enumerate(specs)])
    return s


@settings(max_examples=30, deadline=None)
@given(
    st.lists(row_spec, max_size=40),
    st.sampled_from([["kab_kota"], ["skala"], ["kab_kota", "skala"], ["status"], ["sumber_data"]]),
)
def test_every_table_reconciles(specs: list[tuple[Any, ...]], by: list[str]) -> None:
    store = _store(specs)
    r = rekap(store, "umkm", by)
    assert sum(row.jumlah for row in r.rows) == r.total
    official = sum(1 for s in specs if s[2] is not SumberData.PIHAK_LAIN)
    assert r.total == (len(specs) if by == ["status"] else official)
    if by == ["kab_kota"]:
        assert [row.kunci[0] for row in r.rows] == [*KAB, None]  # zeros and unknown shown
        unknown = sum(1 for s in specs if s[0] is None and s[2] is not SumberData.PIHAK_LAIN)
        assert r.rows[-1].label == (TIDAK_DIKETAHUI,) and r.rows[-1].jumlah == unknown
    d = r.as_dict()
    assert d["total"] == r.total and len(d["rows"]) == len(r.rows)


def test_status_rows_and_all_status() -> None:
    store = _store(
        [
            ("31.71", "mikro", SumberData.SUDIN, 2025),
            ("31.71", "kecil", SumberData.PIHAK_LAIN, 2025),
        ]
    )
    by_status = {row.kunci[0]: row.jumlah for row in rekap(store, "umkm", ["status"]).rows}
    assert by_status == {"terverifikasi": 1, "menunggu_verifikasi": 1, "ditolak": 0, None: 0}
    assert rekap(store, "umkm", ["skala"], status=None).total == 2
    store.set_status("umkm", "u1", VerificationStatus.TERVERIFIKASI, petugas="dinas-1")
    assert rekap(store, "umkm", ["skala"]).total == 2


def test_unknown_field_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        rekap(MemoryStore(), "umkm", ["warna"])


class _LyingStore(MemoryStore):
    def count(self, *a: Any, **k: Any) -> int:
        return super().count(*a, **k) + 1


def test_mismatch_is_never_papered_over() -> None:
    s = _LyingStore()
    s.write_batch([_umkm(1, "31.71", "mikro", SumberData.SUDIN)])
    with pytest.raises(IntegrityError):
        rekap(s, "umkm", ["kab_kota"])


def test_koperasi_jenis_uses_ods_wording() -> None:
    s = MemoryStore()
    ops = [
        WriteOp(
            "koperasi", f"k{i}", Koperasi(nama=f"K{i}", jenis=j), Provenance(SumberData.DEKOPIN)
        )
        for i, j in enumerate(["Simpan Pinjam", "Konsumen", "Konsumen", None, "Lainnya"])
    ]
    s.write_batch(ops)
    rows = {row.kunci[0]: row.jumlah for row in rekap(s, "koperasi", ["jenis"]).rows}
    assert rows["Konsumen"] == 2 and rows["Simpan Pinjam"] == 1 and rows["Jasa"] == 0
    assert rows["Lainnya"] == 1 and rows[None] == 1


def test_period_comparison() -> None:
    specs = [("31.71", "mikro", SumberData.SUDIN, 2024), ("31.71", "mikro", SumberData.SUDIN, 2025),
             ("31.75", None, SumberData.SUDIN, 2025), (None, None, SumberData.SUDIN, 2023),
             ("31.75", None, SumberData.PIHAK_LAIN, 2025)]  # fmt: skip
    p = bandingkan(_store(specs), "umkm", "kab_kota", 2024, 2025)
    rows = {r.kode: (r.a, r.b, r.selisih) for r in p.rows}
    assert rows["31.71"] == (1, 2, 1) and rows["31.75"] == (0, 1, 1) and rows[None] == (1, 1, 0)
    assert (p.total_a, p.total_b) == (2, 4)
    t = p.tabel()
    assert t.total is not None and t.total[2:5] == (2, 4, 2)


SVG_ITEM = re.compile(
    r'<(?:rect class="bar"|circle class="point")[^>]*data-label="([^"]*)" data-value="([^"]*)"'
)


def _check_html_charts_agree_with_tables(html: str) -> int:
    """Every SVG chart's (label, value) pairs equal a column of the table in its section."""
    import html as htmllib

    checked = 0
    for section in re.findall(r"<section.*?</section>", html, flags=re.S):
        svg = re.search(r"<svg.*?</svg>", section, flags=re.S)
        if not svg:
            continue
        points = [(htmllib.unescape(lbl), float(v)) for lbl, v in SVG_ITEM.findall(svg.group(0))]
        body = re.search(r"<tbody>(.*?)</tbody>", section, flags=re.S)
        assert body is not None
        cells = [
            [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1))
        ]
        assert len(cells) == len(points)

        def num(text: str) -> float | None:
            t = text.replace(".", "").replace(",", ".")
            try:
                return float(t)
            except ValueError:
                return None

        pairs = {
            (li, vi)
            for li in range(len(cells[0]))
            for vi in range(len(cells[0]))
            if all(c[li] == p[0] and num(c[vi]) == p[1] for c, p in zip(cells, points, strict=True))
        }
        assert pairs, f"chart disagrees with its table: {points} vs {cells}"
        checked += 1
    return checked


def test_renderers_all_formats_and_svg_agrees(tmp_path: Path) -> None:
    specs = [
        (k, s, SumberData.SUDIN, 2021 + i % 5)
        for i, (k, s) in enumerate(zip(KAB * 3, SKALA * 5, strict=False))
    ]
    store = _store(specs)
    r = rekap(store, "umkm", ["skala"])
    formats = {x.format for x in get_plugins().renderers() if x.target == "report"}
    assert {"html", "pdf", "xlsx", "csv", "json"} <= formats
    html = render_report(r, "html").decode()
    assert "<script" not in html and _check_html_charts_agree_with_tables(html) == 1
    data = json.loads(render_report(r, "json"))
    assert data["total"] == r.total and data["rows"][0]["skala"] == "mikro"
    csv_text = render_report(r, "csv").decode()
    assert csv_text.splitlines()[-1].split(",")[-2] == str(r.total)
    assert render_report(r, "pdf").startswith(b"%PDF")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render_report(r, "xlsx")))
    ws = wb.worksheets[1]
    values = [row for row in ws.iter_rows(values_only=True)]
    assert values[1][:3] == ("Kode skala usaha", "Skala usaha", "Jumlah")
    assert values[2][2] == r.rows[0].jumlah

    lap = laporan_tahunan(store, 2025)
    html = render_report(lap, "html").decode()
    assert _check_html_charts_agree_with_tables(html) >= 8
    assert "Gubernur" in html and "Tembusan" in html and 'class="chart line-chart"' in html
    for ext in ("pdf", "xlsx"):
        assert write_report(lap, tmp_path / f"lap.{ext}").stat().st_size > 1000
    assert json.loads(render_report(lap, "json"))["tahun"] == 2025


def test_cli_report_rekap_and_tahunan(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    store.write_batch([_umkm(i, k, "mikro", SumberData.SUDIN) for i, k in enumerate(KAB)])
    store.close()
    runner = CliRunner()
    res = runner.invoke(cli, ["report", "rekap", "--by", "kab_kota,skala", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["total"] == 6 and sum(r["jumlah"] for r in data["rows"]) == 6
    res = runner.invoke(cli, ["report", "rekap", "--by", "kab_kota", "--db", db])
    assert res.exit_code == 0 and "Kota Administrasi Jakarta Pusat" in res.output
    out = tmp_path / "r.xlsx"
    res = runner.invoke(cli, ["report", "rekap", "--db", db, "--out", str(out)])
    assert res.exit_code == 0 and out.exists()
    res = runner.invoke(cli, ["report", "rekap", "--by", "warna", "--db", db])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["report", "rekap", "--format", "csv", "--db", db])
    assert res.exit_code == 0 and res.output.startswith("Kode kabupaten/kota,")
    res = runner.invoke(
        cli,
        [
            "report",
            "tahunan",
            "--year",
            "2025",
            "--out",
            str(tmp_path / "lap"),
            "--db",
            db,
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    files = json.loads(res.output)["files"]
    assert {Path(f).suffix for f in files} == {".html", ".pdf", ".xlsx", ".json"}
    res = runner.invoke(
        cli, ["report", "banding", "--from", "2024", "--to", "2025", "--db", db, "--json"]
    )
    assert res.exit_code == 0 and json.loads(res.output)["total_b"] == 6


@settings(max_examples=30, deadline=None)
@given(
    # \r is read back as \n by any XML reader (line-end normalisation), so it is left out
    labels=st.lists(st.text(st.characters(exclude_characters="\r"), max_size=12), min_size=1, max_size=4),
    judul=st.text(st.characters(exclude_characters="\r"), min_size=1, max_size=20),
)
def test_xlsx_takes_any_text_and_shows_what_xlsx_cannot_hold_as_u_fffd(
    labels: list[str], judul: str
) -> None:
    """A label or title with a control character (a koperasi's jenis as an export gave it, say)
    does not stop the XLSX: openpyxl refuses C0 controls, kukm writes each as U+FFFD."""
    from openpyxl import load_workbook

    from kukm._xlsx import REPLACEMENT
    from kukm.reports.dokumen import Bagian, Dokumen, Tabel
    from kukm.reports.render import to_xlsx

    def shown(text: str) -> str:
        return "".join(
            REPLACEMENT
            if (ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff"
            else c
            for c in text
        )

    rows = tuple((label, i) for i, label in enumerate(labels))
    doc = Dokumen(judul, bagian=(Bagian(judul, tabel=Tabel(judul, ("label", "n"), rows)),))
    wb = load_workbook(io.BytesIO(to_xlsx(doc)))
    sheet = wb.worksheets[1]
    got = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]
    # openpyxl reads an empty string back as None; a value it strips (blanks) is not asserted
    want = [shown(label) or None for label in labels]
    assert [g if g is None else str(g) for g in got] == [w for w in want]
    assert shown(judul) == (wb.worksheets[0]["A1"].value or "")
