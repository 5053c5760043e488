"""How kukm reads JSON without losing anything silently: one set of rules for every JSON
reader (``kukm import`` of JSON lines, :mod:`kukm.pipeline.readers`; ``kukm ods import``,
:mod:`kukm.integration.ods_io`). Neutral: it imports nothing of kukm, so the pipeline does not
depend on the integration package; each reader reports a :class:`Problem` under its own code.

* **Encoding** (:func:`encoding`): UTF-8 with or without a byte-order mark, or the UTF-16 or
  UTF-32 a byte-order mark or the NUL bytes around the first (ASCII) character show. RFC 8259
  §8.1 asks UTF-8, but Windows tools write UTF-16 (PowerShell's ``Out-File``, Notepad's
  "Unicode"); :func:`json.detect_encoding` tells them apart.
* **Numbers**: an integer is kept exactly (a 13-digit Nomor Induk Koperasi written as a JSON
  number); one of more digits than Python converts (4,300) is not read (``invalid``). A
  number with a fraction or exponent is a float only when the float is the same number
  (:func:`number`); else (``9171014501900001.0``, a 16-digit NIK penduduk, which a float
  rounds to ``…900000.0``; ``1e400``, infinite) the record is refused (``inexact``).
* ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259 §6: "Numeric values that
  cannot be represented … such as Infinity and NaN are not permitted"), though Python's
  :mod:`json` reads them: the record holding one is invalid JSON (``invalid``), never a blank
  cell or the text ``inf``.
* **A key given twice** with different values (RFC 8259 §4: names "SHOULD be unique"; :mod:`json`
  keeps the last without a word) makes the record refused (``clash``); given twice with the same
  value it loses nothing and is read.

>>> parse_line('{"Koperasi": "A", "Total Anggota": 12}')
({'Koperasi': 'A', 'Total Anggota': 12}, None)
>>> [parse_line(t)[1].kind for t in ('{"a": NaN}', '{"a": 1e400}', '{"a": 1, "a": 2}', '{x')]
['invalid', 'inexact', 'clash', 'invalid']
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

__all__ = [
    "Clash",
    "Inexact",
    "NotJson",
    "Problem",
    "decoder",
    "encoding",
    "json_object",
    "loads",
    "number",
    "parse_line",
    "problem",
]

#: What is wrong with a JSON value: not JSON (``invalid``), a number a float would round
#: (``inexact``), a key given twice with different values (``clash``).
Kind = Literal["invalid", "inexact", "clash"]

#: How much of a value a :class:`Problem` shows.
SHOWN: Final = 200


def encoding(path: str | Path) -> str:
    """The encoding to open the JSON (lines) file ``path`` with, from its first four bytes
    (module docstring): ``utf-8-sig`` for UTF-8 (a byte-order mark is dropped, none needed).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_bytes('{"a": 1}'.encode("utf-16-le"))
    >>> encoding(p)
    'utf-16-le'
    """
    with open(path, "rb") as raw:
        head = raw.read(4)
    found = json.detect_encoding(head)
    return "utf-8-sig" if found == "utf-8" else found


class Inexact(str):
    """A JSON number with a fraction or exponent whose digits a float does not keep: the text
    as written; the record holding one is refused, never stored rounded."""

    __slots__ = ()


class NotJson(str):
    """What stands for a value that is not JSON in a parsed document: ``NaN``, ``Infinity``,
    ``-Infinity``, or an integer of more digits than Python converts; the record holding one
    is invalid JSON; ``reason`` says why."""

    __slots__ = ("reason",)
    reason: str

    def __new__(cls, text: str, reason: str | None = None) -> NotJson:
        self = super().__new__(cls, text)
        self.reason = reason or f"{text} is not JSON (RFC 8259 §6)"
        return self


class Clash(dict[str, Any]):
    """A JSON object that gives a key more than once with different values: its ``clashes``,
    each such key with every value given for it (the dict holds the last, as :mod:`json`)."""

    clashes: dict[str, list[Any]]


def number(text: str) -> float | Inexact:
    """``text`` (a JSON number with a fraction or exponent) as a float when the float's
    shortest form is the same number, else :class:`Inexact`.

    >>> number("3101010020004.0"), number("0.1"), number("1.5e3")
    (3101010020004.0, 0.1, 1500.0)
    >>> number("9171014501900001.0"), number("1e400")
    ('9171014501900001.0', '1e400')
    """
    value = float(text)
    if math.isfinite(value) and Decimal(repr(value)) == Decimal(text):
        return value
    return Inexact(text)


def integer(digits: str) -> int | NotJson:
    """``digits`` (a JSON integer) as an int, or :class:`NotJson` for more digits than Python
    converts (:func:`sys.get_int_max_str_digits`).

    >>> integer("3173010010001"), integer("9" * 5000)
    (3173010010001, '<a number of 5,000 digits>')
    """
    try:
        return int(digits)
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return NotJson(f"<a number of {len(digits):,} digits>", str(exc))


def constant(name: str) -> NotJson:
    """``NaN``, ``Infinity`` or ``-Infinity`` (which :mod:`json` reads): not JSON.

    >>> constant("-Infinity")
    '-Infinity'
    """
    return NotJson(name)


def json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object from its ``pairs`` as :mod:`json` builds it, or a :class:`Clash` when a
    key repeats with another value (a key repeated with the same value loses nothing).

    >>> json_object([("Koperasi", "A"), ("Koperasi", "A")])
    {'Koperasi': 'A'}
    >>> json_object([("Koperasi", "A"), ("Koperasi", "B")]).clashes
    {'Koperasi': ['A', 'B']}
    """
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    given: dict[str, list[Any]] = {}
    for key, value in pairs:
        given.setdefault(key, []).append(value)
    clashes = {k: v for k, v in given.items() if any(x != v[-1] for x in v)}
    if not clashes:
        return data
    clash = Clash(data)
    clash.clashes = clashes
    return clash


