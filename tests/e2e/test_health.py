"""`GET /healthz`: 200 while the database takes writes, 503 within a second once it does not; `GET /readyz`:
that, and the schema is at this code's head (what a load balancer acts on)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import make_url, text

from bot.core.org import Org
from bot.runtime.app import Runtime, create_app
from bot.runtime.server import BackgroundServer
from handlers.core.http import build_asgi
from storage.db import make_engine, probe
from storage.migrate import upgrade
from tests.conftest import SIGNING_SECRET, RunningBot, make_settings, start_bot
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
        assert answer.json() == {"ok": False, "database": "down", "reason": "unreachable"}

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
    broken = BackgroundServer(build_asgi(runtime.bolt, signing_secret=SIGNING_SECRET,
                                         healthy=lambda: probe(unreachable))).start()
    try:
        assert healthz(healthy.url).status_code == 200
        answer = healthz(broken.url)
        assert answer.status_code == 503
        assert answer.json() == {"ok": False, "database": "down", "reason": "unreachable"}
    finally:
        broken.stop()
        healthy.stop()
        unreachable.dispose()
        runtime.close()


# ---------------------------------------------------------------------- a real write probe, bounded


def timed_healthz(base_url: str, path: str = "/healthz") -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = httpx.get(f"{base_url}{path}", timeout=10)
    return answer, time.monotonic() - started


def serve(runtime: Runtime) -> BackgroundServer:
    return BackgroundServer(runtime.asgi()).start()


@contextlib.contextmanager
def running(settings_url: str, fake_slack: FakeSlack, org: Org, *, migrate: bool = True) -> Iterator[str]:
    runtime = create_app(make_settings(fake_slack, settings_url), org=org, migrate=migrate)
    server = serve(runtime)
    try:
        yield server.url
    finally:
        server.stop()
        runtime.close()


def with_options(url: str, option: str) -> str:
    """The same PostgreSQL URL with one more server setting in its `options` (the schema's search_path stays)."""
    parsed = make_url(url)
    options = f"{parsed.query.get('options', '')} {option}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_healthz_answers_503_within_a_second_once_the_sqlite_file_is_deleted(
    fake_slack: FakeSlack, tmp_path: Path, org: Org
) -> None:
    database = tmp_path / "safetybot.db"
    with running(f"sqlite:///{database}", fake_slack, org) as url:
        assert healthz(url).status_code == 200
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)  # the volume was wiped under the running bot

        answer, took = timed_healthz(url)
        assert (answer.status_code, answer.json()) == (
            503, {"ok": False, "database": "down", "reason": "file-missing"})
        assert took < 1.0

        database.write_bytes(b"")  # someone "fixes" it with an empty file: not the file the bot opened
        answer, took = timed_healthz(url)
        assert (answer.status_code, answer.json()) == (
            503, {"ok": False, "database": "down", "reason": "file-replaced"})
        assert took < 1.0


def test_healthz_answers_503_within_a_second_while_another_writer_holds_the_sqlite_lock(
    fake_slack: FakeSlack, tmp_path: Path, org: Org
) -> None:
    database = tmp_path / "safetybot.db"
    with running(f"sqlite:///{database}", fake_slack, org) as url:
        assert healthz(url).status_code == 200
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            answer, took = timed_healthz(url)
            assert (answer.status_code, answer.json()) == (503, {"ok": False, "database": "down", "reason": "locked"})
            assert took < 1.0
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert healthz(url).status_code == 200


def test_healthz_answers_503_on_a_read_only_sqlite_database(fake_slack: FakeSlack, tmp_path: Path, org: Org) -> None:
    database = tmp_path / "safetybot.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    # mode=ro opens the file as a read-only mount would; chmod does not stop root, who runs these tests.
    with running(f"sqlite:///file:{database}?mode=ro&uri=true", fake_slack, org, migrate=False) as url:
        answer, took = timed_healthz(url)
        assert (answer.status_code, answer.json()) == (503, {"ok": False, "database": "down", "reason": "read-only"})
        assert took < 1.0


@pytest.mark.postgres
def test_healthz_answers_503_on_a_read_only_postgresql(fake_slack: FakeSlack, postgres_url: str, org: Org) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    # What a standby promoted wrongly, or a database set read-only for maintenance, looks like.
    read_only = with_options(postgres_url, "-cdefault_transaction_read_only=on")
    with running(read_only, fake_slack, org, migrate=False) as url:
        answer, took = timed_healthz(url)
        assert (answer.status_code, answer.json()) == (503, {"ok": False, "database": "down", "reason": "read-only"})
        assert took < 1.0
    with running(postgres_url, fake_slack, org, migrate=False) as url:
        assert healthz(url).status_code == 200


@pytest.mark.postgres
def test_healthz_answers_503_within_a_second_while_postgresql_is_locked(
    fake_slack: FakeSlack, postgres_url: str, org: Org
) -> None:
    with running(postgres_url, fake_slack, org) as url:
        assert healthz(url).status_code == 200
        locker = make_engine(postgres_url)
        try:
            with locker.connect() as conn, conn.begin():
                conn.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
                answer, took = timed_healthz(url)
                assert (answer.status_code, answer.json()) == (
                    503, {"ok": False, "database": "down", "reason": "locked"})
                assert took < 1.0
        finally:
            locker.dispose()
        assert healthz(url).status_code == 200


def test_healthz_answers_503_within_a_second_when_the_database_host_never_answers(
    fake_slack: FakeSlack, org: Org
) -> None:
    # A port whose connections the kernel accepts and nobody reads: a host behind a dead NAT or firewall.
    black_hole = socket.create_server(("127.0.0.1", 0))
    try:
        silent = f"postgresql+psycopg://postgres@127.0.0.1:{black_hole.getsockname()[1]}/test"
        with running(silent, fake_slack, org, migrate=False) as url:
            for _ in range(3):  # and it keeps answering while the first probe is still stuck
                answer, took = timed_healthz(url)
                assert (answer.status_code, answer.json()) == (
                    503, {"ok": False, "database": "down", "reason": "timeout"})
                assert took < 1.0
    finally:
        black_hole.close()


def test_readyz_says_ready_only_while_the_schema_is_at_head_and_writable(
    fake_slack: FakeSlack, database_url: str, org: Org
) -> None:
    with running(database_url, fake_slack, org) as url:
        answer = httpx.get(f"{url}/readyz", timeout=10)
        assert (answer.status_code, answer.json()) == (200, {"ok": True, "database": "up", "schema": "current"})

        engine = make_engine(database_url)
        with engine.begin() as conn:  # another copy rolled the schema back, or a migration is half-way
            conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
        engine.dispose()
        answer, took = timed_healthz(url, "/readyz")
        assert (answer.status_code, answer.json()) == (
            503, {"ok": False, "database": "up", "schema": "behind", "reason": "schema-behind"})
        assert took < 1.0
        assert healthz(url).status_code == 200  # the database itself is fine: only not ready for this code
