"""Socket Mode's redeliveries are answered without doing the work again.

An envelope not acknowledged before a reconnect comes again with the same `envelope_id`; the first delivery
may still be at work, so the second is acknowledged and dropped. (Over HTTP, Slack's retries marked
`X-Slack-Retry-Num` are acked at the front door, `handlers/core/http.py`.)
The same bounded, expiring memory serves both (`Deliveries`); a redelivery that lands on another copy is
still done once, by the use cases' own idempotency (`bot.core.idempotency`).

A listener that acks and then works on (`handlers.core.acks.ack_then`) has its ack sent over the socket
at once, as the HTTP front door does after the head start; the envelope is answered once either way.
"""

from __future__ import annotations

import threading
from time import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import build_headers, send_response
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from handlers.core.acks import ACK_SLOT
from handlers.core.http import Deliveries


class _SocketAck:
    """Sends the envelope's answer the moment the listener acks, and only once (a TakesAck)."""

    def __init__(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        self._client, self._req, self._started = client, req, time()
        self._sent = threading.Lock()

    def put(self, response: BoltResponse) -> None:
        if self._sent.acquire(blocking=False):
            send_response(self._client, self._req, response, self._started)


class OnceSocketModeHandler(SocketModeHandler):
    """Socket Mode that acknowledges a redelivered envelope (same `envelope_id`) without running it again."""

    def __init__(self, app: App, app_token: str, recent: Deliveries | None = None, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        self.recent = recent or Deliveries(keep_seconds=3600)

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if not self.recent.first_time(f"envelope:{req.envelope_id}"):
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        answer = _SocketAck(client, req)
        request = BoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req),
                              context={ACK_SLOT: answer})
        answer.put(self.app.dispatch(request))  # unless the listener's ack went already
