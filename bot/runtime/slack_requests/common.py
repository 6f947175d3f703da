"""What every Slack request shares: content types, ids that look like Slack's, the signature."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any, NamedTuple
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
TEAM_ID = "T0001"
TEAM_DOMAIN = "example"
APP_ID = "A0001"
VERIFICATION_TOKEN = "verification-token"
# Default response_url: loopback port 9 (normally closed) so a forgotten response_url fails fast and
# never leaves the machine. Pass response_url=fake.response_url_base + "..." (or use SlackSender's
# response_url_base) to capture respond() calls in FakeSlack.
DEFAULT_RESPONSE_URL_BASE = "http://127.0.0.1:9/respond/"

_counter = itertools.count(1)


class SlackRequest(NamedTuple):
    body: bytes
    content_type: str


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends: ``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}`` keyed with the signing secret."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": FORM,
    }


# ---------------------------------------------------------------------- small helpers


def next_number() -> int:
    return next(_counter)


def new_trigger_id() -> str:
    """Unique, Slack-looking trigger id, e.g. ``13345224609.738474920.8088930838d88f008e0``."""
    return f"{13345224609 + next_number()}.738474920.{uuid.uuid4().hex[:21]}"


def new_response_url(kind: str = "commands", base: str = DEFAULT_RESPONSE_URL_BASE) -> str:
    return f"{base}{kind}/{TEAM_ID}/{next_number()}/{uuid.uuid4().hex[:24]}"


def action_ts() -> str:
    return f"{time.time():.6f}"


def user_of(user_id: str, team_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def team_of(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else "general"


def payload_request(data: dict[str, Any]) -> SlackRequest:
    return form_request({"payload": json.dumps(data, ensure_ascii=False)})


def form_request(fields: dict[str, str]) -> SlackRequest:
    return SlackRequest(urlencode(fields).encode("ascii"), FORM)


def option(value: str, text: str | None = None, text_type: str = "plain_text") -> dict[str, Any]:
    obj: dict[str, Any] = {"type": text_type, "text": text or value}
    if text_type == "plain_text":
        obj["emoji"] = True
    return {"text": obj, "value": value}
