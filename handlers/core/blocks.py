"""The Block Kit toolkit every feature's views build with: text objects, people, times, small modals.

Pure functions; every visible string comes translated from the caller or through `t`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from handlers.core.mrkdwn import clip

Block = dict[str, Any]
SECTION_LIMIT = 3000  # Slack's limit for a section's text


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def when(iso: str | None, timezone: str) -> str:
    """An ISO timestamp as the company's local time, to the minute; a dash for none."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def mention(user: str | None) -> str:
    return f"<@{user}>" if user else "—"


def build_message_modal(*, title: str, text: str, locale: str) -> dict[str, Any]:
    """What a modal turns into when its work is done or could not be done (state moved on, not allowed)."""
    return {"type": "modal", "title": plain(title[:24]), "close": plain(t("common.close", locale)),
            "blocks": [{"type": "section", "text": mrkdwn(clip(text, SECTION_LIMIT))}]}


def build_apology_modal(*, locale: str, error_ref: str) -> dict[str, Any]:
    """An unexpected error, with the reference the log has too."""
    return {
        "type": "modal", "title": plain(t("hazard.modal.title", locale)), "close": plain(t("common.close", locale)),
        "blocks": [{"type": "section", "text": mrkdwn(t("error.unexpected", locale, ref=error_ref))}],
    }


def at(value: datetime | None, timezone: str) -> str:
    """A moment of a typed context, in the company's time zone."""
    return when(value.isoformat() if value else None, timezone)
