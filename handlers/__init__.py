"""The Slack surface: listeners, Block Kit builders and the Web API adapters."""

from __future__ import annotations

from slack_bolt import App

from bot.core.services import Services
from bot.incidents import Checklists
from handlers.core.background import Background
from handlers.core.errors import register_error_handler
from handlers.hazards import report as hazard
from handlers.hazards import steps as hazard_steps
from handlers.incidents import listeners as incidents
from handlers.plans import listeners as plans


def register(app: App, services: Services, background: Background, *, incident_plans: Checklists) -> None:
    """Wire every listener onto the Bolt app; called once by `bot.runtime.app.create_app`."""
    register_error_handler(app, services.locales)
    hazard.register(app, services, background)
    hazard_steps.register(app, services)
    plans.register(app, services)
    incidents.register(app, services, incident_plans)
