"""The reminder scheduler: turns plans and rectification deadlines into reminders, each sent once.

One `tick` (woken by APScheduler in every copy of the bot) does two things in short transactions:
1. *materialize*: writes the coming occurrences of every active plan and the reminder and escalation
   jobs of every open deadline, under unique keys (a second copy writing the same rows changes nothing);
2. *claim and process*: leases due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on
   SQLite) and, in the same transaction, queues their messages in the outbox and marks them done.
So a reminder is queued exactly once per (occurrence, reminder, recipient), across copies and restarts.
After downtime only the latest due reminder of an occurrence goes out (with its original due time);
ones older than `reminders.missed_after` are recorded as missed instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.workdays import WorkCalendar
from bot.hazards import HazardStatus, deadline_notice
from bot.incidents import IncidentsUnitOfWork, authority_overdue_alert, overdue_authority_reports
from bot.plans.ports import PlansUnitOfWork
from bot.plans.recurrence import occurrences
from bot.plans.usecases import JobState, Occurrence, OccurrenceStatus, Plan, ReminderJob, parse_offset

log = logging.getLogger(__name__)

ESCALATION_LEVELS = ("assignee", "head", "safety", "management")


class UnitOfWork(PlansUnitOfWork, IncidentsUnitOfWork, Protocol):
    """The scheduler reads plans, hazards' deadlines and incidents in one transaction."""


