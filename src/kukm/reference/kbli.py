"""KBLI 2020 reference table (Klasifikasi Baku Lapangan Usaha Indonesia).

Legal basis: Peraturan Badan Pusat Statistik Nomor 2 Tahun 2020 tentang
Klasifikasi Baku Lapangan Usaha Indonesia (REGULATIONS.md §9 [P cover]).
Hierarchy: kategori (letter A–U) → golongan pokok (2 digits) → golongan (3)
→ subgolongan (4) → kelompok (5).

No maintained package ships the KBLI 2020 table (PyPI was searched for
"kbli"), and kukm ships no hand-made copy. What kukm does know is the
structure: the golongan pokok (2-digit divisions) of each kategori, which
KBLI 2020 takes over from ISIC Rev. 4 [S]; :func:`kategori` uses it. A Dinas
loads the official list (CSV ``kode,judul[,kategori]``) with
:func:`load_table` and makes it the process default with :func:`set_table`;
:mod:`kukm.ids.kbli` then also checks that a code exists.

>>> kategori("47111")
'G'
>>> get_table() is None
True
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping
from typing import Final, final

from attrs import frozen

from kukm.exceptions import ConfigurationError
from kukm.reference._meta import TableMetadata

__all__ = [
    "GOLONGAN_POKOK",
    "KbliEntry",
    "KbliTable",
    "get_table",
    "kategori",
    "load_table",
    "set_table",
]

_RANGES: Final = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}
GOLONGAN_POKOK: Final[Mapping[str, str]] = {
    f"{n:02d}": letter for letter, (lo, hi) in _RANGES.items() for n in range(lo, hi + 1)
}
"""2-digit golongan pokok → kategori letter (KBLI 2020 = ISIC Rev. 4 divisions) [S]."""

STRUCTURE_METADATA: Final = TableMetadata(
    name="kbli_struktur",
    regulation="Peraturan BPS No. 2 Tahun 2020 (KBLI 2020)",
    date="2020",
    source="KBLI 2020 kategori/golongan pokok structure (ISIC Rev. 4 divisions)",
    confidence="S",
)


def kategori(kode: str) -> str | None:
    """The kategori letter of a KBLI code (2–5 digits), or ``None`` if unknown.

    >>> kategori("64"), kategori("04111")
    ('K', None)
    """
    return GOLONGAN_POKOK.get(kode[:2])


@final
@frozen
class KbliEntry:
    """One row of the KBLI table (any level: golongan pokok … kelompok)."""

    kode: str
    judul: str
    kategori: str | None = None


@final
class KbliTable:
    """The official KBLI 2020 list loaded from a file.

    >>> t = KbliTable([KbliEntry("47111", "Perdagangan Eceran ...", "G")],
    ...               TableMetadata("kbli", "Peraturan BPS 2/2020", "2020", "test"))
    >>> "47111" in t, t.get("47111").kategori, len(t)
    (True, 'G', 1)
    """

    def __init__(self, entries: list[KbliEntry], metadata: TableMetadata) -> None:
        self._entries = {e.kode: e for e in entries}
        self.metadata = metadata

    def __contains__(self, kode: object) -> bool:
        return kode in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def get(self, kode: str) -> KbliEntry | None:
        return self._entries.get(kode)


def load_table(path: str | os.PathLike[str], *, metadata: TableMetadata | None = None) -> KbliTable:
    """Read the official list: CSV with header ``kode,judul[,kategori]`` (UTF-8).

    Codes of every level may appear; kategori rows (a single letter) are kept
    as entries too. The result is returned, not installed: see :func:`set_table`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "kbli.csv"
    >>> _ = p.write_text("kode,judul\\n47111,Perdagangan Eceran\\n", encoding="utf-8")
    >>> load_table(p).get("47111").kategori
    'G'
    """
    entries: list[KbliEntry] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = set(reader.fieldnames or ())
        if not {"kode", "judul"} <= fields:
            raise ConfigurationError(f"{path}: KBLI file needs columns kode,judul[,kategori]")
        for row in reader:
            kode = (row.get("kode") or "").strip().lstrip("'")
            if not kode:
                continue
            kat = (row.get("kategori") or "").strip() or kategori(kode)
            entries.append(KbliEntry(kode, (row.get("judul") or "").strip(), kat))
    meta = metadata or TableMetadata(
        name="kbli",
        regulation="Peraturan BPS No. 2 Tahun 2020 (KBLI 2020)",
        date="2020",
        source=os.fspath(path),
        confidence="P",
    )
    return KbliTable(entries, meta)


_current: KbliTable | None = None


def get_table() -> KbliTable | None:
    """The process-wide KBLI table, or ``None`` when none is loaded (the default)."""
    return _current


def set_table(table: KbliTable | None) -> KbliTable | None:
    """Install *table* as the process default (``None`` removes it); returns the old one.

    >>> old = set_table(None)
    """
    global _current
    old, _current = _current, table
    return old
