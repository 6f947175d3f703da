"""The company's organisation file: who the safety officers, managers and department heads are.

Admins edit this YAML by hand, so a mistake must be reported back in terms they can act on: the file,
the line, the key path and a plain-language reason, and all mistakes at once rather than one per run.
"""

import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

_Loc = tuple[int | str, ...]
_Found = tuple[int, _Loc, str]  # line, path, reason
_CONFLICT = "org_conflict"  # error type of Org's own cross-check; parse_org reports these with lines instead


class OrgFileError(Exception):
    """Carries every problem found, so the admin can fix the whole file in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _matching(pattern: str, what: str) -> AfterValidator:
    """Pydantic's pattern message shows a regex, which means nothing to an admin; name the thing instead."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise PydanticCustomError("bad_format", "{value} is not " + what, {"value": repr(value)})
        return value

    return AfterValidator(check)


def _known_timezone(value: str) -> str:
    # A typo here would only surface when the scheduler first fires, so catch it at load time.
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise PydanticCustomError(
            "bad_timezone", "{value} is not a known time zone (like Asia/Shanghai)", {"value": repr(value)}
        ) from None
    return value


UserId = Annotated[str, _matching(r"[UW][A-Z0-9]{2,}", "a Slack user id (like U0123ABCD)")]
ChannelId = Annotated[str, _matching(r"[CG][A-Z0-9]{2,}", "a Slack channel id (like C0123ABCD)")]
DepartmentKey = Annotated[
    str, _matching(r"[a-z0-9][a-z0-9_-]*", "a valid department key (lowercase letters, digits, '-', '_')")
]
# `members:` with every entry commented out parses as null; treat it as the empty list the admin meant.
OptionalUserIds = Annotated[list[UserId], BeforeValidator(lambda value: [] if value is None else value)]
# The same for a section whose keys are all commented out: it means "use the defaults".
_NULL_AS_DEFAULTS = BeforeValidator(lambda value: {} if value is None else value)

Severity = Literal["general", "serious", "major"]
_DURATION = re.compile(r"([0-9]+)([dh])")
_MAX_DURATION = 999  # days or hours; a larger number is a typo, and would make deadline arithmetic crawl


def _iso_date(value: object) -> object:
    # The loader leaves dates as text (see _Loader), so an impossible one like 2027-02-30 gets a line too.
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("bad_date", "{value} is not a date like 2027-01-01", {"value": _show(value)})


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
OptionalDates = Annotated[list[IsoDate], BeforeValidator(lambda value: [] if value is None else value)]


class _Section(BaseModel):
    """Shared strictness: an unknown key is almost always a typo that would otherwise be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(_Section):
    """A deadline length as the admin wrote it: `7d` is seven days (working days if the company says so),
    `24h` is twenty-four hours of elapsed time."""

    amount: Annotated[int, Field(ge=1, le=_MAX_DURATION)]
    unit: Literal["d", "h"]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def delta(self) -> timedelta:
        """As elapsed time (calendar days, not working days): what reminder offsets and escalation delays mean."""
        return timedelta(days=self.amount) if self.unit == "d" else timedelta(hours=self.amount)


def _duration(value: object) -> object:
    if isinstance(value, Duration):
        return value
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match[1]) < 1:
        raise PydanticCustomError(
            "bad_duration", "{value} is not a duration like 7d or 24h", {"value": _show(value)}
        )
    if int(match[1]) > _MAX_DURATION:
        raise PydanticCustomError(
            "long_duration", "{value} is too long (at most {most}d or {most}h)",
            {"value": _show(value), "most": _MAX_DURATION},
        )
    return Duration(amount=int(match[1]), unit="d" if match[2] == "d" else "h")


# Written and dumped as the admin's text ("7d"), so a dumped Org validates again.
DurationText = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str, return_type=str)]


class Deadlines(_Section):
    """Default rectification deadline per hazard severity (regulation 7.3.2)."""

    general: DurationText = Duration(amount=7, unit="d")
    serious: DurationText = Duration(amount=3, unit="d")
    major: DurationText = Duration(amount=24, unit="h")

    def for_severity(self, severity: Severity) -> Duration:
        if severity not in ("general", "serious", "major"):
            raise ValueError(f"unknown severity {severity!r}; expected 'general', 'serious' or 'major'")
        duration: Duration = getattr(self, severity)
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
    """Incident handling (5.2): how long the report to the higher authority may wait before management hears."""

    report_within: DurationText = Duration(amount=2, unit="h")


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
            raise PydanticCustomError(_CONFLICT, "{reason}", {"reason": f"{_path(('calendar', *loc))}: {reason}"})
        return self


class SafetyDepartment(_Section):
    channel: ChannelId
    members: Annotated[list[UserId], Field(min_length=1)]


class Management(_Section):
    members: list[UserId]


class Department(_Section):
    key: DepartmentKey
    name: Annotated[str, Field(min_length=1)]
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
            raise PydanticCustomError(_CONFLICT, "{reason}", {"reason": f"{_path(loc)}: {reason}"})
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


def _department_conflicts(departments: object) -> list[tuple[_Loc, str]]:
    """Works on raw YAML data too, so these rules are reported alongside schema mistakes, not after them."""
    if not isinstance(departments, list):
        return []
    found: list[tuple[_Loc, str]] = []
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
        people: list[tuple[_Loc, object]] = [(("head",), head), (("deputy",), deputy)]
        people += [(("members", j), m) for j, m in enumerate(members)] if isinstance(members, list) else []
        for where, user in people:
            if isinstance(user, str) and home.setdefault(user, (i, label))[0] != i:
                other = home[user][1]
                found.append((("departments", i, *where), f"{user} is already in department '{other}'"))
    return found


def _calendar_conflicts(calendar: object) -> list[tuple[_Loc, str]]:
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
        result = _iso_date(value)
    except PydanticCustomError:
        return None  # reported by the schema check
    return result if isinstance(result, date) else None


def _duplicate_keys(node: yaml.Node | None, loc: _Loc = (), seen: set[int] | None = None) -> Iterator[_Found]:
    """PyYAML silently keeps the last of two equal keys, which would quietly drop e.g. a members list."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in names:
                yield key_node.start_mark.line + 1, (*loc, name), f"duplicate key '{name}'"
            names.add(name)
            yield from _duplicate_keys(value_node, (*loc, name), seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i), seen)


