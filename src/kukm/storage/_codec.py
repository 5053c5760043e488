"""Shared (de)serialisation for storage adapters: one codec, so every adapter
stores the same JSON and computes the same content hash.

An adapter calls :func:`prepare_ops` once per batch *before* it opens a
transaction: every op is serialised, hashed and its index columns are worked
out, so a record that cannot be stored fails the batch before anything is
written. Inside the transaction :func:`decide` compares a prepared op with the
current version and says whether it is ``unchanged`` and which status the new
version gets.

Rules the codec fixes for every adapter:

* Record JSON is the :mod:`kukm.converters` unstructured dict dumped with
  sorted keys and compact separators; the content hash is
  :func:`kukm.storage.base.content_hash` of that dict (blake2b-128 of the
  same bytes).
* ``valid_from`` is ``WriteOp.valid_from``, else the record's
  ``tanggal_data``, else the date the store records the version (UTC).
* An op is **unchanged** when its content hash and ``atribut`` equal the
  current version's and its status is ``None`` or the current status. A new
  version gets ``WriteOp.status``, else :func:`default_status`.
* Dimension columns (:data:`DIMENSION_COLUMNS`) come from
  :func:`kukm.storage.base.index_keys`; ``atribut`` values for
  :data:`~kukm.storage.base.TABULATION_FIELDS` override them (``status`` and
  ``sumber_data`` always come from the version's status and provenance).

>>> from kukm.model import Umkm, Alamat
>>> from kukm.storage.base import content_hash
>>> from kukm.converters import unstructure
>>> u = Umkm(nama_usaha="Toko", alamat=Alamat(kode_wilayah="31.71.01.1001"))
>>> blob, digest = encode_record(u)
>>> digest == content_hash(unstructure(u))
True
>>> decode_record("umkm", blob) == u
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from kukm.converters import converter
from kukm.exceptions import StorageError, ValidationError, register_code
from kukm.model import Koperasi, SumberData, Umkm
from kukm.storage._fastjson import Slow, fast_dumps, fast_structure
from kukm.storage.base import (
    IDENTIFIER_KEYS,
    TABULATION_FIELDS,
    Kind,
    Provenance,
    Record,
    VerificationStatus,
    WriteOp,
    default_status,
    index_keys,
)

__all__ = [
    "DIMENSION_COLUMNS",
    "RECORD_TYPES",
    "TABULATION_COLUMNS",
    "PreparedColumns",
    "PreparedOp",
    "blob_hash",
    "check_identifier_key",
    "check_kind",
    "check_tabulation_fields",
    "decide",
    "decode_atribut",
    "decode_datetime",
    "decode_record",
    "detach",
    "dump_document",
    "encode_atribut",
    "encode_datetime",
    "encode_record",
    "now_utc",
    "picker",
    "prepare_ops",
    "provenance_from_columns",
    "recorded_date",
    "regions",
    "umkm_dims",
    "utc_key",
    "wilayah_range",
]

STORAGE_RECORD_UNSERIALISABLE = register_code(
    "STORAGE_RECORD_UNSERIALISABLE",
    "Data tidak dapat disimpan (tidak bisa diubah ke JSON); seluruh batch dibatalkan.",
    "The record cannot be stored (not JSON-serialisable); the whole batch was rolled back.",
    module=__name__,
)
STORAGE_BAD_OP = register_code(
    "STORAGE_BAD_OP",
    "Operasi tulis tidak valid (jenis, id, atau tipe data tidak sesuai).",
    "Invalid write operation (kind, id or record type mismatch).",
    module=__name__,
)
STORAGE_UNKNOWN_FIELD = register_code(
    "STORAGE_UNKNOWN_FIELD",
    "Kolom tidak dikenal untuk pencarian atau tabulasi.",
    "Unknown field for lookup or tabulation.",
    module=__name__,
)
STORAGE_DOCUMENT_UNSERIALISABLE = register_code(
    "STORAGE_DOCUMENT_UNSERIALISABLE",
    "Dokumen tidak dapat disimpan sebagai JSON.",
    "The document cannot be stored as JSON.",
    module=__name__,
)

RECORD_TYPES: Final[dict[str, type[Koperasi] | type[Umkm]]] = {
    "umkm": Umkm,
    "koperasi": Koperasi,
}

#: Tabulation field → column name in the ``records`` table / dims mapping.
TABULATION_COLUMNS: Final[dict[str, str]] = {
    f: ("sumber" if f == "sumber_data" else f) for f in TABULATION_FIELDS
}

#: Columns (besides the fixed ones) every adapter stores per version: the
#: identifiers, the name, the full region code and every tabulation dimension
#: except ``status``/``sumber_data`` (those have their own columns).
DIMENSION_COLUMNS: Final[tuple[str, ...]] = (
    *IDENTIFIER_KEYS,
    "nama",
    "kode_wilayah",
    *(f for f in TABULATION_FIELDS if f not in ("status", "sumber_data")),
)

_DIMS_FROM_ATRIBUT: Final[frozenset[str]] = frozenset(TABULATION_FIELDS) - {"status", "sumber_data"}

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def now_utc() -> dt.datetime:
    """The store clock: an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def encode_record(record: Record) -> tuple[str, str]:
    """Record → (canonical JSON, content hash). Raises StorageError if not serialisable.

    >>> from kukm.model import Koperasi
    >>> blob, h = encode_record(Koperasi(nama="Kop"))
    >>> blob.startswith('{"alamat":'), len(h)
    (True, 32)
    """
    try:
        blob = fast_dumps(record)
    except Slow:
        blob = _slow_dumps(record)
    return blob, blob_hash(blob)


