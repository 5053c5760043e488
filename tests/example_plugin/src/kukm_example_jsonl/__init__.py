"""Example kukm plugin: JSON-lines storage (``jsonl://dir``) and plain-text renderers."""

from kukm_example_jsonl.render import TextCertificateRenderer, TextReportRenderer
from kukm_example_jsonl.store import JsonlStore, open_jsonl_store

__all__ = ["JsonlStore", "TextCertificateRenderer", "TextReportRenderer", "open_jsonl_store"]
