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

A cooperative has several identities (store id, badan hukum ``BH:…``, …): its number
is recorded under every one given (``aliases=``), a number found under any of them is
reused, and identities registered with different numbers are refused
(``NIK_IDENTITY_CONFLICT``), never overwritten. Only one process allocates for a
cooperative (``NIK_ALLOCATION_IN_PROGRESS`` meanwhile); an allocation whose process
stopped is finished with its number, or, when it stopped before choosing one, taken
over with ``resume=True`` (:func:`assign_nomor_induk`).

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
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
    "KLAIM_COLLECTION",
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
#: Document collection: nomor induk → {"koperasi", "prefix", "diterbitkan", "asal",
#: "identitas"}: whom it was given to (``koperasi``: the key it was issued under;
#: ``identitas``: every identity of that cooperative claimed when it was bound).
NOMOR_COLLECTION = "nomor_induk_koperasi"
#: Document collection: claim (sequence key) → {"klaim": n}: the claims up to ``n`` on that
#: key ended without binding a number (given back after an error, or taken over by ``resume``).
KLAIM_COLLECTION = "nik_koperasi_klaim"
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
NIK_PREFIX_REGION_MISMATCH = register_code(
    "NIK_PREFIX_REGION_MISMATCH",
    "Prefiks NIK Koperasi dari tabel prefiks tidak sesuai dengan provinsi, kabupaten/kota atau "
    "kecamatan BPS alamat koperasi (padanan kode Kemendagri–BPS): nomor tidak diberikan.",
    "The NIK Koperasi prefix from the prefix table does not match the BPS province, kab/kota "
    "or kecamatan of the cooperative's address (Kemendagri–BPS crosswalk): no number is given.",
    module=__name__,
)
NIK_PREFIX_KECAMATAN_UNKNOWN = register_code(
    "NIK_PREFIX_KECAMATAN_UNKNOWN",
    "Kecamatan alamat koperasi tidak ada (sebagai kode BPS 7 digit) dalam tabel padanan "
    "Kemendagri–BPS: digit kecamatan prefiks NIK Koperasi tidak dapat diperiksa; nomor tidak "
    "diberikan.",
    "The kecamatan of the cooperative's address is not in the Kemendagri–BPS crosswalk (as a "
    "7-digit BPS code): the kecamatan digits of the NIK Koperasi prefix cannot be checked; no "
    "number is given.",
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
    "Nomor Induk Koperasi untuk koperasi ini sedang diberikan oleh proses lain; coba lagi "
    "(dengan resume bila proses itu sudah berhenti tanpa menyelesaikannya).",
    "A Nomor Induk Koperasi is being given to this cooperative by another process; try again "
    "(with resume once that process has ended without finishing).",
    module=__name__,
)
NIK_ALREADY_ISSUED = register_code(
    "NIK_ALREADY_ISSUED",
    "Nomor Induk Koperasi ini sudah diberikan kepada koperasi lain dan tidak diterbitkan ulang.",
    "This Nomor Induk Koperasi was given to another cooperative and is never reissued.",
    module=__name__,
)
NIK_IDENTITY_CONFLICT = register_code(
    "NIK_IDENTITY_CONFLICT",
    "Identitas-identitas koperasi ini tercatat dengan Nomor Induk Koperasi yang berbeda; "
    "nomor yang tercatat tidak ditimpa.",
    "The identities of this cooperative are registered with different Nomor Induk Koperasi; "
    "a registered number is never overwritten.",
    module=__name__,
)


class PrefixLookup(Protocol):
    """Anything that maps a Kemendagri kelurahan code to a 9-digit prefix."""

    def prefix_for(self, kode_kelurahan: str) -> str | None: ...


