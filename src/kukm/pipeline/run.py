"""The streaming bulk pipeline: read → check → classify → store (Kepgub F.1–F.3).

Memory stays bounded whatever the file size: rows are read one at a time,
checked in chunks (``batch_size`` rows), and each chunk is written to the store
as one atomic, idempotent batch whose key is derived from the file's content
hash and the chunk's index. Importing the same file again therefore replays
nothing: every batch is found already committed. A corrected errors file is
a different file, so its rows are written normally; unchanged records are
recognised by content and add nothing. Batch keys also name the instrument
(name, version, file hash), so a changed form checks every row again.

After each committed batch the pipeline notes it in the document collection
:data:`BATCH_DOCS` (accepted count, rejected and duplicate row numbers). On a
re-import a committed chunk is not checked again: only its rejected rows are,
so the errors file comes out the same, at a fraction of the cost. The note is
written after the commit; if a crash falls between the two, the next run
checks the chunk and the store replays the batch.

The work splits in two: a *producer* (:func:`_produce`) reads the file,
checks each chunk and rejects rows that repeat an earlier id; the importing
process writes each checked chunk to the store. With ``workers=0`` both run
here. With ``workers=1`` the producer runs in **one reader process** and hands
over checked chunks (at most two waiting), so this process only writes; with a
store that takes prepared ops (``write_prepared``) the reader also serialises
the records, and clean UMKM rows travel as columns. With ``workers`` ≥ 2 this
process reads and the checks run in a pool over chunks (a bounded window in
flight, results taken in order). Row numbers stay exact and memory bounded in
every mode. Left unset (``workers=None``), a file of at least
:data:`AUTO_WORKER_BYTES` imported into a store on a machine with two or more
CPUs gets the reader process where processes are forked (see
:func:`default_workers`); smaller files, one-CPU machines, validation
without a store (1M rows: 17.6 s with a worker, 18.1 s without) and a
``checker`` given by the caller stay in this process. On the 2-core test
machine (one million UMKM rows into SQLite) the reader process took 24.4–31.9 s
against 36.2–44.1 s in-process and 27.6–34.0 s with a pool of two, with 227–251 MB
for the two processes together against 359–435 MB for the pool (sum of RSS;
``benchmarks/bench_import.py`` measures all three, and the rows in random order).

A row whose record id (see :mod:`kukm.pipeline.checks`) already appeared
earlier in the same file is rejected with ``BARIS_DUPLIKAT`` on the field the
id was made from, so one file never holds two versions of one business (nor
one workbook, read sheet by sheet with ``seen``).

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = p.write_text("nama_usaha\\n")
>>> summary = run_file(p, kind="umkm", checker=RowChecker("umkm", instrument=object()))
>>> summary.input, summary.accepted, summary.rejected
(0, 0, 0)
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import itertools
import os
import pickle
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeVar

from attrs import define, evolve, field

from kukm._gc import gc_paused
from kukm._seen import SeenIds
from kukm.exceptions import ConfigurationError, Issue, issue, register_code
from kukm.model import SumberData
from kukm.pipeline.checks import (
    Accepted,
    AcceptedColumns,
    ChunkResult,
    Rejected,
    RowChecker,
    check_chunk,
    dumps_result,
    init_worker,
    load_instrument,
    provenance_of,
    write_ops,
)
from kukm.pipeline.errors import ErrorsWriter, check_errors_path
from kukm.pipeline.header import (
    BERKAS_KOSONG,
    HEADER_DUA_BARIS,
    HeaderMatch,
    header_score,
    match_header,
    refuse_blank_file,
    second_title_row,
)
from kukm.pipeline.readers import Format, Table, open_table
from kukm.pipeline.wilayah import WilayahFill, owner_qualified
from kukm.storage._codec import PreparedColumns, PreparedOp
from kukm.storage.base import Store

__all__ = [
    "AUTO_WORKER_BYTES",
    "BARIS_DUPLIKAT",
    "ImportSummary",
    "SeenIds",
    "data_sheets",
    "default_workers",
    "file_digest",
    "gc_paused",
    "run_file",
]

BARIS_DUPLIKAT: Final = register_code(
    "BARIS_DUPLIKAT",
    "Usaha/koperasi yang sama sudah ada pada baris sebelumnya dalam berkas ini.",
    "The same business/cooperative already appears on an earlier row of this file.",
    module=__name__,
)

#: Files at least this large (about 20,000 UMKM rows of CSV) get one worker process by default.
AUTO_WORKER_BYTES: Final = 4 << 20

#: Document collection recording committed import batches (skipped on re-import).
BATCH_DOCS: Final = "kukm_import_batches"

_KIND_CHECK = ("umkm", "koperasi")
T = TypeVar("T")


@define
class ImportSummary:
    """What a validation or import did. ``input == accepted + rejected`` always holds."""

    kind: str
    file: str
    input: int = 0
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: int = 0
    #: chunks of the file recorded in the store (each with its note; 0 when validating)
    batches: int = 0
    replayed_batches: int = 0
    stored: bool = False
    errors_file: str | None = None
    workers: int = 0
    seconds: float = 0.0
    by_code: collections.Counter[str] = field(factory=collections.Counter)
    by_field: collections.Counter[str] = field(factory=collections.Counter)
    #: the warnings by problem code (rows checked in this run; a replayed chunk's are not)
    warnings_by_code: collections.Counter[str] = field(factory=collections.Counter)
    encoding: str | None = None
    delimiter: str | None = None
    #: how the file's header matched the instrument (:mod:`kukm.pipeline.header`)
    header: HeaderMatch | None = None
    #: the line of the file holding the header (an XLSX sheet may have titles above it)
    header_line: int = 1
    #: rows whose blank kode_wilayah was read from their region names (kukm.pipeline.wilayah),
    #: and the columns the names came from
    wilayah_filled: int = 0
    wilayah_columns: tuple[str, ...] = ()
    #: XLSX: the sheet read (the one whose header fits the form best) and every sheet
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``.

        >>> ImportSummary("umkm", "a.csv", input=2, accepted=1, rejected=1).as_dict()["input"]
        2
        """
        return {
            "kind": self.kind,
            "file": self.file,
            "input": self.input,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "warnings": self.warnings,
            "warnings_by_code": dict(self.warnings_by_code.most_common()),
            "stored": self.stored,
            "batches": self.batches,
            "replayed_batches": self.replayed_batches,
            "errors_file": self.errors_file,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.input / self.seconds) if self.seconds else None,
            "rejected_by_code": dict(self.by_code.most_common()),
            "rejected_by_field": dict(self.by_field.most_common()),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "wilayah_filled": self.wilayah_filled,
            "wilayah_columns": list(self.wilayah_columns),
            "sheet": self.sheet,
            "sheets": list(self.sheets),
            "header": None
            if self.header is None
            else {**self.header.as_dict(), "line": self.header_line},
        }


