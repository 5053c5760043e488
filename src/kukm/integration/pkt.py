"""PKT / Jakpreneur: export UMKM records for the PKT app and import its member list.

Kepgub DKI 1625/2021 huruf A angka 14 (Pengembangan Kewirausahaan Terpadu,
PKT) and huruf G angka 2 (integration of the Dinas's system with the PKT app).

**Stages [S].** Jakpreneur's PKT programme is described in secondary sources
as seven stages P1–P7: pendaftaran, pelatihan, pendampingan, perizinan,
pemasaran, pelaporan keuangan, permodalan. No primary text fixing them was
found, so they are a replaceable table (:class:`PktTahap`), not constants.

**Export layout** (CSV, UTF-8, header row; :data:`PKT_COLUMNS`):
``id_anggota``, ``nik_penduduk`` (masked unless the access policy allows full
view), ``nama_pemilik`` (masked likewise), ``jenis_kelamin``, ``nama_usaha``,
``nib``, ``kbli``, ``kode_wilayah`` (Kemendagri), ``kelurahan``, ``kecamatan``,
``kabkota`` (the record's names, else the names of ``kode_wilayah`` in the
region table), ``modal_usaha``, ``omzet_tahunan``, ``tenaga_kerja``,
``tanggal_berdiri`` (ISO), ``tahap_pkt`` (``P1``…``P7``, from
``atribut_lain["pkt_tahap"]``), ``nama_tahap``.

``id_anggota`` never carries anything derived from personal data: it is the
member id the PKT app issued (``atribut_lain["pkt_id_anggota"]``); for a UMKM
that is not a PKT member it is an opaque reference ``kukm-<hex>``, a keyed
HMAC-SHA256 of the record id with a secret key the Dinas holds (``kunci``),
or empty when no key is given. kukm's record ids can be made from the owner's
NIK (``umkm-h-…`` hashes the NIK with values printed in the same row;
``umkm-src-…`` may hold the NIK itself), so they appear only in a full view
(``reveal_personal``), which shows the NIK anyway.

**Member-list import** (CSV with header): ``id_anggota`` (required),
``nik_penduduk``, ``nama_pemilik``, ``nama_usaha``, ``nib``, ``tahap_pkt``, and
optionally the UMKM form's other columns (:func:`import_pkt_members`). A member
is matched to a stored UMKM only when that is safe; a matched record gets the
PKT fields in ``atribut_lain`` and keeps its content, status, source and
scale. Masked values (with ``*``) are never matched nor stored.

>>> tahap = PktTahap.default()
>>> tahap.nama("P3"), tahap.is_known("P8")
('pendampingan', False)
>>> mask_nik_penduduk("3171234567890001")
'317123**********'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs
from attrs import field, frozen

from kukm.exceptions import ConfigurationError, Issue, Severity, StorageError, issue, register_code
from kukm.integration.ods import _optional
from kukm.integration.ods_io import readable_rows
from kukm.model import SumberData, Umkm
from kukm.storage.base import Provenance, Store, WriteOp

__all__ = [
    "ASAL_PKT",
    "ATTR_ID_ANGGOTA",
    "ATTR_TAHAP",
    "MEMBER_COLUMNS",
    "PKT_COLUMNS",
    "PktImportReport",
    "PktTahap",
    "export_pkt",
    "import_pkt_members",
    "load_kunci",
    "mask_nama",
    "mask_nik_penduduk",
    "pkt_row",
    "referensi",
]

ATTR_TAHAP: Final = "pkt_tahap"
ATTR_ID_ANGGOTA: Final = "pkt_id_anggota"
#: The source of records the member import creates: the PKT app's data is secondary data
#: for the register, counted only after a Dinas officer verifies it (Kepgub D.3).
ASAL_PKT: Final = SumberData.PIHAK_LAIN
#: Prefix of the opaque reference an export gives a UMKM that has no PKT member id.
REF_PREFIX: Final = "kukm-"
#: Writes per transaction of the member import.
BATCH_SIZE: Final = 500
#: Member-list rows the import puts through the UMKM form's checks together.
CHUNK_SIZE: Final = 5000

PKT_COLUMNS: Final[tuple[str, ...]] = (
    "id_anggota",
    "nik_penduduk",
    "nama_pemilik",
    "jenis_kelamin",
    "nama_usaha",
    "nib",
    "kbli",
    "kode_wilayah",
    "kelurahan",
    "kecamatan",
    "kabkota",
    "modal_usaha",
    "omzet_tahunan",
    "tenaga_kerja",
    "tanggal_berdiri",
    "tahap_pkt",
    "nama_tahap",
)
MEMBER_COLUMNS: Final[tuple[str, ...]] = (
    "id_anggota",
    "nik_penduduk",
    "nama_pemilik",
    "nama_usaha",
    "nib",
    "tahap_pkt",
)
#: Member-list columns that hold personal data: a masked value there is never used.
_PERSONAL: Final[tuple[str, ...]] = ("nik_penduduk", "nama_pemilik", "telepon", "email")

TAHAP_TIDAK_DIKENAL = register_code(
    "PKT_TAHAP_TIDAK_DIKENAL",
    "Tahap PKT tidak dikenal; nilai tetap disimpan.",
    "Unknown PKT stage; the value is kept.",
    Severity.WARNING,
    module=__name__,
)
TANPA_ID = register_code(
    "PKT_TANPA_ID_ANGGOTA",
    "Baris daftar anggota PKT tanpa id_anggota.",
    "PKT member row has no id_anggota.",
    Severity.ERROR,
    module=__name__,
)
NIK_PENDUDUK_INVALID = register_code(
    "PKT_NIK_PENDUDUK_INVALID",
    "NIK penduduk anggota PKT tidak terdiri dari 16 angka.",
    "PKT member's NIK penduduk is not 16 digits.",
    Severity.WARNING,
    module=__name__,
)
BERKAS_TIDAK_TERBACA = register_code(
    "PKT_BERKAS_TIDAK_TERBACA",
    "Berkas bukan daftar anggota PKT yang terbaca (CSV dalam UTF-8).",
    "The file is not a readable PKT member list (CSV in UTF-8).",
    module=__name__,
)
KOLOM_ID_TIDAK_ADA = register_code(
    "PKT_KOLOM_ID_ANGGOTA_TIDAK_ADA",
    "Judul kolom daftar anggota PKT tidak memuat id_anggota (pemisah harus koma).",
    "The PKT member list's header has no id_anggota column (cells must be comma-separated).",
    module=__name__,
)
SEL_BERLEBIH = register_code(
    "PKT_SEL_BERLEBIH",
    "Baris daftar anggota PKT memiliki lebih banyak sel daripada judul kolom.",
    "PKT member row has more cells than the header has columns.",
    module=__name__,
)
NILAI_TERSAMAR = register_code(
    "PKT_NILAI_TERSAMAR",
    "Nilai tersamar (berisi '*') tidak dapat dicocokkan maupun disimpan; "
    "anggota tidak cocok dengan UMKM mana pun melalui NIB atau id.",
    "A masked value (with '*') is neither matched nor stored; "
    "the member matches no UMKM by NIB or id.",
    module=__name__,
)
ANGGOTA_GANDA = register_code(
    "PKT_ANGGOTA_GANDA",
    "Pengenal anggota PKT menunjuk lebih dari satu UMKM; tidak digabung.",
    "The PKT member's identifiers point to more than one UMKM; nothing is merged.",
    module=__name__,
)
ID_ANGGOTA_BERBEDA = register_code(
    "PKT_ID_ANGGOTA_BERBEDA",
    "UMKM yang cocok sudah tercatat dengan id anggota PKT lain.",
    "The matching UMKM is already recorded under another PKT member id.",
    module=__name__,
)
REFERENSI_TIDAK_DIKENAL = register_code(
    "PKT_REFERENSI_TIDAK_DIKENAL",
    "id_anggota adalah rujukan ekspor kukm yang tidak menunjuk UMKM mana pun; "
    "tidak dibuat rekaman baru.",
    "id_anggota is a kukm export reference that names no UMKM; no record is created from it.",
    module=__name__,
)
ANGGOTA_BARU_TIDAK_LENGKAP = register_code(
    "PKT_ANGGOTA_BARU_TIDAK_LOLOS",
    "Anggota PKT tidak cocok dengan UMKM tercatat dan tidak lolos pemeriksaan formulir UMKM "
    "(lihat masalah lain pada baris ini).",
    "The PKT member matches no stored UMKM and does not pass the UMKM form's checks "
    "(see the row's other issues).",
    module=__name__,
)
KUNCI_TIDAK_SAH = register_code(
    "PKT_KUNCI_TIDAK_SAH",
    "Kunci rujukan PKT tidak terbaca atau kurang dari 16 bita.",
    "The PKT reference key cannot be read or is shorter than 16 bytes.",
    module=__name__,
)

_NIK_RE: Final = re.compile(r"\d{16}")
_NIK_RUN: Final = re.compile(r"\d{16}")


def _first(item: tuple[int, Any]) -> int:
    return item[0]


@frozen
class PktTahap:
    """The PKT stages (code → name). [S]: replace with the Dinas's official table."""

    tahap: Mapping[str, str] = field(factory=dict)
    sumber: str = "Jakpreneur PKT, secondary sources [S]"

    @classmethod
    def default(cls) -> PktTahap:
        """P1–P7 as described for Jakpreneur's PKT [S]."""
        names = (
            "pendaftaran",
            "pelatihan",
            "pendampingan",
            "perizinan",
            "pemasaran",
            "pelaporan keuangan",
            "permodalan",
        )
        return cls({f"P{i}": n for i, n in enumerate(names, start=1)})

    def is_known(self, code: str) -> bool:
        return code in self.tahap

    def nama(self, code: str | None) -> str | None:
        return self.tahap.get(code) if code else None


