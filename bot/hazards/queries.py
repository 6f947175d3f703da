"""Looking cases up: one case for one viewer, a person's own cases, an incident's corrective actions.

What waits for whom comes from `bot.hazards.rules`; nothing here restates who may act when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.core.clock import utcnow
from bot.core.errors import NotAllowed
from bot.core.org import Org
from bot.hazards.escalation import RUNGS, DeadlineLevel
from bot.hazards.model import OPEN_STATUSES, Hazard, HazardCategory, HazardStatus, Role, Step, timeline_action
from bot.hazards.ports import HazardsUnitOfWork
from bot.hazards.rules import actors_for, awaited_decision, next_steps, roles_of, waiting_for, waiting_states

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
    thread: tuple[str, str] | None = None  # (channel, ts) of its thread, for a link (lists for officers)


class MyCases(BaseModel):
    reported: list[CaseLine]  # my open reports
    tasks: list[CaseLine]  # rectifications assigned to me
    to_decide: list[CaseLine]  # waiting for me as head, deputy, stand-in or safety officer
    may_assess: list[CaseLine] = Field(default_factory=list)  # awaiting assessment, which I (an officer) may take
    escalated: list[CaseLine] = Field(default_factory=list)  # overdue, and the escalation has reached me


def _line(h: Hazard) -> CaseLine:
    return CaseLine(reference=h.reference, status=h.status, location=h.location, deadline_at=h.deadline_at,
                    thread=(h.thread_channel or "", h.thread_ts) if h.thread_ts else None)


def _escalated_to(found: list[Hazard], level: DeadlineLevel, org: Org, now: datetime) -> list[Hazard]:
    """Overdue cases whose escalation chain has reached this level (`bot.hazards.escalation`), most overdue first."""
    rung = RUNGS[level]
    late = [h for h in found if h.status is HazardStatus.ASSIGNED and h.deadline_at is not None
            and rung.fires_at(h.deadline_at, org.escalation) <= now]
    return sorted(late, key=lambda h: (h.deadline_at, h.reference))


def _waiting_for_me(found: list[Hazard], role: Role, user_id: str, org: Org) -> list[Hazard]:
    """Cases waiting for this role of mine; not a decision on work I carried out myself."""
    return [h for h in found if role in waiting_for(h) and role in roles_of(user_id, h, org)
            and ((awaited := awaited_decision(h)) is None or user_id in actors_for(awaited, h, org))]


def my_cases(user_id: str, *, uow: HazardsUnitOfWork, org: Org, now: datetime | None = None,
             limit: int = MY_CASES_LISTED) -> MyCases:
    """What waits for this person: their open reports, their tasks, their decisions (as head, deputy, safety
    officer, or an officer standing in for a head who did the work), and for heads and officers the overdue
    cases escalated to them; officers also see the reports awaiting an assessment they may take. Each list's
    first `limit` cases, found in SQL among those that wait for this person's role (a busy head's 180
    pending extension requests are all found, not the 3 among the first 50 assigned cases)."""
    def lines(found: list[Hazard]) -> list[CaseLine]:
        return [_line(h) for h in found]

    now = now or utcnow()
    led = [d.key for d in org.departments if user_id in d.leaders]
    officer = org.is_safety_officer(user_id)

    def late(level: DeadlineLevel, **where: Any) -> list[Hazard]:
        """Assigned cases whose chain has reached this level: their deadline is that much before now."""
        before = now - RUNGS[level].after_deadline(org.escalation)
        return _escalated_to(uow.hazards.find(statuses={HazardStatus.ASSIGNED}, deadline_before=before,
                                              limit=limit, **where), level, org, now)

    with uow.reading():
        reported = uow.hazards.find(reporter_id=user_id, statuses=OPEN_STATUSES, limit=limit)
        tasks = _waiting_for_me(uow.hazards.find(assignee_id=user_id, waiting=waiting_states(Role.ASSIGNEE),
                                                 limit=limit), Role.ASSIGNEE, user_id, org)
        deciding = _waiting_for_me(uow.hazards.find(department_keys=led, waiting=waiting_states(Role.LEADER),
                                                    limit=limit), Role.LEADER, user_id, org) if led else []
        escalated = late(DeadlineLevel.HEAD, department_keys=led) if led else []
        may_assess: list[Hazard] = []
        if officer:
            for role in (Role.SAFETY, Role.STAND_IN):
                deciding += _waiting_for_me(uow.hazards.find(waiting=waiting_states(role), limit=limit),
                                            role, user_id, org)
            may_assess = [h for h in uow.hazards.find(statuses={HazardStatus.REPORTED}, limit=limit)
                          if user_id not in actors_for(Step.ASSESS, h, org)
                          and next_steps(h, roles_of(user_id, h, org), (Step.ASSESS,))]
            escalated += late(DeadlineLevel.SAFETY)
        unique = {h.reference: h for h in deciding}
        return MyCases(reported=lines(reported), tasks=lines(tasks),
                       to_decide=lines(sorted(unique.values(), key=lambda h: h.reference)),
                       may_assess=lines(may_assess),
                       escalated=lines(list({h.reference: h for h in escalated}.values())))


class OpenCases(BaseModel):
    """`/hazard open` for safety officers: one page of every open case, overdue first (most overdue first),
    then the rest by deadline, then those without one, oldest first."""

    lines: list[CaseLine]
    page: int
    pages: int
    total: int
    overdue: int


# The statuses in which a deadline still runs (the rectification is to be done), as the views count it.
_RUNNING = frozenset({HazardStatus.REPORTED, HazardStatus.ASSESSED, HazardStatus.ASSIGNED})
OPEN_PAGE = 25  # cases per page: a few sections' worth, well inside a message's 50 blocks


def open_cases(viewer_id: str, *, uow: HazardsUnitOfWork, org: Org, page: int = 1,
               now: datetime | None = None) -> OpenCases:
    """Every open case, for safety officers only (others get a polite refusal)."""
    if not org.is_safety_officer(viewer_id):
        raise NotAllowed("error.open_safety_only")
    moment = now or utcnow()

    def late(h: Hazard) -> bool:
        """Past its deadline with the rectification still to do: once reported done it is nobody's delay."""
        return h.status in _RUNNING and h.deadline_at is not None and h.deadline_at <= moment

    def order(h: Hazard) -> tuple[int, datetime, int]:
        if h.deadline_at is None:
            return 2, h.reported_at, h.id or 0
        return (0 if late(h) else 1), h.deadline_at, h.id or 0

    with uow:
        ordered = sorted(uow.hazards.find(statuses=OPEN_STATUSES, limit=100_000), key=order)
        pages = max(1, -(-len(ordered) // OPEN_PAGE))
        page = min(max(page, 1), pages)
        shown = ordered[(page - 1) * OPEN_PAGE: page * OPEN_PAGE]
        overdue = sum(1 for h in ordered if late(h))
        return OpenCases(lines=[_line(h) for h in shown], page=page, pages=pages, total=len(ordered),
                         overdue=overdue)


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
