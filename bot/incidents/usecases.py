"""Incidents (5.1, 5.2): reported at once up the chain, handled by an emergency plan, reported to the
higher authority, and closed only with a root cause, lessons and corrective actions.

Each corrective action becomes a rectification in the hazard closed loop (`bot.hazards.usecases`), linked back
here; the incident is *resolved* when all of them are verified. Slack work that needs an answer (the
incident's own channel, pins) goes through the outbox like any message, with hooks that record the
answer, so nothing is lost when Slack fails and a failed channel falls back to the safety thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, NotFound, WrongState, text_problem
from bot.core.model import CaseEvent, format_reference
from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.ports import Directory, UnitOfWork
from bot.hazards.messages import Outgoing, queue_report
from bot.hazards.workflow import Hazard, HazardCategory, HazardStatus, Severity

PREFIX = "INC"
TEXT_MAX = 3000
MAX_ACTIONS = 3


class IncidentType(StrEnum):
    FIRE = "fire"
    INJURY = "injury"
    ELECTRICAL = "electrical"
    NETWORK_SECURITY = "network_security"
    DATA_LEAK = "data_leak"
    EVACUATION = "evacuation"
    OTHER = "other"


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    RESPONDING = "responding"  # the emergency plan is running
    CLOSED = "closed"  # root cause, lessons and actions recorded; actions under way
    RESOLVED = "resolved"  # every corrective action verified


HAZARD_CATEGORY = {
    IncidentType.FIRE: HazardCategory.FIRE, IncidentType.ELECTRICAL: HazardCategory.ELECTRICAL,
    IncidentType.NETWORK_SECURITY: HazardCategory.NETWORK, IncidentType.DATA_LEAK: HazardCategory.INFOSEC,
    IncidentType.INJURY: HazardCategory.PREMISES, IncidentType.EVACUATION: HazardCategory.PREMISES,
    IncidentType.OTHER: HazardCategory.OTHER,
}


class ChecklistItem(BaseModel, extra="forbid"):
    en: str = Field(min_length=1, max_length=500)
    zh: str = Field(min_length=1, max_length=500)


Checklists = dict[IncidentType, tuple[ChecklistItem, ...]]
DEFAULT_PLANS = Path(__file__).parent / "plans.yml"


def load_incident_plans(path: Path | None = None) -> Checklists:
    """The emergency plans' checklists per incident type (5.1, 5.3): data the company may edit.

    `path` None: the set shipped with the app. A type the file leaves out uses its `other` list.
    Raises ValueError naming the file and the mistake.
    """
    source = path or DEFAULT_PLANS
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        plans = {IncidentType(kind): tuple(ChecklistItem.model_validate(item) for item in items)
                 for kind, items in raw.items()}
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: {exc}") from exc
    if IncidentType.OTHER not in plans:
        raise ValueError(f"{source}: needs an 'other' checklist for the types it leaves out")
    return {kind: plans.get(kind, plans[IncidentType.OTHER]) for kind in IncidentType}


@dataclass(eq=False)
class Incident:
    reference: str
    kind: IncidentType
    occurred_at: datetime
    location: str
    description: str
    injured: int
    injured_names: str
    immediate_actions: str
    reporter_id: str
    department_key: str | None
    confidential: bool
    reported_at: datetime
    status: IncidentStatus = IncidentStatus.REPORTED
    channel_id: str | None = None
    channel_failed: str | None = None  # why the incident channel could not be made; handled in the thread
    thread_channel: str | None = None
    thread_ts: str | None = None
    checklist: list[dict[str, Any]] = field(default_factory=list)
    authority_report: dict[str, Any] | None = None
    root_cause: str | None = None
    lessons: str | None = None
    closed_at: datetime | None = None
    revision: int = 1
    id: int | None = None

    @property
    def urgent(self) -> bool:
        return self.injured > 0 or self.kind in (IncidentType.FIRE, IncidentType.DATA_LEAK)

    def step(self, action: str, actor_id: str, now: datetime, **changes: Any) -> CaseEvent:
        self.revision += 1
        return CaseEvent(case_ref=self.reference, action=action, actor_id=actor_id, at=now, changes=changes)


class ReportIncident(BaseModel):
    reporter_id: str
    kind: IncidentType | None
    occurred_at: datetime | None
    location: str
    description: str
    injured: str = "0"  # as typed: checked here, so a letter comes back as a field error
    injured_names: str = ""
    immediate_actions: str = ""
    department_key: str | None = None
    confidential: bool = False


class CorrectiveAction(BaseModel):
    measures: str
    owner_id: str | None
    deadline: datetime | None


class CloseIncident(BaseModel):
    reference: str
    actor_id: str
    root_cause: str
    lessons: str
    actions: list[CorrectiveAction] = Field(default_factory=list)


class AuthorityReport(BaseModel):
    reference: str
    actor_id: str
    authority: str
    reported_on: date | None
    number: str = ""


def context_of(incident: Incident, org: Org) -> dict[str, Any]:
    department = org.department(incident.department_key or "")
    return {
        "reference": incident.reference, "kind": incident.kind.value, "status": incident.status.value,
        "occurred_at": incident.occurred_at.isoformat(), "reported_at": incident.reported_at.isoformat(),
        "location": incident.location, "description": incident.description, "injured": incident.injured,
        "injured_names": incident.injured_names, "immediate_actions": incident.immediate_actions,
        "reporter": incident.reporter_id, "department": department.name if department else None,
        "confidential": incident.confidential, "urgent": incident.urgent, "timezone": org.timezone,
        "channel": incident.channel_id, "channel_failed": incident.channel_failed,
        "checklist": incident.checklist, "authority_report": incident.authority_report,
        "root_cause": incident.root_cause, "lessons": incident.lessons,
        "thread": [incident.thread_channel, incident.thread_ts] if incident.thread_ts else None,
    }


class _Out:
    def __init__(self, uow: UnitOfWork, incident: Incident, org: Org, now: datetime) -> None:
        self.uow, self.incident, self.org, self.now = uow, incident, org, now
        actions = uow.hazards.find(incident_ref=incident.reference, limit=100)
        self.context = {**context_of(incident, org), "actions": [[h.reference, h.status.value] for h in actions]}

    def send(self, key: str, recipient: str, template: str, extra: dict[str, Any] | None = None,
             **fields: Any) -> None:
        self.uow.outbox.add(self.message(key, recipient, template, extra, **fields))

    def message(self, key: str, recipient: str, template: str, extra: dict[str, Any] | None = None,
                **fields: Any) -> OutboxMessage:
        return OutboxMessage(key=f"{self.incident.reference}:{key}", recipient=recipient, template=template,
                             context={**self.context, "recipient": recipient, **(extra or {})},
                             created_at=self.now, subject=self.incident.reference, **fields)

    def refresh(self, key: str, recipient: str, template: str) -> None:
        """Update a posted message in place with the incident's current state."""
        self.uow.outbox.put_latest(self.message(f"{key}:update", recipient, template,
                                                update_of=f"{self.incident.reference}:{key}"))

    def thread(self, key: str, extra: dict[str, Any]) -> None:
        """A line in the incident's own channel, or in the safety thread when there is none."""
        if self.incident.channel_id:
            self.send(key, self.incident.channel_id, "incident.line", extra)
        else:
            self.send(key, self.org.safety_department.channel, "incident.line", extra,
                      thread_of=self.incident.reference)


