"""Issue 11's hazard flows by signed requests: what each person receives in Slack when a head decides from
their DM, when a rectification is sent back after its deadline, and what `/hazard open` answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.core.i18n import t
from bot.core.workdays import deadline_for
from bot.hazards.model import Severity
from storage.hazards import hazards
from tests.closed_loop import click, step, submit_step
from tests.conftest import RunningBot
from tests.helpers import eventually, outbox_rows, press, report, submit
from tests.helpers import open_modal as open_report


def settled(bot: RunningBot) -> None:
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def posts_to(bot: RunningBot, channel: str) -> list[dict[str, Any]]:
    """New messages posted to a DM or channel (updates do not notify anyone)."""
    return [c.params for c in bot.fake.calls_to_channel(channel, ("chat.postMessage",))]


def rectified(bot: RunningBot) -> str:
    ref = report(bot, "U0EMP2")
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1",
                deadline=(datetime.now(UTC) + timedelta(days=5)).date().isoformat()) == {}
    assert step(bot, "U0EMP1", "complete", ref, note="Cleared") == {}
    settled(bot)
    return ref


def test_the_head_approves_from_his_dm_and_every_copy_follows(bot: RunningBot) -> None:
    ref = rectified(bot)
    fake = bot.fake
    # The head was asked once, in his DM, with the buttons; the safety thread names him without a ping.
    asks = [p for p in posts_to(bot, "U0HEAD1") if "hz_step_approve" in buttons(p)]
    assert len(asks) == 1 and buttons(asks[0]) == ["hz_step_approve", "hz_step_send_back"]
    assert not [p for p in posts_to(bot, "C0SAFETY") if "<@U0HEAD1>" in str(p)]
    head_card = fake.messages("U0HEAD1")[0]
    assert buttons(head_card)[:2] == ["hz_step_approve", "hz_step_send_back"]

    assert step(bot, "U0HEAD1", "approve", ref)["text"] == t("step.approve.done", "en", reference=ref)
    settled(bot)
    dm = fake.messages("U0HEAD1")
    assert "hz_step_approve" not in str([buttons(m) for m in dm])  # the card and the ask both updated
    thread = [m for m in fake.messages("C0SAFETY") if m.get("thread_ts")]
    assert not [m for m in thread[:-1] if buttons(m)]  # the prompt in the thread shows who decided
    approval = thread[-1]
    assert "<@U0SAFE1>" in str(approval) and "<@U0SAFE2>" in str(approval)  # the officers are called
    assert buttons(approval) == ["hz_step_verify", "hz_step_return"]
    top = next(m for m in fake.messages("C0SAFETY") if not m.get("thread_ts"))
    assert buttons(top) == ["hz_step_verify", "hz_step_return"]
    assert len([p for p in posts_to(bot, "U0HEAD1") if "hz_step_approve" in buttons(p)]) == 1


def test_a_rectification_sent_back_after_its_deadline_gets_a_new_one(bot: RunningBot) -> None:
    ref = rectified(bot)
    past = datetime.now(UTC) - timedelta(days=2)
    with bot.runtime.engine.begin() as conn:
        conn.execute(update(hazards).where(hazards.c.reference == ref).values(deadline_at=past))
    view = click(bot, "U0HEAD1", "send_back", ref, channel="D0HEAD1")["view"]
    picker = next(b for b in view["blocks"] if b.get("block_id") == "st_deadline")
    services = bot.runtime.services
    offered = deadline_for(Severity.SERIOUS, start=datetime.now(UTC), org=services.org, calendar=services.calendar)
    day = offered.astimezone(services.org.tz).date().isoformat()
    assert picker["element"]["initial_date"] == day
    assert picker["label"]["text"] == t("field.new_deadline", "en")
    assert submit_step(bot, "U0HEAD1", view, reason="Boxes are back", deadline=day) == {}
    settled(bot)
    told = next(text for text in bot.fake.texts_for("U0EMP1") if "Boxes are back" in text)
    assert day in told and past.astimezone(services.org.tz).date().isoformat() not in told


def answer(bot: RunningBot, user: str, text: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.command("/hazard", text, user_id=user).status_code == 200
    return bot.fake.wait_for("response_url", count=before + 1)[-1].params


def test_hazard_open_is_for_officers_and_duplicates_are_pointed_out(bot: RunningBot) -> None:
    first = report(bot, "U0EMP2", location="Gate 2")
    view = open_report(bot, "U0EMP3")
    confirmation = submit(bot, "U0EMP3", view, location="gate 2", department="cs2")
    assert first in str(confirmation["view"]) and "U0EMP2" not in str(confirmation["view"])
    refused = answer(bot, "U0HEAD1", "open")
    assert refused["text"] == t("error.open_safety_only", "en")
    listed = answer(bot, "U0SAFE2", "open")
    assert first in str(listed["blocks"]) and listed["response_type"] == "ephemeral"
    assert "/hazard open" in answer(bot, "U0HEAD1", "help")["text"]
    turned = press(bot, "U0SAFE1", "hz_open_page_next", "2")["reply"]  # a page past the last shows the last
    assert first in str(turned["blocks"]) and turned["replace_original"] is True
