"""Plans (3.1.1, 3.1.4, 3.2.2, 3.3.2, 3.4.3, 4.2.1, 4.3, 5.4, 7.1, chapter 6): recurring safety work with an
owner, an audience and a record of completion.

A plan's recurrence is an RFC 5545 rule in the company's time zone (`bot.plans.recurrence`). Its occurrences
and their reminders are rows of their own (`Occurrence`, `ReminderJob`, each under a unique key), so
the scheduler can send each reminder once however many copies of the bot run (`bot.scheduling.scheduler`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.errors import InvalidInput, NotAllowed, NotFound, WrongState, text_problem
from bot.core.model import Photo
from bot.core.org import Org
from bot.core.ports import Directory
from bot.core.workdays import WorkCalendar
from bot.plans.ports import PlansUnitOfWork as UnitOfWork
from bot.plans.recurrence import Recurrence, is_one_off, next_occurrences, occurrences, validate_rule

Clock = Callable[[], datetime]
OFFSETS = ("30d", "7d", "3d", "1d", "0d")  # what the modal offers; "0d" is on the day
TITLE_MAX = 150


class PlanKind(StrEnum):
    DRILL = "drill"
    INSPECTION = "inspection"
    EQUIPMENT_CHECK = "equipment_check"
    INFOSEC_TASK = "infosec_task"
    TRAINING = "training"
    MEETING = "meeting"


class OccurrenceStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class JobState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # no longer needed: done, paused, superseded by a later reminder
    MISSED = "missed"  # fell due while the bot was down, longer ago than the company's horizon


class Audience(BaseModel):
    channel: str | None = None
    departments: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    everyone: bool = False

    def is_empty(self) -> bool:
        return not (self.channel or self.departments or self.people or self.everyone)

    def people_in(self, org: Org) -> list[str]:
        """Everyone who gets a DM: named people, whole departments, or the whole org file."""
        chosen: list[str] = list(self.people)
        departments = org.departments if self.everyone else [d for d in org.departments if d.key in self.departments]
        for department in departments:
            chosen += [*department.leaders, *department.members]
        if self.everyone:
            chosen += [*org.safety_department.members, *org.management.members]
        return list(dict.fromkeys(chosen))


@dataclass(eq=False)
class Plan:
    key: str
    kind: PlanKind
    title: str
    owner_id: str
    audience: dict[str, Any]
    rule: str
    start_date: date
    time_of_day: time
    offsets: list[str]
    created_at: datetime
    details: str = ""
    move_off_holidays: bool = False
    paused: bool = False
    deleted_at: datetime | None = None
    materialized_until: datetime | None = None
    scheduled_since: datetime | None = None  # when the current schedule was set: no reminder owed before
    id: int | None = None

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(rule=self.rule, start=self.start_date, time_of_day=self.time_of_day,
                          move_off_holidays=self.move_off_holidays)

    @property
    def active(self) -> bool:
        return not self.paused and self.deleted_at is None

    @property
    def audience_model(self) -> Audience:
        return Audience.model_validate(self.audience)


@dataclass(eq=False)
class Occurrence:
    plan_id: int
    due_at: datetime
    status: OccurrenceStatus = OccurrenceStatus.OPEN
    done_at: datetime | None = None
    done_by: str | None = None
    notes: str | None = None
    attendance: list[str] = field(default_factory=list)
    photos: list[dict[str, str]] = field(default_factory=list)
    id: int | None = None


@dataclass(eq=False)
class ReminderJob:
    """One reminder or escalation to send at `fire_at`; its key makes it unique across processes."""

    key: str
    kind: str  # "remind:7d", "remind:0d", "overdue:owner", "deadline:head", ...
    fire_at: datetime
    occurrence_id: int | None = None
    hazard_ref: str | None = None
    state: JobState = JobState.PENDING
    lease_until: datetime | None = None
    processed_at: datetime | None = None
    id: int | None = None


def parse_offset(text: str) -> timedelta:
    if len(text) < 2 or text[-1] not in "dh" or not text[:-1].isdigit():
        raise ValueError(f"not an offset like 7d or 2h: {text!r}")
    amount = int(text[:-1])
    return timedelta(days=amount) if text[-1] == "d" else timedelta(hours=amount)


class PlanInput(BaseModel):
    """A plan as a safety officer wrote it (modal or YAML file)."""

    key: str | None = None  # None: a new plan gets a key from its title
    kind: PlanKind | None
    title: str
    details: str = ""
    owner_id: str | None
    audience: Audience = Field(default_factory=Audience)
    rule: str
    start: date | None
    time_of_day: time = time(9, 0)
    offsets: list[str] = Field(default_factory=lambda: ["7d", "1d", "0d"])
    move_off_holidays: bool = False


def check_plan(cmd: PlanInput, *, org: Org, directory: Directory, now: datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if cmd.kind is None:
        problems["kind"] = "error.required"
    if problem := text_problem(cmd.title, TITLE_MAX, "error.too_long_title"):
        problems["title"] = problem
    if cmd.start is None:
        problems["start"] = "error.required"
    rule_problem = validate_rule(cmd.rule, start=cmd.start, time_of_day=cmd.time_of_day)
    if rule_problem:
        problems["rule"] = rule_problem
    elif cmd.start is not None:
        recurrence = Recurrence(rule=cmd.rule, start=cmd.start, time_of_day=cmd.time_of_day)
        first = datetime.combine(cmd.start, cmd.time_of_day, tzinfo=org.tz)
        if is_one_off(recurrence) and first <= now:
            problems["start"] = "error.start_past"
    if cmd.audience.is_empty():
        problems["audience"] = "error.audience_empty"
    elif any(org.department(key) is None for key in cmd.audience.departments):
        problems["audience"] = "error.unknown_department"
    for offset in cmd.offsets:
        try:
            parse_offset(offset)
        except ValueError:
            problems["offsets"] = "error.bad_offset"
    if not cmd.owner_id:
        problems["owner"] = "error.required"
    elif not directory.is_active_user(cmd.owner_id):
        problems["owner"] = "error.unknown_user"
    return problems


def _slug(title: str, taken: Callable[[str], bool]) -> str:
    base = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in title.lower()).strip("-")[:40] or "plan"
    base = "-".join(part for part in base.split("-") if part)
    key, n = base, 1
    while taken(key):
        n += 1
        key = f"{base}-{n}"
    return key


def require_officer(actor_id: str | None, org: Org) -> None:
    """Plans are managed by safety officers (2.2.2); None is the trusted CLI."""
    if actor_id is not None and not org.is_safety_officer(actor_id):
        raise NotAllowed("error.safety_only")


def save_plan(cmd: PlanInput, *, actor_id: str | None, uow: UnitOfWork, org: Org, directory: Directory,
              clock: Clock = lambda: datetime.now(UTC)) -> Plan:
    """Create a plan, or replace the one with the same key. actor None: the CLI import (trusted)."""
    require_officer(actor_id, org)
    now = clock()
    problems = check_plan(cmd, org=org, directory=directory, now=now)
    if problems:
        raise InvalidInput(problems)
    assert cmd.kind is not None and cmd.owner_id is not None and cmd.start is not None
    with uow:
        plan = uow.plans.get(cmd.key) if cmd.key else None
        if plan is None:
            plan = Plan(key=cmd.key or _slug(cmd.title, lambda k: uow.plans.get(k) is not None), kind=cmd.kind,
                        title=cmd.title.strip(), owner_id=cmd.owner_id, audience=cmd.audience.model_dump(),
                        rule=cmd.rule, start_date=cmd.start, time_of_day=cmd.time_of_day, offsets=cmd.offsets,
                        created_at=now, details=cmd.details.strip(), move_off_holidays=cmd.move_off_holidays,
                        scheduled_since=now)
            uow.plans.add(plan)
        else:
            schedule_changed = plan.deleted_at is not None or (  # a deleted plan saved again starts afresh
                plan.rule, plan.start_date, plan.time_of_day, plan.offsets, plan.move_off_holidays) != (
                cmd.rule, cmd.start, cmd.time_of_day, cmd.offsets, cmd.move_off_holidays)
            plan.kind, plan.title, plan.owner_id = cmd.kind, cmd.title.strip(), cmd.owner_id
            plan.audience, plan.details = cmd.audience.model_dump(), cmd.details.strip()
            plan.rule, plan.start_date, plan.time_of_day = cmd.rule, cmd.start, cmd.time_of_day
            plan.offsets, plan.move_off_holidays, plan.deleted_at = cmd.offsets, cmd.move_off_holidays, None
            if schedule_changed:  # forget future occurrences not yet reminded of; they are recomputed
                uow.schedule.forget_future(plan, now=now)
                plan.materialized_until, plan.scheduled_since = now, now
        uow.commit()
        return plan


def set_paused(key: str, paused: bool, *, actor_id: str, uow: UnitOfWork, org: Org,
               clock: Clock = lambda: datetime.now(UTC)) -> Plan:
    """Pause or resume. What fell due during a pause is not owed afterwards: resuming starts afresh."""
    require_officer(actor_id, org)
    now = clock()
    with uow:
        plan = uow.plans.get(key)
        if plan is None or plan.deleted_at is not None:
            raise NotFound("error.plan_not_found", plan=key)
        if plan.paused and not paused:
            uow.schedule.skip_until(plan, now=now)
            plan.materialized_until = max(plan.materialized_until or now, now)
            plan.scheduled_since = now
        plan.paused = paused
        uow.commit()
        return plan


def delete_plan(key: str, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock = lambda: datetime.now(UTC)
                ) -> None:
    """Plans are archived, not erased: their completion records stay (2.2.6)."""
    require_officer(actor_id, org)
    with uow:
        plan = uow.plans.get(key)
        if plan is None or plan.deleted_at is not None:
            raise NotFound("error.plan_not_found", plan=key)
        plan.deleted_at = clock()
        uow.schedule.forget_future(plan, now=clock())
        uow.commit()


class DoneInput(BaseModel):
    occurrence_id: int
    actor_id: str
    done_on: date | None
    notes: str = ""
    attendance: list[str] = Field(default_factory=list)
    photos: list[Photo] = Field(default_factory=list)


def record_done(cmd: DoneInput, *, uow: UnitOfWork, org: Org, clock: Clock = lambda: datetime.now(UTC)) -> Plan:
    """The owner (or a safety officer) records an occurrence as done: the archive entry of 2.2.6."""
    now = clock()
    if cmd.done_on is None:
        raise InvalidInput({"done_on": "error.required"})
    if datetime.combine(cmd.done_on, time(0, 0), tzinfo=org.tz) > now:
        raise InvalidInput({"done_on": "error.done_in_future"})
    if len(cmd.notes) > 3000:
        raise InvalidInput({"notes": "error.too_long_text"})
    with uow:
        occurrence = uow.schedule.occurrence(cmd.occurrence_id)
        plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
        if occurrence is None or plan is None:
            raise NotFound("error.plan_not_found", plan=str(cmd.occurrence_id))
        if cmd.actor_id != plan.owner_id and not org.is_safety_officer(cmd.actor_id):
            raise NotAllowed("error.only_owner")
        if occurrence.status is OccurrenceStatus.DONE:
            raise WrongState("error.already_done")
        occurrence.status, occurrence.done_by = OccurrenceStatus.DONE, cmd.actor_id
        occurrence.done_at = datetime.combine(cmd.done_on, time(12, 0), tzinfo=org.tz).astimezone(UTC)
        occurrence.notes, occurrence.attendance = cmd.notes.strip(), list(dict.fromkeys(cmd.attendance))
        occurrence.photos = [{"file_id": p.file_id, "name": p.name, "permalink": p.permalink} for p in cmd.photos]
        uow.commit()
        return plan


class PlanLine(BaseModel):
    key: str
    title: str
    kind: PlanKind
    owner_id: str
    paused: bool
    rule: str
    start: date
    time_of_day: time
    next_due: datetime | None


def list_plans(*, uow: UnitOfWork, org: Org, calendar: WorkCalendar, now: datetime) -> list[PlanLine]:
    with uow:
        return [PlanLine(key=p.key, title=p.title, kind=p.kind, owner_id=p.owner_id, paused=p.paused, rule=p.rule,
                         start=p.start_date, time_of_day=p.time_of_day,
                         next_due=next(iter(next_occurrences(p.recurrence, tz=org.tz, after=now, count=1,
                                                             calendar=calendar)), None))
                for p in uow.plans.all()]


class Upcoming(BaseModel):
    due_at: datetime
    key: str
    title: str
    kind: PlanKind
    owner_id: str


def upcoming(*, uow: UnitOfWork, org: Org, calendar: WorkCalendar, now: datetime, days: int = 30) -> list[Upcoming]:
    """What falls due in the next `days` days, computed from the rules (so new plans show at once)."""
    with uow:
        found = [Upcoming(due_at=due, key=p.key, title=p.title, kind=p.kind, owner_id=p.owner_id)
                 for p in uow.plans.active()
                 for due in occurrences(p.recurrence, tz=org.tz, after=now, until=now + timedelta(days=days),
                                        calendar=calendar)]
    return sorted(found, key=lambda u: (u.due_at, u.title))


def plan_input(key: str, *, uow: UnitOfWork) -> PlanInput:
    """A saved plan as the edit modal shows it."""
    with uow:
        plan = uow.plans.get(key)
        if plan is None or plan.deleted_at is not None:
            raise NotFound("error.plan_not_found", plan=key)
        return PlanInput(key=plan.key, kind=plan.kind, title=plan.title, details=plan.details, owner_id=plan.owner_id,
                         audience=plan.audience_model, rule=plan.rule, start=plan.start_date,
                         time_of_day=plan.time_of_day, offsets=plan.offsets, move_off_holidays=plan.move_off_holidays)


class DoneTarget(BaseModel):
    title: str
    kind: PlanKind


def check_done(occurrence_id: int, *, actor_id: str, uow: UnitOfWork, org: Org) -> DoneTarget:
    """May this person record the occurrence as done? Lets the Done button refuse before its modal opens."""
    with uow:
        occurrence = uow.schedule.occurrence(occurrence_id)
        plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
        if occurrence is None or plan is None:
            raise NotFound("error.plan_not_found", plan=str(occurrence_id))
        if actor_id != plan.owner_id and not org.is_safety_officer(actor_id):
            raise NotAllowed("error.only_owner")
        if occurrence.status is OccurrenceStatus.DONE:
            raise WrongState("error.already_done")
        return DoneTarget(title=plan.title, kind=plan.kind)
