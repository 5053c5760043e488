"""Store ops for a batch's clean rows straight from its typed columns, without entity objects.

An import writes, for each accepted row, the record's canonical JSON, its
content hash, its record id and its dimension columns. Row by row these come
from the record (:func:`kukm.storage._codec.prepare_ops`,
:func:`kukm.pipeline.checks.record_id`); for the rows
:meth:`~kukm.rules.instruments.Instrument.parse_batch` typed column-wise they
come here from the columns: each attribute's JSON fragment is computed for
the whole column with the encoders :mod:`kukm.storage._fastjson` uses for
one value (``scalar_encoder``: ``encode_basestring``, ``int.__repr__``, the
ISO date), and one format string per instrument, built from
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
import string
import typing
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

import attrs

from kukm.model import Umkm
from kukm.storage import _codec
from kukm.storage._fastjson import Slow, fast_dumps, field_type, scalar_encoder

__all__ = ["ColumnPreparer"]

_Fragment = Callable[[list[Any]], list[str] | None]


def _fragments(declared: Any) -> _Fragment | None:
    """Column → JSON fragments for a scalar attribute, as :mod:`kukm.storage._fastjson` writes
    them (``None`` for a column holding another type than the declared one)."""
    found = field_type(declared)
    one = scalar_encoder(found[0]) if found is not None else None
    if found is None or one is None:
        return None
    kind = found[0]
    encode: Callable[[list[Any]], list[str]]
    encode_blanks: Callable[[list[Any]], list[str]]
    if kind is dt.date:
        # the ISO text in quotes, as scalar_encoder's date encoder writes it, without a Python
        # call per value
        iso = dt.date.isoformat

        def encode(values: list[Any]) -> list[str]:
            return ['"' + s + '"' for s in map(iso, values)]

        def encode_blanks(values: list[Any]) -> list[str]:
            return ['"' + iso(v) + '"' if v is not None else "null" for v in values]
    else:

        def encode(values: list[Any]) -> list[str]:
            return list(map(one, values))

        def encode_blanks(values: list[Any]) -> list[str]:
            # one pass with the C encoder (measured faster than encoding the others apart and
            # putting "null" back, whatever the share of blanks)
            return [one(v) if v is not None else "null" for v in values]

    def fragments(col: list[Any]) -> list[str] | None:
        types_seen = set(map(type, col))
        types_seen.discard(type(None))
        if not types_seen <= {kind}:
            return None  # not the declared type: the caller builds records
        return encode_blanks(col) if None in col else encode(col)

    return fragments


class ColumnPreparer:
    """The column road of one instrument (``supported`` tells whether it has one)."""

    def __init__(self, inst: Any) -> None:
        self.supported = False
        self.template = ""
        self._printf = ""
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
        pieces = self._object(Umkm, top, subs)
        if pieces is None:
            return
        self.template = pieces
        # the same template for printf-style formatting: a row's fragments fill it about a third
        # faster than str.format does (measured on the UMKM form's 18 fragments)
        self._printf = "".join(
            literal.replace("%", "%%") + ("%s" if name is not None else "")
            for literal, name, _, _ in string.Formatter().parse(pieces)
        )
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
                frag = _fragments(declared)
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
                    text = fast_dumps(value) if attrs.has(type(value)) else _codec._dumps(value)
                except (Slow, TypeError, ValueError):
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
        return list(map(self._printf.__mod__, zip(*cols, strict=True)))
