"""A double click, two people at once, or a request sent again: the step is taken once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from bot.core.i18n import t
from tests.closed_loop import step
from tests.conftest import RunningBot
from tests.helpers import eventually, outbox_rows, report
from tests.slack_payloads import block_actions


def completed_case(bot: RunningBot) -> str:
    ref = report(bot, "U0EMP2")
    step(bot, "U0HEAD1", "assess", ref, severity="general")
    step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1",
         deadline=(datetime.now() + timedelta(days=3)).date().isoformat())
    step(bot, "U0EMP1", "complete", ref, note="Cleared")
    return ref


def actions(bot: RunningBot, ref: str) -> list[str]:
    with bot.runtime.services.uow() as uow:
        return [e.action for e in uow.events.for_case(ref)]


def test_many_simultaneous_approvals_take_the_step_once(bot: RunningBot) -> None:
    ref = completed_case(bot)
    queued_before = len(outbox_rows(bot))
    replies_before = len(bot.fake.calls_to("response_url"))
    clicks = [block_actions(user_id=user, action_id="hz_step_approve", value=ref, channel_id="C0SAFETY",
                            message_ts="1700000000.000100", response_url=f"{bot.fake.response_url_base}{i}")
              for i, user in enumerate(["U0HEAD1", "U0DEP1"] * 4)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda r: bot.slack.send(r).status_code, clicks))
    assert statuses == [200] * 8
    replies = bot.fake.wait_for("response_url", count=replies_before + 8)[replies_before:]
    texts = [r.params["text"] for r in replies]
    done = [x for x in texts if x in (t("step.approve.done", "en", reference=ref),
                                      t("step.approve.done", "zh-CN", reference=ref))]
    assert len(done) == 1, texts
    assert actions(bot, ref).count("approve") == 1
    approve_lines = [r for r in outbox_rows(bot)[queued_before:] if r["template"] == "hazard.step"
                     and r["context"].get("step") == "approve"]
    assert len(approve_lines) == 1


def test_the_same_click_delivered_twice_counts_once(bot: RunningBot) -> None:
    ref = completed_case(bot)
    click = block_actions(user_id="U0HEAD1", action_id="hz_step_approve", value=ref, channel_id="C0SAFETY",
                          message_ts="1700000000.000100", response_url=bot.fake.response_url_base + "again")
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.send(click).status_code == 200
    assert bot.slack.post(click.body, click.content_type, headers={"X-Slack-Retry-Num": "1",
                                                                    "X-Slack-Retry-Reason": "http_timeout"}
                          ).status_code == 200
    replies = bot.fake.wait_for("response_url", count=before + 1)[before:]
    assert [r.params["text"] for r in replies] == [t("step.approve.done", "en", reference=ref)]
    time.sleep(0.5)  # what a retry dispatched again would have answered by now
    # Slack's retry of a click it already delivered is acknowledged without running it: no second answer.
    assert len(bot.fake.calls_to("response_url")) == before + 1
    assert actions(bot, ref).count("approve") == 1
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)))
