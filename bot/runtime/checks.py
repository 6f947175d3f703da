"""`safetybot check-config` without the network: the org file, the checklists and the settings a mode needs.

Each finding is one line an admin can act on: what is wrong, and where the value comes from. Warnings
(the example's placeholder ids still in the org file) are said but do not fail the check: the bot would
start, and DM nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.config_files import read_config_text
from bot.core.org import Org, OrgFileError, load_org, parse_org
from bot.incidents import load_incident_plans
from bot.runtime.settings import NEEDED, WHERE, Settings
from bot.runtime.templates import ORG, template

MODES = tuple(NEEDED)
OTHER_MODE = {"serve": "socket", "socket": "serve"}
# Which mode needs a variable the other does not, for the hint that the admin may have meant the other mode.
ONLY_FOR = {name: mode for mode, names in NEEDED.items() for name in names
            if name not in NEEDED[OTHER_MODE[mode]]}


@dataclass
class Findings:
    """What a check found: problems fail it (exit 2), warnings are told, `org` is the file when it loaded."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    org: Org | None = None


def check_config(settings: Settings, mode: str = "serve") -> Findings:
    """Every mistake in the org file, the checklists and the settings `mode` needs, one line each."""
    found = Findings()
    try:
        found.org = load_org(settings.org_file)
    except OrgFileError as exc:
        found.problems.extend(exc.problems)
    problem = incident_plans_problem(settings)
    if problem:
        found.problems.append(problem)
    found.problems.extend(setting_problems(settings, mode))
    if found.org is not None:
        found.warnings.extend(placeholder_warnings(found.org, str(settings.org_file)))
    return found


def incident_plans_problem(settings: Settings) -> str | None:
    """The company's own checklists file, if set, read as the bot will read it at start."""
    path = settings.incident_plans_file
    try:
        if path is not None:
            read_config_text(path, setting="SAFETYBOT_INCIDENT_PLANS")  # "not found" in the words of every file
        load_incident_plans(path)
    except ValueError as exc:
        return f"SAFETYBOT_INCIDENT_PLANS: {exc}"
    return None


def setting_problems(settings: Settings, mode: str) -> list[str]:
    """The tokens `mode` needs (set, not empty, the right kind) and a database URL the bot can open."""
    problems: list[str] = []
    for name in NEEDED[mode]:
        value = getattr(settings, name.lower())
        if value is None:
            problems.append(missing_line(name, mode))
        elif not value.get_secret_value():
            problems.append(empty_line(name))
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if token and not token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN: should start with xoxb- (the Bot User OAuth Token)")
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if mode == "socket" and app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN: should start with xapp- (an app-level token with connections:write)")
    database = database_url_problem(settings.database_url)
    if database:
        problems.append(database)
    return problems


def missing_line(name: str, mode: str) -> str:
    line = f"{name}: not set; safetybot {mode} needs it: {WHERE[name]}"
    other = OTHER_MODE[mode]
    if ONLY_FOR.get(name) == mode:  # the admin may be setting up the other mode
        line += f" (for safetybot {other}, check with: safetybot check-config --mode {other})"
    return line


def empty_line(name: str) -> str:
    return f"{name}: is empty; set it to {WHERE[name]}"


def database_url_problem(url: str) -> str | None:
    """A URL SQLAlchemy would take but this installation cannot open, said before anything crashes on it.

    `postgresql://` means psycopg2 to SQLAlchemy, which the bot does not install (it ships psycopg 3):
    `migrate` would die in an import traceback."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"DATABASE_URL: {url!r} is not a database URL; use sqlite:///safetybot.db or postgresql+psycopg://…"
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver != "psycopg":
        fixed = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
        return (f"DATABASE_URL: {parsed.drivername}:// needs a driver safetybot does not install; "
                f"write postgresql+psycopg://… instead ({fixed})")
    if backend not in ("sqlite", "postgresql"):
        return f"DATABASE_URL: use sqlite:///file.db or postgresql+psycopg://…, not {parsed.render_as_string()}"
    return None


def people(org: Org) -> list[tuple[str, str]]:
    """Every person the org file names, once, with where: ("departments[0].head", "U0HEAD1")."""
    named: list[tuple[str, str]] = [(f"safety_department.members[{i}]", u)
                                    for i, u in enumerate(org.safety_department.members)]
    named += [(f"management.members[{i}]", u) for i, u in enumerate(org.management.members)]
    for i, department in enumerate(org.departments):
        named.append((f"departments[{i}].head", department.head))
        if department.deputy:
            named.append((f"departments[{i}].deputy", department.deputy))
        named += [(f"departments[{i}].members[{j}]", u) for j, u in enumerate(department.members)]
    named += [(f"emergency_team[{i}].user", member.user) for i, member in enumerate(org.emergency_team)]
    first: dict[str, str] = {}
    for where, user in named:
        first.setdefault(user, where)  # a safety officer who is also a department member: checked once
    return [(where, user) for user, where in first.items()]


@cache
def _example_ids() -> frozenset[str]:
    example = parse_org(template(ORG), source=ORG)
    return frozenset([example.safety_department.channel, *(user for _, user in people(example))])


def placeholder_warnings(org: Org, source: str) -> list[str]:
    """`safetybot init`'s org.yml works as it is, with people who do not exist: say so before it is used."""
    ids = [org.safety_department.channel, *(user for _, user in people(org))]
    left = [i for i in ids if i in _example_ids()]
    if not left:
        return []
    shown = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
    return [f"{source}: warning: {shown} {'is' if len(left) == 1 else 'are'} the example's placeholder ids; "
            "put in your own people's and channel's Slack ids (a profile's ⋮ menu → Copy member ID; "
            "a channel's details → the id at the bottom)"]
