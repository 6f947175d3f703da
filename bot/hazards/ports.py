"""What the hazard feature needs from storage: its repository, on a unit of work that carries it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.ports import UnitOfWork
from bot.hazards.model import Hazard
from bot.scheduling import ScheduleRepository


class HazardRepository(Protocol):
    def add(self, hazard: Hazard) -> None: ...

    def get(self, reference: str, *, lock: bool = False) -> Hazard | None:
        """None when no hazard has that reference. lock: hold the case until commit (one step at a time)."""

    def find(self, *, reporter_id: str | None = None, assignee_id: str | None = None,
             department_keys: Sequence[str] | None = None, statuses: Iterable[str] | None = None,
             incident_ref: str | None = None, limit: int = 50, offset: int = 0,
             waiting: Iterable[tuple[str, bool | None]] | None = None,
             deadline_before: datetime | None = None) -> list[Hazard]:
        """Cases matching every given filter, oldest first, from the `offset`-th on. `waiting`: (status, extension
        pending?) pairs of which the case must match one (None: pending or not). `deadline_before`: only cases
        whose deadline is earlier (through the status-and-deadline index)."""

    def open_like(self, category: str, location: str, *, limit: int = 10) -> list[Hazard]:
        """Open reported cases (not an incident's corrective actions) of this category whose location is this
        one, letter case aside: possible duplicates of a new report. Oldest first."""


class HazardsUnitOfWork(UnitOfWork, Protocol):
    @property
    def hazards(self) -> HazardRepository: ...

    @property
    def schedule(self) -> ScheduleRepository:
        """Where a step writes its deadline's escalation jobs, in its own transaction."""
