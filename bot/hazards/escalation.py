"""The rectification deadline's escalation chain (2.1.4), in one table: each level, when it fires relative
to the deadline (the delays are the org file's `escalation` section) and who is told.

The scheduler's jobs (`bot.hazards.jobs`) and the notices' kinds (`deadline_<level>`, in
`bot.hazards.messages`) both read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.org import Escalation, Org
from bot.hazards.model import Hazard


class DeadlineLevel(StrEnum):
    SOON = "soon"  # the deadline is near: a reminder to the assignee
    ASSIGNEE = "assignee"
    HEAD = "head"
    SAFETY = "safety"
    MANAGEMENT = "management"


def _assignee(hazard: Hazard, org: Org) -> list[str | None]:
    return [hazard.assignee_id]


def _leaders(hazard: Hazard, org: Org) -> list[str | None]:
    department = org.department(hazard.department_key)
    return list(department.leaders) if department else []


@dataclass(frozen=True)
class Rung:
    level: DeadlineLevel
    after_deadline: Callable[[Escalation], timedelta]  # negative: before it
    told: Callable[[Hazard, Org], list[str | None]]
    in_case_thread: bool = False  # posted in the case's thread of the safety channel
    escalates: bool = False  # goes up past the assignee: recorded on the case's timeline

    @property
    def notice(self) -> str:
        """The notice kind of its message (a translation key's last part)."""
        return f"deadline_{self.level.value}"

    def fires_at(self, deadline: datetime, escalation: Escalation) -> datetime:
        return deadline + self.after_deadline(escalation)


CHAIN: tuple[Rung, ...] = (
    Rung(DeadlineLevel.SOON, lambda e: -e.before_deadline.delta, _assignee),
    Rung(DeadlineLevel.ASSIGNEE, lambda e: timedelta(0), _assignee),
    Rung(DeadlineLevel.HEAD, lambda e: e.head.delta, _leaders, escalates=True),
    Rung(DeadlineLevel.SAFETY, lambda e: e.safety.delta, lambda h, org: [h.home or org.safety_department.channel],
         in_case_thread=True, escalates=True),  # in the case's thread: a confidential case's own channel
    Rung(DeadlineLevel.MANAGEMENT, lambda e: e.management.delta, lambda h, org: list(org.management.members),
         escalates=True),
)
RUNGS = {rung.level: rung for rung in CHAIN}
DEADLINE_LEVELS = tuple(rung.level.value for rung in CHAIN)
