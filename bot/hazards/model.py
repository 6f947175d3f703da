"""The hazard case and the words its closed loop (7.3, 2.2.4) is told in: states, steps, roles.

Plain dataclasses and enums; `storage` maps `Hazard` to a table, `bot.hazards.rules` says who may take which
step from which state, `bot.hazards.changes` what each step changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.severity import Severity


class HazardCategory(StrEnum):
    FIRE = "fire"
    ELECTRICAL = "electrical"
    NETWORK = "network"
    PREMISES = "premises"
    INFOSEC = "infosec"
    OTHER = "other"


class HazardStatus(StrEnum):
    REPORTED = "reported"
    ASSESSED = "assessed"
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    APPROVED = "approved"
    CLOSED = "closed"
    REJECTED = "rejected"


OPEN_STATUSES = frozenset(HazardStatus) - {HazardStatus.CLOSED, HazardStatus.REJECTED}


class Step(StrEnum):
    ASSESS = "assess"
    REJECT = "reject"
    FORWARD = "forward"
    ASSIGN = "assign"
    COMPLETE = "complete"
    REQUEST_EXTENSION = "request_extension"
    ACCEPT_EXTENSION = "accept_extension"
    REFUSE_EXTENSION = "refuse_extension"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    VERIFY = "verify"
    RETURN = "return"

    @property
    def event(self) -> str:
        """The step's name on the case timeline: what happened, in the past tense, like every timeline
        entry of every feature (`reported`, `assessed`, `plan_started`, `checklist_ticked`, ...)."""
        return _EVENTS[self]

    @classmethod
    def of_event(cls, action: str) -> Step:
        """The step a timeline entry records; entries written before the naming convention used the step's
        own name (`assess`), and the timeline is append-only, so both are read."""
        return _STEP_OF_EVENT.get(action) or cls(action)


_EVENTS = {
    Step.ASSESS: "assessed", Step.REJECT: "rejected", Step.FORWARD: "forwarded", Step.ASSIGN: "assigned",
    Step.COMPLETE: "completed", Step.REQUEST_EXTENSION: "extension_requested",
    Step.ACCEPT_EXTENSION: "extension_accepted", Step.REFUSE_EXTENSION: "extension_refused",
    Step.APPROVE: "approved", Step.SEND_BACK: "sent_back", Step.VERIFY: "verified", Step.RETURN: "returned",
}
_STEP_OF_EVENT = {name: step for step, name in _EVENTS.items()}


def timeline_action(action: str) -> str:
    """A stored timeline action under today's naming convention (older entries named the step itself)."""
    if action in Step._value2member_map_:
        return Step(action).event
    return "corrective_action_opened" if action == "corrective_action" else action


BOT_ACTOR = "USAFETYBOT"  # the timeline's actor for what the bot did by itself (as the incidents' timeline has it)


class Role(StrEnum):
    LEADER = "leader"  # head or deputy of the case's department
    SAFETY = "safety"  # safety officer
    ASSIGNEE = "assignee"  # the person responsible for the rectification
    STAND_IN = "stand_in"  # a safety officer approving for a head who carried out the rectification


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
    thread_channel: str | None = None  # where the case's card and thread live; None: the safety channel
    thread_ts: str | None = None
    severity: Severity | None = None
    deadline_at: datetime | None = None
    measures: str | None = None
    assignee_id: str | None = None
    rounds: int = 0  # how many times the rectification was (re)started
    completion_note: str | None = None
    completion_photos: list[dict[str, str]] = field(default_factory=list)
    extension_until: datetime | None = None
    extension_reason: str | None = None
    last_reason: str | None = None  # why it was last rejected, sent back or returned
    closed_at: datetime | None = None
    prompt_key: str | None = None  # the thread message whose buttons wait for a decision
    incident_ref: str | None = None  # a corrective action of this incident (5.2.4)
    revision: int = 1  # optimistic lock: a step that read an older revision is refused
    id: int | None = None

    @property
    def home(self) -> str | None:
        """The conversation its safety card and thread go to when it is not the safety channel."""
        return self.thread_channel

    def record_thread(self, channel: str, ts: str) -> None:
        """The safety-channel post becomes the case's thread; only the first post counts."""
        if self.thread_ts is None:
            self.thread_channel, self.thread_ts = channel, ts
