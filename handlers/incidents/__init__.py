"""Slack surface of incidents: `/incident`, its shortcuts and modals, and their messages and calls."""

from __future__ import annotations

from slack_bolt import App

from bot.core.services import Services
from bot.incidents import Checklists
from handlers.incidents import listeners
from handlers.incidents.templates import TEMPLATES

__all__ = ["TEMPLATES", "register"]


def register(app: App, services: Services, *, checklists: Checklists) -> None:
    listeners.register(app, services, checklists)
