"""``kukm certificate …`` (render, verify, revocations) and ``kukm keys generate``.

Kepgub DKI 1625/2021 huruf H.1, H.6. Exit codes: ``certificate verify`` 0 valid,
1 invalid (with the reason's code and bilingual message), 2 usage/configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from kukm.cli._common import db_option, emit, existing_db, fail, handle_errors, json_option

__all__ = ["certificate", "default_key_dir", "keys"]

_FORMATS = click.Choice(["svg", "png", "pdf"])


def default_key_dir() -> Path:
    """``$KUKM_KEY_DIR``, else ``$XDG_CONFIG_HOME/kukm/keys`` (``~/.config/kukm/keys``)."""
    env = os.environ.get("KUKM_KEY_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kukm" / "keys"


def _inside_git_tree(path: Path) -> Path | None:
    for parent in [path.resolve(), *path.resolve().parents]:
        if (parent / ".git").exists():
            return parent
    return None


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@click.group()
def certificate() -> None:
    """Sertifikat NIK Koperasi: render, verify offline, revocation lists."""


@certificate.command("render")
@click.argument("nomor_induk_koperasi")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=_FORMATS, default=None, help="Default: from --out suffix.")
@click.option(
    "--allow-revoked",
    is_flag=True,
    help="Render a revoked certificate anyway (for the archive; a warning is printed).",
)
@db_option
@json_option
@handle_errors
def render(
    nomor_induk_koperasi: str,
    out: Path,
    fmt: str | None,
    allow_revoked: bool,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Render the current certificate of NOMOR_INDUK_KOPERASI from the store to a file.

    A revoked certificate (recorded in the store, whatever its tanggal_cabut) is refused
    with exit 1 (``CERT_REVOKED``) unless ``--allow-revoked``, which renders it with a
    warning on stderr and ``"dicabut"`` in ``--json``. The store must exist (exit 2).
    """
    from kukm.certificate.issuance import write_certificate
    from kukm.certificate.registry import current_certificate, revocation_list
    from kukm.certificate.verify import CERT_REVOKED
    from kukm.ids import nomor_induk_koperasi as nik_id
    from kukm.plugins import open_store

    nomor = nik_id.validate(nomor_induk_koperasi)
    store = open_store(existing_db(db_url))
    try:
        cert = current_certificate(store, nomor)
        revoked = (
            None if cert is None else revocation_list(store).revoked(cert.sertifikat.sertifikat_id)
        )
    finally:
        store.close()
    if cert is None:
        fail(f"no certificate issued for {nomor} / belum ada sertifikat untuk {nomor}", 1)
        return
    sid = cert.sertifikat.sertifikat_id
    dicabut = None
    if revoked is not None:
        dicabut = {
            "code": CERT_REVOKED,
            "tanggal_cabut": revoked.tanggal_cabut.isoformat() if revoked.tanggal_cabut else None,
            "alasan": revoked.alasan,
        }
        since = f" from {revoked.tanggal_cabut}" if revoked.tanggal_cabut else ""
        why = f" ({revoked.alasan})" if revoked.alasan else ""
        warning = (
            f"[{CERT_REVOKED}] certificate {sid} is revoked{since}{why} / sertifikat telah dicabut"
        )
        if not allow_revoked:
            fail(f"{warning}; not rendered (use --allow-revoked for the archive)", 1)
            return
        click.echo(f"kukm: warning: {warning}", err=True)
    chosen = fmt or (out.suffix.lstrip(".").lower() or "svg")
    if chosen not in ("svg", "png", "pdf"):
        raise click.BadParameter(f"unknown format {chosen!r}; use --format svg|png|pdf")
    path = write_certificate(cert, out, chosen)
    note = "" if dicabut is None else f" – DICABUT / REVOKED {dicabut['tanggal_cabut'] or ''}"
    emit(
        as_json,
        {"path": str(path), "format": chosen, "sertifikat_id": sid, "dicabut": dicabut},
        f"{path} ({chosen}, {sid}){note}",
    )


_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})
_INPUTS = (
    "the payload text (KUKM:…), '-' for stdin, or a PNG/JPEG image of the QR code "
    "/ teks payload, '-', atau gambar PNG/JPEG kode QR"
)


def _read_payload(payload: str) -> str:
    if payload == "-":
        return sys.stdin.read().strip()
    if payload.strip().upper().startswith("KUKM:"):
        return payload
    candidate = Path(payload)
    if candidate.is_file():
        suffix = candidate.suffix.lower()
        if suffix not in _IMAGE_SUFFIXES:
            fail(
                f"{candidate}: a {suffix or 'suffix-less'} file is not read; verify reads "
                f"{_INPUTS}. For a PDF or SVG certificate scan its QR code, or render it as PNG.",
                2,
            )
        try:
            import zxingcpp
            from PIL import Image
        except ImportError:  # pragma: no cover - zxing-cpp is a test dependency
            fail("reading a QR image needs the zxing-cpp package", 2)
            return ""
        found = zxingcpp.read_barcodes(Image.open(candidate))
        if not found:
            fail(f"no QR code found in {candidate} / QR tidak ditemukan", 1)
        return str(found[0].text)
    if candidate.suffix.lower() in _IMAGE_SUFFIXES | {".pdf", ".svg"}:
        fail(f"no such file: {candidate} / berkas tidak ada (verify reads {_INPUTS})", 2)
    return payload


