"""The sender against the fake Slack with its own clock: a day of retries, a thread's lines in order after
a failure, and a 429 that holds its conversation for every sender (two copies of the bot on one database)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine

from bot.core.outbox import OutboxMessage, OutboxSender, OutboxStatus
from handlers.core.render import BlockKitRenderer, Template
from handlers.core.slack_api import WebApiTransport, make_client
from storage.db import session_factory
from storage.uow import SqlUnitOfWork
from tests.fakeslack import FakeSlack
from tests.helpers import eventually

TEMPLATES = [Template("test.line", lambda context, locale: {"text": context["text"]})]


class Locales:
    def locale_for(self, recipient: str) -> str:
        return "en"

    def warm(self) -> int:
        return 0


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def sender(engine: Engine, fake: FakeSlack, **options: Any) -> OutboxSender:
    sessions = session_factory(engine)
    client = make_client(token="xoxb-test", base_url=fake.api_url, timeout=1.0)
    return OutboxSender(uow_factory=lambda: SqlUnitOfWork(sessions), transport=WebApiTransport(client),
                        renderer=BlockKitRenderer(TEMPLATES), locales=Locales(), **options)


def queue(outbox: OutboxSender, *messages: OutboxMessage) -> None:
    with outbox.uow_factory() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def line(key: str, recipient: str = "C0SAFETY", **fields: Any) -> OutboxMessage:
    return OutboxMessage(key=key, recipient=recipient, template="test.line", context={"text": key},
                         created_at=datetime.now(UTC) - timedelta(seconds=1), **fields)


def row(outbox: OutboxSender, key: str) -> SimpleNamespace:
    with outbox.uow_factory() as uow:
        found = uow.outbox.by_key(key)
        assert found is not None
        return SimpleNamespace(status=found.status, next_attempt_at=found.next_attempt_at,
                               first_attempt_at=found.first_attempt_at, last_error=found.last_error)


def test_an_outage_is_retried_for_a_day_from_the_first_try_with_backoff_capped_at_five_minutes(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    clock = Clock()
    outbox = sender(engine, fake_slack, clock=clock, workers=1)  # the default policy, as `serve` has it
    queue(outbox, line("early"))
    fake_slack.fail("chat.postMessage", status=503, times=10_000)  # Slack is down
    waits = []
    for _ in range(400):  # far beyond 50 tries
        clock.now = max(clock.now, row(outbox, "early").next_attempt_at or clock.now)
        outbox.run_once()
        found = row(outbox, "early")
        if found.status is not OutboxStatus.PENDING:
            break
        waits.append((found.next_attempt_at or clock.now) - clock.now)
        if clock.now - (found.first_attempt_at or clock.now) > timedelta(hours=20):
            break
    assert row(outbox, "early").status is OutboxStatus.PENDING  # 20 hours in, still trying
    assert len(waits) > 50 and max(waits) <= timedelta(minutes=5)
    assert sorted(waits)[-20:][0] >= timedelta(minutes=4)  # ...and not hammering Slack meanwhile
    fake_slack.reset(keep_messages=True)  # Slack is back
    clock.now = max(clock.now, row(outbox, "early").next_attempt_at or clock.now)
    outbox.run_once()
    assert row(outbox, "early").status is OutboxStatus.SENT
    assert fake_slack.texts_for("C0SAFETY") == ["early"]

    queue(outbox, line("late"))
    fake_slack.fail("chat.postMessage", status=503, times=10_000)
    started = clock.now
    while row(outbox, "late").status is OutboxStatus.PENDING:
        assert clock.now - started <= timedelta(hours=24, minutes=6)
        clock.now = max(clock.now, row(outbox, "late").next_attempt_at or clock.now)
        outbox.run_once()
    late = row(outbox, "late")
    assert (late.status, late.last_error) == (OutboxStatus.FAILED, "gave_up")
    assert clock.now - started >= timedelta(hours=24)


def test_a_thread_s_lines_arrive_in_order_when_slack_fails_one_of_them(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    outbox = sender(engine, fake_slack, workers=4)
    outbox.retry.base_seconds = 0.2
    fake_slack.fail_channel("C0SAFETY", status=500, after=2)  # the post and line 1 go; line 2 fails once
    queue(outbox, line("case:post"), *(line(f"case:line{n}", reply_to="case:post") for n in range(1, 6)))
    eventually(lambda: outbox.run_once() is not None and row(outbox, "case:line5").status is OutboxStatus.SENT,
               what="every line sent")
    stored = fake_slack.messages("C0SAFETY")
    assert [m["text"] for m in stored] == ["case:post", *(f"case:line{n}" for n in range(1, 6))]
    assert {m["thread_ts"] for m in stored[1:]} == {stored[0]["ts"]}
    assert [c.status for c in fake_slack.calls_to_channel("C0SAFETY")].count(500) == 1


def test_after_a_429_no_copy_calls_that_conversation_before_retry_after(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    copies = [sender(engine, fake_slack, workers=4, batch=3) for _ in range(2)]  # e.g. two servers
    fake_slack.rate_limit_channel("C0SAFETY", retry_after=2)
    queue(copies[0], *(line(f"safety-{n}") for n in range(6)),
          *(line(f"other-{n}", recipient=f"C0OTHER{n}") for n in range(6)))
    stop = threading.Event()
    threads = [copy.start(stop) for copy in copies]
    try:
        eventually(lambda: len(fake_slack.delivered()) == 12, timeout=20, what="all 12 posts")
    finally:
        stop.set()
        for copy in copies:
            copy.wake()
        for thread in threads:
            thread.join(timeout=5)
    calls = fake_slack.calls_to_channel("C0SAFETY")
    limited = [c for c in calls if c.status == 429]
    assert len(limited) == 1
    after = [c.at - limited[0].at for c in calls if c.at > limited[0].at]
    assert len(after) == 6 and min(after) >= 2.0, after  # nobody called it within Retry-After
    others = [c.at - limited[0].at for n in range(6) for c in fake_slack.calls_to_channel(f"C0OTHER{n}")]
    assert any(0 < gap < 2.0 for gap in others)  # other conversations went on meanwhile
    assert sorted(m["text"] for m in fake_slack.messages("C0SAFETY")) == [f"safety-{n}" for n in range(6)]
