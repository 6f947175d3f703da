"""Details of the closed loop end to end: extensions, management notices, `/hazard` answers, the timeline
kept in the database, and deadlines counted in working days."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError

from bot.core.i18n import t
from bot.core.org import Org, parse_org
from bot.runtime.app import create_app
from bot.runtime.fakeslack.text import block_texts
from bot.runtime.server import BackgroundServer
from handlers.core.dates import long_date
from storage.core import case_events
from storage.hazards import hazards
from tests.closed_loop import click, step, submit_step
from tests.conftest import ORG_YAML, SIGNING_SECRET, RunningBot, make_settings, start_bot
from tests.fakeslack import FakeSlack
from tests.helpers import count_rows, eventually, open_modal, outbox_rows, report
from tests.slack_payloads import SlackSender

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING_DAYS_ORG = ORG_YAML + """
working_days: true
deadlines:
  general: 3d
  serious: 2d
  major: 24h
"""


def settled(bot: RunningBot) -> None:
    """Wait until the outbox has delivered everything queued so far."""
    eventually(lambda: all(r["status"] == "sent" for r in outbox_rows(bot)), what="outbox drained")


def reported(bot: RunningBot, user: str, **values: Any) -> str:
    """Report a hazard and wait until its cards are out: people act on a case from its card."""
    ref = report(bot, user, **values)
    settled(bot)
    return ref


def in_days(n: int) -> str:
    return (datetime.now(SHANGHAI) + timedelta(days=n)).date().isoformat()


def picked(day: str) -> str:
    """A date picked in a step modal, as every card then shows it: the end of that working day in the company's
    zone (`workday_end`, 18:00 by default)."""
    return f"{day} 18:00"


def long_day(day: str, locale: str) -> str:
    """A picked date as messages spell it out: with its weekday and the company's zone."""
    return long_date(datetime.fromisoformat(f"{day}T18:00").replace(tzinfo=SHANGHAI), "Asia/Shanghai", locale)


def top_card(bot: RunningBot, channel: str) -> str:
    """The case's card in a DM or the safety channel (not a thread line), as its reader sees it now."""
    messages, texts = bot.fake.messages(channel), bot.fake.texts_for(channel)
    return next(text for message, text in zip(messages, texts, strict=True) if not message.get("thread_ts"))


def received(bot: RunningBot, who: str, text: str) -> bool:
    """Whether a message in `who`'s DM (or in channel `who`) says `text`."""
    return any(text in message for message in bot.fake.texts_for(who))


def thread_lines(bot: RunningBot) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages("C0SAFETY") if m.get("thread_ts")]


def buttons(message: dict[str, Any]) -> set[str]:
    return {e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def assigned_case(bot: RunningBot, deadline: str, *, reporter: str = "U0EMP2", **report_values: Any) -> str:
    ref = reported(bot, reporter, **report_values)
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Move the boxes to storage", assignee="U0EMP1",
                deadline=deadline) == {}
    return ref


def answer(bot: RunningBot, user: str, text: str) -> dict[str, Any]:
    """`/hazard text` as `user`; what came back through the command's response_url."""
    before = len(bot.fake.calls_to("response_url"))
    assert bot.slack.command("/hazard", text, user_id=user).status_code == 200
    return bot.fake.wait_for("response_url", count=before + 1)[-1].params


def visible(reply: dict[str, Any]) -> str:
    """Every text a person sees in a reply: its text and the texts of its blocks."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({"text": reply.get("text"), "blocks": reply.get("blocks") or []})
    return "\n".join(found)


def mine(bot: RunningBot, user: str) -> dict[str, str]:
    """`/hazard mine` as `user`: each section's heading mapped to its lines."""
    reply = answer(bot, user, "mine")
    assert reply["response_type"] == "ephemeral"
    sections = {}
    for block in reply["blocks"][1:]:
        heading, _, body = "".join(block_texts(block)).partition("\n")
        sections[heading.strip("*")] = body
    return sections


# ---------------------------------------------------------------------------------------------- extensions


