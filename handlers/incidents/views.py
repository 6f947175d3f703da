"""Block Kit for incidents: the report modal, the posts along the chain, the checklist, `/incident INC-…`.

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
    ChecklistPage,
    CreateChannel,
    FindChannel,
    IncidentAlert,
    IncidentLine,
    IncidentPost,
    IncidentReport,
    IncidentSnapshot,
    Invite,
    Pin,
)
from bot.incidents.messages import CHECKLIST_PAGE
from bot.incidents.model import ART12, ART12_OPTIONAL, MAX_ACTIONS, IncidentType
from handlers.core.blocks import Block, at, mention, mrkdwn, plain
from handlers.core.departments import department_select
from handlers.core.forms import input_block as _input
from handlers.core.mrkdwn import clip, escape
from handlers.core.rich import elements, hole, labelled, plain_of, rich_block, typed_text
from handlers.incidents.ids import ActionId, BlockId, CallbackId, action_blocks, art12_block
from handlers.incidents.report_views import action_label, entry_detail


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


def _cut(text: str, limit: int) -> str:
    """A person's text, at most `limit` characters (it goes in as typed, so nothing to keep whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fields(c: IncidentSnapshot, locale: str) -> list[dict[str, Any]]:
    """The bot's own values only (status, type, time, count, a mention): typed text goes in `_typed`."""
    return [
        mrkdwn(f"*{t('hazard.field.status', locale)}*\n{t('incident.status.' + c.status, locale)}"),
        mrkdwn(f"*{t('incident.field.kind', locale)}*\n{t('incident.kind.' + c.kind, locale)}"),
        mrkdwn(f"*{t('incident.field.occurred', locale)}*\n{at(c.occurred_at, c.timezone)}"),
        mrkdwn(f"*{t('incident.field.injured', locale)}*\n{c.injured}"),
        mrkdwn(f"*{t('hazard.field.reporter', locale)}*\n{mention(c.reporter)}"),
    ]


def _typed(c: IncidentSnapshot, locale: str) -> Block:
    """What people typed (and the org file's department name), as rich text: shown as typed, pinging nobody."""
    rows = [("incident.field.location", c.location, 1900), ("incident.field.injured_names", c.injured_names, 500),
            ("incident.field.department", c.department or "", 500),
            ("incident.field.description", c.description, 3000),
            ("incident.field.actions_taken", c.immediate_actions, 3000)]
    return rich_block(*[labelled(t(key, locale), _cut(text, limit)) for key, text, limit in rows if text])


def _details(c: IncidentSnapshot, locale: str) -> list[Block]:
    return [{"type": "section", "fields": _fields(c, locale)}, _typed(c, locale)]


def _headline(c: IncidentSnapshot, locale: str, key: str) -> Block:
    urgent = t("incident.urgent", locale) + " " if c.urgent else ""
    return {"type": "header", "text": plain(clip(urgent + t(key, locale, reference=c.reference,
                                                             kind=t("incident.kind." + c.kind, locale)), 150))}


def _progress(c: IncidentSnapshot, locale: str, *, wider: bool = False) -> Block:
    """How handling stands. `wider`: for the safety channel, where a confidential incident shows neither the
    authority it was reported to nor its corrective actions, only how far they are. The authority's name was
    typed: it goes in as plain text."""
    hide = wider and c.confidential
    parts: list[dict[str, Any]] = []
    if c.channel:
        parts.append(mrkdwn(t("incident.in_channel", locale, channel=f"<#{c.channel}>")))
    elif c.channel_failed:
        parts.append(mrkdwn(t("incident.channel_failed_short", locale)))
    report = c.authority_report
    if report and hide:
        parts.append(mrkdwn(t("incident.authority.done_confidential", locale, on=report.on)))
    elif report:
        parts.append(plain(_cut(t("incident.authority.done", locale, to=report.to, on=report.on), 2000)))
    else:
        parts.append(mrkdwn(t("incident.authority.pending", locale)))
    done = sum(1 for item in c.checklist if item.done_by)
    tail = [t("incident.checklist.progress", locale, done=done, total=len(c.checklist))]
    verified = sum(1 for a in c.actions if a.status == "closed")
    if c.actions and hide:
        tail.append(t("incident.actions.count", locale, done=verified, total=len(c.actions)))
    elif c.actions:
        tail.append(t("incident.actions.progress", locale, done=verified, total=len(c.actions),
                      refs=", ".join(f"{a.reference} ({t('status.' + a.status, locale)})" for a in c.actions)))
    parts.append(mrkdwn(clip(" · ".join(tail), 2000)))
    return {"type": "context", "elements": parts}


