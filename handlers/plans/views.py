"""Block Kit for plans: the plan modal, `/safety plans` and `upcoming`, reminders and the Done modal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits
from bot.plans.describe import describe
from bot.plans.messages import PlanOverdue, PlanReminder
from bot.plans.model import DEFAULT_OFFSETS, OFFSETS, OverdueLevel, PlanInput, PlanKind
from bot.plans.recurrence import Pattern, Recurrence, pattern_of
from bot.plans.usecases import PlanLine, Upcoming
from handlers.core.blocks import Block, mention, mrkdwn, plain, when
from handlers.core.departments import department_select
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip, escape
from handlers.plans.ids import ActionId, BlockId, CallbackId

ATTENDANCE_KINDS = {PlanKind.DRILL, PlanKind.TRAINING, PlanKind.MEETING}


def _options(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"text": plain(text[:75]), "value": value} for value, text in pairs]


def build_plan_modal(*, plan: PlanInput | None, locale: str, departments: list[Department], today: date,
                     private_metadata: str) -> dict[str, Any]:
    """Create (plan None) or edit a plan. The recurrence is offered in words; a raw RRULE for the rest."""
    kinds = _options([(k.value, t(f"plan.kind.{k.value}", locale)) for k in PlanKind])
    patterns = _options([(p.value, t(f"plan.pattern.{p.value}", locale)) for p in Pattern])
    offsets = _options([(o, t(f"plan.offset.{o}", locale)) for o in OFFSETS])
    pattern, interval = (pattern_of(Recurrence(rule=plan.rule, start=plan.start or today,
                                               time_of_day=plan.time_of_day)) if plan else (Pattern.MONTHLY_WEEKDAY, 1))

    def pick(options: list[dict[str, Any]], value: str | None) -> dict[str, Any]:
        chosen = next((o for o in options if o["value"] == value), None)
        return {"initial_option": chosen} if chosen else {}

    audience = plan.audience if plan else None
    everyone = {"type": "checkboxes", "options": [{"text": plain(t("plan.everyone", locale)), "value": "everyone"}]}
    holidays = {"type": "checkboxes", "options": [{"text": plain(t("plan.move_off_holidays", locale)), "value": "yes"}]}
    if audience and audience.everyone:
        everyone["initial_options"] = everyone["options"]
    if plan and plan.move_off_holidays:
        holidays["initial_options"] = holidays["options"]
    chosen_offsets = [o for o in offsets if o["value"] in (plan.offsets if plan else DEFAULT_OFFSETS)]
    kind = plan.kind.value if plan and plan.kind else None
    blocks: list[Block] = [
        _input(BlockId.PLAN_KIND, {"type": "static_select", "options": kinds, **pick(kinds, kind)},
               t("plan.field.kind", locale)),
        _input(BlockId.PLAN_TITLE, {"type": "plain_text_input", "max_length": Limits.PLAN_TITLE,
                                    **({"initial_value": plan.title} if plan else {})}, t("plan.field.title", locale)),
        _input(BlockId.PLAN_DETAILS, {"type": "plain_text_input", "multiline": True, "max_length": Limits.PLAN_DETAILS,
                                      **({"initial_value": plan.details} if plan and plan.details else {})},
               t("plan.field.details", locale), optional=True),
        _input(BlockId.PLAN_OWNER, {"type": "users_select", **({"initial_user": plan.owner_id}
                                                               if plan and plan.owner_id else {})},
               t("plan.field.owner", locale)),
        {"type": "header", "text": plain(t("plan.section.audience", locale))},
        _input(BlockId.PLAN_CHANNEL, {"type": "channels_select", **({"initial_channel": audience.channel}
                                                                    if audience and audience.channel else {})},
               t("plan.field.channel", locale), optional=True),
        _input(BlockId.PLAN_DEPARTMENTS, department_select(departments, multi=True,
                                                          chosen=audience.departments if audience else None),
               t("plan.field.departments", locale), optional=True),
        _input(BlockId.PLAN_PEOPLE, {"type": "multi_users_select", **({"initial_users": audience.people}
                                                                      if audience and audience.people else {})},
               t("plan.field.people", locale), optional=True),
        _input(BlockId.PLAN_EVERYONE, everyone, t("plan.field.everyone", locale), optional=True),
        {"type": "header", "text": plain(t("plan.section.schedule", locale))},
        _input(BlockId.PLAN_PATTERN, {"type": "static_select", "options": patterns,
                                      **pick(patterns, pattern.value)}, t("plan.field.pattern", locale),
               hint=t("plan.pattern_hint", locale)),
        _input(BlockId.PLAN_START, {"type": "datepicker", "initial_date": (plan.start if plan and plan.start
                                                                           else today).isoformat()},
               t("plan.field.start", locale)),
        _input(BlockId.PLAN_TIME, {"type": "timepicker", "initial_time": (plan.time_of_day.strftime("%H:%M")
                                                                          if plan else "09:00")},
               t("plan.field.time", locale)),
        _input(BlockId.PLAN_INTERVAL, {"type": "number_input", "is_decimal_allowed": False, "min_value": "1",
                                       "max_value": "60", "initial_value": str(interval)},
               t("plan.field.interval", locale), optional=True),
        _input(BlockId.PLAN_RULE, {"type": "plain_text_input", "max_length": Limits.PLAN_RULE, **(
            {"initial_value": plan.rule} if plan and pattern is Pattern.CUSTOM else {})},
               t("plan.field.rule", locale), optional=True, hint=t("plan.rule_hint", locale)),
        _input(BlockId.PLAN_OFFSETS, {"type": "multi_static_select", "options": offsets,
                                      **({"initial_options": chosen_offsets} if chosen_offsets else {})},
               t("plan.field.offsets", locale), optional=True),
        _input(BlockId.PLAN_HOLIDAYS, holidays, t("plan.field.holidays", locale), optional=True),
    ]
    return {"type": "modal", "callback_id": CallbackId.PLAN_MODAL,
            "title": plain(t("plan.modal.edit" if plan else "plan.modal.new", locale)[:24]),
            "submit": plain(t("plan.modal.save", locale)), "close": plain(t("common.cancel", locale)),
            "private_metadata": private_metadata, "blocks": blocks}


def build_plan_list(lines: list[PlanLine], *, locale: str, timezone: str, manage: bool) -> dict[str, Any]:
    """`/safety plans`: each plan with its schedule and next date; officers get a menu per plan."""
    blocks: list[Block] = [{"type": "header", "text": plain(t("plan.list.title", locale))}]
    for line in lines[:45]:
        rec = Recurrence(rule=line.rule, start=line.start, time_of_day=line.time_of_day)
        state = t("plan.paused", locale) if line.paused else (
            t("plan.next", locale, date=when(line.next_due.isoformat(), timezone)) if line.next_due else "—")
        text = (f"*{escape(line.title)}* · {t('plan.kind.' + line.kind.value, locale)}\n"
                f"{escape(describe(rec, locale))} · {state} · {mention(line.owner_id)}")
        section: Block = {"type": "section", "text": mrkdwn(clip(text, 3000))}
        if manage:
            actions = ["edit", "resume" if line.paused else "pause", "delete"]
            section["accessory"] = {"type": "overflow", "action_id": ActionId.PLAN_MENU, "options": [
                {"text": plain(t(f"plan.menu.{a}", locale)), "value": f"{a}:{line.key}"} for a in actions]}
        blocks.append(section)
    if not lines:
        blocks.append({"type": "section", "text": mrkdwn(t("plan.list.empty", locale))})
    elif len(lines) > 45:
        blocks.append({"type": "context", "elements": [mrkdwn(t("plan.list.more", locale, count=len(lines) - 45))]})
    return {"response_type": "ephemeral", "text": t("plan.list.title", locale), "blocks": blocks}


def build_upcoming(items: list[Upcoming], *, locale: str, timezone: str) -> dict[str, Any]:
    rows = [f"• {when(u.due_at.isoformat(), timezone)} · *{escape(u.title)}* · "
            f"{t('plan.kind.' + u.kind.value, locale)} · {mention(u.owner_id)}" for u in items[:60]]
    body = "\n".join(rows) if rows else t("plan.upcoming.none", locale)
    return {"response_type": "ephemeral", "text": t("plan.upcoming.title", locale), "blocks": [
        {"type": "header", "text": plain(t("plan.upcoming.title", locale))},
        {"type": "section", "text": mrkdwn(clip(body, 3000))}]}


def build_safety_help(locale: str) -> dict[str, Any]:
    text = t("help.safety", locale)
    return {"response_type": "ephemeral", "text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def _done_button(occurrence_id: int, locale: str) -> Block:
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": ActionId.PLAN_DONE, "value": str(occurrence_id),
        "style": "primary", "text": plain(t("plan.done.button", locale))}]}


def build_reminder(context: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A plan's reminder: what, when (the original due time, also when sent late), who; Done for the owner."""
    reminder = PlanReminder.model_validate(context)
    kind = reminder.kind
    due = when(reminder.due_at.isoformat(), reminder.timezone)
    headline = t("plan.reminder.headline", locale, title=reminder.title, kind=t(f"plan.kind.{kind}", locale))
    fields = [mrkdwn(f"*{t('plan.field.due', locale)}*\n{due}"),
              mrkdwn(f"*{t('plan.field.owner', locale)}*\n{mention(reminder.owner)}")]
    blocks: list[Block] = [{"type": "header", "text": plain(clip(headline, 150))},
                           {"type": "section", "fields": fields}]
    if reminder.details:
        blocks.append({"type": "section", "text": mrkdwn(clip(escape(reminder.details), 3000))})
    if reminder.late:
        blocks.append({"type": "context", "elements": [mrkdwn(t("plan.reminder.late", locale, due=due))]})
    blocks.append(_done_button(reminder.occurrence_id, locale))
    text = t("plan.reminder.notification", locale, title=clip(escape(reminder.title), 150), due=due)
    return {"text": text, "blocks": blocks}


