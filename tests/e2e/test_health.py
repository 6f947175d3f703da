"""`GET /healthz`: 200 while the database answers, 503 once it does not (what a load balancer acts on)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from bot.core.org import Org
from bot.runtime.app import create_app
from bot.runtime.server import BackgroundServer
from handlers.core.http import build_asgi
from storage.db import make_engine, ping
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fakeslack import FakeSlack


def healthz(base_url: str) -> httpx.Response:
    return httpx.get(f"{base_url}/healthz", timeout=10)


class TcpProxy:
    """Relays a port to the database, so a test can make the database stop answering: `cut()` closes
    the port and every relayed connection, `restore()` opens the same port again."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self.port = 0
        self.restore()

    def restore(self) -> None:
        self._stop.clear()
        self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the port comes back
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept, self._listener)

    def cut(self) -> None:
        self._stop.set()
        with self._lock:
            threads, self._threads = self._threads, []
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)
        for sock in sockets:
            sock.close()
        assert self._listener is not None
        self._listener.close()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[str, TcpProxy]]:
    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    yield urlunsplit(parts._replace(netloc=netloc)), proxy
    proxy.cut()


def test_healthz_says_ok_while_the_database_answers(bot: RunningBot) -> None:
    answer = healthz(bot.server.url)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "database": "up"}


@pytest.mark.postgres
def test_healthz_answers_503_once_postgresql_stops_answering_and_200_when_it_is_back(
    fake_slack: FakeSlack, proxied_postgres: tuple[str, TcpProxy], org: Org
) -> None:
    url, proxy = proxied_postgres
    running = start_bot(fake_slack, url, org, background=False)
    try:
        assert healthz(running.server.url).status_code == 200  # a pooled connection through the proxy now

        proxy.cut()
        answer = healthz(running.server.url)
        assert answer.status_code == 503
        assert answer.json() == {"ok": False, "database": "down"}

        proxy.restore()
        assert healthz(running.server.url).status_code == 200
    finally:
        running.stop()


def test_healthz_answers_503_when_the_sqlite_file_cannot_be_opened(
    fake_slack: FakeSlack, tmp_path: Path, org: Org
) -> None:
    runtime = create_app(make_settings(fake_slack, f"sqlite:///{tmp_path / 'safetybot.db'}"), org=org)
    # The same Bolt app behind a health check on a database file that cannot be opened: its directory
    # is a regular file, as when the volume holding it is gone.
    (tmp_path / "volume").write_text("a file where the database's directory should be")
    unreachable = make_engine(f"sqlite:///{tmp_path / 'volume' / 'safetybot.db'}")
    healthy = BackgroundServer(runtime.asgi()).start()
    broken = BackgroundServer(build_asgi(runtime.bolt, healthy=lambda: ping(unreachable))).start()
    try:
        assert healthz(healthy.url).status_code == 200
        answer = healthz(broken.url)
        assert answer.status_code == 503
        assert answer.json() == {"ok": False, "database": "down"}
    finally:
        broken.stop()
        healthy.stop()
        unreachable.dispose()
        runtime.close()
