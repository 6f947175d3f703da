"""Block Kit for incidents: the report modal, the posts along the chain, the checklist, the report file.

A confidential incident's safety-channel post shows only reference, type and status; details go only to
the people allowed to see them (safety officers, management, the incident channel's members).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits
from bot.incidents.contexts import (
    CreateChannel,
    FindChannel,
    IncidentAlert,
    IncidentLine,
    IncidentPost,
    IncidentReport,
    IncidentSnapshot,
    Invite,
    Pin,
    ReportFile,
)
from bot.incidents.model import MAX_ACTIONS, IncidentType
from handlers.core.blocks import Block, at, mention, mrkdwn, plain
from handlers.core.departments import department_select
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip, escape
from handlers.incidents.ids import ActionId, BlockId, CallbackId, action_blocks


def build_incident_modal(*, locale: str, departments: list[Department], department_key: str | None,
                         description: str, now: datetime, private_metadata: str) -> dict[str, Any]:
    kinds = [{"text": plain(t(f"incident.kind.{it.value}", locale)), "value": it.value} for it in IncidentType]
    department = department_select(departments, chosen=department_key)
    what: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": Limits.DESCRIPTION}
    if description.strip():
        what["initial_value"] = description[:3000]
    blocks: list[Block] = [
        _input(BlockId.INC_KIND, {"type": "static_select", "options": kinds}, t("incident.field.kind", locale)),
        _input(BlockId.INC_OCCURRED, {"type": "datetimepicker", "initial_date_time": int(now.timestamp())},
               t("incident.field.occurred", locale)),
        _input(BlockId.INC_LOCATION, {"type": "plain_text_input", "max_length": Limits.LOCATION},
               t("incident.field.location", locale)),
        _input(BlockId.INC_DESCRIPTION, what, t("incident.field.description", locale)),
        _input(BlockId.INC_INJURED, {"type": "plain_text_input", "initial_value": "0", "max_length": Limits.COUNT},
               t("incident.field.injured", locale)),
        _input(BlockId.INC_INJURED_NAMES, {"type": "plain_text_input", "max_length": Limits.NAMES},
               t("incident.field.injured_names", locale), optional=True),
        _input(BlockId.INC_ACTIONS_TAKEN, {"type": "plain_text_input", "multiline": True,
                                             "max_length": Limits.IMMEDIATE_ACTIONS},
               t("incident.field.actions_taken", locale), optional=True),
        _input(BlockId.INC_DEPARTMENT, department, t("incident.field.department", locale), optional=True),
        _input(BlockId.INC_CONFIDENTIAL, {"type": "checkboxes", "options": [{
            "text": plain(t("incident.confidential", locale)), "value": "yes",
            "description": plain(t("incident.confidential_hint", locale))}]},
               t("incident.field.confidential", locale), optional=True),
    ]
    return {"type": "modal", "callback_id": CallbackId.INCIDENT_MODAL,
            "title": plain(t("incident.modal.title", locale)), "submit": plain(t("incident.modal.submit", locale)),
            "close": plain(t("common.cancel", locale)), "private_metadata": private_metadata, "blocks": blocks}


def _fields(c: IncidentSnapshot, locale: str) -> list[dict[str, Any]]:
    tz = c.timezone
    fields = [
        mrkdwn(f"*{t('hazard.field.status', locale)}*\n{t('incident.status.' + c.status, locale)}"),
        mrkdwn(f"*{t('incident.field.kind', locale)}*\n{t('incident.kind.' + c.kind, locale)}"),
        mrkdwn(f"*{t('incident.field.occurred', locale)}*\n{at(c.occurred_at, tz)}"),
        mrkdwn(f"*{t('incident.field.location', locale)}*\n{clip(escape(c.location), 1900)}"),
        mrkdwn(f"*{t('incident.field.injured', locale)}*\n{c.injured}"
               + (f" ({clip(escape(c.injured_names), 500)})" if c.injured_names else "")),
        mrkdwn(f"*{t('hazard.field.reporter', locale)}*\n{mention(c.reporter)}"),
    ]
    if c.department:
        fields.append(mrkdwn(f"*{t('incident.field.department', locale)}*\n{escape(c.department)}"))
    return fields


def _details(c: IncidentSnapshot, locale: str) -> list[Block]:
    blocks: list[Block] = [{"type": "section", "fields": _fields(c, locale)},
                           {"type": "section", "text": mrkdwn(clip(escape(c.description), 3000))}]
    if c.immediate_actions:
        blocks.append({"type": "section", "text": mrkdwn(clip(
            f"*{t('incident.field.actions_taken', locale)}*\n{escape(c.immediate_actions)}", 3000))})
    return blocks


def _headline(c: IncidentSnapshot, locale: str, key: str) -> Block:
    urgent = t("incident.urgent", locale) + " " if c.urgent else ""
    return {"type": "header", "text": plain(clip(urgent + t(key, locale, reference=c.reference,
                                                             kind=t("incident.kind." + c.kind, locale)), 150))}


def _progress(c: IncidentSnapshot, locale: str, *, wider: bool = False) -> Block:
    """How handling stands. `wider`: for the safety channel, where a confidential incident shows neither the
    authority it was reported to nor its corrective actions, only how far they are."""
    hide = wider and c.confidential
    parts = []
    if c.channel:
        parts.append(t("incident.in_channel", locale, channel=f"<#{c.channel}>"))
    elif c.channel_failed:
        parts.append(t("incident.channel_failed_short", locale))
    report = c.authority_report
    if report and hide:
        parts.append(t("incident.authority.done_confidential", locale, on=report.on))
    else:
        parts.append(t("incident.authority.done", locale, to=escape(report.to), on=report.on)
                     if report else t("incident.authority.pending", locale))
    done = sum(1 for item in c.checklist if item.done_by)
    parts.append(t("incident.checklist.progress", locale, done=done, total=len(c.checklist)))
    if c.actions and hide:
        verified = sum(1 for a in c.actions if a.status == "closed")
        parts.append(t("incident.actions.count", locale, done=verified, total=len(c.actions)))
    elif c.actions:
        verified = sum(1 for a in c.actions if a.status == "closed")
        parts.append(t("incident.actions.progress", locale, done=verified, total=len(c.actions),
                       refs=", ".join(f"{a.reference} ({t('status.' + a.status, locale)})" for a in c.actions)))
    return {"type": "context", "elements": [mrkdwn(clip(" · ".join(parts), 3000))]}


def build_incident_post(c: IncidentPost, locale: str) -> dict[str, Any]:
    """The safety channel's post, refreshed in place; its buttons are for safety officers."""
    blocks: list[Block] = [_headline(c, locale, "incident.post.headline")]
    if c.confidential:
        blocks.append({"type": "section", "text": mrkdwn(t("incident.confidential_post", locale, status=t(
            "incident.status." + c.status, locale)))})
    else:
        blocks += _details(c, locale)
    blocks.append(_progress(c, locale, wider=True))
    buttons: list[tuple[ActionId, str, str | None]] = []
    if c.status == "reported":
        buttons.append((ActionId.INCIDENT_START, "incident.start", "danger" if c.urgent else "primary"))
    if c.status in ("reported", "responding"):
        if not c.authority_report:
            buttons.append((ActionId.INCIDENT_AUTHORITY, "incident.authority.button", None))
        buttons.append((ActionId.INCIDENT_CLOSE, "incident.close.button", None))
    buttons.append((ActionId.INCIDENT_EXPORT, "incident.export.button", None))
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "action_id": action, "value": c.reference, "text": plain(t(label, locale)),
         **({"style": style} if style else {})} for action, label, style in buttons]})
    text = t("incident.post.notification", locale, reference=c.reference, kind=t("incident.kind." + c.kind,
                                                                                  locale))
    return {"text": text, "blocks": blocks}


