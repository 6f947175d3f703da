"""The post-incident report (5.2.4), and the incident as `/incident INC-…` and its modals show it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from bot.core.errors import NotAllowed, WrongState
from bot.core.org import Org
from bot.hazards import rectifications_of
from bot.incidents.contexts import (
    ActionProgress,
    ActionStatus,
    IncidentReport,
    IncidentSnapshot,
    ReportFile,
    TimelineEntry,
)
from bot.incidents.messages import Out, snapshot
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.usecases import load
from bot.incidents.visibility import may_see_report


def incident_view(reference: str, *, viewer_id: str, uow: IncidentsUnitOfWork, org: Org) -> IncidentSnapshot:
    """The incident as its modals and `/incident INC-…` show it, for those allowed to see it."""
    with uow:
        incident = uow.incidents.get(reference)
        if incident is None or not may_see_report(viewer_id, incident, org):  # the same answer: nothing leaks
            raise NotAllowed("error.not_allowed_view", reference=reference)
        actions = [ActionStatus(reference=r.reference, status=r.status) for r in rectifications_of(reference, uow=uow)]
        return snapshot(incident, org, actions)


def people_in(report: IncidentReport) -> set[str]:
    """Everyone the report names by id: they are shown by name in the file."""
    c = report.context
    people = {c.reporter, *(e.actor for e in report.timeline), *(i.done_by for i in c.checklist if i.done_by),
              *(a.assignee_id for a in report.actions if a.assignee_id)}
    if c.authority_report:
        people.add(c.authority_report.by)
    return {p for p in people if p}


def incident_report(reference: str, *, viewer_id: str, uow: IncidentsUnitOfWork, org: Org) -> IncidentReport:
    """Everything the post-incident report shows; confidential ones only for those allowed to see them."""
    with uow:
        incident = uow.incidents.get(reference)
        if incident is None or not may_see_report(viewer_id, incident, org):  # the same answer: nothing leaks
            raise NotAllowed("error.not_allowed_view", reference=reference)
        return IncidentReport(
            context=snapshot(incident, org),
            timeline=[TimelineEntry(action="note_added" if e.action == "note" else e.action,  # before the convention
                                    actor=e.actor_id, at=e.at, changes=e.changes)
                      for e in uow.events.for_case(reference)],
            actions=[ActionProgress(reference=r.reference, status=r.status, assignee_id=r.assignee_id,
                                    deadline_at=r.deadline_at, measures=r.measures)
                     for r in rectifications_of(reference, uow=uow)])


def queue_report_file(reference: str, *, actor_id: str, uow: IncidentsUnitOfWork, org: Org,
                      clock: Callable[[], datetime], names: Callable[[str], str | None] | None = None,
                      ) -> tuple[Literal["channel", "you", "already"], str]:
    """Post the post-incident report as a Markdown file (through the outbox): to the incident's channel, or,
    when management asks, to the manager who asked (management reads it, not the channel).

    One file per content and place: the message is keyed by a digest of the report, so five clicks on Export
    (or two people at once) post it once, and a new file goes out only when the report says something new.
    It goes as Markdown and as a Word file (.docx, which an authority can open, print and file).
    `names`: a person's name by user id (asks Slack: called here, before the transaction), so the file shows
    people by name rather than by raw id.
    Says where it went: "channel", "you" (the manager's DM), or "already" (this very report is on its way),
    and the conversation it goes to.
    """
    report = incident_report(reference, viewer_id=actor_id, uow=uow, org=org)
    if names is not None:
        report = report.model_copy(update={"names": {p: n for p in sorted(people_in(report)) if (n := names(p))}})
    now = clock()
    digest = hashlib.sha256(report.model_dump_json().encode("utf-8")).hexdigest()[:16]
    with uow:
        incident = load(uow, reference, lock=True)  # clicks at once queue here, then see the first one's file
        to_asker = org.is_management(actor_id) and not org.is_safety_officer(actor_id)
        if incident.confidential and not incident.channel_id and not to_asker:  # never the wider safety channel
            raise WrongState("error.export_confidential", reference=reference)
        target = actor_id if to_asker else incident.channel_id or org.safety_department.channel
        key = f"report:{target}:{digest}"
        if uow.outbox.by_key(f"{reference}:{key}") is not None:
            return "already", target
        out = Out(uow, incident, org, now)
        out.send(key, target, "incident.report_file", ReportFile(recipient=target, reference=reference, report=report))
        out.send(f"{key}:docx", target, "incident.report_file",
                 ReportFile(recipient=target, reference=reference, report=report, format="docx"))
        uow.commit()
        return ("you" if to_asker else "channel"), target
