"""Round-trips through kukm.converters for every entity, and the storage codec's
fast paths agree exactly with the general ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.converters import structure, unstructure
from kukm.model import (
    Alamat,
    Keuangan,
    Koperasi,
    Pemilik,
    Pengurus,
    Petugas,
    Sumber,
    Umkm,
    Wilayah,
)
from kukm.storage import _codec
from kukm.storage._fastjson import Slow, fast_dumps
from kukm.storage.base import content_hash
from kukm.testing import strategies as ks

ENTITIES = [Alamat, Pemilik, Pengurus, Keuangan, Umkm, Koperasi, Wilayah, Petugas, Sumber]


@pytest.mark.parametrize("cls", ENTITIES, ids=lambda c: c.__name__)
@given(data=st.data())
def test_round_trip(cls: type, data: st.DataObject) -> None:
    obj = data.draw(ks.from_entity(cls))
    assert structure(unstructure(obj), cls) == obj
    assert structure(json.loads(json.dumps(unstructure(obj))), cls) == obj


@given(st.one_of(ks.umkm(), ks.koperasi()))
def test_codec_round_trip_and_hash(record: Umkm | Koperasi) -> None:
    blob, digest = _codec.encode_record(record)
    kind = "umkm" if isinstance(record, Umkm) else "koperasi"
    assert _codec.decode_record(kind, blob) == record
    assert digest == content_hash(unstructure(record))


@given(st.one_of(ks.umkm(), ks.koperasi(), ks.alamat(), ks.pemilik(), ks.keuangan()))
def test_fast_json_equals_general_json(obj: Any) -> None:
    general = json.dumps(unstructure(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert fast_dumps(obj) == general


ODD_VALUES = st.one_of(
    st.integers(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=5), st.none(),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


@settings(max_examples=100)
@given(ks.umkm(), st.sampled_from(["nib", "modal_usaha", "tanggal_data", "atribut_lain", "nama_usaha"]), ODD_VALUES)
def test_fast_json_never_disagrees_on_odd_values(record: Umkm, field: str, value: Any) -> None:
    import attrs

    odd = attrs.evolve(record, **{field: value})
    try:
        general: str | None = json.dumps(
            unstructure(odd), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except (TypeError, ValueError, AttributeError):
        general = None
    try:
        fast: str | None = fast_dumps(odd)
    except Slow:
        return  # the codec then uses the general path
    assert fast == general


@given(st.one_of(ks.umkm(), ks.koperasi()), st.dictionaries(
    st.sampled_from(["skala", "jenis", "grade", "kab_kota", "status", "kesehatan"]),
    st.one_of(st.none(), st.sampled_from(["mikro", "x"])), max_size=3))
def test_fast_dims_equal_index_keys(record: Umkm | Koperasi, atribut: dict[str, str | None]) -> None:
    assert _codec._dims(record, atribut) == _codec._dims_reference(record, atribut)
    assert list(_codec._dims(record, atribut)) == list(_codec.DIMENSION_COLUMNS)


def test_unserialisable_record_raises_storage_error() -> None:
    from kukm.exceptions import StorageError

    with pytest.raises(StorageError):
        _codec.encode_record(Umkm(nama_usaha=object()))  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        _codec.encode_record(Umkm(nama_usaha="\ud800"))


@given(st.one_of(ks.umkm(), ks.koperasi()))
def test_fast_structure_equals_cattrs(record: Umkm | Koperasi) -> None:
    from kukm.storage._fastjson import fast_structure

    data = json.loads(fast_dumps(record))
    assert fast_structure(type(record), data) == structure(data, type(record)) == record


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=3), inner, max_size=2)),
    max_leaves=4,
)


@settings(max_examples=100)
@given(ks.umkm(), st.sampled_from(["nib", "modal_usaha", "tanggal_data", "atribut_lain", "pemilik", "alamat", "nama_usaha"]), JSONISH)
def test_fast_structure_never_disagrees_on_odd_data(record: Umkm, field: str, value: Any) -> None:
    from kukm.storage._fastjson import fast_structure

    data = json.loads(fast_dumps(record))
    data[field] = value
    try:
        fast = fast_structure(Umkm, data)
    except Slow:
        return  # the codec then asks cattrs
    assert fast == structure(data, Umkm)