@final
class PrefixTable:
    """Kemendagri kelurahan code (``31.71.01.1001``) → 9-digit NIK Koperasi prefix.

    >>> t = PrefixTable({"31.71.01.1001": "317308001"})
    >>> t.prefix_for("31.71.01.1001"), t.prefix_for("31.71.01.1002")
    ('317308001', None)
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
    table given here (the Dinas's own) is taken as it is, but for its region: the first
    4 digits of any prefix are the BPS province and kab/kota of the kelurahan's
    Kemendagri kab/kota, and the next 2 its BPS kecamatan (the 7-digit code without its
    trailing 0), through :mod:`kukm.reference.crosswalk` (REGULATIONS.md §1.2, §8:
    Kemendagri 31.74 is BPS 3171; Gambir 31.71.01 is BPS 3173080, prefixes ``317308…``),
    else ``NIK_PREFIX_REGION_MISMATCH``; a kab/kota the crosswalk does not know is
    ``CROSSWALK_UNKNOWN``, a kecamatan it does not know ``NIK_PREFIX_KECAMATAN_UNKNOWN``
    (never assumed equal). A number held already keeps its prefix wherever the
    cooperative now is (not checked here).

    >>> region_prefix("31.01.01.1003", table=PrefixTable({"31.01.01.1003": "310102003"}))
    '310102003'
    >>> region_prefix("31.01.01.1009", table=PrefixTable({}))
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidComponent: [NIK_PREFIX_UNKNOWN] ...
    >>> region_prefix("31.74.07.1001", table=PrefixTable({"31.74.07.1001": "317406001"}))
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidComponent: [NIK_PREFIX_REGION_MISMATCH] ...
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
    return _check_region(kode_kelurahan, _check_prefix(prefix))


def _check_region(kode_kelurahan: str, prefix: str) -> str:
    """``prefix`` when its BPS province + kab/kota (4 digits) and kecamatan (2 digits: the
    7-digit BPS kecamatan code without its trailing 0) are those of the Kemendagri kelurahan
    code through the crosswalk (REGULATIONS.md §1.2, §8: Gambir 31.71.01 = BPS 3173080 →
    ``317308…``).

    >>> _check_region("31.71.01.1001", "317308001")
    '317308001'
    >>> _check_region("31.71.01.1001", "317307001")  # 3173070 is Sawah Besar
    Traceback (most recent call last):
    ...
    kukm.exceptions.InvalidComponent: [NIK_PREFIX_REGION_MISMATCH] ...
    """
    from kukm.reference.crosswalk import CROSSWALK_UNKNOWN, dotted, to_bps

    parts = dotted(kode_kelurahan).split(".")
    kabkota = ".".join(parts[:2])
    bps = to_bps(kabkota)
    if bps is None:
        raise InvalidComponent(
            f"kab/kota {kabkota!r} of kelurahan {kode_kelurahan!r} is not in the "
            "Kemendagri–BPS crosswalk: the BPS code of a NIK Koperasi prefix cannot be checked "
            "(extend it with kukm.reference.crosswalk.set_crosswalk)",
            code=CROSSWALK_UNKNOWN,
            field="kode_wilayah",
            value=kode_kelurahan,
        )
    if prefix[:4] != bps:
        raise InvalidComponent(
            f"prefix {prefix} names BPS kab/kota {prefix[:4]}, but kelurahan "
            f"{kode_kelurahan!r} lies in Kemendagri {kabkota} = BPS {bps}",
            code=NIK_PREFIX_REGION_MISMATCH,
            field="prefix",
            value=prefix,
        )
    kecamatan = ".".join(parts[:3])
    bps_kec = to_bps(kecamatan) if len(parts) >= 3 else None
    # The prefix holds 2 kecamatan digits: the BPS code without its trailing 0 (§1.2).
    if bps_kec is None or not (
        len(bps_kec) == 7 and bps_kec.isdigit() and bps_kec[:4] == bps and bps_kec[6] == "0"
    ):
        raise InvalidComponent(
            f"kecamatan {kecamatan!r} of kelurahan {kode_kelurahan!r} has no 7-digit BPS code "
            f"ending in 0 in the Kemendagri–BPS crosswalk (found {bps_kec!r}): the kecamatan "
            f"digits of prefix {prefix} cannot be checked (extend the crosswalk with "
            "kukm.reference.crosswalk.set_crosswalk)",
            code=NIK_PREFIX_KECAMATAN_UNKNOWN,
            field="kode_wilayah",
            value=kode_kelurahan,
        )
    if prefix[:6] != bps_kec[:6]:
        raise InvalidComponent(
            f"prefix {prefix} names BPS kecamatan {prefix[:6]}0, but kelurahan "
            f"{kode_kelurahan!r} lies in Kemendagri kecamatan {kecamatan} = BPS {bps_kec}",
            code=NIK_PREFIX_REGION_MISMATCH,
            field="prefix",
            value=prefix,
        )
    return prefix


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


# -- the register: identities, claims, bindings ------------------------------------------------
#
# Store writes are unconditional; the only atomic step is ``allocate_sequence``, used here as
# a compare-and-set: ``allocate_sequence(claim, maximum=n)`` succeeds only while fewer than
# ``n`` claims were made on that key. Every identity of a cooperative has a claim key
# (:func:`_claim_key`), every number one too (:func:`_number_claim_key`). A new binding of an
# identity to a number is written only by the process holding that identity's claim; a claim
# that bound a number is never given back, so no identity ever gets a second number.
#
# A new number is bound by ONE write, its :data:`NOMOR_COLLECTION` document listing every
# identity claimed (``identitas``); the per-identity records follow. A process that stopped
# after that write left its decision in the store: a later call that finds the claim held
# looks for it (:func:`_bindings`) and finishes with that number. A process that stopped
# between its claim and that write left nothing but the claim, which cannot be told from one
# still running: ``resume=True`` takes it over. :data:`KLAIM_COLLECTION` counts the claims of
# a key that ended without binding (given back after an error, or taken over); a take-over
# records the claim it ends *before* taking the next one, so every stop, including one during
# a take-over, can be resumed, and of two resumes at once only one takes over.


def _identities(koperasi_key: str, aliases: Iterable[str]) -> tuple[str, ...]:
    """The cooperative's identities: its key first, then its other aliases, no repeats."""
    return tuple(dict.fromkeys((koperasi_key, *(a for a in aliases if a))))


