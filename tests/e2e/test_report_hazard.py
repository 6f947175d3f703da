"""Reporting a hazard, end to end: signed requests in, what each person sees out."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot
from tests.helpers import open_modal, reference_in, submit


def test_hazard_command_opens_prefilled_modal_in_the_persons_language(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP1", "boxes in the fire exit")
    assert view["title"]["text"] == "报告安全隐患"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["hz_description"]["element"]["initial_value"] == "boxes in the fire exit"
    assert blocks["hz_department"]["element"]["initial_option"]["value"] == "cs1"
    assert blocks["hz_photo"]["element"]["type"] == "file_input"

    english = open_modal(bot, "U0HEAD2")  # head of cs2, Slack locale zh-CN
    assert english["title"]["text"] == "报告安全隐患"
    assert open_modal(bot, "U0EMP2")["title"]["text"] == "Report a hazard"  # en-GB


def test_a_report_reaches_head_deputy_safety_channel_and_reporter(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP2")
    answer = submit(bot, "U0EMP2", view)
    assert answer["response_action"] == "update"
    assert "HZ-2026-0001" in str(answer["view"]) or "HZ-" in str(answer["view"])
    reference = reference_in(str(answer["view"]))

    posts = bot.fake.wait_for("chat.postMessage", count=4)
    by_channel = {c.params["channel"]: c for c in posts}
    assert set(by_channel) == {"C0SAFETY", "U0HEAD1", "U0DEP1", "U0EMP2"}
    head = " ".join(bot.fake.texts_for("U0HEAD1"))
    assert reference in head and "3F east fire exit" in head and "Fire" in head
    assert "Boxes block the fire exit" in head
    deputy = " ".join(bot.fake.texts_for("U0DEP1"))
    assert reference in deputy and "消防" in deputy  # the deputy reads Chinese
    assert reference in " ".join(bot.fake.texts_for("U0EMP2"))
    safety = " ".join(bot.fake.texts_for("C0SAFETY"))
    assert reference in safety and "<@U0EMP2>" in safety

    # The safety-channel post becomes the case thread.
    runtime = bot.runtime
    ts = by_channel["C0SAFETY"]
    deadline_ok = _eventually(lambda: _thread_of(runtime, reference) is not None)
    assert deadline_ok
    assert _thread_of(runtime, reference) == ("C0SAFETY", bot.fake.messages("C0SAFETY")[0]["ts"])
    assert ts.params["channel"] == "C0SAFETY"


def _thread_of(runtime: Any, reference: str) -> tuple[str, str] | None:
    with runtime.services.uow() as uow:
        hazard = uow.hazards.get(reference)
        return (hazard.thread_channel, hazard.thread_ts) if hazard and hazard.thread_ts else None


def _eventually(check: Any, timeout: float = 5.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False
