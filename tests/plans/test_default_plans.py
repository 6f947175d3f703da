"""The default plans start from the day they are imported (each within its natural period), read in each
person's language, and importing them again later changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.org import Org
from bot.core.workdays import WorkCalendar
from bot.plans.importer import import_plans, load_plans
from bot.plans.recurrence import next_occurrences
from bot.plans.usecases import upcoming
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

IMPORTED = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
PERIOD = {  # the longest a plan may wait for its first occurrence: its period, and a few days off holidays
    "backup-check": 7, "extinguisher-hydrant-check": 31, "vulnerability-scan": 31, "safety-meeting": 31,
    "electrical-check": 92, "doors-windows-glass-check": 92, "emergency-supplies-check": 92, "password-change": 92,
    "fire-drill": 184, "emergency-drill": 366, "annual-inspection-plan": 366, "annual-training-plan": 366,
}


@pytest.fixture
def uow(tmp_path: Path) -> Iterator[Callable[[], SqlUnitOfWork]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    yield lambda: SqlUnitOfWork(sessions)
    engine.dispose()


def test_each_default_plan_first_falls_due_within_its_period_from_the_day_of_import(
        org: Org, uow: Callable[[], SqlUnitOfWork]) -> None:
    result = import_plans(load_plans(None, org=org), uow=uow, org=org, clock=lambda: IMPORTED)
    assert len(result.created) == 12
    calendar = WorkCalendar.from_org(org)
    with uow() as look:
        saved = {plan.key: (plan.recurrence, plan.start_date) for plan in look.plans.all()}
    for key, days in PERIOD.items():
        recurrence, start = saved[key]
        [first] = next_occurrences(recurrence, tz=org.tz, after=IMPORTED, count=1, calendar=calendar)
        assert first - IMPORTED <= timedelta(days=days + 5), (key, first)
        assert start >= IMPORTED.date(), key
    soon = upcoming(uow=uow(), org=org, calendar=calendar, now=IMPORTED)
    assert {"backup-check", "vulnerability-scan", "safety-meeting"} <= {u.key for u in soon}

    later = IMPORTED + timedelta(days=40)  # importing again, after some first occurrences passed
    again = import_plans(load_plans(None, org=org), uow=uow, org=org, clock=lambda: later)
    assert (again.created, again.updated) == ([], []), again.summary()


def test_default_plans_read_in_each_person_s_language(org: Org, uow: Callable[[], SqlUnitOfWork]) -> None:
    import_plans(load_plans(None, org=org), uow=uow, org=org, clock=lambda: IMPORTED)
    with uow() as look:
        drill = look.plans.get("fire-drill")
        assert drill is not None
        assert (drill.title_in("zh-CN"), drill.title_in("en")) == ("消防演练", "Fire drill")
        assert drill.title == "消防演练"  # the org file's language
        assert drill.translations is not None and "撤离" in drill.translations["zh-CN"]["details"]
        assert "/" not in drill.title_in("en")
