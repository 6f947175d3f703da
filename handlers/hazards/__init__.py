"""Slack surface of hazards: the report, the closed loop's steps, and their messages."""

from __future__ import annotations

from slack_bolt import App

from bot.core.services import Services
from handlers.hazards import report, steps
from handlers.hazards.templates import TEMPLATES

__all__ = ["TEMPLATES", "register"]


def register(app: App, services: Services) -> None:
    report.register(app, services)
    steps.register(app, services)
