"""Confidential means it, and the emergency plan is ticked only by those handling the incident."""

from __future__ import annotations

import json

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.e2e.test_incidents import click, incident_channel, report, settled
from tests.helpers import eventually


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

    def tickers() -> list[str]:
        with bot.runtime.services.uow() as uow:
            return [e.actor_id for e in uow.events.for_case(ref) if e.action == "checklist_ticked"]

    eventually(lambda: len(tickers()) == 2, what="both ticks recorded")  # the clicks run after their acks
    assert sorted(tickers()) == ["U0EMP2", "U0SAFE2"]
    shown = json.dumps(bot.fake.messages(channel))
    assert "U0EMP3" not in shown and "U0HEAD2" not in shown

    # A ticked line names who ticked it, never mentions them: only the next actor is pinged (issue 11).
    def ticked_lines() -> list[str]:
        return ["".join(e.get("text", "") for section in b["elements"] for e in section["elements"])
                for b in _checklist(bot, channel)["blocks"] if b["type"] == "rich_text"]  # type: ignore[attr-defined]

    eventually(lambda: len(ticked_lines()) == 2, what="the checklist updated in place")
    sent = json.dumps([c.params for c in bot.fake.calls
                       if c.method == "chat.update" and "inc_tick" in json.dumps(c.params)])
    assert "<@U0EMP2>" not in sent and "<@U0SAFE2>" not in sent
    assert '"user_id": "U0EMP2"' not in sent and '"user_id": "U0SAFE2"' not in sent  # nor a rich_text mention
    assert any("u0emp2" in line for line in ticked_lines()) and any("u0safe2" in line for line in ticked_lines())


def _everything_in(bot: RunningBot, conversation: str) -> str:
    """Every post and update that reached the conversation (threads included), and what it holds now."""
    sent = [c.params for c in bot.fake.calls if c.method in ("chat.postMessage", "chat.update")
            and c.params.get("channel") == conversation]
    return json.dumps(sent, ensure_ascii=False) + json.dumps(bot.fake.messages(conversation), ensure_ascii=False)


def _close(bot: RunningBot, ref: str, owner: str, measures: str) -> str:
    from datetime import datetime, timedelta

    from tests.e2e.test_incidents import submit
    from tests.slack_payloads import datepicker, plain_text, users_select

    view = click(bot, "U0SAFE1", "inc_close", ref)["view"]
    later = (datetime.now() + timedelta(days=7)).date().isoformat()
    assert submit(bot, "U0SAFE1", view, {
        "in_root_cause": {"value": plain_text("Mail autocomplete")}, "in_lessons": {"value": plain_text("Check")},
        "in_action_0": {"value": plain_text(measures)}, "in_owner_0": {"value": users_select(owner)},
        "in_deadline_0": {"value": datepicker(later)}}) == {}
    settled(bot)
    with bot.runtime.services.uow() as uow:
        return uow.hazards.find(incident_ref=ref)[0].reference


def test_a_confidential_incidents_corrective_actions_stay_confidential(bot: RunningBot) -> None:

    from tests.closed_loop import step
    from tests.e2e.test_incidents import record_authority

    ref = str(report(bot, kind="data_leak", injured="0", description="Customer list emailed")).split("*")[1]
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    channel = incident_channel(bot, ref)
    assert record_authority(bot, "U0SAFE2", ref, "Cyberspace Administration", "CAC-7") == {}
    action = _close(bot, ref, "U0EMP3", "Rotate the leaked API keys")  # the owner works in another department
    assert step(bot, "U0EMP3", "complete", action, note="Keys rotated on all hosts") == {}
    assert step(bot, "U0HEAD1", "send_back", action, reason="The staging keys too") == {}
    assert step(bot, "U0EMP3", "complete", action, note="Staging rotated as well") == {}
    step(bot, "U0HEAD1", "approve", action)
    step(bot, "U0SAFE1", "verify", action)
    settled(bot)
    with bot.runtime.services.uow() as uow:
        assert uow.incidents.get(ref).status.value == "resolved"  # type: ignore[union-attr]

    secrets = ("Rotate the leaked API keys", "Keys rotated on all hosts", "The staging keys too",
               "Staging rotated as well", "Cyberspace Administration", "CAC-7", action)
    safety = _everything_in(bot, "C0SAFETY")
    assert ref in safety
    for secret in secrets:
        assert secret not in safety, secret
    assert _everything_in(bot, "U0HEAD2") == "[][]"  # the owner's own head is no part of it
    # Those handling it see it: the incident's channel, and the owner.
    in_channel = _everything_in(bot, channel)
    for secret in secrets[:4]:
        assert secret in in_channel, secret
    assert "Rotate the leaked API keys" in _everything_in(bot, "U0EMP3")


def test_managements_export_reaches_the_manager_who_asked(bot: RunningBot) -> None:
    ref = str(report(bot, kind="data_leak", injured="0", description="Customer list emailed")).split("*")[1]
    settled(bot)
    assert click(bot, "U0BOSS", "inc_export", ref)["reply"]["text"] == t("incident.export.to_you", "zh-CN",
                                                                         reference=ref)

    eventually(lambda: len(bot.fake.shared_files) == 2, what="the report files")
    assert [f["channel"] for f in bot.fake.shared_files] == ["D0BOSS", "D0BOSS"]
    assert "Customer list emailed" in bot.fake.shared_files[0]["content"]


def test_a_confidential_actions_overdue_escalation_stays_in_the_incidents_channel(bot: RunningBot) -> None:
    from datetime import UTC, datetime, timedelta

    ref = str(report(bot, kind="data_leak", injured="0", description="Customer list emailed")).split("*")[1]
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    channel = incident_channel(bot, ref)
    action = _close(bot, ref, "U0EMP1", "Rotate the leaked API keys")
    with bot.runtime.services.uow() as uow:
        deadline = uow.hazards.get(action).deadline_at  # type: ignore[union-attr]
    assert deadline is not None
    scheduler = bot.runtime.scheduler
    scheduler.tick()  # the deadline's chain is written
    moment = [datetime.now(UTC)]
    scheduler.clock = bot.runtime.sender.clock = lambda: moment[0]
    for after in (timedelta(hours=1), timedelta(days=1, hours=1), timedelta(days=3, hours=1)):
        moment[0] = deadline + after  # each rung as it falls due: assignee, head, safety department
        scheduler.tick()
        settled(bot)
    from tests.helpers import outbox_rows

    told = [(r["recipient"], r["reply_to"]) for r in outbox_rows(bot)
            if r["subject"] == action and r["context"].get("notice") == "deadline_safety"]
    assert [recipient for recipient, _ in told] == [channel]  # in the action's thread there, not #safety
    assert told[0][1] == f"{action}:safety-post"
    assert any(m.get("thread_ts") and action in json.dumps(m) for m in bot.fake.messages(channel))
    safety = _everything_in(bot, "C0SAFETY")
    assert action not in safety and "Rotate the leaked API keys" not in safety
