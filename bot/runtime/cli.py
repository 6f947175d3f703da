"""`safetybot ...`: serve, socket, demo, init, check-config, migrate, plans import."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.core.org import Org, OrgFileError, load_org
from bot.incidents import load_incident_plans
from bot.runtime.settings import WHERE, Settings

EXIT_CONFIG = 2


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            print(f"{name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _org(settings: Settings) -> Org:
    try:
        return load_org(settings.org_file)
    except OrgFileError as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _require(settings: Settings, mode: str) -> None:
    """Refuse to start without what the mode needs. An empty signing secret would start a bot that
    answers /healthz and fails every request Slack sends; an empty token, one that sends nothing."""
    empty = settings.empty_for(mode)
    for name in empty:
        print(_empty_line(name), file=sys.stderr)
    if empty:
        raise SystemExit(EXIT_CONFIG)
    missing = settings.missing_for(mode)
    if missing:
        print(
            f"safetybot {mode} needs {', '.join(missing)}.\n"
            "Set them in the environment or in a .env file in this directory; README.md, "
            "'Connect a Slack workspace', shows where Slack shows each value.\n"
            "To see the bot work without any Slack workspace, run: safetybot demo",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_CONFIG)


def _empty_line(name: str) -> str:
    return f"{name}: is empty; set it to {WHERE[name]}"


def cmd_serve(_args: argparse.Namespace) -> int:
    from bot.runtime.app import create_app
    from bot.runtime.server import serve_forever

    settings = _settings()
    _require(settings, "serve")
    runtime = create_app(settings, org=_org(settings))
    runtime.start_background()
    try:
        serve_forever(runtime.asgi(), port=settings.port)
    finally:
        runtime.close()
    return 0


def cmd_socket(_args: argparse.Namespace) -> int:
    from bot.runtime.app import create_app
    from handlers.core.redelivery import OnceSocketModeHandler

    settings = _settings()
    _require(settings, "socket")
    runtime = create_app(settings, org=_org(settings))
    runtime.start_background()
    assert settings.slack_app_token is not None
    try:
        OnceSocketModeHandler(runtime.bolt, settings.slack_app_token.get_secret_value()).start()
    finally:
        runtime.close()
    return 0


def cmd_demo(_args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)  # the demo prints what people see, not our logs
    from bot.runtime.demo import run_demo

    return run_demo()


def cmd_init(_args: argparse.Namespace) -> int:
    """Write a commented org.yml and the Slack app manifest here, refusing to overwrite either."""
    from bot.runtime.starter import AlreadyThere, write_starter_files

    try:
        written = write_starter_files(Path.cwd())
    except AlreadyThere as exc:
        print(f"safetybot init: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for path in written:
        print(f"wrote {path.name}")
    print("Next: put your people's Slack ids into org.yml, create the Slack app from manifest.yml, then run "
          "safetybot check-config (README.md, 'Connect a Slack workspace', walks through it).")
    return 0


def check_config(settings: Settings) -> list[str]:
    """Every mistake in the org file and the settings, one line each."""
    problems: list[str] = []
    try:
        load_org(settings.org_file)
    except OrgFileError as exc:
        problems.extend(exc.problems)
    try:
        load_incident_plans(settings.incident_plans_file)
    except ValueError as exc:
        problems.append(f"SAFETYBOT_INCIDENT_PLANS: {exc}")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        value = getattr(settings, name.lower())
        if value is None:
            problems.append(f"{name}: not set (serve and socket need it)")
        elif not value.get_secret_value():
            problems.append(_empty_line(name))
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if token and not token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN: should start with xoxb- (the Bot User OAuth Token)")
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN: should start with xapp- (an app-level token with connections:write)")
    if not settings.database_url.startswith(("sqlite", "postgresql")):
        problems.append(f"DATABASE_URL: use sqlite:///file.db or postgresql+psycopg://…, not {settings.database_url}")
    return problems


def cmd_check_config(_args: argparse.Namespace) -> int:
    problems = check_config(_settings())
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("configuration OK")
    return EXIT_CONFIG if problems else 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from storage.db import make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(_settings().database_url)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    engine.dispose()
    return 0


def cmd_plans_import(args: argparse.Namespace) -> int:
    """Save the plans of a YAML file (default: the regulation's plans) as the trusted CLI: exit 2 on a bad file."""
    from bot.plans.importer import PlanFileError, import_plans, load_plans
    from storage.db import make_engine, session_factory
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    settings = _settings()
    org = _org(settings)
    try:
        plans = load_plans(args.file, org=org)
    except PlanFileError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        result = import_plans(plans, uow=lambda: SqlUnitOfWork(sessions), org=org)
    except PlanFileError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    finally:
        engine.dispose()
    print(result.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="safetybot", description="Workplace-safety regulation in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text in (
        ("serve", cmd_serve, "HTTP mode: POST /slack/events and GET /healthz on PORT"),
        ("socket", cmd_socket, "Socket Mode (needs SLACK_APP_TOKEN)"),
        ("demo", cmd_demo, "play the whole loop against a local fake Slack; needs no workspace"),
        ("init", cmd_init, "write a commented org.yml and manifest.yml here (never overwrites)"),
        ("check-config", cmd_check_config, "validate the org file and settings"),
        ("migrate", cmd_migrate, "upgrade the database schema"),
    ):
        sub.add_parser(name, help=help_text).set_defaults(func=func)
    plans = sub.add_parser("plans", help="recurring plans (drills, checks, training)")
    plans_sub = plans.add_subparsers(dest="plans_command", required=True)
    plans_import = plans_sub.add_parser("import", help="save the plans of a YAML file; by default the regulation's")
    plans_import.add_argument("file", nargs="?", type=Path, help="plans YAML (default: bot/plans/default_plans.yml)")
    plans_import.set_defaults(func=cmd_plans_import)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
