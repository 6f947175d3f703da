"""The `safetybot` command as an admin runs it: a real process, a clean environment, its own directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
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


def test_check_config_refuses_an_empty_or_blank_signing_secret_and_bot_token(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    # A .env copied and never filled in.
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=\nSLACK_SIGNING_SECRET=   \n", encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path)
    assert result.returncode == 2, result
    assert result.stderr.splitlines() == [
        "SLACK_BOT_TOKEN: is empty; set it to the Bot User OAuth Token, xoxb-..., under OAuth & Permissions",
        "SLACK_SIGNING_SECRET: is empty; set it to the Signing Secret under Basic Information, App Credentials",
    ]
    assert "configuration OK" not in result.stdout


def test_check_config_takes_a_secret_pasted_with_a_stray_newline_or_space(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    result = safetybot("check-config", cwd=tmp_path, SLACK_BOT_TOKEN=" xoxb-123-456-abc\n",
                       SLACK_SIGNING_SECRET="0123456789abcdef ")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "configuration OK", "")


# ---------------------------------------------------------------------- serve


def test_serve_without_tokens_says_what_to_set_and_points_to_the_demo(tmp_path: Path) -> None:
    result = safetybot("serve", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "safetybot demo" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"])
@pytest.mark.parametrize("blank", ["", "  \t "])
def test_serve_with_an_empty_secret_or_token_exits_2_with_one_line_and_never_listens(
    tmp_path: Path, name: str, blank: str
) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    env = TOKENS | {name: blank, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "PORT": "1"}
    result = safetybot("serve", cwd=tmp_path, timeout=20, **env)
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{name}: is empty"), lines
    assert not (tmp_path / "bot.db").exists()  # refused before anything was opened


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


def demo_steps(stdout: str) -> dict[str, str]:
    """The demo's numbered steps: '3. assign' -> the title's rest and the lines under it."""
    found = re.findall(r"^── (\d+)\. (\w+): (.+?) ─*\n((?:(?!── ).*\n)*)", stdout, flags=re.MULTILINE)
    return {f"{number}. {name}": f"{title}\n{body}" for number, name, title, body in found}


def test_demo_plays_the_whole_loop_each_step_by_its_person_in_their_language_within_15_s(tmp_path: Path) -> None:
    started = time.monotonic()
    result = safetybot("demo", cwd=tmp_path, timeout=60)  # any directory: nothing is read from the checkout
    assert result.returncode == 0, result
    assert time.monotonic() - started < 15
    steps = demo_steps(result.stdout)
    assert list(steps) == ["1. report", "2. assess", "3. assign", "4. done", "5. approve", "6. verify", "7. closed",
                           "8. plan", "9. reminder", "10. incident"], result.stdout
    actors = {"1. report": "li.wei (zh-CN)", "2. assess": "anna.head (en-US)", "3. assign": "anna.head (en-US)",
              "4. done": "tom.fix (en-US)", "5. approve": "anna.head (en-US)", "6. verify": "wang.safety (zh-CN)",
              "8. plan": "wang.safety (zh-CN)", "10. incident": "tom.fix (en-US)"}
    for step, actor in actors.items():
        assert steps[step].startswith(actor), (step, steps[step])
    reference = re.search(r"HZ-\d{4}-0001", steps["1. report"])
    assert reference is not None
    # Each person reads their own language: the English head's card, the Chinese safety channel's thread.
    assert "→ tom.fix (en-US), new message: Rectification task" in steps["3. assign"]
    assert "anna.head (en-US) sees, only them: Approved the rectification of" in steps["5. approve"]
    assert "→ the safety channel (zh-CN), in the case thread:" in steps["6. verify"]
    assert steps["7. closed"].startswith(f"{reference.group()} is closed")
    assert "li.wei (zh-CN), new message:" in steps["6. verify"]  # the reporter hears it is closed
    # The plan's reminder reaches each person in their language, with Done only for the owner (who may record
    # it); once recorded, every copy is updated in place.
    # The zh-CN officer typed the title in Chinese: shown as typed to all, the kind in each reader's words.
    assert re.search(r"→ li\.wei \(zh-CN\), new message: 演练：消防演练", steps["9. reminder"])
    assert re.search(r"→ tom\.fix \(en-US\), new message: Drill: 消防演练", steps["9. reminder"])
    assert "Fire drill" not in steps["9. reminder"]
    assert not re.search(r"→ (tom\.fix|li\.wei) .*\[ (Done|登记完成) \]", steps["9. reminder"])
    assert re.search(r"→ wang\.safety \(zh-CN\), new message: .*\[ 登记完成 \]", steps["9. reminder"])
    assert "wang.safety (zh-CN) presses Done" in steps["9. reminder"]
    assert re.search(r"updated in place for .*tom\.fix \(en-US\)", steps["9. reminder"])
    # The incident alerts the safety channel, the head and management at once.
    incident = steps["10. incident"]
    for who in ("the safety channel (zh-CN)", "anna.head (en-US)", "chen.boss (zh-CN)"):
        assert re.search(rf"→ {re.escape(who)}, new message: .*INC-\d{{4}}-0001", incident), (who, incident)
    last = result.stdout.rstrip().splitlines()[-1]
    assert "safetybot init" in last and "Connect a Slack workspace" in last
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- init


def test_init_writes_a_commented_org_file_and_the_manifest_then_refuses_to_overwrite(tmp_path: Path) -> None:
    result = safetybot("init", cwd=tmp_path)
    assert result.returncode == 0, result
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.socket.yml", "manifest.yml", "org.yml"]
    assert (tmp_path / "org.yml").read_text(encoding="utf-8") == (REPO / "org.example.yml").read_text(encoding="utf-8")
    assert (tmp_path / "manifest.yml").read_bytes() == (REPO / "manifest.yml").read_bytes()
    assert (tmp_path / "manifest.socket.yml").read_bytes() == (REPO / "manifest.socket.yml").read_bytes()
    assert (tmp_path / "org.yml").read_text(encoding="utf-8").lstrip().startswith("#")  # commented for the admin
    # check-config reads the new org file as valid: the only problems left are the tokens not yet set, and it
    # warns that the ids are still the example's.
    check = safetybot("check-config", cwd=tmp_path)
    lines = check.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["org.yml", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    assert "placeholder ids" in lines[0]
    assert load_org(tmp_path / "org.yml").safety_department.members == ["U01SAFE1"]  # placeholder ids

    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")  # the admin's own file now
    again = safetybot("init", cwd=tmp_path)
    assert again.returncode == 2, again
    assert "org.yml already exists" in again.stderr and "Traceback" not in again.stderr
    assert (tmp_path / "org.yml").read_text(encoding="utf-8") == ORG_YAML


def test_init_refuses_when_only_the_manifest_is_there_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "manifest.yml").write_text("mine\n", encoding="utf-8")
    result = safetybot("init", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "manifest.yml already exists" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.yml"]
    assert (tmp_path / "manifest.yml").read_text(encoding="utf-8") == "mine\n"
