"""Slack surface of plans: `/safety plan|plans|upcoming`, the plan modal, the plan menu, Done on reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.idempotency import submission_key
from bot.core.services import Services
from bot.plans.access import may_manage, require_in_org, require_officer
from bot.plans.model import Audience, DoneInput, PlanInput, PlanKind, localized
from bot.plans.recurrence import Pattern, RuleError, in_company_zone, next_occurrences, rule_for
from bot.plans.usecases import (
    check_done,
    delete_plan,
    list_plans,
    plan_input,
    record_done,
    save_plan,
    set_paused,
    upcoming,
)
from handlers.core.acks import ack_now
from handlers.core.errors import Kindly
from handlers.core.forms import Form
from handlers.core.modals import answer_submission, refusal
from handlers.plans.ids import ActionId, BlockId, CallbackId, Command
from handlers.plans.views import (
    build_done_modal,
    build_plan_list,
    build_plan_modal,
    build_recorded_modal,
    build_safety_help,
    build_saved_modal,
    build_upcoming,
    plan_notice,
)

PLAN_FORM = Form(fields={"kind": BlockId.PLAN_KIND, "title": BlockId.PLAN_TITLE, "owner": BlockId.PLAN_OWNER,
                         "audience": BlockId.PLAN_PEOPLE, "rule": BlockId.PLAN_PATTERN, "start": BlockId.PLAN_START,
                         "offsets": BlockId.PLAN_OFFSETS, "details": BlockId.PLAN_DETAILS}, fallback=BlockId.PLAN_TITLE)
_KINDS = {k.value for k in PlanKind}
DONE_FORM = Form(fields={"done_on": BlockId.DONE_DATE, "notes": BlockId.DONE_NOTES},
                 fallback=BlockId.DONE_DATE)


class PlanModalMeta(BaseModel):
    key: str | None
    locale: str


class DoneModalMeta(BaseModel):
    occurrence_id: int
    locale: str


def parse_plan(view: dict[str, Any], meta: PlanModalMeta, tz: ZoneInfo) -> PlanInput:
    """The one place that knows the plan modal's state layout."""
    form = PLAN_FORM.read(view)
    kind = form.chosen(BlockId.PLAN_KIND, _KINDS)
    start = form.day(BlockId.PLAN_START)
    pattern = form.selected(BlockId.PLAN_PATTERN) or Pattern.CUSTOM.value
    interval_text = form.text(BlockId.PLAN_INTERVAL, "1")
    custom = in_company_zone(form.text(BlockId.PLAN_RULE).strip(), tz)
    try:
        chosen = Pattern(pattern)
        rule = rule_for(chosen, start=start, interval=max(1, int(interval_text)),
                        custom=custom if chosen is Pattern.CUSTOM else "") if start else custom
    except (RuleError, ValueError):
        rule = custom or "invalid"  # validated with the rest; comes back as a field error
    return PlanInput(
        key=meta.key, kind=PlanKind(kind) if kind else None, title=form.text(BlockId.PLAN_TITLE),
        details=form.text(BlockId.PLAN_DETAILS), owner_id=form.user(BlockId.PLAN_OWNER),
        audience=Audience(channel=form.channel(BlockId.PLAN_CHANNEL),
                          departments=form.checked(BlockId.PLAN_DEPARTMENTS), people=form.users(BlockId.PLAN_PEOPLE),
                          everyone=bool(form.checked(BlockId.PLAN_EVERYONE))),
        rule=rule, start=start, time_of_day=form.clock_time(BlockId.PLAN_TIME, "09:00"),
        offsets=form.checked(BlockId.PLAN_OFFSETS), move_off_holidays=bool(form.checked(BlockId.PLAN_HOLIDAYS)),
    )


