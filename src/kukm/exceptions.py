"""The one exception tree of kukm, and the issue record used in bulk work.

Single values raise exceptions (python-stdnum's contract); bulk work collects
:class:`Issue` records instead, so a row with five problems reports all five.

Every problem kukm can report has a stable code (``NIB_LENGTH``), an
Indonesian and an English message, registered once in :data:`CODES` through
:func:`register_code`. ``docs/error-codes.md`` is generated from that registry.

>>> from kukm.exceptions import InvalidLength, ValidationError
>>> issubclass(InvalidLength, ValueError)
True
>>> e = InvalidLength()
>>> e.code, e.message_id
('INVALID_LENGTH', 'Panjang nomor tidak sesuai.')
>>> register_code("DOCTEST_LENGTH", "Harus 13 digit.", "Must be 13 digits.")
'DOCTEST_LENGTH'
>>> InvalidLength(code="DOCTEST_LENGTH", field="nib").message
'Must be 13 digits.'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

__all__ = [
    "CODES",
    "AccessDenied",
    "AdapterError",
    "CodeInfo",
    "ConfigurationError",
    "IntegrityError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "Issue",
    "IssuesError",
    "KukmError",
    "NotFound",
    "PluginError",
    "SequenceExhausted",
    "Severity",
    "StorageError",
    "StoreUnavailable",
    "ValidationError",
    "WorkflowError",
    "issue",
    "register_code",
]


class Severity(enum.StrEnum):
    """How bad an :class:`Issue` is: an error rejects the row, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@frozen
class CodeInfo:
    """A registered problem code with its bilingual messages."""

    code: str
    message_id: str
    message_en: str
    severity: Severity = Severity.ERROR
    module: str = ""


CODES: Final[dict[str, CodeInfo]] = {}


def register_code(
    code: str,
    message_id: str,
    message_en: str,
    severity: Severity = Severity.ERROR,
    *,
    module: str = "",
) -> str:
    """Register a stable problem code once and return it.

    Codes are UPPER_SNAKE and never change meaning once released.

    >>> register_code("DOCTEST_CODE", "Contoh.", "Example.") == "DOCTEST_CODE"
    True
    """
    info = CodeInfo(code, message_id, message_en, severity, module)
    old = CODES.get(code)
    if old is not None and (old.message_id, old.message_en) != (message_id, message_en):
        raise ValueError(f"problem code {code!r} registered twice with different messages")
    CODES[code] = info
    return code


class KukmError(Exception):
    """Root of every error kukm raises on purpose."""

    code: str = "KUKM_ERROR"
    message_id: str = "Terjadi kesalahan."
    message: str = "An error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        message_id: str | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        if code is not None:
            self.code = code
            info = CODES.get(code)
            if info is not None:
                self.message_id = info.message_id
                self.message = info.message_en
        if message is not None:
            self.message = message
        if message_id is not None:
            self.message_id = message_id
        self.field = field
        self.value = value
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


# -- validation ------------------------------------------------------------


class ValidationError(KukmError, ValueError):
    """A value is not valid. Subclasses say how (stdnum's tree)."""

    code = "INVALID"
    message_id = "Nilai tidak valid."
    message = "The value is not valid."


class InvalidFormat(ValidationError):
    """Wrong characters or shape."""

    code = "INVALID_FORMAT"
    message_id = "Format nomor tidak sesuai."
    message = "The number has an invalid format."


class InvalidLength(InvalidFormat):
    """Wrong length."""

    code = "INVALID_LENGTH"
    message_id = "Panjang nomor tidak sesuai."
    message = "The number has an invalid length."


class InvalidChecksum(ValidationError):
    """The check digit does not match."""

    code = "INVALID_CHECKSUM"
    message_id = "Digit pemeriksa tidak cocok."
    message = "The number's checksum or check digit is invalid."


class InvalidComponent(ValidationError):
    """A part of the number (region, date, …) is not valid."""

    code = "INVALID_COMPONENT"
    message_id = "Salah satu bagian nomor tidak valid."
    message = "One of the parts of the number is invalid."


class IssuesError(ValidationError):
    """A record failed several checks; ``issues`` holds every one of them."""

    code = "RECORD_INVALID"
    message_id = "Data tidak valid."
    message = "The record is not valid."

    def __init__(self, issues: list[Issue], message: str | None = None) -> None:
        self.issues = issues
        text = message or "; ".join(f"{i.code}@{i.field}" for i in issues)
        super().__init__(text)


