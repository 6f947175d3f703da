"""Corrective actions (5.2.4): each becomes a rectification in the hazard closed loop, through the hazard
feature's public use case; the incident follows them through the hazard feature's events and is
*resolved* once all of them are verified."""

from __future__ import annotations

from datetime import datetime

from bot.core.errors import InvalidInput
from bot.core.events import Handler
from bot.core.org import Org
from bot.hazards import (
    HazardCategory,
    OpenRectification,
    RectificationStepTaken,
    open_rectification,
    rectifications_of,
)
from bot.incidents.events import IncidentResolved
from bot.incidents.messages import Out
from bot.incidents.model import CorrectiveAction, Incident, IncidentStatus, IncidentType
from bot.incidents.ports import IncidentsUnitOfWork

BOT_ACTOR = "USAFETYBOT"

HAZARD_CATEGORY = {
    IncidentType.FIRE: HazardCategory.FIRE, IncidentType.ELECTRICAL: HazardCategory.ELECTRICAL,
    IncidentType.NETWORK_SECURITY: HazardCategory.NETWORK, IncidentType.DATA_LEAK: HazardCategory.INFOSEC,
    IncidentType.INJURY: HazardCategory.PREMISES, IncidentType.EVACUATION: HazardCategory.PREMISES,
    IncidentType.OTHER: HazardCategory.OTHER,
}


def open_corrective_action(uow: IncidentsUnitOfWork, incident: Incident, action: CorrectiveAction, row: int,
                           actor_id: str, org: Org, now: datetime) -> str:
    """A corrective action as a rectification already assigned: the owner's head approves it.

    For a confidential incident the case shows only the incident's reference, not where it happened, and it
    stays among those handling the incident: its safety card and thread go to the incident's private channel
    (or, without one, to the officer who closed it), and the incident's department approves it, whose
    leaders are in that channel, rather than the head of the owner's department.
    """
    owners, incidents = org.department_of(action.owner_id or ""), org.department(incident.department_key or "")
    department = (incidents or owners) if incident.confidential else (owners or incidents)
    if department is None:  # nobody could approve it
        raise InvalidInput({f"owner_{row}": "error.owner_no_department"})
    assert action.owner_id is not None and action.deadline is not None  # checked by close_incident
    link = None  # the cards link to the incident: its channel, or its thread in the safety channel
    if incident.channel_id:
        link = f"https://slack.com/archives/{incident.channel_id}"
    elif incident.thread_ts and not incident.confidential:
        link = f"https://slack.com/archives/{incident.thread_channel}/p{incident.thread_ts.replace('.', '')}"
    return open_rectification(OpenRectification(
        opened_by=actor_id, category=HAZARD_CATEGORY[incident.kind],
        location=incident.reference if incident.confidential else incident.location,
        description=f"{incident.reference}: {action.measures.strip()}", department_key=department.key,
        measures=action.measures.strip(), assignee_id=action.owner_id, deadline=action.deadline,
        incident_ref=incident.reference, source_permalink=link,
        home_channel=(incident.channel_id or actor_id) if incident.confidential else None), uow=uow, org=org, now=now)


def subscriptions(org: Org) -> dict[type, list[Handler]]:
    """What the incident feature listens to, for the composition root's dispatcher."""

    def corrective_action_moved(uow: IncidentsUnitOfWork, event: RectificationStepTaken) -> None:
        """A corrective action moved: its incident shows the progress, resolved once all are verified."""
        if not event.incident_ref:
            return
        incident = uow.incidents.get(event.incident_ref, lock=True)
        if incident is None:
            return
        actions = rectifications_of(incident.reference, uow=uow)
        if incident.confidential and not incident.channel_id:  # its actions' thread is one officer's DM
            closer = next((e.actor_id for e in uow.events.for_case(incident.reference) if e.action == "closed"), None)
            Out(uow, incident, org, event.at).tell_circle(
                f"action:{event.case_ref}:{event.status.value}:{event.at.isoformat()}", "action_moved",
                exclude=closer, actor=event.actor_id, opened=[event.case_ref], action_status=event.status)
        if incident.status is IncidentStatus.CLOSED and all(a.verified for a in actions):
            incident.status = IncidentStatus.RESOLVED
            actor = event.actor_id or BOT_ACTOR  # who verified the last action, not its owner
            uow.events.append(incident.step("resolved", actor, event.at))
            uow.record(IncidentResolved(case_ref=incident.reference, actor_id=actor, at=event.at))
            out = Out(uow, incident, org, event.at)
            out.thread(f"r{incident.revision}:resolved", "resolved")
            out.notify("resolved")
        Out(uow, incident, org, event.at).refresh_posts()

    return {RectificationStepTaken: [corrective_action_moved]}
