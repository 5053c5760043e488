"""Nomor Induk Koperasi allocation stopped half-way (a crash) or run in any interleaving.

One cooperative never gets two numbers and one number never goes to two cooperatives:
an allocation whose process died after its number was bound is finished with that number
by the next call; one that died between its claim and its number is taken over with
``resume=True`` (of two resumes that find it stuck at once, one takes it over), and a
resume that died is resumed too. The processes really die (``os._exit`` in a forked child, no handler runs);
the interleavings are run by a scheduler that lets one call at a time take one store step.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.exceptions import IntegrityError, KukmError
from kukm.nik.allocation import (
    KLAIM_COLLECTION,
    KOPERASI_COLLECTION,
    NOMOR_COLLECTION,
    assign_nomor_induk,
    nomor_induk_of,
    register_existing,
)
from kukm.plugins import open_store
from kukm.storage.base import Store

PREFIX = "317106002"
NOMOR = PREFIX + "0001"
KEY, BH = "kop-s", "BH:1/BH/XII.4/2001"
IN_PROGRESS = "NIK_ALLOCATION_IN_PROGRESS"


def _assign(store: Store, *ids: str, resume: bool = False) -> str:
    key, *aliases = ids or (KEY, BH)
    if resume:
        return assign_nomor_induk(store, key, prefix=PREFIX, aliases=aliases, resume=True)
    return assign_nomor_induk(store, key, prefix=PREFIX, aliases=aliases)


def _refused(fn: Callable[..., Any], *args: Any, **kw: Any) -> KukmError:
    with pytest.raises(KukmError) as info:
        fn(*args, **kw)
    return info.value


def _numbers(store: Store) -> list[str]:
    return [n for n, _ in store.iter_documents(NOMOR_COLLECTION)]


def _one_number_everywhere(store: Store, nomor: str = NOMOR) -> None:
    """Every identity finds ``nomor``, the register holds it alone, and one running number
    of the prefix was used."""
    assert {i: nomor_induk_of(store, i) for i in (KEY, BH)} == {KEY: nomor, BH: nomor}
    assert _numbers(store) == [nomor]
    doc = store.get_document(NOMOR_COLLECTION, nomor)
    assert doc is not None and doc["koperasi"] in (KEY, BH)
    assert store.allocate_sequence(PREFIX) == int(nomor[9:]) + 1


# -- processes that die ---------------------------------------------------------------------


def _die(store: Store, where: str) -> None:
    """Make this (forked) process end at ``where`` (no handler runs, nothing more is written):

    * ``number``: when the running number of the prefix is about to be drawn (the step right
      after the cooperative was claimed);
    * ``binding``: when the number document (binding the number) is about to be written;
    * ``records``: when the cooperative's register records are about to be written (after its
      number was bound);
    * ``marker``: when a take-over is about to record the claim it ends;
    * ``takeover``: right after a take-over got its claim.
    """
    allocate, put = store.allocate_sequence, store.put_document

    def allocate_then_die(prefix: str, *, maximum: int = 9999) -> int:
        if where == "number" and prefix == PREFIX:
            os._exit(3)
        value = allocate(prefix, maximum=maximum)
        if where == "takeover" and prefix.startswith("nik-koperasi:") and value > 1:
            os._exit(3)
        return value

    def put_or_die(collection: str, key: str, doc: Any) -> None:
        if (where, collection) in {
            ("binding", NOMOR_COLLECTION),
            ("records", KOPERASI_COLLECTION),
            ("marker", KLAIM_COLLECTION),
        }:
            os._exit(3)
        put(collection, key, doc)

    store.allocate_sequence = allocate_then_die  # type: ignore[method-assign]
    store.put_document = put_or_die  # type: ignore[method-assign]


def _child(url: str, where: str, call: Callable[[Store], object]) -> None:
    store = open_store(url)
    _die(store, where)
    try:
        call(store)
    finally:
        os._exit(0)  # reached only when ``where`` never came


def _dies(url: str, where: str, call: Callable[[Store], object]) -> None:
    proc = mp.get_context("fork").Process(target=_child, args=(url, where, call))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3, f"the call did not reach {where!r}"


def _resume(store: Store) -> str:
    return _assign(store, resume=True)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'nik.sqlite'}"
    open_store(url).close()
    yield url


@pytest.mark.parametrize("where", ["number", "binding"])
def test_a_process_that_died_after_its_claim_is_taken_over_by_resume(url: str, where: str) -> None:
    _dies(url, where, _assign)
    store = open_store(url)
    # it cannot be told from one still running: refused under every identity, with the way out
    for ids in [(KEY, BH), (BH,), (KEY,)]:
        err = _refused(_assign, store, *ids)
        assert err.code == IN_PROGRESS and "resume=True" in err.message
    assert _numbers(store) == []
    # a number drawn and never bound is not given (to anyone): the resume draws the next one
    nomor = NOMOR if where == "number" else PREFIX + "0002"
    assert _assign(store, resume=True) == nomor
    assert _assign(store, BH) == _assign(store, KEY) == _assign(store, resume=True) == nomor
    _one_number_everywhere(store, nomor)
    store.close()


def test_a_process_that_died_after_binding_its_number_is_finished_with_it(url: str) -> None:
    _dies(url, "records", _assign)
    store = open_store(url)
    assert _numbers(store) == [NOMOR]  # bound, not recorded under its identities
    assert nomor_induk_of(store, BH) is None
    # the next call finds it, whichever identity it knows, and needs no resume
    assert _assign(store, BH) == NOMOR
    assert _assign(store, KEY) == NOMOR
    _one_number_everywhere(store)
    store.close()


@pytest.mark.parametrize("where", ["marker", "takeover", "number"])
def test_a_resume_that_died_is_resumed(url: str, where: str) -> None:
    _dies(url, "number", _assign)
    _dies(url, where, _resume)
    store = open_store(url)
    # it cannot be told from one still running either; resumed in turn, it is not wedged
    assert _refused(_assign, store, BH, KEY).code == IN_PROGRESS
    assert _assign(store, BH, KEY, resume=True) == NOMOR
    assert _assign(store) == NOMOR
    _one_number_everywhere(store)
    store.close()


def test_a_registration_that_died_after_its_claim_is_resumed(url: str) -> None:
    existing = PREFIX + "0007"

    def register(store: Store, *, resume: bool = False) -> str:
        if resume:
            return register_existing(store, KEY, existing, aliases=[BH], resume=True)
        return register_existing(store, KEY, existing, aliases=[BH])

    _dies(url, "binding", register)
    store = open_store(url)
    assert _refused(register, store).code == IN_PROGRESS
    assert _refused(_assign, store, BH).code == IN_PROGRESS  # the cooperative is claimed
    assert register(store, resume=True) == existing
    assert _assign(store, BH) == _assign(store, KEY) == existing
    assert _numbers(store) == [existing]
    assert store.allocate_sequence(PREFIX) == 1  # no new number was drawn
    store.close()


# -- in one process: a store that stops answering, and a scheduler of interleavings -------------


class _Crash(BaseException):
    """The calling process ended here (not an ``Exception``: no handler writes anything)."""


class _Mortal:
    """A store whose process dies at the first step ``dies_at(name, args)`` picks: that step and
    every later one raise :class:`_Crash` without touching the store."""

    def __init__(self, store: Store, dies_at: Callable[[str, tuple[Any, ...]], bool]) -> None:
        self._store, self._dies_at, self.dead = store, dies_at, False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)

        def step(*args: Any, **kw: Any) -> Any:
            self.dead = self.dead or self._dies_at(name, args)
            if self.dead:
                raise _Crash
            return attr(*args, **kw)

        return step


def _at_number(name: str, args: tuple[Any, ...]) -> bool:
    return name == "allocate_sequence" and args[0] == PREFIX


def test_two_resumes_at_once_take_over_once(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store("memory://")
    with pytest.raises(_Crash):
        _assign(_Mortal(store, _at_number))
    # a second resume runs whole while the first is about to take the stuck claim over
    allocate, second = store.allocate_sequence, list[str]()

    def meanwhile(prefix: str, *, maximum: int = 9999) -> int:
        if prefix.startswith("nik-koperasi:") and maximum == 2 and not second:
            second.append("running")
            second[0] = _assign(store, resume=True)
        return allocate(prefix, maximum=maximum)

    monkeypatch.setattr(store, "allocate_sequence", meanwhile)
    assert _assign(store, resume=True) == NOMOR  # refused the take-over, found the number
    assert second == [NOMOR]
    monkeypatch.undo()
    _one_number_everywhere(store)


def test_a_call_while_the_take_over_runs_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store("memory://")
    with pytest.raises(_Crash):
        _assign(_Mortal(store, _at_number))
    allocate, during = store.allocate_sequence, list[KukmError]()

    def meanwhile(prefix: str, *, maximum: int = 9999) -> int:
        if prefix == PREFIX and not during:  # the take-over holds the claims, draws its number
            during.extend(_refused(_assign, store, *ids) for ids in [(KEY,), (BH, KEY)])
        return allocate(prefix, maximum=maximum)

    monkeypatch.setattr(store, "allocate_sequence", meanwhile)
    assert _assign(store, resume=True) == NOMOR
    assert [e.code for e in during] == [IN_PROGRESS, IN_PROGRESS]
    monkeypatch.undo()
    _one_number_everywhere(store)


class _Interleaving:
    """Runs calls in threads, one store step at a time, the next step taken by the call that
    ``choose(ready)`` picks, with what happens to it: ``go``; ``crash``: the call's process
    ends there (:class:`_Crash`); ``fail``: that step fails (``OSError``, the store not
    touched) and the call's error handling runs."""

    def __init__(self, store: Store, choose: Callable[[list[int]], tuple[int, str]]) -> None:
        self.store, self.choose = store, choose
        self.cv = threading.Condition()
        self.local = threading.local()
        self.waiting: set[int] = set()
        self.finished: set[int] = set()
        self.crashed: set[int] = set()
        self.failing: set[int] = set()
        self.turn: int | None = None
        #: The store step each waiting call is about to take: (method, arguments).
        self.pending: dict[int, tuple[str, tuple[Any, ...]]] = {}

    def _step(self) -> None:
        me: int = self.local.task
        with self.cv:
            if me in self.crashed:
                raise _Crash
            self.waiting.add(me)
            self.cv.notify_all()
            if not self.cv.wait_for(lambda: self.turn == me, timeout=60):
                raise RuntimeError("the scheduler stopped")
            self.turn = None
            self.waiting.discard(me)
            self.cv.notify_all()
            if me in self.crashed:
                raise _Crash
            if me in self.failing:
                self.failing.discard(me)
                raise OSError("connection lost")

    def _gated(self) -> Any:
        interleaving = self

        class Gated:
            def __getattr__(self, name: str) -> Any:
                attr = getattr(interleaving.store, name)

                def step(*args: Any, **kw: Any) -> Any:
                    interleaving.pending[interleaving.local.task] = (name, args)
                    interleaving._step()
                    result = attr(*args, **kw)
                    return iter(list(result)) if name == "iter_documents" else result

                return step

        return Gated()

    def run(self, calls: list[Callable[[Store], str]]) -> list[str]:
        """Each call's outcome: its number, its error code, or ``crash``."""
        gated, outcomes = self._gated(), ["" for _ in calls]

        def body(i: int) -> None:
            self.local.task = i
            try:
                outcomes[i] = calls[i](gated)
            except _Crash:
                outcomes[i] = "crash"
            except KukmError as exc:
                outcomes[i] = exc.code
            except OSError:
                outcomes[i] = "failed"
            except BaseException as exc:  # reported as the outcome
                outcomes[i] = f"unexpected {exc!r}"
            finally:
                with self.cv:
                    self.finished.add(i)
                    self.cv.notify_all()

        threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        n = len(calls)
        while True:
            with self.cv:
                assert self.cv.wait_for(
                    lambda: self.turn is None and len(self.waiting) + len(self.finished) == n,
                    timeout=60,
                )
                if not self.waiting:
                    break
                task, what = self.choose(sorted(self.waiting))
                if what == "crash":
                    self.crashed.add(task)
                elif what == "fail":
                    self.failing.add(task)
                self.turn = task
                self.cv.notify_all()
        for thread in threads:
            thread.join(60)
        return outcomes


