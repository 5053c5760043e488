"""Masking of personal data in public outputs (Kepgub DKI 1625/2021 huruf I.3–4).

Whoever is given access to Koperasi and UKM data must keep it confidential
(I.3); kukm therefore masks personal data – ``nik_penduduk``, telephone,
e-mail and people's names (``pemilik.nama``, the ``pengurus`` names) – in
anything public, by default. Which fields and how (``style``) are
configurable (the ``[masking]`` table of the access policy file).

Styles:

* ``sebagian`` (default): keep a hint – a NIK keeps its 6 region digits, a
  phone its last 3 digits, an e-mail its first letter and domain, a name the
  initial of each word;
* ``penuh``: every character becomes ``*``;
* ``hapus``: the value becomes ``None``.

>>> from kukm.model import Umkm, Pemilik
>>> u = Umkm(nama_usaha="Warung", pemilik=Pemilik(nama="Sri Wahyuni",
...          nik_penduduk="3171011708450001"), telepon="081234567890")
>>> m = mask_record(u)
>>> m.pemilik.nama, m.pemilik.nik_penduduk, m.telepon, m.nama_usaha
('S** W******', '317101**********', '*********890', 'Warung')
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeVar

import attrs
from attrs import field, frozen

from kukm.exceptions import ConfigurationError, register_code

__all__ = [
    "DEFAULT_MASKED_FIELDS",
    "MASK_STYLES",
    "MaskingConfig",
    "mask_dict",
    "mask_record",
    "mask_value",
]

MaskStyle = Literal["sebagian", "penuh", "hapus"]
MASK_STYLES: Final[tuple[str, ...]] = ("sebagian", "penuh", "hapus")

#: Personal data masked by default (I.3): people's numbers, contacts and names.
DEFAULT_MASKED_FIELDS: Final[tuple[str, ...]] = (
    "pemilik.nama",
    "pemilik.nik_penduduk",
    "telepon",
    "email",
    "pengurus.ketua",
    "pengurus.sekretaris",
    "pengurus.bendahara",
    "pengurus.pengawas",
    "pengurus.manajer",
)

T = TypeVar("T")

MASK_STYLE_UNKNOWN: Final = register_code(
    "MASK_STYLE_UNKNOWN",
    "Gaya penyamaran data tidak dikenal.",
    "Unknown masking style.",
    module=__name__,
)


def _check_style(_: object, __: object, value: str) -> None:
    if value not in MASK_STYLES:
        raise ConfigurationError(
            f"unknown mask style {value!r} (known: {', '.join(MASK_STYLES)})",
            code="MASK_STYLE_UNKNOWN",
        )


@frozen
class MaskingConfig:
    """Which dotted field paths are masked, and how.

    >>> MaskingConfig(style="penuh").style
    'penuh'
    """

    fields: tuple[str, ...] = field(default=DEFAULT_MASKED_FIELDS, converter=tuple)
    style: str = field(default="sebagian", validator=_check_style)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MaskingConfig:
        """Build from the ``[masking]`` table of a policy file.

        >>> MaskingConfig.from_mapping({"fields": ["email"], "style": "hapus"}).fields
        ('email',)
        """
        fields = data.get("fields", DEFAULT_MASKED_FIELDS)
        style = data.get("style", "sebagian")
        if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
            raise ConfigurationError("masking.fields must be a list of field paths")
        if not isinstance(style, str):
            raise ConfigurationError("masking.style must be a string")
        return cls(tuple(fields), style)


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def mask_value(value: Any, path: str = "", style: str = "sebagian") -> Any:
    """Mask one value; the field ``path`` chooses the partial form.

    >>> mask_value("budi@example.com", "email")
    'b***@example.com'
    >>> mask_value("Budi", "pemilik.nama", "penuh")
    '****'
    >>> mask_value("Budi", "pemilik.nama", "hapus") is None
    True
    >>> mask_value(None, "email") is None
    True
    """
    if value is None:
        return None
    if style == "hapus":
        return None
    text = str(value)
    if style == "penuh":
        return "*" * len(text)
    leaf = _leaf(path)
    if leaf == "nik_penduduk":
        keep = 6 if len(text) > 6 else 0
        return text[:keep] + "*" * (len(text) - keep)
    if leaf == "email":
        local, at, domain = text.partition("@")
        if not at:
            return "*" * len(text)
        return (local[:1] + "***" if len(local) > 1 else "***") + "@" + domain
    if leaf == "telepon":
        keep = 3 if len(text) > 6 else 0
        return "*" * (len(text) - keep) + text[len(text) - keep :]
    # names: keep the first letter of every word longer than one letter
    return " ".join(
        w[:1] + "*" * (len(w) - 1) if len(w) > 1 else "*" * len(w) for w in text.split(" ")
    )


_Tree = dict[str, Any]  # field name -> subtree, or None for a leaf


@functools.lru_cache(maxsize=64)
def _tree(fields: tuple[str, ...]) -> _Tree:
    """The dotted paths as a nested dict, built once per configuration."""
    root: _Tree = {}
    for path in fields:
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node.setdefault(parts[-1], None)
    return root


def _apply(obj: Any, tree: _Tree, prefix: str, style: str) -> Any:
    """Mask every path of ``tree`` in ``obj`` with one copy per changed object."""
    is_map = isinstance(obj, Mapping)
    if not is_map and (obj is None or not attrs.has(type(obj))):
        return obj
    changes: dict[str, Any] = {}
    for name, sub in tree.items():
        if is_map:
            if name not in obj:
                continue
            current = obj[name]
        else:
            current = getattr(obj, name, _MISSING)
            if current is _MISSING:
                continue
        if current is None:
            continue
        path = prefix + name
        new = (
            mask_value(current, path, style)
            if sub is None
            else _apply(current, sub, path + ".", style)
        )
        if new is not current:
            changes[name] = new
    if not changes:
        return obj
    if is_map:
        return {**obj, **changes}
    return attrs.evolve(obj, **changes)


_MISSING: Final = object()


def mask_record(record: T, config: MaskingConfig | None = None) -> T:
    """A copy of an entity (or a ``StoredRecord``'s record) with personal data masked.

    Fields the entity does not have are ignored, so one config serves both
    :class:`~kukm.model.Umkm` and :class:`~kukm.model.Koperasi`.

    >>> from kukm.model import Koperasi, Pengurus
    >>> k = Koperasi(nama="KSP Maju", pengurus=Pengurus(ketua="Ahmad Yani"))
    >>> mask_record(k).pengurus.ketua
    'A**** Y***'
    >>> mask_record(k, MaskingConfig(style="hapus")).pengurus.ketua is None
    True
    """
    cfg = config or MaskingConfig()
    result: T = _apply(record, _tree(cfg.fields), "", cfg.style)
    return result


def mask_dict(data: Mapping[str, Any], config: MaskingConfig | None = None) -> dict[str, Any]:
    """Mask an unstructured record (nested dicts, as :func:`kukm.converters.unstructure` makes).

    >>> mask_dict({"nama_usaha": "Toko", "email": "ani@b.id"})
    {'nama_usaha': 'Toko', 'email': 'a***@b.id'}
    """
    return dict(mask_record(dict(data), config))