# -- configuration, storage, plugins, workflow ---------------------------------


class ConfigurationError(KukmError):
    """A setting, file or URL is wrong (CLI exit code 2)."""

    code = "CONFIGURATION"
    message_id = "Konfigurasi tidak valid."
    message = "Invalid configuration."


class StorageError(KukmError):
    """A storage adapter failed."""

    code = "STORAGE"
    message_id = "Kesalahan penyimpanan data."
    message = "Storage error."


class StoreUnavailable(StorageError, ConfigurationError):
    """The store a URL names cannot be opened: a path that cannot be made, a file that is not
    a database, a server that refuses (a storage error and a configuration one: CLI exit 2)."""

    code = "STORE_UNAVAILABLE"
    message_id = "Penyimpanan data tidak dapat dibuka (periksa --db / KUKM_DATABASE_URL)."
    message = "The store cannot be opened (check --db / KUKM_DATABASE_URL)."


class NotFound(StorageError):
    code = "NOT_FOUND"
    message_id = "Data tidak ditemukan."
    message = "Record not found."


class IntegrityError(StorageError):
    code = "INTEGRITY"
    message_id = "Data bertentangan dengan data yang sudah tersimpan."
    message = "The write conflicts with stored data."


class SequenceExhausted(StorageError):
    code = "NIK_SEQUENCE_EXHAUSTED"
    message_id = "Nomor urut NIK Koperasi untuk prefiks ini sudah habis (9999)."
    message = "The NIK Koperasi running numbers for this prefix are exhausted (9999)."


class AdapterError(KukmError):
    """An adapter (storage, sync, renderer) is missing or misbehaves."""

    code = "ADAPTER"
    message_id = "Adapter tidak tersedia atau gagal."
    message = "Adapter missing or failed."


class PluginError(KukmError):
    """A plugin could not be loaded or broke the hook contract."""

    code = "PLUGIN"
    message_id = "Plugin gagal dimuat."
    message = "Plugin failed to load."


class AccessDenied(KukmError):
    """The access policy refuses the action (fail-closed)."""

    code = "ACCESS_DENIED"
    message_id = "Akses ditolak."
    message = "Access denied."


class WorkflowError(KukmError):
    """An action is not allowed in the current workflow state."""

    code = "WORKFLOW_STATE"
    message_id = "Tindakan tidak diizinkan pada status ini."
    message = "Action not allowed in this state."


# -- issue records for bulk work ---------------------------------------------------


@frozen
class Issue:
    """One problem in one field of one row.

    ``row`` is the 1-based data row (header excluded) or ``None`` for a single
    record. ``kind`` separates completeness (``lengkap``) from validity
    (``akurat``) and consistency (``konsisten``).
    """

    code: str
    field: str | None
    value: Any
    message_id: str
    message_en: str
    severity: Severity = Severity.ERROR
    row: int | None = None
    kind: str = "akurat"

    def with_row(self, row: int) -> Issue:
        return Issue(
            self.code,
            self.field,
            self.value,
            self.message_id,
            self.message_en,
            self.severity,
            row,
            self.kind,
        )

    def as_dict(self) -> Mapping[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "value": self.value,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "severity": self.severity.value,
            "row": self.row,
            "kind": self.kind,
        }


def issue(
    code: str,
    field: str | None,
    value: Any = None,
    *,
    row: int | None = None,
    kind: str = "akurat",
    severity: Severity | None = None,
    detail: str = "",
) -> Issue:
    """Build an :class:`Issue` from a registered code.

    >>> register_code("DOCTEST_ISSUE", "Nilai salah.", "Wrong value.")
    'DOCTEST_ISSUE'
    >>> issue("DOCTEST_ISSUE", "nib", "x", row=3).message_en
    'Wrong value.'
    """
    info = CODES.get(code)
    if info is None:
        raise KeyError(f"unregistered problem code {code!r}")
    suffix = f" ({detail})" if detail else ""
    return Issue(
        code,
        field,
        value,
        info.message_id + suffix,
        info.message_en + suffix,
        severity or info.severity,
        row,
        kind,
    )
