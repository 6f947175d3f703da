"""The baseline for `bench/ack_bench.py`: `/hazard` opening a modal, written the way Bolt's docs show.

A sync `slack_bolt.App`, one `@app.command` listener that acks and then calls `views.open`, served by
Bolt's own Starlette adapter (`slack_bolt.adapter.starlette.SlackRequestHandler`) under uvicorn:

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:8000/api/ \
        uvicorn bare_bolt_app:api --app-dir bench --port 3001

One deviation from a verbatim copy of the docs: the token goes on the `WebClient`, not on `App(token=...)`.
When `client=` is given Bolt ignores `token=` (it logs "As you gave `client` as well, `token` will be
unused.") and, with a token-less client, refuses to start; `WebClient(token=..., base_url=...)` is how
Bolt takes a custom API URL.

`GET /healthz` exists only so the benchmark knows when uvicorn is up; Slack never calls it.
"""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

app = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
)


@app.command("/hazard")
def open_hazard_modal(ack, body, client):  # type: ignore[no-untyped-def]
    ack()
    client.views_open(
        trigger_id=body["trigger_id"],
        view={
            "type": "modal",
            "callback_id": "hazard_report",
            "title": {"type": "plain_text", "text": "Report a hazard"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "hz_description",
                    "label": {"type": "plain_text", "text": "What did you see?"},
                    "element": {"type": "plain_text_input", "action_id": "description", "multiline": True},
                }
            ],
        },
    )


app_handler = SlackRequestHandler(app)


async def endpoint(req: Request) -> Response:
    return await app_handler.handle(req)


async def healthz(_req: Request) -> Response:
    return PlainTextResponse("ok")


api = Starlette(
    routes=[
        Route("/slack/events", endpoint=endpoint, methods=["POST"]),
        Route("/healthz", endpoint=healthz, methods=["GET"]),
    ]
)