def _controls(c: IncidentSnapshot, locale: str, *, start: bool) -> Block:
    """The safety officers' buttons: on the safety post and on the pinned summary in the incident's channel.
    Closing with checklist items not done asks to confirm first."""
    buttons: list[dict[str, Any]] = []

    def button(action: ActionId, label: str, style: str | None = None, confirm: Block | None = None) -> None:
        buttons.append({"type": "button", "action_id": action, "value": c.reference, "text": plain(t(label, locale)),
                        **({"style": style} if style else {}), **({"confirm": confirm} if confirm else {})})

    if start and c.status == "reported":
        button(ActionId.INCIDENT_START, "incident.start", "danger" if c.urgent else "primary")
    if c.status in ("reported", "responding"):
        if not c.authority_report:
            button(ActionId.INCIDENT_AUTHORITY, "incident.authority.button")
        undone = sum(1 for item in c.checklist if not item.done_by)
        confirm = {"title": plain(t("incident.close.title", locale)),
                   "text": plain(t("incident.close.confirm", locale, undone=undone, total=len(c.checklist))),
                   "confirm": plain(t("incident.close.button", locale)), "deny": plain(t("common.cancel", locale))}
        button(ActionId.INCIDENT_CLOSE, "incident.close.button", confirm=confirm if undone else None)
    button(ActionId.INCIDENT_EXPORT, "incident.export.button")
    return {"type": "actions", "elements": buttons}


def build_incident_post(c: IncidentPost, locale: str) -> dict[str, Any]:
    """The safety channel's post, refreshed in place; its buttons are for safety officers."""
    blocks: list[Block] = [_headline(c, locale, "incident.post.headline")]
    if c.confidential:
        blocks.append({"type": "section", "text": mrkdwn(t("incident.confidential_post", locale, status=t(
            "incident.status." + c.status, locale)))})
    else:
        blocks += _details(c, locale)
    blocks.append(_progress(c, locale, wider=True))
    blocks.append(_controls(c, locale, start=True))
    text = t("incident.post.notification", locale, reference=c.reference, kind=t("incident.kind." + c.kind,
                                                                                  locale))
    return {"text": text, "blocks": blocks}


def _due(c: IncidentAlert) -> str:
    return at(c.due, c.timezone)


def build_incident_alert(c: IncidentAlert, locale: str) -> dict[str, Any]:
    """The DM to the department head and management (5.2.1), updated in place as the incident moves on; or
    one of the notices (see `IncidentAlert`)."""
    if c.notice == "authority_overdue":
        text = t("incident.authority.overdue", locale, reference=c.reference)
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    if c.notice == "authority_due":  # the safety officers, at half time: with the button that records it
        text = t("incident.authority.due", locale, reference=c.reference, due=_due(c))
        return {"text": text, "blocks": [
            {"type": "section", "text": mrkdwn(text)},
            {"type": "actions", "elements": [{"type": "button", "action_id": ActionId.INCIDENT_AUTHORITY,
                                              "value": c.reference, "style": "primary",
                                              "text": plain(t("incident.authority.button", locale))}]}]}
    if c.notice == "authority_recorded" and c.authority_report:
        report = c.authority_report
        text = t("incident.authority.recorded", locale, reference=c.reference, on=report.on)
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)},
                                         {"type": "context", "elements": [plain(_cut(t(
                                             "incident.authority.done", locale, to=report.to, on=report.on), 2000)),
                                             mrkdwn(mention(report.by))]}]}
    if c.notice == "follow_up":
        text = t("incident.authority.follow_up", locale, reference=c.reference, due=_due(c))
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    if c.notice in ("closed", "resolved"):
        text = t(f"incident.notice.{c.notice}", locale, reference=c.reference)
        blocks: list[Block] = [{"type": "section", "text": mrkdwn(text)}, _progress(c, locale)]
        if c.notice == "closed" and c.root_cause:
            blocks.insert(1, rich_block(labelled(t("incident.close.root_cause", locale), _cut(c.root_cause, 3000)),
                                        labelled(t("incident.close.lessons", locale), _cut(c.lessons or "", 3000))))
        return {"text": text, "blocks": blocks}
    blocks = [_headline(c, locale, "incident.alert.headline"), *_details(c, locale), _progress(c, locale)]
    text = t("incident.post.notification", locale, reference=c.reference, kind=t("incident.kind." + c.kind,
                                                                                  locale))
    return {"text": text, "blocks": blocks}


