"""A file's header against an instrument's fields (Kepgub F.1 input, F.2 correction).

Officers' spreadsheets title their columns as people write them: ``Nama Usaha``,
``NIK PEMILIK``, ``1. Nama Usaha:``, ``Omzet (Rp/Tahun)``, ``Jenis Kelamin (L/P)``.
The rule, documented and never a guess:

* a column whose name is a field's name or one of its aliases is that field;
* any other column is matched by its **key**: the name casefolded, every run of
  characters other than letters and digits made one ``_``, and ``_`` trimmed at
  both ends (``"Nama Usaha "`` → ``nama_usaha``, ``"Kelurahan / Desa"`` →
  ``kelurahan_desa``). It takes the field whose name's or alias's key is the
  same, and is renamed to that field's name;
* the keys of the field's own ``title`` (the form's documentation: ``Hasil
  penjualan tahunan``, ``NIK kependudukan pemilik``) and of the titles Dinas
  sheets commonly give a field (:data:`TITLES`: ``No. HP`` → ``telepon``, ``Nama
  Koperasi`` → ``nama``, ``Jumlah Tenaga Kerja`` → ``tenaga_kerja``) count as that
  field's keys, in every form that has a field of that name (never over the form's
  own names and aliases);
* a title whose key fits nothing is tried by its **normal key**
  (:func:`title_key`, applied to the title and to every name, alias and title
  alike): a numbering before it dropped (``1. ``, ``3a) ``, ``(2)``, ``B. ``), the
  currency ``Rp``/``Rupiah``/``IDR`` dropped wherever it stands and a count unit at
  the end (``orang``, ``jiwa``: :data:`UNIT_SUFFIXES`), and the usual
  abbreviations written out (``Jml`` → ``jumlah``, ``Tgl`` → ``tanggal``, ``Thn``
  → ``tahun``, ``No`` → ``nomor``, ``Omset`` → ``omzet``: :data:`ABBREVIATIONS`):
  ``Omzet (Rp/Thn)`` is ``Omzet/Tahun``;
* then without the notes in brackets after it, when every note only restates the
  field (``NIB (Nomor Induk Berusaha)``, ``Jenis Kelamin (L/P)``), is a date
  format before a date field (``(dd/mm/yyyy)``) or a filling note of the words
  of :data:`NOTE_WORDS` and digits (``(sesuai NIB)``, ``(16 digit)``,
  ``(wajib diisi)``); a note that says anything else (``(per bulan)``,
  ``(Rp juta)``) keeps the title unmatched;
* two qualifiers change what a title is, whatever it fits otherwise
  (:data:`GUARDS`): a turnover per month, week or day (``Omzet per Bulan``,
  ``Omset/Bln``, ``Penjualan Harian``) is never a yearly field, and the owner's
  address (``Alamat Pemilik``, ``Alamat KTP``, ``Alamat Rumah``, ``Alamat
  Domisili``) is never the business address: such a title fits only a field whose
  own name or alias carries the same qualifier (a Dinas form's ``omzet_bulanan``);
* a column whose title fits no field, fits two fields, or fits a field another
  column already gives, is left as it is: an **unknown** column, which the
  instrument ignores (it is kept in the errors file all the same); where two
  columns fit one field the first takes it, except that a broad title
  (:data:`BROAD_TITLES`: a bare ``Alamat`` beside ``Alamat Usaha``) gives way to a
  specific one;
* an unknown column that looks like a field but is not taken says why in
  :attr:`HeaderMatch.unclear` (the import summary's ``header.unclear``): a
  monthly turnover (the form asks the **yearly** sales, PP 7/2021: a monthly figure
  read as yearly puts the business a scale or two too low), a turnover without a
  period (``Omzet``: yearly or monthly?), amounts in thousands or millions
  (``Omzet per Tahun (Rp juta)``), a year for a date (``Tahun Berdiri``), the figure
  of a stated year (``Omzet 2023``: the year chooses the scale regime, so it belongs
  in ``tanggal_data``), a title that could be two fields (:data:`ASK`: a bare
  ``NIK``, the owner's or the cooperative's? ``Nama``, the business's or the
  owner's? ``Aset``, which is neither ``modal_usaha`` nor ``kekayaan_bersih``),
  one that fits two fields, or one whose field another column gives. The hint for a
  missing required field never points at such a column (``omzet_tahunan`` is
  never "did you mean 'Omzet Bulanan'?");
* two columns that both *are* one field, by its name or an alias (a title
  repeated, ``alamat`` twice), leave no rule to choose the value by: the file is
  refused with ``HEADER_KOLOM_GANDA`` (a configuration error, CLI exit 2) naming
  them; before, the last one silently won.

:func:`match_header` says what it matched (``renamed``), which required fields
no column gives (``missing``; every row then fails ``REQUIRED_MISSING`` for
them, the import goes on), which columns nothing takes (``unknown``) and why some
of those are not taken (``unclear``). A header none of whose columns is a field of
the instrument is a file of another kind or another form:
:meth:`HeaderMatch.raise_if_foreign` raises ``HEADER_TIDAK_DIKENAL`` (a
configuration error, CLI exit 2) instead of rejecting every row.

>>> from kukm.pipeline.checks import load_instrument
>>> m = match_header(load_instrument("umkm"), ["Nama Usaha", "NIK_PEMILIK", "nib", "catatan"])
>>> m.columns
['nama_usaha', 'nik_pemilik', 'nib', 'catatan']
>>> m.renamed, m.unknown
({'Nama Usaha': 'nama_usaha', 'NIK_PEMILIK': 'nik_pemilik'}, ('catatan',))
>>> "kode_wilayah" in m.missing
True
>>> m = match_header(load_instrument("umkm"), ["1. Nama Usaha", "Omzet per Bulan (Rp)"])
>>> m.renamed, m.unknown
({'1. Nama Usaha': 'nama_usaha'}, ('Omzet per Bulan (Rp)',))
>>> m.unclear["Omzet per Bulan (Rp)"].startswith("a turnover per month")
True
"""

