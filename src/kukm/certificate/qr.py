"""QR codes for certificate payloads, fast: fixed error correction and mask.

``qrcode`` chooses a mask by trying all eight and scoring each (about 11 ms a
code here) and builds its bit stream one bit at a time. A certificate does not
need the prettiest mask, so kukm fixes both the error-correction level
(:data:`ERROR_CORRECTION`, M = ~15 % recovery) and the mask (:data:`MASK_PATTERN`),
and builds the code itself from ``qrcode``'s own tables:

* the data codewords (mode, length, alphanumeric pairs, padding) are packed
  into one Python integer, and the Reed-Solomon remainders come from a
  per-generator lookup table (one XOR of integers per data byte);
* the function patterns, format and version information of each version are
  drawn once by ``qrcode`` and cached as a template together with the order of
  the data modules and the mask bits, so placing a payload is one pass over
  the data modules.

The result is the same matrix ``qrcode`` makes for the same version, level and
mask (``tests/test_certificate_qr.py`` checks this by property), and it
decodes with any reader (the tests decode rendered PNGs with ``zxing-cpp``).

>>> m = qr_matrix("KUKM:ABC123")
>>> len(m), len(m[0])            # version 1: 21 × 21 modules
(21, 21)
>>> m[0][:7]                     # the top-left finder pattern
[True, True, True, True, True, True, True]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from operator import itemgetter

from qrcode import constants as _qrc
from qrcode import util as _qru
from qrcode.base import EXP_TABLE, LOG_TABLE, rs_blocks
from qrcode.main import QRCode

from kukm.exceptions import ValidationError, register_code

__all__ = [
    "ALPHANUMERIC",
    "ERROR_CORRECTION",
    "MASK_PATTERN",
    "qr_matrix",
    "qr_rows",
    "qr_svg_dashes",
    "qr_svg_path",
    "qr_version",
]

#: Error correction level M (≈15 % of the code can be damaged).
ERROR_CORRECTION = _qrc.ERROR_CORRECT_M
#: Fixed mask pattern (0–7); every reader accepts every mask.
MASK_PATTERN = 0
#: Characters of QR alphanumeric mode.
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {c: i for i, c in enumerate(ALPHANUMERIC)}

QR_TOO_LONG = register_code(
    "QR_TOO_LONG",
    "Data terlalu panjang untuk satu QR Code.",
    "The data is too long for one QR code.",
    module=__name__,
)
QR_NOT_ALPHANUMERIC = register_code(
    "QR_NOT_ALPHANUMERIC",
    "Data QR hanya boleh memakai karakter alfanumerik QR (0-9, A-Z, spasi, $%*+-./:).",
    "QR data may only use QR alphanumeric characters (0-9, A-Z, space, $%*+-./:).",
    module=__name__,
)


def _char_count_bits(version: int) -> int:
    return int(_qru.length_in_bits(2, version))  # 2 = MODE_ALPHA_NUM


@cache
def _data_capacity_bits(version: int) -> int:
    return sum(b.data_count * 8 for b in rs_blocks(version, ERROR_CORRECTION))


def qr_version(n_chars: int) -> int:
    """Smallest QR version holding ``n_chars`` alphanumeric characters at level M.

    >>> qr_version(20), qr_version(400)
    (1, 12)
    """
    for version in range(1, 41):
        need = 4 + _char_count_bits(version) + 11 * (n_chars // 2) + 6 * (n_chars % 2)
        if need <= _data_capacity_bits(version):
            return version
    raise ValidationError(code=QR_TOO_LONG, field="payload", value=n_chars)


def _gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return int(EXP_TABLE[(LOG_TABLE[a] + LOG_TABLE[b]) % 255])


@cache
def _rs_table(ec_count: int) -> tuple[int, ...]:
    """``table[f]`` = the generator's non-leading coefficients × f, packed big-endian."""
    gen = [1]
    for i in range(ec_count):  # multiply by (x - α^i)
        root = int(EXP_TABLE[i])
        nxt = [*gen, 0]
        for j, coef in enumerate(gen):
            nxt[j + 1] ^= _gf_mul(coef, root)
        gen = nxt
    tail = gen[1:]
    return tuple(int.from_bytes(bytes(_gf_mul(g, f) for g in tail), "big") for f in range(256))


