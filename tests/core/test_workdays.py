"""The company calendar and default deadlines.

The official dates below are those the installed `holidays` package holds for China (its 2025 and 2026
data cite the State Council notices), checked against `holidays.China(years=...)` when these tests were
written; they are not a copy of the package's tables, so a package that changes them fails here.
"""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import workdays
from bot.core.org import Org, OrgFileError, parse_org
from bot.core.severity import Severity
from bot.core.workdays import WorkCalendar, deadline_for
from tests.core.test_org import VALID

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = WorkCalendar()


def org_with(extra: str = "", timezone: str = "Asia/Shanghai") -> Org:
    return parse_org(VALID.replace("Asia/Shanghai", timezone) + extra)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def working(calendar: WorkCalendar, start: date, end: date) -> list[date]:
    return [day for day in days(start, end) if calendar.is_working_day(day)]


def shanghai(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# --- the official calendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "last_day_off", "worked_sunday", "worked_saturday"),
    [
        (2025, 8, date(2025, 9, 28), date(2025, 10, 11)),  # National Day and Mid-Autumn together: 1–8 October
        (2026, 7, date(2026, 9, 20), date(2026, 10, 10)),
    ],
)
def test_the_national_day_week_is_skipped_and_its_swapped_weekend_days_are_worked(
    year: int, last_day_off: int, worked_sunday: date, worked_saturday: date
) -> None:
    assert working(CN, date(year, 10, 1), date(year, 10, last_day_off)) == []
    assert CN.is_working_day(date(year, 10, last_day_off + 1))
    assert worked_sunday.weekday() == 6 and CN.is_working_day(worked_sunday)
    assert worked_saturday.weekday() == 5 and CN.is_working_day(worked_saturday)
    assert not CN.is_working_day(worked_sunday - timedelta(1))  # the Saturday before stays off
    assert CN.add_working_days(date(year, 9, 30), 1) == date(year, 10, last_day_off + 1)
    assert CN.add_working_days(worked_saturday - timedelta(1), 1) == worked_saturday


def test_the_spring_festival_2026_is_off_from_15_to_23_february_with_two_saturdays_worked() -> None:
    assert working(CN, date(2026, 2, 15), date(2026, 2, 23)) == []
    assert CN.is_working_day(date(2026, 2, 14))  # Saturday
    assert CN.is_working_day(date(2026, 2, 28))  # Saturday
    assert CN.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # Saturday 14th, then Tuesday 24th


def test_an_ordinary_week_has_five_working_days() -> None:
    assert working(CN, date(2026, 11, 23), date(2026, 11, 29)) == days(date(2026, 11, 23), date(2026, 11, 27))


def test_adding_no_working_days_gives_the_start_and_negative_counts_are_refused() -> None:
    assert CN.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError, match="must not be negative"):
        CN.add_working_days(date(2026, 10, 3), -1)


def test_a_datetime_is_refused_because_its_day_depends_on_the_zone() -> None:
    with pytest.raises(TypeError, match="takes a date"):
        CN.is_working_day(datetime(2026, 10, 8, 12, tzinfo=UTC))


# --- the company's own days ------------------------------------------------------------------------------


def test_an_extra_company_holiday_is_a_day_off() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2026, 11, 30)])
    assert not calendar.is_working_day(date(2026, 11, 30))
    assert calendar.add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)
    assert CN.is_working_day(date(2026, 11, 30))  # only that company's calendar changed


def test_an_extra_company_workday_is_worked_even_on_a_weekend_or_public_holiday() -> None:
    calendar = WorkCalendar(extra_workdays=[date(2026, 11, 28), date(2026, 10, 2)])
    assert calendar.is_working_day(date(2026, 11, 28))  # Saturday
    assert calendar.is_working_day(date(2026, 10, 2))  # National Day
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 2)


def test_a_day_listed_both_ways_in_code_is_worked() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2026, 12, 1)], extra_workdays=[date(2026, 12, 1)])
    assert calendar.is_working_day(date(2026, 12, 1))


def test_the_calendar_from_an_org_file_uses_its_extra_days() -> None:
    org = org_with("calendar:\n  holidays: [2026-12-01]\n  workdays: [2026-12-05]\n")
    calendar = WorkCalendar.from_org(org)
    assert not calendar.is_working_day(date(2026, 12, 1))
    assert calendar.is_working_day(date(2026, 12, 5))


