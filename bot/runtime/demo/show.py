"""What changed for whom after a step: new messages one line each, cards updated in place together."""

from __future__ import annotations

from bot.runtime.demo import screen
from bot.runtime.demo.cast import NAMES, who
from bot.runtime.demo.stage import Stage
from bot.runtime.fakeslack import Call


def recipient(stage: Stage, channel: str) -> str:
    """A channel as people know it: a person's DM, the safety channel, or a channel's name."""
    user = "U" + channel[1:] if channel[:1] == "D" else channel
    if user in NAMES:
        return who(user)
    if channel == stage.runtime.org.safety_department.channel:
        return f"the safety channel ({stage.runtime.org.language})"
    return f"#{channel.lower()} ({stage.runtime.org.language})"


def in_order(stage: Stage, calls: list[Call]) -> list[Call]:
    """The outbox sends in parallel; print in a fixed order: the actor's replies, the channel, then by person."""
    people = list(NAMES)

    def key(call: Call) -> tuple[int, int]:
        channel = str(call.params.get("channel") or "")
        if call.method == "response_url":
            return 0, 0
        if channel == stage.runtime.org.safety_department.channel:
            return 1, 0
        user = "U" + channel[1:] if channel[:1] == "D" else channel
        return 2, people.index(user) if user in people else len(people)

    return sorted(calls, key=key)


def changes(stage: Stage, actor: str) -> None:
    """Print what the bot sent since the step began; updates of existing cards are listed together."""
    updated: list[str] = []
    for call in in_order(stage, stage.since()):
        params = call.params
        if call.method == "response_url":
            screen.line(f"{who(actor)} sees, only them: {screen.one_line(params.get('blocks') or [], _text(call))}")
        elif call.method == "chat.postMessage":
            where = recipient(stage, str(params["channel"]))
            kind = "in the case thread" if params.get("thread_ts") else "new message"
            screen.line(f"→ {where}, {kind}: {screen.one_line(params.get('blocks') or [], _text(call))}")
        elif call.method == "chat.update":
            where = recipient(stage, str(params["channel"]))
            if where not in updated:
                updated.append(where)
    if updated:
        screen.line("→ updated in place for " + ", ".join(updated))


def _text(call: Call) -> str:
    return str(call.params.get("text") or "")