def blob_hash(blob: str) -> str:
    """The content hash kept beside a record's canonical JSON (BLAKE2b-128 of its UTF-8).

    >>> from kukm.model import Koperasi
    >>> blob, digest = encode_record(Koperasi(nama="K"))
    >>> blob_hash(blob) == digest, len(digest)
    (True, 32)
    """
    try:
        data = blob.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot be stored as UTF-8
        raise StorageError(
            f"record cannot be serialised: {exc}", code=STORAGE_RECORD_UNSERIALISABLE
        ) from exc
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _slow_dumps(record: Record) -> str:
    try:
        return _dumps(converter.unstructure(record))
    except (TypeError, ValueError, AttributeError) as exc:
        raise StorageError(
            f"record cannot be serialised: {exc}", code=STORAGE_RECORD_UNSERIALISABLE
        ) from exc


def decode_record(kind: str, blob: str | bytes) -> Record:
    """Canonical JSON → entity of ``kind``.

    >>> decode_record("koperasi", '{"nama": "Kop"}').nama
    'Kop'
    """
    cls = RECORD_TYPES[kind]
    data = json.loads(blob)
    try:
        return fast_structure(cls, data)
    except Slow:
        return converter.structure(data, cls)


def encode_atribut(atribut: Mapping[str, str | None]) -> str:
    """``WriteOp.atribut`` → sorted JSON (``"{}"`` when empty).

    >>> encode_atribut({"skala": "mikro"})
    '{"skala":"mikro"}'
    """
    return _dumps(dict(atribut)) if atribut else "{}"


def decode_atribut(blob: str | None) -> dict[str, str | None]:
    """Inverse of :func:`encode_atribut`.

    >>> decode_atribut('{"skala":"mikro"}')
    {'skala': 'mikro'}
    """
    if not blob:
        return {}
    value: dict[str, str | None] = json.loads(blob)
    return value


def encode_datetime(value: dt.datetime | None) -> str | None:
    """Datetime → ISO text, keeping its tz (or lack of one) exactly.

    >>> encode_datetime(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    '2024-01-02T03:04:05+00:00'
    """
    return None if value is None else value.isoformat()


def decode_datetime(value: str | None) -> dt.datetime | None:
    """Inverse of :func:`encode_datetime`.

    >>> decode_datetime('2024-01-02T03:04:05')
    datetime.datetime(2024, 1, 2, 3, 4, 5)
    """
    return None if value is None else dt.datetime.fromisoformat(value)


