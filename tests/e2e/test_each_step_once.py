"""Each step once: a modal or a button answers for the revision of the case it was shown with.

A submission made against an older revision is refused as already taken, even when the step would fit
the new state (Assess and Assign may be taken again from where the first one left the case). On SQLite
and PostgreSQL (the `bot` fixture runs both).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from bot.core.i18n import t
from tests.closed_loop import FIELD_ELEMENTS, click, step
from tests.conftest import USERS, RunningBot
from tests.helpers import eventually, outbox_rows, report
from tests.slack_payloads import block_actions, view_submission


def lang(user: str) -> str:
    return "zh-CN" if USERS[user] == "zh-CN" else "en"


def taken(ref: str, status: str, user: str) -> str:
    return t("error.already_taken", lang(user), reference=ref, status=t(f"status.{status}", lang(user)))


def events(bot: RunningBot, ref: str) -> list[str]:
    with bot.runtime.services.uow() as uow:
        return [e.action for e in uow.events.for_case(ref)]


def step_submission(user: str, view: dict[str, Any], **fields: Any) -> Any:
    values = {FIELD_ELEMENTS[name][0]: {"value": FIELD_ELEMENTS[name][1](value)} for name, value in fields.items()}
    return view_submission(user_id=user, callback_id=view["callback_id"], values=values,
                           private_metadata=view["private_metadata"])


def sent(bot: RunningBot, request: Any) -> dict[str, Any]:
    answer = bot.slack.send(request)
    assert answer.status_code == 200
    return answer.json() if answer.content else {}


def answered_text(answer: dict[str, Any]) -> str:
    assert answer.get("response_action") == "update", answer
    return str(answer["view"])


def in_date(days: int) -> str:
    return (datetime.now() + timedelta(days=days)).date().isoformat()


def test_a_modal_opened_before_someone_else_took_the_step_is_refused_as_taken(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    head_view = click(bot, "U0HEAD1", "assess", ref)["view"]
    officer_view = click(bot, "U0SAFE2", "assess", ref)["view"]
    assert sent(bot, step_submission("U0SAFE2", officer_view, severity="major")) == {}
    # Assess is allowed from "assessed" too, but the head's modal showed the case before that assessment.
    late = sent(bot, step_submission("U0HEAD1", head_view, severity="general"))
    assert taken(ref, "assessed", "U0HEAD1") in answered_text(late)
    assert events(bot, ref).count("assessed") == 1
    with bot.runtime.services.uow() as uow:
        hazard = uow.hazards.get(ref)
        assert hazard is not None and hazard.severity is not None and hazard.severity.value == "major"
    # A modal opened now shows the new revision and may reassess.
    again = click(bot, "U0HEAD1", "assess", ref)["view"]
    assert sent(bot, step_submission("U0HEAD1", again, severity="general")) == {}
    assert events(bot, ref).count("assessed") == 2


def _at_once(bot: RunningBot, requests: list[Any]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(bot.slack.send, requests))
    assert [a.status_code for a in answers] == [200] * len(answers)
    return [a.json() if a.content else {} for a in answers]


def test_five_simultaneous_assessments_take_the_step_once(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    people = ["U0HEAD1", "U0DEP1", "U0SAFE1", "U0SAFE2", "U0HEAD1"]
    views = [click(bot, user, "assess", ref)["view"] for user in people]
    queued = len(outbox_rows(bot))
    severities = ["general", "major", "serious", "general", "major"]
    answers = _at_once(bot, [step_submission(u, v, severity=s)
                             for u, v, s in zip(people, views, severities, strict=True)])
    closed = [a for a in answers if a == {}]
    refused = [(u, a) for u, a in zip(people, answers, strict=True) if a != {}]
    assert len(closed) == 1, answers
    for user, answer in refused:
        assert taken(ref, "assessed", user) in answered_text(answer)
    assert events(bot, ref).count("assessed") == 1
    lines = [r for r in outbox_rows(bot)[queued:] if r["template"] == "hazard.step"]
    assert [r["context"]["step"] for r in lines] == ["assess"]


def test_a_head_and_a_safety_officer_assessing_at_the_same_moment_one_is_recorded(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP1")
    head, officer = click(bot, "U0HEAD1", "assess", ref)["view"], click(bot, "U0SAFE1", "assess", ref)["view"]
    answers = _at_once(bot, [step_submission("U0HEAD1", head, severity="major"),
                             step_submission("U0SAFE1", officer, severity="general")])
    assert sorted(a == {} for a in answers) == [False, True]
    loser = "U0SAFE1" if answers[0] == {} else "U0HEAD1"
    assert taken(ref, "assessed", loser) in answered_text(answers[1] if answers[0] == {} else answers[0])
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")
    thread = " ".join(str(m) for m in bot.fake.messages("C0SAFETY") if m.get("thread_ts"))
    said = [word for word in ("Major", "General", "重大", "一般") if word in thread]
    assert len(said) == 1, said  # one severity in the thread, not both


def test_five_simultaneous_assignments_take_the_step_once(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    step(bot, "U0HEAD1", "assess", ref, severity="general")
    people = ["U0HEAD1", "U0DEP1", "U0SAFE1", "U0SAFE2", "U0DEP1"]
    views = [click(bot, user, "assign", ref)["view"] for user in people]
    assignees = ["U0EMP1", "U0EMP2", "U0EMP1", "U0EMP2", "U0EMP1"]
    queued = len(outbox_rows(bot))
    answers = _at_once(bot, [step_submission(u, v, measures=f"Clear it ({u})", assignee=a, deadline=in_date(5))
                             for u, v, a in zip(people, views, assignees, strict=True)])
    assert sum(a == {} for a in answers) == 1, answers
    for user, answer in zip(people, answers, strict=True):
        if answer != {}:
            assert taken(ref, "assigned", user) in answered_text(answer)
    assert events(bot, ref).count("assigned") == 1
    told = [r for r in outbox_rows(bot)[queued:] if r["template"] == "hazard.card"
            and r["key"].startswith(f"{ref}:assignee:")]
    assert len({r["recipient"] for r in told}) == 1  # one person told they are responsible


def test_a_direct_button_carries_its_revision_and_a_stale_one_is_refused(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    step(bot, "U0HEAD1", "assess", ref, severity="general")
    step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1", deadline=in_date(3))
    step(bot, "U0EMP1", "complete", ref, note="Cleared")
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")
    buttons = [e for m in bot.fake.messages("C0SAFETY") for b in m.get("blocks", []) if b.get("type") == "actions"
               for e in b["elements"] if e.get("action_id") == "hz_step_approve"]
    assert buttons, "an approve button in the thread"
    stale = buttons[-1]["value"]
    with bot.runtime.services.uow() as uow:
        hazard = uow.hazards.get(ref)
        assert hazard is not None
        assert stale == f"{ref}@{hazard.revision}"
    # Sent back and done again: approving is allowed again, but not from the button of the first round.
    step(bot, "U0HEAD1", "send_back", ref, reason="Boxes are back")
    step(bot, "U0EMP1", "complete", ref, note="Cleared again")
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.send(block_actions(user_id="U0HEAD1", action_id="hz_step_approve", value=stale, channel_id="C0SAFETY",
                                 message_ts="1.1", response_url=bot.fake.response_url_base + "stale"))
    reply = bot.fake.wait_for("response_url", count=before + 1)[-1].params["text"]
    assert reply == taken(ref, "completed", "U0HEAD1")
    assert events(bot, ref).count("approve") == 0
    fresh = click(bot, "U0HEAD1", "approve", ref)["reply"]["text"]  # a plain reference: the case as it is now
    assert fresh == t("step.approve.done", "en", reference=ref)
