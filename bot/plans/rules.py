"""RFC 5545 rules as plans write them: parsed, checked, and whether they can ever match.

A rule is an RRULE body ("FREQ=WEEKLY;BYDAY=MO": no DTSTART, no "RRULE:" prefix); `bot.plans.recurrence`
turns it into occurrences.

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

Cost: every iteration of dateutil starts at the rule's start, and dateutil only stops at year 9999 for a
rule that never matches (five seconds for a daily one). So whether a rule can ever match is decided first,
cheaply (see `first_occurrence`), and cached; rules that can match are then only read as far as needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, datetime
from functools import lru_cache
from math import lcm
from typing import Literal

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

RULE_INVALID = "error.rule_invalid"
RULE_NEVER = "error.rule_never"

_Freq = Literal[0, 1, 2, 3, 4, 5, 6]  # dateutil's YEARLY ... SECONDLY


class RuleError(ValueError):
    """A rule that cannot be used; `key` is the translation key of the problem (RULE_INVALID or RULE_NEVER)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS: dict[str, _Freq] = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
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
class Rule:
    freq: _Freq
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


def normalize(rule: str) -> str:
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
        day = WEEKDAYS.index(match[2])
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
def parse_rule(rule: str) -> Rule:
    """The rule, normalized (see `normalize`), checked part by part; raises RuleError(RULE_INVALID)."""
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
    if wkst not in WEEKDAYS:
        raise RuleError(RULE_INVALID, f"WKST: {wkst!r} is not a weekday")
    ordinals = freq == "MONTHLY" or (freq == "YEARLY" and "BYWEEKNO" not in parts)

    def numbers(name: str, largest: int, *, signed: bool = True) -> tuple[int, ...] | None:
        return _numbers(name, parts[name], largest, signed=signed) if name in parts else None

    return Rule(
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
        wkst=WEEKDAYS.index(wkst),
    )


# --- whether a rule ever matches ------------------------------------------------------------------------------

# The Gregorian calendar repeats exactly every 400 years (146,097 days, a whole number of weeks): same weekdays,
# leap days and week numbers. In those units:
_PER_400_YEARS = {YEARLY: 400, MONTHLY: 4_800, WEEKLY: 20_871, DAILY: 146_097}
_PERIOD_YEARS = {YEARLY: 1, MONTHLY: 1 / 12, WEEKLY: 7 / 365, DAILY: 1 / 365}  # roughly, rounded up below


@lru_cache(maxsize=4096)
def first_occurrence(rule_text: str, dtstart: datetime) -> datetime | None:
    """The rule's first occurrence from `dtstart` (naive local), or None if there is none.

    After its first period, a rule's periods fall on the calendar exactly as they did `repeat` years earlier,
    `repeat` being the first multiple of 400 years that is also a whole number of its periods (INTERVAL × FREQ).
    So if it matches at all, it matches within `repeat` years plus a period of its start. dateutil cannot be
    told to stop looking there (UNTIL only ends it after a match), but it stops at year 9999: the same rule
    started a multiple of 400 years later, near year 9999, matches before 9999 exactly when this one matches
    within that span. That costs under a second for a daily rule that never matches (the worst case),
    instead of dateutil's five from today; a rule that matches answers at once.
    """
    rule = parse_rule(rule_text)
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
