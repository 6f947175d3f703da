"""Plans and their occurrences: tables, mapping, repository, and the occurrence rows the schedule uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Session

from bot.plans.model import Occurrence, OccurrenceStatus, Plan, PlanKind
from storage.metadata import SqlRepository, UtcDateTime, enum_column, insert_on_conflict, mapper_registry, metadata

plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("kind", enum_column(PlanKind, "plan_kind"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("owner_id", String(32), nullable=False),
    Column("audience", JSON, nullable=False),
    Column("rule", String(500), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("time_of_day", Time, nullable=False),
    Column("offsets", JSON, nullable=False),
    Column("move_off_holidays", Boolean, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("deleted_at", UtcDateTime),
    Column("materialized_until", UtcDateTime, index=True),
    Column("scheduled_since", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("translations", JSON),
)

occurrences = Table(
    "occurrences", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", enum_column(OccurrenceStatus, "occurrence_status"), nullable=False),
    Column("done_at", UtcDateTime),
    Column("done_by", String(32)),
    Column("notes", Text),
    Column("attendance", JSON, nullable=False),
    Column("photos", JSON, nullable=False),
    UniqueConstraint("plan_id", "due_at", name="uq_occurrences_plan_due"),
)


class SqlPlans(SqlRepository):
    @classmethod
    def map_tables(cls) -> None:
        mapper_registry.map_imperatively(Plan, plans)
        mapper_registry.map_imperatively(Occurrence, occurrences)

    def add(self, plan: Plan) -> None:
        self._s.add(plan)
        self._s.flush()

    def get(self, key: str) -> Plan | None:
        return self._s.scalars(select(Plan).where(plans.c.key == key)).one_or_none()

    def by_id(self, plan_id: int) -> Plan | None:
        return self._s.get(Plan, plan_id)

    def active(self) -> list[Plan]:
        return list(self._s.scalars(select(Plan).where(plans.c.paused.is_(False), plans.c.deleted_at.is_(None))
                                    .order_by(plans.c.id)))

    def to_materialize(self, *, before: datetime, limit: int) -> list[Plan]:
        """Active plans whose occurrences are written only up to a time before `before`, least far first."""
        return list(self._s.scalars(
            select(Plan).where(plans.c.paused.is_(False), plans.c.deleted_at.is_(None),
                               or_(plans.c.materialized_until.is_(None), plans.c.materialized_until < before))
            .order_by(plans.c.materialized_until.is_not(None), plans.c.materialized_until, plans.c.id).limit(limit)))

    def all(self) -> list[Plan]:
        return list(self._s.scalars(select(Plan).where(plans.c.deleted_at.is_(None)).order_by(plans.c.title)))


# What the schedule (storage.scheduling) needs of occurrences, so it does not reach into plans' model.

def add_occurrence(session: Session, *, plan_id: int, due_at: datetime) -> int:
    """The occurrence's id; inserting one that exists changes nothing (another copy of the bot did it)."""
    stmt = insert_on_conflict(occurrences, ("plan_id", "due_at", "status", "attendance", "photos"),
                              "(plan_id, due_at) DO NOTHING")
    session.execute(stmt, {"plan_id": plan_id, "due_at": due_at, "status": OccurrenceStatus.OPEN.value,
                           "attendance": [], "photos": []})
    return int(session.execute(select(occurrences.c.id).where(
        occurrences.c.plan_id == plan_id, occurrences.c.due_at == due_at)).scalar_one())


def get_occurrence(session: Session, occurrence_id: int | None) -> Occurrence | None:
    return session.get(Occurrence, occurrence_id) if occurrence_id is not None else None


def occurrences_of(plan_id: int | None) -> Any:
    """SELECT of the plan's occurrence ids."""
    return select(occurrences.c.id).where(occurrences.c.plan_id == plan_id)


def open_occurrences_after(plan_id: int | None, now: datetime) -> Any:
    """SELECT of the ids of the plan's occurrences still to come and not done."""
    return select(occurrences.c.id).where(occurrences.c.plan_id == plan_id, occurrences.c.due_at > now,
                                          occurrences.c.status == OccurrenceStatus.OPEN.value)
