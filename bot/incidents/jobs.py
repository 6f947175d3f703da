"""The incidents' part of the scheduler's tick: the report to the higher authority, as the national rules
have it (《生产安全事故报告和调查处理条例》 Art. 9, 13) and the company's 5.2.3.

- at half of `incidents.report_within` (default 1 h) the safety officers are reminded, with the button that
  records the report;
- at the limit management is told;
- once reported, a 生产安全事故's casualty changes are to be reported again within 30 days of the accident
  (7 for fires; `reporting` in the plans file): the safety officers are reminded each week of that window
  (the day before its end when it is a week or shorter).

Each reminder once: the outbox key makes a second tick queue nothing; after downtime only the latest
follow-up of an incident goes out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.incidents.checklists import ReportingRules
from bot.incidents.messages import authority_notice
from bot.incidents.model import HANDLING, Incident, IncidentStatus
from bot.incidents.ports import IncidentsUnitOfWork
from bot.scheduling import JobSource, SchedulingUnitOfWork, Task

WEEK = timedelta(days=7)


class UnitOfWork(IncidentsUnitOfWork, SchedulingUnitOfWork, Protocol):
    """The check reads incidents and queues alerts; it runs in the scheduler's transaction."""


def follow_up_times(occurred_at: datetime, window: timedelta) -> list[datetime]:
    """When the follow-up reminders fall: each whole week inside the window, or its last day when it is a
    week or shorter (7 days for a fire: one reminder on day 6)."""
    weeks = [occurred_at + WEEK * n for n in range(1, 60) if WEEK * n < window]
    return weeks or [occurred_at + max(window - timedelta(days=1), window / 2)]


@dataclass
class AuthorityReportCheck(JobSource[UnitOfWork]):
    org: Org
    rules: ReportingRules = field(default_factory=ReportingRules)

    def sweep(self, uow: UnitOfWork, now: datetime) -> Iterator[Task]:
        within = self.org.incidents.report_within.delta
        for incident in uow.incidents.find(statuses=set(HANDLING) | {IncidentStatus.CLOSED, IncidentStatus.RESOLVED}):
            if incident.authority_report is None and incident.status in HANDLING:
                if incident.reported_at + within / 2 <= now:
                    yield Task(f"incident:{incident.reference}:due", incident.reference,
                               partial(self._remind_officers, uow, incident, now, incident.reported_at + within))
                if incident.reported_at + within <= now:
                    yield Task(f"incident:{incident.reference}", incident.reference,
                               partial(self._alert, uow, incident, now))
            elif incident.authority_report is not None and (window := self.rules.follow_up_for(incident.kind)):
                end = incident.occurred_at + window.delta
                due = [moment for moment in follow_up_times(incident.occurred_at, window.delta) if moment <= now]
                if due and now < end:
                    yield Task(f"incident:{incident.reference}:follow-up", incident.reference,
                               partial(self._follow_up, uow, incident, now, len(due), end))

    def _queue(self, uow: UnitOfWork, incident: Incident, now: datetime, key: str, recipient: str,
               notice: str, due: datetime | None = None) -> None:
        context = authority_notice(incident, self.org, recipient, notice=notice, due=due)
        uow.outbox.add(OutboxMessage(key=f"{incident.reference}:{key}:{recipient}", recipient=recipient,
                                     template="incident.alert", context=context, created_at=now,
                                     subject=incident.reference))

    def _remind_officers(self, uow: UnitOfWork, incident: Incident, now: datetime, limit: datetime) -> None:
        for officer in self.org.safety_department.members:
            self._queue(uow, incident, now, "authority-due", officer, "authority_due", limit)

    def _alert(self, uow: UnitOfWork, incident: Incident, now: datetime) -> None:
        for manager in self.org.management.members:
            self._queue(uow, incident, now, "authority-overdue", manager, "authority_overdue")

    def _follow_up(self, uow: UnitOfWork, incident: Incident, now: datetime, n: int, end: datetime) -> None:
        for officer in self.org.safety_department.members:
            self._queue(uow, incident, now, f"follow-up:{n}", officer, "follow_up", end)
