"""Block Kit for the hazard report: the modal, its confirmation, and the case messages.

Pure functions of (view model, locale); every visible string is a translation key. Anything a person
typed (locations, descriptions, measures, reasons, notes, photo names, department names) reaches Slack as
`plain_text` or as a `rich_text` text element, never inside mrkdwn, where `*`, `_` and `~` would format it
(`handlers.core.rich`); only the notification `text`, which Slack does not render, carries it escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits, clean
from bot.hazards.contexts import CaseCard, CaseSnapshot
from bot.hazards.model import HazardCategory, Step
from handlers.core.blocks import SECTION_LIMIT, Block, mention, mrkdwn, plain
from handlers.core.dates import deadline_text, is_overdue, long_date
from handlers.core.departments import department_select as pick_department
from handlers.core.mrkdwn import clip, escape
from handlers.core.rich import Element, elements, hole, labelled, rich_block, rich_sentence
from handlers.hazards.ids import DIRECT_STEPS, ActionId, BlockId, CallbackId, step_action_id, step_value


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text[:75]), "value": value}


def build_report_modal(
    *,
    locale: str,
    departments: list[Department],
    department_key: str | None,
    description: str,
    private_metadata: str,
) -> dict[str, Any]:
    """The report form; `description` is pre-filled from `/hazard text` or the shortcut's message."""
    category_options = [_option(t(f"category.{c.value}", locale), c.value) for c in HazardCategory]
    department_select = pick_department(departments, chosen=department_key,
                                        placeholder=t("hazard.modal.department_placeholder", locale))
    description_input: dict[str, Any] = {
        "type": "plain_text_input", "action_id": ActionId.DESCRIPTION, "multiline": True,
        "max_length": Limits.DESCRIPTION, "placeholder": plain(t("hazard.modal.description_placeholder", locale)),
    }
    if description.strip():
        description_input["initial_value"] = description[:Limits.DESCRIPTION]
    blocks: list[Block] = [
        {"type": "input", "block_id": BlockId.CATEGORY, "label": plain(t("hazard.modal.category", locale)),
         "element": {"type": "static_select", "action_id": ActionId.CATEGORY, "options": category_options,
                     "placeholder": plain(t("hazard.modal.category_placeholder", locale))}},
        {"type": "input", "block_id": BlockId.LOCATION, "label": plain(t("hazard.modal.location", locale)),
         "element": {"type": "plain_text_input", "action_id": ActionId.LOCATION, "max_length": Limits.LOCATION,
                     "placeholder": plain(t("hazard.modal.location_placeholder", locale))}},
        {"type": "input", "block_id": BlockId.DESCRIPTION,
         "label": plain(t("hazard.modal.description", locale)), "element": description_input},
        {"type": "input", "block_id": BlockId.DEPARTMENT,
         "label": plain(t("hazard.modal.department", locale)), "element": department_select},
        {"type": "input", "block_id": BlockId.PHOTO, "optional": True,
         "label": plain(t("hazard.modal.photo", locale)),
         "element": {"type": "file_input", "action_id": ActionId.PHOTO, "max_files": 5,
                     "filetypes": ["jpg", "jpeg", "png", "heic", "gif", "webp"]}},
        {"type": "input", "block_id": BlockId.ANONYMOUS, "optional": True,
         "label": plain(t("hazard.modal.anonymous_label", locale)),
         "element": {"type": "checkboxes", "action_id": ActionId.ANONYMOUS, "options": [{
             "text": plain(t("hazard.modal.anonymous", locale)), "value": "anonymous",
             "description": plain(t("hazard.modal.anonymous_hint", locale))}]}},
    ]
    return {
        "type": "modal", "callback_id": CallbackId.REPORT_HAZARD_MODAL,
        "title": plain(t("hazard.modal.title", locale)),
        "submit": plain(t("hazard.modal.submit", locale)),
        "close": plain(t("common.cancel", locale)),
        "private_metadata": private_metadata, "blocks": blocks,
    }


