"""What the incident feature needs from storage. Its corrective actions are hazards, so its unit of work
carries the hazard repository too (reached only through `bot.hazards`' public use cases and queries)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bot.hazards import HazardsUnitOfWork
from bot.incidents.model import Incident


class IncidentRepository(Protocol):
    def add(self, incident: Incident) -> None: ...

    def get(self, reference: str, *, lock: bool = False) -> Incident | None:
        """None when no incident has that reference. lock: hold it until commit."""

    def by_channel(self, channel_id: str) -> Incident | None:
        """The incident whose own channel this is, if any."""

    def by_thread(self, channel_id: str, thread_ts: str) -> Incident | None:
        """The incident whose post starts this thread (in the safety channel), if any."""

    def find(self, *, statuses: Iterable[str]) -> list[Incident]: ...


class IncidentsUnitOfWork(HazardsUnitOfWork, Protocol):
    @property
    def incidents(self) -> IncidentRepository: ...