from __future__ import annotations

import codecs
import difflib
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, final

from attrs import field, frozen

from kukm.exceptions import ConfigurationError, register_code

__all__ = [
    "BERKAS_KOSONG",
    "HEADER_DUA_BARIS",
    "HEADER_KOLOM_GANDA",
    "HEADER_TIDAK_DIKENAL",
    "TITLES",
    "UNIT_SUFFIXES",
    "HeaderMatch",
    "blank_file",
    "blank_text",
    "column_key",
    "empty_input",
    "header_score",
    "match_header",
    "refuse_blank_file",
    "second_title_row",
]

BERKAS_KOSONG: Final = register_code(
    "BERKAS_KOSONG",
    "Berkas kosong: tanpa judul kolom dan tanpa baris (0 byte, hanya baris kosong, atau lembar "
    "kerja kosong); periksa berkas yang dipilih.",
    "The file is empty: no header and no rows (0 bytes, only blank lines, or an empty sheet); "
    "check the file given.",
    module=__name__,
)

#: characters of a line holding no text: blanks, line breaks, and the cell separators and
#: quotes of CSV cells without text (a file of only these is blank: :func:`blank_file`,
#: :func:`blank_text`)
_BLANK_CHARS: Final = ' \t\r\n\x0b\x0c,;|"'
#: the same, as the bytes :func:`blank_file` reads
_BLANK_BYTES: Final = _BLANK_CHARS.encode("ascii")


def blank_file(path: str | Path) -> bool:
    """Whether a file holds no text at all: 0 bytes, or only a byte-order mark (UTF-8,
    UTF-16), blanks, line breaks, and the separators (``,`` ``;`` ``|`` tab) and quotes of
    empty cells. Such a file has no header, so no form to read rows by:
    a failed download or the wrong file, not an import of 0 rows (``BERKAS_KOSONG``). A
    file with a header and no rows is not blank. Reading stops at the first byte of text.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_bytes(b"\\xef\\xbb\\xbf\\r\\n ;;\\n")
    >>> _ = (d / "b.csv").write_bytes(b"nama_usaha\\n")
    >>> blank_file(d / "a.csv"), blank_file(d / "b.csv")
    (True, False)
    """
    with open(path, "rb") as fh:
        block = fh.read(1 << 16)
        blank = _BLANK_BYTES
        if block.startswith(codecs.BOM_UTF8):
            block = block[len(codecs.BOM_UTF8) :]
        elif block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            block, blank = block[2:], blank + b"\x00"  # each character of two bytes
        while block:
            if block.translate(None, blank):
                return False
            block = fh.read(1 << 16)
    return True


