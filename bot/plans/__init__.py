"""Plans: recurring safety work, its reminders and its record of completion. What other packages use."""

from bot.plans.jobs import PlanJobs
from bot.plans.messages import CONTEXTS
from bot.plans.model import Occurrence, OccurrenceStatus, Plan, PlanKind
from bot.plans.ports import PlansUnitOfWork

__all__ = ["CONTEXTS", "Occurrence", "OccurrenceStatus", "Plan", "PlanJobs", "PlanKind", "PlansUnitOfWork"]
