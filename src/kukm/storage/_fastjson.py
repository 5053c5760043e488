"""Fast paths for the record codec: canonical JSON of an entity, and back, without cattrs.

:func:`fast_dumps` writes exactly what ``json.dumps(converter.unstructure(obj),
sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes, but with
one generated function per attrs class (keys sorted when the function is
built). It only takes values whose runtime type is the declared one
(``str``, ``int``, ``datetime.date``, a ``StrEnum``, a nested attrs class, a
``dict``); for anything else it raises :class:`Slow` and the caller uses the
general path, so its output never differs from the general path.
:func:`fast_structure` is the way back for data kukm wrote itself: it builds
the entity from a JSON-decoded dict when every value has the expected JSON
type, and raises :class:`Slow` otherwise (then cattrs structures it, with its
conversions and error messages). ``tests/test_converters.py`` checks both
equalities as hypothesis properties.

>>> import datetime as dt
>>> from kukm.model import Umkm
>>> fast_dumps(Umkm(nama_usaha="Toko", tanggal_data=dt.date(2024, 1, 2)))[:40]
'{"alamat":{"jalan":null,"kabkota_nama":n'
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, TypeVar

import attrs

__all__ = ["Slow", "fast_dumps", "fast_structure", "field_type", "scalar_encoder"]


T = TypeVar("T")


class Slow(Exception):
    """The fast path cannot encode this value exactly; use the general path."""


_dict_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_ENCODERS: dict[type, Callable[[Any], str]] = {}


def _date(v: dt.date) -> str:
    return '"' + v.isoformat() + '"'


def _dict(v: dict[Any, Any]) -> str:
    for key, value in v.items():
        if type(key) is not str or type(value) is not str:
            raise Slow
    return _dict_dumps(v) if v else "{}"


def field_type(declared: Any) -> tuple[Any, bool] | None:
    """``(runtime type, None allowed)`` of an attrs field's declared type, if it has one type."""
    args = typing.get_args(declared) if isinstance(declared, types.UnionType) else (declared,)
    kinds = [a for a in args if a is not type(None)]
    if len(kinds) != 1:
        return None
    return typing.get_origin(kinds[0]) or kinds[0], type(None) in args


def scalar_encoder(origin: Any) -> Callable[[Any], str] | None:
    """The canonical JSON of one value of type ``origin`` (text, enum, int, date), if scalar.

    >>> scalar_encoder(int)(7), scalar_encoder(dt.date)(dt.date(2024, 1, 2)), scalar_encoder(dict)
    ('7', '"2024-01-02"', None)
    """
    if origin is str or (isinstance(origin, type) and issubclass(origin, enum.StrEnum)):
        return encode_basestring
    if origin is int:
        return int.__repr__
    if origin is dt.date:
        return _date
    return None


def _build(cls: type) -> Callable[[Any], str]:
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"Slow": Slow}
    lines = ["def encode(o):"]
    pieces: list[str] = []
    for n, f in enumerate(sorted(attrs.fields(cls), key=lambda f: f.name)):
        declared = hints[f.name]
        found = field_type(declared)
        if found is None:
            raise TypeError(f"fast path cannot encode {cls.__name__}.{f.name}: {declared}")
        origin, none_ok = found
        env[f"T{n}"] = origin
        var = f"v{n}"
        lines.append(f"    {var} = o.{f.name}")
        scalar = scalar_encoder(origin)
        if scalar is not None:
            env[f"F{n}"] = scalar
            expr = f"F{n}({var})"
        elif origin is dict:
            env["dict_"] = _dict
            expr = f"dict_({var})"
        elif attrs.has(origin):
            env[f"E{n}"] = _encoder(origin)
            expr = f"E{n}({var})"
        else:
            raise TypeError(f"fast path cannot encode {cls.__name__}.{f.name}: {declared}")
        lines.append(f"    if type({var}) is T{n}: s{n} = {expr}")
        if none_ok:
            lines.append(f"    elif {var} is None: s{n} = 'null'")
        lines.append("    else: raise Slow")
        key = encode_basestring(f.name).replace("{", "{{").replace("}", "}}")
        pieces.append(f"{key}:{{s{n}}}")
    lines.append(f"    return f{'{{' + ','.join(pieces) + '}}'!r}")
    exec("\n".join(lines), env)
    encode: Callable[[Any], str] = env["encode"]
    return encode


