"""Incidents (5.1, 5.2). What other features (and their handlers) may use is named here.

- `subscriptions(org)`: what this feature listens to (the hazard feature's rectification events);
- `incident_hooks(org, clock)`: what the outbox does with Slack's answers for incidents;
- `load_incident_plans` / `Checklists`, `load_reporting_rules` / `ReportingRules`: the emergency plans'
  checklists and which types are 生产安全事故, which the composition root loads;
- what the scheduler needs: `AuthorityReportCheck` (its `authority_notice`s), `IncidentsUnitOfWork`.
"""

from bot.incidents.channel import incident_hooks
from bot.incidents.checklists import Checklists, ReportingRules, load_incident_plans, load_reporting_rules
from bot.incidents.contexts import CONTEXTS
from bot.incidents.corrective import subscriptions
from bot.incidents.events import (
    AuthorityReported,
    EmergencyPlanStarted,
    IncidentClosed,
    IncidentReported,
    IncidentResolved,
)
from bot.incidents.jobs import AuthorityReportCheck
from bot.incidents.messages import authority_notice
from bot.incidents.model import Incident, IncidentStatus, IncidentType
from bot.incidents.ports import IncidentRepository, IncidentsUnitOfWork

__all__ = [
    "CONTEXTS",
    "AuthorityReportCheck",
    "AuthorityReported",
    "Checklists",
    "EmergencyPlanStarted",
    "Incident",
    "IncidentClosed",
    "IncidentReported",
    "IncidentRepository",
    "IncidentResolved",
    "IncidentStatus",
    "IncidentType",
    "IncidentsUnitOfWork",
    "ReportingRules",
    "authority_notice",
    "incident_hooks",
    "load_incident_plans",
    "load_reporting_rules",
    "subscriptions",
]
