"""All (un)structuring of kukm entities: the one place cattrs is configured.

``converter`` turns entities into JSON-ready plain data (ISO dates, enum
values) and back. ``strict_converter`` forbids unknown keys, for data coming
in from outside.

>>> import datetime as dt
>>> from kukm.model import Umkm
>>> from kukm.converters import structure, unstructure
>>> u = Umkm(nama_usaha="Toko", modal_usaha=1_000_000, tanggal_berdiri=dt.date(2020, 1, 2))
>>> d = unstructure(u)
>>> d["tanggal_berdiri"], d["modal_usaha"]
('2020-01-02', 1000000)
>>> structure(d, Umkm) == u
True
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import make_converter

__all__ = ["converter", "strict_converter", "structure", "unstructure"]

T = TypeVar("T")


def _configure(conv: cattrs.Converter) -> cattrs.Converter:
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, lambda v, _: v if isinstance(v, dt.date) else dt.date.fromisoformat(v))
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(
        dt.datetime, lambda v, _: v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
    )

    def _int(v: Any, _: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int | str):
            raise TypeError(f"expected an integer, got {type(v).__name__}")
        return int(v)

    conv.register_structure_hook(int, _int)
    return conv


converter: cattrs.Converter = _configure(make_converter())
strict_converter: cattrs.Converter = _configure(make_converter(forbid_extra_keys=True))


def unstructure(obj: Any) -> Any:
    """Entity → plain JSON-ready data."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Plain data → entity (``cls``)."""
    return converter.structure(data, cls)
