"""Incidents end to end, by signed requests: from /incident to a fully resolved incident."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import docx

from bot.core.i18n import normalize, t
from storage.incidents import incidents
from tests.closed_loop import step
from tests.conftest import USERS, RunningBot
from tests.helpers import count_rows, eventually, outbox_rows, press
from tests.slack_payloads import checkboxes, datepicker, plain_text, static_select, users_select


def settled(bot: RunningBot) -> None:
    eventually(lambda: all(r["status"] in ("sent", "failed") for r in outbox_rows(bot)), what="outbox drained")


def incident_values(*, kind: str = "fire", occurred: datetime | None = None, injured: str = "1",
                    confidential: bool = False, description: str = "Smoke from the server room") -> dict[str, Any]:
    stamp = int((occurred or datetime.now(UTC) - timedelta(minutes=10)).timestamp())
    return {
        "in_kind": {"value": static_select(kind)},
        "in_occurred": {"value": {"type": "datetimepicker", "selected_date_time": stamp}},
        "in_location": {"value": plain_text("2F server room")},
        "in_description": {"value": plain_text(description)},
        "in_injured": {"value": plain_text(injured)},
        "in_injured_names": {"value": plain_text("Li Wei")},
        "in_actions_taken": {"value": plain_text("Power cut, extinguisher used")},
        "in_department": {"value": static_select("cs1")},
        "in_confidential": {"value": checkboxes(["yes"] if confidential else [])},
    }


def report(bot: RunningBot, user: str = "U0EMP2", **values: Any) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/incident", "", user_id=user).status_code == 200
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=incident_values(**values),
                                   private_metadata=view["private_metadata"])
    return answer.json()


def click(bot: RunningBot, user: str, action: str, value: str) -> dict[str, Any]:
    return press(bot, user, action, value)


def submit(bot: RunningBot, user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    answer = bot.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=values,
                                   private_metadata=view["private_metadata"])
    return answer.json() if answer.content else {}


def prefilled(view: dict[str, Any], **typed: str) -> dict[str, Any]:
    """What Slack submits for a modal left as it was pre-filled, with `typed` (block id -> text) typed in."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input":
            values[block["block_id"]] = {"value": plain_text(typed.get(block["block_id"],
                                                                       element.get("initial_value", "")))}
        elif element.get("type") == "datepicker":
            values[block["block_id"]] = {"value": datepicker(typed.get(block["block_id"], element.get("initial_date")))}
    return values


def record_authority(bot: RunningBot, user: str, ref: str, authority: str, number: str = "",
                     **typed: str) -> dict[str, Any]:
    view = click(bot, user, "inc_authority", ref)["view"]
    return submit(bot, user, view, prefilled(view, in_authority=authority, in_number=number, **typed))


def incident_channel(bot: RunningBot, ref: str) -> str:
    with bot.runtime.services.uow() as uow:
        incident = uow.incidents.get(ref)
        assert incident is not None
        return incident.channel_id or ""


