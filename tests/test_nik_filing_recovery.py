"""A NIK filing that stopped after claiming its cooperative's turn (Kepgub DKI 1625/2021 H.6, A.10).

A filing claims each identity's turn, then writes its application, then records the
turns. A process that died between the claim and the write left a claim and nothing
else: the next filing takes the turn over after the time limit instead of being refused
"being filed right now" forever. A filing still running but slower than the limit loses
its turn, and its late application is rejected by the system: two applications for one
cooperative never stand together.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import KukmError
from kukm.nik import application
from kukm.nik.application import IDENTITAS_COLLECTION, NikWorkflow, Permohonan, StatusPermohonan
from kukm.plugins import open_store
from kukm.storage.base import Store
from nik_setup import JAKSEL, OFFICER, T0, store_with_officer, workflow

S = StatusPermohonan
ALIASES = ("BH:1/BH/XII.4/2001", "kop-s")
LIMIT = 0.05





def _submit(wf: NikWorkflow, pid: str) -> Permohonan:
    return wf.submit(JAKSEL, wilayah_keanggotaan=["31.74"], permohonan_id=pid, waktu=T0)


def _refused(fn: Callable[..., Any], *args: Any) -> KukmError:
    with pytest.raises(KukmError) as info:
        fn(*args)
    return info.value


def _open(store: Store) -> list[str]:
    return [p.id for p in NikWorkflow(store).all() if p.status in application.OPEN]


def _turns(store: Store) -> dict[str, Any]:
    return {a: store.get_document(IDENTITAS_COLLECTION, a) for a in ALIASES}


# -- a process that really dies -----------------------------------------------------------------


def _file_and_die(url: str, where: str) -> None:
    """In a forked child: file, and end the process (no handler runs) at ``where``:
    ``application`` as the application is about to be written (every turn claimed);
    ``second_turn`` as the second identity's turn is about to be claimed."""
    store = open_store(url)
    allocate, put = store.allocate_sequence, store.put_document
    claims: list[str] = []

    def allocate_or_die(prefix: str, *, maximum: int = 9999) -> int:
        if prefix.startswith("nik-identitas:"):
            claims.append(prefix)
            if where == "second_turn" and len(claims) == 2:
                os._exit(3)
        return allocate(prefix, maximum=maximum)

    def put_or_die(collection: str, key: str, doc: Any) -> None:
        if where == "application" and collection == application.COLLECTION:
            os._exit(3)
        put(collection, key, doc)

    store.allocate_sequence = allocate_or_die  # type: ignore[method-assign]
    store.put_document = put_or_die  # type: ignore[method-assign]
    try:
        _submit(workflow(store), "PNIK-dead")
    finally:
        os._exit(0)  # reached only when ``where`` never came


@pytest.mark.parametrize("where", ["application", "second_turn"])
def test_a_filing_whose_process_died_after_its_claim_does_not_lock_the_cooperative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", LIMIT)
    url = f"sqlite:///{tmp_path / 'nik.sqlite'}"
    store_with_officer(url).close()
    proc = mp.get_context("fork").Process(target=_file_and_die, args=(url, where))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3, f"the filing did not reach {where!r}"
    store = open_store(url)
    wf = workflow(store)
    assert _open(store) == []  # it wrote nothing but its claim(s)
    p = _submit(wf, "PNIK-next")  # before the fix: NIK_APPLICATION_OPEN "being filed" forever
    assert p.status is S.DIAJUKAN
    # the dead filing's turns were taken over (the second one it never claimed)
    taken = {"BH:1/BH/XII.4/2001": 2, "kop-s": 2 if where == "application" else 1}
    assert _turns(store) == {a: {"versi": v, "permohonan": "PNIK-next"} for a, v in taken.items()}
    err = _refused(_submit, wf, "PNIK-third")  # and the cooperative still has one at a time
    assert (err.code, err.value) == ("NIK_APPLICATION_OPEN", "PNIK-next")
    assert _open(store) == ["PNIK-next"]
    store.close()


