"""The hazard closed loop (7.3, 2.2.4) as a state machine: who may take which step from which state.

- reported: the head (or deputy, or a safety officer) assesses it, rejects it as not a hazard, or
  forwards it to the right department (which then assesses it afresh);
- assessed: severity and deadline are set; the rectification is assigned to a responsible person;
- assigned: that person reports it done, or asks for more time (the head accepts or refuses);
- completed: the head approves the rectification in the case's thread, or sends it back;
- approved: a safety officer verifies and closes it, or returns it (back to assigned).

Nothing closes without a safety officer's verification. Every accepted step yields exactly one
timeline event; a refused step changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.errors import InvalidInput, NotAllowed, WrongState, text_problem
from bot.core.model import CaseEvent, Photo
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


class Role(StrEnum):
    LEADER = "leader"  # head or deputy of the case's department
    SAFETY = "safety"  # safety officer
    ASSIGNEE = "assignee"  # the person responsible for the rectification


S = HazardStatus
LEADERS, ASSIGNEE, SAFETY = frozenset({Role.LEADER, Role.SAFETY}), frozenset({Role.ASSIGNEE}), frozenset({Role.SAFETY})
HEADS = frozenset({Role.LEADER})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[HazardStatus]
    target: HazardStatus | None  # None: the status stays
    roles: frozenset[Role]
    refusal: str  # translation key shown to someone without the role
    extension_pending: bool | None = None  # None: either; else must match


RULES: dict[Step, Rule] = {
    Step.ASSESS: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.ASSESSED, LEADERS, "error.only_leaders"),
    Step.REJECT: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.REJECTED, LEADERS, "error.only_leaders"),
    Step.FORWARD: Rule(frozenset({S.REPORTED, S.ASSESSED}), S.REPORTED, LEADERS, "error.only_leaders"),
    Step.ASSIGN: Rule(frozenset({S.ASSESSED, S.ASSIGNED}), S.ASSIGNED, LEADERS, "error.only_leaders"),
    Step.COMPLETE: Rule(frozenset({S.ASSIGNED}), S.COMPLETED, ASSIGNEE, "error.only_assignee"),
    Step.REQUEST_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, ASSIGNEE, "error.only_assignee", False),
    Step.ACCEPT_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, HEADS, "error.only_heads", True),
    Step.REFUSE_EXTENSION: Rule(frozenset({S.ASSIGNED}), None, HEADS, "error.only_heads", True),
    Step.APPROVE: Rule(frozenset({S.COMPLETED}), S.APPROVED, HEADS, "error.only_heads"),
    Step.SEND_BACK: Rule(frozenset({S.COMPLETED}), S.ASSIGNED, HEADS, "error.only_heads"),
    Step.VERIFY: Rule(frozenset({S.APPROVED}), S.CLOSED, SAFETY, "error.safety_only"),
    Step.RETURN: Rule(frozenset({S.APPROVED}), S.ASSIGNED, SAFETY, "error.safety_only"),
}

REASON_MAX = 1000
TEXT_MAX = 3000


class StepInput(BaseModel):
    """One step as a person asked for it; which fields matter depends on the step."""

    reference: str
    step: Step
    actor_id: str
    severity: Severity | None = None
    deadline: datetime | None = None  # aware; None = the default for the step
    reason: str = ""
    department_key: str | None = None
    measures: str = ""
    assignee_id: str | None = None
    note: str = ""
    photos: list[Photo] = Field(default_factory=list)


def check_input(cmd: StepInput, *, now: datetime, department_exists: Callable[[str], bool]) -> dict[str, str]:
    """Field problems that need no case: blank or over-long text, a deadline in the past."""
    problems: dict[str, str] = {}
    needs_reason = {Step.REJECT, Step.SEND_BACK, Step.RETURN, Step.REQUEST_EXTENSION}
    if cmd.step in needs_reason and not cmd.reason.strip():
        problems["reason"] = "error.blank"
    if len(cmd.reason.strip()) > REASON_MAX:
        problems["reason"] = "error.too_long_reason"
    if cmd.step is Step.ASSESS and cmd.severity is None:
        problems["severity"] = "error.required"
    if cmd.step is Step.FORWARD:
        if not cmd.department_key:
            problems["department"] = "error.required"
        elif not department_exists(cmd.department_key):
            problems["department"] = "error.unknown_department"
    if cmd.step is Step.ASSIGN:
        if problem := text_problem(cmd.measures, TEXT_MAX):
            problems["measures"] = problem
        if not cmd.assignee_id:
            problems["assignee"] = "error.required"
    if cmd.step is Step.COMPLETE and (problem := text_problem(cmd.note, TEXT_MAX)):
        problems["note"] = problem
    if cmd.step is Step.REQUEST_EXTENSION and cmd.deadline is None:
        problems["deadline"] = "error.required"
    if cmd.deadline is not None and cmd.deadline <= now:
        problems["deadline"] = "error.deadline_past"
    return problems


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

    def record_thread(self, channel: str, ts: str) -> None:
        """The safety-channel post becomes the case's thread; only the first post counts."""
        if self.thread_ts is None:
            self.thread_channel, self.thread_ts = channel, ts

    def check(self, step: Step, roles: set[Role]) -> Rule:
        """Raise NotAllowed or WrongState unless someone with these roles may take this step now."""
        rule = RULES[step]
        if not roles & rule.roles:
            raise NotAllowed(rule.refusal, reference=self.reference)
        pending = self.extension_until is not None
        if self.status not in rule.sources or rule.extension_pending not in (None, pending):
            raise WrongState("error.wrong_state", reference=self.reference, status=self.status.value)
        return rule

    def apply(self, cmd: StepInput, *, roles: set[Role], now: datetime, default_deadline: datetime | None) -> CaseEvent:
        """Take one step or raise (NotAllowed, WrongState, InvalidInput) having changed nothing."""
        rule = self.check(cmd.step, roles)
        changes = _STEPS[cmd.step](self, cmd, now, default_deadline)
        if rule.target is not None and rule.target != self.status:
            changes["status"] = [self.status.value, rule.target.value]
            self.status = rule.target
        self.revision += 1
        return CaseEvent(case_ref=self.reference, action=cmd.step.value, actor_id=cmd.actor_id, at=now,
                         changes=changes)


