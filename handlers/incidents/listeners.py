"""Slack surface of incidents: `/incident` and its shortcuts, the safety post's buttons, the checklist."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.permissions import require_officer
from bot.core.services import Services
from bot.incidents.checklists import Checklists
from bot.incidents.model import (
    MAX_ACTIONS,
    AuthorityReport,
    CloseIncident,
    CorrectiveAction,
    IncidentType,
    ReportIncident,
)
from bot.incidents.report import queue_report_file
from bot.incidents.usecases import (
    add_note,
    close_incident,
    incident_in_channel,
    record_authority_report,
    report_incident,
    start_plan,
    tick_item,
)
from handlers.core.background import ack_now
from handlers.core.errors import Kindly
from handlers.core.ids import ActionId, BlockId, CallbackId, Command, action_blocks
from handlers.core.modals import answer_submission, field_values, refusal
from handlers.hazards.step_views import build_message_modal
from handlers.incidents.views import build_authority_modal, build_close_modal, build_incident_modal

REPORT_FIELDS = {"kind": BlockId.INC_KIND, "occurred_at": BlockId.INC_OCCURRED, "location": BlockId.INC_LOCATION,
                 "description": BlockId.INC_DESCRIPTION, "injured": BlockId.INC_INJURED,
                 "department": BlockId.INC_DEPARTMENT}
AUTHORITY_FIELDS = {"authority": BlockId.INC_AUTHORITY, "reported_on": BlockId.INC_REPORTED_ON,
                    "number": BlockId.INC_NUMBER}


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
    v = field_values(view)
    stamp = v.get(BlockId.INC_OCCURRED, {}).get("selected_date_time")
    kind = (v.get(BlockId.INC_KIND, {}).get("selected_option") or {}).get("value")
    return ReportIncident(
        reporter_id=user_id, kind=kind if kind in {k.value for k in IncidentType} else None,
        occurred_at=datetime.fromtimestamp(int(stamp), UTC) if stamp else None,
        location=v.get(BlockId.INC_LOCATION, {}).get("value") or "",
        description=v.get(BlockId.INC_DESCRIPTION, {}).get("value") or "",
        injured=v.get(BlockId.INC_INJURED, {}).get("value") or "0",
        injured_names=v.get(BlockId.INC_INJURED_NAMES, {}).get("value") or "",
        immediate_actions=v.get(BlockId.INC_ACTIONS_TAKEN, {}).get("value") or "",
        department_key=(v.get(BlockId.INC_DEPARTMENT, {}).get("selected_option") or {}).get("value"),
        confidential=bool(v.get(BlockId.INC_CONFIDENTIAL, {}).get("selected_options")),
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

    def on_command(body: dict[str, Any], client: WebClient) -> None:
        open_report(client, body["trigger_id"], body["user_id"], body.get("text") or "")

    def on_report_shortcut(body: dict[str, Any], client: WebClient) -> None:
        open_report(client, body["trigger_id"], body["user"]["id"], (body.get("message") or {}).get("text") or "")

    def on_timeline_shortcut(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user_id, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
        message, locale = body.get("message") or {}, services.locales.locale_for(user_id)
        reference = incident_in_channel(channel, uow=services.uow())
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
                                        org=org, clock=services.clock, checklists=checklists),
            block_of=lambda field: REPORT_FIELDS.get(field, BlockId.INC_DESCRIPTION),
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
                queue_report_file(reference, actor_id=user_id, uow=services.uow(), org=org, clock=services.clock)
                respond(text=t("incident.export.queued", locale, reference=reference), response_type="ephemeral",
                        replace_original=False)
            elif action["action_id"] == ActionId.INCIDENT_AUTHORITY:
                require_officer(user_id, org)
                today = services.clock().astimezone(org.tz).date().isoformat()
                client.views_open(trigger_id=body["trigger_id"], view=build_authority_modal(
                    reference=reference, locale=locale, today=today, private_metadata=meta))
            else:
                require_officer(user_id, org)
                client.views_open(trigger_id=body["trigger_id"], view=build_close_modal(
                    reference=reference, locale=locale, private_metadata=meta))
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)

    def on_tick(body: dict[str, Any], respond: Respond) -> None:
        user_id, value = body["user"]["id"], body["actions"][0]["value"]
        reference, item = value.rsplit(":", 1)
        try:
            tick_item(reference, int(item), actor_id=user_id, uow=services.uow(), org=org, clock=services.clock)
        except DomainError as exc:
            respond(text=refusal(exc, services.locales.locale_for(user_id)), response_type="ephemeral",
                    replace_original=False)

    def on_authority_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = Meta.model_validate_json(view["private_metadata"])
        v = field_values(view)
        picked = v.get(BlockId.INC_REPORTED_ON, {}).get("selected_date")
        command = AuthorityReport(reference=meta.reference or "", actor_id=body["user"]["id"],
                                  authority=v.get(BlockId.INC_AUTHORITY, {}).get("value") or "",
                                  reported_on=date.fromisoformat(picked) if picked else None,
                                  number=v.get(BlockId.INC_NUMBER, {}).get("value") or "")
        answer_submission(
            ack, body, locale=meta.locale, title=t("incident.authority.title", meta.locale),
            run=lambda: record_authority_report(command, uow=services.uow(), org=org, clock=services.clock),
            block_of=lambda field: AUTHORITY_FIELDS.get(field, BlockId.INC_AUTHORITY))

    def on_close_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = Meta.model_validate_json(view["private_metadata"])
        v = field_values(view)
        actions = []
        for i in range(MAX_ACTIONS):
            measures, owner, deadline = action_blocks(i)
            picked = v.get(deadline, {}).get("selected_date")
            actions.append(CorrectiveAction(
                measures=v.get(measures, {}).get("value") or "", owner_id=v.get(owner, {}).get("selected_user"),
                deadline=datetime.combine(date.fromisoformat(picked), time(23, 59), tzinfo=org.tz) if picked else None))
        try:
            command = CloseIncident(reference=meta.reference or "", actor_id=body["user"]["id"],
                                    root_cause=v.get(BlockId.INC_ROOT_CAUSE, {}).get("value") or "",
                                    lessons=v.get(BlockId.INC_LESSONS, {}).get("value") or "", actions=actions)
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
