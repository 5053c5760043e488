"""Hypothesis entry point: registers type strategies so ``st.from_type(Koperasi)`` works.

Declared in ``pyproject.toml`` (``[project.entry-points.hypothesis]``), so it
runs when hypothesis is imported (unless ``HYPOTHESIS_NO_PLUGINS`` is set).
"""

from __future__ import annotations

import sys


def _hypothesis_setup_hook() -> None:
    partial = sys.modules.get("kukm.testing.strategies")
    if partial is not None and not hasattr(partial, "register_type_strategies"):
        # kukm.testing.strategies is importing hypothesis right now: it registers
        # its strategies itself when its import finishes.
        partial._register_on_import = True  # type: ignore[attr-defined]
        return
    from kukm.testing import strategies

    strategies.register_type_strategies()
