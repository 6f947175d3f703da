"""When a recurring plan falls due: an RFC 5545 rule, a start date and a time of day in the company's zone.

The rule is an RRULE body ("FREQ=WEEKLY;BYDAY=MO": no DTSTART, no "RRULE:" prefix). Occurrences are computed
with `dateutil.rrule` on naive wall-clock times in the company's zone, starting at `start` + `time_of_day`, then
placed in the zone and given in UTC. The rules themselves are checked in `bot.plans.rules`.

Daylight saving time: a wall time that happens twice (autumn) is the first of the two; a wall time that does
not exist (spring) is read with the offset from before the change, which is the same wall time shifted forward
by the gap: 02:30 on the night Berlin moves from 02:00 to 03:00 is 03:30 CEST (01:30 UTC).

Short months: a "day of month" of 29, 30 or 31 never skips a month. It is written BYMONTHDAY=28,…,<day> with
BYSETPOS=-1, "that day, or the month's last day when the month is shorter", so "every 6 months from 31 August"
stays half-yearly (31 Aug, 28/29 Feb, 31 Aug …) instead of becoming yearly, as a plain BYMONTHDAY=31 would.
Yearly on 29 February is the last day of February in other years, for the same reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, field_validator

from bot.core.workdays import WorkCalendar
from bot.plans.rules import (
    RULE_INVALID,
    RULE_NEVER,
    WEEKDAYS,
    RuleError,
    first_occurrence,
    in_company_zone,
    normalize,
    parse_rule,
)

__all__ = ["MAX_RESULTS", "RULE_INVALID", "RULE_NEVER", "Pattern", "Recurrence", "RuleError", "in_company_zone",
           "is_one_off", "next_occurrences", "occurrences", "pattern_of", "rule_for", "rule_problem", "validate_rule"]

log = logging.getLogger(__name__)

MAX_RESULTS = 10_000  # occurrences returned by one call at most
_MAX_MOVE_DAYS = 366  # a calendar with no working day in a year is broken; the date then stays as it is


class Pattern(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    EVERY_N_MONTHS = "every_n_months"
    YEARLY = "yearly"
    CUSTOM = "custom"


# --- the model ------------------------------------------------------------------------------------------------


class Recurrence(BaseModel):
    """A plan's schedule. Constructing one checks the rule (`error.rule_invalid` raises, as a ValidationError);
    a rule that never matches is accepted and simply has no occurrences: `validate_rule` reports it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str  # RRULE body, e.g. "FREQ=WEEKLY;BYDAY=MO" (no DTSTART, no "RRULE:" prefix); stored upper-case
    start: date
    time_of_day: time  # wall time in the company's zone, to the second
    move_off_holidays: bool = False  # a date that is not a working day moves to the next working day

    @field_validator("rule")
    @classmethod
    def _usable_rule(cls, rule: str) -> str:
        text = normalize(rule)
        parse_rule(text)
        return text

    @field_validator("time_of_day")
    @classmethod
    def _wall_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("time_of_day is a wall time in the company's zone; give it without a time zone")
        if value.microsecond:
            raise ValueError("time_of_day is to the second (dateutil drops microseconds)")
        return value

    @property
    def first_local(self) -> datetime:
        """The rule's DTSTART: the start date at the time of day, naive, in the company's zone."""
        return datetime.combine(self.start, self.time_of_day)


# --- building and checking rules ----------------------------------------------------------------------------


