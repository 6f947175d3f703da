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
  the company's zone like everything else; or, as RFC 5545 writes it when the start has a zone, a UTC date-time
  (20271231T160000Z), which `in_company_zone` turns into the company's wall time before the rule is stored
  (a date with Z, or a TZID, is refused).
- Every problem names the part of the rule that is wrong (`RuleError.part`, e.g. "UNTIL=2027Z"), so the
  form can point at it.
- Not BYHOUR, BYMINUTE or BYSECOND (the time of day is `time_of_day`), nor dateutil's own BYEASTER.

Cost: every iteration of dateutil starts at the rule's start, and dateutil only stops at year 9999 for a
rule that never matches (five seconds for a daily one). So whether a rule can ever match is decided first,
cheaply (see `first_occurrence`), and cached; rules that can match are then only read as far as needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime
from functools import lru_cache
from math import lcm
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

RULE_INVALID = "error.rule_invalid"
RULE_NEVER = "error.rule_never"

_Freq = Literal[0, 1, 2, 3, 4, 5, 6]  # dateutil's YEARLY ... SECONDLY


class RuleError(ValueError):
    """A rule that cannot be used; `key` is the translation key of the problem (RULE_INVALID or RULE_NEVER)."""

    def __init__(self, key: str, detail: str = "", *, part: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail
        self.part = part  # the part of the rule that is wrong, as written ("UNTIL=2027Z"); "" for the whole


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
_UNTIL_UTC = re.compile(r"(?<![^;])UNTIL=([0-9]{8}T[0-9]{6})Z(?![^;])", re.IGNORECASE)


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


def in_company_zone(rule: str, tz: ZoneInfo) -> str:
    """The rule with a UTC `UNTIL=…Z` (RFC 5545's form when the start has a zone) as the company's wall time,
    which is how rules are stored; anything else is left as it is, for `parse_rule` to judge."""

    def local(match: re.Match[str]) -> str:
        try:
            moment = datetime.strptime(match[1].upper(), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")
        except (ValueError, OverflowError):
            return match[0]  # not a real date-time: parse_rule says so, on this part

    return _UNTIL_UTC.sub(local, rule)


def _numbers(name: str, value: str, largest: int, *, signed: bool = True) -> tuple[int, ...]:
    found = []
    for item in value.split(","):
        if not _SIGNED.fullmatch(item) or (not signed and item[0] in "+-"):
            raise RuleError(RULE_INVALID, f"{name}: {item!r} is not a number", part=f"{name}={value}")
        number = int(item)
        if number == 0 or abs(number) > largest:
            raise RuleError(RULE_INVALID, f"{name}: {number} is out of range", part=f"{name}={value}")
        found.append(number)
    return tuple(sorted(set(found)))


def _until(value: str) -> datetime:
    match = _UNTIL.fullmatch(value)
    if match is None:
        if value.endswith("Z") and _UNTIL.fullmatch(value[:-1]) and "T" in value:
            why = "is in UTC, which is read in the company's zone when the plan is saved"
        elif value.endswith("Z"):
            why = "needs a time when it is in UTC (20271231T160000Z)"
        else:
            why = "is not a date (20271231) or date-time (20271231T170000, or in UTC 20271231T090000Z)"
        raise RuleError(RULE_INVALID, f"UNTIL: {value!r} {why}", part=f"UNTIL={value}")
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        if match[4] is None:  # a date: the whole day
            return datetime(year, month, day, 23, 59, 59)
        return datetime(year, month, day, int(match[4]), int(match[5]), int(match[6]))
    except ValueError:
        raise RuleError(RULE_INVALID, f"UNTIL: {value!r} is not a real date or time", part=f"UNTIL={value}") from None


def _weekdays(value: str, freq: str, *, ordinals_allowed: bool) -> tuple[weekday, ...]:
    found = []
    for item in value.split(","):
        match = _DAY.fullmatch(item)
        part = f"BYDAY={value}"
        if match is None:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} is not a weekday like MO or 1MO", part=part)
        day = WEEKDAYS.index(match[2])
        if match[1] is None:
            found.append(weekday(day))
            continue
        nth = int(match[1])
        largest = 5 if freq == "MONTHLY" else 53
        if not ordinals_allowed:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} has an ordinal, which FREQ={freq} does not take",
                            part=part)
        if nth == 0 or abs(nth) > largest:
            raise RuleError(RULE_INVALID, f"BYDAY: {item!r} is out of range", part=part)
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
            raise RuleError(RULE_INVALID, f"{part!r} is not NAME=VALUE", part=part)
        if name not in _PARTS:
            raise RuleError(RULE_INVALID, f"{name} is not accepted here", part=part)
        if name in parts:
            raise RuleError(RULE_INVALID, f"{name} is given twice", part=name)
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError(RULE_INVALID, "FREQ is missing", part="FREQ")
    if freq in _TOO_FINE:
        raise RuleError(RULE_INVALID, f"FREQ={freq} is more often than daily", part=f"FREQ={freq}")
    if freq not in _FREQS:
        raise RuleError(RULE_INVALID, f"FREQ={freq} is not a frequency", part=f"FREQ={freq}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError(RULE_INVALID, "COUNT and UNTIL cannot be used together", part="COUNT, UNTIL")
    for name in ("BYWEEKNO", "BYYEARDAY"):
        if name in parts and freq != "YEARLY":
            raise RuleError(RULE_INVALID, f"{name} needs FREQ=YEARLY", part=f"{name}={parts[name]}")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise RuleError(RULE_INVALID, "BYMONTHDAY does not go with FREQ=WEEKLY",
                        part=f"BYMONTHDAY={parts['BYMONTHDAY']}")
    if "BYSETPOS" in parts and not any(name in parts for name in _BY_PARTS):
        raise RuleError(RULE_INVALID, "BYSETPOS needs another BY… part", part=f"BYSETPOS={parts['BYSETPOS']}")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not _POSITIVE.fullmatch(parts[name]):
            raise RuleError(RULE_INVALID, f"{name}: {parts[name]!r} is not a whole number",
                            part=f"{name}={parts[name]}")
    interval = int(parts.get("INTERVAL", "1"))
    if interval < 1:
        raise RuleError(RULE_INVALID, "INTERVAL must be at least 1", part=f"INTERVAL={parts['INTERVAL']}")
    wkst = parts.get("WKST", "MO")
    if wkst not in WEEKDAYS:
        raise RuleError(RULE_INVALID, f"WKST: {wkst!r} is not a weekday", part=f"WKST={wkst}")
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