def test_an_extension_is_asked_for_then_accepted_and_a_second_one_refused_with_everyone_told(
        bot: RunningBot) -> None:
    fake = bot.fake
    first, later, latest = in_days(5), in_days(12), in_days(20)
    ref = assigned_case(bot, first)
    settled(bot)
    assert picked(first) in top_card(bot, "U0EMP1")

    # Not later than the current deadline: said on the date field, and nothing changes.
    events = count_rows(bot, case_events)
    view = click(bot, "U0EMP1", "request_extension", ref)["view"]
    assert submit_step(bot, "U0EMP1", view, deadline=first, reason="Parts are late") == {
        "response_action": "errors", "errors": {"st_deadline": t("error.extension_not_later", "zh-CN")}}
    assert count_rows(bot, case_events) == events

    assert submit_step(bot, "U0EMP1", view, deadline=later, reason="Parts are late") == {}
    settled(bot)
    prompt = thread_lines(bot)[-1]
    assert buttons(prompt) == {"hz_step_accept_extension", "hz_step_refuse_extension"}
    assert picked(later) in prompt["text"]
    for head in ("U0HEAD1", "U0DEP1"):
        locale = "en" if head == "U0HEAD1" else "zh-CN"
        assert received(bot, head, t("notice.request_extension", locale, actor="<@U0EMP1>", reference=ref,
                                     until=long_day(later, locale), reason="Parts are late"))
    assert ref in mine(bot, "U0HEAD1")[t("mine.to_decide", "en")]
    # The pending request shows on every card, with the date asked for.
    for channel, locale in (("C0SAFETY", "zh-CN"), ("U0HEAD1", "en"), ("U0EMP1", "zh-CN")):
        pending = t("hazard.extension_pending", locale, until=long_day(later, locale), reason="Parts are late")
        assert pending in top_card(bot, channel), channel
    # While it waits, the assignee's card no longer offers to ask again.
    assert buttons(fake.messages("U0EMP1")[0]) == {"hz_step_complete"}

    # A safety officer may not decide on it; the head may, straight from the button.
    assert click(bot, "U0SAFE1", "accept_extension", ref)["reply"]["text"] == t("error.only_heads", "zh-CN")
    assert count_rows(bot, case_events) == events + 1
    reply = click(bot, "U0HEAD1", "accept_extension", ref)["reply"]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert reply["text"] == t("step.accept_extension.done", "en", reference=ref)
    settled(bot)
    for channel in ("C0SAFETY", "U0HEAD1", "U0DEP1", "U0EMP1"):
        card = top_card(bot, channel)
        assert picked(later) in card and picked(first) not in card, channel
    assert received(bot, "U0EMP1", t("notice.accept_extension", "zh-CN", reference=ref,
                                     deadline=long_day(later, "zh-CN")))
    assert "⏳" not in top_card(bot, "C0SAFETY")  # decided: no longer pending
    assert not any(buttons(line) for line in thread_lines(bot))  # the decision is shown as taken

    # A second request, refused: the deadline stays, and the assignee hears why.
    assert step(bot, "U0EMP1", "request_extension", ref, deadline=latest, reason="Still waiting") == {}
    assert step(bot, "U0HEAD1", "refuse_extension", ref, reason="Borrow parts from 4F") == {}
    settled(bot)
    for channel in ("C0SAFETY", "U0HEAD1", "U0EMP1"):
        card = top_card(bot, channel)
        assert picked(later) in card and picked(latest) not in card, channel
    assert received(bot, "U0EMP1", t("notice.refuse_extension", "zh-CN", reference=ref,
                                     deadline=long_day(later, "zh-CN"),
                                     reason="Borrow parts from 4F"))
    assert buttons(fake.messages("U0EMP1")[0]) == {"hz_step_complete", "hz_step_request_extension"}
    with bot.runtime.engine.connect() as conn:
        deadline = conn.execute(select(hazards.c.deadline_at).where(hazards.c.reference == ref)).scalar_one()
    assert deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == picked(later)


# ---------------------------------------------------------------------------------------------- management


