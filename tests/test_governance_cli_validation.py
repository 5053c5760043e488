"""Usage and configuration errors of ``kukm verify``/``quality``/``duplicates``/``pemutakhiran``
exit 2 before anything is changed: a blank ``--petugas`` (Kepgub D.3 needs a named officer),
an unknown ``--peran``, ``--max-age-days`` of 0 or less. The library refuses the same."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kukm.adapters.memory import MemoryStore
from kukm.cli import cli
from kukm.exceptions import AccessDenied, ConfigurationError
from kukm.governance.access import Policy, User, default_policy, load_policy
from kukm.governance.service import Service
from kukm.model import Alamat, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

KEL = "31.71.01.1001"


@pytest.fixture
def url() -> Iterator[str]:
    u = f"memory://govval-{uuid.uuid4().hex}"
    store = open_store(u)
    store.write_batch(
        [
            WriteOp(
                "umkm",
                f"u{i}",
                Umkm(nama_usaha=f"Warung {i}", alamat=Alamat(kode_wilayah=KEL)),
                Provenance(SumberData.PIHAK_LAIN, "x"),
                valid_from=dt.date(2024, 1, 1),
            )
            for i in range(3)
        ]
    )
    store.close()
    yield u


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _statuses(url: str) -> list[VerificationStatus]:
    store = open_store(url)
    try:
        return [s.status for s in store.iter_records("umkm")]
    finally:
        store.close()


@pytest.mark.parametrize("petugas", ["", "   ", "\t"])
def test_verify_refuses_a_blank_officer(url: str, petugas: str) -> None:
    for how in (["--all-pending"], ["--id", "u1"], ["--all-pending", "--reject"]):
        code, out = _run("verify", "--kind", "umkm", *how, "--petugas", petugas, "--json",
                         "--db", url)  # fmt: skip
        assert code == 2, out
        assert "--petugas" in out and "blank" in out
    assert set(_statuses(url)) == {VerificationStatus.MENUNGGU}  # nothing was verified


@pytest.mark.parametrize("command", ["quality", "duplicates", "pemutakhiran"])
def test_reports_refuse_a_blank_officer(url: str, command: str) -> None:
    code, out = _run(command, "--petugas", " ", "--db", url)
    assert code == 2, out
    assert "--petugas" in out


def test_officer_id_is_trimmed(url: str) -> None:
    code, out = _run("verify", "--kind", "umkm", "--id", "u1", "--petugas", " d1 ", "--json",
                     "--db", url)  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["petugas"] == "d1"
    store = open_store(url)
    try:
        verified = store.get("umkm", "u1")
        assert verified is not None and verified.verifikasi is not None
        assert verified.verifikasi.petugas == "d1"
    finally:
        store.close()


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--kind", "umkm", "--all-pending", "--petugas", "d1"],
        ["verify", "--kind", "umkm", "--id", "u1", "--petugas", "d1"],
        ["quality"],
        ["duplicates"],
        ["pemutakhiran"],
    ],
)
def test_unknown_role_is_a_configuration_error(url: str, args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--peran", "bogus", "--db", url])
    assert result.exit_code == 2, result.output
    assert "ACCESS_ROLE_UNKNOWN" in result.stderr and "'bogus'" in result.stderr
    for role in sorted(default_policy().roles):  # the message lists the known roles
        assert role in result.stderr
    assert set(_statuses(url)) == {VerificationStatus.MENUNGGU}


def test_unknown_role_listed_from_the_policy_in_force(url: str, tmp_path: object) -> None:
    from pathlib import Path

    policy = Path(str(tmp_path)) / "policy.toml"
    policy.write_text(
        '[roles.kepala]\nscope = "provinsi"\nactions = ["read", "report"]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["quality", "--policy", str(policy), "--db", url]  # default --peran dinas
    )
    assert result.exit_code == 2
    assert "(known: kepala)" in result.stderr


def test_registered_but_revoked_user_is_still_denied(url: str) -> None:
    """Fail-closed: a user whose rights were revoked (role ``dicabut``) is refused access
    (exit 1, like any denial), whatever ``--peran`` says."""
    store = open_store(url)
    admin = Service(store, User("admin", "administrator"))
    admin.grant(User("d9", "dinas"))
    admin.revoke("d9")
    store.close()
    code, out = _run("verify", "--kind", "umkm", "--id", "u1", "--petugas", "d9", "--peran",
                     "dinas", "--json", "--db", url)  # fmt: skip
    assert code == 1
    assert json.loads(out)["results"][0]["error"] == "ACCESS_ROLE_UNKNOWN"
    assert set(_statuses(url)) == {VerificationStatus.MENUNGGU}


def test_all_pending_by_a_role_that_may_not_verify_is_refused(url: str) -> None:
    args = ["verify", "--kind", "umkm", "--all-pending", "--petugas", "p1", "--peran", "publik"]
    result = CliRunner().invoke(cli, [*args, "--db", url])
    assert result.exit_code == 1
    assert "ACCESS_ACTION_DENIED" in result.stderr


@pytest.mark.parametrize("days", ["0", "-5"])
def test_max_age_days_must_be_positive(url: str, days: str) -> None:
    code, out = _run("pemutakhiran", "--max-age-days", days, "--json", "--db", url)
    assert code == 2, out
    assert "--max-age-days" in out
    assert '"max_age_days"' not in out  # no report with another limit


def test_max_age_days_one_is_used(url: str) -> None:
    code, out = _run("pemutakhiran", "--max-age-days", "1", "--json", "--db", url)
    assert code == 0
    assert json.loads(out)["umkm"]["max_age_days"] == 1


# -- the library ----------------------------------------------------------------------


@pytest.mark.parametrize("uid", ["", " ", "\n"])
def test_service_refuses_a_blank_user(uid: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Service(MemoryStore(), User(uid, "dinas"))
    assert info.value.code == "ACCESS_USER_BLANK"


def test_verify_by_a_blank_officer_is_refused_and_changes_nothing() -> None:
    store = MemoryStore()
    store.write_batch(
        [WriteOp("umkm", "u1", Umkm(nama_usaha="A"), Provenance(SumberData.PIHAK_LAIN))]
    )
    svc = Service(store, User("d1", "dinas"))
    svc.user = User("", "dinas")  # swapped after construction
    for action in (svc.verify, svc.reject):
        with pytest.raises(ConfigurationError) as info:
            action("umkm", "u1")
        assert info.value.code == "ACCESS_USER_BLANK"
    current = store.get("umkm", "u1")
    assert current is not None and current.status is VerificationStatus.MENUNGGU


def test_grant_to_a_blank_id_is_refused() -> None:
    store = MemoryStore()
    admin = Service(store, User("admin", "administrator"))
    with pytest.raises(ConfigurationError):
        admin.grant(User("  ", "dinas"))
    assert list(store.iter_documents("hak_akses")) == []


@pytest.mark.parametrize("days", [0, -5])
def test_service_pemutakhiran_zero_is_refused_not_the_default(days: int) -> None:
    svc = Service(MemoryStore(), User("d1", "dinas"))
    with pytest.raises(ConfigurationError) as info:
        svc.pemutakhiran("umkm", max_age_days=days)
    assert info.value.code == "PEMUTAKHIRAN_CONFIG"
    assert svc.pemutakhiran("umkm").max_age_days == svc.policy.max_age_days == 365
    assert svc.pemutakhiran("umkm", max_age_days=1).max_age_days == 1


@pytest.mark.parametrize("value", [0, -1, True, "30"])
def test_policy_max_age_days_must_be_a_positive_int(value: object) -> None:
    base = {"roles": {"dinas": {"scope": "provinsi", "actions": ["read"]}}}
    with pytest.raises(ConfigurationError) as info:
        load_policy({**base, "pemutakhiran": {"max_age_days": value}})
    assert info.value.code == "POLICY_INVALID"
    assert Policy.from_mapping({**base, "pemutakhiran": {"max_age_days": 30}}).max_age_days == 30


def test_unknown_role_still_never_gets_access() -> None:
    """The CLI refuses an unknown --peran early; the library stays fail-closed."""
    svc = Service(MemoryStore(), User("x", "bogus"))
    with pytest.raises(AccessDenied) as info:
        svc.quality("umkm")
    assert info.value.code == "ACCESS_ROLE_UNKNOWN"


@pytest.mark.parametrize(
    "args",
    [
        ["nik", "verify", "P-1", "--petugas", "  "],
        ["nik", "revoke", "P-1", "--petugas", "", "--alasan", "x"],
        ["nik", "issue", "P-1", "--petugas", " "],
    ],
)
def test_nik_actions_refuse_a_blank_officer(url: str, args: list[str]) -> None:
    """The NIK Koperasi workflow's officer is named too (verification before issue, Kepgub
    G): a blank --petugas is a usage error, before the store is touched."""
    res = CliRunner().invoke(cli, [*args, "--db", url])
    assert res.exit_code == 2, res.output
    assert "officer id" in res.output


def test_an_unregistered_officer_is_refused_once_officers_are_registered(url: str) -> None:
    """With no officer registered an operator acts with --peran (a single-office install);
    once the administrator has granted rights, an id that is not registered (a changed
    letter, a made-up name) is refused: it does not act with a role it names itself."""
    runner = CliRunner()
    before = runner.invoke(cli, ["quality", "--kind", "umkm", "--petugas", "anyone", "--db", url])
    assert before.exit_code == 0, before.output
    store = open_store(url)
    try:
        Service(store, User("admin-1", "administrator", "31")).grant(User("sudin-jakpus", "sudin", "31.71"))
    finally:
        store.close()
    res = runner.invoke(cli, ["verify", "--kind", "umkm", "--all-pending", "--petugas", "sudin-jakpsu", "--db", url])
    assert res.exit_code == 1 and "ACCESS_USER_UNREGISTERED" in res.output, res.output
    ok = runner.invoke(cli, ["quality", "--kind", "umkm", "--petugas", "Sudin-Jakpus", "--db", url])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("threshold", ["nan", "101", "-5"])
def test_a_duplicate_threshold_outside_0_to_100_is_refused(url: str, threshold: str) -> None:
    res = CliRunner().invoke(cli, ["duplicates", "--threshold", threshold, "--petugas", "x", "--db", url])
    assert res.exit_code == 2, res.output


def test_an_instrument_of_the_other_kind_or_targets_misspelt_are_refused(url: str, tmp_path: Path) -> None:
    """quality --kind koperasi with a UMKM form swapped it for the default koperasi form
    without a word; [[targets]] instead of [[target]] applied no target, exit 0."""
    form = tmp_path / "umkm.toml"
    form.write_text('name = "umkm-dki"\nextends = "umkm"\n', encoding="utf-8")
    res = CliRunner().invoke(
        cli, ["quality", "--kind", "koperasi", "--instrument", str(form), "--petugas", "x", "--db", url]
    )
    assert res.exit_code == 2 and "INSTRUMENT_FILE" in res.output, res.output
    targets = tmp_path / "t.toml"
    targets.write_text('[[targets]]\nunit = "31.71"\nvalid = 0.9\n', encoding="utf-8")
    res = CliRunner().invoke(
        cli, ["quality", "--kind", "umkm", "--targets", str(targets), "--petugas", "x", "--db", url]
    )
    assert res.exit_code == 2 and "[[target]]" in res.output, res.output
