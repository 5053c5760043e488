"""Streaming bulk pipeline (Kepgub F.1–F.3): readers, row checks, storage, errors file.

>>> from kukm.pipeline import open_table, run_file, ErrorsWriter
"""

from kukm.pipeline.checks import (
    Accepted,
    Rejected,
    RowChecker,
    classify,
    load_instrument,
    record_id,
)
from kukm.pipeline.errors import ANNOTATION_COLUMNS, ErrorsWriter
from kukm.pipeline.readers import Table, detect_encoding, detect_format, open_table
from kukm.pipeline.run import BARIS_DUPLIKAT, ImportSummary, data_sheets, file_digest, run_file

__all__ = [
    "ANNOTATION_COLUMNS",
    "BARIS_DUPLIKAT",
    "Accepted",
    "ErrorsWriter",
    "ImportSummary",
    "Rejected",
    "RowChecker",
    "Table",
    "classify",
    "data_sheets",
    "detect_encoding",
    "detect_format",
    "file_digest",
    "load_instrument",
    "open_table",
    "record_id",
    "run_file",
]
