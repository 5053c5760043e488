"""Store ops for a batch's clean rows straight from its typed columns, without entity objects.

An import writes, for each accepted row, the record's canonical JSON, its
content hash, its record id and its dimension columns. Row by row these come
from the record (:func:`kukm.storage._codec.prepare_ops`,
:func:`kukm.pipeline.checks.record_id`); for the rows
:meth:`~kukm.rules.instruments.Instrument.parse_batch` typed column-wise they
come here from the columns: each attribute's JSON fragment is computed for
the whole column (``json.encoder.encode_basestring``, ``int.__repr__``,
``date.isoformat``, all C), and one format string per instrument, built from
the entity's attrs fields in sorted order exactly as
:mod:`kukm.storage._fastjson` writes them, joins the fragments of a row.

Only what this module knows how to write exactly takes this road: a UMKM form
whose every field maps to an attribute of the entity (no ``atribut_lain``)
and whose columns hold values of the declared types. Anything else returns
``None`` and the caller builds records. Tests check, on generated rows,
that every blob, hash, id and dimension equals the row-by-row result.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import types
import typing
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

import attrs

from kukm.model import Umkm
from kukm.storage import _codec
from kukm.storage._fastjson import Slow, fast_dumps

__all__ = ["ColumnPreparer"]

_Fragment = Callable[[list[Any]], list[str] | None]


def _nullable(fn: Callable[[Any], str], kind: type) -> _Fragment:
    def fragments(col: list[Any]) -> list[str] | None:
        types_seen = set(map(type, col))
        types_seen.discard(type(None))
        if not types_seen <= {kind} and not (
            issubclass(kind, enum.Enum) and all(isinstance(v, kind) for v in col if v is not None)
        ):
            return None  # not the declared type: the caller builds records
        if None in col:
            return [fn(v) if v is not None else "null" for v in col]
        return list(map(fn, col))

    return fragments


def _date(v: dt.date) -> str:
    return '"' + v.isoformat() + '"'


def _fragment_for(declared: Any) -> _Fragment | None:
    args = typing.get_args(declared) if isinstance(declared, types.UnionType) else (declared,)
    kinds = [a for a in args if a is not type(None)]
    if len(kinds) != 1:
        return None
    t = typing.get_origin(kinds[0]) or kinds[0]
    if t is str:
        return _nullable(encode_basestring, str)
    if isinstance(t, type) and issubclass(t, enum.StrEnum):
        return _nullable(encode_basestring, t)
    if t is int:
        return _nullable(int.__repr__, int)
    if t is dt.date:
        return _nullable(_date, dt.date)
    return None


class ColumnPreparer:
    """The column road of one instrument (``supported`` tells whether it has one)."""

    def __init__(self, inst: Any) -> None:
        self.supported = False
        self.template = ""
        self.plan: list[tuple[int, _Fragment]] = []
        if inst.entity != "umkm":
            return
        top: dict[str, int] = {}
        subs: dict[str, dict[str, int]] = {}
        for i, f in enumerate(inst.fields):
            if f.target == "-":
                continue
            if f.target is None:
                return  # values kept in atribut_lain: the record road
            if "." in f.target:
                a, b = f.target.split(".", 1)
                subs.setdefault(a, {})[b] = i
            else:
                top[f.target] = i
        self.names = {f.name: i for i, f in enumerate(inst.fields)}
        pieces = self._object(Umkm, top, subs)
        if pieces is None:
            return
        self.template = pieces
        self.supported = True

    def _object(
        self, cls: type, given: dict[str, int], subs: dict[str, dict[str, int]] | None
    ) -> str | None:
        hints = typing.get_type_hints(cls)
        out: list[str] = []
        for a in sorted(attrs.fields(cls), key=lambda x: x.name):
            key = encode_basestring(a.name)
            declared = hints[a.name]
            if subs is not None and a.name in subs:
                inner = typing.get_args(declared) or (declared,)
                sub_cls = next((t for t in inner if attrs.has(t)), None)
                if sub_cls is None or type(None) in inner:
                    return None  # an optional sub-object (made only when a value is given)
                body = self._object(sub_cls, subs[a.name], None)
                if body is None:
                    return None
                out.append(f"{key}:{body}")
            elif a.name in given:
                frag = _fragment_for(declared)
                if frag is None:
                    return None
                self.plan.append((given[a.name], frag))
                out.append(f"{key}:{{}}")
            else:  # the attribute's default, written once
                if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
                    value = a.default.factory()
                elif a.default is attrs.NOTHING:
                    return None
                else:
                    value = a.default
                try:
                    text = "null" if value is None else fast_dumps(value) if attrs.has(type(value)) else None
                except Slow:
                    return None
                if text is None:
                    if value == {}:
                        text = "{}"
                    else:
                        return None
                out.append(f"{key}:{text.replace('{', '{{').replace('}', '}}')}")
        return "{{" + ",".join(out) + "}}"

    def blobs(self, values: Sequence[list[Any]]) -> list[str] | None:
        """Every row's canonical JSON from the typed columns (``None``: use records)."""
        cols = []
        for i, frag in self.plan:
            got = frag(values[i])
            if got is None:
                return None
            cols.append(got)
        if not cols:
            return None
        return list(map(self.template.format, *cols))


def content_hashes(blobs: Sequence[str]) -> list[str]:
    """The content hash the store keeps for each blob (:func:`kukm.storage._codec.encode_record`)."""
    blake = hashlib.blake2b
    return [blake(b.encode("utf-8"), digest_size=16).hexdigest() for b in blobs]


def umkm_dims(
    nib: str | None,
    npwp: str | None,
    nik: str | None,
    nama: str | None,
    code: str | None,
    kbli: str | None,
    jk: Any,
    skala: str | None,
) -> dict[str, str | None]:
    """The dimension columns of one UMKM row (as :func:`kukm.storage._codec._dims`)."""
    prov, kab, kec, kel = _codec._regions(code)
    return {
        "nib": nib,
        "npwp": npwp,
        "nik_penduduk": nik,
        "nomor_induk_koperasi": None,
        "nomor_badan_hukum": None,
        "nama": nama,
        "kode_wilayah": code,
        "provinsi": prov,
        "kab_kota": kab,
        "kecamatan": kec,
        "kelurahan": kel,
        "skala": skala,
        "jenis": None,
        "bentuk": None,
        "kelompok": None,
        "kbli": kbli,
        "jenis_kelamin": jk.value if jk else None,
        "status_nik": None,
        "grade": None,
    }
