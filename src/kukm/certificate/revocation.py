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
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, final

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kukm.certificate.keys import key_id
from kukm.exceptions import ValidationError, register_code

__all__ = [
    "REVOCATION_CONTEXT",
    "Pencabutan",
    "RevocationList",
    "load_revocations",
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


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(value) from None


def parse_revocations(text: str, *, public_keys: Iterable[Ed25519PublicKey] = ()) -> RevocationList:
    """Parse a signed JSON list (its signature must verify with one of ``public_keys``)
    or a plain text list.

    >>> parse_revocations("# dicabut\\n3171100090001-20260105 2026-02-01\\n").entries[0].tanggal_cabut
    datetime.date(2026, 2, 1)
    >>> parse_revocations('{"format": "kukm-pencabutan", "entries": []}')
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [REVOCATION_LIST_INVALID] ...
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            raise _invalid("json") from None
        if not isinstance(doc, dict) or doc.get("format") != "kukm-pencabutan":
            raise _invalid("format")
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
        try:
            entries = [
                Pencabutan(str(e["id"]), _date(e.get("tanggal_cabut")), e.get("alasan"))
                for e in doc.get("entries", [])
            ]
        except (KeyError, TypeError, AttributeError):
            raise _invalid("entries") from None
        return RevocationList(entries, signed_by=signer, diterbitkan=_date(doc.get("diterbitkan")))
    entries = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        entries.append(Pencabutan(parts[0], _date(parts[1]) if len(parts) > 1 else None))
    return RevocationList(entries)


def load_revocations(
    path: str | os.PathLike[str], *, public_keys: Iterable[Ed25519PublicKey] = ()
) -> RevocationList:
    """Read a revocation list file (see :func:`parse_revocations`)."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise _invalid(str(exc)) from None
    return parse_revocations(text, public_keys=public_keys)
