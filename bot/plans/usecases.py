"""What people do with plans: save (from the modal or the import), pause, delete, record done, list.

The model is `bot.plans.model`; who may do what is `bot.plans.access`; the reminders are `bot.plans.jobs`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel

from bot.core.clock import Clock, utcnow
from bot.core.errors import InvalidInput, NotFound, WrongState, long_text_problem, text_problem
from bot.core.idempotency import remember, replay
from bot.core.org import Org
from bot.core.ports import Directory
from bot.core.text import Limits, tidy
from bot.core.workdays import WorkCalendar
from bot.plans.access import require_may_record_done, require_officer
from bot.plans.messages import recorded
from bot.plans.model import (
    NOTES_MAX,
    TITLE_MAX,
    DoneInput,
    Occurrence,
    OccurrenceStatus,
    Plan,
    PlanInput,
    PlanKind,
    is_offset,
    localized,
)
from bot.plans.ports import PlansUnitOfWork as UnitOfWork
from bot.plans.recurrence import (
    Recurrence,
    in_company_zone,
    is_one_off,
    next_occurrences,
    occurrences,
    rule_problem,
)

# A first date further off is a typo; dates far enough off overflow the calendar when reminders are computed.
START_MAX_AHEAD = timedelta(days=5 * 366)
START_MAX_BACK = timedelta(days=10 * 366)


def check_plan(cmd: PlanInput, *, org: Org, directory: Directory, now: datetime,
               params: dict[str, dict[str, object]] | None = None) -> dict[str, str]:
    """{field: translation key} of what is wrong; `params` receives what a field's message names (the part
    of a rule that is wrong)."""
    problems: dict[str, str] = {}
    params = {} if params is None else params
    cmd = in_zone(cmd, org)
    if cmd.kind is None:
        problems["kind"] = "error.required"
    if problem := text_problem(cmd.title, TITLE_MAX, "error.too_long_title"):
        problems["title"] = problem
    if cmd.start is None:
        problems["start"] = "error.required"
    elif cmd.start > (now + START_MAX_AHEAD).date():
        problems["start"] = "error.start_too_far"
    elif cmd.start < (now - START_MAX_BACK).date():
        problems["start"] = "error.start_too_old"
    translated = (cmd.translations or {}).values()
    for text in [cmd.details, *(own.get("details", "") for own in translated)]:
        if problem := long_text_problem(text, Limits.PLAN_DETAILS, "error.too_long_details"):
            problems["details"] = problem
    for own in translated:
        if "title" not in problems and (problem := text_problem(own.get("title", ""), TITLE_MAX,
                                                                "error.too_long_title")):
            problems["title"] = problem
    wrong = rule_problem(cmd.rule, start=cmd.start, time_of_day=cmd.time_of_day)
    if "start" in problems:
        pass  # a start out of range says it all; the rule is read from it
    elif wrong:
        problems["rule"] = "error.rule_part" if wrong.part else wrong.key
        if wrong.part:
            params["rule"] = {"part": wrong.part}
    elif cmd.start is not None:
        recurrence = Recurrence(rule=cmd.rule, start=cmd.start, time_of_day=cmd.time_of_day)
        first = datetime.combine(cmd.start, cmd.time_of_day, tzinfo=org.tz)
        if is_one_off(recurrence) and first <= now:
            problems["start"] = "error.start_past"
    if cmd.audience.is_empty():
        problems["audience"] = "error.audience_empty"
    elif any(org.department(key) is None for key in cmd.audience.departments):
        problems["audience"] = "error.unknown_department"
    if not all(is_offset(offset) for offset in cmd.offsets):
        problems["offsets"] = "error.bad_offset"
    if not cmd.owner_id:
        problems["owner"] = "error.required"
    elif not directory.is_active_user(cmd.owner_id):
        problems["owner"] = "error.unknown_user"
    return problems


def in_zone(cmd: PlanInput, org: Org) -> PlanInput:
    """The plan with a UTC `UNTIL=…Z` in its rule read as the company's wall time, as rules are stored."""
    rule = in_company_zone(cmd.rule, org.tz)
    return cmd if rule == cmd.rule else cmd.model_copy(update={"rule": rule})


def _tidy_translations(cmd: PlanInput) -> dict[str, dict[str, str]]:
    return {locale: {name: tidy(text) for name, text in own.items()}
            for locale, own in (cmd.translations or {}).items()}


def _as_shown(plan: Plan, cmd: PlanInput) -> bool:
    """Was the plan's title and details saved from the modal as it showed them, in one of its languages? Then an
    edit of, say, its time keeps the plan in both languages."""
    shown = [(plan.title, plan.details), *((own.get("title"), own.get("details", "")) for own in
                                           (plan.translations or {}).values())]
    return (tidy(cmd.title), tidy(cmd.details)) in shown


