"""Certificate rendering speed: SVG with QR code, kukm against qrcode's default path.

* **kukm** – :func:`kukm.adapters.render_svg.render_certificate_svg`: the A4
  certificate page with the QR code built with a fixed mask and error
  correction level (M) and drawn as one SVG path (:mod:`kukm.certificate.qr`).
* **baseline** – the same page, with the QR code made the way ``qrcode``
  does by default: ``qrcode.make(payload, image_factory=SvgPathImage)``
  (best-fit version, level M, all 8 masks tried and scored) and its SVG path
  image factory (``to_string()``), pasted into the same page template.

Both render the same signed payloads (signed beforehand; signing alone is
reported too). One process, one core. Target: ≥ 300 certificates a second.
Run ``python benchmarks/bench_certificate.py [--quick] [-n N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from html import escape

import qrcode
import qrcode.image.svg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kukm.adapters.render_svg import render_certificate_svg
from kukm.certificate.layout import TITLE, certificate_rows, format_nomor
from kukm.certificate.payload import Sertifikat, SignedCertificate, sign_certificate
from kukm.certificate.verify import verify_payload

KELOMPOK = ["Kopkar", "Kop. Serba Usaha", "Kop. Simpan Pinjam", "Kop. Pasar", "Kop. Wanita"]
JENIS = ["Konsumen", "Simpan Pinjam", "Jasa", "Produsen", "Pemasaran"]


def make_certificates(n: int, key: Ed25519PrivateKey, seed: int = 1625) -> list[SignedCertificate]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        terbit = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randint(0, 300))
        s = Sertifikat(
            nomor_induk_koperasi=f"317307{rnd.randint(1, 20):03d}{i % 9999 + 1:04d}",
            nama=f"Koperasi {rnd.choice(JENIS)} Sejahtera Bersama {i}",
            alamat=f"Jl. Kebon Sirih No. {rnd.randint(1, 200)}, RT 00{rnd.randint(1, 9)}/RW 00"
            f"{rnd.randint(1, 9)}, Gambir, Jakarta Pusat",
            tanggal_terbit=terbit,
            tanggal_berakhir=terbit + dt.timedelta(days=730),
            kantor_penerbit="Suku Dinas PPKUKM Kota Administrasi Jakarta Pusat",
            kelompok=rnd.choice(KELOMPOK),
            jenis=rnd.choice(JENIS),
            skala_usaha=f"KUK {rnd.randint(1, 4)}",
            peringkat=rnd.choice(["A", "B", "C1", "C2", "D"]),
        )
        out.append(sign_certificate(s, key))
    return out


def baseline_svg(cert: SignedCertificate) -> bytes:
    """The same page with qrcode's default QR path (mask search + SvgPathImage)."""
    s = cert.sertifikat
    img = qrcode.make(cert.payload, image_factory=qrcode.image.svg.SvgPathImage)
    qr_svg = img.to_string().decode("utf-8")
    rows = "".join(
        f'<text x="25" y="{92 + 11 * i}">{escape(label)}</text>'
        f'<text x="75" y="{92 + 11 * i}">{escape(value)}</text>'
        for i, (label, value) in enumerate(certificate_rows(s))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        'viewBox="0 0 210 297">'
        f'<text x="105" y="38" text-anchor="middle">{TITLE}</text>'
        f'<text x="105" y="68" text-anchor="middle">{format_nomor(s.nomor_induk_koperasi)}</text>'
        f'{rows}<g transform="translate(130 207)">{qr_svg}</g></svg>\n'
    ).encode()


def rate(fn: Callable[[SignedCertificate], object], certs: list[SignedCertificate]) -> float:
    fn(certs[0])  # warm caches (QR templates, fonts)
    start = time.perf_counter()
    for c in certs:
        fn(c)
    return len(certs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer certificates (< 30 s)")
    parser.add_argument("-n", type=int, default=None, help="certificates per measurement")
    args = parser.parse_args()
    n = args.n or (150 if args.quick else 1000)
    n_base = max(20, n // 5)
    key = Ed25519PrivateKey.generate()

    start = time.perf_counter()
    certs = make_certificates(n, key)
    sign_rate = n / (time.perf_counter() - start)
    verify_rate = rate(
        lambda c: verify_payload(c.payload, key.public_key(), on=dt.date(2026, 6, 1)), certs
    )

    kukm_rate = rate(render_certificate_svg, certs)
    base_rate = rate(baseline_svg, certs[:n_base])
    chars = sum(len(c.payload) for c in certs) / n

    print(f"bench_certificate: {n} certificates (baseline {n_base}), payload ≈ {chars:.0f} chars")
    print(f"  sign (build + Ed25519)         {sign_rate:10.0f} /s")
    print(f"  verify payload (offline)       {verify_rate:10.0f} /s")
    print(f"  kukm SVG with QR               {kukm_rate:10.0f} /s   (target ≥ 300 /s per core)")
    print(f"  qrcode default + SvgPathImage  {base_rate:10.0f} /s")
    print(f"  ratio kukm / qrcode default    {kukm_rate / base_rate:10.1f} ×")


if __name__ == "__main__":
    main()
