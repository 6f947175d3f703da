"""Who hears what when a hazard moves: the outgoing messages each step queues.

Each case has *cards* (the safety-channel post, a DM to each leader, to the assignee and to the
reporter) that are updated in place to show the current status and the next action; each step also
adds a line to the case's thread, and some steps ping a person directly. All of it goes into the
outbox in the step's own transaction, under keys that make a repeated step queue nothing new. Every
context is a model of `bot.hazards.contexts`, stored as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.core.model import CaseEvent
from bot.core.org import Org
from bot.core.outbox import OutboxMessage, SentHook
from bot.hazards.contexts import (
    CONTEXTS,
    Audience,
    CaseCard,
    CaseSnapshot,
    Decision,
    HazardNotice,
    StepLine,
)
from bot.hazards.escalation import DEADLINE_LEVELS
from bot.hazards.model import Hazard, Role, Severity, Step
from bot.hazards.ports import HazardsUnitOfWork
from bot.hazards.rules import actors_for, awaited_decision, offers_for

__all__ = ["CONTEXTS", "NOTICE_KINDS", "SENT_HOOKS", "Outgoing", "deadline_notice", "queue_report",
           "queue_step", "refresh_cards", "snapshot"]

# Steps after which a decision is awaited, and the buttons the thread message then carries.
PROMPTS: dict[Step, tuple[Step, ...]] = {
    Step.COMPLETE: (Step.APPROVE, Step.SEND_BACK),
    Step.REQUEST_EXTENSION: (Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION),
    Step.APPROVE: (Step.VERIFY, Step.RETURN),
}

# What a card may offer, in this order; the rules decide which of them its recipient may take now. The
# decisions (approve or send back, extensions, verify or return) are on the cards of those who take them as
# well as in the case thread: heads act from their DM and need not be in the safety channel.
CARD_STEPS = (Step.ASSIGN, Step.ASSESS, Step.REJECT, Step.FORWARD, Step.COMPLETE, Step.REQUEST_EXTENSION,
              Step.APPROVE, Step.SEND_BACK, Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION, Step.VERIFY, Step.RETURN)

# Steps whose direct notice goes to the person who must act next or should know.
NOTICE_STEPS = (Step.ASSESS, Step.COMPLETE, Step.REQUEST_EXTENSION, Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION,
                Step.SEND_BACK, Step.RETURN, Step.REJECT, Step.VERIFY)
NOTICE_KINDS = ("forwarded", "assigned", "major", *(s.value for s in NOTICE_STEPS),
                *(f"deadline_{level}" for level in DEADLINE_LEVELS))


def snapshot(hazard: Hazard, org: Org, now: datetime | None = None) -> CaseSnapshot:
    """The case as its messages show it, for rendering later in each recipient's language.

    An anonymous case carries nothing that names its reporter: no id, no link back to their message, and
    no photo links (`https://<team>.slack.com/files/<uploader id>/...` names whoever uploaded them), only
    how many photos there are. The reporter's own card gets them back (`Outgoing._card`); safety officers
    see them with **Show reporter**. `now` is when the message is written, for "overdue by 2 days".
    """
    department = org.department(hazard.department_key)
    return CaseSnapshot(
        reference=hazard.reference, category=hazard.category, location=hazard.location,
        description=hazard.description, department=department.name if department else hazard.department_key,
        leaders=list(department.leaders) if department else [],
        reporter=None if hazard.anonymous else hazard.reporter_id, anonymous=hazard.anonymous,
        photos=[] if hazard.anonymous else [dict(p) for p in hazard.photos], photo_count=len(hazard.photos),
        source_permalink=None if hazard.anonymous else hazard.source_permalink,
        reported_at=hazard.reported_at, timezone=org.timezone, status=hazard.status, severity=hazard.severity,
        deadline_at=hazard.deadline_at, measures=hazard.measures, assignee=hazard.assignee_id,
        completion_note=hazard.completion_note, completion_photos=[dict(p) for p in hazard.completion_photos],
        extension_until=hazard.extension_until, extension_reason=hazard.extension_reason,
        last_reason=hazard.last_reason,
        thread=(hazard.thread_channel or "", hazard.thread_ts) if hazard.thread_ts else None,
        revision=hazard.revision, incident=hazard.incident_ref,
        deciders=actors_for(awaited, hazard, org) if (awaited := awaited_decision(hazard)) else [],
        safety_officers=list(org.safety_department.members), as_of=now)


def deadline_notice(hazard: Hazard, org: Org, level: str, recipient: str, now: datetime | None = None, *,
                    ping: list[str] | None = None, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON context of a deadline reminder or escalation (`deadline_<level>`) for the scheduler to queue;
    `ping`: whom it mentions (an escalation posted in the case's thread calls the safety officers there);
    `names`: how it names the others there (`names_in_thread`), without pinging them."""
    return _dump(HazardNotice(**_fields(snapshot(hazard, org, now)), recipient=recipient,
                              notice=f"deadline_{level}", ping=ping or [], names=dict(names or {})))


