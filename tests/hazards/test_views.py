"""The hazard views, rendered for every audience, status and language: valid Block Kit, typed text shown as
typed (never inside mrkdwn), deadlines people can read, and each card speaking to its reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.core.i18n import SUPPORTED, t
from bot.hazards.contexts import CaseCard, Decision, HazardNotice, StepLine
from bot.hazards.messages import NOTICE_KINDS
from bot.hazards.model import HazardCategory, HazardStatus, Step
from bot.hazards.queries import CaseLine, CaseView, MyCases, TimelineLine
from handlers.core.dates import deadline_text, long_date, time_left
from handlers.hazards.step_views import (
    STEP_FIELDS,
    build_case_status,
    build_my_cases,
    build_notice,
    build_step_line,
    build_step_modal,
)
from handlers.hazards.views import build_card, build_reported_modal, build_reporter_revealed
from tests.helpers import rich_elements

HOSTILE = "*bold* _x_ ~x~ <!channel> <@U0BOSS>"
TZ = "Asia/Shanghai"
NOW = datetime(2026, 12, 16, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
DEADLINE = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday 18:00 in Shanghai: nine days before NOW
AUDIENCES = ("safety", "leader", "assignee", "reporter")


def case(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        reference="HZ-2026-0001", category=HazardCategory.FIRE, location=f"Hall {HOSTILE}",
        description=f"Boxes {HOSTILE}", department=f"Dept {HOSTILE}", leaders=["U0HEAD1"], reporter="U0EMP1",
        anonymous=False, photos=[{"permalink": "https://x.slack.com/files/U0EMP1/F1/p.jpg", "name": f"p{HOSTILE}"}],
        photo_count=1, reported_at=NOW - timedelta(days=20), timezone=TZ, status=HazardStatus.ASSIGNED,
        severity="general", deadline_at=DEADLINE, measures=f"Move {HOSTILE}", assignee="U0EMP2",
        completion_note=f"Done {HOSTILE}", extension_until=DEADLINE + timedelta(days=14),
        extension_reason=f"Parts {HOSTILE}", last_reason=f"Why {HOSTILE}", thread=("C0SAFETY", "1700000000.000100"),
        safety_officers=["U0SAFE1"], as_of=NOW)
    return fields | overrides


def card(audience: str = "safety", **overrides: Any) -> CaseCard:
    return CaseCard(**case(**overrides), recipient="U0X", audience=audience)  # type: ignore[arg-type]


def check_blocks(blocks: list[dict[str, Any]]) -> None:
    """As Slack would take them (slack_sdk's models), and no typed text anywhere inside mrkdwn."""
    assert len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
        parsed.to_dict()
    for text in mrkdwn_texts(blocks):
        for typed in ("*bold*", "_x_", "~x~", "<!channel>", "&lt;!channel&gt;", "<@U0BOSS>"):
            assert typed not in text, text


def mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [text for value in node.values() for text in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in mrkdwn_texts(value)]
    return []


def rich_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The plain text elements of every rich_text block: where typed text must arrive, as typed."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("text", "link") and isinstance(node.get("text"), str) and "style" not in node:
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([b for b in blocks if b["type"] == "rich_text"])
    return out


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("status", list(HazardStatus))
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_card_is_valid_and_shows_typed_text_as_typed(audience: str, status: HazardStatus, locale: str) -> None:
    built = build_card(card(audience, status=status), locale)
    check_blocks(built["blocks"])
    shown = rich_texts(built["blocks"])
    for typed in (f"Hall {HOSTILE}", f"Boxes {HOSTILE}", f"Dept {HOSTILE}", f"Move {HOSTILE}"):
        assert typed in shown, (typed, shown)
    assert "<!channel>" not in built["text"]  # the push preview escapes it (where it quotes it at all)


def test_the_safety_post_header_says_the_status_with_its_emoji() -> None:
    headers = {status: build_card(card(status=status, deadline_at=NOW + timedelta(days=3)), "en")["blocks"][0]
               ["text"]["text"] for status in HazardStatus}
    assert headers[HazardStatus.REPORTED] == "🆕 Hazard HZ-2026-0001 · " + t("status.reported", "en")
    assert headers[HazardStatus.CLOSED] == "✅ Hazard HZ-2026-0001 · " + t("status.closed", "en")
    assert len(set(headers.values())) == len(HazardStatus)
    closed = build_card(card(status=HazardStatus.CLOSED), "en")["text"]
    assert closed.startswith("Hazard HZ-2026-0001 · " + t("status.closed", "en"))
    overdue = build_card(card(status=HazardStatus.ASSIGNED), "zh-CN")["blocks"][0]["text"]["text"]
    assert overdue.startswith("⏰ 隐患 HZ-2026-0001")


@pytest.mark.parametrize(("deadline", "en", "zh"), [
    (DEADLINE, "overdue by 9 days", "逾期 9 天"),
    (NOW - timedelta(days=1), "overdue by 1 day", "逾期 1 天"),
    (NOW - timedelta(hours=1), "overdue since today", "今天已逾期"),
    (NOW + timedelta(hours=1), "due today", "今天到期"),
    (NOW + timedelta(days=1), "1 day left", "还剩 1 天"),
    (NOW + timedelta(days=3), "3 days left", "还剩 3 天"),
])
def test_time_left_counts_the_companys_days(deadline: datetime, en: str, zh: str) -> None:
    assert time_left(deadline, NOW, TZ, "en") == en
    assert time_left(deadline, NOW, TZ, "zh-CN") == zh


def test_dates_carry_their_weekday_and_the_companys_zone() -> None:
    assert long_date(DEADLINE, TZ, "en") == "Mon 2026-12-07 18:00 (UTC+8)"
    assert long_date(DEADLINE, TZ, "zh-CN") == "2026-12-07 18:00（周一，北京时间）"
    assert long_date(DEADLINE, "Asia/Kolkata", "zh-CN") == "2026-12-07 15:30（周一，UTC+5:30）"
    assert long_date(DEADLINE, "America/New_York", "en") == "Mon 2026-12-07 05:00 (UTC-5)"
    assert deadline_text(None, NOW, TZ, "en") == "—"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_cards_say_overdue_and_the_pending_extension(audience: str) -> None:
    seen = "\n".join(texts(build_card(card(audience), "en")["blocks"]))
    assert "Mon 2026-12-07 18:00 (UTC+8) · overdue by 9 days" in seen
    assert "Asked for more time, until Mon 2026-12-21 18:00 (UTC+8)" in seen
    zh = "\n".join(texts(build_card(card(audience), "zh-CN")["blocks"]))
    assert "逾期 9 天" in zh and "已申请延期至 2026-12-21 18:00（周一，北京时间）" in zh


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    from bot.runtime.fakeslack.text import block_texts

    return [text for block in blocks for text in block_texts(block)]


@pytest.mark.parametrize("status", list(HazardStatus))
def test_the_reporters_card_says_where_their_report_stands_in_words_for_them(status: HazardStatus) -> None:
    built = build_card(card("reporter", status=status), "en")
    seen = "\n".join(texts(built["blocks"]))
    assert "Next:" not in seen  # the next step is meant for others
    assert "archives/C0SAFETY" not in str(built)  # the thread is in a channel the reporter is not in
    assert t(f"status.{status.value}", "en") in seen


def test_a_rejection_thanks_the_reporter_and_says_whom_to_ask() -> None:
    for built in (build_card(card("reporter", status=HazardStatus.REJECTED), "en"),
                  build_notice(HazardNotice(**case(status=HazardStatus.REJECTED), recipient="U0EMP1",
                                            notice="reject", changes={"last_reason": [None, f"Why {HOSTILE}"]}),
                               "en")):
        seen = "\n".join(texts(built["blocks"]))
        assert "Thank you for reporting" in seen and "If you disagree, ask the safety department: <@U0SAFE1>" in seen
        assert f"Why {HOSTILE}" in rich_texts(built["blocks"])
        assert "archives/" not in str(built)


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("step", list(Step))
def test_every_thread_line_and_step_modal_is_valid_and_keeps_typed_text_as_typed(step: Step, locale: str) -> None:
    changes = {"reason": f"Why {HOSTILE}", "deadline_at": [None, DEADLINE.isoformat()]}
    line = build_step_line(StepLine(**case(), recipient="C0SAFETY", step=step, actor="U0HEAD1", changes=changes,
                                    buttons=[Step.APPROVE, Step.SEND_BACK]), locale)
    check_blocks(line["blocks"])
    assert "<!channel>" not in line["text"]
    if step in STEP_FIELDS:
        modal = build_step_modal(step=step, case=card(), locale=locale, departments=[], deadline_hint="hint",
                                 private_metadata="{}", now=NOW)
        check_blocks(modal["blocks"])
        View(**modal).validate_json()
        assert f"Hall {HOSTILE}" in rich_texts(modal["blocks"])


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("notice", NOTICE_KINDS)
def test_every_notice_is_valid_and_keeps_typed_text_as_typed(notice: str, locale: str) -> None:
    built = build_notice(HazardNotice(**case(), recipient="U0X", notice=notice, actor="U0HEAD1"), locale)
    check_blocks(built["blocks"])
    assert "<!channel>" not in built["text"]


@pytest.mark.parametrize(("step", "en", "zh"), [
    (Step.APPROVE, "✅ Approved by ", "✅ 审核通过："),
    (Step.ACCEPT_EXTENSION, "✅ Extension accepted by ", "✅ 同意延期："),
    (Step.VERIFY, "✅ Verified and closed by ", "✅ 验收销号：")])
def test_a_decided_ask_says_what_was_done_and_by_whom(step: Step, en: str, zh: str) -> None:
    decided = Decision(step=step, actor="U0DEP1")
    for locale, words in (("en", en), ("zh-CN", zh)):
        notice = build_notice(HazardNotice(**case(), recipient="U0HEAD1", notice="complete", actor="U0EMP2",
                                           decided=decided), locale)
        line = build_step_line(StepLine(**case(), recipient="C0SAFETY", step=Step.COMPLETE, actor="U0EMP2",
                                        decided=decided, names={"U0DEP1": "zhang"}), locale)
        assert f"{words}<@U0DEP1>" in mrkdwn_texts(notice["blocks"])  # a DM: only its reader sees the mention
        assert f"{words}zhang" in "".join(rich_texts(line["blocks"]))  # the thread names (as typed), never pings
        assert "<@U0DEP1>" not in str(line["blocks"])


def test_the_extension_modal_asks_for_the_new_deadline_next_to_the_current_one() -> None:
    for locale, label, current in (("en", "New deadline", "Current deadline: Mon 2026-12-07 18:00 (UTC+8) · "
                                    "overdue by 9 days"), ("zh-CN", "申请延期至", "当前整改期限：2026-12-07 18:00")):
        modal = build_step_modal(step=Step.REQUEST_EXTENSION, case=card(), locale=locale, departments=[],
                                 deadline_hint="", private_metadata="{}", now=NOW)
        field = next(b for b in modal["blocks"] if b.get("block_id") == "st_deadline")
        assert field["label"]["text"] == label
        assert field["hint"]["text"].startswith(current)


@pytest.mark.parametrize("locale", SUPPORTED)
def test_hazard_mine_and_the_case_status_say_how_late_and_show_typed_text_as_typed(locale: str) -> None:
    line = CaseLine(reference="HZ-2026-0001", status=HazardStatus.ASSIGNED, location=f"Hall {HOSTILE}",
                    deadline_at=DEADLINE)
    mine = build_my_cases(MyCases(reported=[line], tasks=[line], to_decide=[]), locale=locale, timezone=TZ, now=NOW)
    view = CaseView(reference="HZ-2026-0001", status=HazardStatus.ASSIGNED, category=HazardCategory.FIRE,
                    location=f"Hall {HOSTILE}", description=f"Boxes {HOSTILE}", department=f"Dept {HOSTILE}",
                    reporter_id=None, severity="general", deadline_at=DEADLINE, assignee_id="U0EMP2",
                    measures=f"Move {HOSTILE}", last_reason=None,
                    timeline=[TimelineLine(action="reported", actor=None, at=NOW)])
    status = build_case_status(view, locale=locale, timezone=TZ, now=NOW)
    late = t("time.overdue_days", locale, days=9)
    for built in (mine, status):
        check_blocks(built["blocks"])
        assert f"Hall {HOSTILE}" in rich_texts(built["blocks"])
        assert any(late in text for text in texts(built["blocks"]))


@pytest.mark.parametrize("status", [HazardStatus.COMPLETED, HazardStatus.APPROVED, HazardStatus.CLOSED])
def test_a_case_rectified_is_never_shown_overdue_when_read_after_its_deadline(status: HazardStatus) -> None:
    """Rectified on time, reviewed or looked up after the deadline: the deadline is a date, no longer a count."""
    line = CaseLine(reference="HZ-2026-0001", status=status, location="Hall", deadline_at=DEADLINE)
    mine = build_my_cases(MyCases(reported=[line], tasks=[], to_decide=[line]), locale="en", timezone=TZ, now=NOW)
    view = CaseView(reference="HZ-2026-0001", status=status, category=HazardCategory.FIRE, location="Hall",
                    description="Boxes", department="Dept", reporter_id=None, severity="general",
                    deadline_at=DEADLINE, assignee_id="U0EMP2", measures="Move", last_reason=None,
                    timeline=[TimelineLine(action="reported", actor=None, at=NOW)])
    status_view = build_case_status(view, locale="en", timezone=TZ, now=NOW)
    cards = [build_card(card(audience, status=status), locale) for audience in AUDIENCES for locale in SUPPORTED]
    seen = "\n".join(text for built in (mine, status_view, *cards) for text in texts(built["blocks"]))
    assert "Mon 2026-12-07 18:00 (UTC+8)" in seen
    assert "overdue" not in seen and "逾期" not in seen and "left" not in seen and "还剩" not in seen


def test_a_photo_name_of_bidi_overrides_only_is_cleaned_and_named_photo() -> None:
    photos = [{"permalink": "https://x.slack.com/files/U0EMP1/F1/a.jpg", "name": "\u202e\u202d"},
              {"permalink": "https://x.slack.com/files/U0EMP1/F2/b.jpg", "name": "gpj.\u202eexe"}]
    links = [e for e in rich_elements(build_card(card(photos=photos), "en")["blocks"]) if e["type"] == "link"]
    assert [link["text"] for link in links][:2] == ["Photo", "gpj.exe"]


def test_the_confirmation_and_the_revealed_reporter_show_typed_names_as_typed() -> None:
    modal = build_reported_modal(locale="en", reference="HZ-2026-0001", department_name=f"Dept {HOSTILE}")
    check_blocks(modal["blocks"])
    assert f"Dept {HOSTILE}" in rich_texts(modal["blocks"])
    revealed = build_reporter_revealed(reference="HZ-2026-0001", reporter_id="U0EMP1", locale="zh-CN",
                                       photos=[{"permalink": "https://x.slack.com/files/U0EMP1/F1/p.jpg",
                                                "name": f"p{HOSTILE}"}])
    check_blocks(revealed["blocks"])
    assert f"p{HOSTILE}" in rich_texts(revealed["blocks"])


@pytest.mark.parametrize("locale", SUPPORTED)
def test_a_thread_line_names_people_as_they_typed_their_names(locale: str) -> None:
    """A Slack display name is typed text: it is a plain text element, never mrkdwn (which would make
    `*bold*` bold) and never a mention; in the step's sentence, who decides, and who took the decision."""
    names = {"U0HEAD1": f"Lee {HOSTILE}", "U0SAFE1": f"Wu {HOSTILE}", "U0EMP2": f"Ma {HOSTILE}"}
    assigned = build_step_line(StepLine(**case(), recipient="C0SAFETY", step=Step.ASSIGN, actor="U0HEAD1",
                                        names=names), locale)
    waiting = build_step_line(StepLine(**case(status=HazardStatus.COMPLETED, deciders=["U0HEAD1", "U0SAFE1"]),
                                       recipient="C0SAFETY", step=Step.COMPLETE, actor="U0EMP2", names=names,
                                       buttons=[Step.APPROVE]), locale)
    decided = build_step_line(StepLine(**case(), recipient="C0SAFETY", step=Step.COMPLETE, actor="U0EMP2",
                                       names=names, decided={"step": Step.APPROVE, "actor": "U0SAFE1"}), locale)
    for line in (assigned, waiting, decided):
        check_blocks(line["blocks"])
        assert "<!channel>" not in line["text"] and "<@U0BOSS>" not in line["text"]
        assert not [e for e in rich_elements(line["blocks"]) if e["type"] == "user"]
    assert {f"Lee {HOSTILE}", f"Ma {HOSTILE}"} <= set(rich_texts(assigned["blocks"]))
    assert {f"Lee {HOSTILE}", f"Wu {HOSTILE}", f"Ma {HOSTILE}"} <= set(rich_texts(waiting["blocks"]))
    assert f"Wu {HOSTILE}" in rich_texts(decided["blocks"])


def test_hazard_open_shows_each_location_as_typed() -> None:
    """`/hazard open` lists the officers' cases: a location is typed text, so a rich_text element."""
    from bot.hazards.queries import OpenCases
    from handlers.hazards.list_views import build_open_cases

    lines = [CaseLine(reference=f"HZ-2026-{i:04d}", status=HazardStatus.ASSIGNED, location=f"Hall {HOSTILE}",
                      deadline_at=DEADLINE, thread=("C0SAFETY", "1700000000.000100") if i % 2 else None)
             for i in range(1, 13)]
    built = build_open_cases(OpenCases(lines=lines, page=1, pages=2, total=30, overdue=12), locale="en", timezone=TZ)
    check_blocks(built["blocks"])
    assert rich_texts(built["blocks"]).count(f"Hall {HOSTILE}") == 12
    links = [e for e in rich_elements(built["blocks"]) if e["type"] == "link"]
    assert [e["text"] for e in links] == [f"HZ-2026-{i:04d}" for i in range(1, 13, 2)]
