"""The incidents table, its mapping and repository."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text, select

from bot.incidents.model import Incident, IncidentStatus, IncidentType
from storage.metadata import SqlRepository, UtcDateTime, enum_column, mapper_registry, metadata

incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", enum_column(IncidentType, "incident_type"), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("location", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("injured", Integer, nullable=False),
    Column("injured_names", Text, nullable=False),
    Column("immediate_actions", Text, nullable=False),
    Column("reporter_id", String(32), nullable=False),
    Column("department_key", String(64)),
    Column("confidential", Boolean, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("status", enum_column(IncidentStatus, "incident_status"), nullable=False),
    Column("channel_id", String(32), index=True),
    Column("channel_failed", Text),
    Column("thread_channel", String(32)),
    Column("thread_ts", String(32)),
    Column("checklist", JSON, nullable=False),
    Column("authority_report", JSON),
    Column("root_cause", Text),
    Column("lessons", Text),
    Column("closed_at", UtcDateTime),
    Column("revision", Integer, nullable=False),
)


class SqlIncidents(SqlRepository):
    @classmethod
    def map_tables(cls) -> None:
        # `revision` is the optimistic lock, as for hazards.
        mapper_registry.map_imperatively(Incident, incidents, version_id_col=incidents.c.revision,
                                         version_id_generator=False)

    def add(self, incident: Incident) -> None:
        self._s.add(incident)

    def get(self, reference: str, *, lock: bool = False) -> Incident | None:
        query = select(Incident).where(incidents.c.reference == reference)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).one_or_none()

    def by_channel(self, channel_id: str) -> Incident | None:
        return self._s.scalars(select(Incident).where(incidents.c.channel_id == channel_id)).first()

    def by_thread(self, channel_id: str, thread_ts: str) -> Incident | None:
        return self._s.scalars(select(Incident).where(incidents.c.thread_channel == channel_id,
                                                      incidents.c.thread_ts == thread_ts)).first()

    def find(self, *, statuses: Iterable[str]) -> list[Incident]:
        query = select(Incident).where(incidents.c.status.in_(list(statuses))).order_by(incidents.c.id)
        return list(self._s.scalars(query))
