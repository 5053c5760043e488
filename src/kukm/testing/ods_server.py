"""A small ODS-like reference server for tests: HTTP JSON on 127.0.0.1, with injectable faults.

The ministry's ODS (nik.depkop.go.id) cannot be reached from a test run, so
this server speaks the protocol of :mod:`kukm.integration.sync` over HTTP
(stdlib :mod:`http.server`, one thread per request):

* ``GET /api/v1/koperasi/changes?since=<seq>&limit=<n>&exclude_origin=<client>``
  → ``{"changes": [{"id", "seq", "record"}], "next": "<seq>", "more": bool}``;
  each record appears once, at its latest sequence number; changes pushed by
  ``exclude_origin`` are skipped (the cursor still moves past them).
* ``POST /api/v1/koperasi/batch`` with header ``Idempotency-Key`` and body
  ``{"origin": "<client>", "records": [{"id", "record"}]}`` →
  ``{"results": [{"id", "seq", "status"}]}`` (``created``/``updated``/``unchanged``).
  A key seen before returns the first answer again without applying anything.
* ``GET /api/v1/koperasi/<id>`` → the record, ``GET /api/v1/health`` → ``{"ok": true}``.

Faults (:class:`Fault`) are queued with :meth:`OdsServer.inject` and each is
used by the next matching request: ``timeout`` (answer only after
``delay`` seconds, after applying), ``error500`` (fail before applying),
``error500_after`` (apply, then fail), ``drop`` (apply, then close the
connection without an answer), ``duplicate`` (a pull page delivers every change
twice and does not advance the cursor, so the page comes again), ``answer``
(answer with the fault's ``status``, ``body``, ``content_type`` and ``headers``
before applying anything: HTTP 429 with ``Retry-After``, a 502/503, an HTML
login or maintenance page, another JSON envelope), ``reject`` (a batch applies
every record but those whose id is in ``ids``, answered ``"rejected"`` with an
``error``). ``OdsServer(max_page=n)`` caps a pull page at ``n`` changes
whatever the client asks, as real servers do; ``OdsServer(auth="Basic …")``
answers HTTP 401 to every request without that ``Authorization`` header.

>>> with OdsServer() as server:
...     server.put("3101010020004", {"Koperasi": "A"})
...     sorted(server.records())
1
['3101010020004']
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from attrs import define, field, frozen

__all__ = ["Fault", "FaultKind", "OdsServer"]

FaultKind = Literal[
    "timeout", "error500", "error500_after", "drop", "duplicate", "answer", "reject"
]
API = "/api/v1/koperasi"


@frozen
class Fault:
    """One injected fault for the next request matching ``method`` and ``path`` (prefix)."""

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    delay: float = 1.0
    status: int = 500
    body: str = ""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    ids: tuple[str, ...] = ()

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or path.startswith(self.path)
        )


@define
class _Entry:
    record: dict[str, Any]
    seq: int
    origin: str


@define(eq=False)
class _State:
    entries: dict[str, _Entry] = field(factory=dict)
    seq: int = 0
    idempotent: dict[str, bytes] = field(factory=dict)
    faults: list[Fault] = field(factory=list)
    applied_batches: int = 0
    writes: int = 0
    requests: int = 0
    faults_used: list[str] = field(factory=list)
    lock: threading.RLock = field(factory=threading.RLock)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        return

    # -- plumbing -----------------------------------------------------------
    def _fault(self, method: str) -> Fault | None:
        state = self.server.state
        path = urlsplit(self.path).path
        with state.lock:
            state.requests += 1
            for i, fault in enumerate(state.faults):
                if fault.matches(method, path):
                    del state.faults[i]
                    state.faults_used.append(fault.kind)
                    return fault
        return None

    def _send(
        self,
        status: int,
        body: bytes,
        fault: Fault | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault.kind == "error500_after":
            status, body = 500, b'{"error": "injected failure after apply"}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away (timeout)
            self.close_connection = True

    def _json(
        self, status: int, data: Any, fault: Fault | None, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), fault, headers)

    # -- routes ---------------------------------------------------------------
    def _answer(self, fault: Fault) -> None:
        body = fault.body.encode()
        self.send_response(fault.status)
        self.send_header("Content-Type", fault.content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in fault.headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _refused(self) -> bool:
        auth = self.server.owner.auth
        if auth is None or self.headers.get("Authorization") == auth:
            return False
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length:
            self.rfile.read(length)
        self._json(401, {"error": "unauthorized"}, None)
        return True

    def do_GET(self) -> None:
        if self._refused():
            return
        fault = self._fault("GET")
        if fault is not None and fault.kind == "error500":
            self._json(500, {"error": "injected failure"}, None)
            return
        if fault is not None and fault.kind == "answer":
            self._answer(fault)
            return
        url = urlsplit(self.path)
        state = self.server.state
        if url.path == "/api/v1/health":
            self._json(200, {"ok": True}, fault)
        elif url.path == API + "/changes":
            q = parse_qs(url.query)
            since = int(q.get("since", ["0"])[0] or 0)
            limit = max(1, int(q.get("limit", ["100"])[0]))
            if self.server.owner.max_page is not None:
                limit = min(limit, self.server.owner.max_page)
            exclude = q.get("exclude_origin", [""])[0]
            with state.lock:
                ordered = sorted(
                    ((e.seq, id, e) for id, e in state.entries.items() if e.seq > since),
                    key=lambda t: t[0],
                )
            page = ordered[:limit]
            more = len(ordered) > limit
            changes = [
                {"id": id, "seq": str(seq), "record": e.record}
                for seq, id, e in page
                if not exclude or e.origin != exclude
            ]
            next_seq = page[-1][0] if page else since
            if fault is not None and fault.kind == "duplicate":
                changes = [c for c in changes for _ in range(2)]
                next_seq, more = since, True
            self._json(200, {"changes": changes, "next": str(next_seq), "more": more}, fault)
        elif url.path.startswith(API + "/"):
            id = unquote(url.path[len(API) + 1 :])
            with state.lock:
                entry = state.entries.get(id)
            if entry is None:
                self._json(404, {"error": "not found"}, fault)
            else:
                self._json(200, {"id": id, "seq": str(entry.seq), "record": entry.record}, fault)
        else:
            self._json(404, {"error": "not found"}, fault)

    def do_POST(self) -> None:
        if self._refused():
            return
        fault = self._fault("POST")
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        if fault is not None and fault.kind == "error500":
            self._json(500, {"error": "injected failure"}, None)
            return
        if fault is not None and fault.kind == "answer":
            self._answer(fault)
            return
        if urlsplit(self.path).path != API + "/batch":
            self._json(404, {"error": "not found"}, fault)
            return
        key = self.headers.get("Idempotency-Key")
        if not key:
            self._json(400, {"error": "Idempotency-Key header required"}, fault)
            return
        try:
            body = json.loads(raw)
            records = body["records"]
            origin = str(body.get("origin", ""))
        except (ValueError, KeyError, TypeError):
            self._json(400, {"error": "bad request body"}, fault)
            return
        state = self.server.state
        with state.lock:
            cached = state.idempotent.get(key)
            if cached is None:
                rejected = set(fault.ids) if fault is not None and fault.kind == "reject" else set()
                results = [
                    {"id": str(r["id"]), "status": "rejected", "error": "injected rejection"}
                    if str(r["id"]) in rejected
                    else self.server.owner._apply(str(r["id"]), dict(r["record"]), origin)
                    for r in records
                ]
                state.applied_batches += 1
                cached = json.dumps({"results": results}, ensure_ascii=False).encode()
                state.idempotent[key] = cached
                replayed = "false"
            else:
                replayed = "true"
        self._send(200, cached, fault, {"Idempotent-Replayed": replayed})


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: OdsServer, address: tuple[str, int]) -> None:
        self.owner = owner
        self.state = owner.state
        super().__init__(address, _Handler)


class OdsServer:
    """The reference server. Use as a context manager, or :meth:`start` / :meth:`stop`.

    ``records`` seeds the remote side (id → ODS record); seeded and
    :meth:`put` records have origin ``"ods"``. ``max_page`` caps every pull page;
    ``auth`` is the ``Authorization`` header every request must carry.
    """

    def __init__(
        self,
        records: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_page: int | None = None,
        auth: str | None = None,
    ) -> None:
        self.state = _State()
        self.max_page = max_page
        self.auth = auth
        self._address = (host, port)
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        for id, record in (records or {}).items():
            self._apply(id, dict(record), "ods")

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> OdsServer:
        self._httpd = _HttpServer(self, self._address)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OdsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- data ------------------------------------------------------------------------
    def _apply(self, id: str, record: dict[str, Any], origin: str) -> dict[str, Any]:
        with self.state.lock:
            entry = self.state.entries.get(id)
            if entry is not None and entry.record == record:
                return {"id": id, "seq": str(entry.seq), "status": "unchanged"}
            self.state.seq += 1
            self.state.writes += 1
            self.state.entries[id] = _Entry(record, self.state.seq, origin)
            status = "created" if entry is None else "updated"
            return {"id": id, "seq": str(self.state.seq), "status": status}

    def put(self, id: str, record: Mapping[str, Any]) -> int:
        """Change a record on the remote side (as the ministry would); returns its sequence."""
        return int(self._apply(id, dict(record), "ods")["seq"])

    def put_many(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        for id, record in records:
            self.put(id, record)

    def records(self) -> dict[str, dict[str, Any]]:
        """A copy of every remote record, by id."""
        with self.state.lock:
            return {id: dict(e.record) for id, e in self.state.entries.items()}

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each is used once by the next matching request."""
        with self.state.lock:
            self.state.faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        with self.state.lock:
            return len(self.state.faults)

    @property
    def stats(self) -> dict[str, Any]:
        """Counters: requests, writes (records changed), applied batches, faults used."""
        with self.state.lock:
            return {
                "requests": self.state.requests,
                "writes": self.state.writes,
                "applied_batches": self.state.applied_batches,
                "faults_used": list(self.state.faults_used),
                "records": len(self.state.entries),
            }


def main(argv: list[str] | None = None) -> None:
    """``python -m kukm.testing.ods_server [--port N] [--seed FILE.jsonl]``: serve until Ctrl-C."""
    import argparse

    from kukm.integration.ods import from_ods
    from kukm.integration.ods_io import read_jsonl

    parser = argparse.ArgumentParser(description="ODS-like reference server (for tests/demos)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", default=None, help="JSON-lines ODS file to serve")
    args = parser.parse_args(argv)
    seed: dict[str, Mapping[str, Any]] = {}
    if args.seed:
        for row in read_jsonl(args.seed):
            if row.record is not None:
                id = from_ods(row.record, resolve=False).koperasi.id
                if id is not None:
                    seed[id] = row.record
    server = OdsServer(seed, host=args.host, port=args.port).start()
    print(f"ODS-like server on {server.url} with {len(seed)} records", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