def blank_text(text: str) -> bool:
    """Whether ``text`` (a file or stream already read as text) holds no text by
    :func:`blank_file`'s rule: only a byte-order mark at its start, blanks, line breaks, and
    the separators and quotes of empty cells.

    >>> blank_text("\\ufeff\\r\\n ;;\\n"), blank_text(""), blank_text("nama_usaha\\n"), blank_text("[]")
    (True, True, False, False)
    """
    return not text.removeprefix("\ufeff").strip(_BLANK_CHARS)


def refuse_blank_file(path: str | Path) -> None:
    """Raise ``BERKAS_KOSONG`` (:class:`~kukm.exceptions.ConfigurationError`) for a
    :func:`blank_file`; a file that is not there is left to the reader to report."""
    p = Path(path)
    if p.is_file() and blank_file(p):
        raise empty_input(str(p), "0 bytes" if p.stat().st_size == 0 else "only blank lines")


def empty_input(label: str, why: str) -> ConfigurationError:
    """The ``BERKAS_KOSONG`` error for the file or stream ``label`` (``why``: "0 bytes",
    "only blank lines" …), as every reader raises it."""
    return ConfigurationError(
        f"{label} is empty: no header and no rows ({why})", code=BERKAS_KOSONG, value=label
    )

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

#: Field name → titles Dinas sheets and apps use for it (matched by key and by normal key).
#: Only titles that can mean nothing else in a form that has the field: a bare "Omzet" may be
#: monthly (a twelvefold error in the scale), so it is not here (it is reported instead:
#: :data:`ASK`, :data:`GUARDS`). A bare "NIK" is the owner's in a form whose only NIK field is
#: the owner's (the UMKM form: a business is recorded with one person, its owner, Kepgub D.1),
#: and it is checked as a 16-digit NIK kependudukan there, so a Nomor Induk Koperasi in it is
#: refused, never taken; in a form with a Nomor Induk Koperasi (the koperasi form) it stays
#: unclear (:data:`ASK`). A title written here once stands for
#: its spellings with other abbreviations (``Jml``/``Jumlah``, ``No``/``Nomor``, ``Omset``/
#: ``Omzet``), units, numbering and case.
TITLES: Final[dict[str, tuple[str, ...]]] = {
    # UMKM (kukm's default form)
    "nama_usaha": ("Nama UMKM", "Nama Toko", "Nama Perusahaan", "Nama Merek", "Merek Usaha",
                   "Nama UKM", "Nama UMK", "Nama Tempat Usaha", "Nama Unit Usaha",
                   "Nama Badan Usaha", "Business Name"),
    "nib": ("No NIB", "Nomor NIB", "Nomor Induk Berusaha"),
    "npwp": ("No NPWP", "Nomor NPWP", "NPWP Usaha", "Nomor Pokok Wajib Pajak"),
    "nik_pemilik": ("NIK", "Nomor NIK", "NIK Pemilik Usaha", "NIK KTP", "No KTP", "Nomor KTP", "Nomor Induk Kependudukan",
                    "NIK Pelaku Usaha", "No KTP Pemilik", "NIK KTP Pemilik", "NIK Pengusaha",
                    "NIK Owner", "Owner NIK"),
    "nama_pemilik": ("Pemilik", "Nama Pemilik Usaha", "Nama Pelaku Usaha", "Nama Pengusaha",
                     "Pelaku Usaha", "Nama Lengkap Pemilik", "Nama Owner", "Owner Name", "Owner"),
    "jenis_kelamin": ("JK", "L/P", "Jenis Kelamin Pemilik", "Gender", "Sex", "Jns Kelamin",
                      "Laki-laki/Perempuan"),
    "alamat": ("Alamat Usaha", "Alamat Lengkap", "Alamat Tempat Usaha", "Alamat Koperasi",
               "Alamat Kantor", "Alamat Lengkap Usaha", "Alamat Usaha Lengkap", "Alamat Lokasi Usaha",
               "Business Address", "Address"),
    "kode_wilayah": ("Kode Kelurahan", "Kode Wilayah Kelurahan", "Kode Wilayah Kemendagri",
                     "Kode Desa", "Kode Desa/Kelurahan", "Kode Kelurahan/Desa"),
    "kbli": ("Kode KBLI", "KBLI 2020", "No KBLI", "KBLI Utama",
             "Klasifikasi Baku Lapangan Usaha Indonesia"),
    "modal_usaha": ("Modal", "Jumlah Modal", "Modal Usaha Rp", "Nilai Modal Usaha",
                    "Modal Usaha tidak termasuk Tanah dan Bangunan",
                    "Modal Usaha tidak termasuk Tanah dan Bangunan Tempat Usaha",
                    "Business Capital", "Capital"),
    "omzet_tahunan": (
        "Omzet per Tahun", "Omset per Tahun", "Omzet Tahunan", "Omset Tahunan", "Omzet/Tahun",
        "Omset/Tahun", "Penjualan Tahunan", "Penjualan per Tahun", "Hasil Penjualan Tahunan",
        "Omzet Pertahun", "Omzet Setahun", "Omzet Rata-rata per Tahun", "Hasil Penjualan per Tahun",
        "Penjualan Setahun", "Annual Turnover", "Yearly Turnover", "Annual Sales",
    ),
    "tenaga_kerja": ("Jumlah Tenaga Kerja", "Jumlah Karyawan", "Jumlah Pekerja", "Karyawan",
                     "Jumlah TK", "Jumlah Pegawai", "Number of Employees", "Employees"),
    "tanggal_berdiri": ("Tanggal Mulai Usaha", "Tgl Berdiri", "Tanggal Pendirian", "Tgl Mulai Usaha",
                        "Tanggal Pendirian Usaha", "Tanggal Usaha Berdiri", "Date Established"),
    "telepon": (
        "No HP", "Nomor HP", "HP", "No Telepon", "No Telp", "Telp", "Nomor Telepon", "No WA",
        "Nomor WA", "WhatsApp", "Telepon/HP", "No HP/WA", "No Telepon/HP", "No HP/Telepon",
        "Nomor Handphone", "Handphone", "HP/WA", "No WhatsApp", "No Kontak", "Telepon Seluler",
        "Phone", "Phone Number", "No HP Pemilik", "No Telepon Pemilik", "No HP Usaha",
    ),
    "email": ("E-mail", "Alamat Email", "Alamat E-mail", "Surel", "Alamat Surel", "Email Usaha",
              "Email Pemilik"),
    "sumber_data": ("Sumber", "Asal Data", "Data Source"),
    "tanggal_data": ("Tanggal Pendataan", "Tgl Pendataan", "Tanggal Survei", "Tanggal Survey"),
    # koperasi (kukm's default form, beside the ODS labels it takes as aliases)
    "nama": ("Nama Koperasi",),
    "nomor_badan_hukum": ("No Badan Hukum", "Nomor BH", "No BH", "Badan Hukum", "No SK Badan Hukum",
                          "SK Badan Hukum", "No Badan Hukum Pendirian", "No SK BH"),
    "tanggal_badan_hukum": ("Tgl Badan Hukum", "Tanggal BH", "Tgl BH", "Tgl SK Badan Hukum"),
    "tanggal_rat_terakhir": ("Tanggal RAT", "Tgl RAT", "RAT Terakhir"),
    "kelurahan": ("Kel", "Desa/Kelurahan", "Desa"),
    "kecamatan": ("Kec",),
    "kabupaten": ("Kota", "Kabupaten/Kota", "Kab/Kota", "Kota/Kabupaten", "Kota Administrasi",
                  "Kota/Kab", "Wilayah Kota"),
    "provinsi": ("Propinsi",),
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
    "nomor_induk_koperasi": ("NIK Koperasi", "Nomor Induk Koperasi", "No Induk Koperasi",
                             "No NIK Koperasi"),
    "nama_ketua": ("Ketua", "Ketua Pengurus", "Nama Ketua Pengurus"),
    "nama_sekretaris": ("Sekretaris",),
    "nama_bendahara": ("Bendahara",),
    "nama_pengawas": ("Pengawas", "Ketua Pengawas", "Nama Ketua Pengawas"),
    "nama_manajer": ("Manajer", "Nama Manajer"),
    "aset": ("Total Aset", "Jumlah Aset", "Asset", "Assets", "Total Assets", "Nilai Aset"),
}  # fmt: skip

