"""Plans (3.1.1, 3.1.4, 3.2.2, 3.3.2, 3.4.3, 4.2.1, 4.3, 5.4, 7.1, chapter 6): recurring safety work with an
owner, an audience and a record of completion.

A plan's recurrence is an RFC 5545 rule in the company's time zone (`bot.plans.recurrence`). Its occurrences
are rows of their own, and so are their reminders (`bot.scheduling.ReminderJob`, written by
`bot.plans.jobs`), each under a unique key, so that each reminder is sent once however many copies of the
bot run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.durations import Duration
from bot.core.model import Photo
from bot.core.org import Org
from bot.core.text import Limits
from bot.plans.recurrence import Recurrence

OFFSETS = ("30d", "7d", "3d", "1d", "0d")  # what the modal offers; "0d" is on the day
DEFAULT_OFFSETS = ("7d", "1d", "0d")
TITLE_MAX = Limits.PLAN_TITLE
NOTES_MAX = Limits.PLAN_NOTES


class PlanKind(StrEnum):
    DRILL = "drill"
    INSPECTION = "inspection"
    EQUIPMENT_CHECK = "equipment_check"
    INFOSEC_TASK = "infosec_task"
    TRAINING = "training"
    MEETING = "meeting"


class OccurrenceStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class OverdueLevel(StrEnum):
    """Who hears of an occurrence not recorded as done, in turn (the delays are the org file's `reminders`)."""

    OWNER = "owner"
    HEAD = "head"  # the owner's department head
    SAFETY = "safety"  # the safety department's channel


class Audience(BaseModel):
    channel: str | None = None
    departments: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    everyone: bool = False

    def is_empty(self) -> bool:
        return not (self.channel or self.departments or self.people or self.everyone)

    def people_in(self, org: Org) -> list[str]:
        """Everyone who gets a DM: named people, whole departments, or the whole org file."""
        chosen: list[str] = list(self.people)
        departments = org.departments if self.everyone else [d for d in org.departments if d.key in self.departments]
        for department in departments:
            chosen += [*department.leaders, *department.members]
        if self.everyone:
            chosen += [*org.safety_department.members, *org.management.members]
        return list(dict.fromkeys(chosen))


OFFSET_MAX_DAYS = 366  # a reminder at most a year before: further back is a typo that overflows the calendar


def offset_too_early(duration: Duration) -> bool:
    return duration.delta > timedelta(days=OFFSET_MAX_DAYS)


def is_offset(text: str) -> bool:
    """A reminder offset: days or hours before the due time ("7d", "2h"; "0d" on the time itself), at most
    `OFFSET_MAX_DAYS` days (or as many hours) before."""
    try:
        return not offset_too_early(Duration.parse(text))
    except ValueError:
        return False


Translations = dict[str, dict[str, str]]  # locale -> {"title": ..., "details": ...}


def localized(title: str, details: str, translations: Translations | None, locale: str) -> tuple[str, str]:
    """A plan's title and details in `locale` when it was written in that language too, else as stored."""
    own = (translations or {}).get(locale) or {}
    return own.get("title") or title, own.get("details", details)


@dataclass(eq=False)
class Plan:
    key: str
    kind: PlanKind
    title: str
    owner_id: str
    audience: dict[str, Any]
    rule: str
    start_date: date
    time_of_day: time
    offsets: list[str]  # reminder offsets as written ("7d"), which the jobs' keys repeat
    created_at: datetime
    details: str = ""
    move_off_holidays: bool = False
    paused: bool = False
    deleted_at: datetime | None = None
    materialized_until: datetime | None = None
    scheduled_since: datetime | None = None  # when the current schedule was set: no reminder owed before
    # The title and details in each language, for plans written in both (the default plans): {"en": {"title":
    # ..., "details": ...}, "zh-CN": {...}}; `title` and `details` are the org's language. None: as written.
    translations: dict[str, dict[str, str]] | None = None
    id: int | None = None

    def title_in(self, locale: str) -> str:
        return localized(self.title, self.details, self.translations, locale)[0]

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(rule=self.rule, start=self.start_date, time_of_day=self.time_of_day,
                          move_off_holidays=self.move_off_holidays)

    @property
    def active(self) -> bool:
        return not self.paused and self.deleted_at is None

    @property
    def audience_model(self) -> Audience:
        return Audience.model_validate(self.audience)


@dataclass(eq=False)
class Occurrence:
    plan_id: int
    due_at: datetime
    status: OccurrenceStatus = OccurrenceStatus.OPEN
    done_at: datetime | None = None
    done_by: str | None = None
    notes: str | None = None
    attendance: list[str] = field(default_factory=list)
    photos: list[dict[str, str]] = field(default_factory=list)
    id: int | None = None


class PlanInput(BaseModel):
    """A plan as a safety officer wrote it (modal or YAML file)."""

    key: str | None = None  # None: a new plan gets a key from its title
    kind: PlanKind | None
    title: str
    details: str = ""
    owner_id: str | None
    audience: Audience = Field(default_factory=Audience)
    rule: str
    start: date | None
    time_of_day: time = time(9, 0)
    offsets: list[str] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))
    move_off_holidays: bool = False
    # From a plans file: each language's title and details ({} when written in one); None from the modal, where
    # the title and details shown in the editor's language keep the others (`bot.plans.usecases.save_plan`).
    translations: Translations | None = None
    start_on_import: bool = False  # `start` shows the pattern; the plan starts from the day it is first imported


class DoneInput(BaseModel):
    occurrence_id: int
    actor_id: str
    done_on: date | None
    notes: str = ""
    attendance: list[str] = Field(default_factory=list)
    photos: list[Photo] = Field(default_factory=list)