def build_incident_alert(c: IncidentAlert, locale: str) -> dict[str, Any]:
    """The DM to the department head and management (5.2.1), or to management when unreported (5.2.3)."""
    if c.notice == "authority_overdue":
        text = t("incident.authority.overdue", locale, reference=c.reference)
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    blocks = [_headline(c, locale, "incident.alert.headline"), *_details(c, locale), _progress(c, locale)]
    text = t("incident.post.notification", locale, reference=c.reference, kind=t("incident.kind." + c.kind,
                                                                                  locale))
    return {"text": text, "blocks": blocks}


def build_incident_receipt(c: IncidentPost, locale: str) -> dict[str, Any]:
    text = t("incident.receipt", locale, reference=c.reference)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def build_incident_summary(c: IncidentPost, locale: str) -> dict[str, Any]:
    """Pinned in the incident's channel: what happened, at a glance."""
    blocks = [_headline(c, locale, "incident.alert.headline"), *_details(c, locale)]
    return {"text": t("incident.summary", locale, reference=c.reference), "blocks": blocks}


def build_incident_line(c: IncidentLine, locale: str) -> dict[str, Any]:
    officers = " ".join(mention(u) for u in c.officers)
    text = t(f"incident.line.{c.line}", locale, actor=mention(c.actor), error=escape(c.error or ""),
             officers=officers, actions=", ".join(c.opened) or "—", reference=c.reference)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(clip(text, 3000))}]}


