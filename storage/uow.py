"""The unit of work and its repositories: one transaction per use case, SQL kept here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Self

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.core.errors import Conflict
from bot.core.model import CaseEvent
from bot.core.outbox import OutboxMessage, OutboxStatus
from bot.hazards.workflow import Hazard
from bot.incidents.usecases import Incident
from bot.plans import Occurrence, OccurrenceStatus, Plan
from bot.scheduling import JobState, ReminderJob
from storage.orm import occurrences, outbox, reference_counters, reminder_jobs


class SqlHazards:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, hazard: Hazard) -> None:
        self._s.add(hazard)

    def get(self, reference: str, *, lock: bool = False) -> Hazard | None:
        query = select(Hazard).where(Hazard.reference == reference)
        if lock:  # PostgreSQL: a second step on the same case waits here and then sees the first one's result
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).one_or_none()

    def find(self, *, reporter_id: str | None = None, assignee_id: str | None = None,
             department_keys: Sequence[str] | None = None, statuses: Iterable[str] | None = None,
             incident_ref: str | None = None, limit: int = 50) -> list[Hazard]:
        query = select(Hazard).order_by(Hazard.id).limit(limit)
        if incident_ref is not None:
            query = query.where(Hazard.incident_ref == incident_ref)
        if reporter_id is not None:
            query = query.where(Hazard.reporter_id == reporter_id)
        if assignee_id is not None:
            query = query.where(Hazard.assignee_id == assignee_id)
        if department_keys is not None:
            query = query.where(Hazard.department_key.in_(list(department_keys)))
        if statuses is not None:
            query = query.where(Hazard.status.in_(list(statuses)))
        return list(self._s.scalars(query))


class SqlEvents:
    def __init__(self, session: Session) -> None:
        self._s = session

    def append(self, event: CaseEvent) -> None:
        self._s.add(event)

    def for_case(self, case_ref: str) -> Sequence[CaseEvent]:
        return self._s.scalars(
            select(CaseEvent).where(CaseEvent.case_ref == case_ref).order_by(CaseEvent.id)
        ).all()


class SqlReferences:
    def __init__(self, session: Session) -> None:
        self._s = session

    def next(self, prefix: str, year: int) -> int:
        # One atomic upsert: the row lock it takes is held until commit, so concurrent reporters queue
        # here and each gets the next number; a rollback releases the number with the lock.
        dialect = self._s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(reference_counters).values(prefix=prefix, year=year, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["prefix", "year"],
            set_={"last_value": reference_counters.c.last_value + 1},
        ).returning(reference_counters.c.last_value)
        return int(self._s.execute(stmt).scalar_one())


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._s = session
        self.added = 0

    def add(self, message: OutboxMessage) -> None:
        # One statement, so two transactions queueing the same key at once cannot collide.
        values = {c.name: getattr(message, c.name) for c in outbox.columns if c.name != "id"}
        self._s.execute(_insert(self._s)(outbox).values(**values).on_conflict_do_nothing(index_elements=["key"]))
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
        return self._s.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one_or_none()

    def get(self, message_id: int, *, lock: bool = False) -> OutboxMessage | None:
        if not lock:
            return self._s.get(OutboxMessage, message_id)
        # Recording a delivery waits for a step that is replacing the content, and then sees it.
        query = select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        return self._s.scalars(query.execution_options(populate_existing=True)).one_or_none()

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if self._s.get_bind().dialect.name == "postgresql":
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


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class SqlPlans:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, plan: Plan) -> None:
        self._s.add(plan)
        self._s.flush()

    def get(self, key: str) -> Plan | None:
        return self._s.scalars(select(Plan).where(Plan.key == key)).one_or_none()

    def by_id(self, plan_id: int) -> Plan | None:
        return self._s.get(Plan, plan_id)

    def active(self) -> list[Plan]:
        return list(self._s.scalars(select(Plan).where(Plan.paused.is_(False), Plan.deleted_at.is_(None))
                                    .order_by(Plan.id)))

    def all(self) -> list[Plan]:
        return list(self._s.scalars(select(Plan).where(Plan.deleted_at.is_(None)).order_by(Plan.title)))


class SqlSchedule:
    """Occurrences and reminder jobs; inserts that meet an existing key change nothing (other copies)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add_occurrence(self, *, plan_id: int, due_at: datetime) -> int:
        stmt = _insert(self._s)(occurrences).values(
            plan_id=plan_id, due_at=due_at, status=OccurrenceStatus.OPEN.value, attendance=[], photos=[])
        self._s.execute(stmt.on_conflict_do_nothing(index_elements=["plan_id", "due_at"]))
        return int(self._s.scalar(select(occurrences.c.id).where(
            occurrences.c.plan_id == plan_id, occurrences.c.due_at == due_at)))

    def add_job(self, job: ReminderJob) -> None:
        stmt = _insert(self._s)(reminder_jobs).values(
            key=job.key, kind=job.kind, fire_at=job.fire_at, occurrence_id=job.occurrence_id,
            hazard_ref=job.hazard_ref, state=JobState.PENDING.value)
        self._s.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))

    def occurrence(self, occurrence_id: int | None) -> Occurrence | None:
        return self._s.get(Occurrence, occurrence_id) if occurrence_id is not None else None

    def occurrences_between(self, start: datetime, end: datetime) -> list[Occurrence]:
        return list(self._s.scalars(select(Occurrence).where(Occurrence.due_at > start, Occurrence.due_at <= end)
                                    .order_by(Occurrence.due_at)))

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[ReminderJob]:
        query = (select(ReminderJob)
                 .where(ReminderJob.state == JobState.PENDING, ReminderJob.fire_at <= now,
                        or_(ReminderJob.lease_until.is_(None), ReminderJob.lease_until < now))
                 .order_by(ReminderJob.fire_at, ReminderJob.id).limit(limit))
        if self._s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = list(self._s.scalars(query))
        for job in jobs:
            job.lease_until = now + timedelta(seconds=lease_seconds)
        self._s.flush()
        return jobs

    def later_due(self, job: ReminderJob, *, prefix: str, now: datetime) -> bool:
        """Is a later job of the same occurrence or deadline, of the same family, also due now?"""
        same = (ReminderJob.occurrence_id == job.occurrence_id if job.occurrence_id is not None
                else ReminderJob.key.startswith(job.key.rsplit(":", 2)[0] + ":"))
        return self._s.scalar(select(ReminderJob.id).where(
            same, ReminderJob.kind.startswith(prefix), ReminderJob.fire_at > job.fire_at,
            ReminderJob.fire_at <= now, ReminderJob.id != job.id).limit(1)) is not None

    def skip_until(self, plan: Plan, *, now: datetime) -> None:
        """Mark the plan's pending jobs that fell due before `now` as skipped (a pause just ended)."""
        mine = select(occurrences.c.id).where(occurrences.c.plan_id == plan.id)
        self._s.execute(reminder_jobs.update().where(
            reminder_jobs.c.occurrence_id.in_(mine), reminder_jobs.c.state == JobState.PENDING.value,
            reminder_jobs.c.fire_at <= now).values(state=JobState.SKIPPED.value, processed_at=now))

    def forget_future(self, plan: Plan, *, now: datetime) -> None:
        """Drop reminders not yet sent for occurrences still to come (the schedule changed)."""
        future = select(occurrences.c.id).where(occurrences.c.plan_id == plan.id, occurrences.c.due_at > now,
                                                occurrences.c.status == OccurrenceStatus.OPEN.value)
        self._s.execute(reminder_jobs.delete().where(reminder_jobs.c.occurrence_id.in_(future),
                                                     reminder_jobs.c.state == JobState.PENDING.value))
        self._s.execute(occurrences.delete().where(
            occurrences.c.id.in_(future),
            ~occurrences.c.id.in_(select(reminder_jobs.c.occurrence_id).where(
                reminder_jobs.c.occurrence_id.is_not(None)))))


