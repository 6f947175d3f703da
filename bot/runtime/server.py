"""Running the HTTP app: in the foreground for `safetybot serve`, or on a thread for the demo and tests."""

from __future__ import annotations

import errno
import socket
import threading
import time
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette

from handlers.core.http import build_asgi
from storage.db import probe, ready

if TYPE_CHECKING:
    from bot.runtime.app import Runtime


def front_door(runtime: Runtime) -> Starlette:
    """The HTTP app of a running bot: Slack's requests through the front door, health from its database."""
    settings = runtime.settings
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    return build_asgi(runtime.bolt, signing_secret=secret, healthy=lambda: probe(runtime.engine),
                      ready=lambda: ready(runtime.engine), max_body_bytes=settings.max_request_bytes,
                      pool=runtime.request_threads)


class CannotListen(Exception):
    """The address is taken or not ours; the message is the one line an admin reads, naming the setting."""


def listen(host: str, port: int) -> socket.socket:
    """Bind the serving socket before anything else starts, so a port in use is one line, not uvicorn's exit
    after the database was migrated and the sender started."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise CannotListen(f"HOST {host}: not an address of this machine ({exc.strerror}); "
                           "set HOST to one, or to 0.0.0.0 for all") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(f"PORT {port} is already in use on {host} (another safetybot, or another server); "
                               "stop it, or set PORT to a free port") from None
        if exc.errno == errno.EACCES:
            raise CannotListen(f"PORT {port}: not allowed to listen on it (permission denied); "
                               "set PORT to 1024 or above") from None
        raise CannotListen(f"HOST {host}, PORT {port}: cannot listen there ({exc.strerror}); "
                           "set HOST to an address of this machine, or 0.0.0.0") from None
    return sock


def serve_forever(app: Starlette, *, sock: socket.socket) -> None:
    """uvicorn on the socket `listen` bound; its own start-up lines are left out (the CLI prints one)."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


class BackgroundServer:
    """uvicorn on a loopback port chosen by the OS (port 0), so runs never collide."""

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.url = f"http://{host}:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="http", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
