"""Recurring plans: the rules the form makes, their occurrences in the company's zone, and their descriptions."""

import textwrap
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.core.org import Org
from bot.core.workdays import WorkCalendar
from bot.plans.describe import describe
from bot.plans.recurrence import (
    MAX_RESULTS,
    RULE_INVALID,
    RULE_NEVER,
    Pattern,
    Recurrence,
    RuleError,
    is_one_off,
    next_occurrences,
    occurrences,
    pattern_of,
    rule_for,
    validate_rule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CN = WorkCalendar()
LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


def plan(pattern: Pattern, start: date, *, interval: int = 1, at: time = time(9, 0), move: bool = False) -> Recurrence:
    return Recurrence(rule=rule_for(pattern, start=start, interval=interval), start=start, time_of_day=at,
                      move_off_holidays=move)


def local_days(rec: Recurrence, count: int, *, tz: ZoneInfo = SHANGHAI, calendar: WorkCalendar | None = None
               ) -> list[date]:
    return [due.astimezone(tz).date() for due in next_occurrences(rec, tz=tz, after=LONG_AGO, count=count,
                                                                   calendar=calendar)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the patterns -------------------------------------------------------------------------------------------


def test_a_weekly_plan_falls_on_the_start_weekday_every_week_at_its_time_in_the_company_zone() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 12, 2))  # a Wednesday
    assert rec.rule == "FREQ=WEEKLY;BYDAY=WE"
    assert next_occurrences(rec, tz=SHANGHAI, after=LONG_AGO, count=3) == [
        utc(2026, 12, 2, 1), utc(2026, 12, 9, 1), utc(2026, 12, 16, 1)]  # 09:00 in Shanghai is 01:00 UTC


def test_every_two_weeks_skips_the_week_in_between() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 12, 2), interval=2)
    assert rec.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert local_days(rec, 3) == [date(2026, 12, 2), date(2026, 12, 16), date(2026, 12, 30)]


def test_a_start_on_the_first_monday_means_the_first_monday_of_every_month() -> None:
    rec = plan(Pattern.MONTHLY_WEEKDAY, date(2026, 12, 7))
    assert rec.rule == "FREQ=MONTHLY;BYDAY=1MO"
    assert local_days(rec, 4) == [date(2026, 12, 7), date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1)]


def test_a_start_on_a_fifth_friday_means_the_last_friday_so_no_month_is_skipped() -> None:
    rec = plan(Pattern.MONTHLY_WEEKDAY, date(2027, 1, 29))  # the fifth Friday of January 2027
    assert rec.rule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert local_days(rec, 4) == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30)]


def test_a_fourth_weekday_stays_the_fourth_even_when_it_is_also_the_last() -> None:
    assert rule_for(Pattern.MONTHLY_WEEKDAY, start=date(2027, 2, 26)) == "FREQ=MONTHLY;BYDAY=4FR"


def test_every_6_months_from_31_august_stays_half_yearly_on_the_last_day_of_shorter_months() -> None:
    rec = plan(Pattern.EVERY_N_MONTHS, date(2026, 8, 31), interval=6)
    assert rec.rule == "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    assert local_days(rec, 6) == [date(2026, 8, 31), date(2027, 2, 28), date(2027, 8, 31),
                                  date(2028, 2, 29), date(2028, 8, 31), date(2029, 2, 28)]


def test_every_3_months_from_30_november_keeps_the_30th_and_falls_back_to_the_end_of_february() -> None:
    rec = plan(Pattern.EVERY_N_MONTHS, date(2026, 11, 30), interval=3)
    assert rec.rule == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28,29,30;BYSETPOS=-1"
    assert local_days(rec, 6) == [date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30),
                                  date(2027, 8, 30), date(2027, 11, 30), date(2028, 2, 29)]


def test_a_day_of_month_up_to_the_28th_is_that_day_every_month() -> None:
    rec = plan(Pattern.EVERY_N_MONTHS, date(2026, 1, 15))
    assert rec.rule == "FREQ=MONTHLY;BYMONTHDAY=15"
    assert local_days(rec, 3) == [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)]


def test_yearly_on_29_february_is_the_last_day_of_february_in_other_years() -> None:
    rec = plan(Pattern.YEARLY, date(2028, 2, 29))
    assert rec.rule == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
    assert local_days(rec, 5) == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28),
                                  date(2031, 2, 28), date(2032, 2, 29)]


