"""The scheduler: plans and rectification deadlines become reminders and escalations, each sent once.

Time is a fake clock the tests move; `tick()` (what APScheduler wakes in every copy of the bot) and the outbox
sender's `run_once()` are called by hand, so nothing here waits for real time to pass. Messages are read back
from the fake Slack by the outbox key each carries in its metadata: `job:<job key>:<recipient>`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import select

from bot.core.i18n import t
from bot.core.org import Org, parse_org
from bot.hazards.changes import StepInput
from bot.hazards.model import HazardCategory, Severity, Step
from bot.hazards.usecases import ReportHazard, report_hazard, take_step
from bot.plans.model import Audience, DoneInput, PlanInput, PlanKind
from bot.plans.recurrence import Pattern, rule_for
from bot.plans.usecases import (
    delete_plan,
    record_done,
    save_plan,
    set_paused,
)
from bot.runtime.app import Runtime, create_app
from bot.scheduling import JobState
from storage.core import outbox
from storage.plans import occurrences
from storage.scheduling import reminder_jobs
from tests.conftest import ORG_YAML, USERS, make_settings
from tests.fakes import FakeDirectory
from tests.fakeslack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "tests" / "scheduler_worker.py"
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Tuesday 08:00 in Shanghai, the org's zone
MONDAY = date(2026, 12, 7)  # the weekly plans' first Monday; 09:00 in Shanghai is 01:00 UTC
DUE = [datetime(2026, 12, 7 + 7 * week, 1, 0, tzinfo=UTC) for week in range(4)]  # its first four occurrences
DIRECTORY = FakeDirectory(set(USERS))
EVERYONE = ["U0SAFE1", "U0SAFE2", "U0BOSS", "U0HEAD1", "U0DEP1", "U0EMP1", "U0EMP2", "U0HEAD2", "U0EMP3"]
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sent(NamedTuple):
    """One message the fake Slack accepted, from its outbox key."""

    kind: str  # the job's kind: remind:1d, overdue:head, deadline:safety, ...
    to: str  # the channel the post went to (a user id for a DM)
    job: str  # the job's key: occ:<occurrence id>:<kind> or hz:<reference>:<deadline>:<kind>
    text: str
    thread_ts: str | None


@dataclass
class Bot:
    runtime: Runtime
    fake: FakeSlack
    clock: Clock
    org: Org
    _seen: int = 0

    def uow(self) -> Any:
        return self.runtime.services.uow()

    def tick(self, at: datetime | None = None, *, times: int = 1) -> None:
        """Move the clock to `at`, run the scheduler `times` times and deliver whatever is due."""
        if at is not None:
            self.clock.now = at
        for _ in range(times):
            self.runtime.scheduler.tick()
            for _round in range(100):  # each round leases what is due now; a retry waits for a later clock
                if not self.runtime.sender.run_once():
                    break
            else:
                raise AssertionError("the outbox keeps offering the same messages")

    def new(self, kind: str = "") -> list[Sent]:
        """Scheduler messages delivered since the last call whose kind starts with `kind` (hazard cards and
        thread lines are never among them)."""
        calls = self.fake.delivered("chat.postMessage")
        fresh, self._seen = calls[self._seen:], len(calls)
        found = []
        for call in fresh:
            key = call.params["metadata"]["event_payload"]["key"]
            if key.startswith("job:"):
                job, _recipient = key.removeprefix("job:").rsplit(":", 1)
                found.append(Sent(":".join(job.rsplit(":", 2)[-2:]), call.params["channel"], job,
                                  call.params.get("text", ""), call.params.get("thread_ts")))
        return [s for s in found if s.kind.startswith(kind)]

    def rows(self, table: Any) -> list[dict[str, Any]]:
        with self.runtime.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]

    def occurrence_ids(self) -> dict[datetime, int]:
        return {row["due_at"]: row["id"] for row in self.rows(occurrences)}

    def job_states(self, due: datetime) -> dict[str, JobState]:
        occurrence = self.occurrence_ids()[due]
        return {row["kind"]: row["state"] for row in self.rows(reminder_jobs) if row["occurrence_id"] == occurrence}


def kinds_to(sent: list[Sent]) -> list[tuple[str, str]]:
    return sorted((s.kind, s.to) for s in sent)


@pytest.fixture
def make_bot(fake_slack: FakeSlack, database_url: str) -> Iterator[Callable[..., Bot]]:
    made: list[Runtime] = []

    def make(org_yaml: str = ORG_YAML, *, now: datetime = T0) -> Bot:
        clock = Clock(now)
        org = parse_org(org_yaml)
        settings = make_settings(fake_slack, database_url, slack_messages_per_second=1000.0)
        runtime = create_app(settings, org=org, clock=clock)
        made.append(runtime)
        return Bot(runtime, fake_slack, clock, org)

    yield make
    for runtime in made:
        runtime.close()


def add_plan(bot: Bot, *, key: str = "check", start: date = MONDAY, at: time = time(9, 0),
             offsets: tuple[str, ...] = ("1d", "0d"), owner: str = "U0EMP1", audience: Audience | None = None,
             rule: str | None = None) -> None:
    save_plan(PlanInput(key=key, kind=PlanKind.EQUIPMENT_CHECK, title=f"Extinguisher check ({key})",
                        owner_id=owner, audience=audience or Audience(people=["U0EMP2"]),
                        rule=rule or rule_for(Pattern.WEEKLY, start=start), start=start, time_of_day=at,
                        offsets=list(offsets)),
              actor_id="U0SAFE1", uow=bot.uow(), org=bot.org, directory=DIRECTORY, clock=bot.clock)


# ---------------------------------------------------------------------- once each


def test_each_reminder_reaches_each_recipient_once_however_often_the_scheduler_ticks(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_plan(bot, audience=Audience(channel="C0SAFETY", people=["U0EMP2", "U0EMP3"]))
    recipients = ["C0SAFETY", "U0EMP1", "U0EMP2", "U0EMP3"]  # the channel, the people and the owner
    bot.tick(times=3)
    bot.tick(DUE[0] - DAY - MINUTE, times=2)
    assert bot.new() == []

    bot.tick(DUE[0] - DAY, times=3)
    bot.tick(DUE[0] - DAY + 4 * HOUR, times=3)
    assert kinds_to(bot.new()) == [("remind:1d", to) for to in recipients]

    bot.tick(DUE[0] - MINUTE, times=2)
    assert bot.new() == []
    bot.tick(DUE[0], times=3)
    bot.tick(DUE[0] + 3 * HOUR, times=3)
    on_the_day = bot.new()
    assert kinds_to(on_the_day) == [("remind:0d", to) for to in recipients]
    assert all("2026-12-07 09:00" in s.text for s in on_the_day)  # the due time, in the org's zone

    rows = bot.rows(outbox)
    assert len(rows) == 8 and {r["status"] for r in rows} == {"sent"}
    assert len({r["key"] for r in rows}) == 8
    assert bot.job_states(DUE[0])["remind:1d"] is JobState.SENT
    assert bot.job_states(DUE[1]) == dict.fromkeys(  # the next Monday's are still to come
        ["remind:1d", "remind:0d", "overdue:owner", "overdue:head", "overdue:safety"], JobState.PENDING)


# ---------------------------------------------------------------------- nothing missed


@pytest.mark.parametrize(("missed_after", "reminded", "missed"), [
    ("30d", DUE[:3], []),
    ("10d", DUE[1:3], DUE[:1]),  # the first Monday is 14 days ago: recorded, not sent
], ids=["all-within-missed-after", "oldest-beyond-missed-after"])
def test_after_downtime_each_missed_occurrence_gets_one_late_reminder_with_its_due_time(
    make_bot: Callable[..., Bot], missed_after: str, reminded: list[datetime], missed: list[datetime]
) -> None:
    bot = make_bot(ORG_YAML + f"reminders:\n  missed_after: {missed_after}\n")
    add_plan(bot, offsets=("3d", "1d", "0d"))
    bot.tick()
    # Down from here until five hours after the third Monday: nine reminders fell due, three per Monday.
    back = DUE[2] + 5 * HOUR
    bot.tick(back, times=4)
    bot.tick(back + MINUTE, times=2)
    sent = bot.new("remind:")

    ids = bot.occurrence_ids()
    assert sorted((s.job, s.to) for s in sent) == sorted(
        (f"occ:{ids[due]}:remind:0d", to) for due in reminded for to in ("U0EMP1", "U0EMP2"))
    for s in sent:  # each says when it was due, and that it comes late
        due = next(d for d in DUE if s.job == f"occ:{ids[d]}:remind:0d")
        assert due.astimezone(bot.org.tz).strftime("%Y-%m-%d %H:%M") in s.text
    contexts = [r["context"] for r in bot.rows(outbox) if r["template"] == "plan.reminder"]
    assert {(c["due_at"], c["late"]) for c in contexts} == {(due.isoformat(), True) for due in reminded}
    for due in DUE[:3]:  # per Monday, the last reminder was sent or recorded as missed; the earlier ones skipped
        states = bot.job_states(due)
        assert (states["remind:3d"], states["remind:1d"], states["remind:0d"]) == (
            JobState.SKIPPED, JobState.SKIPPED, JobState.MISSED if due in missed else JobState.SENT)
    assert bot.job_states(DUE[3])["remind:3d"] is JobState.PENDING  # the fourth Monday's: not due yet


# ---------------------------------------------------------------------- time zones

BERLIN = ORG_YAML.replace("timezone: Asia/Shanghai", "timezone: Europe/Berlin")


def test_nine_o_clock_in_berlin_is_eight_utc_in_winter_and_seven_after_the_march_change(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(BERLIN, now=datetime(2027, 3, 10, tzinfo=UTC))
    add_plan(bot, start=date(2027, 3, 15))  # Mondays 09:00; summer time starts on Sunday 28 March
    bot.tick()
    assert sorted(bot.occurrence_ids())[:3] == [datetime(2027, 3, 15, 8, 0, tzinfo=UTC),
                                                datetime(2027, 3, 22, 8, 0, tzinfo=UTC),
                                                datetime(2027, 3, 29, 7, 0, tzinfo=UTC)]
    winter, summer = datetime(2027, 3, 22, 8, 0, tzinfo=UTC), datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    for due in (winter, summer):  # both 09:00 on the wall: the day before, and on the day
        for fire, kind in ((due - DAY, "remind:1d"), (due, "remind:0d")):
            bot.tick(fire - MINUTE)
            assert bot.new("remind:") == [], fire
            bot.tick(fire, times=2)
            sent = bot.new("remind:")
            assert kinds_to(sent) == [(kind, "U0EMP1"), (kind, "U0EMP2")], fire
            assert all(f"{due.astimezone(bot.org.tz):%Y-%m-%d} 09:00" in s.text for s in sent)


def test_a_reminder_days_before_keeps_its_wall_clock_time_across_the_march_change(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(BERLIN, now=datetime(2027, 3, 10, tzinfo=UTC))
    add_plan(bot, start=date(2027, 3, 29), offsets=("7d",))  # Monday 29 March 09:00 CEST; 7d before is CET
    a_week_before = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # Monday 22 March 09:00 CET
    bot.tick()
    bot.tick(a_week_before - 30 * MINUTE)  # 08:30 on the wall
    assert bot.new() == []
    bot.tick(a_week_before)
    assert kinds_to(bot.new()) == [("remind:7d", "U0EMP1"), ("remind:7d", "U0EMP2")]


# ---------------------------------------------------------------------- escalation of plans

QUICK_ESCALATION = ORG_YAML + "reminders:\n  overdue_owner: 2h\n  overdue_head: 1d\n  overdue_safety: 3d\n"


def test_an_occurrence_not_done_goes_to_the_owner_then_the_head_then_the_safety_channel_once_each(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(QUICK_ESCALATION)
    add_plan(bot, offsets=("0d",))  # owner U0EMP1, whose department cs1 is headed by U0HEAD1
    bot.tick()
    bot.tick(DUE[0], times=2)
    assert kinds_to(bot.new()) == [("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]
    for delay, expected in ((2 * HOUR, ("overdue:owner", "U0EMP1")), (DAY, ("overdue:head", "U0HEAD1")),
                            (3 * DAY, ("overdue:safety", "C0SAFETY"))):
        bot.tick(DUE[0] + delay - MINUTE, times=2)
        assert bot.new() == [], expected
        bot.tick(DUE[0] + delay, times=3)
        bot.tick(DUE[0] + delay + HOUR, times=2)
        assert kinds_to(bot.new()) == [expected]
    bot.tick(DUE[0] + 7 * DAY - MINUTE, times=2)  # until just before the next Monday: nothing more
    assert bot.new() == []


def test_an_owner_outside_every_department_is_escalated_to_the_safety_channel_once(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(QUICK_ESCALATION)
    add_plan(bot, offsets=("0d",), owner="U0SAFE1")  # a safety officer, as `owner: safety` in the default plans
    bot.tick()
    for delay in (timedelta(0), 2 * HOUR, DAY, 3 * DAY):
        bot.tick(DUE[0] + delay)
    assert kinds_to(bot.new("overdue:")) == [("overdue:owner", "U0SAFE1"), ("overdue:safety", "C0SAFETY")]


def test_recording_an_occurrence_done_stops_its_escalation(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(QUICK_ESCALATION)
    add_plan(bot, offsets=("0d",))
    bot.tick()
    bot.tick(DUE[0] + 2 * HOUR, times=2)
    assert kinds_to(bot.new()) == [("overdue:owner", "U0EMP1"), ("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]

    occurrence = bot.occurrence_ids()[DUE[0]]
    record_done(DoneInput(occurrence_id=occurrence, actor_id="U0EMP1", done_on=MONDAY, notes="All 14 checked"),
                uow=bot.uow(), org=bot.org, clock=bot.clock)
    bot.tick(DUE[0] + DAY, times=2)
    bot.tick(DUE[0] + 3 * DAY, times=2)
    assert bot.new() == []
    assert bot.job_states(DUE[0]) == {"remind:0d": JobState.SENT, "overdue:owner": JobState.SENT,
                                      "overdue:head": JobState.SKIPPED, "overdue:safety": JobState.SKIPPED}


# ---------------------------------------------------------------------- rectification deadlines

QUICK_DEADLINES = ORG_YAML + "escalation:\n  before_deadline: 2d\n  head: 12h\n  safety: 2d\n  management: 5d\n"
DEADLINE = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def assigned_hazard(bot: Bot, deadline: datetime = DEADLINE) -> str:
    """A fire-exit hazard in cs1, assessed by its head and assigned to U0EMP1, its card already posted."""
    reference = report_hazard(ReportHazard(reporter_id="U0EMP2", category=HazardCategory.FIRE, location="3F exit",
                                           description="Boxes block the fire exit", department_key="cs1"),
                              uow=bot.uow(), org=bot.org, clock=bot.clock).reference
    for command in (StepInput(reference=reference, step=Step.ASSESS, actor_id="U0HEAD1", severity=Severity.GENERAL),
                    StepInput(reference=reference, step=Step.ASSIGN, actor_id="U0HEAD1", measures="Clear the exit",
                              assignee_id="U0EMP1", deadline=deadline)):
        step(bot, command)
    bot.tick()
    assert bot.new() == []
    return reference


def step(bot: Bot, command: StepInput) -> None:
    take_step(command, uow=bot.uow(), org=bot.org, calendar=bot.runtime.services.calendar, directory=DIRECTORY,
              clock=bot.clock)


def thread_of(bot: Bot, reference: str) -> str | None:
    with bot.uow() as uow:
        hazard = uow.hazards.get(reference)
        return hazard.thread_ts if hazard else None


CHAIN = [  # delay from the deadline, the step, and who hears of it
    (-2 * DAY, "deadline:soon", ["U0EMP1"]),
    (timedelta(0), "deadline:assignee", ["U0EMP1"]),
    (12 * HOUR, "deadline:head", ["U0DEP1", "U0HEAD1"]),
    (2 * DAY, "deadline:safety", ["C0SAFETY"]),
    (5 * DAY, "deadline:management", ["U0BOSS"]),
]


def walk_the_chain(bot: Bot, reference: str, deadline: datetime) -> None:
    for delay, kind, recipients in CHAIN:
        bot.tick(deadline + delay - MINUTE, times=2)
        assert bot.new() == [], kind
        bot.tick(deadline + delay, times=3)
        bot.tick(deadline + delay + HOUR, times=2)
        sent = bot.new()
        assert kinds_to(sent) == [(kind, to) for to in recipients]
        assert all(f":{deadline.isoformat()}:" in s.job for s in sent)
        if kind == "deadline:safety":  # in the case's own thread, not at the top of the channel
            assert [s.thread_ts for s in sent] == [thread_of(bot, reference)] and sent[0].thread_ts


def test_a_late_rectification_goes_up_from_the_assignee_to_management_once_each(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot)
    walk_the_chain(bot, reference, DEADLINE)
    bot.tick(DEADLINE + 30 * DAY, times=2)
    assert bot.new() == []


def test_the_cards_count_the_days_left_and_then_late_as_the_chain_fires(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot)

    def cards() -> dict[str, str]:  # the safety post and the assignee's card, as they read now (updated in place)
        return {who: bot.fake.texts_for(who)[0] for who in ("C0SAFETY", "U0EMP1")}

    bot.tick(DEADLINE - 2 * DAY, times=2)
    assert all(t("time.left_days", "zh-CN", days=2) in card for card in cards().values()), cards()
    bot.tick(DEADLINE + 2 * DAY, times=2)  # the safety rung: two days late
    now = cards()
    assert all(t("time.overdue_days", "zh-CN", days=2) in card for card in now.values()), now
    assert f"⏰ 隐患 {reference}" in now["C0SAFETY"]  # the post's header: overdue


def test_extending_the_deadline_cancels_the_old_chain_and_starts_a_new_one(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot)
    bot.tick(DEADLINE - 2 * DAY, times=2)
    assert kinds_to(bot.new()) == [("deadline:soon", "U0EMP1")]

    extended = DEADLINE + 10 * DAY  # its reminder comes after the last step of the old chain would have
    bot.clock.now = DEADLINE - DAY
    step(bot, StepInput(reference=reference, step=Step.REQUEST_EXTENSION, actor_id="U0EMP1", deadline=extended,
                        reason="The shelves arrive next week"))
    step(bot, StepInput(reference=reference, step=Step.ACCEPT_EXTENSION, actor_id="U0HEAD1"))
    for delay, _kind, _recipients in CHAIN[1:]:  # the old chain, had it gone on: silent
        bot.tick(DEADLINE + delay, times=2)
        assert bot.new() == [], delay
    walk_the_chain(bot, reference, extended)
    old = [row for row in bot.rows(reminder_jobs) if f":{DEADLINE.isoformat()}:" in row["key"]]
    assert {row["kind"]: row["state"] for row in old} == {
        "deadline:soon": JobState.SENT, **{kind: JobState.SKIPPED for _delay, kind, _to in CHAIN[1:]}}


# ---------------------------------------------------------------------- mass reminders


def test_a_reminder_to_everyone_reaches_each_person_once_by_user_id_and_a_failing_one_is_recorded(
    make_bot: Callable[..., Bot], fake_slack: FakeSlack
) -> None:
    bot = make_bot()
    fake_slack.set_channel_error("U0EMP3", "user_not_found")
    fake_slack.set_channel_error("U0DEP1", "account_inactive")
    add_plan(bot, owner="U0SAFE1", audience=Audience(everyone=True), offsets=("0d",))
    bot.tick()
    bot.tick(DUE[0], times=3)

    sent = bot.new()
    assert sorted(s.to for s in sent) == sorted(set(EVERYONE) - {"U0EMP3", "U0DEP1"})
    posts = [c for c in fake_slack.calls_to("chat.postMessage")
             if c.params["metadata"]["event_payload"]["key"].startswith("job:")]
    assert Counter(c.params["channel"] for c in posts) == Counter(EVERYONE)  # one attempt each, by user id
    assert fake_slack.calls_to("conversations.open") == []
    rows = {r["recipient"]: r for r in bot.rows(outbox) if r["key"].startswith("job:")}
    assert sorted(rows) == sorted(EVERYONE)
    assert {who: (r["status"], r["last_error"]) for who, r in rows.items() if r["status"] != "sent"} == {
        "U0EMP3": ("failed", "user_not_found"), "U0DEP1": ("failed", "account_inactive")}
    notices = [r for r in bot.rows(outbox) if r["template"] == "outbox.delivery_failed"]
    assert sorted((r["recipient"], r["context"]["conversation"]) for r in notices) == [
        ("C0SAFETY", "U0DEP1"), ("C0SAFETY", "U0EMP3")]  # the safety department is told of each, once
    bot.tick(DUE[0] + HOUR, times=2)  # a failed message is not tried again, nor anyone reminded twice
    assert bot.new() == []


# ---------------------------------------------------------------------- pausing, deleting, editing


def test_pausing_or_deleting_a_plan_stops_its_reminders(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    for key in ("paused", "deleted", "running"):
        add_plan(bot, key=key, offsets=("0d",))
    bot.tick()
    bot.clock.now = T0 + HOUR
    set_paused("paused", True, actor_id="U0SAFE1", uow=bot.uow(), org=bot.org)
    delete_plan("deleted", actor_id="U0SAFE1", uow=bot.uow(), org=bot.org, clock=bot.clock)

    for monday in DUE[:2]:
        for delay in (timedelta(0), DAY, 2 * DAY, 4 * DAY):  # on the day, then each escalation
            bot.tick(monday + delay, times=2)
    plan_of = {f"occ:{row['id']}": row["plan_id"] for row in bot.rows(occurrences)}
    with bot.uow() as uow:
        keys = {plan.id: plan.key for plan in [uow.plans.get(k) for k in ("paused", "deleted", "running")] if plan}
    heard = Counter(keys[plan_of[s.job.rsplit(":", 2)[0]]] for s in bot.new())
    assert heard == {"running": 2 * 2 + 2 * 3}  # two Mondays: two reminders and three escalations each
    states = Counter((keys[plan_of[f"occ:{r['occurrence_id']}"]], r["state"]) for r in bot.rows(reminder_jobs))
    assert states[("paused", JobState.SENT)] == states[("deleted", JobState.SENT)] == 0
    assert states[("paused", JobState.SKIPPED)] == 2 * 4  # looked at when due, and let be
    assert states[("deleted", JobState.PENDING)] == 0  # its future reminders were dropped with it


def test_resuming_a_paused_plan_neither_reminds_of_nor_escalates_what_fell_due_during_the_pause(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_plan(bot, offsets=("0d",))
    bot.tick()
    set_paused("check", True, actor_id="U0SAFE1", uow=bot.uow(), org=bot.org)
    for day in range(1, 60):  # the bot runs all along; the plan is paused for eight weeks
        bot.tick(T0 + day * DAY)
    assert bot.new() == []
    set_paused("check", False, actor_id="U0SAFE1", uow=bot.uow(), org=bot.org, clock=lambda: T0 + 60 * DAY)
    bot.tick(T0 + 60 * DAY, times=2)
    assert bot.new() == []  # nothing about the weeks of the pause


def test_editing_a_plan_s_schedule_drops_the_pending_reminders_and_computes_new_ones(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_plan(bot)  # Mondays 09:00, reminded the day before and on the day
    bot.tick()
    assert len(bot.rows(reminder_jobs)) > 10  # the Mondays of the next 40 days, with their escalations

    bot.clock.now = T0 + HOUR
    wednesday = date(2026, 12, 9)
    add_plan(bot, start=wednesday, at=time(14, 0))  # the same key: Wednesdays 14:00 (06:00 UTC) from now on
    assert bot.rows(reminder_jobs) == []  # nothing of the Mondays is pending any more
    bot.tick(T0 + HOUR, times=2)
    first = datetime(2026, 12, 9, 6, 0, tzinfo=UTC)
    assert sorted(bot.occurrence_ids())[:2] == [first, first + 7 * DAY]  # only Wednesdays now
    assert {(row["kind"], row["fire_at"].weekday(), row["fire_at"].hour) for row in bot.rows(reminder_jobs)
            if row["kind"].startswith("remind:")} == {("remind:1d", 1, 6), ("remind:0d", 2, 6)}

    bot.tick(DUE[0] - DAY, times=2)  # the Monday it used to be: silent
    bot.tick(DUE[0], times=2)
    assert bot.new() == []
    bot.tick(first - DAY - MINUTE)
    assert bot.new() == []
    bot.tick(first - DAY, times=2)
    assert kinds_to(bot.new()) == [("remind:1d", "U0EMP1"), ("remind:1d", "U0EMP2")]
    bot.tick(first, times=2)
    sent = bot.new()
    assert kinds_to(sent) == [("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]
    assert all("2026-12-09 14:00" in s.text for s in sent)


def test_an_edit_does_not_send_reminders_whose_time_passed_before_it(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    add_plan(bot, offsets=("7d", "1d", "0d"))
    bot.tick()
    bot.clock.now = T0 + 4 * DAY  # Saturday 5 December: the new first Wednesday is four days off
    add_plan(bot, start=date(2026, 12, 9), at=time(14, 0), offsets=("7d", "1d", "0d"))
    bot.tick(times=2)
    assert bot.new() == []  # as for a plan created now: its "7d" reminder was owed on 2 December


# ---------------------------------------------------------------------- two copies of the bot

WORKER_ORG = ORG_YAML + "reminders:\n  missed_after: 30d\n"
FROZEN = datetime(2026, 12, 29, 3, 0, tzinfo=UTC)  # both copies' "now": past four Mondays and 29 days


@pytest.mark.postgres
def test_two_copies_of_the_bot_send_each_reminder_once(
    postgres_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    org = parse_org(WORKER_ORG)
    settings = make_settings(fake_slack, postgres_url)
    setup = create_app(settings, org=org, clock=lambda: T0)  # creates the schema; the copies share it
    bot = Bot(setup, fake_slack, Clock(T0), org)
    add_plan(bot, key="everyone", owner="U0EMP1", audience=Audience(everyone=True))  # Mondays 09:00
    add_plan(bot, key="daily", at=time(10, 0), offsets=("0d",), audience=Audience(channel="C0SAFETY", people=[
        "U0EMP2"]), rule="FREQ=DAILY", start=date(2026, 12, 1))  # every day at 10:00 (02:00 UTC)
    setup.close()
    (tmp_path / "org.yml").write_text(WORKER_ORG, encoding="utf-8")

    command = [sys.executable, str(WORKER), postgres_url, fake_slack.api_url, str(tmp_path / "org.yml"),
               FROZEN.isoformat(), "2"]
    env = {"PATH": "", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    workers = [subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for worker in workers:  # both built their runtime: start them together
            assert worker.stdout is not None and worker.stderr is not None
            if worker.stdout.readline().strip() != "ready":
                worker.kill()
                pytest.fail(f"a copy of the bot did not start:\n{worker.stderr.read()}")
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [w.returncode for w in workers] == [0, 0], [err for _out, err in results]
    done = [json.loads(out.strip().splitlines()[-1]) for out, _err in results]

    check = create_app(settings, org=org, clock=lambda: FROZEN, migrate=False)
    try:
        bot = Bot(check, fake_slack, Clock(FROZEN), org)
        delivered = Counter(c.params["metadata"]["event_payload"]["key"] for c in fake_slack.delivered())
        rows = bot.rows(outbox)
        assert {key: n for key, n in delivered.items() if n != 1} == {}, "delivered more than once"
        assert sorted(delivered) == sorted(r["key"] for r in rows), "every queued message delivered, nothing else"
        assert {r["status"] for r in rows} == {"sent"}

        due_by_id = {row["id"]: row["due_at"] for row in bot.rows(occurrences)}
        reminders = sorted((due_by_id[int(key.split(":")[2])], key.rsplit(":", 1)[1]) for key in delivered
                           if ":remind:" in key)
        mondays = [(monday, person) for monday in DUE[:4] for person in EVERYONE]
        days = [(datetime(2026, 12, d, 2, 0, tzinfo=UTC), who) for d in range(1, 30)
                for who in ("C0SAFETY", "U0EMP1", "U0EMP2")]
        assert reminders == sorted(mondays + days)  # the latest reminder of each occurrence, once to each
        jobs = bot.rows(reminder_jobs)
        assert [j["key"] for j in jobs if j["state"] is JobState.PENDING and j["fire_at"] <= FROZEN] == []
        assert len({j["key"] for j in jobs}) == len(jobs)
    finally:
        check.close()
    assert sum(d["messages"] for d in done) == len(rows), done  # each message attempted once, by one copy
    assert all(d["jobs"] > 0 and d["messages"] > 0 for d in done), f"one copy did all the work: {done}"