def _digest_and_lines(path: str | Path) -> tuple[str, int]:
    """:func:`file_digest` and the number of line breaks, in one pass over the bytes."""
    h = hashlib.blake2b(digest_size=16)
    lines = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            lines += block.count(b"\n")
    return h.hexdigest(), lines


def file_digest(path: str | Path) -> str:
    """BLAKE2b of a file's bytes (streamed), used for batch keys and ``id_pengiriman``.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f"
    >>> _ = p.write_bytes(b"abc")
    >>> file_digest(p)[:12]
    'cf4ab791c62b'
    """
    return _digest_and_lines(path)[0]


#: ``(row, data, read issue)``; data a dict, or the row's cells in the order of the columns
_Chunk = list[tuple[int, Any, Issue | None]]


def _chunks(
    rows: Iterable[tuple[int, Any]],
    read_issues: dict[int, Issue],
    size: int,
) -> Iterator[_Chunk]:
    chunk: _Chunk = []
    for row, data in rows:
        chunk.append((row, data, read_issues.pop(row, None) if read_issues else None))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _results(
    checker: RowChecker,
    chunks: Iterator[tuple[T, _Chunk]],
    workers: int,
    columns: list[str] | None = None,
) -> Iterator[tuple[T, _Chunk, ChunkResult]]:
    """(tag, chunk, result) in input order; at most ``2 * workers`` chunks in flight.

    The chunks come from kukm's readers, whose cells are already stripped."""
    if workers <= 0:
        for tag, chunk in chunks:
            # cells from kukm's readers are already stripped
            yield tag, chunk, checker.check(chunk, columns, stripped=True)
        return
    window: collections.deque[tuple[T, _Chunk, Future[bytes]]] = collections.deque()
    with ProcessPoolExecutor(
        max_workers=workers, initializer=init_worker, initargs=(checker,)
    ) as pool:
        for tag, chunk in chunks:
            window.append((tag, chunk, pool.submit(check_chunk, chunk, columns, True)))
            if len(window) >= 2 * workers:
                t, done, fut = window.popleft()
                yield t, done, pickle.loads(fut.result())
        while window:
            t, done, fut = window.popleft()
            yield t, done, pickle.loads(fut.result())


