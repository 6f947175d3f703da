"""The app's Web API client keeps its connections open: one connection for call after call, a new one when
Slack closed the idle one or an answer was lost, urllib's way when a proxy is set, and, whichever way a call
goes, the answers and errors of slack_sdk's own client."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.core.connections import Connections, KeepAliveWebClient, post_json
from handlers.core.slack_api import make_client
from tests.conftest import RunningBot
from tests.fakeslack import FakeSlack
from tests.helpers import open_modal

VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": [{"type": "divider"}]}


def _plain(fake: FakeSlack) -> WebClient:
    client = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=1)
    client.retry_handlers.clear()
    return client


def _kept(fake: FakeSlack) -> KeepAliveWebClient:
    return make_client(token="xoxb-test", base_url=fake.api_url, timeout=1)


def test_calls_one_after_another_go_over_one_connection(fake_slack: FakeSlack) -> None:
    client = _kept(fake_slack)
    client.users_info(user="U0EMP1")
    client.chat_postMessage(channel="C0SAFETY", text="one")
    post_json(client, "views.open", json.dumps({"trigger_id": "t.1", "view": VIEW}))
    assert fake_slack.connections_opened == 1
    assert [call.method for call in fake_slack.calls] == ["users.info", "chat.postMessage", "views.open"]


def test_slack_sdks_own_client_opens_one_connection_a_call(fake_slack: FakeSlack) -> None:
    """What the fake counts, and what the kept connections save."""
    client = _plain(fake_slack)
    client.users_info(user="U0EMP1")
    client.chat_postMessage(channel="C0SAFETY", text="one")
    assert fake_slack.connections_opened == 2


def test_a_connection_slack_closed_while_idle_is_replaced_without_a_failed_call(fake_slack: FakeSlack) -> None:
    fake_slack.idle_timeout = 0.1
    client = _kept(fake_slack)
    client.users_info(user="U0EMP1")
    client.users_info(user="U0EMP2")
    time.sleep(0.4)  # the fake has closed it by now
    assert client.users_info(user="U0EMP1")["ok"]
    assert fake_slack.connections_opened == 2
    assert fake_slack.errors == []


def test_after_a_lost_answer_the_next_call_gets_its_own_answer_on_a_new_connection(fake_slack: FakeSlack) -> None:
    client = _kept(fake_slack)
    client.users_info(user="U0EMP1")
    fake_slack.timeout("chat.postMessage", seconds=2)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0SAFETY", text="lost")
    answer = client.users_info(user="U0EMP2")  # not the late answer to the lost call
    assert answer["user"]["id"] == "U0EMP2"
    assert fake_slack.connections_opened == 2


def test_with_a_proxy_set_calls_go_through_it(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there: the call must fail
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    client = _kept(fake_slack)
    with pytest.raises(URLError):
        client.users_info(user="U0EMP1")
    with pytest.raises(URLError):
        post_json(client, "views.open", json.dumps({"trigger_id": "t.1", "view": VIEW}))
    assert fake_slack.calls == []


Call = Callable[[WebClient], Any]
CALLS: dict[str, Call] = {
    "api_call": lambda client: client.api_call("views.open", json={"trigger_id": "t.1", "view": VIEW}),
    "post_json": lambda client: post_json(client, "views.open", json.dumps({"trigger_id": "t.1", "view": VIEW})),
}


def _outcome(fake: FakeSlack, client: WebClient, call: Call, script: Callable[[FakeSlack], None]) -> tuple[Any, ...]:
    script(fake)
    try:
        answer = call(client)
    except SlackApiError as exc:
        response = exc.response
        return ("error", response.status_code, response.get("error"), response.headers.get("Retry-After"))
    return ("ok", answer.status_code, answer["ok"], answer.headers.get("Retry-After"))


SCRIPTS: dict[str, Callable[[FakeSlack], None]] = {
    "answered": lambda fake: None,
    "refused": lambda fake: fake.error("views.open", "expired_trigger_id"),
    "rate limited": lambda fake: fake.rate_limit("views.open", retry_after=7),
    "server error": lambda fake: fake.fail("views.open", 503),
}


@pytest.mark.parametrize("how", CALLS)
@pytest.mark.parametrize("what", SCRIPTS)
def test_answers_and_errors_are_slack_sdks_own(fake_slack: FakeSlack, how: str, what: str) -> None:
    expected = _outcome(fake_slack, _plain(fake_slack), CALLS["api_call"], SCRIPTS[what])
    assert _outcome(fake_slack, _kept(fake_slack), CALLS[how], SCRIPTS[what]) == expected
    assert expected[0] == ("ok" if what == "answered" else "error")


def test_every_listener_gets_the_apps_one_client_and_its_connections(bot: RunningBot) -> None:
    opened = bot.fake.connections_opened
    for person in ("U0EMP1", "U0EMP2") * 3:
        open_modal(bot, person, "boxes in the fire exit")
    # A fresh client per request would open one a modal; the app's client reuses its few (the sender and the
    # look-ups may hold one while a modal goes out).
    assert bot.fake.connections_opened - opened <= 3
    assert len(bot.fake.calls_to("views.open")) == 6


class _Scripted:
    """A loopback HTTP/1.1 server with keep-alive whose answers are scripted per request on a connection:
    "answer" (a JSON answer naming the request's path and its number), "early" (a 103 before the answer),
    or "close" (the connection closed, no answer: an idle close racing the request)."""

    def __init__(self, script: list[str]) -> None:
        self.script, self.requests = script, 0
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            while True:
                head = [reader.readline()]
                while head[-1] not in (b"\r\n", b""):
                    head.append(reader.readline())
                if head[-1] == b"":
                    return
                length = next((int(line.split(b":")[1]) for line in head
                               if line.lower().startswith(b"content-length")), 0)
                reader.read(length)
                self.requests += 1
                step = self.script[self.requests - 1] if self.requests <= len(self.script) else "answer"
                if step == "close":
                    return
                body = json.dumps({"ok": True, "path": head[0].split()[1].decode(), "n": self.requests}).encode()
                early = b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" if step == "early" else b""
                conn.sendall(early + b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[[list[str]], _Scripted]]:
    servers: list[_Scripted] = []

    def make(script: list[str]) -> _Scripted:
        servers.append(_Scripted(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_a_read_whose_kept_connection_was_closed_before_answering_is_asked_again(
        scripted: Callable[[list[str]], _Scripted]) -> None:
    server = scripted(["answer", "close"])
    client = make_client(token="xoxb-test", base_url=server.url, timeout=2)
    client.auth_test()
    assert client.users_info(user="U1")["n"] == 3  # asked again, on a new connection
    assert server.connections == 2


def test_a_write_whose_kept_connection_was_closed_before_answering_is_not_sent_again(
        scripted: Callable[[list[str]], _Scripted]) -> None:
    server = scripted(["answer", "close"])
    client = make_client(token="xoxb-test", base_url=server.url, timeout=2)
    client.auth_test()
    with pytest.raises(ConnectionError):  # the outbox's to decide: it may have been posted
        client.chat_postMessage(channel="C1", text="once")
    assert server.requests == 2


def test_after_an_interim_answer_the_next_call_gets_its_own_answer(
        scripted: Callable[[list[str]], _Scripted]) -> None:
    server = scripted(["early"])
    client = make_client(token="xoxb-test", base_url=server.url, timeout=2)
    with pytest.raises(SlackApiError):
        client.auth_test()
    assert client.users_info(user="U1")["path"] == "/api/users.info"


def test_a_connection_idle_too_long_is_not_used_again(fake_slack: FakeSlack) -> None:
    client = _kept(fake_slack)
    client.connections = Connections(idle_seconds=0.05)
    client.users_info(user="U0EMP1")
    client.users_info(user="U0EMP1")
    time.sleep(0.1)  # the fake would keep it open for 30 s: the client does not trust it that long
    client.users_info(user="U0EMP1")
    assert fake_slack.connections_opened == 2


def test_a_call_in_flight_when_the_pool_closes_does_not_leave_its_connection_open(fake_slack: FakeSlack) -> None:
    pool = Connections()
    address = ("http", "127.0.0.1", fake_slack.port)
    connection, _ = pool.take(address, timeout=1, context=None)
    pool.close()
    pool.give_back(address, connection)
    assert connection.sock is None


def test_many_open_files_do_not_stop_connections_being_kept(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Descriptors numbered over 1024 (a busy process) are watched as well as low ones."""
    files = [open(tmp_path / "f", "wb") for _ in range(1100)]  # noqa: SIM115 (closed below)
    try:
        client = _kept(fake_slack)
        for _ in range(3):
            client.users_info(user="U0EMP1")
        assert fake_slack.connections_opened == 1
    finally:
        for file in files:
            file.close()