def _set(hazard: Hazard, changes: dict[str, Any], name: str, value: Any) -> None:
    old = getattr(hazard, name)
    if old != value:
        changes[name] = [_plain(old), _plain(value)]
        setattr(hazard, name, value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, StrEnum) else value


def _assess(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "severity", cmd.severity)
    _set(h, changes, "deadline_at", cmd.deadline or default)
    return changes


def _reject(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "last_reason", cmd.reason.strip())
    _set(h, changes, "closed_at", now)
    return changes


def _forward(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    if cmd.department_key == h.department_key:
        raise InvalidInput({"department": "error.same_department"})
    changes: dict[str, Any] = {}
    _set(h, changes, "department_key", cmd.department_key)
    _set(h, changes, "severity", None)  # the new department assesses afresh
    _set(h, changes, "deadline_at", None)
    if cmd.reason.strip():
        changes["reason"] = cmd.reason.strip()
    return changes


def _assign(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "measures", cmd.measures.strip())
    _set(h, changes, "assignee_id", cmd.assignee_id)
    _set(h, changes, "deadline_at", cmd.deadline or h.deadline_at or default)
    if h.status is HazardStatus.ASSESSED:
        _set(h, changes, "rounds", h.rounds + 1)
    _clear_extension(h, changes)
    return changes


def _complete(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "completion_note", cmd.note.strip())
    _set(h, changes, "completion_photos", [{"file_id": p.file_id, "name": p.name, "permalink": p.permalink}
                                           for p in cmd.photos])
    _clear_extension(h, changes)
    return changes


def _request_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    if h.deadline_at is not None and cmd.deadline is not None and cmd.deadline <= h.deadline_at:
        raise InvalidInput({"deadline": "error.extension_not_later"})
    changes: dict[str, Any] = {}
    _set(h, changes, "extension_until", cmd.deadline)
    _set(h, changes, "extension_reason", cmd.reason.strip())
    return changes


def _accept_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "deadline_at", h.extension_until)
    _clear_extension(h, changes)
    return changes


def _refuse_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _clear_extension(h, changes)
    if cmd.reason.strip():
        changes["reason"] = cmd.reason.strip()
    return changes


def _approve(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    return {}


def _back_to_rectification(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "last_reason", cmd.reason.strip())
    _set(h, changes, "rounds", h.rounds + 1)
    if cmd.deadline is not None:
        _set(h, changes, "deadline_at", cmd.deadline)
    return changes


def _verify(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "closed_at", now)
    return changes


def _clear_extension(h: Hazard, changes: dict[str, Any]) -> None:
    _set(h, changes, "extension_until", None)
    _set(h, changes, "extension_reason", None)


_STEPS: dict[Step, Callable[[Hazard, StepInput, datetime, datetime | None], dict[str, Any]]] = {
    Step.ASSESS: _assess, Step.REJECT: _reject, Step.FORWARD: _forward, Step.ASSIGN: _assign,
    Step.COMPLETE: _complete, Step.REQUEST_EXTENSION: _request_extension,
    Step.ACCEPT_EXTENSION: _accept_extension, Step.REFUSE_EXTENSION: _refuse_extension,
    Step.APPROVE: _approve, Step.SEND_BACK: _back_to_rectification, Step.VERIFY: _verify,
    Step.RETURN: _back_to_rectification,
}


def roles_of(user_id: str, hazard: Hazard, *, leaders: list[str], safety_officers: set[str]) -> set[Role]:
    roles: set[Role] = set()
    if user_id in leaders:
        roles.add(Role.LEADER)
    if user_id in safety_officers:
        roles.add(Role.SAFETY)
    if hazard.assignee_id and user_id == hazard.assignee_id:
        roles.add(Role.ASSIGNEE)
    return roles