def default_workers(
    path: str | Path, *, cpus: int | None = None, any_start_method: bool = False
) -> int:
    """Worker processes :func:`run_file` uses for an import when not told: 1 for a file of
    at least :data:`AUTO_WORKER_BYTES` on a machine with 2 or more CPUs, else 0 (see the
    module text; a validation without a store uses none).

    Also 0 in a daemonic process (a worker of a ``multiprocessing`` pool may not
    start processes) and, unless ``any_start_method``, where new processes are
    not forked: *spawn* and *forkserver* import the calling program again, which
    then needs an ``if __name__ == "__main__":`` guard (the ``kukm`` command has
    one and passes ``True``).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes(b"x" * AUTO_WORKER_BYTES)
    >>> default_workers(p, cpus=2), default_workers(p, cpus=1)
    (1, 0)
    >>> _ = p.write_bytes(b"x" * (AUTO_WORKER_BYTES - 1))
    >>> default_workers(p, cpus=2)
    0
    """
    import multiprocessing

    cpus = os.cpu_count() if cpus is None else cpus
    try:
        size = Path(path).stat().st_size
    except OSError:
        return 0  # opening the file reports the problem
    if multiprocessing.current_process().daemon:
        return 0
    if not any_start_method and _start_method() != "fork":
        return 0
    return 1 if (cpus or 1) >= 2 and size >= AUTO_WORKER_BYTES else 0


def data_sheets(
    path: str | Path, *, kind: str, instrument_path: str | Path | None = None
) -> list[str]:
    """The sheets of a workbook that hold a table of the form: those whose header names as
    many of its fields as the best sheet's does (none of a CSV or JSON lines file, nor of a
    workbook no sheet of which names a field). A workbook kept one sheet per kecamatan gives
    them all; a cover or instructions sheet, none.

    >>> import pathlib, tempfile
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); ws = wb.active; ws.title = "Petunjuk"; ws.append(["Isi tiap lembar"])
    >>> for t in ("Gambir", "Senen"): wb.create_sheet(t).append(["nama_usaha", "nib", "alamat"])
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.xlsx"; wb.save(p)
    >>> data_sheets(p, kind="umkm")
    ['Gambir', 'Senen']
    """
    score = header_score(load_instrument(kind, str(instrument_path) if instrument_path else None))
    with open_table(path) as table:  # without a score only the first sheet is opened
        titles = list(table.sheets)
    if score is None or not titles:
        return []
    scores: dict[str, int] = {}
    for title in titles:
        with open_table(path, header_score=score, sheet=title) as table:
            scores[title] = score(list(table.columns))
    best = max(scores.values())
    return [t for t in titles if best > 0 and scores[t] == best]


def _start_method() -> str:
    """How ``multiprocessing`` starts processes here (without fixing the choice)."""
    import multiprocessing

    return multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]


def _instrument_key(checker: RowChecker) -> str:
    """Identity of the instrument in batch keys: a changed form re-checks every row."""
    inst = checker.instrument
    parts = [str(getattr(inst, "name", "")), str(getattr(inst, "versi", "") or "")]
    if checker.instrument_path:
        parts.append(file_digest(checker.instrument_path)[:16])
    return ".".join(p for p in parts if p) or type(inst).__name__


class _Reading(NamedTuple):
    """What the producer needs to read a file (picklable: it may go to the reader process)."""

    path: Path
    format: Format | None
    encoding: str | None
    delimiter: str | None
    batch_size: int
    base_key: str
    wrap_rows: Callable[[Iterable[tuple[int, dict[str, str]]]], Iterable[tuple[int, dict[str, str]]]] | None
    #: workbooks: the sheet asked for (``None``: the one whose header fits the form best)
    sheet: str | None = None
    #: ids accepted before this file's first row (the other sheets of its workbook)
    seen: SeenIds | None = None


class _Header(NamedTuple):
    """The file as the reader opened it (first item of the producer)."""

    columns: list[str]
    encoding: str | None
    delimiter: str | None
    format: str
    #: the file's own column titles, in the order of ``columns`` (the errors file's header)
    labels: list[str]
    match: HeaderMatch
    #: the 1-based line of the file (or sheet) holding the header
    line: int
    #: XLSX: the sheet read, and every sheet of the workbook
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    #: the columns region names are read from for a blank kode_wilayah (kukm.pipeline.wilayah)
    wilayah_columns: tuple[str, ...] = ()


class _Step(NamedTuple):
    """One chunk, checked and with repeated rows rejected: what the writer needs of it."""

    key: str
    done: dict[str, Any] | None
    n_in: int
    warnings: int
    accepted: Sequence[Accepted]
    rejected: list[Rejected]  # in row order
    prepared: list[Any] | PreparedColumns | None
    #: rows of this chunk whose kode_wilayah came from their region names
    wilayah_filled: int = 0
    #: its warnings by problem code
    warning_codes: dict[str, int] | None = None