def build_reported_modal(*, locale: str, reference: str, department_name: str,
                         duplicates: list[str] | None = None) -> dict[str, Any]:
    """What the modal turns into on submit: the reference at once, even while Slack's API is slow; and the
    open cases it may duplicate (the report is taken all the same)."""
    blocks: list[Block] = [rich_sentence("hazard.reported.modal_body", locale, typed={"department": department_name},
                                         reference=reference)]
    if duplicates:
        blocks.append(duplicates_block(duplicates, locale, key="hazard.reported.possible_duplicates"))
    return {
        "type": "modal", "callback_id": CallbackId.HAZARD_REPORTED_MODAL,
        "title": plain(t("hazard.modal.title", locale)), "close": plain(t("common.close", locale)),
        "blocks": blocks,
    }


def who_decides(case: CaseSnapshot, locale: str, show: Callable[[str], str] = mention) -> str | None:
    """Who may approve or verify the case now, as the rules say (never whoever did the work); `show`: how a
    person is shown (a thread line names them, pinging only those it calls)."""
    if not case.deciders or case.status not in ("completed", "approved"):
        return None
    key = "hazard.who_approves" if case.status == "completed" else "hazard.who_verifies"
    return t(key, locale, people=" ".join(show(p) for p in case.deciders))


def thread_link(case: CaseSnapshot) -> str | None:
    """A link to the case's thread in the safety channel, once it exists."""
    if not case.thread:
        return None
    channel, ts = case.thread
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def step_button(step: Step, reference: str, locale: str, *, revision: int | None = None,
                style: str | None = None) -> dict[str, Any]:
    """A step's button; its value carries the revision the case had when shown, so a stale one is refused."""
    button: dict[str, Any] = {"type": "button", "action_id": step_action_id(step),
                              "value": step_value(reference, revision),
                              "text": plain(t(f"step.{step.value}.button", locale))}
    if style:
        button["style"] = style
    if step in DIRECT_STEPS:  # taken on click: ask first
        button["confirm"] = {"title": plain(t(f"step.{step.value}.button", locale)),
                             "text": plain(t(f"step.{step.value}.confirm", locale, reference=reference)),
                             "confirm": plain(t("common.yes", locale)), "deny": plain(t("common.cancel", locale))}
    return button


# One emoji per status for the safety post's header, so the channel reads at a glance where each case is.
STATUS_EMOJI = {"reported": "🆕", "assessed": "📋", "assigned": "🛠️", "completed": "🔍", "approved": "☑️",
                "closed": "✅", "rejected": "🚫"}
OVERDUE_EMOJI = "⏰"


# While the rectification is still to be done its deadline counts down ("3 days left", "overdue by 2 days");
# once reported done (or the case is closed or rejected) it is only a date: a case rectified on time is
# never shown overdue because its review or `/hazard HZ-…` came after the deadline.
RUNNING_DEADLINE = frozenset({"reported", "assessed", "assigned"})


def case_deadline(deadline: datetime | None, now: datetime | None, status: str, timezone: str, locale: str) -> str:
    """The deadline as a case in `status` shows it: with how far it is only while it still runs."""
    if status in RUNNING_DEADLINE:
        return deadline_text(deadline, now, timezone, locale)
    return long_date(deadline, timezone, locale)


def status_emoji(case: CaseSnapshot) -> str:
    if case.status == "assigned" and is_overdue(case.deadline_at, case.as_of):
        return OVERDUE_EMOJI
    return STATUS_EMOJI.get(case.status, "")


def shown(text: str | None, limit: int) -> str:
    """A person's text, cleaned (no bidi overrides or control characters, as stored text already is) and cut
    to `limit` characters for display; it is shown as typed, so there is nothing to escape."""
    text = clean(text or "")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _field(label: str, value: str) -> dict[str, Any]:
    return mrkdwn(f"*{label}*\n{value}")


