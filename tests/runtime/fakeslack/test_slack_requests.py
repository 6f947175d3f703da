"""The signed request builders: signatures Slack's verifier accepts, payloads Bolt understands."""

from __future__ import annotations

import time
from typing import Any

import httpx
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.runtime import slack_requests as sp
from bot.runtime.fakeslack import FakeSlack
from tests.runtime.fakeslack.conftest import SECRET


def test_sign_matches_slack_sdk_verifier() -> None:
    request = sp.slash_command("/safety", "report", user_id="U1")
    headers = sp.sign(request.body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body=request.body.decode(),
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not verifier.is_valid_request(request.body.decode(), sp.sign(request.body, "other-secret"))
    stale = sp.sign(request.body, SECRET, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid_request(request.body.decode(), stale)


def test_sender_posts_signed_requests(fake: FakeSlack) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    verifier = SignatureVerifier(SECRET)
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        sp.SlackSender(
            "http://app.test", SECRET, client=http, response_url_base=fake.response_url_base
        ) as slack,
    ):
        slack.command("/safety", "report", user_id="U1")
        slack.submit_view(user_id="U1", callback_id="report", values={"b": {"a": sp.plain_text("x")}})
        slack.click(user_id="U1", action_id="ok", value="1", channel_id="C1", message_ts="1.2")
        slack.shortcut(user_id="U1", callback_id="flag", channel_id="C1", message_ts="1.2", message_text="m")
        slack.event({"type": "app_mention", "text": "hi"})
        slack.post(b"x=1", signature="v0=forged")
    assert [str(r.url) for r in seen] == ["http://app.test/slack/events"] * 6
    for request in seen[:5]:
        assert verifier.is_valid_request(request.content.decode(), dict(request.headers))
    assert seen[4].headers["Content-Type"] == "application/json"
    assert seen[5].headers["X-Slack-Signature"] == "v0=forged"
    assert (
        f"response_url={fake.response_url_base}".replace(":", "%3A").replace("/", "%2F")
        in seen[0].content.decode()
    )


def test_payloads_are_understood_by_bolt(fake: FakeSlack, client: WebClient) -> None:
    app = App(client=client, signing_secret=SECRET, process_before_response=True)
    seen: list[tuple[str, Any]] = []

    @app.command("/safety")
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen.append(("command", command["text"]))
        respond("got it")

    @app.view("report")
    def on_submit(ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        seen.append(("view", (body["user"]["id"], view["private_metadata"], view["state"]["values"])))

    @app.action("approve")
    def on_click(ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        seen.append(("click", (action["value"], body["container"]["channel_id"])))

    @app.action("pick")
    def on_pick(ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        seen.append(("pick", (action["selected_option"]["value"], body["view"]["id"])))

    @app.shortcut("flag")
    def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        ack()
        seen.append(("shortcut", shortcut["message"]["text"]))

    def dispatch(request: sp.SlackRequest, secret: str = SECRET) -> int:
        headers = sp.sign(request.body, secret)
        headers["Content-Type"] = request.content_type
        return app.dispatch(BoltRequest(body=request.body.decode(), headers=headers)).status

    values = {
        "what": {"v": sp.plain_text("ladder broken")},
        "when": {"d": sp.datepicker("2024-05-01")},
        "who": {"u": sp.users_select("U2")},
        "kind": {"k": sp.static_select("fall")},
        "tags": {"t": sp.checkboxes(["a", "b"])},
        "photo": {"f": sp.file_input(["F1"])},
    }
    statuses = [
        dispatch(
            sp.slash_command("/safety", "report now", user_id="U1", response_url=fake.response_url_base + "c")
        ),
        dispatch(
            sp.view_submission(user_id="U1", callback_id="report", values=values, private_metadata="pm")
        ),
        dispatch(
            sp.block_actions(user_id="U1", action_id="approve", value="42", channel_id="C1", message_ts="1.2")
        ),
        dispatch(
            sp.block_actions(
                user_id="U1", action_id="pick", value="o", action_type="static_select", view={"id": "V9"}
            )
        ),
        dispatch(
            sp.message_shortcut(
                user_id="U1", callback_id="flag", channel_id="C1", message_ts="1.2", message_text="m"
            )
        ),
        dispatch(sp.slash_command("/safety", "forged", user_id="U1"), secret="wrong"),
    ]
    assert statuses == [200, 200, 200, 200, 200, 401]
    assert seen == [
        ("command", "report now"),
        ("view", ("U1", "pm", values)),
        ("click", ("42", "C1")),
        ("pick", ("o", "V9")),
        ("shortcut", "m"),
    ]
    assert fake.wait_for("response_url")[0].params == {"text": "got it"}
