"""Who plays in the demo: the people of the packaged org template, each with a name and a Slack language,
and a clock the demo can move forward (so a reminder three days away comes due now)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

REPORTER = "U01EMP1"
HEAD = "U01HEAD1"
DEPUTY = "U01DEP1"
FIXER = "U01EMP2"
OFFICER = "U01SAFE1"
BOSS = "U01BOSS"

NAMES = {REPORTER: "li.wei", HEAD: "anna.head", DEPUTY: "zhang.deputy", FIXER: "tom.fix",
         OFFICER: "wang.safety", BOSS: "chen.boss"}
LOCALES = {REPORTER: "zh-CN", HEAD: "en-US", DEPUTY: "zh-CN", FIXER: "en-US", OFFICER: "zh-CN", BOSS: "zh-CN"}


def who(user: str) -> str:
    """A person as the demo names them: ``li.wei (zh-CN)``, their Slack language in brackets."""
    return f"{NAMES.get(user, user.lower())} ({LOCALES.get(user, 'en-US')})"


@dataclass
class DemoClock:
    """Real time plus a jump the demo makes; the bot, its outbox and its scheduler all read it."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)
