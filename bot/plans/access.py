"""Who may act on plans now: the one place the use cases, the Slack menus and the Done button ask.

Safety officers manage plans (2.2.2); an occurrence is recorded as done by the plan's owner or an officer.
There is no trusted `None` actor here: the CLI import saves through `bot.plans.usecases.save_imported_plan`.
"""

from __future__ import annotations

from bot.core.errors import NotAllowed
from bot.core.org import Org
from bot.core.permissions import require_officer
from bot.plans.model import Plan

__all__ = ["may_manage", "may_record_done", "require_in_org", "require_may_record_done", "require_officer"]


def may_manage(actor_id: str | None, org: Org) -> bool:
    """Create, edit, pause, resume and delete plans."""
    return actor_id is not None and org.is_safety_officer(actor_id)


def may_record_done(actor_id: str, plan: Plan, org: Org) -> bool:
    return actor_id == plan.owner_id or org.is_safety_officer(actor_id)


def require_may_record_done(actor_id: str, plan: Plan, org: Org) -> None:
    if not may_record_done(actor_id, plan, org):
        raise NotAllowed("error.only_owner")


def in_org(actor_id: str, org: Org) -> bool:
    """Named in the organisation file: a department's people, a safety officer, management, the emergency team."""
    return (org.department_of(actor_id) is not None or org.is_safety_officer(actor_id) or org.is_management(actor_id)
            or any(member.user == actor_id for member in org.emergency_team))


def require_in_org(actor_id: str, org: Org) -> None:
    """The company's plans and what is coming are not for guests and people from other workspaces."""
    if not in_org(actor_id, org):
        raise NotAllowed("error.not_in_org")
