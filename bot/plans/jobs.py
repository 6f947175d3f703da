"""The plans' jobs for the scheduler: occurrences from the recurrence rules, a reminder before each, and
the chain that follows an occurrence not recorded as done (owner, department head, safety channel).

Reminders days before keep the due time's wall clock in the company's zone (`Duration.shift`); after downtime,
a reminder older than `reminders.missed_after` is recorded as missed instead of sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import ClassVar

from pydantic import BaseModel

from bot.core.durations import Duration
from bot.core.org import Org, Reminders
from bot.core.outbox import OutboxMessage
from bot.core.workdays import WorkCalendar
from bot.plans import messages
from bot.plans.access import may_record_done
from bot.plans.model import OccurrenceStatus, OverdueLevel, Plan
from bot.plans.ports import PlansUnitOfWork as UnitOfWork
from bot.plans.recurrence import occurrences
from bot.scheduling import JobKey, JobKind, JobSource, JobState, ReminderJob, Task, job_messages_key

MOVE_BACK_MOST = 31  # days a reminder moves back at most, looking for a working day

# The overdue chain: each level, and its delay after the due time in the org file.
OVERDUE_CHAIN: tuple[tuple[OverdueLevel, Callable[[Reminders], Duration]], ...] = (
    (OverdueLevel.OWNER, lambda reminders: reminders.overdue_owner),
    (OverdueLevel.HEAD, lambda reminders: reminders.overdue_head),
    (OverdueLevel.SAFETY, lambda reminders: reminders.overdue_safety),
)


def overdue_told(level: OverdueLevel, plan: Plan, org: Org) -> list[str]:
    """Who hears at this level; nobody at HEAD when no head is above the owner (the safety channel is next)."""
    match level:
        case OverdueLevel.OWNER:
            return [plan.owner_id]
        case OverdueLevel.HEAD:
            department = org.department_of(plan.owner_id)
            head = department.head if department else None
            return [] if head in (None, plan.owner_id) else [head]
        case OverdueLevel.SAFETY:
            return [org.safety_department.channel]


def reminded(plan: Plan, org: Org) -> list[str]:
    """Who gets a plan's reminder: its channel, its people, and its owner, each once."""
    audience = plan.audience_model
    people = audience.people_in(org)
    return [*([audience.channel] if audience.channel else []), *people,
            *([plan.owner_id] if plan.owner_id not in people else [])]


@dataclass
class PlanJobs(JobSource[UnitOfWork]):
    org: Org
    calendar: WorkCalendar
    lookahead: timedelta = timedelta(days=40)
    # A plan is written ahead again once its horizon is this much short of `lookahead`: about once a day, not on
    # every tick (each tick moved every plan's horizon by 30 s and wrote all of them).
    refresh: timedelta = timedelta(days=1)
    per_tick: int = 500  # plans looked at per tick; the scheduler commits every few of them
    kinds: ClassVar[frozenset[JobKind]] = frozenset({JobKind.REMIND, JobKind.OVERDUE})

    def materialize(self, uow: UnitOfWork, now: datetime) -> Iterator[Task]:
        until = now + self.lookahead
        for plan in uow.plans.to_materialize(before=until - self.refresh, limit=self.per_tick):
            after = plan.materialized_until or plan.created_at - timedelta(seconds=1)
            yield Task(f"plan:{plan.id}", plan.title, partial(self._materialize, uow, plan, after, until))

    def _materialize(self, uow: UnitOfWork, plan: Plan, after: datetime, until: datetime) -> None:
        tz = self.org.tz
        assert plan.id is not None
        since = plan.scheduled_since or plan.created_at  # nothing is owed from before the schedule existed
        for due in occurrences(plan.recurrence, tz=tz, after=after, until=until, calendar=self.calendar):
            occurrence_id = uow.schedule.add_occurrence(plan_id=plan.id, due_at=due)
            chain = f"occ:{occurrence_id}"
            jobs = [(JobKey(chain, JobKind.REMIND, text), self._reminder_time(plan, Duration.parse(text), due))
                    for text in plan.offsets]
            jobs = [(key, fire) for key, fire in jobs if fire >= since]
            jobs += [(JobKey(chain, JobKind.OVERDUE, level.value), delay(self.org.reminders).shift(due, tz))
                     for level, delay in OVERDUE_CHAIN]
            uow.schedule.add_jobs([ReminderJob.at(key, fire, occurrence_id=occurrence_id) for key, fire in jobs])
        plan.materialized_until = until

    def _reminder_time(self, plan: Plan, offset: Duration, due: datetime) -> datetime:
        """`offset` before `due`; for a plan kept off holidays, a reminder that would fall on a weekend or a
        public holiday comes on the working day before, at the same time (a 30-day reminder on a Saturday
        reaches nobody at work)."""
        fire = offset.shift(due, self.org.tz, sign=-1)
        if not plan.move_off_holidays:
            return fire
        local = fire.astimezone(self.org.tz)
        day = local.date()
        for _ in range(MOVE_BACK_MOST):
            if self.calendar.is_working_day(day):
                return datetime.combine(day, local.time(), tzinfo=self.org.tz).astimezone(UTC)
            day -= timedelta(days=1)
        return fire  # a calendar with no working day in weeks is broken: the reminder stays where it was

    def about(self, uow: UnitOfWork, job: ReminderJob) -> str:
        occurrence = uow.schedule.occurrence(job.occurrence_id)
        plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
        return plan.title if plan else job.key

    def process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> JobState:
        occurrence = uow.schedule.occurrence(job.occurrence_id)
        plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
        if occurrence is None or plan is None or not plan.active or occurrence.status is OccurrenceStatus.DONE:
            return JobState.SKIPPED
        key = job.job_key
        context: BaseModel
        if key.kind is JobKind.REMIND:
            if now - job.fire_at > self.org.reminders.missed_after.delta:
                return JobState.MISSED
            template, told = "plan.reminder", reminded(plan, self.org)
            context = messages.reminder(plan, occurrence, job, self.org, now)
        else:
            level = OverdueLevel(key.step)
            template, told = "plan.overdue", overdue_told(level, plan, self.org)
            context = messages.overdue(plan, occurrence, job, self.org, now, level)
        if not told:
            return JobState.SKIPPED
        subject = messages.subject_of(occurrence.id or 0)  # every copy, to be updated in place once recorded
        for can_record in (True, False):  # one statement for those with the Done button, one for the rest
            group = [r for r in told if self._may_record(r, plan) is can_record]
            own = context.model_copy(update={"can_record": can_record})
            uow.outbox.add_for_each(OutboxMessage(key=job_messages_key(job), recipient="", template=template,
                                                  context=own.model_dump(mode="json"), created_at=now,
                                                  subject=subject), group)
        return JobState.SENT

    def _may_record(self, recipient: str, plan: Plan) -> bool:
        """Does this recipient get the Done button? The owner and the safety officers may record it; a channel's
        copy has it only in the safety department's channel, where the officers are."""
        if recipient[:1] in ("C", "G"):
            return recipient == self.org.safety_department.channel
        return may_record_done(recipient, plan, self.org)
