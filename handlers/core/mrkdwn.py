"""Text that a person typed, made safe for Slack's mrkdwn."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """`<!channel>`, `<@U…>` and links typed by a person are shown, never acted on."""
    return text.translate(_ESCAPES)


def clip(text: str, limit: int) -> str:
    """Shorten already-escaped text to `limit` characters without cutting an entity in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
