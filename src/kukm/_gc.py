"""Pausing Python's cyclic garbage collector around bulk work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk run, then restore it.

    kukm's bulk work (parsing a batch, an import) makes no reference cycles:
    rows, records and their issues are freed by reference counting as soon
    as they are done with. The collector would still walk every live object
    after each few hundred allocations; on a million-row import that was
    some 40% of the checking time (``benchmarks/bench_import.py``), and half
    of ``parse_batch``'s time on 200,000 rows held by the caller
    (``benchmarks/bench_rules.py``). Nested use is fine; collection resumes,
    and a young-generation pass runs, when the outermost one ends.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect(0)
