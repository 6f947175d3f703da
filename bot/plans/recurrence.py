"""When a recurring plan falls due: an RFC 5545 rule, a start date and a time of day in the company's zone.

The rule is an RRULE body ("FREQ=WEEKLY;BYDAY=MO": no DTSTART, no "RRULE:" prefix). Occurrences are computed
with `dateutil.rrule` on naive wall-clock times in the company's zone, starting at `start` + `time_of_day`, then
placed in the zone and given in UTC.

Rules are checked here instead of being handed to `dateutil.rrule.rrulestr`, which accepts much that it then
gets quietly wrong: INTERVAL=0 repeats the start for ever, BYMONTHDAY=0 means every day, BYMONTH=13 or
BYMONTHDAY=32 simply never happen, a part given twice keeps the last, an ordinal in a weekly BYDAY (1MO) is
ignored, and WKST defaults to whatever `calendar.setfirstweekday` was last set to. Accepted:

- FREQ DAILY, WEEKLY, MONTHLY or YEARLY (a plan is at most daily; HOURLY and finer are refused), INTERVAL,
  COUNT or UNTIL (not both), BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY, BYSETPOS and WKST, with the
  ranges and the FREQ combinations of RFC 5545 section 3.3.10. Names and values are case-insensitive.
- UNTIL as a local date (20271231, which includes that whole day) or a local date-time (20271231T170000), in
  the company's zone like everything else. UTC (…Z) and TZID forms are refused: the zone is not in the rule.
- Not BYHOUR, BYMINUTE or BYSECOND (the time of day is `time_of_day`), nor dateutil's own BYEASTER.

Daylight saving time: a wall time that happens twice (autumn) is the first of the two; a wall time that does
not exist (spring) is read with the offset from before the change, which is the same wall time shifted forward
by the gap: 02:30 on the night Berlin moves from 02:00 to 03:00 is 03:30 CEST (01:30 UTC).

Short months: a "day of month" of 29, 30 or 31 never skips a month. It is written BYMONTHDAY=28,…,<day> with
BYSETPOS=-1, "that day, or the month's last day when the month is shorter", so "every 6 months from 31 August"
stays half-yearly (31 Aug, 28/29 Feb, 31 Aug …) instead of becoming yearly, as a plain BYMONTHDAY=31 would.
Yearly on 29 February is the last day of February in other years, for the same reason.

Cost: every iteration of dateutil starts at the rule's start, and dateutil only stops at year 9999 for a
rule that never matches (five seconds for a daily one). So whether a rule can ever match is decided first,
cheaply (see `_first`), and cached; rules that can match are then only read as far as needed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from math import lcm
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday
from pydantic import BaseModel, ConfigDict, field_validator

from bot.core.workdays import WorkCalendar

log = logging.getLogger(__name__)

RULE_INVALID = "error.rule_invalid"
RULE_NEVER = "error.rule_never"
MAX_RESULTS = 10_000  # occurrences returned by one call at most
_MAX_MOVE_DAYS = 366  # a calendar with no working day in a year is broken; the date then stays as it is


class Pattern(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    EVERY_N_MONTHS = "every_n_months"
    YEARLY = "yearly"
    CUSTOM = "custom"


class RuleError(ValueError):
    """A rule that cannot be used; `key` is the translation key of the problem (RULE_INVALID or RULE_NEVER)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


# --- parsing -------------------------------------------------------------------------------------------------

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_TOO_FINE = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYSETPOS",
     "WKST"}
)
_BY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
_POSITIVE = re.compile(r"[0-9]{1,6}")
_SIGNED = re.compile(r"[+-]?[0-9]{1,3}")
_DAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2}))?")


