"""Incidents (5.1, 5.2): reported at once up the chain, handled by an emergency plan, reported to the
higher authority, and closed only with a root cause, lessons and corrective actions.

Each use case checks the input, then in one unit of work changes the incident, appends its timeline event,
records its domain event, queues its messages (`bot.incidents.messages`) and commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, NotFound, WrongState, long_text_problem, text_problem
from bot.core.idempotency import remember, replay
from bot.core.model import CaseEvent, format_reference
from bot.core.org import Org
from bot.core.permissions import require_officer
from bot.core.ports import Directory
from bot.core.text import Limits, tidy
from bot.incidents.channel import create_channel
from bot.incidents.checklists import Checklists, load_incident_plans
from bot.incidents.corrective import open_corrective_action
from bot.incidents.events import AuthorityReported, EmergencyPlanStarted, IncidentClosed, IncidentReported
from bot.incidents.messages import Out
from bot.incidents.model import (
    ART12,
    ART12_OPTIONAL,
    HANDLING,
    AuthorityReport,
    CloseIncident,
    Incident,
    IncidentStatus,
    IncidentType,
    ReportIncident,
)
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.visibility import may_tick, told_at_once

PREFIX = "INC"
TEXT_MAX = Limits.DESCRIPTION
LOCATION_MAX = Limits.LOCATION
ART12_MAX = Limits.DESCRIPTION  # each of the authority report's items


def _check_report(cmd: ReportIncident, org: Org, now: datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if cmd.kind is None:
        problems["kind"] = "error.required"
    if cmd.occurred_at is None:
        problems["occurred_at"] = "error.required"
    elif cmd.occurred_at > now + timedelta(minutes=5):
        problems["occurred_at"] = "error.occurred_in_future"
    for name in ("location", "description"):
        problem = text_problem(getattr(cmd, name), LOCATION_MAX if name == "location" else TEXT_MAX)
        if problem:
            problems[name] = problem
    for name, limit in (("injured_names", Limits.NAMES), ("immediate_actions", Limits.IMMEDIATE_ACTIONS),
                        ("injured", Limits.COUNT)):
        if problem := long_text_problem(getattr(cmd, name), limit, "error.too_long"):
            problems[name] = problem
    if "injured" not in problems and not (tidy(cmd.injured) or "0").isdecimal():
        problems["injured"] = "error.not_a_count"
    if cmd.department_key and org.department(cmd.department_key) is None:
        problems["department"] = "error.unknown_department"
    return problems


def report_incident(cmd: ReportIncident, *, uow: IncidentsUnitOfWork, org: Org, clock: Clock,
                    checklists: Checklists | None = None, once: str | None = None) -> Incident:
    """`once`: the submission's key; the same submission again gets the incident the first one made."""
    now = clock()
    if problems := _check_report(cmd, org, now):
        raise InvalidInput(problems, {"injured_names": {"most": Limits.NAMES}, "injured": {"most": Limits.COUNT},
                                      "immediate_actions": {"most": Limits.IMMEDIATE_ACTIONS}})
    assert cmd.kind is not None and cmd.occurred_at is not None
    with uow:
        if (earlier := replay(uow, once, at=now)) is not None:
            first = load(uow, str(earlier["reference"]))
            uow.commit()  # nothing to write; keeps the loaded incident readable after the block
            return first
        year = now.astimezone(org.tz).year
        incident = Incident(
            reference=format_reference(PREFIX, year, uow.references.next(PREFIX, year)), kind=cmd.kind,
            occurred_at=cmd.occurred_at, location=tidy(cmd.location), description=tidy(cmd.description),
            injured=int(tidy(cmd.injured) or "0"), injured_names=tidy(cmd.injured_names),
            immediate_actions=tidy(cmd.immediate_actions), reporter_id=cmd.reporter_id,
            department_key=cmd.department_key or getattr(org.department_of(cmd.reporter_id), "key", None),
            confidential=cmd.confidential or cmd.kind is IncidentType.DATA_LEAK, reported_at=now,
            checklist=[{"item": i, **item.model_dump(), "done_by": None, "done_at": None}
                       for i, item in enumerate((checklists or load_incident_plans())[cmd.kind])])
        uow.incidents.add(incident)
        uow.events.append(CaseEvent(case_ref=incident.reference, action="reported", actor_id=cmd.reporter_id,
                                    at=now, changes={"kind": cmd.kind.value, "urgent": incident.urgent,
                                                     "confidential": incident.confidential}))
        uow.record(IncidentReported(case_ref=incident.reference, actor_id=cmd.reporter_id, at=now, kind=cmd.kind,
                                    urgent=incident.urgent, confidential=incident.confidential))
        out = Out(uow, incident, org, now)
        out.send("safety-post", org.safety_department.channel, "incident.post", on_sent="incident_thread")
        for person in told_at_once(incident, org):
            out.alert(f"told:{person}", person)  # confidential details reach only these
        out.send(f"reporter:{cmd.reporter_id}", cmd.reporter_id, "incident.receipt")
        remember(uow, once, {"reference": incident.reference})
        uow.commit()
        return incident


