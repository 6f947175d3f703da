"""`safetybot plans import [FILE]`: plans from YAML, checked all at once, saved idempotently under their keys."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from bot.core.org import Org
from bot.core.workdays import WorkCalendar
from bot.plans.importer import DEFAULT_PLANS, OrgDirectory, PlanFileError, parse_plans
from bot.plans.recurrence import Recurrence, occurrences
from storage.plans import plans as plans_table
from tests.conftest import ORG_YAML
from tests.runtime.test_cli import safetybot

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)

DRILL = textwrap.dedent("""\
    - key: fire-drill
      kind: drill
      title: Fire drill
      owner: safety
      audience:
        everyone: true
      recurrence:
        pattern: every_n_months
        start: 2027-05-12
        interval: 6
        time: "15:00"
      move_off_holidays: true
    - key: backup-check
      kind: infosec_task
      title: Backup check
      owner: U0EMP1
      audience:
        channel: safety
        people: [U0EMP2]
      recurrence:
        pattern: weekly
        start: 2027-01-08
        time: 10:30
      reminders: [0d]
    """)

BROKEN = textwrap.dedent("""\
    - key: fire-drill
      kind: drill
      title: Fire drill
      owner: safety
      audience: {everyone: true}
      recurrence: {pattern: weekly, start: 2027-01-04, time: "10:00", colour: red}
    - key: Backup Check
      kind: party
      title: Backups
      owner: nobody
      audience: {channel: general}
      recurrence: {pattern: weekly, start: 2027-02-30, time: "25:00"}
      reminders: [7d, soon]
    - key: fire-drill
      kind: drill
      title: Fire drill again
      owner: U0EMP1
      audience: {people: [U0EMP2, U0GHOST], departments: [sales]}
      recurrence: {pattern: custom, rule: "FREQ=HOURLY", start: 2027-01-04, time: "10:00"}
    - key: kick-off
      kind: meeting
      title: Kick-off
      owner: U0EMP1
      audience: {channel: C0SAFETY}
      recurrence: {pattern: once, start: 2026-01-05, time: "10:00"}
    """)


def import_cli(tmp_path: Path, database_url: str, *args: str) -> Any:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    return safetybot("plans", "import", *args, cwd=tmp_path, DATABASE_URL=database_url)


def saved_plans(database_url: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(select(plans_table).order_by(plans_table.c.key))]
    finally:
        engine.dispose()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "plans.yml").write_text(DRILL, encoding="utf-8")
    first = import_cli(tmp_path, database_url, "plans.yml")
    assert (first.returncode, first.stdout.strip()) == (0, "2 created, 0 updated, 0 unchanged"), first.stderr
    before = saved_plans(database_url)
    assert [p["key"] for p in before] == ["backup-check", "fire-drill"]

    again = import_cli(tmp_path, database_url, "plans.yml")
    assert (again.returncode, again.stdout.strip()) == (0, "0 created, 0 updated, 2 unchanged"), again.stderr
    assert saved_plans(database_url) == before

    (tmp_path / "plans.yml").write_text(DRILL.replace("Backup check", "Backup and restore check"), encoding="utf-8")
    edited = import_cli(tmp_path, database_url, "plans.yml")
    assert (edited.returncode, edited.stdout.strip()) == (0, "0 created, 1 updated, 1 unchanged"), edited.stderr
    after = {p["key"]: p for p in saved_plans(database_url)}
    assert after["backup-check"]["title"] == "Backup and restore check"
    assert after["backup-check"]["id"] == before[0]["id"]  # the same plan, updated in place
    assert after["fire-drill"] == before[1]


def test_a_bad_plans_file_exits_2_with_one_line_per_problem_and_saves_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    (tmp_path / "plans.yml").write_text(BROKEN, encoding="utf-8")
    result = import_cli(tmp_path, url, "plans.yml")
    assert result.returncode == 2, result
    assert result.stderr.splitlines() == [
        "plans.yml:6: [0] fire-drill: recurrence.colour: unknown key 'colour'",
        "plans.yml:7: [1] Backup Check: key: 'Backup Check' is not a key "
        "(lowercase letters, digits and '-', at most 64)",
        "plans.yml:8: [1] Backup Check: kind: Input should be 'drill', 'inspection', 'equipment_check', "
        "'infosec_task', 'training' or 'meeting'",
        "plans.yml:10: [1] Backup Check: owner: 'nobody' is not a Slack user id (like U0123ABCD) or 'safety'",
        "plans.yml:11: [1] Backup Check: audience.channel: 'general' is not a channel id (like C0123ABCD) or 'safety'",
        "plans.yml:12: [1] Backup Check: recurrence.start: '2027-02-30' is not a date like 2027-01-01",
        "plans.yml:12: [1] Backup Check: recurrence.time: '25:00' is not a time like \"09:00\"",
        "plans.yml:13: [1] Backup Check: reminders: 'soon' is not a reminder like 7d (days before) or 2h (hours)",
        "plans.yml:14: [2] fire-drill: key: the key 'fire-drill' is already used by plan [0]",
        "plans.yml:18: [2] fire-drill: audience.departments: there is no department 'sales' in the org file",
        "plans.yml:18: [2] fire-drill: audience.people: U0GHOST is not in the org file",
        "plans.yml:19: [2] fire-drill: recurrence.rule: This recurrence rule cannot be read: please check its form "
        "(e.g. FREQ=MONTHLY;BYMONTHDAY=15); at most once a day. (FREQ=HOURLY)",
        "plans.yml:25: [3] kick-off: recurrence.start: A one-off plan must start in the future.",
    ]
    assert result.stdout == ""
    assert not (tmp_path / "plans.db").exists()  # the whole file is checked before the database is touched


def test_a_missing_file_is_named_and_exits_2(tmp_path: Path) -> None:
    result = import_cli(tmp_path, f"sqlite:///{tmp_path / 'plans.db'}", "nope.yml")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"nope.yml: file not found (looked for {tmp_path / 'nope.yml'}, working directory {tmp_path})")


def test_without_a_file_the_default_plans_are_imported_and_each_falls_due_within_the_next_400_days(
    tmp_path: Path, org: Org
) -> None:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    result = import_cli(tmp_path, url)
    assert (result.returncode, result.stdout.strip()) == (0, "12 created, 0 updated, 0 unchanged"), result.stderr
    saved = {p["key"]: p for p in saved_plans(url)}
    assert set(saved) == {
        "fire-drill", "emergency-drill", "annual-inspection-plan", "extinguisher-hydrant-check", "electrical-check",
        "doors-windows-glass-check", "emergency-supplies-check", "vulnerability-scan", "backup-check",
        "password-change", "annual-training-plan", "safety-meeting",
    }
    officer, channel = org.safety_department.members[0], org.safety_department.channel
    assert {p["owner_id"] for p in saved.values()} == {officer}  # `owner: safety`
    assert saved["fire-drill"]["audience"]["everyone"] is True
    assert saved["backup-check"]["audience"]["channel"] == channel  # `channel: safety`

    calendar, now = WorkCalendar.from_org(org), datetime.now(UTC)
    for plan in saved.values():
        recurrence = Recurrence(rule=plan["rule"], start=plan["start_date"], time_of_day=plan["time_of_day"],
                                move_off_holidays=plan["move_off_holidays"])
        found = occurrences(recurrence, tz=org.tz, after=now, until=now + timedelta(days=400), calendar=calendar)
        assert found, f"{plan['key']} ({plan['rule']}) has no occurrence in the next 400 days"


def test_the_default_plans_follow_the_regulation_s_frequencies(org: Org) -> None:
    plans = {p.key: p for p in parse_plans(DEFAULT_PLANS.read_text(encoding="utf-8"), org=org, clock=lambda: NOW)}
    start, end = datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    calendar = WorkCalendar.from_org(org)

    def per_year(key: str) -> int:
        plan = plans[key]
        assert plan.start is not None
        recurrence = Recurrence(rule=plan.rule, start=plan.start, time_of_day=plan.time_of_day,
                                move_off_holidays=plan.move_off_holidays)
        return len(occurrences(recurrence, tz=org.tz, after=start, until=end, calendar=calendar))

    assert {key: per_year(key) for key in plans} == {
        "fire-drill": 2, "emergency-drill": 1, "annual-inspection-plan": 1, "extinguisher-hydrant-check": 12,
        "electrical-check": 4, "doors-windows-glass-check": 4, "emergency-supplies-check": 4,
        "vulnerability-scan": 12, "backup-check": 52, "password-change": 4, "annual-training-plan": 1,
        "safety-meeting": 12,
    }


def test_safety_stands_for_the_first_officer_and_the_safety_channel_and_a_bare_time_is_not_a_number(org: Org) -> None:
    fire, backup = parse_plans(DRILL, org=org, clock=lambda: NOW)
    assert fire.owner_id == "U0SAFE1" and fire.audience.everyone
    assert fire.rule == "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=12"
    assert (fire.start, fire.time_of_day, fire.offsets, fire.move_off_holidays) == (
        date(2027, 5, 12), time(15, 0), ["7d", "1d", "0d"], True)
    assert backup.owner_id == "U0EMP1"
    assert (backup.audience.channel, backup.audience.people) == ("C0SAFETY", ["U0EMP2"])
    assert backup.rule == "FREQ=WEEKLY;BYDAY=FR"
    assert backup.time_of_day == time(10, 30)  # YAML 1.1 would read an unquoted 10:30 as 630


def test_the_cli_accepts_exactly_the_people_in_the_org_file_as_active(org: Org) -> None:
    directory = OrgDirectory(org)
    assert all(directory.is_active_user(user) for user in ("U0SAFE1", "U0BOSS", "U0HEAD1", "U0DEP1", "U0EMP3"))
    assert not directory.is_active_user("U0GUEST")


@pytest.mark.parametrize(("text", "problem"), [
    ("", "plans.yml:1: the file is empty; it should be a list of plans"),
    ("key: fire-drill\n", "plans.yml:1: expected a list of plans (each starting with '- key: ...')"),
    ("- key: [unclosed\n", "plans.yml:2: invalid YAML: while parsing a flow sequence; expected ',' or ']', "
                           "but got '<stream end>'"),
])
def test_a_file_that_is_not_a_list_of_plans_says_so(org: Org, text: str, problem: str) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plans(text, org=org)
    assert caught.value.problems == [problem]
