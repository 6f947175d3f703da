"""Separation of duties: whoever carried out a rectification neither approves nor verifies it; the card says who can."""

from __future__ import annotations

import json

from bot.core.i18n import t
from bot.runtime.fakeslack.text import block_texts
from tests.closed_loop import click, step
from tests.conftest import RunningBot
from tests.helpers import eventually, outbox_rows, report


def settled(bot: RunningBot) -> None:
    eventually(lambda: all(r["status"] in ("sent", "failed") for r in outbox_rows(bot)), what="outbox drained")


def status(bot: RunningBot, ref: str) -> str:
    with bot.runtime.services.uow() as uow:
        hazard = uow.hazards.get(ref)
        assert hazard is not None
        return hazard.status.value


def safety_card(bot: RunningBot, ref: str) -> str:
    post = next(m for m in bot.fake.messages("C0SAFETY") if not m.get("thread_ts") and ref in json.dumps(m))
    return "\n".join(text for block in post["blocks"] for text in block_texts(block))  # as people read it


def test_a_head_who_did_the_work_does_not_approve_it(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Move the boxes", assignee="U0HEAD1") == {}
    assert step(bot, "U0HEAD1", "complete", ref, note="Moved them") == {}
    settled(bot)

    # The card says who may approve: the deputy or a safety officer, not the head who did it.
    who = t("hazard.who_approves", "zh-CN", people="<@U0DEP1> <@U0SAFE1> <@U0SAFE2>")
    eventually(lambda: who in safety_card(bot, ref), what="the card naming who approves")
    # Those who may approve are told; the head is not asked to approve their own work.
    notice = t("notice.complete", "zh-CN", actor="<@U0HEAD1>", reference=ref)
    assert any(notice in text for text in bot.fake.texts_for("U0DEP1"))
    assert not any("notice.complete" in text or "approve it" in text for text in bot.fake.texts_for("U0HEAD1")
                   if "rectified" in text)

    refused = click(bot, "U0HEAD1", "approve", ref)["reply"]["text"]
    assert refused == t("error.own_work", "en", reference=ref)
    assert status(bot, ref) == "completed"
    assert step(bot, "U0SAFE1", "approve", ref)["text"] == t("step.approve.done", "zh-CN", reference=ref)
    assert status(bot, ref) == "approved"


def test_a_safety_officer_who_did_the_work_does_not_verify_it(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Replace the extinguisher", assignee="U0SAFE1") == {}
    assert step(bot, "U0SAFE1", "complete", ref, note="Replaced") == {}
    assert step(bot, "U0DEP1", "approve", ref)["text"] == t("step.approve.done", "zh-CN", reference=ref)
    settled(bot)
    who = t("hazard.who_verifies", "zh-CN", people="<@U0SAFE2>")
    eventually(lambda: who in safety_card(bot, ref), what="the card naming who verifies")

    refused = click(bot, "U0SAFE1", "verify", ref)["reply"]["text"]
    assert refused == t("error.own_work", "zh-CN", reference=ref)
    assert status(bot, ref) == "approved"
    step(bot, "U0SAFE2", "verify", ref)
    assert status(bot, ref) == "closed"