def card_fields(case: CaseCard, locale: str) -> list[dict[str, Any]]:
    """The bot's own words about the case (no typed text: that goes in `rich_text`), as section fields."""
    tz, status = case.timezone, case.status
    fields = [_field(t("hazard.field.status", locale), t(f"status.{status}", locale)),
              _field(t("hazard.field.category", locale), t(f"category.{case.category}", locale)),
              _field(t("hazard.field.reported_at", locale), long_date(case.reported_at, tz, locale))]
    if case.audience != "reporter":
        fields.append(_field(t("hazard.field.reporter", locale),
                             mention(case.reporter) if case.reporter else t("hazard.anonymous", locale)))
    if case.severity:
        fields.append(_field(t("hazard.field.severity", locale), t("severity." + case.severity, locale)))
    if case.deadline_at:
        fields.append(_field(t("hazard.field.deadline", locale),
                             case_deadline(case.deadline_at, case.as_of, status, tz, locale)))
    if case.assignee:
        fields.append(_field(t("hazard.field.assignee", locale), mention(case.assignee)))
    return fields[:10]


def case_text_block(case: CaseSnapshot, locale: str) -> Block:
    """What people wrote about the case, each under its label, shown exactly as typed."""
    paragraphs = [labelled(t("hazard.field.location", locale), shown(case.location, Limits.LOCATION)),
                  labelled(t("hazard.field.department", locale), shown(case.department, 200)),
                  labelled(t("hazard.field.description", locale), shown(case.description, Limits.DESCRIPTION))]
    if case.measures:
        paragraphs.append(labelled(t("hazard.field.measures", locale), shown(case.measures, Limits.MEASURES)))
    if case.extension_until and case.status == "assigned":  # asked for, not decided yet
        paragraphs.append(elements(t("hazard.extension_pending", locale,
                                     until=long_date(case.extension_until, case.timezone, locale),
                                     reason=hole("reason")), {"reason": shown(case.extension_reason, Limits.REASON)}))
    return rich_block(*paragraphs)


def _links(case: CaseCard, locale: str) -> list[Element]:
    """Photos, the reported message and the case thread; only links this recipient can open."""
    links: list[list[Element]] = [photo_link(p, locale) for p in case.photos if p.get("permalink")]
    audience = case.audience
    if case.photo_count and not case.photos:  # anonymous: the links would name the uploader
        key = "hazard.photos_withheld_safety" if audience == "safety" else (
            "hazard.photos_withheld" if case.photo_count == 1 else "hazard.photos_withheld_many")
        links.append(elements(t(key, locale, count=case.photo_count)))
    if case.source_permalink:
        label = t("hazard.corrective.link", locale, incident=case.incident) if case.incident else t(
            "hazard.source_message", locale)
        links.append(elements(f"<{case.source_permalink}|{label}>"))
    # The thread is in the safety channel: a reporter is usually not in it, and the link would not open.
    if (link := thread_link(case)) and audience not in ("safety", "reporter"):
        links.append(elements(f"<{link}|{t('hazard.thread_link', locale)}>"))
    out: list[Element] = []
    for i, link_elements in enumerate(links):
        out += ([{"type": "text", "text": " · "}] if i else []) + link_elements
    return out


def where_it_stands(case: CaseCard, locale: str) -> Block:
    """The card's last words: for the reporter, where their report stands in words for them; for everyone
    else, the next step and who takes it."""
    tz, status = case.timezone, case.status
    # The reporter's words carry how late it is; for the others the deadline field above says it.
    deadline = case_deadline(case.deadline_at, case.as_of, status, tz, locale) if case.audience == "reporter" \
        else long_date(case.deadline_at, tz, locale)
    params = {"assignee": mention(case.assignee), "deadline": deadline,
              "people": " ".join(mention(p) for p in case.safety_officers) or t("hazard.safety_department", locale)}
    typed = {"reason": shown(case.last_reason or "—", Limits.REASON)}
    if case.audience == "reporter":
        return rich_block(elements(t(f"hazard.reporter.status.{status}", locale, **params,
                                     reason=hole("reason")), typed))
    paragraphs = [elements(t(f"next.{status}", locale, **params, reason=hole("reason")), typed)]
    if who := who_decides(case, locale):
        paragraphs.append(elements(who))
    return rich_block(*paragraphs)


