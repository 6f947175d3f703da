"""The hazard feature's command, callback ids, block ids and action ids, defined once."""

from __future__ import annotations

from enum import StrEnum

from bot.hazards.model import Step

# Steps taken straight from a button (with a confirmation); every other step opens a modal.
DIRECT_STEPS = frozenset({Step.APPROVE, Step.VERIFY, Step.ACCEPT_EXTENSION})
STEP_ACTION_PREFIX = "hz_step_"


def step_action_id(step: Step) -> str:
    """One action_id per workflow step, derived from the Step enum so the two cannot drift apart."""
    return STEP_ACTION_PREFIX + step.value


def step_value(reference: str, revision: int | None) -> str:
    """A step button's value: the case and the revision it was shown at (`HZ-2026-0001@4`)."""
    return reference if revision is None else f"{reference}@{revision}"


def parse_step_value(value: str) -> tuple[str, int | None]:
    """(reference, revision) of a step button; buttons posted before revisions were carried have none."""
    reference, _, revision = value.partition("@")
    return reference, int(revision) if revision.isdigit() else None


class Command(StrEnum):
    HAZARD = "/hazard"


class CallbackId(StrEnum):
    REPORT_HAZARD_SHORTCUT = "report_hazard"  # message shortcut
    REPORT_HAZARD_MODAL = "hazard_report"
    HAZARD_REPORTED_MODAL = "hazard_reported"
    HAZARD_STEP_MODAL = "hazard_step"


class BlockId(StrEnum):
    CATEGORY = "hz_category"
    LOCATION = "hz_location"
    DESCRIPTION = "hz_description"
    DEPARTMENT = "hz_department"
    PHOTO = "hz_photo"
    ANONYMOUS = "hz_anonymous"
    CASE_ACTIONS = "hz_case_actions"
    STEP_SEVERITY = "st_severity"
    STEP_DEADLINE = "st_deadline"
    STEP_REASON = "st_reason"
    STEP_DEPARTMENT = "st_department"
    STEP_MEASURES = "st_measures"
    STEP_ASSIGNEE = "st_assignee"
    STEP_NOTE = "st_note"
    STEP_PHOTO = "st_photo"


class ActionId(StrEnum):
    CATEGORY = "category"
    LOCATION = "location"
    DESCRIPTION = "description"
    DEPARTMENT = "department"
    PHOTO = "photo"
    ANONYMOUS = "anonymous"
    REVEAL_REPORTER = "hz_reveal_reporter"
    OPEN_PAGE = "hz_open_page"  # `/hazard open`'s page buttons: hz_open_page_next, hz_open_page_previous
