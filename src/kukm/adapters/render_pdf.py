"""PDF renderer of the Sertifikat NIK (fpdf2): one A4 page a Dinas prints.

The QR code is vector (one filled rectangle per run of dark modules), so it
prints sharp at any size. Text uses the PDF core font Helvetica; characters
outside Latin-1 are replaced by ``?``.

>>> import datetime as dt
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from kukm.certificate.payload import Sertifikat, sign_certificate
>>> s = Sertifikat("3173010010001", "Koperasi A", "Jl. B", dt.date(2026, 1, 5),
...                dt.date(2028, 1, 4), "Dinas PPKUKM")
>>> pdf = PdfCertificateRenderer().render(sign_certificate(s, Ed25519PrivateKey.generate()))
>>> pdf[:5]
b'%PDF-'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, final

from kukm.certificate.layout import (
    BASIS,
    QR_CAPTION,
    SUBTITLE,
    TITLE,
    certificate_rows,
    format_nomor,
)
from kukm.certificate.payload import SignedCertificate
from kukm.certificate.qr import qr_matrix
from kukm.exceptions import AdapterError
from kukm.hookspecs import Renderer, hookimpl

__all__ = ["PdfCertificateRenderer", "kukm_register_renderers", "render_certificate_pdf"]

_QR_MM = 55.0
_QUIET = 4
_RUN = re.compile(b"\x01+")


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def render_certificate_pdf(cert: SignedCertificate) -> bytes:
    """The certificate as an A4 PDF (bytes)."""
    s = cert.sertifikat
    from fpdf import FPDF  # imported on first use: loading the plugin stays cheap

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(f"{TITLE} {s.nomor_induk_koperasi}"))
    pdf.set_author(_latin1(s.kantor_penerbit))
    pdf.set_creator("kukm")
    pdf.add_page()
    pdf.set_draw_color(27, 79, 138)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 194, 281)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, 188, 275)
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_xy(15, 30)
    pdf.cell(180, 10, TITLE, align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(15, 41)
    pdf.set_text_color(68, 68, 68)
    pdf.cell(180, 6, SUBTITLE, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 26)
    pdf.set_xy(15, 58)
    pdf.cell(180, 12, format_nomor(s.nomor_induk_koperasi), align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(15, 71)
    pdf.cell(180, 6, "Nomor Induk Koperasi", align="C")
    y = 88.0
    for label, value in certificate_rows(s):
        pdf.set_font("Helvetica", "", 10)
        pdf.set_text_color(68, 68, 68)
        pdf.set_xy(25, y)
        pdf.cell(48, 6, _latin1(label))
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Helvetica", "", 12)
        pdf.set_xy(75, y)
        pdf.multi_cell(110, 6, _latin1(value))
        y = max(y + 6, pdf.get_y()) + 5
    matrix = qr_matrix(cert.payload)
    n = len(matrix)
    module = _QR_MM / (n + 2 * _QUIET)
    qx, qy = 210 - 20 - _QR_MM, 297 - 32 - _QR_MM
    pdf.set_fill_color(0, 0, 0)
    ox, oy = qx + _QUIET * module, qy + _QUIET * module
    for r, row in enumerate(matrix):
        for m in _RUN.finditer(bytes(row)):
            start, end = m.span()
            pdf.rect(ox + start * module, oy + r * module, (end - start) * module, module, "F")
    pdf.set_font("Helvetica", "", 6.5)
    pdf.set_text_color(85, 85, 85)
    pdf.set_xy(qx - 25, qy + _QR_MM + 1)
    pdf.cell(_QR_MM + 25, 4, _latin1(f"{QR_CAPTION} ({cert.key_id})"), align="R")
    pdf.set_xy(25, 297 - 22)
    pdf.set_font("Helvetica", "", 7)
    pdf.multi_cell(160, 3.5, _latin1(BASIS))
    return bytes(pdf.output())


@final
class PdfCertificateRenderer:
    """``Renderer`` for target ``certificate``, format ``pdf``."""

    name = "kukm-certificate-pdf"
    target = "certificate"
    format = "pdf"

    def render(self, obj: Any, **options: Any) -> bytes:
        if not isinstance(obj, SignedCertificate):
            raise AdapterError(
                f"the certificate renderer needs a SignedCertificate, got {type(obj).__name__}"
            )
        return render_certificate_pdf(obj)


@hookimpl
def kukm_register_renderers() -> Sequence[Renderer]:
    """kukm's own PDF certificate renderer."""
    return [PdfCertificateRenderer()]
