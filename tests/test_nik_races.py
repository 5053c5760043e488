"""NIK workflow under races and crashes (Kepgub DKI 1625/2021 H.6, A.10).

One application per cooperative, also when two processes file at once; a valid
certificate blocks a new application until it ends; an issue interrupted after its
number was allocated or its certificate kept is finished with that number and that
certificate (no second number, no second certificate id).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kukm.certificate.keys import generate_private_key, write_keypair
from kukm.certificate.payload import SignedCertificate
from kukm.certificate.registry import CERTIFICATES, current_certificate
from kukm.cli import cli
from kukm.exceptions import KukmError
from kukm.model import Koperasi
from kukm.nik import application
from kukm.nik.allocation import nomor_induk_of
from kukm.nik.application import NikWorkflow, Permohonan, StatusPermohonan
from kukm.plugins import open_store
from kukm.storage.base import Store
from nik_setup import JAKSEL, OFFICER, PREFIX, T0, store_with_officer, workflow

S = StatusPermohonan
KEY = generate_private_key()
ON = dt.date(2026, 3, 2)
NOMOR = PREFIX + "0001"





def _refused(fn: Callable[..., Any], *args: Any, **kw: Any) -> KukmError:
    with pytest.raises(KukmError) as info:
        fn(*args, **kw)
    return info.value


def _submit(wf: NikWorkflow, kop: Koperasi = JAKSEL, **kw: Any) -> Permohonan:
    kw.setdefault("waktu", T0)
    return wf.submit(kop, wilayah_keanggotaan=["31.74"], **kw)


def _verified(wf: NikWorkflow) -> Permohonan:
    p = _submit(wf)
    return wf.verify(p.id, OFFICER)


# -- 1. one application per cooperative ---------------------------------------------------------


def _race_submit(url: str, n: int, barrier: Any, queue: Any) -> None:
    """Runs in a forked child: scan for open applications, wait until every child has
    scanned (none has written yet), then file."""
    scan = NikWorkflow.all
    waited: list[bool] = []

    def scan_then_wait(self: NikWorkflow) -> Iterator[Permohonan]:
        yield from scan(self)
        if not waited:
            waited.append(True)
            barrier.wait(30)

    NikWorkflow.all = scan_then_wait  # type: ignore[method-assign]  # this child only
    store = open_store(url)
    try:
        p = _submit(workflow(store), permohonan_id=f"PNIK-{n}")
        queue.put(("ok", p.id))
    except KukmError as exc:
        queue.put((exc.code, exc.value))
    finally:
        store.close()


def test_concurrent_applications_for_one_cooperative_accept_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    store_with_officer(url).close()
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_race_submit, args=(url, n, barrier, queue)) for n in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    results = [queue.get(timeout=5) for _ in procs]
    (winner,) = [value for code, value in results if code == "ok"]
    assert sorted(results) == sorted(
        [("ok", winner), ("NIK_APPLICATION_OPEN", winner), ("NIK_APPLICATION_OPEN", winner)]
    )
    store = open_store(url)
    assert [p.id for p in NikWorkflow(store).all()] == [winner]
    refused = [e for e in store.audit_log() if e.aksi == "nik_ajukan" and not e.diizinkan]
    assert len(refused) == 2 and all(winner in (e.detail or "") for e in refused)
    store.close()


def test_a_valid_certificate_blocks_a_new_application_until_it_ends() -> None:
    wf = workflow(store_with_officer())
    p = _verified(wf)
    err = _refused(_submit, wf)
    assert (err.code, err.value) == ("NIK_APPLICATION_OPEN", p.id)
    signed = wf.issue(p.id, private_key=KEY, on=ON, petugas=OFFICER)
    last_day = signed.sertifikat.tanggal_berakhir
    assert last_day == dt.date(2028, 3, 1)
    form = Koperasi(  # the same cooperative filed by its badan hukum number only
        nama="Koperasi Selatan", nomor_badan_hukum=" 1 / bh / xii.4 / 2001", alamat=JAKSEL.alamat
    )
    for kop, when in [(JAKSEL, T0), (form, T0), (JAKSEL, dt.datetime(2028, 3, 1, 16))]:
        err = _refused(_submit, wf, kop, waktu=when)
        assert (err.code, err.value) == ("NIK_CERTIFICATE_VALID", p.id)
    # past its last valid day the certificate no longer stands: the renewal keeps the number
    q = _submit(wf, waktu=dt.datetime(2028, 3, 2, 9))
    assert q.status is S.DIAJUKAN
    wf.verify(q.id, OFFICER)
    renewed = wf.issue(q.id, private_key=KEY, on=dt.date(2028, 3, 2), petugas=OFFICER)
    assert renewed.sertifikat.nomor_induk_koperasi == NOMOR
    assert [p.id for p in wf.expire_due(on=dt.date(2028, 3, 2))] == [p.id]


def test_a_filing_stopped_before_recording_its_turn_does_not_lock_the_cooperative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 0.05, raising=False)
    store = store_with_officer()
    wf = workflow(store)
    put = store.put_document

    def turn_not_recorded(collection: str, key: str, doc: Any) -> None:
        if collection == application.IDENTITAS_COLLECTION:
            raise OSError("the process stopped here")
        put(collection, key, doc)

    monkeypatch.setattr(store, "put_document", turn_not_recorded)
    with pytest.raises(OSError):
        _submit(wf, permohonan_id="PNIK-a")
    monkeypatch.setattr(store, "put_document", put)
    assert wf.get("PNIK-a").status is S.DIAJUKAN  # written: it stands and is named
    err = _refused(_submit, wf)
    assert (err.code, err.value) == ("NIK_APPLICATION_OPEN", "PNIK-a")
    wf.reject("PNIK-a", OFFICER, catatan="berkas tidak lengkap")
    q = _submit(wf)  # its turns are recorded for it, and the next ones taken
    assert q.status is S.DIAJUKAN
    for alias in ("kop-s", "BH:1/BH/XII.4/2001"):
        doc = store.get_document(application.IDENTITAS_COLLECTION, alias)
        assert doc == {"versi": 2, "permohonan": q.id}
    assert _refused(_submit, wf).value == q.id


def test_a_filing_refused_at_one_identity_frees_the_turns_it_took(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 0.05, raising=False)
    store = store_with_officer()
    wf = workflow(store)
    by_id = Koperasi(nama="Koperasi Selatan", id="kop-s", alamat=JAKSEL.alamat)
    first = _submit(wf, by_id)  # filed under its store id only
    # a filing that scanned before ``first`` was written: refused at the turn of "kop-s",
    # after it took the turn of its badan hukum number
    monkeypatch.setattr(NikWorkflow, "all", lambda self: iter(()))
    err = _refused(_submit, wf)
    assert (err.code, err.value) == ("NIK_APPLICATION_OPEN", first.id)
    monkeypatch.undo()
    assert store.get_document(application.IDENTITAS_COLLECTION, "BH:1/BH/XII.4/2001") == {
        "versi": 1,
        "permohonan": None,
    }
    wf.reject(first.id, OFFICER)
    assert _submit(wf).status is S.DIAJUKAN


# -- 2. an interrupted issue is finished, never repeated ---------------------------------------


def _assert_issued_once(store: Store, pid: str, signed: SignedCertificate) -> None:
    got = NikWorkflow(store).get(pid)
    assert got.status is S.TERBIT
    assert [t.ke for t in got.riwayat] == [S.DIAJUKAN, S.DIVERIFIKASI, S.TERBIT]
    assert got.nomor_induk_koperasi == signed.sertifikat.nomor_induk_koperasi == NOMOR
    assert got.sertifikat_id == signed.sertifikat.sertifikat_id == f"{NOMOR}-20260302"
    assert [k for k, _ in store.iter_documents(CERTIFICATES)] == [got.sertifikat_id]
    assert current_certificate(store, NOMOR) == signed
    assert store.allocate_sequence(PREFIX) == 2  # one number was used, once
    assert got.penerbitan is None


def _fail_after(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = getattr(application, name)

    def then_fail(*args: Any, **kw: Any) -> Any:
        real(*args, **kw)
        raise OSError(f"connection lost after {name}")

    monkeypatch.setattr(application, name, then_fail)


@pytest.mark.parametrize("where", ["save_certificate", "final_move"])
def test_an_issue_failing_after_its_certificate_was_kept_is_finished_with_it(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    store = store_with_officer()
    wf = workflow(store)
    p = _verified(wf)
    if where == "save_certificate":
        _fail_after(monkeypatch, "save_certificate")
    else:
        move = NikWorkflow._move

        def move_fails(self: NikWorkflow, q: Permohonan, to: S, *a: Any, **kw: Any) -> Any:
            if to is S.TERBIT:
                raise OSError("connection lost before the final state")
            return move(self, q, to, *a, **kw)

        monkeypatch.setattr(NikWorkflow, "_move", move_fails)
    with pytest.raises(OSError):
        wf.issue(p.id, private_key=KEY, on=ON, petugas=OFFICER)
    monkeypatch.undo()
    assert wf.get(p.id).status is S.DIVERIFIKASI
    # its certificate exists: the application cannot be rejected now, only finished
    assert _refused(wf.reject, p.id, OFFICER).code == "NIK_ISSUE_PENDING"
    stuck = wf.get(p.id)
    assert stuck.penerbitan is not None and stuck.penerbitan.tanggal_terbit == ON
    later = ON + dt.timedelta(days=5)  # another day asked: the decision written stands
    signed = wf.issue(p.id, private_key=KEY, on=later, petugas=OFFICER)
    _assert_issued_once(store, p.id, signed)
    assert _refused(wf.issue, p.id, private_key=KEY, on=later, petugas=OFFICER).code == (
        "NIK_TRANSITION_ILLEGAL"
    )


def test_an_issue_failing_after_its_number_was_allocated_reuses_the_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = store_with_officer()
    wf = workflow(store)
    p = _verified(wf)
    monkeypatch.setattr(application, "sign_certificate", _raise_oserror)
    with pytest.raises(OSError):
        wf.issue(p.id, private_key=KEY, on=ON, petugas=OFFICER)
    monkeypatch.undo()
    assert wf.get(p.id).status is S.DIVERIFIKASI  # nothing kept but the number: released
    assert nomor_induk_of(store, "kop-s") == NOMOR
    signed = wf.issue(p.id, private_key=KEY, on=ON, petugas=OFFICER)
    _assert_issued_once(store, p.id, signed)


def _raise_oserror(*args: Any, **kw: Any) -> Any:
    raise OSError("signing device unplugged")


def _die_after(name: str) -> None:
    """In a forked child: the process ends right after ``name`` (no handler runs)."""
    real = getattr(application, name)

    def then_die(*args: Any, **kw: Any) -> Any:
        real(*args, **kw)
        os._exit(3)

    setattr(application, name, then_die)


def _crash_issue(url: str, pid: str, where: str) -> None:
    _die_after(where)
    store = open_store(url)
    workflow(store).issue(pid, private_key=KEY, on=ON, petugas=OFFICER)
    os._exit(0)  # not reached


def _crashed(url: str, where: str) -> str:
    """A verified application whose issue died after ``where``; returns its id."""
    store = store_with_officer(url)
    p = _verified(workflow(store))
    store.close()
    proc = mp.get_context("fork").Process(target=_crash_issue, args=(url, p.id, where))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3
    return p.id


@pytest.mark.parametrize("where", ["assign_nomor_induk", "save_certificate"])
def test_an_issue_whose_process_died_is_finished_by_resume(tmp_path: Path, where: str) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    pid = _crashed(url, where)
    store = open_store(url)
    wf = workflow(store)
    assert wf.get(pid).status is S.DIVERIFIKASI
    assert nomor_induk_of(store, "kop-s") == NOMOR
    # it cannot be told from an issue running elsewhere: refused, with the way out
    err = _refused(wf.issue, pid, private_key=KEY, on=ON, petugas=OFFICER)
    assert (err.code, err.value) == ("NIK_ISSUE_PENDING", pid)
    assert _refused(wf.reject, pid, OFFICER).code == "NIK_ISSUE_PENDING"
    assert wf.get(pid).penerbitan is not None
    later = ON + dt.timedelta(days=3)
    signed = wf.issue(pid, private_key=KEY, on=later, petugas=OFFICER, resume=True)
    _assert_issued_once(store, pid, signed)
    resumed = [e for e in store.audit_log() if e.aksi == "nik_terbit" and e.diizinkan]
    assert len(resumed) == 1 and "melanjutkan penerbitan" in (resumed[0].detail or "")
    err = _refused(wf.issue, pid, private_key=KEY, on=later, petugas=OFFICER, resume=True)
    assert err.code == "NIK_TRANSITION_ILLEGAL"
    store.close()


def test_cli_issue_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    pid = _crashed(url, "assign_nomor_induk")
    monkeypatch.setenv("KUKM_DATABASE_URL", url)
    monkeypatch.setenv("KUKM_NO_PROGRESS", "1")
    key = str(write_keypair(tmp_path / "keys", name="k").private_key)

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    assert "penerbitan belum selesai" in run("nik", "show", pid)
    out = run("nik", "issue", pid, "--private-key", key, "--petugas", OFFICER, code=1)
    assert "NIK_ISSUE_PENDING" in out
    issued = json.loads(
        run("nik", "issue", pid, "--private-key", key, "--petugas", OFFICER, "--resume", "--json")
    )
    assert issued["nomor_induk_koperasi"] == NOMOR
    assert issued["tanggal_terbit"] == str(ON)
    assert "penerbitan belum selesai" not in run("nik", "show", pid)


def _crash_drawing_the_number(url: str, pid: str) -> None:
    """In a forked child: the issue dies inside the register, its claim taken, as it draws the
    running number (no number written anywhere)."""
    store = open_store(url)
    allocate = store.allocate_sequence

    def die_at_the_number(prefix: str, *, maximum: int = 9999) -> int:
        if prefix.isdigit():  # the prefix's running number; claims are named nik-...
            os._exit(3)
        return allocate(prefix, maximum=maximum)

    store.allocate_sequence = die_at_the_number  # type: ignore[method-assign]
    workflow(store).issue(pid, private_key=KEY, on=ON, petugas=OFFICER)
    os._exit(0)  # not reached


def test_an_issue_that_died_inside_the_register_is_finished_by_resume(tmp_path: Path) -> None:
    """The issue's process died holding the register's claim on the koperasi, before any number
    was written: resume finished the issue but not the register (NIK_ALLOCATION_IN_PROGRESS);
    it now takes over both, and one number is used."""
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    store = store_with_officer(url)
    p = _verified(workflow(store))
    store.close()
    proc = mp.get_context("fork").Process(target=_crash_drawing_the_number, args=(url, p.id))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3
    store = open_store(url)
    wf = workflow(store)
    assert nomor_induk_of(store, "kop-s") is None
    assert _refused(wf.issue, p.id, private_key=KEY, on=ON, petugas=OFFICER).code == "NIK_ISSUE_PENDING"
    signed = wf.issue(p.id, private_key=KEY, on=ON, petugas=OFFICER, resume=True)
    _assert_issued_once(store, p.id, signed)
    store.close()