def test_an_incident_from_first_report_to_fully_resolved(bot: RunningBot) -> None:
    fake = bot.fake
    answer = report(bot)
    ref = "INC-2026-0001" if "INC-2026-0001" in str(answer) else str(answer).split("*")[1]
    assert ref.startswith("INC-")
    settled(bot)
    safety = " ".join(fake.texts_for("C0SAFETY"))
    assert ref in safety and t("incident.urgent", "zh-CN") in safety  # fire, one person hurt: urgent
    for person in ("U0HEAD1", "U0DEP1", "U0BOSS"):
        assert any(ref in text for text in fake.texts_for(person)), person
    assert any(ref in text for text in fake.texts_for("U0EMP2"))

    # A safety officer starts the emergency plan: channel, invites, pinned summary, checklist.
    assert click(bot, "U0SAFE1", "inc_start", ref)["reply"]["text"] == t("incident.started", "zh-CN", reference=ref)
    settled(bot)
    created = fake.calls_to("conversations.create")[-1].params
    assert created["name"].startswith(ref.lower() + "-") and str(created.get("is_private")).lower() in ("false", "0")
    channel = incident_channel(bot, ref)
    invited = set(fake.calls_to("conversations.invite")[-1].params["users"].split(","))
    assert {"U0EMP2", "U0HEAD1", "U0DEP1", "U0SAFE1", "U0SAFE2"} <= invited
    assert fake.calls_to("pins.add")[-1].params["channel"] == channel
    pinned = next(m for m in fake.messages(channel) if m["ts"] == fake.calls_to("pins.add")[-1].params["timestamp"])
    controls = [e["action_id"] for e in pinned["blocks"][-1]["elements"]]
    assert controls == ["inc_authority", "inc_close", "inc_export"]  # where the team works
    checklist = next(m for m in fake.messages(channel) if m["blocks"][0]["type"] == "header"
                     and "119" in str(m["blocks"]))
    ticks = [b["accessory"]["value"] for b in checklist["blocks"] if "accessory" in b]
    assert len(ticks) >= 5

    # Items are ticked; who and when shows on the checklist.
    for value in ticks[:2]:
        click_tick = bot.slack.click(user_id="U0HEAD1", action_id="inc_tick", value=value, channel_id=channel,
                                     message_ts="1.1")
        assert click_tick.status_code == 200
    eventually(lambda: str(fake.messages(channel)).count("'user_id': 'U0HEAD1'") >= 2, what="ticks shown")

    # The report to the higher authority.
    assert record_authority(bot, "U0SAFE2", ref, "District emergency office", "GZ-118") == {}

    # Close with two corrective actions: each becomes a rectification.
    view = click(bot, "U0SAFE1", "inc_close", ref)["view"]
    later = (datetime.now() + timedelta(days=7)).date().isoformat()
    values = {"in_root_cause": {"value": plain_text("Overloaded power strip")},
              "in_lessons": {"value": plain_text("No daisy-chained strips")},
              "in_action_0": {"value": plain_text("Replace the power strips")},
              "in_owner_0": {"value": users_select("U0EMP1")}, "in_deadline_0": {"value": datepicker(later)},
              "in_action_1": {"value": plain_text("Train staff on power safety")},
              "in_owner_1": {"value": users_select("U0HEAD1")}, "in_deadline_1": {"value": datepicker(later)},
              "in_action_2": {"value": plain_text("")}, "in_owner_2": {"value": users_select(None)},
              "in_deadline_2": {"value": datepicker(None)}}
    assert submit(bot, "U0SAFE1", view, values) == {}
    settled(bot)
    with bot.runtime.services.uow() as uow:
        actions = uow.hazards.find(incident_ref=ref)
        refs = [(h.reference, h.assignee_id) for h in actions]
        assert uow.incidents.get(ref).status.value == "closed"  # type: ignore[union-attr]
    assert [a for _, a in refs] == ["U0EMP1", "U0HEAD1"]
    # Corrective actions look like what they are, link to the incident, and thank nobody for a report.
    card = next(m for m in fake.messages("U0EMP1") if refs[0][0] in str(m["blocks"][0]))
    assert card["blocks"][0]["text"]["text"] == t("hazard.corrective.headline", "zh-CN", reference=refs[0][0],
                                                  incident=ref)
    link = {"type": "link", "url": f"https://slack.com/archives/{channel}",
            "text": t("hazard.corrective.link", "zh-CN", incident=ref)}
    assert repr(link)[1:-1] in str(card)  # a rich_text link element on the card
    closer = str(fake.messages("U0SAFE1"))
    assert not any(t("hazard.reporter.headline", "zh-CN", reference=r) in closer for r, _ in refs)

    # Both rectifications go round the closed loop and are verified: the incident is fully resolved.
    for hazard_ref, owner in refs:
        step(bot, owner, "complete", hazard_ref, note="Done")
        step(bot, "U0DEP1" if owner == "U0HEAD1" else "U0HEAD1", "approve", hazard_ref)  # never one's own work
        step(bot, "U0SAFE1", "verify", hazard_ref)
    with bot.runtime.services.uow() as uow:
        assert uow.incidents.get(ref).status.value == "resolved"  # type: ignore[union-attr]
        actions_log = [e.action for e in uow.events.for_case(ref)]
    assert actions_log[:3] == ["reported", "plan_started", "channel_created"]
    assert actions_log.count("checklist_ticked") == 2
    assert actions_log[-3:] == ["authority_reported", "closed", "resolved"]

    # Resolved is announced: nothing is retried for ever, and the reporter, the head, the deputy and management
    # are told (their last message), while their incident DMs now say where it stands.
    settled(bot)
    assert [r["key"] for r in outbox_rows(bot) if r["status"] != "sent"] == []
    for person in ("U0EMP2", "U0HEAD1", "U0DEP1", "U0BOSS"):
        locale = normalize(USERS[person], "zh-CN")
        texts = fake.texts_for(person)
        assert t("incident.notice.resolved", locale, reference=ref) in texts[-1], (person, texts[-1])
        assert any(t("incident.notice.closed", locale, reference=ref) in text for text in texts), person
        if person != "U0EMP2":  # the alert, updated in place
            alert = next(text for text in texts if t("incident.field.description", locale) in text)
            assert t("incident.status.resolved", locale) in alert and t("incident.authority.pending", locale) \
                not in alert, (person, alert)
    receipt = next(text for text in fake.texts_for("U0EMP2") if "*" + ref + "*" in text)
    assert t("incident.status.resolved", "en") in receipt

    # The post-incident report goes to the incident channel as a Markdown and a Word file; the reply says where.
    assert press(bot, "U0SAFE1", "inc_export", ref, channel=channel)["reply"]["text"] == t(
        "incident.export.queued", "zh-CN", reference=ref, channel=f"<#{channel}>")
    eventually(lambda: len(fake.shared_files) >= 2, what="the report files")
    files = {f["name"]: f for f in fake.shared_files}
    markdown = files[f"{ref}.md"]["content"]
    assert files[f"{ref}.md"]["channel"] == files[f"{ref}.docx"]["channel"] == channel
    assert "Overloaded power strip" in markdown and "GZ-118" in markdown
    assert all(r in markdown for r, _ in refs)
    # Every timeline entry translated, people by name, the checklist with who ticked what when.
    zh = "zh-CN"
    for action in ("plan_started", "checklist_ticked", "authority_reported", "closed", "resolved"):
        assert t(f"incident.timeline.{action}", zh) in markdown, action
        assert f" {action}" not in markdown
    assert "u0head1" in markdown and "U0HEAD1" not in markdown and "U0SAFE1" not in markdown
    assert t("incident.authority.account", zh) in markdown and "Smoke from the server room" in markdown
    assert t("status.closed", zh) in markdown
    document = docx.Document(io.BytesIO(fake.uploads[files[f"{ref}.docx"]["id"]]))
    assert "Overloaded power strip" in "\n".join(p.text for p in document.paragraphs)


