"""Two copies of the bot on one PostgreSQL, Slack failing at random (5xx, lost answers, 429s, `internal_error`
after posting) and a third copy killed with SIGKILL while its post is in flight: every message is delivered
exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.core.org import Org
from tests.conftest import ORG_YAML, start_bot
from tests.fakeslack import FakeSlack
from tests.helpers import outbox_rows, report

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "tests" / "outbox_worker.py"


def copy_of_the_bot(postgres_url: str, fake: FakeSlack, tmp_path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, str(WORKER), postgres_url, fake.api_url, str(tmp_path / "org.yml")]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    worker = subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stderr is not None
    if worker.stdout.readline().strip() != "ready":
        worker.kill()
        raise AssertionError(f"a copy of the bot did not start:\n{worker.stderr.read()}")
    return worker


def go(worker: subprocess.Popen[str]) -> None:
    assert worker.stdin is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()


def test_two_copies_under_faults_and_a_killed_one_deliver_every_message_exactly_once(
    postgres_url: str, fake_slack: FakeSlack, org: Org, tmp_path: Path
) -> None:
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    setup = start_bot(fake_slack, postgres_url, org, background=False)  # queues, never sends
    try:
        references = [report(setup, f"U0EMP{1 + n % 3}") for n in range(8)]
    finally:
        setup.stop()
    assert len(set(references)) == 8
    workers: list[subprocess.Popen[str]] = []
    try:
        fake_slack.timeout("chat.postMessage", seconds=30, processed=True)  # posted, answer never comes
        victim = copy_of_the_bot(postgres_url, fake_slack, tmp_path)
        workers.append(victim)
        go(victim)
        fake_slack.wait_for("chat.postMessage", timeout=20)
        os.kill(victim.pid, signal.SIGKILL)  # mid-send: Slack has the post, the database does not know
        victim.communicate(timeout=10)  # also closes its pipes

        fake_slack.chaos("chat.postMessage", http_500=0.15, lost=0.05, ratelimited=0.1, internal_error=0.1,
                         lost_seconds=1.5, seed=9)
        copies = [copy_of_the_bot(postgres_url, fake_slack, tmp_path) for _ in range(2)]
        workers += copies
        for worker in copies:
            go(worker)
        results = [worker.communicate(timeout=120) for worker in copies]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [w.returncode for w in copies] == [0, 0], [err for _out, err in results]
    done = [json.loads(out.strip().splitlines()[-1]) for out, _err in results]
    assert all(d["attempted"] > 0 for d in done), done  # both copies worked

    delivered = Counter(c.params["metadata"]["event_payload"]["key"] for c in fake_slack.delivered())
    checker = start_bot(fake_slack, postgres_url, org, background=False)
    try:
        rows = outbox_rows(checker)
    finally:
        checker.stop()
    assert len(rows) == 32 and {r["status"] for r in rows} == {"sent"}
    assert {key: n for key, n in delivered.items() if n != 1} == {}, "delivered more than once"
    assert sorted(delivered) == sorted(r["key"] for r in rows), "every queued message delivered, nothing else"
    faults = Counter(c.outcome for c in fake_slack.calls_to("chat.postMessage"))
    assert faults["http_error"] and faults["ratelimited"] and faults["acted_error"] and faults["timeout"] >= 2, faults
    for row in rows:  # what the database recorded is where the message is
        assert any(m["ts"] == row["sent_ts"] for m in fake_slack.messages(row["recipient"])), row["key"]
