"""Render a :class:`~kukm.reports.dokumen.Dokumen` as HTML (inline SVG charts), PDF, XLSX, CSV, JSON.

These functions are what :mod:`kukm.adapters.reports` registers through the
``kukm_register_renderers`` hook (target ``"report"``); call them through
:meth:`kukm.plugins.KukmPlugins.renderer` so a Dinas can replace one.

The HTML needs no JavaScript and no network: every chart is an inline SVG
whose bars (``<rect class="bar">``) and points (``<circle class="point">``)
carry ``data-label`` and ``data-value`` attributes equal to the table cells
they were drawn from.

>>> from kukm.reports.dokumen import Dokumen, Bagian, Tabel, Grafik
>>> t = Tabel("Per skala", ("Skala", "Jumlah"), (("mikro", 3), ("kecil", 1)), ("Jumlah", 4))
>>> doc = Dokumen("Contoh", bagian=[Bagian("Skala", tabel=t, grafik=Grafik.dari_tabel(t))])
>>> html = to_html(doc).decode()
>>> 'data-label="mikro" data-value="3"' in html, "<script" in html
(True, False)
>>> to_pdf(doc)[:5], to_xlsx(doc)[:2], to_csv(doc).decode().splitlines()[0]
(b'%PDF-', b'PK', 'Skala,Jumlah')
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
from typing import Any

from kukm._xlsx import xlsx_row, xlsx_safe
from kukm.reports.dokumen import Dokumen, Grafik, Sel, Tabel

__all__ = ["as_dokumen", "to_csv", "to_html", "to_json", "to_pdf", "to_xlsx"]


def as_dokumen(obj: Any) -> Dokumen:
    """A report object (anything with ``to_dokumen()``) or a Dokumen itself."""
    if isinstance(obj, Dokumen):
        return obj
    to_dok = getattr(obj, "to_dokumen", None)
    if callable(to_dok):
        doc = to_dok()
        if isinstance(doc, Dokumen):
            return doc
    raise TypeError(f"cannot render {type(obj).__name__} as a report")


def _fmt(v: Sel) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ya" if v else "tidak"
    if isinstance(v, int):
        return f"{v:,}".replace(",", ".")
    if isinstance(v, float):
        return f"{v:,.1f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return str(v)


# -- SVG ------------------------------------------------------------------------------


def _svg_bars(g: Grafik) -> str:
    e = html.escape
    n = len(g.nilai)
    label_w, bar_w, row_h = 260, 360, 22
    width = label_w + bar_w + 90
    height = 30 + row_h * max(n, 1)
    peak = max([v for v in g.nilai if v > 0], default=1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{e(g.judul)}">',
        f"<title>{e(g.judul)}</title>",
    ]
    for i, (lbl, v) in enumerate(zip(g.label, g.nilai, strict=True)):
        y = 20 + i * row_h
        w = 0 if v <= 0 else max(1.0, bar_w * v / peak)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">{e(lbl)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="#2b6cb0" data-label="{e(lbl)}" data-value="{v}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="12">{e(_fmt(v))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _svg_line(g: Grafik) -> str:
    e = html.escape
    n = len(g.nilai)
    width, height, pad = 640, 260, 50
    peak = max([v for v in g.nilai if v > 0], default=1)
    step = (width - 2 * pad) / max(n - 1, 1)
    pts = []
    for i, v in enumerate(g.nilai):
        x = pad + i * step
        y = height - pad - (height - 2 * pad) * (max(v, 0) / peak)
        pts.append((x, y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{e(g.judul)}"><title>{e(g.judul)}</title>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#555"/>',
    ]
    if pts:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>')
    for (x, y), lbl, v in zip(pts, g.label, g.nilai, strict=True):
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2b6cb0" '
            f'data-label="{e(lbl)}" data-value="{v}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - pad + 18}" text-anchor="middle" font-size="12">'
            f"{e(lbl)}</text>"
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11">'
            f"{e(_fmt(v))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_chart(g: Grafik) -> str:
    """The inline SVG of a chart (bars or a line)."""
    return _svg_line(g) if g.jenis == "garis" else _svg_bars(g)


def _html_table(t: Tabel) -> str:
    e = html.escape
    head = "".join(f"<th>{e(k)}</th>" for k in t.kolom)
    rows = []
    for r in t.baris:
        cells = "".join(
            f'<td class="num">{e(_fmt(c))}</td>'
            if isinstance(c, int | float)
            else f"<td>{e(_fmt(c))}</td>"
            for c in r
        )
        rows.append(f"<tr>{cells}</tr>")
    foot = ""
    if t.total is not None:
        cells = "".join(
            f'<th class="num">{e(_fmt(c))}</th>'
            if isinstance(c, int | float)
            else f"<th>{e(_fmt(c))}</th>"
            for c in t.total
        )
        foot = f"<tfoot><tr>{cells}</tr></tfoot>"
    note = f'<p class="note">{e(t.catatan)}</p>' if t.catatan else ""
    return (
        f'<table class="data"><caption>{e(t.judul)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>{foot}</table>{note}"
    )


_CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:2rem auto;max-width:60rem;color:#1a202c}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #cbd5e0}
table.data{border-collapse:collapse;margin:.5rem 0}caption{text-align:left;font-weight:600}
td,th{border:1px solid #cbd5e0;padding:.2rem .5rem}td.num,th.num{text-align:right}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}
dt{font-weight:600}.note{font-size:.85rem;color:#4a5568}
@media print{body{margin:0}}
"""


