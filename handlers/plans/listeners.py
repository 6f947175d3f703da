"""Slack surface of plans: `/safety plan|plans|upcoming`, the plan modal, the plan menu, Done on reminders."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import BaseModel
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.model import Photo
from bot.core.services import Services
from bot.plans.access import may_manage, require_officer
from bot.plans.model import Audience, DoneInput, PlanInput
from bot.plans.recurrence import Pattern, RuleError, rule_for
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
from handlers.core.background import ack_now
from handlers.core.errors import Kindly
from handlers.core.ids import ActionId, BlockId, CallbackId, Command
from handlers.core.modals import answer_submission, field_values, refusal
from handlers.hazards.step_views import build_message_modal
from handlers.plans.views import (
    build_done_modal,
    build_plan_list,
    build_plan_modal,
    build_safety_help,
    build_upcoming,
)

BLOCK_OF_FIELD = {
    "kind": BlockId.PLAN_KIND, "title": BlockId.PLAN_TITLE, "owner": BlockId.PLAN_OWNER,
    "audience": BlockId.PLAN_PEOPLE, "rule": BlockId.PLAN_PATTERN, "start": BlockId.PLAN_START,
    "offsets": BlockId.PLAN_OFFSETS, "done_on": BlockId.DONE_DATE, "notes": BlockId.DONE_NOTES,
}


class PlanModalMeta(BaseModel):
    key: str | None
    locale: str


class DoneModalMeta(BaseModel):
    occurrence_id: int
    locale: str


def parse_plan(view: dict[str, Any], meta: PlanModalMeta) -> PlanInput:
    """The one place that knows the plan modal's state layout."""
    v = field_values(view)

    def selected(block: BlockId) -> str | None:
        return (v.get(block, {}).get("selected_option") or {}).get("value")

    start = v.get(BlockId.PLAN_START, {}).get("selected_date")
    picked_time = v.get(BlockId.PLAN_TIME, {}).get("selected_time") or "09:00"
    pattern = selected(BlockId.PLAN_PATTERN) or Pattern.CUSTOM.value
    interval_text = v.get(BlockId.PLAN_INTERVAL, {}).get("value") or "1"
    custom = (v.get(BlockId.PLAN_RULE, {}).get("value") or "").strip()
    try:
        chosen = Pattern(pattern)
        rule = rule_for(chosen, start=date.fromisoformat(start), interval=max(1, int(interval_text)),
                        custom=custom if chosen is Pattern.CUSTOM else "") if start else custom
    except (RuleError, ValueError):
        rule = custom or "invalid"  # validated with the rest; comes back as a field error
    return PlanInput(
        key=meta.key, kind=selected(BlockId.PLAN_KIND), title=v.get(BlockId.PLAN_TITLE, {}).get("value") or "",
        details=v.get(BlockId.PLAN_DETAILS, {}).get("value") or "",
        owner_id=v.get(BlockId.PLAN_OWNER, {}).get("selected_user"),
        audience=Audience(
            channel=v.get(BlockId.PLAN_CHANNEL, {}).get("selected_channel"),
            departments=[o["value"] for o in v.get(BlockId.PLAN_DEPARTMENTS, {}).get("selected_options") or []],
            people=list(v.get(BlockId.PLAN_PEOPLE, {}).get("selected_users") or []),
            everyone=bool(v.get(BlockId.PLAN_EVERYONE, {}).get("selected_options"))),
        rule=rule, start=date.fromisoformat(start) if start else None,
        time_of_day=time.fromisoformat(picked_time),
        offsets=[o["value"] for o in v.get(BlockId.PLAN_OFFSETS, {}).get("selected_options") or []],
        move_off_holidays=bool(v.get(BlockId.PLAN_HOLIDAYS, {}).get("selected_options")),
    )


def register(app: App, services: Services) -> None:
    org = services.org
    kindly = Kindly(services.locales)

    def today() -> date:
        return services.clock().astimezone(org.tz).date()

    def open_plan_modal(client: WebClient, trigger_id: str, locale: str, key: str | None) -> None:
        plan = plan_input(key, uow=services.uow()) if key else None
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
                lines = list_plans(uow=services.uow(), org=org, calendar=services.calendar, now=now)
                respond(**build_plan_list(lines, locale=locale, timezone=org.timezone,
                                          manage=may_manage(user_id, org)))
            elif word == "upcoming":
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
            run=lambda: save_plan(parse_plan(view, meta), actor_id=body["user"]["id"], uow=services.uow(), org=org,
                                  directory=services.directory, clock=services.clock),
            block_of=lambda field: BLOCK_OF_FIELD.get(field, BlockId.PLAN_TITLE))

    def on_plan_menu(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id = body["user"]["id"]
        action, key = body["actions"][0]["selected_option"]["value"].split(":", 1)
        locale = services.locales.locale_for(user_id)
        try:
            if action == "edit":
                require_officer(user_id, org)
                open_plan_modal(client, body["trigger_id"], locale, key)
                return
            if action == "delete":
                delete_plan(key, actor_id=user_id, uow=services.uow(), org=org, clock=services.clock)
            else:
                set_paused(key, action == "pause", actor_id=user_id, uow=services.uow(), org=org,
                           clock=services.clock)
            respond(text=t(f"plan.menu.{action}.done", locale, plan=key), response_type="ephemeral",
                    replace_original=False)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)

    def on_done_button(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id, occurrence_id = body["user"]["id"], int(body["actions"][0]["value"])
        locale = services.locales.locale_for(user_id)
        try:
            plan = check_done(occurrence_id, actor_id=user_id, uow=services.uow(), org=org)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=build_done_modal(
            title=plan.title, kind=plan.kind, locale=locale, today=today(),
            private_metadata=DoneModalMeta(occurrence_id=occurrence_id, locale=locale).model_dump_json()))

    def on_done_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = DoneModalMeta.model_validate_json(view["private_metadata"])
        v = field_values(view)
        picked = v.get(BlockId.DONE_DATE, {}).get("selected_date")
        files = v.get(BlockId.DONE_PHOTO, {}).get("files") or []
        command = DoneInput(
            occurrence_id=meta.occurrence_id, actor_id=body["user"]["id"],
            done_on=date.fromisoformat(picked) if picked else None,
            notes=v.get(BlockId.DONE_NOTES, {}).get("value") or "",
            attendance=list(v.get(BlockId.DONE_ATTENDANCE, {}).get("selected_users") or []),
            photos=[Photo(file_id=f["id"], name=f.get("name") or "", permalink=f.get("permalink") or "")
                    for f in files if f.get("id")])
        title = t("plan.done.title", meta.locale)
        answer_submission(
            ack, body, locale=meta.locale, title=title,
            run=lambda: record_done(command, uow=services.uow(), org=org, clock=services.clock),
            block_of=lambda field: BLOCK_OF_FIELD.get(field, BlockId.DONE_DATE),
            done=lambda _: build_message_modal(title=title, text=t("plan.done.recorded", meta.locale),
                                               locale=meta.locale))

    app.command(Command.SAFETY)(ack=ack_now, lazy=[kindly(on_command)])
    app.view_submission(CallbackId.PLAN_MODAL)(on_plan_submit)
    app.action(ActionId.PLAN_MENU)(ack=ack_now, lazy=[kindly(on_plan_menu)])
    app.action(ActionId.PLAN_DONE)(ack=ack_now, lazy=[kindly(on_done_button)])
    app.view_submission(CallbackId.PLAN_DONE_MODAL)(on_done_submit)



