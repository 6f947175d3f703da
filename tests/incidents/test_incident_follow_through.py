"""Without a database or Slack: the authority-report clock (controlled), the checklist's pages, the report's
content, the controls on the pinned summary, and a confidential incident's corrective actions without a
channel of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import bot.hazards as hazards
import bot.incidents as incidents
import handlers.hazards
import handlers.incidents
from bot.core.events import Dispatcher
from bot.core.org import Org, parse_org
from bot.core.workdays import WorkCalendar
from bot.hazards.changes import StepInput
from bot.hazards.model import Step
from bot.hazards.usecases import take_step
from bot.incidents.checklists import ChecklistItem, ReportingRules, load_reporting_rules
from bot.incidents.jobs import AuthorityReportCheck, follow_up_times
from bot.incidents.model import AuthorityReport, CloseIncident, CorrectiveAction, IncidentType, ReportIncident
from bot.incidents.report import incident_report
from bot.incidents.usecases import (
    add_note,
    close_incident,
    record_authority_report,
    report_incident,
    start_plan,
    tick_item,
)
from handlers.core.render import BlockKitRenderer
from handlers.incidents.report_views import report_markdown
from tests.conftest import ORG_YAML, USERS
from tests.fakes import FakeDirectory, FakeUnitOfWork
from tests.helpers import rich_elements

ORG: Org = parse_org(ORG_YAML)
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
RENDER = BlockKitRenderer([*handlers.hazards.TEMPLATES, *handlers.incidents.TEMPLATES])
OFFICERS, MANAGERS = ["U0SAFE1", "U0SAFE2"], ["U0BOSS"]


def _report(uow: FakeUnitOfWork, kind: IncidentType = IncidentType.FIRE, at: datetime = NOW, **more: Any) -> str:
    return report_incident(ReportIncident(reporter_id="U0EMP2", kind=kind, occurred_at=at, location="Kitchen",
                                          description="Pan fire", injured="1", **more),
                           uow=uow, org=ORG, clock=lambda: at).reference


def _authority(uow: FakeUnitOfWork, ref: str, at: datetime) -> None:
    record_authority_report(AuthorityReport(reference=ref, actor_id="U0SAFE1", authority="District office",
                                            reported_on=at.date(), unit="Acme", scene="Kitchen", account="Pan fire",
                                            casualties="1 injured", measures="Put out", loss="5,000 yuan"),
                            uow=uow, org=ORG, clock=lambda: at)


def _tick(uow: FakeUnitOfWork, check: AuthorityReportCheck, at: datetime) -> list[str]:
    """One scheduler tick at `at`: the keys of the messages it queued."""
    before = set(uow.state.outbox)
    with uow:
        for task in list(check.sweep(uow, at)):  # type: ignore[arg-type]
            task.run()
        uow.commit()
    return sorted(set(uow.state.outbox) - before)


def test_the_authority_report_clock_reminds_officers_at_half_time_and_management_at_the_hour() -> None:
    uow, check = FakeUnitOfWork(), AuthorityReportCheck(ORG, ReportingRules())
    ref = _report(uow)
    assert ORG.incidents.report_within.delta == timedelta(hours=1)  # Art. 9
    assert _tick(uow, check, NOW + timedelta(minutes=29)) == []
    due = _tick(uow, check, NOW + timedelta(minutes=30))
    assert due == [f"{ref}:authority-due:{o}" for o in OFFICERS]
    reminder = RENDER.render("incident.alert", uow.state.outbox[due[0]].context, "zh-CN").payload
    button = reminder["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("inc_authority", ref)  # the button that records it
    assert "03:00" in reminder["text"] or "11:00" in reminder["text"]  # the limit, in the company's zone
    assert _tick(uow, check, NOW + timedelta(minutes=45)) == []  # once
    assert _tick(uow, check, NOW + timedelta(minutes=60)) == [f"{ref}:authority-overdue:{m}" for m in MANAGERS]
    assert _tick(uow, check, NOW + timedelta(hours=5)) == []


def test_casualty_changes_are_followed_up_for_30_days_and_7_for_fires() -> None:
    rules = load_reporting_rules()
    assert rules.follow_up_for(IncidentType.FIRE) == rules.follow_up["fire"]
    assert rules.follow_up_for(IncidentType.INJURY).delta == timedelta(days=30)  # type: ignore[union-attr]
    assert rules.follow_up_for(IncidentType.NETWORK_SECURITY) is None  # its own rules: not a 生产安全事故
    assert follow_up_times(NOW, timedelta(days=7)) == [NOW + timedelta(days=6)]
    assert follow_up_times(NOW, timedelta(days=30)) == [NOW + timedelta(days=d) for d in (7, 14, 21, 28)]

    uow, check = FakeUnitOfWork(), AuthorityReportCheck(ORG, rules)
    fire, injury = _report(uow), _report(uow, IncidentType.INJURY)
    leak = _report(uow, IncidentType.NETWORK_SECURITY)
    for ref in (fire, injury, leak):
        _authority(uow, ref, NOW + timedelta(minutes=20))
    assert _tick(uow, check, NOW + timedelta(days=5)) == []
    assert _tick(uow, check, NOW + timedelta(days=6, hours=1)) == [f"{fire}:follow-up:1:{o}" for o in OFFICERS]
    assert _tick(uow, check, NOW + timedelta(days=16)) == [f"{injury}:follow-up:2:{o}" for o in OFFICERS]
    assert _tick(uow, check, NOW + timedelta(days=16, hours=5)) == []
    assert _tick(uow, check, NOW + timedelta(days=31)) == []  # the window is over
    follow_up = uow.state.outbox[f"{fire}:follow-up:1:U0SAFE2"]
    assert "Art. 13" in RENDER.render("incident.alert", follow_up.context, "en").payload["text"]


def test_a_checklist_over_45_items_is_paged_so_every_item_keeps_its_button() -> None:
    uow = FakeUnitOfWork()
    long = {kind: tuple(ChecklistItem(en=f"Step {i}", zh=f"第 {i} 步") for i in range(100)) for kind in IncidentType}
    ref = report_incident(ReportIncident(reporter_id="U0EMP2", kind=IncidentType.FIRE, occurred_at=NOW,
                                         location="Kitchen", description="Pan fire"),
                          uow=uow, org=ORG, clock=lambda: NOW, checklists=long).reference
    start_plan(ref, actor_id="U0SAFE1", uow=uow, org=ORG, clock=lambda: NOW)
    sent, _ = incidents.incident_hooks(ORG, lambda: NOW)
    with uow:
        sent["incident_channel"](uow, uow.outbox.by_key(f"{ref}:channel"), {"channel": {"id": "C0INC"}})
        uow.commit()
    pages = [uow.state.outbox[key] for key in (f"{ref}:checklist", f"{ref}:checklist:p2", f"{ref}:checklist:p3")]
    buttons = []
    for page in pages:
        blocks = RENDER.render("incident.checklist", page.context, "en").payload["blocks"]
        assert len(blocks) <= 50
        buttons += [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert buttons == [f"{ref}:{i}" for i in range(100)]
    tick_item(ref, 60, actor_id="U0HEAD1", uow=uow, org=ORG, clock=lambda: NOW)
    update = uow.state.outbox[f"{ref}:checklist:p2:update"]
    assert update.update_of == f"{ref}:checklist:p2"
    blocks = RENDER.render("incident.checklist", update.context, "en").payload["blocks"]
    assert {"type": "user", "user_id": "U0HEAD1"} in rich_elements(blocks) and "Step 60" in str(blocks)


def test_the_pinned_summary_has_the_controls_and_closing_with_items_undone_asks_first() -> None:
    uow = FakeUnitOfWork()
    ref = _report(uow)
    start_plan(ref, actor_id="U0SAFE1", uow=uow, org=ORG, clock=lambda: NOW)
    sent, _ = incidents.incident_hooks(ORG, lambda: NOW)
    with uow:
        sent["incident_channel"](uow, uow.outbox.by_key(f"{ref}:channel"), {"channel": {"id": "C0INC"}})
        uow.commit()

    def controls(key: str) -> dict[str, dict[str, Any]]:
        blocks = RENDER.render("incident.summary", uow.state.outbox[key].context, "en").payload["blocks"]
        return {e["action_id"]: e for e in blocks[-1]["elements"]}

    summary = controls(f"{ref}:summary")
    assert set(summary) == {"inc_authority", "inc_close", "inc_export"}
    assert "confirm" in summary["inc_close"]  # 0 of 6 ticked: asks before closing
    _authority(uow, ref, NOW)
    assert set(controls(f"{ref}:summary:update")) == {"inc_close", "inc_export"}  # refreshed in place
    for item in range(len(uow.state.incidents[ref].checklist)):
        tick_item(ref, item, actor_id="U0SAFE1", uow=uow, org=ORG, clock=lambda: NOW)
    post = RENDER.render("incident.post", uow.state.outbox[f"{ref}:safety-post:update"].context, "en").payload
    assert "confirm" not in {e["action_id"]: e for e in post["blocks"][-1]["elements"]}["inc_close"]


def test_the_report_translates_the_timeline_names_people_and_holds_notes_and_art_12() -> None:
    uow = FakeUnitOfWork()
    ref = _report(uow)
    start_plan(ref, actor_id="U0SAFE1", uow=uow, org=ORG, clock=lambda: NOW)
    with uow:
        uow.state.incidents[ref].thread_channel = "C0SAFETY"
        uow.commit()
    add_note(ref, actor_id="U0HEAD1", channel_id="C0SAFETY", text="Fire brigade arrived 10:42", permalink=None,
             uow=uow, clock=lambda: NOW)
    tick_item(ref, 1, actor_id="U0HEAD1", uow=uow, org=ORG, clock=lambda: NOW)
    _authority(uow, ref, NOW)
    report = incident_report(ref, viewer_id="U0SAFE1", uow=uow, org=ORG).model_copy(
        update={"names": {"U0HEAD1": "Wang Fang", "U0SAFE1": "Zhao Lei"}})
    for locale, started in (("en", "started the emergency plan"), ("zh-CN", "启动应急预案")):
        text = report_markdown(report, locale)
        assert started in text and "plan_started" not in text and "checklist_ticked" not in text
        assert "Fire brigade arrived 10:42" in text  # the note's text
        assert "Wang Fang" in text and "U0HEAD1" not in text and "U0SAFE1" not in text
        assert "5,000 yuan" in text and "District office" in text  # Art. 12's items
    ticked = "[x] Call 119 (fire) and 120 if anyone is hurt — Wang Fang, 2026-11-02 10:00"
    assert ticked in report_markdown(report, "en")


def test_a_confidential_incident_without_a_channel_tells_officers_and_management_of_its_actions() -> None:
    uow = FakeUnitOfWork(dispatcher=Dispatcher(hazards.subscriptions(ORG), incidents.subscriptions(ORG)))
    ref = _report(uow, IncidentType.DATA_LEAK)  # confidential; no plan started, so no channel of its own
    made = close_incident(CloseIncident(reference=ref, actor_id="U0SAFE1", root_cause="Wrong address",
                                        lessons="Check", actions=[CorrectiveAction(
                                            measures="Train staff", owner_id="U0EMP1",
                                            deadline=NOW + timedelta(days=7))]),
                          uow=uow, org=ORG, directory=FakeDirectory(set(USERS)), clock=lambda: NOW)
    told = {m.recipient for m in uow.state.outbox.values() if m.template == "incident.line"
            and m.recipient != "C0SAFETY"}
    assert told == {"U0SAFE2", "U0BOSS"}  # the closing officer holds the actions' thread in the DM
    closed = [m for m in uow.state.outbox.values() if m.context.get("line") == "closed" and m.recipient == "C0SAFETY"]
    assert [m.context["actor_name"] for m in closed] == ["u0safe1"]  # a channel names its closer, never pings
    homes = {m.recipient for m in uow.state.outbox.values() if m.template.startswith("hazard.")
             and m.context.get("reference") == made[0] and m.context.get("audience") == "safety"}
    assert homes == {"U0SAFE1"}  # the action's card (and so its thread) is in the closing officer's DM
    take_step(StepInput(reference=made[0], step=Step.COMPLETE, actor_id="U0EMP1", note="Trained"), uow=uow,
              org=ORG, calendar=WorkCalendar.from_org(ORG), directory=FakeDirectory(set(USERS)), clock=lambda: NOW)
    moved = [m for m in uow.state.outbox.values() if m.context.get("line") == "action_moved"]
    assert sorted(m.recipient for m in moved) == ["U0BOSS", "U0SAFE2"]
    text = RENDER.render("incident.line", moved[0].context, "en").payload["text"]
    assert made[0] in text and ref in text
    wider = [str(RENDER.render(m.template, m.context, "en").payload) for m in uow.state.outbox.values()
             if m.recipient == "C0SAFETY" and m.template.startswith("incident.")]
    assert wider and not any("Train staff" in text or made[0] in text for text in wider)
    about = {(m.template, m.recipient) for m in uow.state.outbox.values() if m.context.get("reference") == made[0]}
    assert {r for tpl, r in about if tpl == "hazard.step"} == {"U0SAFE1"}  # its thread: the closer's DM only
    assert {r for _, r in about} <= {"U0SAFE1", "U0EMP1", "U0HEAD1", "U0DEP1"}  # officer, owner, owner's heads
