"""The incident (5.1, 5.2) and the commands people give about it.

Plain dataclass and models; `storage` maps `Incident` to a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.model import CaseEvent

MAX_ACTIONS = 3  # corrective actions the close modal offers


class IncidentType(StrEnum):
    FIRE = "fire"
    INJURY = "injury"
    ELECTRICAL = "electrical"
    NETWORK_SECURITY = "network_security"
    DATA_LEAK = "data_leak"
    EVACUATION = "evacuation"
    OTHER = "other"


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    RESPONDING = "responding"  # the emergency plan is running
    CLOSED = "closed"  # root cause, lessons and actions recorded; actions under way
    RESOLVED = "resolved"  # every corrective action verified


HANDLING = (IncidentStatus.REPORTED, IncidentStatus.RESPONDING)  # before it is closed


@dataclass(eq=False)
class Incident:
    reference: str
    kind: IncidentType
    occurred_at: datetime
    location: str
    description: str
    injured: int
    injured_names: str
    immediate_actions: str
    reporter_id: str
    department_key: str | None
    confidential: bool
    reported_at: datetime
    status: IncidentStatus = IncidentStatus.REPORTED
    channel_id: str | None = None
    channel_failed: str | None = None  # why the incident channel could not be made; handled in the thread
    thread_channel: str | None = None
    thread_ts: str | None = None
    checklist: list[dict[str, Any]] = field(default_factory=list)
    authority_report: dict[str, Any] | None = None
    root_cause: str | None = None
    lessons: str | None = None
    closed_at: datetime | None = None
    revision: int = 1
    id: int | None = None

    @property
    def urgent(self) -> bool:
        return self.injured > 0 or self.kind in (IncidentType.FIRE, IncidentType.DATA_LEAK)

    def step(self, action: str, actor_id: str, now: datetime, **changes: Any) -> CaseEvent:
        self.revision += 1
        return CaseEvent(case_ref=self.reference, action=action, actor_id=actor_id, at=now, changes=changes)


class ReportIncident(BaseModel):
    reporter_id: str
    kind: IncidentType | None
    occurred_at: datetime | None
    location: str
    description: str
    injured: str = "0"  # as typed: checked here, so a letter comes back as a field error
    injured_names: str = ""
    immediate_actions: str = ""
    department_key: str | None = None
    confidential: bool = False


class CorrectiveAction(BaseModel):
    measures: str
    owner_id: str | None
    deadline: datetime | None


class CloseIncident(BaseModel):
    reference: str
    actor_id: str
    root_cause: str
    lessons: str
    actions: list[CorrectiveAction] = Field(default_factory=list)


ART12 = ("unit", "scene", "account", "casualties", "loss", "measures", "other")  # the report's items (Art. 12)
ART12_OPTIONAL = ("loss", "other")


class AuthorityReport(BaseModel):
    """The report to the higher authority: to whom, when, their number, and what it held (Art. 12)."""

    reference: str
    actor_id: str
    authority: str
    reported_on: date | None
    number: str = ""
    unit: str = ""  # the unit's particulars
    scene: str = ""  # time, place and scene
    account: str = ""  # a brief account
    casualties: str = ""  # dead, injured, missing
    loss: str = ""  # a first estimate of the direct economic loss
    measures: str = ""  # measures taken
    other: str = ""