Step = Callable[[str, tuple[Any, ...]], bool]


def _scripted(
    interleaving: _Interleaving, plan: Sequence[tuple[int, Step | None]], fail: Step | None = None
) -> Callable[[list[int]], tuple[int, str]]:
    """Run each ``(call, until)`` of ``plan`` in turn: that call alone until its next step
    is one ``until`` picks (``None``: until it ends); then any. The first step ``fail``
    picks fails."""
    failed: list[bool] = []
    plan = list(plan)

    def choose(ready: list[int]) -> tuple[int, str]:
        while plan:
            task, until = plan[0]
            step = interleaving.pending.get(task)
            if task not in ready or step is None or (until is not None and until(*step)):
                plan.pop(0)
                continue
            if fail is not None and not failed and fail(*step):
                failed.append(True)
                return task, "fail"
            return task, "go"
        return ready[0], "go"

    return choose


def _run(
    store: Store,
    calls: list[Callable[[Store], str]],
    plan: Sequence[tuple[int, Step | None]],
    fail: Step | None = None,
) -> list[str]:
    interleaving = _Interleaving(store, lambda ready: (ready[0], "go"))
    interleaving.choose = _scripted(interleaving, plan, fail)
    return interleaving.run(calls)


def _binds(name: str, args: tuple[Any, ...]) -> bool:
    return name == "put_document" and args[0] == NOMOR_COLLECTION