def test_a_confidential_data_leak_shows_details_only_to_those_allowed(bot: RunningBot) -> None:
    answer = report(bot, kind="data_leak", injured="0", description="Customer list emailed to a wrong address")
    ref = str(answer).split("*")[1]
    settled(bot)
    secret = "Customer list emailed"
    assert secret not in str(bot.fake.messages("C0SAFETY"))
    assert ref in " ".join(bot.fake.texts_for("C0SAFETY"))
    for allowed in ("U0HEAD1", "U0BOSS"):
        assert secret in str(bot.fake.messages(allowed)), allowed
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    created = bot.fake.calls_to("conversations.create")[-1].params
    assert str(created["is_private"]).lower() in ("true", "1")
    assert secret in str(bot.fake.messages(incident_channel(bot, ref)))
    # Nobody else got anything about it.
    for other in ("U0EMP1", "U0EMP3", "U0HEAD2"):
        assert bot.fake.messages(other) == [], other
    refused = click(bot, "U0EMP3", "inc_export", ref)["reply"]["text"]
    assert refused == t("error.not_allowed_view", "zh-CN", reference=ref)


def test_when_the_channel_cannot_be_made_the_incident_goes_on_in_the_safety_thread(bot: RunningBot) -> None:
    # name_taken is no longer a dead end (the bot looks for its own channel, or tries another name): a
    # workspace that forbids the bot to make channels is.
    bot.fake.error("conversations.create", error="restricted_action")
    ref = str(report(bot)).split("*")[1]
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    thread = [m for m in bot.fake.messages("C0SAFETY") if m.get("thread_ts")]
    text = str(thread)
    assert "restricted_action" in text and "<@U0SAFE1>" in text
    assert any("119" in str(m["blocks"]) for m in thread)  # the checklist, in the thread
    with bot.runtime.services.uow() as uow:
        incident = uow.incidents.get(ref)
        assert incident is not None and incident.channel_failed == "restricted_action" and incident.channel_id is None


def test_bad_incident_input_comes_back_on_the_field(bot: RunningBot) -> None:
    future = datetime.now(UTC) + timedelta(hours=2)
    cases = [({"occurred": future}, "in_occurred", "error.occurred_in_future"),
             ({"injured": "-1"}, "in_injured", "error.not_a_count"),
             ({"injured": "two"}, "in_injured", "error.not_a_count")]
    for values, block, key in cases:
        answer = report(bot, "U0SAFE2", **values)
        assert answer == {"response_action": "errors", "errors": {block: t(key, "en")}}
    assert count_rows(bot, incidents) == 0


def test_closing_needs_a_root_cause_and_an_action_and_only_officers_may(bot: RunningBot) -> None:
    ref = str(report(bot)).split("*")[1]
    assert click(bot, "U0HEAD1", "inc_close", ref)["reply"]["text"] == t("error.safety_only", "en")
    view = click(bot, "U0SAFE2", "inc_close", ref)["view"]
    empty = {"in_root_cause": {"value": plain_text(" ")}, "in_lessons": {"value": plain_text("x")},
             "in_action_0": {"value": plain_text("")}, "in_owner_0": {"value": users_select(None)},
             "in_deadline_0": {"value": datepicker(None)}}
    answer = submit(bot, "U0SAFE2", view, empty)
    assert answer == {"response_action": "errors", "errors": {"in_root_cause": t("error.blank", "en"),
                                                               "in_action_0": t("error.one_action", "en")}}
    with bot.runtime.services.uow() as uow:
        assert uow.incidents.get(ref).status.value == "reported"  # type: ignore[union-attr]


