"""The loopback HTTP server: reads a request, hands it to the fake, writes the answer (late if told).

HTTP/1.1 with keep-alive, as Slack's Web API is: a client may send one call after another on one
connection (`handlers.core.connections`), or close it after each (urllib's `Connection: close`). An idle
connection is closed after the fake's `idle_timeout`, as Slack's front end closes one after a while.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import TYPE_CHECKING, Any

from bot.runtime.fakeslack.records import Answer, json_bytes

if TYPE_CHECKING:
    from bot.runtime.fakeslack.fake import FakeSlack


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        self.fake = fake
        self.connections_opened = 0
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self.connections_opened += 1
            self._open.add(request)
        # The handler writes an answer's headers and its body separately: without this, Nagle's algorithm
        # holds the body back until the client acknowledges the headers (up to 40 ms on a kept connection).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """Ends the kept-alive connections, whose handlers wait for a next request, so stop() leaves none."""
        with self._open_lock:
            open_now = list(self._open)
        for sock in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which may hit DNS; skip it.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Quiet: client disconnects (e.g. after a client-side timeout) are expected.
        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, ConnectionError):
            self.fake.errors.append(exc)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.fake.idle_timeout)  # a kept connection idle this long is closed

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.server.fake
        arrived = time.monotonic()
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            answer = fake._dispatch(
                raw_path=self.path,
                body=body,
                content_type=self.headers.get("Content-Type", ""),
                authorization=self.headers.get("Authorization"),
                arrived=arrived,
            )
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for inspection
            fake.errors.append(exc)
            data = {"ok": False, "error": "fake_internal_error", "detail": repr(exc)}
            answer = Answer(500, json_bytes(data))
        if answer.sleep > 0:
            fake._stopping.wait(answer.sleep)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if answer.cut:
                self.wfile.write(answer.body[:len(answer.body) // 2])
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(answer.body)
        except (ConnectionError, TimeoutError):
            pass  # the client gave up (client-side timeout): fine
