"""What the outbox does with Slack's answers for incidents: the post's thread, the incident's own channel
(invite, summary, checklist), the pin, and the fall-back to the safety thread when no channel can be made.

The channel is made once. Its name carries a random suffix (`inc-2026-0007-k3f9`), so nobody can take it
before the bot does. When `conversations.create` answers `name_taken` (its first answer was lost, or the
bot crashed before recording it, and the retry meets the channel it made), the bot looks the name up
with `conversations.list` and goes on in the channel it is a member of; a name someone else holds is not
used: a fresh name is tried, and only after `CREATE_ATTEMPTS` names does the incident fall back.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.incidents.contexts import CreateChannel, FindChannel, Invite, Pin
from bot.incidents.messages import Out
from bot.incidents.model import Incident
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.visibility import handling_people

BOT_ACTOR = "USAFETYBOT"
CREATE_ATTEMPTS = 3
LIST_PAGES = 20  # conversations.list pages of 1,000 looked through before giving up on finding the channel
_SUFFIX = string.ascii_lowercase + string.digits


def channel_name(reference: str) -> str:
    """`inc-2026-0007-k3f9`: the reference people recognise, and a suffix nobody can guess beforehand."""
    return f"{reference.lower()}-{''.join(secrets.choice(_SUFFIX) for _ in range(4))}"


def create_channel(out: Out, incident: Incident, recipient: str, attempt: int = 0) -> None:
    """Queue `conversations.create` for the incident's own channel (private when confidential)."""
    suffix = f":{attempt}" if attempt else ""
    out.send(f"channel{suffix}", recipient, "incident.create_channel",
             CreateChannel(recipient=recipient, name=channel_name(incident.reference),
                           is_private=incident.confidential, attempt=attempt),
             on_sent="incident_channel", on_failed="incident_channel_failed")


def incident_hooks(org: Org, clock: Callable[[], datetime]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(sent hooks, failed hooks) by name, for the outbox sender."""

    def record_thread(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None and incident.thread_ts is None:
            incident.thread_channel, incident.thread_ts = answer["channel"], answer["ts"]

    def open_channel(uow: IncidentsUnitOfWork, incident: Incident, channel: str) -> None:
        if incident.channel_id is not None:  # made already (a second answer for the same channel)
            return
        incident.channel_id = channel
        now, out = clock(), Out(uow, incident, org, clock())
        out.send("invite", channel, "incident.invite",
                 Invite(recipient=channel, users=handling_people(incident, org)))
        out.send("summary", channel, "incident.summary", on_sent="incident_pin")
        out.send_checklist("checklist", channel)
        out.thread(f"r{incident.revision}:channel", "channel_made")
        out.refresh_posts()
        uow.events.append(incident.step("channel_created", BOT_ACTOR, now, channel=channel))

    def channel_made(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None:
            open_channel(uow, incident, answer["channel"]["id"])

    def channel_found(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        """A page of conversations.list: the bot's own channel of that name, the next page, or a new name."""
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None or incident.channel_id is not None:
            return
        wanted = FindChannel.model_validate(message.context)
        ours = next((c for c in answer.get("channels") or [] if c.get("name") == wanted.name
                     and c.get("is_member")), None)  # someone else's channel of that name is not ours
        if ours is not None:
            open_channel(uow, incident, str(ours["id"]))
            return
        cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "")
        page = message.key.rsplit(":", 1)[-1]
        out = Out(uow, incident, org, clock())
        if cursor and page.isdigit() and int(page) + 1 < LIST_PAGES:
            out.send(f"channel-find:{wanted.attempt}:{int(page) + 1}", wanted.recipient, "incident.find_channel",
                     wanted.model_copy(update={"cursor": cursor}), on_sent="incident_channel_found",
                     on_failed="incident_channel_failed")
        elif wanted.attempt + 1 < CREATE_ATTEMPTS:
            create_channel(out, incident, wanted.recipient, wanted.attempt + 1)
        else:
            fall_back(uow, incident, "name_taken")

    def pin(uow: IncidentsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None:
            Out(uow, incident, org, clock()).send("pin", answer["channel"], "incident.pin",
                                                  Pin(recipient=answer["channel"], ts=answer["ts"]))

    def fall_back(uow: IncidentsUnitOfWork, incident: Incident, error: str) -> None:
        incident.channel_failed = error
        out = Out(uow, incident, org, clock())
        out.thread("channel-failed", "channel_failed", error=error, officers=list(org.safety_department.members))
        out.send_checklist("checklist-thread", org.safety_department.channel,
                           reply_to=f"{incident.reference}:safety-post")
        uow.events.append(incident.step("channel_failed", BOT_ACTOR, clock(), error=error))

    def channel_failed(uow: IncidentsUnitOfWork, message: OutboxMessage, error: str) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None or incident.channel_id is not None:
            return
        if message.template == "incident.create_channel" and error == "name_taken":
            asked = CreateChannel.model_validate(message.context)
            Out(uow, incident, org, clock()).send(
                f"channel-find:{asked.attempt}:0", asked.recipient, "incident.find_channel",
                FindChannel(recipient=asked.recipient, name=asked.name, is_private=asked.is_private,
                            attempt=asked.attempt),
                on_sent="incident_channel_found", on_failed="incident_channel_failed")
            return
        fall_back(uow, incident, error)

    return ({"incident_thread": record_thread, "incident_channel": channel_made, "incident_pin": pin,
             "incident_channel_found": channel_found},
            {"incident_channel_failed": channel_failed})
