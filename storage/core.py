"""Shared tables: the case timeline, reference counters and the outbox, with their repositories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, or_, select
from sqlalchemy.orm import Session

from bot.core.model import CaseEvent
from bot.core.outbox import OutboxMessage, OutboxStatus
from storage.metadata import SqlRepository, UtcDateTime, enum_column, insert_for, is_postgres, mapper_registry, metadata

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
)


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
        stmt = insert_for(self._s)(reference_counters).values(prefix=prefix, year=year, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["prefix", "year"],
            set_={"last_value": reference_counters.c.last_value + 1},
        ).returning(reference_counters.c.last_value)
        return int(self._s.execute(stmt).scalar_one())


class SqlOutbox(SqlRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.added = 0

    @classmethod
    def map_tables(cls) -> None:
        mapper_registry.map_imperatively(OutboxMessage, outbox)

    def add(self, message: OutboxMessage) -> None:
        # One statement, so two transactions queueing the same key at once cannot collide.
        values = {c.name: getattr(message, c.name) for c in outbox.columns if c.name != "id"}
        self._s.execute(insert_for(self._s)(outbox).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        self.added += 1

    def put_latest(self, message: OutboxMessage) -> None:
        """Queue an in-place update; a queued or sent one with the same key takes the newer content."""
        existing = self.by_key(message.key)
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

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage | None:
        if not lock:
            return self._s.get(OutboxMessage, message_id)
        # Recording a delivery waits for a step that is replacing the content, and then sees it.
        query = select(OutboxMessage).where(outbox.c.id == message_id).with_for_update()
        return self._s.scalars(query.execution_options(populate_existing=True)).one_or_none()

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(
                outbox.c.status == OutboxStatus.PENDING,
                outbox.c.next_attempt_at <= now,
                or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if is_postgres(self._s):
            # Several copies of the bot: each leases a disjoint batch without waiting on the others.
            query = query.with_for_update(skip_locked=True)
        claimed = list(self._s.scalars(query))
        for message in claimed:
            if message.lease_until is not None:
                # The last lease ran out without a result: that process died mid-call, so the
                # message may have been delivered.
                message.maybe_sent = True
            message.lease_until = now + timedelta(seconds=lease_seconds)
            message.attempts += 1
            message.first_attempt_at = message.first_attempt_at or now
        self._s.flush()
        return claimed
