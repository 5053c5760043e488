"""A policy file with a typo is refused (POLICY_INVALID, exit 2), never half-applied;
officer ids are looked up without regard to case, fail-closed."""

from __future__ import annotations

import copy
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import AccessDenied, ConfigurationError
from kukm.governance.access import User, entity_field_paths, load_policy
from kukm.governance.service import Service, lookup_user
from kukm.model import Alamat, Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp


def _default() -> dict[str, Any]:
    text = files("kukm.governance").joinpath("policy_default.toml").read_text("utf-8")
    return tomllib.loads(text)


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigurationError) as info:
        load_policy(data)
    assert info.value.code == "POLICY_INVALID"
    return str(info.value)


def test_a_mistyped_masking_path_is_refused() -> None:
    data = _default()
    fields = data["masking"]["fields"]
    fields[fields.index("pemilik.nik_penduduk")] = "pemilik.nik_pendudk"
    assert "pemilik.nik_pendudk" in _refused(data)
    for bad in ("pemilik", "alamat", "nik_penduduk", "pengurus.ketu", "atribut_lain", ""):
        data = _default()
        data["masking"]["fields"] = ["telepon", bad]
        _refused(data)
    data = _default()
    data["masking"]["fields"] = ["atribut_lain.no_hp", "keuangan.aset", "pengurus.ketua"]
    assert load_policy(data).masking.fields[0] == "atribut_lain.no_hp"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ((), "maskng"),
        (("policy",), "nama"),
        (("masking",), "field"),
        (("pemutakhiran",), "max_age"),
        (("roles", "publik"), "action"),
        (("roles", "sudin"), "scopes"),
    ],
)
def test_unknown_keys_anywhere_are_refused(table: tuple[str, ...], key: str) -> None:
    data = _default()
    node = data
    for part in table:
        node = node[part]
    node[key] = ["read"]
    assert repr(key) in _refused(data)


def test_a_role_without_actions_and_a_wide_public_role_are_refused() -> None:
    data = _default()
    data["roles"]["publik"]["action"] = data["roles"]["publik"].pop("actions")
    _refused(data)
    data = _default()
    del data["roles"]["lurah"]["actions"]
    _refused(data)
    for change in ({"scope": "provinsi"}, {"actions": ["read", "read_personal"]}):
        data = _default()
        data["roles"]["publik"].update(change)
        _refused(data)
    data = _default()
    data["roles"]["Publik"] = data["roles"].pop("publik")
    assert "case" in _refused(data)
    data = _default()
    data["masking"]["style"] = "sebagain"
    _refused(data)


@given(
    where=st.sampled_from(["", "policy", "masking", "pemutakhiran", "roles.dinas", "roles.publik"]),
    key=st.from_regex(r"\A[a-z_]{1,12}\Z"),
)
def test_property_any_unknown_key_is_refused(where: str, key: str) -> None:
    known = {
        "": {"policy", "masking", "pemutakhiran", "roles"},
        "policy": {"name", "version", "sumber_hukum"},
        "masking": {"fields", "style"},
        "pemutakhiran": {"max_age_days"},
    }.get(where, {"description", "scope", "actions", "sumber"})
    if key in known:
        return
    data = copy.deepcopy(_default())
    node = data
    for part in filter(None, where.split(".")):
        node = node[part]
    node[key] = "x"
    _refused(data)


@given(paths=st.lists(st.sampled_from(sorted(entity_field_paths())), max_size=6))
def test_property_every_entity_field_path_is_accepted(paths: list[str]) -> None:
    data = _default()
    data["masking"]["fields"] = paths
    assert load_policy(data).masking.fields == tuple(paths)


