"""Out-of-range input is refused where it is typed, with the file's line: reminders at most a year before,
a start date within ten years back and five ahead. (A reminder 999999 days before imported fine and then
stopped every scheduler tick with an OverflowError.)"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from bot.core.org import Org
from bot.plans.importer import PlanFileError, parse_plans

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def plan(*, start: str = "2027-01-04", reminders: str = "[1d]", title: str = "Fire drill") -> str:
    return textwrap.dedent(f"""\
        - key: fire-drill
          kind: drill
          title: "{title}"
          owner: safety
          audience: {{everyone: true}}
          recurrence: {{pattern: weekly, start: {start}, time: "10:00"}}
          reminders: {reminders}
        """)


@pytest.mark.parametrize(("text", "problem"), [
    (plan(reminders="[999999d]"),
     "plans.yml:7: [0] fire-drill: reminders: '999999d' is too early: a reminder is at most 366d (or 8784h) before"),
    (plan(reminders="[7d, 367d]"),
     "plans.yml:7: [0] fire-drill: reminders: '367d' is too early: a reminder is at most 366d (or 8784h) before"),
    (plan(reminders="[9000h]"),
     "plans.yml:7: [0] fire-drill: reminders: '9000h' is too early: a reminder is at most 366d (or 8784h) before"),
    (plan(start="9999-12-27"),
     "plans.yml:6: [0] fire-drill: recurrence.start: The first date must be within five years from now."),
    (plan(start="0001-01-01"),
     "plans.yml:6: [0] fire-drill: recurrence.start: The first date must be within the last ten years."),
], ids=["999999d", "367d", "9000h", "year-9999", "year-1"])
def test_a_reminder_or_start_date_out_of_range_is_refused_with_its_line(org: Org, text: str, problem: str) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plans(text, org=org, clock=lambda: NOW)
    assert caught.value.problems == [problem]


def test_a_year_ahead_is_still_a_reminder(org: Org) -> None:
    [parsed] = parse_plans(plan(reminders="[366d, 8784h, 0d]"), org=org, clock=lambda: NOW)
    assert parsed.offsets == ["366d", "8784h", "0d"]


def test_control_characters_in_an_imported_title_are_removed(org: Org) -> None:
    [parsed] = parse_plans(plan(title="Fire\\0 drill\\u202e\\x07"), org=org, clock=lambda: NOW)
    assert parsed.title == "Fire drill"


def test_a_title_of_only_invisible_characters_is_blank(org: Org) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plans(plan(title="\\u200b\\u3164 "), org=org, clock=lambda: NOW)
    assert caught.value.problems == ["plans.yml:3: [0] fire-drill: title: Please fill this in."]
