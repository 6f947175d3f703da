"""The notification outbox: messages are written with the change that caused them, sent afterwards.

A use case adds `OutboxMessage`s in its own transaction; the `OutboxSender` leases committed ones,
renders each in its recipient's language and calls Slack *outside* any transaction. A message whose
answer was lost (timeout, 5xx, crash) is looked up by its metadata marker before it is sent again,
so a retry never posts twice.

The outbox knows no feature: a message names the earlier message it replaces (`update_of`) or whose
thread it replies in (`reply_to`), by outbox key, and the sender finds where that one went from what it
recorded when sending it. Which Web API method a message goes out with is its template's business
(the `Renderer` says so with the payload).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.core.clock import Clock, utcnow
from bot.core.delivery import NOTICE_TEMPLATE, WAITING, FailureNotices, record_failure, render_notice
from bot.core.ports import (
    POST,
    LocaleResolver,
    Rendered,
    Renderer,
    SlackRateLimited,
    SlackRefused,
    SlackTransport,
    SlackUnavailable,
    UnitOfWork,
    UnknownTemplate,
)
from bot.core.retry import FIXABLE, GAVE_UP, Kind, Pace, RetryPolicy, kind_of, may_have_acted

__all__ = ["METADATA_EVENT", "FailedHook", "OutboxMessage", "OutboxSender", "OutboxStatus", "Pace", "RetryPolicy",
           "SentHook", "Target"]

log = logging.getLogger(__name__)

METADATA_EVENT = "safetybot_outbox"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(eq=False)
class OutboxMessage:
    key: str  # unique: the same logical message is never queued twice
    recipient: str  # user id (a DM) or channel id
    template: str
    context: dict[str, Any]
    created_at: datetime
    subject: str | None = None  # the case the message is about
    on_sent: str | None = None  # name of a hook run with the posted (channel, ts)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    maybe_sent: bool = False  # an earlier attempt may have reached Slack
    first_attempt_at: datetime | None = None
    sent_channel: str | None = None
    sent_ts: str | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    on_failed: str | None = None  # name of a hook run when Slack refuses the message for good
    reply_to: str | None = None  # key of an earlier post: this one is a reply in its thread
    update_of: str | None = None  # key of an earlier message to replace in place (chat.update)
    generation: int = 0  # bumped when newer content replaces a queued update
    id: int | None = None

    def __post_init__(self) -> None:
        if self.next_attempt_at is None:
            self.next_attempt_at = self.created_at


# Run in the transaction that records a delivery, with (uow, message, Slack's answer). The unit of work is the
# app's, which holds every feature's repositories; each feature's hook names the part it needs (hence Any).
SentHook = Callable[[Any, "OutboxMessage", dict[str, Any]], None]
# Run in the transaction that records that Slack refused a message, with (uow, message, error).
FailedHook = Callable[[Any, "OutboxMessage", str], None]


@dataclass(frozen=True)
class Target:
    method: str  # chat.postMessage or chat.update
    channel: str
    ts: str | None = None  # the message to update
    thread_ts: str | None = None  # the thread to reply in


@dataclass
class OutboxSender:
    uow_factory: Callable[[], UnitOfWork]
    transport: SlackTransport
    renderer: Renderer
    locales: LocaleResolver
    clock: Clock = utcnow
    lease_seconds: float = 60.0
    batch: int = 20
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pace: Pace = field(default_factory=lambda: Pace(0))
    workers: int = 4  # calls in flight at once, so one slow answer does not hold up the rest
    sent_hooks: dict[str, SentHook] = field(default_factory=dict)
    failed_hooks: dict[str, FailedHook] = field(default_factory=dict)
    notices: FailureNotices = field(default_factory=FailureNotices)  # who is told of refused conversations
    probe_every: timedelta = timedelta(minutes=10)  # how often a refused conversation is tried again
    _wake: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _last_probe: datetime | None = field(default=None, init=False, repr=False)

    def wake(self) -> None:
        """Called after a commit that queued messages, so they go out without waiting for the poll."""
        self._wake.set()

    def run_once(self) -> int:
        """Deliver what is due now; returns how many messages were attempted."""
        self._probe()
        now = self.clock()
        with self.uow_factory().reading() as uow:  # idle most of the time: look before taking the write lock
            if not uow.outbox.any_due(now=now):
                return 0
        with self.uow_factory() as uow:
            claimed = uow.outbox.claim(now=now, lease_seconds=self.lease_seconds, limit=self.batch)
            uow.commit()
        if len(claimed) > 1 and self.workers > 1:
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="outbox") as pool:
                list(pool.map(self._deliver, claimed))
        else:
            for message in claimed:
                self._deliver(message)
        return len(claimed)

    def _probe(self) -> None:
        """Now and then, try one refused message per fixable problem again: was the bot invited since?"""
        now = self.clock()
        if self._last_probe is not None and now - self._last_probe < min(self.probe_every, timedelta(minutes=1)):
            return
        self._last_probe = now
        with self.uow_factory() as uow:
            if uow.outbox.probe(now=now, every=self.probe_every, errors=set(FIXABLE)):
                uow.commit()

    def run_forever(self, stop: threading.Event, poll_seconds: float = 0.25) -> None:
        while not stop.is_set():
            try:
                attempted = self.run_once()
            except Exception:
                log.exception("outbox: delivery round failed; retrying after the poll interval")
                attempted = 0
            if attempted == 0:
                self._wake.wait(poll_seconds)
                self._wake.clear()

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, args=(stop,), name="outbox-sender", daemon=True)
        thread.start()
        return thread

    def _target(self, message: OutboxMessage) -> Target | None:
        """Where a post goes; None while the message it refers to (a post, a thread) is not sent yet.

        Raises SlackRefused when that message was given up: an update has nothing to replace, and a
        reply is not posted at the top level instead (it would go outside its thread, out of context).
        """
        with self.uow_factory().reading() as uow:
            if message.update_of:
                original = uow.outbox.by_key(message.update_of)
                if original is None or original.status is OutboxStatus.FAILED:
                    raise SlackRefused("original_message_missing")
                if original.sent_ts is None:
                    return None
                return Target("chat.update", original.sent_channel or original.recipient, ts=original.sent_ts)
            if message.reply_to:
                parent = uow.outbox.by_key(message.reply_to)
                if parent is None:
                    raise SlackRefused("parent_missing")
                if parent.status is OutboxStatus.PENDING:
                    return None
                if parent.status is OutboxStatus.FAILED or parent.sent_ts is None:
                    raise SlackRefused("parent_failed")
                target = Target(POST, parent.sent_channel or message.recipient, thread_ts=parent.sent_ts)
                if target.channel != message.recipient and uow.outbox.held_until(target.channel, self.clock()):
                    return None  # its thread's conversation is under a 429 hold (claims check the recipient)
                return target
            return Target(POST, message.recipient)

    def _render(self, message: OutboxMessage) -> Rendered:
        locale = self.locales.locale_for(message.recipient)
        if message.template == NOTICE_TEMPLATE:  # the outbox's own words: no feature renders them
            return render_notice(message.context, locale)
        return self.renderer.render(message.template, message.context, locale)

    def _deliver(self, message: OutboxMessage) -> None:
        assert message.id is not None
        target: Target | None = None
        try:
            rendered = self._render(message)
            if rendered.method != POST:  # another Web API call: its arguments go as they are
                if message.update_of or message.reply_to:
                    raise SlackRefused(f"not_a_post: {message.template} is sent with {rendered.method}")
                done = None
                if message.maybe_sent and message.first_attempt_at:  # the last answer was lost: did it go through?
                    done = self.transport.find_done(rendered.method, rendered.payload,
                                                    since=message.first_attempt_at.timestamp())
                if done is None:
                    self.pace.wait()
                    done = self.transport.call(rendered.method, rendered.payload)
                self._mark_sent(message.id, done, generation=message.generation)
                return
            target = self._target(message)
            if target is None:
                self._reschedule(message, delay=0.5, error="waiting for the message it refers to", quiet=True)
                return
            found = None
            if target.method == POST and message.maybe_sent and message.first_attempt_at:
                found = self.transport.find_posted(
                    channel=target.channel, marker=message.key,
                    since=message.first_attempt_at.timestamp(), thread_ts=target.thread_ts,
                )
            if found is None:
                payload = {"channel": target.channel, **rendered.payload}
                if target.ts:
                    payload["ts"] = target.ts
                else:
                    payload["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": message.key}}
                    if target.thread_ts:
                        payload["thread_ts"] = target.thread_ts
                self.pace.wait()
                answer = self.transport.call(target.method, payload)
                found = (answer.get("channel", target.channel), answer.get("ts") or target.ts or "")
            answer = {"channel": found[0], "ts": found[1]}
        except UnknownTemplate as exc:  # nothing registered to render it: trying again will not help
            self._give_up(message.id, f"unknown_template: {exc}")
        except SlackRateLimited as exc:
            self._reschedule(message, delay=exc.retry_after, error=str(exc), hold=True, target=target)
        except SlackUnavailable as exc:
            self._reschedule(message, delay=None, error=str(exc), maybe_sent=True)
        except SlackRefused as exc:
            self._refused(message, exc.error, target)
        except Exception as exc:  # a rendering bug must not wedge the queue
            log.exception("outbox: message %s (%s) could not be prepared", message.id, message.template)
            self._reschedule(message, delay=None, error=repr(exc))
        else:
            self._mark_sent(message.id, answer, generation=message.generation)

    def _refused(self, message: OutboxMessage, error: str, target: Target | None) -> None:
        """Slack answered `ok: false`: try again, or give up, as the table in `bot.core.retry` says."""
        assert message.id is not None
        kind = kind_of(error)
        if kind is Kind.PERMANENT:
            self._give_up(message.id, error)
            return
        if kind is Kind.UNKNOWN:
            log.warning("outbox: Slack error %r is in neither table of bot/core/retry.py; retried for %s",
                        error, self.retry.window(kind))
        self._reschedule(message, delay=None, error=error, maybe_sent=may_have_acted(error), kind=kind,
                         hold=error == "ratelimited", target=target)

    def _mark_sent(self, message_id: int, answer: dict[str, Any], *, generation: int) -> None:
        with self.uow_factory() as uow:
            message = uow.outbox.get(message_id, lock=True)
            assert message is not None, message_id
            if message.generation != generation:  # newer content arrived meanwhile: send that too
                message.lease_until, message.next_attempt_at = None, self.clock()
                uow.commit()
                return
            channel = answer.get("channel")
            message.status, message.sent_channel = OutboxStatus.SENT, channel if isinstance(channel, str) else None
            message.sent_ts = answer.get("ts") if isinstance(answer.get("ts"), str) else None
            message.sent_at, message.lease_until, message.last_error = self.clock(), None, None
            if message.on_sent:
                self.sent_hooks[message.on_sent](uow, message, answer)
            conversations = {message.recipient} | ({message.sent_channel} if message.sent_channel else set())
            ended = set(uow.outbox.end_problems(conversations)) & FIXABLE
            if ended:  # the cause was fixed (the bot was invited...): what it refused goes out now, in order
                revived = uow.outbox.revive(conversations, ended, now=self.clock(), waiting=WAITING,
                                             sent_key=message.key)
                log.warning("outbox: %s accepts messages again; sending the %s it refused", message.recipient, revived)
            uow.commit()

    def _reschedule(self, message: OutboxMessage, *, delay: float | None, error: str, maybe_sent: bool = False,
                    quiet: bool = False, kind: Kind = Kind.TRANSIENT, hold: bool = False,
                    target: Target | None = None) -> None:
        assert message.id is not None
        now = self.clock()
        with self.uow_factory() as uow:
            row = uow.outbox.get(message.id, lock=True)
            assert row is not None, message.id
            row.lease_until, row.last_error = None, error[:500]
            row.maybe_sent = row.maybe_sent or maybe_sent
            started = row.first_attempt_at or now
            if not quiet and now - started >= self.retry.window(kind):
                uow.commit()
                self._give_up(message.id, GAVE_UP if kind is Kind.TRANSIENT else error)
                return
            if quiet:  # waiting for another message is not an attempt, and its clock has not started
                row.attempts -= 1
                if not row.maybe_sent:
                    row.first_attempt_at = None
            wait = delay if delay is not None else self.retry.delay(row.attempts)
            row.next_attempt_at = now + timedelta(seconds=wait)
            if hold:  # a 429 holds the whole conversation, for every sender thread and every copy of the bot
                for channel in {row.recipient, *((target.channel,) if target else ())}:
                    uow.outbox.hold(channel, row.next_attempt_at)
            uow.commit()
        (log.debug if quiet else log.warning)("outbox: message %s not delivered (%s); next try in %.1fs",
                                              message.id, error, wait)

    def _give_up(self, message_id: int, error: str) -> None:
        with self.uow_factory() as uow:
            message = uow.outbox.get(message_id, lock=True)
            assert message is not None, message_id
            message.status, message.lease_until, message.last_error = OutboxStatus.FAILED, None, error
            if message.on_failed:
                self.failed_hooks[message.on_failed](uow, message, error)
            record_failure(uow, message, error, notices=self.notices, now=self.clock(), probe_every=self.probe_every)
            uow.commit()
        log.error("outbox: Slack refused message %s: %s", message_id, error)
