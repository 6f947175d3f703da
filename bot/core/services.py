"""What the Slack handlers may call into: the org, a unit-of-work factory and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.clock import Clock, utcnow
from bot.core.org import Org
from bot.core.ports import Directory, LocaleResolver, UnitOfWork
from bot.core.workdays import WorkCalendar
from bot.incidents.usecases import Checklists


@dataclass(frozen=True)
class Services:
    org: Org
    uow: Callable[[], UnitOfWork]
    locales: LocaleResolver
    directory: Directory
    calendar: WorkCalendar
    incident_plans: Checklists
    clock: Clock = utcnow
