"""Block Kit for the closed loop: step modals, thread lines, direct notices, `/hazard` answers.

Pure functions of (view model, locale); typed text reaches Slack as `rich_text` text elements, never inside
mrkdwn (see `handlers.hazards.views`); the notification `text` carries it escaped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits
from bot.hazards.contexts import CalendarNotice, CaseSnapshot, HazardNotice, StepLine
from bot.hazards.model import BOT_ACTOR, Severity, Step
from bot.hazards.queries import CaseLine, CaseView, MyCases
from handlers.core.blocks import Block, at, mention, mrkdwn, plain
from handlers.core.dates import deadline_text, long_date
from handlers.core.departments import department_select
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip
from handlers.core.rich import Element, elements, hole, labelled, plain_of, rich_block
from handlers.hazards.ids import BlockId, CallbackId
from handlers.hazards.list_views import case_row
from handlers.hazards.views import STATUS_EMOJI, case_deadline, shown, step_button, thread_link, who_decides

# Which inputs each step's modal asks for, in order. Steps not listed are taken from the button.
STEP_FIELDS: dict[Step, tuple[BlockId, ...]] = {
    Step.ASSESS: (BlockId.STEP_SEVERITY, BlockId.STEP_DEADLINE),
    Step.REJECT: (BlockId.STEP_REASON,),
    Step.FORWARD: (BlockId.STEP_DEPARTMENT, BlockId.STEP_REASON),
    Step.ASSIGN: (BlockId.STEP_MEASURES, BlockId.STEP_ASSIGNEE, BlockId.STEP_DEADLINE),
    Step.COMPLETE: (BlockId.STEP_NOTE, BlockId.STEP_PHOTO),
    Step.REQUEST_EXTENSION: (BlockId.STEP_DEADLINE, BlockId.STEP_REASON),
    Step.REFUSE_EXTENSION: (BlockId.STEP_REASON,),
    Step.SEND_BACK: (BlockId.STEP_REASON, BlockId.STEP_DEADLINE),
    Step.RETURN: (BlockId.STEP_REASON, BlockId.STEP_DEADLINE),
}
# Steps that start a new round of the rectification: their modal offers the round's deadline.
NEW_ROUND = frozenset({Step.SEND_BACK, Step.RETURN})
OPTIONAL = {  # fields a person may leave empty, per step
    Step.ASSESS: {BlockId.STEP_DEADLINE},
    Step.ASSIGN: {BlockId.STEP_DEADLINE},
    Step.FORWARD: {BlockId.STEP_REASON},
    Step.COMPLETE: {BlockId.STEP_PHOTO},
    Step.REFUSE_EXTENSION: {BlockId.STEP_REASON},
    Step.SEND_BACK: {BlockId.STEP_DEADLINE},  # left alone: the deadline still ahead, or the one offered
    Step.RETURN: {BlockId.STEP_DEADLINE},
}


def build_step_modal(*, step: Step, case: CaseSnapshot, locale: str, departments: list[Department],
                     deadline_hint: str, private_metadata: str, now: datetime | None = None,
                     offered_date: str | None = None) -> dict[str, Any]:
    """One modal for every step that needs input; `case` is the card context of the case. `offered_date`:
    the deadline a new round is offered (sending back or returning: the current one while it is ahead,
    else one counted from the severity), with `deadline_hint` saying which."""
    header = f"*{case.reference}* · {t('category.' + case.category, locale)} · {hole('location')}"
    blocks: list[Block] = [rich_block(elements(header, {"location": shown(case.location, 200)}))]
    for block in STEP_FIELDS[step]:
        optional = block in OPTIONAL.get(step, set())
        label = t(f"field.{block.value}", locale)
        if step is Step.REQUEST_EXTENSION and block is BlockId.STEP_DEADLINE:  # the new one, next to the current
            label = t("field.extension_until", locale)
            deadline_hint = t("field.current_deadline", locale,
                              deadline=deadline_text(case.deadline_at, now, case.timezone, locale))
        if block is BlockId.STEP_SEVERITY:
            options = [{"text": plain(t(f"severity.{s.value}", locale)), "value": s.value} for s in Severity]
            element: dict[str, Any] = {"type": "static_select", "options": options}
            if case.severity:
                element["initial_option"] = next(o for o in options if o["value"] == case.severity)
            blocks.append(_input(block, element, label, optional=optional))
        elif block is BlockId.STEP_DEADLINE:
            hint = deadline_hint if step in (Step.ASSESS, Step.REQUEST_EXTENSION) or step in NEW_ROUND else None
            element = {"type": "datepicker"}
            if step is Step.ASSIGN and case.deadline_at:
                element["initial_date"] = at(case.deadline_at, case.timezone)[:10]
            if step in NEW_ROUND:
                label = t("field.new_deadline", locale)
                if offered_date:
                    element["initial_date"] = offered_date
            blocks.append(_input(block, element, label, optional=optional, hint=hint or None))
        elif block is BlockId.STEP_DEPARTMENT:
            blocks.append(_input(block, department_select(departments), label, optional=optional))
        elif block is BlockId.STEP_ASSIGNEE:
            element = {"type": "users_select"}
            if case.assignee:
                element["initial_user"] = case.assignee
            blocks.append(_input(block, element, label, optional=optional))
        elif block is BlockId.STEP_PHOTO:
            blocks.append(_input(block, {"type": "file_input", "max_files": 5,
                                         "filetypes": ["jpg", "jpeg", "png", "heic", "gif", "webp"]},
                                 label, optional=optional))
        else:  # reason, measures, note: free text
            limit = Limits.REASON if block is BlockId.STEP_REASON else Limits.MEASURES
            element = {"type": "plain_text_input", "multiline": True, "max_length": limit}
            if block is BlockId.STEP_MEASURES and case.measures:
                element["initial_value"] = case.measures[:limit]
            blocks.append(_input(block, element, label, optional=optional))
    return {
        "type": "modal", "callback_id": CallbackId.HAZARD_STEP_MODAL,
        "title": plain(t(f"step.{step.value}.title", locale)[:24]),
        "submit": plain(t(f"step.{step.value}.button", locale)[:24]), "close": plain(t("common.cancel", locale)),
        "private_metadata": private_metadata, "blocks": blocks,
    }


TYPED = ("department", "reason", "note", "measures")  # what people wrote: shown as typed, never as mrkdwn


def decided_line(step: Step, actor: str, locale: str) -> str:
    """What an ask says once decided, in place of its buttons: "✅ Approved by @x" (what was done, as the
    timeline says it, not the button's imperative "Approve: @x")."""
    done = t(f"timeline.{step.event}", locale)
    return t("step.decided", locale, actor=actor, step=done[:1].upper() + done[1:])


def named(names: dict[str, str], user: str | None, typed: dict[str, str]) -> str:
    """A person as a thread line names them: their name, never a mention (a line pings nobody). A display
    name is text a person typed, so it is a hole in the sentence, filled as typed (see `handlers.core.rich`)."""
    if not user:
        return "—"
    key = f"who{len(typed)}"
    typed[key] = shown(names.get(user) or user, 200)
    return hole(key)


def _step_params(context: StepLine | HazardNotice, locale: str) -> tuple[dict[str, str], dict[str, str]]:
    """(the bot's own values, the typed ones) a thread line or notice may mention. A thread line names
    people; a direct notice (read by its recipient alone) may mention them, which pings nobody else."""
    changes, tz = context.changes, context.timezone
    names: dict[str, str] = {}  # the display names the sentence holds, by hole

    def person(user: str | None) -> str:
        """A thread line names everyone; a notice names whom it knows the names of (one in a channel's thread)
        and mentions the rest (in a DM a mention pings nobody else)."""
        if isinstance(context, StepLine) or (user and user in context.names):
            return named(context.names, user, names)
        return mention(user)

    def new(name: str) -> Any:
        value = changes.get(name)
        return value[1] if isinstance(value, list) else value

    def moment(name: str, current: datetime | None) -> datetime | None:
        changed = new(name)
        return datetime.fromisoformat(changed) if isinstance(changed, str) else current

    deadline = moment("deadline_at", context.deadline_at)
    params = {
        "actor": person(context.actor), "reference": context.reference,
        "severity": t(f"severity.{context.severity}", locale) if context.severity else "—",
        "deadline": long_date(deadline, tz, locale),
        "until": long_date(moment("extension_until", context.extension_until), tz, locale),
        "assignee": person(new("assignee_id") or context.assignee),
        "category": t(f"category.{context.category}", locale),
        "leaders": ("、" if locale.startswith("zh") else ", ").join(person(u) for u in context.leaders),
        "people": " ".join(mention(u) for u in context.safety_officers) or t("hazard.safety_department", locale),
    }
    typed = {
        "department": shown(context.department, 200),
        "reason": shown(str(new("last_reason") or changes.get("reason") or new("extension_reason") or "—"),
                        Limits.REASON),
        "note": shown(context.completion_note or "—", Limits.NOTE),
        "measures": shown(context.measures or "—", Limits.MEASURES),
        **names,
    }
    return params, typed


def _sentence(key: str, locale: str, params: dict[str, str], typed: dict[str, str]) -> tuple[str, list[Element]]:
    """(the notification text, with typed values escaped; the rich text elements, with them as typed)."""
    trusted = t(key, locale, **params, **{name: hole(name) for name in TYPED})
    return clip(plain_of(trusted, typed), 3000), elements(trusted, typed)


def build_step_line(context: StepLine, locale: str) -> dict[str, Any]:
    """The line a step adds to the case's thread; it carries the buttons of a decision it awaits."""
    params, typed = _step_params(context, locale)
    text, sentence = _sentence(f"step.{context.step}.line", locale, params, typed)
    blocks: list[Block] = [rich_block(sentence)]
    decided = context.decided
    names: dict[str, str] = {}  # display names in the lines below: typed text, never mrkdwn
    if decided:
        done = decided_line(decided.step, named(context.names, decided.actor, names), locale)
        blocks.append(rich_block(elements(done, names)))
    elif context.buttons:
        if who := who_decides(context, locale, show=lambda u: mention(u) if u in context.ping
                              else named(context.names, u, names)):
            blocks.append(rich_block(elements(who, names)))
        blocks.append({"type": "actions", "block_id": BlockId.CASE_ACTIONS, "elements": [
            step_button(s, context.reference, locale, revision=context.revision, style="primary" if i == 0 else None)
            for i, s in enumerate(context.buttons)]})
        if context.ping:  # those it calls are in the notification's text too, whatever Slack reads it from
            text = clip(f"{text} {' '.join(mention(u) for u in context.ping)}", 3000)
    return {"text": text, "blocks": blocks}


# Notices to the reporter: the case thread is in the safety channel, where a reporter usually is not.
REPORTER_NOTICES = frozenset({"reject", "verify"})


def build_notice(context: HazardNotice, locale: str) -> dict[str, Any]:
    """A short direct message: what happened to a case and what, if anything, the person should do."""
    params, typed = _step_params(context, locale)
    text, sentence = _sentence(f"notice.{context.notice}", locale, params, typed)
    if context.ping:  # those it calls: in the message and in the notification's text
        text = clip(f"{text}\n{' '.join(mention(u) for u in context.ping)}", 3000)
        sentence = [*sentence, {"type": "text", "text": "\n"},
                    *[e for u in context.ping for e in ({"type": "user", "user_id": u}, {"type": "text", "text": " "})]]
    blocks: list[Block] = [rich_block(sentence)]
    notes = []
    if context.status == "assigned" and context.deadline_at and context.as_of:  # how long is left, as of now
        notes.append(t("field.current_deadline", locale, deadline=deadline_text(
            context.deadline_at, context.as_of, context.timezone, locale)))
    link = thread_link(context)
    if link and context.notice not in REPORTER_NOTICES:
        notes.append(f"<{link}|{t('hazard.thread_link', locale)}>")
    if notes:
        blocks.append({"type": "context", "elements": [mrkdwn(" · ".join(notes))]})
    if decided := context.decided:
        done = decided_line(decided.step, mention(decided.actor), locale)
        blocks.append({"type": "context", "elements": [mrkdwn(done)]})
    elif context.buttons:
        blocks.append({"type": "actions", "block_id": BlockId.CASE_ACTIONS, "elements": [
            step_button(s, context.reference, locale, revision=context.revision, style="primary" if i == 0 else None)
            for i, s in enumerate(context.buttons)]})
    return {"text": text, "blocks": blocks}


def build_calendar_notice(context: CalendarNotice, locale: str) -> dict[str, Any]:
    text = t("calendar.unknown_year", locale, year=context.year)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def timeline_actor(actor: str | None, locale: str) -> str:
    """Who took a timeline step: a person, the anonymous reporter, or the bot itself (an escalation)."""
    if actor == BOT_ACTOR:
        return t("hazard.by_bot", locale)
    return mention(actor) if actor else t("hazard.anonymous", locale)


def build_case_status(view: CaseView, *, locale: str, timezone: str, now: datetime | None = None) -> dict[str, Any]:
    """`/hazard HZ-…`: where a case stands and what happened to it, for the person who asked."""
    status = view.status.value
    fields = [
        mrkdwn(f"*{t('hazard.field.status', locale)}*\n{t('status.' + status, locale)}"),
        mrkdwn(f"*{t('hazard.field.category', locale)}*\n{t('category.' + view.category.value, locale)}"),
        mrkdwn(f"*{t('hazard.field.reporter', locale)}*\n"
               f"{mention(view.reporter_id) if view.reporter_id else t('hazard.anonymous', locale)}"),
    ]
    if view.severity:
        fields.append(mrkdwn(f"*{t('hazard.field.severity', locale)}*\n{t('severity.' + view.severity, locale)}"))
    if view.deadline_at:
        fields.append(mrkdwn(f"*{t('hazard.field.deadline', locale)}*\n"
                             f"{case_deadline(view.deadline_at, now, status, timezone, locale)}"))
    if view.assignee_id:
        fields.append(mrkdwn(f"*{t('hazard.field.assignee', locale)}*\n{mention(view.assignee_id)}"))
    typed = [labelled(t("hazard.field.location", locale), shown(view.location, Limits.LOCATION)),
             labelled(t("hazard.field.department", locale), shown(view.department, 200)),
             labelled(t("hazard.field.description", locale), shown(view.description, Limits.DESCRIPTION))]
    if view.measures:
        typed.append(labelled(t("hazard.field.measures", locale), shown(view.measures, Limits.MEASURES)))
    lines = [f"{at(e.at, timezone)}  {t('timeline.' + e.action, locale)}"
             f" · {timeline_actor(e.actor, locale)}" for e in view.timeline]
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"{STATUS_EMOJI.get(status, '')} {view.reference}".strip())},
        {"type": "section", "fields": fields[:10]},
        rich_block(*typed),
        {"type": "section", "text": mrkdwn(clip(f"*{t('hazard.timeline', locale)}*\n" + "\n".join(lines[-40:]),
                                                3000))},
    ]
    return {"response_type": "ephemeral", "text": view.reference, "blocks": blocks}


