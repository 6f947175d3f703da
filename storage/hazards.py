"""The hazards table, its mapping and repository."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, and_, false, func, or_, select

from bot.hazards.model import OPEN_STATUSES, Hazard, HazardCategory, HazardStatus, Severity
from storage.metadata import SqlRepository, UtcDateTime, enum_column, mapper_registry, metadata

hazards = Table(
    "hazards", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("category", enum_column(HazardCategory, "hazard_category"), nullable=False),
    Column("location", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("department_key", String(64), nullable=False, index=True),
    Column("reporter_id", String(32), nullable=False, index=True),
    Column("anonymous", Boolean, nullable=False),
    Column("photos", JSON, nullable=False),
    Column("source_permalink", Text),
    Column("status", enum_column(HazardStatus, "hazard_status"), nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("thread_channel", String(32)),
    Column("thread_ts", String(32)),
    Column("severity", enum_column(Severity, "hazard_severity")),
    Column("deadline_at", UtcDateTime),
    Column("measures", Text),
    Column("assignee_id", String(32), index=True),
    Column("rounds", Integer, nullable=False, server_default="0"),
    Column("completion_note", Text),
    Column("completion_photos", JSON, nullable=False, server_default="[]"),
    Column("extension_until", UtcDateTime),
    Column("extension_reason", Text),
    Column("last_reason", Text),
    Column("closed_at", UtcDateTime),
    Column("prompt_key", String(200)),
    Column("revision", Integer, nullable=False, server_default="1"),
    Column("incident_ref", String(32), index=True),
    # What the tick (none now), `/hazard mine` and the lists filter on: each person's cases by state.
    Index("ix_hazards_status_deadline", "status", "deadline_at"),
    Index("ix_hazards_department_status", "department_key", "status"),
    Index("ix_hazards_assignee_status", "assignee_id", "status"),
    Index("ix_hazards_reporter_status", "reporter_id", "status"),
)


class SqlHazards(SqlRepository):
    @classmethod
    def map_tables(cls) -> None:
        # `revision` is the optimistic lock: the domain bumps it on every step, and an UPDATE that finds
        # another revision in the row fails instead of overwriting a concurrent step.
        mapper_registry.map_imperatively(Hazard, hazards, version_id_col=hazards.c.revision,
                                         version_id_generator=False)

    def add(self, hazard: Hazard) -> None:
        self._s.add(hazard)

    def get(self, reference: str, *, lock: bool = False) -> Hazard | None:
        query = select(Hazard).where(hazards.c.reference == reference)
        if lock:  # PostgreSQL: a second step on the same case waits here and then sees the first one's result
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).one_or_none()

    def find(self, *, reporter_id: str | None = None, assignee_id: str | None = None,
             department_keys: Sequence[str] | None = None, statuses: Iterable[str] | None = None,
             incident_ref: str | None = None, limit: int = 50, offset: int = 0,
             waiting: Iterable[tuple[str, bool | None]] | None = None,
             deadline_before: datetime | None = None) -> list[Hazard]:
        query = select(Hazard).order_by(hazards.c.id).limit(limit).offset(offset)
        if incident_ref is not None:
            query = query.where(hazards.c.incident_ref == incident_ref)
        if reporter_id is not None:
            query = query.where(hazards.c.reporter_id == reporter_id)
        if assignee_id is not None:
            query = query.where(hazards.c.assignee_id == assignee_id)
        if department_keys is not None:
            query = query.where(hazards.c.department_key.in_(list(department_keys)))
        if statuses is not None:
            query = query.where(hazards.c.status.in_(list(statuses)))
        if deadline_before is not None:
            query = query.where(hazards.c.deadline_at < deadline_before)
        if waiting is not None:
            query = query.where(or_(false(), *(
                and_(hazards.c.status == status, *(() if pending is None else (
                    hazards.c.extension_until.is_not(None) if pending else hazards.c.extension_until.is_(None),)))
                for status, pending in sorted(waiting, key=lambda pair: (str(pair[0]), str(pair[1]))))))
        return list(self._s.scalars(query))

    def open_like(self, category: str, location: str, *, limit: int = 10) -> list[Hazard]:
        query = (select(Hazard).where(hazards.c.category == category, hazards.c.incident_ref.is_(None),
                                      hazards.c.status.in_(list(OPEN_STATUSES)),
                                      func.lower(hazards.c.location) == location.lower())
                 .order_by(hazards.c.id).limit(limit))
        return list(self._s.scalars(query))
