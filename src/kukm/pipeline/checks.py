"""Per-row work of the pipeline: instrument checks, record id, classification.

This module is what a validation worker process runs on a chunk of rows. It
only depends on picklable inputs (the kind, an optional instrument file and
the default source), so chunks can be checked in a process pool while the
parent keeps the exact row numbers.

Record ids are deterministic, so importing the same data again finds the same
records (the store then adds nothing):

* UMKM: ``umkm-nib-<NIB>`` when the NIB is known; else
  ``umkm-src-<sumber>-<id_sumber>`` when the source gave its own id (with the office's area
  before the id when the source is a Lurah, Camat or Suku Dinas: :data:`OFFICE_AREA`); else
  ``umkm-h-<hash>`` of the identifying fields (name, owner's NIK, region).
* Koperasi: :func:`kukm.integration.ods.koperasi_id` (Nomor Induk Koperasi,
  else Nomor Badan Hukum, else name).

Classification (Kepgub A.3–5) stores the scale of a UMKM
(:func:`kukm.rules.skala_umkm.klasifikasi_umkm`) as the ``skala`` dimension;
for a koperasi its ``jenis``/``bentuk`` come from the record itself.

>>> from kukm.model import Umkm, Pemilik
>>> record_id(Umkm(nama_usaha="A", nib="1234567890123"), None)
('umkm-nib-1234567890123', 'nib')
>>> record_id(Umkm(nama_usaha="A", id_sumber="77"), "sudin")
('umkm-src-sudin-77', 'id_sumber')
>>> record_id(Umkm(nama_usaha="A"), None)[0].startswith("umkm-h-")
True
"""

from __future__ import annotations

import collections
import copyreg
import datetime as dt
import hashlib
import io
import pickle
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any, Final, NamedTuple, Protocol, overload

from kukm.exceptions import ConfigurationError, Issue, Severity, issue, register_code
from kukm.model import Koperasi, SumberData, Umkm
from kukm.storage._codec import PreparedColumns, picker

__all__ = [
    "BARIS_JUMLAH",
    "SUMBER_DATA_KOSONG",
    "Accepted",
    "AcceptedColumns",
    "ChunkResult",
    "Rejected",
    "RowChecker",
    "check_chunk",
    "classify",
    "dumps_result",
    "init_worker",
    "load_instrument",
    "record_id",
    "umkm_id",
]

SUMBER_DATA_KOSONG: Final = register_code(
    "SUMBER_DATA_KOSONG",
    "Sumber data tidak diisi (kolom sumber_data atau opsi --source).",
    "No data source (column sumber_data or option --source).",
    module=__name__,
)
BARIS_TIDAK_TERBACA: Final = register_code(
    "BARIS_TIDAK_TERBACA",
    "Baris tidak dapat diperiksa oleh instrumen.",
    "The row could not be checked by the instrument.",
    module=__name__,
)

BARIS_JUMLAH: Final = register_code(
    "BARIS_JUMLAH",
    "Baris jumlah/total tabel, bukan data satu usaha atau koperasi; hapus baris ini.",
    "A total row of the table, not the data of one business or cooperative; delete this row.",
    module=__name__,
)

# A rejected row is a table's total row when its only text is one of these words (any case,
# a colon after it) and its other cells are blank or numbers, as sheets end: "JUMLAH", "Total:"
_TOTAL_LABEL = re.compile(
    r"(jumlah|jml\.?|total|sub ?total|grand total|jumlah total|total keseluruhan|"
    r"jumlah keseluruhan)\s*:?"
)
_NUMBER_CELL = re.compile(r"(rp\.? ?)?-?[0-9][0-9.,]*")


def _total_label(data: Mapping[str, str]) -> str | None:
    """The column of the label when ``data`` is a total row (see ``_TOTAL_LABEL``), else
    ``None``."""
    label = None
    for name, value in data.items():
        text = value.strip().casefold() if isinstance(value, str) else ""
        if not text or _NUMBER_CELL.fullmatch(text):
            continue
        if label is not None or not _TOTAL_LABEL.fullmatch(text):
            return None
        label = name
    return label


def _as_total_rows(result: ChunkResult) -> ChunkResult:
    """Rejected total rows (``_total_label``) get the one issue ``BARIS_JUMLAH`` on the label's
    column instead of every required field they leave blank."""
    if not result.rejected:
        return result
    out: list[Rejected] = []
    changed = False
    for rej in result.rejected:
        name = _total_label(rej.data)
        if name is not None:
            changed = True
            rej = rej._replace(issues=(issue(BARIS_JUMLAH, name, rej.data[name], row=rej.row),))
        out.append(rej)
    return result._replace(rejected=out) if changed else result