def to_html(obj: Any, **options: Any) -> bytes:
    """A standalone HTML page (UTF-8), charts as inline SVG."""
    doc = as_dokumen(obj)
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        f"<title>{e(doc.judul)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(doc.judul)}</h1>",
    ]
    if doc.subjudul:
        out.append(f'<p class="subtitle">{e(doc.subjudul)}</p>')
    if doc.meta:
        out.append('<dl class="meta">')
        out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in doc.meta]
        out.append("</dl>")
    for i, b in enumerate(doc.bagian, start=1):
        out.append(f'<section id="bagian-{i}"><h2>{e(b.judul)}</h2>')
        out += [f"<p>{e(p)}</p>" for p in b.teks]
        if b.grafik is not None:
            out.append(
                f"<figure>{svg_chart(b.grafik)}<figcaption>{e(b.grafik.judul)}</figcaption></figure>"
            )
        if b.tabel is not None:
            out.append(_html_table(b.tabel))
        out.append("</section>")
    if doc.dasar:
        out.append(f'<p class="note">Dasar: {e(doc.dasar)}</p>')
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")


# -- PDF ---------------------------------------------------------------------------------


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(obj: Any, **options: Any) -> bytes:
    """A PDF (A4 portrait) with the charts drawn as vector bars/lines and the tables."""
    from fpdf import FPDF

    doc = as_dokumen(obj)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(doc.judul))
    pdf.set_creator("kukm")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 7, _latin1(doc.judul), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    if doc.subjudul:
        pdf.multi_cell(0, 5, _latin1(doc.subjudul), new_x="LMARGIN", new_y="NEXT")
    for k, v in doc.meta:
        pdf.multi_cell(0, 5, _latin1(f"{k}: {v}"), new_x="LMARGIN", new_y="NEXT")
    for b in doc.bagian:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 12)
        pdf.multi_cell(0, 6, _latin1(b.judul), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 10)
        for p in b.teks:
            pdf.multi_cell(0, 5, _latin1(p), new_x="LMARGIN", new_y="NEXT")
        if b.grafik is not None:
            _pdf_chart(pdf, b.grafik)
        if b.tabel is not None:
            _pdf_table(pdf, b.tabel)
    if doc.dasar:
        pdf.ln(3)
        pdf.set_font("helvetica", "I", 8)
        pdf.multi_cell(0, 4, _latin1(f"Dasar: {doc.dasar}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _pdf_chart(pdf: Any, g: Grafik) -> None:
    n = len(g.nilai)
    peak = max([v for v in g.nilai if v > 0], default=1)
    if g.jenis == "garis":
        h = 50.0
        if pdf.get_y() + h + 15 > pdf.h - 15:
            pdf.add_page()
        x0, y0, w = pdf.l_margin + 5, pdf.get_y() + 5, pdf.epw - 10
        pdf.set_draw_color(80, 80, 80)
        pdf.line(x0, y0 + h, x0 + w, y0 + h)
        step = w / max(n - 1, 1)
        pts = [(x0 + i * step, y0 + h - h * max(v, 0) / peak) for i, v in enumerate(g.nilai)]
        pdf.set_draw_color(43, 108, 176)
        for a, b in itertools.pairwise(pts):
            pdf.line(a[0], a[1], b[0], b[1])
        pdf.set_font("helvetica", "", 7)
        for (x, y), lbl, v in zip(pts, g.label, g.nilai, strict=True):
            pdf.set_fill_color(43, 108, 176)
            pdf.ellipse(x - 1, y - 1, 2, 2, style="F")
            pdf.text(x - 4, y0 + h + 4, _latin1(lbl))
            pdf.text(x - 4, y - 2, _latin1(_fmt(v)))
        pdf.set_y(y0 + h + 8)
        pdf.set_font("helvetica", "", 10)
        return
    row_h = 5.0
    if pdf.get_y() + row_h * n + 5 > pdf.h - 15:
        pdf.add_page()
    label_w, bar_w = 60.0, pdf.epw - 80
    y = pdf.get_y() + 2
    pdf.set_font("helvetica", "", 7)
    pdf.set_fill_color(43, 108, 176)
    for lbl, v in zip(g.label, g.nilai, strict=True):
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, row_h, _latin1(lbl[:45]), align="R")
        w = 0 if v <= 0 else max(0.3, bar_w * v / peak)
        if w:
            pdf.rect(pdf.l_margin + label_w, y + 0.8, w, row_h - 1.6, style="F")
        pdf.text(pdf.l_margin + label_w + w + 1.5, y + row_h - 1.3, _latin1(_fmt(v)))
        y += row_h
    pdf.set_y(y + 2)
    pdf.set_font("helvetica", "", 10)


def _pdf_table(pdf: Any, t: Tabel) -> None:
    pdf.set_font("helvetica", "", 7)
    with pdf.table(
        text_align="LEFT", line_height=4, first_row_as_headings=True, width=pdf.epw
    ) as table:
        table.row([_latin1(k) for k in t.kolom])
        for r in t.baris:
            table.row([_latin1(_fmt(c)) for c in r])
        if t.total is not None:
            table.row([_latin1(_fmt(c)) for c in t.total])
    if t.catatan:
        pdf.set_font("helvetica", "I", 7)
        pdf.multi_cell(0, 4, _latin1(t.catatan), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)


# -- XLSX, CSV, JSON ---------------------------------------------------------------------------


def to_xlsx(obj: Any, **options: Any) -> bytes:
    """One sheet per table (numbers stay numbers), plus an ``Info`` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    doc = as_dokumen(obj)
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "Info"
    info.append(xlsx_row(info, [doc.judul]))
    info["A1"].font = Font(bold=True, size=13)
    if doc.subjudul:
        info.append(xlsx_row(info, [doc.subjudul]))
    for k, v in doc.meta:
        info.append(xlsx_row(info, [k, v]))
    if doc.dasar:
        info.append(xlsx_row(info, ["Dasar", doc.dasar]))
    used = {"Info"}
    for i, b in enumerate(doc.bagian, start=1):
        if b.tabel is None:
            continue
        t = b.tabel
        base = "".join(ch for ch in xlsx_safe(b.judul) if ch not in "[]:*?/\\\ufffd")[:28] or f"Tabel {i}"
        name, suffix = base, 2
        while name in used:
            name = f"{base[:25]} {suffix}"
            suffix += 1
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append(xlsx_row(ws, [t.judul]))
        ws["A1"].font = Font(bold=True)
        ws.append(xlsx_row(ws, t.kolom))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in t.baris:
            ws.append(xlsx_row(ws, r))
        if t.total is not None:
            ws.append(xlsx_row(ws, t.total))
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        if t.catatan:
            ws.append(xlsx_row(ws, [t.catatan]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(obj: Any, **options: Any) -> bytes:
    """Each table as CSV: header, rows, total (with several tables, each after a ``# title`` line).

    ``bom=True`` adds a UTF-8 byte-order mark (Excel).
    """
    doc = as_dokumen(obj)
    titled = sum(b.tabel is not None for b in doc.bagian) > 1
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=options.get("delimiter", ","), lineterminator="\n")
    first = True
    for b in doc.bagian:
        if b.tabel is None:
            continue
        if not first:
            w.writerow([])
        first = False
        if titled:
            w.writerow([f"# {b.tabel.judul}"])
        w.writerow(b.tabel.kolom)
        for r in b.tabel.baris:
            w.writerow(["" if c is None else c for c in r])
        if b.tabel.total is not None:
            w.writerow(["" if c is None else c for c in b.tabel.total])
    return (
        ("\ufeff" + buf.getvalue()).encode("utf-8")
        if options.get("bom")
        else buf.getvalue().encode("utf-8")
    )


def to_json(obj: Any, **options: Any) -> bytes:
    """``obj.as_dict()`` (a rekap gives ``rows`` and ``total``) as pretty UTF-8 JSON."""
    data = obj.as_dict() if hasattr(obj, "as_dict") else as_dokumen(obj).as_dict()
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
