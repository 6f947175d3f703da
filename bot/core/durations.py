"""A length of time as people write it in config files and plans: "7d" (days) or "24h" (hours).

The org file's deadlines and escalations, a plan's reminder offsets and the scheduler all read this one
type. Its two units mean different things on purpose: hours are elapsed time; days can also be counted on
the company's calendar (`shift`), so a reminder seven days before a 09:00 drill is at 09:00 even across a
daylight-saving change.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from bot.core.config_files import show

_TEXT = re.compile(r"([0-9]+)([dh])")
_MAX_IN_CONFIG = 999  # days or hours; a larger number is a typo, and would make deadline arithmetic crawl


class Duration(BaseModel):
    """`amount` days or hours; "0d" is a valid offset (on the time itself)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Annotated[int, Field(ge=0)]
    unit: Literal["d", "h"]

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Raises ValueError for anything but digits followed by d or h."""
        match = _TEXT.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a duration like 7d or 24h: {text!r}")
        return cls(amount=int(match[1]), unit="d" if match[2] == "d" else "h")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def delta(self) -> timedelta:
        """As elapsed time (calendar days, not working days)."""
        return timedelta(days=self.amount) if self.unit == "d" else timedelta(hours=self.amount)

    def shift(self, moment: datetime, tz: ZoneInfo, *, sign: int = 1) -> datetime:
        """`moment` moved forward (sign 1) or back (-1), in UTC: hours as elapsed time, days on the calendar
        of the zone `tz`, keeping the wall-clock time of day."""
        if self.unit == "h":
            return moment + sign * self.delta
        local = moment.astimezone(tz)
        day = local.date() + sign * timedelta(days=self.amount)
        return datetime.combine(day, local.time(), tzinfo=tz).astimezone(UTC)


def _configured(value: object) -> object:
    """A deadline or delay as an admin writes it in the org file: at least 1 and at most 999 days or hours."""
    try:
        duration = value if isinstance(value, Duration) else Duration.parse(value)  # type: ignore[arg-type]
    except ValueError:
        duration = None
    if duration is None or duration.amount < 1:
        raise PydanticCustomError("bad_duration", "{value} is not a duration like 7d or 24h", {"value": show(value)})
    if duration.amount > _MAX_IN_CONFIG:
        raise PydanticCustomError("long_duration", "{value} is too long (at most {most}d or {most}h)",
                                  {"value": show(value), "most": _MAX_IN_CONFIG})
    return duration


# A config file's duration, written and dumped as the admin's text ("7d"), so a dumped file validates again.
DurationText = Annotated[Duration, BeforeValidator(_configured), PlainSerializer(str, return_type=str)]
