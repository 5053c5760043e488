"""PNG renderer of the Sertifikat NIK (Pillow): an A4 page at 150 dpi (1240 × 1754 px).

The QR code is drawn module by module at a whole number of pixels per module
with a 4-module quiet zone, so any phone or ``zxing-cpp`` reads it.

>>> import datetime as dt, io
>>> from PIL import Image
>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from kukm.certificate.payload import Sertifikat, sign_certificate
>>> s = Sertifikat("3173010010001", "Koperasi A", "Jl. B", dt.date(2026, 1, 5),
...                dt.date(2028, 1, 4), "Dinas PPKUKM")
>>> png = PngCertificateRenderer().render(sign_certificate(s, Ed25519PrivateKey.generate()))
>>> Image.open(io.BytesIO(png)).size
(1240, 1754)
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from textwrap import wrap
from typing import TYPE_CHECKING, Any, final

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

if TYPE_CHECKING:  # Pillow is imported on first use: loading the plugin stays cheap
    from PIL import Image, ImageFont

__all__ = [
    "PngCertificateRenderer",
    "kukm_register_renderers",
    "qr_image",
    "render_certificate_png",
]

_W, _H = 1240, 1754  # A4 at 150 dpi
_QUIET = 4
_BLUE = (27, 79, 138)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def qr_image(payload: str, *, module_px: int = 6) -> Image.Image:
    """The QR code of ``payload`` as a 1-bit image with a 4-module quiet zone.

    >>> qr_image("HELLO", module_px=2).size
    (58, 58)
    """
    from PIL import Image

    matrix = qr_matrix(payload)
    n = len(matrix) + 2 * _QUIET
    quiet_row = b"\xff" * n
    side = b"\xff" * _QUIET
    raw = bytearray(quiet_row * _QUIET)
    for row in matrix:
        raw += side + bytes(0 if dark else 255 for dark in row) + side
    raw += quiet_row * _QUIET
    img = Image.frombytes("L", (n, n), bytes(raw))
    return img.resize((n * module_px, n * module_px), Image.Resampling.NEAREST)


def render_certificate_png(cert: SignedCertificate, *, dpi: int = 150) -> bytes:
    """The certificate as PNG bytes (A4 at 150 dpi)."""
    from PIL import Image, ImageDraw

    s = cert.sertifikat
    page = Image.new("RGB", (_W, _H), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((47, 47, _W - 47, _H - 47), outline=_BLUE, width=7)
    draw.rectangle((65, 65, _W - 65, _H - 65), outline=_BLUE, width=2)
    draw.text((_W / 2, 225), TITLE, font=_font(52), fill="black", anchor="mm")
    draw.text((_W / 2, 268), SUBTITLE, font=_font(24), fill=(68, 68, 68), anchor="mm")
    draw.text(
        (_W / 2, 400),
        format_nomor(s.nomor_induk_koperasi),
        font=_font(70),
        fill="black",
        anchor="mm",
    )
    draw.text((_W / 2, 450), "Nomor Induk Koperasi", font=_font(24), fill=(68, 68, 68), anchor="mm")
    y = 540
    for label, value in certificate_rows(s):
        draw.text((148, y), label, font=_font(25), fill=(68, 68, 68))
        for line in wrap(value, 55) if len(value) > 55 else (value,):
            draw.text((443, y), line, font=_font(28), fill="black")
            y += 36
        y += 30
    qr = qr_image(cert.payload, module_px=max(3, 360 // (len(qr_matrix(cert.payload)) + 8)))
    qx, qy = _W - 118 - qr.width, _H - 180 - qr.height
    page.paste(qr.convert("RGB"), (qx, qy))
    draw.text(
        (qx + qr.width, qy + qr.height + 24),
        f"{QR_CAPTION} ({cert.key_id})",
        font=_font(16),
        fill=(85, 85, 85),
        anchor="rm",
    )
    draw.text((148, _H - 110), BASIS, font=_font(17), fill=(85, 85, 85))
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


@final
class PngCertificateRenderer:
    """``Renderer`` for target ``certificate``, format ``png``."""

    name = "kukm-certificate-png"
    target = "certificate"
    format = "png"

    def render(self, obj: Any, **options: Any) -> bytes:
        if not isinstance(obj, SignedCertificate):
            raise AdapterError(
                f"the certificate renderer needs a SignedCertificate, got {type(obj).__name__}"
            )
        return render_certificate_png(obj)


@hookimpl
def kukm_register_renderers() -> Sequence[Renderer]:
    """kukm's own PNG certificate renderer."""
    return [PngCertificateRenderer()]
