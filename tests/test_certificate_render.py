"""QR codes and rendering: the fast QR equals qrcode's, rendered PNGs decode and verify."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode import util as qru

from kukm.certificate.issuance import demo_issue, render_certificate, write_certificate
from kukm.certificate.keys import load_public_key
from kukm.certificate.payload import Sertifikat, sign_certificate
from kukm.certificate.qr import (
    ALPHANUMERIC,
    ERROR_CORRECTION,
    MASK_PATTERN,
    qr_matrix,
    qr_rows,
    qr_svg_path,
    qr_version,
)
from kukm.certificate.verify import verify_payload
from kukm.exceptions import AdapterError, ValidationError
from kukm.model import Alamat, Koperasi
from kukm.nik.eligibility import Kelayakan
from kukm.plugins import KukmPlugins, create_plugin_manager, open_store

zxingcpp = pytest.importorskip("zxingcpp")

KEY = Ed25519PrivateKey.generate()
SAMPLE = Sertifikat(
    "3101010020004",
    "Koperasi Produksi Nelayan Tidung Sejahtera",
    "Jl. Ahmad Mundari Rt. 001/02, Pulau Tidung, Kepulauan Seribu Selatan",
    dt.date(2026, 3, 1),
    dt.date(2028, 2, 29),
    "Suku Dinas PPKUKM Kabupaten Administrasi Kepulauan Seribu",
    kelompok="Kop. Nelayan",
    jenis="Produsen",
    skala_usaha="KUK 1",
    peringkat="D",
)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=ALPHANUMERIC, min_size=0, max_size=700))
def test_property_matrix_equals_qrcode(text: str) -> None:
    version = qr_version(len(text))
    q = qrcode.QRCode(
        version=version, error_correction=ERROR_CORRECTION, mask_pattern=MASK_PATTERN, border=0
    )
    q.add_data(qru.QRData(text, mode=qru.MODE_ALPHA_NUM))
    q.make(fit=False)
    assert qr_matrix(text) == q.modules


def test_qr_limits() -> None:
    with pytest.raises(ValidationError):
        qr_matrix("a")
    with pytest.raises(ValidationError):
        qr_version(5000)


def _decode_png(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code found"
    return str(found[0].text)


def test_png_qr_decodes_and_verifies() -> None:
    signed = sign_certificate(SAMPLE, KEY)
    png = render_certificate(signed, "png")
    text = _decode_png(png)
    assert text == signed.payload
    result = verify_payload(text, KEY.public_key(), on=dt.date(2026, 6, 1))
    assert result.valid and result.sertifikat == SAMPLE


@settings(max_examples=5, deadline=None)
@given(st.text(alphabet="abcdefghij KLMNOP.,-/éü", min_size=1, max_size=120))
def test_property_png_decodes_for_other_names(nama: str) -> None:
    s = Sertifikat("3173070010001", nama, "Jl. A", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "D")
    signed = sign_certificate(s, KEY)
    text = _decode_png(render_certificate(signed, "png"))
    assert verify_payload(text, KEY.public_key(), on=dt.date(2026, 1, 1)).sertifikat == s


SVG = "{http://www.w3.org/2000/svg}"


def _qr_lines(svg: bytes) -> list[tuple[int, list[int]]]:
    """(row, dash lengths) of every dashed QR row line in the SVG."""
    out = []
    for el in ET.fromstring(svg).iter(SVG + "path"):
        dashes = el.get("stroke-dasharray")
        if dashes is None:
            continue
        row = int(el.get("d", "").split()[1].split(".")[0])
        out.append((row, [int(x) for x in dashes.split()]))
    return out


def test_svg_is_well_formed_and_has_the_qr() -> None:
    signed = sign_certificate(SAMPLE, KEY)
    svg = render_certificate(signed, "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(t.text or "" for t in root.iter(SVG + "text"))
    assert "Koperasi Produksi Nelayan" in texts and "3101 01 002 0004" in texts
    lines = _qr_lines(svg)
    assert len(lines) == len(qr_matrix(signed.payload))
    assert lines[0][1][0] == 7  # the finder pattern opens the first row


def test_svg_qr_rasterised_decodes() -> None:
    """Paint the SVG's dashed QR rows onto a bitmap ourselves and decode it."""
    signed = sign_certificate(SAMPLE, KEY)
    lines = _qr_lines(render_certificate(signed, "svg"))
    n = len(lines)
    scale, quiet = 4, 4
    img = Image.new("L", ((n + 2 * quiet) * scale,) * 2, 255)
    for row, dashes in lines:
        x, dark = 0, True
        for length in dashes:
            if dark and length:
                box = (x + quiet, row + quiet, x + quiet + length, row + quiet + 1)
                img.paste(0, tuple(v * scale for v in box))
            x += length
            dark = not dark
        assert x == n
    found = zxingcpp.read_barcodes(img)
    assert found and found[0].text == signed.payload


