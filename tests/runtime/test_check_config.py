"""`safetybot check-config`: each case with the line an admin reads; `--online` against the fake Slack.

Run in this process (the command's `main`, a clean environment, its own directory): a subprocess per case
would cost a second each for imports alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.cli import main
from bot.runtime.fakeslack import FakeSlack
from bot.runtime.help_texts import COMMANDS
from bot.runtime.settings import MEANING
from tests.conftest import ORG_YAML

REPO = Path(__file__).resolve().parents[2]
BOT, SECRET, APP = "xoxb-123-456-abc", "0123456789abcdef", "xapp-1-A0001-abc"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An admin's directory with a valid org file, and no setting from this process's environment."""
    for name in MEANING:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    yield tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["check-config", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


# ---------------------------------------------------------------------- modes


def test_socket_mode_needs_the_app_token_and_not_the_signing_secret(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT)
    assert run(capsys, "--mode", "socket") == (2, [], [
        "SLACK_APP_TOKEN: not set; safetybot socket needs it: an app-level token, xapp-..., under Basic "
        "Information, App-Level Tokens (for safetybot serve, check with: safetybot check-config --mode serve)"])
    set_env(monkeypatch, SLACK_APP_TOKEN=APP)
    assert run(capsys, "--mode", "socket") == (0, ["configuration OK"], [])


def test_serve_mode_names_the_signing_secret_and_the_socket_mode_check(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_APP_TOKEN=APP)
    assert run(capsys) == (2, [], [
        "SLACK_SIGNING_SECRET: not set; safetybot serve needs it: the Signing Secret under Basic Information, "
        "App Credentials (for safetybot socket, check with: safetybot check-config --mode socket)"])


@pytest.mark.parametrize("url", ["postgresql://bot:pw@db/safety", "postgres://bot:pw@db/safety",
                                 "postgresql+psycopg2://bot:pw@db/safety"])
def test_a_postgresql_url_without_the_installed_driver_says_what_to_write(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str) -> None:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, DATABASE_URL=url)
    code, out, err = run(capsys)
    driver = url.split("://")[0]
    assert (code, out, err) == (2, [], [
        f"DATABASE_URL: {driver}:// needs a driver safetybot does not install; write postgresql+psycopg://… "
        "instead (postgresql+psycopg://bot:***@db/safety)"])


def test_migrate_with_a_postgresql_url_without_driver_is_one_line_not_a_traceback(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, DATABASE_URL="postgresql://bot@127.0.0.1:1/safety")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "DATABASE_URL: postgresql:// needs a driver safetybot does not install; write postgresql+psycopg://… "
        "instead (postgresql+psycopg://bot@127.0.0.1:1/safety)"]


def test_the_examples_placeholder_ids_are_a_warning(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "org.yml").write_text((REPO / "org.example.yml").read_text(encoding="utf-8"), encoding="utf-8")
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET)
    assert run(capsys) == (0, ["configuration OK"], [
        "org.yml: warning: C0123SAFETY, U01SAFE1, U01BOSS and 8 more are the example's placeholder ids; put in "
        "your own people's and channel's Slack ids (a profile's ⋮ menu → Copy member ID; a channel's details → "
        "the id at the bottom)"])


def test_a_missing_checklists_file_is_named_like_every_file_and_stops_serve_before_it_starts(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SAFETYBOT_INCIDENT_PLANS="plans.yml")
    line = (f"SAFETYBOT_INCIDENT_PLANS: plans.yml: file not found (looked for {here / 'plans.yml'}, working "
            f"directory {here}); set SAFETYBOT_INCIDENT_PLANS to the file's path")
    assert run(capsys) == (2, [], [line])
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.splitlines() == [line]
    assert not (here / "bot.db").exists()


# ---------------------------------------------------------------------- --online


@pytest.fixture
def online(here: Path, monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack) -> FakeSlack:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_slack.api_url,
            SLACK_TIMEOUT_SECONDS="2")
    fake_slack.name_channel("C0SAFETY", "safety")
    return fake_slack


