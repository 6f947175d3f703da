"""Jobs that fire once at their time, across copies of the bot; the features supply them (`JobSource`)."""

from bot.scheduling.jobs import JobKey, JobKind, JobSource, JobState, ReminderJob, job_message
from bot.scheduling.ports import ScheduleRepository, SchedulingUnitOfWork
from bot.scheduling.scheduler import Scheduler

__all__ = [
    "JobKey",
    "JobKind",
    "JobSource",
    "JobState",
    "ReminderJob",
    "ScheduleRepository",
    "Scheduler",
    "SchedulingUnitOfWork",
    "job_message",
]
