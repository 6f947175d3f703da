"""Reference numbers: per year in the company's time zone, no gaps, no duplicates under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.core.org import Org
from bot.hazards.model import HazardCategory
from bot.hazards.usecases import ReportHazard, report_hazard
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.helpers import open_modal, reference_in, submit


def make_uow(database_url: str) -> tuple[SqlUnitOfWork, object]:
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    return SqlUnitOfWork(sessions), engine


def command(user: str = "U0EMP1") -> ReportHazard:
    return ReportHazard(reporter_id=user, category=HazardCategory.FIRE, location="Lobby",
                        description="Blocked exit", department_key="cs1")


def test_numbers_count_per_year_in_the_company_time_zone(database_url: str, org: Org) -> None:
    uow, engine = make_uow(database_url)
    # 17:30 UTC on 31 December is already 1 January in Shanghai.
    late = datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
    new_year = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    refs = [report_hazard(command(), uow=uow, org=org, clock=lambda: late).reference,
            report_hazard(command(), uow=uow, org=org, clock=lambda: late).reference,
            report_hazard(command(), uow=uow, org=org, clock=lambda: new_year).reference]
    assert refs == ["HZ-2026-0001", "HZ-2026-0002", "HZ-2027-0001"]
    engine.dispose()  # type: ignore[attr-defined]


def test_a_rolled_back_report_gives_its_number_back(database_url: str, org: Org) -> None:
    uow, engine = make_uow(database_url)
    with uow:
        assert uow.references.next("HZ", 2026) == 1
        # no commit: the transaction is rolled back
    with uow:
        assert uow.references.next("HZ", 2026) == 1
        uow.commit()
    with uow:
        assert uow.references.next("HZ", 2026) == 2
    engine.dispose()  # type: ignore[attr-defined]


def test_concurrent_reports_get_consecutive_distinct_numbers(database_url: str, org: Org) -> None:
    uow_template, engine = make_uow(database_url)
    sessions = uow_template._sessions

    def one(_: int) -> str:
        return report_hazard(command(), uow=SqlUnitOfWork(sessions), org=org).reference

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(one, range(40)))
    year = datetime.now(org.tz).year
    assert sorted(refs) == [f"HZ-{year}-{n:04d}" for n in range(1, 41)]
    engine.dispose()  # type: ignore[attr-defined]


def test_concurrent_submissions_through_slack_never_share_a_reference(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP2")

    def one(_: int) -> str:
        return reference_in(str(submit(bot, "U0EMP2", view)["view"]))

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(one, range(16)))
    assert len(set(refs)) == 16
    assert sorted(int(r.rsplit("-", 1)[1]) for r in refs) == list(range(1, 17))