def build_checklist(c: IncidentPost, locale: str) -> dict[str, Any]:
    """The emergency plan's checklist; each item is ticked with a button, then shows who and when."""
    lang = "zh" if locale == "zh-CN" else "en"
    blocks: list[Block] = [{"type": "header", "text": plain(clip(t("incident.checklist.title", locale, kind=t(
        "incident.kind." + c.kind, locale)), 150))}]
    for item in c.checklist[:45]:
        text = getattr(item, lang)
        if item.done_by:
            done = t("incident.checklist.done", locale, who=mention(item.done_by), at=at(item.done_at, c.timezone))
            blocks.append({"type": "section", "text": mrkdwn(clip(f"~{escape(text)}~\n{done}", 3000))})
        else:
            blocks.append({"type": "section", "text": mrkdwn(clip(escape(text), 3000)), "accessory": {
                "type": "button", "action_id": ActionId.INCIDENT_TICK, "value": f"{c.reference}:{item.item}",
                "text": plain(t("incident.checklist.tick", locale))}})
    return {"text": t("incident.checklist.title", locale, kind=t("incident.kind." + c.kind, locale)),
            "blocks": blocks}


def build_authority_modal(*, reference: str, locale: str, today: str, private_metadata: str) -> dict[str, Any]:
    return {"type": "modal", "callback_id": CallbackId.INCIDENT_AUTHORITY_MODAL,
            "title": plain(t("incident.authority.title", locale)), "submit": plain(t("plan.modal.save", locale)),
            "close": plain(t("common.cancel", locale)), "private_metadata": private_metadata, "blocks": [
                {"type": "section", "text": mrkdwn(f"*{reference}*")},
                _input(BlockId.INC_AUTHORITY, {"type": "plain_text_input", "max_length": Limits.AUTHORITY},
                       t("incident.authority.to", locale)),
                _input(BlockId.INC_REPORTED_ON, {"type": "datepicker", "initial_date": today},
                       t("incident.authority.on", locale)),
                _input(BlockId.INC_NUMBER, {"type": "plain_text_input", "max_length": Limits.AUTHORITY_NUMBER},
                       t("incident.authority.number", locale), optional=True)]}


def build_close_modal(*, reference: str, locale: str, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*{reference}* · {t('incident.close.intro', locale)}")},
        _input(BlockId.INC_ROOT_CAUSE, {"type": "plain_text_input", "multiline": True, "max_length": Limits.ROOT_CAUSE},
               t("incident.close.root_cause", locale)),
        _input(BlockId.INC_LESSONS, {"type": "plain_text_input", "multiline": True, "max_length": Limits.LESSONS},
               t("incident.close.lessons", locale)),
    ]
    for i in range(MAX_ACTIONS):
        measures, owner, deadline = action_blocks(i)
        blocks += [
            {"type": "header", "text": plain(t("incident.close.action", locale, n=i + 1))},
            _input(measures, {"type": "plain_text_input", "max_length": Limits.MEASURES},
                   t("field.st_measures", locale), optional=i > 0),
            _input(owner, {"type": "users_select"}, t("field.st_assignee", locale), optional=i > 0),
            _input(deadline, {"type": "datepicker"}, t("field.st_deadline", locale), optional=i > 0),
        ]
    return {"type": "modal", "callback_id": CallbackId.INCIDENT_CLOSE_MODAL,
            "title": plain(t("incident.close.title", locale)), "submit": plain(t("incident.close.button", locale)),
            "close": plain(t("common.cancel", locale)), "private_metadata": private_metadata, "blocks": blocks}


