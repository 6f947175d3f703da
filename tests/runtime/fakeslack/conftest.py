"""Fixtures for the fake Slack's own tests: a started fake and a real slack_sdk client aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.runtime.fakeslack import FakeSlack

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
