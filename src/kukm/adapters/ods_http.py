"""The ``ods-http`` sync transport: the protocol of :mod:`kukm.integration.sync` over HTTP JSON.

Registered through ``kukm_register_sync_transports`` exactly like a
third-party transport. Uses only the standard library (:mod:`urllib.request`).
Timeouts, dropped connections, HTTP 5xx and 429 are retried with exponential
backoff and jitter (:class:`kukm.integration.sync.RetryPolicy`); a pushed
batch carries its ``Idempotency-Key`` on every attempt, so the server applies
it once. Endpoints: see :mod:`kukm.testing.ods_server`.

>>> from kukm.plugins import KukmPlugins, create_plugin_manager
>>> factory = KukmPlugins(create_plugin_manager()).sync_transports()["ods-http"]
>>> factory("http://127.0.0.1:9", client_id="dinas-dki").client_id
'dinas-dki'
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from kukm.exceptions import ConfigurationError
from kukm.hookspecs import SyncTransportFactory, hookimpl
from kukm.integration.sync import (
    PullPage,
    PushAck,
    RemoteChange,
    RemoteNotFound,
    RetryPolicy,
    SyncError,
    TransientSyncError,
)

__all__ = ["OdsHttpTransport", "kukm_register_sync_transports"]

API = "/api/v1/koperasi"


class OdsHttpTransport:
    """Client of an ODS-like HTTP JSON endpoint (see module docstring).

    ``client_id`` names this register to the remote side; its own pushes are
    not pulled back (``exclude_origin``). ``retries`` counts retried requests.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        client_id: str = "kukm",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"ods-http needs an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.client_id = client_id
        self.headers = dict(headers or {})
        self.retries = 0

    def _count(self, attempt: int, exc: Exception) -> None:
        self.retries += 1

    def _request(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        all_headers = {"Accept": "application/json", **self.headers, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"

        def once() -> Any:
            req = urllib.request.Request(
                self.url + path, data=data, headers=all_headers, method=method
            )
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read() or b"null")
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise RemoteNotFound(f"HTTP 404 from {path}") from exc
                if exc.code >= 500 or exc.code == 429:
                    raise TransientSyncError(f"HTTP {exc.code} from {path}") from exc
                raise SyncError(f"HTTP {exc.code} from {path}: {exc.read()[:200]!r}") from exc
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                ConnectionError,
                TimeoutError,
            ) as exc:
                raise TransientSyncError(f"{type(exc).__name__} on {path}: {exc}") from exc
            except ValueError as exc:
                raise TransientSyncError(f"malformed answer from {path}: {exc}") from exc

        return self.retry.call(once, on_retry=self._count)

    def pull(self, since: str | None, *, limit: int) -> PullPage:
        query = urlencode({"since": since or "0", "limit": limit, "exclude_origin": self.client_id})
        data = self._request("GET", f"{API}/changes?{query}")
        try:
            changes = tuple(
                RemoteChange(id=str(c["id"]), record=dict(c["record"]), seq=str(c.get("seq")))
                for c in data["changes"]
            )
            return PullPage(changes, next_cursor=data.get("next"), more=bool(data.get("more")))
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(f"unexpected pull answer: {exc}") from exc

    def push(self, changes: Sequence[RemoteChange], *, idempotency_key: str) -> Sequence[PushAck]:
        body = {
            "origin": self.client_id,
            "records": [{"id": c.id, "record": dict(c.record)} for c in changes],
        }
        data = self._request("POST", f"{API}/batch", body, {"Idempotency-Key": idempotency_key})
        try:
            return [
                PushAck(id=str(r["id"]), seq=str(r.get("seq")), status=str(r.get("status", "ok")))
                for r in data["results"]
            ]
        except (KeyError, TypeError) as exc:
            raise SyncError(f"unexpected push answer: {exc}") from exc

    def get(self, id: str) -> dict[str, Any] | None:
        """One remote record by id, or ``None``."""
        try:
            data = self._request("GET", f"{API}/{quote(id, safe='')}")
        except RemoteNotFound:
            return None
        record = data.get("record") if isinstance(data, dict) else None
        return dict(record) if isinstance(record, dict) else None


def _factory(url: str, **options: Any) -> OdsHttpTransport:
    return OdsHttpTransport(url, **options)


@hookimpl
def kukm_register_sync_transports() -> Mapping[str, SyncTransportFactory]:
    """Offer the ``ods-http`` transport."""
    return {"ods-http": _factory}