def test_svg_path_helpers_agree() -> None:
    rows = qr_rows("KUKM:ABCDEF234567")
    cells = {
        (int(part.split()[1].split("h")[0]), int(part.split()[0]) + k)
        for part in qr_svg_path(rows).split("M")[1:]
        for k in range(int(part.split("h")[1].split("v")[0]))
    }
    assert cells == {(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v == "1"}


def test_pdf_is_one_a4_page() -> None:
    pdf = render_certificate(sign_certificate(SAMPLE, KEY), "pdf")
    assert pdf.startswith(b"%PDF-")
    assert b"/Count 1" in pdf
    assert b"595.28" in pdf and b"841.89" in pdf  # A4 in points


def test_renderers_come_from_the_hook() -> None:
    plugins = KukmPlugins(create_plugin_manager())
    formats = {r.format for r in plugins.renderers() if r.target == "certificate"}
    assert {"svg", "png", "pdf"} <= formats
    with pytest.raises(AdapterError):
        plugins.renderer("certificate", "svg").render(SAMPLE)  # unsigned: refused
    with pytest.raises(AdapterError):
        render_certificate(sign_certificate(SAMPLE, KEY), "docx")


def test_hook_kukm_register_renderers_third_party_wins() -> None:
    from kukm.hookspecs import hookimpl

    class Fake:
        name = "fake"
        target = "certificate"
        format = "svg"

        def render(self, obj: object, **options: object) -> bytes:
            return b"<svg/>"

    class Plugin:
        @hookimpl
        def kukm_register_renderers(self) -> list[Fake]:
            return [Fake()]

    plugins = KukmPlugins(create_plugin_manager(plugins=[Plugin()]))
    assert render_certificate(sign_certificate(SAMPLE, KEY), "svg", plugins=plugins) == b"<svg/>"


def test_write_certificate_picks_format_from_suffix(tmp_path: Path) -> None:
    signed = sign_certificate(SAMPLE, KEY)
    assert write_certificate(signed, tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert write_certificate(signed, tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"


def test_demo_issue_leaves_png_pdf_and_public_key(tmp_path: Path) -> None:
    store = open_store("memory://")
    koperasi = [
        Koperasi(
            nama=f"Koperasi {i}",
            id=f"k{i}",
            nomor_induk_koperasi=f"317307001{i:04d}",
            alamat=Alamat(jalan="Jl. A", kode_wilayah="31.71.01.1001"),
        )
        for i in range(1, 6)
    ]
    result = demo_issue(
        store,
        koperasi,
        out_dir=tmp_path / "out",
        key_dir=tmp_path / "keys",
        today=dt.date(2026, 4, 1),
        limit=2,
        eligibility=lambda k, on: Kelayakan(True),
    )
    assert len(result.certificates) == 2
    assert sorted(p.suffix for p in result.files) == [".pdf", ".pdf", ".png", ".png"]
    public = load_public_key(result.public_key)
    png = next(p for p in result.files if p.suffix == ".png")
    text = _decode_png(png.read_bytes())
    assert verify_payload(text, public, on=dt.date(2026, 4, 2)).valid
    assert not list((tmp_path / "out").glob("*.key"))  # the private key stays in key_dir
    # a second run reuses the key pair
    again = demo_issue(
        store,
        koperasi[2:],
        out_dir=tmp_path / "out",
        key_dir=tmp_path / "keys",
        today=dt.date(2026, 4, 1),
        limit=1,
        eligibility=lambda k, on: Kelayakan(True),
    )
    assert again.public_key.read_bytes() == result.public_key.read_bytes()
    # refused records are listed, not fatal
    refused = demo_issue(
        store,
        [Koperasi(nama="Tanpa RAT", nomor_induk_koperasi="3173070019999")],
        out_dir=tmp_path / "out",
        key_dir=tmp_path / "keys",
        today=dt.date(2026, 4, 1),
    )
    assert refused.files == () and refused.skipped[0][1] == "NIK_NOT_ELIGIBLE"
