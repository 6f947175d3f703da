"""Turns an outbox message (template + case snapshot) into Web API arguments, in one language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.hazard_views import build_card
from handlers.plan_views import build_overdue, build_reminder
from handlers.step_views import build_calendar_notice, build_notice, build_step_line

Builder = Callable[[dict[str, Any], str], dict[str, Any]]

TEMPLATES: dict[str, Builder] = {
    "hazard.card": build_card,
    "hazard.step": build_step_line,
    "hazard.notice": build_notice,
    "calendar.unknown_year": build_calendar_notice,
    "plan.reminder": build_reminder,
    "plan.overdue": build_overdue,
}


class BlockKitRenderer:
    def render(self, template: str, context: dict[str, Any], locale: str) -> dict[str, Any]:
        return {**TEMPLATES[template](context, locale), "unfurl_links": False, "unfurl_media": False}
