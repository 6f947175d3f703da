"""Typed text is cleaned before it is stored and limited on the server: a NUL byte no longer fails the report
on PostgreSQL, control characters and bidi overrides are removed, text of only invisible characters is blank,
and every field has a limit the form's `max_length` shares (names and immediate actions took 40,000 characters).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.core.i18n import t
from bot.core.text import Limits
from storage.hazards import hazards
from storage.incidents import incidents
from tests.conftest import RunningBot
from tests.e2e.test_incidents import incident_values
from tests.helpers import open_modal, report_values
from tests.slack_payloads import plain_text


def submit_hazard(bot: RunningBot, user: str = "U0EMP1", **values: Any) -> dict[str, Any]:
    view = open_modal(bot, user)
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=report_values(**values),
                                   private_metadata=view["private_metadata"])
    assert answer.status_code == 200, answer.text
    return answer.json() if answer.content else {}


def submit_incident(bot: RunningBot, user: str = "U0EMP2", **fields: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/incident", "", user_id=user).status_code == 200
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]
    values = incident_values()
    for block, text in fields.items():
        values[block] = {"value": plain_text(text)}
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=values,
                                   private_metadata=view["private_metadata"])
    assert answer.status_code == 200, answer.text
    return answer.json() if answer.content else {}


def test_a_report_with_a_nul_byte_and_control_characters_is_stored_clean(bot: RunningBot) -> None:
    answer = submit_hazard(bot, location="3F\x00 east\u202e exit\x07", description="Boxes\x00 block\r\nthe exit\t!")
    assert answer.get("response_action") == "update", answer
    with bot.runtime.engine.connect() as conn:
        row = conn.execute(select(hazards.c.location, hazards.c.description)).one()
    assert (row.location, row.description) == ("3F east exit", "Boxes block\nthe exit\t!")


def test_text_of_only_invisible_characters_is_blank(bot: RunningBot) -> None:
    answer = submit_hazard(bot, user="U0EMP2", location="\u200b\u200b", description="\u3164\ufeff \u2800")
    assert answer == {"response_action": "errors", "errors": {
        "hz_location": t("error.blank", "en"), "hz_description": t("error.blank", "en")}}


def test_every_incident_text_has_a_server_side_limit(bot: RunningBot) -> None:
    long = "x" * 40_000
    answer = submit_incident(bot, in_injured_names=long, in_actions_taken=long)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"in_injured_names", "in_actions_taken"}
    assert answer["errors"]["in_injured_names"] == t("error.too_long", "en", most=Limits.NAMES)
    with bot.runtime.engine.connect() as conn:
        assert conn.execute(select(incidents.c.id)).all() == []


def test_the_forms_ask_slack_for_the_same_limits(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP1")
    limits = {b["block_id"]: b["element"].get("max_length") for b in view["blocks"] if b["type"] == "input"}
    assert limits["hz_location"] == Limits.LOCATION and limits["hz_description"] == Limits.DESCRIPTION
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/incident", "", user_id="U0EMP2").status_code == 200
    incident = bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]
    limits = {b["block_id"]: b["element"].get("max_length") for b in incident["blocks"] if b["type"] == "input"}
    assert limits["in_injured_names"] == Limits.NAMES and limits["in_actions_taken"] == Limits.IMMEDIATE_ACTIONS
