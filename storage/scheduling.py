"""Reminder jobs: the table, its mapping, and the schedule repository (leases, idempotent inserts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, or_, select

from bot.plans import Occurrence
from bot.scheduling import JobState, ReminderJob
from storage import plans as plan_rows
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

reminder_jobs = Table(
    "reminder_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("fire_at", UtcDateTime, nullable=False),
    Column("occurrence_id", Integer, ForeignKey("occurrences.id")),
    Column("hazard_ref", String(32)),
    Column("state", enum_column(JobState, "job_state"), nullable=False),
    Column("lease_until", UtcDateTime),
    Column("processed_at", UtcDateTime),
    Column("error", Text),  # why it FAILED
    Column("chain", String(200)),  # JobKey.chain: what later_due and a deadline's change look jobs up by
    Index("ix_reminder_jobs_due", "state", "fire_at"),
    Index("ix_reminder_jobs_chain_fire", "chain", "fire_at"),
    Index("ix_reminder_jobs_hazard_state", "hazard_ref", "state"),
    Index("ix_reminder_jobs_occurrence", "occurrence_id"),
)


JOB_COLUMNS = ("key", "kind", "fire_at", "occurrence_id", "hazard_ref", "state", "chain")


def _row(job: ReminderJob) -> dict[str, Any]:
    return {"key": job.key, "kind": job.kind, "fire_at": job.fire_at, "occurrence_id": job.occurrence_id,
            "hazard_ref": job.hazard_ref, "state": JobState.PENDING.value, "chain": job.job_key.chain}


class _Plan(Protocol):
    id: int | None


class SqlSchedule(SqlRepository):
    """Occurrences and reminder jobs; inserts that meet an existing key change nothing (other copies)."""

    @classmethod
    def map_tables(cls) -> None:
        mapper_registry.map_imperatively(ReminderJob, reminder_jobs)

    def add_occurrence(self, *, plan_id: int, due_at: datetime) -> int:
        return plan_rows.add_occurrence(self._s, plan_id=plan_id, due_at=due_at)

    def occurrence(self, occurrence_id: int | None) -> Occurrence | None:
        return plan_rows.get_occurrence(self._s, occurrence_id)

    def add_job(self, job: ReminderJob) -> None:
        self.add_jobs([job])

    def add_jobs(self, jobs: Sequence[ReminderJob]) -> None:
        """Insert-or-skip by key, one statement executed for all the jobs (see `SqlOutbox.add_many`): row by row,
        each a statement built and compiled anew, made the tick's cost."""
        if jobs:
            self._s.execute(insert_on_conflict(reminder_jobs, JOB_COLUMNS), [_row(job) for job in jobs])

    def replace_chain(self, hazard_ref: str, jobs: Sequence[ReminderJob], *, now: datetime) -> None:
        """The case's deadline jobs are now `jobs`, all of one chain (none: no deadline runs any more).

        Pending jobs of the case's other chains are skipped (the deadline was met, moved or restarted); a job of
        this chain skipped earlier whose time is still to come is pending again (a deadline moved back to an
        earlier one). Two statements, whatever the number of cases."""
        chain = jobs[0].chain if jobs else None
        stale = reminder_jobs.update().where(reminder_jobs.c.hazard_ref == hazard_ref,
                                             reminder_jobs.c.state == JobState.PENDING.value)
        if chain is not None:
            stale = stale.where(reminder_jobs.c.chain != chain)
        self._s.execute(stale.values(state=JobState.SKIPPED.value, processed_at=now))
        if not jobs:
            return
        stmt = insert_for(self._s)(reminder_jobs).on_conflict_do_update(
            index_elements=["key"], set_={"state": JobState.PENDING.value, "processed_at": None},
            where=(reminder_jobs.c.state == JobState.SKIPPED.value) & (reminder_jobs.c.fire_at > now))
        self._s.execute(stmt, [_row(job) for job in jobs])

    def add_failed(self, job: ReminderJob, *, error: str, now: datetime) -> None:
        stmt = insert_for(self._s)(reminder_jobs).values(
            {**_row(job), "state": JobState.FAILED.value, "processed_at": now, "error": error})
        self._s.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[ReminderJob]:
        query = (select(ReminderJob)
                 .where(reminder_jobs.c.state == JobState.PENDING, reminder_jobs.c.fire_at <= now,
                        or_(reminder_jobs.c.lease_until.is_(None), reminder_jobs.c.lease_until < now))
                 .order_by(reminder_jobs.c.fire_at, reminder_jobs.c.id).limit(limit))
        if is_postgres(self._s):
            query = query.with_for_update(skip_locked=True)
        jobs = list(self._s.scalars(query))
        for job in jobs:
            job.lease_until = now + timedelta(seconds=lease_seconds)
        self._s.flush()
        return jobs

    def later_due(self, job: ReminderJob, *, prefix: str, now: datetime) -> bool:
        """Is a later job of the same occurrence or deadline, of the same family, also due now?"""
        return self._s.scalar(select(reminder_jobs.c.id).where(  # through ix_reminder_jobs_chain_fire
            reminder_jobs.c.chain == job.job_key.chain, reminder_jobs.c.kind.startswith(prefix),
            reminder_jobs.c.fire_at > job.fire_at,
            reminder_jobs.c.fire_at <= now, reminder_jobs.c.id != job.id).limit(1)) is not None

    def skip_until(self, plan: _Plan, *, now: datetime) -> None:
        """Mark the plan's pending jobs that fell due before `now` as skipped (a pause just ended)."""
        self._s.execute(reminder_jobs.update().where(
            reminder_jobs.c.occurrence_id.in_(plan_rows.occurrences_of(plan.id)),
            reminder_jobs.c.state == JobState.PENDING.value,
            reminder_jobs.c.fire_at <= now).values(state=JobState.SKIPPED.value, processed_at=now))

    def forget_future(self, plan: _Plan, *, now: datetime) -> None:
        """Drop reminders not yet sent for occurrences still to come (the schedule changed)."""
        future = plan_rows.open_occurrences_after(plan.id, now)
        self._s.execute(reminder_jobs.delete().where(reminder_jobs.c.occurrence_id.in_(future),
                                                     reminder_jobs.c.state == JobState.PENDING.value))
        occurrences = plan_rows.occurrences
        self._s.execute(occurrences.delete().where(
            occurrences.c.id.in_(future),
            ~occurrences.c.id.in_(select(reminder_jobs.c.occurrence_id).where(
                reminder_jobs.c.occurrence_id.is_not(None)))))