#: Units a title may end with (``Tenaga Kerja (orang)``); the currency (``Rp``, ``Rupiah``,
#: ``IDR``) is dropped wherever it stands in a title (``Omzet (Rp/Tahun)``)
UNIT_SUFFIXES: Final = ("_rp", "_rupiah", "_idr", "_orang", "_jiwa")

_CURRENCY: Final = frozenset({"rp", "rupiah", "idr"})
_COUNT_UNITS: Final = frozenset({"orang", "jiwa", "org"})

#: Abbreviations (and a second spelling) written out in a normal key, in titles and labels alike
ABBREVIATIONS: Final[dict[str, str]] = {
    "jml": "jumlah", "jmlh": "jumlah", "tgl": "tanggal", "tggl": "tanggal", "thn": "tahun",
    "th": "tahun", "bln": "bulan", "almt": "alamat", "telp": "telepon", "tlp": "telepon",
    "tlpn": "telepon", "telpon": "telepon", "kab": "kabupaten", "kec": "kecamatan",
    "kel": "kelurahan", "prov": "provinsi", "propinsi": "provinsi", "no": "nomor", "nmr": "nomor",
    "omset": "omzet", "asset": "aset", "jns": "jenis",
}  # fmt: skip

#: Words a note in brackets after a title may be made of and still be only a note (with digits)
NOTE_WORDS: Final = frozenset({
    "sesuai", "ktp", "nib", "npwp", "akta", "jika", "ada", "bila", "apabila", "wajib", "diisi",
    "isi", "opsional", "optional", "boleh", "kosong", "angka", "digit", "huruf", "contoh", "mis",
    "misal", "misalnya", "format", "tanpa", "spasi", "titik", "required", "lengkap", "jalan",
    "jl", "rt", "rw",
})  # fmt: skip