def test_yearly_on_an_ordinary_day_is_that_day_every_year() -> None:
    rec = plan(Pattern.YEARLY, date(2026, 8, 31))
    assert rec.rule == "FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=31"
    assert local_days(rec, 3) == [date(2026, 8, 31), date(2027, 8, 31), date(2028, 8, 31)]


def test_a_one_off_plan_happens_once_and_says_so() -> None:
    rec = plan(Pattern.ONCE, date(2026, 12, 7))
    assert rec.rule == "FREQ=DAILY;COUNT=1"
    assert next_occurrences(rec, tz=SHANGHAI, after=LONG_AGO, count=5) == [utc(2026, 12, 7, 1)]
    assert is_one_off(rec)
    assert not is_one_off(plan(Pattern.WEEKLY, date(2026, 12, 7)))
    until_the_start = Recurrence(rule="FREQ=WEEKLY;UNTIL=20261207", start=date(2026, 12, 7), time_of_day=time(9))
    assert is_one_off(until_the_start)


def test_a_custom_rule_is_checked_against_the_start_and_normalized() -> None:
    assert rule_for(Pattern.CUSTOM, start=date(2026, 1, 1), custom=" freq=monthly;byday=mo,tu;bysetpos=2 ") == (
        "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2")
    with pytest.raises(RuleError) as invalid:
        rule_for(Pattern.CUSTOM, start=date(2026, 1, 1), custom="FREQ=MINUTELY")
    assert invalid.value.key == RULE_INVALID
    with pytest.raises(RuleError) as never:
        rule_for(Pattern.CUSTOM, start=date(2025, 1, 1), custom="FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29")
    assert never.value.key == RULE_NEVER
    with pytest.raises(ValueError, match="interval"):
        rule_for(Pattern.WEEKLY, start=date(2026, 1, 1), interval=0)


# --- time zones ---------------------------------------------------------------------------------------------


def test_in_berlin_a_weekly_9am_is_8_utc_in_winter_and_7_utc_in_summer_across_the_march_2027_change() -> None:
    rec = plan(Pattern.WEEKLY, date(2027, 3, 15))  # Mondays; clocks go forward on Sunday 28 March 2027
    assert occurrences(rec, tz=BERLIN, after=utc(2027, 3, 1), until=utc(2027, 4, 6)) == [
        utc(2027, 3, 15, 8), utc(2027, 3, 22, 8), utc(2027, 3, 29, 7), utc(2027, 4, 5, 7)]


def test_a_wall_time_skipped_by_the_spring_change_is_shifted_forward_by_the_gap() -> None:
    rec = plan(Pattern.WEEKLY, date(2027, 3, 21), at=time(2, 30))  # Sundays at 02:30
    found = occurrences(rec, tz=BERLIN, after=utc(2027, 3, 1), until=utc(2027, 4, 5))
    assert found == [utc(2027, 3, 21, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 4, 4, 0, 30)]
    assert found[1].astimezone(BERLIN).time() == time(3, 30)  # 02:30 did not exist that night


def test_a_wall_time_that_happens_twice_in_autumn_is_the_first_of_the_two() -> None:
    rec = plan(Pattern.ONCE, date(2027, 10, 31), at=time(2, 30))  # clocks go back from 03:00 to 02:00
    assert next_occurrences(rec, tz=BERLIN, after=LONG_AGO, count=1) == [utc(2027, 10, 31, 0, 30)]  # still CEST


# --- holidays -------------------------------------------------------------------------------------------------


def test_national_day_2026_moves_to_the_first_working_day_after_the_holiday_week() -> None:
    # What the calendar says (the official 2026 schedule): 1–7 October off, Thursday 8 October worked.
    assert [day for day in (date(2026, 10, d) for d in range(1, 9)) if CN.is_working_day(day)] == [date(2026, 10, 8)]
    rec = plan(Pattern.ONCE, date(2026, 10, 1), move=True)
    assert next_occurrences(rec, tz=SHANGHAI, after=LONG_AGO, count=2, calendar=CN) == [utc(2026, 10, 8, 1)]
    assert next_occurrences(rec.model_copy(update={"move_off_holidays": False}), tz=SHANGHAI, after=LONG_AGO,
                            count=2, calendar=CN) == [utc(2026, 10, 1, 1)]


def test_moved_occurrences_that_land_on_the_same_day_count_once() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 9, 24), move=True)  # Thursdays: 1 October moves onto 8 October
    assert local_days(rec, 4, calendar=CN) == [date(2026, 9, 24), date(2026, 10, 8), date(2026, 10, 15),
                                               date(2026, 10, 22)]


