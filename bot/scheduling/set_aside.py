"""What happens to work that raised: recorded on its row as FAILED with its reason, and the safety channel
told once, in plain words, while the rest of the tick goes on.

Why: one plan imported with `reminders: [999999d]` or one deadline in the year 9999 made every tick fail,
so all reminders, escalations and authority-report alerts of the company stopped, and only the log knew.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import BaseModel

from bot.core.outbox import OutboxMessage
from bot.scheduling.jobs import JobKey, JobKind, JobState, ReminderJob
from bot.scheduling.ports import SchedulingUnitOfWork

log = logging.getLogger(__name__)
TEMPLATE = "scheduling.set_aside"
ERROR_MAX = 500  # characters of the exception kept on the row and shown


class SetAside(BaseModel):
    """The notice's typed context: which plan or case, which work, and why."""

    about: str  # the plan's title or the case's reference
    subject: str  # "plan:12", a job's key
    stage: str  # "materialize", "sweep" or "process"
    error: str


def reason(exc: BaseException) -> str:
    """The exception as one short line: its type and message."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:ERROR_MAX]


def record(uow: SchedulingUnitOfWork, *, job: ReminderJob | None, subject: str, about: str, stage: str,
           exc: BaseException, now: datetime, tell: str | None) -> None:
    """Mark `job` FAILED (or, for a plan's or case's own work, write a FAILED row under its subject), and queue
    the notice to `tell` (the safety channel) under a key of that row, so it is told once however often the
    work fails again."""
    error = reason(exc)
    log.error("scheduler: %s (%s) set aside at %s: %s", subject, about, stage, error, exc_info=exc)
    if job is None:
        job = ReminderJob.at(JobKey(subject, JobKind.SET_ASIDE, stage), now)
        uow.schedule.add_failed(job, error=error, now=now)
    else:
        job.state, job.error = JobState.FAILED, error
    if tell:
        context = SetAside(about=about, subject=subject, stage=stage, error=error)
        uow.outbox.add(OutboxMessage(key=f"job-failed:{job.key}", recipient=tell, template=TEMPLATE,
                                     context=context.model_dump(mode="json"), created_at=now))
