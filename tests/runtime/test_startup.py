"""`serve`/`socket` at start: one summary line, then silence per tick; what stops a start is one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.core.org import parse_org
from bot.runtime.fakeslack import FakeSlack
from bot.runtime.server import CannotListen, listen
from bot.runtime.startup import EXIT_CONFIG, EXIT_UNAVAILABLE, Exit, check_slack_at_start, open_runtime
from tests.conftest import ORG_YAML, make_settings

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_one_summary_line_listens_on_host_and_port_and_stays_quiet_per_tick(
        tmp_path: Path, fake_slack: FakeSlack) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake_slack.api_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "HOST": "127.0.0.1", "PORT": str(port),
           "SCHEDULER_INTERVAL_SECONDS": "0.2"}
    serve = subprocess.Popen([sys.executable, "-m", "bot.runtime.cli", "serve"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline()  # printed once the bot is ready
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        # Ticks come by the clock and leave no trace to wait on (that is the point): let about five go by.
        time.sleep(1.0)
        assert serve.poll() is None
    finally:
        serve.terminate()
        rest, err = serve.communicate(timeout=20)
    assert first.rstrip("\n") == (
        "safetybot serve is running: connected as @safetybot to workspace Example; org file org.yml: 2 departments, "
        f"9 people, safety channel C0SAFETY; database sqlite:///{tmp_path / 'bot.db'}; HTTP on 127.0.0.1:{port} "
        "(POST /slack/events, GET /readyz, GET /healthz)")
    assert rest == ""
    # The first start migrates; a tick slower than this test's 0.2 s interval is skipped with a warning.
    said = [line for line in err.splitlines()
            if "Running upgrade" not in line and "maximum number of running instances" not in line]
    assert said == [], said  # no APScheduler line per tick, no Bolt warning about the token, no uvicorn banner


def test_a_port_in_use_says_to_set_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CannotListen) as caught:
            listen("127.0.0.1", port)
    assert str(caught.value) == (f"PORT {port} is already in use on 127.0.0.1 (another safetybot, or another "
                                 "server); stop it, or set PORT to a free port")


def test_an_unreachable_database_stops_the_start_in_one_line(fake_slack: FakeSlack) -> None:
    settings = make_settings(fake_slack, "postgresql+psycopg://bot:pw@127.0.0.1:1/safety")
    with pytest.raises(Exit) as caught:
        open_runtime(settings, parse_org(ORG_YAML))
    assert caught.value.code == EXIT_UNAVAILABLE
    [line] = caught.value.lines
    assert line.startswith("DATABASE_URL: cannot use the database at postgresql+psycopg://bot:***@127.0.0.1:1/safety")
    assert "\n" not in line


def test_at_start_a_refused_token_stops_and_a_missing_invitation_warns(
        fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings = make_settings(fake_slack, f"sqlite:///{tmp_path / 'bot.db'}")
    org = parse_org(ORG_YAML)
    fake_slack.leave_channel("C0SAFETY")
    assert check_slack_at_start(settings, org, "serve") == "connected as @safetybot to workspace Example"
    assert capsys.readouterr().err.splitlines() == [
        "warning: org.yml: safety_department.channel C0SAFETY: the bot is not in C0SAFETY, so every case post "
        "there is lost; invite it: /invite @safetybot in C0SAFETY"]
    fake_slack.error("auth.test", "token_revoked")
    with pytest.raises(Exit) as caught:
        check_slack_at_start(settings, org, "serve")
    assert caught.value.code == EXIT_CONFIG and caught.value.lines[0].startswith(
        "SLACK_BOT_TOKEN: Slack refuses it (token_revoked)")
