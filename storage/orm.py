"""Tables, and the mapping of the domain's dataclasses onto them (imperative, so `bot/` stays SQL-free)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry

from bot.core.model import CaseEvent
from bot.core.outbox import OutboxMessage, OutboxStatus
from bot.hazards.workflow import Hazard, HazardCategory, HazardStatus, Severity
from bot.incidents.usecases import Incident, IncidentStatus, IncidentType
from bot.plans import Occurrence, OccurrenceStatus, Plan, PlanKind
from bot.scheduling import JobState, ReminderJob

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum(enum: type, name: str) -> Enum:
    # Stored as plain strings: new members need no ALTER TYPE on PostgreSQL.
    return Enum(enum, name=name, native_enum=False, create_constraint=False, length=32,
                values_callable=lambda e: [m.value for m in e])


class UtcDateTimeType(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = UtcDateTimeType()

hazards = Table(
    "hazards", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("category", _enum(HazardCategory, "hazard_category"), nullable=False),
    Column("location", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("department_key", String(64), nullable=False, index=True),
    Column("reporter_id", String(32), nullable=False, index=True),
    Column("anonymous", Boolean, nullable=False),
    Column("photos", JSON, nullable=False),
    Column("source_permalink", Text),
    Column("status", _enum(HazardStatus, "hazard_status"), nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("thread_channel", String(32)),
    Column("thread_ts", String(32)),
    Column("severity", _enum(Severity, "hazard_severity")),
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
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_ref", String(32), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("actor_id", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("changes", JSON, nullable=False),
)

reference_counters = Table(
    "reference_counters", metadata,
    Column("prefix", String(8), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", Integer, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("recipient", String(32), nullable=False),
    Column("template", String(64), nullable=False),
    Column("context", JSON, nullable=False),
    Column("subject", String(32), index=True),
    Column("on_sent", String(32)),
    Column("status", _enum(OutboxStatus, "outbox_status"), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime),
    Column("maybe_sent", Boolean, nullable=False),
    Column("first_attempt_at", UtcDateTime),
    Column("sent_channel", String(32)),
    Column("sent_ts", String(32)),
    Column("sent_at", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("thread_of", String(32)),
    Column("update_of", String(200)),
    Column("method", String(64), nullable=False, server_default="chat.postMessage"),
    Column("on_failed", String(32)),
    Column("generation", Integer, nullable=False, server_default="0"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("kind", _enum(PlanKind, "plan_kind"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("owner_id", String(32), nullable=False),
    Column("audience", JSON, nullable=False),
    Column("rule", String(500), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("time_of_day", Time, nullable=False),
    Column("offsets", JSON, nullable=False),
    Column("move_off_holidays", Boolean, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("deleted_at", UtcDateTime),
    Column("materialized_until", UtcDateTime),
    Column("scheduled_since", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

occurrences = Table(
    "occurrences", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", _enum(OccurrenceStatus, "occurrence_status"), nullable=False),
    Column("done_at", UtcDateTime),
    Column("done_by", String(32)),
    Column("notes", Text),
    Column("attendance", JSON, nullable=False),
    Column("photos", JSON, nullable=False),
    UniqueConstraint("plan_id", "due_at", name="uq_occurrences_plan_due"),
)

reminder_jobs = Table(
    "reminder_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("fire_at", UtcDateTime, nullable=False),
    Column("occurrence_id", Integer, ForeignKey("occurrences.id")),
    Column("hazard_ref", String(32)),
    Column("state", _enum(JobState, "job_state"), nullable=False),
    Column("lease_until", UtcDateTime),
    Column("processed_at", UtcDateTime),
    Index("ix_reminder_jobs_due", "state", "fire_at"),
)

incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", _enum(IncidentType, "incident_type"), nullable=False),
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
    Column("status", _enum(IncidentStatus, "incident_status"), nullable=False),
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

mapper_registry = registry(metadata=metadata)
_mapped = False


def map_domain() -> None:
    """Map the dataclasses once per process; idempotent so tests and the app can both call it."""
    global _mapped
    if _mapped:
        return
    # `revision` is the optimistic lock: the domain bumps it on every step, and an UPDATE that finds
    # another revision in the row fails instead of overwriting a concurrent step.
    mapper_registry.map_imperatively(Hazard, hazards, version_id_col=hazards.c.revision,
                                     version_id_generator=False)
    mapper_registry.map_imperatively(CaseEvent, case_events)
    mapper_registry.map_imperatively(OutboxMessage, outbox)
    mapper_registry.map_imperatively(Plan, plans)
    mapper_registry.map_imperatively(Occurrence, occurrences)
    mapper_registry.map_imperatively(ReminderJob, reminder_jobs)
    mapper_registry.map_imperatively(Incident, incidents, version_id_col=incidents.c.revision,
                                     version_id_generator=False)
    _mapped = True