def _refresh_posts(out: _Out) -> None:
    out.refresh("safety-post", out.org.safety_department.channel, "incident.post")
    if out.incident.channel_id:
        out.refresh("checklist", out.incident.channel_id, "incident.checklist")


def report_incident(cmd: ReportIncident, *, uow: UnitOfWork, org: Org, clock: Clock,
                    checklists: Checklists | None = None) -> Incident:
    now = clock()
    problems: dict[str, str] = {}
    if cmd.kind is None:
        problems["kind"] = "error.required"
    if cmd.occurred_at is None:
        problems["occurred_at"] = "error.required"
    elif cmd.occurred_at > now + timedelta(minutes=5):
        problems["occurred_at"] = "error.occurred_in_future"
    for name in ("location", "description"):
        problem = text_problem(getattr(cmd, name), 200 if name == "location" else TEXT_MAX)
        if problem:
            problems[name] = problem
    injured = cmd.injured.strip() or "0"
    if not injured.isdigit():
        problems["injured"] = "error.not_a_count"
    if cmd.department_key and org.department(cmd.department_key) is None:
        problems["department"] = "error.unknown_department"
    if problems:
        raise InvalidInput(problems)
    assert cmd.kind is not None and cmd.occurred_at is not None
    with uow:
        year = now.astimezone(org.tz).year
        incident = Incident(
            reference=format_reference(PREFIX, year, uow.references.next(PREFIX, year)), kind=cmd.kind,
            occurred_at=cmd.occurred_at, location=cmd.location.strip(), description=cmd.description.strip(),
            injured=int(injured), injured_names=cmd.injured_names.strip(),
            immediate_actions=cmd.immediate_actions.strip(), reporter_id=cmd.reporter_id,
            department_key=cmd.department_key or getattr(org.department_of(cmd.reporter_id), "key", None),
            confidential=cmd.confidential or cmd.kind is IncidentType.DATA_LEAK, reported_at=now,
            checklist=[{"item": i, **item.model_dump(), "done_by": None, "done_at": None}
                       for i, item in enumerate((checklists or load_incident_plans())[cmd.kind])])
        uow.incidents.add(incident)
        uow.events.append(CaseEvent(case_ref=incident.reference, action="reported", actor_id=cmd.reporter_id,
                                    at=now, changes={"kind": cmd.kind.value, "urgent": incident.urgent,
                                                     "confidential": incident.confidential}))
        out = _Out(uow, incident, org, now)
        out.send("safety-post", org.safety_department.channel, "incident.post", on_sent="incident_thread")
        department = org.department(incident.department_key or "")
        told = {*(department.leaders if department else []), *org.management.members} - {cmd.reporter_id}
        for person in sorted(told):
            out.send(f"told:{person}", person, "incident.alert")  # confidential details reach only these
        out.send(f"reporter:{cmd.reporter_id}", cmd.reporter_id, "incident.receipt")
        uow.commit()
        return incident


