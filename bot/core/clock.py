"""What "now" is: one type for the clock every use case, scheduler and sender takes.

Passed in rather than read from the system so that tests (and the demo) can move time by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]  # returns an aware datetime


def utcnow() -> datetime:
    """The real clock, in UTC: the default wherever a Clock is taken."""
    return datetime.now(UTC)