# --- years the package does not know ---------------------------------------------------------------------


def test_an_unknown_year_falls_back_to_weekends_and_statutory_holidays() -> None:
    assert not CN.knows_year(2031)
    # 2031: National Day (with Mid-Autumn on the same day) is Wednesday to Friday; no swapped days are known.
    assert working(CN, date(2031, 9, 27), date(2031, 10, 6)) == [*days(date(2031, 9, 29), date(2031, 9, 30)),
                                                               date(2031, 10, 6)]
    assert not CN.is_working_day(date(2031, 1, 1))
    assert CN.add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 6)


@pytest.mark.parametrize("year", [2035, 2099, 2101, 2500, 9998])
def test_a_year_far_ahead_never_fails_and_still_has_weekends_off(year: int) -> None:
    year_days = days(date(year, 1, 1), date(year, 12, 31))
    working_days = [day for day in year_days if CN.is_working_day(day)]
    assert all(day.weekday() < 5 for day in working_days)
    assert 240 <= len(working_days) <= 262  # weekends off, plus whatever statutory holidays the package knows
    assert not CN.knows_year(year)


def test_the_company_can_fill_in_an_unknown_year() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2031, 10, 6), date(2031, 10, 7)], extra_workdays=[date(2031, 9, 28)])
    assert calendar.knows_year(2031)
    assert calendar.is_working_day(date(2031, 9, 28))  # Sunday
    assert calendar.add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 8)


def test_if_the_package_fails_for_a_year_only_weekends_are_days_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("no data")

    monkeypatch.setattr(workdays, "_years", {})  # a fresh cache, discarded afterwards
    monkeypatch.setattr(holidays, "China", broken)
    assert CN.is_working_day(date(2026, 10, 1))
    assert not CN.is_working_day(date(2026, 10, 10))  # the swapped Saturday is unknown too
    assert not CN.knows_year(2026)
    assert "failed for China 2026" in caplog.text


def test_each_year_is_computed_once_even_when_threads_ask_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdays, "_years", {})
    calls: list[int] = []
    real = workdays._load_year

    def counted(year: int) -> workdays._Year:
        calls.append(year)
        return real(year)

    monkeypatch.setattr(workdays, "_load_year", counted)
    start = threading.Barrier(8)
    answers: list[bool] = []

    def ask() -> None:
        start.wait()
        answers.append(WorkCalendar().is_working_day(date(2026, 10, 10)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 8
    assert calls == [2026]


# --- knows_year ------------------------------------------------------------------------------------------


def test_the_package_knows_the_years_it_has_official_schedules_for() -> None:
    assert all(CN.knows_year(year) for year in range(2001, 2027))
    assert not CN.knows_year(2000)  # before the first State Council notice it holds
    assert not CN.knows_year(2099)


# --- deadlines -------------------------------------------------------------------------------------------

REPORTED = shanghai(2026, 9, 30, 14, 30)  # Wednesday before the National Day week


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("general", shanghai(2026, 10, 7, 18, 0)),  # days end at the end of the working day
        ("serious", shanghai(2026, 10, 3, 18, 0)),
        ("major", shanghai(2026, 10, 1, 14, 30)),  # hours are elapsed time
    ],
)
def test_without_working_days_a_deadline_counts_calendar_days(severity: Severity, expected: datetime) -> None:
    result = deadline_for(severity, start=REPORTED.astimezone(UTC), org=org_with(), calendar=CN)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("general", shanghai(2026, 10, 15, 18, 0)),  # 8, 9, 10 (Saturday, worked), 12, 13, 14, 15 October
        ("serious", shanghai(2026, 10, 10, 18, 0)),  # the swapped Saturday counts
        ("major", shanghai(2026, 10, 1, 14, 30)),  # 24 hours, on a holiday: never moved
    ],
)
def test_with_working_days_a_deadline_skips_the_holiday_week(severity: Severity, expected: datetime) -> None:
    org = org_with("working_days: true\n")
    result = deadline_for(severity, start=REPORTED.astimezone(UTC), org=org, calendar=CN)
    assert result == expected
    assert result.tzinfo is UTC


