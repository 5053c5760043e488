"""ODS vocabularies: jenis, bentuk, kelompok, status NIK, grade and sektor usaha.

The values are written exactly as the ministry's ODS (nik.depkop.go.id) writes
them. Sources (REGULATIONS.md):

* ``jenis`` (5): §4 [D] (all 4,125 DKI records); the same five in Kemenkop's
  national ODS statistics [S] and UU 25/1992 Pasal 16 elucidation [S];
* ``bentuk`` (6): §4 [D];
* ``kelompok`` (41): §4 [D], the 41 values seen in DKI;
* ``status_nik``: §1.3 [D] (3 values) plus ``Sertifikat - Aktif`` (Part 2 §2 [S]);
* ``grade``: A, B, C1, C2, D (§1.3 [D]; Part 2 §1): opaque values, their meaning
  is not published [N], so kukm never derives them;
* ``sektor_usaha``: KBLI kategori names as ODS abbreviates them (§4 [D];
  the list there is incomplete, so unknown values are warnings only).

Matching ignores case, spaces and punctuation (``"kop. lainnya"`` =
``"Kop. Lainnya"``). A value outside a vocabulary is never dropped:
:func:`normalise` returns it unchanged and :func:`problems` reports it
(``VOCAB_UNKNOWN``, a warning). A Dinas replaces a vocabulary with
:func:`load_vocabulary` + :func:`set_vocabulary`.

>>> check("jenis", "simpan pinjam"), normalise("jenis", "simpan pinjam")
(True, 'Simpan Pinjam')
>>> normalise("kelompok", "Koperasi Tani")  # unknown: kept as written
'Koperasi Tani'
>>> [i.code for i in problems("grade", "E", "status_grade")]
['VOCAB_UNKNOWN']
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator, Mapping
from typing import Final, final

from kukm.exceptions import ConfigurationError, Issue, Severity, issue, register_code
from kukm.reference._meta import TableMetadata

__all__ = [
    "BENTUK_KOPERASI",
    "JENIS_KOPERASI",
    "KELOMPOK_KOPERASI",
    "SEKTOR_USAHA",
    "STATUS_GRADE",
    "STATUS_NIK",
    "VOCAB_UNKNOWN",
    "Vocabulary",
    "all_vocabularies",
    "check",
    "get",
    "is_known",
    "load_vocabulary",
    "names",
    "normalise",
    "problems",
    "set_vocabulary",
]

VOCAB_UNKNOWN: Final = register_code(
    "VOCAB_UNKNOWN",
    "Nilai tidak ada dalam daftar nilai ODS (tetap disimpan).",
    "The value is not in the ODS vocabulary (kept as written).",
    Severity.WARNING,
    module=__name__,
)

JENIS_KOPERASI: Final = ("Konsumen", "Simpan Pinjam", "Jasa", "Produsen", "Pemasaran")
BENTUK_KOPERASI: Final = (
    "Primer Nasional",
    "Primer Provinsi",
    "Primer Kabupaten/Kota",
    "Sekunder Nasional",
    "Sekunder Provinsi",
    "Sekunder Kabupaten/Kota",
)
KELOMPOK_KOPERASI: Final = (
    "Kop. Lainnya",
    "Kopkar",
    "Kop. Serba Usaha",
    "Kop. Simpan Pinjam",
    "Kop. Pegawai Negeri (KPRI)",
    "Kop. Pasar",
    "Kop. Angkatan Darat",
    "Kop. Angkatan Laut",
    "Kop. Angkatan Udara",
    "Kop. Kepolisian",
    "Kop. Wanita",
    "Kop. Profesi",
    "Kop. Angkutan Darat",
    "Kop. Angkutan Laut",
    "Kop. Angkutan Udara",
    "Kop. Angkutan Penyeberangan",
    "Kop. Simpan Pinjam dan Pembiayaan Syariah",
    "Kop. Sekunder",
    "Kop. Nelayan",
    "Koppontren",
    "Kop. Pedagang Kaki Lima",
    "Kop. Pertanian",
    "Kop. Wredatama",
    "Kop. TKBM",
    "Kopinkra",
    "Kop. Telkom",
    "Kopti",
    "Kop. Pemuda",
    "Kop. Mahasiswa",
    "Kop. Peternakan",
    "Kop. Perkebunan",
    "Kop. Veteran",
    "Kop. Pepabri",
    "Kop. Perumahan",
    "Kop. Wisata",
    "Kop. Kehutanan",
    "KUD",
    "Kop. Pertambangan",
    "Kop. Listrik Pedesaan",
    "Kopra",
    "Kop. Digital",
)
STATUS_NIK: Final = (
    "Belum Bersertifikat",
    "Sudah Bersertifikat",
    "Sertifikat - Expired",
    "Sertifikat - Aktif",
)
STATUS_GRADE: Final = ("A", "B", "C1", "C2", "D")
SEKTOR_USAHA: Final = (
    "Jasa Lainnya",
    "Jasa Keuangan dan Asuransi",
    "Penyediaan Akomodasi dan Makan Minum",
    "Perdagangan Besar dan Eceran - Rep Mobil dan Motor",
    "Pertanian, Kehutanan dan Perikanan",
    "Transportasi dan Pergudangan",
    "Industri Pengolahan",
    "Informasi dan Komunikasi",
    "Konstruksi",
    "Real Estat",
    "Jasa Pendidikan",
    "Jasa Perusahaan",
    "Jasa Kesehatan dan Kegiatan Sosial",
)

_NOISE: Final = re.compile(r"[^0-9a-z]+")


def _key(value: str) -> str:
    return _NOISE.sub("", value.lower())


@final
class Vocabulary:
    """A closed list of values with where it comes from.

    >>> v = Vocabulary("x", ("Satu", "Dua"), TableMetadata("x", "", "", "doctest"))
    >>> "satu" in v, v.normalise(" DUA "), v.normalise("tiga")
    (True, 'Dua', 'tiga')
    """

    def __init__(
        self,
        name: str,
        values: tuple[str, ...],
        metadata: TableMetadata,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.values = values
        self.metadata = metadata
        self._by_key = {_key(v): v for v in values}
        for alias, target in (aliases or {}).items():
            self._by_key.setdefault(_key(alias), target)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and _key(value) in self._by_key

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def normalise(self, value: str) -> str:
        """The official spelling of *value*, or *value* unchanged when unknown."""
        return self._by_key.get(_key(value), value)


def _meta(name: str, source: str, confidence: str, note: str = "") -> TableMetadata:
    return TableMetadata(
        name=name,
        regulation="Permenkop UKM 10/Per/M.KUKM/VI/2016 (Pendataan KUKM; ODS)",
        date="2022",
        source=source,
        confidence=confidence,
        note=note,
    )


_ODS: Final = "ODS nik.depkop.go.id, 4,125 DKI records (REGULATIONS.md §1.3, §4)"

_DEFAULTS: Final = {
    "jenis": Vocabulary(
        "jenis",
        JENIS_KOPERASI,
        _meta("jenis", _ODS + "; UU 25/1992 Pasal 16", "D"),
        {
            "Koperasi Konsumen": "Konsumen",
            "KSP": "Simpan Pinjam",
            "Koperasi Simpan Pinjam": "Simpan Pinjam",
        },
    ),
    "bentuk": Vocabulary(
        "bentuk",
        BENTUK_KOPERASI,
        _meta("bentuk", _ODS, "D"),
        {
            "Primer Kab/Kota": "Primer Kabupaten/Kota",
            "Sekunder Kab/Kota": "Sekunder Kabupaten/Kota",
        },
    ),
    "kelompok": Vocabulary("kelompok", KELOMPOK_KOPERASI, _meta("kelompok", _ODS, "D")),
    "status_nik": Vocabulary(
        "status_nik",
        STATUS_NIK,
        _meta("status_nik", _ODS + "; Sertifikat - Aktif: REGULATIONS.md Part 2 §2", "D"),
    ),
    "grade": Vocabulary(
        "grade",
        STATUS_GRADE,
        _meta("grade", _ODS + "; REGULATIONS.md Part 2 §1", "D", "meaning not published [N]"),
    ),
    "sektor_usaha": Vocabulary(
        "sektor_usaha",
        SEKTOR_USAHA,
        _meta("sektor_usaha", _ODS, "D", "incomplete: ODS abbreviations of KBLI kategori names"),
    ),
}
_current: dict[str, Vocabulary] = dict(_DEFAULTS)


def names() -> list[str]:
    """Names of the vocabularies.

    >>> names()
    ['bentuk', 'grade', 'jenis', 'kelompok', 'sektor_usaha', 'status_nik']
    """
    return sorted(_current)


def get(name: str) -> Vocabulary:
    """The vocabulary called *name* (``KeyError`` if there is none).

    >>> len(get("kelompok"))
    41
    """
    return _current[name]


def check(name: str, value: object) -> bool:
    """``True`` if *value* is in vocabulary *name* (case/space/punctuation-insensitive).

    >>> check("status_nik", "sertifikat-expired"), check("grade", None)
    (True, False)
    """
    return value in _current[name]


is_known = check


def normalise(name: str, value: str) -> str:
    """The official spelling, or *value* unchanged when it is not in the vocabulary.

    >>> normalise("bentuk", "primer kab/kota")
    'Primer Kabupaten/Kota'
    """
    return _current[name].normalise(value)


def problems(
    name: str, value: object, field: str | None = None, *, row: int | None = None
) -> list[Issue]:
    """A ``VOCAB_UNKNOWN`` warning when *value* is not in vocabulary *name*.

    >>> problems("jenis", "Konsumen")
    []
    """
    if check(name, value):
        return []
    return [issue(VOCAB_UNKNOWN, field or name, value, row=row, detail=name)]


def load_vocabulary(
    name: str, path: str | os.PathLike[str], *, metadata: TableMetadata | None = None
) -> Vocabulary:
    """Read a vocabulary from a CSV with a column ``nilai`` (one value a row).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "grade.csv"
    >>> _ = p.write_text("nilai\\nA\\nB\\n", encoding="utf-8")
    >>> load_vocabulary("grade", p).values
    ('A', 'B')
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "nilai" not in (reader.fieldnames or ()):
            raise ConfigurationError(f"{path}: vocabulary file needs a column nilai")
        values = tuple(v for row in reader if (v := (row.get("nilai") or "").strip()))
    meta = metadata or TableMetadata(name=name, regulation="", date="", source=os.fspath(path))
    return Vocabulary(name, values, meta)


def set_vocabulary(vocabulary: Vocabulary | None, *, name: str | None = None) -> None:
    """Install a vocabulary under its name (``None`` with *name*: restore kukm's default).

    >>> set_vocabulary(None, name="grade")
    """
    if vocabulary is None:
        if name is None:
            raise ValueError("name is required to restore a default vocabulary")
        _current[name] = _DEFAULTS[name]
        return
    _current[vocabulary.name] = vocabulary


def all_vocabularies() -> Mapping[str, Vocabulary]:
    """Every vocabulary by name (a copy).

    >>> sorted(all_vocabularies()) == names()
    True
    """
    return dict(_current)
