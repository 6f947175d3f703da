"""Who hears what about an incident: the posts, alerts, lines and Slack calls each step queues.

Slack work that needs an answer (the incident's own channel, pins) goes through the outbox like any
message, with hooks that record the answer (`bot.incidents.channel`), so nothing is lost when Slack fails.
Every context is a model of `bot.incidents.contexts`, stored as JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.hazards import rectifications_of
from bot.incidents.contexts import (
    CONTEXTS,
    ActionStatus,
    AuthorityRecord,
    ChecklistEntry,
    ChecklistPage,
    IncidentAlert,
    IncidentLine,
    IncidentPost,
    IncidentSnapshot,
)
from bot.incidents.model import Incident
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.visibility import told_at_once

__all__ = ["CHECKLIST_PAGE", "CONTEXTS", "Out", "authority_notice", "snapshot"]

CHECKLIST_PAGE = 45  # items per checklist message: with its header, within Slack's 50 blocks a message


def snapshot(incident: Incident, org: Org, actions: list[ActionStatus] | None = None) -> IncidentSnapshot:
    department = org.department(incident.department_key or "")
    return IncidentSnapshot(
        reference=incident.reference, kind=incident.kind, status=incident.status,
        occurred_at=incident.occurred_at, reported_at=incident.reported_at, location=incident.location,
        description=incident.description, injured=incident.injured, injured_names=incident.injured_names,
        immediate_actions=incident.immediate_actions, reporter=incident.reporter_id,
        department=department.name if department else None, confidential=incident.confidential,
        urgent=incident.urgent, timezone=org.timezone, channel=incident.channel_id,
        channel_failed=incident.channel_failed,
        checklist=[ChecklistEntry.model_validate(entry) for entry in incident.checklist],
        authority_report=AuthorityRecord.model_validate(incident.authority_report)
        if incident.authority_report else None,
        root_cause=incident.root_cause, lessons=incident.lessons,
        thread=(incident.thread_channel or "", incident.thread_ts) if incident.thread_ts else None,
        actions=actions or [])


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def authority_notice(incident: Incident, org: Org, recipient: str, *, notice: str = "authority_overdue",
                            due: datetime | None = None) -> dict[str, Any]:
    """The JSON context of a reminder about the report to the higher authority (5.2.3): to management at the
    limit (`authority_overdue`), to the safety officers at half time (`authority_due`), or the follow-up on
    casualty changes (`follow_up`)."""
    alert = IncidentAlert(**_fields(snapshot(incident, org)), recipient=recipient, notice=notice, due=due)
    return alert.model_dump(mode="json")


def checklist_pages(incident: Incident) -> int:
    return max(1, -(-len(incident.checklist) // CHECKLIST_PAGE))


def checklist_key(base: str, page: int) -> str:
    """`checklist` (or `checklist-thread`) for the first page, `checklist:p2` ... for the next ones."""
    return base if page == 0 else f"{base}:p{page + 1}"


class Out:
    """Queues one incident's messages within the caller's unit of work."""

    def __init__(self, uow: IncidentsUnitOfWork, incident: Incident, org: Org, now: datetime) -> None:
        self.uow, self.incident, self.org, self.now = uow, incident, org, now
        actions = [ActionStatus(reference=r.reference, status=r.status)
                   for r in rectifications_of(incident.reference, uow=uow)]
        self.case = _fields(snapshot(incident, org, actions))

    def message(self, key: str, recipient: str, template: str, context: BaseModel | None = None,
                **fields: Any) -> OutboxMessage:
        context = context or IncidentPost(**self.case, recipient=recipient)
        return OutboxMessage(key=f"{self.incident.reference}:{key}", recipient=recipient, template=template,
                             context=context.model_dump(mode="json"), created_at=self.now,
                             subject=self.incident.reference, **fields)

    def send(self, key: str, recipient: str, template: str, context: BaseModel | None = None, **fields: Any) -> None:
        self.uow.outbox.add(self.message(key, recipient, template, context, **fields))

    def alert(self, key: str, recipient: str) -> None:
        self.send(key, recipient, "incident.alert", IncidentAlert(**self.case, recipient=recipient))

    def refresh(self, key: str, recipient: str, template: str) -> None:
        """Update a posted message in place with the incident's current state."""
        self.uow.outbox.put_latest(self.message(f"{key}:update", recipient, template,
                                                update_of=f"{self.incident.reference}:{key}"))

    def refresh_posts(self) -> None:
        """Every copy of the incident shows where it stands: the safety post, the pinned summary, and the
        alerts and receipt in people's DMs (which said "not yet reported · checklist 0/6" for ever)."""
        self.refresh("safety-post", self.org.safety_department.channel, "incident.post")
        if self.incident.channel_id:
            self.refresh("summary", self.incident.channel_id, "incident.summary")
        for person in told_at_once(self.incident, self.org):
            self.uow.outbox.put_latest(self.message(
                f"told:{person}:update", person, "incident.alert", IncidentAlert(**self.case, recipient=person),
                update_of=f"{self.incident.reference}:told:{person}"))
        reporter = self.incident.reporter_id
        self.refresh(f"reporter:{reporter}", reporter, "incident.receipt")

    def confidential_circle(self, exclude: str | None = None) -> list[str]:
        """A confidential incident without a channel of its own keeps its corrective actions' card and thread
        in the closing officer's DM; the other safety officers and management hear of them by DM (never the
        wider safety channel)."""
        if not self.incident.confidential or self.incident.channel_id:
            return []
        people = [*self.org.safety_department.members, *self.org.management.members]
        return [p for p in dict.fromkeys(people) if p != exclude]

    def tell_circle(self, key: str, line: str, exclude: str | None = None, **extra: Any) -> None:
        for person in self.confidential_circle(exclude):
            self.send(f"{key}:{person}", person, "incident.line",
                      IncidentLine(**self.case, recipient=person, line=line, **extra))

    def settle_reminders(self) -> None:
        """The officers' half-time reminders, updated in place once the report is recorded: no button left
        that could only be refused."""
        for officer in self.org.safety_department.members:
            key = f"{self.incident.reference}:authority-due:{officer}"
            if self.uow.outbox.by_key(key) is not None:
                self.uow.outbox.put_latest(self.message(
                    f"authority-due:{officer}:update", officer, "incident.alert",
                    IncidentAlert(**self.case, recipient=officer, notice="authority_recorded"), update_of=key))

    def notify(self, notice: str) -> None:
        """Tell the reporter, the department's leaders and management (closed, resolved), each once."""
        for person in dict.fromkeys([self.incident.reporter_id, *told_at_once(self.incident, self.org)]):
            self.send(f"{notice}:{person}", person, "incident.alert",
                      IncidentAlert(**self.case, recipient=person, notice=notice))

    def send_checklist(self, base: str, channel: str, reply_to: str | None = None) -> None:
        """The checklist, one message per page of `CHECKLIST_PAGE` items, so every item has its button."""
        for page in range(checklist_pages(self.incident)):
            self.send(checklist_key(base, page), channel, "incident.checklist",
                      ChecklistPage(**self.case, recipient=channel, page=page),
                      **({"reply_to": reply_to} if reply_to else {}))

    def refresh_checklist(self, base: str, channel: str, item: int) -> None:
        """Update in place the page that holds `item`."""
        page = item // CHECKLIST_PAGE
        key = checklist_key(base, page)
        self.uow.outbox.put_latest(self.message(f"{key}:update", channel, "incident.checklist",
                                                ChecklistPage(**self.case, recipient=channel, page=page),
                                                update_of=f"{self.incident.reference}:{key}"))

    def thread(self, key: str, line: str, **extra: Any) -> None:
        """A line in the incident's own channel, or in the safety thread when there is none."""
        if self.incident.channel_id:
            channel = self.incident.channel_id
            self.send(key, channel, "incident.line", IncidentLine(**self.case, recipient=channel, line=line, **extra))
        else:
            channel = self.org.safety_department.channel
            if self.incident.confidential:  # the wider safety channel: not even the corrective actions' references
                extra.pop("opened", None)
            self.send(key, channel, "incident.line", IncidentLine(**self.case, recipient=channel, line=line, **extra),
                      reply_to=f"{self.incident.reference}:safety-post")
