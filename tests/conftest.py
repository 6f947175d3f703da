"""Fixtures: databases (SQLite and a real PostgreSQL), the fake Slack Web API, and a running bot.

PostgreSQL: `TEST_DATABASE_URL` (default: the server these machines run). Each test gets its own
schema, so parallel runs and other projects never collide. Without a server the PostgreSQL variants
skip, with the reason, unless `SAFETYBOT_REQUIRE_POSTGRES=1` (set by `.ci/run`) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.core.org import Org, parse_org
from bot.runtime.app import Runtime, create_app
from bot.runtime.server import BackgroundServer
from bot.runtime.settings import Settings
from storage.db import make_engine
from storage.migrate import upgrade
from tests.fakeslack import FakeSlack, validate_block_kit
from tests.slack_payloads import SlackSender

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("SAFETYBOT_REQUIRE_POSTGRES") == "1"
RUN_ID = uuid.uuid4().hex[:8]
SIGNING_SECRET = "test-signing-secret"

ORG_YAML = """
timezone: Asia/Shanghai
language: zh-CN
safety_department:
  channel: C0SAFETY
  members: [U0SAFE1, U0SAFE2]
management:
  members: [U0BOSS]
departments:
  - key: cs1
    name: Customer Service 1
    head: U0HEAD1
    deputy: U0DEP1
    members: [U0EMP1, U0EMP2]
  - key: cs2
    name: 客服二部
    head: U0HEAD2
    members: [U0EMP3]
"""

USERS = {  # user id -> Slack locale
    "U0SAFE1": "zh-CN", "U0SAFE2": "en-US", "U0BOSS": "zh-CN", "U0HEAD1": "en-US", "U0DEP1": "zh-CN",
    "U0EMP1": "zh-CN", "U0EMP2": "en-GB", "U0HEAD2": "zh-CN", "U0EMP3": "zh-CN", "U0GUEST": "en-US",
}


@pytest.fixture
def org() -> Org:
    return parse_org(ORG_YAML)


_pg_problem: str | None = None


def _postgres_problem() -> str | None:
    global _pg_problem
    if _pg_problem is None:
        try:
            engine = create_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem = ""
        except Exception as exc:
            _pg_problem = f"no PostgreSQL at TEST_DATABASE_URL={PG_URL}: {type(exc).__name__}: {exc}"
    return _pg_problem or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real server, dropped afterwards."""
    problem = _postgres_problem()
    if problem:
        if REQUIRE_PG:
            pytest.fail(problem + " (SAFETYBOT_REQUIRE_POSTGRES=1 makes this a failure)")
        pytest.skip(problem)
    schema = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'safetybot.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A database at the schema's head, on each of the databases."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        for user, locale in USERS.items():
            fake.add_user(user, name=user.lower(), locale=locale)
        yield fake
        validate_block_kit(fake)


def make_settings(fake: FakeSlack, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url, "database_url": database_url, "slack_timeout_seconds": 1.0,
    } | overrides
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningBot:
    runtime: Runtime
    server: BackgroundServer
    slack: SlackSender
    fake: FakeSlack

    def stop(self) -> None:
        self.slack.close()
        self.server.stop()
        self.runtime.close()


def start_bot(fake: FakeSlack, database_url: str, org: Org, *, background: bool = True,
              **overrides: object) -> RunningBot:
    runtime = create_app(make_settings(fake, database_url, **overrides), org=org)
    if background:
        runtime.sender.retry.base_seconds = 0.05  # keep retries quick in tests
        runtime.start_background(schedule=False)  # tests call scheduler.tick() with their own clock
    server = BackgroundServer(runtime.asgi()).start()
    sender = SlackSender(server.url, SIGNING_SECRET, response_url_base=fake.response_url_base)
    return RunningBot(runtime, server, sender, fake)


@pytest.fixture
def bot(fake_slack: FakeSlack, database_url: str, org: Org) -> Iterator[RunningBot]:
    running = start_bot(fake_slack, database_url, org)
    yield running
    running.stop()
