"""The 9-digit Nomor Induk Koperasi prefix of each kelurahan (``PPKKCCDDD``).

A new Nomor Induk Koperasi starts with a 9-digit region prefix: BPS province
and kab/kota (4), BPS kecamatan without its trailing 0 (2), and a 3-digit
kelurahan index from the ministry's own ODS table (REGULATIONS.md §1.2 [D]).
That index table **is not public** [N]. kukm therefore offers:

* :class:`PrefiksTable` (Kemendagri kelurahan code → prefix, with support
  counts) and :func:`load` for a file in the format of the derived DKI table
  (``kode_kelurahan,nama,prefiks_nik,dukungan,total,catatan``);
* :func:`build_from_ods`, which derives the table from ODS export records the
  Dinas holds: kecamatan and kelurahan names are resolved with the wilayah
  resolver (the BPS crosswalk breaks ties), and the most frequent prefix per
  kelurahan wins (ties: the one seen first);
* :func:`default_prefix`, used when no table is loaded: BPS province +
  kab/kota + kecamatan through the crosswalk, plus a 3-digit index taken from
  the Kemendagri kelurahan code (``31.71.01.1002`` → ``002``). This index is
  **not** the ODS index; it only guarantees a stable, documented prefix until
  the ministry's table (or one built from ODS data) is loaded.

>>> default_prefix("31.71.01.1002")
'317308002'
>>> table = build_from_ods([
...     {"Nomor Induk Koperasi (NIK)": "3173080020012", "Provinsi": "DKI Jakarta",
...      "Kecamatan": "Gambir", "Kelurahan / Desa": "Kel. Cideng"},
... ])
>>> table.get("31.71.01.1002"), table.entry("31.71.01.1002").dukungan
('317308002', 1)
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, final

from attrs import frozen

from kukm.exceptions import ConfigurationError
from kukm.ids import nomor_induk_koperasi
from kukm.model import TingkatWilayah
from kukm.reference._meta import TableMetadata
from kukm.reference.crosswalk import dotted, get_crosswalk

__all__ = [
    "PrefiksEntry",
    "PrefiksTable",
    "build_from_ods",
    "default_prefix",
    "dump",
    "get_table",
    "load",
    "prefix_for",
    "set_table",
]

FIELD_NIK: Final = "Nomor Induk Koperasi (NIK)"
FIELD_PROVINSI: Final = "Provinsi"
FIELD_KECAMATAN: Final = "Kecamatan"
FIELD_KELURAHAN: Final = "Kelurahan / Desa"


@final
@frozen
class PrefiksEntry:
    """The prefix of one kelurahan and how well the data supports it."""

    kode_kelurahan: str
    prefiks: str | None
    dukungan: int = 0
    """Records carrying the winning prefix."""
    total: int = 0
    """Records matched to this kelurahan."""
    nama: str = ""
    catatan: str = ""


@final
class PrefiksTable:
    """Kemendagri kelurahan code → 9-digit NIK Koperasi prefix.

    >>> t = PrefiksTable([PrefiksEntry("31.71.01.1001", "317308001", 3, 4)],
    ...                  TableMetadata("prefiks_kelurahan", "", "", "doctest"))
    >>> t.get("3171011001"), t.kelurahan_for("317308001"), "31.71.01.1002" in t
    ('317308001', ['31.71.01.1001'], False)
    """

    def __init__(self, entries: Iterable[PrefiksEntry], metadata: TableMetadata) -> None:
        self._entries = {e.kode_kelurahan: e for e in entries}
        self.metadata = metadata

    def __contains__(self, kode: object) -> bool:
        return isinstance(kode, str) and dotted(kode) in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def entries(self) -> list[PrefiksEntry]:
        """All entries in code order."""
        return [self._entries[k] for k in sorted(self._entries)]

    def entry(self, kode_kelurahan: str) -> PrefiksEntry | None:
        return self._entries.get(dotted(kode_kelurahan))

    def get(self, kode_kelurahan: str) -> str | None:
        """The prefix of a kelurahan, or ``None`` when the table has none."""
        found = self._entries.get(dotted(kode_kelurahan))
        return found.prefiks if found else None

    def kelurahan_for(self, prefiks: str) -> list[str]:
        """Kelurahan codes whose prefix is *prefiks* (several when the data is noisy)."""
        return sorted(k for k, e in self._entries.items() if e.prefiks == prefiks)


def _int(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def load(path: str | os.PathLike[str], *, metadata: TableMetadata | None = None) -> PrefiksTable:
    """Read a prefix table: CSV ``kode_kelurahan,nama,prefiks_nik,dukungan,total,catatan``.

    Only ``kode_kelurahan`` and ``prefiks_nik`` are required; an empty prefix
    means "no data" and is kept as ``None``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = p.write_text("kode_kelurahan,prefiks_nik\\n31.71.01.1001,317308001\\n")
    >>> load(p).get("31.71.01.1001")
    '317308001'
    """
    entries: list[PrefiksEntry] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"kode_kelurahan", "prefiks_nik"} <= set(reader.fieldnames or ()):
            raise ConfigurationError(
                f"{path}: prefix file needs columns kode_kelurahan,prefiks_nik"
            )
        for row in reader:
            kode = dotted((row.get("kode_kelurahan") or "").strip())
            if not kode:
                continue
            prefiks = (row.get("prefiks_nik") or "").strip().lstrip("'") or None
            if prefiks is not None and not (len(prefiks) == 9 and prefiks.isdigit()):
                raise ConfigurationError(f"{path}: {kode}: prefix {prefiks!r} is not 9 digits")
            entries.append(
                PrefiksEntry(
                    kode,
                    prefiks,
                    _int(row.get("dukungan")),
                    _int(row.get("total")),
                    (row.get("nama") or "").strip(),
                    (row.get("catatan") or "").strip(),
                )
            )
    meta = metadata or TableMetadata(
        name="prefiks_kelurahan",
        regulation="Permenkop UKM 10/Per/M.KUKM/VI/2016 (ODS); layout REGULATIONS.md §1.2",
        date="",
        source=os.fspath(path),
        confidence="D",
    )
    return PrefiksTable(entries, meta)


#: The columns :func:`load` reads and :func:`dump` writes, in order.
COLUMNS: Final = ("kode_kelurahan", "nama", "prefiks_nik", "dukungan", "total", "catatan")


def dump(table: PrefiksTable, path: str | os.PathLike[str]) -> int:
    """Write *table* as the CSV :func:`load` reads (:data:`COLUMNS`, code order, UTF-8);
    returns the number of kelurahan written. ``load(p)`` gives the same entries back.

    >>> import tempfile, pathlib
    >>> t = PrefiksTable([PrefiksEntry("31.71.01.1001", "317308001", 3, 4, "Gambir")],
    ...                  TableMetadata("prefiks_kelurahan", "", "", "doctest"))
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> dump(t, p), load(p).entries() == t.entries()
    (1, True)
    """
    entries = table.entries()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for e in entries:
            writer.writerow(
                [e.kode_kelurahan, e.nama, e.prefiks or "", e.dukungan, e.total, e.catatan]
            )
    return len(entries)


def _text(record: Mapping[str, Any], field: str) -> str:
    value = record.get(field)
    return value.strip() if isinstance(value, str) else ""


def build_from_ods(
    records: Iterable[Mapping[str, Any]],
    *,
    wilayah: Any = None,
    source: str = "ODS export records",
) -> PrefiksTable:
    """Derive the prefix table from ODS records (dicts with ODS field names).

    For each record with a valid 13-digit Nomor Induk Koperasi, the kecamatan
    name is resolved inside the province (when several match, the one whose
    BPS code the number's prefix carries wins), then the kelurahan name inside
    that kecamatan. Per kelurahan the most frequent prefix wins; ``dukungan``
    and ``total`` keep the support. Records whose names do not resolve are
    skipped. ``wilayah`` is a :class:`~kukm.reference.wilayah.WilayahTable`
    (default: the loaded one).
    """
    from kukm.reference.wilayah import WilayahTable, get_table

    table: WilayahTable = wilayah if wilayah is not None else get_table()
    crosswalk = get_crosswalk()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    kec_cache: dict[tuple[str, str, str], str | None] = {}
    kel_cache: dict[tuple[str, str], str | None] = {}
    prov_cache: dict[str, str | None] = {}
    for record in records:
        nik = _text(record, FIELD_NIK)
        if not nomor_induk_koperasi.is_valid(nik):
            continue
        nik = nomor_induk_koperasi.compact(nik)
        kec_name, kel_name = _text(record, FIELD_KECAMATAN), _text(record, FIELD_KELURAHAN)
        if not kec_name or not kel_name:
            continue
        prov_name = _text(record, FIELD_PROVINSI)
        if prov_name not in prov_cache:
            prov = table.resolve(prov_name, tingkat=TingkatWilayah.PROVINSI) if prov_name else None
            prov_cache[prov_name] = prov.kode if prov else None
        scope = prov_cache[prov_name]
        kec_key = (scope or "", kec_name, nik[:6])
        if kec_key not in kec_cache:
            found = table.resolve_all(kec_name, tingkat=TingkatWilayah.KECAMATAN, within=scope)
            if len(found) > 1:
                same = [w for w in found if (crosswalk.to_bps(w.kode) or "")[:6] == nik[:6]]
                found = same or found
            kec_cache[kec_key] = found[0].kode if len(found) == 1 else None
        kec = kec_cache[kec_key]
        if kec is None:
            continue
        if (kec, kel_name) not in kel_cache:
            kel = table.resolve(kel_name, tingkat=TingkatWilayah.KELURAHAN, within=kec)
            kel_cache[(kec, kel_name)] = kel.kode if kel else None
        kel_code = kel_cache[(kec, kel_name)]
        if kel_code is not None:
            counts[kel_code][nik[:9]] += 1
    entries: list[PrefiksEntry] = []
    winners: dict[str, list[str]] = defaultdict(list)
    for kode, counter in counts.items():
        prefiks, support = counter.most_common(1)[0]  # ties: the first seen
        winners[prefiks].append(kode)
        entries.append(
            PrefiksEntry(kode, prefiks, support, sum(counter.values()), table.nama(kode) or "")
        )
    final_entries = []
    for e in entries:
        others = [k for k in winners[e.prefiks or ""] if k != e.kode_kelurahan]
        note = "prefiks sama dengan " + ", ".join(sorted(others)) if others else ""
        final_entries.append(
            PrefiksEntry(e.kode_kelurahan, e.prefiks, e.dukungan, e.total, e.nama, note)
        )
    meta = TableMetadata(
        name="prefiks_kelurahan",
        regulation="Permenkop UKM 10/Per/M.KUKM/VI/2016 (ODS); layout REGULATIONS.md §1.2",
        date="",
        source=source,
        confidence="D",
        note="most frequent prefix per kelurahan among matched ODS records",
    )
    return PrefiksTable(final_entries, meta)


def default_prefix(kode_kelurahan: str) -> str | None:
    """Fallback prefix: BPS province+kab/kota+kecamatan (crosswalk) + index from the Kemendagri code.

    NOT the ODS kelurahan index. ``None`` when the crosswalk does not know the
    kecamatan or the code is not a kelurahan/desa code.

    >>> default_prefix("31.74.02.1005")
    '317110005'
    >>> default_prefix("32.01.01.2001") is None
    True
    """
    kode = dotted(kode_kelurahan)
    parts = kode.split(".")
    if len(parts) != 4 or len(parts[3]) != 4 or not parts[3].isdigit():
        return None
    bps = get_crosswalk().to_bps(".".join(parts[:3]))
    if bps is None or len(bps) != 7:
        return None
    return bps[:6] + parts[3][1:]


_current: PrefiksTable | None = None


def get_table() -> PrefiksTable | None:
    """The process-wide prefix table, or ``None`` (then :func:`default_prefix` applies)."""
    return _current


def set_table(table: PrefiksTable | None) -> PrefiksTable | None:
    """Install *table* as the process default; returns the old one."""
    global _current
    old, _current = _current, table
    return old


def prefix_for(kode_kelurahan: str) -> str | None:
    """The prefix from the loaded table, else :func:`default_prefix`.

    >>> prefix_for("31.71.01.1001")
    '317308001'
    """
    table = _current
    if table is not None:
        found = table.get(kode_kelurahan)
        if found is not None:
            return found
    return default_prefix(kode_kelurahan)
