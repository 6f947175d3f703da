"""The hazard workflow (7.3, 2.2.4): report a hazard and tell the reporting chain.

Each use case is one short function: check the input, then in one unit of work change the case,
append its timeline event and queue its messages, and commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.hazard_workflow import Hazard, HazardCategory
from bot.model import CaseEvent, Photo
from bot.org import Org
from bot.outbox import OutboxMessage
from bot.ports import UnitOfWork

DESCRIPTION_MAX = 3000
LOCATION_MAX = 200
REFERENCE_PREFIX = "HZ"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    if not cmd.location.strip():
        problems["location"] = "error.blank"
    elif len(cmd.location.strip()) > LOCATION_MAX:
        problems["location"] = "error.too_long_location"
    if not cmd.description.strip():
        problems["description"] = "error.blank"
    elif len(cmd.description.strip()) > DESCRIPTION_MAX:
        problems["description"] = "error.too_long_description"
    if not cmd.department_key:
        problems["department"] = "error.required"
    elif org.department(cmd.department_key) is None:
        problems["department"] = "error.unknown_department"
    return problems


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"


def case_context(hazard: Hazard, org: Org) -> dict[str, Any]:
    """A snapshot of the case for rendering messages later, in each recipient's language."""
    department = org.department(hazard.department_key)
    return {
        "reference": hazard.reference,
        "category": hazard.category.value,
        "location": hazard.location,
        "description": hazard.description,
        "department": department.name if department else hazard.department_key,
        "reporter": None if hazard.anonymous else hazard.reporter_id,
        "anonymous": hazard.anonymous,
        "photos": [dict(p) for p in hazard.photos],
        "source_permalink": hazard.source_permalink,
        "reported_at": hazard.reported_at.isoformat(),
        "timezone": org.timezone,
        "status": hazard.status.value,
    }


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
        context = case_context(hazard, org)
        ref = hazard.reference

        def queue(key: str, recipient: str, template: str, on_sent: str | None = None) -> None:
            uow.outbox.add(OutboxMessage(key=f"{ref}:{key}", recipient=recipient, template=template,
                                         context=context, created_at=now, subject=ref, on_sent=on_sent))

        queue("safety-post", org.safety_department.channel, "hazard.reported.safety", on_sent="case_thread")
        for leader in department.leaders:
            if leader != cmd.reporter_id:
                queue(f"leader:{leader}", leader, "hazard.reported.leader")
        queue(f"reporter:{cmd.reporter_id}", cmd.reporter_id, "hazard.reported.reporter")
        uow.commit()
    return HazardReported(reference=ref, department_name=department.name)


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