def _load(uow: UnitOfWork, reference: str, *, lock: bool = False) -> Incident:
    incident = uow.incidents.get(reference, lock=lock)
    if incident is None:
        raise NotFound("error.case_not_found", reference=reference)
    return incident


def require_officer(actor_id: str, org: Org) -> None:
    """Starting the plan, the authority report and closing are the safety department's (5.2)."""
    if not org.is_safety_officer(actor_id):
        raise NotAllowed("error.safety_only")


def channel_name(reference: str) -> str:
    return reference.lower()


def start_plan(reference: str, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock) -> None:
    """The safety department starts the emergency plan (5.2.2): a channel of its own, people, checklist."""
    require_officer(actor_id, org)
    now = clock()
    with uow:
        incident = _load(uow, reference, lock=True)
        if incident.status is not IncidentStatus.REPORTED:
            raise WrongState("error.incident_state", reference=reference, status=incident.status.value)
        incident.status = IncidentStatus.RESPONDING
        uow.events.append(incident.step("plan_started", actor_id, now, status=["reported", "responding"]))
        out = _Out(uow, incident, org, now)
        out.send("channel", org.safety_department.channel, "incident.create_channel", {
            "name": channel_name(reference), "is_private": incident.confidential},
            method="conversations.create", on_sent="incident_channel", on_failed="incident_channel_failed")
        _refresh_posts(out)
        uow.commit()


def _people_to_invite(incident: Incident, org: Org) -> list[str]:
    department = org.department(incident.department_key or "")
    people = [incident.reporter_id, *(department.leaders if department else []), *org.safety_department.members,
              *(member.user for member in org.emergency_team)]
    return list(dict.fromkeys(people))