def names_in_thread(uow: HazardsUnitOfWork, hazard: Hazard) -> dict[str, str]:
    """The names the case's latest thread line used (every step's line is keyed by the revision it made):
    what a later line queued where Slack may not be asked (the scheduler's transaction) names people by."""
    latest = uow.outbox.by_key(f"{hazard.reference}:r{hazard.revision}:step")
    return dict(latest.context.get("names") or {}) if latest is not None else {}


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def _dump(context: BaseModel) -> dict[str, Any]:
    return context.model_dump(mode="json")


CARD_ROLES: dict[str, Role] = {"safety": Role.SAFETY, "leader": Role.LEADER, "assignee": Role.ASSIGNEE}


class Outgoing:
    """Queues one case's messages within the caller's unit of work."""

    def __init__(self, uow: HazardsUnitOfWork, hazard: Hazard, org: Org, now: datetime,
                 names: Mapping[str, str] | None = None) -> None:
        self.uow, self.hazard, self.org, self.now = uow, hazard, org, now
        self.names = dict(names or {})
        self.ref = hazard.reference
        self.case = _fields(snapshot(hazard, org, now))
        self.safety = home_of(hazard, org)

    def _message(self, key: str, recipient: str, template: str, context: BaseModel, **fields: Any) -> OutboxMessage:
        return OutboxMessage(key=f"{self.ref}:{key}", recipient=recipient, template=template,
                             context=_dump(context), created_at=self.now, subject=self.ref, **fields)

    def notice(self, key: str, recipient: str, notice: str, **extra: Any) -> None:
        context = HazardNotice(**self.case, recipient=recipient, notice=notice, **extra)
        self.uow.outbox.add(self._message(key, recipient, "hazard.notice", context))

    def _card(self, recipient: str, audience: Audience) -> CaseCard:
        """A card offers the steps the rules let its recipient take now, in the role the card is for."""
        role = CARD_ROLES.get(audience)
        holds = role is Role.SAFETY or (role is Role.LEADER and recipient in self.case["leaders"]) \
            or (role is Role.ASSIGNEE and recipient == self.hazard.assignee_id)
        offers = offers_for(recipient, self.hazard, self.org, CARD_STEPS, roles={role}) if role and holds else []
        case = self.case
        if audience == "reporter" and recipient == self.hazard.reporter_id:  # their own photos and message
            case = case | {"photos": [dict(p) for p in self.hazard.photos],
                           "source_permalink": self.hazard.source_permalink}
        return CaseCard(**case, recipient=recipient, audience=audience, offers=offers)

    def card(self, key: str, recipient: str, audience: Audience, *, duplicates: list[str] | None = None,
             known: Mapping[str, OutboxMessage] | None = None, **fields: Any) -> bool:
        """Post the card, or refresh it where it was posted before. True when it is new.

        `duplicates` (the safety post, when reported): possible duplicates, kept on every refresh after.
        `known`: the card's message and its update as `by_keys` found them, if the caller looked them up."""
        context = self._card(recipient, audience)
        full = f"{self.ref}:{key}"
        earlier = known.get(full) if known is not None else self.uow.outbox.by_key(full)
        if duplicates is None and earlier is not None:
            duplicates = list(earlier.context.get("duplicates") or [])
        if duplicates:
            context = context.model_copy(update={"duplicates": duplicates})
        if earlier is None:
            self.uow.outbox.add(self._message(key, recipient, "hazard.card", context, **fields))
            return True
        self.uow.outbox.put_latest(self._message(f"{key}:update", recipient, "hazard.card", context,
                                                 update_of=full), known=known)
        return False

    def ask(self, key: str, recipient: str, decision: tuple[Step, ...], step: Step, **extra: Any) -> None:
        """A direct word that asks for a decision, with the buttons of it the recipient may take: acted on where
        it is read; once the decision is taken anywhere it shows who took it (`_resolve_prompt`)."""
        buttons = offers_for(recipient, self.hazard, self.org, decision)
        self.notice(key, recipient, step.value, buttons=buttons, step=step, **extra)

    def thread(self, key: str, line: StepLine) -> None:
        self.uow.outbox.add(self._message(key, line.recipient, "hazard.step", line, reply_to=f"{self.ref}:safety-post"))


