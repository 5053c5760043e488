"""The storage contract every adapter implements, and how a URL finds its adapter.

See :mod:`kukm.storage.base` for the :class:`Store` protocol and its value
types. Adapters live in :mod:`kukm.adapters` and are registered through the
``kukm_register_storage_backends`` hook.
"""

from kukm.storage.base import (
    TABULATION_FIELDS,
    AuditEvent,
    BatchResult,
    Kind,
    Provenance,
    Store,
    StoredRecord,
    VerificationStatus,
    WriteOp,
    index_keys,
)

__all__ = [
    "TABULATION_FIELDS",
    "AuditEvent",
    "BatchResult",
    "Kind",
    "Provenance",
    "Store",
    "StoredRecord",
    "VerificationStatus",
    "WriteOp",
    "index_keys",
]
