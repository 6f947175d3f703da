"""The closed loop end to end, by signed requests as the different people."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.i18n import t
from storage.core import case_events
from tests.closed_loop import click, step, submit_step
from tests.conftest import RunningBot
from tests.helpers import count_rows, eventually, outbox_rows, report


def settled(bot: RunningBot) -> None:
    """Wait until the outbox has delivered everything queued so far."""
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")


def in_days(n: int) -> str:
    return (datetime.now() + timedelta(days=n)).date().isoformat()


def buttons_of(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def timeline(bot: RunningBot, reference: str) -> list[tuple[str, str]]:
    with bot.runtime.services.uow() as uow:
        return [(e.action, e.actor_id) for e in uow.events.for_case(reference)]


def test_a_case_goes_round_the_whole_loop_with_a_return_and_a_second_round(bot: RunningBot) -> None:
    fake = bot.fake
    ref = report(bot, "U0EMP2", description="Fire extinguisher missing on 2F")
    settled(bot)

    assert step(bot, "U0HEAD1", "assess", ref, severity="serious") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Mount a new extinguisher", assignee="U0EMP1",
                deadline=in_days(5)) == {}
    settled(bot)
    task = " ".join(fake.texts_for("U0EMP1"))
    assert ref in task and "Mount a new extinguisher" in task
    card = fake.messages("U0EMP1")[0]
    assert {b["action_id"] for b in card["blocks"][-1]["elements"]} == {"hz_step_complete", "hz_step_request_extension"}

    assert step(bot, "U0EMP1", "complete", ref, note="Mounted, see photo") == {}
    settled(bot)
    thread = [m for m in fake.messages("C0SAFETY") if m.get("thread_ts")]
    prompt = thread[-1]
    assert {b["action_id"] for b in prompt["blocks"][-1]["elements"]} == {"hz_step_approve", "hz_step_send_back"}
    # The thread names the head without pinging him: he is asked once, in his DM, with the same buttons.
    assert "<@" not in prompt["text"] and "u0head1" in prompt["text"]
    ask = fake.messages("U0HEAD1")[-1]
    assert ref in ask["text"] and buttons_of(ask) == ["hz_step_approve", "hz_step_send_back"]

    reply = step(bot, "U0HEAD1", "approve", ref)
    assert reply["text"] == t("step.approve.done", "en", reference=ref)
    assert step(bot, "U0SAFE2", "return", ref, reason="Wrong type: needs CO2 for the server room") == {}
    settled(bot)
    assert any("needs CO2" in text for text in fake.texts_for("U0EMP1"))

    assert step(bot, "U0EMP1", "complete", ref, note="Replaced with a CO2 extinguisher") == {}
    assert step(bot, "U0HEAD1", "approve", ref)["text"] == t("step.approve.done", "en", reference=ref)
    assert step(bot, "U0SAFE1", "verify", ref)["text"] == t("step.verify.done", "zh-CN", reference=ref)
    settled(bot)

    assert timeline(bot, ref) == [
        ("reported", "U0EMP2"), ("assessed", "U0HEAD1"), ("assigned", "U0HEAD1"), ("completed", "U0EMP1"),
        ("approved", "U0HEAD1"), ("returned", "U0SAFE2"), ("completed", "U0EMP1"), ("approved", "U0HEAD1"),
        ("verified", "U0SAFE1")]
    # The reporter hears that it is closed; every card now shows the final status.
    assert any("closed" in text for text in fake.texts_for("U0EMP2"))
    for channel, locale in (("C0SAFETY", "zh-CN"), ("U0HEAD1", "en"), ("U0EMP1", "zh-CN")):
        top = next(m for m in fake.messages(channel) if not m.get("thread_ts"))
        assert t("status.closed", locale) in fake.texts_for(channel)[fake.messages(channel).index(top)]
    # The safety channel's post, updated in place at every step, says so in its header too.
    post = next(m for m in fake.messages("C0SAFETY") if not m.get("thread_ts"))
    assert post["blocks"][0]["text"]["text"] == f"✅ 隐患 {ref} · {t('status.closed', 'zh-CN')}"
    headers = [c.params["blocks"][0]["text"]["text"] for c in fake.calls_to("chat.update")
               if c.params["channel"] == "C0SAFETY" and c.params["ts"] == post["ts"]]
    first = next(c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == "C0SAFETY")
    assert first.params["blocks"][0]["text"]["text"] == f"🆕 隐患 {ref} · {t('status.reported', 'zh-CN')}"
    assert len({h.split()[0] for h in headers}) >= 3 and headers[-1].startswith("✅"), headers  # updates coalesce
    # Each step wrote one line into the case thread.
    lines = [m for m in fake.messages("C0SAFETY") if m.get("thread_ts")]
    assert len(lines) == 8
    # Every decision was answered, so no thread line still offers buttons; each says who decided.
    assert not [line for line in lines if any(b["type"] == "actions" for b in line["blocks"])]
    decided = [line for line in lines if len(line["blocks"]) > 1 and line["blocks"][-1]["type"] == "rich_text"]
    assert len(decided) == 4  # two approvals awaited, two verifications awaited


def test_reject_tells_the_reporter_why_and_forward_hands_over_to_the_other_head(bot: RunningBot) -> None:
    rejected = report(bot, "U0EMP2", description="Coffee machine is slow")
    assert step(bot, "U0DEP1", "reject", rejected, reason="Not a safety matter") == {}
    settled(bot)
    assert any("Not a safety matter" in text for text in bot.fake.texts_for("U0EMP2"))

    forwarded = report(bot, "U0EMP2", description="Loose cable under desk 14")
    assert step(bot, "U0HEAD1", "forward", forwarded, department="cs2") == {}
    settled(bot)
    assert any(forwarded in text for text in bot.fake.texts_for("U0HEAD2"))
    # The old head can no longer act; the new one can.
    refusal = click(bot, "U0HEAD1", "assess", forwarded)["reply"]
    assert refusal["text"] == t("error.only_leaders", "en")
    assert "view" in click(bot, "U0HEAD2", "assess", forwarded)
    assert [a for a, _ in timeline(bot, forwarded)] == ["reported", "forwarded"]
    assert [a for a, _ in timeline(bot, rejected)] == ["reported", "rejected"]


def test_only_the_right_people_take_each_step_and_others_are_refused_kindly(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    before = count_rows(bot, case_events)
    assert click(bot, "U0EMP3", "assess", ref)["reply"]["text"] == t("error.only_leaders", "zh-CN")
    assert click(bot, "U0EMP2", "approve", ref)["reply"]["text"] == t("error.only_heads", "en")
    assert click(bot, "U0HEAD1", "verify", ref)["reply"]["text"] == t("error.safety_only", "en")
    # Right person, wrong moment: approving a case that was never assigned.
    refusal = click(bot, "U0HEAD1", "approve", ref)["reply"]["text"]
    assert refusal == t("error.wrong_state", "en", reference=ref, status=t("status.reported", "en"))
    assert count_rows(bot, case_events) == before


def test_bad_input_in_step_modals_comes_back_on_the_field(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    view = click(bot, "U0HEAD1", "reject", ref)["view"]
    assert submit_step(bot, "U0HEAD1", view, reason="   ") == {
        "response_action": "errors", "errors": {"st_reason": t("error.blank", "en")}}
    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
    view = click(bot, "U0HEAD1", "assign", ref)["view"]
    answer = submit_step(bot, "U0HEAD1", view, measures="Fix it", assignee="U0NOBODY", deadline=in_days(-2))
    assert answer == {"response_action": "errors", "errors": {
        "st_deadline": t("error.deadline_past", "en"), "st_assignee": t("error.unknown_user", "en")}}
    answer = submit_step(bot, "U0HEAD1", view, measures="x" * 3001, assignee="U0NOBODY", deadline=in_days(2))
    assert answer["errors"] == {"st_measures": t("error.too_long_text", "en"),
                                "st_assignee": t("error.unknown_user", "en")}
    assert [a for a, _ in timeline(bot, ref)] == ["reported", "assessed"]
