"""The incident feature's outgoing messages: posts along the chain, and the Web API calls that make,
fill and pin the incident's own channel and upload its report."""

from __future__ import annotations

from bot.incidents import CONTEXTS
from handlers.core.render import Template, typed
from handlers.incidents import report_views
from handlers.incidents import views as iv

TEMPLATES = typed(
    CONTEXTS,
    Template("incident.post", iv.build_incident_post),
    Template("incident.alert", iv.build_incident_alert),
    Template("incident.receipt", iv.build_incident_receipt),
    Template("incident.summary", iv.build_incident_summary),
    Template("incident.line", iv.build_incident_line),
    Template("incident.checklist", iv.build_checklist),
    Template("incident.create_channel", iv.build_create_channel, call="conversations.create"),
    Template("incident.find_channel", iv.build_find_channel, call="conversations.list"),
    Template("incident.invite", iv.build_invite, call="conversations.invite"),
    Template("incident.pin", iv.build_pin, call="pins.add"),
    Template("incident.report_file", report_views.build_report_file, call="files.upload"),
)