def decoder() -> json.JSONDecoder:
    """A decoder reading by these rules: what it cannot keep is marked (:class:`Inexact`,
    :class:`NotJson`, :class:`Clash`) for :func:`problem` to find."""
    return json.JSONDecoder(
        parse_float=number,
        parse_int=integer,
        parse_constant=constant,
        object_pairs_hook=json_object,
    )


_DECODER: Final = decoder()


def loads(text: str) -> Any:
    """``text`` (one JSON value) parsed by :func:`decoder`; check it with :func:`problem`.
    Raises :class:`ValueError` (or :class:`RecursionError`, arrays nested too deep) when it is
    not JSON."""
    return _DECODER.decode(text)


class Problem:
    """Why a parsed JSON value cannot be kept: its ``kind``, the ``key`` of the record
    (top-level object) holding it (``None`` for the value itself), what was written
    (``value``, at most :data:`SHOWN` characters) and a ``detail``."""

    __slots__ = ("detail", "key", "kind", "value")

    def __init__(self, kind: Kind, key: str | None, value: str, detail: str) -> None:
        self.kind: Kind = kind
        self.key = key
        self.value = value[:SHOWN]
        self.detail = detail[:SHOWN]

    def __repr__(self) -> str:
        return f"Problem({self.kind!r}, {self.key!r}, {self.value!r}, {self.detail!r})"


def _shown(values: list[Any]) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)[:SHOWN]


def problem(value: Any) -> Problem | None:
    """The first thing in ``value`` (parsed by :func:`decoder`) that cannot be kept as written,
    in document order, a key given twice in the record itself first; ``None`` when all can.

    >>> problem(loads('{"Koperasi": "A", "Pengurus": [{"nik_penduduk": 9171014501900001.0}]}'))
    Problem('inexact', 'Pengurus', '9171014501900001.0', 'a float keeps 9171014501900000.0')
    >>> problem(loads('{"a": {"b": 1, "b": 2}}'))
    Problem('clash', 'a', '[1, 2]', "'b' given 2 times inside 'a'")
    >>> problem(loads('[Infinity]')).kind, problem(loads('{"a": [1.5]}'))
    ('invalid', None)
    """
    if isinstance(value, Clash):
        name, values = next(iter(value.clashes.items()))
        return Problem("clash", name, _shown(values), f"{name!r} given {len(values)} times")
    stack: list[tuple[str | None, Any]]
    if isinstance(value, dict):
        stack = [(k, v) for k, v in reversed(value.items())]
    else:
        stack = [(None, value)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, NotJson):
            return Problem("invalid", key, str(item), item.reason)
        if isinstance(item, Inexact):
            kept = f"a float keeps {float(item)!r}"
            return Problem("inexact", key, str(item), kept)
        if isinstance(item, Clash):
            inner, values = next(iter(item.clashes.items()))
            where = f" inside {key!r}" if key is not None else ""
            return Problem("clash", key, _shown(values), f"{inner!r} given {len(values)} times{where}")
        if isinstance(item, dict):
            stack.extend((key, v) for v in reversed(item.values()))
        elif isinstance(item, list):
            stack.extend((key, v) for v in reversed(item))
    return None


def parse_line(line: str) -> tuple[Any, Problem | None]:
    """One line of a JSON-lines file (a byte-order mark at its start dropped: two exports
    joined with ``cat``) parsed, with the first :func:`problem` in it; a line that is not JSON
    (``{oops``, ``NaN``, a number of more than 4,300 digits, arrays nested deeper than the
    recursion limit) gives ``(None, Problem("invalid", …))``.

    >>> parse_line('\\ufeff{"a": 1}')
    ({'a': 1}, None)
    >>> parse_line("NaN")
    (None, Problem('invalid', None, 'NaN', 'NaN is not JSON (RFC 8259 §6)'))
    """
    text = line.lstrip("\ufeff")
    try:
        data = loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        return None, Problem("invalid", None, line.rstrip("\r\n"), str(exc) or type(exc).__name__)
    found = problem(data)
    if found is not None and found.kind == "invalid":
        return None, found
    return data, found
