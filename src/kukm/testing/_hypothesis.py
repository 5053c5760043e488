"""Hypothesis entry point: registers type strategies so ``st.from_type(Koperasi)`` works."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from kukm.testing import strategies

    strategies.register_type_strategies()
