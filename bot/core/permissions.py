"""Checks of who a person is in the org that more than one feature makes."""

from __future__ import annotations

from bot.core.errors import NotAllowed
from bot.core.org import Org


def require_officer(actor_id: str | None, org: Org) -> None:
    """Only a safety officer may go on (5.2, 2.2.2). None (nobody named) is refused too: a caller that trusts
    its source without a person (the CLI) says so by not calling this, rather than by passing None."""
    if actor_id is None or not org.is_safety_officer(actor_id):
        raise NotAllowed("error.safety_only")
