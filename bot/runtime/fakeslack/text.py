"""The text a person would see in a message's blocks, so tests can assert on words, not on JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.runtime.fakeslack.records import JsonDict


def text_of(obj: Any) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    if isinstance(obj, str):
        return obj
    return ""


def _rich_texts(element: Any) -> Iterator[str]:
    if isinstance(element, dict):
        kind = element.get("type")
        if kind == "text" and isinstance(element.get("text"), str):
            yield element["text"]
        elif kind == "link":
            yield str(element.get("text") or element.get("url") or "")
        elif kind == "user":
            yield f"<@{element.get('user_id')}>"
        elif kind == "channel":
            yield f"<#{element.get('channel_id')}>"
        for child in element.get("elements") or []:
            yield from _rich_texts(child)


def block_texts(block: JsonDict) -> list[str]:
    kind = block.get("type")
    out: list[str] = []
    if kind in ("section", "header"):
        out.append(text_of(block.get("text")))
        out.extend(text_of(f) for f in block.get("fields") or [])
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            out.append(text_of(accessory.get("text")))
    elif kind == "context":
        out.extend(text_of(e) for e in block.get("elements") or [] if isinstance(e, dict) and "text" in e)
    elif kind == "actions":
        out.extend(text_of(e.get("text")) for e in block.get("elements") or [] if isinstance(e, dict))
    elif kind == "rich_text":
        out.append("".join(_rich_texts(block)))
    elif kind == "input":
        out.append(text_of(block.get("label")))
    return [t for t in out if t]
