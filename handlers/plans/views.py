"""Block Kit for plans: the plan modal, `/safety plans` and `upcoming`, reminders and the Done modal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits
from bot.plans.describe import describe
from bot.plans.messages import PlanOverdue, PlanReminder
from bot.plans.model import DEFAULT_OFFSETS, OFFSETS, PlanInput, PlanKind, localized
from bot.plans.recurrence import Pattern, Recurrence, pattern_of
from bot.plans.usecases import PlanLine, Upcoming
from handlers.core.blocks import Block, mention, mrkdwn, plain
from handlers.core.dates import long_date
from handlers.core.departments import department_select
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip, escape
from handlers.core.rich import Element, elements, rich_block, rich_sentence, typed_text
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


PAGE = 20  # plans per page of `/safety plans`: two blocks each, within Slack's 50 blocks per message


def build_plan_list(lines: list[PlanLine], *, locale: str, timezone: str, manage: bool, page: int = 0,
                    notice: Block | None = None) -> dict[str, Any]:
    """`/safety plans`: each plan by its title (in the reader's language) with its schedule and next date,
    twenty to a page; officers get Edit, Pause or Resume and Delete (which asks first) under each. `notice`
    (what was just done) goes on top when the list is refreshed in place."""
    pages = max(1, -(-len(lines) // PAGE))
    page = min(max(page, 0), pages - 1)
    blocks: list[Block] = [{"type": "header", "text": plain(t("plan.list.title", locale))}]
    if notice:
        blocks.append(notice)
    for line in lines[page * PAGE:(page + 1) * PAGE]:
        rec = Recurrence(rule=line.rule, start=line.start, time_of_day=line.time_of_day)
        state = t("plan.paused", locale) if line.paused else (
            t("plan.next", locale, date=long_date(line.next_due, timezone, locale)) if line.next_due else "—")
        title = localized(line.title, "", line.translations, locale)[0]
        blocks.append(rich_block([typed_text(clip(title, 150), {"bold": True}),
                                  *elements(f" · {t('plan.kind.' + line.kind.value, locale)}\n"),
                                  *elements(f"{describe(rec, locale)} · {state} · {mention(line.owner_id)}")]))
        if manage:
            blocks.append(_plan_actions(line, title, locale, page))
    if not lines:
        blocks.append({"type": "section", "text": mrkdwn(t("plan.list.empty", locale))})
    if pages > 1:
        nav: list[Block] = []
        if page > 0:
            nav.append({"type": "button", "action_id": ActionId.PLAN_PAGE, "value": str(page - 1),
                        "text": plain(t("plan.list.previous", locale))})
        if page < pages - 1:
            nav.append({"type": "button", "action_id": ActionId.PLAN_PAGE_NEXT, "value": str(page + 1),
                        "text": plain(t("plan.list.next", locale))})
        blocks.append({"type": "context", "elements": [
            mrkdwn(t("plan.list.page", locale, page=page + 1, pages=pages, count=len(lines)))]})
        blocks.append({"type": "actions", "block_id": "pl_pages", "elements": nav})
    return {"response_type": "ephemeral", "text": t("plan.list.title", locale), "blocks": blocks}


def _plan_actions(line: PlanLine, title: str, locale: str, page: int) -> Block:
    """Edit, Pause or Resume, Delete: each button's value is "<key>:<page>", so the list comes back on its page."""
    value = f"{line.key}:{page}"
    pause = ActionId.PLAN_RESUME if line.paused else ActionId.PLAN_PAUSE
    delete: dict[str, Any] = {
        "type": "button", "action_id": ActionId.PLAN_DELETE, "value": value, "style": "danger",
        "text": plain(t("plan.menu.delete", locale)),
        "confirm": {"title": plain(t("plan.delete.confirm_title", locale)[:100]),
                    "text": plain(clip(t("plan.delete.confirm_text", locale, plan=title), 300)),
                    "confirm": plain(t("plan.menu.delete", locale)), "deny": plain(t("plan.delete.keep", locale)),
                    "style": "danger"}}
    return {"type": "actions", "block_id": f"pl_actions:{line.key}", "elements": [
        {"type": "button", "action_id": ActionId.PLAN_EDIT, "value": value, "text": plain(t("plan.menu.edit", locale))},
        {"type": "button", "action_id": pause, "value": value,
         "text": plain(t("plan.menu.resume" if line.paused else "plan.menu.pause", locale))},
        delete]}


def plan_notice(action: str, title: str, locale: str) -> Block:
    """What was just done to a plan, naming it by its title (shown as typed)."""
    return rich_sentence(f"plan.menu.{action}.done", locale, typed={"plan": title})


def build_upcoming(items: list[Upcoming], *, locale: str, timezone: str) -> dict[str, Any]:
    """The next 30 days, each by its title as typed (rich text: no mrkdwn of a person's text)."""
    rows: list[Element] = []
    for u in items[:60]:
        title = localized(u.title, "", u.translations, locale)[0]
        rows += [*elements(f"• {long_date(u.due_at, timezone, locale)} · "),
                 typed_text(clip(title, 150), {"bold": True}),
                 *elements(f" · {t('plan.kind.' + u.kind.value, locale)} · {mention(u.owner_id)}\n")]
    body: Block = rich_block(rows) if rows else {"type": "section", "text": mrkdwn(t("plan.upcoming.none", locale))}
    return {"response_type": "ephemeral", "text": t("plan.upcoming.title", locale), "blocks": [
        {"type": "header", "text": plain(t("plan.upcoming.title", locale))}, body]}


def build_safety_help(locale: str) -> dict[str, Any]:
    text = t("help.safety", locale)
    return {"response_type": "ephemeral", "text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def _done_button(occurrence_id: int, locale: str) -> Block:
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": ActionId.PLAN_DONE, "value": str(occurrence_id),
        "style": "primary", "text": plain(t("plan.done.button", locale))}]}


