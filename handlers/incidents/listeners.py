"""Slack surface of incidents: `/incident` and its shortcuts, the safety post's buttons, the checklist."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError, WrongState
from bot.core.i18n import t
from bot.core.idempotency import submission_key
from bot.core.permissions import require_officer
from bot.core.services import Services
from bot.incidents.checklists import Checklists
from bot.incidents.model import (
    ART12,
    MAX_ACTIONS,
    AuthorityReport,
    CloseIncident,
    CorrectiveAction,
    IncidentType,
    ReportIncident,
)
from bot.incidents.report import incident_report, incident_view, queue_report_file
from bot.incidents.usecases import (
    add_note,
    close_incident,
    incident_in_channel,
    incident_in_thread,
    record_authority_report,
    report_incident,
    require_incident,
    start_plan,
    tick_item,
)
from handlers.core.acks import ack_now
from handlers.core.blocks import build_message_modal
from handlers.core.errors import Kindly
from handlers.core.forms import Form
from handlers.core.modals import answer_submission, refusal
from handlers.incidents.ids import ActionId, BlockId, CallbackId, Command, action_blocks, art12_block
from handlers.incidents.views import (
    build_authority_modal,
    build_close_modal,
    build_incident_help,
    build_incident_modal,
    build_incident_status,
)

REPORT_FORM = Form(fields={"kind": BlockId.INC_KIND, "occurred_at": BlockId.INC_OCCURRED,
                          "location": BlockId.INC_LOCATION, "description": BlockId.INC_DESCRIPTION,
                          "injured": BlockId.INC_INJURED, "department": BlockId.INC_DEPARTMENT,
                          "injured_names": BlockId.INC_INJURED_NAMES, "immediate_actions": BlockId.INC_ACTIONS_TAKEN},
                   fallback=BlockId.INC_DESCRIPTION)
AUTHORITY_FORM = Form(fields={"authority": BlockId.INC_AUTHORITY, "reported_on": BlockId.INC_REPORTED_ON,
                             "number": BlockId.INC_NUMBER, **{name: art12_block(name) for name in ART12}},
                      fallback=BlockId.INC_AUTHORITY)
REFERENCE = re.compile(r"INC-\d{4}-\d{4,}")
HELP = {"help", "帮助", "?", "？"}
_KINDS = {k.value for k in IncidentType}


def close_field_block(field: str) -> str:
    """root_cause, lessons, action_0, owner_1, deadline_2 ... -> the close modal's block id."""
    if field == "root_cause":
        return BlockId.INC_ROOT_CAUSE
    if field == "lessons":
        return BlockId.INC_LESSONS
    name, index = field.rsplit("_", 1)
    return action_blocks(int(index))[("action", "owner", "deadline").index(name)]


class Meta(BaseModel):
    locale: str
    reference: str | None = None


def parse_incident(view: dict[str, Any], *, user_id: str) -> ReportIncident:
    form = REPORT_FORM.read(view)
    kind = form.chosen(BlockId.INC_KIND, _KINDS)
    return ReportIncident(
        reporter_id=user_id, kind=IncidentType(kind) if kind else None,
        occurred_at=form.moment(BlockId.INC_OCCURRED),
        location=form.text(BlockId.INC_LOCATION), description=form.text(BlockId.INC_DESCRIPTION),
        injured=form.text(BlockId.INC_INJURED, "0"), injured_names=form.text(BlockId.INC_INJURED_NAMES),
        immediate_actions=form.text(BlockId.INC_ACTIONS_TAKEN),
        department_key=form.selected(BlockId.INC_DEPARTMENT),
        confidential=bool(form.checked(BlockId.INC_CONFIDENTIAL)),
    )


