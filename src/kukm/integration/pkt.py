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
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs
from attrs import field, frozen

from kukm.exceptions import ConfigurationError, Issue, Severity, issue, register_code
from kukm.integration.ods import _optional
from kukm.integration.ods_io import readable_rows
from kukm.model import SumberData, Umkm
from kukm.storage.base import Provenance, Store, StoredRecord, WriteOp

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


class _Index:
    """Stored UMKM by PKT member id and, with a key, by export reference: one pass over the
    store, made when first asked, kept current with the import's own writes."""

    def __init__(self, store: Store, kunci: bytes | None) -> None:
        self._store = store
        self._kunci = kunci
        self._members: dict[str, set[str]] | None = None
        self._refs: dict[str, str] | None = None

    def _build(self, refs: bool) -> None:
        members: dict[str, set[str]] = {}
        tokens: dict[str, str] = {}
        for stored in self._store.iter_records("umkm"):
            if not isinstance(stored.record, Umkm):
                continue
            member = stored.record.atribut_lain.get(ATTR_ID_ANGGOTA)
            if member:
                members.setdefault(str(member), set()).add(stored.id)
            if refs and self._kunci is not None:
                tokens[referensi(stored.id, self._kunci)] = stored.id
        if self._members is None:
            self._members = members
        if refs and self._kunci is not None:
            self._refs = tokens

    def members(self, member_id: str) -> set[str]:
        if self._members is None:
            self._build(refs=False)
        assert self._members is not None
        return set(self._members.get(member_id, ()))

    def ref(self, token: str) -> str | None:
        if self._kunci is None:
            return None
        if self._refs is None:
            self._build(refs=True)
        assert self._refs is not None
        return self._refs.get(token)

    def wrote(self, record_id: str, member_id: str | None) -> None:
        if member_id and self._members is not None:
            self._members.setdefault(member_id, set()).add(record_id)
        if self._kunci is not None and self._refs is not None:
            self._refs[referensi(record_id, self._kunci)] = record_id


class _Rejection(Exception):
    def __init__(self, *found: Issue) -> None:
        super().__init__(found[0].code)
        self.found = found


