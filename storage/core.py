"""Shared tables: the case timeline, reference counters and the outbox, with their repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from bot.core.model import CaseEvent
from bot.core.outbox import OutboxMessage, OutboxStatus
from storage.metadata import (
    SqlRepository,
    UtcDateTime,
    enum_column,
    insert_for,
    insert_on_conflict,
    is_postgres,
    mapper_registry,
    metadata,
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_ref", String(32), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("actor_id", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("changes", JSON, nullable=False),
)

reference_counters = Table(
    "reference_counters", metadata,
    Column("prefix", String(8), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", Integer, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("recipient", String(32), nullable=False),
    Column("template", String(64), nullable=False),
    Column("context", JSON, nullable=False),
    Column("subject", String(32), index=True),
    Column("on_sent", String(32)),
    Column("status", enum_column(OutboxStatus, "outbox_status"), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime),
    Column("maybe_sent", Boolean, nullable=False),
    Column("first_attempt_at", UtcDateTime),
    Column("sent_channel", String(32)),
    Column("sent_ts", String(32)),
    Column("sent_at", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("reply_to", String(200)),
    Column("update_of", String(200)),
    Column("on_failed", String(32)),
    Column("generation", Integer, nullable=False, server_default="0"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_reply_to", "reply_to"),
    Index("ix_outbox_recipient", "recipient", "status"),
)

OUTBOX_COLUMNS = tuple(c.name for c in outbox.columns if c.name != "id")

# After a 429 for a conversation, no copy of the bot calls it before `until` (checked at claim time).
conversation_holds = Table(
    "conversation_holds", metadata,
    Column("channel", String(32), primary_key=True),
    Column("until", UtcDateTime, nullable=False),
)

# A conversation Slack refuses for a cause: one row per problem, so it is told once, and ends when a
# message gets through. `next_probe_at`: when one refused message is tried again to see if it was fixed.
delivery_problems = Table(
    "delivery_problems", metadata,
    Column("conversation", String(32), primary_key=True),
    Column("error", String(64), primary_key=True),
    Column("since", UtcDateTime, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("next_probe_at", UtcDateTime, nullable=False),
)

_CLAIM_LOCK = 7_311_935  # PostgreSQL: copies claim one at a time, so each sees the others' leases


class SqlEvents(SqlRepository):
    @classmethod
    def map_tables(cls) -> None:
        mapper_registry.map_imperatively(CaseEvent, case_events)

    def append(self, event: CaseEvent) -> None:
        self._s.add(event)

    def for_case(self, case_ref: str) -> Sequence[CaseEvent]:
        return self._s.scalars(
            select(CaseEvent).where(case_events.c.case_ref == case_ref).order_by(case_events.c.id)
        ).all()


class SqlReferences(SqlRepository):
    def next(self, prefix: str, year: int) -> int:
        # One atomic upsert: the row lock it takes is held until commit, so concurrent reporters queue
        # here and each gets the next number; a rollback releases the number with the lock.
        stmt = insert_on_conflict(reference_counters, ("prefix", "year", "last_value"),
                                  "(prefix, year) DO UPDATE SET last_value = reference_counters.last_value + 1",
                                  returning="last_value")
        return int(self._s.execute(stmt, {"prefix": prefix, "year": year, "last_value": 1}).scalar_one())


class SqlOutbox(SqlRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.added = 0

    @classmethod
    def map_tables(cls) -> None:
        mapper_registry.map_imperatively(OutboxMessage, outbox)

    def add(self, message: OutboxMessage) -> None:
        # One statement, so two transactions queueing the same key at once cannot collide.
        values = {name: getattr(message, name) for name in OUTBOX_COLUMNS}
        self._s.execute(insert_on_conflict(outbox, OUTBOX_COLUMNS), values)
        self.added += 1

    def add_for_each(self, message: OutboxMessage, recipients: Sequence[str]) -> None:
        """One copy of `message` per recipient (a reminder to 5,000 people), keyed `<key>:<recipient>`, its
        context's `recipient` theirs: one insert-or-skip statement executed for all the rows (an executemany),
        compiled once, not a statement built, compiled and sent, and a mapped object made, for each person."""
        base = {name: getattr(message, name) for name in OUTBOX_COLUMNS}
        rows = [base | {"key": f"{message.key}:{recipient}", "recipient": recipient,
                        "context": {**message.context, "recipient": recipient}} for recipient in recipients]
        if rows:
            self._s.execute(insert_on_conflict(outbox, OUTBOX_COLUMNS), rows)
        self.added += len(rows)

    def put_latest(self, message: OutboxMessage, *, known: Mapping[str, OutboxMessage] | None = None) -> None:
        """Queue an in-place update; a queued or sent one with the same key takes the newer content."""
        existing = known.get(message.key) if known is not None else self.by_key(message.key)
        if existing is None:
            self._s.add(message)
        else:
            existing.template, existing.context = message.template, message.context
            existing.status, existing.attempts, existing.maybe_sent = OutboxStatus.PENDING, 0, False
            existing.next_attempt_at, existing.last_error = message.created_at, None
            existing.generation += 1
        self.added += 1

    def by_key(self, key: str) -> OutboxMessage | None:
        return self._s.scalars(select(OutboxMessage).where(outbox.c.key == key)).one_or_none()

    def by_keys(self, keys: Sequence[str]) -> dict[str, OutboxMessage]:
        if not keys:
            return {}
        return {m.key: m for m in self._s.scalars(select(OutboxMessage).where(outbox.c.key.in_(keys)))}

    def about(self, subject: str) -> list[OutboxMessage]:
        return list(self._s.scalars(select(OutboxMessage).where(outbox.c.subject == subject).order_by(outbox.c.id)))

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage | None:
        if not lock:
            return self._s.get(OutboxMessage, message_id)
        # Recording a delivery waits for a step that is replacing the content, and then sees it.
        query = select(OutboxMessage).where(outbox.c.id == message_id).with_for_update()
        return self._s.scalars(query.execution_options(populate_existing=True)).one_or_none()

    @staticmethod
    def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
        """Pending, its time come, no live lease: what `any_due` probes and `claim` starts from."""
        return (outbox.c.status == OutboxStatus.PENDING, outbox.c.next_attempt_at <= now,
                or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now))

    def any_due(self, *, now: datetime) -> bool:
        """One indexed probe (`ix_outbox_due`); the claim's conditions on other rows are left to the claim."""
        return self._s.execute(select(outbox.c.id).where(*self._due(now)).limit(1)).first() is not None

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]:
        """Lease due messages, at most one per conversation and none to a conversation that is busy.

        Not claimed: a message to a conversation under a 429 hold, or with a message in flight (leased
        by any copy), so no two calls to one conversation overlap and a hold is seen before the next
        call; a reply while an earlier reply to the same post, or the post itself, is still pending, so
        a thread's lines arrive in the order they were queued, also after retries.
        """
        if is_postgres(self._s):
            self._s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CLAIM_LOCK})
        in_flight, earlier, parent = outbox.alias("in_flight"), outbox.alias("earlier"), outbox.alias("parent")
        query = (
            select(OutboxMessage)
            .where(
                *self._due(now),
                ~exists().where(conversation_holds.c.channel == outbox.c.recipient, conversation_holds.c.until > now),
                ~exists().where(in_flight.c.recipient == outbox.c.recipient, in_flight.c.id != outbox.c.id,
                                in_flight.c.status == OutboxStatus.PENDING, in_flight.c.lease_until >= now),
                ~exists().where(earlier.c.reply_to == outbox.c.reply_to, earlier.c.id < outbox.c.id,
                                earlier.c.status == OutboxStatus.PENDING),
                ~exists().where(or_(parent.c.key == outbox.c.reply_to, parent.c.key == outbox.c.update_of),
                                parent.c.status == OutboxStatus.PENDING),
            )
            .order_by(outbox.c.id)
            .limit(limit * 4)
        )
        if is_postgres(self._s):
            query = query.with_for_update(skip_locked=True, of=outbox)
        claimed: list[OutboxMessage] = []
        recipients: set[str] = set()
        for message in self._s.scalars(query):
            if message.recipient in recipients or len(claimed) >= limit:
                continue
            recipients.add(message.recipient)
            claimed.append(message)
            if message.lease_until is not None:
                # The last lease ran out without a result: that process died mid-call, so the
                # message may have been delivered.
                message.maybe_sent = True
            message.lease_until = now + timedelta(seconds=lease_seconds)
            message.attempts += 1
            message.first_attempt_at = message.first_attempt_at or now
        self._s.flush()
        return claimed

    # ------------------------------------------------------------------ 429 holds

    def hold(self, channel: str, until: datetime) -> None:
        """No call to `channel` before `until` (a later hold already there is kept)."""
        stmt = insert_for(self._s)(conversation_holds).values(channel=channel, until=until)
        stmt = stmt.on_conflict_do_update(index_elements=["channel"], set_={"until": case(
            (conversation_holds.c.until > stmt.excluded.until, conversation_holds.c.until),
            else_=stmt.excluded.until)})
        self._s.execute(stmt)

    def held_until(self, channel: str, now: datetime) -> datetime | None:
        return self._s.scalar(select(conversation_holds.c.until).where(
            conversation_holds.c.channel == channel, conversation_holds.c.until > now))

    # ------------------------------------------------------------------ refused conversations

    def record_problem(self, conversation: str, error: str, *, now: datetime, probe_at: datetime) -> tuple[
            datetime, bool]:
        """(when this problem began, whether this refusal began it): only the first one is told."""
        stmt = insert_for(self._s)(delivery_problems).values(
            conversation=conversation, error=error[:64], since=now, failures=1, next_probe_at=probe_at)
        stmt = stmt.on_conflict_do_update(index_elements=["conversation", "error"],
                                          set_={"failures": delivery_problems.c.failures + 1})
        since, failures = self._s.execute(stmt.returning(delivery_problems.c.since,
                                                         delivery_problems.c.failures)).one()
        return since, failures == 1

    def end_problems(self, conversations: set[str]) -> list[str]:
        """A message got through: the problems of these conversations are over. Returns their errors."""
        if not self._s.scalar(select(exists().where(delivery_problems.c.conversation.in_(conversations)))):
            return []  # the usual case: one cheap read, no write
        return list(self._s.scalars(delete(delivery_problems).where(
            delivery_problems.c.conversation.in_(conversations)).returning(delivery_problems.c.error)))

    def revive(self, conversations: set[str], errors: set[str], *, now: datetime, waiting: tuple[str, ...],
               sent_key: str) -> int:
        """Queue again what was refused for `errors` in these conversations, and what waited for it (or for
        `sent_key`, the message that just got through)."""
        revived = 0
        condition = or_(
            and_(or_(outbox.c.recipient.in_(conversations), outbox.c.sent_channel.in_(conversations)),
                 outbox.c.last_error.in_(errors)),
            and_(or_(outbox.c.reply_to == sent_key, outbox.c.update_of == sent_key), outbox.c.last_error.in_(waiting)))
        for _depth in range(4):
            found = list(self._s.scalars(select(OutboxMessage).where(
                outbox.c.status == OutboxStatus.FAILED, condition).order_by(outbox.c.id)))
            if not found:
                break
            for message in found:
                message.status, message.attempts, message.maybe_sent = OutboxStatus.PENDING, 0, False
                message.first_attempt_at, message.next_attempt_at = None, now
                message.lease_until, message.last_error = None, None
            revived += len(found)
            keys = [m.key for m in found]
            condition = and_(or_(outbox.c.reply_to.in_(keys), outbox.c.update_of.in_(keys)),
                             outbox.c.last_error.in_(waiting))
        self._s.flush()
        return revived

    def probe(self, *, now: datetime, every: timedelta, errors: set[str]) -> int:
        """Every `every`, queue again the oldest message a fixable problem refused, to see if it was fixed."""
        query = select(delivery_problems).where(delivery_problems.c.next_probe_at <= now,
                                                delivery_problems.c.error.in_(errors))
        if is_postgres(self._s):
            query = query.with_for_update(skip_locked=True)
        probed = 0
        for row in self._s.execute(query).all():
            self._s.execute(update(delivery_problems).where(
                delivery_problems.c.conversation == row.conversation, delivery_problems.c.error == row.error,
            ).values(next_probe_at=now + every))
            oldest = self._s.scalar(select(func.min(outbox.c.id)).where(
                outbox.c.status == OutboxStatus.FAILED, outbox.c.recipient == row.conversation,
                outbox.c.last_error == row.error))
            if oldest is not None:
                self._s.execute(update(outbox).where(outbox.c.id == oldest).values(
                    status=OutboxStatus.PENDING, attempts=0, first_attempt_at=None, next_attempt_at=now,
                    lease_until=None, maybe_sent=False))
                probed += 1
        return probed