def test_a_message_is_added_to_the_timeline_only_from_the_incident_channel(bot: RunningBot) -> None:
    ref = str(report(bot)).split("*")[1]
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    channel = incident_channel(bot, ref)
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.shortcut(user_id="U0HEAD1", callback_id="incident_timeline", channel_id=channel,
                       message_ts="1700000000.000300", message_text="Fire brigade arrived 10:42")
    assert bot.fake.wait_for("response_url", count=before + 1)[-1].params["text"] == t(
        "incident.note_added", "en", reference=ref)
    bot.slack.shortcut(user_id="U0HEAD1", callback_id="incident_timeline", channel_id="C0GENERAL",
                       message_ts="1700000000.000400", message_text="elsewhere")
    assert bot.fake.wait_for("response_url", count=before + 2)[-1].params["text"] == t(
        "error.not_incident_channel", "en")
    with bot.runtime.services.uow() as uow:
        notes = [(e.actor_id, e.changes) for e in uow.events.for_case(ref) if e.action == "note_added"]
    assert len(notes) == 1 and notes[0][1]["text"] == "Fire brigade arrived 10:42"
    assert notes[0][0] == "U0HEAD1" and "p1700000000000300" in notes[0][1]["permalink"]



def test_starting_the_plan_twice_at_once_starts_it_once(bot: RunningBot) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.slack_payloads import block_actions

    ref = str(report(bot)).split("*")[1]
    settled(bot)
    before = len(bot.fake.calls_to("response_url"))
    clicks = [block_actions(user_id=user, action_id="inc_start", value=ref, channel_id="C0SAFETY",
                            message_ts="1.1", response_url=f"{bot.fake.response_url_base}s{i}")
              for i, user in enumerate(["U0SAFE1", "U0SAFE2"] * 3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(lambda r: bot.slack.send(r).status_code, clicks)) == [200] * 6
    replies = [c.params["text"] for c in bot.fake.wait_for("response_url", count=before + 6)[before:]]
    started = [r for r in replies if r in (t("incident.started", "zh-CN", reference=ref),
                                           t("incident.started", "en", reference=ref))]
    assert len(started) == 1, replies
    settled(bot)
    assert len(bot.fake.calls_to("conversations.create")) == 1
    with bot.runtime.services.uow() as uow:
        assert [e.action for e in uow.events.for_case(ref)].count("plan_started") == 1


def test_an_incident_not_reported_to_the_authority_in_time_reaches_management_once(bot: RunningBot) -> None:
    ref = str(report(bot)).split("*")[1]
    settled(bot)
    scheduler = bot.runtime.scheduler
    later = datetime.now(UTC) + timedelta(hours=1, minutes=5)  # report_within defaults to 1h (Art. 9)
    scheduler.clock = bot.runtime.sender.clock = lambda: later
    for _ in range(3):
        scheduler.tick()
    settled(bot)
    overdue = t("incident.authority.overdue", "zh-CN", reference=ref)
    assert [m["text"] for m in bot.fake.messages("U0BOSS") if m["text"] == overdue] == [overdue]


def test_the_safety_post_shows_the_progress_of_the_corrective_actions(bot: RunningBot) -> None:
    ref = str(report(bot)).split("*")[1]
    view = click(bot, "U0SAFE1", "inc_close", ref)["view"]
    later = (datetime.now() + timedelta(days=7)).date().isoformat()
    assert submit(bot, "U0SAFE1", view, {
        "in_root_cause": {"value": plain_text("Wet floor")}, "in_lessons": {"value": plain_text("Signs")},
        "in_action_0": {"value": plain_text("Buy warning signs")}, "in_owner_0": {"value": users_select("U0EMP1")},
        "in_deadline_0": {"value": datepicker(later)}}) == {}
    settled(bot)
    with bot.runtime.services.uow() as uow:
        action = uow.hazards.find(incident_ref=ref)[0].reference
    step(bot, "U0EMP1", "complete", action, note="Bought")
    settled(bot)
    post = next(m for m in bot.fake.messages("C0SAFETY") if not m.get("thread_ts") and ref in str(m["blocks"][0]))
    progress = t("incident.actions.progress", "zh-CN", done=0, total=1,
                 refs=f"{action} ({t('status.completed', 'zh-CN')})")
    assert progress in str(post["blocks"])