def _day_of_month(day: int) -> str:
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def rule_for(pattern: Pattern | str, *, start: date, interval: int = 1, custom: str = "") -> str:
    """The rule for one of the patterns the plan form offers, taken from the start date.

    - ONCE: FREQ=DAILY;COUNT=1 (`interval` is ignored).
    - WEEKLY: every `interval` weeks on the start's weekday.
    - MONTHLY_WEEKDAY: the start's n-th weekday of every `interval` months (2026-12-07, the first Monday:
      BYDAY=1MO). A fifth weekday becomes the last (-1), since most months have no fifth: a plan from
      Friday 29 January means the last Friday of every month, not one in the months with five Fridays.
    - EVERY_N_MONTHS: every `interval` months on the start's day of month; a day of 29 or later is "that day
      or the month's last day when it is shorter" (BYMONTHDAY=28,…,day;BYSETPOS=-1), so no month is skipped.
    - YEARLY: every `interval` years on the start's month and day; 29 February is the last day of February
      in the other years (BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1).
    - CUSTOM: `custom`, checked against the start (raises RuleError) and normalized.
    """
    pattern = Pattern(pattern)
    if interval < 1:
        raise ValueError(f"interval must be at least 1, got {interval}")
    if custom and pattern is not Pattern.CUSTOM:
        raise ValueError(f"a custom rule goes with Pattern.CUSTOM, not {pattern}")
    every = f";INTERVAL={interval}" if interval > 1 else ""
    day_name = WEEKDAYS[start.weekday()]
    match pattern:
        case Pattern.ONCE:
            return "FREQ=DAILY;COUNT=1"
        case Pattern.WEEKLY:
            return f"FREQ=WEEKLY{every};BYDAY={day_name}"
        case Pattern.MONTHLY_WEEKDAY:
            nth = (start.day - 1) // 7 + 1
            return f"FREQ=MONTHLY{every};BYDAY={-1 if nth == 5 else nth}{day_name}"
        case Pattern.EVERY_N_MONTHS:
            return f"FREQ=MONTHLY{every};{_day_of_month(start.day)}"
        case Pattern.YEARLY:
            if (start.month, start.day) == (2, 29):
                return f"FREQ=YEARLY{every};BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
            return f"FREQ=YEARLY{every};BYMONTH={start.month};BYMONTHDAY={start.day}"
        case _:
            text = normalize(custom)
            problem = rule_problem(text, start=start)
            if problem is not None:
                raise RuleError(problem.key, text, part=problem.part)
            return text


def validate_rule(rule: str, *, start: date | None = None, time_of_day: time = time(0)) -> str | None:
    """None if the rule can be used from `start` at `time_of_day`, else the problem's translation key.

    `error.rule_invalid`: not a rule we accept (see the module docstring), or its UNTIL is before the start.
    `error.rule_never`: it has no occurrence from the start (on or before its UNTIL, within its COUNT).
    Without `start`, today (UTC) is the start, as for a plan being created now; pass the plan's start when
    there is one, since both checks depend on it.
    """
    problem = rule_problem(rule, start=start, time_of_day=time_of_day)
    return problem.key if problem else None


def rule_problem(rule: str, *, start: date | None = None, time_of_day: time = time(0)) -> RuleError | None:
    """`validate_rule`'s problem with the part of the rule it is about (`RuleError.part`)."""
    if not isinstance(rule, str):
        return RuleError(RULE_INVALID, "not text")
    text = normalize(rule)
    try:
        parsed = parse_rule(text)
    except RuleError as problem:
        return problem
    dtstart = datetime.combine(start or datetime.now(UTC).date(), time_of_day.replace(tzinfo=None, microsecond=0))
    if parsed.until is not None and parsed.until < dtstart:
        until = next(part for part in text.split(";") if part.startswith("UNTIL="))
        return RuleError(RULE_INVALID, "UNTIL is before the start", part=until)
    if first_occurrence(text, dtstart) is None:
        return RuleError(RULE_NEVER, text)
    return None


def pattern_of(rec: Recurrence) -> tuple[Pattern, int]:
    """The pattern and interval `rule_for` makes this rule from, or (CUSTOM, 1): for describing and editing."""
    parts = _canonical(rec.rule)
    interval = int(parts.get("INTERVAL", "1"))
    for pattern in (Pattern.ONCE, Pattern.WEEKLY, Pattern.MONTHLY_WEEKDAY, Pattern.EVERY_N_MONTHS, Pattern.YEARLY):
        if _canonical(rule_for(pattern, start=rec.start, interval=interval)) == parts:
            return pattern, interval
    return Pattern.CUSTOM, 1


def _canonical(rule: str) -> dict[str, str]:
    parts = dict(part.partition("=")[::2] for part in normalize(rule).split(";"))
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return parts


