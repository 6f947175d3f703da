"""Behaviour a review found missing: each test fails on the code before its fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.org import Org
from bot.core.workdays import WorkCalendar
from bot.hazards.changes import StepInput
from bot.hazards.model import HazardCategory, Severity, Step
from bot.hazards.usecases import ReportHazard, report_hazard, take_step
from bot.runtime.app import job_sources
from bot.scheduling import Scheduler
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.closed_loop import click, submit_step
from tests.conftest import RunningBot
from tests.fakes import FakeDirectory
from tests.helpers import eventually, report


def test_an_unexpected_error_after_the_ack_is_told_to_the_person(bot: RunningBot,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ref = report(bot, "U0EMP2")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("handlers.hazards.steps.check_step", broken)
    reply = click(bot, "U0HEAD1", "assess", ref)["reply"]
    assert reply["text"].startswith("Sorry") and "database" not in reply["text"]


def test_a_head_who_reports_gets_the_card_to_act_on(bot: RunningBot) -> None:
    report(bot, "U0HEAD1")
    eventually(lambda: bot.fake.messages("U0HEAD1"), what="the head's card")
    card = bot.fake.messages("U0HEAD1")[0]
    assert "hz_step_assess" in str(card["blocks"])


def test_assigning_with_the_offered_date_keeps_the_assessed_deadline(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    assert submit_step(bot, "U0HEAD1", click(bot, "U0HEAD1", "assess", ref)["view"], severity="major") == {}
    with bot.runtime.services.uow() as uow:
        assessed = uow.hazards.get(ref).deadline_at  # type: ignore[union-attr]
    view = click(bot, "U0HEAD1", "assign", ref)["view"]
    offered = next(b for b in view["blocks"] if b.get("block_id") == "st_deadline")["element"]["initial_date"]
    assert submit_step(bot, "U0HEAD1", view, measures="Fix", assignee="U0EMP1", deadline=offered) == {}
    with bot.runtime.services.uow() as uow:
        assert uow.hazards.get(ref).deadline_at == assessed  # type: ignore[union-attr]


def test_a_rectification_returned_late_gets_a_new_deadline_with_its_own_chain(database_url: str, org: Org) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    now = [datetime(2026, 11, 2, 2, 0, tzinfo=UTC)]
    directory, calendar = FakeDirectory({"U0EMP1", "U0EMP2"}), WorkCalendar.from_org(org)
    ref = report_hazard(ReportHazard(reporter_id="U0EMP2", category=HazardCategory.FIRE, location="Hall",
                                     description="Blocked", department_key="cs1"),
                        uow=uow(), org=org, clock=lambda: now[0]).reference

    def do(step: Step, actor: str, **fields: object) -> None:
        take_step(StepInput(reference=ref, step=step, actor_id=actor, **fields), uow=uow(), org=org,  # type: ignore[arg-type]
                  calendar=calendar, directory=directory, clock=lambda: now[0])

    do(Step.ASSESS, "U0HEAD1", severity=Severity.GENERAL, deadline=now[0] + timedelta(days=2))
    do(Step.ASSIGN, "U0HEAD1", measures="Clear it", assignee_id="U0EMP1")
    scheduler = Scheduler(uow_factory=uow, sources=job_sources(org, calendar), clock=lambda: now[0])
    scheduler.tick()  # the deadline's chain is written
    do(Step.COMPLETE, "U0EMP1", note="Done")
    now[0] += timedelta(days=3)  # past the deadline, while it waits for approval: nothing to chase
    scheduler.tick()
    do(Step.APPROVE, "U0HEAD1")
    do(Step.RETURN, "U0SAFE1", reason="Still blocked")
    now[0] += timedelta(hours=1)
    scheduler.tick()

    def overdue() -> list[str]:
        return sorted(str(r["recipient"]) for r in outbox_rows_of(engine)
                      if str(r["context"].get("notice", "")).startswith("deadline_"))  # type: ignore[attr-defined]

    # Returned three days late, the new round got a new deadline (general: 7 days from the return, at the end
    # of that working day): its own chain, which chases nobody yet; once that deadline is a day past, the
    # heads are told.
    assert overdue() == []
    now[0] += timedelta(days=9)
    scheduler.tick()
    assert overdue() == ["U0DEP1", "U0HEAD1"]
    engine.dispose()


def outbox_rows_of(engine: object) -> list[dict[str, object]]:
    from sqlalchemy import select

    from storage.core import outbox

    with engine.connect() as conn:  # type: ignore[attr-defined]
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]



def test_cards_offer_what_the_rules_allow_now_including_reassigning(bot: RunningBot) -> None:
    ref = report(bot, "U0EMP2")
    assert submit_step(bot, "U0HEAD1", click(bot, "U0HEAD1", "assess", ref)["view"], severity="general") == {}
    view = click(bot, "U0HEAD1", "assign", ref)["view"]
    assert submit_step(bot, "U0HEAD1", view, measures="Fix", assignee="U0EMP1") == {}

    def head_buttons() -> list[str] | None:
        card = next(iter(bot.fake.messages("U0HEAD1")), None)
        if card is None or "hz_step_assess" in str(card["blocks"]):
            return None  # not yet refreshed
        return [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]

    assert eventually(head_buttons, what="the head's refreshed card") == ["hz_step_assign"]