def _rs_remainder(data: bytes, ec_count: int) -> bytes:
    table = _rs_table(ec_count)
    shift = 8 * (ec_count - 1)
    mask = (1 << (8 * ec_count)) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & mask) ^ table[byte ^ (rem >> shift)]
    return rem.to_bytes(ec_count, "big")


def _codewords(text: str, version: int) -> bytes:
    """All codewords (data then error correction, interleaved) for ``text``."""
    n = len(text)
    acc = 0b0010  # mode indicator: alphanumeric
    cc_bits = _char_count_bits(version)
    acc = (acc << cc_bits) | n
    nbits = 4 + cc_bits
    values = _ALNUM_VALUE
    try:
        for i in range(0, n - 1, 2):
            acc = (acc << 11) | (values[text[i]] * 45 + values[text[i + 1]])
        if n % 2:
            acc = (acc << 6) | values[text[-1]]
    except KeyError as exc:
        raise ValidationError(
            code=QR_NOT_ALPHANUMERIC, field="payload", value=exc.args[0]
        ) from None
    nbits += 11 * (n // 2) + 6 * (n % 2)
    capacity = _data_capacity_bits(version)
    if nbits > capacity:
        raise ValidationError(code=QR_TOO_LONG, field="payload", value=n)
    term = min(4, capacity - nbits)
    acc <<= term
    nbits += term
    if nbits % 8:
        acc <<= 8 - nbits % 8
        nbits += 8 - nbits % 8
    data = bytearray(acc.to_bytes(nbits // 8, "big"))
    pad = (0xEC, 0x11)
    i = 0
    while len(data) < capacity // 8:
        data.append(pad[i % 2])
        i += 1
    blocks = rs_blocks(version, ERROR_CORRECTION)
    dc: list[bytes] = []
    ec: list[bytes] = []
    offset = 0
    for block in blocks:
        chunk = bytes(data[offset : offset + block.data_count])
        offset += block.data_count
        dc.append(chunk)
        ec.append(_rs_remainder(chunk, block.total_count - block.data_count))
    out = bytearray()
    for group in (dc, ec):
        longest = max(len(g) for g in group)
        for i in range(longest):
            out.extend(g[i] for g in group if i < len(g))
    return bytes(out)


@cache
def _template(
    version: int,
) -> tuple[tuple[tuple[bool | None, ...], ...], tuple[tuple[int, int], ...], int]:
    """Function patterns, data-module order and mask bits of one version (drawn by qrcode)."""
    q = QRCode(version=version, error_correction=ERROR_CORRECTION, mask_pattern=MASK_PATTERN)
    size = version * 4 + 17
    q.modules_count = size
    q.modules = [[None] * size for _ in range(size)]
    q.setup_position_probe_pattern(0, 0)
    q.setup_position_probe_pattern(size - 7, 0)
    q.setup_position_probe_pattern(0, size - 7)
    q.setup_position_adjust_pattern()
    q.setup_timing_pattern()
    q.setup_type_info(False, MASK_PATTERN)
    if version >= 7:
        q.setup_type_number(False)
    modules = q.modules
    positions: list[tuple[int, int]] = []
    row, inc = size - 1, -1
    for col in range(size - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if modules[row][c] is None:
                    positions.append((row, c))
            row += inc
            if row < 0 or row >= size:
                row -= inc
                inc = -inc
                break
    mask_func = _qru.mask_func(MASK_PATTERN)
    mask_bits = 0
    for r, c in positions:
        mask_bits = (mask_bits << 1) | (1 if mask_func(r, c) else 0)
    frozen_rows = tuple(tuple(cell for cell in row_) for row_ in modules)
    return frozen_rows, tuple(positions), mask_bits


@cache
def _gather(version: int) -> tuple[Callable[[str], tuple[str, ...]], int]:
    """A C-speed gatherer building the row-major module string of a version.

    The source string is ``"01" + data bits``; cell ``i`` of the matrix takes
    ``source[index[i]]`` (0/1 for function patterns, ``2 + k`` for data bit ``k``).
    """
    rows, positions, _ = _template(version)
    size = len(rows)
    index = [1 if cell else 0 for row in rows for cell in row]
    for k, (r, c) in enumerate(positions):
        index[r * size + c] = 2 + k
    return itemgetter(*index), size


def qr_rows(text: str, *, version: int | None = None) -> list[str]:
    """The code as rows of ``"0"``/``"1"`` (dark) characters, without quiet zone.

    >>> rows = qr_rows("HELLO WORLD")
    >>> len(rows), rows[0][:8]
    (21, '11111110')
    """
    if version is None:
        version = qr_version(len(text))
    codewords = _codewords(text, version)
    _, positions, mask_bits = _template(version)
    total = len(positions)
    value = (int.from_bytes(codewords, "big") << (total - 8 * len(codewords))) ^ mask_bits
    gather, size = _gather(version)
    flat = "".join(gather("01" + format(value, f"0{total}b")))
    return [flat[i : i + size] for i in range(0, size * size, size)]


def qr_matrix(text: str, *, version: int | None = None) -> list[list[bool]]:
    """The module matrix (no quiet zone) of ``text`` in alphanumeric mode, level M, fixed mask.

    ``version`` defaults to the smallest that fits.

    >>> m = qr_matrix("HELLO WORLD")
    >>> sum(map(sum, m)) > 0
    True
    >>> qr_matrix("lower case")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [QR_NOT_ALPHANUMERIC] ...
    """
    return [[c == "1" for c in row] for row in qr_rows(text, version=version)]


_RUN = re.compile("1+")


def qr_svg_path(rows: list[str] | list[list[bool]]) -> str:
    """An SVG path ``d`` drawing the dark modules, one rectangle per horizontal run.

    ``rows``: from :func:`qr_rows` (or a boolean matrix). Coordinates are in
    modules (one module = 1 unit); place and scale the path with an SVG ``transform``.

    >>> qr_svg_path(["1101", "0100"])
    'M0 0h2v1h-2zM3 0h1v1h-1zM1 1h1v1h-1z'
    """
    parts: list[str] = []
    append = parts.append
    runs = _RUN_SUFFIX
    for r, row in enumerate(rows):
        line = row if isinstance(row, str) else "".join("1" if v else "0" for v in row)
        for m in _RUN.finditer(line):
            s, e = m.span()
            append(f"M{s} {r}{runs[e - s]}")
    return "".join(parts)


_RUN_SUFFIX = tuple(f"h{n}v1h-{n}z" for n in range(178))
_RUN_LENGTH = {c * k: str(k) for c in "01" for k in range(1, 178)}


def qr_svg_dashes(rows: list[str]) -> str:
    """The dark modules as one stroked line per row whose dash pattern is the row's runs.

    Each row ``r`` is ``<path d="M0 r.5hN" stroke-dasharray="dark light dark …"/>``
    (a leading ``0`` when the row starts light); with a 1-unit butt-capped stroke the
    dashes are exactly the dark modules. Building it needs no Python loop per run,
    which makes it about four times faster than :func:`qr_svg_path`. Put the
    elements in a group with ``stroke="#000" stroke-width="1"``.

    >>> qr_svg_dashes(["1101", "0100"])
    '<path d="M0 0.5h4" stroke-dasharray="2 1 1"/><path d="M0 1.5h4" stroke-dasharray="0 1 1 2"/>'
    """
    parts: list[str] = []
    append = parts.append
    length = _RUN_LENGTH.__getitem__
    for r, row in enumerate(rows):
        # "1100111" -> "11 00 111" -> "2 2 3", all in C
        lengths = " ".join(map(length, row.replace("10", "1 0").replace("01", "0 1").split()))
        lead = "" if row.startswith("1") else "0 "
        append(f'<path d="M0 {r}.5h{len(row)}" stroke-dasharray="{lead}{lengths}"/>')
    return "".join(parts)
