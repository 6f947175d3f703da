"""Slack surface of the hazard report: `/hazard`, the message shortcut, the modal, the case buttons.

Each listener acks first (modals open in a lazy listener after the ack), parses the payload into a
typed value, calls one use case and renders its result.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.idempotency import submission_key
from bot.core.services import Services
from bot.hazards.model import HazardCategory
from bot.hazards.queries import my_cases, open_cases, view_case
from bot.hazards.usecases import ReportHazard, report_hazard, reveal_reporter
from handlers.core.acks import ack_now, ack_then
from handlers.core.connections import post_json
from handlers.core.errors import Kindly
from handlers.core.forms import Form
from handlers.core.modals import answer_submission
from handlers.hazards.ids import ActionId, BlockId, CallbackId, Command
from handlers.hazards.list_views import build_open_cases
from handlers.hazards.report_form import ReportForms
from handlers.hazards.step_views import build_case_status, build_help, build_my_cases
from handlers.hazards.views import (
    build_reported_modal,
    build_reporter_revealed,
)

log = logging.getLogger(__name__)

REPORT_FORM = Form(fields={"category": BlockId.CATEGORY, "location": BlockId.LOCATION,
                          "description": BlockId.DESCRIPTION, "department": BlockId.DEPARTMENT,
                          "photos": BlockId.PHOTO}, fallback=BlockId.DESCRIPTION)


_CATEGORIES = {c.value for c in HazardCategory}
REFERENCE = re.compile(r"HZ-\d{4}-\d{4,}")
INCIDENT = re.compile(r"INC-\d{4}-\d{4,}")  # /hazard INC-…: points to /incident
MINE, HELP = {"mine", "我的"}, {"help", "帮助", "?", "？"}
OPEN = {"open", "未关闭"}  # `/hazard open [page]`: every open case, for safety officers


class ReportModalMeta(BaseModel):
    """Carried in the modal's private_metadata from opening to submit."""

    locale: str
    source_permalink: str | None = None


def parse_report(view: dict[str, Any], *, user_id: str, source_permalink: str | None) -> ReportHazard:
    """The one place that knows the report modal's state layout."""
    form = REPORT_FORM.read(view)
    category = form.chosen(BlockId.CATEGORY, _CATEGORIES)
    return ReportHazard(
        reporter_id=user_id,
        category=HazardCategory(category) if category else None,
        location=form.text(BlockId.LOCATION),
        description=form.text(BlockId.DESCRIPTION),
        department_key=form.selected(BlockId.DEPARTMENT),
        anonymous="anonymous" in form.checked(BlockId.ANONYMOUS),
        photos=form.photos(BlockId.PHOTO),
        source_permalink=source_permalink,
    )


