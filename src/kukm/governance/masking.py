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
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeVar

import attrs
from attrs import field, frozen

from kukm.exceptions import ConfigurationError, register_code

__all__ = [
    "DEFAULT_MASKED_FIELDS",
    "MASK_STYLES",
    "MaskingConfig",
    "free_form_kind",
    "mask_dict",
    "mask_record",
    "mask_value",
    "personal_kind",
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


#: Free-form fields (``atribut_lain``: a source's columns kukm has no field for) named as
#: personal data by their title, by kind: the words of the title that say so.
_KEY_WORDS: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("email", frozenset({"email", "surel", "mail"})),
    (
        "telepon",
        frozenset(
            {"telp", "telepon", "telpon", "tlp", "tel", "hp", "handphone", "ponsel", "phone",
             "whatsapp", "wa", "nohp", "notelp", "notlp", "kontak"}
        ),
    ),
    ("nik_penduduk", frozenset({"nik", "ktp", "nikpenduduk", "nikpemilik", "kependudukan"})),
    (
        "nama",
        frozenset(
            {"pemilik", "ketua", "sekretaris", "bendahara", "pengawas", "manajer", "manager",
             "pengurus", "penanggung", "penanggungjawab", "pj", "pendiri"}
        ),
    ),
)
#: Title words that make a free-form field about something else (a count, a date, a status,
#: the cooperative's own number): ``Jumlah Pengurus``, ``Status NIK``, ``NIK Koperasi``.
_NOT_PERSONAL_WORDS: Final = frozenset(
    {"jumlah", "total", "jml", "status", "tanggal", "tgl", "koperasi", "kop", "berlaku"}
)
#: The entity fields whose masking a free-form field of that kind follows.
_KIND_PATHS: Final[dict[str, tuple[str, ...]]] = {
    "email": ("email",),
    "telepon": ("telepon",),
    "nik_penduduk": ("pemilik.nik_penduduk",),
    "nama": (
        "pemilik.nama",
        "pengurus.ketua",
        "pengurus.sekretaris",
        "pengurus.bendahara",
        "pengurus.pengawas",
        "pengurus.manajer",
    ),
}
_FREE_FORM: Final = "atribut_lain"
_JSON_PREFIX: Final = "~json:"
_DUP_KEY: Final = "~ods_dup"
_WORD_RE: Final = re.compile(r"[^0-9a-z]+")


def personal_kind(key: str) -> str | None:
    """The kind of personal data a free-form field holds by its title, or ``None``.

    Sources bring columns kukm has no field for; they are kept in ``atribut_lain`` under
    their titles (an ODS file's ``NIK``, ``Email`` or ``No HP`` column: a Koperasi has no such
    field). Such a column is the personal data its title names, and is masked whenever the
    policy masks that kind's entity field (``nik_penduduk`` → ``pemilik.nik_penduduk``,
    ``telepon``, ``email``, ``nama`` → ``pemilik.nama`` or a ``pengurus`` name). Only the
    title is read: names inside free text are not guessed.

    >>> personal_kind("NIK"), personal_kind("No. HP"), personal_kind("E-mail"), personal_kind("Ketua")
    ('nik_penduduk', 'telepon', 'email', 'nama')
    >>> personal_kind("NIK Koperasi"), personal_kind("Jumlah Pengurus"), personal_kind("pkt_tahap")
    (None, None, None)
    """
    text = unicodedata.normalize("NFKC", key).casefold()
    if text.startswith(_JSON_PREFIX):
        text = text[len(_JSON_PREFIX) :]
    words = {w for w in _WORD_RE.split(text.replace("e-mail", "email")) if w}
    if not words or words & _NOT_PERSONAL_WORDS:
        return None
    for kind, marks in _KEY_WORDS:
        if words & marks:
            return kind
    return None


def _free_form_masked(kind: str, fields: tuple[str, ...]) -> bool:
    return any(p in fields for p in _KIND_PATHS[kind])


def free_form_kind(path: str, config: MaskingConfig) -> str | None:
    """For a field path ``atribut_lain.<title>`` whose title names personal data the config
    masks (:func:`personal_kind`), that kind; else ``None``.

    >>> free_form_kind("atribut_lain.No HP", MaskingConfig()), free_form_kind("telepon", MaskingConfig())
    ('telepon', None)
    >>> free_form_kind("atribut_lain.No HP", MaskingConfig(fields=["email"])) is None
    True
    """
    head, dot, key = path.partition(".")
    if head != _FREE_FORM or not dot:
        return None
    kind = personal_kind(key)
    return kind if kind is not None and _free_form_masked(kind, config.fields) else None


def _mask_free_form_value(key: str, value: Any, cfg: MaskingConfig) -> Any:
    if key == _DUP_KEY and isinstance(value, str):
        # fields a source gave twice: the names and the values not read (JSON object)
        try:
            inner = json.loads(value)
        except ValueError:
            return value
        if not isinstance(inner, dict):
            return value
        changed = {k: _mask_free_form_value(str(k), v, cfg) for k, v in inner.items()}
        if all(changed[k] is inner[k] for k in inner):
            return value
        return json.dumps(changed, ensure_ascii=False)
    kind = personal_kind(key)
    if kind is None or not _free_form_masked(kind, cfg.fields):
        return value
    return mask_value(value, kind, cfg.style)


def _mask_free_form(record: Any, cfg: MaskingConfig) -> Any:
    """``atribut_lain`` entries whose titles name masked personal data, masked (see
    :func:`personal_kind`); entries the config lists by path were masked already."""
    is_map = isinstance(record, Mapping)
    if is_map:
        lain = record.get(_FREE_FORM)
    elif attrs.has(type(record)):
        lain = getattr(record, _FREE_FORM, None)
    else:
        return record
    if not isinstance(lain, Mapping) or not lain:
        return record
    listed = {p.split(".", 1)[1] for p in cfg.fields if p.startswith(_FREE_FORM + ".")}
    changes = {
        k: new
        for k, v in lain.items()
        if v is not None
        and str(k) not in listed
        and (new := _mask_free_form_value(str(k), v, cfg)) is not v
    }
    if not changes:
        return record
    new_lain = {**lain, **changes}
    if is_map:
        return {**record, _FREE_FORM: new_lain}
    return attrs.evolve(record, **{_FREE_FORM: new_lain})


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
    result: T = _mask_free_form(_apply(record, _tree(cfg.fields), "", cfg.style), cfg)
    return result


def mask_dict(data: Mapping[str, Any], config: MaskingConfig | None = None) -> dict[str, Any]:
    """Mask an unstructured record (nested dicts, as :func:`kukm.converters.unstructure` makes).

    >>> mask_dict({"nama_usaha": "Toko", "email": "ani@b.id"})
    {'nama_usaha': 'Toko', 'email': 'a***@b.id'}
    """
    return dict(mask_record(dict(data), config))
