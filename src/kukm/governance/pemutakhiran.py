"""The update cycle (pemutakhiran data, Kepgub DKI 1625/2021 huruf E.10).

"Pendataan ... dilaksanakan secara berkesinambungan dan dilakukan
pemutakhiran data setiap saat, paling sedikit 1 (satu) tahun sekali" (E.10):
every record must be updated at least once a year. :func:`pemutakhiran`
flags the records whose last update is older than ``max_age_days`` (365 by
default, the policy file's ``[pemutakhiran] max_age_days``) and groups them
into worklists per answerable officer (E.7–8) and per region.

The date of the last update (``basis``) is either ``valid_from`` (the date
the data refers to – the default, so old data imported today still counts as
old) or ``recorded_at`` (when the store last learned anything about it).

>>> import datetime as dt
>>> from kukm.adapters.memory import MemoryStore
>>> from kukm.model import Umkm, Alamat, SumberData
>>> from kukm.storage.base import WriteOp, Provenance
>>> s = MemoryStore()
>>> _ = s.write_batch([
...     WriteOp("umkm", "u1", Umkm(nama_usaha="A", alamat=Alamat(kode_wilayah="31.71.01.1001")),
...             Provenance(SumberData.KELURAHAN, "lurah-1"), valid_from=dt.date(2024, 1, 1)),
...     WriteOp("umkm", "u2", Umkm(nama_usaha="B"), Provenance(SumberData.SUDIN, "sudin-1"),
...             valid_from=dt.date(2026, 6, 1))])
>>> r = pemutakhiran(s.iter_records("umkm"), as_of=dt.date(2026, 11, 28))
>>> [(t.id, t.umur_hari) for t in r.items]
[('u1', 1062)]
>>> sorted(r.by_petugas())
['lurah-1']
>>> sorted(r.by_wilayah("kab_kota"))
['31.71']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

from attrs import frozen

from kukm.exceptions import ConfigurationError, register_code
from kukm.storage.base import StoredRecord

__all__ = [
    "BASES",
    "LEVELS",
    "NO_OFFICER",
    "NO_REGION",
    "PemutakhiranReport",
    "Tunggakan",
    "last_update",
    "pemutakhiran",
]

BASES: Final[tuple[str, ...]] = ("valid_from", "recorded_at")
#: Region levels a worklist can be grouped by, with their number of code segments.
LEVELS: Final[dict[str, int]] = {"provinsi": 1, "kab_kota": 2, "kecamatan": 3, "kelurahan": 4}
NO_OFFICER: Final = "(tanpa petugas)"
NO_REGION: Final = "(tanpa wilayah)"

PEMUTAKHIRAN_OVERDUE = register_code(
    "PEMUTAKHIRAN_OVERDUE",
    "Data belum dimutakhirkan dalam batas waktu (paling sedikit 1 tahun sekali).",
    "The record has not been updated within the limit (at least once a year).",
    module=__name__,
)

PEMUTAKHIRAN_CONFIG = register_code(
    "PEMUTAKHIRAN_CONFIG",
    "Pengaturan pemutakhiran tidak valid.",
    "Invalid update-cycle setting.",
    module=__name__,
)


@frozen
class Tunggakan:
    """One record overdue for its yearly update, with its officer and region."""

    kind: str
    id: str
    nama: str
    petugas: str | None
    sumber: str
    kode_wilayah: str | None
    terakhir: dt.date
    umur_hari: int

    def region(self, level: str) -> str:
        """The record's region code at ``level`` (or ``(tanpa wilayah)``)."""
        parts = LEVELS[level]
        if not self.kode_wilayah or self.kode_wilayah.count(".") + 1 < parts:
            return NO_REGION
        return ".".join(self.kode_wilayah.split(".")[:parts])

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": PEMUTAKHIRAN_OVERDUE,
            "kind": self.kind,
            "id": self.id,
            "nama": self.nama,
            "petugas": self.petugas,
            "sumber": self.sumber,
            "kode_wilayah": self.kode_wilayah,
            "terakhir": self.terakhir.isoformat(),
            "umur_hari": self.umur_hari,
        }


