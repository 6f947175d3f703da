"""One copy of the bot's outbox sender for `tests/core/test_outbox_copies.py`.

    python tests/outbox_worker.py DATABASE_URL SLACK_API_URL ORG_FILE

Builds the runtime as `safetybot serve` does, with short leases and retries, prints "ready", waits for a
line on stdin (so that copies start together), then sends until no message is pending, and prints what it
did as JSON. The test may kill it with SIGKILL at any moment.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.core.org import load_org
from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from storage.core import outbox

_GIVE_UP_SECONDS = 90.0


def main(argv: list[str]) -> int:
    database_url, api_url, org_file = argv
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    settings = Settings(_env_file=None, slack_bot_token="xoxb-test", slack_signing_secret="test",  # type: ignore[call-arg]
                        slack_api_url=api_url, database_url=database_url, slack_timeout_seconds=1.0,
                        slack_messages_per_second=1000.0)
    runtime = create_app(settings, org=load_org(Path(org_file)))
    runtime.sender.lease_seconds = 3.0  # a killed copy's messages are taken over soon
    runtime.sender.batch = 3
    runtime.sender.retry.base_seconds, runtime.sender.retry.max_seconds = 0.05, 0.5
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        attempted, started = 0, time.monotonic()
        while time.monotonic() - started < _GIVE_UP_SECONDS:
            attempted += runtime.sender.run_once()
            with runtime.engine.connect() as conn:
                pending = conn.execute(select(func.count()).select_from(outbox).where(
                    outbox.c.status == "pending")).scalar_one()
            if not pending:
                break
            time.sleep(0.02)
        else:
            raise SystemExit(f"still busy after {_GIVE_UP_SECONDS} s")
        print(json.dumps({"attempted": attempted}), flush=True)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
