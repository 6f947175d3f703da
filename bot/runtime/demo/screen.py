"""How the demo prints what people see: Block Kit as lines of text, mrkdwn as Slack shows it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.runtime.demo.cast import NAMES

WIDTH = 78


def flatten(blocks: list[dict[str, Any]]) -> list[str]:
    """Blocks as lines of text, roughly as Slack lays them out."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"▌ {block['text']['text']}")
        elif kind == "section":
            if "text" in block:
                lines.extend(block["text"]["text"].splitlines())
            for item in block.get("fields", []):
                lines.append("  " + item["text"].replace("\n", ": ", 1).replace("*", ""))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                lines[-1] += f"  [ {accessory['text']['text']} ]"
        elif kind == "rich_text":
            for part in block.get("elements", []):
                lines.extend("".join(_rich(e) for e in part.get("elements", [])).splitlines())
        elif kind == "context":
            lines.append("  · " + " ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "actions":
            lines.append("  " + "  ".join(f"[ {e['text']['text']} ]" for e in block["elements"] if "text" in e))
        elif kind == "rich_text":
            lines.extend("".join(_rich(e) for e in block["elements"]).splitlines())
        elif kind == "input":
            element = block["element"]
            shown = element.get("initial_value") or (element.get("initial_option") or {}).get("text", {}).get("text")
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"  {block['label']['text']}{optional}: {shown or '____'}")
    return lines


def _rich(element: dict[str, Any]) -> str:
    """A rich_text element in the same notation as mrkdwn lines, so `as_seen` shows both alike."""
    kind = element.get("type")
    if kind == "user":
        return f"<@{element['user_id']}>"
    if kind == "channel":
        return f"<#{element['channel_id']}>"
    if kind == "link":
        return f"<{element['url']}|{element['text']}>" if element.get("text") else element["url"]
    if kind == "text":
        return str(element["text"])
    return "".join(_rich(e) for e in element.get("elements") or [])


def as_seen(line: str) -> str:
    """mrkdwn as Slack shows it: mentions as @names, links as their labels, entities decoded."""
    line = re.sub(r"<@(\w+)>", lambda m: "@" + NAMES.get(m.group(1), m.group(1)), line)
    line = re.sub(r"<#(\w+)(?:\|[^>]*)?>", r"#\1", line)
    line = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", line).replace("*", "")
    return line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def section(title: str, lines: Sequence[str] = ()) -> None:
    print(f"\n── {title} " + "─" * max(0, WIDTH - 4 - len(title)))
    for line in lines:
        print(f"  {as_seen(line)}")


def line(text: str) -> None:
    print(f"  {as_seen(text)}")


def one_line(blocks: list[dict[str, Any]], text: str, limit: int = 110) -> str:
    """A message in one line: its first lines of text and its buttons, cut to fit a terminal."""
    shown = [s.strip(" ▌·") for s in flatten(blocks)] or text.splitlines()
    joined = as_seen(" · ".join(s for s in shown[:3] if s))
    buttons = [s.strip() for s in shown if s.strip().startswith("[ ")]
    if buttons and buttons[-1] not in joined:
        joined += " · " + buttons[-1]
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"
