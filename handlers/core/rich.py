"""Sentences with a person's text in them, as `rich_text`: the bot's own words keep their formatting
(`*bold*`, mentions, links from the translations), while what a person typed is a plain text element, so
`*bold*`, `_x_`, `~x~`, `<!channel>` and `<@U…>` show as typed and notify nobody.

Why not escape into mrkdwn: mrkdwn has no escape for `*`, `_` or `~`; escaping `&`, `<`, `>` stops only
mentions and links. So typed text never goes into mrkdwn (the notification `text` still escapes, it is not
rendered).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.core.i18n import t
from bot.core.text import clean

Element = dict[str, Any]
_HOLE = "\x00"  # cleaned text holds no NUL, so a typed value can never fake a hole
_STYLED = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])")
_TOKEN = re.compile(r"<@([A-Z0-9]+)>|<#([A-Z0-9]+)(?:\|[^>]*)?>|<(https?://[^|>]+)\|([^>]+)>|<(https?://[^>]+)>"
                    + f"|{_HOLE}(\\w+){_HOLE}")
_STYLE_OF = ("bold", "italic", "strike")


def typed_text(text: str, style: Mapping[str, bool] | None = None) -> Element:
    element: Element = {"type": "text", "text": clean(text) or "—"}
    if style:
        element["style"] = dict(style)
    return element


def _pieces(text: str, typed: Mapping[str, str], style: dict[str, bool]) -> Iterator[Element]:
    at = 0
    for match in _TOKEN.finditer(text):
        if match.start() > at:
            yield _text(text[at:match.start()], style)
        user, channel, url, label, bare, hole = match.groups()
        if user:
            yield {"type": "user", "user_id": user}
        elif channel:
            yield {"type": "channel", "channel_id": channel}
        elif url:
            yield {"type": "link", "url": url, "text": label, **({"style": style} if style else {})}
        elif bare:
            yield {"type": "link", "url": bare}
        else:
            yield typed_text(typed.get(hole, ""), style)
        at = match.end()
    if at < len(text):
        yield _text(text[at:], style)


def _text(text: str, style: dict[str, bool]) -> Element:
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # the bot's own words
    return {"type": "text", "text": text, **({"style": dict(style)} if style else {})}


def elements(trusted: str, typed: Mapping[str, str] | None = None) -> list[Element]:
    """`trusted` (the bot's own mrkdwn, with holes `\\x00name\\x00` for typed values) as rich text elements."""
    typed = typed or {}
    out: list[Element] = []
    at = 0
    for match in _STYLED.finditer(trusted):
        out.extend(_pieces(trusted[at:match.start()], typed, {}))
        which = next(i for i, group in enumerate(match.groups()) if group is not None)
        out.extend(_pieces(match.group(which + 1), typed, {_STYLE_OF[which]: True}))
        at = match.end()
    out.extend(_pieces(trusted[at:], typed, {}))
    return [e for e in out if e.get("type") != "text" or e["text"]]


def hole(name: str) -> str:
    return f"{_HOLE}{name}{_HOLE}"


def rich_block(*sections: list[Element]) -> dict[str, Any]:
    """A rich_text block, one paragraph per list of elements (empty paragraphs are left out).

    The paragraphs share one section, a line break apart: Slack shows consecutive sections on one line."""
    joined: list[Element] = []
    for section in (s for s in sections if s):
        joined += ([{"type": "text", "text": "\n"}] if joined else []) + section
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": joined}]}


def rich_sentence(key: str, locale: str, *, typed: Mapping[str, str], **params: Any) -> dict[str, Any]:
    """The translation `key` as a rich_text block; `typed` values (what people wrote) are shown as typed."""
    text = t(key, locale, **params, **{name: hole(name) for name in typed})
    return rich_block(elements(text, typed))


def labelled(label: str, text: str) -> list[Element]:
    """A bold label on its own line, then a person's text as typed."""
    return [{"type": "text", "text": label + "\n", "style": {"bold": True}}, typed_text(text)]


def plain_of(trusted: str, typed: Mapping[str, str]) -> str:
    """The same sentence as notification text: holes filled with the typed values, `<`, `>` and `&` escaped."""
    from handlers.core.mrkdwn import escape

    return re.sub(f"{_HOLE}(\\w+){_HOLE}", lambda m: escape(clean(typed.get(m.group(1), ""))), trusted)