class _RowResult(Protocol):
    record: Umkm | Koperasi | None
    issues: Sequence[Issue]
    sumber_data: SumberData | None


class _Instrument(Protocol):
    name: str

    def parse_row(self, row: Mapping[str, str], *, row_number: int) -> Any: ...


def load_instrument(kind: str, path: str | Path | None = None) -> Any:
    """The instrument (Kepgub E.11) for ``kind``, or the one defined in ``path``.

    Defaults come from the registered instruments (``umkm``, ``koperasi``);
    :func:`kukm.rules.instruments.load_instrument` reads a custom one.
    """
    try:
        from kukm.rules import instruments as mod  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:  # pragma: no cover - during parallel development only
        raise ConfigurationError(
            "kukm.rules.instruments is not available", code="INSTRUMENT_UNKNOWN"
        ) from exc
    if path is not None:
        return mod.load_instrument(path)
    found: Any = None
    try:
        from kukm.plugins import get_plugins

        found = get_plugins().instruments().get(kind)
    except Exception:  # pragma: no cover - plugin trouble falls back to the module
        found = None
    if found is None:
        for attr in ("get_instrument", "default_instrument", "instrument"):
            fn = getattr(mod, attr, None)
            if callable(fn):
                found = fn(kind)
                break
    if found is None:
        for attr in (kind.upper(), f"{kind.upper()}_INSTRUMENT", f"INSTRUMEN_{kind.upper()}"):
            if hasattr(mod, attr):
                found = getattr(mod, attr)
                break
    if found is None:
        raise ConfigurationError(f"no instrument for kind {kind!r}", code="INSTRUMENT_UNKNOWN")
    return found


def _short_hash(*parts: str | None) -> str:
    blob = "\x1f".join(p or "" for p in parts).encode("utf-8")
    return hashlib.blake2b(blob, digest_size=10).hexdigest()


def record_id(record: Umkm | Koperasi, sumber: str | None) -> tuple[str, str | None]:
    """The deterministic id of a record and the field it was made from (rules above)."""
    if isinstance(record, Koperasi):
        from kukm.integration.ods import koperasi_id

        if record.nomor_induk_koperasi:
            field = "nomor_induk_koperasi"
        elif record.nomor_badan_hukum:
            field = "nomor_badan_hukum"
        else:
            field = "nama"
        return koperasi_id(
            record.nomor_induk_koperasi, record.nomor_badan_hukum, record.nama
        ), field
    return umkm_id(
        record.nib, record.id_sumber, sumber or "-", record.nama_usaha,
        record.pemilik.nik_penduduk, record.alamat.kode_wilayah, record.npwp,
    )  # fmt: skip


#: Sources that are local offices (Kepgub D, E.2: Lurah, Camat, Suku Dinas), each numbering
#: the businesses of its own area, and how many parts of the Kemendagri code that area is:
#: their ``id_sumber`` names a business only together with the area (the kelurahan of a
#: Lurah, the kecamatan of a Camat, the kota of a Suku Dinas). Taken alone, business 1 of
#: one kelurahan replaced business 1 of another.
OFFICE_AREA: Final[dict[str, int]] = {"kelurahan": 4, "kecamatan": 3, "sudin": 2}


def umkm_id(
    nib: str | None,
    id_sumber: str | None,
    sumber: str,
    nama_usaha: str | None,
    nik_penduduk: str | None,
    kode_wilayah: str | None,
    npwp: str | None,
) -> tuple[str, str | None]:
    """The UMKM rule of :func:`record_id` from the values themselves (the column road uses it
    without a record).

    The source's own id is scoped by the area of the office that numbered it when the source
    is a local office (:data:`OFFICE_AREA`): two kelurahan offices each have a business
    number 1.

    >>> umkm_id(None, "77", "sudin", "A", None, None, None)
    ('umkm-src-sudin-77', 'id_sumber')
    >>> umkm_id(None, "1", "kelurahan", "A", None, "31.73.04.1010", None)
    ('umkm-src-kelurahan-31.73.04.1010-1', 'id_sumber')
    >>> umkm_id(None, "1", "sudin", "A", None, "31.73.04.1010", None)
    ('umkm-src-sudin-31.73-1', 'id_sumber')
    """
    if nib:
        return f"umkm-nib-{nib}", "nib"
    if id_sumber:
        parts = OFFICE_AREA.get(sumber)
        if parts and kode_wilayah:
            area = ".".join(kode_wilayah.split(".")[:parts])
            return f"umkm-src-{sumber}-{area}-{id_sumber}", "id_sumber"
        return f"umkm-src-{sumber}-{id_sumber}", "id_sumber"
    key = _short_hash(nama_usaha.casefold() if nama_usaha else "", nik_penduduk, kode_wilayah, npwp)
    return f"umkm-h-{key}", None


