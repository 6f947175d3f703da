"""Reading back what the bot did: the calls it made and the messages now stored per channel."""

from __future__ import annotations

from bot.runtime.fakeslack.records import DELIVERED, Call, JsonDict, resolve_channel
from bot.runtime.fakeslack.state import State
from bot.runtime.fakeslack.text import block_texts


class Inspection(State):
    @property
    def calls(self) -> list[Call]:
        """Snapshot of every recorded call, in arrival order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` were recorded; return all calls to it so far."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(1 for c in self._calls if c.method == method) >= count, timeout=timeout
            )
            calls = [c for c in self._calls if c.method == method]
            if not done:
                seen = ", ".join(f"{c.method}[{c.outcome}]" for c in self._calls) or "nothing"
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, got {len(calls)}; "
                    f"recorded: {seen}"
                )
            return calls

    def calls_to_channel(self, channel: str, methods: tuple[str, ...] = ("chat.postMessage", "chat.update")
                         ) -> list[Call]:
        """Calls to ``methods`` addressed to ``channel`` (a user id means its DM), in arrival order,
        each with its arrival time (``call.at``) and outcome: what a per-conversation limit is checked on."""
        key = resolve_channel(channel)
        with self._cond:
            return [c for c in self._calls if c.method in methods
                    and resolve_channel(str(c.params.get("channel") or "")) == key]

    def delivered(self, method: str = "chat.postMessage") -> list[Call]:
        """Calls to ``method`` that took effect (outcome ok, or a processed timeout)."""
        with self._cond:
            return [c for c in self._calls if c.method == method and c.outcome in DELIVERED]

    def messages(self, channel: str) -> list[JsonDict]:
        """Messages stored in ``channel`` (a user id means its DM), in posting order, replies included."""
        with self._cond:
            return [dict(m) for m in self._messages.get(resolve_channel(channel), [])]

    def texts_for(self, channel_or_user: str) -> list[str]:
        """For each stored message: its ``text`` plus the visible text of its blocks, newline-joined."""
        out = []
        for message in self.messages(channel_or_user):
            parts = [message["text"]] if message.get("text") else []
            for block in message.get("blocks") or []:
                if isinstance(block, dict):
                    parts.extend(block_texts(block))
            out.append("\n".join(p for p in parts if p))
        return out
