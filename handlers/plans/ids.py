"""The plans feature's command (`/safety`), callback ids, block ids and action ids, defined once."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    SAFETY = "/safety"


class CallbackId(StrEnum):
    PLAN_MODAL = "plan_edit"
    PLAN_DONE_MODAL = "plan_done"


class BlockId(StrEnum):
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
    DONE_DATE = "dn_date"
    DONE_NOTES = "dn_notes"
    DONE_ATTENDANCE = "dn_attendance"
    DONE_PHOTO = "dn_photo"


class ActionId(StrEnum):
    PLAN_MENU = "plan_menu"  # the overflow menu of lists sent before the buttons: still answered
    PLAN_DONE = "plan_done"  # the Done button on a reminder
    # /safety plans: a plan's buttons (value "<key>:<page>") and the pages
    PLAN_EDIT = "plan_edit"
    PLAN_PAUSE = "plan_pause"
    PLAN_RESUME = "plan_resume"
    PLAN_DELETE = "plan_delete"  # asks first (Slack's confirm dialog)
    PLAN_PAGE = "plan_page"  # previous page
    PLAN_PAGE_NEXT = "plan_page_next"
