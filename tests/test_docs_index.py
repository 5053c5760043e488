"""The docs index links every guide, and every link in it resolves."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_index_links_every_doc_and_every_link_resolves() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([^)#]+)\)", index))
    for link in links:
        assert (DOCS / link).resolve().exists(), f"docs/index.md links a missing file: {link}"
    for doc in DOCS.glob("*.md"):
        if doc.name != "index.md":
            assert doc.name in links, f"docs/{doc.name} is not linked from docs/index.md"
