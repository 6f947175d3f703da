"""A fake Slack Web API served on loopback, for behaviour tests, benchmarks and ``safetybot demo``.

Shipped in the package (not under tests/) so the installed wheel's ``safetybot demo`` runs anywhere.
Stdlib plus ``slack_sdk`` (only :func:`validate_block_kit` uses it).

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="U123", text="hi")
        assert fake.texts_for("U123") == ["hi"]

Every request is recorded as a :class:`Call` *before* its answer is written (so a caller that got
an answer always finds its call in ``fake.calls``); ``call.outcome`` says what the fake answered.
"""

from __future__ import annotations

from bot.runtime.fakeslack.blockkit import validate_block_kit
from bot.runtime.fakeslack.fake import FakeSlack
from bot.runtime.fakeslack.records import (
    ACTED_ERROR,
    CUT,
    DELIVERED,
    ERROR,
    HTTP_ERROR,
    OK,
    RATELIMITED,
    TIMEOUT,
    TIMEOUT_UNPROCESSED,
    Call,
)

__all__ = [
    "ACTED_ERROR",
    "CUT",
    "DELIVERED",
    "ERROR",
    "HTTP_ERROR",
    "OK",
    "RATELIMITED",
    "TIMEOUT",
    "TIMEOUT_UNPROCESSED",
    "Call",
    "FakeSlack",
    "validate_block_kit",
]
