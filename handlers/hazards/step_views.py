"""Block Kit for the closed loop: step modals, thread lines, direct notices, `/hazard` answers.

Pure functions of (view model, locale); typed text is escaped before it reaches mrkdwn.
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
from handlers.core.blocks import Block, at, mention, mrkdwn, plain, when
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip, escape
from handlers.hazards.ids import BlockId, CallbackId
from handlers.hazards.views import step_button, thread_link, who_decides

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
                     deadline_hint: str, private_metadata: str, offered_date: str | None = None) -> dict[str, Any]:
    """One modal for every step that needs input; `case` is the card context of the case. `offered_date`:
    the deadline a new round is offered (sending back or returning: the current one while it is ahead,
    else one counted from the severity), with `deadline_hint` saying which."""
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(clip(
        f"*{case.reference}* · {t('category.' + case.category, locale)} · {escape(case.location)}", 3000))}]
    for block in STEP_FIELDS[step]:
        optional = block in OPTIONAL.get(step, set())
        label = t(f"field.{block.value}", locale)
        if block is BlockId.STEP_SEVERITY:
            options = [{"text": plain(t(f"severity.{s.value}", locale)), "value": s.value} for s in Severity]
            element: dict[str, Any] = {"type": "static_select", "options": options}
            if case.severity:
                element["initial_option"] = next(o for o in options if o["value"] == case.severity)
            blocks.append(_input(block, element, label, optional=optional))
        elif block is BlockId.STEP_DEADLINE:
            hint = deadline_hint if step is Step.ASSESS or step in NEW_ROUND else None
            element = {"type": "datepicker"}
            if step is Step.ASSIGN and case.deadline_at:
                element["initial_date"] = at(case.deadline_at, case.timezone)[:10]
            if step in NEW_ROUND:
                label = t("field.new_deadline", locale)
                if offered_date:
                    element["initial_date"] = offered_date
            blocks.append(_input(block, element, label, optional=optional, hint=hint or None))
        elif block is BlockId.STEP_DEPARTMENT:
            options = [{"text": plain(d.name[:75]), "value": d.key} for d in departments[:100]]
            blocks.append(_input(block, {"type": "static_select", "options": options}, label, optional=optional))
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


def named(names: dict[str, str], user: str | None) -> str:
    """A person as a thread line names them: their name, never a mention (a line pings nobody)."""
    return escape(names.get(user) or user) if user else "—"


def _step_params(context: StepLine | HazardNotice, locale: str) -> dict[str, str]:
    """The values a thread line or notice may mention, ready for mrkdwn. A thread line names people; a direct
    notice (read by its recipient alone) may mention them, which pings nobody else."""
    changes, tz = context.changes, context.timezone

    def person(user: str | None) -> str:
        """A thread line names everyone; a notice names whom it knows the names of (one in a channel's thread)
        and mentions the rest (in a DM a mention pings nobody else)."""
        if isinstance(context, StepLine) or (user and user in context.names):
            return named(context.names, user)
        return mention(user)

    def new(name: str) -> Any:
        value = changes.get(name)
        return value[1] if isinstance(value, list) else value

    def moment(name: str, current: datetime | None) -> str:
        changed = new(name)
        return when(changed, tz) if changed else at(current, tz)

    return {
        "actor": person(context.actor), "reference": context.reference,
        "severity": t(f"severity.{context.severity}", locale) if context.severity else "—",
        "deadline": moment("deadline_at", context.deadline_at),
        "until": moment("extension_until", context.extension_until),
        "assignee": person(new("assignee_id") or context.assignee),
        "department": escape(context.department),
        "reason": escape(str(new("last_reason") or changes.get("reason") or new("extension_reason") or "—")),
        "note": escape(context.completion_note or "—"),
        "measures": escape(context.measures or "—"),
        "leaders": ("、" if locale.startswith("zh") else ", ").join(person(u) for u in context.leaders),
    }


def build_step_line(context: StepLine, locale: str) -> dict[str, Any]:
    """The line a step adds to the case's thread; it carries the buttons of a decision it awaits."""
    params = _step_params(context, locale)
    text = clip(t(f"step.{context.step}.line", locale, **params), 3000)
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(text)}]
    decided = context.decided
    if decided:
        done = t("step.decided", locale, actor=named(context.names, decided.actor),
                 step=t(f"step.{decided.step}.button", locale))
        blocks.append({"type": "context", "elements": [mrkdwn(done)]})
    elif context.buttons:
        if who := who_decides(context, locale, show=lambda u: mention(u) if u in context.ping
                              else named(context.names, u)):
            blocks.append({"type": "context", "elements": [mrkdwn(who)]})
        blocks.append({"type": "actions", "block_id": BlockId.CASE_ACTIONS, "elements": [
            step_button(s, context.reference, locale, revision=context.revision, style="primary" if i == 0 else None)
            for i, s in enumerate(context.buttons)]})
        if context.ping:  # those it calls are in the notification's text too, whatever Slack reads it from
            text = clip(f"{text} {' '.join(mention(u) for u in context.ping)}", 3000)
    return {"text": text, "blocks": blocks}


