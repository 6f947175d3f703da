"""The typed contexts of incident messages, built by `bot.incidents.messages`, stored as JSON in the outbox,
validated by the renderer and read by `handlers/incidents` views by attribute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.hazards import HazardStatus
from bot.incidents.model import IncidentStatus, IncidentType


class _Context(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChecklistEntry(_Context):
    item: int
    en: str
    zh: str
    done_by: str | None = None
    done_at: datetime | None = None


class AuthorityRecord(_Context):
    by: str
    to: str
    on: str | None  # the day it was reported, as an ISO date
    number: str = ""
    recorded_at: str


class ActionStatus(_Context):
    reference: str
    status: HazardStatus


class IncidentSnapshot(_Context):
    """The incident as every message about it shows it."""

    reference: str
    kind: IncidentType
    status: IncidentStatus
    occurred_at: datetime
    reported_at: datetime
    location: str
    description: str
    injured: int
    injured_names: str
    immediate_actions: str
    reporter: str
    department: str | None
    confidential: bool
    urgent: bool
    timezone: str
    channel: str | None = None
    channel_failed: str | None = None
    checklist: list[ChecklistEntry] = Field(default_factory=list)
    authority_report: AuthorityRecord | None = None
    root_cause: str | None = None
    lessons: str | None = None
    thread: tuple[str, str] | None = None
    actions: list[ActionStatus] = Field(default_factory=list)  # its corrective actions, as they stand


class IncidentPost(IncidentSnapshot):
    """incident.post, .receipt, .summary and .checklist: the incident for one recipient."""

    recipient: str


class IncidentAlert(IncidentPost):
    """incident.alert: the alert up the chain, or (notice `authority_overdue`) the reminder to management."""

    notice: str | None = None


class IncidentLine(IncidentPost):
    """incident.line: what happened, in the incident's channel (or the safety thread)."""

    line: str
    actor: str | None = None
    error: str | None = None
    officers: list[str] = Field(default_factory=list)
    opened: list[str] = Field(default_factory=list)  # on closing: the rectifications opened


class CreateChannel(_Context):
    recipient: str
    name: str
    is_private: bool
    attempt: int = 0  # names tried before this one (each taken by someone else)


class FindChannel(_Context):
    """incident.find_channel: a page of `conversations.list`, looking for the channel the bot made."""

    recipient: str
    name: str
    is_private: bool
    attempt: int = 0
    cursor: str = ""


class Invite(_Context):
    recipient: str
    users: list[str]


class Pin(_Context):
    recipient: str
    ts: str


class TimelineEntry(_Context):
    action: str
    actor: str
    at: datetime
    changes: dict[str, Any] = Field(default_factory=dict)


class ActionProgress(_Context):
    reference: str
    status: HazardStatus
    assignee_id: str | None
    deadline_at: datetime | None
    measures: str | None


class IncidentReport(_Context):
    context: IncidentSnapshot
    timeline: list[TimelineEntry]
    actions: list[ActionProgress]


class ReportFile(_Context):
    recipient: str
    reference: str
    report: IncidentReport


CONTEXTS: dict[str, type[BaseModel]] = {
    "incident.post": IncidentPost,
    "incident.alert": IncidentAlert,
    "incident.receipt": IncidentPost,
    "incident.summary": IncidentPost,
    "incident.checklist": IncidentPost,
    "incident.line": IncidentLine,
    "incident.create_channel": CreateChannel,
    "incident.find_channel": FindChannel,
    "incident.invite": Invite,
    "incident.pin": Pin,
    "incident.report_file": ReportFile,
}