def home_of(hazard: Hazard, org: Org) -> str:
    """Where the case's safety card and thread go: the safety channel, or the conversation a confidential
    case was given (its incident's private channel), so that none of it reaches the wider safety channel."""
    return hazard.home or org.safety_department.channel


def queue_report(uow: HazardsUnitOfWork, hazard: Hazard, org: Org, now: datetime, *,
                 duplicates: list[str] | None = None) -> None:
    out = Outgoing(uow, hazard, org, now)
    out.card("safety-post", out.safety, "safety", on_sent="case_thread", duplicates=duplicates or [])
    leaders = out.case["leaders"]
    for leader in leaders:  # a head who reports gets the card they can act on, not a receipt
        out.card(f"leader:{leader}", leader, "leader")
    if hazard.reporter_id not in leaders and not hazard.incident_ref:  # an incident's action: nobody reported it
        out.card(f"reporter:{hazard.reporter_id}", hazard.reporter_id, "reporter")


def _resolve_prompt(uow: HazardsUnitOfWork, hazard: Hazard, decided: Decision, now: datetime,
                    asked: list[str]) -> None:
    """The thread message that waited for a decision, and every direct ask of it (to `asked`, whoever may
    have been asked), show who took it instead of their buttons, wherever it was taken."""
    if hazard.prompt_key:
        waiting = uow.outbox.by_key(hazard.prompt_key)
        if waiting is not None:
            line = StepLine.model_validate(waiting.context).model_copy(update={"decided": decided})
            uow.outbox.put_latest(OutboxMessage(
                key=f"{hazard.prompt_key}:update", recipient=waiting.recipient, template="hazard.step",
                context=_dump(line), created_at=now, subject=hazard.reference, update_of=hazard.prompt_key))
        stem = hazard.prompt_key.removesuffix(":step")
        for person in dict.fromkeys(asked):
            key = f"{stem}:notice:{person}"
            ask = uow.outbox.by_key(key)
            if ask is not None and ask.template == "hazard.notice" and ask.context.get("buttons"):
                notice = HazardNotice.model_validate(ask.context).model_copy(update={"decided": decided})
                uow.outbox.put_latest(OutboxMessage(
                    key=f"{key}:update", recipient=ask.recipient, template="hazard.notice", context=_dump(notice),
                    created_at=now, subject=hazard.reference, update_of=key))
        hazard.prompt_key = None


