"""Deadlines out of range are refused on their field, in the person's language: at most `deadlines.max_ahead`
(default 365 days) ahead. A deadline of 9999-12-27 was accepted and then stopped every scheduler tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.core.i18n import t
from bot.core.org import parse_org
from tests.closed_loop import step
from tests.conftest import ORG_YAML, RunningBot, start_bot
from tests.fakeslack import FakeSlack
from tests.helpers import report


def in_days(n: int) -> str:
    return (datetime.now() + timedelta(days=n)).date().isoformat()


@pytest.mark.parametrize("picked", ["9999-12-27", in_days(400)])
def test_an_assessment_deadline_beyond_a_year_is_a_field_error_in_the_person_s_language(
    bot: RunningBot, picked: str
) -> None:
    ref = report(bot, "U0EMP2")
    answer = step(bot, "U0HEAD1", "assess", ref, severity="serious", deadline=picked)  # U0HEAD1 reads English
    assert answer == {"response_action": "errors",
                      "errors": {"st_deadline": t("error.deadline_too_far", "en", most="365")}}
    answer = step(bot, "U0DEP1", "assess", ref, severity="serious", deadline=picked)  # the deputy reads Chinese
    assert answer["errors"] == {"st_deadline": t("error.deadline_too_far", "zh-CN", most="365")}
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious", deadline=in_days(300)) == {}


def test_an_assignment_or_extension_beyond_a_year_is_refused_too(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious") == {}
    answer = step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1", deadline="9999-12-27")
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["st_deadline"]
    assert step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1",
                deadline=in_days(20)) == {}
    answer = step(bot, "U0EMP1", "request_extension", ref, deadline="9999-12-27", reason="Parts are late")
    assert answer["errors"] == {"st_deadline": t("error.deadline_too_far", "zh-CN", most="365")}


@pytest.fixture
def bot_with_short_horizon(fake_slack: FakeSlack, database_url: str) -> Iterator[RunningBot]:
    running = start_bot(fake_slack, database_url, parse_org(ORG_YAML + "deadlines:\n  max_ahead: 30d\n"))
    yield running
    running.stop()


def test_the_horizon_is_the_org_file_s_deadlines_max_ahead(bot_with_short_horizon: RunningBot) -> None:
    bot = bot_with_short_horizon
    ref = report(bot, "U0EMP2")
    answer = step(bot, "U0HEAD1", "assess", ref, severity="general", deadline=in_days(45))
    assert answer["errors"] == {"st_deadline": t("error.deadline_too_far", "en", most="30")}
    assert step(bot, "U0HEAD1", "assess", ref, severity="general", deadline=in_days(25)) == {}
