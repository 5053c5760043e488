"""kukm.testing.strategies: valid values pass kukm's and python-stdnum's validators,
invalid ones fail them, and every entity is reachable through st.from_type."""

from __future__ import annotations

import re

import pytest
import stdnum.id.nik
import stdnum.id.npwp
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.ids import nib as nib_mod
from kukm.ids import nik_penduduk as nik_mod
from kukm.ids import nomor_induk_koperasi as nik_kop_mod
from kukm.ids import npwp as npwp_mod
from kukm.model import (
    Alamat,
    JenisKelamin,
    Keuangan,
    Koperasi,
    Pemilik,
    Pengurus,
    Petugas,
    Sumber,
    Umkm,
    Wilayah,
)
from kukm.storage.base import Provenance, WriteOp
from kukm.testing import strategies as ks

KODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
TELEPON_RE = re.compile(r"^(08\d{8,11}|\+628\d{8,11}|021\d{7,8})$")


@given(ks.nik_penduduk())
def test_nik_penduduk_valid(value: str) -> None:
    assert stdnum.id.nik.is_valid(value)
    assert nik_mod.is_valid(value)


@given(ks.nik_penduduk(female=True), ks.nik_penduduk(female=False))
def test_nik_penduduk_sex(woman: str, man: str) -> None:
    assert int(woman[6:8]) > 40
    assert int(man[6:8]) <= 31
    assert nik_mod.get_jenis_kelamin(woman) is JenisKelamin.PEREMPUAN
    assert nik_mod.get_jenis_kelamin(man) is JenisKelamin.LAKI_LAKI


@given(ks.nik_penduduk(valid=False))
def test_nik_penduduk_invalid(value: str) -> None:
    assert not stdnum.id.nik.is_valid(value)
    assert not nik_mod.is_valid(value)


@given(ks.npwp(), ks.npwp(digits=15), ks.npwp(digits=16))
def test_npwp_valid(any_: str, fifteen: str, sixteen: str) -> None:
    for value in (any_, fifteen, sixteen):
        assert stdnum.id.npwp.is_valid(value)
        assert npwp_mod.is_valid(value)
    assert (len(fifteen), len(sixteen)) == (15, 16)


@given(ks.npwp(valid=False))
def test_npwp_invalid(value: str) -> None:
    assert not stdnum.id.npwp.is_valid(value)
    assert not npwp_mod.is_valid(value)


def test_npwp_rejects_bad_digits_option() -> None:
    with pytest.raises(TypeError):
        ks.npwp(digits=14)


@given(ks.nib(), ks.nib(valid=False))
def test_nib(good: str, bad: str) -> None:
    assert nib_mod.is_valid(good)
    assert not nib_mod.is_valid(bad)


@given(ks.nomor_induk_koperasi(), ks.nomor_induk_koperasi(valid=False))
def test_nomor_induk_koperasi(good: str, bad: str) -> None:
    assert nik_kop_mod.is_valid(good)
    assert good[:4] in {"3101", "3171", "3172", "3173", "3174", "3175"}
    assert not nik_kop_mod.is_valid(bad)


@pytest.mark.parametrize("level,parts", [("provinsi", 1), ("kabkota", 2), ("kecamatan", 3), ("kelurahan", 4)])
@settings(max_examples=20)
@given(data=st.data())
def test_kode_wilayah_levels(level: str, parts: int, data: st.DataObject) -> None:
    code = data.draw(ks.kode_wilayah(level=level))
    assert KODE_RE.match(code) and code.count(".") == parts - 1 and code.startswith("31")
    bad = data.draw(ks.kode_wilayah(level=level, valid=False))
    assert not KODE_RE.match(bad)


def test_kode_wilayah_rejects_unknown_level() -> None:
    with pytest.raises(TypeError):
        ks.kode_wilayah(level="rt")


def test_fallback_covers_the_44_dki_kecamatan() -> None:
    assert len(ks.FALLBACK_DKI_KECAMATAN) == 44
    assert all(KODE_RE.match(k) and len(v) == 7 for k, v in ks.FALLBACK_DKI_KECAMATAN.items())


@given(ks.telepon(), ks.telepon(valid=False))
def test_telepon(good: str, bad: str) -> None:
    assert TELEPON_RE.match(good)
    assert not TELEPON_RE.match(bad)


@given(ks.kbli(), ks.kbli(valid=False))
def test_kbli(good: str, bad: str) -> None:
    assert re.fullmatch(r"\d{5}", good) and good[:2] != "04"
    assert not (re.fullmatch(r"\d{5}", bad) and bad[:2] != "04")


@given(ks.rupiah(), ks.rupiah(min_value=10, max_value=20))
def test_rupiah(amount: int, small: int) -> None:
    assert type(amount) is int and amount >= 0
    assert 10 <= small <= 20


def test_rupiah_reaches_threshold_neighbours() -> None:
    from hypothesis import find

    for value in (1_000_000_000, 1_000_000_001, 49_999_999):
        assert find(ks.rupiah(), lambda v, value=value: v == value) == value


ENTITIES = [Alamat, Pemilik, Pengurus, Keuangan, Umkm, Koperasi, Wilayah, Petugas, Sumber, Provenance, WriteOp]


@pytest.mark.parametrize("cls", ENTITIES, ids=lambda c: c.__name__)
@settings(max_examples=10)
@given(data=st.data())
def test_from_type_works_for_every_entity(cls: type, data: st.DataObject) -> None:
    assert isinstance(data.draw(st.from_type(cls)), cls)
    assert isinstance(data.draw(ks.from_entity(cls)), cls)


@settings(max_examples=20)
@given(ks.umkm(nib=ks.nib(valid=False), kbli="47111"), ks.petugas(), ks.wilayah())
def test_overrides_and_consistency(u: Umkm, p: Petugas, w: Wilayah) -> None:
    assert u.nib is None or not nib_mod.is_valid(u.nib)
    assert u.kbli == "47111"
    expected = {"sudin": 1, "camat": 2, "lurah": 3}.get(p.peran)
    if expected is None:
        assert p.wilayah is None
    else:
        assert p.wilayah is not None and p.wilayah.count(".") == expected
    assert w.induk is None or w.kode.startswith(w.induk + ".")


def test_from_entity_rejects_unknown_fields_and_types() -> None:
    with pytest.raises(TypeError):
        ks.from_entity(Umkm, nama="x")
    with pytest.raises(TypeError):
        ks.from_entity(int)


@settings(max_examples=20)
@given(ks.write_op(kind="umkm"), ks.write_op())
def test_write_ops(op: WriteOp, any_op: WriteOp) -> None:
    assert op.kind == "umkm" and isinstance(op.record, Umkm)
    assert isinstance(any_op.record, Umkm if any_op.kind == "umkm" else Koperasi)


def test_public_api_is_keyword_only() -> None:
    import inspect

    for name in ks.__all__:
        obj = getattr(ks, name)
        if not callable(obj) or name in {"from_entity", "register_type_strategies"}:
            continue
        for param in inspect.signature(obj).parameters.values():
            assert param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD), (name, param)


def test_entry_point_registers_from_type_in_a_fresh_process() -> None:
    import subprocess
    import sys

    code = (
        "from hypothesis import find, strategies as st\n"
        "from kukm.model import Koperasi\n"
        "k = find(st.from_type(Koperasi), lambda k: k.nomor_induk_koperasi is not None)\n"
        "assert len(k.nomor_induk_koperasi) == 13\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
