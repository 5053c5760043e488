"""kukm's own report renderers (target ``"report"``): html, pdf, xlsx, csv, json.

Registered through the ``kukm`` entry point exactly as a third-party renderer
would be; a plugin that registers a renderer for the same target and format
wins. Each renderer accepts a :class:`kukm.reports.dokumen.Dokumen` or any
report object with ``to_dokumen()`` (:class:`kukm.reports.rekap.Rekap`,
:class:`kukm.reports.tahunan.LaporanTahunan`).

>>> sorted(r.format for r in kukm_register_renderers())
['csv', 'html', 'json', 'pdf', 'xlsx']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, final

from attrs import define

from kukm.hookspecs import Renderer, hookimpl

__all__ = ["ReportRenderer", "kukm_register_renderers"]


@final
@define
class ReportRenderer:
    """A renderer of reports in one format (satisfies :class:`kukm.hookspecs.Renderer`)."""

    name: str
    format: str
    fn: Callable[..., bytes]
    target: str = "report"

    def render(self, obj: Any, **options: Any) -> bytes:
        return self.fn(obj, **options)


@hookimpl
def kukm_register_renderers() -> list[Renderer]:
    """Report renderers for html (inline SVG charts), pdf (fpdf2), xlsx (openpyxl), csv, json."""
    from kukm.reports import render

    return [
        ReportRenderer("kukm-report-html", "html", render.to_html),
        ReportRenderer("kukm-report-pdf", "pdf", render.to_pdf),
        ReportRenderer("kukm-report-xlsx", "xlsx", render.to_xlsx),
        ReportRenderer("kukm-report-csv", "csv", render.to_csv),
        ReportRenderer("kukm-report-json", "json", render.to_json),
    ]