def build_notice(context: HazardNotice, locale: str) -> dict[str, Any]:
    """A short direct message: what happened to a case and what, if anything, the person should do."""
    params = _step_params(context, locale)
    text = clip(t(f"notice.{context.notice}", locale, **params), 3000)
    if context.ping:
        text = clip(f"{text}\n{' '.join(mention(u) for u in context.ping)}", 3000)
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(text)}]
    link = thread_link(context)
    if link:
        blocks.append({"type": "context", "elements": [mrkdwn(f"<{link}|{t('hazard.thread_link', locale)}>")]})
    if decided := context.decided:
        done = t("step.decided", locale, actor=mention(decided.actor), step=t(f"step.{decided.step}.button", locale))
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


def build_case_status(view: CaseView, *, locale: str, timezone: str) -> dict[str, Any]:
    """`/hazard HZ-…`: where a case stands and what happened to it, for the person who asked."""
    fields = [
        mrkdwn(f"*{t('hazard.field.status', locale)}*\n{t('status.' + view.status.value, locale)}"),
        mrkdwn(f"*{t('hazard.field.category', locale)}*\n{t('category.' + view.category.value, locale)}"),
        mrkdwn(f"*{t('hazard.field.location', locale)}*\n{clip(escape(view.location), 1900)}"),
        mrkdwn(f"*{t('hazard.field.department', locale)}*\n{clip(escape(view.department), 1900)}"),
        mrkdwn(f"*{t('hazard.field.reporter', locale)}*\n"
               f"{mention(view.reporter_id) if view.reporter_id else t('hazard.anonymous', locale)}"),
    ]
    if view.severity:
        fields.append(mrkdwn(f"*{t('hazard.field.severity', locale)}*\n{t('severity.' + view.severity, locale)}"))
    if view.deadline_at:
        fields.append(mrkdwn(f"*{t('hazard.field.deadline', locale)}*\n"
                             f"{when(view.deadline_at.isoformat(), timezone)}"))
    if view.assignee_id:
        fields.append(mrkdwn(f"*{t('hazard.field.assignee', locale)}*\n{mention(view.assignee_id)}"))
    lines = [f"{at(e.at, timezone)}  {t('timeline.' + e.action, locale)}"
             f" · {timeline_actor(e.actor, locale)}" for e in view.timeline]
    blocks: list[Block] = [
        {"type": "header", "text": plain(view.reference)},
        {"type": "section", "fields": fields[:10]},
        {"type": "section", "text": mrkdwn(clip(escape(view.description), 3000))},
        {"type": "section", "text": mrkdwn(clip(f"*{t('hazard.timeline', locale)}*\n" + "\n".join(lines[-40:]),
                                                3000))},
    ]
    return {"response_type": "ephemeral", "text": view.reference, "blocks": blocks}


def build_my_cases(mine: MyCases, *, locale: str, timezone: str) -> dict[str, Any]:
    """`/hazard mine`: my open reports, my tasks, and what waits for my decision."""
    blocks: list[Block] = [{"type": "header", "text": plain(t("mine.title", locale))}]
    sections: tuple[tuple[str, list[CaseLine]], ...] = (
        ("mine.to_decide", mine.to_decide), ("mine.tasks", mine.tasks), ("mine.reported", mine.reported))
    extra = (("mine.escalated", mine.escalated), ("mine.may_assess", mine.may_assess))  # heads' and officers'
    sections = sections[:1] + tuple(s for s in extra if s[1]) + sections[1:]
    for key, lines in sections:
        rows = [f"• *{c.reference}* · {t('status.' + c.status.value, locale)} · {clip(escape(c.location), 80)}"
                + (f" · {t('hazard.field.deadline', locale)} {when(c.deadline_at.isoformat(), timezone)}"
                   if c.deadline_at else "") for c in lines[:30]]
        body = "\n".join(rows) if rows else t("mine.none", locale)
        blocks.append({"type": "section", "text": mrkdwn(clip(f"*{t(key, locale)}*\n{body}", 3000))})
    return {"response_type": "ephemeral", "text": t("mine.title", locale), "blocks": blocks}


def build_help(locale: str) -> dict[str, Any]:
    text = t("help.hazard", locale)
    return {"response_type": "ephemeral", "text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def build_step_done(*, step: Step, reference: str, locale: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "replace_original": False,
            "text": t(f"step.{step.value}.done", locale, reference=reference)}
