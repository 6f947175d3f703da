"""HTTP mode: `POST /slack/events` for everything Slack sends, `GET /healthz` for the load balancer.

A small Starlette app instead of Bolt's adapter: the request is handed to Bolt on a worker thread, so
the event loop keeps accepting requests while a listener works, and acks go out as soon as Bolt
returns (listeners ack first and leave slow work to lazy listeners).
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build_asgi(bolt: App, *, healthy: Callable[[], bool]) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        bolt_request = BoltRequest(body=body, query=request.url.query, headers=dict(request.headers))
        answer = await run_in_threadpool(bolt.dispatch, bolt_request)
        headers = {k: v[0] for k, v in answer.headers.items() if v and k.lower() != "content-length"}
        return Response(content=answer.body, status_code=answer.status, headers=headers)

    async def healthz(_request: Request) -> Response:
        ok = await run_in_threadpool(healthy)
        return JSONResponse({"ok": ok, "database": "up" if ok else "down"}, status_code=200 if ok else 503)

    return Starlette(routes=[
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
