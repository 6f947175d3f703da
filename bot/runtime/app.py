"""The composition root: builds everything from settings, in one place, and nothing at import time.

This module (with `bot.runtime.cli` and `bot.runtime.demo`) is where `bot/` meets Slack and the database; the
domain modules import neither.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from sqlalchemy import Engine

import bot.hazards
import bot.incidents
import bot.plans
import handlers.core.departments
import handlers.hazards
import handlers.incidents
import handlers.plans
import handlers.scheduling
from bot.core.clock import Clock, utcnow
from bot.core.delivery import FailureNotices
from bot.core.events import Dispatcher, Subscriptions
from bot.core.org import Org, load_org
from bot.core.outbox import FailedHook, OutboxSender, Pace, RetryPolicy, SentHook
from bot.core.services import Services
from bot.core.workdays import WorkCalendar
from bot.runtime.settings import Settings
from bot.scheduling import JobSource, Scheduler
from handlers.core.connections import KeepAliveWebClient, SharedClient
from handlers.core.errors import register_error_handler
from handlers.core.http import dispatch_pool
from handlers.core.render import BlockKitRenderer, Template
from handlers.core.slack_api import SlackDirectory, SlackLocales, WebApiTransport, level_set, make_client
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

Hooks = tuple[dict[str, SentHook], dict[str, FailedHook]]


@dataclass(frozen=True)
class Feature:
    """One feature as the composition root wires it: its listeners, its templates, what the outbox runs when
    Slack answers its messages (sent hooks) or refuses them for good (failed hooks), and the domain events
    it reacts to."""

    register: Callable[[App, Services], None]
    templates: Sequence[Template]
    hooks: Callable[[Org, Clock], Hooks] = lambda org, clock: ({}, {})
    subscriptions: Callable[[Org], Subscriptions] = lambda org: {}
    jobs: Callable[[Org, WorkCalendar], Sequence[JobSource[Any]]] = lambda org, calendar: ()


def features(incident_plans_file: Path | None = None) -> tuple[Feature, ...]:
    """Every feature of the app, one entry each: adding a feature is adding its line here.

    `incident_plans_file`: the company's own emergency-plan checklists (None: the shipped set)."""
    checklists = bot.incidents.load_incident_plans(incident_plans_file)
    reporting = bot.incidents.load_reporting_rules(incident_plans_file)
    return (
        Feature(handlers.hazards.register, handlers.hazards.TEMPLATES, lambda org, clock: (bot.hazards.SENT_HOOKS, {}),
                bot.hazards.subscriptions, lambda org, calendar: [bot.hazards.HazardDeadlines(org)]),
        Feature(partial(handlers.incidents.register, checklists=checklists), handlers.incidents.TEMPLATES,
                bot.incidents.incident_hooks, bot.incidents.subscriptions,
                lambda org, calendar: [bot.incidents.AuthorityReportCheck(org, reporting)]),
        Feature(handlers.plans.register, handlers.plans.TEMPLATES,
                jobs=lambda org, calendar: [bot.plans.PlanJobs(org, calendar)]),
    )


def templates(wired: Sequence[Feature] | None = None) -> list[Template]:
    """Every outbox template the sender renders: the scheduler's and each feature's."""
    return [*handlers.scheduling.TEMPLATES, *(template for feature in (wired or features())
                                              for template in feature.templates)]


def job_sources(org: Org, calendar: WorkCalendar, wired: Sequence[Feature] | None = None) -> list[JobSource[Any]]:
    """What the scheduler runs, feature by feature."""
    return [source for feature in (wired or features()) for source in feature.jobs(org, calendar)]


def _hooks(wired: Sequence[Feature], org: Org, clock: Clock) -> Hooks:
    sent: dict[str, SentHook] = {}
    failed: dict[str, FailedHook] = {}
    for feature in wired:
        more_sent, more_failed = feature.hooks(org, clock)
        sent.update(more_sent)
        failed.update(more_failed)
    return sent, failed


@dataclass
class Runtime:
    """A running bot: the Bolt app, its database and its background sender."""

    settings: Settings
    org: Org
    engine: Engine
    bolt: App
    services: Services
    sender: OutboxSender
    scheduler: Scheduler
    client: KeepAliveWebClient
    request_threads: ThreadPoolExecutor = field(default_factory=dispatch_pool)  # Bolt's, behind the front door
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _clock: BackgroundScheduler | None = None

    def asgi(self):  # type: ignore[no-untyped-def]
        from bot.runtime.server import front_door

        return front_door(self)

    def start_background(self, *, schedule: bool = True) -> None:
        """The outbox sender, and the in-process clock that wakes the scheduler's tick.

        APScheduler keeps its jobs in memory on purpose: which reminders are due lives in our own tables,
        so every copy of the bot can run its own clock without sending anything twice.
        """
        self._threads.append(self.sender.start(self.stop))
        warm = threading.Thread(target=self.services.locales.warm, name="locales", daemon=True)
        warm.start()
        if schedule:
            self._clock = BackgroundScheduler(timezone="UTC")
            self._clock.add_job(self._tick, "interval", seconds=self.settings.scheduler_interval_seconds,
                                next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
            self._clock.add_job(self.services.locales.warm, "interval", hours=6)
            self._clock.start()

    def _tick(self) -> None:
        try:
            self.scheduler.tick()
        except Exception:
            log.exception("scheduler: tick failed; the next one retries")

    def close(self) -> None:
        if self._clock is not None:
            self._clock.shutdown(wait=True)
        self.stop.set()
        self.sender.wake()
        self.request_threads.shutdown(wait=True, cancel_futures=True)  # work after an ack finishes first
        for thread in self._threads:
            thread.join(timeout=15)
        self.engine.dispose()
        self.client.connections.close()


def create_app(
    settings: Settings,
    *,
    org: Org | None = None,
    clock: Clock = utcnow,
    migrate: bool = True,
) -> Runtime:
    org = org or load_org(settings.org_file)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = session_factory(engine)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    client = make_client(token=token, base_url=settings.api_url, timeout=settings.slack_timeout_seconds)
    locales = SlackLocales(client, default=org.language)
    sender_ref: list[OutboxSender] = []
    wired = features(settings.incident_plans_file)
    dispatcher = Dispatcher(*(feature.subscriptions(org) for feature in wired))

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, after_commit=lambda: sender_ref[0].wake(), dispatcher=dispatcher)

    services = Services(org=org, uow=uow, locales=locales, directory=SlackDirectory(client),
                        calendar=WorkCalendar.from_org(org), clock=clock)
    sent_hooks, failed_hooks = _hooks(wired, org, clock)
    renderer = BlockKitRenderer(templates(wired))
    sender = OutboxSender(uow_factory=uow, transport=WebApiTransport(client), renderer=renderer,
                          locales=locales, clock=clock, pace=Pace(settings.slack_messages_per_second),
                          sent_hooks=sent_hooks, failed_hooks=failed_hooks,
                          retry=RetryPolicy(give_up_after=timedelta(hours=settings.slack_retry_hours)),
                          notices=FailureNotices(org.safety_department.channel, tuple(org.safety_department.members)))
    sender_ref.append(sender)
    bolt = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
        process_before_response=True,  # listeners ack first; slow work runs in lazy listeners or after ack_then
        listener_executor=ThreadPoolExecutor(max_workers=64, thread_name_prefix="bolt-lazy"),
        token_verification_enabled=False,
        logger=level_set(logging.getLogger("safetybot.bolt")),
    )
    bolt.use(SharedClient(client))  # listeners get this client, whose connections stay open
    register_error_handler(bolt, services.locales)
    for feature in wired:  # Bolt tries listeners in this order: the hazards feature's `/hazard` comes first
        feature.register(bolt, services)
    handlers.core.departments.register(bolt, org)  # the department pickers' type-ahead (over 100 departments)
    scheduler = Scheduler(uow_factory=uow, sources=job_sources(org, services.calendar, wired), clock=clock,
                          tell=org.safety_department.channel)
    return Runtime(settings=settings, org=org, engine=engine, bolt=bolt, services=services, sender=sender,
                   scheduler=scheduler, client=client)
