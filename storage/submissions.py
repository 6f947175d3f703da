"""The submissions table: which request keys were already handled, and what they answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Table, select, update

from storage.metadata import SqlRepository, UtcDateTime, insert_on_conflict, metadata

submissions = Table(
    "submissions", metadata,
    Column("key", String(200), primary_key=True),
    Column("result", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)


class SqlSubmissions(SqlRepository):
    def claim(self, key: str, *, at: datetime) -> dict[str, Any] | None:
        # INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a second transaction with the same key waits here
        # for the first to end, then sees its row; SQLite's BEGIN IMMEDIATE already runs them one by one.
        stmt = insert_on_conflict(submissions, ("key", "result", "created_at"), returning='"key"')
        inserted = self._s.execute(stmt, {"key": key, "result": {}, "created_at": at}).first()
        if inserted is not None:
            return None
        stored = self._s.execute(select(submissions.c.result).where(submissions.c.key == key)).scalar_one()
        return dict(stored)

    def remember(self, key: str, result: dict[str, Any]) -> None:
        self._s.execute(update(submissions).where(submissions.c.key == key).values(result=result))