def _done_part(reminder: PlanReminder, locale: str) -> list[Block]:
    """Recorded: who and for which day, on every copy. Open: Done for those who may record it, else a line
    saying who does."""
    if reminder.done_by:
        text = t("plan.done.recorded_by", locale, user=mention(reminder.done_by),
                 date=reminder.done_on.isoformat() if reminder.done_on else "—")
        return [{"type": "context", "elements": [mrkdwn(text)]}]
    if reminder.can_record:
        return [_done_button(reminder.occurrence_id, locale)]
    return [{"type": "context", "elements": [mrkdwn(t("plan.done.who_records", locale,
                                                      owner=mention(reminder.owner)))]}]


def build_reminder(context: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A plan's reminder: what, when (the due time; sent late, also when it should have gone out), who; Done
    for those who may record it; once recorded, who did."""
    reminder = PlanReminder.model_validate(context)
    title, details = reminder.text_in(locale)
    kind = reminder.kind
    due = long_date(reminder.due_at, reminder.timezone, locale)
    headline = t("plan.reminder.headline", locale, title=title, kind=t(f"plan.kind.{kind}", locale))
    fields = [mrkdwn(f"*{t('plan.field.due', locale)}*\n{due}"),
              mrkdwn(f"*{t('plan.field.owner', locale)}*\n{mention(reminder.owner)}")]
    blocks: list[Block] = [{"type": "header", "text": plain(clip(headline, 150))},
                           {"type": "section", "fields": fields}]
    if details:
        blocks.append(rich_block([typed_text(clip(details, 3000))]))
    if reminder.late:
        fire = long_date(reminder.fire_at, reminder.timezone, locale) if reminder.fire_at else due
        blocks.append({"type": "context", "elements": [mrkdwn(t("plan.reminder.late", locale, due=due, fire=fire))]})
    blocks += _done_part(reminder, locale)
    text = t("plan.reminder.notification", locale, title=clip(escape(title), 150), due=due)
    return {"text": text, "blocks": blocks}


def build_overdue(context: Mapping[str, Any], locale: str) -> dict[str, Any]:
    overdue = PlanOverdue.model_validate(context)
    title = overdue.text_in(locale)[0]
    due = long_date(overdue.due_at, overdue.timezone, locale)
    key, params = f"plan.overdue.{overdue.level}", {"due": due, "owner": mention(overdue.owner)}
    blocks: list[Block] = [rich_sentence(key, locale, typed={"title": clip(title, 150)}, **params)]
    blocks += _done_part(overdue, locale)
    text = t(key, locale, title=clip(escape(title), 150), **params)
    return {"text": text, "blocks": blocks}


def _closing_modal(title: str, block: Block, locale: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain(title[:24]), "close": plain(t("common.close", locale)), "blocks": [block]}


def build_saved_modal(*, title: str, locale: str, timezone: str, next_due: datetime | None) -> dict[str, Any]:
    """What the plan modal turns into once saved: the plan by its title, and when it next falls due."""
    due = long_date(next_due, timezone, locale)
    return _closing_modal(t("plan.modal.saved", locale),
                          rich_sentence("plan.saved", locale, typed={"plan": clip(title, 150)}, next=due), locale)


def build_recorded_modal(*, title: str, locale: str) -> dict[str, Any]:
    """What the Done modal turns into once recorded, naming the plan."""
    return _closing_modal(t("plan.done.title", locale),
                          rich_sentence("plan.done.recorded", locale, typed={"plan": clip(title, 150)}), locale)


def build_done_modal(*, title: str, kind: PlanKind, locale: str, today: date, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        rich_block([typed_text(clip(title, 150), {"bold": True})]),
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
