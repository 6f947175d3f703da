"""Turns an outbox message (template + case snapshot) into Web API arguments, in one language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from bot.hazards import CONTEXTS as HAZARD_CONTEXTS
from bot.incidents import CONTEXTS as INCIDENT_CONTEXTS
from handlers.hazards.step_views import build_calendar_notice, build_notice, build_step_line
from handlers.hazards.views import build_card
from handlers.incidents import views as iv
from handlers.plans.views import build_overdue, build_reminder

Builder = Callable[[Any, str], dict[str, Any]]

# Templates whose context is a typed model: the stored JSON is validated into it before the builder runs.
CONTEXTS: dict[str, type[BaseModel]] = {**HAZARD_CONTEXTS, **INCIDENT_CONTEXTS}

TEMPLATES: dict[str, Builder] = {
    "hazard.card": build_card,
    "hazard.step": build_step_line,
    "hazard.notice": build_notice,
    "calendar.unknown_year": build_calendar_notice,
    "plan.reminder": build_reminder,
    "plan.overdue": build_overdue,
    "incident.post": iv.build_incident_post,
    "incident.alert": iv.build_incident_alert,
    "incident.receipt": iv.build_incident_receipt,
    "incident.summary": iv.build_incident_summary,
    "incident.line": iv.build_incident_line,
    "incident.checklist": iv.build_checklist,
    "incident.create_channel": iv.build_create_channel,
    "incident.invite": iv.build_invite,
    "incident.pin": iv.build_pin,
    "incident.report_file": iv.build_report_file,
}


# Arguments of Web API calls other than posts: passed through as they are.
CALLS = {"incident.create_channel", "incident.invite", "incident.pin", "incident.report_file"}


class BlockKitRenderer:
    def render(self, template: str, context: dict[str, Any], locale: str) -> dict[str, Any]:
        model = CONTEXTS.get(template)
        rendered = TEMPLATES[template](model.model_validate(context) if model else context, locale)
        return rendered if template in CALLS else {**rendered, "unfurl_links": False, "unfurl_media": False}
