"""What the plans and scheduling features need from storage (moved unchanged out of `bot.core.ports`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.ports import UnitOfWork


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


class PlansUnitOfWork(UnitOfWork, Protocol):
    plans: PlanRepository
    schedule: ScheduleRepository