def classify(record: Umkm | Koperasi, *, today: dt.date | None = None) -> dict[str, str | None]:
    """Derived dimensions stored beside a record: ``skala``.

    For a koperasi it is the tier of :func:`kukm.rules.skala_koperasi.klasifikasi_skala_koperasi`
    when that scheme applies (simpan pinjam), else ``None``.

    The scale is :func:`kukm.rules.skala_umkm.klasifikasi_umkm`'s verdict with
    its default combination rule (``terbesar``: the larger scale when the
    criteria disagree), by :func:`kukm.rules.skala_umkm.skala_kolom`, the
    same computation a batch uses for a whole column, without building the
    explanation objects (bulk work needs the scale only; the full verdict with
    its reasons is one call away, ``kukm skala``). Tests check that both agree.

    >>> classify(Umkm(nama_usaha="A", omzet_tahunan=100_000_000, tanggal_data=dt.date(2024, 1, 1)))
    {'skala': 'mikro'}
    """
    if not isinstance(record, Umkm):
        # KSP/KSPPS tier (Permenkop UKM 8/2023 Pasal 49); other jenis have no published scale
        from kukm.rules.skala_koperasi import klasifikasi_skala_koperasi

        tier = klasifikasi_skala_koperasi(record)
        return {"skala": tier.tingkat if tier.berlaku else None}
    from kukm.rules.skala_umkm import skala_kolom

    amounts = {a: [getattr(record, a)] for a in ("modal_usaha", "kekayaan_bersih", "omzet_tahunan")}
    return {"skala": skala_kolom(amounts, [record.tanggal_data], today=today)[0]}


class Accepted(NamedTuple):
    """A row that passed: its record, id, derived dimensions and source.

    Named tuples (not attrs classes) because chunks of them travel between
    processes, and tuples pickle several times faster.
    """

    row: int
    id: str
    id_field: str | None
    record: Umkm | Koperasi | None  # None when a worker sent its prepared op instead
    atribut: dict[str, str | None]
    sumber: SumberData
    warnings: int = 0


