"""What a report must refuse, protect and show: bad input, forged requests, typed mrkdwn, anonymity."""

from __future__ import annotations

import time

import pytest

from bot.core.i18n import t
from storage.core import case_events, outbox
from storage.hazards import hazards
from tests.conftest import RunningBot
from tests.helpers import (
    all_delivered,
    count_rows,
    eventually,
    mrkdwn_texts,
    open_modal,
    report,
    rich_elements,
    submit,
    typed_as_typed,
)
from tests.slack_payloads import slash_command


def test_a_forged_signature_is_refused_and_nothing_happens(bot: RunningBot) -> None:
    bot.fake.wait_for("users.list")  # what the bot does on start, before any request
    before = len(bot.fake.calls)
    request = slash_command("/hazard", "fire exit blocked", user_id="U0EMP1")
    answer = bot.slack.post(request.body, request.content_type, signature="v0=" + "0" * 64)
    assert answer.status_code == 401
    time.sleep(0.3)
    assert bot.fake.calls[before:] == []
    assert count_rows(bot, outbox) == 0


def test_a_request_older_than_five_minutes_is_refused(bot: RunningBot) -> None:
    bot.fake.wait_for("users.list")
    before = len(bot.fake.calls)
    request = slash_command("/hazard", "", user_id="U0EMP1")
    # Correctly signed, but replayed six minutes later.
    answer = bot.slack.post(request.body, request.content_type, timestamp=int(time.time()) - 360)
    assert answer.status_code == 401
    time.sleep(0.3)
    assert bot.fake.calls[before:] == []


@pytest.mark.parametrize(
    ("values", "block", "key"),
    [
        ({"description": "   \n  "}, "hz_description", "error.blank"),
        ({"location": "   "}, "hz_location", "error.blank"),
        ({"description": "x" * 3001}, "hz_description", "error.too_long_description"),
        ({"department": "no-such-department"}, "hz_department", "error.unknown_department"),
        ({"category": None}, "hz_category", "error.required"),
        ({"category": "made-up"}, "hz_category", "error.required"),
    ],
)
def test_bad_input_comes_back_on_the_field_in_the_persons_language(
    bot: RunningBot, values: dict[str, object], block: str, key: str
) -> None:
    for user, locale in (("U0EMP1", "zh-CN"), ("U0EMP2", "en")):
        answer = submit(bot, user, open_modal(bot, user), **values)
        assert answer == {"response_action": "errors", "errors": {block: t(key, locale)}}
    assert count_rows(bot, hazards) == 0
    assert count_rows(bot, outbox) == 0
    assert count_rows(bot, case_events) == 0


def test_a_description_of_exactly_3000_characters_is_accepted(bot: RunningBot) -> None:
    report(bot, "U0EMP2", description="y" * 3000)
    assert count_rows(bot, hazards) == 1


def test_someone_not_in_the_org_file_can_report_to_a_department_they_choose(bot: RunningBot) -> None:
    view = open_modal(bot, "U0GUEST")
    department = next(b for b in view["blocks"] if b["block_id"] == "hz_department")
    assert "initial_option" not in department["element"]
    reference = report(bot, "U0GUEST", department="cs2")
    bot.fake.wait_for("chat.postMessage", count=3)
    assert any(reference in text for text in bot.fake.texts_for("U0HEAD2"))
    assert bot.fake.texts_for("U0HEAD1") == []


def test_typed_mentions_and_links_are_shown_never_acted_on(bot: RunningBot) -> None:
    typed = "Exit blocked <!channel> <!here> <@U0BOSS> <https://evil.example|click> & more"
    report(bot, "U0EMP2", description=typed, location="Lobby <!everyone>")
    calls = bot.fake.wait_for("chat.postMessage", count=4)
    for call in calls:  # in no mrkdwn (where Slack would act on it), raw or escaped; in the preview, escaped
        sent = " ".join(mrkdwn_texts(call.params.get("blocks"))) + call.params["text"]
        for raw in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil", "<!everyone>"):
            assert raw not in sent, (call.params["channel"], raw)
        assert "&lt;!channel&gt;" not in " ".join(mrkdwn_texts(call.params.get("blocks"))), call.params["channel"]
        acting = [e for e in rich_elements(call.params.get("blocks")) if e["type"] == "broadcast"
                  or e.get("user_id") == "U0BOSS" or "evil" in str(e.get("url"))]
        assert acting == [], call.params["channel"]
    head = bot.fake.messages("U0HEAD1")[0]
    assert typed in typed_as_typed(head["blocks"]) and "Lobby <!everyone>" in typed_as_typed(head["blocks"])
    assert "Lobby &lt;!everyone&gt;" in head["text"]  # the push preview, which Slack does not render


