"""The hazards' jobs for the scheduler: the escalation chain of every open rectification deadline
(`bot.hazards.escalation`), each step once; a new round or a new deadline starts a new chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bot.core.org import Org
from bot.core.ports import UnitOfWork
from bot.hazards.escalation import CHAIN, RUNGS, DeadlineLevel
from bot.hazards.messages import case_context
from bot.hazards.workflow import Hazard, HazardStatus
from bot.scheduling import JobKey, JobKind, JobSource, JobState, ReminderJob, job_message


def deadline_chain(hazard: Hazard) -> str:
    """The chain of the case's current round and deadline: another round or deadline is another chain."""
    assert hazard.deadline_at is not None
    return f"hz:{hazard.reference}:r{hazard.rounds}:{hazard.deadline_at.isoformat()}"


@dataclass
class HazardDeadlines(JobSource):
    org: Org
    kinds: ClassVar[frozenset[JobKind]] = frozenset({JobKind.DEADLINE})

    def materialize(self, uow: UnitOfWork, now: datetime) -> None:
        for hazard in uow.hazards.find(statuses={HazardStatus.ASSIGNED}, limit=100_000):
            if hazard.deadline_at is None:
                continue
            chain = deadline_chain(hazard)
            for rung in CHAIN:
                uow.schedule.add_job(ReminderJob.at(JobKey(chain, JobKind.DEADLINE, rung.level.value),
                                                    rung.fires_at(hazard.deadline_at, self.org.escalation),
                                                    hazard_ref=hazard.reference))

    def process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> JobState:
        hazard = uow.hazards.get(job.hazard_ref or "")
        key = job.job_key
        if (hazard is None or hazard.status is not HazardStatus.ASSIGNED or hazard.deadline_at is None
                or key.chain != deadline_chain(hazard)):
            return JobState.SKIPPED  # done, extended or reassigned meanwhile
        rung = RUNGS[DeadlineLevel(key.step)]
        context = {**case_context(hazard, self.org), "notice": rung.notice, "actor": None}
        for target in rung.told(hazard, self.org):
            if target:
                uow.outbox.add(job_message(job, target, "hazard.notice", context, now, subject=hazard.reference,
                                           thread_of=hazard.reference if rung.in_case_thread else None))
        return JobState.SENT
