"""The generated rule reference and the plugin hooks of kukm.rules."""

from __future__ import annotations

from pathlib import Path

from kukm.plugins import KukmPlugins, create_plugin_manager
from kukm.rules._meta import RULES
from kukm.rules.reference import load_all, render_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules-reference.md"


def test_rules_reference_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules-reference.md is stale: run `python -m kukm.rules.reference docs/rules-reference.md`"
    )


def test_every_rule_cites_a_regulation() -> None:
    load_all()
    assert len([r for r in RULES if not r.startswith("doctest.")]) >= 8
    for r in RULES.values():
        assert r.dasar and all(b.regulasi and b.keyakinan in {"P", "S", "D", "N"} for b in r.dasar)
        assert r.id in render_markdown()


def test_plugin_registers_schemes_and_instruments() -> None:
    plugins = KukmPlugins(create_plugin_manager())
    kinds = {s.kind for s in plugins.schemes()}
    assert {"skala_umkm", "skala_koperasi", "kesehatan", "peringkat"} <= kinds
    assert {"umkm", "koperasi"} <= set(plugins.instruments())
