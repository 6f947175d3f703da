"""What the outbox does with Slack's answers for incidents: the post's thread, the incident's own channel
(invite, summary, checklist), the pin, and the fall-back to the safety thread when no channel can be made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.incidents.contexts import Invite, Pin
from bot.incidents.messages import Out
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.visibility import handling_people

BOT_ACTOR = "USAFETYBOT"


def channel_name(reference: str) -> str:
    return reference.lower()


def incident_hooks(org: Org, clock: Callable[[], datetime]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(sent hooks, failed hooks) by name, for the outbox sender."""

    def record_thread(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None and incident.thread_ts is None:
            incident.thread_channel, incident.thread_ts = answer["channel"], answer["ts"]

    def channel_made(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None:
            return
        incident.channel_id = answer["channel"]["id"]
        now, out = clock(), Out(uow, incident, org, clock())
        channel = incident.channel_id
        out.send("invite", channel, "incident.invite",
                 Invite(recipient=channel, users=handling_people(incident, org)))
        out.send("summary", channel, "incident.summary", on_sent="incident_pin")
        out.send("checklist", channel, "incident.checklist")
        out.thread(f"r{incident.revision}:channel", "channel_made")
        out.refresh_posts()
        uow.events.append(incident.step("channel_created", BOT_ACTOR, now, channel=incident.channel_id))

    def pin(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None:
            Out(uow, incident, org, clock()).send("pin", answer["channel"], "incident.pin",
                                                  Pin(recipient=answer["channel"], ts=answer["ts"]))

    def channel_failed(uow: IncidentsUnitOfWork, message: OutboxMessage, error: str) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None:
            return
        incident.channel_failed = error
        out = Out(uow, incident, org, clock())
        out.thread("channel-failed", "channel_failed", error=error, officers=list(org.safety_department.members))
        out.send("checklist-thread", org.safety_department.channel, "incident.checklist",
                 reply_to=f"{incident.reference}:safety-post")
        uow.events.append(incident.step("channel_failed", BOT_ACTOR, clock(), error=error))

    return ({"incident_thread": record_thread, "incident_channel": channel_made, "incident_pin": pin},
            {"incident_channel_failed": channel_failed})