def queue_step(uow: HazardsUnitOfWork, hazard: Hazard, event: CaseEvent, org: Org, *, previous_leaders: list[str],
               previous_assignee: str | None, names: Mapping[str, str] | None = None) -> None:
    """The thread line, the refreshed cards and the direct messages for one accepted step.

    Only whoever must act next is pinged, once: thread lines name people (`names`) without mentioning them,
    except the safety officers a verification waits for, who are called in the thread where its buttons are.
    """
    now, step, rev = event.at, Step.of_event(event.action), hazard.revision
    out = Outgoing(uow, hazard, org, now, names)
    leaders, assignee = out.case["leaders"], hazard.assignee_id
    step_info: dict[str, Any] = {"step": step, "actor": event.actor_id, "changes": event.changes}

    # The thread: resolve the decision that was waiting, then say what happened (and what is awaited).
    _resolve_prompt(uow, hazard, Decision(step=step, actor=event.actor_id), now,
                    [*previous_leaders, *leaders, *org.safety_department.members])
    buttons = list(PROMPTS.get(step, ()))
    safety = out.safety
    ping = actors_for(Step.VERIFY, hazard, org) if step is Step.APPROVE else []
    out.thread(f"r{rev}:step", StepLine(**out.case, recipient=safety, buttons=buttons, names=out.names, ping=ping,
                                        **step_info))
    if buttons:
        hazard.prompt_key = f"{hazard.reference}:r{rev}:step"

    # The cards, refreshed everywhere they were posted.
    out.card("safety-post", safety, "safety")
    for leader in dict.fromkeys([*previous_leaders, *leaders]):
        if out.card(f"leader:{leader}", leader, "leader") is False and leader not in previous_leaders:
            out.notice(f"r{rev}:notice:{leader}", leader, "forwarded")
    for person in dict.fromkeys(p for p in (previous_assignee, assignee) if p):
        if out.card(f"assignee:{person}", person, "assignee") is False and person == assignee != previous_assignee:
            out.notice(f"r{rev}:notice:{person}", person, "assigned")
    if uow.outbox.by_key(f"{hazard.reference}:reporter:{hazard.reporter_id}") is not None:
        out.card(f"reporter:{hazard.reporter_id}", hazard.reporter_id, "reporter")

    # Direct word to the people who must act next, or who should know.
    if step is Step.ASSESS and hazard.severity is Severity.MAJOR:
        for manager in org.management.members:
            out.notice(f"major:{manager}", manager, "major")
    if step is Step.ASSESS and event.actor_id not in leaders:  # an officer assessed: the heads assign next
        for leader in actors_for(Step.ASSIGN, hazard, org):
            out.notice(f"r{rev}:notice:{leader}", leader, step.value, **step_info)
    if step in (Step.COMPLETE, Step.REQUEST_EXTENSION):  # ask those who decide next, with the decision's buttons
        for leader in actors_for(PROMPTS[step][0], hazard, org):
            out.ask(f"r{rev}:notice:{leader}", leader, PROMPTS[step], **step_info)
    if step in (Step.ACCEPT_EXTENSION, Step.REFUSE_EXTENSION, Step.SEND_BACK, Step.RETURN) and assignee:
        out.notice(f"r{rev}:notice:{assignee}", assignee, step.value, **step_info)
    if step in (Step.REJECT, Step.VERIFY):
        out.notice(f"r{rev}:notice:{hazard.reporter_id}", hazard.reporter_id, step.value, **step_info)


def refresh_cards(uow: HazardsUnitOfWork, hazard: Hazard, org: Org, now: datetime) -> None:
    """Every card the case has, shown again as of `now`: when its deadline comes and passes, the cards say
    "overdue by 2 days" too, not only the reminders (a card is otherwise refreshed only at a step)."""
    out = Outgoing(uow, hazard, org, now)
    cards: list[tuple[str, str, Audience]] = [("safety-post", out.safety, "safety")]
    cards += [(f"leader:{leader}", leader, "leader") for leader in out.case["leaders"]]
    if hazard.assignee_id:
        cards.append((f"assignee:{hazard.assignee_id}", hazard.assignee_id, "assignee"))
    cards.append((f"reporter:{hazard.reporter_id}", hazard.reporter_id, "reporter"))
    keys = [f"{hazard.reference}:{key}" for key, _, _ in cards]
    known = uow.outbox.by_keys([*keys, *(f"{key}:update" for key in keys)])  # one look-up, not three a card
    for key, recipient, audience in cards:
        if f"{hazard.reference}:{key}" in known:
            out.card(key, recipient, audience, known=known)


def _record_case_thread(uow: HazardsUnitOfWork, message: OutboxMessage, answer: dict[str, Any]) -> None:
    hazard = uow.hazards.get(message.subject or "", lock=True)  # a step may be changing the case right now
    if hazard is not None:
        hazard.record_thread(answer["channel"], answer["ts"])


SENT_HOOKS: dict[str, SentHook] = {"case_thread": _record_case_thread}
