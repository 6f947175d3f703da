"""Fan-out benchmark: one reminder to the whole company (issue 4).

A plan whose audience is everyone falls due; the scheduler queues one message per person and the outbox
sends them through a fake Slack that enforces a rate limit and answers some calls with random 429s.
Prints elapsed time, messages per second against the limit, duplicates and losses.
Targets: 0 duplicates, 0 lost, throughput at least 90% of the limit.

    python bench/fanout_bench.py [--recipients 5000] [--limit 100] [--random-429 0.02]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.org import parse_org  # noqa: E402
from bot.plans.model import Audience, PlanInput, PlanKind  # noqa: E402
from bot.plans.usecases import save_imported_plan  # noqa: E402
from bot.runtime.app import create_app  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402
from tests.fakes import FakeDirectory  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402


def org_yaml(recipients: int) -> str:
    people = [f"U{n:08d}" for n in range(recipients)]
    return ("timezone: Asia/Shanghai\nlanguage: zh-CN\n"
            "safety_department:\n  channel: C0SAFETY\n  members: [USAFE001]\n"
            f"management:\n  members: []\ndepartments:\n  - key: all\n    name: Everyone\n    head: UHEAD0001\n"
            f"    members: [{', '.join(people)}]\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--limit", type=float, default=100.0, help="Slack's limit in the fake, messages/second")
    parser.add_argument("--random-429", type=float, default=0.02, help="share of calls answered 429 at random")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    org = parse_org(org_yaml(args.recipients))
    everyone = {m for d in org.departments for m in (*d.leaders, *d.members)} | set(org.safety_department.members)
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        for user in everyone:
            fake.add_user(user, locale="zh-CN")
        fake.set_rate_limit("chat.postMessage", args.limit)
        fake.random_429("chat.postMessage", args.random_429, seed=7)
        settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",  # type: ignore[call-arg]
                            slack_api_url=fake.api_url, database_url=f"sqlite:///{tmp}/fanout.db",
                            slack_messages_per_second=args.limit * 0.97)
        runtime = create_app(settings, org=org)
        runtime.services.locales.warm()
        now = datetime.now(UTC)
        due = now + timedelta(minutes=1)
        save_imported_plan(PlanInput(kind=PlanKind.MEETING, title="Company-wide safety briefing", owner_id="USAFE001",
                                     audience=Audience(everyone=True), rule="FREQ=DAILY;COUNT=1",
                                     start=due.astimezone(org.tz).date(),
                                     time_of_day=due.astimezone(org.tz).time().replace(second=0, microsecond=0),
                                     offsets=["0d"]),
                           uow=runtime.services.uow(), org=org, directory=FakeDirectory(everyone),
                           clock=lambda: now)
        ahead = due + timedelta(minutes=1) - now  # run "two minutes from now", with a clock that keeps going
        runtime.scheduler.clock = runtime.sender.clock = lambda: datetime.now(UTC) + ahead
        started = time.monotonic()
        runtime.scheduler.tick()
        print(f"the scheduler queued the reminder for everyone in {time.monotonic() - started:.1f}s")
        runtime.start_background(schedule=False)
        expected = len(everyone)
        deadline = time.monotonic() + expected / args.limit * 3 + 60
        while time.monotonic() < deadline:
            delivered = fake.delivered("chat.postMessage")
            if len(delivered) >= expected:
                break
            time.sleep(0.2)
        runtime.close()
        calls = fake.calls_to("chat.postMessage")
        delivered = [c for c in calls if c.ok]
        per_person = Counter(c.params["channel"] for c in delivered)
        first, last = min(c.at for c in calls), max(c.at for c in delivered)
        elapsed = last - first
        rate = len(delivered) / elapsed if elapsed else 0.0

        print(f"delivered {len(delivered)} in {elapsed:.1f}s: {rate:.1f} msg/s against a limit of {args.limit:.0f}/s "
              f"({rate / args.limit:.0%})")
        duplicates, lost = sum(n - 1 for n in per_person.values()), len(everyone - set(per_person))
        print(f"429 answers {sum(1 for c in calls if c.status == 429)}, duplicates {duplicates}, lost {lost}, "
              f"conversations.open calls {len(fake.calls_to('conversations.open'))}")
        ok = rate >= 0.9 * args.limit and duplicates == 0 and lost == 0
        print("targets (0 duplicates, 0 lost, >= 90% of the limit):", "MET" if ok else "MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
