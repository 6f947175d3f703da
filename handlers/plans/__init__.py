"""Slack surface of plans: `/safety`, the plan and Done modals, reminders."""

from __future__ import annotations

from slack_bolt import App

from bot.core.services import Services
from handlers.plans import listeners
from handlers.plans.templates import TEMPLATES

__all__ = ["TEMPLATES", "register"]


def register(app: App, services: Services) -> None:
    listeners.register(app, services)
