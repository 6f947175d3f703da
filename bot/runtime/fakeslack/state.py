"""The fake's memory and the helpers every Web API method shares, behind one lock.

Each group of methods (chat, conversations, users, views, files, failures, inspection) is a mixin on
this class, so the state is declared once and each module stays about one concern.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.runtime.fakeslack.records import Bucket, Call, JsonDict, Script, User, resolve_channel

if TYPE_CHECKING:
    from bot.runtime.fakeslack.http import Server

Method = Callable[[JsonDict], JsonDict]


class State:
    """Calls, users, messages, channels and scripted behaviour; guarded by ``_cond``."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.idle_timeout = 30.0  # seconds a kept-alive connection may sit idle before the fake closes it
        self.errors: list[BaseException] = []  # internal errors of the fake (should stay empty)
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._users: dict[str, User] = {}
        self._messages: dict[str, list[JsonDict]] = {}
        self._channel_names: dict[str, str] = {}  # name -> id
        self._channel_private: dict[str, bool] = {}  # id -> is_private, for channels made with conversations.create
        self._left: set[str] = set()  # channels the bot is not a member of (see leave_channel)
        self._scripts: dict[str, deque[Script]] = {}
        self._delays: dict[str, float] = {}
        self._buckets: dict[str, Bucket] = {}
        self._random_429: dict[str, tuple[float, random.Random]] = {}
        self._channel_errors: dict[str, str] = {}
        self._channel_scripts: dict[str, deque[Script | None]] = {}  # None: answer this call normally
        self._chaos: dict[str, tuple[float, float, float, float, float, random.Random]] = {}
        self._last_ts_us = 0
        self._counter = 0
        self._handlers: dict[str, Method] = {}
        self.uploads: dict[str, bytes] = {}  # file id -> bytes uploaded
        self.shared_files: list[JsonDict] = []  # {"id", "title", "name", "channel", "created", "content"}
        self.upload_names: dict[str, str] = {}  # file id -> filename given when the upload URL was asked for

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def connections_opened(self) -> int:
        """How many connections clients have opened to the fake (one per call unless they keep them open)."""
        return self._server.connections_opened if self._server is not None else 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------ helpers (called with the lock held)

    def _process(self, method: str, params: JsonDict) -> JsonDict:
        if "_invalid_json" in params:
            return {"ok": False, "error": "invalid_json"}
        if method == "response_url":
            return {"ok": True}
        handler = self._handlers.get(method, self._ok)
        return handler(params)

    @staticmethod
    def _ok(params: JsonDict) -> JsonDict:
        return {"ok": True}

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

    def _posting_error(self, raw_channel: str) -> str | None:
        if not raw_channel:
            return "channel_not_found"
        return self._channel_errors.get(resolve_channel(raw_channel))

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