def build_incident_receipt(c: IncidentPost, locale: str) -> dict[str, Any]:
    """The reporter's receipt, updated in place with where the incident stands."""
    text = t("incident.receipt", locale, reference=c.reference)
    status = t("hazard.field.status", locale) + ": " + t("incident.status." + c.status, locale)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)},
                                     {"type": "context", "elements": [mrkdwn(status)]}]}


def build_incident_summary(c: IncidentPost, locale: str) -> dict[str, Any]:
    """Pinned in the incident's channel: what happened, how handling stands, and the officers' controls
    (record the authority report, close, export) where the team works."""
    blocks = [_headline(c, locale, "incident.alert.headline"), *_details(c, locale), _progress(c, locale)]
    blocks.append(_controls(c, locale, start=False))
    return {"text": t("incident.summary", locale, reference=c.reference), "blocks": blocks}


def build_incident_line(c: IncidentLine, locale: str) -> dict[str, Any]:
    officers = " ".join(mention(u) for u in c.officers)
    status = c.action_status.value if c.action_status else ""
    # The actor is named as typed where the line knows the name (it pings nobody), else mentioned.
    typed = {"actor": c.actor_name} if c.actor_name else {}
    trusted = t(f"incident.line.{c.line}", locale, actor=hole("actor") if typed else mention(c.actor),
                error=escape(c.error or ""), officers=officers, actions=", ".join(c.opened) or "—",
                reference=c.reference, status=t(f"status.{status}", locale) if status else "")
    return {"text": clip(plain_of(trusted, typed), 3000), "blocks": [rich_block(elements(trusted, typed))]}


