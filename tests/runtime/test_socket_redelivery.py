"""Socket Mode: an envelope delivered again (same envelope_id) is acknowledged, not run a second time."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest

from handlers.core.redelivery import OnceSocketModeHandler
from tests.fakeslack import FakeSlack


class Client:
    def __init__(self) -> None:
        self.acks: list[str] = []
        self.logger = logging.getLogger("test")

    def send_socket_mode_response(self, response: Any) -> None:
        self.acks.append(response.envelope_id)


def test_a_redelivered_envelope_is_acknowledged_without_running_again(fake_slack: FakeSlack) -> None:
    app = App(client=WebClient(token="xoxb-test", base_url=fake_slack.api_url), signing_secret="s",
              token_verification_enabled=False, request_verification_enabled=False)
    runs: list[str] = []

    @app.command("/hazard")
    def on_command(ack: Any, body: dict[str, Any]) -> None:
        runs.append(body["trigger_id"])
        ack()

    handler = OnceSocketModeHandler(app, "xapp-test")
    client = Client()
    payload = {"command": "/hazard", "text": "", "user_id": "U1", "team_id": "T1", "trigger_id": "t.1",
               "channel_id": "C1", "api_app_id": "A1", "token": "x"}
    request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=payload)
    handler.handle(client, request)  # type: ignore[arg-type]
    handler.handle(client, request)  # type: ignore[arg-type]
    assert client.acks == ["env-1", "env-1"]
    assert runs == ["t.1"]