@dataclass(frozen=True)
class _Rule:
    freq: int
    interval: int
    count: int | None
    until: datetime | None  # naive wall time in the company's zone, inclusive
    bymonth: tuple[int, ...] | None
    byweekno: tuple[int, ...] | None
    byyearday: tuple[int, ...] | None
    bymonthday: tuple[int, ...] | None
    byday: tuple[weekday, ...] | None
    bysetpos: tuple[int, ...] | None
    wkst: int

    def build(self, dtstart: datetime, *, limited: bool = True) -> rrule:
        """The dateutil rule from `dtstart`; `limited=False` leaves out COUNT and UNTIL."""
        return rrule(
            self.freq, dtstart=dtstart, interval=self.interval, wkst=self.wkst,
            count=self.count if limited else None, until=self.until if limited else None,
            bymonth=self.bymonth, byweekno=self.byweekno, byyearday=self.byyearday, bymonthday=self.bymonthday,
            byweekday=self.byday, bysetpos=self.bysetpos,
        )


def _normalize(rule: str) -> str:
    return rule.strip().upper()


def _numbers(name: str, value: str, largest: int, *, signed: bool = True) -> tuple[int, ...]:
    found = []
    for item in value.split(","):
        if not _SIGNED.fullmatch(item) or (not signed and item[0] in "+-"):
            raise RuleError(RULE_INVALID, f"{name}: {item!r} is not a number")
        number = int(item)
        if number == 0 or abs(number) > largest:
            raise RuleError(RULE_INVALID, f"{name}: {number} is out of range")
        found.append(number)
    return tuple(sorted(set(found)))


def _until(value: str) -> datetime:
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise RuleError(RULE_INVALID, f"UNTIL: {value!r} is not a local date or date-time (no Z, no TZID)")
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        if match[4] is None:  # a date: the whole day
            return datetime(year, month, day, 23, 59, 59)
        return datetime(year, month, day, int(match[4]), int(match[5]), int(match[6]))
    except ValueError:
        raise RuleError(RULE_INVALID, f"UNTIL: {value!r} is not a real date or time") from None


def _weekdays(value: str, freq: str, *, ordinals_allowed: bool) -> tuple[weekday, ...]:
    found = []
    for item in value.split(","):
        match = _DAY.fullmatch(item)
        if match is None:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} is not a weekday like MO or 1MO")
        day = _WEEKDAYS.index(match[2])
        if match[1] is None:
            found.append(weekday(day))
            continue
        nth = int(match[1])
        largest = 5 if freq == "MONTHLY" else 53
        if not ordinals_allowed:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} has an ordinal, which FREQ={freq} does not take")
        if nth == 0 or abs(nth) > largest:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} is out of range")
        found.append(weekday(day, nth))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1024)
def _parse(rule: str) -> _Rule:
    """The rule, normalized (see `_normalize`), checked part by part; raises RuleError(RULE_INVALID)."""
    if not rule:
        raise RuleError(RULE_INVALID, "empty rule")
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, equals, value = part.partition("=")
        if not equals or not name or not value:
            raise RuleError(RULE_INVALID, f"{part!r} is not NAME=VALUE")
        if name not in _PARTS:
            raise RuleError(RULE_INVALID, f"{name} is not accepted here")
        if name in parts:
            raise RuleError(RULE_INVALID, f"{name} is given twice")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError(RULE_INVALID, "FREQ is missing")
    if freq in _TOO_FINE:
        raise RuleError(RULE_INVALID, f"FREQ={freq} is more often than daily")
    if freq not in _FREQS:
        raise RuleError(RULE_INVALID, f"FREQ={freq} is not a frequency")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError(RULE_INVALID, "COUNT and UNTIL cannot be used together")
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise RuleError(RULE_INVALID, "BYWEEKNO needs FREQ=YEARLY")
    if "BYYEARDAY" in parts and freq != "YEARLY":
        raise RuleError(RULE_INVALID, "BYYEARDAY needs FREQ=YEARLY")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise RuleError(RULE_INVALID, "BYMONTHDAY does not go with FREQ=WEEKLY")
    if "BYSETPOS" in parts and not any(name in parts for name in _BY_PARTS):
        raise RuleError(RULE_INVALID, "BYSETPOS needs another BY… part")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not _POSITIVE.fullmatch(parts[name]):
            raise RuleError(RULE_INVALID, f"{name}: {parts[name]!r} is not a whole number")
    interval = int(parts.get("INTERVAL", "1"))
    if interval < 1:
        raise RuleError(RULE_INVALID, "INTERVAL must be at least 1")
    wkst = parts.get("WKST", "MO")
    if wkst not in _WEEKDAYS:
        raise RuleError(RULE_INVALID, f"WKST: {wkst!r} is not a weekday")
    ordinals = freq == "MONTHLY" or (freq == "YEARLY" and "BYWEEKNO" not in parts)

    def numbers(name: str, largest: int, *, signed: bool = True) -> tuple[int, ...] | None:
        return _numbers(name, parts[name], largest, signed=signed) if name in parts else None

    return _Rule(
        freq=_FREQS[freq],
        interval=interval,
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        bymonth=numbers("BYMONTH", 12, signed=False),
        byweekno=numbers("BYWEEKNO", 53),
        byyearday=numbers("BYYEARDAY", 366),
        bymonthday=numbers("BYMONTHDAY", 31),
        byday=_weekdays(parts["BYDAY"], freq, ordinals_allowed=ordinals) if "BYDAY" in parts else None,
        bysetpos=numbers("BYSETPOS", 366),
        wkst=_WEEKDAYS.index(wkst),
    )