@certificate.command("verify")
@click.argument("payload")
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Office public key (.pub.pem); repeat for several offices.",
)
@click.option(
    "--revocations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Revocation list: signed JSON (checked with the public keys) or plain text/CSV "
    "(one id [date [reason]] a line); an unreadable line is an error (exit 2).",
)
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="Date to check (today).")
@json_option
@handle_errors
def verify(
    payload: str,
    public_keys: tuple[Path, ...],
    revocations: Path | None,
    on: str | None,
    as_json: bool,
) -> None:
    """Verify a QR PAYLOAD offline (text, '-' for stdin, or a PNG/JPEG of the QR code).

    Exit 0 when valid, 1 when not (the reason is printed); 2 for a usage error: a PDF,
    SVG or other file that is not read, or a --revocations list with a line that cannot
    be read (named in the message; no line is ever skipped).
    """
    from kukm.certificate.keys import load_public_key
    from kukm.certificate.revocation import load_revocations
    from kukm.certificate.verify import verify_payload
    from kukm.exceptions import ValidationError

    keys = [load_public_key(p) for p in public_keys]
    rl = None
    if revocations:
        try:
            rl = load_revocations(revocations, public_keys=keys)
        except ValidationError as exc:  # an unreadable list is a usage error, never skipped
            fail(f"{exc} ({revocations})", 2)
    result = verify_payload(_read_payload(payload), keys, on=_date(on), revocations=rl)

    def text() -> str:
        head = "SAH / VALID" if result.valid else "TIDAK SAH / INVALID"
        lines = [f"{head}: [{result.code}] {result.message_id} / {result.message_en}"]
        s = result.sertifikat
        if s is not None:
            lines += [
                f"  Nomor Induk Koperasi: {s.nomor_induk_koperasi}",
                f"  Nama: {s.nama}",
                f"  Berlaku: {s.tanggal_terbit} s.d. {s.tanggal_berakhir}",
                f"  Kantor penerbit: {s.kantor_penerbit}",
            ]
        return "\n".join(lines)

    emit(as_json, result.as_dict(), text)
    if not result.valid:
        sys.exit(1)


@certificate.command("revocations")
@click.option("--private-key", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD")
@db_option
@json_option
@handle_errors
def revocations_cmd(
    private_key: Path, out: Path, on: str | None, db_url: str | None, as_json: bool
) -> None:
    """Export the store's revocations as a signed list for offline verifiers."""
    from kukm.certificate.keys import load_private_key
    from kukm.certificate.registry import revocation_list
    from kukm.certificate.revocation import write_signed_revocations
    from kukm.plugins import open_store

    store = open_store(existing_db(db_url))
    try:
        rl = revocation_list(store)
    finally:
        store.close()
    key = load_private_key(private_key)
    path = write_signed_revocations(out, rl.entries, key, diterbitkan=_date(on) or dt.date.today())
    emit(as_json, {"path": str(path), "entries": len(rl)}, f"{path}: {len(rl)} entries")


@click.group()
def keys() -> None:
    """Ed25519 signing keys of an issuing office."""


@keys.command("generate")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory (default: $KUKM_KEY_DIR or ~/.config/kukm/keys).",
)
@click.option("--name", default="kukm-kantor", show_default=True, help="File name stem.")
@click.option(
    "--allow-in-repo",
    is_flag=True,
    help="Allow writing the private key inside a git working tree (not recommended).",
)
@json_option
@handle_errors
def generate(out: Path | None, name: str, allow_in_repo: bool, as_json: bool) -> None:
    """Write a key pair: NAME.key (private, mode 0600) and NAME.pub.pem (public)."""
    from kukm.certificate.keys import write_keypair

    directory = out or default_key_dir()
    repo = _inside_git_tree(directory)
    if repo is not None and not allow_in_repo:
        fail(
            f"refusing to write a private key inside the git working tree {repo} "
            "(use --out elsewhere, or --allow-in-repo) / kunci privat tidak ditulis di dalam "
            "repositori git",
            2,
        )
    paths = write_keypair(directory, name=name)
    emit(
        as_json,
        {
            "private_key": str(paths.private_key),
            "public_key": str(paths.public_key),
            "key_id": paths.key_id,
        },
        f"private key: {paths.private_key} (0600)\npublic key:  {paths.public_key}\n"
        f"key id:      {paths.key_id}",
    )