def _slug(title: str, kind: PlanKind, taken: Callable[[str], bool]) -> str:
    """A key people can read and type: the title's latin letters and digits, or, for a title in Chinese (which
    gives none), the kind ("drill", "drill-2"), never a bare "plan"."""
    base = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in title.lower()).strip("-")[:40]
    base = "-".join(part for part in base.split("-") if part) or kind.value.replace("_", "-")
    key, n = base, 1
    while taken(key):
        n += 1
        key = f"{base}-{n}"
    return key


def save_plan(cmd: PlanInput, *, actor_id: str, uow: UnitOfWork, org: Org, directory: Directory,
              clock: Clock = utcnow, once: str | None = None) -> Plan:
    """Create a plan, or replace the one with the same key, as a safety officer in Slack.

    `once`: the submission's key; Save pressed again on the same modal saves the one plan, not another.
    """
    require_officer(actor_id, org)
    return save_imported_plan(cmd, uow=uow, org=org, directory=directory, clock=clock, once=once)


def save_imported_plan(cmd: PlanInput, *, uow: UnitOfWork, org: Org, directory: Directory,
                       clock: Clock = utcnow, once: str | None = None) -> Plan:
    """`save_plan` for the CLI import, which is trusted: whoever can run it can edit the database anyway."""
    now = clock()
    params: dict[str, dict[str, object]] = {}
    problems = check_plan(cmd, org=org, directory=directory, now=now, params=params)
    if problems:
        raise InvalidInput(problems, params)
    cmd = in_zone(cmd, org)
    assert cmd.kind is not None and cmd.owner_id is not None and cmd.start is not None
    with uow:
        if (earlier := replay(uow, once, at=now)) is not None and (saved := uow.plans.get(earlier["key"])):
            uow.commit()  # nothing to write; keeps the loaded plan readable after the block
            return saved
        plan = uow.plans.get(cmd.key) if cmd.key else None
        if plan is None:
            plan = Plan(key=cmd.key or _slug(cmd.title, cmd.kind, lambda k: uow.plans.get(k) is not None),
                        kind=cmd.kind, title=tidy(cmd.title), owner_id=cmd.owner_id,
                        audience=cmd.audience.model_dump(), rule=cmd.rule, start_date=cmd.start,
                        time_of_day=cmd.time_of_day, offsets=cmd.offsets, created_at=now, details=tidy(cmd.details),
                        move_off_holidays=cmd.move_off_holidays, scheduled_since=now,
                        translations=_tidy_translations(cmd) or None)
            uow.plans.add(plan)
        else:
            schedule_changed = plan.deleted_at is not None or (  # a deleted plan saved again starts afresh
                plan.rule, plan.start_date, plan.time_of_day, plan.offsets, plan.move_off_holidays) != (
                cmd.rule, cmd.start, cmd.time_of_day, cmd.offsets, cmd.move_off_holidays)
            if cmd.translations is not None or not _as_shown(plan, cmd):  # a file, or new words: as written
                plan.title, plan.details = tidy(cmd.title), tidy(cmd.details)
                plan.translations = _tidy_translations(cmd) or None
            plan.kind, plan.owner_id, plan.audience = cmd.kind, cmd.owner_id, cmd.audience.model_dump()
            plan.rule, plan.start_date, plan.time_of_day = cmd.rule, cmd.start, cmd.time_of_day
            plan.offsets, plan.move_off_holidays, plan.deleted_at = cmd.offsets, cmd.move_off_holidays, None
            if schedule_changed:  # forget future occurrences not yet reminded of; they are recomputed
                uow.schedule.forget_future(plan, now=now)
                plan.materialized_until, plan.scheduled_since = now, now
        remember(uow, once, {"key": plan.key})
        uow.commit()
        return plan


def set_paused(key: str, paused: bool, *, actor_id: str, uow: UnitOfWork, org: Org,
               clock: Clock = utcnow) -> Plan:
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


def delete_plan(key: str, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock = utcnow
                ) -> Plan:
    """Plans are archived, not erased: their completion records stay (2.2.6)."""
    require_officer(actor_id, org)
    with uow:
        plan = uow.plans.get(key)
        if plan is None or plan.deleted_at is not None:
            raise NotFound("error.plan_not_found", plan=key)
        plan.deleted_at = clock()
        uow.schedule.forget_future(plan, now=clock())
        uow.commit()
        return plan


