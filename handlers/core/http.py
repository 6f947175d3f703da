"""HTTP mode: `POST /slack/events` for everything Slack sends, `GET /healthz` and `GET /readyz` for the
load balancer.

A small Starlette app instead of Bolt's adapter: the request is handed to Bolt on a worker thread, so
the event loop keeps accepting requests while a listener works, and acks go out as soon as Bolt
returns, or, for a listener that acks and then works on (`handlers.core.acks.ack_then`), once its
head start is over.

It is also the front door, where hostile and broken requests stop before they cost anything: a body
over the size limit is refused before it is read, an unsigned one before it is parsed or logged (Bolt
logs the whole body of a request whose signature fails), a malformed one with a 400, and a request
Slack retries is acked without the work being done again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from handlers.core.acks import ACK_SLOT, HEAD_START_SECONDS, AckSlot

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
HEALTH_SECONDS = 0.75  # a one-second check, less the time to get the request to us and back on a busy host
# Threads for Bolt's dispatch. A listener that acks and then opens a modal keeps its thread until Slack
# answers (up to the Web API timeout when Slack hangs), so there are plenty: idle ones cost nothing, and
# the pool only grows when requests overlap.
DISPATCH_THREADS = 256


class _NoBodies(logging.Filter):
    """Cuts request bodies out of Bolt's log lines: Bolt writes the whole body of a request whose
    signature fails (INFO) and a part of any request no listener takes (WARNING), which would put a
    20 MB junk body, or an anonymous reporter's words, into the log."""

    MARKERS = ("Invalid request signature detected", "Unhandled request",
               "without providing a response for the request", "request body:", "Request body:")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for marker in self.MARKERS:
            if marker in message:
                kept = message[:message.index(marker) + len(marker)]
                record.msg, record.args = f"{kept} (request body not logged)", ()
                break
        return True


def keep_bodies_out_of_logs(bolt_logger: logging.Logger) -> None:
    """Bolt's loggers are `slack_bolt.<Class>` copies of the app's logger, made when the app was built,
    so the filter goes onto each of them (once)."""
    names = [name for name in logging.root.manager.loggerDict
             if name.startswith(("slack_bolt", bolt_logger.name))]
    for logger in {bolt_logger, *map(logging.getLogger, names), logging.getLogger("slack_bolt.RequestVerification")}:
        if not any(isinstance(f, _NoBodies) for f in logger.filters):
            logger.addFilter(_NoBodies())


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or TooLarge as soon as it is known to exceed `limit`: from Content-Length before a byte
    is read, else by counting while it streams in (chunked bodies)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class Deliveries:
    """Which signed requests this process took in lately, so a Slack retry of one is acked, not redone.

    Slack retries an Events API request that was not answered within 3 s (up to three times, the last
    after about 5 minutes), marking it `X-Slack-Retry-Num`. The original may still be working, or done:
    either way the work must not run twice. A request whose original failed (5xx) is forgotten, so its
    retry does the work. Keyed by `event_id`, else by the body itself; kept ten minutes, bounded.
    """

    def __init__(self, *, keep_seconds: float = 600, most: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._keep, self._most, self._clock = keep_seconds, most, clock

    @staticmethod
    def key(body: bytes) -> str:
        try:
            event_id = json.loads(body).get("event_id") if body.startswith(b"{") else None
        except (ValueError, AttributeError):
            event_id = None
        return f"event:{event_id}" if isinstance(event_id, str) else hashlib.sha256(body).hexdigest()

    def first_time(self, key: str) -> bool:
        """Record `key`; False if it was already taken in (and not forgotten) within the window."""
        now = self._clock()
        with self._lock:
            while self._seen and (len(self._seen) >= self._most or next(iter(self._seen.values())) < now - self._keep):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


class Health(Protocol):
    """What a health check reports (storage.db.Health is one); `reason` is one fixed word, safe to show."""

    @property
    def writable(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def schema(self) -> str | None: ...
    @property
    def ready(self) -> bool: ...


@dataclass(frozen=True)
class _Down:
    reason: str
    writable: bool = False
    schema: str | None = None
    ready: bool = False


class Probe:
    """Runs a health check on its own thread and answers within `seconds`, whatever the database does.

    One check at a time: while one hangs (a host that never answers), later requests wait for the same
    one instead of piling up threads, and every answer within the deadline is "timeout".
    """

    def __init__(self, check: Callable[[], Health], seconds: float) -> None:
        self._check, self._seconds = check, seconds
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
        self._running: Future[Health] | None = None
        self._lock = threading.Lock()

    async def __call__(self) -> Health:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self._check)
            running = self._running
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)), self._seconds)
        except TimeoutError:
            return _Down("timeout")
        except Exception:
            log.exception("health check failed")
            return _Down("unreachable")


