"""The department picker of every form (a hazard report, an incident report, a plan's audience, forwarding).

Slack shows at most 100 options in a static select; a company with more departments would leave people in
department 101 unable to pick their own, and a plan saved from its modal would drop audience departments past
the first 100. So up to 100 departments the picker is a static select, and past that a type-ahead
(`external_select`, `multi_external_select`) answered by `answer_options`: the departments whose name or key
contain what was typed, at most 100. Slack asks the app's options load URL (the manifest's
`message_menu_options_url`, the same `/slack/events`), and the submitted state looks the same either way
(`selected_option` / `selected_options`), so the forms read it as before.

Names are clipped to Slack's 75 characters for an option's text; keys are bounded by the org file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App

from bot.core.org import Department, Org
from handlers.core.blocks import plain

ACTION_ID = "department"  # every department picker's action_id: the one options listener answers them all
STATIC_MOST = 100  # Slack's limit of options in a static select
OPTIONS_MOST = 100  # ... and in an options answer
OPTION_TEXT = 75  # Slack's limit for an option's text


def option(department: Department) -> dict[str, Any]:
    name = department.name if len(department.name) <= OPTION_TEXT else department.name[:OPTION_TEXT - 1] + "…"
    return {"text": plain(name), "value": department.key}


def department_select(departments: Sequence[Department], *, chosen: str | Sequence[str] | None = None,
                      multi: bool = False, placeholder: str | None = None) -> dict[str, Any]:
    """The picker element: static up to `STATIC_MOST` departments, type-ahead past that; `chosen` is the
    initial department key (or keys, for `multi`), kept whichever it is."""
    keys = [chosen] if isinstance(chosen, str) else list(chosen or [])
    by_key = {d.key: d for d in departments}
    initial = [option(by_key[key]) for key in dict.fromkeys(keys) if key in by_key]
    static = len(departments) <= STATIC_MOST
    kind = ("multi_" if multi else "") + ("static_select" if static else "external_select")
    element: dict[str, Any] = {"type": kind, "action_id": ACTION_ID}
    if static:
        element["options"] = [option(d) for d in departments]
    else:
        element["min_query_length"] = 0  # the first 100 show at once; typing narrows them down
    if placeholder:
        element["placeholder"] = plain(placeholder[:150])
    if initial:
        element.update({"initial_options": initial} if multi else {"initial_option": initial[0]})
    return element


def matching(departments: Sequence[Department], typed: str) -> list[dict[str, Any]]:
    """The options for what was typed: names or keys containing it (case-insensitive), those starting with it
    first, at most `OPTIONS_MOST`."""
    query = typed.strip().casefold()
    if not query:
        return [option(d) for d in departments[:OPTIONS_MOST]]
    found = [d for d in departments if query in d.name.casefold() or query in d.key]
    found.sort(key=lambda d: not (d.name.casefold().startswith(query) or d.key.startswith(query)))
    return [option(d) for d in found[:OPTIONS_MOST]]


def answer_options(org: Org) -> Callable[..., None]:
    def on_options(ack: Ack, body: dict[str, Any]) -> None:
        typed = body.get("value")
        ack(options=matching(org.departments, typed if isinstance(typed, str) else ""))

    return on_options


def register(app: App, org: Org) -> None:
    """The one options listener of the department pickers."""
    app.options(ACTION_ID)(answer_options(org))
