"""Block Kit for the officers' lists: `/hazard open` (every open case, overdue first, paged) and the lines
`/hazard mine` shows. Pure functions of (view model, locale); typed text (the location) is a rich_text plain
text element, never mrkdwn (escaping would still let `*bold*` format).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.i18n import t
from bot.hazards.queries import CaseLine, OpenCases
from handlers.core.blocks import Block, mrkdwn, plain
from handlers.core.mrkdwn import clip
from handlers.core.rich import Element, rich_block, typed_text
from handlers.hazards.ids import ActionId
from handlers.hazards.views import case_deadline

LINES_PER_SECTION = 10  # ten lines of at most ~250 characters stay inside a section's 3,000


def case_row(line: CaseLine, locale: str, timezone: str, now: datetime | None = None, *,
             link: bool = True) -> list[Element]:
    """One case in a list: its reference (linked to its thread where it has one and `link`: the thread is in
    the safety channel, which only officers are sure to open), status, place (as typed), deadline (with
    weekday and zone, and as of `now` how many days are left or how late it is)."""
    reference: Element = {"type": "text", "text": line.reference, "style": {"bold": True}}
    if line.thread and link:
        channel, ts = line.thread
        reference = {"type": "link", "url": f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}",
                     "text": line.reference}
    row: list[Element] = [{"type": "text", "text": "• "}, reference,
                          {"type": "text", "text": f" · {t('status.' + line.status.value, locale)} · "},
                          typed_text(clip(line.location, 80))]
    if line.deadline_at:
        deadline = case_deadline(line.deadline_at, now, line.status.value, timezone, locale)
        row.append({"type": "text", "text": f" · {t('hazard.field.deadline', locale)} {deadline}"})
    return row


def build_open_cases(cases: OpenCases, *, locale: str, timezone: str, now: datetime | None = None
                     ) -> dict[str, Any]:
    """`/hazard open`: one page of every open case, overdue first (each saying how late, as of `now`), with a
    button to the next or previous page."""
    title = t("open.title", locale, total=cases.total, overdue=cases.overdue)
    blocks: list[Block] = [{"type": "header", "text": plain(clip(title, 150))}]
    rows = [case_row(line, locale, timezone, now) for line in cases.lines]
    if not rows:
        blocks.append({"type": "section", "text": mrkdwn(t("open.none", locale))})
    for start in range(0, len(rows), LINES_PER_SECTION):
        page: list[Element] = []
        for i, row in enumerate(rows[start:start + LINES_PER_SECTION]):
            page += ([{"type": "text", "text": "\n"}] if i else []) + row
        blocks.append(rich_block(page))
    if cases.pages > 1:
        blocks.append({"type": "context", "elements": [mrkdwn(t("open.page", locale, page=cases.page,
                                                                 pages=cases.pages))]})
        turns = [(cases.page - 1, "open.previous"), (cases.page + 1, "open.next")]
        buttons = [{"type": "button", "action_id": f"{ActionId.OPEN_PAGE}_{key.rsplit('.', 1)[1]}",
                    "value": str(page), "text": plain(t(key, locale))}
                   for page, key in turns if 1 <= page <= cases.pages]
        blocks.append({"type": "actions", "elements": buttons})
    return {"response_type": "ephemeral", "text": title, "blocks": blocks}
