"""The same submission twice never does the work twice.

Slack may deliver a `view_submission` again, and a person whose answer was slow presses Submit again on
the same modal (the same view id). Both get the answer of the first: the same reference, one case, one
message to each person. The same for `/incident`, a new plan and Export; Slack's retries of a request
(`X-Slack-Retry-Num`) are answered without doing the work again.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.core.i18n import t
from storage.hazards import hazards
from storage.incidents import incidents
from storage.plans import plans
from tests.conftest import RunningBot
from tests.e2e.test_incidents import incident_values, settled
from tests.e2e.test_plans_slack import open_plan_modal, plan_values
from tests.helpers import count_rows, eventually, open_modal, outbox_rows, reference_in, report_values
from tests.slack_payloads import SlackRequest, block_actions, view_submission


def opened_view_id(bot: RunningBot) -> str:
    """The id Slack gave the modal the bot opened last: a submission of that modal carries it."""
    answer = bot.fake.calls_to("views.open")[-1].response
    assert answer is not None
    return str(answer["view"]["id"])


def resubmissions(bot: RunningBot, request: SlackRequest, times: int) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=times) as pool:
        answers = list(pool.map(lambda _: bot.slack.send(request), range(times)))
    assert [a.status_code for a in answers] == [200] * times
    return [a.json() if a.content else {} for a in answers]


def test_the_same_signed_report_sent_twice_makes_one_case(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP1")
    request = view_submission(user_id="U0EMP1", callback_id=view["callback_id"], values=report_values(),
                              private_metadata=view["private_metadata"], view_id=opened_view_id(bot))
    first = bot.slack.send(request).json()
    second = bot.slack.send(request).json()
    assert first["response_action"] == second["response_action"] == "update"
    assert first["view"] == second["view"]  # the same confirmation, the same reference
    assert count_rows(bot, hazards) == 1
    reference = reference_in(str(first["view"]))
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")
    assert sum(reference in text for text in bot.fake.texts_for("U0HEAD1")) == 1  # the head told once


def test_pressing_submit_again_after_a_slow_answer_gives_the_same_reference(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP2")
    view_id = opened_view_id(bot)
    # Five presses of Submit on the one modal: five requests (new trigger ids), the same view id.
    requests = [view_submission(user_id="U0EMP2", callback_id=view["callback_id"], values=report_values(),
                                private_metadata=view["private_metadata"], view_id=view_id) for _ in range(5)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = [a.json() for a in pool.map(bot.slack.send, requests)]
    assert len({reference_in(str(a["view"])) for a in answers}) == 1, answers
    assert count_rows(bot, hazards) == 1
    # Another modal is another report.
    other = open_modal(bot, "U0EMP2")
    again = bot.slack.send(view_submission(user_id="U0EMP2", callback_id=other["callback_id"],
                                           values=report_values(), private_metadata=other["private_metadata"],
                                           view_id=opened_view_id(bot))).json()
    assert reference_in(str(again["view"])) != reference_in(str(answers[0]["view"]))
    assert count_rows(bot, hazards) == 2


def test_an_incident_submitted_again_is_reported_once(bot: RunningBot) -> None:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("/incident", "", user_id="U0EMP2").status_code == 200
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].params["view"]
    request = view_submission(user_id="U0EMP2", callback_id=view["callback_id"], values=incident_values(),
                              private_metadata=view["private_metadata"], view_id=opened_view_id(bot))
    answers = resubmissions(bot, request, 5)
    assert all(a == answers[0] for a in answers), answers
    assert count_rows(bot, incidents) == 1
    settled(bot)
    reference = reference_in(str(answers[0]["view"]))
    assert sum(reference in text for text in bot.fake.texts_for("U0BOSS")) == 1  # management told once


def test_five_clicks_on_save_make_one_plan(bot: RunningBot) -> None:
    view = open_plan_modal(bot)
    request = view_submission(user_id="U0SAFE1", callback_id=view["callback_id"], values=plan_values(people=["U0EMP1"]),
                              private_metadata=view["private_metadata"], view_id=opened_view_id(bot))
    answers = resubmissions(bot, request, 5)
    assert all(a == answers[0] for a in answers), answers
    assert count_rows(bot, plans) == 1


def _incident_with_channel(bot: RunningBot) -> tuple[str, str]:
    view_opened = len(bot.fake.calls_to("views.open"))
    bot.slack.command("/incident", "", user_id="U0EMP2")
    view = bot.fake.wait_for("views.open", count=view_opened + 1)[-1].params["view"]
    answer = bot.slack.submit_view(user_id="U0EMP2", callback_id=view["callback_id"], values=incident_values(),
                                   private_metadata=view["private_metadata"]).json()
    ref = reference_in(str(answer["view"]))
    settled(bot)
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.click(user_id="U0SAFE1", action_id="inc_start", value=ref, channel_id="C0SAFETY", message_ts="1.1")
    bot.fake.wait_for("response_url", count=before + 1)
    settled(bot)
    with bot.runtime.services.uow() as uow:
        incident = uow.incidents.get(ref)
        assert incident is not None and incident.channel_id
        return ref, incident.channel_id


def test_five_clicks_on_export_post_one_file(bot: RunningBot) -> None:
    ref, channel = _incident_with_channel(bot)
    before = len(bot.fake.calls_to("response_url"))
    clicks = [block_actions(user_id="U0SAFE1", action_id="inc_export", value=ref, channel_id="C0SAFETY",
                            message_ts="1.1", response_url=f"{bot.fake.response_url_base}x{i}") for i in range(5)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        assert [r.status_code for r in pool.map(bot.slack.send, clicks)] == [200] * 5
    replies = [c.params["text"] for c in bot.fake.wait_for("response_url", count=before + 5)[before:]]
    assert t("incident.export.queued", "zh-CN", reference=ref, channel=f"<#{channel}>") in replies
    settled(bot)
    assert sorted((f["name"], f["channel"]) for f in bot.fake.shared_files) == [(f"{ref}.docx", channel),
                                                                                (f"{ref}.md", channel)]


def test_a_lost_upload_answer_posts_the_report_file_once(bot: RunningBot) -> None:
    """Slack stored the file but its answer never came: the retry finds it instead of uploading it again."""
    ref, channel = _incident_with_channel(bot)
    bot.runtime.sender.retry.base_seconds = 0.05
    bot.fake.timeout("files.completeUploadExternal", seconds=bot.runtime.settings.slack_timeout_seconds + 1,
                     processed=True)
    bot.slack.click(user_id="U0SAFE1", action_id="inc_export", value=ref, channel_id="C0SAFETY", message_ts="1.1")
    eventually(lambda: bot.fake.shared_files, what="the report file")
    settled(bot)  # the retry after the lost answer has run
    assert sorted(f["name"] for f in bot.fake.shared_files) == [f"{ref}.docx", f"{ref}.md"]  # each once
    assert {f["channel"] for f in bot.fake.shared_files} == {channel}
    assert len(bot.fake.calls_to("files.list")) == 1  # it looked before uploading again


def test_a_retried_click_is_answered_without_doing_the_work_again(bot: RunningBot) -> None:
    ref, _ = _incident_with_channel(bot)
    click = block_actions(user_id="U0SAFE1", action_id="inc_export", value=ref, channel_id="C0SAFETY",
                          message_ts="1.1", response_url=bot.fake.response_url_base + "retried")
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.send(click).status_code == 200
    bot.fake.wait_for("response_url", count=before + 1)
    retried = bot.slack.post(click.body, click.content_type, headers={"X-Slack-Retry-Num": "1",
                                                                     "X-Slack-Retry-Reason": "http_timeout"})
    assert retried.status_code == 200
    time.sleep(0.5)  # what the retry would have done by now, had it been dispatched
    settled(bot)
    assert len(bot.fake.calls_to("response_url")) == before + 1  # answered once, by the first delivery
    assert len(bot.fake.shared_files) == 2  # the report once: as Markdown and as a Word file
