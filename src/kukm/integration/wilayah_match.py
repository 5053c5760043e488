"""Match ODS address names to Kemendagri codes with any wilayah table.

The ODS writes addresses as names (``Kelurahan / Desa``, ``Kecamatan``,
``Kabupaten``, ``Provinsi``), often with prefixes (``Kel.``, ``Kota``,
``Kab. Administrasi``), other spacing (``Pal Merah`` / ``Palmerah``) or case.
:func:`make_resolver` builds a :data:`~kukm.integration.ods.WilayahResolver`
from a region table (Kemendagri codes, Kepmendagri 300.2.2-2138/2025 or the
table a Dinas supplies): the kelurahan is looked up **within** its
kecamatan, the kecamatan within its kab/kota. It returns the most specific
code it can be sure of (kelurahan, else kecamatan, else kab/kota), or ``None``.
When :mod:`kukm.reference.wilayah` offers a resolver, the converter uses that.

>>> resolve = make_resolver(
...     kabkota=[("31.71", "Kota Administrasi Jakarta Pusat")],
...     kecamatan=[("31.71.01", "Gambir", "31.71")],
...     kelurahan=[("31.71.01.1001", "Gambir", "31.71.01"),
...                ("31.71.01.1002", "Cideng", "31.71.01")])
>>> resolve("DKI Jakarta", "Kota Jakarta Pusat", "Gambir", "Kel. Cideng")
'31.71.01.1002'
>>> resolve("DKI Jakarta", "Kota Jakarta Pusat", "Gambir", "3173010011")
'31.71.01'
>>> resolve("DKI Jakarta", "Kota Bandung", "Gambir", "Cideng") is None
True
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from kukm.exceptions import ConfigurationError, KukmError
from kukm.integration.ods import WilayahResolver
from kukm.reference._names import (
    ABBREVIATIONS,
    KEY_ALIASES,
    LEADING,
    NUMBERS,
    drop_level_suffix,
    fold,
    prefix_word,
)

__all__ = ["make_resolver", "normalise_name", "resolver_from_dir"]

_PREFIX: Final = re.compile(
    r"^(?:kelurahan|kel|desa|ds|kecamatan|kec|kabupaten administrasi|kab administrasi|"
    r"kabupaten administratif|kab administratif|kabupaten adm|kab adm|kabupaten|kab|"
    r"kota administrasi|kota administratif|kota adm|kotamadya|kota madya|kodya|kota|"
    r"administrasi|administratif|adm|provinsi|propinsi|prov)\b\.?\s*",
    re.IGNORECASE,
)
_WORD: Final = re.compile(r"[0-9a-z]+")
_LEAD: Final = re.compile(r"^[^0-9a-z]+")


def _misspelt_prefix(text: str) -> str | None:
    """``text`` without its first word when that word is a misspelt prefix, else ``None``."""
    first, _, rest = text.partition(" ")
    word = "".join(_WORD.findall(first))
    if not rest.strip():
        return None
    return rest.strip() if prefix_word(word) is not None else None


def normalise_name(name: str | None) -> str:
    """Lower case, administrative prefixes dropped (also the older ``Kotamadya``/``Kodya``),
    abbreviations read as words (:data:`kukm.reference._names.ABBREVIATIONS`), only letters and digits kept.

    >>> normalise_name("Kel. Pal Merah"), normalise_name("PALMERAH"), normalise_name("Kab. Adm. X")
    ('palmerah', 'palmerah', 'x')
    >>> normalise_name("KAB. ADM. KEP. SERIBU"), normalise_name("Kodya Jakarta Pusat")
    ('kepulauanseribu', 'jakartapusat')
    >>> normalise_name("P. Tidung"), normalise_name("Tg. Priok")
    ('pulautidung', 'tanjungpriok')
    >>> normalise_name("Keurahan. Pulau Panggang"), normalise_name("Kel. Duren III")
    ('pulaupanggang', 'durentiga')
    >>> normalise_name("Jak-Pus"), normalise_name("'Kota Bambu Utara'"), normalise_name("Ds. Pluit")
    ('jakartapusat', 'bambuutara', 'pluit')
    >>> normalise_name("Cideng (Kel.)"), normalise_name("Jakarta Pusat (Kota)")
    ('cideng', 'jakartapusat')
    """
    if not name:
        return ""
    text = drop_level_suffix(name.strip()).lower().replace(".", ". ")
    text = re.sub(r"\s+", " ", text).strip()
    while True:
        text = _LEAD.sub("", text)  # quotes, dashes, colons before a prefix or the name
        stripped = _PREFIX.sub("", text, count=1).strip()
        if stripped == text:
            stripped = _misspelt_prefix(text) or text
        if stripped == text or not stripped:
            break
        text = stripped
    words = _WORD.findall(text)
    if len(words) > 1 and words[0] in LEADING:
        words[0] = LEADING[words[0]]
    words[1:] = [NUMBERS.get(w, w) for w in words[1:]]
    key = "".join(ABBREVIATIONS.get(w, w) if len(words) > 1 else w for w in words)
    return KEY_ALIASES.get(key, key)


def _national_province(name: str) -> str | None:
    """The province code of ``name`` in :func:`kukm.reference.wilayah.get_table` (the
    process's region table: all of Indonesia by default), or ``None`` when it is unknown."""
    try:
        from kukm.reference.wilayah import get_table

        found = get_table().resolve(name, tingkat="provinsi")
    except (ImportError, KukmError):
        return None
    return None if found is None else str(found.kode)


def make_resolver(
    *,
    kabkota: Iterable[tuple[str, str]],
    kecamatan: Iterable[tuple[str, str, str]],
    kelurahan: Iterable[tuple[str, str, str]],
    prefiks: Iterable[tuple[str, str]] = (),
    fuzzy: float | None = 88.0,
    provinsi: Iterable[tuple[str, str]] = (),
) -> WilayahResolver:
    """A resolver over ``(kode, nama)`` kab/kota rows and ``(kode, nama, kode_induk)``
    kecamatan and kelurahan rows (Kemendagri dotted codes).

    ``prefiks`` — ``(kode_kelurahan, 9-digit NIK Koperasi prefix)`` rows — lets a
    kelurahan field holding the ODS's own 10-digit code (first 9 digits = the
    prefix) resolve, when the prefix names exactly one kelurahan of that
    kecamatan. ``fuzzy`` (0–100, ``None`` = off) accepts the single kelurahan of
    the kecamatan, or kecamatan of the kab/kota, whose normalised name is at least
    that similar (``Harapan Mulya`` → ``Harapan Mulia``, ``Tanjung Priuk`` → ``Tanjung Priok``,
    ``Kebun Siri`` → ``Kebon Sirih``: :func:`kukm.reference._names.fold`).

    The ODS is national, and kecamatan and kelurahan names repeat across provinces, so
    the record's ``Provinsi`` is heeded: a province the tables do not cover resolves to
    nothing (a Jawa Barat koperasi whose kecamatan is also a DKI one gets no DKI code), and
    one they cover limits the search to it. Province names are read from ``provinsi``
    ``(kode, nama)`` rows, else from :mod:`kukm.reference.wilayah` (Kepmendagri, all of
    Indonesia); a name neither knows limits nothing.

    >>> resolve = make_resolver(kabkota=[("31.71", "Jakarta Pusat")],
    ...     kecamatan=[("31.71.01", "Gambir", "31.71")], kelurahan=[])
    >>> resolve("DKI Jakarta", None, "Gambir", None), resolve("Jawa Barat", None, "Gambir", None)
    ('31.71.01', None)
    """
    kab_by_name: dict[str, set[str]] = defaultdict(set)
    covered: set[str] = set()
    for kode, nama in kabkota:
        kab_by_name[normalise_name(nama)].add(kode)
        covered.add(kode.split(".")[0])
    kec_by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    kec_in_kab: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kode, nama, induk in kecamatan:
        kec_by_name[normalise_name(nama)].add((kode, induk))
        kec_in_kab[induk].append((normalise_name(nama), kode))
        covered.add(kode.split(".")[0])
    kel_by_name: dict[tuple[str, str], str] = {}
    kel_in_kec: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kode, nama, induk in kelurahan:
        kel_by_name[(induk, normalise_name(nama))] = kode
        kel_in_kec[induk].append((normalise_name(nama), kode))
    by_prefix: dict[str, set[str]] = defaultdict(set)
    for kode, nine in prefiks:
        if nine:
            by_prefix[nine].add(kode)
    prov_by_name: dict[str, set[str]] = defaultdict(set)
    for kode, nama in provinsi:
        prov_by_name[normalise_name(nama)].add(kode.split(".")[0])
    prov_seen: dict[str, str | None] = {}

    def province_code(name: str) -> str | None:
        if name not in prov_seen:
            codes = prov_by_name.get(normalise_name(name), set())
            prov_seen[name] = next(iter(codes)) if len(codes) == 1 else None
            if not codes:
                prov_seen[name] = _national_province(name)
        return prov_seen[name]

    def closest(key: str, rows: list[tuple[str, str]]) -> str | None:
        if fuzzy is None or not key:
            return None
        from rapidfuzz import fuzz

        near = fold(key)  # Kebun/Kebon, Pulau/Pulo alike here only (kukm.reference._names.fold)
        good = [kode for name, kode in rows if fuzz.ratio(near, fold(name)) >= fuzzy]
        return good[0] if len(good) == 1 else None

    def kelurahan_code(kec_code: str, kel: str) -> str | None:
        key = normalise_name(kel)
        found = kel_by_name.get((kec_code, key))
        if found is not None:
            return found
        if len(key) == 10 and key.isdigit():
            matches = {k for k in by_prefix.get(key[:9], ()) if k.startswith(kec_code + ".")}
            return next(iter(matches)) if len(matches) == 1 else None
        return closest(key, kel_in_kec[kec_code])

    def resolve(
        provinsi: str | None, kab: str | None, kec: str | None, kel: str | None
    ) -> str | None:
        scope = province_code(provinsi) if provinsi and provinsi.strip() else None
        if scope is not None and scope not in covered:
            return None  # another province: not in these tables
        kab_codes = kab_by_name.get(normalise_name(kab), set()) if kab else set()
        if scope is not None:
            kab_codes = {c for c in kab_codes if c.split(".")[0] == scope}
        if kab and kab.strip() and not kab_codes:
            return None
        named = kec_by_name.get(normalise_name(kec), set())
        if scope is not None:
            named = {c for c in named if c[0].split(".")[0] == scope}
        candidates = {c for c in named if c[1] in kab_codes} if kab_codes else named
        if named and not candidates:
            return None  # a kecamatan of another kab/kota: the names contradict each other
        if not candidates and len(kab_codes) == 1:
            near = closest(normalise_name(kec), kec_in_kab[next(iter(kab_codes))])
            candidates = {(near, "")} if near else set()
        if len(candidates) != 1:
            return next(iter(kab_codes)) if len(kab_codes) == 1 else None
        kec_code = next(iter(candidates))[0]
        found = kelurahan_code(kec_code, kel) if kel else None
        return found or kec_code

    return resolve


def resolver_from_dir(directory: str | Path) -> WilayahResolver:
    """Build a resolver from CSV tables in ``directory`` (UTF-8, header row):

    ``*kabkota*.csv`` (``kode,nama``), ``*kecamatan*.csv`` (``kode,nama,kode_kabkota``),
    ``*kelurahan*.csv`` (``kode,nama,kode_kecamatan``) and optionally
    ``*prefiks*.csv`` (``kode_kelurahan,prefiks_nik``) and ``*provinsi*.csv``
    (``kode,nama``: the province names the records may use) — the layout a Dinas
    can export from its own reference tables.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "kabkota.csv").write_text("kode,nama\\n31.71,Jakarta Pusat\\n")
    >>> _ = (d / "kecamatan.csv").write_text("kode,nama,kode_kabkota\\n31.71.01,Gambir,31.71\\n")
    >>> _ = (d / "kelurahan.csv").write_text("kode,nama,kode_kecamatan\\n31.71.01.1001,Gambir,31.71.01\\n")
    >>> resolver_from_dir(d)(None, "Kota Jakarta Pusat", "Gambir", "Gambir")
    '31.71.01.1001'
    """
    base = Path(directory)

    def table(pattern: str, required: bool = True) -> list[dict[str, str]]:
        found = sorted(
            p for p in base.glob(pattern) if "prefiks" in pattern or "prefiks" not in p.name
        )
        if not found:
            if required:
                raise ConfigurationError(f"no {pattern} in {base}")
            return []
        with found[0].open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    try:
        return make_resolver(
            kabkota=[(r["kode"], r["nama"]) for r in table("*kabkota*.csv")],
            kecamatan=[(r["kode"], r["nama"], r["kode_kabkota"]) for r in table("*kecamatan*.csv")],
            kelurahan=[
                (r["kode"], r["nama"], r["kode_kecamatan"]) for r in table("*kelurahan*.csv")
            ],
            prefiks=[
                (r["kode_kelurahan"], r["prefiks_nik"])
                for r in table("*prefiks*.csv", required=False)
            ],
            provinsi=[(r["kode"], r["nama"]) for r in table("*provinsi*.csv", required=False)],
        )
    except KeyError as exc:
        raise ConfigurationError(f"wilayah table in {base} lacks column {exc}") from exc
