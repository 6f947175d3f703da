"""Jobs that fire once at their time, across copies of the bot; the features supply them (`JobSource`)."""

from bot.scheduling.jobs import JobKey, JobKind, JobSource, JobState, ReminderJob, Task, job_message, job_messages_key
from bot.scheduling.ports import ScheduleRepository, SchedulingUnitOfWork
from bot.scheduling.scheduler import Scheduler
from bot.scheduling.set_aside import TEMPLATE as SET_ASIDE_TEMPLATE
from bot.scheduling.set_aside import SetAside

__all__ = [
    "SET_ASIDE_TEMPLATE",
    "JobKey",
    "JobKind",
    "JobSource",
    "JobState",
    "ReminderJob",
    "ScheduleRepository",
    "Scheduler",
    "SchedulingUnitOfWork",
    "SetAside",
    "Task",
    "job_message",
    "job_messages_key",
]
