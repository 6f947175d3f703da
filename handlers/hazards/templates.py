"""The hazard feature's outgoing messages: all of them posts (cards, thread lines, notices)."""

from __future__ import annotations

from bot.hazards import CONTEXTS
from handlers.core.render import Template, typed
from handlers.hazards.step_views import build_calendar_notice, build_notice, build_step_line
from handlers.hazards.views import build_card

TEMPLATES = typed(
    CONTEXTS,
    Template("hazard.card", build_card),
    Template("hazard.step", build_step_line),
    Template("hazard.notice", build_notice),
    Template("calendar.unknown_year", build_calendar_notice),
)
