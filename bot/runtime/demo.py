"""`safetybot demo`: the whole report flow on this machine, with no Slack workspace.

Starts the real bot (HTTP endpoint, SQLite, outbox sender) against the fake Slack Web API from the
test suite, sends `/hazard` and the modal submission as Slack would (signed HTTP requests), and
prints what each person sees. It needs a source checkout, where `tests/fakeslack.py` lives.
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.core.i18n import t
from bot.core.org import load_org
from bot.runtime.app import create_app
from bot.runtime.server import BackgroundServer
from bot.runtime.settings import Settings

CHECKOUT = Path(__file__).resolve().parents[2]
REPORTER, LOCALES = "U01EMP1", {"U01EMP1": "zh-CN", "U01HEAD1": "en-US", "U01DEP1": "zh-CN"}
NAMES = {"U01EMP1": "li.wei", "U01HEAD1": "anna.head", "U01DEP1": "zhang.deputy"}


def _flatten(blocks: list[dict[str, Any]]) -> list[str]:
    """Blocks as lines of text, roughly as Slack lays them out."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"▌ {block['text']['text']}")
        elif kind == "section":
            if "text" in block:
                lines.extend(block["text"]["text"].splitlines())
            for item in block.get("fields", []):
                lines.append("  " + item["text"].replace("\n", ": ", 1).replace("*", ""))
        elif kind == "context":
            lines.append("  · " + " ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "actions":
            lines.append("  " + "  ".join(f"[ {e['text']['text']} ]" for e in block["elements"]))
        elif kind == "input":
            element = block["element"]
            shown = element.get("initial_value") or (element.get("initial_option") or {}).get("text", {}).get("text")
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"  {block['label']['text']}{optional}: {shown or '____'}")
    return lines


def _as_seen(line: str) -> str:
    """mrkdwn as Slack shows it: mentions as @names, links as their labels, entities decoded."""
    line = re.sub(r"<@(\w+)>", lambda m: "@" + NAMES.get(m.group(1), m.group(1)), line)
    line = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", line).replace("*", "")
    return line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _show(title: str, lines: list[str]) -> None:
    print(f"\n── {title} " + "─" * max(0, 70 - len(title)))
    for line in lines:
        print(f"  {_as_seen(line)}")


def run_demo() -> int:
    if not (CHECKOUT / "tests" / "fakeslack.py").exists():
        print("safetybot demo needs a source checkout (it uses tests/fakeslack.py).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(CHECKOUT))
    from tests.fakeslack import FakeSlack
    from tests.slack_payloads import SlackSender, plain_text, static_select

    org = load_org(CHECKOUT / "org.example.yml")
    secret = secrets.token_hex(16)
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        for user in {u for d in org.departments for u in [d.head, *d.leaders, *d.members]}:
            fake.add_user(user, name=NAMES.get(user, user.lower()), locale=LOCALES.get(user, "en-US"))
        settings = Settings(_env_file=None, slack_bot_token="xoxb-demo", slack_signing_secret=secret,  # type: ignore[call-arg]
                            slack_api_url=fake.api_url, database_url=f"sqlite:///{tmp}/demo.db")
        runtime = create_app(settings, org=org)
        runtime.start_background()
        server = BackgroundServer(runtime.asgi()).start()
        try:
            print(f"safetybot demo: the bot listens on {server.url}/slack/events; Slack is faked at {fake.api_url}")
            with SlackSender(server.url, secret) as slack:
                answer = slack.command("/hazard", "纸箱堵住了三楼东侧消防通道 <!channel>", user_id=REPORTER)
                print(f"\n@{NAMES[REPORTER]} types: /hazard 纸箱堵住了三楼东侧消防通道 <!channel>"
                      f"   → HTTP {answer.status_code}")
                view = fake.wait_for("views.open")[0].params["view"]
                _show(f"modal opened for @{NAMES[REPORTER]} ({view['title']['text']})", _flatten(view["blocks"]))
                values = {
                    "hz_category": {"category": static_select("fire")},
                    "hz_location": {"location": plain_text("3F east fire exit")},
                    "hz_description": {"description": plain_text("纸箱堵住了三楼东侧消防通道 <!channel>")},
                    "hz_department": {"department": static_select(org.departments[0].key)},
                }
                answer = slack.submit_view(user_id=REPORTER, callback_id=view["callback_id"], values=values,
                                           private_metadata=view["private_metadata"])
                print(f"\n@{NAMES[REPORTER]} presses the submit button   → HTTP {answer.status_code}")
                _show(f"the modal now shows (@{NAMES[REPORTER]})", _flatten(answer.json()["view"]["blocks"]))
                expected = 1 + len(org.departments[0].leaders) + 1
                posts = fake.wait_for("chat.postMessage", count=expected, timeout=10)
                for call in posts:
                    channel = call.params["channel"]
                    who = (f"a DM to @{NAMES.get(channel, channel)}" if channel != org.safety_department.channel
                           else "the safety channel")
                    _show(f"{who} sees", _flatten(call.params.get("blocks", [])))
            time.sleep(0.2)
            print("\nEvery message above went through the outbox; typed mrkdwn such as <!channel> is shown, "
                  "never pinged.")
            print(t("hazard.modal.title", "zh-CN") + " · " + t("hazard.modal.title", "en") + " — done.")
        finally:
            server.stop()
            runtime.close()
    return 0
