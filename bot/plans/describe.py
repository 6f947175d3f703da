"""A plan's schedule in words, in Chinese or English, for lists and reminders."""

from __future__ import annotations

from datetime import date

from bot.plans.recurrence import Pattern, Recurrence, pattern_of

_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_ZH_NTH = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", -1: "最后一个"}


def _en_date(day: date) -> str:
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def describe(rec: Recurrence, locale: str) -> str:
    """A short description in "zh-CN" or "en" (any other locale gets English), e.g. "every 6 months from
    31 Aug 2026" / "每6个月（自2026-08-31起）"; a rule no pattern makes is shown as it is."""
    pattern, n = pattern_of(rec)
    if pattern is Pattern.CUSTOM:
        return rec.rule
    start = rec.start
    nth = -1 if (start.day - 1) // 7 == 4 else (start.day - 1) // 7 + 1
    leap_day = (start.month, start.day) == (2, 29)
    if locale.replace("_", "-").lower().startswith("zh"):
        since, day = f"（自{start.isoformat()}起）", _ZH_DAYS[start.weekday()]
        text = {
            Pattern.ONCE: f"仅一次（{start.isoformat()}）",
            Pattern.WEEKLY: f"每{day}" if n == 1 else f"每{n}周的{day}{since}",
            Pattern.MONTHLY_WEEKDAY: f"每月{_ZH_NTH[nth]}{day}" if n == 1 else f"每{n}个月的{_ZH_NTH[nth]}{day}{since}",
            Pattern.EVERY_N_MONTHS: f"每月{since}" if n == 1 else f"每{n}个月{since}",
            Pattern.YEARLY: (("每年2月的最后一天" if n == 1 else f"每{n}年2月的最后一天{since}") if leap_day
                             else f"每年{start.month}月{start.day}日" if n == 1 else f"每{n}年{since}"),
        }[pattern]
        return text + ("（遇非工作日顺延）" if rec.move_off_holidays else "")
    since, day = f" from {_en_date(start)}", _EN_DAYS[start.weekday()]
    text = {
        Pattern.ONCE: f"once on {_en_date(start)}",
        Pattern.WEEKLY: f"every {day}" if n == 1 else f"every {n} weeks on {day}{since}",
        Pattern.MONTHLY_WEEKDAY: (f"{_EN_NTH[nth]} {day} of every month" if n == 1
                                  else f"{_EN_NTH[nth]} {day} of every {n} months{since}"),
        Pattern.EVERY_N_MONTHS: f"every month{since}" if n == 1 else f"every {n} months{since}",
        Pattern.YEARLY: (("every year on the last day of February" if n == 1
                          else f"every {n} years on the last day of February{since}") if leap_day
                         else f"every year on {start.day} {_EN_MONTHS[start.month - 1]}" if n == 1
                         else f"every {n} years{since}"),
    }[pattern]
    return text + (" (or the next working day)" if rec.move_off_holidays else "")
