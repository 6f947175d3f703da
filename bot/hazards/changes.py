"""What each step of the closed loop changes on a case, and the input it needs.

`apply_step` is the one way a case moves: it asks `bot.hazards.rules` whether the step may be taken, changes
the case, and returns the step's timeline event. Every accepted step yields exactly one timeline event; a
refused step changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.errors import InvalidInput, WrongState, text_problem
from bot.core.model import CaseEvent, Photo
from bot.core.text import Limits, tidy
from bot.hazards.model import Hazard, HazardStatus, Role, Severity, Step
from bot.hazards.rules import RULES, check

REASON_MAX = Limits.REASON
TEXT_MAX = Limits.MEASURES


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
    revision: int | None = None  # the case's revision the person saw (modal or button); None: whatever it is now


def check_input(cmd: StepInput, *, now: datetime, department_exists: Callable[[str], bool],
                max_ahead: timedelta = timedelta(days=365)) -> dict[str, str]:
    """Field problems that need no case: blank or over-long text, a deadline in the past or beyond `max_ahead`
    (the org file's `deadlines.max_ahead`; a deadline in the year 9999 overflowed the escalation chain)."""
    problems: dict[str, str] = {}
    needs_reason = {Step.REJECT, Step.SEND_BACK, Step.RETURN, Step.REQUEST_EXTENSION}
    if cmd.step in needs_reason and not tidy(cmd.reason):
        problems["reason"] = "error.blank"
    if len(tidy(cmd.reason)) > REASON_MAX:
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
    elif cmd.deadline is not None and cmd.deadline > now + max_ahead + timedelta(days=1):
        problems["deadline"] = "error.deadline_too_far"  # a day's grace: the date picked means its end of day
    return problems


def apply_step(hazard: Hazard, cmd: StepInput, *, roles: set[Role], now: datetime,
               default_deadline: datetime | None) -> CaseEvent:
    """Take one step or raise (NotAllowed, WrongState, InvalidInput) having changed nothing.

    A step asked for on an older revision of the case than it has now was decided on what is no longer
    true (someone else took a step meanwhile): it is refused as already taken, even where the step would
    fit the new state (a second Assess from "assessed" would silently overwrite the first).
    """
    if cmd.revision is not None and cmd.revision != hazard.revision and roles & RULES[cmd.step].roles:
        raise WrongState("error.already_taken", reference=hazard.reference, status=hazard.status.value)
    rule = check(hazard, cmd.step, roles)
    changes = _STEPS[cmd.step](hazard, cmd, now, default_deadline)
    if rule.target is not None and rule.target != hazard.status:
        changes["status"] = [hazard.status.value, rule.target.value]
        hazard.status = rule.target
    hazard.revision += 1
    return CaseEvent(case_ref=hazard.reference, action=cmd.step.event, actor_id=cmd.actor_id, at=now,
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
    _set(h, changes, "last_reason", tidy(cmd.reason))
    _set(h, changes, "closed_at", now)
    return changes


def _forward(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    if cmd.department_key == h.department_key:
        raise InvalidInput({"department": "error.same_department"})
    changes: dict[str, Any] = {}
    _set(h, changes, "department_key", cmd.department_key)
    _set(h, changes, "severity", None)  # the new department assesses afresh
    _set(h, changes, "deadline_at", None)
    if tidy(cmd.reason):
        changes["reason"] = tidy(cmd.reason)
    return changes


def _assign(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "measures", tidy(cmd.measures))
    _set(h, changes, "assignee_id", cmd.assignee_id)
    _set(h, changes, "deadline_at", cmd.deadline or h.deadline_at or default)
    if h.status is HazardStatus.ASSESSED:
        _set(h, changes, "rounds", h.rounds + 1)
    _clear_extension(h, changes)
    return changes


def _complete(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "completion_note", tidy(cmd.note))
    _set(h, changes, "completion_photos", [{"file_id": p.file_id, "name": p.name, "permalink": p.permalink}
                                           for p in cmd.photos])
    _clear_extension(h, changes)
    return changes


def _request_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    if h.deadline_at is not None and cmd.deadline is not None and cmd.deadline <= h.deadline_at:
        raise InvalidInput({"deadline": "error.extension_not_later"})
    changes: dict[str, Any] = {}
    _set(h, changes, "extension_until", cmd.deadline)
    _set(h, changes, "extension_reason", tidy(cmd.reason))
    return changes


def _accept_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "deadline_at", h.extension_until)
    _clear_extension(h, changes)
    return changes


def _refuse_extension(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _clear_extension(h, changes)
    if tidy(cmd.reason):
        changes["reason"] = tidy(cmd.reason)
    return changes


def _approve(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    return {}


def _back_to_rectification(h: Hazard, cmd: StepInput, now: datetime, default: datetime | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _set(h, changes, "last_reason", tidy(cmd.reason))
    _set(h, changes, "rounds", h.rounds + 1)
    deadline = cmd.deadline
    if deadline is None and (h.deadline_at is None or h.deadline_at <= now):
        deadline = default  # the old deadline is past: the new round gets one offered from the severity
    if deadline is not None:
        _set(h, changes, "deadline_at", deadline)
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
