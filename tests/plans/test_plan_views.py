"""Plan views in both languages: typed titles and details never in mrkdwn, each person's language, the list
paged within Slack's limits with a confirmed Delete, and the modal reading a UTC UNTIL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.plans.messages import PlanOverdue, PlanReminder
from bot.plans.model import OverdueLevel, PlanKind
from bot.plans.usecases import PlanLine, Upcoming
from handlers.plans.listeners import PlanModalMeta, parse_plan
from handlers.plans.views import (
    PAGE,
    build_done_modal,
    build_overdue,
    build_plan_list,
    build_reminder,
    build_upcoming,
    plan_notice,
)
from tests.e2e.test_plans_slack import plan_values

TYPED = "*Fire* drill <!channel> <@U0BOSS>"
BOTH = {"zh-CN": {"title": "消防演练", "details": "经消防通道撤离"}, "en": {"title": "Fire drill", "details": "Leave"}}


def mrkdwn_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from mrkdwn_texts(value)


def reminder(**changes: Any) -> dict[str, Any]:
    context = PlanReminder(plan_key="fire-drill", kind=PlanKind.DRILL, title=TYPED, details=TYPED, owner="U0SAFE1",
                           occurrence_id=7, due_at=datetime(2026, 12, 7, 1, tzinfo=UTC), timezone="Asia/Shanghai",
                           reminder="remind:0d")
    return context.model_copy(update=changes).model_dump(mode="json")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_typed_titles_and_details_never_go_into_mrkdwn(locale: str) -> None:
    overdue = PlanOverdue(**reminder(), level=OverdueLevel.HEAD).model_dump(mode="json")
    line = PlanLine(key="fire-drill", title=TYPED, kind=PlanKind.DRILL, owner_id="U0SAFE1", paused=False,
                    rule="FREQ=WEEKLY;BYDAY=MO", start=date(2026, 12, 7), time_of_day=time(9), next_due=None)
    upcoming = Upcoming(due_at=datetime(2026, 12, 7, 1, tzinfo=UTC), key="fire-drill", title=TYPED,
                        kind=PlanKind.DRILL, owner_id="U0SAFE1")
    views = [build_reminder(reminder(), locale), build_reminder(reminder(done_by="U0EMP1", done_on=date(2026, 12, 7)),
                                                                locale),
             build_overdue(overdue, locale), build_plan_list([line], locale=locale, timezone="Asia/Shanghai",
                                                             manage=True, notice=plan_notice("pause", TYPED, locale)),
             build_upcoming([upcoming], locale=locale, timezone="Asia/Shanghai"),
             build_done_modal(title=TYPED, kind=PlanKind.DRILL, locale=locale, today=date(2026, 12, 7),
                              private_metadata="")]
    for view in views:
        blocks = view["blocks"]
        assert not [text for text in mrkdwn_texts(blocks) if "Fire" in text or "<!channel>" in text], view
        assert any(e == {"type": "text", "text": TYPED, "style": {"bold": True}} or e == {"type": "text", "text": TYPED}
                   for e in _rich_elements(blocks)) or any(b["type"] == "header" for b in blocks), view


def _rich_elements(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        if block["type"] == "rich_text":
            for section in block["elements"]:
                yield from section["elements"]


def test_a_plan_written_in_both_languages_reads_in_each_person_s() -> None:
    context = reminder(title="消防演练", details="经消防通道撤离", translations=BOTH)
    assert build_reminder(context, "en")["blocks"][0]["text"]["text"] == "Drill: Fire drill"
    assert build_reminder(context, "zh-CN")["blocks"][0]["text"]["text"] == "演练：消防演练"
    assert "Leave" in str(build_reminder(context, "en")) and "经消防通道撤离" not in str(build_reminder(context, "en"))


def test_the_plan_list_pages_within_slack_s_limits_and_delete_asks_first() -> None:
    lines = [PlanLine(key=f"plan-{n}", title=f"Plan {n}", kind=PlanKind.MEETING, owner_id="U0SAFE1", paused=n == 3,
                      rule="FREQ=WEEKLY;BYDAY=MO", start=date(2026, 12, 7), time_of_day=time(9), next_due=None)
                for n in range(45)]
    first = build_plan_list(lines, locale="en", timezone="Asia/Shanghai", manage=True)["blocks"]
    last = build_plan_list(lines, locale="en", timezone="Asia/Shanghai", manage=True, page=2)["blocks"]
    assert len(first) <= 50 and len(last) <= 50
    shown = [e["text"] for e in _rich_elements(first) if e.get("style") == {"bold": True}]
    assert shown == [f"Plan {n}" for n in range(PAGE)]
    assert [e["action_id"] for e in first[-1]["elements"]] == ["plan_page_next"]
    assert [e["action_id"] for e in last[-1]["elements"]] == ["plan_page"]
    buttons = first[2]["elements"]
    assert [b["action_id"] for b in buttons] == ["plan_edit", "plan_pause", "plan_delete"]
    assert buttons[2]["value"] == "plan-0:0" and "Plan 0" in buttons[2]["confirm"]["text"]["text"]
    assert first[8]["elements"][1]["action_id"] == "plan_resume"  # Plan 3 is paused


def test_the_plan_modal_reads_a_utc_until_as_the_company_s_wall_time() -> None:
    view = {"state": {"values": plan_values(pattern="custom", rule="FREQ=DAILY;UNTIL=20270110T020000Z",
                                            start="2027-01-01", people=["U0EMP1"])}}
    parsed = parse_plan(view, PlanModalMeta(key=None, locale="en"), ZoneInfo("Asia/Shanghai"))
    assert parsed.rule == "FREQ=DAILY;UNTIL=20270110T100000"