def _committed(store: Store | None, base_key: str) -> dict[str, dict[str, Any]]:
    """The notes of every committed batch of this file, read once before reading it (the
    producer may run in another process). Every import of the file notes its chunks in order
    from the first, so the notes are those of chunks 0, 1, … up to the first without one."""
    found: dict[str, dict[str, Any]] = {}
    index = 0
    while store is not None:
        key = f"{base_key}:{index}"
        doc = store.get_document(BATCH_DOCS, key)
        if doc is None:
            break
        found[key] = doc
        index += 1
    return found


def _match(table: Table, instrument: Any, kind: str) -> tuple[_Header, WilayahFill | None]:
    """The open file's header against the form (:mod:`kukm.pipeline.header`), the table's
    columns renamed to match, and the filler of region codes from names, if the rule applies
    (:mod:`kukm.pipeline.wilayah`)."""
    labels = list(table.columns)
    match = match_header(instrument, labels)
    match.raise_if_foreign(kind)
    if match.missing and second_title_row(table.raw_columns, table.next_row):
        # every row would fail the fields the second row names: one clear refusal instead
        below = ", ".join(repr(c) for c in table.next_row or () if c.strip())
        raise ConfigurationError(
            f"the column titles of {table.path.name} seem to span two rows (line "
            f"{table.header_line} and the row below it: {below}); missing fields "
            f"{', '.join(match.missing)}: put each column's title in one row (unmerge the "
            "cells), then import again",
            code=HEADER_DUA_BARIS,
        )
    table.rename(match.renamed)
    table.long_number_columns = set(table.columns) - set(match.unknown)
    fields = {f.name: f for f in getattr(instrument, "fields", ())}
    code_field = fields.get("kode_wilayah")
    fill = WilayahFill.plan(
        table.columns, fields, required=bool(getattr(code_field, "required", True))
    )
    columns = list(table.columns)
    sources: tuple[str, ...] = ()
    if fill is not None:  # the region names are used, not ignored
        sources = tuple(labels[columns.index(c)] for c in fill.sources)
        match = evolve(match, unknown=tuple(c for c in match.unknown if c not in fill.sources))
        if len(fill.columns) > len(columns):  # a kode_wilayah column added after the others
            labels = [*labels, *fill.columns[len(columns) :]]
            match = evolve(match, missing=tuple(m for m in match.missing if m not in fill.columns))
        columns = list(fill.columns)
    if code_field is not None:  # a region column of the owner's is not taken: say why
        owners = {c: why for c in match.unknown if c not in match.unclear and (why := owner_qualified(c))}
        if owners:
            match = evolve(match, unclear={**match.unclear, **owners})
    header = _Header(
        columns, table.encoding, table.delimiter, table.format, labels, match,
        table.header_line, table.sheet, tuple(table.sheets), sources,
    )  # fmt: skip
    return header, fill


