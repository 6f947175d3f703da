"""Over 100 departments every department picker is a type-ahead: people in department 101 or later can pick
their own, a plan keeps all its audience departments, and the options answer is filtered and bounded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.core.org import Department, OrgFileError, parse_org
from bot.plans.model import Audience, PlanInput, PlanKind
from handlers.core.departments import answer_options, department_select, matching
from handlers.hazards.views import build_report_modal
from handlers.incidents.views import build_incident_modal
from handlers.plans.views import build_plan_modal
from tests.conftest import ORG_YAML, RunningBot

MANY = [Department(key=f"d{n:03}", name=f"Department {n:03} " + "长" * 80 * (n == 150), head=f"U0H{n:03}")
        for n in range(1, 151)]
FEW = MANY[:100]


def element_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == block_id)


def test_up_to_100_departments_the_picker_is_a_static_select_with_all_of_them() -> None:
    element = department_select(FEW, chosen="d100")
    assert element["type"] == "static_select" and len(element["options"]) == 100
    assert element["initial_option"]["value"] == "d100"


def test_past_100_the_report_forms_offer_a_type_ahead_with_the_reporter_s_own_department() -> None:
    hazard = build_report_modal(locale="en", departments=MANY, department_key="d130", description="",
                                private_metadata="")
    picker = element_of(hazard, "hz_department")
    assert picker["type"] == "external_select" and "options" not in picker
    assert picker["initial_option"]["value"] == "d130"
    incident = build_incident_modal(locale="zh-CN", departments=MANY, department_key="d101", description="",
                                    now=datetime(2026, 12, 1, tzinfo=UTC), private_metadata="")
    assert element_of(incident, "in_department")["initial_option"]["value"] == "d101"


def test_a_plan_shows_and_keeps_every_audience_department_past_the_first_100() -> None:
    chosen = [d.key for d in MANY[-120:]]
    plan = PlanInput(kind=PlanKind.DRILL, title="Drill", owner_id="U0SAFE1", audience=Audience(departments=chosen),
                     rule="FREQ=WEEKLY;BYDAY=MO", start=date(2026, 12, 7))
    view = build_plan_modal(plan=plan, locale="en", departments=MANY, today=date(2026, 12, 1), private_metadata="")
    picker = element_of(view, "pl_departments")
    assert picker["type"] == "multi_external_select"
    assert [o["value"] for o in picker["initial_options"]] == chosen


def test_the_options_answer_filters_by_what_was_typed_and_gives_at_most_100() -> None:
    assert len(matching(MANY, "")) == 100
    assert [o["value"] for o in matching(MANY, "department 13")] == [f"d{n}" for n in range(130, 140)]
    assert [o["value"] for o in matching(MANY, "D149")] == ["d149"]
    assert [o["value"] for o in matching(MANY, "13")][:1] == ["d013"]  # keys starting with it come first
    assert all(len(o["text"]["text"]) <= 75 for o in matching(MANY, "department"))
    answered: list[dict[str, Any]] = []
    org = parse_org(ORG_YAML)
    answer_options(org)(ack=lambda **kw: answered.append(kw), body={"value": "客服"})
    assert [o["value"] for o in answered[0]["options"]] == ["cs2"]


@pytest.mark.parametrize(("field", "value"), [("key", "k" * 65), ("name", "n" * 101)])
def test_department_keys_and_names_are_bounded_in_the_org_file(field: str, value: str) -> None:
    text = ORG_YAML.replace("key: cs2", f"key: {value}") if field == "key" else \
        ORG_YAML.replace("name: 客服二部", f"name: {value}")
    with pytest.raises(OrgFileError, match=f"departments\\[1\\]\\.{field}"):
        parse_org(text)


def test_slack_s_options_request_is_answered_by_the_running_bot(bot: RunningBot) -> None:
    answer = bot.slack.suggest(user_id="U0EMP1", action_id="department", block_id="hz_department", value="客服")
    assert answer.status_code == 200
    assert [o["value"] for o in answer.json()["options"]] == ["cs2"]