def is_one_off(rec: Recurrence) -> bool:
    """Whether the rule has at most one occurrence (COUNT=1, an UNTIL that leaves one, or none at all)."""
    rule = parse_rule(rec.rule)
    if rule.count is not None and rule.count <= 1:
        return True
    first = first_occurrence(rec.rule, rec.first_local)
    # With a first occurrence, the next one (or the end of COUNT or UNTIL) is near: see first_occurrence.
    return first is None or rule.build(rec.first_local).after(first) is None


# --- occurrences ------------------------------------------------------------------------------------------------


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time is the first of the two; one in a gap is read with the offset from before
    # the gap, which is the same wall time shifted forward by the gap (see the module docstring).
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _next_working_day(day: date, calendar: WorkCalendar) -> date:
    candidate = day
    for _ in range(_MAX_MOVE_DAYS):
        if calendar.is_working_day(candidate):
            return candidate
        candidate += timedelta(days=1)
    log.warning("no working day within %d days of %s; the occurrence stays on it", _MAX_MOVE_DAYS, day)
    return day


def _last_working_day_before(day: date, calendar: WorkCalendar) -> date:
    candidate = day - timedelta(days=1)
    for _ in range(_MAX_MOVE_DAYS):
        if calendar.is_working_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return candidate


def _require_aware(**values: datetime) -> None:
    for name, value in values.items():
        if value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


def _iterate(rec: Recurrence, *, tz: ZoneInfo, after: datetime, until: datetime | None,
             calendar: WorkCalendar | None, limit: int) -> list[datetime]:
    if rec.move_off_holidays and calendar is None:
        raise ValueError("this recurrence moves off holidays: pass the company's WorkCalendar")
    if limit <= 0 or first_occurrence(rec.rule, rec.first_local) is None:
        return []
    moving = calendar if rec.move_off_holidays else None
    # The first original date that can land after `after`: one moved off holidays lands on the next working
    # day, so one on or before the last working day before `after`'s date lands before it. Two days more for
    # a zone that skipped a whole day (Pacific/Apia, 2011); what comes too early is filtered below.
    after_day = after.astimezone(tz).date()
    first_day = _last_working_day_before(after_day, moving) if moving else after_day
    search_from = datetime.combine(first_day - timedelta(days=2), time.min) if first_day.year > 1 else None
    rule = parse_rule(rec.rule).build(rec.first_local)
    found: list[datetime] = []
    originals = rule.xafter(search_from, inc=True) if search_from is not None else iter(rule)
    try:
        for local in originals:
            if moving is not None:
                local = datetime.combine(_next_working_day(local.date(), moving), local.time())
            due = _to_utc(local, tz)
            # Moving keeps the order (a later date never moves before an earlier one), so the first past
            # `until` ends the search, and two originals moved onto one day are next to each other.
            if until is not None and due > until:
                break
            if due <= after or (found and due == found[-1]):
                continue
            found.append(due)
            if len(found) >= limit:
                break
    except OverflowError:  # the end of datetime's range (year 9999) in UTC or in the zone
        pass
    return found


def occurrences(rec: Recurrence, *, tz: ZoneInfo, after: datetime, until: datetime,
                calendar: WorkCalendar | None = None) -> list[datetime]:
    """The occurrences d with after < d <= until, as aware UTC datetimes, sorted, each once, at most
    MAX_RESULTS (the earliest).

    With `move_off_holidays` (which then needs `calendar`) a date that is not a working day moves to the
    next working day at the same wall time, and the occurrence is the moved one: it is in this window if
    the moved time is, whatever the original date. Two that land on one day are one occurrence.
    """
    _require_aware(after=after, until=until)
    if until <= after:
        return []
    return _iterate(rec, tz=tz, after=after, until=until, calendar=calendar, limit=MAX_RESULTS)


def next_occurrences(rec: Recurrence, *, tz: ZoneInfo, after: datetime, count: int,
                     calendar: WorkCalendar | None = None) -> list[datetime]:
    """The first `count` (at most MAX_RESULTS) occurrences after `after`, as `occurrences` gives them; fewer
    when the rule ends."""
    _require_aware(after=after)
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    return _iterate(rec, tz=tz, after=after, until=None, calendar=calendar, limit=min(count, MAX_RESULTS))
