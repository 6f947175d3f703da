"""Slack's `ok: false` answers, sorted: transient ones only delay a message, permanent ones fail it at once
and the safety department is told once per cause and conversation, with the fix; once the fix is made the
refused messages go out after all, replies in their threads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.closed_loop import step
from tests.conftest import RunningBot
from tests.helpers import all_delivered, eventually, outbox_rows, report

RECIPIENTS = ["C0SAFETY", "U0DEP1", "U0EMP2", "U0HEAD1"]


def settled(bot: RunningBot) -> list[dict[str, object]]:
    def done() -> list[dict[str, object]] | None:
        rows = outbox_rows(bot)
        return rows if rows and all(r["status"] != "pending" for r in rows) else None

    return eventually(done, what="no outbox message pending")


@pytest.mark.parametrize("error", ["internal_error", "fatal_error", "service_unavailable", "request_timeout",
                                   "ratelimited"])
def test_a_transient_ok_false_answer_is_retried_like_a_server_error(bot: RunningBot, error: str) -> None:
    bot.fake.fail_channel("C0SAFETY", error=error, times=2)
    report(bot, "U0EMP2")
    rows = all_delivered(bot, expected=4)
    assert {r["recipient"]: len(bot.fake.messages(r["recipient"])) for r in rows} == dict.fromkeys(RECIPIENTS, 1)
    refused = [c for c in bot.fake.calls_to_channel("C0SAFETY") if c.error == error]
    assert len(refused) == 2  # Slack said it twice, and the case still reached the channel


def test_a_safety_channel_the_bot_is_not_in_is_told_once_to_each_officer_with_the_fix(bot: RunningBot) -> None:
    bot.fake.set_channel_error("C0SAFETY", "not_in_channel")
    for _ in range(3):
        report(bot, "U0EMP2")
    rows = settled(bot)
    posts = [r for r in rows if r["recipient"] == "C0SAFETY"]
    assert [(r["status"], r["last_error"]) for r in posts] == [("failed", "not_in_channel")] * 3
    assert len(bot.fake.calls_to_channel("C0SAFETY")) == 3  # each tried once: retrying would not help
    # The channel is the one that fails, so its officers hear it by DM, each in their own language, once.
    assert bot.fake.texts_for("U0SAFE2") == [
        ":warning: Safetybot is not in <#C0SAFETY>, so its messages there are not arriving. Fix: invite it with "
        "`/invite @safetybot` in <#C0SAFETY>; the missed messages are then sent."]
    zh = bot.fake.texts_for("U0SAFE1")
    assert len(zh) == 1 and "还不在 <#C0SAFETY> 频道里" in zh[0] and "/invite @safetybot" in zh[0]


def test_a_person_slack_refuses_is_told_to_the_safety_channel_once(bot: RunningBot) -> None:
    bot.fake.set_channel_error("U0HEAD1", "user_not_found")
    report(bot, "U0EMP2")
    report(bot, "U0EMP1")
    rows = settled(bot)
    assert [r["last_error"] for r in rows if r["recipient"] == "U0HEAD1"] == ["user_not_found"] * 2
    notices = [text for text in bot.fake.texts_for("C0SAFETY") if "<@U0HEAD1>" in text]
    assert notices == [":warning: Safetybot 无法给 <@U0HEAD1> 发消息：Slack 显示该账号已不存在或已停用。"
                       "处理方法：在 org.yml 里换成现在负责这项工作的人。"]  # the company's language
    assert bot.fake.texts_for("U0SAFE1") == bot.fake.texts_for("U0SAFE2") == []


def test_once_the_bot_is_invited_the_refused_cases_and_their_thread_lines_arrive_in_their_threads(
    bot: RunningBot,
) -> None:
    bot.runtime.sender.probe_every = timedelta(seconds=0.3)  # how soon a refused channel is tried again
    bot.fake.set_channel_error("C0SAFETY", "not_in_channel")
    first = report(bot, "U0EMP2")
    settled(bot)
    assert step(bot, "U0HEAD1", "assess", first, severity="serious") == {}  # a line for the case's thread
    rows = settled(bot)
    assert {r["last_error"] for r in rows if r["recipient"] == "C0SAFETY"} == {"not_in_channel", "parent_failed",
                                                                               "original_message_missing"}
    assert bot.fake.messages("C0SAFETY") == []  # above all, no line at the channel's top level
    bot.fake.set_channel_error("C0SAFETY", None)  # someone typed /invite @safetybot
    rows = eventually(lambda: (rs := outbox_rows(bot)) and all(r["status"] == "sent" for r in rs) and rs,
                      what="the refused messages sent after all")
    post = next(r for r in rows if r["key"] == f"{first}:safety-post")
    stored = bot.fake.messages("C0SAFETY")
    assert [m["ts"] for m in stored if m["thread_ts"] is None] == [post["sent_ts"]]
    lines = [m for m in stored if m["thread_ts"] is not None]
    assert lines and all(m["thread_ts"] == post["sent_ts"] for m in lines)
    assert first in bot.fake.texts_for("C0SAFETY")[0]
    assert len(bot.fake.texts_for("U0SAFE1")) == len(bot.fake.texts_for("U0SAFE2")) == 1  # told once
