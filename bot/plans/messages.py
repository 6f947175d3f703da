"""What a plan's reminder and escalation messages say: typed contexts, stored with the outbox message and
rendered later in each recipient's language (`handlers.plans.views`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, PlainSerializer

from bot.core.org import Org
from bot.plans.model import Occurrence, OverdueLevel, Plan, PlanKind
from bot.scheduling import ReminderJob

LATE_AFTER = timedelta(minutes=10)  # sent later than this after its time: the message says when it was due

# Stored as `datetime.isoformat()` gives it ("...+00:00"), as the contexts always were.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class PlanReminder(BaseModel):
    """`plan.reminder`: a plan falls due (or fell due, when `late`)."""

    plan_key: str
    kind: PlanKind
    title: str
    details: str = ""
    owner: str
    occurrence_id: int
    due_at: IsoDateTime
    timezone: str
    reminder: str  # the job's stored kind, e.g. "remind:7d"
    late: bool = False
    recipient: str | None = None


class PlanOverdue(PlanReminder):
    """`plan.overdue`: an occurrence not recorded as done, told to the next level up."""

    level: OverdueLevel


CONTEXTS: dict[str, type[BaseModel]] = {"plan.reminder": PlanReminder, "plan.overdue": PlanOverdue}


def reminder(plan: Plan, occurrence: Occurrence, job: ReminderJob, org: Org, now: datetime) -> PlanReminder:
    assert occurrence.id is not None
    return PlanReminder(plan_key=plan.key, kind=plan.kind, title=plan.title, details=plan.details,
                        owner=plan.owner_id, occurrence_id=occurrence.id, due_at=occurrence.due_at,
                        timezone=org.timezone, reminder=job.kind, late=now - job.fire_at > LATE_AFTER)


def overdue(plan: Plan, occurrence: Occurrence, job: ReminderJob, org: Org, now: datetime,
            level: OverdueLevel) -> PlanOverdue:
    return PlanOverdue(**dict(reminder(plan, occurrence, job, org, now)), level=level)