# --- whether a rule ever matches ------------------------------------------------------------------------------

# The Gregorian calendar repeats exactly every 400 years (146,097 days, a whole number of weeks): same weekdays,
# leap days and week numbers. In those units:
_PER_400_YEARS = {YEARLY: 400, MONTHLY: 4_800, WEEKLY: 20_871, DAILY: 146_097}
_PERIOD_YEARS = {YEARLY: 1, MONTHLY: 1 / 12, WEEKLY: 7 / 365, DAILY: 1 / 365}  # roughly, rounded up below


@lru_cache(maxsize=4096)
def _first(rule_text: str, dtstart: datetime) -> datetime | None:
    """The rule's first occurrence from `dtstart` (naive local), or None if there is none.

    After its first period, a rule's periods fall on the calendar exactly as they did `repeat` years earlier,
    `repeat` being the first multiple of 400 years that is also a whole number of its periods (INTERVAL × FREQ).
    So if it matches at all, it matches within `repeat` years plus a period of its start. dateutil cannot be
    told to stop looking there (UNTIL only ends it after a match), but it stops at year 9999: the same rule
    started a multiple of 400 years later, near year 9999, matches before 9999 exactly when this one matches
    within that span. That costs under a second for a daily rule that never matches (the worst case),
    instead of dateutil's five from today; a rule that matches answers at once.
    """
    rule = _parse(rule_text)
    if rule.count == 0:
        return None
    units = _PER_400_YEARS[rule.freq]
    repeat = 400 * (lcm(units, rule.interval) // units)
    span = repeat + int(rule.interval * _PERIOD_YEARS[rule.freq]) + 2
    shifts = (MAXYEAR - dtstart.year - span) // 400
    if shifts > 0:
        probe = dtstart.replace(year=dtstart.year + 400 * shifts)
        if rule.build(probe, limited=False).after(probe, inc=True) is None:
            return None
    first: datetime | None = rule.build(dtstart, limited=False).after(dtstart, inc=True)
    if first is None or (rule.until is not None and first > rule.until):
        return None
    return first


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
        text = _normalize(rule)
        _parse(text)
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
    day_name = _WEEKDAYS[start.weekday()]
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
            text = _normalize(custom)
            problem = validate_rule(text, start=start)
            if problem is not None:
                raise RuleError(problem, text)
            return text


def validate_rule(rule: str, *, start: date | None = None, time_of_day: time = time(0)) -> str | None:
    """None if the rule can be used from `start` at `time_of_day`, else the problem's translation key.

    `error.rule_invalid`: not a rule we accept (see the module docstring), or its UNTIL is before the start.
    `error.rule_never`: it has no occurrence from the start (on or before its UNTIL, within its COUNT).
    Without `start`, today (UTC) is the start, as for a plan being created now; pass the plan's start when
    there is one, since both checks depend on it.
    """
    if not isinstance(rule, str):
        return RULE_INVALID
    text = _normalize(rule)
    try:
        parsed = _parse(text)
    except RuleError as problem:
        return problem.key
    dtstart = datetime.combine(start or datetime.now(UTC).date(), time_of_day.replace(tzinfo=None, microsecond=0))
    if parsed.until is not None and parsed.until < dtstart:
        return RULE_INVALID
    if _first(text, dtstart) is None:
        return RULE_NEVER
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
    parts = dict(part.partition("=")[::2] for part in _normalize(rule).split(";"))
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return parts


def is_one_off(rec: Recurrence) -> bool:
    """Whether the rule has at most one occurrence (COUNT=1, an UNTIL that leaves one, or none at all)."""
    rule = _parse(rec.rule)
    if rule.count is not None and rule.count <= 1:
        return True
    first = _first(rec.rule, rec.first_local)
    # With a first occurrence, the next one (or the end of COUNT or UNTIL) is near: see _first.
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
    if limit <= 0 or _first(rec.rule, rec.first_local) is None:
        return []
    moving = calendar if rec.move_off_holidays else None
    # The first original date that can land after `after`: one moved off holidays lands on the next working
    # day, so one on or before the last working day before `after`'s date lands before it. Two days more for
    # a zone that skipped a whole day (Pacific/Apia, 2011); what comes too early is filtered below.
    after_day = after.astimezone(tz).date()
    first_day = _last_working_day_before(after_day, moving) if moving else after_day
    search_from = datetime.combine(first_day - timedelta(days=2), time.min) if first_day.year > 1 else None
    rule = _parse(rec.rule).build(rec.first_local)
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


# --- describing -----------------------------------------------------------------------------------------------

_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_ZH_NTH = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", -1: "最后一个"}


def _en_date(day: date) -> str:
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def describe(rec: Recurrence, locale: str) -> str:
    """A short description in "zh-CN" or "en" (any other locale gets English), e.g. "every 6 months from
    31 Aug 2026" / "每6个月（自2026-08-31起）"; a rule no pattern makes is shown as it is."""
    pattern, n = pattern_of(rec)
    if pattern is Pattern.CUSTOM:
        return rec.rule
    start = rec.start
    nth = -1 if (start.day - 1) // 7 == 4 else (start.day - 1) // 7 + 1
    leap_day = (start.month, start.day) == (2, 29)
    if locale.replace("_", "-").lower().startswith("zh"):
        since, day = f"（自{start.isoformat()}起）", _ZH_DAYS[start.weekday()]
        text = {
            Pattern.ONCE: f"仅一次（{start.isoformat()}）",
            Pattern.WEEKLY: f"每{day}" if n == 1 else f"每{n}周的{day}{since}",
            Pattern.MONTHLY_WEEKDAY: f"每月{_ZH_NTH[nth]}{day}" if n == 1 else f"每{n}个月的{_ZH_NTH[nth]}{day}{since}",
            Pattern.EVERY_N_MONTHS: f"每月{since}" if n == 1 else f"每{n}个月{since}",
            Pattern.YEARLY: (("每年2月的最后一天" if n == 1 else f"每{n}年2月的最后一天{since}") if leap_day
                             else f"每年{start.month}月{start.day}日" if n == 1 else f"每{n}年{since}"),
        }[pattern]
        return text + ("（遇非工作日顺延）" if rec.move_off_holidays else "")
    since, day = f" from {_en_date(start)}", _EN_DAYS[start.weekday()]
    text = {
        Pattern.ONCE: f"once on {_en_date(start)}",
        Pattern.WEEKLY: f"every {day}" if n == 1 else f"every {n} weeks on {day}{since}",
        Pattern.MONTHLY_WEEKDAY: (f"{_EN_NTH[nth]} {day} of every month" if n == 1
                                  else f"{_EN_NTH[nth]} {day} of every {n} months{since}"),
        Pattern.EVERY_N_MONTHS: f"every month{since}" if n == 1 else f"every {n} months{since}",
        Pattern.YEARLY: (("every year on the last day of February" if n == 1
                          else f"every {n} years on the last day of February{since}") if leap_day
                         else f"every year on {start.day} {_EN_MONTHS[start.month - 1]}" if n == 1
                         else f"every {n} years{since}"),
    }[pattern]
    return text + (" (or the next working day)" if rec.move_off_holidays else "")