def test_a_major_hazard_reaches_management_at_once_and_only_once(bot: RunningBot) -> None:
    general = reported(bot, "U0EMP2", description="Frayed carpet edge")
    assert step(bot, "U0HEAD1", "assess", general, severity="general") == {}
    settled(bot)
    assert bot.fake.messages("U0BOSS") == []

    major = reported(bot, "U0EMP2", description="Gas smell in the pantry")
    assert step(bot, "U0HEAD1", "assess", major, severity="major") == {}
    settled(bot)
    notices = bot.fake.texts_for("U0BOSS")
    assert len(notices) == 1 and major in notices[0] and general not in notices[0]

    assert step(bot, "U0DEP1", "assess", major, severity="major") == {}  # assessed again, still major
    settled(bot)
    assert len(bot.fake.texts_for("U0BOSS")) == 1

    assert step(bot, "U0HEAD1", "assess", general, severity="major") == {}  # raised to major later
    settled(bot)
    notices = bot.fake.texts_for("U0BOSS")
    assert len(notices) == 2 and general in notices[1]


# ---------------------------------------------------------------------------------------------- /hazard answers


def test_hazard_with_a_reference_shows_status_and_timeline_to_those_involved_only(bot: RunningBot) -> None:
    ref = assigned_case(bot, in_days(6))
    for user, locale in (("U0EMP2", "en"), ("U0HEAD1", "en"), ("U0SAFE1", "zh-CN"), ("U0EMP1", "zh-CN")):
        reply = answer(bot, user, ref)
        assert reply["response_type"] == "ephemeral", user
        seen = visible(reply)
        assert ref in seen and t("status.assigned", locale) in seen, user
        assert picked(in_days(6)) in seen, user
        for action in ("reported", "assessed", "assigned"):
            assert t(f"timeline.{action}", locale) in seen, (user, action)
        assert "<@U0EMP2>" in seen and "<@U0HEAD1>" in seen, user

    missing = "HZ-2026-9999"
    assert answer(bot, "U0HEAD1", missing)["text"] == t("error.not_allowed_view", "en", reference=missing)
    refusal = answer(bot, "U0EMP3", ref.lower())
    assert refusal["text"] == t("error.not_allowed_view", "zh-CN", reference=ref)
    assert "blocks" not in refusal


def test_an_anonymous_reporter_is_hidden_from_the_head_but_not_from_the_safety_department(bot: RunningBot) -> None:
    ref = reported(bot, "U0EMP2", anonymous=True)
    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}

    head = answer(bot, "U0HEAD1", ref)
    assert ref in visible(head) and t("timeline.assessed", "en") in visible(head)
    assert "U0EMP2" not in json.dumps(head)
    assert t("hazard.anonymous", "en") in visible(head)

    officer = answer(bot, "U0SAFE2", ref)
    assert "<@U0EMP2>" in visible(officer)
    reporter = answer(bot, "U0EMP2", ref)
    assert "<@U0EMP2>" in visible(reporter)


def test_an_anonymous_reporter_who_also_rectifies_it_is_not_given_away_by_the_timeline(bot: RunningBot) -> None:
    ref = reported(bot, "U0EMP1", anonymous=True)
    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1") == {}
    assert step(bot, "U0EMP1", "complete", ref, note="Cleared") == {}
    settled(bot)
    assert any("u0emp1" in line["text"] for line in thread_lines(bot))  # the thread names who rectified it

    seen = visible(answer(bot, "U0HEAD1", ref))
    rectified_line = next(line for line in seen.splitlines() if t("timeline.completed", "en") in line)
    report_line = next(line for line in seen.splitlines() if t("timeline.reported", "en") in line)
    assert report_line.endswith(t("hazard.anonymous", "en"))
    assert rectified_line.endswith("<@U0EMP1>")


