"""Without a database or Slack: an incident follows its corrective actions through the hazard feature's
domain events, and every hazard and incident message renders in both languages from its typed context."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import bot.hazards as hazards
import bot.incidents as incidents
import handlers.hazards
import handlers.incidents
from bot.core.events import Dispatcher
from bot.core.i18n import SUPPORTED
from bot.core.org import Org, parse_org
from bot.core.workdays import WorkCalendar
from bot.hazards.changes import StepInput
from bot.hazards.contexts import CalendarNotice
from bot.hazards.model import HazardStatus, Step
from bot.hazards.usecases import take_step
from bot.incidents.contexts import FindChannel
from bot.incidents.model import (
    AuthorityReport,
    CloseIncident,
    CorrectiveAction,
    IncidentStatus,
    IncidentType,
    ReportIncident,
)
from bot.incidents.report import queue_report_file
from bot.incidents.usecases import close_incident, record_authority_report, report_incident, start_plan, tick_item
from handlers.core.render import BlockKitRenderer
from tests.conftest import ORG_YAML, USERS
from tests.fakes import FakeDirectory, FakeUnitOfWork

ORG: Org = parse_org(ORG_YAML)
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _uow(dispatcher: Dispatcher | None) -> FakeUnitOfWork:
    return FakeUnitOfWork(dispatcher=dispatcher)


def _incident_with_one_action(uow: FakeUnitOfWork) -> tuple[str, str]:
    clock = lambda: NOW  # noqa: E731
    ref = report_incident(ReportIncident(reporter_id="U0EMP2", kind=IncidentType.FIRE, occurred_at=NOW,
                                         location="Kitchen", description="Pan fire", injured="0"),
                          uow=uow, org=ORG, clock=clock).reference
    start_plan(ref, actor_id="U0SAFE1", uow=uow, org=ORG, clock=clock)
    sent, _ = incidents.incident_hooks(ORG, clock)
    channel = uow.outbox.by_key(f"{ref}:channel")
    with uow:
        sent["incident_channel"](uow, channel, {"channel": {"id": "C0INC"}})
        sent["incident_pin"](uow, uow.outbox.by_key(f"{ref}:summary"), {"channel": "C0INC", "ts": "1.2"})
        uow.commit()
    tick_item(ref, 0, actor_id="U0HEAD1", uow=uow, org=ORG, clock=clock)
    record_authority_report(AuthorityReport(reference=ref, actor_id="U0SAFE1", authority="Fire brigade",
                                            reported_on=date(2026, 11, 2), unit="Acme", scene="Kitchen, 10:00",
                                            account="Pan fire", casualties="none", measures="Put out"),
                            uow=uow, org=ORG, clock=clock)
    queue_report_file(ref, actor_id="U0SAFE1", uow=uow, org=ORG, clock=clock)
    made = close_incident(CloseIncident(reference=ref, actor_id="U0SAFE1", root_cause="Oil", lessons="Watch", actions=[
        CorrectiveAction(measures="Buy a lid", owner_id="U0EMP1", deadline=NOW + timedelta(days=7))]),
        uow=uow, org=ORG, directory=FakeDirectory(set(USERS)), clock=clock)
    return ref, made[0]


def _rectify(uow: FakeUnitOfWork, hazard_ref: str) -> None:
    for step, actor, note in ((Step.COMPLETE, "U0EMP1", "Lid bought"), (Step.APPROVE, "U0HEAD1", ""),
                              (Step.VERIFY, "U0SAFE1", "")):
        take_step(StepInput(reference=hazard_ref, step=step, actor_id=actor, note=note), uow=uow, org=ORG,
                  calendar=WorkCalendar.from_org(ORG), directory=FakeDirectory(set(USERS)), clock=lambda: NOW)


def test_the_incident_is_resolved_by_the_verification_of_its_last_corrective_action() -> None:
    uow = _uow(Dispatcher(hazards.subscriptions(ORG), incidents.subscriptions(ORG)))
    ref, action = _incident_with_one_action(uow)
    assert uow.state.hazards[action].incident_ref == ref
    assert [r.reference for r in hazards.rectifications_of(ref, uow=uow)] == [action]
    _rectify(uow, action)
    assert uow.state.hazards[action].status is HazardStatus.CLOSED
    assert uow.state.incidents[ref].status is IncidentStatus.RESOLVED
    assert [e.action for e in uow.state.events if e.case_ref == ref][-2:] == ["closed", "resolved"]
    assert uow.outbox.by_key(f"{ref}:r{uow.state.incidents[ref].revision}:resolved") is not None


def test_nobody_subscribed_nothing_reacts() -> None:
    uow = _uow(None)
    ref, action = _incident_with_one_action(uow)
    _rectify(uow, action)
    assert uow.state.incidents[ref].status is IncidentStatus.CLOSED


def test_every_message_renders_in_both_languages_from_its_typed_context() -> None:
    uow = _uow(Dispatcher(hazards.subscriptions(ORG), incidents.subscriptions(ORG)))
    _, action = _incident_with_one_action(uow)
    _rectify(uow, action)
    messages = list(uow.state.outbox.values())
    contexts = {**hazards.CONTEXTS, **incidents.CONTEXTS}
    renderer = BlockKitRenderer([*handlers.hazards.TEMPLATES, *handlers.incidents.TEMPLATES])
    rendered: set[str] = set()
    for message in messages:
        contexts[message.template].model_validate(message.context)  # what was queued is what the view reads
        for locale in SUPPORTED:
            assert renderer.render(message.template, message.context, locale), message.key
        rendered.add(message.template)
    for locale in SUPPORTED:
        assert "2031" in renderer.render("calendar.unknown_year", CalendarNotice(year=2031).model_dump(mode="json"),
                                         locale).payload["text"]
    # Queued only when conversations.create answered name_taken: rendered here from its context.
    find = FindChannel(recipient="C0SAFETY", name="inc-2026-0001-k3f9", is_private=True, cursor="1000")
    for locale in SUPPORTED:
        call = renderer.render("incident.find_channel", find.model_dump(mode="json"), locale)
        assert call.method == "conversations.list" and call.payload["cursor"] == "1000"
        assert call.payload["types"] == "public_channel,private_channel"
    assert rendered | {"calendar.unknown_year", "incident.find_channel"} == set(contexts)