def build_overdue(context: Mapping[str, Any], locale: str) -> dict[str, Any]:
    overdue = PlanOverdue.model_validate(context)
    due = when(overdue.due_at.isoformat(), overdue.timezone)
    text = t(f"plan.overdue.{overdue.level}", locale, title=escape(overdue.title), due=due,
             owner=mention(overdue.owner))
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(clip(text, 3000))}]
    if overdue.level is OverdueLevel.OWNER:
        blocks.append(_done_button(overdue.occurrence_id, locale))
    return {"text": text, "blocks": blocks}


def build_done_modal(*, title: str, kind: PlanKind, locale: str, today: date, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*{escape(title)}*")},
        _input(BlockId.DONE_DATE, {"type": "datepicker", "initial_date": today.isoformat()},
               t("plan.done.date", locale)),
        _input(BlockId.DONE_NOTES, {"type": "plain_text_input", "multiline": True, "max_length": Limits.PLAN_NOTES},
               t("plan.done.notes", locale), optional=True),
    ]
    if kind in ATTENDANCE_KINDS:
        blocks.append(_input(BlockId.DONE_ATTENDANCE, {"type": "multi_users_select"},
                             t("plan.done.attendance", locale), optional=True))
    blocks.append(_input(BlockId.DONE_PHOTO, {"type": "file_input", "max_files": 5,
                                              "filetypes": ["jpg", "jpeg", "png", "heic", "gif", "webp", "pdf"]},
                         t("plan.done.photo", locale), optional=True))
    return {"type": "modal", "callback_id": CallbackId.PLAN_DONE_MODAL, "title": plain(t("plan.done.title", locale)),
            "submit": plain(t("plan.modal.save", locale)), "close": plain(t("common.cancel", locale)),
            "private_metadata": private_metadata, "blocks": blocks}