def _claims(name: str, args: tuple[Any, ...]) -> bool:
    return name == "allocate_sequence" and str(args[0]).startswith("nik-koperasi:")


def _records(ident: str) -> Step:
    return lambda name, args: name == "put_document" and args[:2] == (KOPERASI_COLLECTION, ident)


def test_a_number_registered_while_the_allocator_binds_it_goes_to_one() -> None:
    store = open_store("memory://")
    allocate = lambda s: _assign(s, KEY)  # noqa: E731
    register = lambda s: register_existing(s, "ods-9", NOMOR)  # noqa: E731
    # the allocator drew NOMOR and is about to bind it when the registration runs whole
    outcomes = _run(store, [allocate, register], [(0, _binds), (1, None), (0, None)])
    assert outcomes == [NOMOR, IN_PROGRESS]
    assert _refused(register, store).code == "NIK_ALREADY_ISSUED"
    # the registration is about to bind NOMOR when an allocator draws it: it takes the next
    store = open_store("memory://")
    outcomes = _run(store, [allocate, register], [(1, _binds), (0, None), (1, None)])
    assert outcomes == [PREFIX + "0002", NOMOR]
    holders = {n: d["koperasi"] for n, d in store.iter_documents(NOMOR_COLLECTION)}
    assert holders == {NOMOR: "ods-9", PREFIX + "0002": KEY}