@frozen
class PemutakhiranReport:
    """Records checked, the overdue ones, and the rule used (E.10)."""

    as_of: dt.date
    max_age_days: int
    basis: str
    checked: int
    items: tuple[Tunggakan, ...]

    def by_petugas(self) -> dict[str, list[Tunggakan]]:
        """Worklist per answerable officer (E.7–8)."""
        out: dict[str, list[Tunggakan]] = {}
        for t in self.items:
            out.setdefault(t.petugas or NO_OFFICER, []).append(t)
        return dict(sorted(out.items()))

    def by_wilayah(self, level: str = "kecamatan") -> dict[str, list[Tunggakan]]:
        """Worklist per region at ``level`` (provinsi, kab_kota, kecamatan, kelurahan)."""
        if level not in LEVELS:
            raise ConfigurationError(f"unknown region level {level!r}", code=PEMUTAKHIRAN_CONFIG)
        out: dict[str, list[Tunggakan]] = {}
        for t in self.items:
            out.setdefault(t.region(level), []).append(t)
        return dict(sorted(out.items()))

    def as_dict(self, level: str = "kecamatan") -> dict[str, Any]:
        """JSON-ready report with both worklists (ids only in the groupings)."""
        return {
            "rule": "Kepgub DKI 1625/2021 huruf E.10 (pemutakhiran paling sedikit 1 tahun sekali)",
            "as_of": self.as_of.isoformat(),
            "max_age_days": self.max_age_days,
            "basis": self.basis,
            "checked": self.checked,
            "overdue": len(self.items),
            "items": [t.as_dict() for t in self.items],
            "by_petugas": {k: [t.id for t in v] for k, v in self.by_petugas().items()},
            "by_wilayah": {k: [t.id for t in v] for k, v in self.by_wilayah(level).items()},
            "level": level,
        }


def last_update(stored: StoredRecord, basis: str = "valid_from") -> dt.date:
    """The date a record was last updated, by ``basis``.

    >>> import datetime as dt
    >>> from kukm.model import Umkm, SumberData
    >>> from kukm.storage.base import Provenance, VerificationStatus
    >>> s = StoredRecord("umkm", "u", 1, Umkm(nama_usaha="A"), Provenance(SumberData.ODS),
    ...     VerificationStatus.TERVERIFIKASI, dt.date(2020, 1, 1),
    ...     dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "h")
    >>> last_update(s), last_update(s, "recorded_at")
    (datetime.date(2020, 1, 1), datetime.date(2026, 1, 1))
    """
    if basis == "valid_from":
        return stored.valid_from
    if basis == "recorded_at":
        return stored.recorded_at.date()
    raise ConfigurationError(f"unknown basis {basis!r} (known: {BASES})", code=PEMUTAKHIRAN_CONFIG)


def _name(stored: StoredRecord) -> str:
    rec = stored.record
    return str(getattr(rec, "nama_usaha", None) or getattr(rec, "nama", ""))


def pemutakhiran(
    records: Iterable[StoredRecord],
    *,
    as_of: dt.date,
    max_age_days: int = 365,
    basis: str = "valid_from",
) -> PemutakhiranReport:
    """Flag records not updated within ``max_age_days`` before ``as_of`` (E.10).

    A record exactly ``max_age_days`` old is still on time; one day more is overdue.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Umkm, SumberData
    >>> from kukm.storage.base import WriteOp, Provenance
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("umkm", i, Umkm(nama_usaha=i), Provenance(SumberData.ODS),
    ...     valid_from=dt.date(2025, 1, 1) + dt.timedelta(days=d)) for i, d in (("a", 0), ("b", 1))])
    >>> [t.id for t in pemutakhiran(s.iter_records("umkm"), as_of=dt.date(2026, 1, 2)).items]
    ['a']
    """
    if max_age_days <= 0:
        raise ConfigurationError("max_age_days must be > 0", code=PEMUTAKHIRAN_CONFIG)
    checked = 0
    items: list[Tunggakan] = []
    for stored in records:
        checked += 1
        last = last_update(stored, basis)
        age = (as_of - last).days
        if age > max_age_days:
            items.append(
                Tunggakan(
                    stored.kind,
                    stored.id,
                    _name(stored),
                    stored.provenance.petugas,
                    stored.provenance.sumber.value,
                    stored.record.alamat.kode_wilayah,
                    last,
                    age,
                )
            )
    return PemutakhiranReport(as_of, max_age_days, basis, checked, tuple(items))