# -- a filing slower than the limit -----------------------------------------------------------


def test_a_filing_slower_than_the_limit_loses_its_turn_and_its_application_is_void(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application, "_TURN_WAIT_SECONDS", LIMIT)
    store = store_with_officer()
    wf = workflow(store)
    put = store.put_document
    other: list[Permohonan] = []

    def another_filing_first(collection: str, key: str, doc: Any) -> None:
        if collection == application.COLLECTION and key == "PNIK-slow" and not other:
            other.append(_submit(workflow(store), "PNIK-fast"))  # meanwhile, past the limit
        put(collection, key, doc)

    monkeypatch.setattr(store, "put_document", another_filing_first)
    err = _refused(_submit, wf, "PNIK-slow")
    assert (err.code, err.field, err.value) == ("NIK_FILING_TAKEN_OVER", "koperasi", "PNIK-slow")
    monkeypatch.undo()
    assert other[0].status is S.DIAJUKAN
    assert _open(store) == ["PNIK-fast"]  # never two live applications
    slow = wf.get("PNIK-slow")  # kept, with why it ended: nothing lost silently
    assert [t.ke for t in slow.riwayat] == [S.DIAJUKAN, S.DITOLAK]
    assert "NIK_FILING_TAKEN_OVER" in (slow.riwayat[-1].catatan or "")
    assert _turns(store) == {a: {"versi": 2, "permohonan": "PNIK-fast"} for a in ALIASES}
    assert _refused(_submit, wf, "PNIK-third").value == "PNIK-fast"
    refused = [e for e in store.audit_log() if e.aksi == "nik_ajukan" and not e.diizinkan]
    assert [e.record_id for e in refused] == ["PNIK-slow", "PNIK-third"]
    assert "NIK_FILING_TAKEN_OVER" in (refused[0].detail or "")


# -- any crash point ----------------------------------------------------------------------------


class _Died(BaseException):
    """The process ended: nothing after it reaches the store (handlers included)."""


class _Dying:
    """A store that ends after ``steps`` writes (sequence claims and documents)."""

    def __init__(self, store: Store, steps: int) -> None:
        self._store, self._left = store, steps

    def _step(self) -> None:
        if self._left <= 0:
            raise _Died
        self._left -= 1

    def allocate_sequence(self, prefix: str, *, maximum: int = 9999) -> int:
        self._step()
        return self._store.allocate_sequence(prefix, maximum=maximum)

    def put_document(self, collection: str, key: str, doc: Any) -> None:
        self._step()
        self._store.put_document(collection, key, doc)

    def __getattr__(self, name: str) -> Any:
        if self._left <= 0:
            raise _Died
        return getattr(self._store, name)


@settings(max_examples=25, deadline=None)
@given(steps=st.integers(0, 12), reject_first=st.booleans())
def test_property_a_filing_dying_anywhere_never_locks_nor_doubles(
    steps: int, reject_first: bool
) -> None:
    with mock.patch.object(application, "_TURN_WAIT_SECONDS", LIMIT):
        store = store_with_officer()
        with contextlib.suppress(_Died):
            _submit(workflow(_Dying(store, steps)), "PNIK-dead")  # type: ignore[arg-type]
        wf = workflow(store)
        dead = [p for p in wf.all() if p.id == "PNIK-dead"]
        if dead and dead[0].status in application.OPEN:
            # it was written: it stands, and is named, until an officer decides it
            assert _refused(_submit, wf, "PNIK-next").value == "PNIK-dead"
            if not reject_first:
                assert _open(store) == ["PNIK-dead"]
                return
            wf.reject("PNIK-dead", OFFICER)
        assert _submit(wf, "PNIK-next").status is S.DIAJUKAN
        assert _open(store) == ["PNIK-next"]
        assert _refused(_submit, wf, "PNIK-third").value == "PNIK-next"
