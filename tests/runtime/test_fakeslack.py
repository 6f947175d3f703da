"""Tests of the test tools themselves: FakeSlack driven by a real slack_sdk WebClient, and slack_payloads."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from tests import slack_payloads as sp
from tests.fakeslack import ERROR, HTTP_ERROR, OK, RATELIMITED, TIMEOUT, FakeSlack, validate_block_kit

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Hazard* reported"}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f
        assert f.errors == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    c = WebClient(token="xoxb-test", base_url=fake.api_url)
    c.retry_handlers.clear()
    return c


def test_urls(fake: FakeSlack) -> None:
    assert fake.api_url == f"http://127.0.0.1:{fake.port}/api/"
    assert fake.response_url_base == f"http://127.0.0.1:{fake.port}/respond/"


def test_post_to_channel_and_user(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hello channel", blocks=[SECTION])
    second = client.chat_postMessage(channel="U42", text="hello you")
    assert first["channel"] == "C1"
    assert second["channel"] == "D42"
    assert float(second["ts"]) > float(first["ts"])
    assert fake.texts_for("C1") == ["hello channel\n*Hazard* reported"]
    assert fake.texts_for("U42") == fake.texts_for("D42") == ["hello you"]
    call = fake.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-test"
    assert call.params["blocks"] == [SECTION]
    assert call.outcome == OK
    assert client.conversations_open(users="U42")["channel"]["id"] == "D42"
    link = client.chat_getPermalink(channel="C1", message_ts=first["ts"])["permalink"]
    assert link == f"https://example.slack.com/archives/C1/p{first['ts'].replace('.', '')}"


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        data={
            "channel": "C1",
            "text": "t",
            "blocks": json.dumps([SECTION]),
            "metadata": '{"event_type": "x"}',
        },
    )
    params = fake.calls_to("chat.postMessage")[0].params
    assert params["blocks"] == [SECTION]
    assert params["metadata"] == {"event_type": "x"}


def test_history_replies_and_update(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "inspection_due", "event_payload": {"id": 7}}
    parent = client.chat_postMessage(channel="U1", text="parent", metadata=metadata)
    client.chat_postMessage(channel="D1", text="reply", thread_ts=parent["ts"])
    newest = client.chat_postMessage(channel="U1", text="newest")

    plain = client.conversations_history(channel="D1")["messages"]
    assert [m["text"] for m in plain] == ["newest", "parent"]
    assert all("metadata" not in m for m in plain)
    assert plain[1]["reply_count"] == 1
    with_meta = client.conversations_history(channel="D1", include_all_metadata=True)["messages"]
    assert with_meta[1]["metadata"] == metadata
    assert "metadata" not in with_meta[0]
    older = client.conversations_history(channel="D1", latest=newest["ts"], limit=1)
    assert [m["text"] for m in older["messages"]] == ["parent"]

    replies = client.conversations_replies(channel="D1", ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]

    client.chat_update(channel="D1", ts=newest["ts"], text="edited", blocks=[SECTION])
    assert fake.texts_for("U1")[-1] == "edited\n*Hazard* reported"
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="D1", ts="1.000001", text="nope")
    assert err.value.response["error"] == "message_not_found"


def test_users_info(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", name="Li Wei", locale="zh-CN")
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert user["locale"] == "zh-CN"
    assert user["tz"] == "Asia/Shanghai"
    assert user["profile"]["display_name"] == "Li Wei"
    assert "locale" not in client.users_info(user="U1")["user"]
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"


def test_views_and_misc_methods(fake: FakeSlack, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Report"}, "blocks": [SECTION]}
    opened = client.views_open(trigger_id="t", view=view)["view"]
    assert opened["id"].startswith("V")
    updated = client.views_update(view_id=opened["id"], view=view)["view"]
    assert updated["id"] == opened["id"]
    assert client.auth_test()["user_id"] == "UBOT"
    created = client.conversations_create(name="incident-1")["channel"]["id"]
    assert created.startswith("C")
    with pytest.raises(SlackApiError) as err:
        client.conversations_create(name="incident-1")
    assert err.value.response["error"] == "name_taken"
    assert client.api_call("some.unknown")["ok"] is True
    assert [c.method for c in fake.calls][-1] == "some.unknown"


def test_fail_500(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 500
    assert fake.calls_to("chat.postMessage")[0].outcome == HTTP_ERROR
    assert fake.messages("C1") == []
    assert fake.delivered() == []
    client.chat_postMessage(channel="C1", text="second try")  # the script was consumed
    assert fake.texts_for("C1") == ["second try"]


def test_rate_limit_429(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("chat.postMessage", retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x")
        assert err.value.response.status_code == 429
        assert err.value.response.headers["Retry-After"] == "7"
        assert err.value.response["error"] == "ratelimited"
    assert [c.outcome for c in fake.calls] == [RATELIMITED, RATELIMITED]
    assert fake.messages("C1") == []


def test_error_and_channel_error(fake: FakeSlack, client: WebClient) -> None:
    fake.error("chat.postMessage", error="not_in_channel")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "not_in_channel"
    fake.set_channel_error("U9", "cannot_dm_bot")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="D9", text="x")
    assert err.value.response["error"] == "cannot_dm_bot"
    assert [c.outcome for c in fake.calls] == [ERROR, ERROR]
    assert fake.calls[1].error == "cannot_dm_bot"
    assert fake.messages("U9") == []


def test_timeout_processed_and_unprocessed(fake: FakeSlack) -> None:
    impatient = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=0.5)
    impatient.retry_handlers.clear()
    fake.timeout("chat.postMessage", seconds=2.0)
    fake.timeout("chat.postMessage", seconds=2.0, processed=False)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C1", text="maybe delivered")
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C1", text="never delivered")
    assert time.monotonic() - started < 1.9
    assert fake.texts_for("C1") == ["maybe delivered"]
    assert [c.outcome for c in fake.calls] == [TIMEOUT, "timeout_unprocessed"]
    assert [c.params["text"] for c in fake.delivered()] == ["maybe delivered"]


def test_timeout_answers_late_to_a_patient_client(fake: FakeSlack, client: WebClient) -> None:
    fake.timeout("chat.postMessage", seconds=0.2)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="late")["ok"] is True
    assert time.monotonic() - started >= 0.2


def test_delay(fake: FakeSlack, client: WebClient) -> None:
    fake.delay("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    fake.delay("auth.test", 0)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3


def test_token_bucket_and_random_429(fake: FakeSlack, client: WebClient) -> None:
    fake.set_rate_limit("chat.postMessage", per_second=2)
    outcomes = []
    for _ in range(4):
        try:
            client.chat_postMessage(channel="C1", text="x")
            outcomes.append("ok")
        except SlackApiError as err:
            assert err.response.headers["Retry-After"] == "1"
            outcomes.append("429")
    assert outcomes[:2] == ["ok", "ok"]
    assert "429" in outcomes[2:]
    fake.reset()
    fake.random_429("auth.test", probability=0.5, seed=1)
    results = []
    for _ in range(20):
        try:
            client.auth_test()
            results.append(True)
        except SlackApiError:
            results.append(False)
    assert 0 < sum(results) < 20


def test_reset(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1")
    fake.fail("auth.test")
    client.chat_postMessage(channel="C1", text="x")
    fake.reset()
    assert fake.calls == []
    assert fake.messages("C1") == []
    assert client.auth_test()["ok"] is True
    assert client.users_info(user="U1")["ok"] is True


def test_wait_for(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        for n in range(2):
            client.chat_postMessage(channel="C1", text=f"bg {n}")

    worker = threading.Thread(target=later)
    worker.start()
    try:
        calls = fake.wait_for("chat.postMessage", count=2, timeout=5)
    finally:
        worker.join()
    assert [c.params["text"] for c in calls] == ["bg 0", "bg 1"]
    with pytest.raises(AssertionError, match=r"expected 1 call\(s\) to views.open .*chat.postMessage\[ok\]"):
        fake.wait_for("views.open", timeout=0.05)


def test_response_url(fake: FakeSlack) -> None:
    with httpx.Client() as http:
        reply = http.post(
            fake.response_url_base + "commands/T1/1/abc", json={"text": "done", "blocks": [SECTION]}
        )
    assert reply.json() == {"ok": True}
    call = fake.wait_for("response_url")[0]
    assert call.path == "/respond/commands/T1/1/abc"
    assert call.params["text"] == "done"
    validate_block_kit(fake)


def test_validate_block_kit_accepts_valid(fake: FakeSlack, client: WebClient) -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Inspection due"}},
        SECTION,
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Site*\nPlant 2"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "due 2024-05-01"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Done"},
                    "action_id": "d",
                    "value": "1",
                }
            ],
        },
    ]
    client.chat_postMessage(channel="C1", text="Inspection due", blocks=blocks)
    view = {
        "type": "modal",
        "callback_id": "report",
        "title": {"type": "plain_text", "text": "Report a hazard"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "what",
                "label": {"type": "plain_text", "text": "What happened?"},
                "element": {"type": "plain_text_input", "action_id": "v", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "photo",
                "optional": True,
                "label": {"type": "plain_text", "text": "Photos"},
                "element": {"type": "file_input", "action_id": "f", "filetypes": ["jpg", "png"]},
            },
        ],
    }
    client.views_open(trigger_id="t", view=view)
    validate_block_kit(fake)
    assert fake.texts_for("C1") == [
        "Inspection due\nInspection due\n*Hazard* reported\n*Site*\nPlant 2\ndue 2024-05-01\nDone"
    ]


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        (
            "chat_postMessage",
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
            "3000",
        ),
        ("chat_postMessage", {"blocks": [SECTION] * 51}, "max 50"),
        ("chat_postMessage", {"blocks": [{"type": "sektion", "text": "x"}]}, "unknown block type"),
        (
            "chat_postMessage",
            {"blocks": [{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}]},
            "skipped",
        ),
        (
            "chat_update",
            {
                "ts": "1.1",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x" * 76}}],
                    }
                ],
            },
            "75",
        ),
        (
            "views_open",
            {
                "view": {
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "x" * 25},
                    "blocks": [SECTION],
                }
            },
            "24",
        ),
        (
            "views_open",
            {
                "view": {
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "ok"},
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
                }
            },
            "3000",
        ),
    ],
)
def test_validate_block_kit_rejects_invalid(
    fake: FakeSlack, client: WebClient, method: str, kwargs: dict[str, Any], message: str
) -> None:
    args = dict(kwargs)
    if method.startswith("chat_"):
        args.update(channel="C1", text="fallback")
    else:
        args["trigger_id"] = "t"
    with contextlib.suppress(SlackApiError):  # e.g. chat.update of an unknown ts: still recorded
        getattr(client, method)(**args)
    with pytest.raises(AssertionError, match=message) as err:
        validate_block_kit(fake)
    assert "call #0" in str(err.value)


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
