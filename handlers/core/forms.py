"""Modal forms: the input blocks, reading a submitted modal's state into typed values, and putting a
domain field's error back on the block it came from.

Each feature states one `Form` per modal (its fields' block ids); its listener reads the submission with
`Form.read` and answers field errors with `Form.block_of`. Every input block holds one element, so a
block's state is found by its block_id alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NoReturn

from bot.core.errors import InvalidInput
from bot.core.model import Photo
from bot.core.text import tidy
from handlers.core.blocks import Block, plain
from handlers.core.ids import FIELD

HINT_LIMIT = 2000  # Slack's limit for an input block's hint
PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "gif", "webp"]


def input_block(block: str, element: dict[str, Any], label: str, *, optional: bool = False,
                hint: str | None = None) -> Block:
    """An input block with its one element (action_id FIELD unless the element names its own)."""
    result: Block = {"type": "input", "block_id": block, "label": plain(label), "optional": optional,
                     "element": {"action_id": FIELD, **element}}
    if hint:
        result["hint"] = plain(hint[:HINT_LIMIT])
    return result


def text_element(max_length: int, *, multiline: bool = False, initial: str | None = None) -> dict[str, Any]:
    """A text input limited to what the use case accepts (pass the bot's constant, not a literal)."""
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def photo_element(max_files: int = 5) -> dict[str, Any]:
    return {"type": "file_input", "max_files": max_files, "filetypes": PHOTO_TYPES}


def _bad(block: str) -> NoReturn:
    """A value Slack's own pickers never send: said on its block (`Form.block_of` keeps block ids)."""
    raise InvalidInput({block: "error.bad_date"})


class Submitted:
    """A submitted modal's state, read by block id into typed values; a missing block reads as empty."""

    def __init__(self, view: Mapping[str, Any]) -> None:
        values: Mapping[str, Mapping[str, Any]] = (view.get("state") or {}).get("values") or {}
        self._elements = {block: next(iter(actions.values()), None) or {} for block, actions in values.items()}

    def element(self, block: str) -> dict[str, Any]:
        return dict(self._elements.get(block, {}))

    def text(self, block: str, default: str = "") -> str:
        """What was typed, cleaned (`bot.core.text.tidy`: no control characters, nothing only invisible)."""
        value = self.element(block).get("value")
        return (tidy(value) if isinstance(value, str) else "") or default

    def selected(self, block: str) -> str | None:
        return (self.element(block).get("selected_option") or {}).get("value")

    def chosen(self, block: str, allowed: set[str]) -> str | None:
        """The selected option's value if it is one of `allowed`, else None (a forged or stale value)."""
        value = self.selected(block)
        return value if value in allowed else None

    def checked(self, block: str) -> list[str]:
        return [o.get("value", "") for o in self.element(block).get("selected_options") or []]

    def day(self, block: str) -> date | None:
        """The picked date; one that is no date (a forged "2026-13-45", "tomorrow") is a field error."""
        picked = self.element(block).get("selected_date")
        if not picked:
            return None
        try:
            return date.fromisoformat(picked) if isinstance(picked, str) and len(picked) == 10 else _bad(block)
        except ValueError:
            return _bad(block)

    def raw_day(self, block: str) -> str | None:
        return self.element(block).get("selected_date")

    def moment(self, block: str) -> datetime | None:
        stamp = self.element(block).get("selected_date_time")
        if not stamp:
            return None
        try:
            return datetime.fromtimestamp(int(stamp), UTC)
        except (ValueError, TypeError, OverflowError, OSError):
            return _bad(block)

    def clock_time(self, block: str, default: str) -> time:
        picked = self.element(block).get("selected_time") or default
        try:
            return time.fromisoformat(picked) if isinstance(picked, str) and len(picked) == 5 else _bad(block)
        except ValueError:
            return _bad(block)

    def user(self, block: str) -> str | None:
        return self.element(block).get("selected_user")

    def users(self, block: str) -> list[str]:
        return list(self.element(block).get("selected_users") or [])

    def channel(self, block: str) -> str | None:
        return self.element(block).get("selected_channel")

    def photos(self, block: str) -> list[Photo]:
        """Uploaded files as photos; files Slack sent without an id are skipped."""
        return [Photo(file_id=f["id"], name=f.get("name") or f.get("title") or "", permalink=f.get("permalink") or "")
                for f in self.element(block).get("files") or [] if f.get("id")]


@dataclass(frozen=True)
class Form:
    """One modal: which block each domain field is entered in, and where an error on any other field goes."""

    fields: Mapping[str, str]
    fallback: str
    blocks: frozenset[str] = frozenset()  # the form's other input blocks (pickers with no domain field)

    def read(self, view: Mapping[str, Any]) -> Submitted:
        return Submitted(view)

    def block_of(self, field: str) -> str:
        """The block of a domain field; a block id itself (a malformed picker) stays where it is."""
        if field in self.fields:
            return self.fields[field]
        return field if field in self.fields.values() or field in self.blocks else self.fallback