def test_the_cli_refuses_a_mistyped_policy_with_exit_2(tmp_path: Path) -> None:
    text = files("kukm.governance").joinpath("policy_default.toml").read_text("utf-8")
    bad = tmp_path / "p.toml"
    bad.write_text(text.replace('"pemilik.nik_penduduk"', '"pemilik.nik_pendudk"'), "utf-8")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    Service(MemoryStore(), User("d", "dinas"))  # the default policy still loads
    from kukm.plugins import open_store

    open_store(db).close()
    result = CliRunner().invoke(
        cli,
        ["verify", "--kind", "umkm", "--all-pending", "--petugas", "d1", "--db", db],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        cli,
        ["verify", "--kind", "umkm", "--all-pending", "--petugas", "d1", "--db", db,
         "--policy", str(bad)],
    )
    assert result.exit_code == 2 and "POLICY_INVALID" in result.output


# -- officer ids: case-insensitive lookup, fail-closed ------------------------------


def _granted() -> MemoryStore:
    store = MemoryStore()
    store.write_batch(
        [
            WriteOp(
                "umkm",
                "jakut",
                Umkm(
                    nama_usaha="Toko",
                    pemilik=Pemilik(nik_penduduk="3172014708900001"),
                    alamat=Alamat(kode_wilayah="31.72.01.1001"),
                ),
                Provenance(SumberData.PIHAK_LAIN),
            )
        ]
    )
    Service(store, User("adm", "administrator")).grant(User("sudin-jakpus", "sudin", "31.71"))
    return store


@pytest.mark.parametrize("typed", ["Sudin-Jakpus", "SUDIN-JAKPUS", " sudin-jakpus "])
def test_a_case_variant_is_the_registered_officer(typed: str) -> None:
    store = _granted()
    user = lookup_user(store, typed)
    assert user == User("sudin-jakpus", "sudin", "31.71")
    with pytest.raises(AccessDenied):
        Service.for_user_id(store, typed).verify("umkm", "jakut")
    assert store.get("umkm", "jakut").status is VerificationStatus.MENUNGGU  # type: ignore[union-attr]


def test_a_case_variant_of_a_revoked_officer_stays_revoked() -> None:
    store = _granted()
    Service(store, User("adm", "administrator")).revoke("sudin-jakpus")
    with pytest.raises(AccessDenied) as info:
        Service.for_user_id(store, "Sudin-Jakpus").get("umkm", "jakut")
    assert info.value.code == "ACCESS_ROLE_UNKNOWN"


def test_ids_differing_only_in_case_cannot_be_granted_and_are_ambiguous() -> None:
    store = _granted()
    admin = Service(store, User("adm", "administrator"))
    with pytest.raises(ConfigurationError) as info:
        admin.grant(User("Sudin-JakPus", "dinas"))
    assert info.value.code == "ACCESS_USER_AMBIGUOUS"
    admin.grant(User("sudin-jakpus", "sudin", "31.71"))  # re-granting the same id is fine
    # two such ids stored by older versions: the lookup refuses to choose
    store.put_document("hak_akses", "SUDIN-JAKPUS", {"id": "SUDIN-JAKPUS", "peran": "dinas"})
    assert lookup_user(store, "SUDIN-JAKPUS") is not None  # exact match
    with pytest.raises(ConfigurationError):
        lookup_user(store, "Sudin-Jakpus")


def test_the_cli_does_not_turn_a_case_variant_into_a_dinas_verifier(tmp_path: Path) -> None:
    from kukm.plugins import open_store

    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    src = _granted()
    for key, doc in src.iter_documents("hak_akses"):
        store.put_document("hak_akses", key, doc)
    store.write_batch([WriteOp("umkm", "jakut", src.get("umkm", "jakut").record,  # type: ignore[union-attr]
                               Provenance(SumberData.PIHAK_LAIN))])
    store.close()
    result = CliRunner().invoke(
        cli, ["verify", "--kind", "umkm", "--id", "jakut", "--petugas", "Sudin-Jakpus", "--db", db]
    )
    assert result.exit_code != 0
    store = open_store(db)
    assert store.get("umkm", "jakut").status is VerificationStatus.MENUNGGU  # type: ignore[union-attr]
    store.close()