def _registered(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """identity → number, for the identities that have a record in the register."""
    found: dict[str, str] = {}
    for ident in ids:
        doc = store.get_document(KOPERASI_COLLECTION, ident)
        if doc is not None:
            found[ident] = str(doc["nomor_induk_koperasi"])
    return found


def _one_number(pairs: Iterable[tuple[str, str]], nomor: str | None = None) -> str | None:
    """The one number that ``(identity, number)`` pairs (and ``nomor``) agree on, if any.

    Raises :class:`IntegrityError` (``NIK_IDENTITY_CONFLICT``) when they name two numbers.
    """
    pairs = sorted(set(pairs))
    numbers = {n for _, n in pairs} | ({nomor} if nomor is not None else set())
    if len(numbers) > 1:
        held = ", ".join(f"{i}: {n}" for i, n in pairs)
        given = f"; given {nomor}" if nomor is not None else ""
        raise IntegrityError(
            f"the identities of one cooperative hold different Nomor Induk Koperasi "
            f"({held}{given}); a registered number is never overwritten",
            code=NIK_IDENTITY_CONFLICT,
            field="koperasi",
            value={i: n for i, n in pairs} if pairs else nomor,
        )
    return next(iter(numbers), None)


def nomor_induk_of(store: Store, koperasi_key: str, *aliases: str) -> str | None:
    """The number a cooperative was given, if any: registered under its key or any alias.

    Raises :class:`IntegrityError` (``NIK_IDENTITY_CONFLICT``) when its identities are
    registered with different numbers.

    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> assign_nomor_induk(store, "kop-1", prefix="317307001", aliases=["BH:1"])
    '3173070010001'
    >>> nomor_induk_of(store, "BH:1"), nomor_induk_of(store, "kop-9", "BH:1")
    ('3173070010001', '3173070010001')
    """
    return _one_number(_registered(store, _identities(koperasi_key, aliases)).items())


def _claim_key(koperasi_key: str) -> str:
    digest = hashlib.blake2b(koperasi_key.encode("utf-8"), digest_size=12).hexdigest()
    return f"nik-koperasi:{digest}"


def _number_claim_key(nomor: str) -> str:
    return f"nik-nomor:{nomor}"


@final
class _Claims:
    """The claims one call holds (sequence key → value), given back if it fails before binding."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.held: dict[str, int] = {}

    def take(self, claim: str, *, resume: bool) -> bool:
        """Take the next claim on ``claim``; with ``resume``, take over the one held by a
        process that ended. False when another process holds it (or took it over first)."""
        store = self.store
        try:
            self.held[claim] = store.allocate_sequence(claim, maximum=1)
            return True
        except SequenceExhausted:
            pass
        doc = store.get_document(KLAIM_COLLECTION, claim)
        ended = int(doc.get("klaim", 0)) if doc else 0
        if ended:  # the claims up to ``ended`` ended: the next one may be free
            try:
                self.held[claim] = store.allocate_sequence(claim, maximum=ended + 1)
                return True
            except SequenceExhausted:
                pass
        if not resume:
            return False
        # Claim ``ended + 1`` is held by a process that ended without binding a number:
        # record that it ended, then take the next claim (only one caller gets it).
        ended += 1
        store.put_document(KLAIM_COLLECTION, claim, {"klaim": ended})
        try:
            self.held[claim] = store.allocate_sequence(claim, maximum=ended + 1)
        except SequenceExhausted:
            return False
        return True

    def take_all(self, claims: Iterable[str], *, resume: bool) -> bool:
        """Every claim, or none (those taken are given back)."""
        try:
            for claim in claims:
                if not self.take(claim, resume=resume):
                    self.release()
                    return False
        except BaseException:
            self.release()
            raise
        return True

    def release(self) -> None:
        """Give every claim held back (best effort: a failing store leaves them to ``resume``)."""
        for claim, value in self.held.items():
            with suppress(Exception):
                self.store.put_document(KLAIM_COLLECTION, claim, {"klaim": value})
        self.held.clear()


def _holders(doc: Mapping[str, Any]) -> list[str]:
    """The identities a number document was bound to."""
    named = [doc.get("koperasi"), *(doc.get("identitas") or ())]
    return [str(i) for i in dict.fromkeys(named) if i]


def _belongs(
    doc: Mapping[str, Any], ids: Sequence[str], found: Mapping[str, str], nomor: str
) -> bool:
    """Whether number document ``doc`` (of ``nomor``) is this cooperative's."""
    return bool(set(_holders(doc)) & set(ids)) or nomor in found.values()


def _already_issued(nomor: str, doc: Mapping[str, Any], koperasi_key: str) -> IntegrityError:
    return IntegrityError(
        f"Nomor Induk Koperasi {nomor} was given to {doc.get('koperasi')!r}, "
        f"not to {koperasi_key!r}",
        code=NIK_ALREADY_ISSUED,
        field="nomor_induk_koperasi",
        value=nomor,
    )


def _in_progress(koperasi_key: str, *, resume: bool) -> IntegrityError:
    how = (
        "another process took it over already"
        if resume
        else "once the process that started it has ended, call again with resume=True"
    )
    return IntegrityError(
        f"a Nomor Induk Koperasi for {koperasi_key!r} is being allocated elsewhere ({how})",
        code=NIK_ALLOCATION_IN_PROGRESS,
        field="koperasi",
        value=koperasi_key,
    )


def _bindings(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Number → its document, for every number bound to one of ``ids`` (scans the register:
    only when a claim is found held, to finish what a stopped process bound)."""
    wanted = set(ids)
    return {
        nomor: doc
        for nomor, doc in store.iter_documents(NOMOR_COLLECTION)
        if wanted & set(_holders(doc))
    }


def _record_identities(store: Store, nomor: str, idents: Iterable[str], diterbitkan: Any) -> bool:
    """Write the register records of the identities that have none; True if any was written."""
    wrote = False
    info = {"nomor_induk_koperasi": nomor, "prefix": nomor[:9], "diterbitkan": diterbitkan}
    for ident in dict.fromkeys(idents):
        doc = store.get_document(KOPERASI_COLLECTION, ident)
        if doc is None:
            store.put_document(KOPERASI_COLLECTION, ident, info)
            wrote = True
        elif str(doc["nomor_induk_koperasi"]) != nomor:
            _one_number([(ident, str(doc["nomor_induk_koperasi"]))], nomor)
    return wrote


def _finish_bindings(store: Store, ids: Sequence[str], nomor: str | None) -> bool:
    """Finish the numbers bound to ``ids`` whose records are missing; True if any was written."""
    bound = _bindings(store, ids)
    pairs = [(i, n) for n, doc in bound.items() for i in _holders(doc) if i in ids]
    _one_number([*pairs, *_registered(store, ids).items()], nomor)
    wrote = False
    for n, doc in bound.items():
        wrote = _record_identities(store, n, _holders(doc), doc.get("diterbitkan")) or wrote
    return wrote


def _fresh_number(store: Store, prefix: str, claims: _Claims) -> str:
    """A new number of ``prefix``, claimed (a number being registered elsewhere is skipped)."""
    while True:
        urut = store.allocate_sequence(prefix, maximum=MAXIMUM)
        nomor = f"{prefix}{urut:04d}"
        claim = _number_claim_key(nomor)
        try:
            claims.held[claim] = store.allocate_sequence(claim, maximum=1)
        except SequenceExhausted:
            continue
        # A number registered from outside (ODS import) is skipped, never reissued.
        if store.get_document(NOMOR_COLLECTION, nomor) is None:
            return nik_id.validate(nomor)
        del claims.held[claim]


#: Rounds of "claim, else finish what the holder bound" before answering in progress.
_ROUNDS = 3


def _settle(
    store: Store,
    ids: Sequence[str],
    found: dict[str, str],
    *,
    nomor: str | None,
    prefix: str | None,
    asal: str,
    today: dt.date,
    resume: bool,
) -> str:
    """Bind every identity in ``ids`` to one number: ``nomor``, else the one bound to any of
    them, else a new one of ``prefix``."""
    key = ids[0]
    for round_ in range(_ROUNDS):
        if round_:
            found = _registered(store, ids)
        known = _one_number(found.items(), nomor)
        missing = [i for i in ids if i not in found]
        if (
            known is not None
            and not missing
            and store.get_document(NOMOR_COLLECTION, known) is not None
        ):
            return known
        wanted = sorted(_claim_key(i) for i in missing)
        claims = _Claims(store)
        if not claims.take_all(wanted, resume=False):
            # Another process holds a claim: finish the number it bound, if it bound one.
            if _finish_bindings(store, ids, nomor):
                continue
            # It bound none: running elsewhere, or ended (``resume`` takes its claim over).
            if not resume:
                raise _in_progress(key, resume=False)
            if not claims.take_all(wanted, resume=True):
                if _registered(store, missing):  # another resume got there first
                    continue
                raise _in_progress(key, resume=True)
        if not _registered(store, missing):  # recorded meanwhile: look again
            break
        claims.release()
    else:
        raise _in_progress(key, resume=resume)
    return _bind(
        store, ids, found, claims, known=known, prefix=prefix, asal=asal, today=today, resume=resume
    )


def _bind(
    store: Store,
    ids: Sequence[str],
    found: dict[str, str],
    claims: _Claims,
    *,
    known: str | None,
    prefix: str | None,
    asal: str,
    today: dt.date,
    resume: bool,
) -> str:
    """Under the claims of the missing identities: bind them (and a new number if need be)."""
    key = ids[0]
    binding = False  # from the number document's write on, the claims are never given back
    try:
        doc = store.get_document(NOMOR_COLLECTION, known) if known is not None else None
        if known is None:
            assert prefix is not None
            known = _fresh_number(store, prefix, claims)
        elif doc is None:  # a number held from outside, recorded now: claim it first
            if not claims.take(_number_claim_key(known), resume=resume):
                raise _in_progress(key, resume=resume)
            doc = store.get_document(NOMOR_COLLECTION, known)  # bound meanwhile?
        if doc is not None and not _belongs(doc, ids, found, known):
            raise _already_issued(known, doc, key)
        if doc is None:
            binding = True
            doc = {
                "koperasi": key,
                "asal": asal,
                "prefix": known[:9],
                "diterbitkan": today.isoformat(),
                "identitas": list(ids),
            }
            store.put_document(NOMOR_COLLECTION, known, doc)
        _record_identities(store, known, ids, doc.get("diterbitkan"))
    except BaseException:
        if not binding:
            claims.release()
        raise
    return known


def register_existing(
    store: Store,
    koperasi_key: str,
    nomor: str,
    *,
    today: dt.date | None = None,
    aliases: Iterable[str] = (),
    resume: bool = False,
) -> str:
    """Record a number the cooperative already has (e.g. from ODS) so it is never reissued.

    It is recorded under ``koperasi_key`` and every one of its ``aliases``. Raises
    :class:`IntegrityError`: ``NIK_ALREADY_ISSUED`` if the number belongs to another
    cooperative (one not known under ``koperasi_key`` or one of its ``aliases``);
    ``NIK_IDENTITY_CONFLICT`` if one of them is registered with another number;
    ``NIK_ALLOCATION_IN_PROGRESS`` (and ``resume``) as :func:`assign_nomor_induk`.

    >>> from kukm.plugins import open_store
    >>> store = open_store("memory://")
    >>> register_existing(store, "kop-1", "3173070010005", aliases=["BH:1"])
    '3173070010005'
    >>> register_existing(store, "BH:1", "3173070010006")
    Traceback (most recent call last):
    ...
    kukm.exceptions.IntegrityError: [NIK_IDENTITY_CONFLICT] ...
    """
    nomor = nik_id.validate(nomor)
    ids = _identities(koperasi_key, aliases)
    found = _registered(store, ids)
    held = store.get_document(NOMOR_COLLECTION, nomor)
    if held is not None and not _belongs(held, ids, found, nomor):
        raise _already_issued(nomor, held, koperasi_key)
    _one_number(found.items(), nomor)
    if held is not None and len(found) == len(ids):
        return nomor
    return _settle(
        store,
        ids,
        found,
        nomor=nomor,
        prefix=None,
        asal="terdaftar",
        today=today or dt.date.today(),
        resume=resume,
    )


def assign_nomor_induk(
    store: Store,
    koperasi_key: str,
    *,
    kode_kelurahan: str | None = None,
    prefix: str | None = None,
    table: PrefixLookup | None = None,
    today: dt.date | None = None,
    aliases: Iterable[str] = (),
    resume: bool = False,
) -> str:
    """The cooperative's number: the one it already has, or a new one for its kelurahan.

    ``koperasi_key`` identifies the cooperative in the register (a stable identity:
    its store id or its badan hukum number, never its name); its ``aliases`` are its
    other identities. A number registered under any of them is its number, and is then
    recorded under all of them; identities registered with different numbers are refused
    (:class:`IntegrityError`, ``NIK_IDENTITY_CONFLICT``), nothing is overwritten. Give
    either ``kode_kelurahan`` (looked up in ``table``) or ``prefix``.

    Only one process allocates for a cooperative: it first claims each of its identities
    in the store (:meth:`~kukm.storage.base.Store.allocate_sequence` as a one-shot
    compare-and-set); another call sharing one of them finds the number recorded, or
    gets ``NIK_ALLOCATION_IN_PROGRESS`` meanwhile. Raises :class:`SequenceExhausted`
    when the prefix has no numbers left.

    **A stopped allocation is finished, never repeated.** The new number is bound to
    every identity in one store write (its :data:`NOMOR_COLLECTION` document); a process
    that stopped after it (a crash) left its number, and the next call finishes with it.
    One that stopped between its claim and that write cannot be told from one still
    running (the store has no leases): the call gets ``NIK_ALLOCATION_IN_PROGRESS``.
    ``resume=True`` says that no other call is allocating for this cooperative now (the
    one that claimed it has ended, as ``NikWorkflow.issue(..., resume=True)``): it takes
    the stuck claims over, one take-over per claim (of two resumes that find it stuck at
    once, one takes it over, the other is refused the same way), and allocates. A process
    that fails with an error instead (an exhausted prefix, a lost connection) gives its
    claims back before its number is bound, and keeps them after. Given while the other
    process still runs, ``resume`` may give the cooperative two numbers.
    """
    ids = _identities(koperasi_key, aliases)
    found = _registered(store, ids)
    nomor = _one_number(found.items())
    if nomor is not None and len(found) == len(ids):
        return nomor
    if nomor is None:
        if prefix is None:
            if kode_kelurahan is None:
                raise InvalidComponent(code=NIK_PREFIX_UNKNOWN, field="kode_wilayah", value=None)
            prefix = region_prefix(kode_kelurahan, table=table)
        prefix = _check_prefix(prefix)
    return _settle(
        store,
        ids,
        found,
        nomor=nomor,
        prefix=prefix,
        asal="baru",
        today=today or dt.date.today(),
        resume=resume,
    )
