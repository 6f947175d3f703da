"""Who hears what when a hazard moves: the outgoing messages each step queues.

Each case has *cards* (the safety-channel post, a DM to each leader, to the assignee and to the
reporter) that are updated in place to show the current status and the next action; each step also
adds a line to the case's thread, and some steps ping a person directly. All of it goes into the
outbox in the step's own transaction, under keys that make a repeated step queue nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.model import CaseEvent
from bot.core.org import Org
from bot.core.outbox import OutboxMessage
from bot.core.ports import UnitOfWork
from bot.hazards.escalation import DEADLINE_LEVELS
from bot.hazards.workflow import Hazard, Severity, Step

# Steps after which a decision is awaited, and the buttons the thread message then carries.
PROMPTS: dict[Step, tuple[Step, ...]] = {
    Step.COMPLETE: (Step.APPROVE, Step.SEND_BACK),
    Step.REQUEST_EXTENSION: (Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION),
    Step.APPROVE: (Step.VERIFY, Step.RETURN),
}


# Steps whose direct notice goes to the person who must act next or should know.
NOTICE_STEPS = (Step.COMPLETE, Step.REQUEST_EXTENSION, Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION,
                Step.SEND_BACK, Step.RETURN, Step.REJECT, Step.VERIFY)
NOTICE_KINDS = ("forwarded", "assigned", "major", *(s.value for s in NOTICE_STEPS),
                *(f"deadline_{level}" for level in DEADLINE_LEVELS))


def case_context(hazard: Hazard, org: Org) -> dict[str, Any]:
    """A snapshot of the case for rendering messages later, in each recipient's language."""
    department = org.department(hazard.department_key)

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "reference": hazard.reference,
        "category": hazard.category.value,
        "location": hazard.location,
        "description": hazard.description,
        "department": department.name if department else hazard.department_key,
        "leaders": department.leaders if department else [],
        "reporter": None if hazard.anonymous else hazard.reporter_id,
        "anonymous": hazard.anonymous,
        "photos": [dict(p) for p in hazard.photos],
        "source_permalink": hazard.source_permalink,
        "reported_at": hazard.reported_at.isoformat(),
        "timezone": org.timezone,
        "status": hazard.status.value,
        "severity": hazard.severity.value if hazard.severity else None,
        "deadline_at": iso(hazard.deadline_at),
        "measures": hazard.measures,
        "assignee": hazard.assignee_id,
        "completion_note": hazard.completion_note,
        "completion_photos": [dict(p) for p in hazard.completion_photos],
        "extension_until": iso(hazard.extension_until),
        "extension_reason": hazard.extension_reason,
        "last_reason": hazard.last_reason,
        "thread": [hazard.thread_channel, hazard.thread_ts] if hazard.thread_ts else None,
        "revision": hazard.revision,
    }


class Outgoing:
    """Queues one case's messages within the caller's unit of work."""

    def __init__(self, uow: UnitOfWork, hazard: Hazard, org: Org, now: datetime) -> None:
        self.uow, self.hazard, self.org, self.now = uow, hazard, org, now
        self.ref = hazard.reference
        self.case = case_context(hazard, org)

    def _message(self, key: str, recipient: str, template: str, extra: dict[str, Any] | None = None,
                 **fields: Any) -> OutboxMessage:
        context = {**self.case, "recipient": recipient, **(extra or {})}
        return OutboxMessage(key=f"{self.ref}:{key}", recipient=recipient, template=template, context=context,
                             created_at=self.now, subject=self.ref, **fields)

    def send(self, key: str, recipient: str, template: str, extra: dict[str, Any] | None = None,
             **fields: Any) -> None:
        self.uow.outbox.add(self._message(key, recipient, template, extra, **fields))

    def card(self, key: str, recipient: str, audience: str, **fields: Any) -> bool:
        """Post the card, or refresh it where it was posted before. True when it is new."""
        extra = {"audience": audience}
        if self.uow.outbox.by_key(f"{self.ref}:{key}") is None:
            self.send(key, recipient, "hazard.card", extra, **fields)
            return True
        self.uow.outbox.put_latest(self._message(f"{key}:update", recipient, "hazard.card", extra,
                                                 update_of=f"{self.ref}:{key}"))
        return False

    def thread(self, key: str, extra: dict[str, Any]) -> None:
        self.send(key, self.org.safety_department.channel, "hazard.step", extra, thread_of=self.ref)


