"""Driving the closed loop as people do: click a step's button, fill its modal, read what came back."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot
from tests.helpers import press
from tests.slack_payloads import datepicker, file_input, plain_text, static_select, users_select

FIELD_ELEMENTS = {
    "severity": ("st_severity", static_select),
    "deadline": ("st_deadline", datepicker),
    "reason": ("st_reason", plain_text),
    "department": ("st_department", static_select),
    "measures": ("st_measures", plain_text),
    "assignee": ("st_assignee", users_select),
    "note": ("st_note", plain_text),
    "photos": ("st_photo", file_input),
}


def click(bot: RunningBot, user: str, step: str, reference: str, *, channel: str = "C0SAFETY") -> dict[str, Any]:
    """Press a step's button. Returns {'view': …} when a modal opened, {'reply': …} for an ephemeral answer."""
    return press(bot, user, f"hz_step_{step}", reference, channel=channel)


def submit_step(bot: RunningBot, user: str, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    values = {}
    for name, value in fields.items():
        block, element = FIELD_ELEMENTS[name]
        values[block] = {"value": element(value)}
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=values,
                                   private_metadata=view["private_metadata"])
    assert answer.status_code == 200, answer.text
    return answer.json() if answer.content else {}


def step(bot: RunningBot, user: str, name: str, reference: str, **fields: Any) -> dict[str, Any]:
    """Press the button and, where a modal opens, submit it; returns what the person got back."""
    got = click(bot, user, name, reference)
    if "view" in got:
        return submit_step(bot, user, got["view"], **fields)
    return got["reply"]