def test_an_anonymous_reporter_is_named_to_no_one_outside_the_safety_department(bot: RunningBot) -> None:
    reference = report(bot, "U0EMP1", anonymous=True)
    calls = bot.fake.wait_for("chat.postMessage", count=4)
    for call in calls:
        if call.params["channel"] != "U0EMP1":  # the reporter's own confirmation may name them
            assert "U0EMP1" not in str(call.params), call.params["channel"]
    safety_post = next(c for c in calls if c.params["channel"] == "C0SAFETY")
    buttons = {b["action_id"]: b["value"] for b in safety_post.params["blocks"][-1]["elements"]}
    assert buttons["hz_reveal_reporter"] == reference

    # The head clicks the button (say the post was forwarded): refused, in the head's language.
    bot.slack.click(user_id="U0HEAD1", action_id="hz_reveal_reporter", value=reference, channel_id="C0SAFETY")
    refusal = bot.fake.wait_for("response_url")[-1].params
    assert refusal["text"] == t("error.safety_only", "en") and "U0EMP1" not in str(refusal)

    bot.slack.click(user_id="U0SAFE1", action_id="hz_reveal_reporter", value=reference, channel_id="C0SAFETY")
    revealed = bot.fake.wait_for("response_url", count=2)[-1].params
    assert "<@U0EMP1>" in revealed["text"] and revealed["response_type"] == "ephemeral"
    with bot.runtime.services.uow() as uow:
        actions = [(e.action, e.actor_id) for e in uow.events.for_case(reference)]
    assert actions == [("reported", "U0EMP1"), ("reporter_revealed", "U0SAFE1")]


def test_the_message_shortcut_prefills_the_message_and_keeps_its_link(bot: RunningBot) -> None:
    answer = bot.slack.shortcut(user_id="U0EMP2", callback_id="report_hazard", channel_id="C0GENERAL",
                                message_ts="1700000000.000200", message_text="Cable across the aisle <!here>")
    assert answer.status_code == 200
    view = bot.fake.wait_for("views.open")[0].params["view"]
    description = next(b for b in view["blocks"] if b["block_id"] == "hz_description")
    assert description["element"]["initial_value"] == "Cable across the aisle <!here>"
    reference = submit(bot, "U0EMP2", view, category="electrical")["view"]
    assert reference
    bot.fake.wait_for("chat.postMessage", count=4)
    safety = str([m.get("blocks") for m in bot.fake.messages("C0SAFETY")])
    assert "archives/C0GENERAL/p1700000000000200" in safety  # a rich_text link


def test_photos_from_the_modal_are_linked_in_the_case(bot: RunningBot) -> None:
    photo = {"id": "F0PHOTO1", "name": "exit.jpg", "permalink": "https://files.example/F0PHOTO1"}
    report(bot, "U0EMP2", photos=[photo])
    bot.fake.wait_for("chat.postMessage", count=4)
    head = [m.get("blocks") for m in bot.fake.messages("U0HEAD1")]
    assert {"type": "link", "url": "https://files.example/F0PHOTO1", "text": "exit.jpg"} in rich_elements(head)


def test_locale_lookups_are_cached_and_fall_back_to_the_company_language(bot: RunningBot) -> None:
    listed = bot.fake.wait_for("users.list")[0].params  # everyone's language, learned at start
    assert str(listed.get("include_locale")).lower() in ("true", "1")
    for _ in range(3):
        open_modal(bot, "U0EMP2")
    assert len([c for c in bot.fake.calls_to("users.info") if c.params["user"] == "U0EMP2"]) <= 1
    # Someone Slack does not know (users.info fails): the org file's language, zh-CN.
    assert open_modal(bot, "U0NOBODY")["title"]["text"] == t("hazard.modal.title", "zh-CN")
    asked = [c.params for c in bot.fake.calls_to("users.info") if c.params["user"] == "U0NOBODY"]
    assert len(asked) == 1 and str(asked[0].get("include_locale")).lower() in ("true", "1")


def test_an_unexpected_error_shows_a_short_apology_not_a_trace(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr("handlers.hazards.report.report_hazard", broken)
    answer = submit(bot, "U0EMP2", open_modal(bot, "U0EMP2"))
    text = str(answer["view"])
    assert answer["response_action"] == "update" and "Sorry" in text
    assert "exploded" not in text and "Traceback" not in text
    assert any("exploded" in (r.exc_text or str(r.exc_info)) for r in caplog.records if r.exc_info)


def test_the_reporting_head_is_not_told_twice(bot: RunningBot) -> None:
    report(bot, "U0HEAD1")
    rows = all_delivered(bot, expected=3)  # safety post, deputy, the head's own confirmation
    assert sorted(r["recipient"] for r in rows) == ["C0SAFETY", "U0DEP1", "U0HEAD1"]
    eventually(lambda: len(bot.fake.texts_for("U0HEAD1")) == 1)