def _produce(
    reading: _Reading,
    checker: RowChecker,
    committed: Mapping[str, dict[str, Any]],
    workers: int,
) -> Generator[_Header | _Step, None, None]:
    """Read, check and drop repeated rows: a :class:`_Header`, then one :class:`_Step` per chunk.

    Runs in the importing process (checks in a pool when ``workers`` > 1) or
    in the reader process (:func:`_in_reader_process`)."""
    seen = SeenIds() if reading.seen is None else reading.seen.copy()
    instrument = getattr(checker, "instrument", None)
    with open_table(
        reading.path,
        format=reading.format,
        encoding=reading.encoding,
        delimiter=reading.delimiter,
        header_score=header_score(instrument),
        sheet=reading.sheet,
    ) as table:
        header, fill = _match(table, instrument, checker.kind)
        columns = header.columns
        cells = _not_empty(table)
        yield header

        def planned() -> Iterator[tuple[tuple[str, dict[str, Any] | None], _Chunk]]:
            # a chunk whose batch was committed before needs only its rejected rows re-checked
            wrap = reading.wrap_rows
            rows = wrap(cells) if wrap is not None else cells  # type: ignore[arg-type]
            if header.match.unknown:
                rows = _with_form_data(rows, list(table.columns), header.match.unknown, table.row_issues)
            if fill is not None:
                rows = fill.wrap(rows, table.row_issues)
            for index, chunk in enumerate(_chunks(rows, table.row_issues, reading.batch_size)):
                key = f"{reading.base_key}:{index}"
                done = committed.get(key)
                if done is not None:
                    again = set(done.get("rejected", ())) | {
                        d[0] for d in done.get("duplicates", ())
                    }
                    yield (key, done), [c for c in chunk if c[0] in again]
                else:
                    yield (key, None), chunk

        filled = 0
        for (key, done), chunk, result in _results(checker, planned(), workers, columns):
            accepted: Sequence[Accepted]
            rejected: list[Rejected] = list(result.rejected)
            dups = {int(d[0]): d for d in (done or {}).get("duplicates", ())}
            cols = result.accepted
            kept: list[int] | None = None  # positions of result.accepted kept, if not all
            if not dups and isinstance(cols, AcceptedColumns):
                # the column road: one pass over the ids, no object per row
                again = seen.add_all(cols.ids)
                for k in again:
                    rejected.append(
                        _duplicate(chunk, columns, cols.rows[k], cols.id_fields[k], cols.ids[k])
                    )
                if again:
                    drop = set(again)
                    kept = [k for k in range(len(cols)) if k not in drop]
                    cols = cols.take(kept)
                accepted = cols
            else:
                accepted = []
                kept = []
                for k, acc in enumerate(result.accepted):
                    if acc.row in dups:
                        _, fld, rid = dups[acc.row]
                        rejected.append(_duplicate(chunk, columns, acc.row, fld, rid))
                        continue
                    if not seen.add(acc.id):
                        rejected.append(_duplicate(chunk, columns, acc.row, acc.id_field, acc.id))
                        continue
                    accepted.append(acc)
                    kept.append(k)
            prepared = result.prepared
            if prepared is not None and kept is not None and len(kept) != len(result.accepted):
                prepared = (
                    prepared.take(kept)
                    if isinstance(prepared, PreparedColumns)
                    else [prepared[i] for i in kept]
                )
            rejected.sort(key=lambda r: r.row)
            n_in = len(result.accepted) + len(result.rejected)
            now = fill.filled if fill is not None else 0
            yield _Step(
                key, done, n_in, result.warnings, accepted, rejected, prepared, now - filled,
                result.warning_codes,
            )
            filled = now


def _not_empty(table: Table) -> Iterator[tuple[int, list[str] | dict[str, str]]]:
    """The table's rows (:meth:`Table.cell_rows`: regular CSV rows as lists of cells, no dict
    per row); ``BERKAS_KOSONG`` for a table with no header and no rows: a file of blank lines
    or empty cells, or an empty sheet, has no form to read rows by (a failed download or the
    wrong file), not 0 rows to import. A header without rows is an empty import."""
    cells = table.cell_rows()
    if any(table.raw_columns):
        return cells
    first = next(cells, None)
    if first is not None:  # rows under a header without titles: each says what is wrong
        return itertools.chain([first], cells)
    where = f"sheet {table.sheet!r} of {table.path.name}" if table.sheet else str(table.path)
    others = ", ".join(repr(t) for t in table.sheets if t != table.sheet)
    hint = f" (its other sheets: {others}; --sheet NAME reads one)" if others else ""
    raise ConfigurationError(
        f"{where} is empty: no header and no rows{hint}",
        code=BERKAS_KOSONG,
        value=str(table.path),
    )


def _with_form_data(
    rows: Iterable[tuple[int, Any]],
    columns: list[str],
    unknown: Sequence[str],
    read_issues: Mapping[int, Issue],
) -> Iterator[tuple[int, Any]]:
    """The rows holding something in a column of the form: a row whose only content is in
    columns the form does not know (the ``No`` of a template numbered ahead of its data) is
    a blank row, not one missing every field. A row the reader flagged always stays."""
    skip = set(unknown)
    used = [i for i, c in enumerate(columns) if c not in skip]
    names = [columns[i] for i in used]
    for row, data in rows:
        if row not in read_issues:
            if data.__class__ is list:
                if not any(data[i] for i in used if i < len(data)):
                    continue
            elif not any(data.get(n) for n in names):
                continue
        yield row, data


class _Orphaned(Exception):
    """The importing process is gone (killed): the reader process stops."""


def _put(queue: Any, item: Any) -> None:
    """``queue.put(item)``, given up when the importing process is gone: killed (SIGKILL, the
    out-of-memory killer), it takes nothing more, and a reader blocked on a full queue stayed
    behind for good, holding the file and its memory."""
    import multiprocessing
    import queue as queue_module

    parent = multiprocessing.parent_process()  # the importing process, however started
    while True:
        try:
            queue.put(item, timeout=0.5)
            return
        except queue_module.Full:
            if parent is not None and not parent.is_alive():
                raise _Orphaned from None


