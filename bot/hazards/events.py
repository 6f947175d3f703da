"""What the hazard feature tells others: facts recorded by its use cases, heard in the same transaction.

`incident_ref` is set when the hazard is an incident's corrective action (5.2.4); the incident feature
subscribes to the rectification events to follow its actions.
"""

from __future__ import annotations

from bot.core.events import DomainEvent, Handler
from bot.core.org import Org
from bot.hazards.model import HazardStatus, Step


class HazardReported(DomainEvent):
    """A hazard was reported, or opened as a rectification on someone else's behalf."""

    department_key: str
    incident_ref: str | None = None


class RectificationStepTaken(DomainEvent):
    """A step of the closed loop was taken (any step but the verification that closes it)."""

    step: Step
    status: HazardStatus
    assignee_id: str | None = None
    incident_ref: str | None = None


class RectificationVerified(RectificationStepTaken):
    """A safety officer verified the rectification: the case is closed."""


class ReporterRevealed(DomainEvent):
    """A safety officer looked up who reported an anonymous hazard."""


def subscriptions(org: Org) -> dict[type[DomainEvent], list[Handler]]:
    """What the hazard feature listens to: nothing yet (others call its public use cases instead)."""
    return {}