TIMELINE_ACTIONS = ("reported", "plan_started", "channel_created", "channel_failed", "checklist_ticked",
                    "authority_reported", "note_added", "closed", "resolved")  # an incident's timeline entries


def _timeline_action(entry: str, locale: str) -> str:
    """A timeline entry's action in words; one the catalogue does not know yet shows as recorded."""
    if entry not in TIMELINE_ACTIONS:
        return entry
    return t(f"incident.timeline.{entry}", locale)


def report_markdown(report: IncidentReport, locale: str) -> str:
    """The post-incident report (5.2.4): timeline, checklist, authority report, root cause, lessons, actions."""
    c, tz = report.context, report.context.timezone
    lang = "zh" if locale == "zh-CN" else "en"
    authority = c.authority_report
    lines = [
        f"# {c.reference} · {t('incident.kind.' + c.kind, locale)}", "",
        f"- {t('hazard.field.status', locale)}: {t('incident.status.' + c.status, locale)}",
        f"- {t('incident.field.occurred', locale)}: {at(c.occurred_at, tz)}",
        f"- {t('incident.field.location', locale)}: {c.location}",
        f"- {t('incident.field.injured', locale)}: {c.injured} {c.injured_names or ''}".rstrip(), "",
        f"## {t('incident.field.description', locale)}", "", c.description, "",
        f"## {t('hazard.timeline', locale)}", "",
        *[f"- {at(e.at, tz)} · {_timeline_action(e.action, locale)} · {e.actor}" for e in report.timeline], "",
        f"## {t('incident.checklist.title', locale, kind=t('incident.kind.' + c.kind, locale))}", "",
        *[f"- [{'x' if i.done_by else ' '}] {getattr(i, lang)}"
          + (f" ({i.done_by}, {at(i.done_at, tz)})" if i.done_by else "") for i in c.checklist], "",
        f"## {t('incident.authority.title', locale)}", "",
        (f"{authority.to} · {authority.on} · {authority.number or '—'} · {authority.by}"
         if authority else t("incident.authority.pending", locale)), "",
        f"## {t('incident.close.root_cause', locale)}", "", c.root_cause or "—", "",
        f"## {t('incident.close.lessons', locale)}", "", c.lessons or "—", "",
        f"## {t('incident.close.actions', locale)}", "",
        *[f"- {a.reference} · {t('status.' + a.status.value, locale)} · {a.assignee_id} · "
          f"{at(a.deadline_at, tz)} · {a.measures or ''}"
          for a in report.actions],
    ]
    return "\n".join(lines) + "\n"


def build_report_file(c: ReportFile, locale: str) -> dict[str, Any]:
    """files_upload_v2 arguments: the Markdown report, into the incident's channel."""
    return {"channel": c.recipient, "content": report_markdown(c.report, locale),
            "filename": f"{c.reference}.md", "title": t("incident.export.title", locale, reference=c.reference)}


def build_create_channel(c: CreateChannel, locale: str) -> dict[str, Any]:
    return {"name": c.name, "is_private": c.is_private}


def build_find_channel(c: FindChannel, locale: str) -> dict[str, Any]:
    """conversations.list arguments: the channels the bot can see, to find the one it made."""
    args: dict[str, Any] = {"types": "public_channel,private_channel", "exclude_archived": True, "limit": 1000}
    if c.cursor:
        args["cursor"] = c.cursor
    return args


def build_invite(c: Invite, locale: str) -> dict[str, Any]:
    # force: one deactivated or external account must not keep everyone else out of the channel
    return {"channel": c.recipient, "users": ",".join(c.users), "force": True}


def build_pin(c: Pin, locale: str) -> dict[str, Any]:
    return {"channel": c.recipient, "timestamp": c.ts}