def mask_nik_penduduk(value: str | None) -> str | None:
    """Keep the 6-digit region of registration, mask the rest (birth date, serial).

    Uses :mod:`kukm.governance.masking` when it is installed.

    >>> mask_nik_penduduk(None) is None
    True
    """
    if value is None:
        return None
    fn = _optional("kukm.governance.masking", "mask_value")
    if fn is not None:
        masked = fn(value, "pemilik.nik_penduduk")
        return None if masked is None else str(masked)
    return value[:6] + "*" * max(0, len(value) - 6)


def mask_nama(value: str | None) -> str | None:
    """Keep each word's first letter: ``"Sri Wahyuni"`` → ``"S** W******"``.

    >>> mask_nama("Sri Wahyuni")
    'S** W******'
    """
    if value is None:
        return None
    fn = _optional("kukm.governance.masking", "mask_value")
    if fn is not None:
        masked = fn(value, "pemilik.nama")
        return None if masked is None else str(masked)
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in value.split(" "))


def load_kunci(path: str | Path) -> bytes:
    """The Dinas's secret key for :func:`referensi` from a file (at least 16 bytes; blanks
    around it are ignored). Keep the file out of what is shared: whoever holds it can
    link references to kukm's record ids. Raises :class:`ConfigurationError`
    (``PKT_KUNCI_TIDAK_SAH``).
    """
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ConfigurationError(f"PKT key file {path}: {exc}", code=KUNCI_TIDAK_SAH) from exc
    if len(key) < 16:
        raise ConfigurationError(
            f"PKT key file {path} holds {len(key)} bytes; at least 16 are needed",
            code=KUNCI_TIDAK_SAH,
        )
    return key


