"""A fast path for the record codec: canonical JSON of an entity without cattrs.

:func:`fast_dumps` writes exactly what ``json.dumps(converter.unstructure(obj),
sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes, but with
one generated function per attrs class (keys sorted when the function is
built). It only takes values whose runtime type is the declared one
(``str``, ``int``, ``datetime.date``, a ``StrEnum``, a nested attrs class, a
``dict``); for anything else it raises :class:`Slow` and the caller uses the
general path, so its output never differs from the general path.
``tests/test_converters.py`` checks the equality as a hypothesis property.

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
from typing import Any

import attrs

__all__ = ["Slow", "fast_dumps"]


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


def _build(cls: type) -> Callable[[Any], str]:
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"Slow": Slow, "esc": encode_basestring, "irepr": int.__repr__}
    lines = ["def encode(o):"]
    pieces: list[str] = []
    for n, f in enumerate(sorted(attrs.fields(cls), key=lambda f: f.name)):
        declared = hints[f.name]
        args = typing.get_args(declared) if isinstance(declared, types.UnionType) else (declared,)
        none_ok = type(None) in args
        kinds = [a for a in args if a is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"fast path cannot encode {cls.__name__}.{f.name}: {declared}")
        t = kinds[0]
        origin = typing.get_origin(t) or t
        env[f"T{n}"] = origin
        var = f"v{n}"
        lines.append(f"    {var} = o.{f.name}")
        if origin is str or (isinstance(origin, type) and issubclass(origin, enum.StrEnum)):
            expr = f"esc({var})"
        elif origin is int:
            expr = f"irepr({var})"
        elif origin is dt.date:
            env["date"] = _date
            expr = f"date({var})"
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
