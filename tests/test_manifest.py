"""`manifest.yml` (HTTP mode) and `manifest.socket.yml` (Socket Mode) against Slack's schema and against
the code: commands, shortcuts, URLs and scopes.

A manifest is what an admin pastes into https://api.slack.com/apps; a command the code handles but
the manifest lacks never reaches the bot, and a scope the manifest lacks fails only in production.
The two manifests are one app: they differ only in the request URLs and the Socket Mode switch.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest
import yaml

from tests.conftest import RunningBot
from tests.helpers import eventually
from tests.slack_payloads import FORM, SlackRequest, new_trigger_id, plain_text, static_select

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "manifest.yml"
SOCKET_MANIFEST = REPO / "manifest.socket.yml"
BOTH = pytest.mark.parametrize("path", [MANIFEST, SOCKET_MANIFEST], ids=["http", "socket"])
SCHEMA = Path(__file__).resolve().parent / "slack" / "manifest.schema.1.0.0.json"

# Which bot scopes each Web API method needs (all of them), from https://api.slack.com/methods/<method>.
# The app calls a method that is missing here: look it up and add it, so the manifest check stays honest.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),  # Bolt's authorization (bot user id) on the first request; no scope required
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),  # "no scope required"
    "users.info": frozenset({"users:read"}),
    "users.list": frozenset({"users:read"}),  # everyone's language, learned at start
    "conversations.create": frozenset({"channels:manage", "groups:write"}),  # an incident's channel
    "conversations.invite": frozenset({"channels:manage", "groups:write"}),
    # types=public_channel,private_channel: the incident channel the bot made, after a lost answer
    "conversations.list": frozenset({"channels:read", "groups:read"}),
    # check-config --online and the start: is the bot in the safety channel (public or private)?
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    "pins.add": frozenset({"pins:write"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),  # the post-incident report
    "files.completeUploadExternal": frozenset({"files:write"}),
    "files.list": frozenset({"files:read"}),  # was an upload whose answer was lost carried out?
    # views.* need no scope of their own, only a trigger_id, which Slack sends with commands and
    # shortcuts (the `commands` scope, checked separately below).
    "views.open": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "conversations.open": frozenset({"im:write"}),
    # The outbox reads back DMs and the safety channel, which may be public or private.
    "conversations.history": frozenset({"channels:history", "groups:history", "im:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history", "im:history"}),
}
NOT_WEB_API = {"response_url"}


def feature_ids(name: str) -> set[str]:
    """Every member of the enum `name` (Command, CallbackId) across the handlers features' ids modules."""
    found: set[str] = set()
    for ids in sorted((REPO / "handlers").glob("*/ids.py")):
        enum = getattr(importlib.import_module(f"handlers.{ids.parent.name}.ids"), name, None)
        if isinstance(enum, type) and issubclass(enum, StrEnum):
            found |= {str(member) for member in enum}
    return found  # FakeSlack's name for posts to a response_url: no token, no scope


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def manifest_slash_commands(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(manifest.get("features", {}).get("slash_commands", []))


def manifest_commands(manifest: Mapping[str, Any]) -> list[str]:
    return [c["command"] for c in manifest_slash_commands(manifest)]


def manifest_shortcuts(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(manifest.get("features", {}).get("shortcuts", []))


def bot_scopes(manifest: Mapping[str, Any]) -> set[str]:
    return set(manifest.get("oauth_config", {}).get("scopes", {}).get("bot", []))


def request_urls(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Every URL Slack sends requests to, by where it is in the manifest."""
    urls: dict[str, str] = {}
    for i, command in enumerate(manifest_slash_commands(manifest)):
        if "url" in command:
            urls[f"features.slash_commands[{i}].url"] = command["url"]
    settings = manifest.get("settings", {})
    for section, key in (("interactivity", "request_url"), ("interactivity", "message_menu_options_url"),
                         ("event_subscriptions", "request_url")):
        if key in settings.get(section, {}):
            urls[f"settings.{section}.{key}"] = settings[section][key]
    return urls


def scope_problems(methods: Iterable[str], scopes: set[str]) -> list[str]:
    problems = []
    for method in sorted(set(methods) - NOT_WEB_API):
        if method not in METHOD_SCOPES:
            problems.append(f"the app called {method}, which METHOD_SCOPES in tests/test_manifest.py does not "
                            f"know: look up its scopes at https://api.slack.com/methods/{method} and add it")
            continue
        missing = METHOD_SCOPES[method] - scopes
        if missing:
            problems.append(f"the app called {method}, which needs {', '.join(sorted(missing))}: "
                            "add it to oauth_config.scopes.bot in manifest.yml")
    return problems


def global_shortcut(*, user_id: str, callback_id: str) -> SlackRequest:
    payload = {
        "type": "shortcut", "token": "verification-token", "action_ts": "1700000000.000001",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
        "is_enterprise_install": False, "enterprise": None,
        "callback_id": callback_id, "trigger_id": new_trigger_id(),
    }
    return SlackRequest(urlencode({"payload": json.dumps(payload)}).encode("ascii"), FORM)


def send_shortcut(bot: RunningBot, shortcut: Mapping[str, Any], *, user_id: str = "U0EMP1") -> int:
    if shortcut["type"] == "global":
        return bot.slack.send(global_shortcut(user_id=user_id, callback_id=shortcut["callback_id"])).status_code
    return bot.slack.shortcut(user_id=user_id, callback_id=shortcut["callback_id"], channel_id="C0GENERAL",
                              message_ts="1700000000.000100", message_text="boxes in the fire exit").status_code


# ---------------------------------------------------------------------- (a) schema


@BOTH
def test_manifest_validates_against_slacks_json_schema(path: Path) -> None:
    if not SCHEMA.is_file():
        pytest.fail(f"Slack's manifest schema is missing: expected it at {SCHEMA} "
                    "(the shared checkout next to this repository, shared/slack/manifest.schema.1.0.0.json)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(load_manifest(path)), key=lambda e: list(e.absolute_path))
    assert not errors, f"{path.name} does not match Slack's schema:\n" + "\n".join(
        f"  {e.json_path}: {e.message}" for e in errors)


def test_the_schema_check_rejects_a_broken_manifest() -> None:
    if not SCHEMA.is_file():
        pytest.fail(f"Slack's manifest schema is missing: expected it at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = load_manifest()
    broken["features"]["slash_commands"][0]["command"] = "hazard"  # no leading slash
    broken["display_information"]["colour"] = "#000000"  # unknown key
    validator = jsonschema.validators.validator_for(schema)(schema)
    paths = {e.json_path for e in validator.iter_errors(broken)}
    assert "$.features.slash_commands[0].command" in paths
    assert "$.display_information" in paths


# ---------------------------------------------------------------------- (b) commands and shortcuts


@BOTH
def test_manifest_slash_commands_are_exactly_the_commands_the_code_handles(path: Path) -> None:
    assert set(manifest_commands(load_manifest(path))) == feature_ids("Command")


@BOTH
def test_every_manifest_shortcut_has_a_callback_id_the_code_defines(path: Path) -> None:
    shortcuts = manifest_shortcuts(load_manifest(path))
    assert shortcuts and {s["callback_id"] for s in shortcuts} <= feature_ids("CallbackId")


@BOTH
def test_manifest_declares_each_slash_command_once(path: Path) -> None:
    commands = manifest_commands(load_manifest(path))
    assert len(commands) == len(set(commands)), commands


def test_every_manifest_command_and_shortcut_reaches_a_listener(bot: RunningBot) -> None:
    manifest = load_manifest()
    commands, shortcuts = manifest_commands(manifest), manifest_shortcuts(manifest)
    assert commands and shortcuts, "nothing to check: the manifest declares no commands or shortcuts"

    answers = {command: bot.slack.command(command, "", user_id="U0EMP1").status_code for command in commands}
    answers |= {f"shortcut {s['callback_id']} ({s['type']})": send_shortcut(bot, s) for s in shortcuts}
    assert answers == dict.fromkeys(answers, 200)

    # Every entry point the manifest declares answers the person: a modal, or (/safety with no words)
    # its help. Waiting for that also lets the lazy listeners finish before the bot stops.
    eventually(lambda: len(bot.fake.calls_to("views.open")) + len(bot.fake.calls_to("response_url"))
               >= len(answers), what="an answer to every manifest entry point")


def test_bolt_answers_404_to_a_command_or_shortcut_nobody_listens_to(bot: RunningBot) -> None:
    # Without this, a 200 above would prove nothing.
    assert bot.slack.command("/no-such-command", "", user_id="U0EMP1").status_code == 404
    assert send_shortcut(bot, {"type": "message", "callback_id": "no_such_shortcut"}) == 404
    assert send_shortcut(bot, {"type": "global", "callback_id": "no_such_shortcut"}) == 404


# ---------------------------------------------------------------------- (c) request URLs


def test_every_request_url_in_the_manifest_points_at_slack_events() -> None:
    urls = request_urls(load_manifest())
    assert "settings.interactivity.request_url" in urls
    assert any(place.startswith("features.slash_commands") for place in urls)
    wrong = {place: url for place, url in urls.items()
             if not (url.startswith("https://") and url.endswith("/slack/events"))}
    assert not wrong, f"these must be https://<your host>/slack/events (the bot's only endpoint): {wrong}"


def test_the_socket_mode_manifest_is_the_http_one_without_urls_and_with_socket_mode_on() -> None:
    http, socket = load_manifest(MANIFEST), load_manifest(SOCKET_MANIFEST)
    assert request_urls(socket) == {}
    assert socket["settings"]["socket_mode_enabled"] is True and http["settings"]["socket_mode_enabled"] is False
    assert socket["settings"]["interactivity"]["is_enabled"] is True  # buttons and modals still reach the bot
    for command in manifest_slash_commands(http):
        command.pop("url")
    http["settings"]["interactivity"].pop("request_url")
    http["settings"]["interactivity"].pop("message_menu_options_url")
    http["settings"]["socket_mode_enabled"] = True
    assert socket == http, "manifest.socket.yml has drifted from manifest.yml: change both alike"


# ---------------------------------------------------------------------- (c2) names people read


CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


@BOTH
def test_shortcut_names_and_command_descriptions_read_in_chinese_and_in_english(path: Path) -> None:
    """Slack shows a manifest's names as written, whatever the person's language: give both."""
    manifest = load_manifest(path)
    texts = [s["name"] for s in manifest_shortcuts(manifest)] + [s["description"] for s in manifest_shortcuts(manifest)]
    texts += [c["description"] for c in manifest_slash_commands(manifest)]
    assert [text for text in texts if not (CJK.search(text) and LATIN.search(text))] == []


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_hazard_help_quotes_the_shortcut_by_the_name_slack_shows(locale: str) -> None:
    from bot.core.i18n import t

    [shortcut] = [s for s in manifest_shortcuts(load_manifest()) if s["callback_id"] == "report_hazard"]
    assert shortcut["name"] in t("help.hazard", locale)


def test_the_type_ahead_department_pickers_have_an_options_load_url() -> None:
    # Over 100 departments the pickers are external selects: Slack asks this URL for their options.
    for manifest in (load_manifest(), yaml.safe_load((REPO / "bot/runtime/templates/manifest.yml").read_text())):
        assert "settings.interactivity.message_menu_options_url" in request_urls(manifest)


# ---------------------------------------------------------------------- (d) scopes


def test_commands_and_shortcuts_come_with_the_commands_scope() -> None:
    manifest = load_manifest()
    assert manifest_commands(manifest) or manifest_shortcuts(manifest)
    assert "commands" in bot_scopes(manifest)


def test_the_scope_check_flags_unknown_methods_and_missing_scopes() -> None:
    problems = scope_problems(["chat.postMessage", "users.info", "reactions.add", "response_url"],
                              {"chat:write"})
    assert len(problems) == 2
    assert "reactions.add" in problems[0] and "add it" in problems[0] and "METHOD_SCOPES" in problems[0]
    assert "users.info" in problems[1] and "users:read" in problems[1]
    assert scope_problems(["chat.postMessage", "views.open", "response_url"], {"chat:write"}) == []


def test_every_web_api_method_of_a_hazard_report_is_covered_by_a_bot_scope(bot: RunningBot) -> None:
    assert bot.slack.command("/hazard", "boxes in the fire exit", user_id="U0EMP1").status_code == 200
    view = bot.fake.wait_for("views.open")[0].params["view"]
    report(bot, view, user_id="U0EMP1")
    bot.fake.wait_for("chat.postMessage", count=4)

    methods = {call.method for call in bot.fake.calls}
    assert {"views.open", "chat.postMessage"} <= methods and methods & {"users.info", "users.list"}
    assert scope_problems(methods, bot_scopes(load_manifest())) == []


def test_the_shortcut_and_the_lost_answer_look_up_are_covered_by_bot_scopes(bot: RunningBot) -> None:
    # Two posts fail with HTTP 500, so the outbox must find out whether Slack stored them before it
    # posts again: it reads back the safety channel and opens and reads the head's DM.
    bot.fake.fail("chat.postMessage", status=500, times=2)
    assert send_shortcut(bot, {"type": "message", "callback_id": "report_hazard"}) == 200
    view = bot.fake.wait_for("views.open")[0].params["view"]
    report(bot, view, user_id="U0EMP1")
    bot.fake.wait_for("chat.postMessage", count=6)
    assert len(bot.fake.delivered("chat.postMessage")) == 4

    methods = {call.method for call in bot.fake.calls}
    assert {"chat.getPermalink", "conversations.open", "conversations.history"} <= methods
    assert scope_problems(methods, bot_scopes(load_manifest())) == []


def report(bot: RunningBot, view: dict[str, Any], *, user_id: str) -> None:
    values = {
        "hz_category": {"category": static_select("fire")},
        "hz_location": {"location": plain_text("3F east fire exit")},
        "hz_description": {"description": plain_text("Boxes block the fire exit")},
        "hz_department": {"department": static_select("cs1")},
    }
    answer = bot.slack.submit_view(user_id=user_id, callback_id=view["callback_id"], values=values,
                                   private_metadata=view["private_metadata"])
    assert answer.status_code == 200
    assert answer.json()["response_action"] == "update"


def test_finding_an_incident_channel_again_is_covered_by_bot_scopes(bot: RunningBot) -> None:
    """A lost answer to conversations.create: the retry meets name_taken and the bot lists its channels."""
    from tests.e2e.test_incidents import click, report, settled

    ref = str(report(bot, kind="data_leak", injured="0")).split("*")[1]
    settled(bot)
    bot.fake.timeout("conversations.create", seconds=1.5, processed=True)
    click(bot, "U0SAFE1", "inc_start", ref)
    settled(bot)
    methods = {call.method for call in bot.fake.calls if call.method != "response_url"}
    assert "conversations.list" in methods
    assert scope_problems(methods, bot_scopes(load_manifest())) == []
