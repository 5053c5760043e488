"""The Kemendagri region code of a row from its region *names*, when the file has no code.

Many Dinas sheets (and Jakpreneur exports) give a business's place as names,
``Kota`` / ``Kecamatan`` / ``Kelurahan``, not as the Kemendagri code the UMKM form
requires (``kode_wilayah``, Kepgub F.1: data "spesifik"). Rather than reject
every such row, the import reads the code from the names by one documented
rule, and never guesses:

1. It applies only to a form with a ``kode_wilayah`` field, to a file with a
   kecamatan column and a kelurahan column (titles matched as :func:`name_level`
   says: by their key, :func:`kukm.pipeline.header.column_key`, else by their
   normal key, :func:`kukm.pipeline.header.title_key`, so ``1. Kelurahan``,
   ``(2) Kec.`` and ``Kel. / Desa`` are found; :data:`NAME_COLUMNS`), and to rows
   whose ``kode_wilayah`` cell is blank or absent. A code given is never
   overwritten: the form checks it as usual. A title qualified as the owner's
   (``Kelurahan (sesuai KTP)``, ``Kecamatan Domisili``, ``Kota Pemilik``: the
   qualifiers :data:`kukm.pipeline.header.GUARDS` keeps off the business address)
   names where the owner lives, not where the business is: it is never taken
   and stays an unknown column, whose reason the import's header report gives
   (``HeaderMatch.unclear``, from :func:`owner_qualified`).
2. A name cell holding a dotted Kemendagri code (``31.71.01.1001``) known to
   the region table is that code (the most specific one given). Other names
   are resolved by :func:`kukm.reference.wilayah.match_alamat`:
   kab/kota within the province, kecamatan within the kab/kota, kelurahan
   within the kecamatan (exact name after normalising prefixes such as
   "Kel." and case; a near spelling only when it is the single best match, at
   least 88 of 100, inside the kecamatan). A sheet without a kota (or
   province) column names its kecamatan for all of Indonesia, where some DKI
   names recur (Tanah Abang, Tambora, Taman Sari, Jatinegara, Cipayung): the
   **(kecamatan, kelurahan) pair** then decides, taken when it exists once,
   else when it exists once in DKI Jakarta (the province the Kepgub covers).
3. When the form requires the code (UMKM: the kelurahan's), only a
   **kelurahan** found exactly once gives one; a row whose names stop short of
   one (unknown, or only a kecamatan) is rejected with
   ``WILAYAH_NAMA_TIDAK_DIKENAL`` on ``kode_wilayah``, its names quoted; a row
   whose names fit several kelurahan (a pair found more than once, none or
   several of them in DKI) with ``WILAYAH_NAMA_AMBIGU``: the names are right,
   a kota column or the code must tell them apart. When the
   code is optional (koperasi, whose names are kept as they are too), the most
   specific region the names identify for sure gives it, a kab/kota at least,
   as the ODS conversion does (:mod:`kukm.integration.ods`); else the code stays
   blank. A row with no name at all is left to the form.

When the file has no ``kode_wilayah`` column, one is added after the others:
the errors file then shows it (blank on the rows that failed), and importing
the corrected errors file uses it. The summary counts the rows filled
(``wilayah_filled``).

>>> fill = WilayahFill.plan(["nama_usaha", "Kecamatan", "Kelurahan"], ["kode_wilayah"])
>>> fill.columns
['nama_usaha', 'Kecamatan', 'Kelurahan', 'kode_wilayah']
>>> issues = {}
>>> list(fill.wrap(iter([(1, ["Kopi", "Gambir", "Kel. Cideng"]), (2, ["Teh", "Gambir", "Atlantis"])]), issues))
[(1, ['Kopi', 'Gambir', 'Kel. Cideng', '31.71.01.1002']), (2, ['Teh', 'Gambir', 'Atlantis', ''])]
>>> issues[2].code, fill.filled
('WILAYAH_NAMA_TIDAK_DIKENAL', 1)
>>> list(fill.wrap(iter([(3, ["Kue", "Tanah Abang", "Kebon Melati"]), (4, ["Nasi", "Payung", "Payung"])]), issues))
[(3, ['Kue', 'Tanah Abang', 'Kebon Melati', '31.71.07.1005']), (4, ['Nasi', 'Payung', 'Payung', ''])]
>>> issues[4].code
'WILAYAH_NAMA_AMBIGU'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

from kukm.exceptions import Issue, issue, register_code
from kukm.pipeline.header import GUARDS, NOTE_WORDS, column_key, title_key
from kukm.rules.amounts import BLANK_CELLS

__all__ = [
    "CODE_FIELD",
    "NAME_COLUMNS",
    "WILAYAH_NAMA_AMBIGU",
    "WILAYAH_NAMA_TIDAK_DIKENAL",
    "WilayahFill",
    "name_level",
    "owner_qualified",
]

WILAYAH_NAMA_TIDAK_DIKENAL: Final = register_code(
    "WILAYAH_NAMA_TIDAK_DIKENAL",
    "Kode wilayah kosong dan nama kelurahan/kecamatan/kota tidak menunjuk tepat satu kelurahan; "
    "isi kode wilayah Kemendagri (mis. 31.71.01.1001) atau perbaiki namanya.",
    "The region code is blank and the kelurahan/kecamatan/kota names do not name exactly one "
    "kelurahan; fill in the Kemendagri region code (e.g. 31.71.01.1001) or correct the names.",
    module=__name__,
)
WILAYAH_NAMA_AMBIGU: Final = register_code(
    "WILAYAH_NAMA_AMBIGU",
    "Kode wilayah kosong dan nama kecamatan/kelurahan ada di lebih dari satu wilayah (ambigu); "
    "isi kolom kota/kabupaten atau kode wilayah Kemendagri (mis. 31.71.01.1001).",
    "The region code is blank and the kecamatan/kelurahan names exist in more than one region "
    "(ambiguous); fill in the kab/kota column or the Kemendagri region code (e.g. 31.71.01.1001).",
    module=__name__,
)

#: The form's field the names fill
CODE_FIELD: Final = "kode_wilayah"

#: Level → the keys of the column titles that give its name (``column_key`` of the title; a
#: title is matched by its normal key too, :func:`name_level`)
NAME_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "provinsi": ("provinsi", "prov", "propinsi", "nama_provinsi"),
    "kab_kota": (
        "kab_kota", "kabkota", "kota", "kabupaten", "kabupaten_kota", "kota_kabupaten",
        "kota_administrasi", "kota_kab", "kab", "wilayah_kota", "kota_adm", "kab_kota_adm",
        "nama_kota", "nama_kabupaten", "nama_kabupaten_kota", "nama_kota_kabupaten",
    ),
    "kecamatan": ("kecamatan", "kec", "nama_kecamatan"),
    "kelurahan": (
        "kelurahan", "kel", "kelurahan_desa", "desa_kelurahan", "desa", "nama_kelurahan",
        "nama_desa", "nama_kelurahan_desa", "nama_desa_kelurahan",
    ),
}  # fmt: skip

#: normal key (:func:`~kukm.pipeline.header.title_key`) of a key of :data:`NAME_COLUMNS` → level
_BY_NORM: Final[dict[str, str]] = {
    title_key(k): level for level, keys in NAME_COLUMNS.items() for k in keys
}
#: the words that make a place the owner's (home, KTP, domicile): the qualifier header.py's
#: :data:`~kukm.pipeline.header.GUARDS` keeps off the business address
_OWNER_WORDS: Final = frozenset().union(*(q for s, q, _ in GUARDS if "alamat" in s))
_NOTES: Final = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")

_LEVELS: Final = ("provinsi", "kab_kota", "kecamatan", "kelurahan")
_DOTTED: Final = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_CACHE_LIMIT: Final = 100_000


_REGION_WORDS: Final = frozenset(
    w for key in _BY_NORM for w in key.split("_") if w not in ("nama", "wilayah", "adm")
)


def _words(title: str) -> set[str]:
    """The words of a title's normal key."""
    return {w for w in title_key(title).split("_") if w}