def register(app: App, services: Services, checklists: Checklists) -> None:
    org = services.org
    kindly = Kindly(services.locales)

    def open_report(client: WebClient, trigger_id: str, user_id: str, text: str) -> None:
        locale = services.locales.locale_for(user_id)
        own = org.department_of(user_id)
        client.views_open(trigger_id=trigger_id, view=build_incident_modal(
            locale=locale, departments=list(org.departments), department_key=own.key if own else None,
            description=text, now=services.clock(), private_metadata=Meta(locale=locale).model_dump_json()))

    def on_command(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """`/incident help` the usage, `/incident INC-2026-0007` the incident and its timeline (for those
        allowed to see it); anything else opens the report form with the text as its description."""
        text, user_id = (body.get("text") or "").strip(), body["user_id"]
        if text.lower() in HELP:
            respond(**build_incident_help(services.locales.locale_for(user_id)))
        elif REFERENCE.fullmatch(text.upper()):
            locale = services.locales.locale_for(user_id)
            try:
                report = incident_report(text.upper(), viewer_id=user_id, uow=services.uow(), org=org)
            except DomainError as exc:
                respond(text=refusal(exc, locale), response_type="ephemeral")
                return
            respond(**build_incident_status(report, locale))
        else:
            open_report(client, body["trigger_id"], user_id, text)

    def on_report_shortcut(body: dict[str, Any], client: WebClient) -> None:
        open_report(client, body["trigger_id"], body["user"]["id"], (body.get("message") or {}).get("text") or "")

    def on_timeline_shortcut(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
        message, locale = body.get("message") or {}, services.locales.locale_for(user_id)
        reference = incident_in_channel(channel, uow=services.uow())
        if reference is None and message.get("thread_ts"):  # handled in the safety channel's thread
            reference = incident_in_thread(channel, message["thread_ts"], uow=services.uow())
        if reference is None:
            respond(text=t("error.not_incident_channel", locale), response_type="ephemeral")
            return
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
        except Exception:  # the note matters more than the link back
            permalink = None
        try:
            add_note(reference, actor_id=user_id, channel_id=channel, text=message.get("text") or "",
                     permalink=permalink, uow=services.uow(), clock=services.clock)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral")
            return
        respond(text=t("incident.note_added", locale, reference=reference), response_type="ephemeral")

    def on_report_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = Meta.model_validate_json(view["private_metadata"])
        title = t("incident.modal.title", meta.locale)
        answer_submission(
            ack, body, locale=meta.locale, title=title,
            run=lambda: report_incident(parse_incident(view, user_id=body["user"]["id"]), uow=services.uow(),
                                        org=org, clock=services.clock, checklists=checklists,
                                        once=submission_key(view.get("id"), view["callback_id"])),
            block_of=REPORT_FORM.block_of,
            done=lambda incident: build_message_modal(
                title=title, text=t("incident.receipt", meta.locale, reference=incident.reference),
                locale=meta.locale))

    def on_button(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        action, user_id = body["actions"][0], body["user"]["id"]
        reference, locale = action["value"], services.locales.locale_for(user_id)
        meta = Meta(locale=locale, reference=reference).model_dump_json()
        try:
            if action["action_id"] == ActionId.INCIDENT_START:
                start_plan(reference, actor_id=user_id, uow=services.uow(), org=org, clock=services.clock)
                respond(text=t("incident.started", locale, reference=reference), response_type="ephemeral",
                        replace_original=False)
            elif action["action_id"] == ActionId.INCIDENT_EXPORT:
                went, where = queue_report_file(reference, actor_id=user_id, uow=services.uow(), org=org,
                                                clock=services.clock, names=services.directory.name_of)
                respond(text=t({"channel": "incident.export.queued", "you": "incident.export.to_you",
                                "already": "incident.export.already"}[went], locale,
                               reference=reference, channel=f"<#{where}>"), response_type="ephemeral",
                        replace_original=False)
            elif action["action_id"] == ActionId.INCIDENT_AUTHORITY:
                require_officer(user_id, org)
                incident = incident_view(reference, viewer_id=user_id, uow=services.uow(), org=org)
                if incident.authority_report is not None:  # recorded meanwhile (a reminder's button)
                    raise WrongState("error.already_done")
                today = services.clock().astimezone(org.tz).date().isoformat()
                client.views_open(trigger_id=body["trigger_id"], view=build_authority_modal(
                    c=incident, locale=locale, today=today, unit=org.incidents.unit, private_metadata=meta))
            else:
                require_officer(user_id, org)
                require_incident(reference, uow=services.uow())
                client.views_open(trigger_id=body["trigger_id"], view=build_close_modal(
                    reference=reference, locale=locale, private_metadata=meta))
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)

    def on_tick(body: dict[str, Any], respond: Respond) -> None:
        user_id, value = body["user"]["id"], body["actions"][0]["value"]
        reference, item = value.rsplit(":", 1)
        try:
            tick_item(reference, int(item), actor_id=user_id, uow=services.uow(), org=org, clock=services.clock,
                      name=services.directory.name_of(user_id))
        except DomainError as exc:
            respond(text=refusal(exc, services.locales.locale_for(user_id)), response_type="ephemeral",
                    replace_original=False)

    def on_authority_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = Meta.model_validate_json(view["private_metadata"])
        form = AUTHORITY_FORM.read(view)
        command = AuthorityReport(reference=meta.reference or "", actor_id=body["user"]["id"],
                                  authority=form.text(BlockId.INC_AUTHORITY),
                                  reported_on=form.day(BlockId.INC_REPORTED_ON), number=form.text(BlockId.INC_NUMBER),
                                  **{name: form.text(art12_block(name)) for name in ART12})
        answer_submission(
            ack, body, locale=meta.locale, title=t("incident.authority.title", meta.locale),
            run=lambda: record_authority_report(command, uow=services.uow(), org=org, clock=services.clock,
                                                name=services.directory.name_of(command.actor_id)),
            block_of=AUTHORITY_FORM.block_of)

    def on_close_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = Meta.model_validate_json(view["private_metadata"])
        form = Form(fields={}, fallback=BlockId.INC_ROOT_CAUSE).read(view)
        actions = []
        for i in range(MAX_ACTIONS):
            measures, owner, deadline = action_blocks(i)
            picked = form.day(deadline)
            actions.append(CorrectiveAction(
                measures=form.text(measures), owner_id=form.user(owner),
                deadline=datetime.combine(picked, time(23, 59), tzinfo=org.tz) if picked else None))
        try:
            command = CloseIncident(reference=meta.reference or "", actor_id=body["user"]["id"],
                                    root_cause=form.text(BlockId.INC_ROOT_CAUSE),
                                    lessons=form.text(BlockId.INC_LESSONS), actions=actions)
        except ValidationError:
            ack(response_action="errors", errors={BlockId.INC_ROOT_CAUSE: t("error.blank", meta.locale)})
            return
        answer_submission(
            ack, body, locale=meta.locale, title=t("incident.close.title", meta.locale),
            run=lambda: close_incident(command, uow=services.uow(), org=org, directory=services.directory,
                                       clock=services.clock),
            block_of=close_field_block)

    app.command(Command.INCIDENT)(ack=ack_now, lazy=[kindly(on_command)])
    app.shortcut(CallbackId.REPORT_INCIDENT_SHORTCUT)(ack=ack_now, lazy=[kindly(on_report_shortcut)])
    app.shortcut(CallbackId.ADD_TO_TIMELINE_SHORTCUT)(ack=ack_now, lazy=[kindly(on_timeline_shortcut)])
    app.view_submission(CallbackId.INCIDENT_MODAL)(on_report_submit)
    for action_id in (ActionId.INCIDENT_START, ActionId.INCIDENT_AUTHORITY, ActionId.INCIDENT_CLOSE,
                      ActionId.INCIDENT_EXPORT):
        app.action(action_id)(ack=ack_now, lazy=[kindly(on_button)])
    app.action(ActionId.INCIDENT_TICK)(ack=ack_now, lazy=[kindly(on_tick)])
    app.view_submission(CallbackId.INCIDENT_AUTHORITY_MODAL)(on_authority_submit)
    app.view_submission(CallbackId.INCIDENT_CLOSE_MODAL)(on_close_submit)
