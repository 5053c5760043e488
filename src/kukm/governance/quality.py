"""Data quality (Kepgub DKI 1625/2021 huruf F.1) and targets per unit (I.5).

F.1 asks data to be *lengkap dan akurat* (complete, as the format asks, and
true to the field), *rapi* and *berkelanjutan* (continuously updated, so
"valid, akurat, relevan, konsisten dan terbaru"). I.5 asks the Dinas to reach
quantity and quality targets per unit. :func:`assess` measures four
dimensions per region or per source:

* ``lengkap`` – share of required fields filled (the fields are set by the
  Dinas's instruments, E.11 [N]: :data:`DEFAULT_REQUIRED` is a replaceable
  default);
* ``valid`` – share of records whose identifiers, region code, amounts,
  contacts and dates are valid;
* ``terkini`` – share updated within ``max_age_days`` (E.10, 1 year);
* ``konsisten`` – share whose fields agree with each other (members add up,
  dates in order).

Each fault is an :class:`~kukm.exceptions.Issue` with a registered code, the
field and the value, tied to its record. Targets come from a TOML file
(:func:`load_targets`); :meth:`QualityReport.achievements` compares them.

>>> import datetime as dt
>>> from kukm.model import Umkm, Alamat
>>> from kukm.storage.base import StoredRecord, Provenance, VerificationStatus
>>> from kukm.model import SumberData
>>> rec = Umkm(nama_usaha="Toko", nib="123", alamat=Alamat(kode_wilayah="31.71.01.1001"))
>>> s = StoredRecord("umkm", "u1", 1, rec, Provenance(SumberData.SUDIN),
...                  VerificationStatus.TERVERIFIKASI, dt.date(2026, 1, 1),
...                  dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "h")
>>> r = assess([s], kind="umkm", as_of=dt.date(2026, 11, 28))
>>> [i.issue.code for i in r.issues if i.issue.kind == "akurat"]
['NIB_LENGTH']
>>> r.groups["31.71"].valid
0.0
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import field, frozen

from kukm.exceptions import ConfigurationError, Issue, issue, register_code
from kukm.governance.access import RegionCheck, default_region_check
from kukm.governance.pemutakhiran import PEMUTAKHIRAN_OVERDUE
from kukm.governance.targets import DIMENSIONS, Achievement, Target, load_targets
from kukm.ids import nib, nik_penduduk, nomor_induk_koperasi, npwp
from kukm.storage.base import StoredRecord

__all__ = [
    "DEFAULT_REQUIRED",
    "DIMENSIONS",
    "GROUPINGS",
    "Achievement",
    "GroupQuality",
    "QualityReport",
    "RecordIssue",
    "Target",
    "assess",
    "check_record",
    "load_targets",
]

_M = __name__
#: Issue.kind for each dimension.
_ISSUE_KIND: Final = {"lengkap": "lengkap", "valid": "akurat", "terkini": "terkini"}
GROUPINGS: Final[tuple[str, ...]] = (
    "provinsi",
    "kab_kota",
    "kecamatan",
    "kelurahan",
    "sumber_data",
)
NO_GROUP: Final = "(tanpa wilayah)"

#: Required fields per kind (E.11: the Dinas sets the instruments [N]; replaceable).
DEFAULT_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "umkm": (
        "nama_usaha",
        "pemilik.nama",
        "pemilik.nik_penduduk",
        "alamat.jalan",
        "alamat.kode_wilayah",
        "kbli",
        "omzet_tahunan",
        "tanggal_data",
    ),
    "koperasi": (
        "nama",
        "nomor_badan_hukum",
        "tanggal_badan_hukum",
        "alamat.jalan",
        "alamat.kode_wilayah",
        "jenis",
        "bentuk",
        "pengurus.ketua",
        "total_anggota",
    ),
}

QUALITY_MISSING = register_code(
    "QUALITY_MISSING", "Kolom wajib belum diisi.", "A required field is empty.", module=_M
)
QUALITY_REGION_UNKNOWN = register_code(
    "QUALITY_REGION_UNKNOWN",
    "Kode wilayah tidak dikenal atau bukan kode kelurahan Kemendagri.",
    "The region code is unknown or not a Kemendagri kelurahan code.",
    module=_M,
)
QUALITY_NEGATIVE = register_code(
    "QUALITY_NEGATIVE", "Nilai tidak boleh negatif.", "The value must not be negative.", module=_M
)
QUALITY_EMAIL = register_code(
    "QUALITY_EMAIL", "Alamat e-mail tidak valid.", "The e-mail address is not valid.", module=_M
)
QUALITY_TELEPON = register_code(
    "QUALITY_TELEPON",
    "Nomor telepon tidak valid (8–15 digit).",
    "The telephone number is not valid (8–15 digits).",
    module=_M,
)
QUALITY_KBLI = register_code(
    "QUALITY_KBLI", "Kode KBLI harus 5 digit.", "The KBLI code must have 5 digits.", module=_M
)
QUALITY_FUTURE_DATE = register_code(
    "QUALITY_FUTURE_DATE",
    "Tanggal berada di masa depan.",
    "The date lies in the future.",
    module=_M,
)
QUALITY_ANGGOTA_SUM = register_code(
    "QUALITY_ANGGOTA_SUM",
    "Total anggota tidak sama dengan anggota pria ditambah wanita.",
    "Total members differ from male plus female members.",
    module=_M,
)
QUALITY_DATE_ORDER = register_code(
    "QUALITY_DATE_ORDER",
    "Urutan tanggal tidak masuk akal.",
    "The dates are in an impossible order.",
    module=_M,
)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")
_KBLI_RE = re.compile(r"^[0-9]{5}$")

_NONNEGATIVE: Final[tuple[str, ...]] = (
    "modal_usaha",
    "kekayaan_bersih",
    "omzet_tahunan",
    "tenaga_kerja",
    "anggota_pria",
    "anggota_wanita",
    "total_anggota",
    "total_manajer",
    "total_karyawan",
    "keuangan.modal_sendiri",
    "keuangan.modal_luar",
    "keuangan.aset",
    "keuangan.volume_usaha",
)
_DATES: Final[tuple[str, ...]] = (
    "tanggal_berdiri",
    "tanggal_data",
    "tanggal_badan_hukum",
    "tanggal_perubahan_ad",
    "tanggal_rat_terakhir",
)
#: (earlier, later): the first may not come after the second.
_DATE_ORDER: Final[tuple[tuple[str, str], ...]] = (
    ("tanggal_berdiri", "tanggal_data"),
    ("tanggal_badan_hukum", "tanggal_perubahan_ad"),
    ("tanggal_badan_hukum", "tanggal_rat_terakhir"),
)
_IDENTIFIERS: Final[tuple[tuple[str, Callable[..., list[Issue]]], ...]] = (
    ("nib", nib.problems),
    ("npwp", npwp.problems),
    ("pemilik.nik_penduduk", nik_penduduk.problems),
    ("nomor_induk_koperasi", nomor_induk_koperasi.problems),
)


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_record(
    stored: StoredRecord,
    *,
    as_of: dt.date,
    required: Sequence[str] = (),
    max_age_days: int = 365,
    region_check: RegionCheck | None = None,
) -> list[Issue]:
    """Every quality issue of one stored record (Issue.kind: lengkap, akurat, terkini, konsisten).

    >>> from kukm.model import Koperasi, SumberData
    >>> from kukm.storage.base import Provenance, VerificationStatus
    >>> k = Koperasi(nama="KSP", anggota_pria=3, anggota_wanita=4, total_anggota=8)
    >>> s = StoredRecord("koperasi", "k", 1, k, Provenance(SumberData.DEKOPIN),
    ...     VerificationStatus.TERVERIFIKASI, dt.date(2026, 1, 1),
    ...     dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "h")
    >>> [(i.code, i.kind) for i in check_record(s, as_of=dt.date(2026, 2, 1), required=["nama", "jenis"])]
    [('QUALITY_MISSING', 'lengkap'), ('QUALITY_ANGGOTA_SUM', 'konsisten')]
    """
    rec = stored.record
    out: list[Issue] = []
    for path in required:
        if _empty(_get(rec, path)):
            out.append(issue(QUALITY_MISSING, path, None, kind="lengkap"))
    # validity
    for path, problems in _IDENTIFIERS:
        value = _get(rec, path)
        if not _empty(value):
            out.extend(problems(value, path))
    code = rec.alamat.kode_wilayah
    check = region_check or default_region_check()
    if code is not None and not _empty(code) and (code.count(".") != 3 or not check(code)):
        out.append(issue(QUALITY_REGION_UNKNOWN, "alamat.kode_wilayah", code))
    for path in _NONNEGATIVE:
        value = _get(rec, path)
        if isinstance(value, int) and value < 0:
            out.append(issue(QUALITY_NEGATIVE, path, value))
    email = _get(rec, "email")
    if not _empty(email) and not _EMAIL_RE.match(email):
        out.append(issue(QUALITY_EMAIL, "email", email))
    telepon = _get(rec, "telepon")
    if not _empty(telepon) and not _PHONE_RE.match(re.sub(r"[\s\-()]", "", telepon)):
        out.append(issue(QUALITY_TELEPON, "telepon", telepon))
    kbli = _get(rec, "kbli")
    if not _empty(kbli) and not _KBLI_RE.match(kbli):
        out.append(issue(QUALITY_KBLI, "kbli", kbli))
    for path in _DATES:
        value = _get(rec, path)
        if isinstance(value, dt.date) and value > as_of:
            out.append(issue(QUALITY_FUTURE_DATE, path, value.isoformat()))
    # timeliness (E.10)
    age = (as_of - stored.valid_from).days
    if age > max_age_days:
        out.append(
            issue(
                PEMUTAKHIRAN_OVERDUE,
                "valid_from",
                stored.valid_from.isoformat(),
                kind="terkini",
                detail=f"{age} > {max_age_days} hari",
            )
        )
    # consistency
    pria, wanita, total = (
        _get(rec, f) for f in ("anggota_pria", "anggota_wanita", "total_anggota")
    )
    if all(isinstance(v, int) for v in (pria, wanita, total)) and pria + wanita != total:
        out.append(
            issue(
                QUALITY_ANGGOTA_SUM,
                "total_anggota",
                total,
                kind="konsisten",
                detail=f"{pria} + {wanita} != {total}",
            )
        )
    for first, second in _DATE_ORDER:
        a, b = _get(rec, first), _get(rec, second)
        if isinstance(a, dt.date) and isinstance(b, dt.date) and a > b:
            out.append(
                issue(
                    QUALITY_DATE_ORDER,
                    second,
                    b.isoformat(),
                    kind="konsisten",
                    detail=f"{first} {a.isoformat()} > {second} {b.isoformat()}",
                )
            )
    return out


@frozen
class RecordIssue:
    """An issue tied to its record and report group."""

    kind: str
    id: str
    group: str
    issue: Issue

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "group": self.group, **self.issue.as_dict()}


@frozen
class GroupQuality:
    """The four dimensions of one group, as shares between 0 and 1."""

    group: str
    jumlah: int
    lengkap: float
    valid: float
    terkini: float
    konsisten: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "jumlah": self.jumlah,
            "lengkap": self.lengkap,
            "valid": self.valid,
            "terkini": self.terkini,
            "konsisten": self.konsisten,
        }


@frozen
class QualityReport:
    """Quality per group, every issue found, and the settings used."""

    kind: str
    by: str
    as_of: dt.date
    groups: Mapping[str, GroupQuality]
    issues: tuple[RecordIssue, ...]
    required: tuple[str, ...] = field(factory=tuple)

    def achievements(self, targets: Iterable[Target]) -> list[Achievement]:
        """Actual against every target that applies to this report (kind, ``by``)."""
        out: list[Achievement] = []
        for t in targets:
            if (t.kind and t.kind != self.kind) or (t.by and t.by != self.by):
                continue
            g = self.groups.get(t.unit)
            if t.jumlah is not None:
                out.append(Achievement(t.unit, "jumlah", t.jumlah, g.jumlah if g else 0))
            for metric in DIMENSIONS:
                wanted = getattr(t, metric)
                if wanted is not None:
                    out.append(
                        Achievement(t.unit, metric, wanted, getattr(g, metric) if g else 0.0)
                    )
        return out

    def as_dict(self, targets: Iterable[Target] = ()) -> dict[str, Any]:
        return {
            "rule": "Kepgub DKI 1625/2021 huruf F.1 (lengkap, akurat, konsisten, terbaru), I.5",
            "kind": self.kind,
            "by": self.by,
            "as_of": self.as_of.isoformat(),
            "required": list(self.required),
            "groups": [g.as_dict() for g in self.groups.values()],
            "issues": [i.as_dict() for i in self.issues],
            "achievements": [a.as_dict() for a in self.achievements(targets)],
        }


def _group_key(stored: StoredRecord, by: str) -> str:
    if by == "sumber_data":
        return stored.provenance.sumber.value
    alamat = stored.record.alamat
    code = {
        "provinsi": alamat.kode_provinsi,
        "kab_kota": alamat.kode_kabkota,
        "kecamatan": alamat.kode_kecamatan,
        "kelurahan": alamat.kode_kelurahan,
    }[by]
    return code or NO_GROUP


def assess(
    records: Iterable[StoredRecord],
    *,
    kind: str,
    by: str = "kab_kota",
    as_of: dt.date,
    required: Sequence[str] | None = None,
    max_age_days: int = 365,
    region_check: RegionCheck | None = None,
    instrument: Any = None,
) -> QualityReport:
    """Measure completeness, validity, timeliness and consistency per group (F.1).

    With an ``instrument`` (:class:`kukm.rules.instruments.Instrument`, the
    Dinas's form, E.11) its required fields replace ``required`` and its
    issues (``validate_record``) are added to kukm's own checks.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm, Alamat, SumberData
    >>> from kukm.storage.base import WriteOp, Provenance
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("umkm", i, Umkm(nama_usaha="T", email=e),
    ...     Provenance(SumberData(src)), valid_from=dt.date(2026, 1, 1))
    ...     for i, e, src in (("a", "x@y.id", "sudin"), ("b", "rusak", "kelurahan"))])
    >>> r = assess(s.iter_records("umkm"), kind="umkm", by="sumber_data",
    ...            as_of=dt.date(2026, 2, 1), required=["nama_usaha"])
    >>> {g: (q.jumlah, q.valid) for g, q in r.groups.items()}
    {'kelurahan': (1, 0.0), 'sudin': (1, 1.0)}
    """
    if by not in GROUPINGS:
        raise ConfigurationError(f"cannot group quality by {by!r} (known: {GROUPINGS})")
    if instrument is not None:
        req = tuple(
            str(f.name)
            for f in getattr(instrument, "fields", ())
            if getattr(f, "required", False) and getattr(f, "target", None) != "-"
        )
        own_required: tuple[str, ...] = ()
    else:
        req = tuple(DEFAULT_REQUIRED.get(kind, ()) if required is None else required)
        own_required = req
    check = region_check or default_region_check()
    counts: dict[str, list[int]] = {}  # n, filled, fields, valid, timely, consistent
    issues: list[RecordIssue] = []
    for stored in records:
        found = check_record(
            stored,
            as_of=as_of,
            required=own_required,
            max_age_days=max_age_days,
            region_check=check,
        )
        if instrument is not None:
            seen = {(i.field, i.kind) for i in found}
            found.extend(
                i
                for i in instrument.validate_record(stored.record, today=as_of)
                if (i.field, i.kind) not in seen
            )
        key = _group_key(stored, by)
        c = counts.setdefault(key, [0, 0, 0, 0, 0, 0])
        kinds = {i.kind for i in found}
        missing = min(sum(1 for i in found if i.kind == "lengkap"), len(req))
        c[0] += 1
        c[1] += len(req) - missing
        c[2] += len(req)
        c[3] += "akurat" not in kinds
        c[4] += "terkini" not in kinds
        c[5] += "konsisten" not in kinds
        issues.extend(RecordIssue(stored.kind, stored.id, key, i) for i in found)
    groups = {
        key: GroupQuality(
            key,
            c[0],
            c[1] / c[2] if c[2] else 1.0,
            c[3] / c[0],
            c[4] / c[0],
            c[5] / c[0],
        )
        for key, c in sorted(counts.items())
    }
    return QualityReport(kind, by, as_of, groups, tuple(issues), req)
