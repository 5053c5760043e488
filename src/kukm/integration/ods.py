"""ODS record converter: the ministry's ODS JSON record ↔ :class:`kukm.model.Koperasi`.

Kepgub DKI 1625/2021 huruf B.1.c and G (integrasi data with the ODS,
nik.depkop.go.id); field list REGULATIONS.md §1.3. Field names and spellings
are exactly those of the ministry's detail pages (``Koperasi``,
``Nomor Induk Koperasi (NIK)``, ``Status NIK``, ``Status Grade``, …); dates are
``DD/MM/YYYY``, counts are strings with ``,`` thousands separators
(``"1,012"``), and a blank is a single space ``" "``.

The conversion is **lossless**: :func:`to_ods` gives back exactly the values
:func:`from_ods` read. Values kukm cannot parse (a date ``31/02/2013``, a count
``-5``, a NIK Koperasi ``3.10101E+12``) keep their raw text in ``Koperasi.atribut_lain`` under the ODS field
name and are reported as an :class:`~kukm.exceptions.Issue`; values spelt in a
non-canonical way (``1012`` for ``1,012``) keep their spelling the same way;
unknown fields are kept under their own name. Values outside the ODS
vocabularies are kept and reported, never dropped.

Exports that reach a Dinas by other roads are read too, each rule in
:mod:`kukm.integration.ods_fields` (and kept lossless the same way): field names in
another case, spacing or label (``nomor induk koperasi (nik)``, ``Nama Koperasi``;
written back under the name the source used), JSON numbers and ``null``, placeholders
such as ``-`` or ``null`` for "no value", ISO and other dates, ``1.012`` counts. A
record naming another province keeps out of DKI's codes (:func:`_in_named_province`).

>>> rec = {"Koperasi": "Koperasi Pari Jaya Bersama",
...        "Nomor Induk Koperasi (NIK)": "3101010030001",
...        "Tanggal RAT Terakhir": "06/03/2015", "Total Anggota": "1,012",
...        "Status Grade": "E"}
>>> result = from_ods(rec)
>>> k = result.koperasi
>>> k.id, k.tanggal_rat_terakhir, k.total_anggota, k.grade
('3101010030001', datetime.date(2015, 3, 6), 1012, 'E')
>>> sorted(i.code for i in result.issues)  # doctest: +NORMALIZE_WHITESPACE
['ODS_FIELD_HILANG', 'ODS_KOSAKATA_TIDAK_DIKENAL']
>>> to_ods(k) == rec
True
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from attrs import frozen

from kukm.exceptions import Issue, Severity, issue, register_code
from kukm.integration.ods_fields import (
    _ALAMAT_FIELDS,
    _COUNT_FIELDS,
    _DATE_FIELDS,
    _KNOWN,
    _NAMA_FIELD,
    _NIKKOP_FIELD,
    _NIKKOP_RE,
    _PENGURUS_FIELDS,
    _TEXT_FIELDS,
    ABSENT_KEY,
    BLANK,
    DUP_KEY,
    JSON_PREFIX,
    KEYS_KEY,
    ODS_FIELDS,
    VOCAB_FIELDS,
    _date_is_blank,
    _format_text,
    _json_dump,
    _json_text,
    _nikkop_is_blank,
    _parse_nikkop,
    _parse_text,
    _take_count,
    _take_date,
    _take_nikkop,
    _take_text,
    by_field,
    canonical_field,
    format_count,
    format_date,
    holds_value,
    is_blank,
    parse_count,
    parse_date,
)
from kukm.model import Alamat, Koperasi, Pengurus

__all__ = [
    "ABSENT_KEY",
    "BADAN_HUKUM_FIELDS",
    "ISSUED_FIELDS",
    "JSON_PREFIX",
    "ODS_FIELDS",
    "VOCAB_FIELDS",
    "OdsResult",
    "WilayahResolver",
    "cached_resolver",
    "format_count",
    "format_date",
    "from_ods",
    "keep_issued",
    "keep_local",
    "koperasi_id",
    "parse_count",
    "parse_date",
    "to_ods",
    "unknown_fields",
]

# -- problem codes ---------------------------------------------------------------
TANGGAL_INVALID = register_code(
    "ODS_TANGGAL_INVALID",
    "Tanggal tidak berformat DD/MM/YYYY atau tidak ada; teks asli disimpan.",
    "Date is not a valid DD/MM/YYYY date; the raw text is kept.",
    Severity.WARNING,
    module=__name__,
)
ANGKA_INVALID = register_code(
    "ODS_ANGKA_INVALID",
    "Jumlah bukan bilangan bulat tidak negatif; teks asli disimpan.",
    "Count is not a non-negative integer; the raw text is kept.",
    Severity.WARNING,
    module=__name__,
)
KOSAKATA = register_code(
    "ODS_KOSAKATA_TIDAK_DIKENAL",
    "Nilai di luar kosakata ODS yang dikenal; nilai tetap disimpan.",
    "Value outside the known ODS vocabulary; the value is kept.",
    Severity.WARNING,
    module=__name__,
)
FIELD_TIDAK_DIKENAL = register_code(
    "ODS_FIELD_TIDAK_DIKENAL",
    "Kolom ODS tidak dikenal; disimpan di atribut_lain.",
    "Unknown ODS field; kept in atribut_lain.",
    Severity.WARNING,
    module=__name__,
)
FIELD_HILANG = register_code(
    "ODS_FIELD_HILANG",
    "Kolom ODS tidak ada pada rekaman.",
    "ODS field is absent from the record.",
    Severity.WARNING,
    module=__name__,
)
FIELD_GANDA = register_code(
    "ODS_FIELD_GANDA",
    "Kolom ODS yang sama muncul lagi dengan nama lain dan nilai lain; nilai itu disimpan di "
    "atribut_lain, tidak dibaca.",
    "The same ODS field appears again under another name with another value; that value is "
    "kept in atribut_lain, not read.",
    Severity.WARNING,
    module=__name__,
)
BUKAN_TEKS = register_code(
    "ODS_BUKAN_TEKS",
    "Nilai ODS bukan teks; disimpan sebagai JSON.",
    "ODS value is not text; kept as JSON.",
    Severity.WARNING,
    module=__name__,
)
NIK_KOPERASI_INVALID = register_code(
    "ODS_NIK_KOPERASI_INVALID",
    "Nomor Induk Koperasi tidak terdiri dari 13 angka.",
    "Nomor Induk Koperasi is not 13 digits.",
    Severity.WARNING,
    module=__name__,
)
WILAYAH_TIDAK_DIKENAL = register_code(
    "ODS_WILAYAH_TIDAK_DIKENAL",
    "Kelurahan tidak dapat dicocokkan dengan kode wilayah Kemendagri.",
    "Kelurahan could not be matched to a Kemendagri region code.",
    Severity.WARNING,
    module=__name__,
)
TOTAL_ANGGOTA = register_code(
    "ODS_TOTAL_ANGGOTA",
    "Total Anggota tidak sama dengan anggota pria + wanita.",
    "Total Anggota differs from male + female members.",
    Severity.WARNING,
    module=__name__,
)
TANPA_IDENTITAS = register_code(
    "ODS_TANPA_IDENTITAS",
    "Rekaman tanpa nama, Nomor Induk Koperasi, maupun nomor badan hukum.",
    "Record has no name, Nomor Induk Koperasi or badan hukum number.",
    Severity.ERROR,
    module=__name__,
)

#: ``atribut_lain`` keys :func:`from_ods` writes for itself (not fields of the source).
_INTERNAL = frozenset({ABSENT_KEY, KEYS_KEY, DUP_KEY})

#: (provinsi, kab/kota, kecamatan, kelurahan) names → Kemendagri code, or None.
WilayahResolver = Callable[[str | None, str | None, str | None, str | None], str | None]


@frozen
class OdsResult:
    """What :func:`from_ods` made of one record: the Koperasi and every problem found.

    ``ok`` is false when an error-severity issue means the record must be rejected.
    """

    koperasi: Koperasi
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)


# -- helpers that use reference modules when they are present -------------------------

@functools.cache
def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function from a kukm module that may not be installed yet, or ``None`` (cached)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _vocab_known(name: str, value: str) -> bool:
    """Whether ``value`` is in ODS vocabulary ``name`` (:mod:`kukm.reference.vocab`)."""
    from kukm.reference.vocab import is_known

    return bool(is_known(name, value))


def _in_named_province(table: Any, code: str, prov: str | None, kab: str | None) -> str | None:
    """``code`` when it lies in the province the record names, else what the names are sure of.

    The ODS is national, and kecamatan and kelurahan names repeat across provinces
    (Tanah Abang, Cipayung, Taman Sari, Tambora …): :func:`kukm.reference.wilayah.match_alamat`
    looks a kecamatan up all over Indonesia when the kab/kota is blank or unknown, so a
    koperasi of Kota Bandung (Jawa Barat) whose kecamatan is not found there could get a
    DKI code. A code outside the province the record names (its ``Provinsi``, else the
    province of its ``Kabupaten``) is not taken: the names contradict each other, so only the
    kab/kota named inside that province is sure (else nothing), and :func:`from_ods` reports
    the record as not resolved to a kelurahan. Names the table does not know decide nothing.
    """
    home = code.split(".")[0]
    if prov and prov.strip():
        named = table.resolve(prov, tingkat="provinsi")
        if named is not None:
            if home == named.kode:
                return code
            inside = table.resolve(kab, tingkat="kabkota", within=named.kode) if kab else None
            return None if inside is None else str(inside.kode)
    if kab and kab.strip():
        named = table.resolve(kab, tingkat="kabkota")
        if named is not None and home != named.kode.split(".")[0]:
            return str(named.kode)
    return code


@functools.cache
def _default_resolver() -> WilayahResolver | None:
    """:func:`kukm.reference.wilayah.resolve_alamat`, kept within the province the record
    names (:func:`_in_named_province`), plus: a kelurahan field holding the ODS's own 10-digit
    code (first 9 digits = NIK Koperasi prefix) resolves through the loaded
    :mod:`kukm.reference.prefiks` table when exactly one kelurahan of the kecamatan has that
    prefix."""
    base = _optional("kukm.reference.wilayah", "resolve_alamat")
    if base is None:
        return None
    get_table = _optional("kukm.reference.wilayah", "get_table")
    get_prefiks = _optional("kukm.reference.prefiks", "get_table")
    resolve_names: WilayahResolver = base

    def resolve(prov: str | None, kab: str | None, kec: str | None, kel: str | None) -> str | None:
        code = resolve_names(prov, kab, kec, kel)
        if code is not None and get_table is not None:
            code = _in_named_province(get_table(), code, prov, kab)
        key = (kel or "").strip()
        if code and code.count(".") == 2 and len(key) == 10 and key.isdigit() and get_prefiks:
            table = get_prefiks()
            if table is not None:
                hits = [k for k in table.kelurahan_for(key[:9]) if k.startswith(code + ".")]
                if len(hits) == 1:
                    return str(hits[0])
        return code

    return resolve


def cached_resolver(resolver: WilayahResolver | None = None) -> WilayahResolver | None:
    """``resolver`` (default: :func:`kukm.reference.wilayah.resolve_alamat` when present)
    with its answers memoised; bulk imports use one per run (names repeat a lot).

    >>> calls = []
    >>> r = cached_resolver(lambda p, k, c, l: calls.append(l) or "31.71.01")
    >>> r("DKI", "Pusat", "Gambir", "X"), r("DKI", "Pusat", "Gambir", "X"), len(calls)
    ('31.71.01', '31.71.01', 1)
    """
    base = resolver or _default_resolver()
    if base is None:
        return None
    return functools.lru_cache(maxsize=16384)(base)


# -- conversion -----------------------------------------------------------------------


def koperasi_id(nomor_induk_koperasi: str | None, nomor_badan_hukum: str | None, nama: str) -> str:
    """Deterministic store id: the NIK Koperasi, else ``BH:<badan hukum number>`` (in capitals
    without blanks, as sheets write one number ``796/bh/xii/2005`` or ``796 / BH / XII /
    2005``), else ``NAMA:<hash of the name>``.

    >>> koperasi_id("3101010020004", "478/BH/XII.6", "X")
    '3101010020004'
    >>> koperasi_id(None, "478/BH/XII.6", "X"), koperasi_id(None, " 478 / bh / xii.6", "Y")
    ('BH:478/BH/XII.6', 'BH:478/BH/XII.6')
    >>> koperasi_id(None, None, "Koperasi X")
    'NAMA:...'
    """
    if nomor_induk_koperasi and _NIKKOP_RE.fullmatch(nomor_induk_koperasi):
        return nomor_induk_koperasi
    if nomor_badan_hukum and nomor_badan_hukum.strip():
        return "BH:" + "".join(nomor_badan_hukum.split()).upper()
    digest = hashlib.blake2b(nama.strip().upper().encode(), digest_size=8).hexdigest()
    return "NAMA:" + digest


def _collect(
    record: Mapping[str, Any], lain: dict[str, str], issues: list[Issue], row: int | None
) -> dict[str, str]:
    """Known fields as text under their ODS names; the rest noted in ``lain`` and reported.

    Each rule keeps what it does not read, so :func:`to_ods` gives the record back:

    * a field named another way (:func:`~kukm.integration.ods_fields.canonical_field`: any
      case, spacing or punctuation, the other labels of the ministry's pages and documents)
      is read as that field; the name written is kept under ``~ods_keys``;
    * a field given under two such names (``Koperasi`` and ``Nama Koperasi``): the one
      holding a value is read, the ministry's own name first, then the first given; the
      other is kept under ``~ods_dup`` and reported (``ODS_FIELD_GANDA``) when its value
      differs, so a value read is never the one silently chosen between two;
    * a value that is not a JSON string is read as its text
      (:func:`~kukm.integration.ods_fields._json_text`: ``158`` → ``"158"``,
      ``3101010020004.0`` → ``"3101010020004"``), kept as JSON under ``~json:<field>`` and
      reported (``ODS_BUKAN_TEKS``), except ``null``, JSON's own blank, which is kept unreported;
    * any other field is kept under its own name (as JSON under ``~json:<name>`` when the
      name starts with ``~``, as kukm's own keys do) and reported (``ODS_FIELD_TIDAK_DIKENAL``);
      ODS fields the record lacks are listed under ``~ods_absent`` (``ODS_FIELD_HILANG``).
    """
    items = [(str(key), raw, canonical_field(str(key))) for key, raw in record.items()]
    given: dict[str, list[int]] = {}  # ODS field → the items naming it
    for index, (_, _, field) in enumerate(items):
        if field is not None:
            given.setdefault(field, []).append(index)
    chosen: dict[int, str] = {}
    for field, indexes in given.items():
        if len(indexes) > 1:  # value first, then the ministry's name, then the first given
            indexes.sort(key=lambda i: (not holds_value(items[i][1]), items[i][0] != field, i))
        chosen[indexes[0]] = field
    text: dict[str, str] = {}
    renamed: dict[str, str] = {}
    dup: dict[str, Any] = {}
    for index, (name, raw, field) in enumerate(items):
        if field is not None and index in chosen:
            if name != field:
                renamed[field] = name
            if isinstance(raw, str):
                text[field] = raw
                continue
            lain[JSON_PREFIX + field] = _json_dump(raw)
            if raw is not None:
                issues.append(issue(BUKAN_TEKS, name, raw, row=row))
            text[field] = _json_text(raw)
        elif field is not None:
            dup[name] = raw  # a second name of a field: checked below
        else:
            if isinstance(raw, str) and not name.startswith("~"):
                lain[name] = raw
            else:  # a name like kukm's own keys (``~ods_absent``) is kept as JSON too
                lain[JSON_PREFIX + name] = _json_dump(raw)
                if not isinstance(raw, str | None):
                    issues.append(issue(BUKAN_TEKS, name, raw, row=row))
            issues.append(issue(FIELD_TIDAK_DIKENAL, name, raw, row=row))
    for name, raw in dup.items():
        field = canonical_field(name) or name
        as_text = raw if isinstance(raw, str) else _json_text(raw)
        if holds_value(raw) and as_text.strip() != text[field].strip():
            issues.append(issue(FIELD_GANDA, name, raw, row=row, detail=field))
    if renamed:
        lain[KEYS_KEY] = _json_dump(renamed)
    if dup:
        lain[DUP_KEY] = _json_dump(dup)
    absent = [name for name in ODS_FIELDS if name not in text]
    if absent:
        lain[ABSENT_KEY] = json.dumps(absent, ensure_ascii=False)
        issues.append(issue(FIELD_HILANG, ",".join(absent), None, row=row, kind="lengkap"))
    return text


def from_ods(
    record: Mapping[str, Any],
    *,
    row: int | None = None,
    resolver: WilayahResolver | None = None,
    resolve: bool = True,
) -> OdsResult:
    """Convert one ODS JSON record to a :class:`Koperasi`, with every problem found.

    ``resolver`` maps address names to a Kemendagri code (default:
    :mod:`kukm.reference.wilayah` when available); ``resolve=False`` skips it.

    >>> r = from_ods({"Koperasi": "K", "Tanggal RAT Terakhir": "31/02/2020"})
    >>> r.koperasi.tanggal_rat_terakhir, r.koperasi.atribut_lain["Tanggal RAT Terakhir"]
    (None, '31/02/2020')
    >>> "ODS_TANGGAL_INVALID" in [i.code for i in r.issues]
    True
    """
    issues: list[Issue] = []
    lain: dict[str, str] = {}
    text: Mapping[str, str]
    if record.keys() == _KNOWN and all(type(v) is str for v in record.values()):
        text = record  # the common case: exactly the ministry's fields, all text
    else:
        text = _collect(record, lain, issues, row)

    values: dict[str, Any] = {}
    for name, attr in _DATE_FIELDS.items():
        value = values[attr] = _take_date(text, lain, name)
        if value is None and name in lain and not _date_is_blank(lain[name]):
            issues.append(issue(TANGGAL_INVALID, name, lain[name], row=row))
    for name, attr in _COUNT_FIELDS.items():
        count = values[attr] = _take_count(text, lain, name)
        if count is None and name in lain and not is_blank(lain[name]):
            issues.append(issue(ANGKA_INVALID, name, lain[name], row=row))
    for name, attr in _TEXT_FIELDS.items():
        values[attr] = _take_text(text, lain, name)
    alamat = {a: _take_text(text, lain, n) for n, a in _ALAMAT_FIELDS.items()}
    pengurus = {a: _take_text(text, lain, n) for n, a in _PENGURUS_FIELDS.items()}
    nama = _take_text(text, lain, _NAMA_FIELD) or ""
    nikkop = _take_nikkop(text, lain)
    raw_nik = text.get(_NIKKOP_FIELD)
    nik_given = raw_nik is not None and not _nikkop_is_blank(raw_nik)
    if nik_given and nikkop is None:
        issues.append(issue(NIK_KOPERASI_INVALID, _NIKKOP_FIELD, raw_nik, row=row))

    for name, vocab_name in VOCAB_FIELDS.items():
        value = values[_TEXT_FIELDS[name]]
        if value is not None and not _vocab_known(vocab_name, value):
            issues.append(issue(KOSAKATA, name, value, row=row, detail=vocab_name))

    pria, wanita, total = values["anggota_pria"], values["anggota_wanita"], values["total_anggota"]
    if None not in (pria, wanita, total) and pria + wanita != total:
        issues.append(issue(TOTAL_ANGGOTA, "Total Anggota", total, row=row, kind="konsisten"))

    if resolve:
        resolver = resolver or _default_resolver()
    kode: str | None = None
    named = alamat["kabkota_nama"] or alamat["kecamatan_nama"] or alamat["kelurahan_nama"]
    if resolve and resolver is not None and named:
        kode = resolver(
            alamat["provinsi_nama"],
            alamat["kabkota_nama"],
            alamat["kecamatan_nama"],
            alamat["kelurahan_nama"],
        )
        if kode is None or kode.count(".") < 3:
            issues.append(
                issue(WILAYAH_TIDAK_DIKENAL, "Kelurahan / Desa", alamat["kelurahan_nama"], row=row)
            )

    if not nama and not nikkop and not values["nomor_badan_hukum"]:
        issues.append(issue(TANPA_IDENTITAS, None, None, row=row, kind="lengkap"))

    koperasi = Koperasi(
        nama=nama,
        alamat=Alamat(kode_wilayah=kode, **alamat),
        pengurus=Pengurus(**pengurus),
        nomor_induk_koperasi=nikkop,
        id=koperasi_id(nikkop, values["nomor_badan_hukum"], nama),
        atribut_lain=lain,
        **values,
    )
    return OdsResult(koperasi, tuple(issues))


def _out(
    lain: Mapping[str, str],
    name: str,
    value: Any,
    parse: Callable[[str], Any],
    fmt: Callable[[Any], str],
) -> str:
    raw = lain.get(name)
    if raw is not None and parse(raw) == value:
        return raw
    return fmt(value)


def to_ods(koperasi: Koperasi) -> dict[str, Any]:
    """Convert a :class:`Koperasi` to an ODS JSON record (field order as the ministry's).

    Raw spellings kept by :func:`from_ods` are written back as long as they
    still mean the current value; otherwise the value is formatted afresh.

    >>> k = Koperasi(nama="Koperasi A", total_anggota=1500)
    >>> d = to_ods(k)
    >>> d["Koperasi"], d["Total Anggota"], d["Tanggal RAT Terakhir"]
    ('Koperasi A', '1,500', ' ')
    >>> list(d)[:2]
    ['Koperasi', 'Nomor Badan Hukum Pendirian']

    A record with a Kemendagri code but no region names at all (entered in kukm, not read
    from the ODS) gets the names of its code from :mod:`kukm.reference.wilayah`:

    >>> d = to_ods(Koperasi(nama="B", alamat=Alamat(kode_wilayah="31.71.01.1001")))
    >>> d["Kelurahan / Desa"], d["Kecamatan"], d["Kabupaten"], d["Provinsi"]
    ('Gambir', 'Gambir', 'Kota Administrasi Jakarta Pusat', 'Daerah Khusus Ibukota Jakarta')
    """
    koperasi = _with_wilayah_names(koperasi)
    lain = koperasi.atribut_lain
    if not lain:
        return _to_ods_canonical(koperasi)
    alamat = koperasi.alamat
    pengurus = koperasi.pengurus
    out: dict[str, Any] = {}
    out[_NAMA_FIELD] = _out(lain, _NAMA_FIELD, koperasi.nama or None, _parse_text, _format_text)
    for name in ODS_FIELDS[1:]:
        if name in _DATE_FIELDS:
            value = getattr(koperasi, _DATE_FIELDS[name])
            out[name] = _out(lain, name, value, parse_date, format_date)
        elif name in _COUNT_FIELDS:
            value = getattr(koperasi, _COUNT_FIELDS[name])
            out[name] = _out(lain, name, value, parse_count, format_count)
        elif name in _TEXT_FIELDS:
            value = getattr(koperasi, _TEXT_FIELDS[name])
            out[name] = _out(lain, name, value, _parse_text, _format_text)
        elif name in _ALAMAT_FIELDS:
            value = getattr(alamat, _ALAMAT_FIELDS[name])
            out[name] = _out(lain, name, value, _parse_text, _format_text)
        elif name in _PENGURUS_FIELDS:
            value = getattr(pengurus, _PENGURUS_FIELDS[name])
            out[name] = _out(lain, name, value, _parse_text, _format_text)
        else:  # Nomor Induk Koperasi (NIK)
            value = koperasi.nomor_induk_koperasi
            out[name] = _out(lain, name, value, _parse_nikkop, _format_text)
    absent_raw = lain.get(ABSENT_KEY)
    if absent_raw:
        for name in json.loads(absent_raw):
            out.pop(name, None)
    for key, raw in lain.items():
        if key in _INTERNAL or key.startswith(JSON_PREFIX) or key in _KNOWN:
            continue
        out[key] = raw
    for key, raw in lain.items():
        if key.startswith(JSON_PREFIX):
            name = key[len(JSON_PREFIX) :]
            candidate = json.loads(raw)
            if name not in _KNOWN or out.get(name) == _json_text(candidate):
                out[name] = candidate
    renamed = lain.get(KEYS_KEY)
    if renamed:
        names: dict[str, str] = json.loads(renamed)
        out = {names.get(key, key): value for key, value in out.items()}
    dup = lain.get(DUP_KEY)
    if dup:
        out.update(json.loads(dup))
    return out


def _with_wilayah_names(koperasi: Koperasi) -> Koperasi:
    """``koperasi`` with the region names of its ``alamat.kode_wilayah`` when it has none.

    Only a record without any region name is filled: one :func:`from_ods` read always has
    the kecamatan name its code was resolved from, so ``to_ods(from_ods(r))`` stays ``r``.
    """
    a = koperasi.alamat
    if not a.kode_wilayah or a.kelurahan_nama or a.kecamatan_nama or a.kabkota_nama:
        return koperasi
    if a.provinsi_nama:
        return koperasi
    from kukm.integration.pkt import _wilayah_names  # pkt imports this module

    kel, kec, kab = _wilayah_names(a.kode_wilayah)
    if kel is None and kec is None and kab is None:
        return koperasi
    get_table = _optional("kukm.reference.wilayah", "get_table")
    prov = get_table().nama(a.kode_wilayah.split(".")[0]) if get_table is not None else None
    alamat = attrs.evolve(
        a,
        kelurahan_nama=kel,
        kecamatan_nama=kec,
        kabkota_nama=kab,
        provinsi_nama=None if prov is None else str(prov),
    )
    return attrs.evolve(koperasi, alamat=alamat)


def keep_local(incoming: Koperasi, current: Koperasi) -> Koperasi:
    """The new version of ``current`` after the ODS sent ``incoming`` (as :func:`from_ods`
    read it): the ODS supplies the ODS fields only, so everything its layout does not carry
    is kept from ``current`` — ``id`` (the store's key; ``None`` in a record not read from
    the ODS), ``keuangan``, ``tanggal_data``, ``alamat.kode_pos``,
    and ``alamat.kode_wilayah`` when the names did not resolve. When the address fields are
    the same in both ODS forms, the whole current address is kept (names filled in for the
    export from the code are not written into the record); when both ODS forms are equal,
    ``current`` itself is the answer, so importing the store's own export changes nothing.

    >>> import datetime
    >>> from kukm.model import Keuangan
    >>> cur = Koperasi(nama="A", id="BH:1/BH", tanggal_data=datetime.date(2024, 1, 2),
    ...                alamat=Alamat(kode_wilayah="31.71.01.1001"), keuangan=Keuangan(aset=5))
    >>> keep_local(from_ods(to_ods(cur)).koperasi, cur) is cur
    True
    >>> new = keep_local(from_ods(to_ods(cur) | {"Status Grade": "B"}).koperasi, cur)
    >>> new.grade, new.id, new.keuangan.aset, new.tanggal_data, new.alamat == cur.alamat
    ('B', 'BH:1/BH', 5, datetime.date(2024, 1, 2), True)
    """
    # by field, whatever names each source wrote them under (a record read under other
    # spellings compared None with None: an address change was taken for none and dropped)
    incoming_ods, current_ods = by_field(to_ods(incoming)), by_field(to_ods(current))
    if incoming_ods == current_ods:
        return current
    if all(incoming_ods.get(n) == current_ods.get(n) for n in _ALAMAT_FIELDS):
        alamat = current.alamat
    else:
        alamat = attrs.evolve(
            incoming.alamat,
            kode_wilayah=incoming.alamat.kode_wilayah or current.alamat.kode_wilayah,
            kode_pos=current.alamat.kode_pos,
        )
    return keep_issued(
        attrs.evolve(
            incoming,
            id=current.id,
            alamat=alamat,
            keuangan=current.keuangan,
            tanggal_data=current.tanggal_data,
        ),
        current,
    )


#: The fields the Dinas (or Suku Dinas) writes when it issues or revokes a Nomor Induk Koperasi
#: (Kepgub DKI 1625/2021 G.1-G.6, :mod:`kukm.nik.application`).
ISSUED_FIELDS: tuple[str, ...] = ("nomor_induk_koperasi", "status_nik", "tanggal_berlaku_sertifikat")

#: The koperasi's legal-entity number and its date (the Minister's decision giving it badan
#: hukum, UU 25/1992 art. 9-10): a record keeps them once known.
BADAN_HUKUM_FIELDS: tuple[str, ...] = ("nomor_badan_hukum", "tanggal_badan_hukum")


def keep_issued(incoming: Koperasi, current: Koperasi) -> Koperasi:
    """``incoming`` with the issued numbers of ``current`` that it leaves blank: the NIK
    fields (:data:`ISSUED_FIELDS`) and the badan hukum number and date
    (:data:`BADAN_HUKUM_FIELDS`). The caller has matched the two as one koperasi.

    A data source's later row (Dekopinwil's yearly list, an ODS row, a Suku Dinas sheet)
    that has no Nomor Induk Koperasi column, or leaves it empty, says nothing about the
    number the Dinas issued (Kepgub G): a blank is not a revocation, which only the NIK
    workflow makes; nor does a row without the badan hukum number dissolve the legal
    entity. A row naming *another* NIK Koperasi is kept as sent (the number the source
    gives is not mixed with the status of the stored one).

    >>> import datetime
    >>> cur = Koperasi(nama="A", nomor_induk_koperasi="3173010010001", status_nik="Sudah",
    ...                tanggal_berlaku_sertifikat=datetime.date(2030, 1, 1), nomor_badan_hukum="1/BH")
    >>> k = keep_issued(Koperasi(nama="A", grade="B"), cur)
    >>> k.nomor_induk_koperasi, k.status_nik, k.tanggal_berlaku_sertifikat.year, k.grade
    ('3173010010001', 'Sudah', 2030, 'B')
    >>> k.nomor_badan_hukum
    '1/BH'
    >>> keep_issued(Koperasi(nama="A", nomor_induk_koperasi="3173010010002"), cur).status_nik is None
    True
    """
    number = current.nomor_induk_koperasi
    names = BADAN_HUKUM_FIELDS
    if number and (incoming.nomor_induk_koperasi or number) == number:
        names = ISSUED_FIELDS + BADAN_HUKUM_FIELDS
    blanks = {
        name: getattr(current, name)
        for name in names
        if getattr(incoming, name) in (None, "") and getattr(current, name) not in (None, "")
    }
    return attrs.evolve(incoming, **blanks) if blanks else incoming


def _to_ods_canonical(k: Koperasi) -> dict[str, Any]:
    """:func:`to_ods` for a record with nothing kept in ``atribut_lain`` (the common case)."""
    a, p, t, d, c = k.alamat, k.pengurus, _format_text, format_date, format_count
    return {
        "Koperasi": k.nama or BLANK,
        "Nomor Badan Hukum Pendirian": t(k.nomor_badan_hukum),
        "Tanggal Badan Hukum Pendirian": d(k.tanggal_badan_hukum),
        "Nomor Perubahan Anggaran Dasar (Terbaru)": t(k.nomor_perubahan_ad),
        "Tanggal Perubahan Anggaran Dasar (Terbaru)": d(k.tanggal_perubahan_ad),
        "Tanggal RAT Terakhir": d(k.tanggal_rat_terakhir),
        "Alamat": t(a.jalan),
        "Kelurahan / Desa": t(a.kelurahan_nama),
        "Kecamatan": t(a.kecamatan_nama),
        "Kabupaten": t(a.kabkota_nama),
        "Provinsi": t(a.provinsi_nama),
        "Bentuk Koperasi": t(k.bentuk),
        "Jenis Koperasi": t(k.jenis),
        "Kelompok Koperasi": t(k.kelompok),
        "Sektor Usaha": t(k.sektor_usaha),
        "Nama Ketua": t(p.ketua),
        "Nama Sekretaris": t(p.sekretaris),
        "Nama Bendahara": t(p.bendahara),
        "Nama Pengawas": t(p.pengawas),
        "Nama Manager": t(p.manajer),
        "Jumlah Anggota Pria": c(k.anggota_pria),
        "Jumlah Anggota Wanita": c(k.anggota_wanita),
        "Total Anggota": c(k.total_anggota),
        "Total Manajer": c(k.total_manajer),
        "Total Karyawan": c(k.total_karyawan),
        "Nomor Induk Koperasi (NIK)": t(k.nomor_induk_koperasi),
        "Status NIK": t(k.status_nik),
        "Tanggal Berlaku Sertifikat": d(k.tanggal_berlaku_sertifikat),
        "Status Grade": t(k.grade),
    }


def unknown_fields(records: Iterable[Koperasi]) -> list[str]:
    """Names of non-ODS fields kept in ``atribut_lain`` across ``records``, first-seen order.

    >>> unknown_fields([Koperasi(nama="A", atribut_lain={"Email": "x"})])
    ['Email']
    """
    seen: dict[str, None] = {}
    for k in records:
        for key in k.atribut_lain:
            if key in (KEYS_KEY, DUP_KEY):  # names a field was written under
                names = json.loads(k.atribut_lain[key])
                for name in names.values() if key == KEYS_KEY else names:
                    if name not in _KNOWN:
                        seen.setdefault(name, None)
                continue
            if key == ABSENT_KEY or key in _KNOWN:
                continue
            if key.startswith(JSON_PREFIX):
                key = key[len(JSON_PREFIX) :]
                if key in _KNOWN:
                    continue
            seen.setdefault(key, None)
    return list(seen)