def _read_member_list(source: str | Path | IO[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (names stripped, lower case) and the data rows of a member list, read whole
    before anything is written: an unreadable file or a header without ``id_anggota`` is a
    configuration error and nothing is imported."""
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    with _open_text(source, "r") as fh:
        numbered = enumerate(csv.reader(fh, strict=True))
        for _, cells in readable_rows(numbered, "the PKT member list", BERKAS_TIDAK_TERBACA, _first):
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
                continue
            rows.append((len(rows) + 1, cells))
    return header or [], rows


def import_pkt_members(
    store: Store,
    source: str | Path | IO[str],
    *,
    tahap: PktTahap | None = None,
    petugas: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
    kunci: bytes | None = None,
    batch_size: int = BATCH_SIZE,
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

    Writes go in batches of ``batch_size`` (each atomic); importing the same list again
    changes nothing. The whole file is read first: a file that is not CSV text, with a quote
    never closed, or without an ``id_anggota`` column raises :class:`ConfigurationError`
    and nothing is written.

    >>> import io
    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> r = import_pkt_members(store, io.StringIO("id_anggota,nama_usaha,tahap_pkt\\nJP-9,Toko,P1\\n"))
    >>> r.rejected, r.issue_counts["PKT_ANGGOTA_BARU_TIDAK_LOLOS"]
    (1, 1)
    """
    stages = tahap or PktTahap.default()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    counts: Counter[str] = Counter()
    kept: list[Issue] = []
    rejected_rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(["input", "accepted", "rejected", "matched", "created"], 0)
    index = _Index(store, kunci)
    pending: list[WriteOp] = []
    pending_keys: set[tuple[str, str]] = set()
    checker: Any = None

    def report(found: Issue) -> None:
        counts[found.code] += 1
        if len(kept) < 1000:
            kept.append(found)

    def flush() -> None:
        if pending:
            store.write_batch(list(pending))
            pending.clear()
            pending_keys.clear()

    def umkm(found: StoredRecord | None) -> StoredRecord | None:
        return found if found is not None and isinstance(found.record, Umkm) else None

    def resolve(
        row_no: int, member_id: str, ref: str | None, nib: str | None, nik: str | None
    ) -> StoredRecord | None:
        strong: dict[str, StoredRecord] = {}

        def add(found: StoredRecord | None) -> None:
            if (found := umkm(found)) is not None:
                strong[found.id] = found

        if ref is not None:
            rid = index.ref(ref) if ref.startswith(REF_PREFIX) else ref
            if rid is not None:
                add(store.get("umkm", rid))
        else:
            add(store.get("umkm", "PKT:" + member_id))
            for rid in sorted(index.members(member_id)):
                add(store.get("umkm", rid))
        if nib is not None:
            for found in store.find("umkm", "nib", nib):
                add(found)
        if len(strong) > 1:
            raise _Rejection(
                issue(ANGGOTA_GANDA, "id_anggota", member_id, row=row_no,
                      detail=", ".join(sorted(strong)))
            )  # fmt: skip
        if strong:
            (match,) = strong.values()
            assert isinstance(match.record, Umkm)
            stored_nik = match.record.pemilik.nik_penduduk
            if nik is not None and stored_nik and stored_nik != nik:
                raise _Rejection(
                    issue(ANGGOTA_GANDA, "nik_penduduk", mask_nik_penduduk(nik), row=row_no,
                          detail=f"{match.id} has another owner's NIK")
                )  # fmt: skip
            return match
        if nik is not None:
            by_nik = [f for f in store.find("umkm", "nik_penduduk", nik) if umkm(f)]
            if len(by_nik) > 1:
                raise _Rejection(
                    issue(ANGGOTA_GANDA, "nik_penduduk", mask_nik_penduduk(nik), row=row_no,
                          detail=", ".join(sorted(f.id for f in by_nik)))
                )  # fmt: skip
            if by_nik:
                return by_nik[0]
        return None

    def create(row_no: int, member: dict[str, str], member_id: str, extra: dict[str, str]) -> WriteOp:
        nonlocal checker
        masked = [k for k in _PERSONAL if _masked(member.get(k, ""))]
        if masked:
            raise _Rejection(
                *(issue(NILAI_TERSAMAR, k, member[k], row=row_no, kind="lengkap") for k in masked)
            )
        if checker is None:
            from kukm.pipeline.checks import RowChecker

            checker = RowChecker("umkm", default_source=ASAL_PKT)
        data = {k: v for k, v in member.items() if k not in ("id_anggota", "tahap_pkt", "nama_tahap")}
        if "nik_penduduk" in data:
            nik_cell = data.pop("nik_penduduk")
            data.setdefault("nik_pemilik", nik_cell)
        data["id_sumber"] = member_id
        data["sumber_data"] = ASAL_PKT.value
        result = checker.check([(row_no, data, None)])
        if not result.accepted:
            found = [i for r in result.rejected for i in r.issues]
            raise _Rejection(
                issue(ANGGOTA_BARU_TIDAK_LENGKAP, "id_anggota", member_id, row=row_no), *found
            )
        acc = result.accepted[0]
        record = acc.record
        assert isinstance(record, Umkm)
        record_id = "PKT:" + member_id
        record = attrs.evolve(
            record, id=record_id, atribut_lain={**record.atribut_lain, **extra}
        )
        provenance = Provenance(ASAL_PKT, petugas=petugas, waktu=clock(), id_pengiriman="pkt-import")
        return WriteOp(
            "umkm", record_id, record, provenance, valid_from=record.tanggal_data,
            atribut=dict(acc.atribut),
        )  # fmt: skip

    def one(row_no: int, member: dict[str, str], cells: int, width: int) -> str:
        """Process one row; returns ``"matched"``/``"created"``, raises :class:`_Rejection`."""
        member_id = member.get("id_anggota", "").strip()
        if cells > width:
            raise _Rejection(
                issue(SEL_BERLEBIH, None, cells, row=row_no, detail=f"{cells} cells, {width} columns")
            )
        if not member_id:
            raise _Rejection(issue(TANPA_ID, "id_anggota", None, row=row_no, kind="lengkap"))
        code = member.get("tahap_pkt", "").strip() or None
        if code is not None and not stages.is_known(code):
            report(issue(TAHAP_TIDAK_DIKENAL, "tahap_pkt", code, row=row_no))
        nik: str | None = member.get("nik_penduduk", "").strip() or None
        if nik is not None and not _masked(nik) and not _NIK_RE.fullmatch(nik):
            report(issue(NIK_PENDUDUK_INVALID, "nik_penduduk", mask_nik_penduduk(nik), row=row_no))
        if nik is not None and not _NIK_RE.fullmatch(nik):
            nik = None  # masked or malformed: never matched
        nib: str | None = member.get("nib", "").strip() or None
        if nib is not None and _masked(nib):
            nib = None
        ref = member_id if (member_id.startswith(REF_PREFIX) or _is_kukm_id(member_id)) else None
        if ref is not None and ref.startswith("PKT:"):
            ref = None
            member_id = member_id[4:]
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
        if match is not None and ("id", match.id) in pending_keys:
            flush()
            match = resolve(row_no, member_id, ref, nib, nik)
        extra: dict[str, str] = {}
        if ref is None:
            extra[ATTR_ID_ANGGOTA] = member_id
        if code is not None:
            extra[ATTR_TAHAP] = code
        if match is None:
            if ref is not None:
                raise _Rejection(issue(REFERENSI_TIDAK_DIKENAL, "id_anggota", ref, row=row_no))
            op = create(row_no, member, member_id, extra)
            outcome = "created"
        else:
            record = match.record
            assert isinstance(record, Umkm)
            other = record.atribut_lain.get(ATTR_ID_ANGGOTA)
            if ref is None and other and str(other) != member_id:
                raise _Rejection(
                    issue(ID_ANGGOTA_BERBEDA, "id_anggota", member_id, row=row_no,
                          detail=f"{match.id} is PKT member {other}")
                )  # fmt: skip
            outcome = "matched"
            if all(record.atribut_lain.get(k) == v for k, v in extra.items()):
                return outcome  # nothing new: no version is written
            provenance = Provenance(
                match.provenance.sumber, petugas=petugas, waktu=clock(), id_pengiriman="pkt-import"
            )
            op = WriteOp(
                "umkm", match.id,
                attrs.evolve(record, atribut_lain={**record.atribut_lain, **extra}),
                provenance, atribut=dict(match.atribut), status=match.status,
            )  # fmt: skip
        assert isinstance(op.record, Umkm)
        pending.append(op)
        pending_keys.update(keys)
        pending_keys.add(("id", op.id))
        if op.record.nib:
            pending_keys.add(("nib", op.record.nib))
        if op.record.pemilik.nik_penduduk:
            pending_keys.add(("nik", op.record.pemilik.nik_penduduk))
        index.wrote(op.id, extra.get(ATTR_ID_ANGGOTA))
        if len(pending) >= batch_size:
            flush()
        return outcome

    header, rows = _read_member_list(source)
    width = len(header)
    for row_no, cells in rows:
        totals["input"] += 1
        member = {h: c for h, c in zip(header, cells, strict=False) if h}
        try:
            outcome = one(row_no, member, len(cells), width)
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
