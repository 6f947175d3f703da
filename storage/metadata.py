"""What every feature's tables share: one MetaData (the migrations compare against it), the mapper
registry, and the column types (enums stored as strings, aware UTC datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, Table, TextClause, TypeDecorator, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, registry

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)

# The execution option of a transaction that only reads (`SqlUnitOfWork.reading`): on SQLite it begins with a
# plain BEGIN, not BEGIN IMMEDIATE (`storage.db`).
READING = "safetybot_reading"


def enum_column(enum: type, name: str) -> Enum:
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


def insert_for(session: Session) -> Any:
    """The dialect's INSERT, which has the `ON CONFLICT` upserts the repositories rely on."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


@cache
def insert_on_conflict(table: Table, columns: tuple[str, ...], conflict: str = '("key") DO NOTHING',
                       returning: str | None = None) -> TextClause:
    """`INSERT INTO table (columns) VALUES (...) ON CONFLICT <conflict> [RETURNING ...]` as one statement that
    SQLite and PostgreSQL both read, built once and cached with its compiled form.

    Why not `insert_for(...).on_conflict_do_nothing()`: SQLAlchemy does not cache the dialects' INSERT … ON
    CONFLICT (`inherit_cache = False`), so every call built and compiled it anew, the bulk of a tick's and a
    report's time in the profile. The parameters keep their columns' types (UTC datetimes, JSON, enums).
    """
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(f":{name}" for name in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({values}) ON CONFLICT {conflict}"
    if returning:
        sql += f" RETURNING {returning}"
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class SqlRepository:
    """A repository over the unit of work's session; it maps its own domain classes onto its tables."""

    def __init__(self, session: Session) -> None:
        self._s = session

    @classmethod
    def map_tables(cls) -> None:
        """Map the feature's dataclasses onto its tables (imperatively, so `bot/` stays SQL-free)."""