def utc_key(value: dt.datetime) -> str:
    """A sortable UTC text key (naive datetimes are taken as UTC).

    >>> utc_key(dt.datetime(2024, 1, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    '2024-01-02T03:00:00.000000'
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def provenance_from_columns(
    sumber: str, petugas: str | None, waktu: str | None, id_pengiriman: str | None
) -> Provenance:
    """Rebuild a :class:`Provenance` from its stored columns.

    >>> provenance_from_columns("sudin", "p1", None, None).sumber
    <SumberData.SUDIN: 'sudin'>
    """
    return Provenance(SumberData(sumber), petugas, decode_datetime(waktu), id_pengiriman)


def dump_document(doc: Mapping[str, Any]) -> str:
    """A workflow document → JSON text. Raises StorageError when not JSON-able.

    >>> dump_document({"b": 1, "a": [1, "x"]})
    '{"a":[1,"x"],"b":1}'
    """
    try:
        return _dumps(dict(doc))
    except (TypeError, ValueError) as exc:
        raise StorageError(
            f"document cannot be stored: {exc}", code=STORAGE_DOCUMENT_UNSERIALISABLE
        ) from exc


def check_kind(kind: str) -> Kind:
    """Validate a record kind.

    >>> check_kind("umkm")
    'umkm'
    """
    if kind not in RECORD_TYPES:
        raise ValidationError(f"unknown record kind {kind!r}", code=STORAGE_BAD_OP, value=kind)
    return kind  # type: ignore[return-value]


def check_identifier_key(key: str) -> str:
    """Validate a lookup key for :meth:`Store.find` (one of IDENTIFIER_KEYS).

    >>> check_identifier_key("nib")
    'nib'
    """
    if key not in IDENTIFIER_KEYS:
        raise ValidationError(
            f"{key!r} is not an identifier key (use one of {IDENTIFIER_KEYS})",
            code=STORAGE_UNKNOWN_FIELD,
            field=key,
        )
    return key


def check_tabulation_fields(by: Sequence[str]) -> list[str]:
    """Validate ``tabulate(by=...)`` and map fields to column names.

    >>> check_tabulation_fields(["kab_kota", "sumber_data"])
    ['kab_kota', 'sumber']
    """
    if isinstance(by, str):
        raise ValidationError("'by' must be a sequence of field names", code=STORAGE_UNKNOWN_FIELD)
    out = []
    for name in by:
        column = TABULATION_COLUMNS.get(name)
        if column is None:
            raise ValidationError(
                f"cannot tabulate by {name!r} (use TABULATION_FIELDS)",
                code=STORAGE_UNKNOWN_FIELD,
                field=name,
            )
        out.append(column)
    return out


def wilayah_range(scope: str) -> tuple[str, str, str]:
    """``(equal, low, high)`` so ``code == equal or low <= code < high`` ⇔ ``wilayah_matches``.

    >>> wilayah_range("31.71")
    ('31.71', '31.71.', '31.71/')
    """
    return scope, scope + ".", scope + "/"


class PreparedOp(NamedTuple):
    """A :class:`WriteOp` serialised and indexed, ready for a transaction (a NamedTuple:
    cheap to build a million of)."""

    kind: Kind
    id: str
    record: Record | None  # None once detached (see detach): the blob holds it
    blob: str
    content_hash: str
    provenance: Provenance
    status: VerificationStatus | None
    valid_from: dt.date | None
    atribut: dict[str, str | None]
    atribut_json: str
    dims: dict[str, str | None]

    def resolved_valid_from(self, recorded_at: dt.datetime) -> dt.date:
        """``valid_from`` → record's ``tanggal_data`` → the recording date (UTC)."""
        if self.valid_from is not None:
            return self.valid_from
        tanggal = self.record.tanggal_data if self.record is not None else None
        if tanggal is not None:
            return tanggal
        return recorded_date(recorded_at)


def picker(positions: Sequence[int]) -> Callable[[Sequence[Any]], list[Any]]:
    """``col → [col[k] for k in positions]`` at C speed (the columns' ``take``).

    >>> picker([2, 0])("abc"), picker([1])("abc"), picker([])("abc")
    (['c', 'a'], ['b'], [])
    """
    if len(positions) > 1:
        get = operator.itemgetter(*positions)
        return lambda col: list(get(col))
    return lambda col: [col[k] for k in positions]


def recorded_date(recorded_at: dt.datetime) -> dt.date:
    """The (UTC) date a version is recorded on: its ``valid_from`` when nothing else gives one."""
    return recorded_at.astimezone(dt.UTC).date() if recorded_at.tzinfo else recorded_at.date()


