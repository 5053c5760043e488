"""Revocation of certificates (pencabutan): a signed list, or a plain list file.

A certificate is named by its ``sertifikat_id`` (``<NIK>-<YYYYMMDD terbit>``);
an entry naming a bare 13-digit NIK revokes every certificate of that NIK.
An entry applies from its ``tanggal_cabut`` on (no date: always).

Two file forms are read by :func:`load_revocations`:

* **signed JSON** written by :func:`write_signed_revocations` – the office
  signs the list with the same Ed25519 key as its certificates, so a
  verifier trusts a list it downloaded::

      {"format": "kukm-pencabutan", "version": 1, "key_id": "…",
       "diterbitkan": "2026-03-01",
       "entries": [{"id": "3171100090001-20260105", "tanggal_cabut": "2026-02-28",
                    "alasan": "…"}],
       "signature": "<base64 Ed25519 over the canonical JSON without 'signature'>"}

* **plain text** – one id per line, optionally followed by a date
  (``3171100090001-20260105 2026-02-28``); ``#`` starts a comment. Use it for
  a list the verifier keeps itself (it carries no signature).

>>> import datetime as dt
>>> rl = RevocationList([Pencabutan("3171100090001-20260105", dt.date(2026, 2, 1))])
>>> rl.revoked("3171100090001-20260105", on=dt.date(2026, 3, 1)) is not None
True
>>> rl.revoked("3171100090001-20260105", on=dt.date(2026, 1, 10)) is None
True
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, final

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kukm.certificate.keys import key_id
from kukm.exceptions import ValidationError, register_code

__all__ = [
    "HEADER_WORDS",
    "REVOCATION_CONTEXT",
    "Pencabutan",
    "RevocationList",
    "decode_list",
    "load_revocations",
    "normalise_id",
    "parse_revocations",
    "signed_revocations_json",
    "write_signed_revocations",
]

REVOCATION_CONTEXT = b"kukm-pencabutan\x00"

REVOCATION_LIST_INVALID = register_code(
    "REVOCATION_LIST_INVALID",
    "Daftar pencabutan sertifikat tidak dapat dibaca atau tanda tangannya tidak sah.",
    "The certificate revocation list cannot be read or its signature is not valid.",
    module=__name__,
)


@final
@frozen
class Pencabutan:
    """One revocation: certificate id (or bare NIK), from when, and why."""

    id: str
    tanggal_cabut: dt.date | None = None
    alasan: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tanggal_cabut": self.tanggal_cabut.isoformat() if self.tanggal_cabut else None,
            "alasan": self.alasan,
        }


def _as_tuple(entries: Iterable[Pencabutan]) -> tuple[Pencabutan, ...]:
    return tuple(entries)


@final
@frozen
class RevocationList:
    """Revocations a verifier trusts (``signed_by``: key id of a checked signature)."""

    entries: tuple[Pencabutan, ...] = field(converter=_as_tuple, factory=tuple)
    signed_by: str | None = None
    diterbitkan: dt.date | None = None
    _index: dict[str, list[Pencabutan]] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, list[Pencabutan]] = {}
        for entry in self.entries:
            index.setdefault(entry.id, []).append(entry)
        object.__setattr__(self, "_index", index)

    def revoked(self, sertifikat_id: str, *, on: dt.date | None = None) -> Pencabutan | None:
        """The entry revoking ``sertifikat_id`` on date ``on`` (any date if ``None``)."""
        nik = sertifikat_id.split("-", 1)[0]
        for key in (sertifikat_id, nik):
            for entry in self._index.get(key, ()):
                if on is None or entry.tanggal_cabut is None or entry.tanggal_cabut <= on:
                    return entry
        return None

    def __len__(self) -> int:
        return len(self.entries)


def _invalid(value: object) -> ValidationError:
    return ValidationError(code=REVOCATION_LIST_INVALID, field="revocations", value=value)


def _canonical(doc: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_revocations_json(
    entries: Iterable[Pencabutan], private_key: Ed25519PrivateKey, *, diterbitkan: dt.date
) -> str:
    """The signed JSON text of a revocation list."""
    doc: dict[str, Any] = {
        "format": "kukm-pencabutan",
        "version": 1,
        "key_id": key_id(private_key.public_key()).hex(),
        "diterbitkan": diterbitkan.isoformat(),
        "entries": [e.as_dict() for e in entries],
    }
    signature = private_key.sign(REVOCATION_CONTEXT + _canonical(doc))
    doc["signature"] = base64.b64encode(signature).decode("ascii")
    return json.dumps(doc, ensure_ascii=False, indent=1)


def write_signed_revocations(
    path: str | os.PathLike[str],
    entries: Iterable[Pencabutan],
    private_key: Ed25519PrivateKey,
    *,
    diterbitkan: dt.date,
) -> Path:
    """Write a signed revocation list file and return its path.

    >>> import tempfile, pathlib
    >>> key = Ed25519PrivateKey.generate()
    >>> p = write_signed_revocations(pathlib.Path(tempfile.mkdtemp()) / "cabut.json",
    ...     [Pencabutan("3171100090001")], key, diterbitkan=dt.date(2026, 3, 1))
    >>> len(load_revocations(p, public_keys=[key.public_key()]))
    1
    """
    out = Path(path)
    out.write_text(signed_revocations_json(entries, private_key, diterbitkan=diterbitkan), "utf-8")
    return out


_ID_RE = re.compile(r"^(\d{13})(?:-(\d{8}))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{8}$")
#: Column titles a plain list may start with (one header line, case-insensitive).
HEADER_WORDS = frozenset(
    {
        "id",
        "sertifikat_id",
        "id_sertifikat",
        "nik",
        "nik_koperasi",
        "nomor_induk_koperasi",
        "tanggal",
        "tanggal_cabut",
        "alasan",
        "keterangan",
    }
)
_DELIMITER_RE = re.compile(r"^[^;,\t ]+ *([;,\t])")


def _line_error(where: str, problem: str, text: str) -> ValidationError:
    return ValidationError(
        f"revocation list {where}: {problem}: {text!r} "
        "(daftar pencabutan: entri ini tidak dapat dibaca)",
        code=REVOCATION_LIST_INVALID,
        field="revocations",
        value=text,
    )


def normalise_id(raw: str) -> str | None:
    """A revocation entry's id in canonical form, or ``None`` when it is not one.

    An entry is a 13-digit Nomor Induk Koperasi (every certificate of it) or a
    ``sertifikat_id`` ``<NIK>-<YYYYMMDD>``. Dots and blanks inside the NIK
    (``3171.01.006.0001``), an Excel apostrophe, surrounding quotes and an ISO
    date after the dash (``…-2026-03-01``) are unambiguous and normalised.

    >>> normalise_id("3171.01.006.0001"), normalise_id("'3171010060001-2026-03-01")
    ('3171010060001', '3171010060001-20260301')
    >>> normalise_id("317101006000"), normalise_id("3171010060001-20261399") is None
    (None, True)
    """
    text = raw.strip().strip('"').strip().lstrip("'")
    nik, dash, day = text.partition("-")
    nik = re.sub(r"[.\s]", "", nik)
    day = day.replace("-", "") if dash else ""
    match = _ID_RE.match(f"{nik}-{day}" if dash else nik)
    if match is None:
        return None
    if match.group(2):
        try:
            dt.datetime.strptime(match.group(2), "%Y%m%d")
        except ValueError:
            return None
    return match.group(0)


def _date(value: Any, where: str = "diterbitkan") -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if not _DATE_RE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _line_error(where, "not a date YYYY-MM-DD", text) from None


def _json_list(text: str, public_keys: Iterable[Ed25519PublicKey]) -> RevocationList:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _line_error(f"line {exc.lineno}", f"not JSON ({exc.msg})", text[:40]) from None
    if not isinstance(doc, dict) or doc.get("format") != "kukm-pencabutan":
        raise _line_error("format", "not a kukm-pencabutan list", str(doc)[:60])
    try:
        signature = base64.b64decode(str(doc.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("signature") from None
    message = REVOCATION_CONTEXT + _canonical(doc)
    signer: str | None = None
    for pk in public_keys:
        if key_id(pk).hex() != doc.get("key_id"):
            continue
        try:
            pk.verify(signature, message)
        except InvalidSignature:
            continue
        signer = key_id(pk).hex()
        break
    if signer is None:
        raise _invalid("signature")
    raw_entries = doc.get("entries", [])
    if not isinstance(raw_entries, list):
        raise _line_error("entries", "not a list", str(raw_entries)[:60])
    entries = []
    for i, e in enumerate(raw_entries):
        where = f"entries[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            raise _line_error(where, "not an entry with an id", str(e)[:60])
        ident = normalise_id(e["id"])
        if ident is None:
            raise _line_error(where, "not a NIK Koperasi (13 digits) or NIK-YYYYMMDD", e["id"])
        alasan = e.get("alasan")
        if alasan is not None and not isinstance(alasan, str):
            raise _line_error(where, "alasan is not text", str(alasan))
        entries.append(Pencabutan(ident, _date(e.get("tanggal_cabut"), where), alasan))
    return RevocationList(entries, signed_by=signer, diterbitkan=_date(doc.get("diterbitkan")))


def _fields(content: str, delimiter: str | None) -> list[str]:
    if delimiter is None or delimiter not in content:
        return content.split(None, 2)
    row = next(csv.reader([content], delimiter=delimiter, skipinitialspace=True), [])
    return [f.strip() for f in row]


def _delimiter(lines: list[str]) -> str | None:
    """The file's separator: the one right after the first field of the first line that
    has one (``;``, tab or ``,``); ``None`` = blanks."""
    for line in lines:
        match = _DELIMITER_RE.match(line.split("#", 1)[0].strip())
        if match:
            return match.group(1)
    return None


def _plain_list(text: str) -> RevocationList:
    entries: list[Pencabutan] = []
    lines = text.splitlines()
    delimiter = _delimiter(lines)
    first = True
    for no, line in enumerate(lines, 1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        where = f"line {no}"
        if "\x00" in content:
            raise _line_error(
                where, "holds NUL characters (UTF-16 without a BOM? save it as UTF-8)", line[:24]
            )
        fields = _fields(content, delimiter)
        if first:
            first = False
            words = [f.strip().lower() for f in fields if f.strip()]
            if words and normalise_id(fields[0]) is None and set(words) <= HEADER_WORDS:
                continue  # one header line, e.g. "id,tanggal_cabut,alasan"
        if len(fields) > 3:
            raise _line_error(where, "more than 3 fields (id, tanggal_cabut, alasan)", line)
        ident = normalise_id(fields[0]) if fields else None
        if ident is None:
            raise _line_error(
                where, "not a NIK Koperasi (13 digits) or NIK-YYYYMMDD at the start", line
            )
        day = _date(fields[1], where) if len(fields) > 1 else None
        alasan = fields[2].strip() or None if len(fields) > 2 else None
        entries.append(Pencabutan(ident, day, alasan))
    return RevocationList(entries)


def parse_revocations(text: str, *, public_keys: Iterable[Ed25519PublicKey] = ()) -> RevocationList:
    """Parse a signed JSON list (its signature must verify with one of ``public_keys``)
    or a plain text list. Nothing is skipped: a line or entry that cannot be read is
    ``REVOCATION_LIST_INVALID`` naming it, since an ignored line is a revoked certificate
    that verifies as valid.

    The plain list has one entry per line: ``<id> [tanggal_cabut [alasan]]``, fields
    separated by blanks, or by the file's separator – ``;``, a tab or ``,``, the one
    that first follows an id – where a line has it (CSV quoting allowed). ``#`` starts a comment; the first
    line may be a header of column titles (:data:`HEADER_WORDS`); ids are normalised
    (:func:`normalise_id`); dates are ``YYYY-MM-DD`` (``01/03/2026`` is ambiguous, refused).

    >>> parse_revocations("# dicabut\\n3171100090001-20260105 2026-02-01\\n").entries[0].tanggal_cabut
    datetime.date(2026, 2, 1)
    >>> parse_revocations("id;tanggal_cabut\\n3171.10.009.0001;2026-02-01").entries[0].id
    '3171100090001'
    >>> parse_revocations("3171100090001 01/02/2026")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [REVOCATION_LIST_INVALID] revocation list line 1: ...
    >>> parse_revocations('{"format": "kukm-pencabutan", "entries": []}')
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [REVOCATION_LIST_INVALID] ...
    """
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        return _json_list(text.lstrip(), public_keys)
    return _plain_list(text)


def decode_list(data: bytes, name: str = "revocations") -> str:
    """The text of a list file: UTF-8 (a BOM is dropped), or UTF-16/UTF-32 with a BOM.

    >>> decode_list("\\ufeff3171100090001".encode("utf-16"))
    '3171100090001'
    >>> decode_list(b"\\xff\\x00")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [REVOCATION_LIST_INVALID] revocation list ...
    """
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    encoding = next((enc for bom, enc in boms if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise _line_error(
            f"{name} (byte {exc.start})",
            f"not {encoding.upper()} text; save the list as UTF-8 (or UTF-16 with a BOM)",
            data[max(0, exc.start - 8) : exc.start + 8].hex(" "),
        ) from None


def load_revocations(
    path: str | os.PathLike[str], *, public_keys: Iterable[Ed25519PublicKey] = ()
) -> RevocationList:
    """Read a revocation list file (see :func:`parse_revocations` and :func:`decode_list`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _invalid(str(exc)) from None
    return parse_revocations(decode_list(data, str(path)), public_keys=public_keys)
