"""The scheduler's cost follows what is due, not how much there is: a steady tick reads no case, chains are
found through an index, reading transactions take no write lock, and `/hazard mine` filters in SQL.

Cases are written straight into the table here (the tick must not need them, and 200 cases through the
use cases would be slow); the steps' own writing of deadline jobs is tested through the use cases.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert

from bot.hazards.changes import StepInput
from bot.hazards.model import HazardStatus, Step
from bot.hazards.queries import my_cases
from bot.scheduling import JobKey, JobKind, JobState, ReminderJob
from storage.db import WriterTurns
from storage.hazards import hazards
from storage.scheduling import reminder_jobs
from tests.scheduling import test_scheduler
from tests.scheduling.test_scheduler import (
    DAY,
    DEADLINE,
    HOUR,
    QUICK_DEADLINES,
    T0,
    Bot,
    add_plan,
    assigned_hazard,
    step,
)

make_bot = test_scheduler.make_bot  # the fixture


def case_rows(count: int, *, start: int, status: HazardStatus = HazardStatus.ASSIGNED, department: str = "cs1",
              extension: bool = False) -> list[dict[str, Any]]:
    return [{"reference": f"HZ-2026-{start + i:05d}", "category": "fire", "location": "3F", "description": "x",
             "department_key": department, "reporter_id": "U0EMP2", "anonymous": False, "photos": [],
             "status": status.value, "reported_at": T0 - DAY, "rounds": 1, "completion_photos": [], "revision": 3,
             "severity": "general", "deadline_at": T0 + (i + 2) * DAY, "measures": "Fix it", "assignee_id": "U0EMP1",
             "extension_until": T0 + (i + 30) * DAY if extension else None,
             "extension_reason": "Parts late" if extension else None} for i in range(count)]


def add_cases(bot: Bot, rows: list[dict[str, Any]]) -> None:
    with bot.runtime.engine.begin() as conn:
        conn.execute(insert(hazards), rows)


@contextmanager
def statements(bot: Bot) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(bot.runtime.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(bot.runtime.engine, "before_cursor_execute", note)


def steady_tick_statements(bot: Bot) -> list[str]:
    bot.tick(T0 + HOUR)  # settles whatever is due
    with statements(bot) as seen:
        bot.runtime.scheduler.tick()
    return seen


def test_a_steady_tick_issues_the_same_few_statements_whatever_the_number_of_open_cases(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(QUICK_DEADLINES)
    add_plan(bot, key="weekly")
    add_cases(bot, case_rows(5, start=1))
    few = steady_tick_statements(bot)
    add_cases(bot, case_rows(200, start=100))
    many = steady_tick_statements(bot)
    assert len(many) == len(few) < 20, many
    assert not [s for s in many if "hazards" in s or s.startswith(("INSERT", "UPDATE plans"))], many


def test_an_escalation_asks_once_which_of_its_case_s_cards_were_posted(make_bot: Callable[..., Bot]) -> None:
    """The cards are refreshed to count the days left: one look-up for all of them and their updates, not
    three a card."""
    bot = make_bot(QUICK_DEADLINES)
    assigned_hazard(bot)
    bot.clock.now = DEADLINE
    with statements(bot) as seen:
        bot.runtime.scheduler.tick()  # the assignee rung is sent (the "soon" one, passed, is skipped)
    card_look_ups = [s for s in seen if "FROM outbox" in s and "outbox.key IN" in s.replace('"', "")]
    assert len(card_look_ups) == 1, seen
    assert not [s for s in seen if "FROM outbox" in s and "outbox.key = " in s.replace('"', "")], seen


def test_a_step_writes_its_deadline_s_chain_and_the_next_step_skips_it_without_any_tick(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot)  # reports, assesses and assigns (it ticks once, at T0: nothing due)
    jobs = [r for r in bot.rows(reminder_jobs) if r["hazard_ref"] == reference]
    assert sorted(r["kind"] for r in jobs) == sorted(f"deadline:{level}" for level in (
        "soon", "assignee", "head", "safety", "management"))
    assert {r["state"] for r in jobs} == {JobState.PENDING}
    assert {r["chain"] for r in jobs} == {f"hz:{reference}:r1:{DEADLINE.isoformat()}"}

    step(bot, StepInput(reference=reference, step=Step.COMPLETE, actor_id="U0EMP1", note="Cleared"))
    assert {r["state"] for r in bot.rows(reminder_jobs) if r["hazard_ref"] == reference} == {JobState.SKIPPED}
    bot.tick(DEADLINE + 10 * DAY, times=2)
    assert bot.new("deadline") == []


def test_a_deadline_given_in_the_company_s_zone_escalates_like_one_in_utc(make_bot: Callable[..., Bot]) -> None:
    """The modal's and an incident's deadlines come in Asia/Shanghai; the case read back has it in UTC."""
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot, deadline=DEADLINE.astimezone(ZoneInfo("Asia/Shanghai")))
    bot.tick(DEADLINE, times=2)
    assert [(s.kind, s.to) for s in bot.new("deadline")] == [("deadline:assignee", "U0EMP1")]
    assert {r["chain"] for r in bot.rows(reminder_jobs) if r["hazard_ref"] == reference} == {
        f"hz:{reference}:r1:{DEADLINE.isoformat()}"}


def test_a_deadline_moved_back_to_an_earlier_one_escalates_again_on_that_one(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(QUICK_DEADLINES)
    reference = assigned_hazard(bot)
    later = DEADLINE + 10 * DAY
    step(bot, StepInput(reference=reference, step=Step.REQUEST_EXTENSION, actor_id="U0EMP1", deadline=later,
                        reason="Parts late"))
    step(bot, StepInput(reference=reference, step=Step.ACCEPT_EXTENSION, actor_id="U0HEAD1"))
    step(bot, StepInput(reference=reference, step=Step.ASSIGN, actor_id="U0HEAD1", measures="Clear the exit",
                        assignee_id="U0EMP1", deadline=DEADLINE))  # the head sets the first deadline again
    bot.tick(DEADLINE, times=2)
    assert [(s.kind, s.to) for s in bot.new("deadline")] == [("deadline:assignee", "U0EMP1")]
    bot.tick(later, times=2)  # its head, safety and management steps all due by then: the latest goes
    assert [s.kind for s in bot.new("deadline")] == ["deadline:management"]
    assert all(f":{DEADLINE.isoformat()}:" in r["key"] for r in bot.rows(reminder_jobs)
               if r["state"] is JobState.SENT)  # nothing of the extension's chain


def explain(bot: Bot, call: Callable[[], Any], table: str) -> list[str]:
    """SQLite's query plans of the statements `call` runs that read `table`."""
    captured: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.startswith("SELECT") and table in statement:
            captured.append((statement, parameters))

    event.listen(bot.runtime.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(bot.runtime.engine, "before_cursor_execute", note)
    assert captured
    with bot.runtime.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        return [" / ".join(row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {s}", p).fetchall())
                for s, p in captured]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # EXPLAIN QUERY PLAN is SQLite's
def test_later_due_and_the_claim_use_their_indexes(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    job = ReminderJob.at(JobKey("occ:1", JobKind.REMIND, "1d"), T0, occurrence_id=None)
    with bot.uow() as uow:
        uow.schedule.add_jobs([job, ReminderJob.at(JobKey("occ:1", JobKind.REMIND, "0d"), T0 + DAY)])
        uow.commit()

    def later_due() -> None:
        with bot.uow() as uow:
            [claimed] = [j for j in uow.schedule.claim(now=T0, lease_seconds=60, limit=5)]
            uow.schedule.later_due(claimed, prefix="remind:", now=T0 + 2 * DAY)

    plans = explain(bot, later_due, "reminder_jobs")
    assert "USING INDEX ix_reminder_jobs_due" in plans[0], plans
    assert "USING INDEX ix_reminder_jobs_chain_fire (chain=? AND fire_at>? AND fire_at<?)" in plans[1], plans
    assert not any("SCAN reminder_jobs" in plan for plan in plans), plans


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the write lock at BEGIN is SQLite's
def test_a_reading_transaction_reads_beside_a_writer_and_a_writing_one_waits(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    reference = assigned_hazard(bot)
    path = bot.runtime.engine.url.database
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        began = time.monotonic()
        assert my_cases("U0EMP1", uow=bot.uow(), org=bot.org).tasks[0].reference == reference
        with bot.uow().reading() as uow:
            assert uow.hazards.get(reference) is not None
            with pytest.raises(RuntimeError):
                uow.commit()
        assert time.monotonic() - began < 1.0
        writing: list[float] = []
        def write() -> None:
            with bot.uow() as uow:
                uow.hazards.get(reference)
                writing.append(time.monotonic())

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.3)  # the writer must still be waiting for the lock
        assert writing == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    thread.join(timeout=10)
    assert len(writing) == 1


def test_writers_of_one_process_take_the_write_lock_in_the_order_they_asked() -> None:
    turns = WriterTurns(timeout=5)
    order: list[int] = []
    assert turns.acquire(0)
    threads = []
    for holder in (1, 2, 3):
        thread = threading.Thread(target=lambda h=holder: (turns.acquire(h), order.append(h), turns.release(h)))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 5
        while len(turns._queue) < holder and time.monotonic() < deadline:
            time.sleep(0.001)
    turns.release(0)
    for thread in threads:
        thread.join(timeout=5)
    assert order == [1, 2, 3]
    assert WriterTurns(timeout=0.01).acquire(9) and not _second_times_out()


def _second_times_out() -> bool:
    turns = WriterTurns(timeout=0.05)
    turns.acquire(1)
    return turns.acquire(2)


def test_a_busy_head_sees_every_pending_extension_request_not_those_among_the_first_cases(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_cases(bot, case_rows(210, start=1))  # assigned, nothing asked of the head
    add_cases(bot, case_rows(3, start=500, extension=True))  # more time asked for: waiting for the head
    mine = my_cases("U0HEAD1", uow=bot.uow(), org=bot.org)
    assert [line.reference for line in mine.to_decide] == ["HZ-2026-00500", "HZ-2026-00501", "HZ-2026-00502"]


def test_catching_up_after_downtime_works_in_small_transactions(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(QUICK_DEADLINES)
    with bot.uow() as uow:  # 45 deadline jobs due during the downtime, in 45 chains
        uow.schedule.add_jobs([ReminderJob.at(JobKey(f"hz:HZ-X-{i}:r1:x", JobKind.DEADLINE, "soon"),
                                              T0 + timedelta(minutes=i), hazard_ref=f"HZ-X-{i}") for i in range(45)])
        uow.commit()
    began: list[datetime] = []
    event.listen(bot.runtime.engine, "begin", lambda conn: began.append(bot.clock.now))
    bot.clock.now = T0 + 6 * HOUR
    assert bot.runtime.scheduler.tick() == 45
    assert len(began) >= 2 + 45 // bot.runtime.scheduler.batch  # materialize, sweep, then 20 jobs at a time
    assert {r["state"] for r in bot.rows(reminder_jobs)} == {JobState.SKIPPED}  # no such cases: stale


def test_an_idle_sender_only_looks_and_takes_no_write_lock(make_bot: Callable[..., Bot]) -> None:
    """It polls four times a second: an idle poll is one indexed read, not the claim's write transaction."""
    bot = make_bot()
    bot.runtime.sender.run_once()  # its once-a-minute probe of refused conversations out of the way
    with statements(bot) as seen:
        assert bot.runtime.sender.run_once() == 0
    words = [statement.split()[0].upper() for statement in seen if statement.strip().upper() != "BEGIN"]
    assert words == ["SELECT"], seen  # SQLite's deferred BEGIN takes no lock; BEGIN IMMEDIATE would
