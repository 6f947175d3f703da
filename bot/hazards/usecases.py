"""Hazard use cases (7.3, 2.2.4): report, take a step of the closed loop, open a rectification for another
feature.

Each use case is one short function: check the input, then in one unit of work change the case,
append its timeline event, record its domain event and queue its messages, and commit. The rules live
in `bot.hazards.rules`, what a step changes in `bot.hazards.changes`, the notifications in
`bot.hazards.messages`; look-ups are in `bot.hazards.queries`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from bot.core.clock import Clock, utcnow
from bot.core.errors import InvalidInput, NotAllowed, NotFound, text_problem
from bot.core.idempotency import remember, replay
from bot.core.model import CaseEvent, Photo, format_reference
from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.ports import Directory
from bot.core.text import Limits, tidy
from bot.core.workdays import WorkCalendar, deadline_for
from bot.hazards.changes import StepInput, apply_step, check_input
from bot.hazards.contexts import CalendarNotice, CaseSnapshot
from bot.hazards.events import HazardReported, RectificationStepTaken, RectificationVerified, ReporterRevealed
from bot.hazards.jobs import reschedule, running_chain
from bot.hazards.messages import Outgoing, queue_report, queue_step, snapshot
from bot.hazards.model import Hazard, HazardCategory, HazardStatus, Severity, Step
from bot.hazards.ports import HazardsUnitOfWork
from bot.hazards.rules import RULES, check, roles_of

DESCRIPTION_MAX = Limits.DESCRIPTION
LOCATION_MAX = Limits.LOCATION
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


class Reported(BaseModel):
    """What the reporter is told at once: the reference and who handles it."""

    reference: str
    department_name: str
    duplicates: list[str] = Field(default_factory=list)  # open cases of the same category and location


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


def _new_reference(uow: HazardsUnitOfWork, org: Org, now: datetime) -> str:
    year = now.astimezone(org.tz).year
    return format_reference(REFERENCE_PREFIX, year, uow.references.next(REFERENCE_PREFIX, year))


def report_hazard(cmd: ReportHazard, *, uow: HazardsUnitOfWork, org: Org, clock: Clock = utcnow,
                  once: str | None = None) -> Reported:
    """Open a case. `once`: the submission's key; the same submission again gets the first one's answer."""
    problems = _check(cmd, org)
    if problems:
        raise InvalidInput(problems)
    department = org.department(cmd.department_key or "")
    assert department is not None and cmd.category is not None
    now = clock()
    with uow:
        if (earlier := replay(uow, once, at=now)) is not None:
            return Reported.model_validate(earlier)
        # Pointed out, never refused: the reporter and the safety department see the references, nobody a name.
        duplicates = [h.reference for h in uow.hazards.open_like(cmd.category.value, tidy(cmd.location))]
        hazard = Hazard(
            reference=_new_reference(uow, org, now),
            category=cmd.category,
            location=tidy(cmd.location),
            description=tidy(cmd.description),
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
        uow.record(HazardReported(case_ref=hazard.reference, actor_id=cmd.reporter_id, at=now,
                                  department_key=department.key))
        queue_report(uow, hazard, org, now, duplicates=duplicates)
        reported = Reported(reference=hazard.reference, department_name=department.name, duplicates=duplicates)
        remember(uow, once, reported)
        uow.commit()
    return reported


class OpenRectification(BaseModel):
    """A rectification another feature asks for (an incident's corrective action, a failed inspection item):
    already assessed and assigned, so it starts where the owner's work starts."""

    opened_by: str
    category: HazardCategory
    location: str
    description: str
    department_key: str
    measures: str
    assignee_id: str
    deadline: datetime
    severity: Severity = Severity.SERIOUS
    incident_ref: str | None = None  # the incident whose corrective action this is
    home_channel: str | None = None  # where its safety card and thread go instead of the safety channel
    source_permalink: str | None = None  # the link its cards show (an incident's channel or thread)
    # (a confidential incident's own channel): nothing of it then reaches the wider safety channel


def open_rectification(cmd: OpenRectification, *, uow: HazardsUnitOfWork, org: Org, now: datetime) -> str:
    """Open the rectification inside the caller's unit of work (its transaction, its commit); its reference.

    The case then follows the closed loop like any other: the owner's head approves it, a safety officer
    verifies it. Its cards go to the safety channel, the department's leaders and the assignee.
    """
    hazard = Hazard(
        reference=_new_reference(uow, org, now), category=cmd.category, location=cmd.location,
        description=cmd.description, department_key=cmd.department_key, reporter_id=cmd.opened_by,
        anonymous=False, reported_at=now, status=HazardStatus.ASSIGNED, severity=cmd.severity,
        deadline_at=cmd.deadline, measures=cmd.measures, assignee_id=cmd.assignee_id, rounds=1,
        incident_ref=cmd.incident_ref, thread_channel=cmd.home_channel, source_permalink=cmd.source_permalink)
    uow.hazards.add(hazard)
    uow.events.append(CaseEvent(case_ref=hazard.reference, action="corrective_action_opened", actor_id=cmd.opened_by,
                                at=now, changes={"incident": cmd.incident_ref, "assignee_id": cmd.assignee_id,
                                                 "deadline_at": cmd.deadline.isoformat()}))
    uow.record(HazardReported(case_ref=hazard.reference, actor_id=cmd.opened_by, at=now,
                              department_key=cmd.department_key, incident_ref=cmd.incident_ref))
    queue_report(uow, hazard, org, now)
    Outgoing(uow, hazard, org, now).card(f"assignee:{cmd.assignee_id}", cmd.assignee_id, "assignee")
    reschedule(uow, hazard, org, was=None, now=now)
    return hazard.reference


class Revealed(BaseModel):
    """Who reported an anonymous case, and the photos whose links would have named them."""

    reporter_id: str
    photos: list[dict[str, str]] = Field(default_factory=list)


def reveal_reporter(reference: str, *, actor_id: str, uow: HazardsUnitOfWork, org: Org,
                    clock: Clock = utcnow) -> Revealed:
    """Who reported an anonymous hazard: safety officers only, and the look-up is on the timeline."""
    if not org.is_safety_officer(actor_id):
        raise NotAllowed("error.safety_only")
    with uow:
        hazard = uow.hazards.get(reference)
        if hazard is None:
            raise NotFound("error.case_not_found", reference=reference)
        now = clock()
        uow.events.append(CaseEvent(case_ref=reference, action="reporter_revealed", actor_id=actor_id, at=now))
        uow.record(ReporterRevealed(case_ref=reference, actor_id=actor_id, at=now))
        uow.commit()
        return Revealed(reporter_id=hazard.reporter_id, photos=[dict(p) for p in hazard.photos])


def load(uow: HazardsUnitOfWork, reference: str, *, lock: bool = False) -> Hazard:
    hazard = uow.hazards.get(reference, lock=lock)
    if hazard is None:
        raise NotFound("error.case_not_found", reference=reference)
    return hazard


def load_for_step(uow: HazardsUnitOfWork, reference: str, step: Step, *, lock: bool = False) -> Hazard:
    """The case a step is asked on. A reference that names no case gets the refusal of someone holding
    no role in it, so a forged button value cannot tell taken references from free ones."""
    hazard = uow.hazards.get(reference, lock=lock)
    if hazard is None:
        raise NotAllowed(RULES[step].refusal, reference=reference)
    return hazard


def check_step(reference: str, step: Step, *, actor_id: str, uow: HazardsUnitOfWork, org: Org) -> None:
    """Would this person be allowed this step now? Lets a button refuse before a modal opens."""
    with uow.reading():
        hazard = load_for_step(uow, reference, step)
        check(hazard, step, roles_of(actor_id, hazard, org))


def case_snapshot(reference: str, *, uow: HazardsUnitOfWork, org: Org) -> CaseSnapshot:
    """The case as its cards show it; what a step modal is pre-filled from."""
    with uow.reading():
        return snapshot(load(uow, reference), org)


def _people_named(cmd: StepInput, *, uow: HazardsUnitOfWork, org: Org) -> set[str]:
    """Everyone a step's thread line may name: read before the step's transaction, so that their names can
    be asked of Slack outside it (a line names people; it never pings them)."""
    with uow:
        hazard = uow.hazards.get(cmd.reference)
        people = {cmd.actor_id, *([cmd.assignee_id] if cmd.assignee_id else []), *org.safety_department.members}
        for key in (hazard.department_key if hazard else None, cmd.department_key):
            if key and (department := org.department(key)) is not None:
                people.update(department.leaders)
        if hazard is not None and hazard.assignee_id:
            people.add(hazard.assignee_id)
    return people


def learn_names(cmd: StepInput, *, uow: HazardsUnitOfWork, org: Org, directory: Directory) -> dict[str, str]:
    """The names of everyone the step's thread line may name, asked of Slack (cached) outside any transaction.
    A step button calls it when its modal opens, so that the submission, which must answer Slack within three
    seconds, finds them known."""
    return {person: directory.name_of(person) for person in _people_named(cmd, uow=uow, org=org)}


class StepTaken(BaseModel):
    reference: str
    step: Step
    status: HazardStatus


def take_step(cmd: StepInput, *, uow: HazardsUnitOfWork, org: Org, calendar: WorkCalendar, directory: Directory,
              clock: Clock = utcnow, once: str | None = None) -> StepTaken:
    """One step of the closed loop: checked, applied, recorded and announced in one transaction.

    `once`: the submission's key; the same modal submitted again gets the first answer, not a refusal.
    """
    now = clock()
    problems = check_input(cmd, now=now, department_exists=lambda key: org.department(key) is not None,
                           max_ahead=org.deadlines.max_ahead.delta)
    if cmd.assignee_id and "assignee" not in problems and not directory.is_active_user(cmd.assignee_id):
        problems["assignee"] = "error.unknown_user"  # asked before the transaction: it is a Slack call
    if problems:
        raise InvalidInput(problems, {"deadline": {"most": org.deadlines.max_ahead.delta.days}})
    names = learn_names(cmd, uow=uow, org=org, directory=directory)
    with uow:
        if (earlier := replay(uow, once, at=now)) is not None:
            return StepTaken.model_validate(earlier)
        hazard = load_for_step(uow, cmd.reference, cmd.step, lock=True)
        before = org.department(hazard.department_key)
        previous_leaders = before.leaders if before else []
        previous_assignee = hazard.assignee_id
        previous_chain = running_chain(hazard)
        severity = cmd.severity or hazard.severity  # a new round's deadline is offered from the severity
        default = deadline_for(severity, start=now, org=org, calendar=calendar) if severity else None
        event = apply_step(hazard, cmd, roles=roles_of(cmd.actor_id, hazard, org), now=now, default_deadline=default)
        uow.events.append(event)
        reschedule(uow, hazard, org, was=previous_chain, now=now)
        queue_step(uow, hazard, event, org, previous_leaders=previous_leaders, previous_assignee=previous_assignee,
                   names=names)
        taken = RectificationVerified if cmd.step is Step.VERIFY else RectificationStepTaken
        uow.record(taken(case_ref=hazard.reference, actor_id=cmd.actor_id, at=now, step=cmd.step,
                         status=hazard.status, assignee_id=hazard.assignee_id, incident_ref=hazard.incident_ref))
        year = hazard.deadline_at.astimezone(org.tz).year if hazard.deadline_at else None
        if org.working_days and year and not calendar.knows_year(year):
            uow.outbox.add(OutboxMessage(  # once a year, whatever the number of cases: the key is the year
                key=f"calendar-unknown:{year}", recipient=org.safety_department.channel,
                template="calendar.unknown_year", context=CalendarNotice(year=year).model_dump(mode="json"),
                created_at=now))
        taken_step = StepTaken(reference=hazard.reference, step=cmd.step, status=hazard.status)
        remember(uow, once, taken_step)
        uow.commit()
    return taken_step