def _reader_main(
    queue: Any,
    reading: _Reading,
    checker: RowChecker,
    committed: Mapping[str, dict[str, Any]],
) -> None:
    """The reader process: every item of :func:`_produce`, pickled, then ``None``; it ends
    without a word once the importing process is gone (:func:`_put`)."""
    import gc

    gc.disable()  # it makes no reference cycles (kukm._gc.gc_paused)
    try:
        for item in _produce(reading, checker, committed, 0):
            _put(queue, dumps_result(item))
        _put(queue, None)
    except _Orphaned:
        # nobody reads the pipe any more: do not wait at exit for what is left in it
        queue.cancel_join_thread()
        return
    except BaseException as exc:  # every failure goes to the importing process, raised there
        try:
            data = pickle.dumps(exc)
            pickle.loads(data)  # some exception classes pickle but cannot be rebuilt
        except Exception:
            data = pickle.dumps(RuntimeError(f"the reader process failed: {exc!r}"))
        try:
            _put(queue, data)
            _put(queue, None)
        except _Orphaned:
            queue.cancel_join_thread()


@contextlib.contextmanager
def _in_reader_process(
    reading: _Reading,
    checker: RowChecker,
    committed: Mapping[str, dict[str, Any]],
) -> Iterator[Iterator[_Header | _Step]]:
    """:func:`_produce` in one other process, its items taken here in order (at most two
    waiting); a failure there is raised here, and the process ends with the block."""
    import multiprocessing

    ctx: Any = multiprocessing.get_context(_start_method())  # its Process: typeshed has it per method
    queue = ctx.Queue(maxsize=2)
    proc = ctx.Process(
        target=_reader_main, args=(queue, reading, checker, committed), daemon=True
    )
    proc.start()

    def items() -> Iterator[_Header | _Step]:
        import queue as queue_module

        while True:
            try:
                raw = queue.get(timeout=1.0)
            except queue_module.Empty:
                if proc.exitcode is not None:  # died without a word (killed, out of memory)
                    raise RuntimeError(
                        f"the reader process ended unexpectedly (exit code {proc.exitcode})"
                    ) from None
                continue
            if raw is None:
                return
            item = pickle.loads(raw)
            if isinstance(item, BaseException):
                raise item
            yield item

    try:
        yield items()
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        queue.close()