@dataclass
class Scheduler:
    uow_factory: Callable[[], UnitOfWork]
    org: Org
    calendar: WorkCalendar
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    lookahead: timedelta = timedelta(days=40)
    batch: int = 200
    lease_seconds: float = 120.0
    stats: dict[str, int] = field(default_factory=dict)

    def tick(self) -> int:
        """Materialize, then process everything due; returns how many jobs were processed."""
        now = self.clock()
        with self.uow_factory() as uow:
            self._materialize(uow, now)
            uow.commit()
        with self.uow_factory() as uow:
            self._authority_reports(uow, now)
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

    # -- materialize -------------------------------------------------------------------------------

    def _shift(self, moment: datetime, amount: str, sign: int) -> datetime:
        """`moment` moved by "7d" or "24h": days on the company's calendar (a reminder 7 days before a 09:00
        drill is at 09:00 also across a daylight-saving change), hours as elapsed time."""
        delta = parse_offset(amount)
        if amount.endswith("h"):
            return moment + sign * delta
        local = moment.astimezone(self.org.tz)
        day = local.date() + sign * timedelta(days=delta.days)
        return datetime.combine(day, local.time(), tzinfo=self.org.tz).astimezone(UTC)

    def _materialize(self, uow: UnitOfWork, now: datetime) -> None:
        until = now + self.lookahead
        reminders = self.org.reminders
        for plan in uow.plans.active():
            after = plan.materialized_until or plan.created_at - timedelta(seconds=1)
            if after >= until:
                continue
            since = plan.scheduled_since or plan.created_at  # nothing is owed from before the schedule existed
            for due in occurrences(plan.recurrence, tz=self.org.tz, after=after, until=until, calendar=self.calendar):
                occurrence_id = uow.schedule.add_occurrence(plan_id=plan.id, due_at=due)
                jobs = [(f"remind:{o}", self._shift(due, o, -1)) for o in plan.offsets]
                jobs = [(kind, fire) for kind, fire in jobs if fire >= since]
                jobs += [("overdue:owner", self._shift(due, str(reminders.overdue_owner), 1)),
                         ("overdue:head", self._shift(due, str(reminders.overdue_head), 1)),
                         ("overdue:safety", self._shift(due, str(reminders.overdue_safety), 1))]
                for kind, fire in jobs:
                    uow.schedule.add_job(ReminderJob(key=f"occ:{occurrence_id}:{kind}", kind=kind, fire_at=fire,
                                                     occurrence_id=occurrence_id))
            plan.materialized_until = until
        escalation = self.org.escalation
        for hazard in uow.hazards.find(statuses={HazardStatus.ASSIGNED}, limit=100_000):
            if hazard.deadline_at is None:
                continue
            # A new round (sent back, returned) or a new deadline starts a new chain.
            stamp, deadline = f"r{hazard.rounds}:{hazard.deadline_at.isoformat()}", hazard.deadline_at
            for kind, fire in (("deadline:soon", deadline - escalation.before_deadline.delta),
                               ("deadline:assignee", deadline),
                               ("deadline:head", deadline + escalation.head.delta),
                               ("deadline:safety", deadline + escalation.safety.delta),
                               ("deadline:management", deadline + escalation.management.delta)):
                uow.schedule.add_job(ReminderJob(key=f"hz:{hazard.reference}:{stamp}:{kind}", kind=kind,
                                                 fire_at=fire, hazard_ref=hazard.reference))

    def _authority_reports(self, uow: UnitOfWork, now: datetime) -> None:
        """An incident not reported to the higher authority in time goes to management (5.2.3), once."""
        for incident in overdue_authority_reports(uow, self.org, now):
            for manager in self.org.management.members:
                context = authority_overdue_alert(incident, self.org, manager)
                uow.outbox.add(OutboxMessage(key=f"{incident.reference}:authority-overdue:{manager}",
                                             recipient=manager, template="incident.alert", context=context,
                                             created_at=now, subject=incident.reference))

    # -- process -----------------------------------------------------------------------------------

    def _process(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> None:
        if job.occurrence_id is not None:
            job.state = self._occurrence_job(uow, job, now)
        else:
            job.state = self._deadline_job(uow, job, now)
        job.processed_at, job.lease_until = now, None
        self.stats[job.state.value] = self.stats.get(job.state.value, 0) + 1

    def _occurrence_job(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> JobState:
        occurrence = uow.schedule.occurrence(job.occurrence_id)
        plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
        if occurrence is None or plan is None or not plan.active or occurrence.status is OccurrenceStatus.DONE:
            return JobState.SKIPPED
        prefix = job.kind.split(":")[0] + ":"
        if uow.schedule.later_due(job, prefix=prefix, now=now):
            return JobState.SKIPPED  # after downtime: one reminder per occurrence, the latest
        if job.kind.startswith("remind:") and now - job.fire_at > self.org.reminders.missed_after.delta:
            return JobState.MISSED
        context = self._plan_context(plan, occurrence, job, now)
        if job.kind.startswith("remind:"):
            audience = plan.audience_model
            if audience.channel:
                self._queue(uow, job, audience.channel, "plan.reminder", context, now)
            for person in audience.people_in(self.org):
                self._queue(uow, job, person, "plan.reminder", context, now)
            if plan.owner_id not in audience.people_in(self.org):
                self._queue(uow, job, plan.owner_id, "plan.reminder", context, now)
            return JobState.SENT
        level = job.kind.split(":")[1]
        owner_department = self.org.department_of(plan.owner_id)
        head = owner_department.head if owner_department else None
        if level == "head" and head in (None, plan.owner_id):
            return JobState.SKIPPED  # no head above the owner: the safety department is next anyway
        targets = {"owner": [plan.owner_id], "head": [head],
                   "safety": [self.org.safety_department.channel]}[level]
        for target in targets:
            self._queue(uow, job, target, "plan.overdue", {**context, "level": level}, now)
        return JobState.SENT

    def _deadline_job(self, uow: UnitOfWork, job: ReminderJob, now: datetime) -> JobState:
        hazard = uow.hazards.get(job.hazard_ref or "")
        if (hazard is None or hazard.status is not HazardStatus.ASSIGNED or hazard.deadline_at is None
                or f":r{hazard.rounds}:{hazard.deadline_at.isoformat()}:" not in job.key):
            return JobState.SKIPPED  # done, extended or reassigned meanwhile
        if uow.schedule.later_due(job, prefix="deadline:", now=now):
            return JobState.SKIPPED  # after downtime: the highest level due, once
        level = job.kind.split(":")[1]
        department = self.org.department(hazard.department_key)
        targets = {"soon": [hazard.assignee_id], "assignee": [hazard.assignee_id],
                   "head": department.leaders if department else [],
                   "safety": [self.org.safety_department.channel],
                   "management": list(self.org.management.members)}[level]
        for target in targets:
            if target:
                context = deadline_notice(hazard, self.org, level, target)
                self._queue(uow, job, target, "hazard.notice", context, now,
                            reply_to=f"{hazard.reference}:safety-post"
                            if target == self.org.safety_department.channel else None)
        return JobState.SENT

    def _plan_context(self, plan: Plan, occurrence: Occurrence, job: ReminderJob, now: datetime) -> dict[str, Any]:
        return {
            "plan_key": plan.key, "kind": plan.kind.value, "title": plan.title, "details": plan.details,
            "owner": plan.owner_id, "occurrence_id": occurrence.id, "due_at": occurrence.due_at.isoformat(),
            "timezone": self.org.timezone, "reminder": job.kind,
            "late": now - job.fire_at > timedelta(minutes=10),  # sent after downtime: say when it was due
        }

    @staticmethod
    def _queue(uow: UnitOfWork, job: ReminderJob, recipient: str, template: str, context: dict[str, Any],
               now: datetime, reply_to: str | None = None) -> None:
        uow.outbox.add(OutboxMessage(key=f"job:{job.key}:{recipient}", recipient=recipient, template=template,
                                     context={**context, "recipient": recipient}, created_at=now,
                                     subject=job.hazard_ref, reply_to=reply_to))