def build_my_cases(mine: MyCases, *, locale: str, timezone: str, now: datetime | None = None) -> dict[str, Any]:
    """`/hazard mine`: my open reports, my tasks, and what waits for my decision."""
    blocks: list[Block] = [{"type": "header", "text": plain(t("mine.title", locale))}]
    sections: tuple[tuple[str, list[CaseLine]], ...] = (
        ("mine.to_decide", mine.to_decide), ("mine.tasks", mine.tasks), ("mine.reported", mine.reported))
    extra = (("mine.escalated", mine.escalated), ("mine.may_assess", mine.may_assess))  # heads' and officers'
    sections = sections[:1] + tuple(s for s in extra if s[1]) + sections[1:]
    for key, lines in sections:
        paragraph: list[Element] = [{"type": "text", "text": t(key, locale) + "\n", "style": {"bold": True}}]
        for i, line in enumerate(lines[:30]):
            row = case_row(line, locale, timezone, now, link=False)
            paragraph += ([{"type": "text", "text": "\n"}] if i else []) + row
        if not lines:
            paragraph.append({"type": "text", "text": t("mine.none", locale)})
        blocks.append(rich_block(paragraph))
    return {"response_type": "ephemeral", "text": t("mine.title", locale), "blocks": blocks}


def build_help(locale: str) -> dict[str, Any]:
    text = t("help.hazard", locale)
    return {"response_type": "ephemeral", "text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def build_step_done(*, step: Step, reference: str, locale: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "replace_original": False,
            "text": t(f"step.{step.value}.done", locale, reference=reference)}