def _health_json(health: Health, *, schema: bool) -> JSONResponse:
    ok = health.ready if schema else health.writable
    content: dict[str, object] = {"ok": ok, "database": "up" if health.writable else "down"}
    if schema and health.schema is not None:
        content["schema"] = health.schema
    if not ok:
        content["reason"] = health.reason or "unreachable"
    return JSONResponse(content, status_code=200 if ok else 503)


def _malformed(what: str, size: int) -> Response:
    log.warning("refused a malformed request (%s, %d bytes)", what, size)  # the name of the error, not the body
    return JSONResponse({"error": "malformed request"}, status_code=400)


def dispatch_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=DISPATCH_THREADS, thread_name_prefix="slack-request")


async def dispatch(bolt: App, request: BoltRequest, slot: AckSlot, pool: ThreadPoolExecutor,
                   head_start: float = HEAD_START_SECONDS) -> BoltResponse:
    """Bolt's answer; or, when the listener acked and is still working after `head_start`, its ack.

    Everything the loop needs is set up before the request is handed to a thread, so that once it is handed
    over the loop goes straight back to waiting and the thread gets the interpreter at once.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[BoltResponse] = loop.create_future()
    head_start_over = loop.call_later(head_start, slot.forward, answer)

    def dispatched(work: Future[BoltResponse]) -> None:  # on the worker thread
        loop.call_soon_threadsafe(_settle, answer, work, head_start_over)

    pool.submit(bolt.dispatch, request).add_done_callback(dispatched)
    return await answer


def _settle(answer: asyncio.Future[BoltResponse], work: Future[BoltResponse],
            head_start_over: asyncio.TimerHandle) -> None:
    """Bolt is done: its answer is the request's, unless the ack went already (then only a failure is news)."""
    head_start_over.cancel()
    failure = work.exception()
    if answer.done():
        if failure is not None:
            log.error("Bolt failed after the ack was sent", exc_info=failure)
    elif failure is not None:
        answer.set_exception(failure)
    else:
        answer.set_result(work.result())


def build_asgi(
    bolt: App,
    *,
    signing_secret: str,
    healthy: Callable[[], Health],
    ready: Callable[[], Health] | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    health_seconds: float = HEALTH_SECONDS,
    deliveries: Deliveries | None = None,
    pool: ThreadPoolExecutor | None = None,
    head_start: float = HEAD_START_SECONDS,
) -> Starlette:
    """`healthy`: can the database take writes now; `ready`: that, and the schema is this code's; `pool`: the
    threads Bolt runs on (`dispatch_pool()`; the caller shuts it down), else one of the app's own;
    `head_start`: how long an `ack_then` listener may work before its ack is sent without waiting for it."""
    if not signing_secret.strip():
        raise ValueError("an empty signing secret would let anyone sign requests; refusing to serve")
    verifier = SignatureVerifier(signing_secret)
    deliveries = deliveries or Deliveries()
    health_probe, ready_probe = Probe(healthy, health_seconds), Probe(ready or healthy, health_seconds)
    keep_bodies_out_of_logs(bolt.logger)
    pool = pool or dispatch_pool()

    async def slack_events(request: Request) -> Response:
        try:
            raw = await read_body(request, max_body_bytes)
        except TooLarge:
            return JSONResponse({"error": "request too large"}, status_code=413, headers={"Connection": "close"})
        except ClientDisconnect:
            return Response(status_code=400)
        headers = dict(request.headers)
        try:
            body = raw.decode("utf-8")  # Slack sends UTF-8; the signature is checked on the text
        except UnicodeDecodeError:
            return _malformed("UnicodeDecodeError", len(raw))
        if body.startswith("ssl_check=1"):  # Slack's certificate check, sent unsigned: nothing to do
            return Response(status_code=200)
        if not verifier.is_valid_request(body, headers):
            log.info("refused a request with a missing or wrong signature (%d bytes)", len(raw))
            return JSONResponse({"error": "invalid request"}, status_code=401)
        key = Deliveries.key(raw)
        if not deliveries.first_time(key) and "x-slack-retry-num" in headers:
            log.info("acked Slack's retry %s of a request already taken in", headers["x-slack-retry-num"])
            return Response(status_code=200, headers={"X-Slack-No-Retry": "1"})
        slot = AckSlot()
        try:
            bolt_request = BoltRequest(body=body, query=request.url.query, headers={**headers},
                                       context={ACK_SLOT: slot})
        except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError; a list where an object goes
            deliveries.forget(key)
            return _malformed(type(exc).__name__, len(raw))
        answer = await dispatch(bolt, bolt_request, slot, pool, head_start)
        if answer.status >= 500:
            deliveries.forget(key)  # not done: Slack's retry should do it
        headers_out = {k: v[0] for k, v in answer.headers.items() if v and k.lower() != "content-length"}
        return Response(content=answer.body, status_code=answer.status, headers=headers_out)

    async def healthz(_request: Request) -> Response:
        return _health_json(await health_probe(), schema=False)

    async def readyz(_request: Request) -> Response:
        return _health_json(await ready_probe(), schema=True)

    return Starlette(routes=[
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ])
