"""A file's header against an instrument's fields (Kepgub F.1 input, F.2 correction).

Officers' spreadsheets title their columns as people write them: ``Nama Usaha``,
``NIK PEMILIK``, ``kode-wilayah``. The rule, documented and never a guess:

* a column whose name is a field's name or one of its aliases is that field;
* any other column is matched by its **key**: the name casefolded, every run of
  characters other than letters and digits made one ``_``, and ``_`` trimmed at
  both ends (``"Nama Usaha "`` → ``nama_usaha``, ``"Kelurahan / Desa"`` →
  ``kelurahan_desa``). It takes the field whose name's or alias's key is the
  same, and is renamed to that field's name;
* the keys of the titles Dinas sheets commonly give a field (:data:`TITLES`:
  ``No. HP`` → ``telepon``, ``Nama Koperasi`` → ``nama``, ``Jumlah Tenaga Kerja``
  → ``tenaga_kerja``) count as that field's keys, in every form that has a
  field of that name; so does a key with a unit after it (``Modal Usaha (Rp)``,
  ``Tenaga Kerja (orang)``: :data:`UNIT_SUFFIXES`);
* a column whose key fits no field, fits two fields, or fits a field another
  column already gives, is left as it is: an **unknown** column, which the
  instrument ignores (it is kept in the errors file all the same);
* two columns that both *are* one field, by its name or an alias (a title
  repeated, ``alamat`` twice), leave no rule to choose the value by: the file is
  refused with ``HEADER_KOLOM_GANDA`` (a configuration error, CLI exit 2) naming
  them; before, the last one silently won.

:func:`match_header` says what it matched (``renamed``), which required fields
no column gives (``missing``; every row then fails ``REQUIRED_MISSING`` for
them, the import goes on) and which columns nothing takes (``unknown``). A
header none of whose columns is a field of the instrument is a file of another
kind or another form: :meth:`HeaderMatch.raise_if_foreign` raises
``HEADER_TIDAK_DIKENAL`` (a configuration error, CLI exit 2) instead of
rejecting every row.

>>> from kukm.pipeline.checks import load_instrument
>>> m = match_header(load_instrument("umkm"), ["Nama Usaha", "NIK_PEMILIK", "nib", "catatan"])
>>> m.columns
['nama_usaha', 'nik_pemilik', 'nib', 'catatan']
>>> m.renamed, m.unknown
({'Nama Usaha': 'nama_usaha', 'NIK_PEMILIK': 'nik_pemilik'}, ('catatan',))
>>> "kode_wilayah" in m.missing
True
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, final

from attrs import field, frozen

from kukm.exceptions import ConfigurationError, register_code

__all__ = [
    "HEADER_DUA_BARIS",
    "HEADER_KOLOM_GANDA",
    "HEADER_TIDAK_DIKENAL",
    "TITLES",
    "UNIT_SUFFIXES",
    "HeaderMatch",
    "column_key",
    "header_score",
    "match_header",
    "second_title_row",
]

HEADER_DUA_BARIS: Final = register_code(
    "HEADER_DUA_BARIS",
    "Judul kolom berkas tampaknya dua baris (judul gabungan di atas, judul kolom di bawahnya); "
    "tulis judul setiap kolom dalam satu baris (pisahkan sel gabungan), lalu impor lagi.",
    "The file's column titles seem to span two rows (merged titles above, column titles below); "
    "put each column's title in one row (unmerge the cells), then import again.",
    module=__name__,
)


def second_title_row(header: Sequence[str], below: Sequence[str] | None) -> bool:
    """Whether ``below`` (the first row under the header) is a second row of titles: two or
    more cells, none holding a digit (a data row of either form has numbers: NIK, NIB, dates,
    amounts), one of them under a blank title (the merged cell above it showed its text in
    its first column only).

    >>> second_title_row(["Nama Usaha", "Data Pemilik", "", ""], ["", "NIK", "Nama", "L/P"])
    True
    >>> second_title_row(["Nama Usaha", "NIK", "", ""], ["Toko", "3171011708450001", "", ""])
    False
    """
    if not below:
        return False
    filled = [i for i, c in enumerate(below) if c.strip()]
    if len(filled) < 2 or any(ch.isdigit() for i in filled for ch in below[i]):
        return False
    return any(i >= len(header) or not header[i].strip() for i in filled)


HEADER_TIDAK_DIKENAL: Final = register_code(
    "HEADER_TIDAK_DIKENAL",
    "Tidak satu pun judul kolom berkas dikenal oleh formulir ini; periksa jenis data (--kind) "
    "atau formulir (--instrument).",
    "None of the file's column titles is a field of this form; check the kind of data "
    "(--kind) or the form (--instrument).",
    module=__name__,
)

HEADER_KOLOM_GANDA: Final = register_code(
    "HEADER_KOLOM_GANDA",
    "Dua kolom atau lebih berisi field yang sama (judul kolom berulang); hapus atau ganti nama "
    "salah satunya.",
    "Two or more columns give the same field (a repeated column title); remove or rename one "
    "of them.",
    module=__name__,
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

#: Field name → titles Dinas sheets and apps use for it (matched by key). Only titles that can
#: mean nothing else: a bare "Omzet" may be monthly (a twelvefold error in the scale) and a bare
#: "NIK" may be the owner's or a cooperative's number, so neither is here (a missing field's
#: hint still points at such a column).
TITLES: Final[dict[str, tuple[str, ...]]] = {
    # UMKM (kukm's default form)
    "nama_usaha": ("Nama UMKM", "Nama Toko", "Nama Perusahaan", "Nama Merek", "Merek Usaha"),
    "nib": ("No NIB", "Nomor NIB", "Nomor Induk Berusaha"),
    "npwp": ("No NPWP", "Nomor NPWP", "NPWP Usaha"),
    "nik_pemilik": ("NIK Pemilik Usaha", "NIK KTP", "No KTP", "Nomor KTP", "Nomor Induk Kependudukan"),
    "nama_pemilik": ("Pemilik", "Nama Pemilik Usaha", "Nama Pelaku Usaha"),
    "jenis_kelamin": ("JK", "L/P", "Jenis Kelamin Pemilik", "Gender"),
    "alamat": ("Alamat Usaha", "Alamat Lengkap", "Alamat Tempat Usaha", "Alamat Koperasi",
               "Alamat Kantor"),
    "kode_wilayah": ("Kode Kelurahan", "Kode Wilayah Kelurahan", "Kode Wilayah Kemendagri"),
    "kbli": ("Kode KBLI", "KBLI 2020", "No KBLI"),
    "modal_usaha": ("Modal", "Jumlah Modal", "Modal Usaha Rp"),
    "omzet_tahunan": (
        "Omzet per Tahun", "Omset per Tahun", "Omzet Tahunan", "Omset Tahunan", "Omzet/Tahun",
        "Omset/Tahun", "Penjualan Tahunan", "Penjualan per Tahun", "Hasil Penjualan Tahunan",
    ),
    "tenaga_kerja": ("Jumlah Tenaga Kerja", "Jumlah Karyawan", "Jumlah Pekerja", "Karyawan"),
    "tanggal_berdiri": ("Tanggal Mulai Usaha", "Tgl Berdiri", "Tanggal Pendirian", "Tgl Mulai Usaha"),
    "telepon": (
        "No HP", "Nomor HP", "HP", "No Telepon", "No Telp", "Telp", "Nomor Telepon", "No WA",
        "Nomor WA", "WhatsApp", "Telepon/HP", "No HP/WA",
    ),
    "email": ("E-mail", "Alamat Email", "Alamat E-mail", "Surel"),
    "sumber_data": ("Sumber", "Asal Data"),
    "tanggal_data": ("Tanggal Pendataan", "Tgl Pendataan"),
    # koperasi (kukm's default form, beside the ODS labels it takes as aliases)
    "nama": ("Nama Koperasi",),
    "nomor_badan_hukum": ("No Badan Hukum", "Nomor BH", "No BH", "Badan Hukum"),
    "tanggal_badan_hukum": ("Tgl Badan Hukum", "Tanggal BH", "Tgl BH"),
    "tanggal_rat_terakhir": ("Tanggal RAT", "Tgl RAT", "RAT Terakhir"),
    "kelurahan": ("Kel", "Desa/Kelurahan", "Desa"),
    "kecamatan": ("Kec",),
    "kabupaten": ("Kota", "Kabupaten/Kota", "Kab/Kota", "Kota/Kabupaten", "Kota Administrasi"),
    "jenis": ("Jenis",),
    "bentuk": ("Bentuk",),
    "total_anggota": ("Jumlah Anggota", "Anggota"),
    "anggota_pria": ("Anggota Pria", "Anggota Laki-laki", "Anggota L", "Jumlah Anggota Laki-laki"),
    "anggota_wanita": ("Anggota Wanita", "Anggota Perempuan", "Anggota P",
                       "Jumlah Anggota Perempuan"),
    "total_karyawan": ("Jumlah Karyawan", "Karyawan", "Jumlah Pegawai"),
    "total_manajer": ("Jumlah Manajer",),
    "nomor_perubahan_ad": ("No Perubahan AD", "Nomor PAD", "No PAD", "No Akta Perubahan"),
    "tanggal_perubahan_ad": ("Tgl Perubahan AD", "Tanggal PAD", "Tgl PAD"),
    "sektor_usaha": ("Sektor", "Bidang Usaha", "Sektor Usaha Koperasi"),
    "nomor_induk_koperasi": ("NIK Koperasi", "Nomor Induk Koperasi", "No Induk Koperasi"),
    "nama_ketua": ("Ketua",),
    "nama_sekretaris": ("Sekretaris",),
    "nama_bendahara": ("Bendahara",),
    "nama_pengawas": ("Pengawas", "Ketua Pengawas"),
    "nama_manajer": ("Manajer", "Nama Manajer"),
    "aset": ("Total Aset", "Jumlah Aset", "Asset"),
}  # fmt: skip

#: Units a title may end with (``Modal Usaha (Rp)``): the key without them is tried too
UNIT_SUFFIXES: Final = ("_rp", "_rupiah", "_idr", "_orang", "_jiwa")


def column_key(name: str) -> str:
    """The key a column title is matched by (module docstring).

    >>> column_key(" Kelurahan / Desa"), column_key("NIK-Pemilik"), column_key("Tanggal RAT Terakhir")
    ('kelurahan_desa', 'nik_pemilik', 'tanggal_rat_terakhir')
    """
    return _NOT_ALNUM.sub("_", name.casefold()).strip("_")


@final
@frozen
class HeaderMatch:
    """What :func:`match_header` found; ``columns`` is the header with renamed columns."""

    columns: list[str]
    renamed: dict[str, str] = field(factory=dict)
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    #: missing field → the unknown column whose key is closest to it (a hint, never applied)
    suggestions: dict[str, str] = field(factory=dict)
    #: at least one column is a field of the instrument (always true without fields to match)
    known: bool = True

    def raise_if_foreign(self, kind: str) -> None:
        """Raise ``HEADER_TIDAK_DIKENAL`` when no column is a field of the instrument."""
        if not self.known:
            shown = ", ".join(repr(c) for c in self.columns[:8])
            raise ConfigurationError(
                f"none of the columns ({shown}) is a field of the {kind} form; "
                "check --kind or --instrument",
                code=HEADER_TIDAK_DIKENAL,
            )

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the import summary's ``header``)."""
        return {
            "renamed": dict(self.renamed),
            "missing": list(self.missing),
            "unknown": list(self.unknown),
            "suggestions": dict(self.suggestions),
        }


