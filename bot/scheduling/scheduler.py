"""The scheduler: jobs that must fire once at their time, from whichever feature supplies them.

One `tick` (woken by APScheduler in every copy of the bot) does three things in short transactions:
1. *materialize*: each source writes the jobs it now knows are coming (a plan's next occurrences, once its
   horizon falls a day short) under unique keys, so a second copy writing the same rows changes nothing;
   a deadline's escalations are written by the step that sets it, not here;
2. *sweep*: each source does what needs no job of its own (its outbox keys make it happen once);
3. *claim and process*: leases due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
   SQLite) and, in the same transaction, has the source that owns the job's kind queue its messages in the
   outbox, then records the job as done.
So a message is queued exactly once per job and recipient, across copies and restarts. Every transaction is
small (`tasks_per_commit` plans or cases, `batch` jobs), so on SQLite none holds the write lock for more than a
few tens of milliseconds and requests are served between them, also while catching up after downtime.
After downtime only the latest due job of a chain (an occurrence's reminders, a deadline's escalations) is
processed; the earlier ones are skipped. The features themselves are in their own `jobs` modules; `bot.runtime.app`
passes them in.

Each plan, case and job runs in a savepoint of its own: one that raises is rolled back alone, recorded FAILED
with its reason (`bot.scheduling.set_aside`), the safety channel is told once, and the tick goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.clock import Clock, utcnow
from bot.scheduling import set_aside
from bot.scheduling.jobs import JobKind, JobSource, JobState, ReminderJob, Task
from bot.scheduling.ports import SchedulingUnitOfWork as UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Scheduler:
    uow_factory: Callable[[], UnitOfWork]
    sources: Sequence[JobSource[Any]]
    clock: Clock = utcnow
    batch: int = 20  # jobs claimed and processed per transaction
    tasks_per_commit: int = 10  # plans or cases materialized or swept per transaction
    budget_seconds: float = 0.025  # a transaction that took this long commits after its current job
    lease_seconds: float = 120.0
    tell: str | None = None  # who hears of work set aside: the safety department's channel
    stats: dict[str, int] = field(default_factory=dict)
    _owners: dict[JobKind, JobSource[Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._owners = {}
        for source in self.sources:
            for kind in source.kinds:
                if kind in self._owners:
                    raise ValueError(f"two job sources own the kind {kind}")
                self._owners[kind] = source

    def tick(self) -> int:
        """Materialize, sweep, then process everything due; returns how many jobs were processed."""
        now = self.clock()
        for stage in ("materialize", "sweep"):
            with self.uow_factory() as uow:
                done = 0
                for source in self.sources:
                    tasks: Iterable[Task] = getattr(source, stage)(uow, now)
                    for task in tasks:
                        self._run(uow, task, stage, now)
                        done += 1
                        if done % self.tasks_per_commit == 0:
                            uow.commit()  # and go on in a new transaction: the write lock is let go
                uow.commit()
        processed = 0
        while True:
            with self.uow_factory() as uow:
                jobs = uow.schedule.claim(now=now, lease_seconds=self.lease_seconds, limit=self.batch)
                began = time.monotonic()
                for job in jobs:
                    self._process(uow, job, now)
                    if time.monotonic() - began > self.budget_seconds:  # a reminder to 500 people, say
                        uow.commit()  # the jobs left stay leased to this tick; the next go in a new transaction
                        began = time.monotonic()
                uow.commit()
            processed += len(jobs)
            if len(jobs) < self.batch:
                return processed

    def _run(self, uow: UnitOfWork, task: Task, stage: str, now: datetime) -> None:
        try:
            with uow.savepoint():
                task.run()
        except Exception as exc:
            set_aside.record(uow, job=None, subject=task.subject, about=task.about, stage=stage, exc=exc, now=now,
                             tell=self.tell)
            self._count(JobState.FAILED)

    def _process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> None:
        key = job.job_key
        owner = self._owners.get(key.kind)
        try:
            with uow.savepoint():
                state = self._state(uow, job, owner, now)
        except Exception as exc:
            about = job.key
            try:
                with uow.savepoint():
                    about = owner.about(uow, job) if owner else job.key
            except Exception:
                log.exception("scheduler: could not name job %s", job.key)
            set_aside.record(uow, job=job, subject=job.key, about=about, stage="process", exc=exc, now=now,
                             tell=self.tell)
            state = JobState.FAILED
        job.state, job.processed_at, job.lease_until = state, now, None
        self._count(state)

    def _state(self, uow: UnitOfWork, job: ReminderJob, owner: JobSource[Any] | None, now: datetime) -> JobState:
        if uow.schedule.later_due(job, prefix=job.job_key.family, now=now):
            return JobState.SKIPPED  # after downtime: one job per chain and kind, the latest
        if owner is None:
            log.warning("scheduler: no source owns job %s; skipped", job.key)
            return JobState.SKIPPED
        return owner.process(uow, job, now)

    def _count(self, state: JobState) -> None:
        self.stats[state.value] = self.stats.get(state.value, 0) + 1
