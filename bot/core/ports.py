"""The edges of the domain: what `bot/` needs from storage and from Slack, as Protocols.

Implementations live in `storage/` (unit of work) and `handlers/` (Slack); tests use small fakes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, Self

from bot.core.model import CaseEvent
from bot.hazards.workflow import Hazard


class HazardRepository(Protocol):
    def add(self, hazard: Hazard) -> None: ...

    def get(self, reference: str, *, lock: bool = False) -> Hazard | None:
        """None when no hazard has that reference. lock: hold the case until commit (one step at a time)."""

    def find(self, *, reporter_id: str | None = None, assignee_id: str | None = None,
             department_keys: Sequence[str] | None = None, statuses: Iterable[str] | None = None,
             incident_ref: str | None = None, limit: int = 50) -> list[Hazard]:
        """Cases matching every given filter, oldest first."""


class EventLog(Protocol):
    def append(self, event: CaseEvent) -> None:
        """Append-only: there is deliberately no update or delete."""

    def for_case(self, case_ref: str) -> Sequence[CaseEvent]: ...


class References(Protocol):
    def next(self, prefix: str, year: int) -> int:
        """The next number for (prefix, year), starting at 1.

        Taken inside the caller's transaction: a rollback gives the number back, so there are no gaps,
        and concurrent callers never get the same number.
        """


class OutboxRepository(Protocol):
    def add(self, message: Any) -> None:
        """Queue a message; a second message with the same key is ignored (idempotent)."""

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[Any]:
        """Lease due messages to this process; other processes skip them until the lease ends."""

    def get(self, message_id: int, *, lock: bool = False) -> Any | None:
        """lock: hold the row until commit and read it afresh."""

    def by_key(self, key: str) -> Any | None: ...

    def put_latest(self, message: Any) -> None:
        """Queue an in-place update; an earlier one with the same key takes the newer content."""

    def hold(self, channel: str, until: datetime) -> None:
        """After a 429: no message to `channel` is claimed, by any copy, before `until`."""

    def held_until(self, channel: str, now: datetime) -> datetime | None: ...

    def record_problem(self, conversation: str, error: str, *, now: datetime,
                       probe_at: datetime) -> tuple[datetime, bool]:
        """(when Slack began refusing this conversation for this error, whether this refusal began it)."""

    def end_problems(self, conversations: set[str]) -> list[str]:
        """A message got through: forget these conversations' problems; returns their errors."""

    def revive(self, conversations: set[str], errors: set[str], *, now: datetime, waiting: tuple[str, ...],
               sent_key: str) -> int:
        """Queue again the messages refused for `errors` there, and those refused for waiting on them."""

    def probe(self, *, now: datetime, every: timedelta, errors: set[str]) -> int:
        """Queue again the oldest message of each problem due for a probe; returns how many."""


class PlanRepository(Protocol):
    def add(self, plan: Any) -> None: ...

    def get(self, key: str) -> Any | None:
        """None when no plan has that key (deleted plans are still found: their records stay)."""

    def by_id(self, plan_id: int) -> Any | None: ...

    def active(self) -> list[Any]:
        """Plans neither paused nor deleted."""

    def all(self) -> list[Any]:
        """Plans not deleted, by title."""


class ScheduleRepository(Protocol):
    def add_occurrence(self, *, plan_id: int, due_at: datetime) -> int:
        """The occurrence's id; idempotent: the same (plan, due time) always gives the same row."""

    def add_job(self, job: Any) -> None:
        """Idempotent by the job's key."""

    def occurrence(self, occurrence_id: int | None) -> Any | None: ...

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[Any]:
        """Lease due pending jobs; other processes skip them until the lease ends."""

    def later_due(self, job: Any, *, prefix: str, now: datetime) -> bool: ...

    def skip_until(self, plan: Any, *, now: datetime) -> None:
        """Mark pending jobs of the plan due before `now` as skipped."""

    def forget_future(self, plan: Any, *, now: datetime) -> None:
        """Drop pending reminders of occurrences still to come."""


class IncidentRepository(Protocol):
    def add(self, incident: Any) -> None: ...

    def get(self, reference: str, *, lock: bool = False) -> Any | None:
        """None when no incident has that reference. lock: hold it until commit."""

    def by_channel(self, channel_id: str) -> Any | None:
        """The incident whose own channel this is, if any."""

    def find(self, *, statuses: Iterable[str]) -> list[Any]: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `with` block without `commit()` rolls everything back."""

    hazards: HazardRepository
    events: EventLog
    references: References
    outbox: OutboxRepository
    plans: PlanRepository
    schedule: ScheduleRepository
    incidents: IncidentRepository

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...


class SlackError(Exception):
    """Base of what a Web API call can end in besides success."""


class SlackRateLimited(SlackError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class SlackUnavailable(SlackError):
    """5xx, connection failure or timeout: Slack may or may not have acted on the call."""


class SlackRefused(SlackError):
    """Slack answered `ok: false`; `bot.core.retry` says whether the error is worth another try."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class SlackTransport(Protocol):
    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Call a Web API method once (no retries of its own); raises a SlackError subclass."""

    def find_posted(
        self, *, channel: str, marker: str, since: float, thread_ts: str | None
    ) -> tuple[str, str] | None:
        """(channel, ts) of a message we posted with this metadata marker since `since`, else None.

        Lets the outbox tell whether a post whose answer was lost was in fact delivered.
        """


@dataclass(frozen=True)
class Rendered:
    """One outgoing message, ready for Slack: the Web API method its template is sent with, and the arguments.

    POST is a message (text, blocks; the outbox adds channel, thread, metadata and sends updates of it as
    chat.update); any other method (conversations.create, pins.add, ...) gets the payload as it is.
    """

    method: str
    payload: dict[str, Any]


POST = "chat.postMessage"


class UnknownTemplate(LookupError):
    """No template of that name is registered: the message cannot be rendered, now or later."""


class Renderer(Protocol):
    def render(self, template: str, context: dict[str, Any], locale: str) -> Rendered:
        """The method and Web API arguments for one outgoing message, in one language.

        Raises UnknownTemplate for a template nobody registered.
        """


class Directory(Protocol):
    def is_active_user(self, user_id: str) -> bool:
        """True for a person in the workspace (not deactivated, not a bot). Calls Slack: never inside a transaction."""


class LocaleResolver(Protocol):
    def locale_for(self, recipient: str) -> str:
        """'zh-CN' or 'en' for a user or channel id; never raises (falls back to the company default)."""

    def warm(self) -> int:
        """Learn many people's languages at once (before a large fan-out); returns how many."""