def test_hazard_mine_lists_the_case_under_the_right_heading_for_each_person(bot: RunningBot) -> None:
    ref = reported(bot, "U0EMP2")
    head = mine(bot, "U0HEAD1")
    assert ref in head[t("mine.to_decide", "en")]
    assert head[t("mine.tasks", "en")] == t("mine.none", "en")

    assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
    assert step(bot, "U0HEAD1", "assign", ref, measures="Clear the exit", assignee="U0EMP1") == {}
    assignee = mine(bot, "U0EMP1")
    assert ref in assignee[t("mine.tasks", "zh-CN")]
    assert ref not in assignee[t("mine.to_decide", "zh-CN")] + assignee[t("mine.reported", "zh-CN")]
    reporter = mine(bot, "U0EMP2")
    assert ref in reporter[t("mine.reported", "en")]
    assert ref not in reporter[t("mine.to_decide", "en")] + reporter[t("mine.tasks", "en")]
    # Assigned, nothing for the head to decide until the work is reported done.
    assert ref not in mine(bot, "U0HEAD1")[t("mine.to_decide", "en")]
    assert step(bot, "U0EMP1", "complete", ref, note="Cleared") == {}
    assert ref in mine(bot, "U0HEAD1")[t("mine.to_decide", "en")]


def test_hazard_help_answers_with_the_usage_in_the_persons_language(bot: RunningBot) -> None:
    english = answer(bot, "U0HEAD1", "help")
    assert english["response_type"] == "ephemeral" and english["text"] == t("help.hazard", "en")
    assert answer(bot, "U0EMP1", "帮助")["text"] == t("help.hazard", "zh-CN")
    assert t("help.hazard", "en") != t("help.hazard", "zh-CN")


def test_hazard_with_other_text_opens_the_report_form_with_that_text_filled_in(bot: RunningBot) -> None:
    view = open_modal(bot, "U0EMP1", "Wet floor by the lift, no sign")
    description = next(b for b in view["blocks"] if b["block_id"] == "hz_description")
    assert description["element"]["initial_value"] == "Wet floor by the lift, no sign"
    assert bot.fake.calls_to("response_url") == []


# ---------------------------------------------------------------------------------------------- a race


@pytest.mark.postgres
def test_a_step_taken_while_the_safety_post_is_recorded_does_not_hold_up_the_case_thread(
        fake_slack: FakeSlack, postgres_url: str, org: Org) -> None:
    bot = start_bot(fake_slack, postgres_url, org)
    try:
        hooks = bot.runtime.sender.sent_hooks
        record = hooks["case_thread"]
        taken: list[tuple[str, dict[str, Any]]] = []

        def record_while_the_head_assesses(uow: Any, message: Any, *answer: Any) -> None:
            read = uow.hazards.get(message.subject)  # the sender has read the case (and holds it) ...
            if not taken:  # ... when the head's step commits, before the sender does
                taken.append((message.subject, step(bot, "U0HEAD1", "assess", message.subject, severity="general")))
            record(uow, message, *answer)
            del read  # held until here: a session keeps an unchanged object only while something refers to it

        hooks["case_thread"] = record_while_the_head_assesses
        ref = report(bot, "U0EMP2")
        assert eventually(lambda: taken, what="the assessment during the hook") == [(ref, {})]
        lines = eventually(lambda: thread_lines(bot), timeout=6, what="the assessment's line in the case thread")
        assert lines[0]["text"].startswith("u0head1 ")  # the head's line, naming him without a ping
    finally:
        bot.stop()


# ---------------------------------------------------------------------------------------------- the timeline


