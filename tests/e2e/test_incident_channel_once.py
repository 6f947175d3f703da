"""An incident's own channel is made once, whatever Slack's answers do.

A lost answer to `conversations.create` (or a crash before it was recorded) left the retry meeting
`name_taken`, and the confidential incident fell back to the safety thread with its export refused. The
bot now finds the channel it made and goes on there; names carry a random suffix so that nobody can
take an incident's name before the bot does.
"""

from __future__ import annotations

import re

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.e2e.test_incidents import click, incident_channel, report, settled
from tests.helpers import eventually


def test_a_lost_answer_to_conversations_create_keeps_the_private_channel(bot: RunningBot) -> None:
    ref = str(report(bot, kind="data_leak", injured="0")).split("*")[1]
    settled(bot)
    bot.fake.timeout("conversations.create", seconds=1.5, processed=True)  # made, but the answer is lost
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    creates = bot.fake.calls_to("conversations.create")
    made = [c for c in creates if c.response and c.response.get("ok")]
    assert len(made) == 1  # one channel in Slack
    channel = incident_channel(bot, ref)
    assert channel == made[0].response["channel"]["id"]  # type: ignore[index]
    with bot.runtime.services.uow() as uow:
        incident = uow.incidents.get(ref)
        assert incident is not None and incident.channel_failed is None
    assert bot.fake.calls_to("conversations.invite")[-1].params["channel"] == channel
    assert any("119" in str(m["blocks"]) or m["blocks"] for m in bot.fake.messages(channel))
    # The confidential incident goes on in its channel: the export is allowed and lands there.
    answer = click(bot, "U0SAFE1", "inc_export", ref)["reply"]["text"]
    assert answer == t("incident.export.queued", "zh-CN", reference=ref, channel=f"<#{channel}>")
    eventually(lambda: len(bot.fake.shared_files) == 2, what="the report files")
    assert [f["channel"] for f in bot.fake.shared_files] == [channel, channel]


def test_channel_names_carry_a_random_suffix_and_a_squatted_name_is_not_used(bot: RunningBot) -> None:
    first = str(report(bot)).split("*")[1]
    settled(bot)
    click(bot, "U0SAFE1", "inc_start", first)
    settled(bot)
    name = bot.fake.calls_to("conversations.create")[-1].params["name"]
    assert re.fullmatch(re.escape(first.lower()) + r"-[a-z0-9]{4}", name), name
    # Someone else holds the name the bot asks for: the bot does not move into their channel.
    second = str(report(bot)).split("*")[1]
    settled(bot)
    bot.fake.error("conversations.create", error="name_taken")
    click(bot, "U0SAFE1", "inc_start", second)
    settled(bot)
    channel = incident_channel(bot, second)
    assert channel and channel != incident_channel(bot, first)
    with bot.runtime.services.uow() as uow:
        incident = uow.incidents.get(second)
        assert incident is not None and incident.channel_failed is None
    names = [c.params["name"] for c in bot.fake.calls_to("conversations.create")[1:]]
    assert len(names) == 2 and names[0] != names[1] and all(n.startswith(second.lower() + "-") for n in names)