def _line(root: yaml.Node | None, loc: Sequence[int | str], *, at_key: bool = False) -> int:
    """Follows loc down the node tree; a missing key stops at its parent mapping, which is what we want."""
    node, line = root, (root.start_mark.line + 1 if root else 1)
    for depth, part in enumerate(loc, 1):
        pair: tuple[yaml.Node, yaml.Node] | None = None
        if isinstance(node, yaml.MappingNode):
            pair = next((p for p in reversed(node.value) if str(p[0].value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            pair = (node.value[part], node.value[part])
        if pair is None:
            break
        node = pair[1]
        line = (pair[0] if at_key and depth == len(loc) else node).start_mark.line + 1
    return line


def _path(loc: Sequence[int | str]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _reason(error: ErrorDetails) -> str:
    """Pydantic's messages are written for developers; rephrase the ones an admin is likely to hit."""
    value = error.get("input")
    match error["type"]:
        case "missing":
            return "field required"
        case "extra_forbidden":
            return f"unknown key '{error['loc'][-1]}'"
        case "literal_error":
            return f"{_show(value)} is not allowed here (use {error.get('ctx', {}).get('expected')})"
        case "too_short":
            return "needs at least one entry"
        case "string_too_short":
            return "must not be empty"
        case "string_type":
            return f"expected text, got {_show(value)}"
        case "list_type":
            return f"expected a list, got {_show(value)}"
        case "model_type" | "model_attributes_type" | "dict_type":
            return f"expected keys and values, got {_show(value)}"
        case "bool_type" | "bool_parsing":
            return f"{_show(value)} is not true or false"
    return error["msg"]


class _Loader(yaml.SafeLoader):
    """SafeLoader, but dates stay text: PyYAML turns 2027-02-30 into a bare ValueError with no line, while
    as text it reaches the schema and is reported like any other mistake."""

    yaml_implicit_resolvers = {  # noqa: RUF012  # PyYAML's own class-level table, copied without timestamps
        first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def parse_org(text: str, *, source: str = "org.yml") -> Org:
    """Validate an organisation file's text; raises OrgFileError listing every mistake with its line."""
    loader = _Loader(text)  # one parse gives both the node tree (for lines) and the data
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
        reason = "; ".join(part for part in parts if part) or str(exc)
        raise OrgFileError([f"{source}:{line}: invalid YAML: {reason}"]) from None
    finally:
        loader.dispose()
    if data is None:
        raise OrgFileError([f"{source}:1: the file is empty"])

    found = list(_duplicate_keys(root))
    org: Org | None = None
    try:
        org = Org.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] != _CONFLICT:
                at_key = error["type"] == "extra_forbidden"
                found.append((_line(root, error["loc"], at_key=at_key), error["loc"], _reason(error)))
    departments = data.get("departments") if isinstance(data, dict) else None
    found += [(_line(root, loc), loc, reason) for loc, reason in _department_conflicts(departments)]
    calendar = data.get("calendar") if isinstance(data, dict) else None
    for loc, reason in _calendar_conflicts(calendar):
        found.append((_line(root, ("calendar", *loc)), ("calendar", *loc), reason))
    if found or org is None:
        found.sort(key=lambda item: item[0])
        raise OrgFileError([f"{source}:{line}: {_path(loc)}: {reason}" for line, loc, reason in found])
    return org


def read_config_text(path: Path) -> str:
    """A configuration file's text; raises ValueError with one line an admin can act on."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None


def load_org(path: Path) -> Org:
    """Read and validate the organisation file, naming the path in every problem."""
    try:
        text = read_config_text(path)
    except ValueError as exc:
        raise OrgFileError([str(exc)]) from None
    return parse_org(text, source=str(path))
