"""Confidential means it, and the emergency plan is ticked only by those handling the incident."""

from __future__ import annotations

import json

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.e2e.test_incidents import click, incident_channel, report, settled


def _checklist(bot: RunningBot, channel: str) -> dict[str, object]:
    return next(m for m in bot.fake.messages(channel) if "inc_tick" in json.dumps(m.get("blocks")))


def test_only_the_people_handling_an_incident_may_tick_its_checklist(bot: RunningBot) -> None:
    ref = str(report(bot)).split("*")[1]
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    channel = incident_channel(bot, ref)
    ticks = [b["accessory"]["value"] for b in _checklist(bot, channel)["blocks"] if "accessory" in b]  # type: ignore[attr-defined]

    refused = click(bot, "U0EMP3", "inc_tick", ticks[0])["reply"]  # another department's employee
    assert refused["text"] == t("error.not_handling", "zh-CN", reference=ref)
    assert refused["response_type"] == "ephemeral"
    assert click(bot, "U0HEAD2", "inc_tick", ticks[0])["reply"]["text"] == t("error.not_handling", "zh-CN",
                                                                            reference=ref)
    with bot.runtime.services.uow() as uow:
        assert [e for e in uow.events.for_case(ref) if e.action == "checklist_ticked"] == []

    # The reporter (in the channel) and a safety officer may.
    for person, value in (("U0EMP2", ticks[0]), ("U0SAFE2", ticks[1])):
        assert bot.slack.click(user_id=person, action_id="inc_tick", value=value, channel_id=channel,
                               message_ts="1.1").status_code == 200
    settled(bot)
    with bot.runtime.services.uow() as uow:
        assert [e.actor_id for e in uow.events.for_case(ref) if e.action == "checklist_ticked"] == ["U0EMP2",
                                                                                                   "U0SAFE2"]
    shown = json.dumps(bot.fake.messages(channel))
    assert "U0EMP3" not in shown and "U0HEAD2" not in shown
