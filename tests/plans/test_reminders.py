"""Reminders as each person receives them: Done only for those who may record it, every copy updated in place
once it is recorded, reminders kept off weekends and holidays, and late ones honest about why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from bot.plans.messages import PlanReminder
from bot.plans.model import Audience, DoneInput, PlanInput, PlanKind
from bot.plans.recurrence import Pattern, rule_for
from bot.plans.usecases import record_done, save_plan
from handlers.plans.views import build_reminder
from storage.scheduling import reminder_jobs
from tests.scheduling.test_scheduler import DAY, DIRECTORY, DUE, HOUR, MONDAY, Bot, make_bot

__all__ = ["make_bot"]  # the fixture, shared with the scheduler's tests


def plan(bot: Bot, *, offsets: list[str], move_off_holidays: bool = False, audience: Audience | None = None) -> None:
    save_plan(PlanInput(key="check", kind=PlanKind.EQUIPMENT_CHECK, title="*Extinguisher* check <!channel>",
                        owner_id="U0EMP1", audience=audience or Audience(people=["U0EMP2"]),
                        rule=rule_for(Pattern.WEEKLY, start=MONDAY), start=MONDAY, time_of_day=time(9, 0),
                        offsets=offsets, move_off_holidays=move_off_holidays),
              actor_id="U0SAFE1", uow=bot.uow(), org=bot.org, directory=DIRECTORY, clock=bot.clock)


def action_ids(message: dict[str, Any]) -> list[str]:
    return [e.get("action_id") for b in message.get("blocks", []) for e in b.get("elements", [])
            if isinstance(e, dict) and "action_id" in e]


def test_done_only_for_those_who_may_record_it_and_every_copy_says_who_recorded_it(
        make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    plan(bot, offsets=["0d"], audience=Audience(channel="C0SAFETY", people=["U0EMP2", "U0SAFE2"]))
    bot.tick()
    bot.tick(DUE[0] + HOUR, times=2)
    received = {to: bot.fake.messages(to)[-1] for to in ("C0SAFETY", "U0EMP1", "U0EMP2", "U0SAFE2")}
    assert {to: "plan_done" in action_ids(m) for to, m in received.items()} == {
        "C0SAFETY": True, "U0EMP1": True, "U0EMP2": False, "U0SAFE2": True}  # the owner and the officers
    assert "<@U0EMP1>" in str(received["U0EMP2"]["blocks"])  # who records it, instead of a button that refuses
    assert "<!channel>" not in str([b for b in received["U0EMP2"]["blocks"] if b["type"] != "header"])

    assert len(bot.new()) == 4
    occurrence = bot.occurrence_ids()[DUE[0]]
    record_done(DoneInput(occurrence_id=occurrence, actor_id="U0SAFE2", done_on=MONDAY),
                uow=bot.uow(), org=bot.org, clock=bot.clock)
    bot.tick(DUE[0] + 2 * HOUR)
    updates = bot.fake.delivered("chat.update")
    assert sorted(u.params["channel"] for u in updates) == ["C0SAFETY", "D0EMP1", "D0EMP2", "D0SAFE2"]  # DMs
    for update in updates:
        assert "plan_done" not in action_ids(update.params)
        assert "✅" in str(update.params["blocks"]) and "<@U0SAFE2>" in str(update.params["blocks"])
        assert "2026-12-07" in str(update.params["blocks"])
    assert bot.new() == []  # updated in place: nothing new posted


def fire_times(bot: Bot) -> dict[str, datetime]:
    return {row["kind"]: row["fire_at"].astimezone(bot.org.tz).replace(tzinfo=None)
            for row in bot.rows(reminder_jobs) if row["occurrence_id"] == bot.occurrence_ids()[DUE[0]]}


def test_a_reminder_that_would_fall_on_a_weekend_comes_the_working_day_before(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    plan(bot, offsets=["1d", "2d", "0d"], move_off_holidays=True)  # Monday 7 December 2026
    bot.tick()
    fires = fire_times(bot)
    assert fires["remind:1d"] == fires["remind:2d"] == datetime(2026, 12, 4, 9, 0)  # Friday, not Sunday or Saturday
    assert fires["remind:0d"] == datetime(2026, 12, 7, 9, 0)


def test_without_move_off_holidays_a_reminder_stays_on_its_day(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    plan(bot, offsets=["1d"])
    bot.tick()
    assert fire_times(bot)["remind:1d"] == datetime(2026, 12, 6, 9, 0)  # Sunday, as asked


def test_a_late_reminder_says_when_it_should_have_gone_out_and_why(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    plan(bot, offsets=["1d"])
    bot.tick()
    bot.tick(DUE[0] - DAY + 5 * HOUR)  # the bot was down at the reminder's time, 6 December 09:00
    late = str(bot.fake.messages("U0EMP2")[-1]["blocks"])
    # should have gone out; due: with the weekday and the zone (U0EMP2 reads English)
    assert "Sun 2026-12-06 09:00 (UTC+8)" in late and "Mon 2026-12-07 09:00 (UTC+8)" in late
    assert "not running" in late


def test_a_reminder_in_chinese_names_the_weekday_and_beijing_time() -> None:
    context = PlanReminder(plan_key="drill", kind=PlanKind.DRILL, title="消防演练", owner="U0SAFE1", occurrence_id=1,
                           due_at=DUE[0], timezone="Asia/Shanghai", reminder="remind:0d").model_dump(mode="json")
    assert "2026-12-07 09:00（周一，北京时间）" in str(build_reminder(context, "zh-CN")["blocks"])


def test_a_plan_titled_in_chinese_gets_a_readable_key(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot()
    for _ in range(2):
        save_plan(PlanInput(kind=PlanKind.DRILL, title="消防演练", owner_id="U0SAFE1", audience=Audience(everyone=True),
                            rule="FREQ=WEEKLY;BYDAY=MO", start=MONDAY, time_of_day=time(9, 0)),
                  actor_id="U0SAFE1", uow=bot.uow(), org=bot.org, directory=DIRECTORY, clock=bot.clock)
    with bot.uow() as uow:
        assert sorted(p.key for p in uow.plans.all()) == ["drill", "drill-2"]
