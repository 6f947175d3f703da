"""Entities shared by the workflows: a case's timeline events and attached photos.

Plain dataclasses; `storage.orm` maps them to tables, so nothing here knows about SQL or Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(eq=False)
class Photo:
    """A file the reporter attached; Slack keeps the bytes, we keep the pointer."""

    file_id: str
    name: str = ""
    permalink: str = ""


@dataclass(eq=False)
class CaseEvent:
    """One line of a case's timeline. Append-only: the application never updates or deletes one."""

    case_ref: str
    action: str
    actor_id: str
    at: datetime
    changes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"
