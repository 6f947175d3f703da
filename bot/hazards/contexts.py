"""The typed contexts of hazard messages: what a view may read, checked when queued and when rendered.

Built by `bot.hazards.messages` from the case at the moment of the step, stored in the outbox as JSON
(`model_dump(mode="json")`), validated again by the renderer, and read by `handlers/hazards` views by
attribute. A snapshot, so a message rendered later still says what was true when it was queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.hazards.model import HazardCategory, HazardStatus, Severity, Step

Audience = Literal["safety", "leader", "assignee", "reporter"]


class _Context(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseSnapshot(_Context):
    """The case as every hazard message shows it."""

    reference: str
    category: HazardCategory
    location: str
    description: str
    department: str
    leaders: list[str] = Field(default_factory=list)
    reporter: str | None  # None: anonymous
    anonymous: bool
    photos: list[dict[str, str]] = Field(default_factory=list)  # empty when anonymous: links name the uploader
    photo_count: int = 0  # how many photos were attached, shown even where their links are not
    source_permalink: str | None = None
    reported_at: datetime
    timezone: str
    status: HazardStatus
    severity: Severity | None = None
    deadline_at: datetime | None = None
    measures: str | None = None
    assignee: str | None = None
    completion_note: str | None = None
    completion_photos: list[dict[str, str]] = Field(default_factory=list)
    extension_until: datetime | None = None
    extension_reason: str | None = None
    last_reason: str | None = None
    thread: tuple[str, str] | None = None  # (channel, ts) of the case's thread in the safety channel
    revision: int = 1
    deciders: list[str] = Field(default_factory=list)  # who may approve or verify it now (not who did the work)
    safety_officers: list[str] = Field(default_factory=list)  # whom a reporter asks when they disagree
    as_of: datetime | None = None  # when the message was written: "3 days left" is counted from then
    incident: str | None = None  # the incident whose corrective action this is (5.2.4)


class CaseCard(CaseSnapshot):
    """hazard.card: the case as one recipient sees it, refreshed in place at every step."""

    recipient: str
    audience: Audience
    offers: list[Step] = Field(default_factory=list)  # the steps this recipient may take from the card now
    duplicates: list[str] = Field(default_factory=list)  # open cases of the same category and location (safety post)


class Decision(_Context):
    step: Step
    actor: str | None


class StepLine(CaseSnapshot):
    """hazard.step: the line a step adds to the case's thread, with the buttons of a decision it awaits."""

    recipient: str
    step: Step
    actor: str | None
    changes: dict[str, Any] = Field(default_factory=dict)
    buttons: list[Step] = Field(default_factory=list)
    decided: Decision | None = None  # the awaited decision was taken: its buttons give way to who took it
    names: dict[str, str] = Field(default_factory=dict)  # user id -> display name: a line names, never pings
    ping: list[str] = Field(default_factory=list)  # the next actors told only here, so mentioned here


class HazardNotice(CaseSnapshot):
    """hazard.notice: a direct word to someone about the case (see `NOTICE_KINDS`)."""

    recipient: str
    notice: str
    step: Step | None = None
    actor: str | None = None
    changes: dict[str, Any] = Field(default_factory=dict)
    buttons: list[Step] = Field(default_factory=list)  # the decision asked of the recipient, right where they are told
    decided: Decision | None = None  # taken (here or anywhere else): the buttons give way to who took it
    ping: list[str] = Field(default_factory=list)  # people mentioned (a notice in a channel thread: the next actors)
    names: dict[str, str] = Field(default_factory=dict)  # in a channel thread: people named, not mentioned


class CalendarNotice(_Context):
    """calendar.unknown_year: a deadline falls in a year the working-day calendar does not know."""

    year: int


CONTEXTS: dict[str, type[BaseModel]] = {
    "hazard.card": CaseCard,
    "hazard.step": StepLine,
    "hazard.notice": HazardNotice,
    "calendar.unknown_year": CalendarNotice,
}