def build_card(case: CaseCard, locale: str) -> dict[str, Any]:
    """A hazard as one recipient sees it; refreshed in place at every step (and when its deadline passes).

    audience: 'safety' (the channel post), 'leader', 'assignee' or 'reporter'. The buttons are the steps the
    workflow's rules let the recipient take now (`case.offers`, decided when the card was queued).
    """
    ref, audience, status = case.reference, case.audience, case.status
    category = t(f"category.{case.category}", locale)
    if audience == "safety":  # the channel's post says where the case is, not "new" for ever
        headline = t("hazard.safety.headline", locale, reference=ref, emoji=status_emoji(case),
                     status=t(f"status.{status}", locale))
    else:
        headline = t(f"hazard.{audience}.headline", locale, reference=ref)
    if case.incident:  # an incident's corrective action, not somebody's report
        headline = t("hazard.corrective.headline", locale, reference=ref, incident=case.incident)
    blocks: list[Block] = [
        {"type": "header", "text": plain(clip(headline, 150))},
        {"type": "section", "fields": card_fields(case, locale)},
        case_text_block(case, locale),
    ]
    if links := _links(case, locale):
        blocks.append(rich_block(links))
    if case.duplicates and audience == "safety":
        blocks.append(duplicates_block(case.duplicates, locale))
    blocks.append(where_it_stands(case, locale))
    buttons = [step_button(step, ref, locale, revision=case.revision, style="primary" if i == 0 else None)
               for i, step in enumerate(case.offers)]
    if audience == "safety" and case.anonymous:
        buttons.append({"type": "button", "action_id": ActionId.REVEAL_REPORTER, "value": ref,
                        "text": plain(t("hazard.reveal_reporter", locale))})
    if buttons:
        blocks.append({"type": "actions", "block_id": BlockId.CASE_ACTIONS, "elements": buttons})
    text = t(f"hazard.{audience}.notification", locale, reference=ref, category=category,
             location=clip(escape(case.location), 200), status=t(f"status.{status}", locale))
    if case.incident:
        text = t("hazard.corrective.notification", locale, reference=ref, incident=case.incident)
    return {"text": text, "blocks": blocks}


def duplicates_block(references: list[str], locale: str, *, key: str = "hazard.possible_duplicates") -> Block:
    """Open cases of the same category and location: pointed out, never blocking (and naming no reporter)."""
    listed = ", ".join(references[:10]) + (" …" if len(references) > 10 else "")
    return {"type": "context", "elements": [mrkdwn(clip(t(key, locale, references=listed), SECTION_LIMIT))]}


def photo_link(photo: dict[str, str], locale: str) -> list[Element]:
    """A photo's link; its file name, typed by whoever uploaded it, is the link's plain text."""
    return [{"type": "link", "url": photo["permalink"],
             "text": shown(photo.get("name"), 200) or t("hazard.photo", locale)}]


def photo_links(photos: list[dict[str, str]], locale: str) -> list[Element]:
    out: list[Element] = []
    for photo in (p for p in photos if p.get("permalink")):
        out += ([{"type": "text", "text": " · "}] if out else []) + photo_link(photo, locale)
    return out


def build_reporter_revealed(*, reference: str, reporter_id: str, photos: list[dict[str, str]],
                            locale: str) -> dict[str, Any]:
    """Only the safety officer who asked sees it: the reporter and the photos whose links name them."""
    text = t("hazard.reporter_revealed", locale, reference=reference, reporter=f"<@{reporter_id}>")
    paragraphs = [elements(text)]
    if links := photo_links(photos, locale):
        before, _, after = t("hazard.reporter_photos", locale, links="\x00").partition("\x00")
        paragraphs.append(elements(before) + links + elements(after))
    return {"response_type": "ephemeral", "replace_original": False, "text": text,
            "blocks": [rich_block(*paragraphs)]}