def register(app: App, services: Services) -> None:
    org = services.org
    kindly = Kindly(services.locales)

    def today() -> date:
        return services.clock().astimezone(org.tz).date()

    def open_plan_modal(client: WebClient, trigger_id: str, locale: str, key: str | None) -> None:
        plan = plan_input(key, uow=services.uow(), locale=locale) if key else None
        client.views_open(trigger_id=trigger_id, view=build_plan_modal(
            plan=plan, locale=locale, departments=list(org.departments), today=today(),
            private_metadata=PlanModalMeta(key=key, locale=locale).model_dump_json()))

    def on_command(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id, words = body["user_id"], (body.get("text") or "").split()
        locale = services.locales.locale_for(user_id)
        word = words[0].lower() if words else "help"
        now = services.clock()
        try:
            if word == "plan":
                require_officer(user_id, org)
                open_plan_modal(client, body["trigger_id"], locale, words[1] if len(words) > 1 else None)
            elif word == "plans":
                require_in_org(user_id, org)
                respond(**plan_list(user_id, locale))
            elif word == "upcoming":
                require_in_org(user_id, org)
                items = upcoming(uow=services.uow(), org=org, calendar=services.calendar, now=now)
                respond(**build_upcoming(items, locale=locale, timezone=org.timezone))
            else:
                respond(**build_safety_help(locale))
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral")

    def on_plan_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = PlanModalMeta.model_validate_json(view["private_metadata"])
        answer_submission(
            ack, body, locale=meta.locale, title=t("plan.modal.new", meta.locale),
            run=lambda: save_plan(parse_plan(view, meta, org.tz), actor_id=body["user"]["id"], uow=services.uow(),
                                  org=org, directory=services.directory, clock=services.clock,
                                  once=submission_key(view.get("id"), view["callback_id"])),
            block_of=PLAN_FORM.block_of,
            done=lambda plan: build_saved_modal(
                title=plan.title_in(meta.locale), locale=meta.locale, timezone=org.timezone,
                next_due=next(iter(next_occurrences(plan.recurrence, tz=org.tz, after=services.clock(), count=1,
                                                    calendar=services.calendar)), None)))

    def plan_list(user_id: str, locale: str, *, page: int = 0, notice: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
        lines = list_plans(uow=services.uow(), org=org, calendar=services.calendar, now=services.clock())
        return build_plan_list(lines, locale=locale, timezone=org.timezone, manage=may_manage(user_id, org),
                               page=page, notice=notice)

    def act_on_plan(body: dict[str, Any], client: WebClient, respond: Respond, action: str, key: str,
                    page: int) -> None:
        """Edit opens the modal; pause, resume and delete refresh the list in place, saying what was done to
        which plan by its title."""
        user_id = body["user"]["id"]
        locale = services.locales.locale_for(user_id)
        try:
            if action == "edit":
                require_officer(user_id, org)
                open_plan_modal(client, body["trigger_id"], locale, key)
                return
            if action == "delete":
                plan = delete_plan(key, actor_id=user_id, uow=services.uow(), org=org, clock=services.clock)
            else:
                plan = set_paused(key, action == "pause", actor_id=user_id, uow=services.uow(), org=org,
                                  clock=services.clock)
            notice = plan_notice(action, plan.title_in(locale), locale)
            respond(**plan_list(user_id, locale, page=page, notice=notice), replace_original=True)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)

    def on_plan_menu(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """The overflow menu of lists sent before each plan had its own buttons."""
        action, key = body["actions"][0]["selected_option"]["value"].split(":", 1)
        if action in ("edit", "pause", "resume"):  # delete asks first now: from a fresh list
            act_on_plan(body, client, respond, action, key, 0)
        else:
            user_id = body["user"]["id"]
            respond(**plan_list(user_id, services.locales.locale_for(user_id)), replace_original=True)

    def on_plan_button(action: str) -> Callable[..., None]:
        def run(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            key, _, page = str(body["actions"][0].get("value", "")).rpartition(":")
            act_on_plan(body, client, respond, action, key, int(page) if page.isdigit() else 0)
        return run

    def on_page(body: dict[str, Any], respond: Respond) -> None:
        user_id = body["user"]["id"]
        page = str(body["actions"][0].get("value", ""))
        try:
            require_in_org(user_id, org)
        except DomainError as exc:
            respond(text=refusal(exc, services.locales.locale_for(user_id)), response_type="ephemeral",
                    replace_original=False)
            return
        respond(**plan_list(user_id, services.locales.locale_for(user_id), page=int(page) if page.isdigit() else 0),
                replace_original=True)

    def on_done_button(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id, occurrence_id = body["user"]["id"], int(body["actions"][0]["value"])
        locale = services.locales.locale_for(user_id)
        try:
            plan = check_done(occurrence_id, actor_id=user_id, uow=services.uow(), org=org)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_done_modal(
            title=localized(plan.title, "", plan.translations, locale)[0], kind=plan.kind, locale=locale,
            today=today(),
            private_metadata=DoneModalMeta(occurrence_id=occurrence_id, locale=locale).model_dump_json()))

    def on_done_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = DoneModalMeta.model_validate_json(view["private_metadata"])
        form = DONE_FORM.read(view)
        command = DoneInput(
            occurrence_id=meta.occurrence_id, actor_id=body["user"]["id"], done_on=form.day(BlockId.DONE_DATE),
            notes=form.text(BlockId.DONE_NOTES), attendance=form.users(BlockId.DONE_ATTENDANCE),
            photos=form.photos(BlockId.DONE_PHOTO))
        title = t("plan.done.title", meta.locale)
        answer_submission(
            ack, body, locale=meta.locale, title=title,
            run=lambda: record_done(command, uow=services.uow(), org=org, clock=services.clock),
            block_of=DONE_FORM.block_of,
            done=lambda plan: build_recorded_modal(title=plan.title_in(meta.locale), locale=meta.locale))

    app.command(Command.SAFETY)(ack=ack_now, lazy=[kindly(on_command)])
    app.view_submission(CallbackId.PLAN_MODAL)(on_plan_submit)
    app.action(ActionId.PLAN_MENU)(ack=ack_now, lazy=[kindly(on_plan_menu)])
    for action_id, action in ((ActionId.PLAN_EDIT, "edit"), (ActionId.PLAN_PAUSE, "pause"),
                              (ActionId.PLAN_RESUME, "resume"), (ActionId.PLAN_DELETE, "delete")):
        app.action(action_id)(ack=ack_now, lazy=[kindly(on_plan_button(action))])
    app.action(ActionId.PLAN_PAGE)(ack=ack_now, lazy=[kindly(on_page)])
    app.action(ActionId.PLAN_PAGE_NEXT)(ack=ack_now, lazy=[kindly(on_page)])
    app.action(ActionId.PLAN_DONE)(ack=ack_now, lazy=[kindly(on_done_button)])
    app.view_submission(CallbackId.PLAN_DONE_MODAL)(on_done_submit)



