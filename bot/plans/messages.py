"""What a plan's reminder and escalation messages say: typed contexts, stored with the outbox message and
rendered later in each recipient's language (`handlers.plans.views`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, Field, PlainSerializer

from bot.core.org import Org
from bot.core.outbox import OutboxMessage, OutboxStatus
from bot.plans.model import Occurrence, OverdueLevel, Plan, PlanKind, localized
from bot.scheduling import ReminderJob


class OutboxHolder(Protocol):
    @property
    def outbox(self) -> Any: ...


LATE_AFTER = timedelta(minutes=10)  # sent later than this after its time: the message says when it was due

# Stored as `datetime.isoformat()` gives it ("...+00:00"), as the contexts always were.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class PlanReminder(BaseModel):
    """`plan.reminder`: a plan falls due (or fell due, when `late`)."""

    plan_key: str
    kind: PlanKind
    title: str
    details: str = ""
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)  # see `Plan.translations`
    owner: str
    occurrence_id: int
    due_at: IsoDateTime
    timezone: str
    reminder: str  # the job's stored kind, e.g. "remind:7d"
    late: bool = False
    fire_at: IsoDateTime | None = None  # when it should have gone out (said when `late`)
    recipient: str | None = None
    can_record: bool = True  # its recipient may record it done: the message carries the Done button
    done_by: str | None = None  # once recorded, every copy says who recorded it and for which day
    done_on: date | None = None

    def text_in(self, locale: str) -> tuple[str, str]:
        """The title and details in `locale` (`bot.plans.model.localized`)."""
        return localized(self.title, self.details, self.translations, locale)


class PlanOverdue(PlanReminder):
    """`plan.overdue`: an occurrence not recorded as done, told to the next level up."""

    level: OverdueLevel


CONTEXTS: dict[str, type[BaseModel]] = {"plan.reminder": PlanReminder, "plan.overdue": PlanOverdue}


def reminder(plan: Plan, occurrence: Occurrence, job: ReminderJob, org: Org, now: datetime) -> PlanReminder:
    assert occurrence.id is not None
    return PlanReminder(plan_key=plan.key, kind=plan.kind, title=plan.title, details=plan.details,
                        translations=plan.translations or {}, owner=plan.owner_id, occurrence_id=occurrence.id,
                        due_at=occurrence.due_at, timezone=org.timezone, reminder=job.kind,
                        late=now - job.fire_at > LATE_AFTER, fire_at=job.fire_at)


def subject_of(occurrence_id: int) -> str:
    """The outbox subject of an occurrence's reminders and notices: how its copies are found to update."""
    return f"occ:{occurrence_id}"


def recorded(uow: OutboxHolder, occurrence_id: int, *, done_by: str, done_on: date, now: datetime) -> int:
    """Every copy of the occurrence's reminders and notices, sent or on its way, updated in place to say who
    recorded it done and for which day (without a Done button). Returns how many were queued."""
    count = 0
    for message in uow.outbox.about(subject_of(occurrence_id)):
        if message.template not in CONTEXTS or message.update_of or message.status is OutboxStatus.FAILED:
            continue
        context = {**message.context, "done_by": done_by, "done_on": done_on.isoformat()}
        uow.outbox.put_latest(OutboxMessage(key=f"{message.key}:done", recipient=message.recipient,
                                            template=message.template, context=context, created_at=now,
                                            subject=message.subject, update_of=message.key))
        count += 1
    return count


def overdue(plan: Plan, occurrence: Occurrence, job: ReminderJob, org: Org, now: datetime,
            level: OverdueLevel) -> PlanOverdue:
    return PlanOverdue(**dict(reminder(plan, occurrence, job, org, now)), level=level)
