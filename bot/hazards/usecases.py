"""Hazard use cases (7.3, 2.2.4): report, take a step of the closed loop, look a case up.

Each use case is one short function: check the input, then in one unit of work change the case,
append its timeline event and queue its messages, and commit. The rules themselves live in
`bot.hazards.workflow`, the notifications in `bot.hazards.messages`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from bot.core.clock import Clock, utcnow
from bot.core.errors import InvalidInput, NotAllowed, NotFound, text_problem
from bot.core.model import CaseEvent, Photo, format_reference
from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.ports import Directory, UnitOfWork
from bot.core.workdays import WorkCalendar, deadline_for
from bot.hazards.messages import case_context, queue_report, queue_step
from bot.hazards.workflow import (
    OPEN_STATUSES,
    Hazard,
    HazardCategory,
    HazardStatus,
    Role,
    Step,
    StepInput,
    check_input,
    roles_of,
)
from bot.incidents.usecases import on_rectification_step

DESCRIPTION_MAX = 3000
LOCATION_MAX = 200
REFERENCE_PREFIX = "HZ"





class ReportHazard(BaseModel):
    """What a person submitted in the report modal, already parsed from Slack's payload."""

    reporter_id: str
    category: HazardCategory | None
    location: str
    description: str
    department_key: str | None
    anonymous: bool = False
    photos: list[Photo] = Field(default_factory=list)
    source_permalink: str | None = None


class HazardReported(BaseModel):
    reference: str
    department_name: str


def _check(cmd: ReportHazard, org: Org) -> dict[str, str]:
    problems: dict[str, str] = {}
    if cmd.category is None:
        problems["category"] = "error.required"
    for field, limit, too_long in (("location", LOCATION_MAX, "error.too_long_location"),
                                   ("description", DESCRIPTION_MAX, "error.too_long_description")):
        if problem := text_problem(getattr(cmd, field), limit, too_long):
            problems[field] = problem
    if not cmd.department_key:
        problems["department"] = "error.required"
    elif org.department(cmd.department_key) is None:
        problems["department"] = "error.unknown_department"
    return problems


def report_hazard(cmd: ReportHazard, *, uow: UnitOfWork, org: Org, clock: Clock = utcnow) -> HazardReported:
    problems = _check(cmd, org)
    if problems:
        raise InvalidInput(problems)
    department = org.department(cmd.department_key or "")
    assert department is not None and cmd.category is not None
    now = clock()
    with uow:
        number = uow.references.next(REFERENCE_PREFIX, now.astimezone(org.tz).year)
        hazard = Hazard(
            reference=format_reference(REFERENCE_PREFIX, now.astimezone(org.tz).year, number),
            category=cmd.category,
            location=cmd.location.strip(),
            description=cmd.description.strip(),
            department_key=department.key,
            reporter_id=cmd.reporter_id,
            anonymous=cmd.anonymous,
            reported_at=now,
            photos=[asdict(p) for p in cmd.photos],
            source_permalink=cmd.source_permalink,
        )
        uow.hazards.add(hazard)
        uow.events.append(CaseEvent(
            case_ref=hazard.reference, action="reported", actor_id=cmd.reporter_id, at=now,
            changes={"category": hazard.category.value, "location": hazard.location,
                     "department": department.key, "anonymous": hazard.anonymous},
        ))
        queue_report(uow, hazard, org, now)
        uow.commit()
    return HazardReported(reference=hazard.reference, department_name=department.name)


def reveal_reporter(reference: str, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock = utcnow) -> str:
    """Who reported an anonymous hazard: safety officers only, and the look-up is on the timeline."""
    if not org.is_safety_officer(actor_id):
        raise NotAllowed("error.safety_only")
    with uow:
        hazard = uow.hazards.get(reference)
        if hazard is None:
            raise NotFound("error.case_not_found", reference=reference)
        uow.events.append(CaseEvent(case_ref=reference, action="reporter_revealed", actor_id=actor_id,
                                    at=clock()))
        uow.commit()
        return hazard.reporter_id


def _roles(user_id: str, hazard: Hazard, org: Org) -> set[Role]:
    department = org.department(hazard.department_key)
    return roles_of(user_id, hazard, leaders=department.leaders if department else [],
                    safety_officers=set(org.safety_department.members))


