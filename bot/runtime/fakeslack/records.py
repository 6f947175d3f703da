"""What the fake records and answers: calls, scripted failures, users, and the small value helpers.

Kept apart from the server so every other module of the fake can share them without import cycles.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import parse_qsl

BOT_USER_ID = "UBOT"
BOT_ID = "B0001"
TEAM_ID = "T0001"
APP_ID = "A0001"

# Call.outcome values
OK = "ok"  # HTTP 200 {"ok": true}
ACTED_ERROR = "acted_error"  # carried out (message stored), yet answered {"ok": false, "error": call.error}
ERROR = "error"  # HTTP 200 {"ok": false, "error": call.error} (scripted, or e.g. user_not_found)
HTTP_ERROR = "http_error"  # scripted fail(): HTTP call.status with a short text body
RATELIMITED = "ratelimited"  # HTTP 429 (rate_limit(), set_rate_limit(), random_429())
TIMEOUT = "timeout"  # processed (message stored), then answered late
TIMEOUT_UNPROCESSED = "timeout_unprocessed"  # not processed; answered late with HTTP 504
CUT = "cut"  # processed (message stored), then the answer broken off halfway and the connection closed
DELIVERED = frozenset({OK, TIMEOUT, ACTED_ERROR, CUT})

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
class Script:
    """One scripted answer waiting in a method's queue (see ``FakeSlack.fail`` and friends)."""

    kind: Literal["fail", "rate_limit", "error", "acted_error", "timeout", "cut"]
    status: int = 500
    retry_after: int = 1
    error: str = ""
    seconds: float = 0.0
    processed: bool = True


@dataclass
class Bucket:
    """A token bucket: ``set_rate_limit`` answers 429 once it runs dry, as Slack's tiers do."""

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
class User:
    id: str
    name: str
    locale: str
    deleted: bool
    tz: str


@dataclass
class Answer:
    """What the HTTP handler writes back; ``sleep`` delays it (timeouts, delays)."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    sleep: float = 0.0
    cut: bool = False  # write only half of the body, then close the connection


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def ts_key(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation:
        return Decimal(0)


def resolve_channel(channel: str) -> str:
    """A user id (U…/W…) used as a channel means the DM with that user: ``"D" + id[1:]``."""
    if channel[:1] in ("U", "W") and len(channel) > 1:
        return "D" + channel[1:]
    return channel


def json_bytes(data: JsonDict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def parse_body(body: bytes, content_type: str) -> JsonDict:
    """A request body as slack_sdk sends it: JSON, or form-encoded; anything else records nothing."""
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
