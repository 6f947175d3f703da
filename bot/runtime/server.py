"""Running the HTTP app: in the foreground for `safetybot serve`, or on a thread for the demo and tests."""

from __future__ import annotations

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
                      ready=lambda: ready(runtime.engine), max_body_bytes=settings.max_request_bytes)


def serve_forever(app: Starlette, *, port: int, host: str = "0.0.0.0") -> None:
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, lifespan="off")


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
