"""What the scheduler needs from storage: occurrences and jobs, leased so each is processed once."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from bot.core.ports import UnitOfWork


class ScheduleRepository(Protocol):
    def add_occurrence(self, *, plan_id: int, due_at: datetime) -> int:
        """The occurrence's id; idempotent: the same (plan, due time) always gives the same row."""

    def add_job(self, job: Any) -> None:
        """Idempotent by the job's key."""

    def add_jobs(self, jobs: Sequence[Any]) -> None:
        """`add_job` for many, in as few statements as the database allows."""

    def replace_chain(self, hazard_ref: str, jobs: Sequence[Any], *, now: datetime) -> None:
        """The case's pending jobs of other chains are skipped; `jobs` (one chain) are written, those of them
        skipped earlier and still to come pending again."""

    def add_failed(self, job: Any, *, error: str, now: datetime) -> None:
        """Record work that failed as a FAILED row under the job's key; idempotent by the key (the first error
        stays)."""

    def occurrence(self, occurrence_id: int | None) -> Any | None: ...

    def claim(self, *, now: datetime, lease_seconds: float, limit: int) -> list[Any]:
        """Lease due pending jobs; other processes skip them until the lease ends."""

    def later_due(self, job: Any, *, prefix: str, now: datetime) -> bool: ...

    def skip_until(self, plan: Any, *, now: datetime) -> None:
        """Mark pending jobs of the plan due before `now` as skipped."""

    def forget_future(self, plan: Any, *, now: datetime) -> None:
        """Drop pending reminders of occurrences still to come."""


class SchedulingUnitOfWork(UnitOfWork, Protocol):
    @property
    def schedule(self) -> ScheduleRepository: ...

    def savepoint(self) -> AbstractContextManager[Any]:
        """A nested transaction: what is done inside is undone alone if the block raises, which re-raises."""
