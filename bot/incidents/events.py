"""What the incident feature records as facts (for its subscribers, present and future)."""

from __future__ import annotations

from bot.core.events import DomainEvent
from bot.incidents.model import IncidentType


class IncidentReported(DomainEvent):
    kind: IncidentType
    urgent: bool
    confidential: bool


class EmergencyPlanStarted(DomainEvent):
    pass


class AuthorityReported(DomainEvent):
    authority: str


class IncidentClosed(DomainEvent):
    corrective_actions: list[str]  # references of the rectifications opened


class IncidentResolved(DomainEvent):
    """Every corrective action of the incident is verified."""