def _encoder(cls: type) -> Callable[[Any], str]:
    enc = _ENCODERS.get(cls)
    if enc is None:
        enc = _ENCODERS[cls] = _build(cls)
    return enc


def fast_dumps(obj: Any) -> str:
    """Canonical JSON of an attrs entity; raises :class:`Slow` when unsure.

    >>> from kukm.model import Pemilik, JenisKelamin
    >>> fast_dumps(Pemilik(nama="Sri", jenis_kelamin=JenisKelamin.PEREMPUAN))
    '{"jenis_kelamin":"P","nama":"Sri","nik_penduduk":null}'
    """
    cls = type(obj)
    enc = _ENCODERS.get(cls)
    if enc is None:
        if not attrs.has(cls):
            raise Slow
        try:
            enc = _encoder(cls)
        except TypeError:
            enc = _ENCODERS[cls] = _always_slow
    return enc(obj)


def _always_slow(obj: Any) -> str:
    raise Slow


_DECODERS: dict[type, Callable[[Any], Any]] = {}


def _structure_date(v: Any) -> dt.date:
    if type(v) is not str:
        raise Slow
    return dt.date.fromisoformat(v)


def _structure_dict(v: Any) -> dict[str, str]:
    if type(v) is not dict:
        raise Slow
    for key, value in v.items():
        if type(key) is not str or type(value) is not str:
            raise Slow
    return dict(v)


def _build_decoder(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"Slow": Slow, "cls": cls, "date": _structure_date, "dict_": _structure_dict}
    lines = ["def decode(d):", "    if type(d) is not dict or len(d) != N: raise Slow"]
    args: list[str] = []
    fields = attrs.fields(cls)
    env["N"] = len(fields)
    for n, f in enumerate(fields):
        declared = hints[f.name]
        targs = typing.get_args(declared) if isinstance(declared, types.UnionType) else (declared,)
        none_ok = type(None) in targs
        kinds = [a for a in targs if a is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"no fast decoder for {cls.__name__}.{f.name}: {declared}")
        t = kinds[0]
        origin = typing.get_origin(t) or t
        var = f"v{n}"
        lines.append(f"    {var} = d[{f.name!r}]")
        guard = f"if {var} is not None:" if none_ok else "if True:"
        if origin is str:
            lines.append(f"    {guard}\n        if type({var}) is not str: raise Slow")
        elif origin is int:
            lines.append(f"    {guard}\n        if type({var}) is not int: raise Slow")
        elif isinstance(origin, type) and issubclass(origin, enum.StrEnum):
            env[f"E{n}"] = origin
            lines.append(f"    {guard}\n        if type({var}) is not str: raise Slow\n        {var} = E{n}({var})")
        elif origin is dt.date:
            lines.append(f"    {guard}\n        {var} = date({var})")
        elif origin is dict:
            lines.append(f"    {guard}\n        {var} = dict_({var})")
        elif attrs.has(origin):
            env[f"D{n}"] = _decoder(origin)
            lines.append(f"    {guard}\n        {var} = D{n}({var})")
        else:
            raise TypeError(f"no fast decoder for {cls.__name__}.{f.name}: {declared}")
        if not none_ok:
            lines.append(f"    if {var} is None: raise Slow")
        args.append(var)
    lines.append(f"    return cls({', '.join(args)})")
    exec("\n".join(lines), env)
    decode: Callable[[Any], Any] = env["decode"]
    return decode


def _decoder(cls: type) -> Callable[[Any], Any]:
    dec = _DECODERS.get(cls)
    if dec is None:
        dec = _DECODERS[cls] = _build_decoder(cls)
    return dec


def fast_structure(cls: type[T], data: Any) -> T:
    """Entity ``cls`` from JSON-decoded ``data``; raises :class:`Slow` when unsure.

    >>> from kukm.model import Pemilik
    >>> fast_structure(Pemilik, {"jenis_kelamin": "P", "nama": "Sri", "nik_penduduk": None})
    Pemilik(nama='Sri', nik_penduduk=None, jenis_kelamin=<JenisKelamin.PEREMPUAN: 'P'>)
    """
    dec: Callable[[Any], Any] | None = _DECODERS.get(cls)
    if dec is None:
        try:
            dec = _decoder(cls)
        except TypeError:
            dec = _DECODERS[cls] = _always_slow
    try:
        value = typing.cast(T, dec(data))
    except Slow:
        raise
    except Exception as exc:  # anything odd: let cattrs decide (and explain)
        raise Slow from exc
    return value
