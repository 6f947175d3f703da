"""A fake Slack Web API served on loopback, for behaviour tests, benchmarks and ``safetybot demo``.

Self-contained: stdlib plus ``slack_sdk`` (only :func:`validate_block_kit` uses it).

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="U123", text="hi")
        assert fake.texts_for("U123") == ["hi"]

Every request is recorded as a :class:`Call` *before* its answer is written (so a caller that got
an answer always finds its call in ``fake.calls``); ``call.outcome`` says what the fake answered.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "DELIVERED",
    "ERROR",
    "HTTP_ERROR",
    "OK",
    "RATELIMITED",
    "TIMEOUT",
    "TIMEOUT_UNPROCESSED",
    "Call",
    "FakeSlack",
    "validate_block_kit",
]

BOT_USER_ID = "UBOT"
BOT_ID = "B0001"
TEAM_ID = "T0001"
APP_ID = "A0001"

# Call.outcome values
OK = "ok"  # HTTP 200 {"ok": true}
ERROR = "error"  # HTTP 200 {"ok": false, "error": call.error} (scripted, or e.g. user_not_found)
HTTP_ERROR = "http_error"  # scripted fail(): HTTP call.status with a short text body
RATELIMITED = "ratelimited"  # HTTP 429 (rate_limit(), set_rate_limit(), random_429())
TIMEOUT = "timeout"  # processed (message stored), then answered late
TIMEOUT_UNPROCESSED = "timeout_unprocessed"  # not processed; answered late with HTTP 504
DELIVERED = frozenset({OK, TIMEOUT})

JSON_ENCODED_FIELDS = ("blocks", "attachments", "view", "metadata")
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage", "response_url"}
)
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})

JsonDict = dict[str, Any]


@dataclass
class Call:
    """One request the fake received. ``params`` merges query string and body."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float  # time.monotonic() when the request arrived
    outcome: str = OK
    status: int = 200
    error: str | None = None  # the "error" field of an ok:false answer
    path: str = ""  # URL path (useful for response_url calls)
    response: JsonDict | None = None  # JSON body answered (None for non-JSON answers)

    @property
    def ok(self) -> bool:
        return self.outcome in DELIVERED