_DATE_FORMAT_WORDS: Final = frozenset({
    "tanggal", "bulan", "tahun", "dd", "mm", "yyyy", "yy", "hh", "bb", "tttt", "d", "m", "y",
    "date", "month", "year",
})  # fmt: skip

_NUMBERING: Final = re.compile(
    r"^\s*(?:[(\[]\s*\d{1,3}[a-z]?\s*[)\]]|\d{1,3}(?:\.\d{1,3})+(?=\s)"
    r"|\d{1,3}(?:\.\d{1,3})*[a-z]?\s*[.):]|[a-z][.)](?=\s))\s*"
)
_NOTES: Final = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")

_TURNOVER: Final = frozenset({
    "omzet", "penjualan", "pendapatan", "penghasilan", "peredaran", "turnover", "revenue",
    "revenues", "sales", "income",
})  # fmt: skip
_SHORT_PERIOD: Final = frozenset({
    "bulan", "bulanan", "perbulan", "sebulan", "hari", "harian", "perhari", "sehari", "minggu",
    "mingguan", "perminggu", "seminggu", "pekan", "month", "monthly", "day", "daily", "week",
    "weekly",
})  # fmt: skip
_YEAR: Final = frozenset({"tahun", "tahunan", "pertahun", "setahun", "year", "yearly", "annual"})
_ADDRESS: Final = frozenset({"alamat", "address"})
_OWNER: Final = frozenset({
    "pemilik", "ktp", "rumah", "tinggal", "domisili", "owner", "home", "pribadi", "penduduk",
    "residence", "kk", "pengusaha",
})  # fmt: skip
_MULTIPLIER: Final = frozenset({
    "ribu", "ribuan", "rb", "juta", "jutaan", "jt", "miliar", "milyar", "000", "x1000", "x1000000",
    "thousand", "thousands", "million", "millions",
})  # fmt: skip
_MULTIPLIER_FILLER: Final = frozenset({"dalam", "in", "x", "satuan"})
_STATED_YEAR: Final = re.compile(r"(?:19|20)\d\d")
_AMOUNTS: Final = ("rupiah", "int")  # the field types a multiplier or a stated year is about

#: (subject, qualifier, why): a title whose normal key holds a word of both fits only a field
#: whose own name or an alias holds both too; otherwise it is not taken, and ``why`` says so
#: (``{fields}``: the fields it might have been taken for)
GUARDS: Final[tuple[tuple[frozenset[str], frozenset[str], str], ...]] = (
    (
        _TURNOVER,
        _SHORT_PERIOD,
        "a turnover per month, week or day: the form's {fields} is the YEARLY sales (hasil "
        "penjualan tahunan, PP 7/2021), and a monthly figure read as yearly puts the business a "
        "scale or two too low; not taken. Give the yearly figure in a column titled "
        "'Omzet per Tahun'",
    ),
    (
        _ADDRESS,
        _OWNER,
        "a person's address (home, KTP or domicile)? The form's {fields} is the address of the "
        "business or cooperative ('Alamat Usaha', 'Alamat Koperasi'); not taken",
    ),
)

