"""The module the ``kukm`` entry point names: only ``@hookimpl`` functions live here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kukm.hookspecs import Renderer, StoreFactory, hookimpl
from kukm_example_jsonl.render import TextCertificateRenderer, TextReportRenderer
from kukm_example_jsonl.store import open_jsonl_store


@hookimpl
def kukm_register_storage_backends() -> Mapping[str, StoreFactory]:
    """``jsonl://<directory>`` opens a :class:`~kukm_example_jsonl.store.JsonlStore`."""
    return {"jsonl": open_jsonl_store}


@hookimpl
def kukm_register_renderers() -> Sequence[Renderer]:
    """Plain-text report and certificate renderers (format ``txt``)."""
    return [TextReportRenderer(), TextCertificateRenderer()]