@dataclass
class _Script:
    kind: Literal["fail", "rate_limit", "error", "timeout"]
    status: int = 500
    retry_after: int = 1
    error: str = ""
    seconds: float = 0.0
    processed: bool = True


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    last: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _User:
    id: str
    name: str
    locale: str
    deleted: bool
    tz: str


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    sleep: float = 0.0


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _ts_key(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation:
        return Decimal(0)


def _resolve_channel(channel: str) -> str:
    """A user id (U…/W…) used as a channel means the DM with that user: ``"D" + id[1:]``."""
    if channel[:1] in ("U", "W") and len(channel) > 1:
        return "D" + channel[1:]
    return channel


def _json_bytes(data: JsonDict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which may hit DNS; skip it.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Quiet: client disconnects (e.g. after a client-side timeout) are expected.
        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, ConnectionError):
            self.fake.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.server.fake
        arrived = time.monotonic()
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            answer = fake._dispatch(
                raw_path=self.path,
                body=body,
                content_type=self.headers.get("Content-Type", ""),
                authorization=self.headers.get("Authorization"),
                arrived=arrived,
            )
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for inspection
            fake.errors.append(exc)
            data = {"ok": False, "error": "fake_internal_error", "detail": repr(exc)}
            answer = _Answer(500, _json_bytes(data))
        if answer.sleep > 0:
            fake._stopping.wait(answer.sleep)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (ConnectionError, TimeoutError):
            pass  # the client gave up (client-side timeout): fine


class FakeSlack:
    """Fake Slack Web API (``/api/<method>``) plus response_url endpoint (``/respond/<anything>``)."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.errors: list[BaseException] = []  # internal errors of the fake (should stay empty)
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._users: dict[str, _User] = {}
        self._messages: dict[str, list[JsonDict]] = {}
        self._channel_names: dict[str, str] = {}  # name -> id
        self._scripts: dict[str, deque[_Script]] = {}
        self._delays: dict[str, float] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._random_429: dict[str, tuple[float, random.Random]] = {}
        self._channel_errors: dict[str, str] = {}
        self._last_ts_us = 0
        self._counter = 0
        self._handlers: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.publish": self._views_open,
            "views.update": self._views_update,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.scheduleMessage": self._chat_schedule_message,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.create": self._conversations_create,
            "conversations.invite": self._conversations_invite,
            "pins.add": self._ok,
            "files.getUploadURLExternal": self._files_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        self.uploads: dict[str, bytes] = {}  # file id -> bytes uploaded
        self.shared_files: list[JsonDict] = []  # {"id", "title", "channel", "content"} once completed

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in timeout()/delay()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """For ``WebClient(base_url=...)`` (ends with a slash)."""
        return f"{self.base_url}/api/"

    @property
    def response_url_base(self) -> str:
        """Prefix for response_urls: append anything, e.g. ``fake.response_url_base + "T1/1/abc"``."""
        return f"{self.base_url}/respond/"

    # ------------------------------------------------------------------ setup

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        locale: str = "en-US",
        deleted: bool = False,
        tz: str = "Asia/Shanghai",
    ) -> None:
        """Known to ``users.info``/``users.list``. Like real Slack, posting to a deleted user still
        succeeds; script failures with :meth:`set_channel_error` / :meth:`error`."""
        with self._cond:
            self._users[user_id] = _User(user_id, name or user_id.lower(), locale, deleted, tz)

    def set_channel_error(self, channel: str, error: str | None) -> None:
        """Posts/updates to ``channel`` (C…, D…, or a user id meaning its DM) answer ok:false ``error``.

        ``None`` clears it.
        """
        with self._cond:
            key = _resolve_channel(channel)
            if error is None:
                self._channel_errors.pop(key, None)
            else:
                self._channel_errors[key] = error

    def reset(self, *, keep_messages: bool = False) -> None:
        """Forget calls, scripted failures, delays, rate limits, channel errors and (unless told) messages.

        Users added with :meth:`add_user` are kept.
        """
        with self._cond:
            self._calls.clear()
            self._scripts.clear()
            self._delays.clear()
            self._buckets.clear()
            self._random_429.clear()
            self._channel_errors.clear()
            self.errors.clear()
            if not keep_messages:
                self._messages.clear()
                self._channel_names.clear()

    # ------------------------------------------------------------------ failure scripting

    def _push(self, method: str, script: _Script, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._cond:
            queue = self._scripts.setdefault(method, deque())
            for _ in range(times):
                queue.append(script)

    def fail(self, method: str, status: int = 500, times: int = 1) -> None:
        """Next ``times`` calls to ``method`` answer HTTP ``status`` with a short text body."""
        self._push(method, _Script("fail", status=status), times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Next ``times`` calls answer 429 + ``Retry-After`` + ``{"ok": false, "error": "ratelimited"}``."""
        self._push(method, _Script("rate_limit", retry_after=retry_after), times)

    def error(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """Next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error}``."""
        self._push(method, _Script("error", error=error), times)

    def timeout(self, method: str, seconds: float = 2.0, times: int = 1, processed: bool = True) -> None:
        """Next ``times`` calls are answered only after ``seconds``.

        With ``processed=True`` the call takes effect first (message stored, outcome ``"timeout"``) and the
        late answer is the real one; otherwise nothing happens and the late answer is HTTP 504.
        """
        self._push(method, _Script("timeout", seconds=seconds, processed=processed), times)

    def delay(self, method: str, seconds: float) -> None:
        """Every call to ``method`` answers after ``seconds`` (0 clears)."""
        with self._cond:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def set_rate_limit(self, method: str, per_second: float | None) -> None:
        """Token bucket (burst = max(1, per_second)); calls over it answer 429 with Retry-After 1."""
        with self._cond:
            if per_second is None or per_second <= 0:
                self._buckets.pop(method, None)
            else:
                capacity = max(1.0, per_second)
                self._buckets[method] = _Bucket(per_second, capacity, capacity)

    def random_429(self, method: str, probability: float, seed: int = 0) -> None:
        """Each call answers 429 (Retry-After 1) with ``probability`` (deterministic per ``seed``)."""
        with self._cond:
            if probability <= 0:
                self._random_429.pop(method, None)
            else:
                self._random_429[method] = (probability, random.Random(seed))

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[Call]:
        """Snapshot of every recorded call, in arrival order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` were recorded; return all calls to it so far."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(1 for c in self._calls if c.method == method) >= count, timeout=timeout
            )
            calls = [c for c in self._calls if c.method == method]
            if not done:
                seen = ", ".join(f"{c.method}[{c.outcome}]" for c in self._calls) or "nothing"
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, got {len(calls)}; "
                    f"recorded: {seen}"
                )
            return calls

    def delivered(self, method: str = "chat.postMessage") -> list[Call]:
        """Calls to ``method`` that took effect (outcome ok, or a processed timeout)."""
        with self._cond:
            return [c for c in self._calls if c.method == method and c.outcome in DELIVERED]

    def messages(self, channel: str) -> list[JsonDict]:
        """Messages stored in ``channel`` (a user id means its DM), in posting order, replies included."""
        with self._cond:
            return [dict(m) for m in self._messages.get(_resolve_channel(channel), [])]

    def texts_for(self, channel_or_user: str) -> list[str]:
        """For each stored message: its ``text`` plus the visible text of its blocks, newline-joined."""
        out = []
        for message in self.messages(channel_or_user):
            parts = [message["text"]] if message.get("text") else []
            for block in message.get("blocks") or []:
                if isinstance(block, dict):
                    parts.extend(_block_texts(block))
            out.append("\n".join(p for p in parts if p))
        return out

    # ------------------------------------------------------------------ request handling

    def _dispatch(
        self, *, raw_path: str, body: bytes, content_type: str, authorization: str | None, arrived: float
    ) -> _Answer:
        url = urlsplit(raw_path)
        path = url.path
        if path.startswith("/api/") and len(path) > 5:
            method = path[5:]
        elif path.startswith("/respond/"):
            method = "response_url"
        elif path.startswith("/upload/"):  # the upload URL that files.getUploadURLExternal hands out
            with self._cond:
                self.uploads[path[8:]] = body
            return _Answer(200, b"OK - " + str(len(body)).encode(), content_type="text/plain")
        else:
            return _Answer(404, _json_bytes({"ok": False, "error": "unknown_method"}))

        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        params.update(_parse_body(body, content_type))
        for name in JSON_ENCODED_FIELDS:
            value = params.get(name)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                with suppress(ValueError):
                    params[name] = json.loads(value)
        token: str | None = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif isinstance(params.get("token"), str):
            token = params["token"]

        call = Call(method=method, params=params, token=token, at=arrived, path=path)
        with self._cond:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None
            answer = self._decide(method, params, call, script)
            answer.sleep += self._delays.get(method, 0.0)
            self._calls.append(call)
            self._cond.notify_all()
        return answer

    def _decide(self, method: str, params: JsonDict, call: Call, script: _Script | None) -> _Answer:
        if script is not None and script.kind == "fail":
            call.outcome, call.status = HTTP_ERROR, script.status
            return _Answer(script.status, f"fake slack: HTTP {script.status}\n".encode(), "text/plain")
        if script is not None and script.kind == "rate_limit":
            return self._ratelimited(call, script.retry_after)
        if script is not None and script.kind == "error":
            return self._json(call, {"ok": False, "error": script.error})
        if script is not None and script.kind == "timeout":
            if not script.processed:
                call.outcome, call.status = TIMEOUT_UNPROCESSED, 504
                return _Answer(504, b"fake slack: gateway timeout\n", "text/plain", sleep=script.seconds)
            answer = self._json(call, self._process(method, params))
            if call.outcome == OK:
                call.outcome = TIMEOUT
            answer.sleep = script.seconds
            return answer
        bucket = self._buckets.get(method)
        if bucket is not None and not bucket.take():
            return self._ratelimited(call, 1)
        chance = self._random_429.get(method)
        if chance is not None and chance[1].random() < chance[0]:
            return self._ratelimited(call, 1)
        return self._json(call, self._process(method, params))

    @staticmethod
    def _ratelimited(call: Call, retry_after: int) -> _Answer:
        data = {"ok": False, "error": "ratelimited"}
        call.outcome, call.status, call.error, call.response = RATELIMITED, 429, "ratelimited", data
        return _Answer(429, _json_bytes(data), headers={"Retry-After": str(retry_after)})

    @staticmethod
    def _json(call: Call, data: JsonDict) -> _Answer:
        call.response = data
        if data.get("ok"):
            call.outcome = OK
        else:
            call.outcome, call.error = ERROR, str(data.get("error"))
        return _Answer(200, _json_bytes(data))

    def _process(self, method: str, params: JsonDict) -> JsonDict:
        if "_invalid_json" in params:
            return {"ok": False, "error": "invalid_json"}
        if method == "response_url":
            return {"ok": True}
        handler = self._handlers.get(method, self._ok)
        return handler(params)

    # ------------------------------------------------------------------ helpers (called with the lock held)

    def _next_ts(self) -> str:
        us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:08d}"

    def _find_message(self, channel: str, ts: str) -> JsonDict | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _user_json(self, user: _User, include_locale: bool) -> JsonDict:
        data: JsonDict = {
            "id": user.id,
            "team_id": TEAM_ID,
            "name": user.name,
            "real_name": user.name,
            "deleted": user.deleted,
            "is_bot": False,
            "tz": user.tz,
            "profile": {"display_name": user.name, "real_name": user.name},
        }
        if include_locale:
            data["locale"] = user.locale
        return data

    @staticmethod
    def _history_view(message: JsonDict, include_metadata: bool) -> JsonDict:
        out: JsonDict = {
            "type": "message",
            "user": message["user"],
            "bot_id": message["bot_id"],
            "ts": message["ts"],
            "text": message["text"],
        }
        if message.get("blocks"):
            out["blocks"] = message["blocks"]
        if message.get("thread_ts"):
            out["thread_ts"] = message["thread_ts"]
        if message.get("edited"):
            out["edited"] = message["edited"]
        if include_metadata and message.get("metadata"):
            out["metadata"] = message["metadata"]
        return out

    def _view_json(self, view: JsonDict, view_id: str) -> JsonDict:
        out = dict(view)
        out.update(
            {
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "state": {"values": {}},
                "hash": f"{int(time.time())}.{self._next_id('h')}",
                "root_view_id": view_id,
            }
        )
        out.setdefault("private_metadata", "")
        out.setdefault("callback_id", "")
        return out

    # ------------------------------------------------------------------ method handlers

    def _files_upload_url(self, params: JsonDict) -> JsonDict:
        if not params.get("filename") or not str(params.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: JsonDict) -> JsonDict:
        files = params.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        if not files or any(f.get("id") not in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        shared = [{"id": f["id"], "title": f.get("title") or "", "channel": params.get("channel_id"),
                   "content": self.uploads[f["id"]].decode("utf-8", errors="replace")} for f in files]
        self.shared_files.extend(shared)
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    @staticmethod
    def _ok(params: JsonDict) -> JsonDict:
        return {"ok": True}

    @staticmethod
    def _auth_test(params: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "safetybot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, params: JsonDict) -> JsonDict:
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user_json(user, _truthy(params.get("include_locale", False)))}

    def _users_list(self, params: JsonDict) -> JsonDict:
        include_locale = _truthy(params.get("include_locale", False))
        members = [self._user_json(u, include_locale) for u in self._users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _views_open(self, params: JsonDict) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view_json(view, self._next_id("V"))}

    def _views_update(self, params: JsonDict) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id") or self._next_id("V")
        return {"ok": True, "view": self._view_json(view, str(view_id))}

    def _posting_error(self, raw_channel: str) -> str | None:
        if not raw_channel:
            return "channel_not_found"
        return self._channel_errors.get(_resolve_channel(raw_channel))

    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        text = params.get("text") or ""
        blocks = params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        channel = _resolve_channel(raw_channel)
        thread_ts = params.get("thread_ts") or None
        message: JsonDict = {
            "type": "message",
            "channel": channel,
            "ts": self._next_ts(),
            "text": text,
            "blocks": blocks,
            "thread_ts": str(thread_ts) if thread_ts else None,
            "metadata": params.get("metadata"),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
        }
        self._messages.setdefault(channel, []).append(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": self._history_view(message, include_metadata=True),
        }

    def _chat_update(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        channel = _resolve_channel(raw_channel)
        ts = str(params.get("ts") or "")
        message = self._find_message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        for name in ("text", "blocks", "metadata"):
            if name in params:
                message[name] = params[name]
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": self._history_view(message, include_metadata=True),
        }

    def _chat_delete(self, params: JsonDict) -> JsonDict:
        channel = _resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("ts") or "")
        message = self._find_message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        error = self._posting_error(str(params.get("channel") or ""))
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_schedule_message(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        return {
            "ok": True,
            "channel": _resolve_channel(raw_channel),
            "scheduled_message_id": self._next_id("Q"),
            "post_at": params.get("post_at"),
        }

    @staticmethod
    def _chat_get_permalink(params: JsonDict) -> JsonDict:
        channel = _resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("message_ts") or "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _conversations_open(self, params: JsonDict) -> JsonDict:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": str(params["channel"])}}
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": _resolve_channel(users[0])}}
        return {"ok": True, "channel": {"id": "G" + "".join(sorted(u[1:] for u in users))[:20]}}

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = _resolve_channel(str(params.get("channel") or ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        names = {v: k for k, v in self._channel_names.items()}
        info: JsonDict = {
            "id": channel,
            "is_im": channel.startswith("D"),
            "is_channel": channel.startswith("C"),
        }
        if channel in names:
            info["name"] = names[channel]
        return {"ok": True, "channel": info}

    def _conversations_history(self, params: JsonDict) -> JsonDict:
        channel = _resolve_channel(str(params.get("channel") or ""))
        inclusive = _truthy(params.get("inclusive", False))
        oldest = _ts_key(params.get("oldest") or 0)
        latest = _ts_key(params["latest"]) if params.get("latest") else None
        limit = int(params.get("limit") or 100)
        include_metadata = _truthy(params.get("include_all_metadata", False))
        stored = self._messages.get(channel, [])
        selected = []
        for message in reversed(stored):
            if message["thread_ts"] not in (None, message["ts"]):
                continue
            key = _ts_key(message["ts"])
            if (key < oldest) if inclusive else (key <= oldest):
                continue
            if latest is not None and ((key > latest) if inclusive else (key >= latest)):
                continue
            selected.append(message)
        out = []
        for message in selected[:limit]:
            view = self._history_view(message, include_metadata)
            replies = [m for m in stored if m["thread_ts"] == message["ts"] and m is not message]
            if replies:
                view["thread_ts"] = message["ts"]
                view["reply_count"] = len(replies)
                view["latest_reply"] = replies[-1]["ts"]
            out.append(view)
        return {
            "ok": True,
            "messages": out,
            "has_more": len(selected) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = _resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("ts") or "")
        parent = self._find_message(channel, ts)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        include_metadata = _truthy(params.get("include_all_metadata", False))
        replies = [m for m in self._messages.get(channel, []) if m["thread_ts"] == ts and m is not parent]
        out = [self._history_view(m, include_metadata) for m in [parent, *replies]]
        out[0]["thread_ts"] = ts
        out[0]["reply_count"] = len(replies)
        return {"ok": True, "messages": out, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _conversations_create(self, params: JsonDict) -> JsonDict:
        name = str(params.get("name") or "")
        if not name:
            return {"ok": False, "error": "invalid_name_required"}
        if name in self._channel_names:
            return {"ok": False, "error": "name_taken"}
        channel_id = self._next_id("C")
        self._channel_names[name] = channel_id
        return {
            "ok": True,
            "channel": {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_private": _truthy(params.get("is_private", False)),
                "created": int(time.time()),
                "creator": BOT_USER_ID,
            },
        }

    @staticmethod
    def _conversations_invite(params: JsonDict) -> JsonDict:
        return {"ok": True, "channel": {"id": str(params.get("channel") or "")}}


def _parse_body(body: bytes, content_type: str) -> JsonDict:
    if not body:
        return {}
    kind = content_type.split(";", 1)[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            return {"_invalid_json": text}
        return data if isinstance(data, dict) else {"_json": data}
    if kind in ("application/x-www-form-urlencoded", ""):
        return dict(parse_qsl(text, keep_blank_values=True))
    return {}  # multipart uploads etc.: only the query string is recorded


# ---------------------------------------------------------------------- visible text


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return obj["text"]
    if isinstance(obj, str):
        return obj
    return ""


def _rich_texts(element: Any) -> Iterator[str]:
    if isinstance(element, dict):
        kind = element.get("type")
        if kind == "text" and isinstance(element.get("text"), str):
            yield element["text"]
        elif kind == "link":
            yield str(element.get("text") or element.get("url") or "")
        elif kind == "user":
            yield f"<@{element.get('user_id')}>"
        elif kind == "channel":
            yield f"<#{element.get('channel_id')}>"
        for child in element.get("elements") or []:
            yield from _rich_texts(child)


def _block_texts(block: JsonDict) -> list[str]:
    kind = block.get("type")
    out: list[str] = []
    if kind in ("section", "header"):
        out.append(_text_of(block.get("text")))
        out.extend(_text_of(f) for f in block.get("fields") or [])
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            out.append(_text_of(accessory.get("text")))
    elif kind == "context":
        out.extend(_text_of(e) for e in block.get("elements") or [] if isinstance(e, dict) and "text" in e)
    elif kind == "actions":
        out.extend(_text_of(e.get("text")) for e in block.get("elements") or [] if isinstance(e, dict))
    elif kind == "rich_text":
        out.append("".join(_rich_texts(block)))
    elif kind == "input":
        out.append(_text_of(block.get("label")))
    return [t for t in out if t]


# ---------------------------------------------------------------------- Block Kit validation


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _sdk_model_warnings() -> Iterator[list[str]]:
    """slack_sdk *logs* (does not raise) when it skips an unknown block/element type; collect those."""
    logger = logging.getLogger("slack_sdk.models")
    handler = _CollectWarnings()
    old_level = logger.level
    if old_level == logging.NOTSET or old_level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _extra_block_checks(block: JsonDict) -> list[str]:
    """Rules real Slack enforces that slack_sdk 3.x does not check."""
    problems = []
    kind = block.get("type")
    if kind == "section":
        text = block.get("text")
        if isinstance(text, dict) and not text.get("text"):
            problems.append("section text must not be empty")
        for f in block.get("fields") or []:
            if len(_text_of(f)) > 2000:
                problems.append("section field text cannot exceed 2000 characters")
    if kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            problems.append("header text must be a plain_text object")
    problems += [f"an option's {part} is over 75 characters: {text[:40]!r}…"
                 for part, text in _option_texts(block) if len(text) > 75]
    return problems


def _option_texts(node: Any) -> Iterator[tuple[str, str]]:
    """(text|description, text) of every option object anywhere in a block (Slack allows 75 each)."""
    if isinstance(node, dict):
        for option in node.get("options") or []:
            if isinstance(option, dict):
                for part in ("text", "description"):
                    value = option.get(part)
                    if isinstance(value, dict):
                        yield part, str(value.get("text") or "")
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _option_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _option_texts(item)


def _check_block(block: Any, where: str) -> None:
    from slack_sdk.models.blocks import Block

    if not isinstance(block, dict):
        raise AssertionError(f"{where}: block is not an object: {block!r}")
    with _sdk_model_warnings() as skipped:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                raise AssertionError(f"{where}: unknown block type {block.get('type')!r}")
            parsed.validate_json()
            parsed.to_dict()  # validate_json() is shallow; to_dict() validates nested elements too
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(f"{where}: invalid {block.get('type')} block: {exc}\n{block!r}") from exc
    if skipped:
        raise AssertionError(f"{where}: slack_sdk skipped part of the block: {'; '.join(skipped)}\n{block!r}")
    problems = _extra_block_checks(block)
    if problems:
        raise AssertionError(f"{where}: {'; '.join(problems)}\n{block!r}")


def _check_view(view: Any, where: str) -> None:
    from slack_sdk.models.views import View

    if not isinstance(view, dict):
        raise AssertionError(f"{where}: view is not an object: {view!r}")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        raise AssertionError(f"{where}: view.blocks must be a list")
    if len(blocks) > 100:
        raise AssertionError(f"{where}: view has {len(blocks)} blocks (max 100)")
    for i, block in enumerate(blocks):
        _check_block(block, f"{where} view.blocks[{i}]")
    if view.get("type") == "modal":
        if not view.get("title"):
            raise AssertionError(f"{where}: a modal needs a title")
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            raise AssertionError(f"{where}: a modal with input blocks needs a submit button")
    try:
        parsed = View(**view)
        parsed.validate_json()
        parsed.to_dict()
    except Exception as exc:
        raise AssertionError(f"{where}: invalid view: {exc}") from exc


def validate_block_kit(fake: FakeSlack) -> None:
    """Check every recorded message ``blocks`` (≤50) and ``view`` (≤100 blocks) like Slack would.

    Uses slack_sdk's models (``Block.parse`` + ``validate_json`` + deep ``to_dict``) plus a few rules
    slack_sdk misses; raises AssertionError naming the call.
    """
    for index, call in enumerate(fake.calls):
        where = f"call #{index} {call.method}"
        if call.method in MESSAGE_METHODS and call.params.get("blocks") is not None:
            blocks = call.params["blocks"]
            if not isinstance(blocks, list):
                raise AssertionError(f"{where}: blocks is not a list: {blocks!r}")
            if len(blocks) > 50:
                raise AssertionError(f"{where}: message has {len(blocks)} blocks (max 50)")
            for i, block in enumerate(blocks):
                _check_block(block, f"{where} blocks[{i}]")
        if call.method in VIEW_METHODS and "view" in call.params:
            _check_view(call.params["view"], where)
