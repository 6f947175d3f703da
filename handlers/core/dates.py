"""Moments as people read them: the date with its weekday, in the company's zone with the zone's label, and
how far a deadline is ("3 days left", "overdue by 2 days"). The one formatter every feature's views use.

Why not Slack's `<!date^…>` tokens: they only work in mrkdwn, which typed text may never share, and they show
the reader's own zone, while deadlines are the company's (its working day ends at 18:00 there).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import t

# Zones whose local time Chinese speakers call 北京时间 (China Standard Time).
_BEIJING_TIME = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})


def zone_label(moment: datetime, timezone: str, locale: str) -> str:
    """`UTC+8` (`北京时间` in Chinese for China's zone): unambiguous, unlike `CST`."""
    if locale == "zh-CN" and timezone in _BEIJING_TIME:
        return t("time.beijing", locale)
    offset = moment.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"


def weekday(moment: datetime, timezone: str, locale: str) -> str:
    return t("time.weekdays", locale).split()[moment.astimezone(ZoneInfo(timezone)).weekday()]


def long_date(moment: datetime | None, timezone: str, locale: str) -> str:
    """`Mon 2026-12-07 18:00 (UTC+8)` / `2026-12-07 18:00（周一，北京时间）`; a dash for none."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return t("time.long", locale, date=local.strftime("%Y-%m-%d"), time=local.strftime("%H:%M"),
             weekday=weekday(moment, timezone, locale), zone=zone_label(moment, timezone, locale))


def days_apart(deadline: datetime, now: datetime, timezone: str) -> int:
    """Calendar days from today to the deadline's day in the company's zone (negative: that many days ago)."""
    zone = ZoneInfo(timezone)
    return (deadline.astimezone(zone).date() - now.astimezone(zone).date()).days


def time_left(deadline: datetime, now: datetime, timezone: str, locale: str) -> str:
    """`3 days left`, `due today`, `overdue since today`, `overdue by 2 days` (还剩 3 天, 逾期 2 天)."""
    days = days_apart(deadline, now, timezone)
    if now > deadline:
        late = -days
        if late <= 0:
            return t("time.overdue_today", locale)
        return t("time.overdue_one" if late == 1 else "time.overdue_days", locale, days=late)
    if days <= 0:
        return t("time.due_today", locale)
    return t("time.left_one" if days == 1 else "time.left_days", locale, days=days)


def is_overdue(deadline: datetime | None, now: datetime | None) -> bool:
    return deadline is not None and now is not None and now > deadline


def deadline_text(deadline: datetime | None, now: datetime | None, timezone: str, locale: str) -> str:
    """The deadline with how far it is, as of `now` (the moment the message was written); a dash for none."""
    if deadline is None:
        return "—"
    if now is None:
        return long_date(deadline, timezone, locale)
    return t("time.deadline", locale, date=long_date(deadline, timezone, locale),
             left=time_left(deadline, now, timezone, locale))
