"""Issuing new Nomor Induk Koperasi: region prefix + running number (Kepgub A.10, H).

A new number is the 9-digit region prefix of the kelurahan where the
cooperative registers (BPS province and kab/kota, 2-digit kecamatan, 3-digit
ODS kelurahan index; REGULATIONS.md §1.2 [D]) followed by a 4-digit running
number unique within that prefix. The running number comes from
:meth:`kukm.storage.base.Store.allocate_sequence`, which never returns a
number twice for a prefix, across processes and machines; after 9999 the
prefix is exhausted (:class:`kukm.exceptions.SequenceExhausted`,
``NIK_SEQUENCE_EXHAUSTED``).

A number is **never reissued and never changes**: the register keeps, per
cooperative, the number it got (collection :data:`KOPERASI_COLLECTION`) and,
per number, whom it was given to (:data:`NOMOR_COLLECTION`). A cooperative
that moves keeps its number (the prefix records where it registered, §1.2).

The kelurahan → prefix table is reference data: the ministry's own table is
not public, so the default comes from :mod:`kukm.reference` (a table derived
from ODS data, replaceable by the Dinas's official file) or from any mapping
given here (:class:`PrefixTable`).

>>> from kukm.plugins import open_store
>>> store = open_store("memory://")
>>> table = PrefixTable({"31.01.01.1003": "310102003"})
>>> assign_nomor_induk(store, "kop-1", kode_kelurahan="31.01.01.1003", table=table)
'3101020030001'
>>> assign_nomor_induk(store, "kop-2", kode_kelurahan="31.01.01.1003", table=table)
'3101020030002'
>>> assign_nomor_induk(store, "kop-1", kode_kelurahan="31.01.01.1003", table=table)
'3101020030001'
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, final

from kukm.exceptions import (
    ConfigurationError,
    IntegrityError,
    InvalidComponent,
    SequenceExhausted,
    register_code,
)
from kukm.ids import nomor_induk_koperasi as nik_id
from kukm.storage.base import Store

__all__ = [
    "KOPERASI_COLLECTION",
    "NOMOR_COLLECTION",
    "PrefixLookup",
    "PrefixTable",
    "allocate_nomor_induk",
    "assign_nomor_induk",
    "default_prefix_table",
    "nomor_induk_of",
    "region_prefix",
    "register_existing",
]

#: Document collection: koperasi key → {"nomor_induk_koperasi", "prefix", "diterbitkan"}.
KOPERASI_COLLECTION = "nik_koperasi"
#: Document collection: nomor induk → {"koperasi", "prefix", "diterbitkan", "asal"}.
NOMOR_COLLECTION = "nomor_induk_koperasi"
MAXIMUM = 9999

NIK_PREFIX_UNKNOWN = register_code(
    "NIK_PREFIX_UNKNOWN",
    "Prefiks wilayah NIK Koperasi untuk kelurahan ini tidak ada di tabel prefiks.",
    "The prefix table has no NIK Koperasi region prefix for this kelurahan.",
    module=__name__,
)
NIK_PREFIX_INVALID = register_code(
    "NIK_PREFIX_INVALID",
    "Prefiks wilayah NIK Koperasi harus 9 digit.",
    "A NIK Koperasi region prefix must have 9 digits.",
    module=__name__,
)
NIK_PREFIX_TABLE_MISSING = register_code(
    "NIK_PREFIX_TABLE_MISSING",
    "Tabel prefiks kelurahan NIK Koperasi belum tersedia; berikan tabel dari Dinas.",
    "No NIK Koperasi kelurahan prefix table is available; supply the Dinas's table.",
    module=__name__,
)
NIK_PREFIX_TABLE_INVALID = register_code(
    "NIK_PREFIX_TABLE_INVALID",
    "Berkas bukan tabel prefiks NIK Koperasi (CSV UTF-8 dengan kolom kode_kelurahan dan "
    "prefiks_nik; lihat kukm nik prefix-table).",
    "The file is not a NIK Koperasi prefix table (UTF-8 CSV with columns kode_kelurahan and "
    "prefiks_nik; see kukm nik prefix-table).",
    module=__name__,
)
NIK_ALLOCATION_IN_PROGRESS = register_code(
    "NIK_ALLOCATION_IN_PROGRESS",
    "Nomor Induk Koperasi untuk koperasi ini sedang diberikan oleh proses lain; coba lagi.",
    "A Nomor Induk Koperasi is being given to this cooperative by another process; try again.",
    module=__name__,
)
NIK_ALREADY_ISSUED = register_code(
    "NIK_ALREADY_ISSUED",
    "Nomor Induk Koperasi ini sudah diberikan kepada koperasi lain dan tidak diterbitkan ulang.",
    "This Nomor Induk Koperasi was given to another cooperative and is never reissued.",
    module=__name__,
)


class PrefixLookup(Protocol):
    """Anything that maps a Kemendagri kelurahan code to a 9-digit prefix."""

    def prefix_for(self, kode_kelurahan: str) -> str | None: ...


@final
class PrefixTable:
    """Kemendagri kelurahan code (``31.71.01.1001``) → 9-digit NIK Koperasi prefix.

    >>> t = PrefixTable({"31.71.01.1001": "317307001"})
    >>> t.prefix_for("31.71.01.1001"), t.prefix_for("31.71.01.1002")
    ('317307001', None)
    """

    def __init__(self, mapping: Mapping[str, str], *, source: str = "") -> None:
        self._map = {k.strip(): v.strip() for k, v in mapping.items() if v and v.strip()}
        self.source = source

    def prefix_for(self, kode_kelurahan: str) -> str | None:
        return self._map.get(kode_kelurahan.strip())

    def __len__(self) -> int:
        return len(self._map)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> PrefixTable:
        """Read a CSV with columns ``kode_kelurahan`` and ``prefiks_nik`` (as the ODS-derived table)."""
        try:
            with Path(path).open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                missing = {"kode_kelurahan", "prefiks_nik"} - set(reader.fieldnames or ())
                if missing:
                    raise KeyError(", ".join(sorted(missing)))
                rows = {
                    row["kode_kelurahan"]: row["prefiks_nik"] or ""
                    for row in reader
                    if row.get("kode_kelurahan")
                }
        except (UnicodeDecodeError, csv.Error, KeyError) as exc:
            raise ConfigurationError(
                f"{path}: not a prefix table ({type(exc).__name__}: {exc})",
                code=NIK_PREFIX_TABLE_INVALID,
            ) from exc
        return cls(rows, source=str(path))


def _coerce_table(obj: Any) -> PrefixLookup | None:
    if isinstance(obj, PrefixTable):
        return obj
    if isinstance(obj, Mapping):
        return PrefixTable({str(k): str(v) for k, v in obj.items() if v})
    lookup = getattr(obj, "prefix_for", None) or getattr(obj, "get", None)
    if callable(lookup):
        return _CallableTable(lookup)
    return None


class _CallableTable:
    def __init__(
        self, fn: Callable[[str], Any], fallback: Callable[[str], Any] | None = None
    ) -> None:
        self._fn = fn
        self._fallback = fallback
        self.source = getattr(fn, "__qualname__", "reference")

    def prefix_for(self, kode_kelurahan: str) -> str | None:
        for fn in (self._fn, self._fallback):
            if fn is None:
                continue
            try:
                value = fn(kode_kelurahan)
            except (KeyError, LookupError, ValueError):
                value = None
            if value:
                return str(value)
        return None


def default_prefix_table() -> PrefixLookup:
    """The installed prefix table: reference data ``prefiks_kelurahan`` (plugins first).

    A kelurahan the table lacks falls back to
    :func:`kukm.reference.prefiks.default_prefix` (BPS kecamatan + the index of the
    Kemendagri code: stable and documented, but **not** the ODS index). Raises
    :class:`ConfigurationError` (``NIK_PREFIX_TABLE_MISSING``) when no reference
    module is installed at all.
    """
    from kukm.plugins import get_plugins

    try:
        from kukm.reference import prefiks as reference_prefiks
    except ImportError:  # pragma: no cover - kukm ships it
        reference_prefiks = None  # type: ignore[assignment]
    fallback = reference_prefiks.default_prefix if reference_prefiks is not None else None
    loader = get_plugins().reference_providers().get("prefiks_kelurahan")
    loaded = loader() if loader is not None else None
    if loaded is not None:
        table = _coerce_table(loaded)
        if table is not None:
            return _CallableTable(table.prefix_for, fallback)
    if reference_prefiks is not None:
        return _CallableTable(reference_prefiks.prefix_for)
    raise ConfigurationError(code=NIK_PREFIX_TABLE_MISSING)


def region_prefix(kode_kelurahan: str, *, table: PrefixLookup | None = None) -> str:
    """The 9-digit prefix for a Kemendagri kelurahan code.

    With the default table, a code that is not a kelurahan of the Kemendagri region
    tree is refused (``NIK_PREFIX_UNKNOWN``) rather than given a computed prefix; a
    table given here (the Dinas's own) is taken as it is.

    >>> region_prefix("31.01.01.1003", table=PrefixTable({"31.01.01.1003": "310102003"}))
    '310102003'
    >>> region_prefix("31.01.01.1009", table=PrefixTable({}))
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidComponent: [NIK_PREFIX_UNKNOWN] ...
    """
    if table is None and not _known_kelurahan(kode_kelurahan):
        raise InvalidComponent(
            f"kelurahan {kode_kelurahan!r} is not in the Kemendagri region table",
            code=NIK_PREFIX_UNKNOWN,
            field="kode_wilayah",
            value=kode_kelurahan,
        )
    lookup = table if table is not None else default_prefix_table()
    prefix = lookup.prefix_for(kode_kelurahan)
    if prefix is None:
        raise InvalidComponent(code=NIK_PREFIX_UNKNOWN, field="kode_wilayah", value=kode_kelurahan)
    return _check_prefix(prefix)


def _known_kelurahan(kode_kelurahan: str) -> bool:
    """Whether the code is a kelurahan (4 levels) of the Kemendagri region tree."""
    from kukm.governance.access import default_region_check

    code = kode_kelurahan.strip()
    return code.count(".") == 3 and default_region_check()(code)


def _check_prefix(prefix: str) -> str:
    if len(prefix) != 9 or not prefix.isdigit() or not prefix.isascii():
        raise InvalidComponent(code=NIK_PREFIX_INVALID, field="prefix", value=prefix)
    return prefix


def allocate_nomor_induk(store: Store, prefix: str) -> str:
    """A fresh number ``prefix + running number`` (never handed out before).

    >>> from kukm.plugins import open_store
    >>> allocate_nomor_induk(open_store("memory://"), "317308002")
    '3173080020001'
    >>> allocate_nomor_induk(open_store("memory://"), "3173")
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidComponent: [NIK_PREFIX_INVALID] ...
    """
    prefix = _check_prefix(prefix)
    while True:
        urut = store.allocate_sequence(prefix, maximum=MAXIMUM)
        nomor = f"{prefix}{urut:04d}"
        # A number registered from outside (ODS import) is skipped, never reissued.
        if store.get_document(NOMOR_COLLECTION, nomor) is None:
            return nik_id.validate(nomor)


def nomor_induk_of(store: Store, koperasi_key: str, *aliases: str) -> str | None:
    """The number a cooperative was given, if any (looked up under its key, then its aliases)."""
    for key in (koperasi_key, *aliases):
        doc = store.get_document(KOPERASI_COLLECTION, key)
        if doc is not None:
            return str(doc["nomor_induk_koperasi"])
    return None


def _claim_key(koperasi_key: str) -> str:
    digest = hashlib.blake2b(koperasi_key.encode("utf-8"), digest_size=12).hexdigest()
    return f"nik-koperasi:{digest}"


def _record(store: Store, koperasi_key: str, nomor: str, asal: str, today: dt.date) -> None:
    info = {"prefix": nomor[:9], "diterbitkan": today.isoformat()}
    store.put_document(NOMOR_COLLECTION, nomor, {"koperasi": koperasi_key, "asal": asal, **info})
    store.put_document(KOPERASI_COLLECTION, koperasi_key, {"nomor_induk_koperasi": nomor, **info})


def register_existing(
    store: Store,
    koperasi_key: str,
    nomor: str,
    *,
    today: dt.date | None = None,
    aliases: Iterable[str] = (),
) -> str:
    """Record a number the cooperative already has (e.g. from ODS) so it is never reissued.

    Raises :class:`IntegrityError` (``NIK_ALREADY_ISSUED``) if the number belongs to
    another cooperative (one not known under ``koperasi_key`` or one of its ``aliases``).
    """
    nomor = nik_id.validate(nomor)
    held = store.get_document(NOMOR_COLLECTION, nomor)
    if held is not None and held.get("koperasi") not in {koperasi_key, *aliases}:
        raise IntegrityError(
            f"Nomor Induk Koperasi {nomor} was given to {held.get('koperasi')!r}, "
            f"not to {koperasi_key!r}",
            code=NIK_ALREADY_ISSUED,
            field="nomor_induk_koperasi",
            value=nomor,
        )
    if held is None:
        _record(store, koperasi_key, nomor, "terdaftar", today or dt.date.today())
    elif store.get_document(KOPERASI_COLLECTION, koperasi_key) is None:
        info = {"prefix": nomor[:9], "diterbitkan": held.get("diterbitkan")}
        store.put_document(
            KOPERASI_COLLECTION, koperasi_key, {"nomor_induk_koperasi": nomor, **info}
        )
    return nomor


def assign_nomor_induk(
    store: Store,
    koperasi_key: str,
    *,
    kode_kelurahan: str | None = None,
    prefix: str | None = None,
    table: PrefixLookup | None = None,
    today: dt.date | None = None,
    aliases: Iterable[str] = (),
) -> str:
    """The cooperative's number: the one it already has, or a new one for its kelurahan.

    ``koperasi_key`` identifies the cooperative in the register (a stable identity:
    its store id or its badan hukum number, never its name); a number found under
    one of its ``aliases`` (other identities of the same cooperative) is its number
    too. Give either ``kode_kelurahan`` (looked up in ``table``) or ``prefix``.

    Only one process allocates for a cooperative: the first claims it in the store
    (:meth:`~kukm.storage.base.Store.allocate_sequence` as a one-shot lock); another
    finds the number it recorded, or ``NIK_ALLOCATION_IN_PROGRESS`` meanwhile.
    Raises :class:`SequenceExhausted` when the prefix has no numbers left.
    """
    aliases = tuple(a for a in aliases if a and a != koperasi_key)
    existing = nomor_induk_of(store, koperasi_key, *aliases)
    if existing is not None:
        if nomor_induk_of(store, koperasi_key) is None:
            register_existing(store, koperasi_key, existing, today=today, aliases=aliases)
        return existing
    if prefix is None:
        if kode_kelurahan is None:
            raise InvalidComponent(code=NIK_PREFIX_UNKNOWN, field="kode_wilayah", value=None)
        prefix = region_prefix(kode_kelurahan, table=table)
    prefix = _check_prefix(prefix)
    try:
        store.allocate_sequence(_claim_key(koperasi_key), maximum=1)
    except SequenceExhausted:
        existing = nomor_induk_of(store, koperasi_key)
        if existing is not None:
            return existing
        raise IntegrityError(
            f"a Nomor Induk Koperasi for {koperasi_key!r} is being allocated elsewhere",
            code=NIK_ALLOCATION_IN_PROGRESS,
            field="koperasi",
            value=koperasi_key,
        ) from None
    nomor = allocate_nomor_induk(store, prefix)
    _record(store, koperasi_key, nomor, "baru", today or dt.date.today())
    return nomor
