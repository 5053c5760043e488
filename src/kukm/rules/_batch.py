"""Column-wise parsing of many rows (:meth:`kukm.rules.instruments.Instrument.parse_batch`).

Per row, Python spends most of its time on bookkeeping: a dictionary lookup,
a strip, a test and an assignment for each of twenty fields. Here each field
is handled as one column, with the loops inside C where the standard library
allows (``map(str.strip, …)``, dictionary ``get``, ``min``/``max``), and each
value goes through the **same** converter the per-row parser uses. A row
takes the fast road only when every one of its values converted without a
doubt and no cross-field rule's screen picked it; every other row (a blank
required value, an invalid or odd value, a warning, a rule finding) is
parsed again by the per-row parser, so its issues are exactly those
:meth:`~kukm.rules.instruments.Instrument.parse_row` reports. Tests check the
two roads agree on generated rows, good and bad.

Records of fast rows are built only when asked for (:meth:`BatchParse.record`):
bulk work that stores rows builds them; a check that only needs verdicts and
typed values does not pay for them.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from kukm._gc import gc_paused
from kukm.model import Koperasi, SumberData, Umkm
from kukm.rules.amounts import BLANK_CELLS as _BLANKS
from kukm.rules.amounts import EXCEL_ERRORS as _ERRORS
from kukm.rules.amounts import parse_date

if TYPE_CHECKING:
    from kukm.rules.instruments import Field, Instrument, RowResult

__all__ = ["BatchParse", "BatchParser"]

_MISS: Final = object()  # "not sure": the row goes the per-row road
_strip = str.strip


def _stripped(col: Sequence[Any]) -> list[Any]:
    try:
        return list(map(_strip, col))
    except TypeError:  # a non-text cell (XLSX numbers, dates) or an absent one (None)
        return [
            s.strip() if s.__class__ is str else ("" if s is None else str(s).strip()) for s in col
        ]


def _positions(seq: list[Any], value: object) -> list[int]:
    """Indexes of ``value`` in ``seq`` (``list.index`` scans in C)."""
    out: list[int] = []
    index = seq.index
    k = -1
    try:
        while True:
            k = index(value, k + 1)
            out.append(k)
    except ValueError:
        return out


def _safe(conv: Callable[[str], Any], required: bool) -> Callable[[Any], Any]:
    """``conv`` that answers ``_MISS`` instead of raising (the per-row road reports why)."""

    def convert(raw: Any) -> Any:
        if not raw:
            return _MISS if required else None
        try:
            return conv(raw)
        except Exception:  # _Bad, _Warn, ValueError: all go the per-row road
            return _MISS

    return convert


# Forms that need no general rule, read with C-level string methods over the whole
# column; tests check each agrees with the converter the per-row parser uses.
_RUPIAH_SIMPLE: Final = re.compile(r"(?:Rp ?)?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)")
_INT_SIMPLE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+")
_NIB_PLAIN: Final = re.compile(r"[0-9]{13}")  # kukm.ids.nib.validate returns such a value as is
_JUTA: Final = re.compile(r"(?:Rp ?)?([0-9]{1,7}) ?(?:juta|jt)")
_TELEPON_SIMPLE: Final = re.compile(r"0(?:[2-79][0-9]{7,10}|8[0-9]{8,11})|\+628[0-9]{8,11}")


def _amounts(
    rx: re.Pattern[str], slow: Callable[[Any], Any], *, juta: bool = False
) -> Callable[[list[Any]], list[Any]]:
    """Whole rupiah/counts: simple forms by ``str.replace`` + ``int`` over the column."""
    fullmatch = rx.fullmatch
    juta_match = _JUTA.fullmatch

    def other(raw: Any) -> Any:
        m = juta_match(raw) if juta and raw else None
        return int(m.group(1)) * 1_000_000 if m is not None else slow(raw)

    def column(col: list[Any]) -> list[Any]:
        if not col:
            return []
        matches = list(map(fullmatch, col))
        odd = _positions(matches, None)
        text = col
        if odd:
            text = list(col)
            for k in odd:
                text[k] = "0"
        out: list[Any] = list(
            map(
                int, "\n".join(text).replace("Rp", "").replace(" ", "").replace(".", "").split("\n")
            )
        )
        return _redo(out, col, odd, other)

    return column


def _telepon(slow: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """Indonesian numbers already in a plain national or E.164 form → E.164."""
    fullmatch = _TELEPON_SIMPLE.fullmatch

    def column(col: list[Any]) -> list[Any]:
        return [("+62" + s[1:] if s[0] == "0" else s) if fullmatch(s) else slow(s) for s in col]

    return column


def _redo(out: list[Any], col: list[Any], at: list[int], convert: Callable[[Any], Any]) -> list[Any]:
    """``out`` with the values at positions ``at`` converted one by one from ``col``."""
    for k in at:
        out[k] = convert(col[k])
    return out


def _fill_blanks(out: list[Any], col: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """Where ``out`` holds ``None``, the per-value ``convert`` decides (blank or doubtful)."""
    return _redo(out, col, _positions(out, None), convert) if None in out else out


def _enum(table: dict[str, Any], convert: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    get = table.get
    lower = str.lower
    return lambda col: _fill_blanks(list(map(get, map(lower, col))), col, convert)


def _pattern(
    rx: re.Pattern[str], convert: Callable[[Any], Any]
) -> Callable[[list[Any]], list[Any]]:
    """Values that ``rx`` fully matches are kept as they are (the converter's own fast path)."""
    fullmatch = rx.fullmatch

    def column(col: list[Any]) -> list[Any]:
        ok = list(map(fullmatch, col))
        return _redo(list(col), col, _positions(ok, None), convert)

    return column


def _memo(convert: Callable[[Any], Any], limit: int = 100_000) -> Callable[[list[Any]], list[Any]]:
    """Few distinct values (region codes, KBLI): each converted once."""
    memo: dict[Any, Any] = {}
    get = memo.get

    def one(raw: Any) -> Any:
        v = convert(raw)
        if v is not _MISS and v is not None and raw:
            if len(memo) >= limit:
                memo.clear()
            memo[raw] = v
        return v

    return lambda col: _fill_blanks(list(map(get, col)), col, one)


def _column_fn(f: Field, conv: Callable[[str], Any]) -> Callable[[list[Any]], list[Any]]:
    """Stripped column → typed column (``_MISS`` where the per-row road must decide)."""
    from kukm.rules.instruments import _EMAIL, FieldType, _enum_table

    required = f.required
    if f.type is FieldType.ENUM and not f.vocabulary:
        return _enum(_enum_table(f), _safe(conv, required))
    if f.type is FieldType.EMAIL:
        return _pattern(_EMAIL, _safe(conv, required))
    if f.type is FieldType.IDENTIFIER and f.identifier == "nib":
        return _pattern(_NIB_PLAIN, _safe(conv, required))
    if f.type is FieldType.IDENTIFIER and f.identifier in ("kode_wilayah", "kbli"):
        return _memo(_safe(conv, required))
    if f.type is FieldType.RUPIAH and (f.minimum is None or f.minimum <= 0):
        return _amounts(_RUPIAH_SIMPLE, _safe(conv, required), juta=True)
    if f.type is FieldType.INT and (f.minimum is None or f.minimum <= 0):
        return _amounts(_INT_SIMPLE, _safe(conv, required))
    if f.type is FieldType.IDENTIFIER and f.identifier == "telepon":
        return _telepon(_safe(conv, required))
    if conv is str:  # free text without a length limit
        if required:

            def required_text(col: list[Any]) -> list[Any]:
                lengths: list[int] = list(map(len, col))
                if not lengths or min(lengths) > 0:
                    return col
                return [s or _MISS for s in col]

            return required_text
        return lambda col: [s or None for s in col]
    if f.type is FieldType.STR and f.max_length is not None:
        limit = f.max_length

        def text(col: list[Any]) -> list[Any]:
            lengths = list(map(len, col))
            if lengths and max(lengths) <= limit and (min(lengths) or not required):
                return [s or None for s in col] if not required else col
            empty = _MISS if required else None
            return [(s if len(s) <= limit else _MISS) if s else empty for s in col]

        return text
    if f.type is FieldType.DATE:
        memo: dict[str, dt.date] = {}
        get = memo.get

        def date(raw: Any) -> Any:
            if not raw:
                return _MISS if required else None
            d = get(raw)
            if d is not None:  # seen earlier in this column: the same object (pickles once)
                return d
            try:
                d = memo[raw] = parse_date(raw)
            except ValueError:
                return _MISS
            if len(memo) > 50_000:
                memo.clear()
            return d

        def dates(col: list[Any]) -> list[Any]:
            out = list(map(get, col))
            if None in out:
                out = [d if d is not None else date(s) for d, s in zip(out, col, strict=True)]
            return out

        return dates
    convert = _safe(conv, required)
    return lambda col: list(map(convert, col))


class BatchParse:
    """The outcome of :meth:`Instrument.parse_batch` for ``n`` rows.

    ``fast`` lists the rows (0-based indexes) that passed without any issue;
    ``slow`` maps every other row to its full per-row :class:`RowResult`.
    """

    __slots__ = ("_inst", "_ok", "_values", "fast", "first_row", "n", "names", "slow", "targets")

    def __init__(
        self,
        inst: Instrument,
        values: list[list[Any]],
        fast: list[int],
        slow: dict[int, RowResult],
        first_row: int,
    ) -> None:
        self._inst = inst
        self._values = values
        self.names: dict[str, int] = {f.name: i for i, f in enumerate(inst.fields)}
        #: entity attribute (``"pemilik.nik_penduduk"``) → field index (the last field wins,
        #: as in the record the per-row parser builds)
        self.targets: dict[str, int] = {
            f.target: i for i, f in enumerate(inst.fields) if f.target not in (None, "-")
        }
        self.fast = fast
        self.slow = slow
        self.first_row = first_row
        self.n = len(fast) + len(slow)
        self._ok: list[int] | None = None

    def ok_rows(self) -> list[int]:
        """Indexes of the rows that give a record (fast rows and slow rows with warnings only)."""
        if self._ok is None:
            if self.slow:
                self._ok = sorted([*self.fast, *(k for k, r in self.slow.items() if r.record is not None)])
            else:
                self._ok = list(self.fast)
        return list(self._ok)

    def column(self, name: str) -> list[Any]:
        """The typed values of one field for every row (meaningful on fast rows)."""
        return self._values[self.names[name]]

    @property
    def values(self) -> list[list[Any]]:
        """Every field's typed column, in the instrument's field order (meaningful on fast rows)."""
        return self._values

    def target_column(self, target: str) -> list[Any] | None:
        """The typed column of the field that fills entity attribute ``target`` (or ``None``)."""
        i = self.targets.get(target)
        return self._values[i] if i is not None else None

    def ok_column(self, name: str) -> list[Any]:
        """The typed values of one field on the rows of :meth:`ok_rows`, in that order."""
        col = self._values[self.names[name]]
        if not self.slow:
            return list(col)
        ok = self.ok_rows()
        out = list(operator.itemgetter(*ok)(col)) if len(ok) > 1 else [col[k] for k in ok]
        get = self._inst._getters[self.names[name]][1]
        for k, res in self.slow.items():
            if res.record is not None:  # a slow row with warnings only: its value is its record's
                out[bisect_left(ok, k)] = get(res.record)
        return out

    def value(self, name: str, k: int) -> Any:
        """The typed value of field ``name`` on row ``k`` (a fast or a valid slow row)."""
        res = self.slow.get(k)
        if res is not None:
            return self._inst._getters[self.names[name]][1](res.record) if res.record else None
        return self._values[self.names[name]][k]

    def record(self, k: int) -> Umkm | Koperasi | None:
        """The record of row ``k`` (``None`` when the row has errors)."""
        res = self.slow.get(k)
        if res is not None:
            return res.record
        build = self._inst._build
        assert build is not None
        record: Umkm | Koperasi = build(*[v[k] for v in self._values])
        return record

    def records(self) -> list[Umkm | Koperasi | None]:
        """Every row's record, in order (``None`` for rows with errors); built column-wise.

        The cyclic GC is paused meanwhile: records make no cycles, and its passes
        would walk every live object of the caller's (often large) data.
        """
        build = self._inst._build
        assert build is not None
        with gc_paused():  # no cycles among records (see BatchParser.parse)
            out: list[Umkm | Koperasi | None] = list(map(build, *self._values)) if self.n else []
        for k, res in self.slow.items():
            out[k] = res.record
        return out

    def sumber_data(self, k: int) -> SumberData | None:
        """The row's ``sumber_data`` when the form has that field and it was valid."""
        res = self.slow.get(k)
        if res is not None:
            return res.sumber_data
        i = self.names.get("sumber_data")
        v = self._values[i][k] if i is not None else None
        return v if v.__class__ is SumberData else None

    def result(self, k: int) -> RowResult:
        """Row ``k`` as :meth:`Instrument.parse_row` gives it."""
        from kukm.rules.instruments import RowResult

        res = self.slow.get(k)
        if res is not None:
            return res
        return RowResult(self.record(k), [], self.sumber_data(k), self.first_row + k)

    def results(self) -> list[RowResult]:
        """Every row's :class:`RowResult`, in order."""
        return [self.result(k) for k in range(self.n)]


class BatchParser:
    """The column plan of one instrument (built once, on first use)."""

    def __init__(self, inst: Instrument) -> None:
        from kukm.rules.instruments import FieldType, _compile_field

        self.inst = inst
        self.plan = [(f, _column_fn(f, _compile_field(f))) for f in inst.fields]
        self._text = {f.name for f in inst.fields if f.type is FieldType.STR}
        # fields other than text with a length limit (text checks it in its converter)
        self._limits = {
            f.name: f.max_length
            for f in inst.fields
            if f.max_length is not None and f.type is not FieldType.STR
        }
        index = {f.name: i for i, f in enumerate(inst.fields)}
        self.rules = [(r, [(x, index[x]) for x in r.fields if x in index]) for r in inst.rules]

    def parse(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        first_row: int,
        today: dt.date | None,
        stripped: bool = False,
    ) -> BatchParse:
        inst = self.inst
        n = len(rows)
        width = len(columns)
        given = rows
        suspect: set[int] = set()
        if n and (min(map(len, rows)) != width or max(map(len, rows)) != width):
            suspect.update(k for k, r in enumerate(rows) if len(r) != width)
            rows = [(list(r) + [None] * width)[:width] for r in rows]
            stripped = False  # the padding is None: make it text
        strip = list if stripped else _stripped
        cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if n else [() for _ in columns]
        where = {c: i for i, c in enumerate(columns)}
        values: list[list[Any]] = []
        for f, fn in self.plan:
            names = [x for x in (f.name, *f.aliases) if x in where]
            if not names:
                col: list[Any] = [_MISS if f.required else None] * n
            else:
                raw = strip(cols[where[names[0]]])
                if len(names) > 1 and names[0] == f.name:
                    # the per-row parser falls back to an alias when the column itself is blank
                    suspect.update(k for k, s in enumerate(raw) if not s)
                limit = self._limits.get(f.name)
                if limit is not None and raw and max(map(len, raw)) > limit:
                    # longer than the field allows (an identifier or a choice): per-row road
                    suspect.update(k for k, s in enumerate(raw) if len(s) > limit)
                if f.name in self._text:
                    if not _BLANKS.isdisjoint(raw):
                        # "-", "tidak ada" in a text field: blank, as the per-row parser reads
                        # it (in any other field such a cell fails the column's check, and its
                        # row goes the per-row road)
                        raw = ["" if s in _BLANKS else s for s in raw]
                    if not _ERRORS.isdisjoint(raw):
                        # "#N/A" is text a text field would take: the per-row parser reports it
                        suspect.update(k for k, s in enumerate(raw) if s in _ERRORS)
                    joined = "\x01".join(raw)  # one scan in C for what the per-row parser reads apart
                    if '="' in joined:  # ="…" is read inside its quotes
                        suspect.update(k for k, s in enumerate(raw) if s[:2] == '="')
                    if "\x00" in joined:  # a NUL is never text (TEKS_NUL)
                        suspect.update(k for k, s in enumerate(raw) if "\x00" in s)
                col = fn(raw)
            if _MISS in col:
                suspect.update(_positions(col, _MISS))
                col = [None if v is _MISS else v for v in col]  # rule screens see typed values
            values.append(col)
        if self.rules:
            ref = today or dt.date.today()
            for rule, idx in self.rules:
                if rule.screen is not None:
                    suspect.update(rule.screen({x: values[i] for x, i in idx}, ref))
                    continue
                check = rule.check
                for k in range(n):
                    if k not in suspect and check({x: values[i][k] for x, i in idx}, ref):
                        suspect.add(k)
        slow: dict[int, RowResult] = {}
        if suspect:
            parse = inst._parse
            for k in sorted(suspect):
                slow[k] = parse(dict(zip(columns, given[k], strict=False)), first_row + k, today)
            fast = [k for k in range(n) if k not in suspect]
        else:
            fast = list(range(n))
        return BatchParse(inst, values, fast, slow, first_row)
