"""The errors file: every rejected row, as the officer sent it, with what is wrong.

Layout (CSV or XLSX, chosen by the file's extension): the row's original
columns in their original order, then

* ``_row``: the 1-based data row in the input (header = row 0);
* ``_codes``: the problem codes, ``;``-separated;
* ``_fields``: the field of each code, ``;``-separated, same order (empty when
  a problem concerns the whole row);
* ``_messages``: the Indonesian messages, `` | ``-separated, same order.

Readers ignore columns starting with ``_``, so the officer corrects the cells
in Excel and imports the same file again. CSV is written as UTF-8 with a
byte-order mark (Excel opens it with the right characters) using the input's
delimiter. XLSX cannot hold control characters (but tab and line breaks): an
XLSX errors file shows each as U+FFFD (:mod:`kukm._xlsx`); a CSV one keeps them.
In an XLSX errors file a cell refused as a number of 16+ digits
(``SEL_ANGKA_PANJANG``) is written back as that number, not as text: imported
again unchanged it is refused again, so the officer enters the digits anew.

>>> import pathlib, tempfile
>>> from kukm.exceptions import Issue
>>> p = pathlib.Path(tempfile.mkdtemp()) / "errors.csv"
>>> with ErrorsWriter(p, ["nib", "nama_usaha"]) as w:
...     w.write(3, {"nib": "12", "nama_usaha": "Toko"},
...             [Issue("NIB_LENGTH", "nib", "12", "NIB harus 13 digit.", "13 digits")])
>>> print(p.read_text(encoding="utf-8-sig").strip())
nib,nama_usaha,_row,_codes,_fields,_messages
12,Toko,3,NIB_LENGTH,nib,NIB harus 13 digit.
"""

from __future__ import annotations

import csv
import errno
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

from kukm._xlsx import xlsx_row
from kukm.exceptions import ConfigurationError, Issue
from kukm.pipeline.readers import SEL_ANGKA_PANJANG

__all__ = ["ANNOTATION_COLUMNS", "ErrorsWriter", "check_errors_path"]


def _number(text: Any) -> Any:
    """The number a cell's text spells (``int`` if whole), else the text."""
    try:
        return int(text)
    except (TypeError, ValueError):
        try:
            return float(text)
        except (TypeError, ValueError):
            return text

#: Columns kukm appends to each rejected row.
ANNOTATION_COLUMNS: Final = ("_row", "_codes", "_fields", "_messages")


def check_errors_path(path: str | Path) -> bool:
    """Whether an errors file at ``path`` is XLSX (else CSV); ``FORMAT_UNKNOWN`` for another
    suffix; its folder made when it is not there (``OSError`` when that cannot be). The
    import asks before it reads a row: the file is only created at the first rejected row,
    and a wrong suffix or place found then would stop an import half done.

    >>> check_errors_path("x.errors.xlsx"), check_errors_path("x.errors.csv")
    (True, False)
    """
    suffix = Path(path).suffix.lower()
    xlsx = suffix in {".xlsx", ".xlsm"}
    if not xlsx and suffix not in {".csv", ".txt", ""}:
        raise ConfigurationError(
            f"errors file must end in .csv or .xlsx, not {suffix!r}", code="FORMAT_UNKNOWN"
        )
    # the folder is made now if it is not there (as the CSV writer always made it); a file
    # where the folder should be, or a place that cannot be written, is the operating system's
    # error, raised now rather than at the first rejected row
    folder = Path(path).parent
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    return xlsx


class ErrorsWriter:
    """Streams rejected rows to a CSV or XLSX errors file (layout in the module docstring)."""

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str],
        *,
        delimiter: str = ",",
        labels: Sequence[str] | None = None,
    ) -> None:
        """``columns`` are the keys of the rows written; ``labels`` (default: the same) the
        titles the header shows, in the same order: the input file's own titles when the
        import renamed some (:mod:`kukm.pipeline.header`)."""
        self.path = Path(path)
        titles = list(columns if labels is None else labels)
        if len(titles) != len(columns):
            raise ValueError("labels and columns differ in length")
        keep = [i for i, c in enumerate(columns) if not c.startswith("_")]
        self.columns = [columns[i] for i in keep]
        self._at = {c: k for k, c in enumerate(self.columns)}
        self.count = 0
        self._xlsx = check_errors_path(self.path)
        header = [*(titles[i] for i in keep), *ANNOTATION_COLUMNS]
        self._fh: IO[str] | None = None
        self._wb: Any = None
        if self._xlsx:
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("ditolak")
            self._ws.append(xlsx_row(self._ws, header))
        else:  # check_errors_path made the folder
            self._fh = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._fh, delimiter=delimiter)
            self._csv.writerow(header)

    def write(self, row: int, data: Mapping[str, str], issues: Sequence[Issue]) -> None:
        """Append one rejected row with its issues (codes and fields in the same order)."""
        values: list[Any] = [data.get(c, "") for c in self.columns]
        values.append(row)
        values.append(";".join(i.code for i in issues))
        values.append(";".join(i.field or "" for i in issues))
        values.append(" | ".join(i.message_id for i in issues))
        if self._xlsx:
            for i in issues:
                if i.code == SEL_ANGKA_PANJANG and i.field in self._at:
                    # the number cell goes back as the number it was: re-imported unchanged it
                    # is refused again, so the digits Excel may have lost are entered anew
                    k = self._at[i.field]
                    values[k] = _number(values[k])
            self._ws.append(xlsx_row(self._ws, values))
        else:
            self._csv.writerow(values)
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._wb is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._wb.save(self.path)
            self._wb = None

    def __enter__(self) -> ErrorsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
