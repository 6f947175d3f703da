"""What the scheduler handles: jobs that fire once at a time, each under a unique key, and the interface
through which a feature supplies and processes its own.

A job's key and kind are stored as text (`occ:12:remind:7d`, kind `remind:7d`); `JobKey` is the one place
that writes and reads that text, so no other code splits or prefixes strings to learn what a job is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from bot.core.outbox import OutboxMessage

if TYPE_CHECKING:
    from bot.scheduling.ports import SchedulingUnitOfWork

# The unit of work a feature's job source works in: the scheduling one, plus the feature's own repositories.
U = TypeVar("U", bound="SchedulingUnitOfWork", contravariant=True)


class JobKind(StrEnum):
    """The family of a job; within one chain (an occurrence, a deadline) only the latest due one is sent."""

    REMIND = "remind"  # a plan's reminder before its due time
    OVERDUE = "overdue"  # a plan's occurrence not recorded as done
    DEADLINE = "deadline"  # a rectification deadline coming or passed
    SET_ASIDE = "set-aside"  # no job to send: the record that a plan's or a case's own work failed (`Task`)


class JobState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # no longer needed: done, paused, superseded by a later reminder
    MISSED = "missed"  # fell due while the bot was down, longer ago than the company's horizon
    FAILED = "failed"  # raised while processed: set aside with its error, the safety channel told once


@dataclass(frozen=True)
class JobKey:
    """`chain` is what the job is about (the feature's own text, e.g. "occ:12"); `step` is where in the chain
    it stands ("7d", "head"). Stored as `<chain>:<kind>:<step>`, and the kind column as `<kind>:<step>`."""

    chain: str
    kind: JobKind
    step: str

    def __post_init__(self) -> None:
        if not self.chain or not self.step or ":" in self.step:
            raise ValueError(f"a job key needs a chain and a step without ':' (got {self.chain!r}, {self.step!r})")

    @classmethod
    def parse(cls, key: str) -> JobKey:
        chain, kind, step = key.rsplit(":", 2)
        return cls(chain=chain, kind=JobKind(kind), step=step)

    def __str__(self) -> str:
        return f"{self.chain}:{self.kind.value}:{self.step}"

    @property
    def stored_kind(self) -> str:
        return f"{self.kind.value}:{self.step}"

    @property
    def family(self) -> str:
        """The stored kind's prefix shared by the jobs of this kind: what storage compares for `later_due`."""
        return f"{self.kind.value}:"


@dataclass(eq=False)
class ReminderJob:
    """One reminder or escalation to send at `fire_at`; its key makes it unique across processes."""

    key: str  # str(JobKey)
    kind: str  # JobKey.stored_kind: "remind:7d", "overdue:owner", "deadline:head", ...
    fire_at: datetime
    occurrence_id: int | None = None
    hazard_ref: str | None = None
    state: JobState = JobState.PENDING
    lease_until: datetime | None = None
    processed_at: datetime | None = None
    error: str | None = None  # why it FAILED, in the words of the exception
    chain: str | None = None  # JobKey.chain, stored on its own so a chain's jobs are found through an index
    id: int | None = None

    @classmethod
    def at(cls, key: JobKey, fire_at: datetime, *, occurrence_id: int | None = None,
           hazard_ref: str | None = None) -> ReminderJob:
        return cls(key=str(key), kind=key.stored_kind, fire_at=fire_at, occurrence_id=occurrence_id,
                   hazard_ref=hazard_ref, chain=key.chain)

    @property
    def job_key(self) -> JobKey:
        return JobKey.parse(self.key)


def job_message(job: ReminderJob, recipient: str, template: str, context: dict[str, Any], now: datetime, *,
                subject: str | None = None, reply_to: str | None = None) -> OutboxMessage:
    """A job's message to one recipient, keyed `job:<job key>:<recipient>`, so processing a job again (another
    copy, a retry) queues nothing new."""
    return OutboxMessage(key=f"{job_messages_key(job)}:{recipient}", recipient=recipient, template=template,
                         context={**context, "recipient": recipient}, created_at=now, subject=subject,
                         reply_to=reply_to)


def job_messages_key(job: ReminderJob) -> str:
    """What a job's messages' keys start with (`OutboxRepository.add_for_each` adds `:<recipient>`)."""
    return f"job:{job.key}"


@dataclass(frozen=True)
class Task:
    """One plan's or one case's share of a tick, which the scheduler runs on its own (a savepoint): if it raises,
    only it is set aside. `subject` is its stable text ("plan:12", "hz:HZ-2026-0001"), `about` what a person
    calls it (the plan's title, the case's reference)."""

    subject: str
    about: str
    run: Callable[[], None]


class JobSource(Protocol[U]):
    """What a feature gives the scheduler. Subclass it to inherit the defaults (nothing to write, nothing to
    sweep); `process` is called only for jobs whose kind is in `kinds`.

    `materialize` and `sweep` return one `Task` per plan or case rather than doing the work, so one bad row
    (a reminder 999999 days before, a deadline in the year 9999) stops only itself."""

    kinds: ClassVar[frozenset[JobKind]] = frozenset()

    def materialize(self, uow: U, now: datetime) -> Iterable[Task]:
        """Per plan or case: write the jobs now known to be coming, each under its unique key (writing one twice
        changes nothing)."""
        return ()

    def process(self, uow: U, job: ReminderJob, now: datetime) -> JobState:
        """Queue the job's messages in the outbox (in `uow`) and say what became of it."""
        raise LookupError(f"{type(self).__name__} owns no job of kind {job.kind}")  # by default it owns none

    def about(self, uow: U, job: ReminderJob) -> str:
        """What a person calls the job's plan or case, for the notice when it failed."""
        return job.hazard_ref or job.key

    def sweep(self, uow: U, now: datetime) -> Iterable[Task]:
        """Work done on every tick without jobs of its own (its outbox keys make it happen once), per case."""
        return ()