def register(app: App, services: Services) -> None:
    org = services.org
    kindly = Kindly(services.locales)
    forms = ReportForms(org.departments)

    def open_modal(client: WebClient, *, trigger_id: str, user_id: str, description: str,
                   source_permalink: str | None = None) -> None:
        locale = services.locales.locale_for(user_id)
        own = org.department_of(user_id)
        meta = ReportModalMeta(locale=locale, source_permalink=source_permalink)
        view = forms.json(locale=locale, department_key=own.key if own else None, description=description,
                          private_metadata=meta.model_dump_json())
        post_json(client, "views.open", f'{{"trigger_id":{json.dumps(trigger_id)},"view":{view}}}')

    def on_command(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """`/hazard HZ-2026-0042` shows a case, `mine` my cases, `help` the usage; anything else is a report."""
        text, user_id = (body.get("text") or "").strip(), body["user_id"]
        word = text.lower()
        if INCIDENT.fullmatch(text.upper()):
            respond(text=t("incident.points_to_incident", services.locales.locale_for(user_id),
                           reference=text.upper()), response_type="ephemeral")
            return
        first, _, rest = word.partition(" ")
        listing = first in OPEN and (not rest.strip() or rest.strip().isdigit())
        if not (REFERENCE.fullmatch(text.upper()) or word in MINE or word in HELP or listing):
            open_modal(client, trigger_id=body["trigger_id"], user_id=user_id, description=text)
            return
        locale = services.locales.locale_for(user_id)
        if word in HELP:
            respond(**build_help(locale))
        elif word in MINE:
            respond(**build_my_cases(my_cases(user_id, uow=services.uow(), org=org, now=services.clock()),
                                     locale=locale, timezone=org.timezone, now=services.clock()))
        elif listing:
            show_open(user_id, int(rest.strip() or 1), respond, replace=False)
        else:
            try:
                case = view_case(text.upper(), viewer_id=user_id, uow=services.uow(), org=org)
            except DomainError as exc:
                respond(text=t(exc.key, locale, **exc.params), response_type="ephemeral")
                return
            respond(**build_case_status(case, locale=locale, timezone=org.timezone, now=services.clock()))

    def show_open(user_id: str, page: int, respond: Respond, *, replace: bool) -> None:
        locale = services.locales.locale_for(user_id)
        try:
            cases = open_cases(user_id, uow=services.uow(), org=org, page=min(page, 10_000), now=services.clock())
        except DomainError as exc:
            respond(text=t(exc.key, locale, **exc.params), response_type="ephemeral", replace_original=False)
            return
        respond(**build_open_cases(cases, locale=locale, timezone=org.timezone, now=services.clock()),
                replace_original=replace)

    def turn_page(body: dict[str, Any], respond: Respond) -> None:
        value = str(body["actions"][0].get("value") or "1")
        show_open(body["user"]["id"], int(value) if value.isdigit() else 1, respond, replace=True)

    def open_from_shortcut(body: dict[str, Any], client: WebClient) -> None:
        message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id")
        permalink = None
        if channel and message.get("ts"):
            try:
                permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
            except Exception as exc:  # the report matters more than the link back
                log.warning("no permalink for %s/%s: %s", channel, message.get("ts"), exc)
        open_modal(client, trigger_id=body["trigger_id"], user_id=body["user"]["id"],
                   description=message.get("text") or "", source_permalink=permalink)

    def submit_report(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = body["user"]["id"]
        try:
            meta = ReportModalMeta.model_validate_json(view.get("private_metadata") or "")
        except ValidationError:
            meta = ReportModalMeta(locale=services.locales.locale_for(user_id))
        answer_submission(
            ack, body, locale=meta.locale, title=t("hazard.modal.title", meta.locale),
            run=lambda: report_hazard(parse_report(view, user_id=user_id, source_permalink=meta.source_permalink),
                                      uow=services.uow(), org=org, clock=services.clock,
                                      once=submission_key(view.get("id"), view["callback_id"])),
            block_of=REPORT_FORM.block_of,
            done=lambda result: build_reported_modal(locale=meta.locale, reference=result.reference,
                                                     department_name=result.department_name,
                                                     duplicates=result.duplicates))

    def reveal(body: dict[str, Any], respond: Respond) -> None:
        user_id, reference = body["user"]["id"], body["actions"][0]["value"]
        locale = services.locales.locale_for(user_id)
        try:
            revealed = reveal_reporter(reference, actor_id=user_id, uow=services.uow(), org=org,
                                       clock=services.clock)
        except DomainError as exc:
            respond(text=t(exc.key, locale, **exc.params), response_type="ephemeral", replace_original=False)
            return
        respond(**build_reporter_revealed(reference=reference, reporter_id=revealed.reporter_id,
                                          photos=revealed.photos, locale=locale))

    kind_command, kind_shortcut = kindly(on_command), kindly(open_from_shortcut)

    def command_ack(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                    context: BoltContext) -> None:
        ack_then(ack, context, lambda: kind_command(body, client, respond))

    def shortcut_ack(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                     context: BoltContext) -> None:
        ack_then(ack, context, lambda: kind_shortcut(body, client, respond))

    app.command(Command.HAZARD)(command_ack)
    app.shortcut(CallbackId.REPORT_HAZARD_SHORTCUT)(shortcut_ack)
    app.view_submission(CallbackId.REPORT_HAZARD_MODAL)(submit_report)
    app.action(ActionId.REVEAL_REPORTER)(ack=ack_now, lazy=[kindly(reveal)])
    for turn in ("next", "previous"):
        app.action(f"{ActionId.OPEN_PAGE}_{turn}")(ack=ack_now, lazy=[kindly(turn_page)])
