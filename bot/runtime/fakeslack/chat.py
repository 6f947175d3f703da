"""``chat.*``: messages are stored per channel (a user id means its DM) so history and updates work."""

from __future__ import annotations

from bot.runtime.fakeslack.records import BOT_ID, BOT_USER_ID, JsonDict, resolve_channel
from bot.runtime.fakeslack.state import State


class ChatMethods(State):
    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        text = params.get("text") or ""
        blocks = params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        channel = resolve_channel(raw_channel)
        thread_ts = params.get("thread_ts") or None
        message: JsonDict = {
            "type": "message",
            "channel": channel,
            "ts": self._next_ts(),
            "text": text,
            "blocks": blocks,
            "thread_ts": str(thread_ts) if thread_ts else None,
            "metadata": params.get("metadata"),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
        }
        self._messages.setdefault(channel, []).append(message)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": self._history_view(message, include_metadata=True),
        }

    def _chat_update(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        channel = resolve_channel(raw_channel)
        ts = str(params.get("ts") or "")
        message = self._find_message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        for name in ("text", "blocks", "metadata"):
            if name in params:
                message[name] = params[name]
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": self._history_view(message, include_metadata=True),
        }

    def _chat_delete(self, params: JsonDict) -> JsonDict:
        channel = resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("ts") or "")
        message = self._find_message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        error = self._posting_error(str(params.get("channel") or ""))
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_schedule_message(self, params: JsonDict) -> JsonDict:
        raw_channel = str(params.get("channel") or "")
        error = self._posting_error(raw_channel)
        if error:
            return {"ok": False, "error": error}
        return {
            "ok": True,
            "channel": resolve_channel(raw_channel),
            "scheduled_message_id": self._next_id("Q"),
            "post_at": params.get("post_at"),
        }

    @staticmethod
    def _chat_get_permalink(params: JsonDict) -> JsonDict:
        channel = resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("message_ts") or "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }
