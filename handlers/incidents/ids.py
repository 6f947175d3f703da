"""The incident feature's command, callback ids, block ids and action ids, defined once."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    INCIDENT = "/incident"


class CallbackId(StrEnum):
    REPORT_INCIDENT_SHORTCUT = "report_incident"  # message shortcut
    ADD_TO_TIMELINE_SHORTCUT = "incident_timeline"  # message shortcut
    INCIDENT_MODAL = "incident_report"
    INCIDENT_AUTHORITY_MODAL = "incident_authority"
    INCIDENT_CLOSE_MODAL = "incident_close"


class BlockId(StrEnum):
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
    INC_A12_UNIT = "in_a12_unit"
    INC_A12_SCENE = "in_a12_scene"
    INC_A12_ACCOUNT = "in_a12_account"
    INC_A12_CASUALTIES = "in_a12_casualties"
    INC_A12_LOSS = "in_a12_loss"
    INC_A12_MEASURES = "in_a12_measures"
    INC_A12_OTHER = "in_a12_other"
    INC_ROOT_CAUSE = "in_root_cause"
    INC_LESSONS = "in_lessons"


class ActionId(StrEnum):
    INCIDENT_START = "inc_start"
    INCIDENT_AUTHORITY = "inc_authority"
    INCIDENT_CLOSE = "inc_close"
    INCIDENT_EXPORT = "inc_export"
    INCIDENT_TICK = "inc_tick"


def art12_block(name: str) -> str:
    """The authority modal's block of one of Art. 12's items (`unit`, `scene`, ...)."""
    return f"in_a12_{name}"


def action_blocks(i: int) -> tuple[str, str, str]:
    """Block ids of the i-th corrective action row in the close modal (measures, owner, deadline)."""
    return f"in_action_{i}", f"in_owner_{i}", f"in_deadline_{i}"
