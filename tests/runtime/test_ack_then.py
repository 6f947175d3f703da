"""A listener that acks and then works on (`ack_then`): the ack goes out before the work is done, once, over
HTTP (after the head start) and over Socket Mode (at once); without an adapter's slot, after the work."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.runtime.server import BackgroundServer
from bot.runtime.slack_requests import SlackSender, sign
from handlers.core.acks import HEAD_START_SECONDS, ack_then
from handlers.core.http import build_asgi
from handlers.core.redelivery import OnceSocketModeHandler
from tests.fakeslack import FakeSlack

SECRET = "ack-then-secret"
PAYLOAD = {"command": "/hazard", "text": "", "user_id": "U1", "team_id": "T1", "trigger_id": "t.1",
           "channel_id": "C1", "api_app_id": "A1", "token": "x"}


class _Up:
    writable, reason, schema, ready = True, None, "head", True


def _app(fake: FakeSlack, work_seconds: float, finished: threading.Event) -> App:
    app = App(client=WebClient(token="xoxb-test", base_url=fake.api_url), signing_secret=SECRET,
              token_verification_enabled=False, process_before_response=True)

    def slow_work() -> None:
        time.sleep(work_seconds)
        finished.set()

    @app.command("/hazard")
    def on_command(ack: Ack, context: BoltContext) -> None:
        ack_then(ack, context, slow_work)

    return app


@contextmanager
def served(app: App, fake: FakeSlack, head_start: float = HEAD_START_SECONDS) -> Iterator[SlackSender]:
    """`app` behind the front door, and a signed sender to it."""
    server = BackgroundServer(build_asgi(app, signing_secret=SECRET, healthy=lambda: _Up(),
                                         head_start=head_start)).start()
    try:
        with SlackSender(server.url, SECRET, response_url_base=fake.response_url_base) as sender:
            yield sender
    finally:
        server.stop()


def test_over_http_the_ack_leaves_after_the_head_start_while_the_work_goes_on(fake_slack: FakeSlack) -> None:
    finished = threading.Event()
    with served(_app(fake_slack, 1.5, finished), fake_slack) as sender:
        started = time.monotonic()
        answer = sender.command("/hazard", "", user_id="U1")
        took = time.monotonic() - started
        assert answer.status_code == 200
        assert HEAD_START_SECONDS <= took < 0.5  # not the 1.5 s of work
        assert not finished.is_set()
        assert finished.wait(5)  # and the work was done all the same


def test_over_http_quick_work_is_done_before_the_ack(fake_slack: FakeSlack) -> None:
    finished = threading.Event()
    # A head start no busy test machine outlasts: "quick" is work that ends within it.
    with served(_app(fake_slack, 0, finished), fake_slack, head_start=2.0) as sender:
        assert sender.command("/hazard", "", user_id="U1").status_code == 200
        assert finished.is_set()


class _SocketClient:
    def __init__(self) -> None:
        self.acks: list[tuple[str, float]] = []
        self.logger = logging.getLogger("test")

    def send_socket_mode_response(self, response: Any) -> None:
        self.acks.append((response.envelope_id, time.monotonic()))


def test_over_socket_mode_the_ack_is_sent_at_once_and_only_once(fake_slack: FakeSlack) -> None:
    finished = threading.Event()
    handler = OnceSocketModeHandler(_app(fake_slack, 0.5, finished), "xapp-test")
    client = _SocketClient()
    started = time.monotonic()
    handler.handle(client, SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=PAYLOAD))  # type: ignore[arg-type]
    assert finished.is_set()
    assert [envelope for envelope, _ in client.acks] == ["env-1"]
    assert client.acks[0][1] - started < 0.25  # before the half second of work, not after it


def test_without_a_slot_the_ack_comes_when_the_work_is_done(fake_slack: FakeSlack) -> None:
    finished = threading.Event()
    app = _app(fake_slack, 0.2, finished)
    body = str(httpx.QueryParams(PAYLOAD))
    answer = app.dispatch(BoltRequest(body=body, headers=sign(body.encode(), SECRET)))
    assert answer.status == 200
    assert finished.is_set()


def test_the_slot_survives_bolts_copy_for_lazy_listeners() -> None:
    import copy

    from handlers.core.acks import AckSlot

    slot = AckSlot()
    assert copy.deepcopy({"slot": slot})["slot"] is slot


class _Failing:
    """Stands in for Bolt: acks (or not), works `seconds`, then fails the way only a bug in Bolt would."""

    def __init__(self, slot: Any, *, ack: bool, seconds: float) -> None:
        self.slot, self.ack, self.seconds = slot, ack, seconds

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        if self.ack:
            self.slot.put(BoltResponse(status=200, body=""))
        time.sleep(self.seconds)
        raise RuntimeError("bolt broke")


def _dispatch(bolt: _Failing, slot: Any) -> BoltResponse:
    from concurrent.futures import ThreadPoolExecutor

    from handlers.core.http import dispatch

    with ThreadPoolExecutor(2) as pool:
        async def go() -> BoltResponse:
            answer = await dispatch(bolt, BoltRequest(body="command=%2Fhazard"), slot, pool, head_start=0.02)  # type: ignore[arg-type]
            await asyncio.sleep(0.2)  # the loop is still there when Bolt fails later
            return answer
        return asyncio.run(go())


def test_a_failure_after_the_ack_went_is_logged_and_the_ack_stands(caplog: pytest.LogCaptureFixture) -> None:
    from handlers.core.acks import AckSlot

    slot = AckSlot()
    with caplog.at_level(logging.ERROR, logger="handlers.core.http"):
        assert _dispatch(_Failing(slot, ack=True, seconds=0.1), slot).status == 200
    assert [r.getMessage() for r in caplog.records] == ["Bolt failed after the ack was sent"]


def test_a_failure_before_any_ack_is_the_requests_own() -> None:
    from handlers.core.acks import AckSlot

    slot = AckSlot()
    with pytest.raises(RuntimeError, match="bolt broke"):
        _dispatch(_Failing(slot, ack=False, seconds=0.0), slot)