#: (normal keys, candidate fields, why): bare titles that could be either of the fields (or are
#: neither though they look like one); not taken, and said so when the form has a candidate
ASK: Final[tuple[tuple[frozenset[str], tuple[str, ...], str], ...]] = (
    (
        frozenset({"nik", "nomor_nik", "nik_nomor"}),
        ("nik_pemilik", "nomor_induk_koperasi"),
        "whose NIK? The owner's NIK kependudukan (title it 'NIK Pemilik' or 'No. KTP') or the "
        "Nomor Induk Koperasi ('NIK Koperasi'); not taken",
    ),
    (
        frozenset({"nama", "nama_lengkap"}),
        ("nama_usaha", "nama_pemilik"),
        "the name of the business ('Nama Usaha') or of its owner ('Nama Pemilik')? Not taken",
    ),
    (
        frozenset({"aset", "total_aset", "jumlah_aset", "nilai_aset", "aset_usaha", "assets",
                   "total_assets"}),
        ("modal_usaha", "kekayaan_bersih"),
        "total assets are neither modal_usaha (business capital) nor kekayaan_bersih (net worth "
        "without land and buildings); not taken",
    ),
    (
        frozenset({"modal", "jumlah_modal", "total_modal", "modal_usaha"}),
        ("modal_sendiri",),
        "own capital (modal_sendiri, title it 'Modal Sendiri') or all capital, loans "
        "included? Not taken",
    ),
)  # fmt: skip

#: Titles that give their field only when no column names it more specifically: a bare
#: ``Alamat`` (or ``Alamat Lengkap``) beside ``Alamat Usaha`` may be the owner's
BROAD_TITLES: Final = ("Alamat", "Alamat Lengkap", "Address", "Modal", "Pemilik")


def column_key(name: str) -> str:
    """The key a column title is matched by (module docstring).

    >>> column_key(" Kelurahan / Desa"), column_key("NIK-Pemilik"), column_key("Tanggal RAT Terakhir")
    ('kelurahan_desa', 'nik_pemilik', 'tanggal_rat_terakhir')
    """
    return _NOT_ALNUM.sub("_", name.casefold()).strip("_")


@functools.lru_cache(maxsize=4096)  # the common titles are read again for every form and file
def _words(name: str) -> tuple[str, ...]:
    """The normal key's words (:func:`title_key`)."""
    raw = _NUMBERING.sub("", name.casefold(), count=1)
    words = [
        ABBREVIATIONS.get(w, w) for w in column_key(raw).split("_") if w and w not in _CURRENCY
    ]
    while words and words[-1] in _COUNT_UNITS:
        words.pop()
    return tuple(words)


def title_key(name: str) -> str:
    """A title's **normal key** (module docstring): its key with a numbering before it, the
    currency and a count unit at the end dropped, and abbreviations written out; its plain
    :func:`column_key` when nothing would be left.

    >>> title_key("1. Jml Tenaga Kerja (orang):"), title_key("Omset (Rp/Thn)"), title_key("No.")
    ('jumlah_tenaga_kerja', 'omzet_tahun', 'nomor')
    """
    return "_".join(_words(name)) or column_key(name)


def _guard(words: set[str]) -> int | None:
    """The index in :data:`GUARDS` of the qualifier a title's words carry, if any."""
    for i, (subject, qualifier, _why) in enumerate(GUARDS):
        if words & subject and words & qualifier:
            return i
    return None


