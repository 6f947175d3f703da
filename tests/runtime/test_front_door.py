"""The front door as a hostile client and a flaky Slack try it: bodies over the limit, malformed and
unsigned bodies, what reaches the log, and Slack's retries (`X-Slack-Retry-Num`)."""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.runtime.slack_requests import event_callback
from bot.runtime.slack_requests.builders import view_submission
from bot.runtime.slack_requests.common import FORM, JSON
from tests.conftest import ORG_YAML, SIGNING_SECRET, RunningBot
from tests.fakeslack import FakeSlack
from tests.helpers import count_rows, eventually, open_modal, report_values

REPO = Path(__file__).resolve().parents[2]
MARKER = "SECRET-WORDS-OF-AN-ANONYMOUS-REPORTER"
TWENTY_MB = 20 * 1024 * 1024


def raw_request(url: str, head: str, body_chunks: Iterable[bytes] = (), *, wait: float = 5.0) -> tuple[bytes, int]:
    """Send `head`, then body chunks until the server answers or stops reading; return what it answered
    and how many body bytes it took before answering."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)  # so "taken" counts what the server read
    sock.settimeout(wait)
    sock.connect((parts.hostname, parts.port))
    sent = 0
    try:
        sock.sendall(head.encode("ascii"))
        for chunk in body_chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        answer = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            answer += data
        return answer, sent
    finally:
        sock.close()


def head_for(length: int | None, *, content_type: str = FORM) -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (f"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: {content_type}\r\n"
            f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0=00\r\n{framing}\r\n\r\n")


def chunked(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    piece = (f"text={MARKER}&".encode() * (size // 40 + 1))[:size]
    for _ in range(total // size):
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


# ---------------------------------------------------------------------- size limit, as `safetybot serve` runs


@pytest.fixture
def served(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """`safetybot serve` in its own process, logging as it does in production, on a free port."""
    (tmp_path / "org.yml").write_text(ORG_YAML, encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "serve.log"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": str(tmp_path), "PORT": str(port),
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_slack.api_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "bot.runtime.cli", "serve"], cwd=tmp_path, env=env,
                                   stdout=log_file, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                assert process.poll() is None, log_path.read_text()
                return False

        eventually(up, timeout=30, what="safetybot serve to answer /healthz")
        yield process, url, log_path
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_a_20_mb_unsigned_body_gets_413_at_once_and_neither_memory_nor_log_grows_by_it(
    served: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, url, log_path = served
    httpx.post(f"{url}/slack/events", content=f"text={MARKER}", timeout=5)  # warm: a first request's allocations
    peak_before, log_before = peak_rss_kb(process.pid), log_path.stat().st_size

    # Only the head, announcing 20 MB: the answer comes before a byte of the body is sent.
    started = time.monotonic()
    answer, _ = raw_request(url, head_for(TWENTY_MB))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 1.0

    # The whole 20 MB pushed at it, announced and chunked: refused, and not kept.
    body = (f"text={MARKER}&".encode() * (TWENTY_MB // 40 + 1))[:TWENTY_MB]
    answer, _ = raw_request(url, head_for(TWENTY_MB), (body[i:i + 65536] for i in range(0, TWENTY_MB, 65536)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    answer, taken = raw_request(url, head_for(None), chunked(TWENTY_MB))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert taken < 4 * 1024 * 1024  # cut off near the 1 MB limit, not read to the end

    assert peak_rss_kb(process.pid) - peak_before < 8 * 1024, "the server's memory grew by the body"
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # and it goes on serving
    logged = log_path.read_text()
    assert MARKER not in logged
    assert log_path.stat().st_size - log_before < 4096, logged[log_before:][:2000]


def test_the_size_limit_is_a_setting_and_a_body_under_it_goes_through(bot: RunningBot) -> None:
    assert bot.runtime.settings.max_request_bytes == 1024 * 1024
    view = open_modal(bot, "U0EMP1")
    answer = bot.slack.submit_view(user_id="U0EMP1", callback_id=view["callback_id"],
                                   private_metadata=view["private_metadata"],
                                   values=report_values(description="x" * 2000))
    assert answer.status_code == 200 and answer.json()["response_action"] == "update"


# ---------------------------------------------------------------------- malformed and unsigned bodies


MALFORMED = [
    (b"payload=%7Bnot+json", FORM),
    (b"payload=%5B1%2C2%5D", FORM),  # JSON, but a list
    (b"{\"type\": \"event_callback\", ", JSON),
    (b"[1, 2, 3]", JSON),
    (b"\xff\xfe\x00 not utf-8", FORM),
]


def test_malformed_signed_bodies_get_400_without_a_traceback(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for body, content_type in MALFORMED:
        answer = bot.slack.post(body, content_type)
        assert answer.status_code == 400, (body, answer.status_code, answer.text)
        assert answer.json() == {"error": "malformed request"}
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert count_rows(bot) == 0


def test_unsigned_or_unhandled_bodies_never_reach_the_log(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    unsigned = bot.slack.post(f"text={MARKER}".encode(), signature="v0=" + "0" * 64)
    assert unsigned.status_code == 401
    # Signed, but nothing listens for it: Bolt logs these with the (filtered) body at WARNING.
    unhandled = event_callback({"type": "reaction_added", "user": "U0EMP1", "reaction": MARKER, "item": {}})
    assert bot.slack.send(unhandled).status_code in (200, 404)
    submission = view_submission(user_id="U0EMP1", callback_id="no_such_modal",
                                 values={"b": {"a": {"type": "plain_text_input", "value": MARKER}}})
    assert bot.slack.send(submission).status_code in (200, 404)
    logged = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert logged, "Bolt's lines about these requests are expected, only without the bodies"
    for record in logged:
        assert MARKER not in record.getMessage(), record.getMessage()


# ---------------------------------------------------------------------- Slack's retries


RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def test_a_retried_submission_is_acked_without_a_second_case(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP2")
    submission = view_submission(user_id="U0EMP2", callback_id=view["callback_id"],
                                 private_metadata=view["private_metadata"], values=report_values())
    first = bot.slack.send(submission)
    assert first.status_code == 200 and first.json()["response_action"] == "update"
    eventually(lambda: len(bot.fake.calls_to("chat.postMessage")) >= 4, what="the report's four messages")

    retried = bot.slack.send(submission, headers=RETRY)
    assert retried.status_code == 200
    time.sleep(0.3)  # what a second case would have queued by now
    assert count_rows(bot) == 1
    assert sorted(c.params["channel"] for c in bot.fake.calls_to("chat.postMessage")) == sorted(
        ["C0SAFETY", "U0HEAD1", "U0DEP1", "U0EMP2"])  # each told once


def test_a_retried_event_is_acked_once_the_original_was_taken_in_and_done_when_it_was_not(bot: RunningBot) -> None:
    seen: list[str] = []
    bot.runtime.bolt.event("app_mention")(lambda body: seen.append(body["event_id"]))
    mention = {"type": "app_mention", "user": "U0EMP1", "text": "<@UBOT> hi", "channel": "C0SAFETY", "ts": "1.1"}

    original = event_callback(mention, event_id="Ev0000000001")
    assert bot.slack.send(original).status_code == 200
    for number in ("1", "2", "3"):  # the same event again, newly signed, as Slack retries it
        assert bot.slack.send(original, headers=RETRY | {"X-Slack-Retry-Num": number}).status_code == 200
    lost = event_callback(mention, event_id="Ev0000000002")  # the original never reached this copy
    assert bot.slack.send(lost, headers=RETRY).status_code == 200
    eventually(lambda: len(seen) >= 2, what="both events handled")
    time.sleep(0.2)
    assert seen == ["Ev0000000001", "Ev0000000002"]


def test_an_unsigned_retry_is_refused_not_acked(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP1")
    submission = view_submission(user_id="U0EMP1", callback_id=view["callback_id"],
                                 private_metadata=view["private_metadata"], values=report_values())
    assert bot.slack.send(submission).status_code == 200
    forged = bot.slack.send(submission, headers=RETRY, signature="v0=" + "1" * 64)
    assert forged.status_code == 401
    assert json.loads(forged.text) == {"error": "invalid request"}