class PreparedColumns:
    """Prepared ops of one kind, column by column: what a bulk import writes per batch.

    Position ``i`` of every list is one op, as :class:`PreparedOp` would hold
    it detached (no record object, ``valid_from`` already resolved to
    ``tanggal_data`` where the op had none) and with no explicit status (the
    store applies :func:`default_status`). ``dims`` has a list for every name
    in :data:`DIMENSION_COLUMNS`. Built column-wise by the import pipeline
    (:mod:`kukm.pipeline._prepare`), it lets a store insert a batch without a
    Python object per row (:meth:`kukm.adapters.sqlite.SqliteStore.write_columns`);
    :meth:`ops` gives the same ops one by one for any other store. ``hashes``
    given as ``None`` are computed from the blobs when first read, in the
    process that reads them: a worker process sends the blobs and the process
    that writes, which waits for the checks, hashes them.

    >>> from kukm.model import Umkm, SumberData
    >>> preps = detach(prepare_ops([WriteOp("umkm", f"u{i}", Umkm(nama_usaha=f"A{i}"),
    ...                                     Provenance(SumberData.SUDIN)) for i in range(3)]))
    >>> cols = PreparedColumns.from_ops(preps)
    >>> len(cols), cols.take([2, 0]).ids, cols.ops() == preps
    (3, ['u2', 'u0'], True)
    """

    __slots__ = (
        "_hashes", "atribut", "atribut_json", "blobs", "dims", "ids", "kind", "provenances",
        "valid_from",
    )  # fmt: skip

    def __init__(
        self,
        kind: Kind,
        ids: list[str],
        blobs: list[str],
        hashes: list[str] | None,
        provenances: list[Provenance],
        valid_from: list[dt.date | None],
        atribut: list[dict[str, str | None]],
        atribut_json: list[str],
        dims: dict[str, list[str | None]],
    ) -> None:
        self.kind = kind
        self.ids = ids
        self.blobs = blobs
        self._hashes = hashes
        self.provenances = provenances
        self.valid_from = valid_from
        self.atribut = atribut
        self.atribut_json = atribut_json
        self.dims = dims
        n = len(ids)
        lists: tuple[list[Any], ...] = (
            blobs, hashes if hashes is not None else blobs, provenances, valid_from, atribut,
            atribut_json, *dims.values(),
        )  # fmt: skip
        if any(len(col) != n for col in lists) or set(dims) != set(DIMENSION_COLUMNS):
            raise StorageError(
                "prepared columns of unequal length or without every dimension",
                code=STORAGE_BAD_OP,
            )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def hashes(self) -> list[str]:
        """Each blob's :func:`blob_hash` (computed on first read when not given)."""
        if self._hashes is None:
            self._hashes = list(map(blob_hash, self.blobs))
        return self._hashes

    def __reduce__(self) -> tuple[Any, ...]:
        return (PreparedColumns, self._columns())

    def _columns(self) -> tuple[Any, ...]:
        return (
            self.kind, self.ids, self.blobs, self._hashes, self.provenances, self.valid_from,
            self.atribut, self.atribut_json, self.dims,
        )  # fmt: skip

    @classmethod
    def from_ops(cls, preps: Sequence[PreparedOp], kind: Kind | None = None) -> PreparedColumns:
        """Columns of prepared ops of one kind (detached first when they carry records);
        ``kind`` is needed only when there are no ops."""
        kinds = {p.kind for p in preps} or ({kind} if kind else set())
        if len(kinds) != 1 or any(p.status is not None for p in preps):
            raise StorageError(
                "prepared columns hold ops of one kind with the default status", code=STORAGE_BAD_OP
            )
        ops = detach(preps)
        return cls(
            next(iter(kinds)),
            [p.id for p in ops],
            [p.blob for p in ops],
            [p.content_hash for p in ops],
            [p.provenance for p in ops],
            [p.valid_from for p in ops],
            [p.atribut for p in ops],
            [p.atribut_json for p in ops],
            {c: [p.dims.get(c) for p in ops] for c in DIMENSION_COLUMNS},
        )

    def take(self, positions: Sequence[int]) -> PreparedColumns:
        """The ops at ``positions``, in that order."""
        get = picker(positions)
        hashes = self._hashes
        return PreparedColumns(
            self.kind, get(self.ids), get(self.blobs), None if hashes is None else get(hashes),
            get(self.provenances),
            get(self.valid_from), get(self.atribut), get(self.atribut_json),
            {c: get(v) for c, v in self.dims.items()},
        )  # fmt: skip

    def __add__(self, other: PreparedColumns) -> PreparedColumns:
        if other.kind != self.kind:
            raise StorageError("prepared columns of two kinds", code=STORAGE_BAD_OP)
        mine, theirs = self._hashes, other._hashes
        return PreparedColumns(
            self.kind, self.ids + other.ids, self.blobs + other.blobs,
            None if mine is None and theirs is None else self.hashes + other.hashes,
            self.provenances + other.provenances,
            self.valid_from + other.valid_from, self.atribut + other.atribut,
            self.atribut_json + other.atribut_json,
            {c: v + other.dims[c] for c, v in self.dims.items()},
        )  # fmt: skip

    def ops(self) -> list[PreparedOp]:
        """The same ops as :class:`PreparedOp` objects (detached, default status)."""
        names = DIMENSION_COLUMNS
        kind = self.kind
        return [
            PreparedOp(kind, i, None, b, h, p, None, v, a, aj, dict(zip(names, d, strict=True)))
            for i, b, h, p, v, a, aj, *d in zip(
                self.ids, self.blobs, self.hashes, self.provenances, self.valid_from,
                self.atribut, self.atribut_json, *(self.dims[c] for c in names), strict=True,
            )
        ]  # fmt: skip


