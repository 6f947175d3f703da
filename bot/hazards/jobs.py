"""The hazards' jobs for the scheduler: the escalation chain of every open rectification deadline
(`bot.hazards.escalation`), each step once; a new round or a new deadline starts a new chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import ClassVar, Protocol

from bot.core.model import CaseEvent
from bot.core.org import Org
from bot.hazards.escalation import CHAIN, RUNGS, DeadlineLevel
from bot.hazards.messages import deadline_notice, names_in_thread, refresh_cards
from bot.hazards.model import BOT_ACTOR, Hazard, HazardStatus
from bot.hazards.ports import HazardsUnitOfWork
from bot.scheduling import (
    JobKey,
    JobKind,
    JobSource,
    JobState,
    ReminderJob,
    SchedulingUnitOfWork,
    Task,
    job_message,
)


class UnitOfWork(HazardsUnitOfWork, SchedulingUnitOfWork, Protocol):
    """Deadline jobs read the cases and write the schedule in one transaction."""


def deadline_chain(hazard: Hazard) -> str:
    """The chain of the case's current round and deadline: another round or deadline is another chain."""
    assert hazard.deadline_at is not None
    return f"hz:{hazard.reference}:r{hazard.rounds}:{hazard.deadline_at.isoformat()}"


@dataclass
class HazardDeadlines(JobSource[UnitOfWork]):
    org: Org
    kinds: ClassVar[frozenset[JobKind]] = frozenset({JobKind.DEADLINE})

    def materialize(self, uow: UnitOfWork, now: datetime) -> Iterator[Task]:
        for hazard in uow.hazards.find(statuses={HazardStatus.ASSIGNED}, limit=100_000):
            if hazard.deadline_at is not None:
                yield Task(f"hz:{hazard.reference}", hazard.reference,
                           partial(self._materialize, uow, hazard))

    def _materialize(self, uow: UnitOfWork, hazard: Hazard) -> None:
        assert hazard.deadline_at is not None
        chain = deadline_chain(hazard)
        for rung in CHAIN:
            uow.schedule.add_job(ReminderJob.at(JobKey(chain, JobKind.DEADLINE, rung.level.value),
                                                rung.fires_at(hazard.deadline_at, self.org.escalation),
                                                hazard_ref=hazard.reference))

    def process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> JobState:
        # Locked: a step taken meanwhile is seen, and the cards refreshed below never overwrite its newer ones.
        hazard = uow.hazards.get(job.hazard_ref or "", lock=True)
        key = job.job_key
        if (hazard is None or hazard.status is not HazardStatus.ASSIGNED or hazard.deadline_at is None
                or key.chain != deadline_chain(hazard)):
            return JobState.SKIPPED  # done, extended or reassigned meanwhile
        rung = RUNGS[DeadlineLevel(key.step)]
        told = [target for target in rung.told(hazard, self.org) if target]
        # In the case's thread the safety officers are called by name: that post is where they are told.
        ping = list(self.org.safety_department.members) if rung.in_case_thread else None
        names = names_in_thread(uow, hazard) if rung.in_case_thread else None
        for target in told:
            context = deadline_notice(hazard, self.org, rung.level.value, target, now, ping=ping,
                                      names=names)
            uow.outbox.add(job_message(job, target, "hazard.notice", context, now, subject=hazard.reference,
                                       reply_to=f"{hazard.reference}:safety-post" if rung.in_case_thread
                                       else None))
        if rung.escalates and told:  # on the case's timeline: whom it went up to, and when
            uow.events.append(CaseEvent(case_ref=hazard.reference, action=f"escalated_{rung.level.value}",
                                        actor_id=BOT_ACTOR, at=now,
                                        changes={"told": [*(ping or []), *told], "deadline_at":
                                                 hazard.deadline_at.isoformat()}))
        refresh_cards(uow, hazard, self.org, now)  # the cards count the days left (or late) too
        return JobState.SENT
