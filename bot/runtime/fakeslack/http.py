"""The loopback HTTP server: reads a request, hands it to the fake, writes the answer (late if told)."""

from __future__ import annotations

import sys
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
        super().__init__(address, Handler)

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
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()

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
            self.wfile.write(answer.body)
        except (ConnectionError, TimeoutError):
            pass  # the client gave up (client-side timeout): fine
