"""Domain entities shared by the workflows: cases, their timeline, reference numbers.

Plain dataclasses; `storage.orm` maps them to tables, so nothing here knows about SQL or Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class HazardCategory(StrEnum):
    FIRE = "fire"
    ELECTRICAL = "electrical"
    NETWORK = "network"
    PREMISES = "premises"
    INFOSEC = "infosec"
    OTHER = "other"


class HazardStatus(StrEnum):
    REPORTED = "reported"


@dataclass(eq=False)
class Photo:
    """A file the reporter attached; Slack keeps the bytes, we keep the pointer."""

    file_id: str
    name: str = ""
    permalink: str = ""


@dataclass(eq=False)
class Hazard:
    reference: str
    category: HazardCategory
    location: str
    description: str
    department_key: str
    reporter_id: str
    anonymous: bool
    reported_at: datetime
    photos: list[dict[str, str]] = field(default_factory=list)
    source_permalink: str | None = None
    status: HazardStatus = HazardStatus.REPORTED
    thread_channel: str | None = None
    thread_ts: str | None = None
    id: int | None = None

    def record_thread(self, channel: str, ts: str) -> None:
        """The safety-channel post becomes the case's thread; only the first post counts."""
        if self.thread_ts is None:
            self.thread_channel, self.thread_ts = channel, ts


@dataclass(eq=False)
class CaseEvent:
    """One line of a case's timeline. Append-only: the application never updates or deletes one."""

    case_ref: str
    action: str
    actor_id: str
    at: datetime
    changes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
