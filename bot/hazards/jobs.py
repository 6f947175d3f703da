"""The hazards' jobs for the scheduler: the escalation chain of every open rectification deadline
(`bot.hazards.escalation`), each step once; a new round or a new deadline starts a new chain.

The chain is written by the step that sets or changes the deadline, in its own transaction (`reschedule`,
called by the use cases), and skipped by the step that meets it: the tick never looks at the open cases, so
its cost follows what is due, not how many cases are open (it re-wrote every open case's five jobs on every
tick, 100,000 statements at 100,000 cases)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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
    job_message,
)


class UnitOfWork(HazardsUnitOfWork, SchedulingUnitOfWork, Protocol):
    """Deadline jobs read the cases and write the schedule in one transaction."""


def deadline_chain(hazard: Hazard) -> str:
    """The chain of the case's current round and deadline: another round or deadline is another chain. In UTC,
    as the database gives the deadline back: a step's deadline in the company's zone is the same chain."""
    assert hazard.deadline_at is not None
    return f"hz:{hazard.reference}:r{hazard.rounds}:{hazard.deadline_at.astimezone(UTC).isoformat()}"


def running_chain(hazard: Hazard) -> str | None:
    """The chain whose escalations are coming: only an assigned case with a deadline has one."""
    if hazard.status is HazardStatus.ASSIGNED and hazard.deadline_at is not None:
        return deadline_chain(hazard)
    return None


def deadline_jobs(hazard: Hazard, org: Org) -> list[ReminderJob]:
    """The escalation chain's jobs of the case's current deadline, one per rung."""
    assert hazard.deadline_at is not None
    chain = deadline_chain(hazard)
    return [ReminderJob.at(JobKey(chain, JobKind.DEADLINE, rung.level.value),
                           rung.fires_at(hazard.deadline_at, org.escalation), hazard_ref=hazard.reference)
            for rung in CHAIN]


def reschedule(uow: HazardsUnitOfWork, hazard: Hazard, org: Org, *, was: str | None, now: datetime) -> None:
    """After a step (in its transaction): when the running chain changed (`was`: the one before the step), the
    old chain's pending jobs are skipped and the new one's written. A step that changes no deadline, round or
    state writes nothing."""
    chain = running_chain(hazard)
    if chain != was:
        uow.schedule.replace_chain(hazard.reference, deadline_jobs(hazard, org) if chain else [], now=now)


@dataclass
class HazardDeadlines(JobSource[UnitOfWork]):
    """Processes the deadline jobs the steps wrote; it materializes nothing on a tick."""

    org: Org
    kinds: ClassVar[frozenset[JobKind]] = frozenset({JobKind.DEADLINE})

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