def queue_report(uow: UnitOfWork, hazard: Hazard, org: Org, now: datetime) -> None:
    out = Outgoing(uow, hazard, org, now)
    out.card("safety-post", org.safety_department.channel, "safety", on_sent="case_thread")
    for leader in out.case["leaders"]:  # a head who reports gets the card they can act on, not a receipt
        out.card(f"leader:{leader}", leader, "leader")
    if hazard.reporter_id not in out.case["leaders"]:
        out.card(f"reporter:{hazard.reporter_id}", hazard.reporter_id, "reporter")


def queue_step(uow: UnitOfWork, hazard: Hazard, event: CaseEvent, org: Org, *, previous_leaders: list[str],
               previous_assignee: str | None) -> None:
    """The thread line, the refreshed cards and the direct messages for one accepted step."""
    now, step, rev = event.at, Step(event.action), hazard.revision
    out = Outgoing(uow, hazard, org, now)
    leaders, assignee = out.case["leaders"], hazard.assignee_id
    step_info = {"step": step.value, "actor": event.actor_id, "changes": event.changes}

    # The thread: resolve the decision that was waiting, then say what happened (and what is awaited).
    if hazard.prompt_key:
        waiting = uow.outbox.by_key(hazard.prompt_key)
        if waiting is not None:
            uow.outbox.put_latest(OutboxMessage(
                key=f"{hazard.prompt_key}:update", recipient=waiting.recipient, template="hazard.step",
                context={**waiting.context, "decided": step_info}, created_at=now, subject=hazard.reference,
                update_of=hazard.prompt_key))
        hazard.prompt_key = None
    buttons = [s.value for s in PROMPTS.get(step, ())]
    out.thread(f"r{rev}:step", {**step_info, "buttons": buttons})
    if buttons:
        hazard.prompt_key = f"{hazard.reference}:r{rev}:step"

    # The cards, refreshed everywhere they were posted.
    out.card("safety-post", org.safety_department.channel, "safety")
    for leader in dict.fromkeys([*previous_leaders, *leaders]):
        if out.card(f"leader:{leader}", leader, "leader") is False and leader not in previous_leaders:
            out.send(f"r{rev}:notice:{leader}", leader, "hazard.notice", {"notice": "forwarded"})
    for person in dict.fromkeys(p for p in (previous_assignee, assignee) if p):
        if out.card(f"assignee:{person}", person, "assignee") is False and person == assignee != previous_assignee:
            out.send(f"r{rev}:notice:{person}", person, "hazard.notice", {"notice": "assigned"})
    if uow.outbox.by_key(f"{hazard.reference}:reporter:{hazard.reporter_id}") is not None:
        out.card(f"reporter:{hazard.reporter_id}", hazard.reporter_id, "reporter")

    # Direct word to the people who must act next, or who should know.
    notice = {"notice": step.value, **step_info}
    if step is Step.ASSESS and hazard.severity is Severity.MAJOR:
        for manager in org.management.members:
            out.send(f"major:{manager}", manager, "hazard.notice", {"notice": "major"})
    if step in (Step.COMPLETE, Step.REQUEST_EXTENSION):
        for leader in leaders:
            out.send(f"r{rev}:notice:{leader}", leader, "hazard.notice", notice)
    if step in (Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION, Step.SEND_BACK, Step.RETURN) and assignee:
        out.send(f"r{rev}:notice:{assignee}", assignee, "hazard.notice", notice)
    if step in (Step.REJECT, Step.VERIFY):
        out.send(f"r{rev}:notice:{hazard.reporter_id}", hazard.reporter_id, "hazard.notice", notice)


def _record_case_thread(uow: UnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
    hazard = uow.hazards.get(message.subject or "", lock=True)  # a step may be changing the case right now
    if hazard is not None:
        hazard.record_thread(answer["channel"], answer["ts"])


SENT_HOOKS = {"case_thread": _record_case_thread}