def test_the_timeline_is_append_only_in_the_database_and_records_who_when_and_what_changed(
        bot: RunningBot) -> None:
    ref = reported(bot, "U0EMP2")
    assert step(bot, "U0HEAD1", "assess", ref, severity="serious", deadline=in_days(4)) == {}
    assert step(bot, "U0DEP1", "assign", ref, measures="Clear the exit", assignee="U0EMP1") == {}
    assert step(bot, "U0EMP1", "complete", ref, note="Cleared") == {}

    with bot.runtime.engine.connect() as conn:
        rows = [r._mapping for r in conn.execute(
            select(case_events).where(case_events.c.case_ref == ref).order_by(case_events.c.id))]
    assert [(r["action"], r["actor_id"]) for r in rows] == [
        ("reported", "U0EMP2"), ("assessed", "U0HEAD1"), ("assigned", "U0DEP1"), ("completed", "U0EMP1")]
    for row in rows:
        assert row["at"].utcoffset() == timedelta(0), row
        assert abs(row["at"] - datetime.now(UTC)) < timedelta(minutes=1), row
    end_of_day = datetime.fromisoformat(f"{in_days(4)}T18:00").replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert rows[1]["changes"] == {"severity": [None, "serious"], "deadline_at": [None, end_of_day.isoformat()],
                                  "status": ["reported", "assessed"]}
    assert rows[2]["changes"] == {"measures": [None, "Clear the exit"], "assignee_id": [None, "U0EMP1"],
                                  "rounds": [0, 1], "status": ["assessed", "assigned"]}
    assert rows[3]["changes"]["completion_note"] == [None, "Cleared"]
    assert rows[3]["changes"]["status"] == ["assigned", "completed"]

    # SQLite's trigger RAISE(ABORT) is an IntegrityError; PostgreSQL's plpgsql RAISE EXCEPTION (SQLSTATE P0001,
    # psycopg's RaiseException) reaches SQLAlchemy as a ProgrammingError.
    raised = {"sqlite": IntegrityError, "postgresql": ProgrammingError}[bot.runtime.engine.dialect.name]
    for statement in (update(case_events).values(action="approve"), delete(case_events),
                      update(case_events).where(case_events.c.action == "assessed").values(actor_id="U0EMP3")):
        with pytest.raises(DBAPIError, match="append-only") as refused, bot.runtime.engine.begin() as conn:
            conn.execute(statement)
        assert type(refused.value) is raised
    with bot.runtime.engine.connect() as conn:
        after = [r._mapping for r in conn.execute(
            select(case_events).where(case_events.c.case_ref == ref).order_by(case_events.c.id))]
    assert after == rows


# ---------------------------------------------------------------------------------------------- working days


