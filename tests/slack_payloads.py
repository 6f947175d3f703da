"""Signed requests shaped the way Slack sends them to ``/slack/events``.

Builders return a :class:`SlackRequest` ``(body, content_type)``; interactive payloads and slash commands
are ``application/x-www-form-urlencoded`` (interactive ones as ``payload=<json>``), Events API callbacks
are ``application/json`` (as Slack sends them).

    with SlackSender("http://127.0.0.1:3000", SECRET, response_url_base=fake.response_url_base) as slack:
        slack.command("/safety", "report", user_id="U1")
        slack.submit_view(user_id="U1", callback_id="report", values={"b": {"a": plain_text("x")}})
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import urlencode

import httpx

__all__ = [
    "FORM",
    "JSON",
    "SlackRequest",
    "SlackSender",
    "block_actions",
    "checkboxes",
    "datepicker",
    "event_callback",
    "file_input",
    "message_shortcut",
    "plain_text",
    "sign",
    "slash_command",
    "static_select",
    "users_select",
    "view_submission",
]

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


def _n() -> int:
    return next(_counter)


def new_trigger_id() -> str:
    """Unique, Slack-looking trigger id, e.g. ``13345224609.738474920.8088930838d88f008e0``."""
    return f"{13345224609 + _n()}.738474920.{uuid.uuid4().hex[:21]}"


def new_response_url(kind: str = "commands", base: str = DEFAULT_RESPONSE_URL_BASE) -> str:
    return f"{base}{kind}/{TEAM_ID}/{_n()}/{uuid.uuid4().hex[:24]}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else "general"


def _payload(data: dict[str, Any]) -> SlackRequest:
    return _form({"payload": json.dumps(data, ensure_ascii=False)})


def _form(fields: dict[str, str]) -> SlackRequest:
    return SlackRequest(urlencode(fields).encode("ascii"), FORM)


def _option(value: str, text: str | None = None, text_type: str = "plain_text") -> dict[str, Any]:
    obj: dict[str, Any] = {"type": text_type, "text": text or value}
    if text_type == "plain_text":
        obj["emoji"] = True
    return {"text": obj, "value": value}


# ---------------------------------------------------------------------- view state values


def plain_text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": None if value is None else _option(value, text)}


def checkboxes(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [_option(v, text_type="mrkdwn") for v in values]}


def file_input(files: list[dict[str, Any] | str]) -> dict[str, Any]:
    """Files as Slack describes them; a bare string is taken as a file id."""
    out = []
    for f in files:
        if isinstance(f, str):
            f = {
                "id": f,
                "name": f"{f}.jpg",
                "title": f"{f}.jpg",
                "mimetype": "image/jpeg",
                "filetype": "jpg",
                "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{f}/{f}.jpg",
            }
        out.append(f)
    return {"type": "file_input", "files": out}


def users_select(user: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def datepicker(date_str: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": date_str}


# ---------------------------------------------------------------------- builders


def slash_command(
    command: str,
    text: str,
    *,
    user_id: str,
    trigger_id: str | None = None,
    channel_id: str = "C0GENERAL",
    team_id: str = TEAM_ID,
    response_url: str | None = None,
) -> SlackRequest:
    return _form(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url or new_response_url("commands"),
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def _view(
    *,
    view_id: str | None,
    callback_id: str,
    private_metadata: str,
    values: dict[str, Any],
    team_id: str,
    title: str,
    blocks: list[dict[str, Any]] | None,
    external_id: str = "",
) -> dict[str, Any]:
    vid = view_id or f"V{_n():010d}"
    return {
        "id": vid,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": vid,
        "app_id": APP_ID,
        "external_id": external_id,
        "app_installed_team_id": team_id,
        "bot_id": "B0001",
    }


def view_submission(
    *,
    user_id: str,
    callback_id: str,
    values: dict[str, Any],
    private_metadata: str = "",
    view_id: str | None = None,
    team_id: str = TEAM_ID,
    title: str = "Modal",
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
) -> SlackRequest:
    """``values`` is ``{block_id: {action_id: element_state}}``; see :func:`plain_text` etc."""
    return _payload(
        {
            "type": "view_submission",
            "team": _team(team_id),
            "user": _user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or new_trigger_id(),
            "view": _view(
                view_id=view_id,
                callback_id=callback_id,
                private_metadata=private_metadata,
                values=values,
                team_id=team_id,
                title=title,
                blocks=blocks,
            ),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


def _action(action_id: str, block_id: str, action_type: str, value: str | list[str] | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": _action_ts(),
    }
    values = value if isinstance(value, list) else ([] if value is None else [value])
    single = values[0] if values else None
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
        if single is not None:
            action["value"] = single
    elif action_type in ("static_select", "external_select", "overflow", "radio_buttons"):
        action["selected_option"] = None if single is None else _option(single)
    elif action_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        action["selected_options"] = [_option(v) for v in values]
    elif action_type == "users_select":
        action["selected_user"] = single
    elif action_type == "conversations_select":
        action["selected_conversation"] = single
    elif action_type == "channels_select":
        action["selected_channel"] = single
    elif action_type == "datepicker":
        action["selected_date"] = single
    else:
        action["value"] = single
    return action


def block_actions(
    *,
    user_id: str,
    action_id: str,
    value: str | list[str] | None = None,
    block_id: str = "b",
    channel_id: str | None = None,
    message_ts: str | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    container: dict[str, Any] | None = None,
    action_type: str = "button",
    view: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> SlackRequest:
    """A click/selection. In a message: give ``channel_id`` + ``message_ts``; in a modal: give ``view``
    (merged over a default modal view; its ``id`` goes in the container)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [_action(action_id, block_id, action_type, value)],
    }
    full_view: dict[str, Any] | None = None
    if view is not None:
        full_view = _view(
            view_id=view.get("id"),
            callback_id=str(view.get("callback_id", "")),
            private_metadata=str(view.get("private_metadata", "")),
            values=dict(view.get("state", {}).get("values", {})),
            team_id=team_id,
            title="Modal",
            blocks=view.get("blocks"),
        )
        full_view.update(view)
        payload["view"] = full_view
    if container is None:
        if full_view is not None:
            container = {"type": "view", "view_id": full_view["id"]}
        elif message_ts is not None or channel_id is not None:
            container = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
    if container is not None:
        payload["container"] = container
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
    if message is not None or message_ts is not None:
        payload["message"] = message or {
            "type": "message",
            "user": "UBOT",
            "bot_id": "B0001",
            "ts": message_ts,
            "text": "",
        }
    if response_url is not None or (full_view is None and channel_id is not None):
        payload["response_url"] = response_url or new_response_url("actions")
    payload["state"] = {"values": full_view["state"]["values"] if full_view else {}}
    return _payload(payload)


