"""The edges of the domain: what `bot/` needs from storage and from Slack, as Protocols.

Implementations live in `storage/` (unit of work) and `handlers/` (Slack); tests use small fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, Self

from bot.core.events import DomainEvent
from bot.core.model import CaseEvent


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

    def add_for_each(self, message: Any, recipients: Sequence[str]) -> None:
        """`add` of one copy of `message` per recipient, keyed `<message key>:<recipient>`, with the recipient in
        its context; in as few statements as the database allows."""

    def any_due(self, *, now: datetime) -> bool:
        """Whether a message may be due (pending, its time come, no live lease): a cheap read that lets an idle
        sender skip the claim's write transaction."""

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[Any]:
        """Lease due messages to this process; other processes skip them until the lease ends."""

    def get(self, message_id: int, *, lock: bool = False) -> Any | None:
        """lock: hold the row until commit and read it afresh."""

    def by_key(self, key: str) -> Any | None: ...

    def by_keys(self, keys: Sequence[str]) -> Mapping[str, Any]:
        """The messages with these keys that are queued or sent, by key: one look-up for many."""

    def about(self, subject: str) -> list[Any]:
        """The messages queued about `subject` (a case, an occurrence), oldest first."""

    def put_latest(self, message: Any, *, known: Mapping[str, Any] | None = None) -> None:
        """Queue an in-place update; an earlier one with the same key takes the newer content. `known`: what
        `by_keys` found for keys that include this one (a key missing there is not queued), saving a look-up."""

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


class UnitOfWork(Protocol):
    """One transaction. Leaving the `with` block without `commit()` rolls everything back.

    Each feature extends this with its own repositories (`bot.hazards.ports.HazardsUnitOfWork`, ...), so the
    core names none of them. Domain events recorded here are handled by their subscribers inside this same
    transaction, when `commit()` is called and before anything is written.
    """

    @property
    def events(self) -> EventLog: ...

    @property
    def references(self) -> References: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    def __enter__(self) -> Self: ...

    def reading(self) -> Self:
        """This unit of work, for one transaction that only reads (`with uow.reading(): ...`, no commit): on
        SQLite it takes no write lock, so a look-up never waits behind the scheduler or another step."""

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None: ...

    def record(self, event: DomainEvent) -> None:
        """Note a domain event; its subscribers run at `commit()`, in this transaction."""

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

    def find_done(self, method: str, payload: dict[str, Any], *, since: float) -> dict[str, Any] | None:
        """Slack's answer for a call (other than a post) that was already carried out since `since`, else None.

        Lets the outbox tell whether a call whose answer was lost (an upload) in fact went through."""

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

    def name_of(self, user_id: str) -> str:
        """How a person is named where they must not be pinged (their Slack display name; their id when it
        cannot be learned). Calls Slack (cached): never inside a transaction."""


class LocaleResolver(Protocol):
    def locale_for(self, recipient: str) -> str:
        """'zh-CN' or 'en' for a user or channel id; never raises (falls back to the company default)."""

    def warm(self) -> int:
        """Learn many people's languages at once (before a large fan-out); returns how many."""
