"""What keeps `/hazard`'s way to its modal short: no debug lines built for nobody, and no garbage
collector walking the start-up heap."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest

from bot.core.org import Org
from bot.runtime.app import create_app
from bot.runtime.startup import YOUNG_COLLECTION_THRESHOLD, settle_heap
from handlers.core.slack_api import make_client
from tests.conftest import make_settings
from tests.fakeslack import FakeSlack


def test_the_web_api_client_builds_no_debug_line_nobody_reads(fake_slack: FakeSlack,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk tests its logger's own level, not the effective one: at NOTSET it formats every request's
    whole body for a debug line that logging then drops."""
    client = make_client(token="xoxb-test", base_url=fake_slack.api_url, timeout=2)
    built: list[str] = []
    monkeypatch.setattr(client.logger, "debug", lambda message, *args, **kwargs: built.append(message))
    client.api_call("views.open", json={"trigger_id": "t.1", "view": {"type": "modal", "blocks": [{"type": "divider"}],
                                                                  "title": {"type": "plain_text", "text": "t"}}})
    assert built == []
    assert client.logger.level > logging.DEBUG


def test_bolt_skips_its_debug_lines_too(fake_slack: FakeSlack, database_url: str, org: Org) -> None:
    runtime = create_app(make_settings(fake_slack, database_url), org=org)
    try:
        assert runtime.bolt.logger.level > logging.DEBUG  # the one Bolt tests before each dispatch's lines
    finally:
        runtime.close()


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_the_start_up_heap_is_set_aside_from_the_collector() -> None:
    gc.unfreeze()
    settle_heap()
    assert gc.get_freeze_count() > 10_000  # this test process's modules, at least
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
