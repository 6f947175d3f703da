"""Incidents where people work, by signed requests: typed text reaches everyone as typed, the safety officers
are reminded at half time with the button that records the authority report (its Art. 12 items pre-filled),
`/incident help` and `/incident INC-…`, `/hazard INC-…`, and notes from the safety thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.i18n import t
from tests.conftest import RunningBot
from tests.e2e.test_incidents import (
    click,
    incident_channel,
    prefilled,
    record_authority,
    report,
    settled,
    submit,
)
from tests.helpers import eventually, walk
from tests.slack_payloads import datepicker, plain_text, users_select

HOSTILE = "*bold* _x_ ~x~ <!channel>"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """These points are about what Slack receives, not about the database: SQLite only, to keep the suite fast."""
    return f"sqlite:///{tmp_path / 'safetybot.db'}"


def _text_objects(node: Any) -> Iterator[dict[str, Any]]:
    return (n for n in walk(node)
            if n.get("type") in ("mrkdwn", "plain_text", "text") and isinstance(n.get("text"), str))


def _about(message: dict[str, Any], ref: str) -> bool:
    """The incident's own messages (a corrective action's hazard cards are the hazard feature's)."""
    key = str(((message.get("metadata") or {}).get("event_payload") or {}).get("key") or "")
    return key.startswith(ref + ":")


def _reference(answer: dict[str, Any]) -> str:
    return str(answer).split("*")[1]


def command(bot: RunningBot, user: str, text: str, command_name: str = "/incident") -> dict[str, Any]:
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.command(command_name, text, user_id=user).status_code == 200
    return bot.fake.wait_for("response_url", count=before + 1)[-1].params


def test_typed_text_in_incident_fields_reaches_everyone_as_plain_text(bot: RunningBot) -> None:
    values = {"in_location": {"value": plain_text("Loc " + HOSTILE)},
              "in_injured_names": {"value": plain_text("Names " + HOSTILE)},
              "in_actions_taken": {"value": plain_text("Acts " + HOSTILE)}}
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/incident", "", user_id="U0EMP2").status_code == 200
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]
    from tests.e2e.test_incidents import incident_values

    answer = bot.slack.submit_view(user_id="U0EMP2", callback_id=view["callback_id"],
                                   values=incident_values(description="Desc " + HOSTILE) | values,
                                   private_metadata=view["private_metadata"]).json()
    ref = _reference(answer)
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    channel = incident_channel(bot, ref)
    assert record_authority(bot, "U0SAFE1", ref, "To " + HOSTILE) == {}
    view = click(bot, "U0SAFE1", "inc_close", ref)["view"]
    later = (datetime.now() + timedelta(days=7)).date().isoformat()
    assert submit(bot, "U0SAFE1", view, {
        "in_root_cause": {"value": plain_text("Cause " + HOSTILE)},
        "in_lessons": {"value": plain_text("Less " + HOSTILE)},
        "in_action_0": {"value": plain_text("Replace the strips")}, "in_owner_0": {"value": users_select("U0EMP1")},
        "in_deadline_0": {"value": datepicker(later)}}) == {}
    settled(bot)
    shown = command(bot, "U0SAFE1", ref)  # /incident INC-…
    # Everything about the incident that people received: the safety post, their DMs, its channel.
    received = [m for m in [*bot.fake.messages("C0SAFETY"), *bot.fake.messages(channel),
                            *bot.fake.messages("U0BOSS"), *bot.fake.messages("U0EMP2")] if _about(m, ref)] + [shown]
    typed_seen = set()
    for message in received:
        for text in _text_objects(message.get("blocks") or []):
            if HOSTILE in text["text"]:
                assert text["type"] in ("text", "plain_text"), text  # never formatted, never pinging
                typed_seen.add(text["text"].split(" ", 1)[0])
            if text["type"] == "mrkdwn":
                assert "<!channel>" not in text["text"] and "*bold*" not in text["text"], text
    assert {"Loc", "Names", "Acts", "Desc", "To", "Cause", "Less"} <= typed_seen, typed_seen
    assert not any("<!channel>" in str(m.get("text")) for m in received)


