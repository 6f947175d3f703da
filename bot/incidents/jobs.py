"""The incidents' part of the scheduler's tick: an incident not reported to the higher authority in time
goes to management (5.2.3), once (the outbox key makes a second tick queue nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.incidents.messages import authority_overdue_alert
from bot.incidents.model import Incident
from bot.incidents.ports import IncidentsUnitOfWork
from bot.incidents.report import overdue_authority_reports
from bot.scheduling import JobSource, SchedulingUnitOfWork, Task


class UnitOfWork(IncidentsUnitOfWork, SchedulingUnitOfWork, Protocol):
    """The check reads incidents and queues alerts; it runs in the scheduler's transaction."""


@dataclass
class AuthorityReportCheck(JobSource[UnitOfWork]):
    org: Org

    def sweep(self, uow: UnitOfWork, now: datetime) -> Iterator[Task]:
        for incident in overdue_authority_reports(uow, self.org, now):
            yield Task(f"incident:{incident.reference}", incident.reference,
                       partial(self._alert, uow, incident, now))

    def _alert(self, uow: UnitOfWork, incident: Incident, now: datetime) -> None:
        for manager in self.org.management.members:
            context = authority_overdue_alert(incident, self.org, manager)
            uow.outbox.add(OutboxMessage(key=f"{incident.reference}:authority-overdue:{manager}",
                                         recipient=manager, template="incident.alert", context=context,
                                         created_at=now, subject=incident.reference))