def referensi(record_id: str, kunci: bytes) -> str:
    """The opaque export reference of a UMKM: ``kukm-`` and 20 hex digits of
    HMAC-SHA256(``kunci``, record id). Without the key it reveals nothing of the id.

    >>> referensi("umkm-nib-9120001234567", b"k" * 32)
    'kukm-8f4e90928ee2a323e389'
    """
    mac = hmac.new(kunci, b"umkm\x1f" + record_id.encode("utf-8"), hashlib.sha256)
    return REF_PREFIX + mac.hexdigest()[:20]


@contextlib.contextmanager
def _open_text(target: str | Path | IO[str], mode: str) -> Iterator[IO[str]]:
    if isinstance(target, str | Path):
        encoding = "utf-8-sig" if mode == "r" else "utf-8"
        with open(target, mode, encoding=encoding, newline="") as fh:
            yield fh
    else:
        yield target


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_kukm_id(value: str) -> bool:
    return value.startswith(("umkm-", "PKT:"))


def _export_id(
    umkm: Umkm, record_id: str | None, *, reveal_personal: bool, kunci: bytes | None
) -> str | None:
    """``id_anggota`` of an export row (see the module's docstring)."""
    member = umkm.atribut_lain.get(ATTR_ID_ANGGOTA)
    member = str(member).strip() if member is not None else ""
    if member and (
        reveal_personal
        or not (_is_kukm_id(member) or member.startswith(REF_PREFIX) or _NIK_RUN.search(member))
    ):
        return member  # the PKT app's own id (a kukm id stored by an old import is not one)
    rid = record_id or umkm.id
    if rid is None:
        return None
    if reveal_personal:
        return rid
    return referensi(rid, kunci) if kunci is not None else None


def _wilayah_names(kode: str | None) -> tuple[str | None, str | None, str | None]:
    """(kelurahan, kecamatan, kab/kota) names of a Kemendagri code from the region table."""
    if not kode:
        return None, None, None
    get_table = _optional("kukm.reference.wilayah", "get_table")
    if get_table is None:
        return None, None, None
    try:
        table = get_table()
    except Exception:  # pragma: no cover - a broken table provider leaves the names empty
        return None, None, None
    parts = kode.split(".")

    def name(n: int) -> str | None:
        if len(parts) < n:
            return None
        found = table.nama(".".join(parts[:n]))
        return None if found is None else str(found)

    return name(4), name(3), name(2)


def pkt_row(
    umkm: Umkm,
    *,
    id: str | None = None,
    tahap: PktTahap | None = None,
    reveal_personal: bool = False,
    masking: object | None = None,
    kunci: bytes | None = None,
) -> dict[str, str]:
    """One export row for the PKT app. Personal data is masked unless ``reveal_personal``
    (grant it only when the access policy allows full view); ``masking`` is the
    policy's :class:`kukm.governance.masking.MaskingConfig` (default: its defaults).

    ``id`` is the record's kukm id; it is printed only in a full view. Otherwise a UMKM
    without a PKT member id gets :func:`referensi` with ``kunci``, or no id.

    >>> from kukm.model import Umkm, Pemilik
    >>> u = Umkm(nama_usaha="Warung", pemilik=Pemilik(nama="Sri", nik_penduduk="3171234567890001"),
    ...          atribut_lain={"pkt_tahap": "P2"})
    >>> r = pkt_row(u, id="umkm-h-1")
    >>> r["id_anggota"], r["nik_penduduk"], r["nama_pemilik"], r["tahap_pkt"], r["nama_tahap"]
    ('', '317123**********', 'S**', 'P2', 'pelatihan')
    >>> pkt_row(u, id="umkm-h-1", reveal_personal=True)["id_anggota"]
    'umkm-h-1'
    """
    stages = tahap or PktTahap.default()
    code = umkm.atribut_lain.get(ATTR_TAHAP)
    nik = umkm.pemilik.nik_penduduk
    nama = umkm.pemilik.nama
    if not reveal_personal:
        mask_record = _optional("kukm.governance.masking", "mask_record")
        if mask_record is not None:
            masked = mask_record(umkm, masking)
            nik, nama = masked.pemilik.nik_penduduk, masked.pemilik.nama
        else:
            nik, nama = mask_nik_penduduk(nik), mask_nama(nama)
    alamat = umkm.alamat
    kel, kec, kab = alamat.kelurahan_nama, alamat.kecamatan_nama, alamat.kabkota_nama
    if not (kel and kec and kab):
        names = _wilayah_names(alamat.kode_wilayah)
        kel, kec, kab = kel or names[0], kec or names[1], kab or names[2]
    values: dict[str, object] = {
        "id_anggota": _export_id(umkm, id, reveal_personal=reveal_personal, kunci=kunci),
        "nik_penduduk": nik,
        "nama_pemilik": nama,
        "jenis_kelamin": umkm.pemilik.jenis_kelamin.value if umkm.pemilik.jenis_kelamin else None,
        "nama_usaha": umkm.nama_usaha,
        "nib": umkm.nib,
        "kbli": umkm.kbli,
        "kode_wilayah": alamat.kode_wilayah,
        "kelurahan": kel,
        "kecamatan": kec,
        "kabkota": kab,
        "modal_usaha": umkm.modal_usaha,
        "omzet_tahunan": umkm.omzet_tahunan,
        "tenaga_kerja": umkm.tenaga_kerja,
        "tanggal_berdiri": umkm.tanggal_berdiri,
        "tahap_pkt": code,
        "nama_tahap": stages.nama(code),
    }
    return {k: _text(values[k]) for k in PKT_COLUMNS}