class AcceptedColumns(Sequence[Accepted]):
    """Accepted rows without records, held column by column (the column road's form).

    Reads like a list of :class:`Accepted` (each made when asked for, ``record``
    ``None``), and pickles as six plain lists: a worker process (the reader, or a
    pool's worker) sends a chunk's clean rows without one object per row
    (pickling and unpickling the named tuples one by one cost about as much as
    the store's columns themselves).

    >>> import pickle
    >>> cols = AcceptedColumns([3, 1], ["a", "b"], ["nib", None], [{}, {}],
    ...                        [SumberData.SUDIN] * 2, [0, 1])
    >>> cols[1]
    Accepted(row=1, id='b', id_field=None, record=None, atribut={}, sumber=<SumberData.SUDIN: 'sudin'>, warnings=1)
    >>> pickle.loads(pickle.dumps(cols)) == list(cols) == cols, len(cols.take([1]))
    (True, 1)
    """

    __slots__ = ("atribut", "id_fields", "ids", "rows", "sumbers", "warnings")

    def __init__(
        self,
        rows: list[int],
        ids: list[str],
        id_fields: list[str | None],
        atribut: list[dict[str, str | None]],
        sumbers: list[SumberData],
        warnings: list[int] | None = None,
    ) -> None:
        self.rows = rows
        self.ids = ids
        self.id_fields = id_fields
        self.atribut = atribut
        self.sumbers = sumbers
        self.warnings = [0] * len(rows) if warnings is None else warnings

    @classmethod
    def of(cls, accepted: Sequence[Accepted]) -> AcceptedColumns | None:
        """The columns of rows that hold no record (``None`` if one does)."""
        if isinstance(accepted, AcceptedColumns):
            return accepted
        if any(a.record is not None for a in accepted):
            return None
        if not accepted:
            return cls([], [], [], [], [], [])
        rows, ids, fields, _, atribut, sumbers, warnings = (list(c) for c in zip(*accepted, strict=True))
        return cls(rows, ids, fields, atribut, sumbers, warnings)

    def _columns(self) -> tuple[list[Any], ...]:
        return (self.rows, self.ids, self.id_fields, self.atribut, self.sumbers, self.warnings)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Accepted]:
        r, i, f, a, s, w = self._columns()
        return map(Accepted, r, i, f, repeat(None), a, s, w)

    @overload
    def __getitem__(self, index: int) -> Accepted: ...
    @overload
    def __getitem__(self, index: slice) -> list[Accepted]: ...
    def __getitem__(self, index: int | slice) -> Accepted | list[Accepted]:
        if isinstance(index, slice):
            return list(self)[index]
        r, i, f, a, s, w = self._columns()
        return Accepted(r[index], i[index], f[index], None, a[index], s[index], w[index])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: AcceptedColumns) -> AcceptedColumns:
        return AcceptedColumns(*(a + b for a, b in zip(self._columns(), other._columns(), strict=True)))

    def take(self, positions: list[int]) -> AcceptedColumns:
        """The rows at ``positions``, in that order."""
        pick = picker(positions)
        return AcceptedColumns(*(pick(c) for c in self._columns()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (AcceptedColumns, self._columns())

    def __repr__(self) -> str:
        return f"AcceptedColumns({list(self)!r})"


class Rejected(NamedTuple):
    """A row that failed, with the data as sent and every error found."""

    row: int
    data: dict[str, str]
    issues: tuple[Issue, ...]


class ChunkResult(NamedTuple):
    """What checking one chunk gave, in row order.

    ``prepared`` (from a pool worker of an import into a store that takes
    prepared ops) holds each accepted row's serialised, hashed op, in the
    order of ``accepted``, whose records are then left out (``None``).
    """

    accepted: Sequence[Accepted]  # a list, or AcceptedColumns on the column road
    rejected: list[Rejected]
    warnings: int
    prepared: list[Any] | PreparedColumns | None = None
    #: the warnings by problem code (they add up to ``warnings``)
    warning_codes: dict[str, int] | None = None


class RowChecker:
    """Checks rows with one instrument; picklable by its settings (kind, file, source)."""

    def __init__(
        self,
        kind: str,
        instrument_path: str | None = None,
        default_source: SumberData | None = None,
        *,
        instrument: Any = None,
    ) -> None:
        self.kind = kind
        self.instrument_path = instrument_path
        self.default_source = default_source
        self._instrument = instrument
        self._explicit = instrument is not None
        self._sourced: tuple[Any, Any] | None = None  # (form, form with sumber_data optional)
        #: (petugas, id_pengiriman) when the checks also prepare the store ops
        self.prepare_for: tuple[str | None, str | None] | None = None
        #: False when nothing is stored (``kukm validate``): clean rows then get no record
        self.keep_records = True
        self._caches()

    def _caches(self) -> None:
        # per process, never pickled: one Provenance per (source, prepare_for), the column
        # road's preparer, the atribut of each scale
        self._provenances: dict[tuple[SumberData, Any], Any] = {}
        self._preparer: tuple[Any, Any] | None = None
        self._atribut: dict[str | None, tuple[dict[str, str | None], str]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # an instrument given as an object travels with the checker (it must pickle);
        # a default or file instrument is loaded again in the worker
        explicit = self._instrument is not None and self._explicit
        return {
            "kind": self.kind,
            "instrument_path": self.instrument_path,
            "default_source": self.default_source,
            "_instrument": self._instrument if explicit else None,
            "_explicit": explicit,
            "prepare_for": self.prepare_for,
            "keep_records": self.keep_records,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sourced = None
        self._caches()

    @property
    def instrument(self) -> Any:
        """The form rows are checked with. With a ``default_source`` (``--source``) a form that
        requires ``sumber_data`` takes it as optional: a blank cell, or no such column, is
        the default source (Kepgub D: every row keeps a source, from its cell or the batch)."""
        if self._instrument is None:
            self._instrument = load_instrument(self.kind, self.instrument_path)
        inst = self._instrument
        if self.default_source is not None and _is_kukm_instrument(inst):
            derived = self._sourced
            if derived is None or derived[0] is not inst:
                field = next((f for f in inst.fields if f.name == "sumber_data"), None)
                out = inst.derive(inst.name, optional=["sumber_data"]) if field and field.required else inst
                derived = self._sourced = (inst, out)
            return derived[1]
        return inst

    def check(
        self,
        rows: Sequence[tuple[int, dict[str, str] | list[str], Issue | None]],
        columns: Sequence[str] | None = None,
        *,
        stripped: bool = False,
    ) -> ChunkResult:
        """Check a chunk of ``(row, data, read_issue)``; order is kept.

        A rejected row that is the table's total row (its only text ``Jumlah``, ``Total``,
        … and numbers) is rejected with the one issue ``BARIS_JUMLAH`` (delete it) instead of
        one for every required field it leaves blank.
        """
        return _as_total_rows(self._check(rows, columns, stripped=stripped))

    def _check(
        self,
        rows: Sequence[tuple[int, dict[str, str] | list[str], Issue | None]],
        columns: Sequence[str] | None = None,
        *,
        stripped: bool = False,
    ) -> ChunkResult:
        """:meth:`check` without the total rows' issue.

        ``data`` is a dict, or the list of the row's cells in the order of
        ``columns`` (:meth:`~kukm.pipeline.readers.Table.cell_rows`).
        ``stripped``: every cell is text without blanks around it, as kukm's
        readers give them (kukm's instruments then do not strip again). Rows that
        share one set of columns (every row a reader gives, but those it already
        flagged) go through the instrument's column-wise
        :meth:`~kukm.rules.instruments.Instrument.parse_batch` when it has
        one; the outcome is the same as row by row.
        """
        inst = self.instrument
        today = dt.date.today()
        batch = getattr(inst, "parse_batch", None)
        if batch is None or len(rows) < 2:
            return self._check_rows(_as_dicts(rows, columns), inst, today)
        first = rows[0][1]
        if first.__class__ is not list:
            columns = list(first)
        elif columns is None:
            raise TypeError("rows given as lists of cells need their columns")
        else:
            columns = list(columns)
        width = len(columns)
        lists: list[list[str]] = []
        numbers: list[int] = []
        others: list[tuple[int, dict[str, str], Issue | None]] = []
        for row, data, read_issue in rows:
            if data.__class__ is list:  # cells in the order of columns
                assert isinstance(data, list)
                if read_issue is None and len(data) == width:
                    lists.append(data)
                    numbers.append(row)
                else:
                    others.append((row, dict(zip(columns, data, strict=False)), read_issue))
                continue
            assert isinstance(data, dict)
            # a row flagged by the reader, or with other columns than the first (never from
            # kukm's readers), goes row by row
            if read_issue is None and len(data) == width and list(data) == columns:
                lists.append(list(data.values()))
                numbers.append(row)
            else:
                others.append((row, data, read_issue))
        try:
            # issues carry the row numbers given (Issue.with_row), so gaps do not matter
            first_row = numbers[0] if numbers else 1
            if stripped and _is_kukm_instrument(inst):  # a custom one may not take the keyword
                bp = inst.parse_batch(columns, lists, first_row=first_row, today=today, stripped=True)
            else:
                bp = inst.parse_batch(columns, lists, first_row=first_row, today=today)
            result = self._from_batch(bp, numbers, lists, columns, today)
        except Exception:  # a faulty custom rule or converter: row by row, which reports it per row
            return self._check_rows(_as_dicts(rows, columns), inst, today)
        if others:
            result = _merged(result, self._check_rows(others, inst, today))
        return result

    def _from_batch(
        self,
        bp: Any,
        numbers: list[int],
        lists: list[list[str]],
        columns: list[str],
        today: dt.date,
    ) -> ChunkResult:
        accepted: list[Accepted] = []
        rejected: list[Rejected] = []
        codes: collections.Counter[str] = collections.Counter()
        default = self.default_source
        skala: list[str | None] | None = None
        if self.kind == "umkm" and bp.fast:
            from kukm.rules.skala_umkm import skala_kolom

            amounts = {
                a: col
                for a in ("modal_usaha", "kekayaan_bersih", "omzet_tahunan")
                if (col := bp.target_column(a)) is not None
            }
            dates = bp.target_column("tanggal_data") or [None] * bp.n
            skala = skala_kolom(amounts, dates, today=today)
        # with a store that takes prepared ops, clean UMKM rows go from columns to ops
        # without entity objects (kukm.pipeline._prepare); other rows build their record
        blobs = self._column_blobs(bp) if self.prepare_for is not None and skala is not None else None
        # checks alone (nothing stored) need only ids from clean rows, not their records
        columnar = skala is not None and (blobs is not None or not self.keep_records)
        if columnar:
            assert skala is not None
            return self._from_columns(bp, numbers, lists, columns, today, skala, blobs)
        records = bp.records()
        prepared: list[Any] | None = [] if self.prepare_for is not None else None
        slow = bp.slow
        for k in range(bp.n):
            row = numbers[k]
            res = slow.get(k)
            if res is not None:
                outcome, warned = self._judge(row, res, dict(zip(columns, lists[k], strict=False)), today)
                codes.update(warned)
                if isinstance(outcome, Rejected):
                    rejected.append(outcome)
                    continue
                acc = outcome
            else:
                record = records[k]
                sumber = bp.sumber_data(k) or default
                if sumber is None:
                    rejected.append(_no_source(row, dict(zip(columns, lists[k], strict=False))))
                    continue
                assert record is not None
                rid, id_field = record_id(record, sumber.value)
                if skala is not None:
                    atribut: dict[str, str | None] = {"skala": skala[k]}
                else:
                    atribut = classify(record, today=today)
                acc = Accepted(row, rid, id_field, record, atribut, sumber, 0)
            if prepared is not None:
                prepared.append(self._prepare([acc])[0])
                acc = acc._replace(record=None)
            accepted.append(acc)
        return ChunkResult(accepted, rejected, codes.total(), prepared, dict(codes) or None)

    def _judge(
        self, row: int, res: _RowResult, data: dict[str, str], today: dt.date
    ) -> tuple[Accepted | Rejected, list[str]]:
        """A row the per-row parser saw: rejected with its errors (or for want of a source), or
        accepted with its id and classification; and the codes of its warnings."""
        errors = tuple(i for i in res.issues if i.severity is Severity.ERROR)
        warned = [i.code for i in res.issues if i.severity is not Severity.ERROR]
        n_warn = len(warned)
        sumber = res.sumber_data or self.default_source
        if sumber is None and not errors:
            return _no_source(row, data), warned
        if errors or sumber is None or res.record is None:
            return Rejected(row, data, tuple(i.with_row(row) for i in errors)), warned
        record = res.record
        rid, id_field = record_id(record, sumber.value)
        atribut = classify(record, today=today)
        return Accepted(row, rid, id_field, record, atribut, sumber, n_warn), warned

    # -- prepared ops (a store with write_prepared) -------------------------------------
    def _provenance(self, sumber: SumberData) -> Any:
        key = (sumber, self.prepare_for)
        prov = self._provenances.get(key)
        if prov is None:
            petugas, id_pengiriman = self.prepare_for or (None, None)
            prov = self._provenances[key] = provenance_of(petugas, id_pengiriman)(sumber)
        return prov

    def _prepare(self, accepted: Sequence[Accepted]) -> list[Any]:
        """Serialised, hashed ops of accepted rows that carry their record (detached)."""
        from kukm.storage._codec import detach, prepare_ops

        return detach(prepare_ops(write_ops(self.kind, accepted, self._provenance)))

    def _column_blobs(self, bp: Any) -> list[str] | None:
        from kukm.pipeline._prepare import ColumnPreparer

        preparer = self._preparer
        if preparer is None or preparer[0] is not bp._inst:
            preparer = self._preparer = (bp._inst, ColumnPreparer(bp._inst))
        if not preparer[1].supported:
            return None
        blobs: list[str] | None = preparer[1].blobs(bp.values)
        return blobs

    #: the Umkm attributes a record id and the dimension columns are made of
    _ID_TARGETS = (
        "nib", "npwp", "pemilik.nik_penduduk", "id_sumber", "nama_usaha", "alamat.kode_wilayah",
        "kbli", "pemilik.jenis_kelamin", "tanggal_data",
    )  # fmt: skip

    def _from_columns(
        self,
        bp: Any,
        numbers: list[int],
        lists: list[list[str]],
        columns: list[str],
        today: dt.date,
        skala: list[str | None],
        blobs: list[str] | None,
    ) -> ChunkResult:
        """A UMKM batch whose clean rows need no record: ids, scale and (with ``blobs``) the
        store's columns come from the typed columns; only the rows the per-row parser saw
        (``bp.slow``) are handled one by one."""
        from kukm.storage._codec import encode_atribut, regions

        n = bp.n
        slow = bp.slow
        default = self.default_source
        rejected: list[Rejected] = []
        slow_ok: list[Accepted] = []
        codes: collections.Counter[str] = collections.Counter()
        for k, res in sorted(slow.items()):
            outcome, warned = self._judge(numbers[k], res, dict(zip(columns, lists[k], strict=False)), today)
            codes.update(warned)
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
            else:
                slow_ok.append(outcome)
        fast = [k for k in range(n) if k not in slow] if slow else list(range(n))
        si = bp.names.get("sumber_data")
        if si is not None:
            col = bp.values[si]
            given = [s if (s := col[k]).__class__ is SumberData else default for k in fast]
        else:
            given = [default] * len(fast)
        if default is None and None in given:
            keep = []
            for k, s in zip(fast, given, strict=True):
                if s is None:
                    rejected.append(_no_source(numbers[k], dict(zip(columns, lists[k], strict=False))))
                else:
                    keep.append(k)
            fast = keep
        sumbers: list[SumberData] = [s for s in given if s is not None]
        if rejected:
            rejected.sort(key=lambda r: r.row)
        pick = picker(fast)
        absent = [None] * n
        nib, npwp, nik, id_sumber, nama, code, kbli, jk, tanggal = (
            pick(bp.target_column(t) or absent) for t in self._ID_TARGETS
        )
        made = list(map(umkm_id, nib, id_sumber, [s.value for s in sumbers], nama, nik, code, npwp))
        ids: list[str] = [m[0] for m in made]
        id_fields: list[str | None] = [m[1] for m in made]
        sk = pick(skala)
        cache = self._atribut
        for s in set(sk) - cache.keys():
            cache[s] = ({"skala": s}, encode_atribut({"skala": s}))
        hits = [cache[s] for s in sk]
        atribut = [h[0] for h in hits]
        rows = pick(numbers)
        accepted = AcceptedColumns(rows, ids, id_fields, atribut, sumbers)
        prepared: PreparedColumns | None = None
        if blobs is not None and self.prepare_for is not None:
            chosen = pick(blobs)
            provs = [self._provenance(s) for s in sumbers]
            region = [regions(c) for c in code]
            prov_c, kab, kec, kel = (list(x) for x in zip(*region, strict=True)) if region else ([], [], [], [])
            nothing = [None] * len(rows)
            dims: dict[str, list[Any]] = {
                "nib": nib, "npwp": npwp, "nik_penduduk": nik, "nomor_induk_koperasi": nothing,
                "nomor_badan_hukum": nothing, "nama": nama, "kode_wilayah": code,
                "provinsi": prov_c, "kab_kota": kab, "kecamatan": kec, "kelurahan": kel,
                "skala": sk, "jenis": nothing, "bentuk": nothing, "kelompok": nothing,
                "kbli": kbli, "jenis_kelamin": [j.value if j else None for j in jk],
                "status_nik": nothing, "grade": nothing,
            }  # fmt: skip
            prepared = PreparedColumns(
                # hashes (None) are made by whoever reads them first: the writing process, when
                # another process checks, which keeps the checking side (the slower) shorter
                "umkm", ids, chosen, None, provs, tanggal, atribut,
                [h[1] for h in hits], dims,
            )  # fmt: skip
        result = ChunkResult(accepted, rejected, codes.total(), prepared, dict(codes) or None)
        if not slow_ok:
            return result
        # the rows the per-row parser passed go back into row order
        if prepared is None:
            return _merged(result, ChunkResult(slow_ok, [], 0))
        detached = [a._replace(record=None) for a in slow_ok]
        return _merged(result, ChunkResult(detached, [], 0, self._prepare(slow_ok)))

    def _check_rows(
        self,
        rows: Sequence[tuple[int, dict[str, str], Issue | None]],
        inst: Any,
        today: dt.date,
    ) -> ChunkResult:
        accepted: list[Accepted] = []
        rejected: list[Rejected] = []
        codes: collections.Counter[str] = collections.Counter()
        for row, data, read_issue in rows:
            if read_issue is not None:
                rejected.append(Rejected(row, data, (read_issue,)))
                continue
            try:
                res: _RowResult = inst.parse_row(data, row_number=row)
            except Exception as exc:  # an instrument bug must not stop the whole import
                rejected.append(
                    Rejected(
                        row,
                        data,
                        (issue(BARIS_TIDAK_TERBACA, None, None, row=row, detail=repr(exc)[:200]),),
                    )
                )
                continue
            outcome, warned = self._judge(row, res, data, today)
            codes.update(warned)
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
            else:
                accepted.append(outcome)
        if self.prepare_for is None:
            return ChunkResult(accepted, rejected, codes.total(), None, dict(codes) or None)
        prepared = self._prepare(accepted)
        return ChunkResult(
            [a._replace(record=None) for a in accepted], rejected, codes.total(), prepared,
            dict(codes) or None,
        )  # fmt: skip


_WORKER_CHECKER: RowChecker | None = None


def init_worker(checker: RowChecker) -> None:
    """Pool initializer: keep one checker (and its loaded instrument) per worker process."""
    global _WORKER_CHECKER
    _WORKER_CHECKER = checker


def check_chunk(
    rows: Sequence[tuple[int, dict[str, str] | list[str], Issue | None]],
    columns: Sequence[str] | None = None,
    stripped: bool = False,
) -> bytes:
    """Worker entry point: check ``rows`` (:meth:`RowChecker.check`) with the checker given to
    :func:`init_worker`.

    Returns the pickled :class:`ChunkResult` (:func:`dumps_result`); the parent
    reads it with :func:`pickle.loads`.
    """
    if _WORKER_CHECKER is None:  # pragma: no cover - only misuse
        raise RuntimeError("init_worker was not called in this process")
    import gc

    gc.disable()  # a worker makes no reference cycles (kukm._gc.gc_paused)
    return dumps_result(_WORKER_CHECKER.check(rows, columns, stripped=stripped))


def provenance_of(petugas: str | None, id_pengiriman: str | None) -> Callable[[SumberData], Any]:
    """One :class:`~kukm.storage.base.Provenance` per source for this import (shared objects)."""
    from kukm.storage.base import Provenance

    made: dict[SumberData, Provenance] = {}

    def get(sumber: SumberData) -> Provenance:
        prov = made.get(sumber)
        if prov is None:
            prov = made[sumber] = Provenance(sumber, petugas=petugas, id_pengiriman=id_pengiriman)
        return prov

    return get


def write_ops(kind: str, accepted: Sequence[Accepted], provenance: Callable[[SumberData], Any]) -> list[Any]:
    """The store's write ops for accepted rows that carry their record."""
    from kukm.storage.base import WriteOp

    ops = []
    for a in accepted:
        assert a.record is not None, "a prepared row has no record to write again"
        ops.append(
            WriteOp(
                kind,  # type: ignore[arg-type]
                a.id,
                a.record,
                provenance(a.sumber),
                valid_from=getattr(a.record, "tanggal_data", None),
                atribut=a.atribut,
            )
        )
    return ops


def _no_source(row: int, data: dict[str, str]) -> Rejected:
    return Rejected(row, data, (issue(SUMBER_DATA_KOSONG, "sumber_data", "", row=row, kind="lengkap"),))


def _is_kukm_instrument(inst: Any) -> bool:
    from kukm.rules.instruments import Instrument

    return isinstance(inst, Instrument)


def _as_dicts(
    rows: Sequence[tuple[int, dict[str, str] | list[str], Issue | None]],
    columns: Sequence[str] | None,
) -> list[tuple[int, dict[str, str], Issue | None]]:
    """The rows with every list of cells made a dict by ``columns``."""
    out: list[tuple[int, dict[str, str], Issue | None]] = []
    for row, data, read_issue in rows:
        if isinstance(data, list):
            if columns is None:
                raise TypeError("rows given as lists of cells need their columns")
            out.append((row, dict(zip(columns, data, strict=False)), read_issue))
        else:
            out.append((row, data, read_issue))
    return out


def _merged(first: ChunkResult, second: ChunkResult) -> ChunkResult:
    """Two results of one chunk's rows as one, in row order (``first.prepared`` says the form
    of the prepared ops; ``second``'s are ops, or columns, or absent when it accepted none)."""
    accepted: Sequence[Accepted]
    cols = first.accepted if isinstance(first.accepted, AcceptedColumns) else None
    extra_cols = AcceptedColumns.of(second.accepted) if cols is not None else None
    if cols is not None and extra_cols is not None:  # still no records: keep the columns
        joined = cols + extra_cols
        where = sorted(range(len(joined)), key=joined.rows.__getitem__)
        accepted = joined.take(where)
    else:
        both = [*first.accepted, *second.accepted]
        where = sorted(range(len(both)), key=lambda i: both[i].row)
        accepted = [both[i] for i in where]
    prepared = first.prepared
    extra: Any = second.prepared or []
    if isinstance(prepared, PreparedColumns):
        if extra:
            prepared += extra if isinstance(extra, PreparedColumns) else PreparedColumns.from_ops(extra)
        prepared = prepared.take(where)
    elif prepared is not None:
        ops = [*prepared, *extra]
        prepared = [ops[i] for i in where]
    codes = collections.Counter(first.warning_codes or {})
    codes.update(second.warning_codes or {})
    return ChunkResult(
        accepted,
        sorted([*first.rejected, *second.rejected], key=lambda r: r.row),
        first.warnings + second.warnings,
        prepared,
        dict(codes) or None,
    )


@cache
def _dispatch_table() -> dict[type, Any]:
    import attrs

    from kukm.model import Alamat, Keuangan, Pemilik, Pengurus

    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for cls in (Umkm, Koperasi, Alamat, Pemilik, Pengurus, Keuangan, Issue):
        names = tuple(a.name for a in attrs.fields(cls) if a.init)

        def reduce(obj: Any, cls: type = cls, names: tuple[str, ...] = names) -> tuple[Any, ...]:
            return (cls, tuple([getattr(obj, n) for n in names]))

        table[cls] = reduce
    return table


def dumps_result(result: object) -> bytes:
    """Pickle a chunk result (or anything holding entities) with the entities reduced to
    constructor calls.

    attrs' frozen slotted classes restore their state attribute by attribute,
    which made unpickling a record cost more than checking it; as
    ``(class, field values)`` they are rebuilt by their own ``__init__``
    (same validators, equal objects).

    >>> import pickle
    >>> r = ChunkResult([], [Rejected(1, {"a": "b"}, ())], 0)
    >>> pickle.loads(dumps_result(r)) == r
    True
    """
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table()
    pickler.dump(result)
    return buf.getvalue()
