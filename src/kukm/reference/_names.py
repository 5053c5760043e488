"""How region names are spelt in practice, shared by the two name readers:
:func:`kukm.reference.wilayah.normalise_nama` (region tables, ``kukm import``) and
:func:`kukm.integration.wilayah_match.normalise_name` (ODS records). No data, no kukm imports.

* :data:`ABBREVIATIONS`: read as the word: ``Kep.`` Kepulauan, ``Jkt``/``Jak.`` Jakarta,
  ``Kp.`` Kampung, ``Tg.`` Tanjung, ``Kb.`` Kebon, ``Pd.`` Pondok, ``Ps.`` Pasar, ``Klp.``
  Kelapa, ``Gn.`` Gunung (``Tg. Priok``, ``Kb. Jeruk``, ``Pd. Labu``, ``Ps. Minggu``, ``Klp.
  Gading``, ``Gn. Sahari``), and :data:`LEADING`, a leading ``P.`` Pulau (the kelurahan of
  Kepulauan Seribu: ``P. Tidung``); only in a name of more than one word (a lone ``Gn.`` names
  nothing). No two regions of one parent differ only so (``tests/test_wilayah_names.py``
  checks it). ``Keb.`` is Kebon or Kebayoran: not read.
* :data:`PREFIX_WORDS` and :func:`one_slip`: a first word one slip away from a long prefix word
  (a letter added, dropped or changed, two letters swapped: ``Keurahan.``, ``Kelurahn``,
  ``Klurahan``, ``Kecamatn``, ``Kabupatem``, ``Adminstrasi``) before the name is that prefix
  too. No region name of Kepmendagri 300.2.2-2138/2025 starts with such a word and goes on
  (``tests/test_wilayah_names.py`` checks it), so no name loses a word of its own.
* :data:`NUMBERS`: a number in a name written as a digit or a roman numeral, read as the word
  the official names use (Kepmendagri: ``Pegangsaan Dua``, ``Duren Tiga``, ``Kelapa Dua
  Wetan``): ``Pegangsaan 2`` = ``Pegangsaan II`` = ``Pegangsaan Dua``; only after the first
  word (``Dua Koto``, ``Lima Puluh`` start with theirs). No two regions of one parent differ
  only so (``tests/test_wilayah_names.py`` checks it).
* :data:`KEY_ALIASES`: the short names of Jakarta's kota as officers write them (``Jakpus``,
  ``Jak-Pus``, ``Jak. Sel.``, ``JAKTIM``): the key of the name (``Jak`` read as Jakarta) → the
  key of the official one. No region name has such a key. A trailing ``Kota`` (``Jakarta Pusat
  Kota``) is read for these names only: 104 official names end with ``Kota`` (``Medan Kota``,
  ``Batam Kota``, kecamatan of the kota they name), so the word is not dropped elsewhere.
* :func:`drop_level_suffix`: a level written after the name in parentheses (``Cideng (Kel.)``,
  ``Cideng (Kelurahan)``, ``Jakarta Pusat (Kota)``) goes. Nine official names end in
  parentheses (``Kurau (Timur)``, ``Misool (Misool Utara)``), none with a level word in them
  (``tests/test_wilayah_names.py`` checks it).
* :func:`fold`: ``Kebun`` and ``Kebon``, ``Pulau`` and ``Pulo`` spelt alike, for the near-spelling
  (fuzzy) match inside a region only, after no exact name matched there: ``Pulo Gadung``,
  ``Pulo Gebang``, ``Duri Pulo`` (DKI) and the 58 official ``Kebun`` names elsewhere keep their
  own spelling, and an exact name always wins. No two regions of one parent fold alike
  (``tests/test_wilayah_names.py`` checks it over the national table).

>>> one_slip("keurahan", "kelurahan"), one_slip("kelruahan", "kelurahan")
(True, True)
>>> one_slip("kelapa", "kelurahan"), one_slip("kecamatan", "kelurahan")
(False, False)
>>> NUMBERS["iii"], KEY_ALIASES["jakpus"], KEY_ALIASES["jakartapusatkota"]
('tiga', 'jakartapusat', 'jakartapusat')
>>> drop_level_suffix("Cideng (Kel.)"), drop_level_suffix("Kurau (Timur)")
('Cideng', 'Kurau (Timur)')
>>> fold("kebunsiri"), fold("pulaugadung")
('kebonsiri', 'pulogadung')
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "ABBREVIATIONS", "KEY_ALIASES", "LEADING", "LEVEL_WORDS", "NUMBERS", "PREFIX_WORDS",
    "drop_level_suffix", "fold", "one_slip", "prefix_word",
]  # fmt: skip

ABBREVIATIONS: Final = {
    "kep": "kepulauan", "jkt": "jakarta", "jak": "jakarta", "kp": "kampung", "tg": "tanjung",
    "kb": "kebon", "pd": "pondok", "ps": "pasar", "klp": "kelapa", "gn": "gunung",
}  # fmt: skip
LEADING: Final = {"p": "pulau"}

PREFIX_WORDS: Final = (
    "kelurahan", "kecamatan", "kabupaten", "administrasi", "administratif", "provinsi", "propinsi",
)  # fmt: skip
NUMBERS: Final = {
    "1": "satu", "2": "dua", "3": "tiga", "4": "empat", "5": "lima",
    "6": "enam", "7": "tujuh", "8": "delapan", "9": "sembilan", "10": "sepuluh",
    "i": "satu", "ii": "dua", "iii": "tiga", "iv": "empat", "v": "lima",
    "vi": "enam", "vii": "tujuh", "viii": "delapan", "ix": "sembilan", "x": "sepuluh",
}  # fmt: skip
KEY_ALIASES: Final = {
    f"{head}{short}{tail}": f"jakarta{full}"
    for full, shorts in (
        ("pusat", ("pus", "pst", "pusat")), ("utara", ("ut", "utr", "utara")),
        ("barat", ("bar", "brt", "barat")), ("selatan", ("sel", "slt", "selatan")),
        ("timur", ("tim", "tmr", "timur")),
    )
    for short in shorts
    for head in ("jak", "jakarta")
    for tail in ("", "kota")
    if f"{head}{short}{tail}" != f"jakarta{full}"
}  # fmt: skip
LEVEL_WORDS: Final = frozenset({
    "kel", "kelurahan", "desa", "ds", "kec", "kecamatan", "kab", "kabupaten", "kota", "kodya",
    "kotamadya", "madya", "adm", "administrasi", "administratif", "prov", "provinsi", "propinsi",
})  # fmt: skip
"""The words of a level written in parentheses after a name (:func:`drop_level_suffix`)."""
_PARENTHESIS: Final = re.compile(r"^(.*?[^\s(])\s*\(([^()]*)\)[\s.,;:]*$", re.DOTALL)
#: A bare level word ending a name of more words (:func:`drop_level_suffix`).
_TRAILING_LEVEL: Final = re.compile(
    r"^(.*?[^\s.,;:-])[\s.,;:-]+(?:kel|kelurahan|kec|kecamatan)[\s.,;:]*$", re.IGNORECASE
)
_FOLDS: Final = (("kebun", "kebon"), ("pulau", "pulo"))


def one_slip(word: str, target: str) -> bool:
    """``word`` is ``target`` or one slip away: a letter added, dropped or changed, or two
    neighbours swapped."""
    if word == target:
        return True
    if len(word) < len(target):
        word, target = target, word
    if len(word) - len(target) > 1:
        return False
    i = next((n for n, (a, b) in enumerate(zip(word, target, strict=False)) if a != b), len(target))
    if len(word) > len(target):
        return word[i + 1 :] == target[i:]
    swapped = word[i + 1 : i + 2] == target[i : i + 1] and word[i : i + 1] == target[i + 1 : i + 2]
    return word[i + 1 :] == target[i + 1 :] or (swapped and word[i + 2 :] == target[i + 2 :])


def prefix_word(token: str) -> str | None:
    """The prefix word (:data:`PREFIX_WORDS`) ``token`` (letters and digits only) spells, maybe
    with one slip; ``None`` for a word shorter than 7 letters or none.

    >>> prefix_word("keurahan"), prefix_word("pulau")
    ('kelurahan', None)
    """
    if len(token) < 7:
        return None
    return next((w for w in PREFIX_WORDS if one_slip(token, w)), None)


def drop_level_suffix(text: str) -> str:
    """``text`` without a level written after the name: in parentheses (``Cideng (Kel.)``,
    ``Jakarta Pusat (Kota)``; any other text in parentheses stays: ``Kurau (Timur)``), or as a
    bare last word ``Kel.``/``Kelurahan``/``Kec.``/``Kecamatan`` after other words (``Cideng
    Kel.``); no official name of more than one word ends so (Kepmendagri 300.2.2-2138/2025:
    ``tests/test_wilayah_names.py`` checks it), unlike ``desa`` and ``kota`` (Medan Kota).

    >>> drop_level_suffix("Cideng (Kel.)"), drop_level_suffix("Cideng Kel."), drop_level_suffix("Kelurahan")
    ('Cideng', 'Cideng', 'Kelurahan')
    """
    found = _PARENTHESIS.match(text)
    if found is None:
        bare = _TRAILING_LEVEL.match(text)
        return bare.group(1) if bare is not None else text
    words = re.findall(r"[a-z0-9]+", found.group(2).lower())
    if words and all(w in LEVEL_WORDS or prefix_word(w) is not None for w in words):
        return found.group(1)
    return text


def fold(key: str) -> str:
    """A matching key with ``kebun`` read as ``kebon`` and ``pulau`` as ``pulo``: only for the
    near-spelling match inside a region, after the exact key found nothing there."""
    for spelt, common in _FOLDS:
        key = key.replace(spelt, common)
    return key