class Clock:
    """The bot's clock: set to a moment by the test, and running on from there at the real pace (a stopped
    clock would never reach an outbox retry or a lease that runs out)."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, start: datetime) -> None:
        self._start, self._started = start, time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


@contextmanager
def bot_at(fake: FakeSlack, database_url: str, clock: Clock, org_yaml: str = WORKING_DAYS_ORG
           ) -> Iterator[RunningBot]:
    """A bot built as `tests.conftest.start_bot` builds one, but on the given clock (which start_bot cannot
    pass to create_app) and org."""
    runtime = create_app(make_settings(fake, database_url), org=parse_org(org_yaml), clock=clock)
    runtime.sender.retry.base_seconds = 0.05
    runtime.start_background(schedule=False)
    server = BackgroundServer(runtime.asgi()).start()
    running = RunningBot(runtime, server, SlackSender(server.url, SIGNING_SECRET,
                                                      response_url_base=fake.response_url_base), fake)
    try:
        yield running
    finally:
        running.stop()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def deadline_of(bot: RunningBot, ref: str) -> datetime:
    with bot.runtime.engine.connect() as conn:
        return conn.execute(select(hazards.c.deadline_at).where(hazards.c.reference == ref)).scalar_one()


def assessed_at(bot: RunningBot, ref: str) -> datetime:
    with bot.runtime.engine.connect() as conn:
        return conn.execute(select(case_events.c.at).where(
            case_events.c.case_ref == ref, case_events.c.action == "assessed")).scalar_one()


# 2026 (State Council): Mid-Autumn Fri 25 Sep – Sun 27 Sep off; National Day Thu 1 Oct – Wed 7 Oct off;
# Sun 20 Sep and Sat 10 Oct are worked. Three working days after:
@pytest.mark.parametrize(("assessed", "expected"), [
    pytest.param("2026-09-30 10:00", "2026-10-10", id="over-national-day-to-the-swapped-saturday"),
    pytest.param("2026-09-18 10:00", "2026-09-22", id="counting-the-swapped-sunday-20-sep"),
    pytest.param("2026-09-25 10:00", "2026-09-30", id="from-mid-autumn-friday-over-the-weekend"),
])
def test_general_deadlines_count_working_days_of_the_official_calendar(
        fake_slack: FakeSlack, database_url: str, assessed: str, expected: str) -> None:
    with bot_at(fake_slack, database_url, Clock(local(assessed))) as bot:
        ref = reported(bot, "U0EMP2")
        view = click(bot, "U0HEAD1", "assess", ref)["view"]
        deadline_block = next(b for b in view["blocks"] if b.get("block_id") == "st_deadline")
        assert f"{expected} 18:00" in deadline_block["hint"]["text"]  # the default, offered before choosing
        assert submit_step(bot, "U0HEAD1", view, severity="general") == {}
        settled(bot)
        # The deadline is the end of the working day (18:00), on the third working day after the assessment.
        assert deadline_of(bot, ref) == datetime.combine(date.fromisoformat(expected), dt_time(18, 0), SHANGHAI)
        for channel in ("C0SAFETY", "U0HEAD1", "U0EMP2"):
            assert f"{expected} 18:00" in top_card(bot, channel), channel
        assert any(f"{expected} 18:00" in line["text"] for line in thread_lines(bot))


def test_a_major_deadline_is_24_hours_later_even_into_a_holiday(fake_slack: FakeSlack, database_url: str) -> None:
    clock = Clock(local("2026-09-30 09:00"))
    with bot_at(fake_slack, database_url, clock) as bot:
        ref = reported(bot, "U0EMP2")
        clock.set(local("2026-09-30 10:07"))
        assert step(bot, "U0HEAD1", "assess", ref, severity="major") == {}
        settled(bot)
        assert deadline_of(bot, ref) - assessed_at(bot, ref) == timedelta(hours=24)
        assert "2026-10-01 10:07" in top_card(bot, "U0HEAD1")
        assert any(ref in text and "2026-10-01 10:07" in text for text in bot.fake.texts_for("U0BOSS"))


def test_a_deadline_in_a_year_without_a_known_calendar_warns_the_safety_channel_once(
        fake_slack: FakeSlack, database_url: str) -> None:
    notice = t("calendar.unknown_year", "zh-CN", year=2027)

    def warnings(bot: RunningBot) -> int:
        return sum(notice in text for text in bot.fake.texts_for("C0SAFETY"))

    with bot_at(fake_slack, database_url, Clock(local("2026-11-30 10:00"))) as bot:
        first = reported(bot, "U0EMP2")
        assert step(bot, "U0HEAD1", "assess", first, severity="general") == {}  # 2026-12-03: a known year
        settled(bot)
        assert warnings(bot) == 0
        assert step(bot, "U0HEAD1", "assign", first, measures="Replace the cabinet", assignee="U0EMP1",
                    deadline="2027-03-15") == {}
        settled(bot)
        assert warnings(bot) == 1

        second = reported(bot, "U0EMP2", description="Second cabinet is loose too")
        assert step(bot, "U0HEAD1", "assess", second, severity="general") == {}
        assert step(bot, "U0HEAD1", "assign", second, measures="Replace it too", assignee="U0EMP1",
                    deadline="2027-03-20") == {}
        settled(bot)
        assert deadline_of(bot, second) == local("2027-03-20 18:00")
        assert warnings(bot) == 1


def test_a_deadline_on_the_last_day_of_a_known_year_raises_no_calendar_warning_west_of_utc(
        fake_slack: FakeSlack, database_url: str) -> None:
    org_yaml = WORKING_DAYS_ORG.replace("timezone: Asia/Shanghai", "timezone: America/New_York")
    now = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    with bot_at(fake_slack, database_url, Clock(now), org_yaml) as bot:
        ref = reported(bot, "U0EMP2")
        assert step(bot, "U0HEAD1", "assess", ref, severity="general") == {}
        assert step(bot, "U0HEAD1", "assign", ref, measures="Replace the cabinet", assignee="U0EMP1",
                    deadline="2026-12-31") == {}
        settled(bot)
        assert "2026-12-31 18:00" in top_card(bot, "C0SAFETY")
        for year in (2026, 2027):
            assert not received(bot, "C0SAFETY", t("calendar.unknown_year", "zh-CN", year=year)), year