def test_online_says_who_the_bot_is_in_which_workspace_and_that_the_database_takes_writes(
        online: FakeSlack, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--online") == (0, [
        f"database: {here / 'bot.db'} does not exist yet; serve, socket or migrate creates it",
        "Slack: connected as @safetybot to workspace Example",
        "configuration OK (checked online)"], [])
    assert main(["migrate"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--online")
    assert code == 0 and out[0].startswith("database: takes writes (schema revision ")
    assert {"auth.test", "conversations.info", "users.list"} <= {call.method for call in online.calls}


def test_online_waits_as_slack_asks_when_rate_limited(online: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    online.rate_limit("users.list", retry_after=0, times=2)
    code, out, _ = run(capsys, "--online")
    assert (code, out[-1]) == (0, "configuration OK (checked online)")
    assert len(online.calls_to("users.list")) == 3


def test_online_a_bot_not_in_the_safety_channel_is_named_with_the_invitation(
        online: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    online.leave_channel("C0SAFETY")
    code, _, err = run(capsys, "--online")
    assert (code, err) == (2, [
        "org.yml: safety_department.channel C0SAFETY: the bot is not in #safety, so every case post there is "
        "lost; invite it: /invite @safetybot in #safety"])


def test_online_not_in_channel_from_slack_is_named_the_same_way(
        online: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    online.error("conversations.info", "not_in_channel")
    code, _, err = run(capsys, "--online")
    assert (code, err) == (2, [
        "org.yml: safety_department.channel C0SAFETY: the bot is not in the safety channel, so every case post "
        "there is lost; invite it: /invite @safetybot in that channel"])


def test_online_every_person_not_found_or_deactivated_is_named_with_where_they_are(
        online: FakeSlack, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = ORG_YAML.replace("members: [U0EMP3]", "members: [U0EMP3, U0GONE]")
    (here / "org.yml").write_text(org, encoding="utf-8")
    online.add_user("U0EMP3", name="li.left", deleted=True)
    code, _, err = run(capsys, "--online")
    assert (code, err) == (2, [
        "org.yml: departments[1].members[0]: U0EMP3 (li.left) is deactivated in Slack; put who now holds that "
        "role in the org file",
        "org.yml: departments[1].members[1]: U0GONE is nobody in this workspace (user_not_found); copy the member "
        "id from their profile (⋮ → Copy member ID)"])
    assert [call.params["user"] for call in online.calls_to("users.info")] == ["U0GONE"]  # the rest: users.list


def test_online_a_refused_token_is_one_line_and_nothing_else_is_asked(
        online: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    online.error("auth.test", "invalid_auth")
    code, _, err = run(capsys, "--online")
    assert (code, err) == (2, [
        "SLACK_BOT_TOKEN: Slack refuses it (invalid_auth); copy the Bot User OAuth Token (xoxb-…, OAuth & "
        "Permissions) again, or reinstall the app to the workspace"])
    assert [call.method for call in online.calls] == ["auth.test"]


def test_online_socket_mode_checks_the_app_token(
        online: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_APP_TOKEN=APP)
    online.error("apps.connections.open", "invalid_auth")
    code, _, err = run(capsys, "--online", "--mode", "socket")
    assert (code, err) == (2, [
        "SLACK_APP_TOKEN: Slack refuses it (invalid_auth); create an app-level token with connections:write "
        "under Basic Information → App-Level Tokens, and turn Socket Mode on"])
    assert online.calls_to("apps.connections.open")[0].token == APP


def test_online_unreachable_slack_and_database_are_one_line_each(
        online: FakeSlack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_API_URL="http://127.0.0.1:1/api/",
            DATABASE_URL="postgresql+psycopg://bot:secret@127.0.0.1:1/safety")
    code, out, err = run(capsys, "--online")
    assert code == 2 and out == []
    assert err[0].startswith("DATABASE_URL: cannot use the database at postgresql+psycopg://bot:***@127.0.0.1:1/"
                             "safety: ") and err[0].endswith("; start the database server, or correct DATABASE_URL")
    assert err[1:] == ["Slack: cannot reach http://127.0.0.1:1/api/ (Connection refused); check this machine's "
                       "network and proxy (HTTPS_PROXY), or SLACK_API_URL"]
    assert "secret" not in "\n".join(err)


# ---------------------------------------------------------------------- --help


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_subcommands_help_says_what_it_does_and_which_variables_it_reads(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, description, names = COMMANDS[command]
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert " ".join(description.split()) in text
    assert all(name in text for name in names)
    assert ("environment variables" in text) if names else ("reads no environment variables" in text)


def test_safetybot_alone_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


def test_plans_alone_lists_its_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plans"]) == 0
    out = capsys.readouterr().out
    assert "import" in out and "save the plans of a YAML file" in out
    with pytest.raises(SystemExit):
        main(["plans", "import", "--help"])
    assert "SAFETYBOT_ORG_FILE" in capsys.readouterr().out


def test_socket_mode_with_slack_unreachable_is_one_line_not_a_traceback(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_env(monkeypatch, SLACK_BOT_TOKEN=BOT, SLACK_APP_TOKEN=APP, SLACK_API_URL="http://127.0.0.1:1/api/")
    assert main(["socket"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Slack: cannot reach http://127.0.0.1:1/api/ (Connection refused); check this machine's network and proxy "
        "(HTTPS_PROXY), or SLACK_API_URL"]
