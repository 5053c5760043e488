"""Instruments changed through files (Kepgub E.11) and exported as Table Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kukm.exceptions import ConfigurationError
from kukm.rules.instruments import get_instrument, load_instrument

TOML = """
name = "umkm-dki-2025"
extends = "umkm"
title = "Instrumen UMKM Dinas PPKUKM 2025"
require = ["npwp", "email"]
optional = ["telepon"]
remove_rules = ["jenis_kelamin_nik"]

[[fields]]
name = "jumlah_cabang"
type = "int"
required = true
minimum = 0

[[fields]]
name = "nama_usaha"
aliases = ["Nama Usaha"]
"""


def test_toml_adds_and_requires_fields(tmp_path: Path) -> None:
    p = tmp_path / "umkm.toml"
    p.write_text(TOML, encoding="utf-8")
    inst = load_instrument(p)
    assert inst.name == "umkm-dki-2025" and inst.entity == "umkm"
    by = {f.name: f for f in inst.fields}
    assert by["npwp"].required and by["email"].required and not by["telepon"].required
    assert "jenis_kelamin_nik" not in {r.id for r in inst.rules}
    base = get_instrument("umkm")
    row = {f.name: "" for f in base.fields}
    row.update({"Nama Usaha": "Toko", "jumlah_cabang": "2"})
    r = inst.parse_row(row)
    assert {"npwp", "email"} <= {i.field for i in r.issues if i.kind == "lengkap"}
    assert "nama_usaha" not in {i.field for i in r.issues}
    # the added field lands in atribut_lain
    ok_row = {
        "nama_usaha": "Toko", "nib": "", "npwp": "01.312.166.0-091.000", "nik_pemilik": "3171011708450001",
        "nama_pemilik": "Budi", "jenis_kelamin": "L", "alamat": "Jl. A", "kode_wilayah": "31.71.01.1001",
        "kbli": "47111", "modal_usaha": "10 jt", "omzet_tahunan": "100 jt", "tenaga_kerja": "1",
        "tanggal_berdiri": "2010-01-01", "email": "b@contoh.id", "sumber_data": "sudin", "jumlah_cabang": "2",
    }  # fmt: skip
    res = inst.parse_row(ok_row)
    assert res.record is not None, res.issues
    assert res.record.atribut_lain == {"jumlah_cabang": "2"}


def test_json_file_and_base(tmp_path: Path) -> None:
    p = tmp_path / "kop.json"
    p.write_text(json.dumps({"name": "kop-min", "require": ["nomor_induk_koperasi"]}), encoding="utf-8")
    inst = load_instrument(p, base=get_instrument("koperasi"))
    assert next(f for f in inst.fields if f.name == "nomor_induk_koperasi").required


@pytest.mark.parametrize(
    "content",
    [
        'extends = "umkm"',  # no name
        'name = "x"',  # no base
        'name = "x"\nextends = "umkm"\nrequire = ["nope"]',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "a"\ntype = "float"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "a"\ncolour = "red"',
        'name = "x"\nextends = "umkm"\nremove_rules = ["nope"]',
        'name = "x"\nextends = "umkm"\nunknown = 1',
        "not toml [",
        # values of the wrong type were read as something else: "false" (a true string) made
        # npwp required, "a,b" the choices 'a', ',', 'b', a text the aliases its letters
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "npwp"\nrequired = "false"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "jenis_kelamin"\nchoices = "L,P"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "nama_usaha"\naliases = "Nama X"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "npwp"\nstrict = "no"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "a"\ntype = "int"\nminimum = "0"',
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "a"\ntype = "int"\nminimum = true',
        'name = "x"\nextends = "umkm"\nrequire = "npwp"',
        # an identifier check that does not exist was a LookupError traceback
        'name = "x"\nextends = "umkm"\n[[fields]]\nname = "a"\ntype = "identifier"\nidentifier = "nibb"',
    ],
)
def test_bad_files_are_configuration_errors(tmp_path: Path, content: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_instrument(p).parse_row({}, row_number=1)
    assert info.value.code == "INSTRUMENT_FILE"


@pytest.mark.parametrize("name", ["umkm", "koperasi"])
def test_table_schema_is_valid_frictionless(name: str) -> None:
    frictionless = pytest.importorskip("frictionless")
    descriptor = get_instrument(name).to_table_schema()
    schema = frictionless.Schema.from_descriptor(descriptor)
    assert [f.name for f in schema.fields] == [f.name for f in get_instrument(name).fields]
    required = {f["name"] for f in descriptor["fields"] if f.get("constraints", {}).get("required")}
    assert required == {f.name for f in get_instrument(name).fields if f.required}


def test_instruments_pickle_for_worker_processes(tmp_path: Path) -> None:
    import pickle

    p = tmp_path / "umkm.toml"
    p.write_text(TOML, encoding="utf-8")
    for inst in (get_instrument("umkm"), get_instrument("koperasi"), load_instrument(p)):
        copy = pickle.loads(pickle.dumps(inst))
        assert copy.name == inst.name and copy.fields == inst.fields
        assert [r.id for r in copy.rules] == [r.id for r in inst.rules]
        row = {"nama_usaha": "X", "tanggal_berdiri": "2999-01-01"}
        assert [i.code for i in copy.parse_row(row).issues] == [i.code for i in inst.parse_row(row).issues]
