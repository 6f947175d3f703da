"""What the Slack handlers may call into: the org, a unit-of-work factory and the clock.

Nothing of a feature: each feature's handlers may name the unit of work they need (`Services[HazardsUnitOfWork]`),
which the composition root's implementation, carrying every repository, satisfies. What one feature's
handlers alone need (the incident checklists) the composition root hands to those handlers itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.clock import Clock, utcnow
from bot.core.org import Org
from bot.core.ports import Directory, LocaleResolver, UnitOfWork
from bot.core.workdays import WorkCalendar

U = TypeVar("U", bound=UnitOfWork, covariant=True)


@dataclass(frozen=True)
class Services(Generic[U]):
    org: Org
    uow: Callable[[], U]
    locales: LocaleResolver
    directory: Directory
    calendar: WorkCalendar
    clock: Clock = utcnow
