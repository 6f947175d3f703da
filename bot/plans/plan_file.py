"""The plans file (`safetybot plans import [FILE]`): its schema, checked entry by entry, and what an entry means.

The file is a list of plans, each under a stable `key` (so importing it again updates those plans instead of
adding new ones):

    - key: fire-drill
      kind: drill                      # drill, inspection, equipment_check, infosec_task, training, meeting
      title: Fire drill                # or in both languages: {zh-CN: 消防演练, en: Fire drill}
      details: Evacuate by the stairs; count heads at the assembly point.   # optional; also {zh-CN: ..., en: ...}
      owner: safety                    # a Slack user id, or `safety`: the org file's first safety officer
      audience:                        # at least one of these
        channel: safety                # a channel id, or `safety`: the safety department's channel
        departments: [cs1]             # department keys from the org file
        people: [U0123ABCD]
        everyone: true                 # everyone in the org file
      recurrence:
        pattern: every_n_months        # weekly, monthly_weekday, every_n_months, yearly, once, custom
        start: 2027-04-15              # the first date; the pattern is read from it (weekday, day of month)
        interval: 6                    # optional: every 6 months (weeks, years)
        rule: FREQ=...                 # custom only: an RFC 5545 rule body
        time: "14:00"                  # in the org's time zone
        from_import: true              # optional: `start` only shows the pattern (a Tuesday, the 12th, 11 Jan);
                                       # the plan starts on the first such date from the day it is imported
      reminders: [7d, 1d, 0d]          # optional; before the due time, 0d on the time itself
      move_off_holidays: true          # optional: a date that is not a working day moves to the next one

`to_input` needs the org file only to resolve `safety`; `bot.plans.importer` checks entries against it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from bot.core.config_files import IsoDate
from bot.core.durations import Duration
from bot.core.org import Org
from bot.core.text import clean
from bot.plans.model import DEFAULT_OFFSETS, OFFSET_MAX_DAYS, Audience, PlanInput, PlanKind, is_offset
from bot.plans.recurrence import Pattern, in_company_zone, rule_for

SAFETY = "safety"  # stands for the safety department: its first officer as owner, its channel as audience

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_USER = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,}")


def _list(value: object) -> object:
    return [] if value is None else value  # `people:` with every entry commented out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AudienceSpec(_Strict):
    channel: str | None = None
    departments: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=list)
    people: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=list)
    everyone: bool = False

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and value != SAFETY and not _CHANNEL.fullmatch(value):
            raise ValueError(f"{value!r} is not a channel id (like C0123ABCD) or '{SAFETY}'")
        return value

    @field_validator("people")
    @classmethod
    def _people(cls, value: list[str]) -> list[str]:
        for person in value:
            if not _USER.fullmatch(person):
                raise ValueError(f"{person!r} is not a Slack user id (like U0123ABCD)")
        return value

    @model_validator(mode="after")
    def _someone(self) -> AudienceSpec:
        if not (self.channel or self.departments or self.people or self.everyone):
            raise ValueError("nobody would be reminded: give a channel, departments, people or everyone: true")
        return self


class RecurrenceSpec(_Strict):
    pattern: Pattern
    start: IsoDate
    interval: Annotated[int, Field(ge=1, le=120)] = 1
    rule: str | None = None
    time: str
    from_import: bool = False

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> str:
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise ValueError(f"{value!r} is not a time like \"09:00\"")
        return value

    @model_validator(mode="after")
    def _rule_only_when_custom(self) -> RecurrenceSpec:
        if self.pattern is Pattern.CUSTOM and not self.rule:
            raise ValueError("pattern custom needs a rule, like FREQ=MONTHLY;BYDAY=1MO")
        if self.pattern is not Pattern.CUSTOM and self.rule:
            raise ValueError(f"a rule goes with pattern custom, not {self.pattern.value}")
        return self

    @property
    def time_of_day(self) -> dt.time:
        match = _TIME.fullmatch(self.time)
        assert match is not None
        return dt.time(int(match[1]), int(match[2]))


class InLanguages(_Strict):
    """A text written in both languages, each person reading their own."""

    zh_CN: Annotated[str, AfterValidator(clean), Field(alias="zh-CN", min_length=1)]
    en: Annotated[str, AfterValidator(clean), Field(min_length=1)]

    def of(self, locale: str) -> str:
        return self.zh_CN if locale == "zh-CN" else self.en


_Title = Annotated[str, AfterValidator(clean), Field(min_length=1)]


class PlanSpec(_Strict):
    """One plan as the file writes it."""

    key: str
    kind: PlanKind
    title: _Title | InLanguages
    details: Annotated[str, AfterValidator(clean)] | InLanguages = ""
    owner: str
    audience: AudienceSpec
    recurrence: RecurrenceSpec
    reminders: Annotated[list[str], BeforeValidator(_list)] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))
    move_off_holidays: bool = False

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.fullmatch(value):
            raise ValueError(f"{value!r} is not a key (lowercase letters, digits and '-', at most 64)")
        return value

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        if value != SAFETY and not _USER.fullmatch(value):
            raise ValueError(f"{value!r} is not a Slack user id (like U0123ABCD) or '{SAFETY}'")
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: list[str]) -> list[str]:
        for reminder in value:
            if is_offset(str(reminder)):
                continue
            try:
                Duration.parse(str(reminder))
            except ValueError:
                raise ValueError(f"{reminder!r} is not a reminder like 7d (days before) or 2h (hours)") from None
            raise ValueError(f"{reminder!r} is too early: a reminder is at most {OFFSET_MAX_DAYS}d "
                             f"(or {OFFSET_MAX_DAYS * 24}h) before")
        return list(dict.fromkeys(value))


def _text(text: str | InLanguages, locale: str) -> str:
    return text.of(locale) if isinstance(text, InLanguages) else text


def _translations(spec: PlanSpec) -> dict[str, dict[str, str]]:
    """Each language's title and details, when the file gives either in both (else the plan reads as written)."""
    if not isinstance(spec.title, InLanguages) and not isinstance(spec.details, InLanguages):
        return {}
    return {locale: {"title": _text(spec.title, locale), "details": _text(spec.details, locale)}
            for locale in ("zh-CN", "en")}


def to_input(spec: PlanSpec, org: Org) -> PlanInput:
    """The entry as the plan modal would submit it; raises RuleError for a custom rule that cannot be used."""
    audience = spec.audience
    channel = org.safety_department.channel if audience.channel == SAFETY else audience.channel
    rec = spec.recurrence
    return PlanInput(
        key=spec.key, kind=spec.kind, title=_text(spec.title, org.language), details=_text(spec.details, org.language),
        translations=_translations(spec),
        owner_id=org.safety_department.members[0] if spec.owner == SAFETY else spec.owner,
        audience=Audience(channel=channel, departments=audience.departments, people=audience.people,
                          everyone=audience.everyone),
        rule=rule_for(rec.pattern, start=rec.start, interval=rec.interval,
                      custom=in_company_zone(rec.rule or "", org.tz)),
        start=rec.start, time_of_day=rec.time_of_day, offsets=spec.reminders,
        move_off_holidays=spec.move_off_holidays, start_on_import=rec.from_import,
    )
