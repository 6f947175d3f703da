"""One bad row never stops the others: a plan, a deadline or a job that raises is set aside with its reason,
the safety channel is told once, and every other reminder and escalation still goes out.

The bad rows are written straight into the database, as an import or a modal could before their input was
checked (a reminder 999999 days before, a deadline in the year 9999), or as a damaged row would be.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import update

from bot.plans.model import Audience
from bot.scheduling import JobState
from storage.hazards import hazards
from storage.plans import plans
from storage.scheduling import reminder_jobs
from tests.scheduling import test_scheduler
from tests.scheduling.test_scheduler import (
    DAY,
    DEADLINE,
    DUE,
    HOUR,
    QUICK_DEADLINES,
    Bot,
    add_plan,
    assigned_hazard,
    kinds_to,
)

make_bot = test_scheduler.make_bot  # the fixture

FAR = datetime(9999, 12, 27, 15, 59, tzinfo=UTC)


def failures_told(bot: Bot) -> list[str]:
    """The texts of the posts to the safety channel about work set aside."""
    return [call.params.get("text", "") for call in bot.fake.delivered("chat.postMessage")
            if call.params["metadata"]["event_payload"]["key"].startswith("job-failed:")]


def failed_rows(bot: Bot) -> list[dict[str, object]]:
    return [row for row in bot.rows(reminder_jobs) if row["state"] is JobState.FAILED]


def set_plan(bot: Bot, key: str, **values: object) -> None:
    with bot.runtime.engine.begin() as conn:
        conn.execute(update(plans).where(plans.c.key == key).values(**values))


def test_a_plan_whose_reminders_overflow_is_set_aside_and_the_other_plans_still_remind(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_plan(bot, key="good", offsets=("0d",))
    add_plan(bot, key="broken", offsets=("0d",), audience=Audience(people=["U0EMP3"]))
    set_plan(bot, "broken", offsets=["999999d"], materialized_until=None)

    bot.tick(times=2)
    bot.tick(DUE[0], times=2)
    assert kinds_to(bot.new("remind")) == [("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]

    [failed] = failed_rows(bot)
    assert "OverflowError" in str(failed["error"]) and "plan:" in str(failed["key"])
    [told] = failures_told(bot)
    assert "Extinguisher check (broken)" in told  # the safety department hears which plan, in plain words

    bot.tick(DUE[1], times=3)  # it keeps failing: nobody is told again, the others go on
    assert kinds_to(bot.new("remind")) == [("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]
    assert len(failures_told(bot)) == 1 and len(failed_rows(bot)) == 1


def test_a_deadline_damaged_to_the_year_9999_stops_nothing_and_other_cases_still_escalate(
    make_bot: Callable[..., Bot]
) -> None:
    """The tick reads no case any more (a step writes its deadline's jobs, and a step refuses a deadline past
    `deadlines.max_ahead`): a deadline damaged in the database only makes its own case's jobs stale."""
    bot = make_bot(QUICK_DEADLINES)
    good = assigned_hazard(bot)
    broken = assigned_hazard(bot)
    with bot.runtime.engine.begin() as conn:
        conn.execute(update(hazards).where(hazards.c.reference == broken).values(deadline_at=FAR))

    bot.tick(DEADLINE, times=2)
    sent = bot.new("deadline")
    assert kinds_to(sent) == [("deadline:assignee", "U0EMP1")] and good in sent[0].job
    bot.tick(DEADLINE + 12 * HOUR, times=3)
    assert kinds_to(bot.new("deadline")) == [("deadline:head", "U0DEP1"), ("deadline:head", "U0HEAD1")]
    assert failed_rows(bot) == [] and failures_told(bot) == []
    stale = {row["kind"]: row["state"] for row in bot.rows(reminder_jobs) if row["hazard_ref"] == broken
             and row["fire_at"] <= DEADLINE + 12 * HOUR}
    assert set(stale.values()) == {JobState.SKIPPED}  # its chain no longer matches the case: nothing sent


def test_a_job_that_raises_is_recorded_failed_with_its_reason_and_the_others_are_sent(
    make_bot: Callable[..., Bot]
) -> None:
    bot = make_bot()
    add_plan(bot, key="good", offsets=("0d",))
    add_plan(bot, key="damaged", offsets=("0d",), audience=Audience(people=["U0EMP3"]))
    bot.tick()
    set_plan(bot, "damaged", audience={"people": "not a list"})  # the job reads it only when it fires

    bot.tick(DUE[0], times=2)
    assert kinds_to(bot.new("remind")) == [("remind:0d", "U0EMP1"), ("remind:0d", "U0EMP2")]
    [failed] = failed_rows(bot)
    assert failed["kind"] == "remind:0d" and "ValidationError" in str(failed["error"])
    assert failed["processed_at"] is not None
    [told] = failures_told(bot)
    assert "Extinguisher check (damaged)" in told or "remind:0d" in told

    bot.tick(DUE[0] + DAY, times=2)  # a failed job is not tried again, and not told again
    assert len(failures_told(bot)) == 1
    assert [r["state"] for r in bot.rows(reminder_jobs) if r["id"] == failed["id"]] == [JobState.FAILED]
