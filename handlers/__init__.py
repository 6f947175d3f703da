"""The Slack surface: listeners, Block Kit builders and the Web API adapters."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import hazard, hazard_steps, incidents, plans
from handlers.background import Background
from handlers.errors import register_error_handler


def register(app: App, services: Services, background: Background) -> None:
    """Wire every listener onto the Bolt app; called once by `bot.app.create_app`."""
    register_error_handler(app, services.locales)
    hazard.register(app, services, background)
    hazard_steps.register(app, services)
    plans.register(app, services)
    incidents.register(app, services)
