"""Sync over HTTP against what a real ODS server does: rate limits with ``Retry-After``,
HTML pages, other envelopes, a cursor that stops moving, records rejected in a batch,
content pushed again after it changed back, personal data in error bodies."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.adapters.ods_http import SYNC_ENVELOPE, SYNC_NOT_JSON, OdsHttpTransport, retry_after
from kukm.exceptions import CODES, ConfigurationError
from kukm.integration.ods import ODS_FIELDS, from_ods
from kukm.integration.ods_io import iter_store_ods
from kukm.integration.sync import (
    MAX_STALLED_PAGES,
    STATE_COLLECTION,
    SYNC_CURSOR_STUCK,
    SYNC_PUSH_REJECTED,
    SYNC_RATE_LIMITED,
    RetryPolicy,
    SyncError,
    agreed_hashes,
    reject_collection,
    sync,
)
from kukm.model import SumberData
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, WriteOp
from kukm.testing.ods_server import Fault, OdsServer

PERSON = "Siti Rahmawati Binti Contoh"


def _record(i: int, **changes: str) -> dict[str, Any]:
    base = {name: " " for name in ODS_FIELDS}
    base |= {"Koperasi": f"Koperasi {i}", "Nomor Induk Koperasi (NIK)": f"31730100{i:05d}",
             "Status Grade": "D", "Total Anggota": str(i)}
    return base | changes


def _id(i: int) -> str:
    return f"31730100{i:05d}"


def _put_local(store: Store, record: dict[str, Any]) -> None:
    k = from_ods(record, resolve=False).koperasi
    assert k.id is not None
    store.write_batch([WriteOp(kind="koperasi", id=k.id, record=k,
                               provenance=Provenance(sumber=SumberData.BIDANG_KOPERASI))])


def _local(store: Store) -> dict[str, dict[str, Any]]:
    return {from_ods(r, resolve=False).koperasi.id or "": r for r in iter_store_ods(store)}


def _transport(server: OdsServer, waits: list[float], attempts: int = 4,
               **kw: Any) -> OdsHttpTransport:
    return OdsHttpTransport(server.url, timeout=2.0, client_id="dki",
                            retry=RetryPolicy(attempts=attempts, sleep=waits.append,
                                              random=lambda: 0.5), **kw)


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store("memory://")
    yield s
    s.close()


# -- push: content sent before ----------------------------------------------------------


def test_value_changed_back_and_again_reaches_the_server(store: Store) -> None:
    # D → C → D → C: the fourth push has the content of the second; with a key made of
    # the content only the server replayed the second answer and kept D
    with OdsServer() as server:
        for grade in ["D", "C", "D", "C"]:
            _put_local(store, _record(1, **{"Status Grade": grade}))
            report = sync(store, _transport(server, []))
            assert report.pushed == 1
            assert server.records()[_id(1)]["Status Grade"] == grade
        assert sync(store, _transport(server, [])).transferred == 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["A", "B", "C1", "D"]), min_size=1, max_size=6),
       st.lists(st.booleans(), min_size=6, max_size=6))
def test_every_local_edit_reaches_the_server(grades: list[str], faulty: list[bool]) -> None:
    store = open_store("memory://")
    with OdsServer() as server:
        for grade, fault in zip(grades, faulty, strict=False):
            _put_local(store, _record(1, **{"Status Grade": grade}))
            if fault:  # applied, answer lost: the retry with the same key is a replay
                server.inject(Fault("error500_after", method="POST"))
            sync(store, _transport(server, []))
            assert server.records() == _local(store)
            assert server.stats["writes"] <= len(grades)
    store.close()


def test_resumed_batch_is_a_replay_not_a_second_write(store: Store) -> None:
    for i in range(1, 5):
        _put_local(store, _record(i))
    with OdsServer() as server:
        server.inject(*[Fault("error500_after", method="POST")] * 2)
        with pytest.raises(SyncError):  # applied, never acknowledged
            sync(store, _transport(server, [], attempts=2), batch_size=2)
        assert agreed_hashes(store, "ods") == {}
        writes = server.stats["writes"]
        assert writes == 2
        report = sync(store, _transport(server, []), batch_size=2)
        assert report.pushed == 4 and report.batches == 2
        assert server.stats["writes"] == 4  # the first batch was replayed, not rewritten
        assert server.records() == _local(store)


# -- push: partial failure -------------------------------------------------------------


def test_rejected_record_is_not_agreed_and_is_pushed_again(store: Store) -> None:
    _put_local(store, _record(1))
    _put_local(store, _record(2))
    with OdsServer() as server:
        server.inject(Fault("reject", method="POST", ids=(_id(2),)))
        report = sync(store, _transport(server, []))
        assert (report.pushed, report.rejected) == (1, 1)
        assert sorted(server.records()) == [_id(1)]
        assert set(agreed_hashes(store, "ods")) == {_id(1)}
        [(key, doc)] = list(store.iter_documents(reject_collection("ods")))
        assert key.startswith(_id(2) + "@")
        assert doc["code"] == SYNC_PUSH_REJECTED and doc["status"] == "rejected"
        assert doc["error"] == "injected rejection"
        again = sync(store, _transport(server, []))
        assert (again.pushed, again.rejected) == (1, 0)
        assert server.records() == _local(store)


def test_cli_sync_exits_1_while_the_partner_rejects_records(tmp_path: Any) -> None:
    """``kukm ods sync`` said nothing of rejected records and exited 0: a script took the
    register for synchronised."""
    from click.testing import CliRunner

    from kukm.cli import cli

    db = f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    local = open_store(db)
    _put_local(local, _record(1))
    _put_local(local, _record(2))
    local.close()
    with OdsServer() as server:
        server.inject(Fault("reject", method="POST", ids=(_id(2),)))
        first = CliRunner().invoke(cli, ["ods", "sync", "--url", server.url, "--db", db])
        assert first.exit_code == 1, first.output
        assert "rejected 1" in first.output
        again = CliRunner().invoke(cli, ["ods", "sync", "--url", server.url, "--db", db, "--json"])
        assert again.exit_code == 0, again.output
        assert (json.loads(again.output)["pushed"], json.loads(again.output)["rejected"]) == (1, 0)


# -- retries: Retry-After, 5xx ---------------------------------------------------------


def test_429_waits_what_retry_after_asks(store: Store) -> None:
    waits: list[float] = []
    with OdsServer({_id(1): _record(1)}) as server:
        server.inject(Fault("answer", method="GET", status=429, body='{"error": "slow down"}',
                            headers=(("Retry-After", "30"),)))
        report = sync(store, _transport(server, waits))
        assert waits == [30.0] and report.applied == 1 and report.retries == 1


def test_503_with_http_date_retry_after_uses_the_clock(store: Store) -> None:
    waits: list[float] = []
    with OdsServer() as server:
        server.inject(Fault("answer", status=503, content_type="text/html",
                            body="<html>Pemeliharaan sistem</html>",
                            headers=(("Retry-After", "Thu, 01 Jan 1970 00:02:00 GMT"),)),
                      Fault("answer", status=502, body="bad gateway", content_type="text/plain"))
        _put_local(store, _record(1))
        report = sync(store, _transport(server, waits, clock=lambda: 100.0))
        assert waits == [20.0, 0.25]  # the date's 120 s minus the clock's 100 s; then backoff
        assert report.pushed == 1 and server.records() == _local(store)


def test_retry_after_beyond_the_maximum_gives_up_at_once(store: Store) -> None:
    waits: list[float] = []
    with OdsServer() as server:
        server.inject(Fault("answer", status=429, headers=(("Retry-After", "86400"),)))
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, waits))
        assert info.value.code == SYNC_RATE_LIMITED and waits == []
        assert server.stats["requests"] == 1


def test_retry_after_parsing() -> None:
    assert retry_after(" 7 ", 0.0) == 7.0
    assert retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 50.0) == 0.0  # already past
    assert retry_after("-3", 0.0) is None and retry_after("", 0.0) is None


# -- answers that are not the protocol ------------------------------------------------


def test_html_login_page_is_not_json_and_not_retried(store: Store) -> None:
    waits: list[float] = []
    with OdsServer({_id(1): _record(1)}) as server:
        server.inject(*[Fault("answer", status=200, content_type="text/html; charset=utf-8",
                              body="<html><form>Login SSO</form></html>")] * 4)
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, waits))
        assert info.value.code == SYNC_NOT_JSON and "text/html" in str(info.value)
        assert waits == [] and server.pending_faults == 3
        assert _local(store) == {} and store.get_document(STATE_COLLECTION, "ods") is None
    assert CODES[SYNC_NOT_JSON].message_id and CODES[SYNC_NOT_JSON].message_en


@pytest.mark.parametrize("body", [
    {"data": {"changes": []}},  # another envelope
    {"changes": [], "next": "5"},  # no "more": the records before 5 were skipped silently
    {"changes": [], "next": "5", "more": "false"},  # a string, truthy
    {"changes": {"id": "x"}, "more": False},
    {"changes": ["x"], "more": False},
])
def test_pull_in_another_envelope_is_refused(store: Store, body: dict[str, Any]) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 6)}) as server:
        server.inject(Fault("answer", method="GET", status=200, body=json.dumps(body)))
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, []), push=False)
        assert info.value.code == SYNC_ENVELOPE
        assert store.get_document(STATE_COLLECTION, "ods") is None  # no cursor moved
        assert sync(store, _transport(server, [])).applied == 5


def test_push_answer_in_another_envelope_is_refused(store: Store) -> None:
    _put_local(store, _record(1))
    with OdsServer() as server:
        server.inject(Fault("answer", method="POST", status=200, body='{"results": ["ok"]}'))
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, []))
        assert info.value.code == SYNC_ENVELOPE
        assert agreed_hashes(store, "ods") == {}


def test_cursor_that_never_moves_is_given_up_on(store: Store) -> None:
    stuck = Fault("answer", method="GET", status=200,
                  body='{"changes": [], "next": "0", "more": true}')
    with OdsServer({_id(1): _record(1)}) as server:
        server.inject(*[stuck] * 50)
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, []))
        assert info.value.code == SYNC_CURSOR_STUCK
        # the first answer moves the cursor from None to "0"; then the stalls are counted
        assert server.pending_faults == 50 - 1 - MAX_STALLED_PAGES


def test_one_repeated_page_is_not_a_stuck_cursor(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 8)}) as server:
        server.inject(Fault("duplicate", method="GET"), Fault("duplicate", method="GET"))
        report = sync(store, _transport(server, []), page_size=3)
        assert report.applied == 7 and report.duplicates > 0


def test_server_capping_the_page_size(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 11)}, max_page=3) as server:
        report = sync(store, _transport(server, []), page_size=50)
        assert report.applied == 10 and report.pages == 4
        assert _local(store) == server.records()


def test_record_changed_between_pages_arrives_at_its_last_version(store: Store) -> None:
    with OdsServer({_id(i): _record(i) for i in range(1, 7)}, max_page=2) as server:
        transport = _transport(server, [])
        pull = transport.pull

        def pull_then_edit(since: str | None, *, limit: int) -> Any:
            page = pull(since, limit=limit)
            if since is None:  # the ministry edits record 1 while the sync pages on
                server.put(_id(1), _record(1, **{"Status Grade": "A"}))
            return page

        transport.pull = pull_then_edit  # type: ignore[method-assign]
        report = sync(store, transport, push=False)
        assert report.received == 7 and report.applied == 7  # record 1 on two pages
        assert _local(store) == server.records()
        assert _local(store)[_id(1)]["Status Grade"] == "A"


# -- nothing personal or secret in messages --------------------------------------------


def test_error_messages_do_not_echo_the_server_body(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    _put_local(store, _record(1, **{"Nama Ketua": PERSON}))
    echo = json.dumps({"error": "invalid", "record": {"Nama Ketua": PERSON}})
    token = "Bearer s3cr3t-t0ken"
    caplog.set_level(logging.DEBUG)
    with OdsServer() as server:
        server.inject(Fault("answer", method="POST", status=422, body=echo))
        with pytest.raises(SyncError) as info:
            sync(store, _transport(server, [], headers={"Authorization": token}))
        text = f"{info.value} {info.value!r} {info.value.message}"
        assert "422" in text
        assert PERSON not in text and "s3cr3t" not in text
        assert PERSON not in caplog.text and "s3cr3t" not in caplog.text


def test_credentials_in_the_url_authenticate_and_never_show(store: Store) -> None:
    basic = "Basic " + base64.b64encode(b"dinas:p@ss w0rd").decode()
    with OdsServer({_id(1): _record(1)}, auth=basic) as server:
        host = server.url.removeprefix("http://")
        transport = OdsHttpTransport(f"http://dinas:p%40ss%20w0rd@{host}/", client_id="dki",
                                     retry=RetryPolicy(attempts=2, sleep=lambda s: None))
        assert transport.url == server.url
        assert sync(store, transport).applied == 1
        wrong = OdsHttpTransport(f"http://dinas:salah-sekali@{host}", client_id="dki",
                                 retry=RetryPolicy(attempts=2, sleep=lambda s: None))
        with pytest.raises(SyncError) as info:
            sync(store, wrong)
        assert "401" in str(info.value) and "salah-sekali" not in str(info.value)
    with pytest.raises(ConfigurationError) as bad:
        OdsHttpTransport("ftp://dinas:salah-sekali@ods.example")
    assert "salah-sekali" not in str(bad.value) and "ods.example" in str(bad.value)


def test_failure_between_remote_version_and_merge_loses_no_local_edit(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OdsServer({_id(1): _record(1)}) as server:
        sync(store, _transport(server, []))  # agreed: grade D, no address
        _put_local(store, _record(1, **{"Status Grade": "B"}))  # edited here
        server.put(_id(1), _record(1, Alamat="Jl. Kramat Raya 1"))  # and there, another field
        real = store.write_batch
        failed: list[int] = []

        def failing(ops: Any, **kw: Any) -> Any:
            if not failed and any(o.provenance.id_pengiriman.startswith("sync-merge")
                                  for o in ops):
                failed.append(1)
                raise OSError("disk full")  # the process dies at the merge
            return real(ops, **kw)

        monkeypatch.setattr(store, "write_batch", failing)
        with pytest.raises(OSError):
            sync(store, _transport(server, []))
        monkeypatch.setattr(store, "write_batch", real)
        assert _local(store)[_id(1)]["Alamat"] != "Jl. Kramat Raya 1"  # nothing half-written
        sync(store, _transport(server, []))
        want = _record(1, **{"Status Grade": "B", "Alamat": "Jl. Kramat Raya 1"})
        assert _local(store)[_id(1)] == want and server.records()[_id(1)] == want
