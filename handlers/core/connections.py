"""A Web API client that keeps its connections to Slack open between calls.

slack_sdk's `WebClient` opens a new connection for every call (urllib sends `Connection: close`): a TCP
and a TLS handshake, two or three round trips before the request even leaves. From an office in China
that is a few hundred milliseconds on every modal, message and look-up, and a modal's trigger is only good
for three seconds. `KeepAliveWebClient` is the same client, with the same arguments, answers, errors and
retries; only the step that reaches the network is replaced, and it sends over a connection an earlier
call left open. On loopback, where handshakes are nearly free, it still takes about a third off `/hazard`'s
way to its modal (`bench/ack_bench.py`).

It answers exactly as urllib would, so slack_sdk's own code around it is unchanged: a request that could
not be sent is a `URLError`, an HTTP status outside 2xx an `HTTPError` carrying the answer's headers and
body (slack_sdk reads `Retry-After` from it), a timeout while waiting for the answer a `TimeoutError`.
When a proxy is set (`proxy=`, or `HTTPS_PROXY`, which slack_sdk reads into it), calls go urllib's way
through it. httpx, already a dependency, was measured for this and cost more per call than the
handshakes it saves on loopback; http.client is what urllib itself sends with.
"""

from __future__ import annotations

import io
import json
import re
import select
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.client import HTTPConnection, HTTPMessage, HTTPSConnection, RemoteDisconnected
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

# Connections kept idle per address: enough for the bursts a busy hour brings, few enough that Slack never
# sees a crowd of idle sockets from one app.
IDLE_PER_ADDRESS = 8
# A connection idle longer than this is closed rather than used: well inside the minute after which load
# balancers (Slack's among them) drop idle connections, so a call never races a close that is on its way.
IDLE_SECONDS = 20.0
# Calls that only read, which may be sent again when a kept connection turns out to have been closed before
# any answer came: a call that changes something is never sent twice.
_READS = re.compile(r"/(auth\.test|\w+\.(info|list|history|replies)|chat\.getPermalink)$")

_Address = tuple[str, str, int]


