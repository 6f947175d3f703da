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
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from sqlalchemy import Engine

import handlers.hazards
import handlers.incidents
import handlers.plans
from bot.core.delivery import FailureNotices
from bot.core.org import Org, load_org
from bot.core.outbox import FailedHook, OutboxSender, Pace, RetryPolicy, SentHook
from bot.core.services import Services
from bot.core.workdays import WorkCalendar
from bot.hazards import messages as hazard_messages
from bot.incidents.usecases import incident_hooks, load_incident_plans
from bot.runtime.settings import Settings
from bot.scheduling.scheduler import Scheduler
from handlers.core.background import Background
from handlers.core.errors import register_error_handler
from handlers.core.http import build_asgi
from handlers.core.render import BlockKitRenderer, Template
from handlers.core.slack_api import SlackDirectory, SlackLocales, WebApiTransport, make_client
from storage.db import make_engine, ping, session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

Hooks = tuple[dict[str, SentHook], dict[str, FailedHook]]


@dataclass(frozen=True)
class Feature:
    """One feature as the composition root wires it: its listeners, its templates, and what the outbox
    runs when Slack answers its messages (sent hooks) or refuses them for good (failed hooks)."""

    register: Callable[[App, Services, Background], None]
    templates: Sequence[Template]
    hooks: Callable[[Org, Callable[[], datetime]], Hooks] = lambda org, clock: ({}, {})


FEATURES: tuple[Feature, ...] = (
    Feature(handlers.hazards.register, handlers.hazards.TEMPLATES, lambda org, clock: (hazard_messages.SENT_HOOKS, {})),
    Feature(handlers.incidents.register, handlers.incidents.TEMPLATES, incident_hooks),
    Feature(handlers.plans.register, handlers.plans.TEMPLATES),
)


def _hooks(org: Org, clock: Callable[[], datetime]) -> Hooks:
    sent: dict[str, Any] = {}
    failed: dict[str, Any] = {}
    for feature in FEATURES:
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
    background: Background
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _clock: BackgroundScheduler | None = None

    def asgi(self):  # type: ignore[no-untyped-def]
        return build_asgi(self.bolt, healthy=lambda: ping(self.engine))

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
        self.background.shutdown()
        for thread in self._threads:
            thread.join(timeout=15)
        self.engine.dispose()


def create_app(
    settings: Settings,
    *,
    org: Org | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
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

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, after_commit=lambda: sender_ref[0].wake())

    services = Services(org=org, uow=uow, locales=locales, directory=SlackDirectory(client),
                        calendar=WorkCalendar.from_org(org),
                        incident_plans=load_incident_plans(settings.incident_plans_file), clock=clock)
    sent_hooks, failed_hooks = _hooks(org, clock)
    renderer = BlockKitRenderer(template for feature in FEATURES for template in feature.templates)
    sender = OutboxSender(uow_factory=uow, transport=WebApiTransport(client), renderer=renderer,
                          locales=locales, clock=clock, pace=Pace(settings.slack_messages_per_second),
                          sent_hooks=sent_hooks, failed_hooks=failed_hooks,
                          retry=RetryPolicy(give_up_after=timedelta(hours=settings.slack_retry_hours)),
                          notices=FailureNotices(org.safety_department.channel, tuple(org.safety_department.members)))
    sender_ref.append(sender)
    bolt = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
        process_before_response=True,  # listeners ack first; slow work runs in lazy listeners
        listener_executor=ThreadPoolExecutor(max_workers=64, thread_name_prefix="bolt-lazy"),
        token_verification_enabled=False,
        logger=logging.getLogger("safetybot.bolt"),
    )
    background = Background()
    register_error_handler(bolt, services.locales)
    for feature in FEATURES:
        feature.register(bolt, services, background)
    scheduler = Scheduler(uow_factory=uow, org=org, calendar=services.calendar, clock=clock)
    return Runtime(settings=settings, org=org, engine=engine, bolt=bolt, services=services, sender=sender,
                   scheduler=scheduler, background=background)
