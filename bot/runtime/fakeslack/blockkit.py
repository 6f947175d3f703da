"""Block Kit checked the way Slack would refuse it, so a bad message fails a test, not a real workspace."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.runtime.fakeslack.records import MESSAGE_METHODS, VIEW_METHODS, JsonDict
from bot.runtime.fakeslack.text import text_of as _text_of

if TYPE_CHECKING:
    from bot.runtime.fakeslack.fake import FakeSlack


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _sdk_model_warnings() -> Iterator[list[str]]:
    """slack_sdk *logs* (does not raise) when it skips an unknown block/element type; collect those."""
    logger = logging.getLogger("slack_sdk.models")
    handler = _CollectWarnings()
    old_level = logger.level
    if old_level == logging.NOTSET or old_level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _extra_block_checks(block: JsonDict) -> list[str]:
    """Rules real Slack enforces that slack_sdk 3.x does not check."""
    problems = []
    kind = block.get("type")
    if kind == "section":
        text = block.get("text")
        if isinstance(text, dict) and not text.get("text"):
            problems.append("section text must not be empty")
        for f in block.get("fields") or []:
            if len(_text_of(f)) > 2000:
                problems.append("section field text cannot exceed 2000 characters")
    if kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            problems.append("header text must be a plain_text object")
    problems += [f"an option's {part} is over 75 characters: {text[:40]!r}…"
                 for part, text in _option_texts(block) if len(text) > 75]
    return problems


def _option_texts(node: Any) -> Iterator[tuple[str, str]]:
    """(text|description, text) of every option object anywhere in a block (Slack allows 75 each)."""
    if isinstance(node, dict):
        for option in node.get("options") or []:
            if isinstance(option, dict):
                for part in ("text", "description"):
                    value = option.get(part)
                    if isinstance(value, dict):
                        yield part, str(value.get("text") or "")
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _option_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _option_texts(item)


def _check_block(block: Any, where: str) -> None:
    from slack_sdk.models.blocks import Block

    if not isinstance(block, dict):
        raise AssertionError(f"{where}: block is not an object: {block!r}")
    with _sdk_model_warnings() as skipped:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                raise AssertionError(f"{where}: unknown block type {block.get('type')!r}")
            parsed.validate_json()
            parsed.to_dict()  # validate_json() is shallow; to_dict() validates nested elements too
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(f"{where}: invalid {block.get('type')} block: {exc}\n{block!r}") from exc
    if skipped:
        raise AssertionError(f"{where}: slack_sdk skipped part of the block: {'; '.join(skipped)}\n{block!r}")
    problems = _extra_block_checks(block)
    if problems:
        raise AssertionError(f"{where}: {'; '.join(problems)}\n{block!r}")


def _check_view(view: Any, where: str) -> None:
    from slack_sdk.models.views import View

    if not isinstance(view, dict):
        raise AssertionError(f"{where}: view is not an object: {view!r}")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        raise AssertionError(f"{where}: view.blocks must be a list")
    if len(blocks) > 100:
        raise AssertionError(f"{where}: view has {len(blocks)} blocks (max 100)")
    for i, block in enumerate(blocks):
        _check_block(block, f"{where} view.blocks[{i}]")
    if view.get("type") == "modal":
        if not view.get("title"):
            raise AssertionError(f"{where}: a modal needs a title")
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            raise AssertionError(f"{where}: a modal with input blocks needs a submit button")
    try:
        parsed = View(**view)
        parsed.validate_json()
        parsed.to_dict()
    except Exception as exc:
        raise AssertionError(f"{where}: invalid view: {exc}") from exc


def check_message_blocks(blocks: Any, where: str) -> None:
    """A message's ``blocks`` as Slack would take them (≤50, each valid); raises AssertionError naming `where`."""
    if not isinstance(blocks, list):
        raise AssertionError(f"{where}: blocks is not a list: {blocks!r}")
    if len(blocks) > 50:
        raise AssertionError(f"{where}: message has {len(blocks)} blocks (max 50)")
    for i, block in enumerate(blocks):
        _check_block(block, f"{where} blocks[{i}]")


def check_view(view: Any, where: str) -> None:
    """A view (modal or home) as Slack would take it (≤100 blocks, each valid); raises AssertionError."""
    _check_view(view, where)


def validate_block_kit(fake: FakeSlack) -> None:
    """Check every recorded message ``blocks`` (≤50) and ``view`` (≤100 blocks) like Slack would.

    Uses slack_sdk's models (``Block.parse`` + ``validate_json`` + deep ``to_dict``) plus a few rules
    slack_sdk misses; raises AssertionError naming the call.
    """
    for index, call in enumerate(fake.calls):
        where = f"call #{index} {call.method}"
        if call.method in MESSAGE_METHODS and call.params.get("blocks") is not None:
            check_message_blocks(call.params["blocks"], where)
        if call.method in VIEW_METHODS and "view" in call.params:
            _check_view(call.params["view"], where)
