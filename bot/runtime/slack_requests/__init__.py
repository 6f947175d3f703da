"""Signed requests shaped the way Slack sends them to ``/slack/events``.

In the package (not only under tests/) because ``safetybot demo`` drives the real bot with them; the
tests import the same builders through ``tests/slack_payloads.py``.

    with SlackSender("http://127.0.0.1:3000", SECRET, response_url_base=fake.response_url_base) as slack:
        slack.command("/safety", "report", user_id="U1")
        slack.submit_view(user_id="U1", callback_id="report", values={"b": {"a": plain_text("x")}})
"""

from __future__ import annotations

from bot.runtime.slack_requests.actions import block_actions
from bot.runtime.slack_requests.builders import event_callback, message_shortcut, slash_command, view_submission
from bot.runtime.slack_requests.common import (
    DEFAULT_RESPONSE_URL_BASE,
    FORM,
    JSON,
    SlackRequest,
    new_response_url,
    new_trigger_id,
    sign,
)
from bot.runtime.slack_requests.sender import SlackSender
from bot.runtime.slack_requests.values import (
    checkboxes,
    datepicker,
    file_input,
    plain_text,
    static_select,
    users_select,
)

__all__ = [
    "DEFAULT_RESPONSE_URL_BASE",
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
    "new_response_url",
    "new_trigger_id",
    "plain_text",
    "sign",
    "slash_command",
    "static_select",
    "users_select",
    "view_submission",
]