def record_done(cmd: DoneInput, *, uow: UnitOfWork, org: Org, clock: Clock = utcnow) -> Plan:
    """The owner (or a safety officer) records an occurrence as done: the archive entry of 2.2.6."""
    now = clock()
    if cmd.done_on is None:
        raise InvalidInput({"done_on": "error.required"})
    if datetime.combine(cmd.done_on, time(0, 0), tzinfo=org.tz) > now:
        raise InvalidInput({"done_on": "error.done_in_future"})
    if len(tidy(cmd.notes)) > NOTES_MAX:
        raise InvalidInput({"notes": "error.too_long_text"})
    with uow:
        occurrence, plan = _open_occurrence(uow, cmd.occurrence_id, actor_id=cmd.actor_id, org=org)
        occurrence.status, occurrence.done_by = OccurrenceStatus.DONE, cmd.actor_id
        occurrence.done_at = datetime.combine(cmd.done_on, time(12, 0), tzinfo=org.tz).astimezone(UTC)
        occurrence.notes, occurrence.attendance = tidy(cmd.notes), list(dict.fromkeys(cmd.attendance))
        occurrence.photos = [{"file_id": p.file_id, "name": p.name, "permalink": p.permalink} for p in cmd.photos]
        recorded(uow, cmd.occurrence_id, done_by=cmd.actor_id, done_on=cmd.done_on, now=now)
        uow.commit()
        return plan


class PlanLine(BaseModel):
    key: str
    title: str
    translations: dict[str, dict[str, str]] = {}
    kind: PlanKind
    owner_id: str
    paused: bool
    rule: str
    start: date
    time_of_day: time
    next_due: datetime | None


def list_plans(*, uow: UnitOfWork, org: Org, calendar: WorkCalendar, now: datetime) -> list[PlanLine]:
    with uow.reading():
        return [PlanLine(key=p.key, title=p.title, translations=p.translations or {}, kind=p.kind,
                         owner_id=p.owner_id, paused=p.paused, rule=p.rule,
                         start=p.start_date, time_of_day=p.time_of_day,
                         next_due=next(iter(next_occurrences(p.recurrence, tz=org.tz, after=now, count=1,
                                                             calendar=calendar)), None))
                for p in uow.plans.all()]


class Upcoming(BaseModel):
    due_at: datetime
    key: str
    title: str
    translations: dict[str, dict[str, str]] = {}
    kind: PlanKind
    owner_id: str


def upcoming(*, uow: UnitOfWork, org: Org, calendar: WorkCalendar, now: datetime, days: int = 30) -> list[Upcoming]:
    """What falls due in the next `days` days, computed from the rules (so new plans show at once)."""
    with uow.reading():
        found = [Upcoming(due_at=due, key=p.key, title=p.title, translations=p.translations or {}, kind=p.kind,
                          owner_id=p.owner_id)
                 for p in uow.plans.active()
                 for due in occurrences(p.recurrence, tz=org.tz, after=now, until=now + timedelta(days=days),
                                        calendar=calendar)]
    return sorted(found, key=lambda u: (u.due_at, u.title))


def plan_input(key: str, *, uow: UnitOfWork, locale: str) -> PlanInput:
    """A saved plan as the edit modal shows it, in the language of the person editing it."""
    with uow.reading():
        plan = uow.plans.get(key)
        if plan is None or plan.deleted_at is not None:
            raise NotFound("error.plan_not_found", plan=key)
        title, details = localized(plan.title, plan.details, plan.translations, locale)
        return PlanInput(key=plan.key, kind=plan.kind, title=title, details=details, owner_id=plan.owner_id,
                         audience=plan.audience_model, rule=plan.rule, start=plan.start_date,
                         time_of_day=plan.time_of_day, offsets=plan.offsets, move_off_holidays=plan.move_off_holidays)


class DoneTarget(BaseModel):
    title: str
    translations: dict[str, dict[str, str]] = {}
    kind: PlanKind


def check_done(occurrence_id: int, *, actor_id: str, uow: UnitOfWork, org: Org) -> DoneTarget:
    """May this person record the occurrence as done? Lets the Done button refuse before its modal opens."""
    with uow.reading():
        _occurrence, plan = _open_occurrence(uow, occurrence_id, actor_id=actor_id, org=org)
        return DoneTarget(title=plan.title, translations=plan.translations or {}, kind=plan.kind)


def _open_occurrence(uow: UnitOfWork, occurrence_id: int, *, actor_id: str, org: Org) -> tuple[Occurrence, Plan]:
    """The occurrence this person may record as done now, and its plan; raises otherwise."""
    occurrence = uow.schedule.occurrence(occurrence_id)
    plan = uow.plans.by_id(occurrence.plan_id) if occurrence else None
    if occurrence is None or plan is None:
        raise NotFound("error.plan_not_found", plan=str(occurrence_id))
    require_may_record_done(actor_id, plan, org)
    if occurrence.status is OccurrenceStatus.DONE:
        raise WrongState("error.already_done")
    return occurrence, plan
