"""The incidents' part of the scheduler's tick: an incident not reported to the higher authority in time
goes to management (5.2.3), once (the outbox key makes a second tick queue nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.ports import UnitOfWork
from bot.incidents import context_of, overdue_authority_reports
from bot.scheduling import JobSource


@dataclass
class AuthorityReportCheck(JobSource):
    org: Org

    def sweep(self, uow: UnitOfWork, now: datetime) -> None:
        for incident in overdue_authority_reports(uow, self.org, now):
            context = {**context_of(incident, self.org), "notice": "authority_overdue"}
            for manager in self.org.management.members:
                uow.outbox.add(OutboxMessage(key=f"{incident.reference}:authority-overdue:{manager}",
                                             recipient=manager, template="incident.alert", context=context,
                                             created_at=now, subject=incident.reference))
