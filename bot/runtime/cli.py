"""`safetybot ...`: serve, socket, demo, init, check-config, migrate, plans import.

Exit codes: 0 done; 2 the configuration needs fixing (each line names what and where); 1 something outside
is not there (the database, Slack, a free port), so the same command may work later.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import threading
from pathlib import Path

from pydantic import ValidationError

from bot.core.org import Org, OrgFileError, load_org
from bot.runtime.checks import check_config, empty_line, incident_plans_problem
from bot.runtime.help_texts import COMMANDS, PLANS_IMPORT, epilog
from bot.runtime.settings import Settings
from bot.runtime.startup import (
    EXIT_CONFIG,
    EXIT_UNAVAILABLE,
    Exit,
    check_slack_at_start,
    open_runtime,
    quiet_logging,
    require_database_url,
    settle_heap,
    summary,
)


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


def _files(settings: Settings) -> Org:
    """The org file and the incident checklists, both read before anything starts."""
    org = _org(settings)
    problem = incident_plans_problem(settings)
    if problem:
        raise Exit(EXIT_CONFIG, problem)
    return org


def _require(settings: Settings, mode: str) -> None:
    """Refuse to start without what the mode needs. An empty signing secret would start a bot that
    answers /healthz and fails every request Slack sends; an empty token, one that sends nothing."""
    empty = settings.empty_for(mode)
    for name in empty:
        print(empty_line(name), file=sys.stderr)
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
    require_database_url(settings)


def cmd_serve(_args: argparse.Namespace) -> int:
    from bot.runtime.server import CannotListen, listen, serve_forever

    settings = _settings()
    _require(settings, "serve")
    org = _files(settings)
    try:
        sock = listen(settings.host, settings.port)
    except CannotListen as exc:
        raise Exit(EXIT_UNAVAILABLE, str(exc)) from None
    try:
        runtime = open_runtime(settings, org)
        try:
            identity = check_slack_at_start(settings, org, "serve")
            runtime.start_background()
            front = runtime.asgi()
            settle_heap()
            print(summary(settings, org, identity=identity, mode="serve"), flush=True)
            serve_forever(front, sock=sock)
        finally:
            runtime.close()
    finally:
        sock.close()
    return 0


def cmd_socket(_args: argparse.Namespace) -> int:
    from slack_sdk.errors import SlackApiError

    from handlers.core.redelivery import OnceSocketModeHandler

    settings = _settings()
    _require(settings, "socket")
    org = _files(settings)
    runtime = open_runtime(settings, org)
    assert settings.slack_app_token is not None
    try:
        identity = check_slack_at_start(settings, org, "socket")
        runtime.start_background()
        handler = OnceSocketModeHandler(runtime.bolt, settings.slack_app_token.get_secret_value())
        try:
            handler.connect()
        except SlackApiError as exc:
            raise Exit(EXIT_CONFIG, f"SLACK_APP_TOKEN: Slack refuses Socket Mode ({exc.response.get('error')}); "
                                    "turn Socket Mode on in the app's settings and create an app-level token "
                                    "with connections:write") from None
        except OSError as exc:
            raise Exit(EXIT_UNAVAILABLE, f"Slack: cannot open the Socket Mode connection ({exc}); check this "
                                         "machine's network and proxy (HTTPS_PROXY)") from None
        settle_heap()
        print(summary(settings, org, identity=identity, mode="socket"), flush=True)
        try:
            threading.Event().wait()  # the handler's own threads serve; this one waits for Ctrl-C
        except KeyboardInterrupt:
            pass
        finally:
            handler.close()
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
    print("Next: put your people's Slack ids into org.yml, create the Slack app from manifest.yml (HTTP mode) or "
          "manifest.socket.yml (Socket Mode), then run "
          "safetybot check-config (README.md, 'Connect a Slack workspace', walks through it).")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from bot.runtime.online import check_database, check_slack

    settings = _settings()
    found = check_config(settings, args.mode)
    for line in [*found.warnings, *found.problems]:
        print(line, file=sys.stderr)
    if args.online:
        told: list[str] = []
        problems: list[str] = []
        if not any(line.startswith("DATABASE_URL") for line in found.problems):
            database = check_database(settings.database_url)
            told += database.told
            problems += database.problems
        if found.org is not None and settings.slack_bot_token and settings.slack_bot_token.get_secret_value():
            slack = check_slack(settings, found.org, mode=args.mode)
            told += slack.told
            problems += slack.problems
        for line in told:
            print(line)
        for line in problems:
            print(line, file=sys.stderr)
        found.problems += problems
    if not found.problems:
        print("configuration OK" + (" (checked online)" if args.online else ""))
    return EXIT_CONFIG if found.problems else 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.runtime.online import database_failure
    from storage.db import make_engine
    from storage.migrate import current_revision, upgrade

    settings = _settings()
    require_database_url(settings)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        print(f"database at revision {current_revision(engine)}")
    except SQLAlchemyError as exc:
        raise Exit(EXIT_UNAVAILABLE, database_failure(exc, settings.database_url)) from None
    finally:
        engine.dispose()
    return 0


def cmd_plans_import(args: argparse.Namespace) -> int:
    """Save the plans of a YAML file (default: the regulation's plans) as the trusted CLI: exit 2 on a bad file."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.plans.importer import PlanFileError, import_plans, load_plans
    from bot.runtime.online import database_failure
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
    require_database_url(settings)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        result = import_plans(plans, uow=lambda: SqlUnitOfWork(sessions), org=org)
    except PlanFileError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    except SQLAlchemyError as exc:
        raise Exit(EXIT_UNAVAILABLE, database_failure(exc, settings.database_url)) from None
    finally:
        engine.dispose()
    print(result.summary())
    return 0


FUNCS = {"serve": cmd_serve, "socket": cmd_socket, "demo": cmd_demo, "init": cmd_init,
         "check-config": cmd_check_config, "migrate": cmd_migrate}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="safetybot", description="Workplace-safety regulation in Slack.",
                                  epilog="safetybot COMMAND --help says what a command does and what it reads.")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    top.set_defaults(func=lambda _args: _list_subcommands(top))
    for name, (help_text, description, names) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=textwrap.fill(description, 100),
                                 epilog=epilog(names), formatter_class=argparse.RawDescriptionHelpFormatter)
        command.set_defaults(func=FUNCS[name])
        if name == "check-config":
            command.add_argument("--mode", choices=("serve", "socket"), default="serve",
                                 help="the mode you will run: which tokens are needed (default: serve)")
            command.add_argument("--online", action="store_true",
                                 help="also check against Slack and the database")
    plans = sub.add_parser("plans", help="recurring plans (drills, checks, training): plans import",
                           description="Recurring plans: drills, inspections, equipment checks, training, meetings.")
    plans_sub = plans.add_subparsers(dest="plans_command", metavar="SUBCOMMAND")
    plans_import = plans_sub.add_parser(
        "import", help="save the plans of a YAML file; by default the regulation's",
        description=textwrap.fill("Checks the whole file against the org file, then saves its plans (matched by "
                                  "key, so importing again updates them). Without FILE: the default set drawn "
                                  "from the regulation.", 100),
        epilog=epilog(PLANS_IMPORT), formatter_class=argparse.RawDescriptionHelpFormatter)
    plans_import.add_argument("file", nargs="?", type=Path, help="plans YAML (default: bot/plans/default_plans.yml)")
    plans_import.set_defaults(func=cmd_plans_import)
    plans.set_defaults(func=lambda _args: _list_subcommands(plans))
    return top


def _list_subcommands(command: argparse.ArgumentParser) -> int:
    """`safetybot` or `safetybot plans` alone: what it can do, not argparse's "the following arguments are
    required"."""
    command.print_help()
    return 0


def main(argv: list[str] | None = None) -> int:
    quiet_logging()
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Exit as stop:
        for line in stop.lines:
            print(line, file=sys.stderr)
        return stop.code


if __name__ == "__main__":
    sys.exit(main())