def load(uow: IncidentsUnitOfWork, reference: str, *, lock: bool = False) -> Incident:
    incident = uow.incidents.get(reference, lock=lock)
    if incident is None:
        raise NotFound("error.case_not_found", reference=reference)
    return incident


def require_incident(reference: str, *, uow: IncidentsUnitOfWork) -> None:
    """Raise NotFound unless the incident exists: a button refuses before its modal opens on nothing."""
    with uow:
        load(uow, reference)


def start_plan(reference: str, *, actor_id: str, uow: IncidentsUnitOfWork, org: Org, clock: Clock) -> None:
    """The safety department starts the emergency plan (5.2.2): a channel of its own, people, checklist."""
    require_officer(actor_id, org)
    now = clock()
    with uow:
        incident = load(uow, reference, lock=True)
        if incident.status is not IncidentStatus.REPORTED:
            raise WrongState("error.incident_state", reference=reference, status=incident.status.value)
        incident.status = IncidentStatus.RESPONDING
        uow.events.append(incident.step("plan_started", actor_id, now, status=["reported", "responding"]))
        uow.record(EmergencyPlanStarted(case_ref=reference, actor_id=actor_id, at=now))
        out = Out(uow, incident, org, now)
        safety = org.safety_department.channel
        create_channel(out, incident, safety)
        out.refresh_posts()
        uow.commit()


def tick_item(reference: str, item: int, *, actor_id: str, uow: IncidentsUnitOfWork, org: Org, clock: Clock,
              name: str | None = None) -> bool:
    """Tick a checklist item (only those handling the incident may); False when it was already ticked.
    `name`: how the checklist in the channel names who ticked it (learned before the transaction), so that
    the tick pings nobody; only the next actor is pinged."""
    now = clock()
    with uow:
        incident = uow.incidents.get(reference, lock=True)
        if incident is None or not may_tick(actor_id, incident, org):  # the same answer: nothing leaks
            raise NotAllowed("error.not_handling", reference=reference)
        if incident.status not in HANDLING:
            raise WrongState("error.incident_state", reference=reference, status=incident.status.value)
        checklist = [dict(entry) for entry in incident.checklist]
        if not 0 <= item < len(checklist):
            raise NotFound("error.case_not_found", reference=f"{reference} #{item + 1}")
        if checklist[item]["done_by"]:
            return False
        checklist[item] |= {"done_by": actor_id, "done_at": now.isoformat()} | ({"done_by_name": name} if name else {})
        incident.checklist = checklist
        uow.events.append(incident.step("checklist_ticked", actor_id, now, item=item, text=checklist[item]["en"]))
        out = Out(uow, incident, org, now)
        key = "checklist" if incident.channel_id else "checklist-thread"
        out.refresh_checklist(key, incident.channel_id or org.safety_department.channel, item)
        out.refresh_posts()  # their "checklist n/m" and whether closing asks first
        uow.commit()
        return True


def record_authority_report(cmd: AuthorityReport, *, uow: IncidentsUnitOfWork, org: Org, clock: Clock,
                            name: str | None = None) -> None:
    """The report to the higher authority (5.2.3): who reported, to whom, when, and its number. `name`: how the
    channel's line names the officer (learned before the transaction), so it pings nobody."""
    require_officer(cmd.actor_id, org)
    now = clock()
    problems = {}
    if problem := text_problem(cmd.authority, Limits.AUTHORITY):
        problems["authority"] = problem
    if cmd.reported_on is None:
        problems["reported_on"] = "error.required"
    elif cmd.reported_on > now.astimezone(org.tz).date():
        problems["reported_on"] = "error.done_in_future"
    if len(tidy(cmd.number)) > Limits.AUTHORITY_NUMBER:
        problems["number"] = "error.too_long_text"
    for name in ART12:
        value = getattr(cmd, name)
        if name in ART12_OPTIONAL:
            if problem := long_text_problem(value, ART12_MAX, "error.too_long"):
                problems[name] = problem
        elif problem := text_problem(value, ART12_MAX):
            problems[name] = problem
    if problems:
        raise InvalidInput(problems, {name: {"most": ART12_MAX} for name in ART12})
    with uow:
        incident = load(uow, cmd.reference, lock=True)
        if incident.authority_report is not None:
            raise WrongState("error.already_done")
        incident.authority_report = {"by": cmd.actor_id, "to": tidy(cmd.authority),
                                     "on": cmd.reported_on.isoformat() if cmd.reported_on else None,
                                     "number": tidy(cmd.number), "recorded_at": now.isoformat(),
                                     **{name: tidy(getattr(cmd, name)) for name in ART12}}
        uow.events.append(incident.step("authority_reported", cmd.actor_id, now, **incident.authority_report))
        uow.record(AuthorityReported(case_ref=cmd.reference, actor_id=cmd.actor_id, at=now,
                                     authority=tidy(cmd.authority)))
        out = Out(uow, incident, org, now)
        out.thread(f"r{incident.revision}:authority", "authority_reported", actor=cmd.actor_id, actor_name=name)
        out.refresh_posts()
        out.settle_reminders()
        uow.commit()


