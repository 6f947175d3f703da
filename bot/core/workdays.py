"""The company calendar and rectification deadlines (regulation 7.3.2).

A deadline counted in working days skips weekends and Chinese public holidays, and counts the official
swapped working days (调休: a Saturday or Sunday worked to lengthen a holiday). The official schedule comes
from the `holidays` package, which knows a year only once the State Council has announced it and a release
has caught up; for later years it still gives the statutory holidays (estimated, with weekend holidays moved
to the next weekday) but no swapped workdays, and after 2100, its last year, nothing but weekends. The org
file's `calendar` section fills such gaps.
"""

import logging
import threading
from calendar import SATURDAY, SUNDAY
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import holidays

from bot.core.org import Org
from bot.core.severity import Severity

log = logging.getLogger(__name__)

_WEEKEND = frozenset({SATURDAY, SUNDAY})


@dataclass(frozen=True)
class _Year:
    """What the package says about one year, frozen so threads can share it without locking."""

    days_off: frozenset[date]  # public holidays, incl. weekdays given off in exchange for a swapped workday
    weekend_workdays: frozenset[date]  # 调休: Saturdays and Sundays that are working days
    official: bool  # the package has the announced schedule for the year, not just the statutory days


_years: dict[int, _Year] = {}
_years_lock = threading.Lock()


def _load_year(year: int) -> _Year:
    try:
        # A holidays object fills itself in on lookups of other years, so it is never shared; we keep sets.
        china = holidays.China(years=year)
        days_off = frozenset(day for day in china if day.year == year)
        # weekend_workdays also holds the cross-year swaps of every year (e.g. 2001-12-29, worked for the 2002
        # New Year), whatever years were asked for; keep only this year's.
        workdays = frozenset(day for day in china.weekend_workdays if day.year == year)
    except Exception:  # a deadline must never fail on a calendar gap; weekends alone are a safe floor
        log.warning("holidays package failed for China %d; counting only weekends as days off", year, exc_info=True)
        return _Year(frozenset(), frozenset(), official=False)
    # Every announced schedule since 2001 swaps at least one weekend day; estimated years have none.
    return _Year(days_off, workdays, official=bool(workdays))


def _package_year(year: int) -> _Year:
    found = _years.get(year)
    if found is None:
        with _years_lock:
            found = _years.get(year)
            if found is None:
                found = _years[year] = _load_year(year)
    return found


class WorkCalendar:
    """Working days for one company: its own calendar entries first, then the official Chinese calendar.

    Cheap to build per request (the package's data is computed once per year and shared) and safe to use
    from several threads.
    """

    def __init__(self, *, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self._workdays = frozenset(extra_workdays)
        self._holidays = frozenset(extra_holidays)
        self._listed_years = frozenset(day.year for day in self._workdays | self._holidays)

    @classmethod
    def from_org(cls, org: Org) -> "WorkCalendar":
        return cls(extra_holidays=org.calendar.holidays, extra_workdays=org.calendar.workdays)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):  # its date depends on the zone, and it never equals a date in a set
            raise TypeError("is_working_day takes a date; convert the datetime to the company's zone first")
        if day in self._workdays:  # before holidays: a day listed both ways is worked
            return True
        if day in self._holidays:
            return False
        year = _package_year(day.year)
        if day.weekday() in _WEEKEND:
            return day in year.weekend_workdays
        return day not in year.days_off

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start`, which is not counted itself (0 gives `start`)."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        day = start
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return day

    def knows_year(self, year: int) -> bool:
        """Whether the year's official schedule, swapped workdays included, is known (from the package or
        the org file); otherwise working days for it are estimated from weekends and statutory holidays."""
        return year in self._listed_years or _package_year(year).official


def deadline_for(severity: Severity, *, start: datetime, org: Org, calendar: WorkCalendar) -> datetime:
    """The default rectification deadline for a hazard reported at `start`, in UTC.

    Hours are elapsed time, never moved off weekends or holidays. Days are counted in the company's zone
    (calendar days, or working days when the org counts in working days) and end at the end of that working
    day (`workday_end`, 18:00 unless the org file says otherwise): "by Monday" means Monday evening, not the
    minute of the report.
    """
    if start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    duration = org.deadlines.for_severity(severity)
    if duration.unit == "h":
        return start.astimezone(UTC) + timedelta(hours=duration.amount)
    local = start.astimezone(org.tz)
    if org.working_days:
        day = calendar.add_working_days(local.date(), duration.amount)
    else:
        day = local.date() + timedelta(days=duration.amount)
    # In a zone with daylight saving, a time skipped that night resolves as zoneinfo does (fold=0).
    return datetime.combine(day, org.workday_end, tzinfo=org.tz).astimezone(UTC)
