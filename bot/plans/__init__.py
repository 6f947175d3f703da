"""Plans: recurring safety activities, their occurrences and reminder jobs."""

from bot.plans.usecases import JobState, Occurrence, ReminderJob

__all__ = ["JobState", "Occurrence", "ReminderJob"]
