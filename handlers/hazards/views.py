"""Block Kit for the hazard report: the modal, its confirmation, and the case messages.

Pure functions of (view model, locale); every visible string is a translation key. Anything a person
typed goes through `escape` before it reaches mrkdwn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.i18n import t
from bot.core.org import Department
from bot.core.text import Limits
from bot.hazards.contexts import CaseCard, CaseSnapshot
from bot.hazards.model import HazardCategory, Step
from handlers.core.blocks import SECTION_LIMIT, Block, at, mention, mrkdwn, plain
from handlers.core.mrkdwn import clip, escape
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
    department_options = [_option(d.name, d.key) for d in departments[:100]]
    department_select: dict[str, Any] = {
        "type": "static_select", "action_id": ActionId.DEPARTMENT,
        "placeholder": plain(t("hazard.modal.department_placeholder", locale)),
        "options": department_options,
    }
    initial = next((o for o in department_options if o["value"] == department_key), None)
    if initial is not None:
        department_select["initial_option"] = initial
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
    text = t("hazard.reported.modal_body", locale, reference=reference, department=escape(department_name))
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(text)}]
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


def build_card(case: CaseCard, locale: str) -> dict[str, Any]:
    """A hazard as one recipient sees it; refreshed in place at every step.

    audience: 'safety' (the channel post), 'leader', 'assignee' or 'reporter'. The buttons are the steps the
    workflow's rules let the recipient take now (`case.offers`, decided when the card was queued).
    """
    ref, audience, tz = case.reference, case.audience, case.timezone
    status = case.status
    category = t(f"category.{case.category}", locale)
    reporter = mention(case.reporter) if case.reporter else t("hazard.anonymous", locale)
    headline = t(f"hazard.{audience}.headline", locale, reference=ref)
    fields = [
        mrkdwn(f"*{t('hazard.field.status', locale)}*\n{t(f'status.{status}', locale)}"),
        mrkdwn(f"*{t('hazard.field.category', locale)}*\n{category}"),
        mrkdwn(f"*{t('hazard.field.location', locale)}*\n{clip(escape(case.location), 1900)}"),
        mrkdwn(f"*{t('hazard.field.department', locale)}*\n{clip(escape(case.department), 1900)}"),
        mrkdwn(f"*{t('hazard.field.reported_at', locale)}*\n{at(case.reported_at, tz)}"),
    ]
    if audience != "reporter":
        fields.append(mrkdwn(f"*{t('hazard.field.reporter', locale)}*\n{reporter}"))
    if case.severity:
        fields.append(mrkdwn(f"*{t('hazard.field.severity', locale)}*\n{t('severity.' + case.severity, locale)}"))
    if case.deadline_at:
        fields.append(mrkdwn(f"*{t('hazard.field.deadline', locale)}*\n{at(case.deadline_at, tz)}"))
    if case.assignee:
        fields.append(mrkdwn(f"*{t('hazard.field.assignee', locale)}*\n{mention(case.assignee)}"))
    blocks: list[Block] = [
        {"type": "header", "text": plain(clip(headline, 150))},
        {"type": "section", "fields": fields[:10]},
        {"type": "section", "text": mrkdwn(f"*{t('hazard.field.description', locale)}*")},
        {"type": "section", "text": mrkdwn(clip(escape(case.description), SECTION_LIMIT))},
    ]
    if case.measures:
        blocks.append({"type": "section", "text": mrkdwn(clip(
            f"*{t('hazard.field.measures', locale)}*\n{escape(case.measures)}", SECTION_LIMIT))})
    links = photo_links(case.photos, locale)
    if case.photo_count and not case.photos:  # anonymous: the links would name the uploader
        key = "hazard.photos_withheld_safety" if audience == "safety" else (
            "hazard.photos_withheld" if case.photo_count == 1 else "hazard.photos_withheld_many")
        links.append(t(key, locale, count=case.photo_count))
    if case.source_permalink:
        links.append(f"<{case.source_permalink}|{t('hazard.source_message', locale)}>")
    if (link := thread_link(case)) and audience != "safety":
        links.append(f"<{link}|{t('hazard.thread_link', locale)}>")
    if links:
        blocks.append({"type": "context", "elements": [mrkdwn(clip(" · ".join(links), SECTION_LIMIT))]})
    if case.duplicates and audience == "safety":
        blocks.append(duplicates_block(case.duplicates, locale))
    next_key = "hazard.reporter.next" if audience == "reporter" and status == "reported" else f"next.{status}"
    upcoming = t(next_key, locale, assignee=mention(case.assignee), deadline=at(case.deadline_at, tz),
                 reason=escape(case.last_reason or "—"))
    if who := who_decides(case, locale):
        upcoming += " " + who
    blocks.append({"type": "context", "elements": [mrkdwn(clip(upcoming, SECTION_LIMIT))]})
    buttons = [step_button(step, ref, locale, revision=case.revision, style="primary" if i == 0 else None)
               for i, step in enumerate(case.offers)]
    if audience == "safety" and case.anonymous:
        buttons.append({"type": "button", "action_id": ActionId.REVEAL_REPORTER, "value": ref,
                        "text": plain(t("hazard.reveal_reporter", locale))})
    if buttons:
        blocks.append({"type": "actions", "block_id": BlockId.CASE_ACTIONS, "elements": buttons})
    text = t(f"hazard.{audience}.notification", locale, reference=ref, category=category,
             location=clip(escape(case.location), 200))
    return {"text": text, "blocks": blocks}


def duplicates_block(references: list[str], locale: str, *, key: str = "hazard.possible_duplicates") -> Block:
    """Open cases of the same category and location: pointed out, never blocking (and naming no reporter)."""
    shown = ", ".join(references[:10]) + (" …" if len(references) > 10 else "")
    return {"type": "context", "elements": [mrkdwn(clip(t(key, locale, references=shown), SECTION_LIMIT))]}


def photo_links(photos: list[dict[str, str]], locale: str) -> list[str]:
    return [f"<{p['permalink']}|{escape(p.get('name') or t('hazard.photo', locale))}>"
            for p in photos if p.get("permalink")]


def build_reporter_revealed(*, reference: str, reporter_id: str, photos: list[dict[str, str]],
                            locale: str) -> dict[str, Any]:
    """Only the safety officer who asked sees it: the reporter and the photos whose links name them."""
    text = t("hazard.reporter_revealed", locale, reference=reference, reporter=f"<@{reporter_id}>")
    if links := photo_links(photos, locale):
        text += "\n" + t("hazard.reporter_photos", locale, links=" · ".join(links))
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
