"""The ODS-like reference server on its own: protocol, idempotency keys, faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from kukm.testing.ods_server import Fault, OdsServer


def _call(url: str, method: str = "GET", body: Any = None, key: str | None = None,
          timeout: float = 5.0) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def test_push_is_applied_once_per_idempotency_key() -> None:
    with OdsServer() as server:
        body = {"origin": "dki", "records": [{"id": "1", "record": {"Koperasi": "A"}}]}
        first = _call(server.url + "/api/v1/koperasi/batch", "POST", body, key="k1")
        again = _call(server.url + "/api/v1/koperasi/batch", "POST", body, key="k1")
        assert first[0] == again[0] == 200
        assert first[1] == again[1]
        assert again[2]["Idempotent-Replayed"] == "true"
        assert server.stats["applied_batches"] == 1 and server.stats["writes"] == 1
        same_content = _call(server.url + "/api/v1/koperasi/batch", "POST", body, key="k2")
        assert same_content[1]["results"][0]["status"] == "unchanged"


def test_push_without_key_is_refused() -> None:
    with OdsServer() as server:
        status, _, _ = _call(server.url + "/api/v1/koperasi/batch", "POST", {"records": []})
        assert status == 400


def test_changes_paged_in_sequence_and_origin_excluded() -> None:
    with OdsServer({str(i): {"Koperasi": str(i)} for i in range(5)}) as server:
        _call(server.url + "/api/v1/koperasi/batch", "POST",
              {"origin": "dki", "records": [{"id": "9", "record": {"Koperasi": "9"}}]}, key="x")
        _, page, _ = _call(server.url + "/api/v1/koperasi/changes?since=0&limit=3")
        assert [c["id"] for c in page["changes"]] == ["0", "1", "2"]
        assert page["next"] == "3" and page["more"] is True
        _, rest, _ = _call(server.url + "/api/v1/koperasi/changes?since=3&limit=10"
                           "&exclude_origin=dki")
        assert [c["id"] for c in rest["changes"]] == ["3", "4"]
        assert rest["next"] == "6" and rest["more"] is False
        status, one, _ = _call(server.url + "/api/v1/koperasi/9")
        assert status == 200 and one["record"] == {"Koperasi": "9"}
        assert _call(server.url + "/api/v1/koperasi/404")[0] == 404


def test_faults_fire_once_in_order() -> None:
    with OdsServer({"1": {"Koperasi": "A"}}) as server:
        server.inject(Fault("error500", method="GET"), Fault("duplicate", method="GET"))
        assert _call(server.url + "/api/v1/koperasi/changes")[0] == 500
        _, dup, _ = _call(server.url + "/api/v1/koperasi/changes?since=0")
        assert [c["id"] for c in dup["changes"]] == ["1", "1"] and dup["next"] == "0"
        _, ok, _ = _call(server.url + "/api/v1/koperasi/changes?since=0")
        assert [c["id"] for c in ok["changes"]] == ["1"]
        assert server.stats["faults_used"] == ["error500", "duplicate"]


def test_error_after_apply_and_drop_still_apply() -> None:
    with OdsServer() as server:
        server.inject(Fault("error500_after", method="POST"), Fault("drop", method="POST"))
        body = {"records": [{"id": "1", "record": {"Koperasi": "A"}}]}
        assert _call(server.url + "/api/v1/koperasi/batch", "POST", body, key="a")[0] == 500
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            _call(server.url + "/api/v1/koperasi/batch", "POST",
                  {"records": [{"id": "2", "record": {"Koperasi": "B"}}]}, key="b")
        assert sorted(server.records()) == ["1", "2"]


def test_timeout_fault_delays_the_answer() -> None:
    with OdsServer() as server:
        server.inject(Fault("timeout", delay=0.5))
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            _call(server.url + "/api/v1/health", timeout=0.1)
        assert _call(server.url + "/api/v1/health")[1] == {"ok": True}


def test_url_requires_started_server() -> None:
    server = OdsServer()
    with pytest.raises(RuntimeError):
        _ = server.url
