"""Who sees what of an incident: confidential details reach only the people handling it (5.2.1)."""

from __future__ import annotations

from bot.core.org import Org
from bot.incidents.model import Incident


def handling_people(incident: Incident, org: Org) -> list[str]:
    """Who is invited to the incident's channel: the reporter, the department's leaders, the safety
    department and the emergency team."""
    department = org.department(incident.department_key or "")
    people = [incident.reporter_id, *(department.leaders if department else []), *org.safety_department.members,
              *(member.user for member in org.emergency_team)]
    return list(dict.fromkeys(people))


def told_at_once(incident: Incident, org: Org) -> list[str]:
    """Who gets the full alert when it is reported: the department's leaders and management (not the reporter)."""
    department = org.department(incident.department_key or "")
    return sorted({*(department.leaders if department else []), *org.management.members} - {incident.reporter_id})


def may_see_report(viewer_id: str, incident: Incident, org: Org) -> bool:
    """The post-incident report: safety officers, management and the people handling it."""
    return (org.is_safety_officer(viewer_id) or org.is_management(viewer_id)
            or viewer_id in handling_people(incident, org))


def may_tick(person: str, incident: Incident, org: Org) -> bool:
    """The emergency plan's checklist is the record of who did what: only the incident channel's people
    (which include the safety officers and the emergency team) may tick it."""
    return person in handling_people(incident, org)
