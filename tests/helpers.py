"""Small helpers shared by the behaviour tests."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select

from storage.core import outbox
from storage.hazards import hazards
from tests.conftest import RunningBot
from tests.slack_payloads import checkboxes, file_input, plain_text, static_select


def report_values(*, category: str | None = "fire", location: str = "3F east fire exit",
                  description: str = "Boxes block the fire exit", department: str | None = "cs1",
                  anonymous: bool = False, photos: list[Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "hz_category": {"category": static_select(category)},
        "hz_location": {"location": plain_text(location)},
        "hz_description": {"description": plain_text(description)},
        "hz_department": {"department": static_select(department)},
        "hz_anonymous": {"anonymous": checkboxes(["anonymous"] if anonymous else [])},
    }
    if photos is not None:
        values["hz_photo"] = {"photo": file_input(photos)}
    return values


def open_modal(bot: RunningBot, user: str, text: str = "") -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/hazard", text, user_id=user).status_code == 200
    return bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]


def submit(bot: RunningBot, user: str, view: dict[str, Any], **values: Any) -> dict[str, Any]:
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"],
                                   values=report_values(**values), private_metadata=view["private_metadata"])
    assert answer.status_code == 200, answer.text
    return answer.json() if answer.content else {}


def report(bot: RunningBot, user: str = "U0EMP1", **values: Any) -> str:
    """Open the modal, submit it, and return the reference the modal then shows."""
    answer = submit(bot, user, open_modal(bot, user), **values)
    assert answer.get("response_action") == "update", answer
    return reference_in(str(answer["view"]))


def reference_in(text: str) -> str:
    for word in re.split(r"[\s*'\"]", text):  # mrkdwn, or the text of a rich_text element
        if word.startswith(("HZ-", "INC-")):
            return word.strip("。.,")
    raise AssertionError(f"no reference in {text!r}")


def eventually(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def count_rows(bot: RunningBot, table: Any = hazards) -> int:
    with bot.runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def outbox_rows(bot: RunningBot) -> list[dict[str, Any]]:
    with bot.runtime.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def all_delivered(bot: RunningBot, expected: int) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        rows = outbox_rows(bot)
        return rows if len(rows) == expected and all(r["status"] == "sent" for r in rows) else None

    return eventually(done, what=f"{expected} outbox messages sent")


def press(bot: RunningBot, user: str, action_id: str, value: str, *, channel: str = "C0SAFETY") -> dict[str, Any]:
    """Press a button. Returns {'view': …} when a modal opened, {'reply': …} for an ephemeral answer."""
    opened, replied = len(bot.fake.calls_to("views.open")), len(bot.fake.calls_to("response_url"))
    answer = bot.slack.click(user_id=user, action_id=action_id, value=value, channel_id=channel,
                             message_ts="1700000000.000100")
    assert answer.status_code == 200

    def outcome() -> dict[str, Any] | None:
        views, replies = bot.fake.calls_to("views.open"), bot.fake.calls_to("response_url")
        if len(views) > opened:
            return {"view": views[-1].params["view"]}
        if len(replies) > replied:
            return {"reply": replies[-1].params}
        return None

    return eventually(outcome, what=f"an answer to {user} pressing {action_id}")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a Block Kit tree, outermost first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def mrkdwn_texts(blocks: Any) -> list[str]:
    """Every mrkdwn text in the blocks: where typed text must never be (Slack would format it)."""
    return [node["text"] for node in walk(blocks) if node.get("type") == "mrkdwn"]


def rich_elements(blocks: Any) -> list[dict[str, Any]]:
    """The elements (text, link, user, ...) of every rich_text block."""
    return [node for block in walk(blocks) if block.get("type") == "rich_text"
            for node in walk(block.get("elements")) if "type" in node and node["type"] not in (
                "rich_text_section", "rich_text_list", "rich_text_quote", "rich_text_preformatted")]


def typed_as_typed(blocks: Any) -> list[str]:
    """The unstyled plain text elements of rich_text blocks: a person's text, exactly as they typed it."""
    return [e["text"] for e in rich_elements(blocks) if e.get("type") == "text" and "style" not in e]
