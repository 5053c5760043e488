"""The ``ods-http`` sync transport: the protocol of :mod:`kukm.integration.sync` over HTTP JSON.

Registered through ``kukm_register_sync_transports`` exactly like a
third-party transport. Uses only the standard library (:mod:`urllib.request`).
Timeouts, dropped connections, HTTP 5xx and 429 are retried with exponential
backoff and jitter (:class:`kukm.integration.sync.RetryPolicy`), waiting at
least the ``Retry-After`` the server sends (seconds or an HTTP date); a pushed
batch carries its ``Idempotency-Key`` on every attempt, so the server applies
it once. An answer that is not JSON (``Content-Type`` other than JSON: a login
or maintenance page) is ``SYNC_NOT_JSON``, an answer in another envelope
``SYNC_ENVELOPE``; neither is retried. Error messages name the status and path,
never the server's body (it may echo records and their personal data).
Endpoints: see :mod:`kukm.testing.ods_server`.

>>> from kukm.plugins import KukmPlugins, create_plugin_manager
>>> factory = KukmPlugins(create_plugin_manager()).sync_transports()["ods-http"]
>>> factory("http://127.0.0.1:9", client_id="dinas-dki").client_id
'dinas-dki'
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from kukm.exceptions import ConfigurationError, register_code
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

__all__ = ["OdsHttpTransport", "kukm_register_sync_transports", "retry_after"]

API = "/api/v1/koperasi"

SYNC_NOT_JSON: Final = register_code(
    "SYNC_NOT_JSON",
    "Server ODS menjawab bukan dengan JSON (halaman login atau pemeliharaan?).",
    "The ODS server answered with something other than JSON (a login or maintenance page?).",
    module=__name__,
)
SYNC_ENVELOPE: Final = register_code(
    "SYNC_ENVELOPE",
    "Jawaban server ODS tidak berbentuk seperti yang diharapkan protokol.",
    "The ODS server's answer is not shaped as the protocol expects.",
    module=__name__,
)


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or ``None``.

    >>> retry_after("30", 0.0), retry_after("soon", 0.0), retry_after(None, 0.0)
    (30.0, None, None)
    >>> retry_after("Thu, 01 Jan 1970 00:01:00 GMT", 15.0)
    45.0
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "application/json").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class OdsHttpTransport:
    """Client of an ODS-like HTTP JSON endpoint (see module docstring).

    ``client_id`` names this register to the remote side; its own pushes are
    not pulled back (``exclude_origin``). ``retries`` counts retried requests.
    ``clock`` (seconds since the epoch) dates an HTTP-date ``Retry-After``. A URL
    ``https://user:password@host`` authenticates with HTTP Basic; :attr:`url` keeps
    only the host.

    >>> OdsHttpTransport("https://dinas:rahasia@ods.example/").url
    'https://ods.example'
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        client_id: str = "kukm",
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        if parts.scheme.lower() not in ("http", "https") or not host:
            shown = urlunsplit(parts._replace(netloc=host))  # never the password
            raise ConfigurationError(f"ods-http needs an http(s) URL, got {shown!r}")
        self.headers = dict(headers or {})
        if parts.username is not None or parts.password is not None:
            # user:password@ in the URL is HTTP Basic authentication, kept out of self.url
            pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
            basic = base64.b64encode(pair.encode()).decode("ascii")
            self.headers.setdefault("Authorization", f"Basic {basic}")
        self.url = urlunsplit(parts._replace(netloc=host)).rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.client_id = client_id
        self.retries = 0
        self.clock = clock

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
                    content_type = resp.headers.get("Content-Type")
                    raw = resp.read()
                    status = resp.status
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise RemoteNotFound(f"HTTP 404 from {path}") from exc
                if exc.code >= 500 or exc.code == 429:
                    wait = retry_after(exc.headers.get("Retry-After"), self.clock())
                    raise TransientSyncError(
                        f"HTTP {exc.code} from {path}", retry_after=wait
                    ) from exc
                # not the body: a server may echo the records (and personal data) it refused
                raise SyncError(
                    f"HTTP {exc.code} from {path} ({exc.headers.get('Content-Type')})"
                ) from exc
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                ConnectionError,
                TimeoutError,
            ) as exc:
                raise TransientSyncError(f"{type(exc).__name__} on {path}: {exc}") from exc
            if not _is_json(content_type):
                raise SyncError(
                    f"HTTP {status} from {path} is {content_type}, not JSON",
                    code=SYNC_NOT_JSON,
                )
            try:
                return json.loads(raw or b"null")
            except ValueError as exc:  # cut short: worth another try
                raise TransientSyncError(f"malformed answer from {path}: {exc}") from exc

        return self.retry.call(once, on_retry=self._count)

    def pull(self, since: str | None, *, limit: int) -> PullPage:
        query = urlencode({"since": since or "0", "limit": limit, "exclude_origin": self.client_id})
        path = f"{API}/changes?{query}"
        data = self._request("GET", path)
        try:
            if not isinstance(data["changes"], list) or not isinstance(data["more"], bool):
                raise TypeError("'changes' must be a list and 'more' true or false")
            nxt = data.get("next")
            if nxt is not None and not isinstance(nxt, str | int):
                raise TypeError("'next' must be a string or a number")
            changes = tuple(
                RemoteChange(id=str(c["id"]), record=dict(c["record"]), seq=str(c.get("seq")))
                for c in data["changes"]
            )
            cursor = None if nxt is None else str(nxt)
            return PullPage(changes, next_cursor=cursor, more=data["more"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SyncError(
                f"unexpected answer from {path}: {type(exc).__name__} {exc}", code=SYNC_ENVELOPE
            ) from exc

    def push(self, changes: Sequence[RemoteChange], *, idempotency_key: str) -> Sequence[PushAck]:
        body = {
            "origin": self.client_id,
            "records": [{"id": c.id, "record": dict(c.record)} for c in changes],
        }
        data = self._request("POST", f"{API}/batch", body, {"Idempotency-Key": idempotency_key})
        try:
            return [
                PushAck(
                    id=str(r["id"]),
                    seq=str(r.get("seq")),
                    status=str(r.get("status", "ok")),
                    error=None if r.get("error") is None else str(r["error"]),
                )
                for r in data["results"]
            ]
        except (KeyError, TypeError, AttributeError) as exc:
            raise SyncError(
                f"unexpected answer from {API}/batch: {type(exc).__name__} {exc}",
                code=SYNC_ENVELOPE,
            ) from exc

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
