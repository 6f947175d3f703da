"""Small in-memory stand-ins for the ports, for domain tests that need no database or Slack."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Self

from bot.core.events import Dispatcher, EventRecorder
from bot.core.model import CaseEvent
from bot.core.outbox import OutboxMessage
from bot.hazards.model import OPEN_STATUSES, Hazard


class FakeState:
    def __init__(self) -> None:
        self.hazards: dict[str, Hazard] = {}
        self.events: list[CaseEvent] = []
        self.counters: dict[tuple[str, int], int] = {}
        self.outbox: dict[str, OutboxMessage] = {}
        self.incidents: dict[str, Any] = {}
        self.jobs: dict[str, Any] = {}  # reminder jobs by key


class FakeUnitOfWork(EventRecorder):
    """Commits by keeping the working copy; leaving without commit restores the snapshot.

    dispatcher: who hears the domain events recorded (as in the app: `Dispatcher(subscriptions(org), ...)`).
    """

    def __init__(self, state: FakeState | None = None, dispatcher: Dispatcher | None = None) -> None:
        self.state = state or FakeState()
        self.commits = 0
        self.dispatcher = dispatcher

    def __enter__(self) -> Self:
        self._snapshot = copy.deepcopy(self.state.__dict__)
        self.hazards, self.events, self.references, self.outbox = _Hazards(self), _Events(self), \
            _References(self), _Outbox(self)
        self.incidents, self.schedule = _Incidents(self), _Schedule(self)
        self._committed = False
        self.forget_recorded()
        return self

    def reading(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.state.__dict__.update(self._snapshot)
        self._committed = False

    def commit(self) -> None:
        self.dispatch_recorded()
        self._committed = True
        self.commits += 1
        self._snapshot = copy.deepcopy(self.state.__dict__)


class _Hazards:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def add(self, hazard: Hazard) -> None:
        self.s.hazards[hazard.reference] = hazard

    def get(self, reference: str, *, lock: bool = False) -> Hazard | None:
        return self.s.hazards.get(reference)

    def find(self, *, reporter_id: str | None = None, assignee_id: str | None = None,
             department_keys: Sequence[str] | None = None, statuses: Iterable[str] | None = None,
             incident_ref: str | None = None, limit: int = 50, offset: int = 0,
             waiting: Iterable[tuple[str, bool | None]] | None = None,
             deadline_before: datetime | None = None) -> list[Hazard]:
        wanted = set(statuses) if statuses is not None else None
        pairs = set(waiting) if waiting is not None else None
        return [h for h in self.s.hazards.values()
                if (reporter_id is None or h.reporter_id == reporter_id)
                and (assignee_id is None or h.assignee_id == assignee_id)
                and (department_keys is None or h.department_key in department_keys)
                and (wanted is None or h.status in wanted)
                and (pairs is None or (h.status, None) in pairs or (h.status, h.extension_until is not None) in pairs)
                and (incident_ref is None or h.incident_ref == incident_ref)
                and (deadline_before is None or (h.deadline_at is not None and h.deadline_at < deadline_before))
                ][offset:offset + limit]

    def open_like(self, category: str, location: str, *, limit: int = 10) -> list[Hazard]:
        return [h for h in self.s.hazards.values() if h.category == category and h.incident_ref is None
                and h.location.lower() == location.lower() and h.status in OPEN_STATUSES][:limit]


class _Incidents:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def add(self, incident: Any) -> None:
        self.s.incidents[incident.reference] = incident

    def get(self, reference: str, *, lock: bool = False) -> Any:
        return self.s.incidents.get(reference)

    def by_channel(self, channel_id: str) -> Any:
        return next((i for i in self.s.incidents.values() if i.channel_id == channel_id), None)

    def by_thread(self, channel_id: str, thread_ts: str) -> Any:
        return next((i for i in self.s.incidents.values()
                     if (i.thread_channel, i.thread_ts) == (channel_id, thread_ts)), None)

    def find(self, *, statuses: Iterable[str]) -> list[Any]:
        wanted = set(statuses)
        return [i for i in self.s.incidents.values() if i.status in wanted]


class _Schedule:
    """The deadline jobs a step writes: `replace_chain` as storage does it, on a dict."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def add_jobs(self, jobs: Sequence[Any]) -> None:
        for job in jobs:
            self.s.jobs.setdefault(job.key, job)

    def replace_chain(self, hazard_ref: str, jobs: Sequence[Any], *, now: datetime) -> None:
        chain = jobs[0].chain if jobs else None
        for job in self.s.jobs.values():
            if job.hazard_ref == hazard_ref and job.state == "pending" and job.chain != chain:
                job.state, job.processed_at = "skipped", now
        for job in jobs:
            earlier = self.s.jobs.setdefault(job.key, job)
            if earlier.state == "skipped" and earlier.fire_at > now:
                earlier.state, earlier.processed_at = "pending", None


class _Events:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def append(self, event: CaseEvent) -> None:
        self.s.events.append(event)

    def for_case(self, case_ref: str) -> list[CaseEvent]:
        return [e for e in self.s.events if e.case_ref == case_ref]


class _References:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def next(self, prefix: str, year: int) -> int:
        self.s.counters[(prefix, year)] = self.s.counters.get((prefix, year), 0) + 1
        return self.s.counters[(prefix, year)]


class _Outbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.s = uow.state

    def add(self, message: OutboxMessage) -> None:
        self.s.outbox.setdefault(message.key, message)

    def add_for_each(self, message: OutboxMessage, recipients: Sequence[str]) -> None:
        for recipient in recipients:
            self.add(dataclasses.replace(message, key=f"{message.key}:{recipient}", recipient=recipient,
                                         context={**message.context, "recipient": recipient}))

    def put_latest(self, message: OutboxMessage, *, known: Mapping[str, OutboxMessage] | None = None) -> None:
        self.s.outbox[message.key] = message

    def by_key(self, key: str) -> OutboxMessage | None:
        return self.s.outbox.get(key)

    def by_keys(self, keys: Sequence[str]) -> dict[str, OutboxMessage]:
        return {key: self.s.outbox[key] for key in keys if key in self.s.outbox}

    def about(self, subject: str) -> list[OutboxMessage]:
        return [m for m in self.s.outbox.values() if m.subject == subject]

    def get(self, message_id: int) -> Any:
        raise NotImplementedError("the fake outbox is not delivered")

    def any_due(self, *, now: datetime) -> bool:
        raise NotImplementedError("the fake outbox is not delivered")

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[Any]:
        raise NotImplementedError("the fake outbox is not delivered")


class FakeDirectory:
    def __init__(self, active: set[str]) -> None:
        self.active = active

    def is_active_user(self, user_id: str) -> bool:
        return user_id in self.active

    def name_of(self, user_id: str) -> str:
        return user_id.lower()