def owner_qualified(title: str) -> str | None:
    """Why a title naming a region is not the business's place, when it is qualified as the
    owner's (module docstring, rule 1), else ``None``.

    >>> owner_qualified("Kelurahan (sesuai KTP)") is not None, owner_qualified("Kelurahan")
    (True, None)
    """
    words = _words(title)
    if not words & _OWNER_WORDS or not words & _REGION_WORDS:
        return None
    return (
        "the owner's region (home, KTP or domicile)? kode_wilayah is the place of the "
        "business; not read from it. Give the business's region in a column titled "
        "'Kelurahan' (or the code in kode_wilayah)"
    )


def _is_note(note: str) -> bool:
    """Whether a note in brackets only says how to fill the cell (``(wajib diisi)``, ``(sesuai
    NIB)``): its words are digits or :data:`~kukm.pipeline.header.NOTE_WORDS`."""
    return all(w.isdigit() or w in NOTE_WORDS for w in _words(note))


def _level(title: str) -> tuple[str | None, bool]:
    """The level a title names and whether its plain key says so (else its normal key)."""
    if owner_qualified(title) is not None:
        return None, False
    key = column_key(title)
    for level, keys in NAME_COLUMNS.items():
        if key in keys:
            return level, True
    found = _BY_NORM.get(title_key(title))
    if found is None:
        rest = _NOTES.sub(" ", title)
        notes = [m.group(m.lastindex or 1) or "" for m in _NOTES.finditer(title)]
        if rest.strip() and notes and all(map(_is_note, notes)):
            found = _BY_NORM.get(title_key(rest))
    return found, False


