"""Rendering through the plugin hook, and a one-call issuing helper for demos.

:func:`render_certificate` asks the ``kukm_register_renderers`` hook for the
renderer of (``certificate``, format), so a third-party renderer replaces
kukm's own. :func:`demo_issue` runs the whole H.6 workflow for a few
cooperatives and leaves their certificates (PNG and PDF by default) in a
folder beside the public key that verifies them.

>>> import datetime as dt, tempfile, pathlib
>>> from kukm.plugins import open_store
>>> from kukm.model import Koperasi, Alamat
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> kop = Koperasi(nama="Koperasi Tidung", nomor_induk_koperasi="3101010020004",
...                tanggal_rat_terakhir=dt.date(2026, 3, 1),
...                alamat=Alamat(jalan="Jl. Mundari", kode_wilayah="31.01.02.1002"))
>>> result = demo_issue(open_store("memory://"), [kop], out_dir=out, key_dir=out / "keys",
...                     today=dt.date(2026, 4, 1), formats=("svg",))
>>> sorted(p.name for p in result.files)
['sertifikat-3101010020004.svg']
>>> result.public_key.name
'kukm-demo.pub.pem'
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, final

from attrs import field, frozen

from kukm.certificate.keys import load_private_key, write_keypair, write_public_key
from kukm.certificate.payload import SignedCertificate
from kukm.exceptions import KukmError
from kukm.model import Koperasi, Petugas
from kukm.storage.base import Store

if TYPE_CHECKING:
    from kukm.nik.eligibility import EligibilityCheck
    from kukm.plugins import KukmPlugins

__all__ = ["DemoIssueResult", "demo_issue", "render_certificate", "write_certificate"]


def render_certificate(
    cert: SignedCertificate, fmt: str = "svg", *, plugins: KukmPlugins | None = None
) -> bytes:
    """Bytes of ``cert`` in ``fmt`` (``svg``, ``png``, ``pdf``) from the registered renderer.

    >>> import datetime as dt
    >>> from kukm.certificate.keys import generate_private_key
    >>> from kukm.certificate.payload import Sertifikat, sign_certificate
    >>> s = Sertifikat("3173070010001", "K", "Jl. A", dt.date(2026, 1, 7), dt.date(2028, 1, 6), "D")
    >>> render_certificate(sign_certificate(s, generate_private_key()), "pdf")[:4]
    b'%PDF'
    """
    if plugins is None:
        from kukm.plugins import get_plugins

        plugins = get_plugins()
    return plugins.renderer("certificate", fmt.lower()).render(cert)


def write_certificate(
    cert: SignedCertificate, path: str | os.PathLike[str], fmt: str | None = None
) -> Path:
    """Render ``cert`` to ``path`` (format from the suffix unless given)."""
    out = Path(path)
    data = render_certificate(cert, fmt or out.suffix.lstrip(".") or "svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _paths(items: Iterable[Path]) -> tuple[Path, ...]:
    return tuple(items)


def _certs(items: Iterable[SignedCertificate]) -> tuple[SignedCertificate, ...]:
    return tuple(items)


@final
@frozen
class DemoIssueResult:
    """What :func:`demo_issue` did: files written, the public key, certificates, skipped records."""

    files: tuple[Path, ...] = field(converter=_paths)
    public_key: Path
    certificates: tuple[SignedCertificate, ...] = field(converter=_certs)
    skipped: tuple[tuple[str, str], ...] = ()


def _as_koperasi(record: Any) -> tuple[Koperasi, str | None] | None:
    """The cooperative and its store id (the key of the NIK register), if a store record."""
    if isinstance(record, Koperasi):
        return record, None
    inner = getattr(record, "record", None)
    if not isinstance(inner, Koperasi):
        return None
    rid = getattr(record, "id", None)
    return inner, rid if isinstance(rid, str) else None


def demo_issue(
    store: Store,
    koperasi_records: Iterable[Any],
    *,
    out_dir: str | os.PathLike[str],
    key_dir: str | os.PathLike[str],
    today: dt.date,
    formats: Sequence[str] = ("png", "pdf"),
    limit: int = 3,
    eligibility: EligibilityCheck | None = None,
    key_name: str = "kukm-demo",
) -> DemoIssueResult:
    """Issue up to ``limit`` certificates through the H.6 workflow and write them to ``out_dir``.

    ``koperasi_records``: :class:`~kukm.model.Koperasi` objects or stored records
    holding one. The key pair is taken from (or made in) ``key_dir`` — keep it out of
    any repository; the public key is copied to ``out_dir/<key_name>.pub.pem``.
    Records the workflow refuses (compliance, missing prefix) are skipped and listed.
    """
    from kukm.nik.application import NikWorkflow
    from kukm.nik.eligibility import default_eligibility

    out = Path(out_dir)
    keys = Path(key_dir)
    private_path = keys / f"{key_name}.key"
    if private_path.exists():
        private_key = load_private_key(private_path)
    else:
        private_key = load_private_key(write_keypair(keys, name=key_name).private_key)
    public_path = write_public_key(out / f"{key_name}.pub.pem", private_key.public_key())
    workflow = NikWorkflow(store, eligibility=eligibility or default_eligibility)
    # A declared Dinas officer; every application is routed across kota (Dinas level), so
    # the officer acts for the receiving office (kukm.nik.officer) and each step is audited.
    officer = Petugas(id="demo-petugas", nama="Petugas Demo", peran="dinas")
    when = dt.datetime.combine(today, dt.time(9, 0))
    files: list[Path] = []
    issued: list[SignedCertificate] = []
    skipped: list[tuple[str, str]] = []
    for record in koperasi_records:
        if len(issued) >= limit:
            break
        found = _as_koperasi(record)
        if found is None:
            continue
        kop, store_id = found
        try:
            p = workflow.submit(
                kop, wilayah_keanggotaan=["31"], kanal="offline", koperasi_key=store_id, waktu=when
            )
            workflow.verify(p.id, officer, catatan="demo", waktu=when)
            signed = workflow.issue(
                p.id, private_key=private_key, on=today, petugas=officer, waktu=when
            )
        except KukmError as exc:
            skipped.append((kop.nama, exc.code))
            continue
        issued.append(signed)
        nomor = signed.sertifikat.nomor_induk_koperasi
        for fmt in formats:
            files.append(write_certificate(signed, out / f"sertifikat-{nomor}.{fmt}", fmt))
    return DemoIssueResult(files, public_path, issued, tuple(skipped))
