"""`safetybot plans import [FILE]`: plans from a YAML file, saved as a safety officer saves them in Slack.

The file's format is in `bot.plans.plan_file`. Everything is checked before anything is saved, and every
mistake is reported at once with its line, the plan's index and key. With no file, `default_plans.yml` (next
to this module) is imported: the plans the regulation asks for, to be adjusted by the company afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.clock import Clock, utcnow
from bot.core.config_files import ConfigFileError, duplicate_keys, line_of, read_config_text, read_yaml
from bot.core.config_files import reason as schema_reason
from bot.core.errors import InvalidInput
from bot.core.i18n import t
from bot.core.org import Org
from bot.core.ports import Directory
from bot.plans.model import Audience, Plan, PlanInput
from bot.plans.plan_file import SAFETY, PlanSpec, to_input
from bot.plans.ports import PlansUnitOfWork as UnitOfWork
from bot.plans.recurrence import Pattern, Recurrence, RuleError, pattern_of, rule_for
from bot.plans.rules import parse_rule
from bot.plans.usecases import check_plan, save_imported_plan

DEFAULT_PLANS = Path(__file__).with_name("default_plans.yml")
_Loc = tuple[int | str, ...]


class PlanFileError(ConfigFileError):
    """Every problem of a plans file, one line each, so the whole file can be fixed in one go."""


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

    def name_of(self, user_id: str) -> str:
        return user_id  # the org file names nobody


# ---- reading a file ------------------------------------------------------------------------------------------

# Where check_plan's field names are in the file.
_FIELDS: dict[str, _Loc] = {"kind": ("kind",), "title": ("title",), "start": ("recurrence", "start"),
                            "rule": ("recurrence",), "audience": ("audience",), "offsets": ("reminders",),
                            "owner": ("owner",), "details": ("details",)}


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


def parse_plans(text: str, *, org: Org, source: str = "plans.yml",
                clock: Clock = utcnow) -> list[PlanInput]:
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
                    else schema_reason(error, PlanSpec)
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
            plan = to_input(spec, org)
        except RuleError as exc:
            problems.add(index, ("recurrence", "rule"), f"{t(exc.key, 'en')} ({exc.part or exc.detail})")
            continue
        params: dict[str, dict[str, object]] = {}
        for name, problem in check_plan(plan, org=org, directory=directory, now=now, params=params).items():
            if name == "owner" or (name == "audience" and problem == "error.unknown_department"):
                continue  # reported above, in the file's own words
            problems.add(index, _FIELDS.get(name, ()), t(problem, "en", **params.get(name, {})))
        plans.append(plan)
    problems.raise_if_any()
    return plans


def load_plans(path: Path | None, *, org: Org, clock: Clock = utcnow
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
        plan.start_date, plan.time_of_day, list(plan.offsets), plan.move_off_holidays, plan.translations or {},
    ) == (cmd.kind, cmd.title.strip(), cmd.details.strip(), cmd.owner_id, cmd.audience, cmd.rule, cmd.start,
          cmd.time_of_day, list(cmd.offsets), cmd.move_off_holidays, _tidy(cmd.translations or {}))


def _tidy(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {locale: {name: text.strip() for name, text in own.items()} for locale, own in translations.items()}


def starting_from(cmd: PlanInput, since: datetime, org: Org) -> PlanInput:
    """The plan starting on its first occurrence after `since` (the day it is imported; for a plan imported
    before, the day it first was, so importing the file again changes nothing), within its natural period: a
    weekly plan within the week, a quarterly one within three months, a yearly one within the year.

    The file's `start` only shows the pattern (its weekday, day of month, month). The default plans used to
    start on fixed dates in the next year, so after an import nothing was due for weeks."""
    assert cmd.start is not None
    pattern, interval = pattern_of(Recurrence(rule=cmd.rule, start=cmd.start, time_of_day=cmd.time_of_day))
    if pattern in (Pattern.ONCE, Pattern.CUSTOM):
        return cmd
    local = since.astimezone(org.tz).replace(tzinfo=None)
    dtstart = datetime.combine(local.date(), cmd.time_of_day)  # the same pattern, any start: no interval yet
    first = parse_rule(rule_for(pattern, start=cmd.start)).build(dtstart, limited=False).after(local)
    if first is None:
        return cmd
    start = first.date()
    rule = rule_for(pattern, start=start, interval=interval)
    if pattern_of(Recurrence(rule=rule, start=start, time_of_day=cmd.time_of_day)) != (pattern, interval):
        rule = cmd.rule  # the pattern reads differently from that day (a fifth weekday): keep the file's rule
    return cmd.model_copy(update={"start": start, "rule": rule})


def import_plans(plans: list[PlanInput], *, uow: Callable[[], UnitOfWork], org: Org,
                 directory: Directory | None = None,
                 clock: Clock = utcnow) -> ImportResult:
    """Save each plan under its key, as the trusted CLI (`save_imported_plan`); a plan already saved exactly so
    is left alone, so importing the same file again changes nothing."""
    directory = directory or OrgDirectory(org)
    result = ImportResult()
    for cmd in plans:
        plan_key = cmd.key
        assert plan_key is not None, "imported plans always have a key"
        with uow() as look:
            existing = look.plans.get(plan_key)
            if cmd.start_on_import:
                since = existing.created_at if existing is not None and existing.deleted_at is None else clock()
                cmd = starting_from(cmd, since, org)
            unchanged = existing is not None and _same(existing, cmd)
        if unchanged:
            result.unchanged.append(plan_key)
            continue
        try:
            save_imported_plan(cmd, uow=uow(), org=org, directory=directory, clock=clock)
        except InvalidInput as exc:  # checked by parse_plans already; only a clock moving past a start gets here
            raise PlanFileError([f"{plan_key}: {name}: {t(key, 'en', **exc.field_params.get(name, {}))}"
                                 for name, key in exc.fields.items()]) from None
        (result.created if existing is None else result.updated).append(plan_key)
    return result