def test_weekends_move_to_monday_but_a_swapped_working_saturday_stays() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 9, 26), move=True)  # Saturdays
    assert local_days(rec, 4, calendar=CN) == [date(2026, 9, 28), date(2026, 10, 8), date(2026, 10, 10),
                                               date(2026, 10, 19)]


def test_a_moved_occurrence_belongs_to_the_window_of_its_moved_time_and_to_no_other() -> None:
    rec = plan(Pattern.ONCE, date(2026, 10, 1), move=True)
    assert occurrences(rec, tz=SHANGHAI, after=utc(2026, 9, 1), until=utc(2026, 10, 5), calendar=CN) == []
    assert occurrences(rec, tz=SHANGHAI, after=utc(2026, 10, 5), until=utc(2026, 10, 31), calendar=CN) == [
        utc(2026, 10, 8, 1)]
    assert occurrences(rec, tz=SHANGHAI, after=utc(2026, 10, 8, 1), until=utc(2026, 10, 31), calendar=CN) == []


def test_moving_off_holidays_without_a_calendar_is_refused_rather_than_silently_not_moving() -> None:
    rec = plan(Pattern.ONCE, date(2026, 10, 1), move=True)
    with pytest.raises(ValueError, match="WorkCalendar"):
        occurrences(rec, tz=SHANGHAI, after=utc(2026, 9, 1), until=utc(2026, 11, 1))


# --- windows ------------------------------------------------------------------------------------------------


def test_the_window_excludes_after_and_includes_until() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 12, 2))
    assert occurrences(rec, tz=SHANGHAI, after=utc(2026, 12, 2, 1), until=utc(2026, 12, 16, 1)) == [
        utc(2026, 12, 9, 1), utc(2026, 12, 16, 1)]
    assert occurrences(rec, tz=SHANGHAI, after=utc(2026, 12, 16, 1), until=utc(2026, 12, 2, 1)) == []


def test_a_window_long_after_the_start_is_found_without_reading_everything_before_it() -> None:
    rec = plan(Pattern.EVERY_N_MONTHS, date(2026, 8, 31), interval=6)
    assert occurrences(rec, tz=SHANGHAI, after=utc(2400, 1, 1), until=utc(2401, 1, 1)) == [
        utc(2400, 2, 29, 1), utc(2400, 8, 31, 1)]  # 2400 is a leap year


def test_one_call_returns_at_most_the_cap() -> None:
    rec = Recurrence(rule="FREQ=DAILY", start=date(2026, 1, 1), time_of_day=time(9))
    found = occurrences(rec, tz=SHANGHAI, after=LONG_AGO, until=utc(2099, 1, 1))
    assert len(found) == MAX_RESULTS
    assert found[0] == utc(2026, 1, 1, 1) and found[-1] == utc(2026, 1, 1, 1) + timedelta(days=MAX_RESULTS - 1)
    assert len(next_occurrences(rec, tz=SHANGHAI, after=LONG_AGO, count=MAX_RESULTS + 5)) == MAX_RESULTS


def test_naive_bounds_are_refused() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 12, 2))
    with pytest.raises(ValueError, match="aware"):
        occurrences(rec, tz=SHANGHAI, after=datetime(2026, 1, 1), until=utc(2027, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        next_occurrences(rec, tz=SHANGHAI, after=datetime(2026, 1, 1), count=1)


# --- checking rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "garbage",
        "FREQ=MINUTELY",
        "FREQ=HOURLY;INTERVAL=2",
        "FREQ=SECONDLY",
        "FREQ=FORTNIGHTLY",
        "BYDAY=MO",  # no FREQ
        "RRULE:FREQ=DAILY",
        "DTSTART:20260101T090000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;DTSTART=20260101T090000",
        "FREQ=WEEKLY;BYDAY=MO;",
        "FREQ=WEEKLY;BYDAY=MO;BYDAY=TU",  # dateutil would keep TU
        "FREQ=DAILY;INTERVAL=0",  # dateutil repeats the start for ever
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=MONTHLY;BYMONTHDAY=0",  # dateutil reads it as every day
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=YEARLY;BYMONTH=13",
        "FREQ=WEEKLY;BYDAY=1MO",  # dateutil ignores the ordinal
        "FREQ=MONTHLY;BYDAY=6MO",
        "FREQ=MONTHLY;BYDAY=XX",
        "FREQ=WEEKLY;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYWEEKNO=1",
        "FREQ=MONTHLY;BYSETPOS=1",
        "FREQ=DAILY;BYHOUR=9",  # the time comes from time_of_day
        "FREQ=YEARLY;BYEASTER=0",
        "FREQ=DAILY;COUNT=3;UNTIL=20270101",
        "FREQ=DAILY;UNTIL=20270101T000000Z",
        "FREQ=DAILY;UNTIL=20270230",
        "FREQ=DAILY;UNTIL=20251231",  # before the start
        "FREQ=WEEKLY;WKST=XX",
    ],
)
def test_a_rule_we_cannot_use_is_invalid(rule: str) -> None:
    assert validate_rule(rule, start=date(2026, 1, 1)) == RULE_INVALID


