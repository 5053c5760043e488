"""SVG renderer of the Sertifikat NIK (no dependency beyond ``qrcode``'s tables).

An A4 page (210 × 297 mm, user units = mm) with the certificate's rows and the
QR code drawn as one dashed line per module row (:func:`kukm.certificate.qr.qr_svg_dashes`).

>>> import datetime as dt
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from kukm.certificate.payload import Sertifikat, sign_certificate
>>> s = Sertifikat("3173010010001", "Koperasi <A&B>", "Jl. B", dt.date(2026, 1, 5),
...                dt.date(2028, 1, 4), "Dinas PPKUKM")
>>> svg = SvgCertificateRenderer().render(sign_certificate(s, Ed25519PrivateKey.generate()))
>>> svg.startswith(b"<?xml") and b"Koperasi &lt;A&amp;B&gt;" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from textwrap import wrap
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
from kukm.certificate.qr import qr_rows, qr_svg_dashes
from kukm.exceptions import AdapterError
from kukm.hookspecs import Renderer, hookimpl

__all__ = ["SvgCertificateRenderer", "kukm_register_renderers", "render_certificate_svg"]

_QR_SIZE_MM = 60.0
_QUIET = 4


def render_certificate_svg(cert: SignedCertificate) -> bytes:
    """The certificate as an SVG document (UTF-8 bytes)."""
    s = cert.sertifikat
    rows_qr = qr_rows(cert.payload)
    n = len(rows_qr)
    scale = _QR_SIZE_MM / (n + 2 * _QUIET)
    qr_x, qr_y = 210 - 20 - _QR_SIZE_MM, 297 - 30 - _QR_SIZE_MM
    rows = []
    y = 92.0
    for label, value in certificate_rows(s):
        rows.append(f'<text x="25" y="{y:.1f}" class="l">{escape(label)}</text>')
        for line in wrap(value, 58) if len(value) > 58 else (value,):
            rows.append(f'<text x="75" y="{y:.1f}" class="v">{escape(line)}</text>')
            y += 6
        y += 5
    body = "".join(rows)
    dashes = qr_svg_dashes(rows_qr)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        'viewBox="0 0 210 297">'
        "<style>text{font-family:Helvetica,Arial,sans-serif;fill:#111}"
        ".t{font-size:9px;font-weight:bold}.s{font-size:4px;fill:#444}"
        ".n{font-size:12px;font-weight:bold;letter-spacing:.5px}"
        ".l{font-size:4.2px;fill:#444}.v{font-size:4.8px}.f{font-size:3px;fill:#555}</style>"
        '<rect width="210" height="297" fill="#fff"/>'
        '<rect x="8" y="8" width="194" height="281" fill="none" stroke="#1b4f8a" stroke-width="1.2"/>'
        '<rect x="11" y="11" width="188" height="275" fill="none" stroke="#1b4f8a" stroke-width=".3"/>'
        f'<text x="105" y="38" text-anchor="middle" class="t">{TITLE}</text>'
        f'<text x="105" y="45" text-anchor="middle" class="s">{SUBTITLE}</text>'
        f'<text x="105" y="68" text-anchor="middle" class="n">{format_nomor(s.nomor_induk_koperasi)}</text>'
        '<text x="105" y="75" text-anchor="middle" class="s">Nomor Induk Koperasi</text>'
        f"{body}"
        f'<g transform="translate({qr_x:.2f} {qr_y:.2f}) scale({scale:.5f})">'
        f'<rect x="0" y="0" width="{n + 2 * _QUIET}" height="{n + 2 * _QUIET}" fill="#fff"/>'
        f'<g transform="translate({_QUIET} {_QUIET})" fill="none" stroke="#000" '
        f'stroke-width="1" shape-rendering="crispEdges">{dashes}</g></g>'
        f'<text x="{qr_x + _QR_SIZE_MM / 2:.2f}" y="{qr_y + _QR_SIZE_MM + 5:.2f}" '
        f'text-anchor="middle" class="f">{QR_CAPTION} ({cert.key_id})</text>'
        f'<text x="25" y="{297 - 18}" class="f">{escape(BASIS)}</text>'
        "</svg>\n"
    ).encode()


@final
class SvgCertificateRenderer:
    """``Renderer`` for target ``certificate``, format ``svg``."""

    name = "kukm-certificate-svg"
    target = "certificate"
    format = "svg"

    def render(self, obj: Any, **options: Any) -> bytes:
        if not isinstance(obj, SignedCertificate):
            raise AdapterError(
                f"the certificate renderer needs a SignedCertificate, got {type(obj).__name__}"
            )
        return render_certificate_svg(obj)


@hookimpl
def kukm_register_renderers() -> Sequence[Renderer]:
    """kukm's own SVG certificate renderer."""
    return [SvgCertificateRenderer()]
