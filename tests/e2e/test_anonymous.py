"""Anonymous means it: nothing that names the reporter reaches anyone but the safety officers (and the reporter)."""

from __future__ import annotations

import json

from tests.closed_loop import click, submit_step
from tests.conftest import RunningBot
from tests.helpers import eventually, outbox_rows, press, report

PHOTO = {"id": "F0PHOTO1", "name": "exit.jpg", "title": "exit.jpg", "mimetype": "image/jpeg", "filetype": "jpg",
         "permalink": "https://acme.slack.com/files/U0EMP1/F0PHOTO1/exit.jpg",
         "url_private": "https://files.slack.com/files-pri/T0TEAM-F0PHOTO1/exit.jpg"}


def settled(bot: RunningBot) -> None:
    eventually(lambda: all(r["status"] in ("sent", "failed") for r in outbox_rows(bot)), what="outbox drained")


def everything_sent_to(bot: RunningBot, conversation: str) -> str:
    """Every message and every update as it reached the conversation: text, blocks and metadata."""
    sent = [c.params for c in bot.fake.calls if c.method in ("chat.postMessage", "chat.update")
            and c.params.get("channel") == conversation]
    return json.dumps(sent, ensure_ascii=False) + json.dumps(bot.fake.messages(conversation), ensure_ascii=False)


def test_an_anonymous_reports_photo_does_not_name_the_reporter(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP1", anonymous=True, photos=[PHOTO])
    assert submit_step(bot, "U0HEAD1", click(bot, "U0HEAD1", "assess", ref)["view"], severity="general") == {}
    view = click(bot, "U0HEAD1", "assign", ref)["view"]
    assert submit_step(bot, "U0HEAD1", view, measures="Clear the exit", assignee="U0EMP2") == {}
    settled(bot)

    for person in ("C0SAFETY", "U0HEAD1", "U0DEP1", "U0EMP2"):
        seen = everything_sent_to(bot, person)
        assert ref in seen, person
        assert "U0EMP1" not in seen and "acme.slack.com/files" not in seen, person
    # Others learn that a photo is there, and where to ask for it.
    head = " ".join(bot.fake.texts_for("U0HEAD1"))
    assert "1 photo attached: ask the safety department to see it" in head
    assert "附 1 张照片" in " ".join(bot.fake.texts_for("U0DEP1"))
    # The reporter still sees their own photo.
    assert "acme.slack.com/files/U0EMP1/F0PHOTO1" in everything_sent_to(bot, "U0EMP1")

    # A safety officer asks: the answer is theirs alone, with the reporter and the photo.
    revealed = press(bot, "U0SAFE2", "hz_reveal_reporter", ref)["reply"]
    assert "<@U0EMP1>" in revealed["text"] and "acme.slack.com/files/U0EMP1/F0PHOTO1" in json.dumps(revealed["blocks"])
    assert revealed["response_type"] == "ephemeral"


def test_a_head_sees_an_anonymous_case_without_its_reporter(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP1", anonymous=True, photos=[PHOTO])
    answer = bot.slack.command("/hazard", ref, user_id="U0HEAD1")
    assert answer.status_code == 200
    reply = eventually(lambda: next((c.params for c in bot.fake.calls_to("response_url")
                                     if ref in json.dumps(c.params)), None), what="the case")
    assert "U0EMP1" not in json.dumps(reply) and "acme.slack.com/files" not in json.dumps(reply)
