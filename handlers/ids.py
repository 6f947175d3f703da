"""Every callback_id, action_id and block_id the app uses, defined once.

The manifest test reads CallbackId and Command to check that `manifest.yml` declares them.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    HAZARD = "/hazard"


class CallbackId(StrEnum):
    REPORT_HAZARD_SHORTCUT = "report_hazard"  # message shortcut
    REPORT_HAZARD_MODAL = "hazard_report"
    HAZARD_REPORTED_MODAL = "hazard_reported"


class BlockId(StrEnum):
    CATEGORY = "hz_category"
    LOCATION = "hz_location"
    DESCRIPTION = "hz_description"
    DEPARTMENT = "hz_department"
    PHOTO = "hz_photo"
    ANONYMOUS = "hz_anonymous"
    CASE_ACTIONS = "hz_case_actions"


class ActionId(StrEnum):
    CATEGORY = "category"
    LOCATION = "location"
    DESCRIPTION = "description"
    DEPARTMENT = "department"
    PHOTO = "photo"
    ANONYMOUS = "anonymous"
    REVEAL_REPORTER = "hz_reveal_reporter"
    OPEN_SOURCE = "hz_open_source"
