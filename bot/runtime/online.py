"""`safetybot check-config --online`, and `serve`/`socket` at start: does the configuration work with *this*
Slack workspace and *this* database?

An offline check cannot see that the bot was never invited to the safety channel (every case post is then
refused while the reporter is told the safety department knows), that a person in the org file left the
company, or that the token belongs to another workspace. Each finding is one line naming its fix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.core.org import Org
from bot.runtime.checks import people
from bot.runtime.settings import Settings
from handlers.core.slack_api import make_client
from storage.db import make_engine, probe, sqlite_path

# Answers that mean the token itself is refused: nothing else can be checked with it.
REFUSED_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                           "not_allowed_token_type", "invalid_token"})
USERS_PAGE = 200
RATE_LIMIT_TRIES = 5
MAX_WAIT_SECONDS = 30.0


class SlackUnreachable(Exception):
    """No answer from Slack at all (DNS, refused, timeout, a 5xx): the network, not the configuration."""


@dataclass
class Online:
    """What the online checks found. `fatal`: the bot cannot run at all (a refused token, no Slack)."""

    told: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fatal: bool = False
    unreachable: bool = False  # fatal because nothing answered, not because of what was configured

    def refuse(self, line: str) -> Online:
        self.problems.append(line)
        self.fatal = True
        return self


def bot_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    return make_client(token=token, base_url=settings.api_url, timeout=settings.slack_timeout_seconds)


def check_slack(settings: Settings, org: Org, *, mode: str = "serve") -> Online:
    """auth.test, the app-level token (Socket Mode), the safety channel's membership, every person's account."""
    client = bot_client(settings)
    found = Online()
    try:
        identity = _call(client, "auth.test")
        if not identity.get("ok"):
            return found.refuse(_token_line("SLACK_BOT_TOKEN", str(identity.get("error")),
                                            "copy the Bot User OAuth Token (xoxb-…, OAuth & Permissions) again, "
                                            "or reinstall the app to the workspace"))
        bot = str(identity.get("user") or "safetybot")
        found.told.append(f"Slack: connected as @{bot} to workspace {identity.get('team') or identity.get('team_id')}")
        if mode == "socket" and settings.slack_app_token is not None:
            app_client = make_client(token=settings.slack_app_token.get_secret_value(), base_url=settings.api_url,
                                     timeout=settings.slack_timeout_seconds)
            app = _call(app_client, "apps.connections.open")
            if not app.get("ok"):
                return found.refuse(_token_line("SLACK_APP_TOKEN", str(app.get("error")),
                                                "create an app-level token with connections:write under Basic "
                                                "Information → App-Level Tokens, and turn Socket Mode on"))
        source = str(settings.org_file)
        channel = _channel_problems(client, org.safety_department.channel, bot)
        found.problems.extend(f"{source}: {line}" for line in [*channel, *_people_problems(client, org)])
    except SlackUnreachable as exc:
        found.unreachable = True
        return found.refuse(f"Slack: cannot reach {settings.api_url} ({exc}); check this machine's network "
                            "and proxy (HTTPS_PROXY), or SLACK_API_URL")
    return found


def _token_line(name: str, error: str, fix: str) -> str:
    if error in REFUSED_TOKEN:
        return f"{name}: Slack refuses it ({error}); {fix}"
    return f"{name}: Slack answered {error}; {fix}"


def _call(client: WebClient, method: str, **params: Any) -> dict[str, Any]:
    """One Web API call as a plain answer: ok:false comes back as data, no answer at all raises. A 429 (a
    big company's users.list pages) waits as Slack asks, a few times, before it counts as no answer."""
    for _ in range(RATE_LIMIT_TRIES):
        try:
            response = client.api_call(method, params=params or None)
            return dict(response.data) if isinstance(response.data, dict) else {"ok": False, "error": "bad_answer"}
        except SlackApiError as exc:
            status = exc.response.status_code
            if status == 429:
                time.sleep(min(float(exc.response.headers.get("Retry-After", 1)), MAX_WAIT_SECONDS))
                continue
            data = exc.response.data
            if status != 200 or not isinstance(data, dict):  # Slack answers 200 to all but 429 and its own 5xx
                raise SlackUnreachable(f"HTTP {status}") from None
            return dict(data)
        except OSError as exc:  # URLError, timeouts, refused connections
            raise SlackUnreachable(_os_reason(exc)) from None
    raise SlackUnreachable(f"{method} rate-limited {RATE_LIMIT_TRIES} times in a row")


def _os_reason(exc: OSError) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _channel_problems(client: WebClient, channel: str, bot: str) -> Iterator[str]:
    answer = _call(client, "conversations.info", channel=channel)
    where = f"safety_department.channel {channel}"
    invite = f"invite it: /invite @{bot}"
    if not answer.get("ok"):
        error = str(answer.get("error"))
        if error == "not_in_channel":
            yield (f"{where}: the bot is not in the safety channel, so every case post there is lost; "
                   f"{invite} in that channel")
        elif error == "channel_not_found":
            yield (f"{where}: Slack finds no such channel (channel_not_found); copy the id from the channel's "
                   f"details (the id at the bottom); for a private channel, {invite} in it first")
        elif error == "missing_scope":
            yield (f"{where}: the app may not read channels (missing_scope); update the app's manifest from "
                   "manifest.yml and reinstall it")
        else:
            yield f"{where}: Slack answered {error}"
        return
    info = answer.get("channel") or {}
    name = f"#{info['name']}" if info.get("name") else channel
    if info.get("is_archived"):
        yield f"{where}: {name} is archived; unarchive it or name another channel"
    elif info.get("is_member") is False:
        yield (f"{where}: the bot is not in {name}, so every case post there is lost; "
               f"{invite} in {name}")


def _people_problems(client: WebClient, org: Org) -> Iterator[str]:
    """Everyone in the org file has an active account. One users.list walk (a few calls for a whole company)
    and users.info only for those it did not list, whose answer names the reason."""
    listed: dict[str, dict[str, Any]] = {}
    cursor = ""
    while True:
        page = _call(client, "users.list", limit=USERS_PAGE, **({"cursor": cursor} if cursor else {}))
        if not page.get("ok"):
            break  # users.info below says, person by person, what is wrong
        listed |= {str(member.get("id")): member for member in page.get("members") or []}
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    for where, user in people(org):
        member = listed.get(user)
        if member is None:
            answer = _call(client, "users.info", user=user)
            if not answer.get("ok"):
                error = str(answer.get("error"))
                if error == "user_not_found":
                    yield (f"{where}: {user} is nobody in this workspace (user_not_found); copy the member id "
                           "from their profile (⋮ → Copy member ID)")
                else:
                    yield f"{where}: {user}: Slack answered {error}"
                continue
            member = answer.get("user") or {}
        if member.get("deleted"):
            shown = member.get("real_name") or member.get("name") or user
            yield f"{where}: {user} ({shown}) is deactivated in Slack; put who now holds that role in the org file"


def check_database(url: str) -> Online:
    """The database takes a write, as saving a report would; a fresh one can at least be created."""
    found = Online()
    if url.startswith("sqlite"):
        path = sqlite_path(make_url(url))
        if path is not None and not path.exists():
            if path.parent.is_dir():
                found.told.append(f"database: {path} does not exist yet; serve, socket or migrate creates it")
                return found
            return found.refuse(f"DATABASE_URL: the directory {path.parent} does not exist; create it or "
                                "correct DATABASE_URL")
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
        health = probe(engine)
        if health.writable:
            found.told.append(f"database: takes writes (schema revision {health.revision})")
        elif health.reason == "not-migrated":
            _write_and_roll_back(engine)
            found.told.append("database: takes writes; its schema is created by serve, socket or migrate")
        else:
            found.refuse(f"DATABASE_URL: the database does not take writes ({health.reason}); "
                         "the bot could not keep a single report")
    except SQLAlchemyError as exc:
        found.unreachable = True
        found.refuse(database_failure(exc, url))
    finally:
        engine.dispose()
    return found


def _write_and_roll_back(engine: Engine) -> None:
    """Both SQLite and PostgreSQL roll DDL back, so this writes and leaves nothing behind."""
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("CREATE TABLE safetybot_write_check (x INTEGER)"))
        transaction.rollback()


def database_failure(exc: BaseException, url: str) -> str:
    """One line for a database that cannot be used: its safe address, the driver's first line, the fix."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    shown = make_url(url).render_as_string(hide_password=True)
    fix = ("check that the file's directory exists and is writable" if url.startswith("sqlite")
           else "start the database server, or correct DATABASE_URL")
    return f"DATABASE_URL: cannot use the database at {shown}: {first}; {fix}"
