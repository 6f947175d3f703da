"""What `serve` and `socket` do before they take a request, and what they print while they run.

An admin's first start should end in one of two ways: one line saying what is running where, or a few lines
each naming what to fix. Never a traceback for a database that refused the connection or a Slack that does
not answer, and no log line per scheduler tick (APScheduler's two INFO lines every 30 s are 5,800 a day).
"""

from __future__ import annotations

import gc
import logging
import sys
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.core.org import Org
from bot.runtime.checks import database_url_problem, people
from bot.runtime.settings import Settings

if TYPE_CHECKING:
    from bot.runtime.app import Runtime

EXIT_CONFIG = 2  # the configuration needs fixing
EXIT_UNAVAILABLE = 1  # something outside is not there (database, Slack, the port); a restart may do

# Libraries that speak at INFO about things an admin never acts on.
QUIET = ("httpx", "alembic.runtime.plugins", "apscheduler", "slack_bolt.App", "slack_sdk.socket_mode")


class Exit(Exception):
    """Stop the command: print `lines` to stderr and exit with `code`."""

    def __init__(self, code: int, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.code = code
        self.lines = lines


# Said at every start, acted on never: Alembic's two lines before it knows there is nothing to upgrade, and
# Bolt's warning that SLACK_BOT_TOKEN (which it reads from the environment itself) goes unused beside our client.
DROPPED = ("Context impl ", "Will assume ", "As you gave `client` as well, `token` will be unused")


def _worth_saying(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(DROPPED)


def quiet_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("alembic.runtime.migration", "safetybot.bolt"):
        logging.getLogger(name).addFilter(_worth_saying)


def require_database_url(settings: Settings) -> None:
    problem = database_url_problem(settings.database_url)
    if problem:
        raise Exit(EXIT_CONFIG, problem)


def open_runtime(settings: Settings, org: Org) -> Runtime:
    """The app with its database migrated; a database that cannot be used is one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.runtime.app import create_app
    from bot.runtime.online import database_failure

    try:
        return create_app(settings, org=org)
    except SQLAlchemyError as exc:
        raise Exit(EXIT_UNAVAILABLE, database_failure(exc, settings.database_url)) from None


def check_slack_at_start(settings: Settings, org: Org, mode: str) -> str:
    """The online checks before the first request: a refused token or no Slack stops the start; a missing
    invitation or a departed person is a warning (the bot still serves everyone else). Returns who we are."""
    from bot.runtime.online import check_slack

    found = check_slack(settings, org, mode=mode)
    if found.fatal:
        raise Exit(EXIT_UNAVAILABLE if found.unreachable else EXIT_CONFIG, *found.problems)
    for line in found.problems:
        print(f"warning: {line}", file=sys.stderr, flush=True)
    return found.told[0].removeprefix("Slack: ") if found.told else "connected"


def summary(settings: Settings, org: Org, *, identity: str, mode: str) -> str:
    """One line: who, which org, which channel, which database, how Slack reaches us."""
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    departments = len(org.departments)
    return (f"safetybot {mode} is running: {identity}; org file {settings.org_file}: {departments} "
            f"department{'s' if departments != 1 else ''}, {len(people(org))} people, safety channel "
            f"{org.safety_department.channel}; database {database}; {mode_text(settings, mode)}")


def mode_text(settings: Settings, mode: str) -> str:
    if mode == "serve":
        return f"HTTP on {settings.host}:{settings.port} (POST /slack/events, GET /readyz, GET /healthz)"
    return "Socket Mode (outgoing WebSocket to Slack)"


# Allocations between two young-generation collections (CPython's default is 700). A `/hazard` allocates a
# few thousand objects, almost all freed by reference counting, so at 700 one command in eight paid for a
# collection on its way to its modal; at this threshold one in a hundred does, and a collection's cost
# follows what is alive, not the threshold.
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_heap() -> None:
    """Once everything is loaded and built, before the first request: set the start-up objects (modules,
    translations, the org, SQLAlchemy's and Bolt's tables, some 130,000 of them) aside from the cyclic
    garbage collector with `gc.freeze()`, so that no full collection walks them again; such a pass took 35–50 ms
    with the interpreter held, a stall for every request in flight."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)