def _labels(fields: Sequence[Any]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The fields' names and aliases: label → field name, and key of a label → field names."""
    exact: dict[str, str] = {}
    by_key: dict[str, set[str]] = {}
    for f in fields:
        for label in (f.name, *f.aliases):
            exact.setdefault(label, f.name)
            by_key.setdefault(column_key(label), set()).add(f.name)
    for f in fields:  # common titles after the form's own labels: they never override those
        for title in TITLES.get(f.name, ()):
            key = column_key(title)
            if key not in by_key:
                by_key[key] = {f.name}
    return exact, by_key


def _fits(by_key: dict[str, set[str]], title: str) -> set[str]:
    """The fields a title's key (or its key without a unit at the end) fits."""
    key = column_key(title)
    fits = by_key.get(key)
    if fits is None:
        for unit in UNIT_SUFFIXES:
            if key.endswith(unit):
                fits = by_key.get(key[: -len(unit)])
                break
    return fits or set()


def _refuse_repeated(cols: list[str], fields: list[str | None]) -> None:
    """``HEADER_KOLOM_GANDA`` when two columns give one field (``fields``: the field each
    column gives, by name or alias, or ``None``): which of them holds the value?"""
    at: dict[str, list[int]] = {}
    for i, name in enumerate(fields):
        if name is not None:
            at.setdefault(name, []).append(i)
    repeated = {name: where for name, where in at.items() if len(where) > 1}
    if repeated:
        shown = "; ".join(
            f"{name}: " + ", ".join(repr(cols[i]) for i in where)
            for name, where in repeated.items()
        )
        raise ConfigurationError(
            f"more than one column gives a field ({shown}); keep one of them", code=HEADER_KOLOM_GANDA
        )


def header_score(instrument: Any) -> Callable[[list[str]], int] | None:
    """How many of a row's cells name a field of ``instrument`` (exactly or by key): the
    score by which the CSV and XLSX readers find the header below title rows
    (:func:`kukm.pipeline.readers.open_table`). ``None`` for an instrument without fields.

    >>> from kukm.pipeline.checks import load_instrument
    >>> score = header_score(load_instrument("umkm"))
    >>> score(["DATA UMKM 2025", "", ""]), score(["No", "Nama Usaha", "NIB", "alamat"])
    (0, 3)
    """
    fields = getattr(instrument, "fields", None)
    if not fields:
        return None
    exact, by_key = _labels(fields)

    def score(cells: list[str]) -> int:
        return sum(1 for c in set(cells) if c and (c in exact or _fits(by_key, c)))

    return score


def match_header(instrument: Any, columns: Sequence[str]) -> HeaderMatch:
    """Match ``columns`` to ``instrument``'s fields by the rule of the module docstring.

    An instrument without ``fields`` (a plugin's own) is taken as it is: every
    column kept, nothing missing; so is a file without a header (an empty file).
    """
    cols = list(columns)
    fields = getattr(instrument, "fields", None)
    if not fields or not cols:  # nothing to match (or an empty file: nothing to say of it)
        return HeaderMatch(cols)
    exact, by_key = _labels(fields)
    given = {exact[c] for c in cols if c in exact}
    renamed: dict[str, str] = {}
    out: list[str] = []
    for c in cols:
        if c not in exact:
            fits = _fits(by_key, c)
            if len(fits) == 1:
                (name,) = fits
                if name not in given:
                    given.add(name)
                    renamed[c] = name
                    out.append(name)
                    continue
        out.append(c)
    unknown = tuple(c for c in out if c not in exact)
    _refuse_repeated(cols, [exact.get(c, renamed.get(c)) for c in cols])
    missing = tuple(f.name for f in fields if f.required and f.name not in given)
    suggestions: dict[str, str] = {}
    keys = {column_key(c): c for c in unknown}
    for name in missing:
        close = difflib.get_close_matches(column_key(name), list(keys), n=1, cutoff=0.75)
        if close:
            suggestions[name] = keys[close[0]]
    known = bool(given) or not cols
    return HeaderMatch(out, renamed, missing, unknown, suggestions, known)

