"""`safetybot plans import [FILE]`: plans from a YAML file, saved as a safety officer saves them in Slack.

The file is a list of plans, each under a stable `key` (so importing it again updates those plans instead of
adding new ones):

    - key: fire-drill
      kind: drill                      # drill, inspection, equipment_check, infosec_task, training, meeting
      title: Fire drill
      details: Evacuate by the stairs; count heads at the assembly point.   # optional
      owner: safety                    # a Slack user id, or `safety`: the org file's first safety officer
      audience:                        # at least one of these
        channel: safety                # a channel id, or `safety`: the safety department's channel
        departments: [cs1]             # department keys from the org file
        people: [U0123ABCD]
        everyone: true                 # everyone in the org file
      recurrence:
        pattern: every_n_months        # weekly, monthly_weekday, every_n_months, yearly, once, custom
        start: 2027-04-15              # the first date; the pattern is read from it (weekday, day of month)
        interval: 6                    # optional: every 6 months (weeks, years)
        rule: FREQ=...                 # custom only: an RFC 5545 rule body
        time: "14:00"                  # in the org's time zone
      reminders: [7d, 1d, 0d]          # optional; before the due time, 0d on the time itself
      move_off_holidays: true          # optional: a date that is not a working day moves to the next one

Everything is checked before anything is saved, and every mistake is reported at once with its line, the
plan's index and key. With no file, `default_plans.yml` (next to this module) is imported: the plans the
regulation asks for, to be adjusted by the company afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.config_files import ConfigFileError, IsoDate, duplicate_keys, line_of, read_config_text, read_yaml
from bot.core.config_files import reason as schema_reason
from bot.core.errors import InvalidInput
from bot.core.i18n import t
from bot.core.org import Org
from bot.core.ports import Directory, UnitOfWork
from bot.plans.recurrence import Pattern, RuleError, rule_for
from bot.plans.usecases import Audience, Plan, PlanInput, PlanKind, check_plan, parse_offset, save_plan

DEFAULT_PLANS = Path(__file__).with_name("default_plans.yml")
SAFETY = "safety"  # stands for the safety department: its first officer as owner, its channel as audience

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_USER = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,}")
_Loc = tuple[int | str, ...]


class PlanFileError(ConfigFileError):
    """Every problem of a plans file, one line each, so the whole file can be fixed in one go."""


def _list(value: object) -> object:
    return [] if value is None else value  # `people:` with every entry commented out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AudienceSpec(_Strict):
    channel: str | None = None
    departments: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=list)
    people: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=list)
    everyone: bool = False

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and value != SAFETY and not _CHANNEL.fullmatch(value):
            raise ValueError(f"{value!r} is not a channel id (like C0123ABCD) or '{SAFETY}'")
        return value

    @field_validator("people")
    @classmethod
    def _people(cls, value: list[str]) -> list[str]:
        for person in value:
            if not _USER.fullmatch(person):
                raise ValueError(f"{person!r} is not a Slack user id (like U0123ABCD)")
        return value

    @model_validator(mode="after")
    def _someone(self) -> AudienceSpec:
        if not (self.channel or self.departments or self.people or self.everyone):
            raise ValueError("nobody would be reminded: give a channel, departments, people or everyone: true")
        return self


class RecurrenceSpec(_Strict):
    pattern: Pattern
    start: IsoDate
    interval: Annotated[int, Field(ge=1, le=120)] = 1
    rule: str | None = None
    time: str

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> str:
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise ValueError(f"{value!r} is not a time like \"09:00\"")
        return value

    @model_validator(mode="after")
    def _rule_only_when_custom(self) -> RecurrenceSpec:
        if self.pattern is Pattern.CUSTOM and not self.rule:
            raise ValueError("pattern custom needs a rule, like FREQ=MONTHLY;BYDAY=1MO")
        if self.pattern is not Pattern.CUSTOM and self.rule:
            raise ValueError(f"a rule goes with pattern custom, not {self.pattern.value}")
        return self

    @property
    def time_of_day(self) -> time:
        match = _TIME.fullmatch(self.time)
        assert match is not None
        return time(int(match[1]), int(match[2]))


class PlanSpec(_Strict):
    """One plan as the file writes it."""

    key: str
    kind: PlanKind
    title: Annotated[str, Field(min_length=1)]
    details: str = ""
    owner: str
    audience: AudienceSpec
    recurrence: RecurrenceSpec
    reminders: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=lambda: ["7d", "1d", "0d"])
    move_off_holidays: bool = False

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.fullmatch(value):
            raise ValueError(f"{value!r} is not a key (lowercase letters, digits and '-', at most 64)")
        return value

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        if value != SAFETY and not _USER.fullmatch(value):
            raise ValueError(f"{value!r} is not a Slack user id (like U0123ABCD) or '{SAFETY}'")
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: list[str]) -> list[str]:
        for reminder in value:
            try:
                parse_offset(str(reminder))
            except ValueError:
                raise ValueError(f"{reminder!r} is not a reminder like 7d (days before) or 2h (hours)") from None
        return list(dict.fromkeys(value))


class OrgDirectory:
    """Who counts as an active user for the CLI: everyone named in the org file.

    `safetybot plans import` may run where Slack is not reachable (a fresh install, a CI job), so it cannot ask
    Slack whether an owner's account is active, as the plan modal does. It accepts exactly the people the
    org file lists instead: someone who has left must be taken out of that file anyway.
    """

    def __init__(self, org: Org) -> None:
        people = {*org.safety_department.members, *org.management.members}
        for department in org.departments:
            people.update([*department.leaders, *department.members])
        self.people = frozenset(people)

    def is_active_user(self, user_id: str) -> bool:
        return user_id in self.people


# ---- reading a file ------------------------------------------------------------------------------------------

# Where check_plan's field names are in the file.
_FIELDS: dict[str, _Loc] = {"kind": ("kind",), "title": ("title",), "start": ("recurrence", "start"),
                            "rule": ("recurrence",), "audience": ("audience",), "offsets": ("reminders",),
                            "owner": ("owner",)}


@dataclass
class _Problems:
    source: str
    root: yaml.Node | None
    data: list[Any]
    found: list[tuple[int, int, str]] = field(default_factory=list)  # line, plan index, text

    def add(self, index: int, loc: _Loc, reason: str, *, at_key: bool = False, line: int | None = None) -> None:
        line = line or line_of(self.root, (index, *loc), at_key=at_key)
        item = self.data[index] if 0 <= index < len(self.data) else None
        key = item.get("key") if isinstance(item, dict) else None
        label = f"[{index}]" + (f" {key}" if isinstance(key, str) and key else "")
        where = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in loc).replace(".[", "[")
        self.found.append((line, index, f"{self.source}:{line}: {label}: {where + ': ' if where else ''}{reason}"))

    def raise_if_any(self) -> None:
        if self.found:
            self.found.sort(key=lambda item: (item[0], item[1]))
            raise PlanFileError([text for _, _, text in self.found])


def _to_input(spec: PlanSpec, org: Org) -> PlanInput:
    audience = spec.audience
    channel = org.safety_department.channel if audience.channel == SAFETY else audience.channel
    rec = spec.recurrence
    return PlanInput(
        key=spec.key, kind=spec.kind, title=spec.title, details=spec.details,
        owner_id=org.safety_department.members[0] if spec.owner == SAFETY else spec.owner,
        audience=Audience(channel=channel, departments=audience.departments, people=audience.people,
                          everyone=audience.everyone),
        rule=rule_for(rec.pattern, start=rec.start, interval=rec.interval, custom=rec.rule or ""),
        start=rec.start, time_of_day=rec.time_of_day, offsets=spec.reminders,
        move_off_holidays=spec.move_off_holidays,
    )


def parse_plans(text: str, *, org: Org, source: str = "plans.yml",
                clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[PlanInput]:
    """The plans of a file's text, checked as the plan modal checks them (and against the org file);
    raises PlanFileError naming every mistake with its line, the plan's index and its key."""
    try:
        root, data = read_yaml(text, source=source)
    except ConfigFileError as exc:
        raise PlanFileError(exc.problems) from None
    if data is None:
        raise PlanFileError([f"{source}:1: the file is empty; it should be a list of plans"])
    if not isinstance(data, list):
        raise PlanFileError([f"{source}:1: expected a list of plans (each starting with '- key: ...')"])
    problems = _Problems(source, root, data)
    for line, loc, reason in duplicate_keys(root):  # the top is a list, so loc starts with the plan's index
        problems.add(int(loc[0]), loc[1:-1], reason, line=line)
    directory, now = OrgDirectory(org), clock()
    plans: list[PlanInput] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str) and seen.setdefault(key, index) != index:
            problems.add(index, ("key",), f"the key {key!r} is already used by plan [{seen[key]}]")
        try:
            spec = PlanSpec.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                reason = error["msg"].removeprefix("Value error, ") if error["type"] == "value_error" \
                    else schema_reason(error)
                problems.add(index, tuple(error["loc"]), reason, at_key=error["type"] == "extra_forbidden")
            continue
        for department in spec.audience.departments:
            if org.department(department) is None:
                reason = f"there is no department {department!r} in the org file"
                problems.add(index, ("audience", "departments"), reason)
        for person in [spec.owner, *spec.audience.people]:
            if person != SAFETY and not directory.is_active_user(person):
                where = ("owner",) if person == spec.owner else ("audience", "people")
                problems.add(index, where, f"{person} is not in the org file")
        try:
            plan = _to_input(spec, org)
        except RuleError as exc:
            problems.add(index, ("recurrence", "rule"), f"{t(exc.key, 'en')} ({exc.detail})")
            continue
        for name, problem in check_plan(plan, org=org, directory=directory, now=now).items():
            if name == "owner" or (name == "audience" and problem == "error.unknown_department"):
                continue  # reported above, in the file's own words
            problems.add(index, _FIELDS.get(name, ()), t(problem, "en"))
        plans.append(plan)
    problems.raise_if_any()
    return plans


