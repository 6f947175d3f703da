"""Socket Mode's redeliveries are answered without doing the work again.

An envelope not acknowledged before a reconnect comes again with the same `envelope_id`; the first delivery
may still be at work, so the second is acknowledged and dropped. (Over HTTP, Slack's retries marked
`X-Slack-Retry-Num` are acked at the front door, `handlers/core/http.py`.)

Modal submissions are not dropped here: their second delivery must show the same confirmation, which
the use cases give from the submission's key (`bot.core.idempotency`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

RETRY_HEADER = "x-slack-retry-num"


class RecentDeliveries:
    """The deliveries of the last `ttl_seconds` (at most `size`), by key; shared by all request threads."""

    def __init__(self, *, ttl_seconds: float = 3600.0, size: int = 20_000) -> None:
        self._ttl, self._size = ttl_seconds, size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time `key` is seen (and note it); False for a redelivery."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (len(self._seen) >= self._size or next(iter(self._seen.values())) < now):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + self._ttl
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


def delivery_key(raw_body: str) -> str:
    """A redelivery's body is the first's, byte for byte (its trigger_id, action_ts or event_id with it)."""
    return "body:" + hashlib.sha256(raw_body.encode("utf-8", errors="replace")).hexdigest()


class OnceSocketModeHandler(SocketModeHandler):
    """Socket Mode that acknowledges a redelivered envelope (same `envelope_id`) without running it again."""

    def __init__(self, app: App, app_token: str, recent: RecentDeliveries | None = None, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        self.recent = recent or RecentDeliveries()

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if not self.recent.first(f"envelope:{req.envelope_id}"):
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)
