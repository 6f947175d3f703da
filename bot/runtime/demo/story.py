"""The demo's script: a hazard goes round the whole closed loop, then a plan reminder is done, then an
incident is reported. Each act is what people do in Slack; the lines printed are what they see."""

from __future__ import annotations

import secrets
import tempfile
import time
from datetime import datetime, timedelta

from pydantic import SecretStr

from bot.core.org import Org, parse_org
from bot.runtime.app import create_app
from bot.runtime.demo import acts
from bot.runtime.demo.cast import LOCALES, NAMES, DemoClock, who
from bot.runtime.demo.stage import DemoError, Stage
from bot.runtime.fakeslack import FakeSlack
from bot.runtime.server import BackgroundServer
from bot.runtime.settings import Settings
from bot.runtime.slack_requests import SlackSender
from bot.runtime.templates import ORG, template

NEXT_STEP = ("Next: connect a real workspace: run `safetybot init` in a new directory (it writes org.yml and "
             "manifest.yml), then follow \"Connect a Slack workspace\" in README.md.")


def demo_org() -> Org:
    """The org template shipped in the package: the same people a new installation starts from."""
    return parse_org(template(ORG), source=ORG)


def run_demo() -> int:
    started = time.monotonic()
    org, clock, secret = demo_org(), DemoClock(), secrets.token_hex(16)
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        for user in sorted({u for d in org.departments for u in [*d.leaders, *d.members]}
                           | set(org.safety_department.members) | set(org.management.members)):
            fake.add_user(user, name=NAMES.get(user, user.lower()), locale=LOCALES.get(user, "en-US"))
        settings = Settings(_env_file=None, slack_bot_token=SecretStr("xoxb-demo"),  # type: ignore[call-arg]
                            slack_signing_secret=SecretStr(secret),
                            slack_api_url=fake.api_url, database_url=f"sqlite:///{tmp}/demo.db",
                            slack_timeout_seconds=2.0, slack_messages_per_second=200.0)
        runtime = create_app(settings, org=org, clock=clock)
        runtime.sender.retry.base_seconds = 0.05  # a message waiting for its thread goes out right after it
        runtime.start_background(schedule=False)  # the demo ticks the scheduler itself, after moving the clock
        server = BackgroundServer(runtime.asgi()).start()
        try:
            print(f"safetybot demo: the real bot listens on {server.url}/slack/events; Slack is faked at "
                  f"{fake.api_url}.")
            print("People and their Slack language: " + ", ".join(who(u) for u in NAMES) + ".")
            with SlackSender(server.url, secret, response_url_base=fake.response_url_base) as slack:
                stage = Stage(fake, runtime, slack, clock)
                reference = acts.report_hazard(stage)
                acts.close_the_loop(stage, reference)
                acts.plan_reminder(stage, clock() + timedelta(days=1))
                acts.report_incident(stage)
        except DemoError as exc:
            print(f"\nsafetybot demo stopped: {exc}")
            return 1
        finally:
            server.stop()
            runtime.close()
    print(f"\nEvery message above went through the outbox; typed mrkdwn such as <!channel> is shown, never "
          f"pinged. Played in {time.monotonic() - started:.1f} s at {datetime.now():%H:%M}.")
    print(NEXT_STEP)
    return 0