def message_shortcut(
    *,
    user_id: str,
    callback_id: str,
    channel_id: str,
    message_ts: str,
    message_text: str,
    trigger_id: str | None = None,
    response_url: str | None = None,
    message_user: str = "U0AUTHOR",
    team_id: str = TEAM_ID,
) -> SlackRequest:
    return _payload(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": _action_ts(),
            "team": _team(team_id),
            "user": _user(user_id, team_id),
            "channel": {"id": channel_id, "name": _channel_name(channel_id)},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or new_trigger_id(),
            "response_url": response_url or new_response_url("actions"),
            "message_ts": message_ts,
            "message": {"type": "message", "user": message_user, "ts": message_ts, "text": message_text},
        }
    )


def event_callback(
    event: dict[str, Any],
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
) -> SlackRequest:
    """Events API envelope. Slack sends these as ``application/json`` (not form-encoded)."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{_n():010d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return SlackRequest(json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON)


# ---------------------------------------------------------------------- sender


class SlackSender:
    """POSTs signed requests to ``{base_url}{path}`` (default ``/slack/events``).

    Pass ``client`` to reuse an existing ``httpx.Client`` (e.g. Starlette's ``TestClient``); it is then
    not closed by :meth:`close`. ``response_url_base`` (e.g. ``fake.response_url_base``) is used for
    the response_url of commands, clicks and shortcuts unless one is given.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        response_url_base: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = base_url.rstrip("/") + path
        self.signing_secret = signing_secret
        self.response_url_base = response_url_base
        self._owns_client = client is None
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def post(
        self,
        body: bytes,
        content_type: str = FORM,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send ``body`` signed with the secret; ``timestamp``/``signature`` override to forge requests."""
        sent = sign(body, self.signing_secret, timestamp)
        sent["Content-Type"] = content_type
        if signature is not None:
            sent["X-Slack-Signature"] = signature
        if headers:
            sent.update(headers)
        return self.client.post(self.url, content=body, headers=sent)

    def send(self, request: SlackRequest, **kwargs: Any) -> httpx.Response:
        return self.post(request.body, request.content_type, **kwargs)

    def _response_url(self, kind: str, given: str | None) -> str | None:
        if given is not None or self.response_url_base is None:
            return given
        return new_response_url(kind, self.response_url_base)

    def command(self, command: str, text: str = "", *, user_id: str, **kwargs: Any) -> httpx.Response:
        kwargs["response_url"] = self._response_url("commands", kwargs.get("response_url"))
        return self.send(slash_command(command, text, user_id=user_id, **kwargs))

    def submit_view(self, **kwargs: Any) -> httpx.Response:
        return self.send(view_submission(**kwargs))

    def click(self, **kwargs: Any) -> httpx.Response:
        if kwargs.get("view") is None and kwargs.get("channel_id") is not None:
            kwargs["response_url"] = self._response_url("actions", kwargs.get("response_url"))
        return self.send(block_actions(**kwargs))

    def shortcut(self, **kwargs: Any) -> httpx.Response:
        kwargs["response_url"] = self._response_url("actions", kwargs.get("response_url"))
        return self.send(message_shortcut(**kwargs))

    def event(self, event: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.send(event_callback(event, **kwargs))

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> SlackSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
