"""The company's organisation file: who the safety officers, managers and department heads are.

Admins edit this YAML by hand, so a mistake must be reported back in terms they can act on: the file,
the line, the key path and a plain-language reason, and all mistakes at once rather than one per run
(reading and wording are in `bot.core.config_files`; what the file means and its cross-checks are here).
"""

from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core.config_files import (
    ClockTime,
    ConfigFileError,
    IsoDate,
    Loc,
    duplicate_keys,
    iso_date,
    line_of,
    matching,
    path_text,
    read_config_text,
    read_yaml,
    reason,
)
from bot.core.durations import Duration, DurationText
from bot.core.severity import Severity
from bot.core.text import Limits

_CONFLICT = "org_conflict"  # error type of Org's own cross-check; parse_org reports these with lines instead


class OrgFileError(ConfigFileError):
    """Carries every problem found, so the admin can fix the whole file in one go."""


def _known_timezone(value: str) -> str:
    # A typo here would only surface when the scheduler first fires, so catch it at load time.
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise PydanticCustomError(
            "bad_timezone", "{value} is not a known time zone (like Asia/Shanghai)", {"value": repr(value)}
        ) from None
    return value


UserId = Annotated[str, matching(r"[UW][A-Z0-9]{2,}", "a Slack user id (like U0123ABCD)")]
ChannelId = Annotated[str, matching(r"[CG][A-Z0-9]{2,}", "a Slack channel id (like C0123ABCD)")]
DepartmentKey = Annotated[
    str, matching(r"[a-z0-9][a-z0-9_-]*", "a valid department key (lowercase letters, digits, '-', '_')")
]
# `members:` with every entry commented out parses as null; treat it as the empty list the admin meant.
OptionalUserIds = Annotated[list[UserId], BeforeValidator(lambda value: [] if value is None else value)]
# The same for a section whose keys are all commented out: it means "use the defaults".
_NULL_AS_DEFAULTS = BeforeValidator(lambda value: {} if value is None else value)

OptionalDates = Annotated[list[IsoDate], BeforeValidator(lambda value: [] if value is None else value)]


