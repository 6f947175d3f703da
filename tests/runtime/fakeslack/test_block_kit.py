"""validate_block_kit accepts what Slack accepts and names what Slack would refuse."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.fakeslack import FakeSlack, validate_block_kit
from tests.runtime.fakeslack.conftest import SECTION


def test_validate_block_kit_accepts_valid(fake: FakeSlack, client: WebClient) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Inspection due"}},
        SECTION,
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Site*\nPlant 2"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "due 2024-05-01"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Done"},
                    "action_id": "d",
                    "value": "1",
                }
            ],
        },
    ]
    client.chat_postMessage(channel="C1", text="Inspection due", blocks=blocks)
    view = {
        "type": "modal",
        "callback_id": "report",
        "title": {"type": "plain_text", "text": "Report a hazard"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "what",
                "label": {"type": "plain_text", "text": "What happened?"},
                "element": {"type": "plain_text_input", "action_id": "v", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "photo",
                "optional": True,
                "label": {"type": "plain_text", "text": "Photos"},
                "element": {"type": "file_input", "action_id": "f", "filetypes": ["jpg", "png"]},
            },
        ],
    }
    client.views_open(trigger_id="t", view=view)
    validate_block_kit(fake)
    assert fake.texts_for("C1") == [
        "Inspection due\nInspection due\n*Hazard* reported\n*Site*\nPlant 2\ndue 2024-05-01\nDone"
    ]


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        (
            "chat_postMessage",
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
            "3000",
        ),
        ("chat_postMessage", {"blocks": [SECTION] * 51}, "max 50"),
        ("chat_postMessage", {"blocks": [{"type": "sektion", "text": "x"}]}, "unknown block type"),
        (
            "chat_postMessage",
            {"blocks": [{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}]},
            "skipped",
        ),
        (
            "chat_update",
            {
                "ts": "1.1",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x" * 76}}],
                    }
                ],
            },
            "75",
        ),
        (
            "views_open",
            {
                "view": {
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "x" * 25},
                    "blocks": [SECTION],
                }
            },
            "24",
        ),
        (
            "views_open",
            {
                "view": {
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "ok"},
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
                }
            },
            "3000",
        ),
    ],
)
def test_validate_block_kit_rejects_invalid(
    fake: FakeSlack, client: WebClient, method: str, kwargs: dict[str, Any], message: str
) -> None:
    args = dict(kwargs)
    if method.startswith("chat_"):
        args.update(channel="C1", text="fallback")
    else:
        args["trigger_id"] = "t"
    with contextlib.suppress(SlackApiError):  # e.g. chat.update of an unknown ts: still recorded
        getattr(client, method)(**args)
    with pytest.raises(AssertionError, match=message) as err:
        validate_block_kit(fake)
    assert "call #0" in str(err.value)
