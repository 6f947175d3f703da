"""The `safetybot` command as an admin runs it: a real process, a clean environment, its own directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from bot.core.org import load_org, parse_org
from bot.runtime import demo
from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from storage.migrate import alembic_config
from tests.conftest import ORG_YAML

REPO = Path(__file__).resolve().parents[2]
TABLES = {"hazards", "case_events", "reference_counters", "outbox", "alembic_version"}
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-123-456-abc", "SLACK_SIGNING_SECRET": "0123456789abcdef"}

BROKEN_ORG = textwrap.dedent("""\
    timezone: Asia/Shanghai
    language: zh-CN
    safety_department:
      channel: C0SAFETY
      members: [U0SAFE1]
      colour: red
    management:
      members: [U0BOSS]
    departments:
      - key: cs1
        name: Customer Service 1
        head: U0HEAD1
        members: [U0EMP1, alice]
      - key: cs2
        name: Customer Service 2
        members: [U0EMP3]
    """)


def safetybot(*args: str, cwd: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """`safetybot ARGS` with nothing from this process's environment but PATH and this checkout."""
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(cwd)} | env
    return subprocess.run([sys.executable, "-m", "bot.runtime.cli", *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, check=False)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# ---------------------------------------------------------------------- check-config


def test_check_config_names_file_and_line_of_every_mistake_in_the_org_file(tmp_path: Path) -> None:
    (tmp_path / "company.yml").write_text(BROKEN_ORG, encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path, SAFETYBOT_ORG_FILE="company.yml", **TOKENS)
    assert result.returncode == 2, result
    assert result.stderr.splitlines() == [
        "company.yml:6: safety_department.colour: unknown key 'colour'",
        "company.yml:13: departments[0].members[1]: 'alice' is not a Slack user id (like U0123ABCD)",
        "company.yml:14: departments[1].head: field required",
    ]
    assert "configuration OK" not in result.stdout


def test_check_config_without_tokens_names_both_variables(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path)
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("SLACK_BOT_TOKEN:") and lines[1].startswith("SLACK_SIGNING_SECRET:")
    assert "configuration OK" not in result.stdout


def test_check_config_with_everything_set_says_configuration_ok(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path, **TOKENS)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "configuration OK", "")


def test_check_config_reads_the_tokens_from_a_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in TOKENS.items()), encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "configuration OK", "")


# ---------------------------------------------------------------------- serve


def test_serve_without_tokens_says_what_to_set_and_points_to_the_demo(tmp_path: Path) -> None:
    result = safetybot("serve", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "safetybot demo" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- migrate


def test_migrate_creates_the_schema_on_a_fresh_sqlite_file_and_is_a_no_op_the_second_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = safetybot("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert first.returncode == 0, first
    assert first.stdout.strip() == f"database at revision {head_revision()}"
    assert "Running upgrade" in first.stderr  # alembic's log line, so its absence below means something
    assert tables(url) >= TABLES

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reference_counters (prefix, year, last_value) VALUES ('HZ', 2026, 7)"))
    engine.dispose()

    again = safetybot("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert again.returncode == 0, again
    assert again.stdout == first.stdout
    assert "Running upgrade" not in again.stderr
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT last_value FROM reference_counters")).scalar_one() == 7
    engine.dispose()


def test_create_app_upgrades_an_empty_database_on_start(database_url: str) -> None:
    settings = Settings(_env_file=None, database_url=database_url, **{k.lower(): v for k, v in TOKENS.items()})  # type: ignore[call-arg]
    assert tables(database_url) == set()
    runtime = create_app(settings, org=parse_org(ORG_YAML), migrate=False)
    runtime.close()
    assert tables(database_url) == set()  # so what follows is create_app's doing

    runtime = create_app(settings, org=parse_org(ORG_YAML))
    runtime.close()
    assert tables(database_url) >= TABLES


# ---------------------------------------------------------------------- demo


def test_demo_plays_a_report_to_head_deputy_safety_channel_and_reporter() -> None:
    org = load_org(REPO / "org.example.yml")
    department = org.departments[0]
    years = {datetime.now(org.tz).year}
    result = safetybot("demo", cwd=REPO, timeout=60)
    years.add(datetime.now(org.tz).year)  # a run across New Year's midnight may use either
    assert result.returncode == 0, result
    reference = next((f"HZ-{year}-0001" for year in years if f"HZ-{year}-0001" in result.stdout), None)
    assert reference is not None, result.stdout

    sections = dict(re.findall(r"^── (.+?) ─+\n((?:(?!── ).*\n)*)", result.stdout, flags=re.MULTILINE))
    recipients = {"the head": department.head, "the deputy": department.deputy, "the reporter": demo.REPORTER}
    safety = [body for title, body in sections.items() if "safety channel" in title]
    assert len(safety) == 1, f"the safety channel got no message; sections: {list(sections)}"
    assert reference in safety[0], f"the safety channel's message does not name {reference}"
    for who, user in recipients.items():
        assert user is not None
        names = {user, getattr(demo, "NAMES", {}).get(user, user)}  # the demo may show a display name
        bodies = [body for title, body in sections.items() if title.startswith("a DM to")
                  and any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", title) for name in names)]
        assert len(bodies) == 1, f"{who} ({user}) got no message of their own; sections: {list(sections)}"
        assert reference in bodies[0], f"{who}'s message does not name {reference}"