class _Section(BaseModel):
    """Shared strictness: an unknown key is almost always a typo that would otherwise be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadlines(_Section):
    """Default rectification deadline per hazard severity (regulation 7.3.2)."""

    general: DurationText = Duration(amount=7, unit="d")
    serious: DurationText = Duration(amount=3, unit="d")
    major: DurationText = Duration(amount=24, unit="h")
    max_ahead: DurationText = Duration(amount=365, unit="d")  # the latest deadline a person may pick, from now

    def for_severity(self, severity: Severity) -> Duration:
        try:
            known = Severity(severity)
        except ValueError:
            raise ValueError(f"unknown severity {severity!r}; expected 'general', 'serious' or 'major'") from None
        duration: Duration = getattr(self, known.value)
        return duration


class Escalation(_Section):
    """When an overdue rectification goes up the chain (2.1.4), counted from its deadline; each step once."""

    before_deadline: DurationText = Duration(amount=1, unit="d")  # reminder to the responsible person
    head: DurationText = Duration(amount=1, unit="d")
    safety: DurationText = Duration(amount=3, unit="d")
    management: DurationText = Duration(amount=7, unit="d")


class Reminders(_Section):
    """How the plan scheduler catches up after downtime: older reminders are recorded as missed, not sent."""

    missed_after: DurationText = Duration(amount=3, unit="d")
    # An occurrence not recorded as done goes up, counted from its due time: the owner, then the owner's
    # department head, then the safety department.
    overdue_owner: DurationText = Duration(amount=1, unit="d")
    overdue_head: DurationText = Duration(amount=2, unit="d")
    overdue_safety: DurationText = Duration(amount=4, unit="d")


class EmergencyRole(_Section):
    """A member of the emergency rescue group (5.3) and their role in it, e.g. commander, evacuation, first aid."""

    role: str
    user: UserId


class Incidents(_Section):
    """Incident handling (5.2): how long the report to the higher authority may wait before management hears
    (the safety officers are reminded at half of it). 1 h: 《生产安全事故报告和调查处理条例》 Art. 9."""

    report_within: DurationText = Duration(amount=1, unit="h")
    unit: str = Field(default="", max_length=500)  # the unit's particulars (name, address, ...) for Art. 12's report


class Calendar(_Section):
    """The company's own days on top of the official Chinese calendar: for years the holidays package
    does not know yet, or days only this company takes off or works."""

    holidays: OptionalDates = Field(default_factory=list)
    workdays: OptionalDates = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        conflicts = _calendar_conflicts(self.model_dump())
        if conflicts:
            loc, reason = conflicts[0]
            raise PydanticCustomError(_CONFLICT, "{reason}", {"reason": f"{path_text(('calendar', *loc))}: {reason}"})
        return self


class SafetyDepartment(_Section):
    channel: ChannelId
    members: Annotated[list[UserId], Field(min_length=1)]


class Management(_Section):
    members: list[UserId]


class Department(_Section):
    key: Annotated[DepartmentKey, Field(max_length=Limits.DEPARTMENT_KEY)]
    name: Annotated[str, Field(min_length=1, max_length=Limits.DEPARTMENT_NAME)]
    head: UserId
    deputy: UserId | None = None
    members: OptionalUserIds = Field(default_factory=list)
    _people: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @model_validator(mode="after")
    def _index(self) -> Self:
        self._people = frozenset([*self.leaders, *self.members])
        return self

    @property
    def leaders(self) -> list[str]:
        """Head first, so callers that notify "the leader" pick the head when there is a deputy too."""
        return [self.head] if self.deputy is None else [self.head, self.deputy]

    def includes(self, user_id: str) -> bool:
        return user_id in self._people


class Org(_Section):
    timezone: Annotated[str, AfterValidator(_known_timezone)]
    language: Literal["zh-CN", "en"]
    safety_department: SafetyDepartment
    management: Management
    departments: Annotated[list[Department], Field(min_length=1)]
    deadlines: Annotated[Deadlines, _NULL_AS_DEFAULTS] = Field(default_factory=Deadlines)
    working_days: bool = False  # day counts in deadlines skip weekends and public holidays, count 调休 workdays
    workday_end: ClockTime = time(18, 0)  # a deadline counted in days, or picked as a date, ends then that day
    calendar: Annotated[Calendar, _NULL_AS_DEFAULTS] = Field(default_factory=Calendar)
    escalation: Annotated[Escalation, _NULL_AS_DEFAULTS] = Field(default_factory=Escalation)
    reminders: Annotated[Reminders, _NULL_AS_DEFAULTS] = Field(default_factory=Reminders)
    emergency_team: list[EmergencyRole] = Field(default_factory=list)
    incidents: Annotated[Incidents, _NULL_AS_DEFAULTS] = Field(default_factory=Incidents)
    _by_key: dict[str, Department] = PrivateAttr(default_factory=dict)
    _by_user: dict[str, Department] = PrivateAttr(default_factory=dict)
    _officers: frozenset[str] = PrivateAttr(default_factory=frozenset)
    _managers: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @model_validator(mode="after")
    def _index(self) -> Self:
        # Enforced here too so an Org built without parse_org can never hold ambiguous lookups.
        conflicts = _department_conflicts([d.model_dump() for d in self.departments])
        if conflicts:
            loc, reason = conflicts[0]
            raise PydanticCustomError(_CONFLICT, "{reason}", {"reason": f"{path_text(loc)}: {reason}"})
        self._by_key = {d.key: d for d in self.departments}
        self._by_user = {user: d for d in self.departments for user in d._people}
        self._officers = frozenset(self.safety_department.members)
        self._managers = frozenset(self.management.members)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances, so this stays cheap

    def department(self, key: str) -> Department | None:
        return self._by_key.get(key)

    def department_of(self, user_id: str) -> Department | None:
        return self._by_user.get(user_id)

    def is_safety_officer(self, user_id: str) -> bool:
        return user_id in self._officers

    def is_management(self, user_id: str) -> bool:
        return user_id in self._managers


def _department_conflicts(departments: object) -> list[tuple[Loc, str]]:
    """Works on raw YAML data too, so these rules are reported alongside schema mistakes, not after them."""
    if not isinstance(departments, list):
        return []
    found: list[tuple[Loc, str]] = []
    first_index: dict[str, int] = {}
    home: dict[str, tuple[int, str]] = {}  # user id -> (index, label) of the first department naming them
    for i, dept in enumerate(departments):
        if not isinstance(dept, dict):
            continue
        key, head, deputy, members = (dept.get(k) for k in ("key", "head", "deputy", "members"))
        label = key if isinstance(key, str) else f"departments[{i}]"
        if isinstance(key, str) and first_index.setdefault(key, i) != i:
            found.append((("departments", i, "key"), f"duplicate department key '{key}'"))
        if isinstance(head, str) and head == deputy:
            found.append((("departments", i, "deputy"), f"{head} cannot be both head and deputy"))
        people: list[tuple[Loc, object]] = [(("head",), head), (("deputy",), deputy)]
        people += [(("members", j), m) for j, m in enumerate(members)] if isinstance(members, list) else []
        for where, user in people:
            if isinstance(user, str) and home.setdefault(user, (i, label))[0] != i:
                other = home[user][1]
                found.append((("departments", i, *where), f"{user} is already in department '{other}'"))
    return found


def _calendar_conflicts(calendar: object) -> list[tuple[Loc, str]]:
    """A day both off and working is a contradiction; reported at the workdays entry. Works on raw data too."""
    if not isinstance(calendar, dict):
        return []
    holidays, workdays = calendar.get("holidays"), calendar.get("workdays")
    if not isinstance(holidays, list) or not isinstance(workdays, list):
        return []
    days_off = {day for day in map(_as_date, holidays) if day is not None}
    return [
        (("workdays", j), f"{day.isoformat()} is also listed under calendar.holidays")
        for j, day in enumerate(map(_as_date, workdays))
        if day is not None and day in days_off
    ]


def _as_date(value: object) -> date | None:
    try:
        result = iso_date(value)
    except PydanticCustomError:
        return None  # reported by the schema check
    return result if isinstance(result, date) else None


def parse_org(text: str, *, source: str = "org.yml") -> Org:
    """Validate an organisation file's text; raises OrgFileError listing every mistake with its line."""
    try:
        root, data = read_yaml(text, source=source)  # one parse gives both the node tree (for lines) and the data
    except ConfigFileError as exc:
        raise OrgFileError(exc.problems) from None
    if data is None:
        raise OrgFileError([f"{source}:1: the file is empty"])

    found = list(duplicate_keys(root))
    org: Org | None = None
    try:
        org = Org.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] != _CONFLICT:
                at_key = error["type"] == "extra_forbidden"
                found.append((line_of(root, error["loc"], at_key=at_key), error["loc"], reason(error, Org)))
    departments = data.get("departments") if isinstance(data, dict) else None
    found += [(line_of(root, loc), loc, why) for loc, why in _department_conflicts(departments)]
    calendar = data.get("calendar") if isinstance(data, dict) else None
    for loc, why in _calendar_conflicts(calendar):
        found.append((line_of(root, ("calendar", *loc)), ("calendar", *loc), why))
    if found or org is None:
        found.sort(key=lambda item: item[0])
        raise OrgFileError([f"{source}:{line}: {path_text(loc)}: {why}" for line, loc, why in found])
    return org


def load_org(path: Path) -> Org:
    """Read and validate the organisation file, naming the path in every problem."""
    try:
        text = read_config_text(path, setting="SAFETYBOT_ORG_FILE")
    except ValueError as exc:
        raise OrgFileError([f"{exc}, or run safetybot init here to write a commented one"]) from None
    return parse_org(text, source=str(path))
