"""The emergency plan's checklist as Slack shows it: an item's words are shown as written, ticked or not."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from handlers.incidents.views import build_checklist
from tests.helpers import rich_elements, typed_as_typed

HOSTILE = "*bold* _x_ ~x~ <!channel> <@U0BOSS>"
AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def test_a_ticked_item_keeps_its_words_as_written_and_names_who_ticked_it() -> None:
    from bot.incidents.contexts import ChecklistPage

    items = [{"item": 0, "en": f"Cut power {HOSTILE}", "zh": f"断电 {HOSTILE}", "done_by": "U0SAFE1", "done_at": AT},
             {"item": 1, "en": f"Call 119 {HOSTILE}", "zh": f"拨打119 {HOSTILE}"}]
    page = ChecklistPage(reference="INC-2026-0001", kind="fire", status="responding", occurred_at=AT, reported_at=AT,
                         location="Hall 3", description="Smoke", injured=0, injured_names="", immediate_actions="",
                         reporter="U0EMP1", department=None, confidential=False, urgent=True, timezone="Asia/Shanghai",
                         checklist=items, recipient="C0INC")
    for locale, word in (("en", "Cut power"), ("zh-CN", "断电")):
        blocks = build_checklist(page, locale)["blocks"]
        for block in blocks:
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.validate_json()
        assert f"{word} {HOSTILE}" in typed_as_typed(blocks)
        assert {"type": "user", "user_id": "U0SAFE1"} in rich_elements(blocks)
        assert not [b for b in blocks if b["type"] == "section" and b["text"]["type"] == "mrkdwn"]