@final
class _Matcher:
    """An instrument's fields as titles are matched to them (module docstring)."""

    def __init__(self, fields: Sequence[Any]) -> None:
        self.exact: dict[str, str] = {}
        self.by_key: dict[str, set[str]] = {}
        self.by_norm: dict[str, set[str]] = {}
        self.types: dict[str, str] = {}
        own: dict[str, set[str]] = {}  # field → the words of its name and aliases
        for f in fields:
            self.types[f.name] = str(getattr(f, "type", ""))
            for label in (f.name, *f.aliases):
                self.exact.setdefault(label, f.name)
                self.by_key.setdefault(column_key(label), set()).add(f.name)
                self.by_norm.setdefault(title_key(label), set()).add(f.name)
                own.setdefault(f.name, set()).update(_words(label))
        own_keys, own_norms = set(self.by_key), set(self.by_norm)
        for f in fields:  # common titles after the form's own labels: they never override those
            for title in (getattr(f, "title", "") or f.name, *TITLES.get(f.name, ())):
                key, norm = column_key(title), title_key(title)
                if key not in own_keys:
                    self.by_key.setdefault(key, set()).add(f.name)
                if norm not in own_norms:
                    self.by_norm.setdefault(norm, set()).add(f.name)
        #: guard index → the fields whose own labels carry its subject and its qualifier, and
        #: those whose own labels carry its subject alone
        self.qualified = [{n for n, w in own.items() if w & s and w & q} for s, q, _ in GUARDS]
        self.subjects = [{n for n, w in own.items() if w & s and not w & q} for s, q, _ in GUARDS]
        self.yearly_turnover = {n for n, w in own.items() if w & _TURNOVER and w & _YEAR}
        self.own = own
        self.broad = {title_key(t) for t in BROAD_TITLES}
        self._cache: dict[str, tuple[frozenset[str], str | None]] = {}

    def _plain(self, title: str) -> set[str]:
        """The fields a title fits by its key, else by its normal key."""
        fits = self.by_key.get(column_key(title))
        if fits is None:
            fits = self.by_norm.get(title_key(title))
        return set(fits or ())

    def _without_notes(self, title: str) -> set[str]:
        """The fields a title fits once its notes in brackets are dropped, when each of them is
        only a note (module docstring); else none."""
        rest = _NOTES.sub(" ", title)
        if rest == title:
            return set()
        fits = self._plain(rest)
        if len(fits) != 1:
            return fits
        for match in _NOTES.finditer(title):
            note = match.group(1) if match.group(1) is not None else match.group(2)
            words = set(_words(note))
            if words & _MULTIPLIER:
                return set()
            if not words or all(w.isdigit() or w in NOTE_WORDS for w in words):
                continue
            dated = any(self.types.get(n) == "date" for n in fits)
            if dated and len(words) > 1 and words <= _DATE_FORMAT_WORDS:
                continue
            if self._plain(note) == fits:
                continue
            return set()
        return fits

    def fit(self, title: str) -> tuple[frozenset[str], str | None]:
        """The fields a column title (not a name or alias) fits, and why it is not taken when
        it looks like a field but fits none or two."""
        got = self._cache.get(title)
        if got is None:
            got = self._fit(title)
            self._cache[title] = got
        return got

    def _fit(self, title: str) -> tuple[frozenset[str], str | None]:
        words = set(_words(title))
        fits = self._plain(title) or self._without_notes(title)
        guard = _guard(words)
        if guard is not None:
            allowed = fits & self.qualified[guard]
            if not allowed:
                targets = sorted((fits | self.subjects[guard]) - self.qualified[guard])
                if not targets:
                    return frozenset(), None
                return frozenset(), GUARDS[guard][2].format(fields=" / ".join(targets))
            fits = allowed
        scaled = words & _MULTIPLIER
        if scaled and any(
            self.types.get(n) in _AMOUNTS and not scaled <= self.own[n] for n in fits
        ):
            return frozenset(), self._why(title, words)  # thousands or millions: not rupiah
        if len(fits) == 1:
            return frozenset(fits), None
        if fits:
            return frozenset(), f"fits more than one field ({', '.join(sorted(fits))}); not taken"
        return frozenset(), self._why(title, words)

    def _why(self, title: str, words: set[str]) -> str | None:
        """Why a title that fits no field looks like one (module docstring), or ``None``."""
        norm = title_key(title)
        plain = [w for w in norm.split("_") if w]
        periodless = words & _TURNOVER and not words & (_SHORT_PERIOD | _YEAR | _MULTIPLIER)
        if periodless and self.yearly_turnover and not any(map(_STATED_YEAR.fullmatch, words)):
            return (
                "a turnover without its period: yearly or monthly? The form's "
                f"{' / '.join(sorted(self.yearly_turnover))} is the yearly sales; if this is "
                "it, title the column 'Omzet per Tahun'; not taken"
            )
        if words & _MULTIPLIER:
            bare = "_".join(w for w in plain if w not in _MULTIPLIER | _MULTIPLIER_FILLER)
            fits = self.by_norm.get(bare, set())
            if len(fits) == 1 and self.types.get(next(iter(fits))) in _AMOUNTS:
                return (
                    f"amounts in thousands or millions: {next(iter(fits))} takes whole rupiah; "
                    "give full amounts under a title without the multiplier; not taken"
                )
        if words & {"tahun", "year"} and not words & {"tanggal", "date"}:
            as_date = "_".join("tanggal" if w in ("tahun", "year") else w for w in plain)
            fits = self.by_norm.get(as_date, set())
            if len(fits) == 1 and self.types.get(next(iter(fits))) == "date":
                return (
                    f"a year is not a date: {next(iter(fits))} takes the full date "
                    "(DD/MM/YYYY); not taken"
                )
        years = [w for w in plain if _STATED_YEAR.fullmatch(w)]
        if years:
            fits = self.by_norm.get("_".join(w for w in plain if w not in years), set())
            if not fits and words & _TURNOVER and self.yearly_turnover:
                fits = set(self.yearly_turnover)
            if len(fits) == 1 and self.types.get(next(iter(fits))) in _AMOUNTS:
                return (
                    f"the figure of a stated year ({years[0]}): title the column as "
                    f"{next(iter(fits))} without the year and give that year's date in "
                    "tanggal_data (it chooses the scale regime); not taken"
                )
        bare = title_key(_NOTES.sub(" ", title))  # "NIK (16 digit)" is a bare NIK
        for keys, candidates, why in ASK:
            if (norm in keys or bare in keys) and any(c in self.types for c in candidates):
                return why
        return None