def test_a_failure_after_the_number_was_bound_keeps_the_claims() -> None:
    store = open_store("memory://")
    (outcome,) = _run(store, [lambda s: _assign(s)], [(0, None)], fail=_records(BH))
    assert outcome == "failed"  # bound, recorded under one identity only
    # no new claim can be taken on the other identity: the next call finishes the number
    assert _assign(store, BH) == NOMOR
    _one_number_everywhere(store)


def test_identities_recorded_while_a_call_claims_them_are_not_bound_again() -> None:
    store = open_store("memory://")
    assert _assign(store, "A") == NOMOR
    link = lambda s: _assign(s, "A", "C", "D")  # noqa: E731  (fails after recording C)
    other = lambda s: _assign(s, "C", "E")  # noqa: E731  (read C unrecorded before)
    plan = [(1, _claims), (0, None), (1, None)]
    outcomes = _run(store, [link, other], plan, fail=_records("D"))
    assert outcomes == ["failed", NOMOR]
    assert {i: nomor_induk_of(store, i) for i in "ACDE"} == {
        "A": NOMOR,
        "C": NOMOR,
        "D": None,
        "E": NOMOR,
    }
    assert _numbers(store) == [NOMOR]
    assert _assign(store, "D", "A") == NOMOR


class _Watched:
    """The store under test, keeping every value written to the register."""

    def __init__(self) -> None:
        self.store = open_store("memory://")
        self.writes: list[tuple[str, str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        put = self.store.put_document

        def watched(collection: str, key: str, doc: Any) -> None:
            with self.lock:
                self.writes.append((collection, key, dict(doc)))
            put(collection, key, doc)

        self.store.put_document = watched  # type: ignore[method-assign]

    def check_never_overwritten(self) -> None:
        """No identity's number changed; no number was bound twice."""
        per_identity: dict[str, set[str]] = {}
        bound: dict[str, int] = {}
        for collection, key, doc in self.writes:
            if collection == KOPERASI_COLLECTION:
                per_identity.setdefault(key, set()).add(doc["nomor_induk_koperasi"])
            elif collection == NOMOR_COLLECTION:
                bound[key] = bound.get(key, 0) + 1
        assert all(len(v) == 1 for v in per_identity.values()), per_identity
        assert all(v == 1 for v in bound.values()), bound


IDENTITIES = (KEY, BH, "ods-7")
EXISTING = NOMOR  # registered from outside while the allocator may draw it
#: A call: (its identities, key first; assign a new number, or register EXISTING).
Call = tuple[list[str], bool]
calls_strategy = st.lists(
    st.tuples(
        st.lists(st.sampled_from(IDENTITIES), min_size=1, max_size=3, unique=True),
        st.sampled_from([False, False, True]),
    ),
    min_size=2,
    max_size=4,
)


def _call(ids: list[str], register: bool, *, resume: bool = False) -> Callable[[Store], str]:
    key, *aliases = ids

    def call(store: Store) -> str:
        if register:
            return register_existing(store, key, EXISTING, aliases=aliases, resume=resume)
        return assign_nomor_induk(store, key, prefix=PREFIX, aliases=aliases, resume=resume)

    return call


def _pairwise_overlapping(calls: list[Call]) -> bool:
    return all(set(a) & set(b) for i, (a, _) in enumerate(calls) for b, _ in calls[i + 1 :])


@settings(deadline=None)
@given(data=st.data(), calls=calls_strategy, mishaps=st.booleans())
def test_property_any_interleaving_with_crashes_gives_one_number(
    data: st.DataObject, calls: list[Call], mishaps: bool
) -> None:
    """Calls for one cooperative under random subsets of its identities, in any order of their
    store steps, some dying or failing at a random step: no identity's number ever changes,
    no number is bound twice; calls that share identities agree, and once every call has
    ended one resume under all identities finishes with the one number (or names the
    conflict of calls that knew no identity in common)."""
    watched = _Watched()
    store = watched.store
    mishap = st.sampled_from(["go"] * 10 + ["crash", "fail"])

    def choose(ready: list[int]) -> tuple[int, str]:
        task = data.draw(st.sampled_from(ready), label="next step")
        return task, data.draw(mishap, label="what happens") if mishaps else "go"

    outcomes = _Interleaving(store, choose).run([_call(ids, reg) for ids, reg in calls])
    overlapping = _pairwise_overlapping(calls)
    allowed = {"crash", "failed", IN_PROGRESS, "NIK_IDENTITY_CONFLICT", "NIK_ALREADY_ISSUED"}
    numbers = {o for o in outcomes if o not in allowed}
    assert all(o.isdigit() for o in numbers), outcomes
    if overlapping:
        assert len(numbers) <= 1, outcomes
        assert "NIK_ALREADY_ISSUED" not in outcomes
    # after every call ended: one resume under all their identities
    everyone = list(dict.fromkeys(i for ids, _ in calls for i in ids))
    try:
        final = _call(everyone, False, resume=True)(store)
    except IntegrityError as exc:
        assert exc.code == "NIK_IDENTITY_CONFLICT" and not overlapping, outcomes
    else:
        assert numbers <= {final}, outcomes
        assert {nomor_induk_of(store, i) for i in everyone} == {final}
        assert _numbers(store) == [final]
    watched.check_never_overwritten()
    # whatever a call returned is what its identities hold now
    for (ids, _), outcome in zip(calls, outcomes, strict=True):
        if outcome in numbers:
            assert {nomor_induk_of(store, i) for i in ids} == {outcome}
