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
  key of the official one. No region name has such a key.

>>> one_slip("keurahan", "kelurahan"), one_slip("kelruahan", "kelurahan")
(True, True)
>>> one_slip("kelapa", "kelurahan"), one_slip("kecamatan", "kelurahan")
(False, False)
>>> NUMBERS["iii"], KEY_ALIASES["jakpus"]
('tiga', 'jakartapusat')
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ABBREVIATIONS", "KEY_ALIASES", "LEADING", "NUMBERS", "PREFIX_WORDS", "one_slip", "prefix_word",
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
    f"{head}{short}": f"jakarta{full}"
    for full, shorts in (
        ("pusat", ("pus", "pst", "pusat")), ("utara", ("ut", "utr", "utara")),
        ("barat", ("bar", "brt", "barat")), ("selatan", ("sel", "slt", "selatan")),
        ("timur", ("tim", "tmr", "timur")),
    )
    for short in shorts
    for head in ("jak", "jakarta")
    if f"{head}{short}" != f"jakarta{full}"
}  # fmt: skip


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
