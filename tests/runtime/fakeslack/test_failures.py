"""FakeSlack's scripted failures: HTTP errors, 429s, ok:false, timeouts, delays, rate limits."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.fakeslack import ERROR, HTTP_ERROR, RATELIMITED, TIMEOUT, FakeSlack


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