def _dims_reference(record: Record, atribut: Mapping[str, str | None]) -> dict[str, str | None]:
    """Dimension columns straight from :func:`index_keys` (the definition)."""
    keys = index_keys(record)
    dims = {c: keys.get(c) for c in DIMENSION_COLUMNS}
    dims["kode_wilayah"] = record.alamat.kode_wilayah
    for name, value in atribut.items():
        if name in _DIMS_FROM_ATRIBUT:
            dims[name] = None if value is None else str(value)
    return dims


_NO_REGION: Final = (None, None, None, None)
_REGION_CACHE: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}


def regions(code: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(provinsi, kab_kota, kecamatan, kelurahan) prefixes of a Kemendagri region code (cached).

    >>> regions("31.71.01.1001")
    ('31', '31.71', '31.71.01', '31.71.01.1001')
    """
    if not code:
        return _NO_REGION
    found = _REGION_CACHE.get(code)
    if found is not None:
        return found
    p = code.split(".")
    n = len(p)
    found = (
        p[0],
        f"{p[0]}.{p[1]}" if n >= 2 else None,
        f"{p[0]}.{p[1]}.{p[2]}" if n >= 3 else None,
        ".".join(p[:4]) if n >= 4 else None,
    )
    if len(_REGION_CACHE) >= 100_000:
        _REGION_CACHE.clear()
    _REGION_CACHE[code] = found
    return found


def umkm_dims(
    nib: str | None,
    npwp: str | None,
    nik: str | None,
    nama: str | None,
    code: str | None,
    kbli: str | None,
    jenis_kelamin: Any,
) -> dict[str, str | None]:
    """The dimension columns of a UMKM from its values (before ``atribut`` fills ``skala``).

    >>> umkm_dims(None, None, None, "Toko", "31.71.01.1001", None, None)["kab_kota"]
    '31.71'
    """
    prov, kab, kec, kel = regions(code)
    return {
        "nib": nib,
        "npwp": npwp,
        "nik_penduduk": nik,
        "nomor_induk_koperasi": None,
        "nomor_badan_hukum": None,
        "nama": nama,
        "kode_wilayah": code,
        "provinsi": prov,
        "kab_kota": kab,
        "kecamatan": kec,
        "kelurahan": kel,
        "skala": None,
        "jenis": None,
        "bentuk": None,
        "kelompok": None,
        "kbli": kbli,
        "jenis_kelamin": jenis_kelamin.value if jenis_kelamin else None,
        "status_nik": None,
        "grade": None,
    }


def _dims(record: Record, atribut: Mapping[str, str | None]) -> dict[str, str | None]:
    """Same values as :func:`_dims_reference`, without the general machinery (bulk fast path)."""
    code = record.alamat.kode_wilayah
    if type(code) is not str and code is not None:
        return _dims_reference(record, atribut)
    if type(record) is Umkm:
        dims = umkm_dims(
            record.nib, record.npwp, record.pemilik.nik_penduduk, record.nama_usaha, code,
            record.kbli, record.pemilik.jenis_kelamin,
        )  # fmt: skip
    elif type(record) is Koperasi:
        prov, kab, kec, kel = regions(code)
        dims = {
            "nib": None,
            "npwp": None,
            "nik_penduduk": None,
            "nomor_induk_koperasi": record.nomor_induk_koperasi,
            "nomor_badan_hukum": record.nomor_badan_hukum,
            "nama": record.nama,
            "kode_wilayah": code,
            "provinsi": prov,
            "kab_kota": kab,
            "kecamatan": kec,
            "kelurahan": kel,
            "skala": None,
            "jenis": record.jenis,
            "bentuk": record.bentuk,
            "kelompok": record.kelompok,
            "kbli": None,
            "jenis_kelamin": None,
            "status_nik": record.status_nik,
            "grade": record.grade,
        }
    else:
        return _dims_reference(record, atribut)
    for name, value in atribut.items():
        if name in _DIMS_FROM_ATRIBUT:
            dims[name] = None if value is None else str(value)
    return dims


def prepare_ops(ops: Iterable[WriteOp]) -> list[PreparedOp]:
    """Serialise, hash and index every op; raises StorageError before any write.

    >>> from kukm.model import Umkm, SumberData
    >>> op = WriteOp("umkm", "u1", Umkm(nama_usaha="A"), Provenance(SumberData.SUDIN),
    ...              atribut={"skala": "mikro"})
    >>> [p.dims["skala"] for p in prepare_ops([op])]
    ['mikro']
    """
    out: list[PreparedOp] = []
    append = out.append
    atribut_cache: dict[tuple[tuple[str, str | None], ...], str] = {}
    for index, op in enumerate(ops):
        kind = op.kind
        record = op.record
        if type(record) is not RECORD_TYPES.get(kind):
            raise StorageError(
                f"op {index}: kind {kind!r} does not match record type {type(record).__name__}",
                code=STORAGE_BAD_OP,
            )
        if type(op.id) is not str or not op.id:
            raise StorageError(f"op {index}: id must be a non-empty string", code=STORAGE_BAD_OP)
        if type(op.provenance) is not Provenance:
            raise StorageError(f"op {index}: provenance missing", code=STORAGE_BAD_OP)
        try:
            blob, digest = encode_record(record)
            atribut = dict(op.atribut)
            if atribut:
                cache_key = tuple(atribut.items())
                atribut_json = atribut_cache.get(cache_key) or atribut_cache.setdefault(
                    cache_key, encode_atribut(atribut)
                )
            else:
                atribut_json = "{}"
            dims = _dims(record, atribut)
        except StorageError as exc:
            raise StorageError(f"op {index} ({kind} {op.id}): {exc.message}", code=exc.code) from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise StorageError(
                f"op {index} ({kind} {op.id}): {exc}", code=STORAGE_RECORD_UNSERIALISABLE
            ) from exc
        status = op.status
        if status is not None and type(status) is not VerificationStatus:
            status = VerificationStatus(status)
        append(
            PreparedOp(
                kind, op.id, record, blob, digest, op.provenance, status, op.valid_from,
                atribut, atribut_json, dims,
            )
        )  # fmt: skip
    return out


def detach(preps: Sequence[PreparedOp]) -> list[PreparedOp]:
    """The same ops without their record objects, for sending to another process.

    A store writes a prepared op from its blob, hash and dimensions; the
    record's only other use, the fallback of ``valid_from`` to
    ``tanggal_data``, is resolved here.

    >>> from kukm.model import Umkm, SumberData
    >>> import datetime as dt
    >>> p = prepare_ops([WriteOp("umkm", "u", Umkm(nama_usaha="A", tanggal_data=dt.date(2024, 1, 2)),
    ...                          Provenance(SumberData.SUDIN))])
    >>> d = detach(p)[0]
    >>> d.record is None, d.valid_from, d.blob == p[0].blob
    (True, datetime.date(2024, 1, 2), True)
    """
    out = []
    for p in preps:
        valid_from = p.valid_from
        if valid_from is None and p.record is not None:
            valid_from = p.record.tanggal_data
        out.append(p._replace(record=None, valid_from=valid_from))
    return out


def decide(
    prep: PreparedOp,
    current_hash: str | None,
    current_status: str | None,
    current_atribut_json: str | None,
) -> VerificationStatus | None:
    """``None`` when the op is unchanged, else the status of the new version.

    >>> from kukm.model import Umkm, SumberData
    >>> p = prepare_ops([WriteOp("umkm", "u", Umkm(nama_usaha="A"),
    ...                          Provenance(SumberData.PIHAK_LAIN))])[0]
    >>> decide(p, None, None, None)
    <VerificationStatus.MENUNGGU: 'menunggu_verifikasi'>
    >>> decide(p, p.content_hash, "terverifikasi", "{}") is None
    True
    """
    if (
        current_hash == prep.content_hash
        and (current_atribut_json or "{}") == prep.atribut_json
        and (prep.status is None or prep.status.value == current_status)
    ):
        return None
    return prep.status if prep.status is not None else default_status(prep.provenance)