def run_file(
    path: str | Path,
    *,
    kind: str,
    store: Store | None = None,
    checker: RowChecker | None = None,
    instrument_path: str | Path | None = None,
    source: SumberData | str | None = None,
    petugas: str | None = None,
    errors_path: str | Path | None = None,
    workers: int | None = None,
    batch_size: int = 5000,
    format: Format | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_rows: Callable[[int], None] | None = None,
    wrap_rows: Callable[
        [Iterable[tuple[int, dict[str, str]]]], Iterable[tuple[int, dict[str, str]]]
    ]
    | None = None,
    sheet: str | None = None,
    seen: SeenIds | None = None,
) -> ImportSummary:
    """Check every row of ``path`` and, with a ``store``, write the accepted ones.

    Without ``store`` nothing is written anywhere except the errors file
    (``kukm validate``), which is created only when a row is rejected. ``source`` is used for rows whose ``sumber_data``
    column is empty; ``petugas`` is the officer recorded in the provenance.
    ``on_rows(n)`` is called after each chunk with the number of rows done;
    ``wrap_rows`` wraps the row iterator as it is read (e.g.
    :func:`kukm.cli._common.progress`). ``sheet`` names the sheet of a workbook to read
    (default: the one whose header fits the form best). ``workers`` is the number of pool
    processes (``None``: :func:`default_workers`; 0: none; 1: a reader process that reads
    and checks while this one writes; 2 or more: a pool that checks while this one reads
    and writes). ``seen``: the ids accepted by earlier runs over the same input (the other
    sheets of one workbook, ``kukm import --all-sheets``); a row repeating one of them is
    ``BARIS_DUPLIKAT`` as within one file, and the ids this run accepts are added to it.

    A file with no header and no rows (0 bytes, only a byte-order mark, blank lines or cells
    without text, an empty sheet) is refused with ``BERKAS_KOSONG``
    (:class:`~kukm.exceptions.ConfigurationError`) before anything is stored; a header
    without rows is a valid, empty import.
    """
    if kind not in _KIND_CHECK:
        raise ConfigurationError(f"unknown kind {kind!r} (umkm or koperasi)", code="KIND_UNKNOWN")
    if errors_path is not None:
        check_errors_path(errors_path)  # before any row is read or stored
    refuse_blank_file(path)  # no header, no rows: BERKAS_KOSONG, not "0 rows" (header.py)
    default_source = SumberData(source) if isinstance(source, str) else source
    p = Path(path)
    if workers is None:
        # a validation (no store) gains nothing from it: reading is most of what remains here
        workers = default_workers(p) if checker is None and store is not None else 0
    if checker is None:
        checker = RowChecker(
            kind, str(instrument_path) if instrument_path else None, default_source
        )
    elif default_source is not None:
        checker.default_source = default_source
    if workers > 0:
        checker.instrument  # noqa: B018 - fail early on a bad instrument, before forking
    started = time.perf_counter()
    summary = ImportSummary(kind, str(p), stored=store is not None, workers=workers)
    digest, lines = _digest_and_lines(p) if store is not None else ("", 0)
    src_key = default_source.value if default_source else "-"
    id_pengiriman = f"imp-{digest[:16]}" if digest else None
    checker.prepare_for = None
    checker.keep_records = store is not None
    if store is not None and callable(getattr(store, "write_prepared", None)):
        # the checks also serialise and hash (in pool workers when there are some); clean
        # rows go from columns to store ops without entity objects (kukm.pipeline._prepare)
        checker.prepare_for = (petugas, id_pengiriman)
    provenance = provenance_of(petugas, id_pengiriman)  # one shared object per source
    bulk = getattr(store, "bulk_load", None)
    base_key = (
        f"import:{kind}:{digest}:{src_key}:{_instrument_key(checker)}:{batch_size}"
        + ("" if sheet is None else f":sheet={sheet}")  # another sheet is other data
        if store is not None
        else ""
    )
    reading = _Reading(p, format, encoding, delimiter, batch_size, base_key, wrap_rows, sheet, seen)
    with contextlib.ExitStack() as stack:
        stack.enter_context(gc_paused())
        committed = _committed(store, base_key)
        steps: Iterator[_Header | _Step]
        if workers == 1:
            # one process reads and checks (and drops repeated rows); this one only writes
            steps = stack.enter_context(_in_reader_process(reading, checker, committed))
        else:
            produced = _produce(reading, checker, committed, workers)
            stack.callback(produced.close)  # closes the file (and the pool) if writing fails
            steps = produced
        header = next(steps)
        assert isinstance(header, _Header)
        summary.encoding, summary.delimiter = header.encoding, header.delimiter
        summary.header = header.match
        summary.header_line = header.line
        summary.sheet, summary.sheets = header.sheet, header.sheets
        summary.wilayah_columns = header.wilayah_columns
        errors: ErrorsWriter | None = None
        if (
            bulk is not None
            and store is not None
            and header.format in ("csv", "jsonl")
            and f"{base_key}:0" not in committed  # not a re-import
        ):
            # a store that can defer its lookup indexes for a large load (SqliteStore.bulk_load)
            stack.enter_context(bulk(lines, kind))
        try:
            for step in steps:
                assert isinstance(step, _Step)
                key, done, accepted, rejected = step.key, step.done, step.accepted, step.rejected
                n_in = step.n_in
                if done is not None and "warnings" in done:
                    # a replayed chunk's accepted rows are not checked again: its counts are
                    # the note's (the same file gives the same warnings)
                    summary.warnings += int(done["warnings"])
                    summary.warnings_by_code.update(done.get("warning_codes") or {})
                    summary.wilayah_filled += int(done.get("wilayah_filled", 0))
                else:
                    summary.warnings += step.warnings
                    if step.warning_codes:
                        summary.warnings_by_code.update(step.warning_codes)
                    summary.wilayah_filled += step.wilayah_filled
                summary.accepted += len(accepted)
                summary.rejected += len(rejected)
                if seen is not None:  # the producer has its own copy (maybe in another process)
                    seen.add_all(
                        accepted.ids if isinstance(accepted, AcceptedColumns) else [a.id for a in accepted]
                    )
                summary.input += n_in
                if done is not None:  # committed by an earlier import of this very file
                    summary.batches += 1
                    summary.replayed_batches += 1
                    summary.accepted += int(done["accepted"])
                    summary.unchanged += int(done["accepted"])
                    summary.input += int(done["accepted"])
                    n_in += int(done["accepted"])
                if rejected:
                    if errors is None and errors_path is not None:
                        errors = ErrorsWriter(
                            errors_path,
                            header.columns,
                            delimiter=header.delimiter or ",",
                            labels=header.labels,
                        )
                        summary.errors_file = str(errors_path)
                    _record_rejects(summary, rejected, errors)
                if store is not None and accepted:
                    # rows accepted on a replayed chunk (none, unless the data changed
                    # under the same key) are written without a batch key
                    batch_key = None if done is not None else key
                    prepared = step.prepared
                    if kind == "koperasi" and prepared is not None and not isinstance(prepared, PreparedColumns):
                        prepared = _as_stored_koperasi(store, prepared)
                    if prepared is not None:
                        # the checks prepared the batch: as columns (kukm.pipeline._prepare) or ops
                        n_ops = len(prepared)
                        write_columns = getattr(store, "write_columns", None)
                        if isinstance(prepared, PreparedColumns) and write_columns is not None:
                            res = write_columns(prepared, batch_key=batch_key)
                        else:
                            if isinstance(prepared, PreparedColumns):
                                prepared = prepared.ops()
                            res = store.write_prepared(prepared, batch_key=batch_key)  # type: ignore[attr-defined]
                    else:
                        ops = write_ops(kind, accepted, provenance)
                        if kind == "koperasi":
                            ops = _as_stored_koperasi(store, ops)
                        n_ops = len(ops)
                        res = store.write_batch(ops, batch_key=batch_key)
                    if res.replayed:
                        summary.replayed_batches += 1
                        summary.unchanged += n_ops
                    else:
                        summary.inserted += res.inserted
                        summary.updated += res.updated
                        summary.unchanged += res.unchanged
                if store is not None and done is None:
                    summary.batches += 1  # every chunk is a batch, with its note
                    store.put_document(
                        BATCH_DOCS,
                        key,
                        {
                            "file": p.name,
                            "accepted": len(accepted),
                            "rejected": [r.row for r in rejected if not _is_dup(r)],
                            "duplicates": [
                                [r.row, r.issues[0].field, r.issues[0].value]
                                for r in rejected
                                if _is_dup(r)
                            ],
                            "warnings": step.warnings,
                            "warning_codes": step.warning_codes or {},
                            "wilayah_filled": step.wilayah_filled,
                        },
                    )
                if on_rows is not None:
                    on_rows(n_in)
        finally:
            if errors is not None:
                errors.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _as_stored_koperasi(store: Store, ops: Sequence[Any]) -> list[Any]:
    """Koperasi ops written as the store keeps each koperasi
    (:func:`kukm.integration.ods_io.stored_koperasi`, as the ODS import, sync and diff match
    it): an op keyed by its NIK Koperasi goes under ``BH:<badan hukum>`` when no record has
    the NIK id but one is stored under the badan hukum id (recorded before it had its NIK
    Koperasi); an op keyed ``BH:…`` (the row gave no NIK Koperasi) goes under the NIK id of
    the one record holding that badan hukum number. Each became a second record. A row
    that leaves the issued NIK fields blank keeps the stored ones
    (:func:`kukm.integration.ods.keep_issued`: a blank is not a revocation; the yearly list
    of a Dekopinwil without the column took the number the Dinas issued off the record).
    Ops are :class:`~kukm.storage._codec.PreparedOp` (dimension columns) or ``WriteOp``."""
    from kukm.integration.ods import keep_issued
    from kukm.integration.ods_io import stored_koperasi
    from kukm.model import Koperasi
    from kukm.storage._codec import decode_record, prepare_ops
    from kukm.storage.base import WriteOp

    out: list[Any] = []
    for op in ops:
        record = getattr(op, "record", None)
        if record is None and isinstance(op, PreparedOp):
            record = decode_record("koperasi", op.blob)
        if not isinstance(record, Koperasi):
            out.append(op)
            continue
        id, stored = stored_koperasi(store, evolve(record, id=op.id))
        kept = record
        if stored is not None and isinstance(stored.record, Koperasi):
            kept = keep_issued(record, stored.record)
        if id == op.id and kept is record:
            out.append(op)
        elif isinstance(op, PreparedOp):
            valid_from = op.valid_from if op.valid_from is not None else kept.tanggal_data
            write = WriteOp("koperasi", id, kept, op.provenance, valid_from, op.atribut, op.status)
            out.append(prepare_ops([write])[0])
        else:
            out.append(evolve(op, id=id, record=kept))
    return out


def _duplicate(
    chunk: _Chunk, columns: list[str], row: int, fld: str | None, rid: str
) -> Rejected:
    data: Any = next((d for r, d, _ in chunk if r == row), {})
    if isinstance(data, list):
        data = dict(zip(columns, data, strict=False))
    return Rejected(row, data, (issue(BARIS_DUPLIKAT, fld, rid, row=row),))


def _is_dup(rej: Rejected) -> bool:
    return len(rej.issues) == 1 and rej.issues[0].code == BARIS_DUPLIKAT


def _record_rejects(
    summary: ImportSummary,
    rejected: list[Rejected],
    errors: ErrorsWriter | None,
) -> None:
    for rej in rejected:
        for i in rej.issues:
            summary.by_code[i.code] += 1
            summary.by_field[i.field or "-"] += 1
        if errors is not None:
            errors.write(rej.row, rej.data, rej.issues)
