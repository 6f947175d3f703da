"""The scheduler's one message: work set aside, in plain words, with what to check."""

from __future__ import annotations

from typing import Any

from bot.core.i18n import t
from bot.scheduling import SET_ASIDE_TEMPLATE, SetAside
from handlers.core.render import Template, typed
from handlers.core.rich import hole, plain_of, rich_sentence

FIELDS = ("about", "subject", "error")


def build_set_aside(context: SetAside, locale: str) -> dict[str, Any]:
    values = {name: getattr(context, name) for name in FIELDS}
    key = f"scheduling.set_aside.{context.stage}"
    text = plain_of(t(key, locale, **{name: hole(name) for name in FIELDS}), values)
    return {"text": text, "blocks": [rich_sentence(key, locale, typed=values)]}


TEMPLATES = typed({SET_ASIDE_TEMPLATE: SetAside}, Template(SET_ASIDE_TEMPLATE, build_set_aside))
