"""PKT / Jakpreneur: export UMKM records for the PKT app and import its member list.

Kepgub DKI 1625/2021 huruf A angka 14 (Pengembangan Kewirausahaan Terpadu,
PKT) and huruf G angka 2 (integration of the Dinas's system with the PKT app).

**Stages [S].** Jakpreneur's PKT programme is described in secondary sources
as seven stages P1–P7: pendaftaran, pelatihan, pendampingan, perizinan,
pemasaran, pelaporan keuangan, permodalan. No primary text fixing them was
found, so they are a replaceable table (:class:`PktTahap`), not constants.

**Export layout** (CSV, UTF-8, header row; :data:`PKT_COLUMNS`):
``id_anggota`` (the PKT member id kept in ``atribut_lain["pkt_id_anggota"]``,
else the kukm record id), ``nik_penduduk`` (masked unless the access policy
allows full view), ``nama_pemilik`` (masked likewise), ``jenis_kelamin``,
``nama_usaha``, ``nib``, ``kbli``, ``kode_wilayah`` (Kemendagri),
``kelurahan``, ``kecamatan``, ``kabkota``, ``modal_usaha``, ``omzet_tahunan``,
``tenaga_kerja``, ``tanggal_berdiri`` (ISO), ``tahap_pkt`` (``P1``…``P7``,
from ``atribut_lain["pkt_tahap"]``), ``nama_tahap``.

**Member-list import** (CSV with header): ``id_anggota`` (required),
``nik_penduduk``, ``nama_pemilik``, ``nama_usaha``, ``nib``, ``tahap_pkt``.
A member is matched to a stored UMKM by NIK penduduk, then NIB, then PKT id;
unmatched members become new UMKM records with id ``PKT:<id_anggota>``.

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
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs
from attrs import field, frozen

from kukm.exceptions import Issue, Severity, issue, register_code
from kukm.integration.ods import _optional
from kukm.integration.ods_io import readable_rows
from kukm.model import Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, Store, StoredRecord, WriteOp

__all__ = [
    "ATTR_ID_ANGGOTA",
    "ATTR_TAHAP",
    "MEMBER_COLUMNS",
    "PKT_COLUMNS",
    "PktImportReport",
    "PktTahap",
    "export_pkt",
    "import_pkt_members",
    "mask_nama",
    "mask_nik_penduduk",
    "pkt_row",
]

ATTR_TAHAP: Final = "pkt_tahap"
ATTR_ID_ANGGOTA: Final = "pkt_id_anggota"

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

_NIK_RE: Final = re.compile(r"\d{16}")


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


def pkt_row(
    umkm: Umkm,
    *,
    id: str | None = None,
    tahap: PktTahap | None = None,
    reveal_personal: bool = False,
    masking: object | None = None,
) -> dict[str, str]:
    """One export row for the PKT app. Personal data is masked unless ``reveal_personal``
    (grant it only when the access policy allows full view); ``masking`` is the
    policy's :class:`kukm.governance.masking.MaskingConfig` (default: its defaults).

    >>> from kukm.model import Umkm, Pemilik
    >>> u = Umkm(nama_usaha="Warung", pemilik=Pemilik(nama="Sri", nik_penduduk="3171234567890001"),
    ...          atribut_lain={"pkt_tahap": "P2"})
    >>> r = pkt_row(u, id="U1")
    >>> r["id_anggota"], r["nik_penduduk"], r["nama_pemilik"], r["tahap_pkt"], r["nama_tahap"]
    ('U1', '317123**********', 'S**', 'P2', 'pelatihan')
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
    values: dict[str, object] = {
        "id_anggota": umkm.atribut_lain.get(ATTR_ID_ANGGOTA) or id or umkm.id,
        "nik_penduduk": nik,
        "nama_pemilik": nama,
        "jenis_kelamin": umkm.pemilik.jenis_kelamin.value if umkm.pemilik.jenis_kelamin else None,
        "nama_usaha": umkm.nama_usaha,
        "nib": umkm.nib,
        "kbli": umkm.kbli,
        "kode_wilayah": umkm.alamat.kode_wilayah,
        "kelurahan": umkm.alamat.kelurahan_nama,
        "kecamatan": umkm.alamat.kecamatan_nama,
        "kabkota": umkm.alamat.kabkota_nama,
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
) -> int:
    """Stream every current UMKM of ``store`` (optionally within a region) to a PKT CSV.

    Personal data is masked per ``masking`` (the access policy's masking config)
    unless ``reveal_personal``.

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
    """``input == accepted + rejected``; ``matched`` updated existing UMKM, ``created`` new ones."""

    input: int = 0
    accepted: int = 0
    rejected: int = 0
    matched: int = 0
    created: int = 0
    issue_counts: Mapping[str, int] = field(factory=dict)
    issues: tuple[Issue, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self, recurse=False)
        out["issue_counts"] = dict(self.issue_counts)
        out["issues"] = [dict(i.as_dict()) for i in self.issues]
        return out


def _find(store: Store, member: Mapping[str, str]) -> StoredRecord | None:
    nik = member.get("nik_penduduk", "").strip()
    if nik:
        found = store.find("umkm", "nik_penduduk", nik)
        if found:
            return found[0]
    nib = member.get("nib", "").strip()
    if nib:
        found = store.find("umkm", "nib", nib)
        if found:
            return found[0]
    return store.get("umkm", "PKT:" + member["id_anggota"].strip())


def import_pkt_members(
    store: Store,
    source: str | Path | IO[str],
    *,
    tahap: PktTahap | None = None,
    petugas: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> PktImportReport:
    """Read the PKT app's member list (CSV) and record each member's PKT id and stage.

    Provenance: ``sumber=bidang_ukm`` (PKT is run by the Dinas's UKM field),
    ``id_pengiriman="pkt-import"``.

    >>> import io
    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> r = import_pkt_members(store, io.StringIO("id_anggota,nama_usaha,tahap_pkt\\nJP-9,Toko,P1\\n"))
    >>> r.created, store.get("umkm", "PKT:JP-9").record.atribut_lain["pkt_tahap"]
    (1, 'P1')
    """
    stages = tahap or PktTahap.default()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    counts: Counter[str] = Counter()
    kept: list[Issue] = []
    totals = dict.fromkeys(["input", "accepted", "rejected", "matched", "created"], 0)

    def report(found: Issue) -> None:
        counts[found.code] += 1
        if len(kept) < 1000:
            kept.append(found)

    with _open_text(source, "r") as fh:
        rows = enumerate(csv.DictReader(fh), start=1)
        for row_no, raw in readable_rows(rows, "the PKT member list", BERKAS_TIDAK_TERBACA, _first):
            totals["input"] += 1
            member = {k.strip(): (v or "") for k, v in raw.items() if k}
            member_id = member.get("id_anggota", "").strip()
            if not member_id:
                report(issue(TANPA_ID, "id_anggota", None, row=row_no, kind="lengkap"))
                totals["rejected"] += 1
                continue
            code = member.get("tahap_pkt", "").strip() or None
            if code is not None and not stages.is_known(code):
                report(issue(TAHAP_TIDAK_DIKENAL, "tahap_pkt", code, row=row_no))
            nik = member.get("nik_penduduk", "").strip() or None
            if nik is not None and not _NIK_RE.fullmatch(nik):
                report(
                    issue(NIK_PENDUDUK_INVALID, "nik_penduduk", mask_nik_penduduk(nik), row=row_no)
                )
            extra = {ATTR_ID_ANGGOTA: member_id}
            if code is not None:
                extra[ATTR_TAHAP] = code
            existing = _find(store, member)
            if existing is not None and isinstance(existing.record, Umkm):
                umkm = existing.record
                record = attrs.evolve(umkm, atribut_lain={**umkm.atribut_lain, **extra})
                record_id = existing.id
                totals["matched"] += 1
            else:
                record = Umkm(
                    nama_usaha=member.get("nama_usaha", "").strip() or member_id,
                    nib=member.get("nib", "").strip() or None,
                    pemilik=Pemilik(
                        nama=member.get("nama_pemilik", "").strip() or None, nik_penduduk=nik
                    ),
                    id="PKT:" + member_id,
                    id_sumber=member_id,
                    atribut_lain=extra,
                )
                record_id = "PKT:" + member_id
                totals["created"] += 1
            provenance = Provenance(
                sumber=SumberData.BIDANG_UKM,
                petugas=petugas,
                waktu=clock(),
                id_pengiriman="pkt-import",
            )
            store.write_batch(
                [WriteOp(kind="umkm", id=record_id, record=record, provenance=provenance)]
            )
            totals["accepted"] += 1
    return PktImportReport(issue_counts=dict(counts), issues=tuple(kept), **totals)
