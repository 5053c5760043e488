"""Kemendagri ↔ BPS region-code crosswalk (Kepgub I.2 data referensi).

Kemendagri (Kepmendagri 300.2.2-2138/2025) and BPS number the regions of DKI
Jakarta differently: Kemendagri 31.71 is Jakarta Pusat, BPS 3173 is Jakarta
Pusat. Addresses in kukm carry Kemendagri codes; the Nomor Induk Koperasi
prefix uses BPS codes (REGULATIONS.md §1.2). This table is the only bridge.

Default data (``kukm/reference/data/crosswalk_bps_dki.csv``): REGULATIONS.md
§8 [S], from the BPS–Kemendagri bridging data in the public GitHub repository
``audhiaprilliant/Automation-and-Web-Scraping-Using-Python-and-R``
(``Python/bps-kemendagri-admin-area/data/raw/INDONESIA/DKI JAKARTA/``): the
province, its 6 kab/kota and its 44 kecamatan (7-digit BPS codes). Names are
the Kemendagri names. Outside the table the answer is ``None`` (or
:class:`~kukm.exceptions.InvalidComponent` with ``strict=True``): kukm never
assumes that the two systems use the same code. Replace or extend it with
:func:`load_crosswalk` and :func:`set_crosswalk`.

>>> to_bps("31.71")
'3173'
>>> from_bps("3173")
'31.71'
>>> to_bps("31.74.02")
'3171100'
>>> to_bps("32.01") is None
True
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Final, final

from kukm.exceptions import ConfigurationError, InvalidComponent, register_code
from kukm.reference._meta import TableMetadata

__all__ = [
    "CROSSWALK_UNKNOWN",
    "Crosswalk",
    "dotted",
    "from_bps",
    "get_crosswalk",
    "load_crosswalk",
    "set_crosswalk",
    "to_bps",
]

CROSSWALK_UNKNOWN: Final = register_code(
    "CROSSWALK_UNKNOWN",
    "Kode wilayah tidak ada dalam tabel padanan Kemendagri–BPS.",
    "The region code is not in the Kemendagri–BPS crosswalk table.",
    module=__name__,
)

DEFAULT_METADATA: Final = TableMetadata(
    name="crosswalk_bps",
    regulation="Kepmendagri 300.2.2-2138/2025 (Kemendagri codes); BPS Master File Desa (BPS codes)",
    date="2022",
    source=(
        "REGULATIONS.md §8: BPS–Kemendagri bridging data, GitHub "
        "audhiaprilliant/Automation-and-Web-Scraping-Using-Python-and-R, "
        "Python/bps-kemendagri-admin-area/data/raw/INDONESIA/DKI JAKARTA/"
    ),
    confidence="S",
    note="DKI Jakarta only: province, 6 kab/kota, 44 kecamatan",
)


def dotted(kode: str) -> str:
    """A Kemendagri code in dotted form (``3171011001`` → ``31.71.01.1001``).

    >>> dotted("317101"), dotted("31.71")
    ('31.71.01', '31.71')
    """
    text = kode.strip()
    if "." in text or not text.isdigit():
        return text
    parts = [text[0:2], text[2:4], text[4:6], text[6:]]
    return ".".join(p for p in parts if p)


@final
class Crosswalk:
    """Pairs of (Kemendagri dotted code, BPS code).

    >>> cw = Crosswalk({"31.71": "3173"}, DEFAULT_METADATA)
    >>> cw.to_bps("3171"), cw.from_bps("3173"), cw.to_bps("31.72")
    ('3173', '31.71', None)
    """

    def __init__(self, pairs: Mapping[str, str], metadata: TableMetadata) -> None:
        self._to_bps = {dotted(k): v.strip() for k, v in pairs.items()}
        self._from_bps = {v: k for k, v in self._to_bps.items()}
        if len(self._from_bps) != len(self._to_bps):
            raise ConfigurationError("crosswalk maps two Kemendagri codes to one BPS code")
        self.metadata = metadata

    def __len__(self) -> int:
        return len(self._to_bps)

    def __iter__(self) -> Iterator[str]:
        return iter(self._to_bps)

    def items(self) -> Iterator[tuple[str, str]]:
        """(Kemendagri, BPS) pairs."""
        return iter(self._to_bps.items())

    def to_bps(self, kode: str) -> str | None:
        """BPS code for a Kemendagri code, or ``None`` when the table does not know it."""
        return self._to_bps.get(dotted(kode))

    def from_bps(self, kode_bps: str) -> str | None:
        """Kemendagri dotted code for a BPS code, or ``None``."""
        return self._from_bps.get(kode_bps.strip())


def _read(stream: Iterable[str], source: str) -> dict[str, str]:
    reader = csv.DictReader(stream)
    if not {"kode", "kode_bps"} <= set(reader.fieldnames or ()):
        raise ConfigurationError(f"{source}: crosswalk needs columns kode,kode_bps")
    return {
        row["kode"].strip(): row["kode_bps"].strip()
        for row in reader
        if (row.get("kode") or "").strip() and (row.get("kode_bps") or "").strip()
    }


def load_crosswalk(
    path: str | os.PathLike[str], *, metadata: TableMetadata | None = None
) -> Crosswalk:
    """Read a crosswalk CSV (header ``kode,kode_bps[,nama]``, Kemendagri codes dotted or plain).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cw.csv"
    >>> _ = p.write_text("kode,kode_bps\\n32.01,3201\\n", encoding="utf-8")
    >>> load_crosswalk(p).to_bps("32.01")
    '3201'
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        pairs = _read(fh, os.fspath(path))
    meta = metadata or TableMetadata(
        name="crosswalk_bps", regulation="", date="", source=os.fspath(path)
    )
    return Crosswalk(pairs, meta)


def _default() -> Crosswalk:
    ref = resources.files("kukm.reference").joinpath("data", "crosswalk_bps_dki.csv")
    text = ref.read_text(encoding="utf-8")
    pairs = _read(io.StringIO(text, newline=""), "kukm/reference/data/crosswalk_bps_dki.csv")
    return Crosswalk(pairs, DEFAULT_METADATA)


_current: Crosswalk | None = None


def get_crosswalk() -> Crosswalk:
    """The process-wide crosswalk (kukm's DKI table unless replaced).

    >>> len(get_crosswalk())
    51
    """
    global _current
    if _current is None:
        _current = _default()
    return _current


def set_crosswalk(table: Crosswalk | None) -> Crosswalk | None:
    """Install *table* as the process default (``None`` restores kukm's); returns the old one."""
    global _current
    old, _current = _current, table
    return old


def to_bps(kode: str, *, strict: bool = False) -> str | None:
    """BPS code for a Kemendagri code (``None`` if unknown; raise with *strict*).

    >>> to_bps("31.75.04")
    '3172050'
    >>> to_bps("31.75.04.1001", strict=True)
    Traceback (most recent call last):
        ...
    kukm.exceptions.InvalidComponent: [CROSSWALK_UNKNOWN] ...
    """
    found = get_crosswalk().to_bps(kode)
    if found is None and strict:
        raise InvalidComponent(code=CROSSWALK_UNKNOWN, value=kode)
    return found


def from_bps(kode_bps: str, *, strict: bool = False) -> str | None:
    """Kemendagri dotted code for a BPS code (``None`` if unknown; raise with *strict*).

    >>> from_bps("3171100")
    '31.74.02'
    """
    found = get_crosswalk().from_bps(kode_bps)
    if found is None and strict:
        raise InvalidComponent(code=CROSSWALK_UNKNOWN, value=kode_bps)
    return found