def test_officers_are_reminded_at_half_time_with_the_button_and_a_prefilled_art_12_report(bot: RunningBot) -> None:
    ref = _reference(report(bot))
    settled(bot)
    later = datetime.now(UTC) + timedelta(minutes=31)
    bot.runtime.scheduler.clock = bot.runtime.sender.clock = lambda: later
    bot.runtime.scheduler.tick()
    settled(bot)
    reminder = bot.fake.messages("U0SAFE2")[-1]
    assert ref in reminder["text"] and "Art. 9" in reminder["text"]
    assert not any(ref in str(m) and "Art. 9" in str(m) for m in bot.fake.messages("U0BOSS"))  # not yet
    button = reminder["blocks"][-1]["elements"][0]
    view = click(bot, "U0SAFE2", button["action_id"], button["value"])["view"]  # pressed in the DM
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if "element" in b}
    assert "2F server room" in initial["in_a12_scene"] and initial["in_a12_account"] == "Smoke from the server room"
    assert "1" in initial["in_a12_casualties"] and "Power cut" in initial["in_a12_measures"]
    assert initial["in_a12_unit"] == "Customer Service 1"
    blank = submit(bot, "U0SAFE2", view, prefilled(view, in_authority="District office", in_a12_account=" "))
    assert blank == {"response_action": "errors", "errors": {"in_a12_account": t("error.blank", "en")}}
    filled = prefilled(view, in_authority="District office", in_a12_loss="≈ 20,000 yuan")
    assert submit(bot, "U0SAFE2", view, filled) == {}
    with bot.runtime.services.uow() as uow:
        recorded = uow.incidents.get(ref).authority_report  # type: ignore[union-attr]
    assert recorded is not None and recorded["loss"] == "≈ 20,000 yuan" and recorded["unit"] == "Customer Service 1"
    settled(bot)
    for officer in ("U0SAFE1", "U0SAFE2"):  # the reminders, updated in place: no button left to refuse them
        updated = next(m for m in bot.fake.messages(officer) if ref in m["text"] and "Art. 9" not in m["text"]
                       and m["text"].startswith("*"))
        assert "inc_authority" not in str(updated["blocks"]) and "District office" in str(updated["blocks"])
    again = click(bot, "U0SAFE1", button["action_id"], button["value"])["reply"]["text"]
    assert again == t("error.already_done", "zh-CN")
    bot.runtime.scheduler.clock = lambda: later + timedelta(hours=1)
    bot.runtime.scheduler.tick()
    settled(bot)
    assert not any(t("incident.authority.overdue", "zh-CN", reference=ref) == m["text"]
                   for m in bot.fake.messages("U0BOSS"))  # reported in time: management is not told


def test_incident_help_shows_an_incident_to_those_allowed_and_hazard_points_there(bot: RunningBot) -> None:
    assert command(bot, "U0SAFE2", "help")["text"] == t("help.incident", "en")
    assert len(bot.fake.calls_to("views.open")) == 0  # not a report form with "help" typed in
    ref = _reference(report(bot))
    shown = command(bot, "U0HEAD1", ref.lower())
    assert ref in str(shown["blocks"][0]) and t("incident.timeline.reported", "en") in str(shown["blocks"])
    stranger = command(bot, "U0EMP3", ref)["text"]
    missing = command(bot, "U0EMP3", "INC-2026-0999")["text"]
    assert stranger == missing.replace("INC-2026-0999", ref)  # the same answer: nothing leaks
    assert ref not in str(bot.fake.messages("U0EMP3"))
    assert command(bot, "U0EMP1", ref, "/hazard")["text"] == t("incident.points_to_incident", "zh-CN", reference=ref)


def test_a_note_is_added_from_the_incidents_thread_in_the_safety_channel(bot: RunningBot) -> None:
    bot.fake.error("conversations.create", error="restricted_action")
    ref = _reference(report(bot))
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    with bot.runtime.services.uow() as uow:
        thread_ts = uow.incidents.get(ref).thread_ts  # type: ignore[union-attr]
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.shortcut(user_id="U0SAFE2", callback_id="incident_timeline", channel_id="C0SAFETY",
                       message_ts="1700000000.000900", message_text="Brigade on site", thread_ts=thread_ts)
    reply = bot.fake.wait_for("response_url", count=before + 1)[-1].params["text"]
    assert reply == t("incident.note_added", "en", reference=ref)
    eventually(lambda: "note_added" in _actions(bot, ref), what="the note")


def _actions(bot: RunningBot, ref: str) -> list[str]:
    with bot.runtime.services.uow() as uow:
        return [e.action for e in uow.events.for_case(ref)]
