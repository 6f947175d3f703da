"""Notifications survive Slack failing: saved first, delivered once Slack answers, never twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy import event

from bot.core.org import Org
from bot.core.outbox import METADATA_EVENT
from storage.core import outbox
from storage.hazards import hazards
from tests.conftest import RunningBot, start_bot
from tests.fakeslack import FakeSlack
from tests.helpers import all_delivered, count_rows, eventually, open_modal, outbox_rows, report, submit

RECIPIENTS = ["C0SAFETY", "U0DEP1", "U0EMP2", "U0HEAD1"]


def assert_each_recipient_got_exactly_one(fake: FakeSlack) -> None:
    stored = {r: len(fake.messages(r)) for r in RECIPIENTS}
    assert stored == dict.fromkeys(RECIPIENTS, 1)


def thread_of(bot: RunningBot, reference: str) -> tuple[str | None, str | None]:
    with bot.runtime.services.uow() as uow:
        hazard = uow.hazards.get(reference)
        assert hazard is not None
        return hazard.thread_channel, hazard.thread_ts


def test_server_errors_delay_messages_but_lose_none(bot: RunningBot) -> None:
    bot.fake.fail("chat.postMessage", status=500, times=3)
    answer = submit(bot, "U0EMP2", open_modal(bot, "U0EMP2"))
    assert "HZ-2026-0001" in str(answer["view"])  # the reporter is told at once, from our own answer
    assert count_rows(bot, hazards) == 1
    all_delivered(bot, expected=4)
    assert_each_recipient_got_exactly_one(bot.fake)


@pytest.mark.parametrize("processed", [True, False], ids=["slack-acted", "slack-did-not-act"])
def test_a_timed_out_post_is_looked_up_before_it_is_sent_again(bot: RunningBot, processed: bool) -> None:
    # The client gives up after 1 s; Slack answers after 2.5 s (having posted, or not).
    bot.fake.timeout("chat.postMessage", seconds=2.5, times=2, processed=processed)
    reference = report(bot, "U0EMP2")
    rows = all_delivered(bot, expected=4)
    assert_each_recipient_got_exactly_one(bot.fake)
    assert max(r["attempts"] for r in rows) >= 2
    assert thread_of(bot, reference) == ("C0SAFETY", bot.fake.messages("C0SAFETY")[0]["ts"])
    # Every post carries the marker the look-up relies on.
    for call in bot.fake.calls_to("chat.postMessage"):
        assert call.params["metadata"]["event_type"] == METADATA_EVENT


def test_rate_limits_are_honoured_with_retry_after(bot: RunningBot) -> None:
    bot.fake.rate_limit("chat.postMessage", retry_after=1, times=1)
    report(bot, "U0EMP2")
    all_delivered(bot, expected=4)
    calls = bot.fake.calls_to("chat.postMessage")
    limited = next(c for c in calls if c.status == 429)
    retried = [c for c in calls if c.params["channel"] == limited.params["channel"] and c.at > limited.at]
    assert retried and retried[0].at - limited.at >= 0.95
    assert_each_recipient_got_exactly_one(bot.fake)


def test_messages_queued_before_a_restart_are_sent_after_it(
    fake_slack: FakeSlack, database_url: str, org: Org
) -> None:
    first = start_bot(fake_slack, database_url, org, background=False)  # its sender never runs
    try:
        report(first, "U0EMP2")
        assert [r["status"] for r in outbox_rows(first)] == ["pending"] * 4
    finally:
        first.stop()
    assert fake_slack.calls_to("chat.postMessage") == []
    second = start_bot(fake_slack, database_url, org)
    try:
        all_delivered(second, expected=4)
        assert_each_recipient_got_exactly_one(fake_slack)
    finally:
        second.stop()


def test_a_sender_that_died_mid_call_does_not_cause_a_second_post(
    fake_slack: FakeSlack, database_url: str, org: Org
) -> None:
    first = start_bot(fake_slack, database_url, org, background=False)
    try:
        report(first, "U0EMP2")
        runtime = first.runtime
        # The first process leases everything, posts one message, and dies before recording it.
        with runtime.services.uow() as uow:
            claimed = uow.outbox.claim(now=datetime.now(UTC), lease_seconds=0.2, limit=10)
            uow.commit()
        victim = next(m for m in claimed if m.recipient == "U0HEAD1")
        payload = runtime.sender.renderer.render(victim.template, victim.context, "en").payload
        runtime.sender.transport.call("chat.postMessage", {
            "channel": victim.recipient, **payload,
            "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": victim.key}}})
    finally:
        first.stop()
    time.sleep(0.3)  # the lease runs out
    second = start_bot(fake_slack, database_url, org)
    try:
        rows = all_delivered(second, expected=4)
        assert_each_recipient_got_exactly_one(fake_slack)
        assert len(fake_slack.calls_to("chat.postMessage")) == 4
        head = next(r for r in rows if r["recipient"] == "U0HEAD1")
        assert head["sent_ts"] == fake_slack.messages("U0HEAD1")[0]["ts"]
    finally:
        second.stop()


def test_slack_is_never_called_inside_a_database_transaction(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_transactions: Counter[int] = Counter()
    violations: list[str] = []
    engine = bot.runtime.engine

    def began(_conn: Any) -> None:
        open_transactions[threading.get_ident()] += 1

    def ended(_conn: Any) -> None:
        open_transactions[threading.get_ident()] = 0

    for name, listener in (("begin", began), ("commit", ended), ("rollback", ended)):
        event.listen(engine, name, listener)

    def guard(original: Any) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            if open_transactions[threading.get_ident()]:
                violations.append(str(args[:1]))
            return original(self, *args, **kwargs)
        return call

    monkeypatch.setattr(WebClient, "api_call", guard(WebClient.api_call))
    monkeypatch.setattr(WebhookClient, "send_dict", guard(WebhookClient.send_dict))
    reference = report(bot, "U0EMP1", anonymous=True)
    all_delivered(bot, expected=4)
    bot.slack.click(user_id="U0SAFE1", action_id="hz_reveal_reporter", value=reference, channel_id="C0SAFETY")
    bot.fake.wait_for("response_url")
    for name, listener in (("begin", began), ("commit", ended), ("rollback", ended)):
        event.remove(engine, name, listener)
    assert violations == []
    assert len(bot.fake.calls) >= 6  # the guard saw the real traffic


def test_acks_stay_under_three_seconds_when_slack_is_slow(bot: RunningBot) -> None:
    for method in ("views.open", "users.info", "chat.postMessage", "chat.getPermalink"):
        bot.fake.delay(method, 3.5)
    started = time.monotonic()
    assert bot.slack.command("/hazard", "", user_id="U0EMP1").status_code == 200
    assert time.monotonic() - started < 1.0
    view = bot.fake.wait_for("views.open", timeout=10)[0].params["view"]
    started = time.monotonic()
    answer = submit(bot, "U0EMP1", view)
    assert time.monotonic() - started < 1.0
    assert answer["response_action"] == "update"
    for method in ("views.open", "users.info", "chat.postMessage", "chat.getPermalink"):
        bot.fake.delay(method, 0)
    eventually(lambda: count_rows(bot, outbox) == 4)


def test_a_post_whose_answer_broke_off_is_looked_up_not_sent_again(bot: RunningBot) -> None:
    """Slack posted it, then the line dropped halfway through the answer: it may have been sent, so the
    sender looks before it posts again, and every recipient gets it once."""
    bot.fake.cut("chat.postMessage", times=2)
    report(bot, "U0EMP2")
    rows = all_delivered(bot, expected=4)
    assert_each_recipient_got_exactly_one(bot.fake)
    assert max(r["attempts"] for r in rows) >= 2
