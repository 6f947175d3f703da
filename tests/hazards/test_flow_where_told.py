"""Issue 11's hazard flows, as use cases and views on in-memory ports: decisions where people are told, one
ping per ask, a new round's deadline, the officers' lists, possible duplicates, escalations on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.errors import NotAllowed
from bot.core.i18n import t
from bot.core.org import parse_org
from bot.core.workdays import WorkCalendar, deadline_for
from bot.hazards.changes import StepInput
from bot.hazards.contexts import CaseCard, HazardNotice, StepLine
from bot.hazards.jobs import HazardDeadlines, deadline_chain
from bot.hazards.model import BOT_ACTOR, HazardCategory, HazardStatus, Severity, Step
from bot.hazards.queries import OPEN_PAGE, my_cases, open_cases, view_case
from bot.hazards.usecases import ReportHazard, learn_names, report_hazard, take_step
from bot.scheduling import JobKey, JobKind, ReminderJob
from handlers.core.slack_api import SlackDirectory
from handlers.hazards.list_views import build_open_cases
from handlers.hazards.step_views import build_case_status, build_notice, build_step_line, build_step_modal
from handlers.hazards.views import build_card, build_reported_modal
from tests.conftest import ORG_YAML, USERS
from tests.fakes import FakeDirectory, FakeUnitOfWork

ORG = parse_org(ORG_YAML)
CALENDAR = WorkCalendar.from_org(ORG)
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
OFFICERS = ["U0SAFE1", "U0SAFE2"]


class Case:
    """One case driven through its steps on an in-memory unit of work, with a clock the test moves."""

    def __init__(self, uow: FakeUnitOfWork | None = None, *, location: str = "Hall 3", reporter: str = "U0EMP2",
                 anonymous: bool = False) -> None:
        self.uow = uow or FakeUnitOfWork()
        self.now = START
        self.ref = report_hazard(ReportHazard(reporter_id=reporter, category=HazardCategory.FIRE, location=location,
                                              description="Blocked exit", department_key="cs1",
                                              anonymous=anonymous),
                                 uow=self.uow, org=ORG, clock=lambda: self.now).reference

    def step(self, step: Step, actor: str, **fields: Any) -> None:
        take_step(StepInput(reference=self.ref, step=step, actor_id=actor, **fields), uow=self.uow, org=ORG,
                  calendar=CALENDAR, directory=FakeDirectory(set(USERS)), clock=lambda: self.now)

    def rectified(self, assignee: str = "U0EMP1", deadline_days: int = 5) -> Case:
        self.step(Step.ASSESS, "U0HEAD1", severity=Severity.SERIOUS)
        self.step(Step.ASSIGN, "U0HEAD1", measures="Clear it", assignee_id=assignee,
                  deadline=START + timedelta(days=deadline_days))
        self.step(Step.COMPLETE, assignee, note="Cleared")
        return self

    def message(self, key: str) -> Any:
        return self.uow.state.outbox[f"{self.ref}:{key}"]

    def messages_to(self, recipient: str) -> list[Any]:
        """New messages (not updates of earlier ones) queued to someone: what pings them."""
        return [m for m in self.uow.state.outbox.values() if m.recipient == recipient and not m.update_of]

    @property
    def hazard(self) -> Any:
        return self.uow.state.hazards[self.ref]


def texts(payload: dict[str, Any]) -> str:
    return str(payload)


def buttons(payload: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_the_heads_decision_is_on_their_own_card_and_in_the_one_message_that_asks_them() -> None:
    case = Case().rectified()
    rev = case.hazard.revision
    for leader in ("U0HEAD1", "U0DEP1"):
        card = CaseCard.model_validate(case.message(f"leader:{leader}:update").context)
        assert card.offers[:2] == [Step.APPROVE, Step.SEND_BACK]
        assert buttons(build_card(card, "en"))[:2] == ["hz_step_approve", "hz_step_send_back"]
        ask = case.message(f"r{rev}:notice:{leader}")
        assert buttons(build_notice(HazardNotice.model_validate(ask.context), "en")) == [
            "hz_step_approve", "hz_step_send_back"]
    # The thread line names the heads and the assignee; it mentions nobody, so the head is pinged once (the ask).
    line = StepLine.model_validate(case.message(f"r{rev}:step").context)
    shown = texts(build_step_line(line, "en"))
    assert "<@" not in shown and "u0head1" in shown and "u0emp1" in shown
    asks = [m for m in case.messages_to("U0HEAD1") if m.template == "hazard.notice"]
    assert [m.key for m in asks] == [f"{case.ref}:r{rev}:notice:U0HEAD1"]


def test_a_decision_taken_from_the_dm_updates_every_copy_and_calls_the_officers_to_verify() -> None:
    case = Case().rectified()
    asked_at = case.hazard.revision
    case.step(Step.APPROVE, "U0DEP1")  # from the deputy's DM: no safety channel needed
    for leader in ("U0HEAD1", "U0DEP1"):
        updated = HazardNotice.model_validate(case.message(f"r{asked_at}:notice:{leader}:update").context)
        assert updated.decided is not None and updated.decided.actor == "U0DEP1"
        rendered = build_notice(updated, "en")
        assert buttons(rendered) == [] and "U0DEP1" in texts(rendered)
        card = CaseCard.model_validate(case.message(f"leader:{leader}:update").context)
        assert Step.APPROVE not in card.offers and card.status is HazardStatus.APPROVED
    prompt = StepLine.model_validate(case.message(f"r{asked_at}:step:update").context)
    assert prompt.decided is not None and prompt.decided.step is Step.APPROVE
    # The safety department is told where it works: the approval's line calls the officers, with Verify.
    line = StepLine.model_validate(case.message(f"r{case.hazard.revision}:step").context)
    assert line.ping == OFFICERS
    shown = build_step_line(line, "zh-CN")
    assert all(f"<@{officer}>" in texts(shown) for officer in OFFICERS) and "<@U0DEP1>" not in texts(shown)
    assert buttons(shown) == ["hz_step_verify", "hz_step_return"]
    safety = CaseCard.model_validate(case.message("safety-post:update").context)
    assert safety.offers == [Step.VERIFY, Step.RETURN]


def test_a_head_who_did_the_work_is_stood_in_for_and_the_stand_in_finds_it_in_hazard_mine() -> None:
    case = Case().rectified(assignee="U0HEAD1")
    rev = case.hazard.revision
    for officer in OFFICERS:
        ask = HazardNotice.model_validate(case.message(f"r{rev}:notice:{officer}").context)
        assert ask.buttons == [Step.APPROVE]  # a stand-in approves; sending back is the heads'
        assert [line.reference for line in my_cases(officer, uow=case.uow, org=ORG, now=case.now).to_decide] \
            == [case.ref]
    head_card = CaseCard.model_validate(case.message("leader:U0HEAD1:update").context)
    assert Step.APPROVE not in head_card.offers  # never on the card of whoever did the work


def test_sending_back_after_the_deadline_gives_a_new_deadline_from_the_severity() -> None:
    case = Case().rectified(deadline_days=2)
    case.now = START + timedelta(days=4)  # two days late
    case.step(Step.SEND_BACK, "U0HEAD1", reason="Still blocked")
    offered = deadline_for(Severity.SERIOUS, start=case.now, org=ORG, calendar=CALENDAR)
    assert case.hazard.deadline_at == offered > case.now
    notice = HazardNotice.model_validate(case.message(f"r{case.hazard.revision}:notice:U0EMP1").context)
    assert "2026-11-09" in build_notice(notice, "en")["text"]  # the new deadline, not the past 11-04
    # A deadline still ahead stays as it was unless another is picked.
    ahead = Case(location="Hall 4").rectified(deadline_days=9)
    ahead.step(Step.SEND_BACK, "U0HEAD1", reason="Not yet")
    assert ahead.hazard.deadline_at == START + timedelta(days=9)


def test_the_send_back_modal_asks_for_the_new_deadline() -> None:
    case = Case().rectified()
    context = CaseCard.model_validate(case.message("safety-post:update").context)
    for step in (Step.SEND_BACK, Step.RETURN):
        modal = build_step_modal(step=step, case=context, locale="zh-CN", departments=[], deadline_hint="已过",
                                 private_metadata="{}", offered_date="2026-11-09")
        picker = next(b for b in modal["blocks"] if b.get("block_id") == "st_deadline")
        assert picker["element"]["initial_date"] == "2026-11-09" and picker["label"]["text"] == "新的整改期限"
        assert picker["hint"]["text"] == "已过" and picker["optional"] is True


def test_an_officers_hazard_mine_lists_what_waits_for_them() -> None:
    uow = FakeUnitOfWork()
    new = Case(uow, location="A")
    verify = Case(uow, location="B").rectified()
    verify.step(Step.APPROVE, "U0HEAD1")
    late = Case(uow, location="C")
    late.step(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL)
    late.step(Step.ASSIGN, "U0HEAD1", measures="Fix", assignee_id="U0EMP1", deadline=START + timedelta(days=1))
    soon = START + timedelta(days=1, hours=1)  # overdue, but not yet escalated to the safety department
    assert my_cases("U0SAFE1", uow=uow, org=ORG, now=soon).escalated == []
    mine = my_cases("U0SAFE1", uow=uow, org=ORG, now=START + timedelta(days=30))
    assert [c.reference for c in mine.may_assess] == [new.ref]
    assert [c.reference for c in mine.to_decide] == [verify.ref]
    assert [c.reference for c in mine.escalated] == [late.ref]
    head = my_cases("U0HEAD1", uow=uow, org=ORG, now=START + timedelta(days=30))
    assert [c.reference for c in head.escalated] == [late.ref] and head.may_assess == []
    assert my_cases("U0EMP3", uow=uow, org=ORG, now=START).escalated == []


def test_hazard_open_lists_every_open_case_overdue_first_in_pages_for_officers_only() -> None:
    uow = FakeUnitOfWork()
    cases = [Case(uow, location=f"Room {n}") for n in range(OPEN_PAGE + 3)]
    late = cases[-1]
    late.step(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL, deadline=START + timedelta(days=1))
    closed = cases[0]
    closed.step(Step.REJECT, "U0HEAD1", reason="Not a hazard")
    now = START + timedelta(days=2)
    first = open_cases("U0SAFE2", uow=uow, org=ORG, now=now)
    assert (first.total, first.overdue, first.pages, len(first.lines)) == (OPEN_PAGE + 2, 1, 2, OPEN_PAGE)
    assert first.lines[0].reference == late.ref and closed.ref not in [c.reference for c in first.lines]
    second = open_cases("U0SAFE2", uow=uow, org=ORG, now=now, page=2)
    assert len(second.lines) == 2 and second.page == 2
    rendered = build_open_cases(first, locale="en", timezone=ORG.timezone)
    assert len(rendered["blocks"]) <= 50 and buttons(rendered) == ["hz_open_page_next"]
    assert buttons(build_open_cases(second, locale="en", timezone=ORG.timezone)) == ["hz_open_page_previous"]
    with pytest.raises(NotAllowed) as refused:
        open_cases("U0HEAD1", uow=uow, org=ORG)
    assert refused.value.key == "error.open_safety_only"


def test_a_possible_duplicate_is_pointed_out_to_the_reporter_and_on_the_safety_post_without_names() -> None:
    uow = FakeUnitOfWork()
    first = Case(uow, location="Hall 3", reporter="U0EMP1", anonymous=True)
    other_place = Case(uow, location="Hall 9")
    second = report_hazard(ReportHazard(reporter_id="U0EMP3", category=HazardCategory.FIRE, location="hall 3",
                                        description="Same again", department_key="cs2"),
                           uow=uow, org=ORG, clock=lambda: START)
    assert second.duplicates == [first.ref] and other_place.ref not in second.duplicates
    modal = build_reported_modal(locale="en", reference=second.reference, department_name="cs2",
                                 duplicates=second.duplicates)
    assert first.ref in texts(modal) and "U0EMP1" not in texts(modal)
    post = uow.state.outbox[f"{second.reference}:safety-post"]
    card = CaseCard.model_validate(post.context)
    assert card.duplicates == [first.ref]
    assert first.ref in texts(build_card(card, "zh-CN"))
    # Still there after a step refreshes the post; never refused, and the first report is not touched.
    take_step(StepInput(reference=second.reference, step=Step.ASSESS, actor_id="U0HEAD2", severity=Severity.GENERAL),
              uow=uow, org=ORG, calendar=CALENDAR, directory=FakeDirectory(set(USERS)), clock=lambda: START)
    refreshed = CaseCard.model_validate(uow.state.outbox[f"{second.reference}:safety-post:update"].context)
    assert refreshed.duplicates == [first.ref]
    leader = CaseCard.model_validate(uow.state.outbox[f"{second.reference}:leader:U0HEAD2"].context)
    assert first.ref not in texts(build_card(leader, "en"))
    # Closed cases are not duplicates.
    first.step(Step.REJECT, "U0HEAD1", reason="Gone")
    third = report_hazard(ReportHazard(reporter_id="U0EMP3", category=HazardCategory.FIRE, location="Hall 3",
                                       description="Again", department_key="cs1"), uow=uow, org=ORG,
                          clock=lambda: START)
    assert third.duplicates == [second.reference]


def test_hazard_open_says_how_late_and_a_rectification_reported_done_is_not_late() -> None:
    uow = FakeUnitOfWork()
    late, done = Case(uow, location="Room 1"), Case(uow, location="Room 2")
    for case in (late, done):
        case.step(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL)
        case.step(Step.ASSIGN, "U0HEAD1", measures="Fix", assignee_id="U0EMP1", deadline=START + timedelta(days=1))
    done.step(Step.COMPLETE, "U0EMP1", note="Fixed in time")
    now = START + timedelta(days=4)
    listed = open_cases("U0SAFE1", uow=uow, org=ORG, now=now)
    assert listed.overdue == 1 and listed.lines[0].reference == late.ref
    rendered = build_open_cases(listed, locale="en", timezone=ORG.timezone, now=now)
    rows = [row for b in rendered["blocks"] if b["type"] == "rich_text"
            for row in "".join(e.get("text", "") for part in b["elements"] for e in part["elements"]).splitlines()]
    assert any(late.ref in row and t("time.overdue_days", "en", days=3) in row for row in rows)
    assert any(done.ref in row and "overdue" not in row and " left" not in row for row in rows)
    zh = texts(build_open_cases(listed, locale="zh-CN", timezone=ORG.timezone, now=now))
    assert t("time.overdue_days", "zh-CN", days=3) in zh and "（周二，北京时间）" in zh


def test_an_escalation_calls_the_officers_in_the_thread_and_is_on_the_timeline() -> None:
    case = Case()
    case.step(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL)
    case.step(Step.ASSIGN, "U0HEAD1", measures="Fix", assignee_id="U0EMP1", deadline=START + timedelta(days=1))
    deadlines = HazardDeadlines(ORG)
    for level in ("assignee", "head", "safety"):
        job = ReminderJob.at(JobKey(deadline_chain(case.hazard), JobKind.DEADLINE, level), START,
                             hazard_ref=case.ref)
        deadlines.process(case.uow, job, START + timedelta(days=5))  # type: ignore[arg-type]
    escalations = [e for e in case.uow.state.events if e.action.startswith("escalated_")]
    assert [(e.action, e.actor_id) for e in escalations] == [("escalated_head", BOT_ACTOR),
                                                            ("escalated_safety", BOT_ACTOR)]
    assert escalations[0].changes["told"] == ["U0HEAD1", "U0DEP1"]
    posted = next(m for m in case.uow.state.outbox.values() if m.key.endswith(":deadline:safety:C0SAFETY"))
    shown = build_notice(HazardNotice.model_validate(posted.context), "en")["text"]
    assert all(f"<@{officer}>" in shown for officer in OFFICERS)
    assert "<@U0EMP1>" not in shown and "u0emp1" in shown  # the late assignee is named there, not pinged
    status = texts(build_case_status(view_case(case.ref, viewer_id="U0SAFE1", uow=case.uow, org=ORG),
                                     locale="en", timezone=ORG.timezone))
    assert f"{t('timeline.escalated_safety', 'en')} · {t('hazard.by_bot', 'en')}" in status


def test_an_extension_request_is_decided_from_the_heads_dm_and_every_copy_follows() -> None:
    case = Case()
    case.step(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL)
    case.step(Step.ASSIGN, "U0HEAD1", measures="Fix", assignee_id="U0EMP1", deadline=START + timedelta(days=2))
    case.step(Step.REQUEST_EXTENSION, "U0EMP1", reason="Parts late", deadline=START + timedelta(days=6))
    rev = case.hazard.revision
    for leader in ("U0HEAD1", "U0DEP1"):
        ask = HazardNotice.model_validate(case.message(f"r{rev}:notice:{leader}").context)
        assert ask.buttons == [Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION]
        card = CaseCard.model_validate(case.message(f"leader:{leader}:update").context)
        assert {Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION} <= set(card.offers)
    case.step(Step.ACCEPT_EXTENSION, "U0HEAD1")
    for leader in ("U0HEAD1", "U0DEP1"):
        resolved = HazardNotice.model_validate(case.message(f"r{rev}:notice:{leader}:update").context)
        assert resolved.decided is not None and resolved.decided.step is Step.ACCEPT_EXTENSION
    assert StepLine.model_validate(case.message(f"r{rev}:step:update").context).decided is not None
    assert case.hazard.deadline_at == START + timedelta(days=6)


def test_when_an_officer_assesses_the_heads_are_told_to_assign() -> None:
    case = Case()
    case.step(Step.ASSESS, "U0SAFE1", severity=Severity.SERIOUS)
    rev = case.hazard.revision
    for leader in ("U0HEAD1", "U0DEP1"):
        told = build_notice(HazardNotice.model_validate(case.message(f"r{rev}:notice:{leader}").context), "en")
        assert case.ref in told["text"] and "assign" in told["text"]
    head = Case(location="Hall 5")
    head.step(Step.ASSESS, "U0HEAD1", severity=Severity.SERIOUS)  # the head assesses: nobody else to tell
    assert f"{head.ref}:r{head.hazard.revision}:notice:U0DEP1" not in head.uow.state.outbox


class CountingClient:
    """Stands in for slack_sdk's WebClient: `users.info` answers with a display name and is counted."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def users_info(self, *, user: str, **_: Any) -> dict[str, Any]:
        self.asked.append(user)
        return {"user": {"id": user, "profile": {"display_name": f"name-{user}"}}}


def test_names_are_learned_when_the_modal_opens_so_the_submission_asks_slack_for_none() -> None:
    case = Case().rectified()
    client = CountingClient()
    directory = SlackDirectory(client)  # type: ignore[arg-type]
    send_back = StepInput(reference=case.ref, step=Step.SEND_BACK, actor_id="U0HEAD1", reason="Again")
    learn_names(send_back, uow=case.uow, org=ORG, directory=directory)  # the button opened the modal
    asked = len(client.asked)
    take_step(send_back, uow=case.uow, org=ORG, calendar=CALENDAR, directory=directory, clock=lambda: case.now)
    assert len(client.asked) == asked > 0
    line = StepLine.model_validate(case.message(f"r{case.hazard.revision}:step").context)
    assert "name-U0HEAD1" in build_step_line(line, "en")["text"]
