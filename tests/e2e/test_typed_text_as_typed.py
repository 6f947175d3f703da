"""Typed text shows as typed, everywhere a hazard goes: `*bold*`, `_x_`, `~x~` and `<!channel>` typed into
every hazard text field (location, description, photo name, measures, reasons, the completion note, and a
department's name from the org file) reach every recipient as a plain rich_text `text` element, in no mrkdwn
at all, and the notification preview carries them escaped. Every message and view is valid Block Kit."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.org import Org, parse_org
from bot.runtime.fakeslack import validate_block_kit
from tests.closed_loop import step
from tests.conftest import ORG_YAML, RunningBot
from tests.e2e.test_closed_loop import in_days, settled
from tests.helpers import mrkdwn_texts, report, rich_elements, typed_as_typed

H = "*bold* _x_ ~x~ <!channel>"
FRAGMENTS = ("*bold*", "_x_", "~x~", "<!channel>", "&lt;!channel&gt;")
DEPARTMENT = f"CS {H}"
PEOPLE = ("C0SAFETY", "U0HEAD1", "U0DEP1", "U0EMP1", "U0EMP2")  # channel, head, deputy, assignee, reporter


@pytest.fixture
def org() -> Org:
    return parse_org(ORG_YAML.replace("name: Customer Service 1", f'name: "{DEPARTMENT}"'))


def sent(bot: RunningBot) -> list[dict[str, Any]]:
    """Every message, update, ephemeral answer and view the bot sent."""
    return [c.params for c in bot.fake.calls if c.method in ("chat.postMessage", "chat.update", "response_url",
                                                             "views.open", "views.update", "chat.postEphemeral")]


def test_typed_text_reaches_everyone_as_typed_and_never_as_mrkdwn(bot: RunningBot) -> None:
    photo = {"id": "F0PHOTO1", "name": f"p {H}.jpg", "permalink": "https://acme.slack.com/files/U0EMP2/F0PHOTO1/p.jpg"}
    ref = report(bot, "U0EMP2", location=f"Hall {H}", description=f"Boxes {H}", photos=[photo])
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures=f"Move {H}", assignee="U0EMP1", deadline=in_days(5)) == {}
    assert step(bot, "U0EMP1", "request_extension", ref, deadline=in_days(9), reason=f"Parts {H}") == {}
    settled(bot)
    pending = {who: typed_as_typed([m["blocks"] for m in bot.fake.messages(who)]) for who in PEOPLE}
    assert step(bot, "U0HEAD1", "refuse_extension", ref, reason=f"No {H}") == {}
    assert step(bot, "U0EMP1", "complete", ref, note=f"Done {H}") == {}
    assert step(bot, "U0HEAD1", "send_back", ref, reason=f"Again {H}") == {}
    assert step(bot, "U0EMP1", "complete", ref, note=f"Redone {H}") == {}
    assert step(bot, "U0HEAD1", "approve", ref)["response_type"] == "ephemeral"
    assert step(bot, "U0SAFE1", "verify", ref)["response_type"] == "ephemeral"
    rejected = report(bot, "U0EMP2", location=f"Roof {H}", description=f"Leak {H}")
    assert step(bot, "U0HEAD1", "reject", rejected, reason=f"Not ours {H}") == {}
    for asker, what in (("U0HEAD1", ref), ("U0EMP2", "mine")):
        assert bot.slack.command("/hazard", what, user_id=asker).status_code == 200
    settled(bot)
    bot.fake.wait_for("response_url", count=4)  # approve, verify and the two commands

    for params in sent(bot):
        shown = params.get("blocks") or (params.get("view") or {}).get("blocks") or []
        for text in mrkdwn_texts(shown):
            assert not any(fragment in text for fragment in FRAGMENTS), text
        assert "<!channel>" not in str(params.get("text") or "")  # the preview: escaped
    seen = {who: typed_as_typed([m["blocks"] for m in bot.fake.messages(who)]) + pending[who] for who in PEOPLE}
    for who in PEOPLE:
        for typed in (f"Hall {H}", f"Boxes {H}", DEPARTMENT, f"Move {H}"):
            assert typed in seen[who], (who, typed)
    assert f"Parts {H}" in seen["U0HEAD1"] and f"Parts {H}" in seen["C0SAFETY"]  # the pending extension
    for typed in (f"No {H}", f"Again {H}"):  # the refusal and the send-back, in the thread and to the assignee
        assert typed in seen["C0SAFETY"] and typed in seen["U0EMP1"], typed
    assert f"Redone {H}" in seen["C0SAFETY"]  # the completion note, in the thread
    assert f"Not ours {H}" in seen["U0EMP2"]  # the rejection, told to the reporter
    links = [e for m in bot.fake.messages("U0HEAD1") for e in rich_elements(m["blocks"]) if e["type"] == "link"]
    assert f"p {H}.jpg" in [link.get("text") for link in links]  # the photo's name: a link's plain text
    answers = [c.params for c in bot.fake.calls_to("response_url")]
    assert any(f"Hall {H}" in typed_as_typed(a.get("blocks")) for a in answers)  # /hazard HZ-… and /hazard mine
    validate_block_kit(bot.fake)  # as Slack's models take them
