"""A stranger learns nothing from asking: the same answer whether or not a case exists; plans are for the org."""

from __future__ import annotations

import json
from typing import Any

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.e2e.test_incidents import report as report_incident
from tests.e2e.test_incidents import settled
from tests.helpers import press, report

MISSING_HAZARD, MISSING_INCIDENT = "HZ-2026-0777", "INC-2026-0777"


def ask(bot: RunningBot, user: str, command: str, text: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.command(command, text, user_id=user).status_code == 200
    return bot.fake.wait_for("response_url", count=before + 1)[-1].params


def without(answer: dict[str, Any], reference: str) -> str:
    return json.dumps(answer, ensure_ascii=False, sort_keys=True).replace(reference, "<ref>")


def test_a_stranger_gets_the_same_answer_whether_or_not_the_case_exists(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    for stranger in ("U0EMP3", "U0GUEST", "U0HEAD2"):
        real, missing = ask(bot, stranger, "/hazard", ref), ask(bot, stranger, "/hazard", MISSING_HAZARD)
        assert without(real, ref) == without(missing, MISSING_HAZARD), stranger
        assert "blocks" not in real and real["text"] == t("error.not_allowed_view", "zh-CN" if stranger != "U0GUEST"
                                                           else "en", reference=ref)
    # Forged button values: the answer does not tell a real case from a made-up one.
    for action in ("hz_step_assess", "hz_step_approve", "hz_step_verify", "hz_step_complete"):
        real = press(bot, "U0EMP3", action, ref)["reply"]
        missing = press(bot, "U0EMP3", action, MISSING_HAZARD)["reply"]
        assert without(real, ref) == without(missing, MISSING_HAZARD), action


def test_a_stranger_cannot_tell_a_confidential_incident_from_none(bot: RunningBot) -> None:
    ref = str(report_incident(bot, kind="data_leak", injured="0")).split("*")[1]
    settled(bot)
    real = press(bot, "U0EMP3", "inc_export", ref)["reply"]
    missing = press(bot, "U0EMP3", "inc_export", MISSING_INCIDENT)["reply"]
    assert without(real, ref) == without(missing, MISSING_INCIDENT)


def test_plans_and_what_is_coming_are_for_people_in_the_org_file(bot: RunningBot) -> None:
    for word in ("plans", "upcoming"):
        refused = ask(bot, "U0GUEST", "/safety", word)
        assert refused["text"] == t("error.not_in_org", "en"), word
        assert "blocks" not in refused
        listed = ask(bot, "U0EMP1", "/safety", word)
        assert "blocks" in listed, word


def test_a_forged_checklist_tick_tells_nothing(bot: RunningBot) -> None:
    ref = str(report_incident(bot)).split("*")[1]
    settled(bot)
    real = press(bot, "U0EMP3", "inc_tick", f"{ref}:0")["reply"]
    missing = press(bot, "U0EMP3", "inc_tick", f"{MISSING_INCIDENT}:0")["reply"]
    assert without(real, ref) == without(missing, MISSING_INCIDENT)
