"""Slash commands, modal submissions, message shortcuts and Events API callbacks, shaped as Slack sends them.

Builders return a :class:`SlackRequest` ``(body, content_type)``; interactive payloads and slash commands
are ``application/x-www-form-urlencoded`` (interactive ones as ``payload=<json>``), Events API callbacks
are ``application/json`` (as Slack sends them).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from bot.runtime.slack_requests.common import (
    APP_ID,
    JSON,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    SlackRequest,
    action_ts,
    channel_name,
    form_request,
    new_response_url,
    new_trigger_id,
    next_number,
    payload_request,
    team_of,
    user_of,
)


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
    return form_request(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name(channel_id),
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


def modal_view(
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
    vid = view_id or f"V{next_number():010d}"
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
    return payload_request(
        {
            "type": "view_submission",
            "team": team_of(team_id),
            "user": user_of(user_id, team_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or new_trigger_id(),
            "view": modal_view(
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
    thread_ts: str | None = None,  # the message is a reply in this thread
) -> SlackRequest:
    message = {"type": "message", "user": message_user, "ts": message_ts, "text": message_text}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return payload_request(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": action_ts(),
            "team": team_of(team_id),
            "user": user_of(user_id, team_id),
            "channel": {"id": channel_id, "name": channel_name(channel_id)},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or new_trigger_id(),
            "response_url": response_url or new_response_url("actions"),
            "message_ts": message_ts,
            "message": message,
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
        "event_id": event_id or f"Ev{next_number():010d}",
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