def build_checklist(c: ChecklistPage, locale: str) -> dict[str, Any]:
    """One page of the emergency plan's checklist (`CHECKLIST_PAGE` items, so every item keeps its button);
    each item is ticked with a button, then shows who and when."""
    lang = "zh" if locale == "zh-CN" else "en"
    title = t("incident.checklist.title", locale, kind=t("incident.kind." + c.kind, locale))
    pages = max(1, -(-len(c.checklist) // CHECKLIST_PAGE))
    if pages > 1:
        title += f" ({c.page + 1}/{pages})"
    blocks: list[Block] = [{"type": "header", "text": plain(clip(title, 150))}]
    for item in c.checklist[c.page * CHECKLIST_PAGE:(c.page + 1) * CHECKLIST_PAGE]:
        text = _cut(getattr(item, lang), 2900)
        if item.done_by:
            when_done = at(item.done_at, c.timezone)
            # the item's words as written (a plain text element: `*x*` in a plan stays as written), then who
            # ticked it: named as typed (the channel is told, nobody is pinged); ticked before names were kept:
            # mentioned, as it was shown then
            who = hole("who") if item.done_by_name else mention(item.done_by)
            done = t("incident.checklist.done", locale, who=who, at=when_done)
            blocks.append(rich_block([{"type": "text", "text": "✅ "}, typed_text(text), {"type": "text", "text": "\n"},
                                      *elements(done, {"who": item.done_by_name or ""})]))
        else:
            blocks.append({"type": "section", "text": plain(text), "accessory": {
                "type": "button", "action_id": ActionId.INCIDENT_TICK, "value": f"{c.reference}:{item.item}",
                "text": plain(t("incident.checklist.tick", locale))}})
    return {"text": title, "blocks": blocks}


def art12_draft(c: IncidentSnapshot, locale: str, unit: str) -> dict[str, str]:
    """Art. 12's items, pre-filled from the incident for the officer to check and complete."""
    lang = "zh" if locale == "zh-CN" else "en"
    done = [getattr(item, lang) for item in c.checklist if item.done_by]
    casualties = t("incident.authority.casualties_draft", locale, injured=c.injured)
    if c.injured_names:
        casualties += f" ({c.injured_names})"
    return {"unit": unit or c.department or "",
            "scene": f"{at(c.occurred_at, c.timezone)} · {c.location}",
            "account": c.description, "casualties": casualties, "loss": "",
            "measures": "\n".join(x for x in [c.immediate_actions, *done] if x), "other": ""}


def build_authority_modal(*, c: IncidentSnapshot, locale: str, today: str, unit: str,
                          private_metadata: str) -> dict[str, Any]:
    """The report to the higher authority: to whom, when, their number, and what it held
    (《生产安全事故报告和调查处理条例》 Art. 12), pre-filled from the incident."""
    draft = art12_draft(c, locale, unit)
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*{c.reference}* · {t('incident.authority.intro', locale)}")},
        _input(BlockId.INC_AUTHORITY, {"type": "plain_text_input", "max_length": Limits.AUTHORITY},
               t("incident.authority.to", locale)),
        _input(BlockId.INC_REPORTED_ON, {"type": "datepicker", "initial_date": today},
               t("incident.authority.on", locale)),
        _input(BlockId.INC_NUMBER, {"type": "plain_text_input", "max_length": Limits.AUTHORITY_NUMBER},
               t("incident.authority.number", locale), optional=True)]
    for name in ART12:
        element: dict[str, Any] = {"type": "plain_text_input", "max_length": Limits.DESCRIPTION,
                                   "multiline": name not in ("unit", "loss")}
        if draft[name].strip():
            element["initial_value"] = _cut(draft[name], Limits.DESCRIPTION)
        blocks.append(_input(art12_block(name), element, t(f"incident.authority.{name}", locale),
                             optional=name in ART12_OPTIONAL))
    return {"type": "modal", "callback_id": CallbackId.INCIDENT_AUTHORITY_MODAL,
            "title": plain(t("incident.authority.title", locale)), "submit": plain(t("plan.modal.save", locale)),
            "close": plain(t("common.cancel", locale)), "private_metadata": private_metadata, "blocks": blocks}


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


def build_incident_help(locale: str) -> dict[str, Any]:
    text = t("help.incident", locale)
    return {"response_type": "ephemeral", "text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def build_incident_status(report: IncidentReport, locale: str) -> dict[str, Any]:
    """`/incident INC-…`: the incident, how it stands and its timeline, for someone allowed to see it. The
    timeline's notes are typed text: rich text, as typed."""
    c, tz = report.context, report.context.timezone
    lang = "zh" if locale == "zh-CN" else "en"
    lines: list[list[dict[str, Any]]] = []
    for e in report.timeline[-30:]:
        action = action_label(e.action, locale)
        row: list[dict[str, Any]] = [{"type": "text", "text": f"{at(e.at, tz)}  {action} · "}]
        row.append({"type": "user", "user_id": e.actor} if e.actor.startswith(("U", "W")) and e.actor != "USAFETYBOT"
                   else {"type": "text", "text": "safetybot"})
        if detail := entry_detail(report, e, lang):
            row += [{"type": "text", "text": ": "}, {"type": "text", "text": _cut(detail, 500)}]
        lines.append(row)
    blocks: list[Block] = [_headline(c, locale, "incident.alert.headline"), *_details(c, locale), _progress(c, locale),
                           {"type": "header", "text": plain(t("hazard.timeline", locale))}]
    if lines:
        blocks.append(rich_block(*lines))
    return {"response_type": "ephemeral", "text": c.reference, "blocks": blocks}


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
