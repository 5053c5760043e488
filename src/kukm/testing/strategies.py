"""Hypothesis strategies for kukm entities and identifiers (being written)."""

from __future__ import annotations


def register_type_strategies() -> None:
    """Register strategies for kukm's entities with hypothesis (filled in by the storage kit)."""