def add_note(reference: str, *, actor_id: str, channel_id: str, text: str, permalink: str | None,
             uow: IncidentsUnitOfWork, clock: Clock) -> None:
    """A message added to the timeline with the shortcut, from the incident's own channel or its thread in the
    safety channel (where it is handled when it has no channel)."""
    with uow:
        incident = load(uow, reference)
        if channel_id not in (incident.channel_id, incident.thread_channel):
            raise NotAllowed("error.not_incident_channel")
        uow.events.append(incident.step("note_added", actor_id, clock(), text=tidy(text)[:TEXT_MAX],
                                        permalink=permalink))
        uow.commit()


def incident_in_channel(channel_id: str, *, uow: IncidentsUnitOfWork) -> str | None:
    with uow:
        incident = uow.incidents.by_channel(channel_id)
        return incident.reference if incident else None


def incident_in_thread(channel_id: str, thread_ts: str, *, uow: IncidentsUnitOfWork) -> str | None:
    """The incident whose safety-channel post starts this thread, if any."""
    with uow:
        incident = uow.incidents.by_thread(channel_id, thread_ts)
        return incident.reference if incident else None


def _check_close(cmd: CloseIncident, directory: Directory, now: datetime, latest: datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name in ("root_cause", "lessons"):
        if problem := text_problem(getattr(cmd, name), TEXT_MAX):
            problems[name] = problem
    rows = [(i, a) for i, a in enumerate(cmd.actions) if tidy(a.measures) or a.owner_id or a.deadline]
    if not rows:
        problems["action_0"] = "error.one_action"
    for i, action in rows:
        if problem := text_problem(action.measures, TEXT_MAX):
            problems[f"action_{i}"] = problem
        elif not action.owner_id or not directory.is_active_user(action.owner_id):
            problems[f"owner_{i}"] = "error.unknown_user"
        elif action.deadline is None or action.deadline <= now:
            problems[f"deadline_{i}"] = "error.deadline_past"
        elif action.deadline > latest:  # the org file's horizon, as for any rectification deadline
            problems[f"deadline_{i}"] = "error.deadline_too_far"
    return problems


def close_incident(cmd: CloseIncident, *, uow: IncidentsUnitOfWork, org: Org, directory: Directory,
                   clock: Clock) -> list[str]:
    """Close (5.2.4) with root cause, lessons and corrective actions; each action becomes a rectification.

    Returns the references of the rectifications made.
    """
    require_officer(cmd.actor_id, org)
    now = clock()
    horizon = org.deadlines.max_ahead.delta
    if problems := _check_close(cmd, directory, now, now + horizon + timedelta(days=1)):
        raise InvalidInput(problems, {name: {"most": horizon.days} for name in problems})
    rows = [(i, a) for i, a in enumerate(cmd.actions) if tidy(a.measures) or a.owner_id or a.deadline]
    name = directory.name_of(cmd.actor_id)  # the channel's line names the closer: before the transaction
    with uow:
        incident = load(uow, cmd.reference, lock=True)
        if incident.status not in HANDLING:
            raise WrongState("error.incident_state", reference=cmd.reference, status=incident.status.value)
        incident.root_cause, incident.lessons = tidy(cmd.root_cause), tidy(cmd.lessons)
        incident.status, incident.closed_at = IncidentStatus.CLOSED, now
        made = [open_corrective_action(uow, incident, action, i, cmd.actor_id, org, now) for i, action in rows]
        uow.events.append(incident.step("closed", cmd.actor_id, now, root_cause=incident.root_cause,
                                        lessons=incident.lessons, actions=made))
        uow.record(IncidentClosed(case_ref=cmd.reference, actor_id=cmd.actor_id, at=now, corrective_actions=made))
        out = Out(uow, incident, org, now)
        out.thread(f"r{incident.revision}:closed", "closed", actor=cmd.actor_id, actor_name=name, opened=made)
        out.tell_circle(f"r{incident.revision}:closed", "closed", exclude=cmd.actor_id, actor=cmd.actor_id,
                        opened=made)
        out.refresh_posts()
        out.notify("closed")
        uow.commit()
        return made
