"""FakeSlack driven by a real slack_sdk WebClient: messages, history, users, views, response_url."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.fakeslack import OK, FakeSlack, validate_block_kit
from tests.runtime.fakeslack.conftest import SECTION


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