class SqlIncidents:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, incident: Incident) -> None:
        self._s.add(incident)

    def get(self, reference: str, *, lock: bool = False) -> Incident | None:
        query = select(Incident).where(Incident.reference == reference)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).one_or_none()

    def by_channel(self, channel_id: str) -> Incident | None:
        return self._s.scalars(select(Incident).where(Incident.channel_id == channel_id)).first()

    def find(self, *, statuses: Iterable[str]) -> list[Incident]:
        return list(self._s.scalars(select(Incident).where(Incident.status.in_(list(statuses))).order_by(Incident.id)))


class SqlUnitOfWork:
    def __init__(
        self, sessions: sessionmaker[Session], after_commit: Callable[[], None] | None = None
    ) -> None:
        self._sessions = sessions
        self._after_commit = after_commit

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.hazards = SqlHazards(self.session)
        self.events = SqlEvents(self.session)
        self.references = SqlReferences(self.session)
        self.outbox = SqlOutbox(self.session)
        self.plans = SqlPlans(self.session)
        self.schedule = SqlSchedule(self.session)
        self.incidents = SqlIncidents(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.session.rollback()
        self.session.close()
        if isinstance(exc, StaleDataError):  # raised by an autoflush inside the block
            raise Conflict("error.case_changed") from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:  # another step changed the case between our read and our write
            self.session.rollback()
            raise Conflict("error.case_changed") from exc
        if self.outbox.added and self._after_commit is not None:
            self.outbox.added = 0
            self._after_commit()