@final
@frozen
class HeaderMatch:
    """What :func:`match_header` found; ``columns`` is the header with renamed columns."""

    columns: list[str]
    renamed: dict[str, str] = field(factory=dict)
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    #: missing field → the unknown column whose key is closest to it (a hint, never applied;
    #: never a column of ``unclear``)
    suggestions: dict[str, str] = field(factory=dict)
    #: at least one column is a field of the instrument (always true without fields to match)
    known: bool = True
    #: unknown column → why a title that looks like a field is not taken (module docstring)
    unclear: dict[str, str] = field(factory=dict)

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
            "unclear": dict(self.unclear),
        }


def _labels(fields: Sequence[Any]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The fields' names and aliases: label → field name, and key of a label or common title →
    field names."""
    m = _Matcher(fields)
    return m.exact, m.by_key


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
    matcher = _Matcher(fields)

    def score(cells: list[str]) -> int:
        return sum(1 for c in set(cells) if c and (c in matcher.exact or matcher.fit(c)[0]))

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
    matcher = _Matcher(fields)
    exact = matcher.exact
    by_exact = {exact[c]: c for c in reversed(cols) if c in exact}  # field → its first column
    unclear: dict[str, str] = {}
    claims: dict[str, list[int]] = {}  # field → the columns fitting it by their title
    for i, c in enumerate(cols):
        if c in exact:
            continue
        fits, why = matcher.fit(c)
        if fits:
            (name,) = fits
            claims.setdefault(name, []).append(i)
        elif why is not None:
            unclear[c] = why
    renamed: dict[str, str] = {}
    for name, where in claims.items():
        if name in by_exact:
            winner = None
        else:
            specific = [i for i in where if title_key(cols[i]) not in matcher.broad]
            winner = specific[0] if specific else where[0]
            renamed[cols[winner]] = name
        giver = by_exact.get(name) if winner is None else cols[winner]
        for i in where:
            if i != winner and cols[i] not in renamed:
                broad = " (a broader title: whose?)" if title_key(cols[i]) in matcher.broad else ""
                unclear.setdefault(
                    cols[i], f"column {giver!r} gives {name} already{broad}; not taken"
                )
    out = [renamed.get(c, c) if c not in exact else c for c in cols]
    unknown = tuple(c for c in out if c not in exact)
    _refuse_repeated(cols, [exact.get(c, renamed.get(c)) for c in cols])
    given = set(by_exact) | set(renamed.values())
    missing = tuple(f.name for f in fields if f.required and f.name not in given)
    suggestions: dict[str, str] = {}
    keys = {column_key(c): c for c in unknown if c not in unclear}
    for name in missing:
        close = difflib.get_close_matches(column_key(name), list(keys), n=1, cutoff=0.75)
        if close:
            suggestions[name] = keys[close[0]]
    known = bool(given) or not cols
    return HeaderMatch(out, renamed, missing, unknown, suggestions, known, unclear)
