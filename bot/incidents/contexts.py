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
    done_by_name: str | None = None  # how the channel names who ticked it: a tick pings nobody


class AuthorityRecord(_Context):
    """The report to the higher authority; the fields after `recorded_at` are Art. 12's items (older records
    lack them)."""

    by: str
    to: str
    on: str | None  # the day it was reported, as an ISO date
    number: str = ""
    recorded_at: str
    unit: str = ""  # the unit's particulars
    scene: str = ""  # time, place and scene
    account: str = ""  # a brief account of what happened
    casualties: str = ""  # dead, injured and missing
    loss: str = ""  # a first estimate of the direct economic loss
    measures: str = ""  # measures taken
    other: str = ""


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
    """incident.alert: the alert up the chain (updated in place as the incident moves on), or a notice:
    `authority_overdue` (management, at the limit), `authority_due` (safety officers, at half time, with the
    button that records the report), `follow_up` (casualty changes to report again, Art. 13), `closed`,
    `resolved` (the reporter, the department's leaders and management), `authority_recorded` (the half-time
    reminder once the report is recorded)."""

    notice: str | None = None
    due: datetime | None = None  # authority_due: the limit; follow_up: the end of the follow-up window


class ChecklistPage(IncidentPost):
    """incident.checklist: one page of the checklist (Slack takes 50 blocks a message)."""

    page: int = 0


class IncidentLine(IncidentPost):
    """incident.line: what happened, in the incident's channel (or the safety thread)."""

    line: str
    actor: str | None = None
    actor_name: str | None = None  # how the line names its actor (learned before the transaction): no ping
    error: str | None = None
    officers: list[str] = Field(default_factory=list)
    opened: list[str] = Field(default_factory=list)  # on closing: the rectifications opened
    action_status: HazardStatus | None = None  # action_moved: where the corrective action (`opened`) now stands


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
    names: dict[str, str] = Field(default_factory=dict)  # user id -> the person's name, for the file


class ReportFile(_Context):
    recipient: str
    reference: str
    report: IncidentReport
    format: str = "md"  # "md" (Markdown) or "docx"


CONTEXTS: dict[str, type[BaseModel]] = {
    "incident.post": IncidentPost,
    "incident.alert": IncidentAlert,
    "incident.receipt": IncidentPost,
    "incident.summary": IncidentPost,
    "incident.checklist": ChecklistPage,
    "incident.line": IncidentLine,
    "incident.create_channel": CreateChannel,
    "incident.find_channel": FindChannel,
    "incident.invite": Invite,
    "incident.pin": Pin,
    "incident.report_file": ReportFile,
}