def _dropped(connection: HTTPConnection) -> bool:
    """Whether an idle connection was closed by the other side (or has stray bytes): it is readable. (poll,
    not select: select cannot watch a descriptor numbered 1024 or more.)"""
    sock = connection.sock
    if sock is None:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Connections:
    """Idle connections per address, the most recently used first. Thread-safe: a connection is used by one
    call at a time, taken out of the pool for it and given back when its answer has been read."""

    def __init__(self, *, idle_per_address: int = IDLE_PER_ADDRESS, idle_seconds: float = IDLE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._idle: dict[_Address, list[tuple[float, HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._most, self._idle_seconds, self._clock = idle_per_address, idle_seconds, clock
        self._closed = False
        weakref.finalize(self, _close_all, self._idle)  # a client dropped without close() leaves no socket open

    def take(self, address: _Address, *, timeout: float, context: ssl.SSLContext | None) -> tuple[HTTPConnection, bool]:
        """An open connection to `address` and whether it was used before; a new one is connected here."""
        while True:
            with self._lock:
                idle = self._idle.get(address)
                since, connection = idle.pop() if idle else (0.0, None)
            if connection is None:
                break
            if self._clock() - since < self._idle_seconds and not _dropped(connection):
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                return connection, True
            connection.close()
        scheme, host, port = address
        connection = (HTTPSConnection(host, port, timeout=timeout, context=context) if scheme == "https"
                      else HTTPConnection(host, port, timeout=timeout))
        with _reaching(connection):
            connection.connect()
            # The body follows the headers in a second write when it is long: without this, Nagle's algorithm
            # holds its last part back until Slack acknowledges the first.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, False

    def give_back(self, address: _Address, connection: HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            if not self._closed and len(idle) < self._most:
                idle.append((self._clock(), connection))
                return
        connection.close()

    def close(self) -> None:
        """Closes the idle connections; those of calls still in flight are closed when their answer is in."""
        with self._lock:
            self._closed = True
            idle = [connection for connections in self._idle.values() for _, connection in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()


@contextmanager
def _reaching(connection: HTTPConnection) -> Iterator[None]:
    """Closes `connection` on any failure; a failure to reach Slack is urllib's `URLError`."""
    try:
        yield
    except OSError as exc:
        connection.close()
        raise URLError(exc) from exc
    except BaseException:
        connection.close()
        raise


def _close_all(idle: dict[_Address, list[tuple[float, HTTPConnection]]]) -> None:
    for connections in idle.values():
        for _, connection in connections:
            connection.close()


def _send(connections: Connections, *, url: str, method: str, body: bytes | None, headers: dict[str, str],
          timeout: float, context: ssl.SSLContext | None) -> tuple[int, HTTPMessage, bytes]:
    """One request over a kept connection: (status, headers, body), or urllib's errors (see the module).

    Sent again on a new connection only when it cannot have reached Slack whole (the write failed) or, for a
    call that only reads, when a kept connection was closed before any answer came.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    address = (scheme, parts.hostname or "", parts.port or (443 if scheme == "https" else 80))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    while True:
        connection, reused = connections.take(address, timeout=timeout, context=context)
        try:
            with _reaching(connection):
                connection.request(method, target, body=body, headers=headers)
        except URLError as exc:
            if reused and isinstance(exc.reason, BrokenPipeError | ConnectionResetError):
                continue  # the request did not get out: Slack closed this idle connection just now
            raise  # a fresh connection that fails is Slack's, not a stale one's
        try:
            response = connection.getresponse()
            data = response.read()
        except RemoteDisconnected:
            connection.close()
            if reused and _READS.search(parts.path):
                continue
            raise
        except BaseException:
            connection.close()
            raise
        break
    if response.will_close or response.status < 200:  # after a 1xx the real answer may still be on its way
        connection.close()
    else:
        connections.give_back(address, connection)
    if not 200 <= response.status < 300:
        raise HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(data))
    return response.status, response.headers, data


class KeepAliveWebClient(WebClient):
    """`WebClient` over kept connections (see the module's docstring). Share one: it is thread-safe."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections = Connections()

    def __deepcopy__(self, memo: dict[int, object]) -> KeepAliveWebClient:
        """Bolt deep-copies a request's context for its lazy listeners: they share the one client and its pool."""
        return self

    def _kept(self, url: str) -> bool:
        """Whether a call to `url` goes over a kept connection: not through a proxy."""
        return self.proxy is None and url[:8].lower().startswith(("http://", "https://"))

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if not self._kept(url):
            return super()._perform_urllib_http_request_internal(url, req)
        body = req.data if isinstance(req.data, bytes) else None  # slack_sdk's requests carry bytes or nothing
        status, headers, data = _send(self.connections, url=req.full_url, method=req.get_method(), body=body,
                                      headers=dict(req.header_items()), timeout=self.timeout, context=self.ssl)
        if headers.get_content_type() == "application/gzip":
            return {"status": status, "headers": headers, "body": data}
        return {"status": status, "headers": headers, "body": data.decode(headers.get_content_charset() or "utf-8")}

    def post_json(self, api_method: str, body: str) -> SlackResponse:
        """`api_call(api_method, json=...)` for a body that is JSON text already, the short way.

        For `/hazard`'s modal, whose JSON is made ahead (`handlers.hazards.report_form`): slack_sdk's general
        path (URL joining, header merging, the body serialised again, a urllib request object) took about a
        seventh of the command's way to its modal. The answer, and an error, is what `api_call` gives. With
        retry handlers or where a proxy applies, it goes `api_call`'s way.
        """
        url = self.base_url + api_method
        if self.retry_handlers or not self.token or not self._kept(url):
            return self.api_call(api_method, json=json.loads(body))
        headers = {**self.headers, "Authorization": f"Bearer {self.token}",
                   "Content-Type": "application/json;charset=utf-8"}
        try:
            status, answer_headers, data = _send(self.connections, url=url, method="POST", body=body.encode(),
                                                 headers=headers, timeout=self.timeout, context=self.ssl)
            found: dict[str, Any] = dict(answer_headers.items())
        except HTTPError as error:
            status, found, data = error.code, dict(error.headers.items()), error.read()
            if status == 429:  # both spellings, as slack_sdk gives them
                for one, other in (("Retry-After", "retry-after"), ("retry-after", "Retry-After")):
                    if one not in found and other in found:
                        found[one] = found[other]
        try:
            parsed: Any = json.loads(data)
        except ValueError:  # a proxy's or a load balancer's page: named as slack_sdk names it
            text = "".join(line.strip() for line in data.decode("utf-8", "replace").splitlines())
            parsed = {"ok": False, "error": "Received a response in a non-JSON format: "
                                            + (text[:100] + "..." if len(text) > 100 else text)}
        return SlackResponse(client=self, http_verb="POST", api_url=url, req_args={}, data=parsed,
                             headers=found, status_code=status).validate()


def post_json(client: WebClient, api_method: str, body: str) -> SlackResponse:
    """`client.post_json` where the client has it (the app's), else the same call through `api_call`."""
    if isinstance(client, KeepAliveWebClient):
        return client.post_json(api_method, body)
    return client.api_call(api_method, json=json.loads(body))


class SharedClient(Middleware):
    """Hands every listener the app's one client instead of the fresh `WebClient` Bolt makes per request,
    whose new connection would cost the handshakes `KeepAliveWebClient` saves. Bolt makes a fresh one so that
    a listener may change its token; no listener here does, and the app has one token."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse:
        req.context["client"] = self._client
        next()  # Bolt's global middleware signals "go on" by calling next and returns the response as it is
        return resp
