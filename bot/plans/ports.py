"""What the plans feature needs from storage: its plans, on top of the scheduler's occurrences and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.scheduling import SchedulingUnitOfWork


class PlanRepository(Protocol):
    def add(self, plan: Any) -> None: ...

    def get(self, key: str) -> Any | None:
        """None when no plan has that key (deleted plans are still found: their records stay)."""

    def by_id(self, plan_id: int) -> Any | None: ...

    def active(self) -> list[Any]:
        """Plans neither paused nor deleted."""

    def to_materialize(self, *, before: datetime, limit: int) -> list[Any]:
        """Active plans whose occurrences are written only up to a time before `before` (or not at all)."""

    def all(self) -> list[Any]:
        """Plans not deleted, by title."""


class PlansUnitOfWork(SchedulingUnitOfWork, Protocol):
    @property
    def plans(self) -> PlanRepository: ...
