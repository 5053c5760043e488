"""An officer cannot verify an application whose filing has not finished (Kepgub H.6).

:meth:`NikWorkflow.submit` writes the application, then wins the fence of each
identity turn it claimed and records the turn. Between the two, a take-over (a filing
that found the turn claimed and no application for 3 s) may still void it. A
verification in that window used to succeed, and the void then failed: the
application stood verified beside the filing that took its turn over.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

from kukm.exceptions import KukmError
from kukm.governance import Service, User
from kukm.model import Alamat, Koperasi
from kukm.nik import application
from kukm.nik.application import NikWorkflow, Permohonan, StatusPermohonan
from kukm.nik.eligibility import Kelayakan
from kukm.plugins import open_store
from kukm.storage.base import Store

S = StatusPermohonan
OFFICER = "sudin-jaksel"
KOP = Koperasi(
    nama="Koperasi Selatan",
    id="kop-s",
    alamat=Alamat(jalan="Jl. Kemang 1", kode_wilayah="31.74.07.1001"),
)
T0 = dt.datetime(2026, 3, 1, 9, 0)


class Crash(BaseException):
    """The filing process stops here."""


def _always(koperasi: Koperasi, on: dt.date) -> Kelayakan:
    return Kelayakan(True)


def _setup() -> tuple[Store, NikWorkflow]:
    store = open_store("memory://")
    Service(store, User("admin-1", "administrator")).grant(User(OFFICER, "sudin", "31.74"))
    return store, NikWorkflow(store, eligibility=_always)


def _submit(wf: NikWorkflow, pid: str) -> Permohonan:
    return wf.submit(KOP, wilayah_keanggotaan=["31.74"], permohonan_id=pid, waktu=T0)


def _standing(wf: NikWorkflow) -> list[str]:
    return sorted(p.id for p in wf.all() if p.status in (S.DIAJUKAN, S.DIVERIFIKASI))


def _taken_over_while_writing(
    monkeypatch: pytest.MonkeyPatch, store: Store, wf: NikWorkflow, after_write: Any
) -> None:
    """File PNIK-a; just before it is written, PNIK-b takes its turn over (the claim of
    PNIK-a is older than the limit, no application found); once it is written and before
    it settles its turn, ``after_write()`` runs."""
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 0.05, raising=False)
    put = store.put_document
    settle = NikWorkflow._settle_turn
    state = {"written": False, "hook": False}

    def put_document(collection: str, key: str, doc: Any) -> None:
        first = collection == application.COLLECTION and key == "PNIK-a" and not state["written"]
        if first:
            _submit(wf, "PNIK-b")  # waits 0.05 s for PNIK-a's turn, then takes it over
        put(collection, key, doc)
        state["written"] = state["written"] or first

    def settle_turn(self: NikWorkflow, alias: str, versi: int) -> bool:
        if (alias, versi) == ("kop-s", 0) and state["written"] and not state["hook"]:
            state["hook"] = True  # PNIK-a's own settle, after its write
            after_write()
        return settle(self, alias, versi)

    monkeypatch.setattr(store, "put_document", put_document)
    monkeypatch.setattr(NikWorkflow, "_settle_turn", settle_turn)


def test_a_verification_between_write_and_fence_of_a_taken_over_filing_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, wf = _setup()
    seen: list[str] = []

    def verify_now() -> None:
        assert wf.get("PNIK-a").status is S.DIAJUKAN  # written, its turn not settled
        with pytest.raises(KukmError) as info:
            wf.verify("PNIK-a", OFFICER)
        seen.append(info.value.code)

    _taken_over_while_writing(monkeypatch, store, wf, verify_now)
    with pytest.raises(KukmError) as info:
        _submit(wf, "PNIK-a")
    monkeypatch.undo()
    # before the fix: the verification succeeded, the void then failed
    # (NIK_TRANSITION_ILLEGAL) and PNIK-a stood verified beside PNIK-b
    assert seen == ["NIK_FILING_TAKEN_OVER"]
    assert info.value.code == "NIK_FILING_TAKEN_OVER"
    assert wf.get("PNIK-a").status is S.DITOLAK
    assert _standing(wf) == ["PNIK-b"]
    refused = [e for e in store.audit_log() if e.aksi == "nik_verifikasi"]
    assert [(e.diizinkan, (e.detail or "")[:21]) for e in refused] == [
        (False, "NIK_FILING_TAKEN_OVER")
    ]


def test_a_taken_over_filing_that_died_after_writing_can_be_rejected_not_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, wf = _setup()

    def die() -> None:
        raise Crash

    _taken_over_while_writing(monkeypatch, store, wf, die)
    with pytest.raises(Crash):
        _submit(wf, "PNIK-a")
    monkeypatch.undo()
    assert _standing(wf) == ["PNIK-a", "PNIK-b"]  # its process died before voiding it
    with pytest.raises(KukmError) as info:
        wf.verify("PNIK-a", OFFICER)
    assert (info.value.code, info.value.value) == ("NIK_FILING_TAKEN_OVER", "PNIK-a")
    assert wf.reject("PNIK-a", OFFICER, catatan="giliran diambil alih").status is S.DITOLAK
    assert wf.verify("PNIK-b", OFFICER).status is S.DIVERIFIKASI


def test_a_verification_in_the_window_waits_for_the_turn_to_be_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 10.0, raising=False)
    store, wf = _setup()
    written, go = threading.Event(), threading.Event()
    settle = NikWorkflow._settle_turn

    def settle_turn(self: NikWorkflow, alias: str, versi: int) -> bool:
        written.set()  # the application is written: pause before settling its turn
        assert go.wait(20)
        return settle(self, alias, versi)

    monkeypatch.setattr(NikWorkflow, "_settle_turn", settle_turn)
    filing = threading.Thread(target=_submit, args=(wf, "PNIK-a"))
    filing.start()
    assert written.wait(20)
    result: list[Permohonan] = []
    officer = threading.Thread(target=lambda: result.append(wf.verify("PNIK-a", OFFICER)))
    officer.start()
    officer.join(0.3)
    # before the fix: verified at once, while the filing could still be voided
    assert officer.is_alive() and result == []
    go.set()
    filing.join(20)
    officer.join(20)
    assert [p.status for p in result] == [S.DIVERIFIKASI]
    assert store.get_document(application.IDENTITAS_COLLECTION, "kop-s") == {
        "versi": 1,
        "permohonan": "PNIK-a",
    }


def test_a_filing_that_died_after_writing_without_a_take_over_can_still_be_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 0.05, raising=False)
    store, wf = _setup()

    def die(self: NikWorkflow, alias: str, versi: int) -> bool:
        raise Crash

    monkeypatch.setattr(NikWorkflow, "_settle_turn", die)
    with pytest.raises(Crash):
        _submit(wf, "PNIK-a")
    monkeypatch.undo()
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", 0.05, raising=False)
    assert store.get_document(application.IDENTITAS_COLLECTION, "kop-s") is None  # unrecorded
    started = time.monotonic()
    assert wf.verify("PNIK-a", OFFICER).status is S.DIVERIFIKASI  # after the wait
    assert time.monotonic() - started >= 0.05
    assert _standing(wf) == ["PNIK-a"]
