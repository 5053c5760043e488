"""Personal data in what the service shows: the policy's masking plus the NIK inside an NPWP.

Under PMK 112/PMK.03/2022 (Pasal 2; REGULATIONS.md §9 [S]) the NPWP of an individual
resident **is** his or her NIK kependudukan: an UMKM's 16-digit ``npwp`` not starting
with ``0`` is then the owner's NIK and personal data exactly like
``pemilik.nik_penduduk`` (Kepgub DKI 1625/2021 I.3–4). The legacy **15-digit** NPWP and
the 16-digit form ``0`` + legacy number (badan, and holders not yet moved to the NIK)
are a tax registration number, not the NIK, and stay visible.

The rule (:func:`npwp_is_personal`), fail-closed: after dropping separators (``.``,
``-``, ``/``, spaces, an Excel apostrophe) an NPWP is a business's tax number only when
it is 15 digits, or 16 digits starting with ``0``; anything else (16 digits not starting
with ``0`` = a NIK, or a value that is no NPWP at all) counts as personal data. It is
masked like a NIK (``sebagian`` keeps the 6 region digits) whenever the policy masks
``npwp`` **or** ``pemilik.nik_penduduk`` – a policy that hides the NIK must not show it
through the NPWP. Used by :class:`~kukm.governance.service.Service` reads, ``find``,
``field_provenance``, ``quality`` and ``duplicates``.

>>> npwp_is_personal("3173066205843436"), npwp_is_personal("01.312.166.0-091.000")
(True, False)
>>> npwp_is_personal("0013121660091000"), npwp_is_personal("3173.0662.0584.3436")
(False, True)
>>> mask_npwp("3173066205843436", "sebagian"), mask_npwp("013121660091000", "sebagian")
('317306**********', '013121660091000')
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final, TypeVar

import attrs

from kukm.governance.masking import MaskingConfig, free_form_kind, mask_record, mask_value

__all__ = [
    "NPWP_PATH",
    "is_masked",
    "mask_field",
    "mask_for_user",
    "mask_npwp",
    "masked_paths",
    "npwp_is_personal",
]

#: The entity field holding an NPWP (``Umkm.npwp``).
NPWP_PATH: Final = "npwp"
_NIK_PATH: Final = "pemilik.nik_penduduk"
_SEPARATORS: Final = re.compile(r"[\s.\-/']")

T = TypeVar("T")


def _compact(value: object) -> str:
    return _SEPARATORS.sub("", str(value))


def npwp_is_personal(value: object) -> bool:
    """Whether an NPWP value is (or may be) a person's NIK – see the module docs.

    >>> npwp_is_personal(None), npwp_is_personal(""), npwp_is_personal("NPWP pribadi")
    (False, False, True)
    """
    if value is None:
        return False
    text = _compact(value)
    if not text:
        return False
    if text.isascii() and text.isdigit():
        if len(text) == 15:
            return False
        if len(text) == 16 and text[0] == "0":
            return False
    return True


def mask_npwp(value: Any, style: str) -> Any:
    """A personal NPWP masked like a NIK (its digits only); a business's NPWP unchanged.

    >>> mask_npwp("3173.0662.0584.3436", "penuh"), mask_npwp("3173066205843436", "hapus")
    ('****************', None)
    """
    if not npwp_is_personal(value):
        return value
    text = _compact(value)
    return mask_value(text, _NIK_PATH, style)


@functools.lru_cache(maxsize=64)
def _without_npwp(config: MaskingConfig) -> MaskingConfig:
    """``config`` minus ``npwp``: that one is masked by :func:`mask_npwp`, not by name."""
    rest = [p for p in config.fields if p != NPWP_PATH]
    return MaskingConfig.from_mapping({"fields": rest, "style": config.style})


@functools.lru_cache(maxsize=64)
def masked_paths(config: MaskingConfig) -> frozenset[str]:
    """The field paths masked under ``config``: its ``fields``, plus ``npwp`` with the NIK.

    >>> sorted(masked_paths(MaskingConfig(fields=["pemilik.nik_penduduk"])))
    ['npwp', 'pemilik.nik_penduduk']
    >>> sorted(masked_paths(MaskingConfig(fields=["email"])))
    ['email']
    """
    paths = set(config.fields)
    if _NIK_PATH in paths:
        paths.add(NPWP_PATH)
    return frozenset(paths)


def mask_field(value: Any, path: str, config: MaskingConfig) -> Any:
    """One value of field ``path`` as a user without ``read_personal`` sees it.

    >>> cfg = MaskingConfig()
    >>> mask_field("3173066205843436", "npwp", cfg), mask_field("Toko", "nama_usaha", cfg)
    ('317306**********', 'Toko')
    """
    if path not in masked_paths(config):
        kind = free_form_kind(path, config)  # a source's NIK/HP/e-mail column, by its title
        return value if kind is None else mask_value(value, kind, config.style)
    if path == NPWP_PATH:
        return mask_npwp(value, config.style)
    return mask_value(value, path, config.style)


def is_masked(path: str, config: MaskingConfig) -> bool:
    """Whether a user without ``read_personal`` sees field ``path`` masked: a path of
    :func:`masked_paths`, or a free-form ``atribut_lain`` field whose title names such data.

    >>> cfg = MaskingConfig()
    >>> is_masked("npwp", cfg), is_masked("atribut_lain.NIK", cfg), is_masked("nib", cfg)
    (True, True, False)
    """
    return path in masked_paths(config) or free_form_kind(path, config) is not None


def mask_for_user(record: T, config: MaskingConfig) -> T:
    """A copy of an entity with the policy's personal data masked, the NPWP rule included.

    >>> from kukm.model import Umkm, Pemilik
    >>> u = Umkm(nama_usaha="Warung", npwp="3173066205843436",
    ...          pemilik=Pemilik(nik_penduduk="3173066205843436"))
    >>> m = mask_for_user(u, MaskingConfig())
    >>> m.npwp, m.pemilik.nik_penduduk
    ('317306**********', '317306**********')
    """
    out: T = mask_record(record, _without_npwp(config))
    if NPWP_PATH in masked_paths(config) and attrs.has(type(out)):
        current = getattr(out, NPWP_PATH, None)
        if current is not None:
            new = mask_npwp(current, config.style)
            if new is not current:
                out = attrs.evolve(out, **{NPWP_PATH: new})  # type: ignore[misc]
    return out
