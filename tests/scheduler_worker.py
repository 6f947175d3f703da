"""One copy of the bot for `test_scheduler.py::test_two_copies_of_the_bot_send_each_reminder_once`.

    python tests/scheduler_worker.py DATABASE_URL SLACK_API_URL ORG_FILE NOW SECONDS

Builds the runtime as `safetybot serve` does, but with the clock frozen at NOW (ISO 8601, aware), prints
"ready", waits for a line on stdin (so that two copies start together), then runs the scheduler's `tick()` and
the outbox sender's `run_once()` in turns for SECONDS of real time, and prints what it did as JSON.
Small batches make the two copies take turns with the same jobs and messages.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path

from bot.core.org import load_org
from bot.runtime.app import create_app
from bot.runtime.settings import Settings

_GIVE_UP_SECONDS = 60.0


def main(argv: list[str]) -> int:
    database_url, api_url, org_file, now, seconds = argv
    frozen = datetime.fromisoformat(now)
    if frozen.utcoffset() is None:
        raise SystemExit("NOW must carry its offset, e.g. 2026-12-15T03:00:00+00:00")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = Settings(_env_file=None, slack_bot_token="xoxb-test", slack_signing_secret="test",  # type: ignore[call-arg]
                        slack_api_url=api_url, database_url=database_url, slack_timeout_seconds=5.0,
                        slack_messages_per_second=1000.0)
    runtime = create_app(settings, org=load_org(Path(org_file)), clock=lambda: frozen)
    runtime.scheduler.batch = 3
    runtime.sender.batch = 3
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        jobs = messages = rounds = 0
        started = time.monotonic()
        while True:
            processed, attempted = runtime.scheduler.tick(), runtime.sender.run_once()
            jobs, messages, rounds = jobs + processed, messages + attempted, rounds + 1
            elapsed = time.monotonic() - started
            if elapsed >= float(seconds) and not processed and not attempted:
                break  # what is left, if anything, is leased by the other copy, which finishes it
            if elapsed > _GIVE_UP_SECONDS:
                raise SystemExit(f"still busy after {_GIVE_UP_SECONDS} s: {jobs} jobs, {messages} messages")
        print(json.dumps({"jobs": jobs, "messages": messages, "rounds": rounds, "seconds": round(elapsed, 2)}),
              flush=True)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
