"""``block_actions``: a click or a selection, in a message or in a modal."""

from __future__ import annotations

from typing import Any

from bot.runtime.slack_requests.builders import modal_view
from bot.runtime.slack_requests.common import (
    APP_ID,
    TEAM_ID,
    VERIFICATION_TOKEN,
    SlackRequest,
    action_ts,
    channel_name,
    new_response_url,
    new_trigger_id,
    option,
    payload_request,
    team_of,
    user_of,
)


def _action(action_id: str, block_id: str, action_type: str, value: str | list[str] | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": action_ts(),
    }
    values = value if isinstance(value, list) else ([] if value is None else [value])
    single = values[0] if values else None
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
        if single is not None:
            action["value"] = single
    elif action_type in ("static_select", "external_select", "overflow", "radio_buttons"):
        action["selected_option"] = None if single is None else option(single)
    elif action_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        action["selected_options"] = [option(v) for v in values]
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
        "user": user_of(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": team_of(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [_action(action_id, block_id, action_type, value)],
    }
    full_view: dict[str, Any] | None = None
    if view is not None:
        full_view = modal_view(
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
        payload["channel"] = {"id": channel_id, "name": channel_name(channel_id)}
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
    return payload_request(payload)


def block_suggestion(*, user_id: str, action_id: str, value: str, block_id: str = "b",
                     view: dict[str, Any] | None = None, team_id: str = TEAM_ID) -> SlackRequest:
    """What Slack sends the options load URL while someone types in an external select of a modal."""
    full_view = modal_view(view_id=(view or {}).get("id"), callback_id=str((view or {}).get("callback_id", "")),
                           private_metadata=str((view or {}).get("private_metadata", "")), values={},
                           team_id=team_id, title="Modal", blocks=(view or {}).get("blocks"))
    return payload_request({
        "type": "block_suggestion", "user": user_of(user_id, team_id), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "team": team_of(team_id), "enterprise": None, "is_enterprise_install": False,
        "container": {"type": "view", "view_id": full_view["id"]}, "view": full_view,
        "action_id": action_id, "block_id": block_id, "value": value,
    })