def incident_hooks(org: Org, clock: Clock) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the outbox does with Slack's answers for incidents: (sent hooks, failed hooks)."""

    def record_thread(uow: UnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None and incident.thread_ts is None:
            incident.thread_channel, incident.thread_ts = answer["channel"], answer["ts"]

    def channel_made(uow: UnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None:
            return
        incident.channel_id = answer["channel"]["id"]
        now, out = clock(), _Out(uow, incident, org, clock())
        out.send("invite", incident.channel_id, "incident.invite", {"users": _people_to_invite(incident, org)},
                 method="conversations.invite")
        out.send("summary", incident.channel_id, "incident.summary", on_sent="incident_pin")
        out.send("checklist", incident.channel_id, "incident.checklist")
        out.thread(f"r{incident.revision}:channel", {"line": "channel_made", "actor": None})
        _refresh_posts(out)
        uow.events.append(incident.step("channel_created", "USAFETYBOT", now, channel=incident.channel_id))

    def pin(uow: UnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is not None:
            _Out(uow, incident, org, clock()).send("pin", answer["channel"], "incident.pin",
                                                   {"ts": answer["ts"]}, method="pins.add")

    def channel_failed(uow: UnitOfWork, message: OutboxMessage, error: str) -> None:
        incident = uow.incidents.get(message.subject or "", lock=True)
        if incident is None:
            return
        incident.channel_failed = error
        out = _Out(uow, incident, org, clock())
        out.thread("channel-failed", {"line": "channel_failed", "error": error, "actor": None,
                                      "officers": list(org.safety_department.members)})
        out.send("checklist-thread", org.safety_department.channel, "incident.checklist",
                 thread_of=incident.reference)
        uow.events.append(incident.step("channel_failed", "USAFETYBOT", clock(), error=error))

    return ({"incident_thread": record_thread, "incident_channel": channel_made, "incident_pin": pin},
            {"incident_channel_failed": channel_failed})


def tick_item(reference: str, item: int, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock) -> bool:
    """Tick a checklist item (anyone handling the incident may); False when it was already ticked."""
    now = clock()
    with uow:
        incident = _load(uow, reference, lock=True)
        if incident.status not in (IncidentStatus.REPORTED, IncidentStatus.RESPONDING):
            raise WrongState("error.incident_state", reference=reference, status=incident.status.value)
        checklist = [dict(entry) for entry in incident.checklist]
        if not 0 <= item < len(checklist):
            raise NotFound("error.case_not_found", reference=f"{reference} #{item + 1}")
        if checklist[item]["done_by"]:
            return False
        checklist[item] |= {"done_by": actor_id, "done_at": now.isoformat()}
        incident.checklist = checklist
        uow.events.append(incident.step("checklist_ticked", actor_id, now, item=item, text=checklist[item]["en"]))
        out = _Out(uow, incident, org, now)
        key = "checklist" if incident.channel_id else "checklist-thread"
        out.refresh(key, incident.channel_id or org.safety_department.channel, "incident.checklist")
        uow.commit()
        return True


def record_authority_report(cmd: AuthorityReport, *, uow: UnitOfWork, org: Org, clock: Clock) -> None:
    """The report to the higher authority (5.2.3): who reported, to whom, when, and its number."""
    require_officer(cmd.actor_id, org)
    now = clock()
    problems = {}
    if problem := text_problem(cmd.authority, 200):
        problems["authority"] = problem
    if cmd.reported_on is None:
        problems["reported_on"] = "error.required"
    elif cmd.reported_on > now.astimezone(org.tz).date():
        problems["reported_on"] = "error.done_in_future"
    if len(cmd.number) > 100:
        problems["number"] = "error.too_long_text"
    if problems:
        raise InvalidInput(problems)
    with uow:
        incident = _load(uow, cmd.reference, lock=True)
        if incident.authority_report is not None:
            raise WrongState("error.already_done")
        incident.authority_report = {"by": cmd.actor_id, "to": cmd.authority.strip(),
                                     "on": cmd.reported_on.isoformat() if cmd.reported_on else None,
                                     "number": cmd.number.strip(), "recorded_at": now.isoformat()}
        uow.events.append(incident.step("authority_reported", cmd.actor_id, now, **incident.authority_report))
        out = _Out(uow, incident, org, now)
        out.thread(f"r{incident.revision}:authority", {"line": "authority_reported", "actor": cmd.actor_id})
        _refresh_posts(out)
        uow.commit()


def add_note(reference: str, *, actor_id: str, channel_id: str, text: str, permalink: str | None,
             uow: UnitOfWork, clock: Clock) -> None:
    """A message added to the timeline with the shortcut, from the incident's own channel only."""
    with uow:
        incident = _load(uow, reference)
        if channel_id not in (incident.channel_id, incident.thread_channel):
            raise NotAllowed("error.not_incident_channel")
        uow.events.append(incident.step("note", actor_id, clock(), text=text[:TEXT_MAX], permalink=permalink))
        uow.commit()


def incident_in_channel(channel_id: str, *, uow: UnitOfWork) -> str | None:
    with uow:
        incident = uow.incidents.by_channel(channel_id)
        return incident.reference if incident else None


def close_incident(cmd: CloseIncident, *, uow: UnitOfWork, org: Org, directory: Directory, clock: Clock) -> list[str]:
    """Close (5.2.4) with root cause, lessons and corrective actions; each action becomes a rectification.

    Returns the references of the rectifications made.
    """
    require_officer(cmd.actor_id, org)
    now = clock()
    problems: dict[str, str] = {}
    for name in ("root_cause", "lessons"):
        if problem := text_problem(getattr(cmd, name), TEXT_MAX):
            problems[name] = problem
    rows = [(i, a) for i, a in enumerate(cmd.actions) if a.measures.strip() or a.owner_id or a.deadline]
    actions = [a for _, a in rows]
    if not actions:
        problems["action_0"] = "error.one_action"
    for i, action in rows:
        if problem := text_problem(action.measures, TEXT_MAX):
            problems[f"action_{i}"] = problem
        elif not action.owner_id or not directory.is_active_user(action.owner_id):
            problems[f"owner_{i}"] = "error.unknown_user"
        elif action.deadline is None or action.deadline <= now:
            problems[f"deadline_{i}"] = "error.deadline_past"
    if problems:
        raise InvalidInput(problems)
    with uow:
        incident = _load(uow, cmd.reference, lock=True)
        if incident.status not in (IncidentStatus.REPORTED, IncidentStatus.RESPONDING):
            raise WrongState("error.incident_state", reference=cmd.reference, status=incident.status.value)
        incident.root_cause, incident.lessons = cmd.root_cause.strip(), cmd.lessons.strip()
        incident.status, incident.closed_at = IncidentStatus.CLOSED, now
        made = [_open_rectification(uow, incident, action, i, cmd.actor_id, org, now) for i, action in rows]
        uow.events.append(incident.step("closed", cmd.actor_id, now, root_cause=incident.root_cause,
                                        lessons=incident.lessons, actions=made))
        out = _Out(uow, incident, org, now)
        out.thread(f"r{incident.revision}:closed", {"line": "closed", "actor": cmd.actor_id, "actions": made})
        _refresh_posts(out)
        uow.commit()
        return made


def _open_rectification(uow: UnitOfWork, incident: Incident, action: CorrectiveAction, row: int, actor_id: str,
                        org: Org, now: datetime) -> str:
    """A corrective action as a rectification already assigned: the owner's head approves it.

    For a confidential incident the case shows only the incident's reference, not where it happened.
    """
    year = now.astimezone(org.tz).year
    department = org.department_of(action.owner_id or "") or org.department(incident.department_key or "")
    if department is None:  # nobody could approve it
        raise InvalidInput({f"owner_{row}": "error.owner_no_department"})
    hazard = Hazard(
        reference=format_reference("HZ", year, uow.references.next("HZ", year)),
        category=HAZARD_CATEGORY[incident.kind],
        location=incident.reference if incident.confidential else incident.location,
        description=f"{incident.reference}: {action.measures.strip()}",
        department_key=department.key, reporter_id=actor_id, anonymous=False,
        reported_at=now, status=HazardStatus.ASSIGNED, severity=Severity.SERIOUS, deadline_at=action.deadline,
        measures=action.measures.strip(), assignee_id=action.owner_id, rounds=1, incident_ref=incident.reference)
    uow.hazards.add(hazard)
    uow.events.append(CaseEvent(case_ref=hazard.reference, action="corrective_action", actor_id=actor_id, at=now,
                                changes={"incident": incident.reference, "assignee_id": action.owner_id,
                                         "deadline_at": action.deadline.isoformat() if action.deadline else None}))
    queue_report(uow, hazard, org, now)
    Outgoing(uow, hazard, org, now).card(f"assignee:{action.owner_id}", action.owner_id or "", "assignee")
    return hazard.reference


def on_rectification_step(uow: UnitOfWork, hazard: Hazard, org: Org, now: datetime) -> None:
    """A corrective action moved: its incident shows the progress, and is resolved once all are verified."""
    if not hazard.incident_ref:
        return
    incident = uow.incidents.get(hazard.incident_ref, lock=True)
    if incident is None:
        return
    actions = uow.hazards.find(incident_ref=incident.reference, limit=100)
    if incident.status is IncidentStatus.CLOSED and all(h.status is HazardStatus.CLOSED for h in actions):
        incident.status = IncidentStatus.RESOLVED
        uow.events.append(incident.step("resolved", hazard.assignee_id or "USAFETYBOT", now))
        _Out(uow, incident, org, now).thread(f"r{incident.revision}:resolved", {"line": "resolved", "actor": None})
    _refresh_posts(_Out(uow, incident, org, now))


class ActionProgress(BaseModel):
    reference: str
    status: HazardStatus
    assignee_id: str | None
    deadline_at: datetime | None
    measures: str | None


class IncidentReport(BaseModel):
    context: dict[str, Any]
    timeline: list[dict[str, Any]]
    actions: list[ActionProgress]


def incident_report(reference: str, *, viewer_id: str, uow: UnitOfWork, org: Org) -> IncidentReport:
    """Everything the post-incident report shows; confidential ones only for those allowed to see them."""
    with uow:
        incident = _load(uow, reference)
        allowed = (org.is_safety_officer(viewer_id) or org.is_management(viewer_id)
                   or viewer_id in _people_to_invite(incident, org))
        if not allowed:
            raise NotAllowed("error.not_allowed_view", reference=reference)
        return IncidentReport(
            context=context_of(incident, org),
            timeline=[{"action": e.action, "actor": e.actor_id, "at": e.at.isoformat(), "changes": e.changes}
                      for e in uow.events.for_case(reference)],
            actions=[ActionProgress(reference=h.reference, status=h.status, assignee_id=h.assignee_id,
                                    deadline_at=h.deadline_at, measures=h.measures)
                     for h in uow.hazards.find(incident_ref=reference, limit=100)])


def queue_report_file(reference: str, *, actor_id: str, uow: UnitOfWork, org: Org, clock: Clock) -> None:
    """Post the post-incident report to the incident's channel as a Markdown file (through the outbox)."""
    report = incident_report(reference, viewer_id=actor_id, uow=uow, org=org)
    now = clock()
    with uow:
        incident = _load(uow, reference)
        if incident.confidential and not incident.channel_id:  # never into the wider safety channel
            raise WrongState("error.export_confidential", reference=reference)
        target = incident.channel_id or org.safety_department.channel
        _Out(uow, incident, org, now).send(f"report:{now.isoformat()}", target, "incident.report_file",
                                           {"report": report.model_dump(mode="json")}, method="files.upload")
        uow.commit()


def overdue_authority_reports(uow: UnitOfWork, org: Org, now: datetime) -> list[Incident]:
    """Incidents still not reported to the higher authority after `incidents.report_within`."""
    cutoff = now - org.incidents.report_within.delta
    return [i for i in uow.incidents.find(statuses={IncidentStatus.REPORTED, IncidentStatus.RESPONDING})
            if i.authority_report is None and i.reported_at <= cutoff]