def test_working_days_are_counted_from_the_companys_date_not_the_utc_one() -> None:
    start = shanghai(2026, 11, 30, 1, 0)  # Monday 01:00 in Shanghai, still Sunday in UTC
    result = deadline_for("serious", start=start.astimezone(UTC), org=org_with("working_days: true\n"), calendar=CN)
    assert result == shanghai(2026, 12, 3, 18, 0)  # Tuesday, Wednesday, Thursday (from Sunday: Wednesday)


def test_a_24_hour_deadline_is_elapsed_time_even_across_a_clock_change() -> None:
    org = org_with(timezone="Europe/Berlin")
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # clocks go forward in Berlin the next night
    assert deadline_for("major", start=start, org=org, calendar=CN) == start + timedelta(hours=24)


def test_a_day_deadline_ends_at_the_local_end_of_the_working_day_across_a_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 28, 13, 0, tzinfo=berlin)
    result = deadline_for("general", start=start.astimezone(UTC), org=org_with(timezone="Europe/Berlin"), calendar=CN)
    assert result == datetime(2026, 4, 4, 18, 0, tzinfo=berlin)


@pytest.mark.parametrize(("extra", "expected"), [
    pytest.param("", shanghai(2026, 10, 7, 18, 0), id="default-18:00"),
    pytest.param("workday_end: '17:30'\n", shanghai(2026, 10, 7, 17, 30), id="quoted"),
    pytest.param("workday_end: 9:05\n", shanghai(2026, 10, 7, 9, 5), id="one-digit-hour"),
])
def test_a_day_deadline_ends_at_the_org_files_workday_end(extra: str, expected: datetime) -> None:
    assert deadline_for("general", start=REPORTED.astimezone(UTC), org=org_with(extra), calendar=CN) == expected


@pytest.mark.parametrize("value", ["25:00", "6pm", "18", "18:60"])
def test_a_workday_end_that_is_not_a_time_of_day_is_refused_with_its_line(value: str) -> None:
    with pytest.raises(OrgFileError, match=r"workday_end.*not a time of day like 18:00"):
        org_with(f"workday_end: '{value}'\n")


def test_the_org_files_deadlines_are_used() -> None:
    org = org_with("deadlines:\n  general: 2d\n  major: 12h\nworking_days: true\n")
    start = REPORTED.astimezone(UTC)
    assert deadline_for("general", start=start, org=org, calendar=CN) == shanghai(2026, 10, 9, 18, 0)
    assert deadline_for("major", start=start, org=org, calendar=CN) == shanghai(2026, 10, 1, 2, 30)


def test_the_company_calendar_is_used_for_deadlines() -> None:
    org = org_with("working_days: true\ncalendar:\n  holidays: [2026-10-08]\n")
    start = REPORTED.astimezone(UTC)
    result = deadline_for("serious", start=start, org=org, calendar=WorkCalendar.from_org(org))
    assert result == shanghai(2026, 10, 12, 18, 0)  # 9, 10 (Saturday, worked), 12 October


def test_a_naive_start_or_an_unknown_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for("major", start=datetime(2026, 10, 1, 12), org=org_with(), calendar=CN)
    with pytest.raises(ValueError, match="unknown severity"):
        deadline_for("minor", start=REPORTED, org=org_with(), calendar=CN)  # type: ignore[arg-type]


# --- the counting property -------------------------------------------------------------------------------

# Known years, years with only estimated holidays, and years past the package's range (2100).
ANY_DAY = st.dates(date(2000, 1, 1), date(2102, 12, 31))
NEARBY = st.sets(st.integers(-3, 80), max_size=25)  # company days as offsets from the start, so they matter


@settings(deadline=None)  # the first question about a year loads it from the package
@given(start=ANY_DAY, count=st.integers(1, 40), holiday_offsets=NEARBY, workday_offsets=NEARBY)
def test_adding_n_working_days_lands_on_a_working_day_with_exactly_n_working_days_in_between(
    start: date, count: int, holiday_offsets: set[int], workday_offsets: set[int]
) -> None:
    calendar = WorkCalendar(extra_holidays=[start + timedelta(n) for n in holiday_offsets],
                            extra_workdays=[start + timedelta(n) for n in workday_offsets])
    result = calendar.add_working_days(start, count)
    assert calendar.is_working_day(result)
    assert len(working(calendar, start + timedelta(1), result)) == count
