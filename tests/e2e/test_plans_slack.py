"""Plans in Slack: a safety officer creates one with /safety plan, people get its reminders, the owner
records it done; bad input comes back on the field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.helpers import eventually, outbox_rows
from tests.slack_payloads import checkboxes, datepicker, plain_text, static_select, users_select


def plan_values(*, kind: str = "drill", title: str = "Fire drill", owner: str | None = "U0SAFE1",
                people: list[str] | None = None, departments: list[str] | None = None, everyone: bool = False,
                pattern: str = "weekly", start: str | None = None, at: str = "10:00", interval: str = "1",
                rule: str = "", offsets: list[str] | None = None) -> dict[str, Any]:
    start = start or (date.today() + timedelta(days=3)).isoformat()

    def field(element: dict[str, Any]) -> dict[str, Any]:
        return {"value": element}

    return {
        "pl_kind": field(static_select(kind)), "pl_title": field(plain_text(title)),
        "pl_details": field(plain_text("Meet at the east exit")), "pl_owner": field(users_select(owner)),
        "pl_channel": field({"type": "channels_select", "selected_channel": None}),
        "pl_departments": field({"type": "multi_static_select",
                                 "selected_options": [{"value": d} for d in departments or []]}),
        "pl_people": field({"type": "multi_users_select", "selected_users": people or []}),
        "pl_everyone": field(checkboxes(["everyone"] if everyone else [])),
        "pl_pattern": field(static_select(pattern)), "pl_start": field(datepicker(start)),
        "pl_time": field({"type": "timepicker", "selected_time": at}),
        "pl_interval": field({"type": "number_input", "value": interval}),
        "pl_rule": field(plain_text(rule)),
        "pl_offsets": field({"type": "multi_static_select",
                             "selected_options": [{"value": o} for o in offsets or ["1d", "0d"]]}),
        "pl_holidays": field(checkboxes([])),
    }


def open_plan_modal(bot: RunningBot, user: str = "U0SAFE1") -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/safety", "plan", user_id=user).status_code == 200
    return bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]


def submit_plan(bot: RunningBot, view: dict[str, Any], user: str = "U0SAFE1", **values: Any) -> dict[str, Any]:
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=plan_values(**values),
                                   private_metadata=view["private_metadata"])
    assert answer.status_code == 200
    return answer.json() if answer.content else {}


def last_reply(bot: RunningBot, before: int) -> dict[str, Any]:
    return bot.fake.wait_for("response_url", count=before + 1)[-1].params


def test_a_safety_officer_creates_a_plan_and_people_get_its_reminders_once(bot: RunningBot) -> None:
    view = open_plan_modal(bot)
    assert len(view["title"]["text"]) <= 24
    saved = submit_plan(bot, view, people=["U0EMP1", "U0EMP2"])
    assert saved["response_action"] == "update"  # names the plan and when it is next due
    assert {"type": "text", "text": "Fire drill"} in saved["view"]["blocks"][0]["elements"][0]["elements"]

    before = len(bot.fake.calls_to("response_url"))
    bot.slack.command("/safety", "plans", user_id="U0SAFE2")
    listing = str(last_reply(bot, before))
    assert "Fire drill" in listing and "plan_delete" in listing
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.command("/safety", "upcoming", user_id="U0EMP1")
    assert "Fire drill" in str(last_reply(bot, before))

    # Three days later, at the time of the drill: the day-before and on-the-day reminders are both due;
    # after that downtime only the latest goes out, once, to each person and the owner.
    scheduler = bot.runtime.scheduler
    start = date.today() + timedelta(days=3)
    scheduler.clock = bot.runtime.sender.clock = (
        lambda: datetime.combine(start, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3))
    for _ in range(3):
        scheduler.tick()
    rows = [r for r in outbox_rows(bot) if r["template"] == "plan.reminder"]
    assert sorted(r["recipient"] for r in rows) == ["U0EMP1", "U0EMP2", "U0SAFE1"]

    # The owner records it done, with attendance.
    eventually(lambda: len(bot.fake.messages("U0SAFE1")) >= 1)
    reminder = bot.fake.messages("U0SAFE1")[-1]
    done = reminder["blocks"][-1]["elements"][0]
    assert done["action_id"] == "plan_done"
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.click(user_id="U0EMP1", action_id="plan_done", value=done["value"], channel_id="D0EMP1",
                    message_ts="1.1")
    assert last_reply(bot, before)["text"] == t("error.only_owner", "zh-CN")
    opened = len(bot.fake.calls_to("views.open"))
    bot.slack.click(user_id="U0SAFE1", action_id="plan_done", value=done["value"], channel_id="D0SAFE1",
                    message_ts="1.1")
    modal = bot.fake.wait_for("views.open", count=opened + 1)[-1].params["view"]
    assert any(b.get("block_id") == "dn_attendance" for b in modal["blocks"])  # a drill records attendance
    answer = bot.slack.submit_view(
        user_id="U0SAFE1", callback_id=modal["callback_id"], private_metadata=modal["private_metadata"],
        values={"dn_date": {"value": datepicker(date.today().isoformat())},
                "dn_notes": {"value": plain_text("All out in 3 minutes")},
                "dn_attendance": {"value": {"type": "multi_users_select", "selected_users": ["U0EMP1", "U0EMP2"]}}})
    assert answer.json()["response_action"] == "update"
    with bot.runtime.services.uow() as uow:
        occurrence = uow.schedule.occurrence(int(done["value"]))
        assert occurrence is not None and occurrence.status.value == "done"
        assert occurrence.attendance == ["U0EMP1", "U0EMP2"] and occurrence.notes == "All out in 3 minutes"


def test_only_safety_officers_manage_plans(bot: RunningBot) -> None:
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.command("/safety", "plan", user_id="U0EMP1")
    assert last_reply(bot, before)["text"] == t("error.safety_only", "zh-CN")
    assert bot.fake.calls_to("views.open") == []


def test_bad_plans_come_back_on_the_right_field(bot: RunningBot) -> None:
    view = open_plan_modal(bot, "U0SAFE2")  # en
    cases = [
        ({"pattern": "custom", "rule": "FREQ=SOMETIMES"}, "pl_pattern", ("error.rule_part", "FREQ=SOMETIMES")),
        ({"pattern": "custom", "rule": "FREQ=DAILY;UNTIL=2027Z"}, "pl_pattern", ("error.rule_part", "UNTIL=2027Z")),
        ({"pattern": "once", "start": (date.today() - timedelta(days=2)).isoformat(), "people": ["U0EMP1"]},
         "pl_start", "error.start_past"),
        ({"people": []}, "pl_people", "error.audience_empty"),
        ({"owner": "U0NOBODY", "people": ["U0EMP1"]}, "pl_owner", "error.unknown_user"),
        ({"title": "  ", "people": ["U0EMP1"]}, "pl_title", "error.blank"),
    ]
    for values, block, key in cases:
        answer = submit_plan(bot, view, "U0SAFE2", **values)
        said = t(key[0], "en", part=key[1]) if isinstance(key, tuple) else t(key, "en")
        assert answer["response_action"] == "errors" and answer["errors"].get(block) == said, (values, answer)
    with bot.runtime.services.uow() as uow:
        assert uow.plans.all() == []


def test_pausing_a_plan_from_its_menu_stops_its_reminders(bot: RunningBot) -> None:
    submit_plan(bot, open_plan_modal(bot), people=["U0EMP1"], title="Extinguisher check")
    with bot.runtime.services.uow() as uow:
        key = uow.plans.all()[0].key
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.click(user_id="U0SAFE1", action_id="plan_pause", value=f"{key}:0", channel_id="C0SAFETY",
                    message_ts="1.1")
    reply = last_reply(bot, before)  # the list, refreshed in place, says which plan was paused, by its title
    assert reply["replace_original"] is True
    said = reply["blocks"][1]["elements"][0]["elements"]
    assert {"type": "text", "text": "Extinguisher check"} in said and key not in str(said)
    assert "plan_resume" in str(reply["blocks"])
    scheduler = bot.runtime.scheduler
    scheduler.clock = lambda: datetime.now(UTC) + timedelta(days=10)
    scheduler.tick()
    assert [r for r in outbox_rows(bot) if r["template"] == "plan.reminder"] == []