def load_plans(path: Path | None, *, org: Org, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
               ) -> list[PlanInput]:
    """A plans file (the default plans when `path` is None), checked; raises PlanFileError."""
    path = path or DEFAULT_PLANS
    try:
        text = read_config_text(path)
    except ValueError as exc:
        raise PlanFileError([str(exc)]) from None
    return parse_plans(text, org=org, source=str(path), clock=clock)


# ---- saving --------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _same(plan: Plan, cmd: PlanInput) -> bool:
    """Would saving `cmd` leave the plan as it is? (Pausing is not the file's business: it stays.)"""
    return plan.deleted_at is None and (
        plan.kind, plan.title, plan.details, plan.owner_id, Audience.model_validate(plan.audience), plan.rule,
        plan.start_date, plan.time_of_day, list(plan.offsets), plan.move_off_holidays,
    ) == (cmd.kind, cmd.title.strip(), cmd.details.strip(), cmd.owner_id, cmd.audience, cmd.rule, cmd.start,
          cmd.time_of_day, list(cmd.offsets), cmd.move_off_holidays)


def import_plans(plans: list[PlanInput], *, uow: Callable[[], UnitOfWork], org: Org,
                 directory: Directory | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ImportResult:
    """Save each plan under its key, as the trusted CLI (`actor_id=None`); a plan already saved exactly so
    is left alone, so importing the same file again changes nothing."""
    directory = directory or OrgDirectory(org)
    result = ImportResult()
    for cmd in plans:
        assert cmd.key is not None, "imported plans always have a key"
        with uow() as look:
            existing = look.plans.get(cmd.key)
            unchanged = existing is not None and _same(existing, cmd)
        if unchanged:
            result.unchanged.append(cmd.key)
            continue
        try:
            save_plan(cmd, actor_id=None, uow=uow(), org=org, directory=directory, clock=clock)
        except InvalidInput as exc:  # checked by parse_plans already; only a clock moving past a start gets here
            raise PlanFileError([f"{cmd.key}: {name}: {t(key, 'en')}" for name, key in exc.fields.items()]) from None
        (result.created if existing is None else result.updated).append(cmd.key)
    return result
