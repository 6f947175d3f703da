"""The scheduler: jobs that must fire once at their time, from whichever feature supplies them.

One `tick` (woken by APScheduler in every copy of the bot) does three things in short transactions:
1. *materialize*: each source writes the jobs it now knows are coming (a plan's reminders, a deadline's
   escalations) under unique keys, so a second copy writing the same rows changes nothing;
2. *sweep*: each source does what needs no job of its own (its outbox keys make it happen once);
3. *claim and process*: leases due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
   SQLite) and, in the same transaction, has the source that owns the job's kind queue its messages in the
   outbox, then records the job as done.
So a message is queued exactly once per job and recipient, across copies and restarts. After downtime only
the latest due job of a chain (an occurrence's reminders, a deadline's escalations) is processed; the
earlier ones are skipped. The features themselves are in their own `jobs` modules; `bot.runtime.app`
passes them in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.clock import Clock, utcnow
from bot.scheduling.jobs import JobKind, JobSource, JobState, ReminderJob
from bot.scheduling.ports import SchedulingUnitOfWork as UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Scheduler:
    uow_factory: Callable[[], UnitOfWork]
    sources: Sequence[JobSource[Any]]
    clock: Clock = utcnow
    batch: int = 200
    lease_seconds: float = 120.0
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
        with self.uow_factory() as uow:
            for source in self.sources:
                source.materialize(uow, now)
            uow.commit()
        with self.uow_factory() as uow:
            for source in self.sources:
                source.sweep(uow, now)
            uow.commit()
        processed = 0
        while True:
            with self.uow_factory() as uow:
                jobs = uow.schedule.claim(now=now, lease_seconds=self.lease_seconds, limit=self.batch)
                for job in jobs:
                    self._process(uow, job, now)
                uow.commit()
            processed += len(jobs)
            if len(jobs) < self.batch:
                return processed

    def _process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> None:
        key = job.job_key
        if uow.schedule.later_due(job, prefix=key.family, now=now):
            job.state = JobState.SKIPPED  # after downtime: one job per chain and kind, the latest
        elif (owner := self._owners.get(key.kind)) is None:
            log.warning("scheduler: no source owns job %s; skipped", job.key)
            job.state = JobState.SKIPPED
        else:
            job.state = owner.process(uow, job, now)
        job.processed_at, job.lease_until = now, None
        self.stats[job.state.value] = self.stats.get(job.state.value, 0) + 1