def export_pkt(
    store: Store,
    out: str | Path | IO[str],
    *,
    wilayah: str | None = None,
    tahap: PktTahap | None = None,
    reveal_personal: bool = False,
    masking: object | None = None,
    kunci: bytes | None = None,
) -> int:
    """Stream every current UMKM of ``store`` (optionally within a region) to a PKT CSV.

    Personal data is masked per ``masking`` (the access policy's masking config)
    unless ``reveal_personal``; ``kunci`` (:func:`load_kunci`) gives UMKM without a PKT
    member id an opaque reference (:func:`referensi`) that a member import resolves.

    >>> import io
    >>> from kukm.plugins import open_store
    >>> store, out = open_store("memory://"), io.StringIO()
    >>> export_pkt(store, out), out.getvalue().split(",")[:2]
    (0, ['id_anggota', 'nik_penduduk'])
    """

    def rows() -> Iterator[dict[str, str]]:
        for stored in store.iter_records("umkm", wilayah=wilayah):
            if isinstance(stored.record, Umkm):
                yield pkt_row(
                    stored.record,
                    id=stored.id,
                    tahap=tahap,
                    reveal_personal=reveal_personal,
                    masking=masking,
                    kunci=kunci,
                )

    n = 0
    with _open_text(out, "w") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(PKT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows():
            writer.writerow(row)
            n += 1
    return n


@frozen
class PktImportReport:
    """``input == accepted + rejected``; ``matched`` updated existing UMKM, ``created`` new ones
    (``accepted == matched + created``); ``rejected_rows`` name each rejected row (its row
    number, ``id_anggota`` and its problems' codes; no personal data), the first 1,000."""

    input: int = 0
    accepted: int = 0
    rejected: int = 0
    matched: int = 0
    created: int = 0
    issue_counts: Mapping[str, int] = field(factory=dict)
    issues: tuple[Issue, ...] = ()
    rejected_rows: tuple[Mapping[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self, recurse=False)
        out["issue_counts"] = dict(self.issue_counts)
        out["issues"] = [dict(i.as_dict()) for i in self.issues]
        out["rejected_rows"] = [dict(r) for r in self.rejected_rows]
        return out


def _masked(value: str) -> bool:
    return "*" in value


class _Head:
    """What matching a member needs of a stored UMKM: its owner's NIK penduduk and its PKT
    fields (as stored, unconverted)."""

    __slots__ = ("member", "nik", "tahap")

    def __init__(self, record: Umkm) -> None:
        self.nik = record.pemilik.nik_penduduk
        self.member: object = record.atribut_lain.get(ATTR_ID_ANGGOTA)
        tahap = record.atribut_lain.get(ATTR_TAHAP)
        # a handful of stage codes, one copy each
        self.tahap: object = sys.intern(tahap) if type(tahap) is str else tahap

    def get(self, key: str) -> object:
        """``atribut_lain.get(key)`` of the record, for the two PKT fields."""
        return self.member if key == ATTR_ID_ANGGOTA else self.tahap if key == ATTR_TAHAP else None


def _identifiers(
    member_id: str, nib: str, nik: str
) -> tuple[str, str | None, str | None, str | None]:
    """(member id, kukm reference, NIB, NIK penduduk) a row matches by, from its ``id_anggota``,
    ``nib`` and ``nik_penduduk`` cells: a masked or malformed NIK, a masked NIB is never used;
    ``PKT:<id>`` is the member id ``<id>``; a kukm record id or a ``kukm-`` reference is a
    reference."""
    member_id = member_id.strip()
    nik_value: str | None = nik.strip() or None
    if nik_value is not None and not _NIK_RE.fullmatch(nik_value):
        nik_value = None  # masked or malformed: never matched
    nib_value: str | None = nib.strip() or None
    if nib_value is not None and _masked(nib_value):
        nib_value = None
    ref = member_id if (member_id.startswith(REF_PREFIX) or _is_kukm_id(member_id)) else None
    if ref is not None and ref.startswith("PKT:"):
        ref = None
        member_id = member_id[4:]
    return member_id, ref, nib_value, nik_value


class _Wanted:
    """Every identifier a member list can match a stored UMKM by: member ids (a row without a
    reference names the record ``PKT:<id>`` and the records carrying the id), record ids and
    ``kukm-`` references (rows from a kukm export), NIBs and NIKs penduduk."""

    __slots__ = ("ids", "members", "nibs", "niks", "refs")

    def __init__(self) -> None:
        self.members: set[str] = set()
        self.ids: set[str] = set()
        self.refs: set[str] = set()
        self.nibs: set[str] = set()
        self.niks: set[str] = set()

    def add(self, member_id: str, ref: str | None, nib: str | None, nik: str | None) -> None:
        if ref is None:
            self.members.add(member_id)
        elif ref.startswith(REF_PREFIX):
            self.refs.add(ref)
        else:
            self.ids.add(ref)
        if nib is not None:
            self.nibs.add(nib)
        if nik is not None:
            self.niks.add(nik)

    def __bool__(self) -> bool:
        return bool(self.members or self.ids or self.refs or self.nibs or self.niks)

    def names(self, record_id: str) -> bool:
        """Whether a row names the record by its id (``PKT:<member id>`` or a record id)."""
        if record_id.startswith("PKT:") and record_id[4:] in self.members:
            return True
        return record_id in self.ids


#: Record ids under one identifier: most identifiers name one record (kept as the bare id).
_Ids = str | tuple[str, ...]


def _put(index: dict[str, _Ids], key: str, record_id: str) -> None:
    ids = index.get(key)
    if ids is None:
        index[key] = record_id
    elif isinstance(ids, str):
        if ids != record_id:
            index[key] = (ids, record_id)
    elif record_id not in ids:
        index[key] = (*ids, record_id)


def _ids(index: dict[str, _Ids], key: str) -> tuple[str, ...]:
    ids = index.get(key)
    return () if ids is None else (ids,) if isinstance(ids, str) else ids


class _Index:
    """The stored UMKM a member list names, by record id, PKT member id, NIB, NIK penduduk and
    (with a key) export reference: made in one pass over the store before the first row, for
    the identifiers the list holds only (:class:`_Wanted`), and kept current with the import's
    own writes. A record's whole version is read again (:meth:`Store.get`) only when a row
    writes it."""

    def __init__(self, store: Store, kunci: bytes | None, wanted: _Wanted) -> None:
        self._kunci = kunci
        self._wanted = wanted
        self._refs_wanted = kunci is not None and bool(wanted.refs)
        self._heads: dict[str, _Head] = {}
        self._members: dict[str, _Ids] = {}
        self._nibs: dict[str, _Ids] = {}
        self._niks: dict[str, _Ids] = {}
        self._refs: dict[str, str] = {}
        if wanted:
            for stored in store.iter_records("umkm"):
                if isinstance(stored.record, Umkm):
                    self.note(stored.id, stored.record)

    def note(self, record_id: str, record: Umkm) -> None:
        """Take (again) a record as stored, or as a write of this import will store it."""
        wanted = self._wanted
        hit = wanted.names(record_id)
        if record.nib is not None and record.nib in wanted.nibs:
            _put(self._nibs, record.nib, record_id)
            hit = True
        nik = record.pemilik.nik_penduduk
        if nik is not None and nik in wanted.niks:
            _put(self._niks, nik, record_id)
            hit = True
        member = record.atribut_lain.get(ATTR_ID_ANGGOTA)
        if member and str(member) in wanted.members:
            _put(self._members, str(member), record_id)
            hit = True
        if self._refs_wanted:
            assert self._kunci is not None
            token = referensi(record_id, self._kunci)
            if token in wanted.refs:
                self._refs[token] = record_id
                hit = True
        if hit:
            self._heads[record_id] = _Head(record)

    def head(self, record_id: str) -> _Head | None:
        return self._heads.get(record_id)

    def members(self, member_id: str) -> tuple[str, ...]:
        return _ids(self._members, member_id)

    def nib(self, nib: str) -> tuple[str, ...]:
        return _ids(self._nibs, nib)

    def nik(self, nik: str) -> tuple[str, ...]:
        return _ids(self._niks, nik)

    def ref(self, token: str) -> str | None:
        return self._refs.get(token) if self._kunci is not None else None

    def could_match(self, member_id: str, nib: str | None, nik: str | None) -> bool:
        """Whether a row without a reference finds any record now (the index only grows, so
        a row that finds none at the start of its chunk is the only kind that may be new)."""
        return (
            ("PKT:" + member_id) in self._heads
            or member_id in self._members
            or (nib is not None and nib in self._nibs)
            or (nik is not None and nik in self._niks)
        )


class _Rejection(Exception):
    def __init__(self, *found: Issue) -> None:
        super().__init__(found[0].code)
        self.found = found


#: The text of one record of a CSV file: its line, or its lines (a quoted cell holds a newline).
_Raw = str | tuple[str, ...]


class _Capture:
    """A text file's lines for :func:`csv.reader`, keeping those of the record it reads."""

    __slots__ = ("_lines", "taken")

    def __init__(self, fh: IO[str]) -> None:
        self._lines = iter(fh)
        self.taken: list[str] = []

    def __iter__(self) -> _Capture:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def record(self) -> _Raw:
        """The lines taken since the last call (csv.reader reads no further than its record)."""
        taken = self.taken
        raw: _Raw = taken[0] if len(taken) == 1 else tuple(taken)
        taken.clear()
        return raw


def _cell_at(header: list[str], name: str) -> int | None:
    """Where a row's cell for ``name`` is (its last column of that name, as in the row's dict)."""
    at = [i for i, h in enumerate(header) if h == name]
    return at[-1] if at else None


def _read_member_list(source: str | Path | IO[str]) -> tuple[list[str], list[_Raw], _Wanted]:
    """The header (names stripped, lower case), the text of each data row and the identifiers
    the rows hold (:class:`_Wanted`), read whole before anything is written: an unreadable file
    or a header without ``id_anggota`` is a configuration error and nothing is imported. A row
    is kept as its text (a fifth of the memory of its cells) and read again by
    :func:`_parse`."""
    header: list[str] | None = None
    rows: list[_Raw] = []
    wanted = _Wanted()
    at_id = at_nib = at_nik = None
    with _open_text(source, "r") as fh:
        lines = _Capture(fh)
        numbered = enumerate(csv.reader(lines, strict=True))
        for _, cells in readable_rows(numbered, "the PKT member list", BERKAS_TIDAK_TERBACA, _first):
            raw = lines.record()
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                if "id_anggota" not in header:
                    raise ConfigurationError(
                        "the PKT member list has no id_anggota column (header: "
                        f"{','.join(header)[:200]!r}); cells must be comma-separated",
                        code=KOLOM_ID_TIDAK_ADA,
                    )
                at_id, at_nib, at_nik = (
                    _cell_at(header, n) for n in ("id_anggota", "nib", "nik_penduduk")
                )
                continue
            rows.append(raw)
            n = len(cells)
            raw_id = cells[at_id] if at_id is not None and at_id < n else ""
            if raw_id.strip():  # a row without one is refused before it is looked up
                nib = cells[at_nib] if at_nib is not None and at_nib < n else ""
                nik = cells[at_nik] if at_nik is not None and at_nik < n else ""
                wanted.add(*_identifiers(raw_id, nib, nik))
    if header is None:
        # no header, no rows (0 bytes, only blank lines): a failed download or the wrong file,
        # not a list of 0 members (a header without rows is one)
        from kukm.pipeline.header import BERKAS_KOSONG

        raise ConfigurationError(
            "the PKT member list is empty: no header and no rows", code=BERKAS_KOSONG
        )
    return header, rows, wanted


def _parse(rows: list[_Raw]) -> list[list[str]]:
    """The cells of rows kept by :func:`_read_member_list` (read again as they were read)."""

    def lines() -> Iterator[str]:
        for raw in rows:
            if isinstance(raw, str):
                yield raw
            else:
                yield from raw

    cells = list(csv.reader(lines(), strict=True))
    if len(cells) != len(rows):  # pragma: no cover - csv.reader reads a record's lines alike
        raise RuntimeError(
            f"{len(rows)} CSV records of the PKT list read again as {len(cells)} rows"
        )
    return cells


def _form_data(member: Mapping[str, str], member_id: str) -> dict[str, str]:
    """A member row as a row of the UMKM form (``nik_penduduk`` is ``nik_pemilik``,
    ``id_anggota`` is ``id_sumber``; the source is :data:`ASAL_PKT`)."""
    data = {k: v for k, v in member.items() if k not in ("id_anggota", "tahap_pkt", "nama_tahap")}
    if "nik_penduduk" in data:
        nik_cell = data.pop("nik_penduduk")
        data.setdefault("nik_pemilik", nik_cell)
    data["id_sumber"] = member_id
    data["sumber_data"] = ASAL_PKT.value
    return data


def import_pkt_members(
    store: Store,
    source: str | Path | IO[str],
    *,
    tahap: PktTahap | None = None,
    petugas: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
    kunci: bytes | None = None,
    batch_size: int = BATCH_SIZE,
    chunk_size: int = CHUNK_SIZE,
) -> PktImportReport:
    """Read the PKT app's member list (CSV) and record each member's PKT id and stage.

    **Matching.** A member is matched to a stored UMKM by its explicit ids: the record
    ``PKT:<id_anggota>``, a record already carrying that PKT member id, a record with the
    row's NIB, or, for a row from a kukm export, the export's ``id_anggota`` (a record id
    from a full view, or a ``kukm-`` reference resolved with ``kunci``). When none of those
    finds it, by the owner's NIK penduduk if exactly one UMKM has it. A row whose ids
    point to different records, whose NIK is another owner's than the matched record's,
    or whose record already has another PKT member id is rejected (``PKT_ANGGOTA_GANDA``,
    ``PKT_ID_ANGGOTA_BERBEDA``), never merged. A masked value (with ``*``) is never used.
    Rows are matched in the list's order: a row sees what the rows before it wrote.

    **Matched.** The record gets ``pkt_id_anggota`` (not for a kukm reference) and
    ``pkt_tahap`` in ``atribut_lain``; its content, verification status, source and
    derived attributes (``skala``) are kept (the new version's provenance keeps the
    record's ``sumber``, with ``id_pengiriman="pkt-import"`` and ``petugas``). Data
    waiting for verification keeps waiting.

    **Not matched.** The row becomes a new UMKM ``PKT:<id_anggota>`` only if it passes the
    UMKM form's checks (the instrument ``umkm``: ``nik_penduduk`` is its ``nik_pemilik``,
    ``id_anggota`` its ``id_sumber``; the form's other columns may be in the list). Its
    source is :data:`ASAL_PKT` (``pihak_lain``): it waits for verification (Kepgub D.3).
    Otherwise the row is rejected with ``PKT_ANGGOTA_BARU_TIDAK_LOLOS`` and the form's
    issues, ``PKT_NILAI_TERSAMAR`` when it holds masked values, or
    ``PKT_REFERENSI_TIDAK_DIKENAL`` for a kukm reference.

    **Cost.** The store is read once, before the first row: one pass over its UMKM keeps,
    of those the list names by an identifier, what matching needs; no row is looked up in
    the store on its own, and a matched record is read again only when its row writes it.
    Rows go through the UMKM form's checks ``chunk_size`` at a time (those that match no
    record at the start of their chunk); the outcome is the same for any ``chunk_size``.
    Writes go in batches of ``batch_size`` (each atomic); importing the same list again
    changes nothing. The whole file is read first (each row kept as its text): a file that
    is not CSV text, with a quote never closed, or without an ``id_anggota`` column raises
    :class:`ConfigurationError` and nothing is written.

    >>> import io
    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> r = import_pkt_members(store, io.StringIO("id_anggota,nama_usaha,tahap_pkt\\nJP-9,Toko,P1\\n"))
    >>> r.rejected, r.issue_counts["PKT_ANGGOTA_BARU_TIDAK_LOLOS"]
    (1, 1)
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    stages = tahap or PktTahap.default()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    counts: Counter[str] = Counter()
    kept: list[Issue] = []
    rejected_rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(["input", "accepted", "rejected", "matched", "created"], 0)
    pending: list[WriteOp] = []
    pending_keys: set[tuple[str, str]] = set()
    checker: Any = None
    #: the UMKM form's verdict on the chunk's rows that may be new: row → Accepted, or the
    #: list of its issues
    checked: dict[int, Any] = {}

    def report(found: Issue) -> None:
        counts[found.code] += 1
        if len(kept) < 1000:
            kept.append(found)

    def flush() -> None:
        if pending:
            store.write_batch(list(pending))
            pending.clear()
            pending_keys.clear()

    def check(batch: list[tuple[int, dict[str, str], None]]) -> None:
        """The UMKM form's checks on rows that may become new records, into ``checked``."""
        nonlocal checker
        if checker is None:
            from kukm.pipeline.checks import RowChecker

            checker = RowChecker("umkm", default_source=ASAL_PKT)
        result = checker.check(batch)
        for acc in result.accepted:
            checked[acc.row] = acc
        for rej in result.rejected:
            checked[rej.row] = list(rej.issues)

    def resolve(
        row_no: int, member_id: str, ref: str | None, nib: str | None, nik: str | None
    ) -> str | None:
        """The id of the stored UMKM the row names, or ``None``; raises :class:`_Rejection`."""
        strong: set[str] = set()
        if ref is not None:
            rid = index.ref(ref) if ref.startswith(REF_PREFIX) else ref
            if rid is not None and index.head(rid) is not None:
                strong.add(rid)
        else:
            if index.head("PKT:" + member_id) is not None:
                strong.add("PKT:" + member_id)
            strong.update(index.members(member_id))
        if nib is not None:
            strong.update(index.nib(nib))
        if len(strong) > 1:
            raise _Rejection(
                issue(ANGGOTA_GANDA, "id_anggota", member_id, row=row_no,
                      detail=", ".join(sorted(strong)))
            )  # fmt: skip
        if strong:
            (match,) = strong
            head = index.head(match)
            assert head is not None
            if nik is not None and head.nik and head.nik != nik:
                raise _Rejection(
                    issue(ANGGOTA_GANDA, "nik_penduduk", mask_nik_penduduk(nik), row=row_no,
                          detail=f"{match} has another owner's NIK")
                )  # fmt: skip
            return match
        if nik is not None:
            by_nik = index.nik(nik)
            if len(by_nik) > 1:
                raise _Rejection(
                    issue(ANGGOTA_GANDA, "nik_penduduk", mask_nik_penduduk(nik), row=row_no,
                          detail=", ".join(sorted(by_nik)))
                )  # fmt: skip
            if by_nik:
                return by_nik[0]
        return None

    def create(row_no: int, member: dict[str, str], member_id: str, extra: dict[str, str]) -> WriteOp:
        masked = [k for k in _PERSONAL if _masked(member.get(k, ""))]
        if masked:
            raise _Rejection(
                *(issue(NILAI_TERSAMAR, k, member[k], row=row_no, kind="lengkap") for k in masked)
            )
        if row_no not in checked:  # matched something at the start of its chunk: not checked yet
            check([(row_no, _form_data(member, member_id), None)])
        verdict = checked.pop(row_no)
        if isinstance(verdict, list):  # the form's issues (an Accepted is a tuple)
            raise _Rejection(
                issue(ANGGOTA_BARU_TIDAK_LENGKAP, "id_anggota", member_id, row=row_no), *verdict
            )
        record = verdict.record
        assert isinstance(record, Umkm)
        record_id = "PKT:" + member_id
        record = attrs.evolve(
            record, id=record_id, atribut_lain={**record.atribut_lain, **extra}
        )
        provenance = Provenance(ASAL_PKT, petugas=petugas, waktu=clock(), id_pengiriman="pkt-import")
        return WriteOp(
            "umkm", record_id, record, provenance, valid_from=record.tanggal_data,
            atribut=dict(verdict.atribut),
        )  # fmt: skip

    def one(row_no: int, member: dict[str, str], cells: int, width: int) -> str:
        """Process one row; returns ``"matched"``/``"created"``, raises :class:`_Rejection`."""
        raw_id = member.get("id_anggota", "").strip()
        if cells > width:
            raise _Rejection(
                issue(SEL_BERLEBIH, None, cells, row=row_no, detail=f"{cells} cells, {width} columns")
            )
        if not raw_id:
            raise _Rejection(issue(TANPA_ID, "id_anggota", None, row=row_no, kind="lengkap"))
        code = member.get("tahap_pkt", "").strip() or None
        if code is not None and not stages.is_known(code):
            report(issue(TAHAP_TIDAK_DIKENAL, "tahap_pkt", code, row=row_no))
        nik_cell = member.get("nik_penduduk", "").strip()
        if nik_cell and not _masked(nik_cell) and not _NIK_RE.fullmatch(nik_cell):
            masked_nik = mask_nik_penduduk(nik_cell)
            report(issue(NIK_PENDUDUK_INVALID, "nik_penduduk", masked_nik, row=row_no))
        member_id, ref, nib, nik = _identifiers(raw_id, member.get("nib", ""), nik_cell)
        keys = {("id", "PKT:" + member_id), ("member", member_id)}
        if ref is not None:
            keys.add(("ref", ref))
        if nib is not None:
            keys.add(("nib", nib))
        if nik is not None:
            keys.add(("nik", nik))
        if keys & pending_keys:
            flush()
        match = resolve(row_no, member_id, ref, nib, nik)
        if match is not None and ("id", match) in pending_keys:
            flush()
        extra: dict[str, str] = {}
        if ref is None:
            extra[ATTR_ID_ANGGOTA] = member_id
        if code is not None:
            extra[ATTR_TAHAP] = code

        def settled(get: Callable[[str], object]) -> bool:
            """Whether the matched record already holds ``extra``; raises when it is another
            member's."""
            other = get(ATTR_ID_ANGGOTA)
            if ref is None and other and str(other) != member_id:
                raise _Rejection(
                    issue(ID_ANGGOTA_BERBEDA, "id_anggota", member_id, row=row_no,
                          detail=f"{match} is PKT member {other}")
                )  # fmt: skip
            return all(get(k) == v for k, v in extra.items())

        if match is None:
            if ref is not None:
                raise _Rejection(issue(REFERENSI_TIDAK_DIKENAL, "id_anggota", ref, row=row_no))
            op = create(row_no, member, member_id, extra)
            outcome = "created"
        else:
            head = index.head(match)
            assert head is not None
            outcome = "matched"
            if settled(head.get):
                return outcome  # nothing new: no version is written, nothing is read
            stored = store.get("umkm", match)
            if stored is None or not isinstance(stored.record, Umkm):
                raise StorageError(f"umkm {match!r} left the store during the PKT import")
            record = stored.record
            if settled(record.atribut_lain.get):
                return outcome
            provenance = Provenance(
                stored.provenance.sumber, petugas=petugas, waktu=clock(), id_pengiriman="pkt-import"
            )
            op = WriteOp(
                "umkm", match,
                attrs.evolve(record, atribut_lain={**record.atribut_lain, **extra}),
                provenance, atribut=dict(stored.atribut), status=stored.status,
            )  # fmt: skip
        assert isinstance(op.record, Umkm)
        pending.append(op)
        pending_keys.update(keys)
        pending_keys.add(("id", op.id))
        if op.record.nib:
            pending_keys.add(("nib", op.record.nib))
        if op.record.pemilik.nik_penduduk:
            pending_keys.add(("nik", op.record.pemilik.nik_penduduk))
        index.note(op.id, op.record)
        if len(pending) >= batch_size:
            flush()
        return outcome

    def may_be_new(member: dict[str, str], cells: int, width: int) -> str | None:
        """The member id of a row that matches no record now and could become one, else None."""
        raw_id = member.get("id_anggota", "").strip()
        if cells > width or not raw_id or any(_masked(member.get(k, "")) for k in _PERSONAL):
            return None
        member_id, ref, nib, nik = _identifiers(
            raw_id, member.get("nib", ""), member.get("nik_penduduk", "")
        )
        if ref is not None or index.could_match(member_id, nib, nik):
            return None
        return member_id

    header, rows, wanted = _read_member_list(source)
    width = len(header)
    index = _Index(store, kunci, wanted)
    for start in range(0, len(rows), chunk_size):
        chunk = [
            (row_no, {h: c for h, c in zip(header, cells, strict=False) if h}, len(cells))
            for row_no, cells in enumerate(_parse(rows[start : start + chunk_size]), start + 1)
        ]
        checked.clear()
        new = [
            (row_no, _form_data(member, member_id), None)
            for row_no, member, n in chunk
            if (member_id := may_be_new(member, n, width)) is not None
        ]
        if new:
            check(new)
        for row_no, member, n in chunk:
            totals["input"] += 1
            try:
                outcome = one(row_no, member, n, width)
            except _Rejection as rejection:
                for found in rejection.found:
                    report(found)
                totals["rejected"] += 1
                if len(rejected_rows) < 1000:
                    rejected_rows.append(
                        {
                            "row": row_no,
                            "id_anggota": member.get("id_anggota", "").strip() or None,
                            "codes": sorted({f.code for f in rejection.found}),
                        }
                    )
                continue
            totals[outcome] += 1
            totals["accepted"] += 1
    flush()
    return PktImportReport(
        issue_counts=dict(counts), issues=tuple(kept), rejected_rows=tuple(rejected_rows), **totals
    )
