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

from kukm.exceptions import ConfigurationError
from kukm.integration.ods import WilayahResolver

__all__ = ["make_resolver", "normalise_name", "resolver_from_dir"]

_PREFIX: Final = re.compile(
    r"^(?:kelurahan|kel|desa|kecamatan|kec|kabupaten administrasi|kab administrasi|"
    r"kabupaten adm|kab adm|kabupaten|kab|kota administrasi|kota adm|kota|administrasi|adm|"
    r"provinsi|prov)\b\.?\s*",
    re.IGNORECASE,
)
_NON_ALNUM: Final = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str | None) -> str:
    """Lower case, administrative prefix dropped, only letters and digits kept.

    >>> normalise_name("Kel. Pal Merah"), normalise_name("PALMERAH"), normalise_name("Kab. Adm. X")
    ('palmerah', 'palmerah', 'x')
    """
    if not name:
        return ""
    text = name.strip().lower().replace(".", ". ")
    text = re.sub(r"\s+", " ", text).strip()
    while True:
        stripped = _PREFIX.sub("", text, count=1).strip()
        if stripped == text or not stripped:
            break
        text = stripped
    return _NON_ALNUM.sub("", text)


def make_resolver(
    *,
    kabkota: Iterable[tuple[str, str]],
    kecamatan: Iterable[tuple[str, str, str]],
    kelurahan: Iterable[tuple[str, str, str]],
    prefiks: Iterable[tuple[str, str]] = (),
    fuzzy: float | None = 88.0,
) -> WilayahResolver:
    """A resolver over ``(kode, nama)`` kab/kota rows and ``(kode, nama, kode_induk)``
    kecamatan and kelurahan rows (Kemendagri dotted codes).

    ``prefiks`` — ``(kode_kelurahan, 9-digit NIK Koperasi prefix)`` rows — lets a
    kelurahan field holding the ODS's own 10-digit code (first 9 digits = the
    prefix) resolve, when the prefix names exactly one kelurahan of that
    kecamatan. ``fuzzy`` (0–100, ``None`` = off) accepts the single kelurahan of
    the kecamatan whose normalised name is at least that similar
    (``Harapan Mulya`` → ``Harapan Mulia``).
    """
    kab_by_name: dict[str, set[str]] = defaultdict(set)
    for kode, nama in kabkota:
        kab_by_name[normalise_name(nama)].add(kode)
    kec_by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for kode, nama, induk in kecamatan:
        kec_by_name[normalise_name(nama)].add((kode, induk))
    kel_by_name: dict[tuple[str, str], str] = {}
    kel_in_kec: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kode, nama, induk in kelurahan:
        kel_by_name[(induk, normalise_name(nama))] = kode
        kel_in_kec[induk].append((normalise_name(nama), kode))
    by_prefix: dict[str, set[str]] = defaultdict(set)
    for kode, nine in prefiks:
        if nine:
            by_prefix[nine].add(kode)

    def kelurahan_code(kec_code: str, kel: str) -> str | None:
        key = normalise_name(kel)
        found = kel_by_name.get((kec_code, key))
        if found is not None:
            return found
        if len(key) == 10 and key.isdigit():
            matches = {k for k in by_prefix.get(key[:9], ()) if k.startswith(kec_code + ".")}
            return next(iter(matches)) if len(matches) == 1 else None
        if fuzzy is not None and key:
            from rapidfuzz import fuzz

            scored = [(fuzz.ratio(key, name), kode) for name, kode in kel_in_kec[kec_code]]
            good = [kode for score, kode in scored if score >= fuzzy]
            return good[0] if len(good) == 1 else None
        return None

    def resolve(
        provinsi: str | None, kab: str | None, kec: str | None, kel: str | None
    ) -> str | None:
        kab_codes = kab_by_name.get(normalise_name(kab), set()) if kab else set()
        if kab and not kab_codes:
            return None
        candidates = kec_by_name.get(normalise_name(kec), set())
        if kab_codes:
            candidates = {c for c in candidates if c[1] in kab_codes}
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
    ``*prefiks*.csv`` (``kode_kelurahan,prefiks_nik``) — the layout a Dinas
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
        )
    except KeyError as exc:
        raise ConfigurationError(f"wilayah table in {base} lacks column {exc}") from exc