def _load(uow: UnitOfWork, reference: str, *, lock: bool = False) -> Hazard:
    hazard = uow.hazards.get(reference, lock=lock)
    if hazard is None:
        raise NotFound("error.case_not_found", reference=reference)
    return hazard


def check_step(reference: str, step: Step, *, actor_id: str, uow: UnitOfWork, org: Org) -> None:
    """Would this person be allowed this step now? Lets a button refuse before a modal opens."""
    with uow:
        hazard = _load(uow, reference)
        hazard.check(step, _roles(actor_id, hazard, org))


def case_snapshot(reference: str, *, uow: UnitOfWork, org: Org) -> dict[str, object]:
    """The case as its cards show it; what a step modal is pre-filled from."""
    with uow:
        return case_context(_load(uow, reference), org)


class StepTaken(BaseModel):
    reference: str
    step: Step
    status: HazardStatus


def take_step(cmd: StepInput, *, uow: UnitOfWork, org: Org, calendar: WorkCalendar, directory: Directory,
              clock: Clock = utcnow) -> StepTaken:
    """One step of the closed loop: checked, applied, recorded and announced in one transaction."""
    now = clock()
    problems = check_input(cmd, now=now, department_exists=lambda key: org.department(key) is not None)
    if cmd.assignee_id and "assignee" not in problems and not directory.is_active_user(cmd.assignee_id):
        problems["assignee"] = "error.unknown_user"  # asked before the transaction: it is a Slack call
    if problems:
        raise InvalidInput(problems)
    with uow:
        hazard = _load(uow, cmd.reference, lock=True)
        before = org.department(hazard.department_key)
        previous_leaders = before.leaders if before else []
        previous_assignee = hazard.assignee_id
        default = deadline_for(cmd.severity, start=now, org=org, calendar=calendar) if cmd.severity else None
        event = hazard.apply(cmd, roles=_roles(cmd.actor_id, hazard, org), now=now, default_deadline=default)
        uow.events.append(event)
        queue_step(uow, hazard, event, org, previous_leaders=previous_leaders, previous_assignee=previous_assignee)
        on_rectification_step(uow, hazard, org, now)
        year = hazard.deadline_at.astimezone(org.tz).year if hazard.deadline_at else None
        if org.working_days and year and not calendar.knows_year(year):
            uow.outbox.add(OutboxMessage(  # once a year, whatever the number of cases: the key is the year
                key=f"calendar-unknown:{year}", recipient=org.safety_department.channel,
                template="calendar.unknown_year", context={"year": year}, created_at=now))
        uow.commit()
    return StepTaken(reference=hazard.reference, step=cmd.step, status=hazard.status)


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
    timeline: list[dict[str, object]]


def view_case(reference: str, *, viewer_id: str, uow: UnitOfWork, org: Org) -> CaseView:
    with uow:
        hazard = _load(uow, reference)
        roles = _roles(viewer_id, hazard, org)
        sees_all = Role.SAFETY in roles or org.is_management(viewer_id)
        if not (roles or sees_all or viewer_id == hazard.reporter_id):
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
            timeline=[{"action": e.action, "actor": None if hide and e.action == "reported" else e.actor_id,
                       "at": e.at} for e in events],
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


def my_cases(user_id: str, *, uow: UnitOfWork, org: Org) -> MyCases:
    def lines(found: list[Hazard]) -> list[CaseLine]:
        return [CaseLine(reference=h.reference, status=h.status, location=h.location, deadline_at=h.deadline_at)
                for h in found]

    led = [d.key for d in org.departments if user_id in d.leaders]
    with uow:
        reported = uow.hazards.find(reporter_id=user_id, statuses=OPEN_STATUSES)
        tasks = uow.hazards.find(assignee_id=user_id, statuses={HazardStatus.ASSIGNED})
        deciding = uow.hazards.find(department_keys=led, statuses={
            HazardStatus.REPORTED, HazardStatus.ASSESSED, HazardStatus.COMPLETED}) if led else []
        deciding += [h for h in uow.hazards.find(department_keys=led, statuses={HazardStatus.ASSIGNED})
                     if h.extension_until] if led else []
        if org.is_safety_officer(user_id):
            deciding += uow.hazards.find(statuses={HazardStatus.APPROVED})
        return MyCases(reported=lines(reported), tasks=lines(tasks),
                       to_decide=lines(sorted(deciding, key=lambda h: h.reference)))
