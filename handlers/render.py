"""Turns an outbox message (template + case snapshot) into Web API arguments, in one language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.hazard_views import build_case_message

Builder = Callable[[dict[str, Any], str], dict[str, Any]]

TEMPLATES: dict[str, Builder] = {
    "hazard.reported.safety": lambda c, loc: build_case_message(c, audience="safety", locale=loc),
    "hazard.reported.leader": lambda c, loc: build_case_message(c, audience="leader", locale=loc),
    "hazard.reported.reporter": lambda c, loc: build_case_message(c, audience="reporter", locale=loc),
}


class BlockKitRenderer:
    def render(self, template: str, context: dict[str, Any], locale: str) -> dict[str, Any]:
        return {**TEMPLATES[template](context, locale), "unfurl_links": False, "unfurl_media": False}
