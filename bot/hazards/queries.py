"""Looking cases up: one case for one viewer, a person's own cases, an incident's corrective actions.

What waits for whom comes from `bot.hazards.rules`; nothing here restates who may act when.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from bot.core.errors import NotAllowed
from bot.core.org import Org
from bot.hazards.model import OPEN_STATUSES, Hazard, HazardCategory, HazardStatus, Role, timeline_action
from bot.hazards.ports import HazardsUnitOfWork
from bot.hazards.rules import actors_for, awaited_decision, roles_of, waiting_for, waiting_states

MAX_ACTIONS_LISTED = 100
MY_CASES_LISTED = 50  # per list of `/hazard mine`


class TimelineLine(BaseModel):
    action: str
    actor: str | None  # None: the anonymous reporter, for a viewer who may not know them
    at: datetime


class CaseView(BaseModel):
    """A case as one viewer may see it: the anonymous reporter is hidden outside the safety department."""

    reference: str
    status: HazardStatus
    category: HazardCategory
    location: str
    description: str
    department: str
    reporter_id: str | None
    severity: str | None
    deadline_at: datetime | None
    assignee_id: str | None
    measures: str | None
    last_reason: str | None
    timeline: list[TimelineLine]


def view_case(reference: str, *, viewer_id: str, uow: HazardsUnitOfWork, org: Org) -> CaseView:
    """The case for one viewer. A case that does not exist and one the viewer may not see get the same
    answer, so asking tells a stranger nothing about which references are taken."""
    with uow.reading():
        hazard = uow.hazards.get(reference)
        roles = roles_of(viewer_id, hazard, org) if hazard else set()
        sees_all = Role.SAFETY in roles or org.is_management(viewer_id)
        if hazard is None or not (roles or sees_all or viewer_id == hazard.reporter_id):
            raise NotAllowed("error.not_allowed_view", reference=reference)
        hide = hazard.anonymous and not (Role.SAFETY in roles or viewer_id == hazard.reporter_id)
        events = uow.events.for_case(reference)
        department = org.department(hazard.department_key)
        return CaseView(
            reference=reference, status=hazard.status, category=hazard.category, location=hazard.location,
            description=hazard.description, department=department.name if department else hazard.department_key,
            reporter_id=None if hide else hazard.reporter_id,
            severity=hazard.severity.value if hazard.severity else None, deadline_at=hazard.deadline_at,
            assignee_id=hazard.assignee_id, measures=hazard.measures, last_reason=hazard.last_reason,
            timeline=[TimelineLine(action=timeline_action(e.action),
                                   actor=None if hide and e.action == "reported" else e.actor_id, at=e.at)
                      for e in events],
        )


class CaseLine(BaseModel):
    reference: str
    status: HazardStatus
    location: str
    deadline_at: datetime | None


class MyCases(BaseModel):
    reported: list[CaseLine]  # my open reports
    tasks: list[CaseLine]  # rectifications assigned to me
    to_decide: list[CaseLine]  # waiting for me as head, deputy or safety officer


def _waiting_for_me(found: list[Hazard], role: Role, user_id: str, org: Org) -> list[Hazard]:
    """Cases waiting for this role of mine; not a decision on work I carried out myself."""
    return [h for h in found if role in waiting_for(h) and role in roles_of(user_id, h, org)
            and ((awaited := awaited_decision(h)) is None or user_id in actors_for(awaited, h, org))]


def my_cases(user_id: str, *, uow: HazardsUnitOfWork, org: Org, limit: int = MY_CASES_LISTED) -> MyCases:
    """Each list's first `limit` cases, oldest first, found in SQL among those that wait for this person's role
    (a busy head's 180 pending extension requests are all found, not the 3 among the first 50 assigned cases)."""
    def lines(found: list[Hazard]) -> list[CaseLine]:
        return [CaseLine(reference=h.reference, status=h.status, location=h.location, deadline_at=h.deadline_at)
                for h in found]

    led = [d.key for d in org.departments if user_id in d.leaders]
    with uow.reading():
        reported = uow.hazards.find(reporter_id=user_id, statuses=OPEN_STATUSES, limit=limit)
        tasks = _waiting_for_me(uow.hazards.find(assignee_id=user_id, waiting=waiting_states(Role.ASSIGNEE),
                                                 limit=limit), Role.ASSIGNEE, user_id, org)
        deciding = _waiting_for_me(uow.hazards.find(department_keys=led, waiting=waiting_states(Role.LEADER),
                                                    limit=limit), Role.LEADER, user_id, org) if led else []
        if org.is_safety_officer(user_id):
            deciding += _waiting_for_me(uow.hazards.find(waiting=waiting_states(Role.SAFETY), limit=limit),
                                        Role.SAFETY, user_id, org)
        unique = {h.reference: h for h in deciding}
        return MyCases(reported=lines(reported), tasks=lines(tasks),
                       to_decide=lines(sorted(unique.values(), key=lambda h: h.reference)))


class Rectification(BaseModel):
    """How one rectification stands, for the feature that asked for it."""

    reference: str
    status: HazardStatus
    assignee_id: str | None
    deadline_at: datetime | None
    measures: str | None

    @property
    def verified(self) -> bool:
        return self.status is HazardStatus.CLOSED


def rectifications_of(incident_ref: str, *, uow: HazardsUnitOfWork) -> list[Rectification]:
    """The corrective actions opened for an incident, oldest first; inside the caller's unit of work."""
    return [Rectification(reference=h.reference, status=h.status, assignee_id=h.assignee_id,
                          deadline_at=h.deadline_at, measures=h.measures)
            for h in uow.hazards.find(incident_ref=incident_ref, limit=MAX_ACTIONS_LISTED)]
