"""Every request answers 2xx or 4xx, never 500: bad dates, counts that are not numbers, private_metadata from
another view (or none), unknown ids, missing fields. A modal gets field errors where there is a field, and
otherwise a short apology with a reference; a button or command gets a kind ephemeral answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.helpers import eventually, report
from tests.slack_payloads import plain_text

MODALS = ["hazard_report", "hazard_step", "plan_edit", "plan_done", "incident_report", "incident_authority",
          "incident_close"]
METADATA = {
    "none": "",
    "not json": "{not json",
    "another view's": json.dumps({"locale": "en"}),
    "wrong types": json.dumps({"reference": ["x"], "step": "fly", "occurrence_id": "abc", "locale": 5}),
}
BAD_STATE: dict[str, Any] = {
    "hz_location": {"location": {"type": "plain_text_input", "value": 12}},
    "st_deadline": {"value": {"type": "datepicker", "selected_date": "2026-13-45"}},
    "pl_start": {"value": {"type": "datepicker", "selected_date": "tomorrow"}},
    "dn_date": {"value": {"type": "datepicker", "selected_date": "2026-02-30"}},
    "in_occurred": {"value": {"type": "datetimepicker", "selected_date_time": "soon"}},
    "in_injured": {"value": plain_text("three")},
    "in_reported_on": {"value": {"type": "datepicker", "selected_date": "yesterday"}},
    "pl_time": {"value": {"type": "timepicker", "selected_time": "25:99"}},
    "pl_interval": {"value": plain_text("every other")},
}


def acceptable(answer: Any) -> dict[str, Any]:
    assert answer.status_code < 500, (answer.status_code, answer.text)
    body = answer.json() if answer.content else {}
    assert "Traceback" not in answer.text
    if body:
        assert body.get("response_action") in ("errors", "update", "clear"), body
    return body


@pytest.mark.parametrize("callback_id", MODALS)
@pytest.mark.parametrize("metadata", list(METADATA), ids=list(METADATA))
def test_a_modal_with_foreign_metadata_and_broken_state_is_answered_not_crashed(
    bot: RunningBot, callback_id: str, metadata: str
) -> None:
    for state in ({}, BAD_STATE):
        answer = bot.slack.submit_view(user_id="U0SAFE2", callback_id=callback_id, values=state,
                                       private_metadata=METADATA[metadata])
        acceptable(answer)


def test_bad_dates_on_a_real_step_modal_are_field_errors(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    opened = len(bot.fake.calls_to("views.open"))
    clicked = bot.slack.click(user_id="U0HEAD1", action_id="hz_step_assess", value=ref, channel_id="C0SAFETY",
                              message_ts="1700000000.000100")
    assert clicked.status_code == 200
    view = bot.fake.wait_for("views.open", count=opened + 1)[-1].params["view"]
    for bad in ("2026-13-45", "tomorrow"):
        answer = bot.slack.submit_view(user_id="U0HEAD1", callback_id=view["callback_id"], private_metadata=
                                       view["private_metadata"], values={
                                           "st_severity": {"value": {"type": "static_select",
                                                                     "selected_option": {"value": "serious"}}},
                                           "st_deadline": {"value": {"type": "datepicker", "selected_date": bad}}})
        assert acceptable(answer) == {"response_action": "errors", "errors": {"st_deadline": t("error.bad_date", "en")}}


BUTTONS = [("hz_step_assess", "HZ-2026-9999"), ("hz_step_approve", "not a reference"), ("hz_reveal_reporter", ""),
           ("plan_done", "abc"), ("plan_done", "999999"), ("plan_menu", "nothing"), ("inc_tick", "x"),
           ("inc_tick", "INC-2026-9999:abc"), ("inc_start", "INC-2026-9999"), ("inc_export", ""),
           ("inc_authority", "INC-2026-9999"), ("inc_close", "")]


@pytest.mark.parametrize(("action_id", "value"), BUTTONS)
def test_a_button_with_an_unknown_or_malformed_value_gets_a_kind_answer(
    bot: RunningBot, action_id: str, value: str
) -> None:
    before = len(bot.fake.calls_to("response_url"))
    answer = bot.slack.click(user_id="U0SAFE2", action_id=action_id, value=value, channel_id="C0SAFETY",
                             message_ts="1700000000.000100")
    assert answer.status_code == 200
    replies = eventually(lambda: bot.fake.calls_to("response_url")[before:], what="an ephemeral answer")
    assert "Traceback" not in json.dumps(replies[-1].params)
