"""Every callback_id, action_id and block_id the app uses, defined once.

The manifest test reads CallbackId and Command to check that `manifest.yml` declares them.
"""

from __future__ import annotations

from enum import StrEnum

from bot.hazards.model import Step

# Steps taken straight from a button (with a confirmation); every other step opens a modal.
DIRECT_STEPS = frozenset({Step.APPROVE, Step.VERIFY, Step.ACCEPT_EXTENSION})
STEP_ACTION_PREFIX = "hz_step_"


def step_action_id(step: Step) -> str:
    """One action_id per workflow step, derived from the Step enum so the two cannot drift apart."""
    return STEP_ACTION_PREFIX + step.value


class Command(StrEnum):
    HAZARD = "/hazard"
    SAFETY = "/safety"
    INCIDENT = "/incident"


class CallbackId(StrEnum):
    REPORT_HAZARD_SHORTCUT = "report_hazard"  # message shortcut
    REPORT_HAZARD_MODAL = "hazard_report"
    HAZARD_REPORTED_MODAL = "hazard_reported"
    HAZARD_STEP_MODAL = "hazard_step"
    REPORT_INCIDENT_SHORTCUT = "report_incident"  # message shortcut
    ADD_TO_TIMELINE_SHORTCUT = "incident_timeline"  # message shortcut
    INCIDENT_MODAL = "incident_report"
    INCIDENT_AUTHORITY_MODAL = "incident_authority"
    INCIDENT_CLOSE_MODAL = "incident_close"
    PLAN_MODAL = "plan_edit"
    PLAN_DONE_MODAL = "plan_done"


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
    PLAN_KIND = "pl_kind"
    PLAN_TITLE = "pl_title"
    PLAN_DETAILS = "pl_details"
    PLAN_OWNER = "pl_owner"
    PLAN_CHANNEL = "pl_channel"
    PLAN_DEPARTMENTS = "pl_departments"
    PLAN_PEOPLE = "pl_people"
    PLAN_EVERYONE = "pl_everyone"
    PLAN_PATTERN = "pl_pattern"
    PLAN_START = "pl_start"
    PLAN_TIME = "pl_time"
    PLAN_INTERVAL = "pl_interval"
    PLAN_RULE = "pl_rule"
    PLAN_OFFSETS = "pl_offsets"
    PLAN_HOLIDAYS = "pl_holidays"
    INC_KIND = "in_kind"
    INC_OCCURRED = "in_occurred"
    INC_LOCATION = "in_location"
    INC_DESCRIPTION = "in_description"
    INC_INJURED = "in_injured"
    INC_INJURED_NAMES = "in_injured_names"
    INC_ACTIONS_TAKEN = "in_actions_taken"
    INC_DEPARTMENT = "in_department"
    INC_CONFIDENTIAL = "in_confidential"
    INC_AUTHORITY = "in_authority"
    INC_REPORTED_ON = "in_reported_on"
    INC_NUMBER = "in_number"
    INC_ROOT_CAUSE = "in_root_cause"
    INC_LESSONS = "in_lessons"
    DONE_DATE = "dn_date"
    DONE_NOTES = "dn_notes"
    DONE_ATTENDANCE = "dn_attendance"
    DONE_PHOTO = "dn_photo"


class ActionId(StrEnum):
    CATEGORY = "category"
    LOCATION = "location"
    DESCRIPTION = "description"
    DEPARTMENT = "department"
    PHOTO = "photo"
    ANONYMOUS = "anonymous"
    REVEAL_REPORTER = "hz_reveal_reporter"
    FIELD = "value"  # the single element of each step-modal and plan-modal input block
    PLAN_MENU = "plan_menu"  # overflow menu of a plan in /safety plans: edit, pause, resume, delete
    PLAN_DONE = "plan_done"  # the Done button on a reminder
    INCIDENT_START = "inc_start"
    INCIDENT_AUTHORITY = "inc_authority"
    INCIDENT_CLOSE = "inc_close"
    INCIDENT_EXPORT = "inc_export"
    INCIDENT_TICK = "inc_tick"


def action_blocks(i: int) -> tuple[str, str, str]:
    """Block ids of the i-th corrective action row in the close modal (measures, owner, deadline)."""
    return f"in_action_{i}", f"in_owner_{i}", f"in_deadline_{i}"