def test_constructing_a_recurrence_refuses_an_invalid_rule_and_an_aware_or_fractional_time() -> None:
    with pytest.raises(ValidationError, match=r"error\.rule_invalid"):
        Recurrence(rule="FREQ=MINUTELY", start=date(2026, 1, 1), time_of_day=time(9))
    with pytest.raises(ValidationError, match="without a time zone"):
        Recurrence(rule="FREQ=DAILY", start=date(2026, 1, 1), time_of_day=time(9, tzinfo=UTC))
    with pytest.raises(ValidationError, match="to the second"):
        Recurrence(rule="FREQ=DAILY", start=date(2026, 1, 1), time_of_day=time(9, 0, 0, 500))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # dateutil alone would search day by day up to year 9999
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2,4,6",  # from January: odd months only
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  # 2025, 2029, … are never leap years
        "FREQ=DAILY;COUNT=0",
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20250105",  # the start is Wednesday 1 January 2025
    ],
)
def test_a_rule_that_never_happens_from_its_start_says_so_and_has_no_occurrences(rule: str) -> None:
    assert validate_rule(rule, start=date(2025, 1, 1)) == RULE_NEVER
    rec = Recurrence(rule=rule, start=date(2025, 1, 1), time_of_day=time(9))
    assert next_occurrences(rec, tz=SHANGHAI, after=LONG_AGO, count=3) == []


def test_whether_a_rule_ever_happens_depends_on_its_start() -> None:
    rule = "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"
    assert validate_rule(rule, start=date(2028, 1, 1)) is None
    rare = Recurrence(rule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", start=date(2025, 1, 1), time_of_day=time(9))
    assert validate_rule(rare.rule, start=rare.start) is None
    assert local_days(rare, 3) == [date(2044, 2, 29), date(2072, 2, 29), date(2112, 2, 29)]


def test_without_a_start_a_rule_is_checked_from_today() -> None:
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        assert validate_rule("FREQ=DAILY;UNTIL=20260601") is None
        assert validate_rule("FREQ=DAILY;UNTIL=20260531") == RULE_INVALID
        assert validate_rule("freq=weekly;byday=mo") is None


# --- descriptions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "start", "interval", "english", "chinese"),
    [
        (Pattern.ONCE, date(2026, 12, 7), 1, "once on 7 Dec 2026", "仅一次（2026-12-07）"),
        (Pattern.WEEKLY, date(2026, 12, 7), 1, "every Monday", "每周一"),
        (Pattern.WEEKLY, date(2026, 12, 7), 2, "every 2 weeks on Monday from 7 Dec 2026",
         "每2周的周一（自2026-12-07起）"),
        (Pattern.MONTHLY_WEEKDAY, date(2026, 12, 7), 1, "first Monday of every month", "每月第一个周一"),
        (Pattern.MONTHLY_WEEKDAY, date(2027, 1, 29), 1, "last Friday of every month", "每月最后一个周五"),
        (Pattern.MONTHLY_WEEKDAY, date(2026, 12, 15), 3, "third Tuesday of every 3 months from 15 Dec 2026",
         "每3个月的第三个周二（自2026-12-15起）"),
        (Pattern.EVERY_N_MONTHS, date(2026, 8, 31), 6, "every 6 months from 31 Aug 2026", "每6个月（自2026-08-31起）"),
        (Pattern.EVERY_N_MONTHS, date(2026, 8, 15), 1, "every month from 15 Aug 2026", "每月（自2026-08-15起）"),
        (Pattern.YEARLY, date(2026, 8, 31), 1, "every year on 31 Aug", "每年8月31日"),
        (Pattern.YEARLY, date(2026, 8, 31), 2, "every 2 years from 31 Aug 2026", "每2年（自2026-08-31起）"),
        (Pattern.YEARLY, date(2028, 2, 29), 1, "every year on the last day of February", "每年2月的最后一天"),
    ],
)
def test_each_pattern_is_described_in_both_languages(
    pattern: Pattern, start: date, interval: int, english: str, chinese: str
) -> None:
    rec = plan(pattern, start, interval=interval)
    assert pattern_of(rec) == (pattern, interval)
    assert describe(rec, "en") == english
    assert describe(rec, "zh-CN") == chinese


