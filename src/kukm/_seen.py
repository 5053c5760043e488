"""A compact set of strings by their 64-bit hashes (ids seen in a file, or by a bulk load)."""

from __future__ import annotations

import array
from collections.abc import Iterable

__all__ = ["SeenIds"]


class SeenIds:
    """Which record ids a file already had, in 8–16 bytes per id.

    A Python ``set`` of a million ids costs some 70 MB; here each id's 64-bit
    ``hash`` sits in an open-addressing table (``array('q')``, linear probing,
    doubled at 60% load). Two different ids with the same 64-bit hash would be
    taken for one (about one chance in 10¹⁰ for a million rows).

    >>> seen = SeenIds(capacity=2)
    >>> [seen.add(x) for x in ("a", "b", "c", "a", "c", "d")]
    [True, True, True, False, False, True]
    >>> len(seen)
    4
    """

    def __init__(self, *, capacity: int = 1 << 16) -> None:
        size = 8
        while size < capacity * 2:
            size <<= 1
        self._table = array.array("q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def copy(self) -> SeenIds:
        """Another table holding the same ids.

        >>> a = SeenIds(); _ = a.add("x"); b = a.copy(); _ = b.add("y")
        >>> len(a), len(b), b.add("x")
        (1, 2, False)
        """
        other = SeenIds.__new__(SeenIds)
        other._table, other._mask, other._count = array.array("q", self._table), self._mask, self._count
        return other

    def add(self, text: str) -> bool:
        """Record ``text``; ``True`` if it was new."""
        h = hash(text) or 1  # 0 marks an empty slot
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            v = table[i]
            if v == 0:
                break
            if v == h:
                return False
            i = (i + 1) & mask
        table[i] = h
        self._count += 1
        if self._count * 5 > 3 * (mask + 1):
            self._grow()
        return True

    def add_all(self, texts: Iterable[str]) -> list[int]:
        """:meth:`add` each of ``texts``; the positions of those already seen (earlier in the
        file or in ``texts``).

        >>> seen = SeenIds(capacity=2)
        >>> seen.add("b"), seen.add_all(["a", "b", "c", "a"]), len(seen)
        (True, [1, 3], 3)
        """
        again: list[int] = []
        table, mask = self._table, self._mask
        for k, text in enumerate(texts):
            h = hash(text) or 1  # 0 marks an empty slot
            i = h & mask
            v = table[i]
            while v != 0 and v != h:
                i = (i + 1) & mask
                v = table[i]
            if v == h:
                again.append(k)
                continue
            table[i] = h
            self._count += 1
            if self._count * 5 > 3 * (mask + 1):
                self._grow()
                table, mask = self._table, self._mask
        return again

    def _grow(self) -> None:
        old = self._table
        size = (self._mask + 1) * 2
        table = array.array("q", bytes(8 * size))
        mask = size - 1
        for h in old:
            if h:
                i = h & mask
                while table[i]:
                    i = (i + 1) & mask
                table[i] = h
        self._table, self._mask = table, mask
