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
    IncidentAlert,
    IncidentLine,
    IncidentPost,
    IncidentSnapshot,
)
from bot.incidents.model import Incident
from bot.incidents.ports import IncidentsUnitOfWork

__all__ = ["CONTEXTS", "Out", "authority_overdue_alert", "snapshot"]


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


def authority_overdue_alert(incident: Incident, org: Org, recipient: str) -> dict[str, Any]:
    """The JSON context of the reminder to management that the authority was not told in time (5.2.3)."""
    alert = IncidentAlert(**_fields(snapshot(incident, org)), recipient=recipient, notice="authority_overdue")
    return alert.model_dump(mode="json")


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
        self.refresh("safety-post", self.org.safety_department.channel, "incident.post")
        if self.incident.channel_id:
            self.refresh("checklist", self.incident.channel_id, "incident.checklist")

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
