"""The plans feature's outgoing messages: reminders and overdue notices, posts."""

from __future__ import annotations

from handlers.core.render import Template
from handlers.plans.views import build_overdue, build_reminder

TEMPLATES = (
    Template("plan.reminder", build_reminder),
    Template("plan.overdue", build_overdue),
)
