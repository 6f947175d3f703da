"""Where the outbox sends a message: it follows the message it replies to or replaces (by outbox key),
and the template's registry entry says which Web API method sends it. No feature's table is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from bot.core.outbox import OutboxMessage, OutboxSender, OutboxStatus
from bot.core.ports import SlackRefused
from handlers.core.render import BlockKitRenderer, Template
from storage.db import make_engine, session_factory
from storage.migrate import alembic_config
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Transport:
    """Records every call; answers posts with a new ts, and refuses the calls it is told to."""

    refuse: dict[str, str] = field(default_factory=dict)  # channel -> Slack's error
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((method, payload))
        channel = payload.get("channel")
        if isinstance(channel, str) and channel in self.refuse:
            raise SlackRefused(self.refuse[channel])
        return {"ok": True, "channel": channel or "C0NEW", "ts": f"1700000000.{len(self.calls):06d}"}

    def find_done(self, method: str, payload: dict[str, Any], *, since: float) -> None:
        return None

    def find_posted(self, *, channel: str, marker: str, since: float, thread_ts: str | None) -> None:
        return None


class Locales:
    def locale_for(self, recipient: str) -> str:
        return "en"

    def warm(self) -> int:
        return 0


def text_of(context: dict[str, Any], locale: str) -> dict[str, Any]:
    return {"text": context["text"]}


TEMPLATES = [Template("test.post", text_of),
             Template("test.pin", lambda context, locale: {"channel": context["channel"], "timestamp": "1.0"},
                      call="pins.add")]


class Ticking:
    """A clock that moves a minute each time it is read, so a message put off for a moment is due again."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def sender(engine: Engine, transport: Transport) -> OutboxSender:
    sessions = session_factory(engine)
    return OutboxSender(uow_factory=lambda: SqlUnitOfWork(sessions), transport=transport,
                        renderer=BlockKitRenderer(TEMPLATES), locales=Locales(), clock=Ticking(), workers=1,
                        probe_every=timedelta(days=30))  # the clock races: no probe of a refused channel here


def queue(outbox: OutboxSender, *messages: OutboxMessage) -> None:
    with outbox.uow_factory() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def message(key: str, recipient: str = "C0SAFETY", template: str = "test.post", **fields: Any) -> OutboxMessage:
    return OutboxMessage(key=key, recipient=recipient, template=template, context={"text": key, "channel": recipient},
                         created_at=NOW, **fields)


@dataclass(frozen=True)
class Row:
    status: OutboxStatus
    last_error: str | None
    sent_channel: str | None
    sent_ts: str | None


def deliver_all(outbox: OutboxSender) -> dict[str, Row]:
    """Run the sender until nothing is due (a reply waits for its parent's round), then read every row."""
    for _ in range(10):
        outbox.run_once()
    with outbox.uow_factory() as uow:
        keys = [row[0] for row in uow.session.execute(text("SELECT key FROM outbox"))]
        found = [m for key in keys if (m := uow.outbox.by_key(key)) is not None]
        return {m.key: Row(m.status, m.last_error, m.sent_channel, m.sent_ts) for m in found}


def test_a_reply_goes_in_the_thread_of_the_message_it_replies_to(engine: Engine) -> None:
    transport = Transport()
    outbox = sender(engine, transport)
    queue(outbox, message("HZ-1:line", reply_to="HZ-1:safety-post"), message("HZ-1:safety-post"))
    rows = deliver_all(outbox)
    assert rows["HZ-1:line"].status is OutboxStatus.SENT
    parent = rows["HZ-1:safety-post"]
    reply = next(payload for method, payload in transport.calls if payload.get("text") == "HZ-1:line")
    assert (reply["channel"], reply["thread_ts"]) == (parent.sent_channel, parent.sent_ts)


def test_a_reply_whose_parent_failed_for_good_is_not_posted_at_the_top_level(engine: Engine) -> None:
    transport = Transport(refuse={"C0SAFETY": "not_in_channel"})
    outbox = sender(engine, transport)
    queue(outbox, message("HZ-1:safety-post"),
          message("HZ-1:line", recipient="C0OTHER", reply_to="HZ-1:safety-post"))
    rows = deliver_all(outbox)
    assert rows["HZ-1:safety-post"].status is OutboxStatus.FAILED
    reply = rows["HZ-1:line"]
    assert (reply.status, reply.last_error) == (OutboxStatus.FAILED, "parent_failed")
    assert [payload["text"] for _, payload in transport.calls] == ["HZ-1:safety-post"]  # the reply never went out


def test_the_template_decides_the_web_api_method(engine: Engine) -> None:
    transport = Transport()
    outbox = sender(engine, transport)
    queue(outbox, message("pin", template="test.pin"), message("post"))
    deliver_all(outbox)
    assert sorted(method for method, _ in transport.calls) == ["chat.postMessage", "pins.add"]
    pin = next(payload for method, payload in transport.calls if method == "pins.add")
    assert pin == {"channel": "C0SAFETY", "timestamp": "1.0"}  # a call's arguments go as the template built them


def test_a_message_for_an_unknown_template_is_refused_not_posted(engine: Engine) -> None:
    transport = Transport()
    outbox = sender(engine, transport)
    queue(outbox, message("odd", template="no.such.template"))
    rows = deliver_all(outbox)
    assert transport.calls == []
    assert (rows["odd"].status, rows["odd"].last_error) == (OutboxStatus.FAILED,
                                                            "unknown_template: no.such.template")


def test_a_template_is_registered_once() -> None:
    with pytest.raises(ValueError, match=r"test\.post"):
        BlockKitRenderer([*TEMPLATES, Template("test.post", text_of)])


def test_the_migration_turns_case_threads_into_replies_to_the_case_post(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    try:
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0004")
            conn.execute(text(
                "INSERT INTO outbox (key, recipient, template, context, status, attempts, next_attempt_at, maybe_sent,"
                " created_at, thread_of, method, generation) VALUES"
                " (:key, 'C0SAFETY', :template, '{}', 'pending', 0, :now, false, :now, :thread_of, :method, 0)"),
                [{"key": "HZ-2026-0001:r2:line", "template": "hazard.step", "now": NOW, "thread_of": "HZ-2026-0001",
                  "method": "chat.postMessage"},
                 {"key": "IN-2026-0001:pin", "template": "incident.pin", "now": NOW, "thread_of": None,
                  "method": "pins.add"}])
            conn.commit()
            command.upgrade(config, "0005")
            conn.commit()
            rows = dict(conn.execute(text("SELECT key, reply_to FROM outbox ORDER BY key")).all())
            assert rows == {"HZ-2026-0001:r2:line": "HZ-2026-0001:safety-post", "IN-2026-0001:pin": None}
            columns = set(conn.execute(text("SELECT * FROM outbox")).keys())
            assert "method" not in columns and "thread_of" not in columns
            command.downgrade(config, "0004")
            conn.commit()
            back = {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT key, thread_of, method FROM outbox"))}
            assert back == {"HZ-2026-0001:r2:line": ("HZ-2026-0001", "chat.postMessage"),
                            "IN-2026-0001:pin": (None, "pins.add")}
    finally:
        engine.dispose()