def test_moving_off_holidays_is_part_of_the_description() -> None:
    rec = plan(Pattern.WEEKLY, date(2026, 12, 7), move=True)
    assert describe(rec, "en") == "every Monday (or the next working day)"
    assert describe(rec, "zh-CN") == "每周一（遇非工作日顺延）"


def test_a_rule_no_pattern_makes_is_described_as_the_rule_itself() -> None:
    rec = Recurrence(rule="freq=monthly;byday=mo,tu;bysetpos=2", start=date(2026, 1, 1), time_of_day=time(9))
    assert pattern_of(rec) == (Pattern.CUSTOM, 1)
    assert describe(rec, "en") == describe(rec, "zh-CN") == "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2"
    # The weekly rule of another weekday than the start's is not "weekly" from this start.
    other_day = Recurrence(rule="FREQ=WEEKLY;BYDAY=TU", start=date(2026, 12, 7), time_of_day=time(9))
    assert describe(other_day, "en") == "FREQ=WEEKLY;BYDAY=TU"


# --- properties ---------------------------------------------------------------------------------------------------


# 1900–2400 covers a whole 400-year cycle of the Gregorian calendar, so every case of month lengths and leap years.
@settings(deadline=None)
@given(start=st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31)), interval=st.integers(1, 12))
def test_every_n_months_never_skips_or_doubles_a_period(start: date, interval: int) -> None:
    rec = plan(Pattern.EVERY_N_MONTHS, start, interval=interval)
    days = local_days(rec, 6)
    assert days[0] == start
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    assert all(interval * 28 <= gap <= interval * 31 for gap in gaps), (rec.rule, days)
    assert all(day.day == min(start.day, _month_length(day)) for day in days), (rec.rule, days)


def _month_length(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


# --- UNTIL in UTC (RFC 5545: UNTIL is in UTC when the start has a zone) -----------------------------------------


def test_a_utc_until_is_read_as_the_company_s_wall_time() -> None:
    from bot.plans.recurrence import in_company_zone

    assert in_company_zone("FREQ=DAILY;UNTIL=20270101T000000Z", SHANGHAI) == "FREQ=DAILY;UNTIL=20270101T080000"
    assert in_company_zone("freq=daily;until=20261231T160000z", SHANGHAI) == "freq=daily;UNTIL=20270101T000000"
    assert in_company_zone("FREQ=DAILY;UNTIL=20270101", SHANGHAI) == "FREQ=DAILY;UNTIL=20270101"
    assert in_company_zone("FREQ=DAILY;UNTIL=20270230T000000Z", SHANGHAI) == "FREQ=DAILY;UNTIL=20270230T000000Z"


def test_an_imported_rule_with_a_utc_until_ends_where_utc_says(org: Org) -> None:
    from bot.plans.importer import parse_plans

    text = textwrap.dedent("""\
        - key: daily-check
          kind: inspection
          title: Daily check
          owner: safety
          audience: {everyone: true}
          recurrence: {pattern: custom, rule: "FREQ=DAILY;UNTIL=20270103T010000Z", start: 2027-01-01, time: "09:00"}
        """)
    [parsed] = parse_plans(text, org=org, clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    assert parsed.rule == "FREQ=DAILY;UNTIL=20270103T090000"  # 01:00 UTC is 09:00 in Shanghai: the 3rd counts
    rec = Recurrence(rule=parsed.rule, start=parsed.start, time_of_day=parsed.time_of_day)
    assert local_days(rec, 5) == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]


@pytest.mark.parametrize(("rule", "part"), [
    ("FREQ=DAILY;UNTIL=2027Z", "UNTIL=2027Z"),
    ("FREQ=DAILY;UNTIL=20270101Z", "UNTIL=20270101Z"),
    ("FREQ=WEEKLY;BYDAY=XX", "BYDAY=XX"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"),
    ("FREQ=HOURLY", "FREQ=HOURLY"),
    ("FREQ=DAILY;UNTIL=20251231", "UNTIL=20251231"),  # before the start
])
def test_a_rule_s_problem_names_the_part_that_is_wrong(rule: str, part: str) -> None:
    from bot.plans.recurrence import rule_problem

    problem = rule_problem(rule, start=date(2026, 1, 1))
    assert problem is not None and problem.part == part