def name_level(title: str) -> str | None:
    """The region level (a key of :data:`NAME_COLUMNS`) a column title gives the names of, or
    ``None``: its key (:func:`~kukm.pipeline.header.column_key`) is one of the level's, else its
    normal key (:func:`~kukm.pipeline.header.title_key`: numbering, abbreviations, case), else
    that of the title without notes in brackets that only say how to fill it; a title qualified
    as the owner's (:func:`owner_qualified`) names none.

    >>> [name_level(t) for t in ("1. Kelurahan", "Kec.", "Kab/Kota", "Kelurahan Domisili")]
    ['kelurahan', 'kecamatan', 'kab_kota', None]
    """
    return _level(title)[0]


class WilayahFill:
    """Fills a blank ``kode_wilayah`` cell of each row from the row's region names.

    Use :meth:`plan`, which returns ``None`` when the rule does not apply.
    """

    def __init__(
        self,
        columns: Sequence[str],
        names: dict[str, int],
        code_at: int | None,
        *,
        required: bool = True,
    ) -> None:
        #: the columns of the rows :meth:`wrap` yields (``kode_wilayah`` added when absent)
        self.columns = list(columns) if code_at is not None else [*columns, CODE_FIELD]
        self._names = names
        #: the columns the names are read from, from the province down
        self.sources = [columns[names[lv]] for lv in _LEVELS if lv in names]
        self._code = code_at
        self._required = required
        self._depth = 3 if required else 1  # dots in the shortest code taken
        #: names → (code or None, whether the names fit several regions)
        self._cache: dict[tuple[str, ...], tuple[str | None, bool]] = {}
        #: how many rows got their code from their names
        self.filled = 0

    @classmethod
    def plan(
        cls, columns: Sequence[str], fields: Iterable[str], *, required: bool = True
    ) -> WilayahFill | None:
        """The filler for rows with these ``columns`` (after header matching), or ``None``
        when the form has no ``kode_wilayah`` field or the file no kecamatan and kelurahan
        columns. ``required``: whether the form requires the code (rule 3).

        >>> WilayahFill.plan(["kode_wilayah", "kelurahan"], ["kode_wilayah"]) is None
        True
        """
        if CODE_FIELD not in set(fields):
            return None
        names: dict[str, int] = {}
        by_norm: dict[str, int] = {}
        for i, col in enumerate(columns):
            if owner_qualified(col) is not None:  # the owner's region: the import says why
                continue
            level, plain = _level(col)
            if level is not None:  # the first column of a level by its key, else by normal key
                (names if plain else by_norm).setdefault(level, i)
        names = {lv: names.get(lv, by_norm.get(lv, -1)) for lv in _LEVELS}
        names = {lv: i for lv, i in names.items() if i >= 0}
        if "kecamatan" not in names or "kelurahan" not in names:
            return None
        code_at = list(columns).index(CODE_FIELD) if CODE_FIELD in columns else None
        return cls(columns, names, code_at, required=required)

    def _resolve(self, key: tuple[str, ...]) -> tuple[str | None, bool]:
        """The code the names give (``None``: none deep enough), and whether they fit
        several regions at the depth wanted (the names are right but ambiguous)."""
        cached = self._cache.get(key)
        if cached is None:
            from kukm.reference.wilayah import get_table, match_alamat

            # a name column holding the dotted Kemendagri code itself (31.71.01.1001) is that
            # code, when the table has it; undotted digits are not read so (ODS numbers its
            # kelurahan with ten digits of its own)
            dotted = [k for k in key if _DOTTED.fullmatch(k)]
            table = get_table()
            found = next((c for c in reversed(dotted) if table.has_code(c)), None)
            ambiguous = False
            if found is None:
                match = match_alamat(*key)
                found = match.kode
                ambiguous = sum(c.count(".") >= self._depth for c in match.kandidat) > 1
            code = found if found is not None and found.count(".") >= self._depth else None
            cached = (code, ambiguous and code is None)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _names_of(self, data: Any) -> tuple[str, ...]:
        """The row's names from the province down, stripped; a "none" marker is blank."""
        if isinstance(data, dict):
            cols = self.columns
            raw = [str(data.get(cols[self._names[lv]], "")) if lv in self._names else "" for lv in _LEVELS]
        else:
            n = len(data)
            raw = [data[self._names[lv]] if lv in self._names and self._names[lv] < n else "" for lv in _LEVELS]
        return tuple("" if k in BLANK_CELLS else k for k in map(str.strip, raw))

    def wrap(
        self, rows: Iterable[tuple[int, Any]], issues: dict[int, Issue]
    ) -> Iterator[tuple[int, Any]]:
        """The rows with ``kode_wilayah`` filled where rule 3 gives one; the rows whose names
        give none get an issue in *issues* (the reader's ``row_issues``) under their number."""
        code_at = self._code
        for row, data in rows:
            is_dict = isinstance(data, dict)
            if code_at is None:
                given = ""
            elif is_dict:
                given = str(data.get(CODE_FIELD, "")).strip()
            else:
                given = data[code_at].strip() if code_at < len(data) else ""
            code = ""
            if given in BLANK_CELLS:  # "-": blank, as the form reads it
                given = ""
            if not given and row not in issues:
                key = self._names_of(data)
                if any(key):
                    found, ambiguous = self._resolve(key)
                    if found is None and self._required:
                        shown = " / ".join(k for k in reversed(key) if k)
                        why = WILAYAH_NAMA_AMBIGU if ambiguous else WILAYAH_NAMA_TIDAK_DIKENAL
                        issues[row] = issue(why, CODE_FIELD, shown, row=row)
                    elif found is not None:
                        code = found
                        self.filled += 1
            if is_dict:
                if code or code_at is None:
                    data = {**data, CODE_FIELD: code or data.get(CODE_FIELD, "")}
            elif code_at is None:
                data = [*data, code]
            elif code:
                data = list(data)
                data[code_at] = code
            yield row, data
