"""``conversations.*``: DMs opened by user id, channels created by name, history and threads read back."""

from __future__ import annotations

import time

from bot.runtime.fakeslack.records import BOT_USER_ID, JsonDict, resolve_channel, truthy, ts_key
from bot.runtime.fakeslack.state import State


class ConversationMethods(State):
    def _conversations_open(self, params: JsonDict) -> JsonDict:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": str(params["channel"])}}
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": resolve_channel(users[0])}}
        return {"ok": True, "channel": {"id": "G" + "".join(sorted(u[1:] for u in users))[:20]}}

    def name_channel(self, channel: str, name: str, *, private: bool = False) -> None:
        """Give an existing channel (the safety channel, say) a name and privacy for ``conversations.info``."""
        with self._cond:
            self._channel_names[name] = channel
            self._channel_private[channel] = private

    def leave_channel(self, channel: str) -> None:
        """The bot is not (or no longer) a member of ``channel``: ``conversations.info`` says ``is_member: false``
        and posts there answer ``not_in_channel``, as for a private channel the bot was never invited to."""
        with self._cond:
            self._left.add(resolve_channel(channel))
            self._channel_errors[resolve_channel(channel)] = "not_in_channel"

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = resolve_channel(str(params.get("channel") or ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        names = {v: k for k, v in self._channel_names.items()}
        info: JsonDict = {
            "id": channel,
            "is_im": channel.startswith("D"),
            "is_channel": channel.startswith("C"),
            "is_private": self._channel_private.get(channel, channel.startswith("G")),
            "is_archived": False,
        }
        if not info["is_im"]:
            info["is_member"] = channel not in self._left
        if channel in names:
            info["name"] = names[channel]
        return {"ok": True, "channel": info}

    def _conversations_history(self, params: JsonDict) -> JsonDict:
        channel = resolve_channel(str(params.get("channel") or ""))
        inclusive = truthy(params.get("inclusive", False))
        oldest = ts_key(params.get("oldest") or 0)
        latest = ts_key(params["latest"]) if params.get("latest") else None
        limit = int(params.get("limit") or 100)
        include_metadata = truthy(params.get("include_all_metadata", False))
        stored = self._messages.get(channel, [])
        selected = []
        for message in reversed(stored):
            if message["thread_ts"] not in (None, message["ts"]):
                continue
            key = ts_key(message["ts"])
            if (key < oldest) if inclusive else (key <= oldest):
                continue
            if latest is not None and ((key > latest) if inclusive else (key >= latest)):
                continue
            selected.append(message)
        out = []
        for message in selected[:limit]:
            view = self._history_view(message, include_metadata)
            replies = [m for m in stored if m["thread_ts"] == message["ts"] and m is not message]
            if replies:
                view["thread_ts"] = message["ts"]
                view["reply_count"] = len(replies)
                view["latest_reply"] = replies[-1]["ts"]
            out.append(view)
        return {
            "ok": True,
            "messages": out,
            "has_more": len(selected) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = resolve_channel(str(params.get("channel") or ""))
        ts = str(params.get("ts") or "")
        parent = self._find_message(channel, ts)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        include_metadata = truthy(params.get("include_all_metadata", False))
        replies = [m for m in self._messages.get(channel, []) if m["thread_ts"] == ts and m is not parent]
        out = [self._history_view(m, include_metadata) for m in [parent, *replies]]
        out[0]["thread_ts"] = ts
        out[0]["reply_count"] = len(replies)
        return {"ok": True, "messages": out, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _conversations_create(self, params: JsonDict) -> JsonDict:
        name = str(params.get("name") or "")
        if not name:
            return {"ok": False, "error": "invalid_name_required"}
        if name in self._channel_names:
            return {"ok": False, "error": "name_taken"}
        channel_id = self._next_id("C")
        self._channel_names[name] = channel_id
        self._channel_private[channel_id] = truthy(params.get("is_private", False))
        return {
            "ok": True,
            "channel": {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_private": truthy(params.get("is_private", False)),
                "created": int(time.time()),
                "creator": BOT_USER_ID,
            },
        }

    def _conversations_list(self, params: JsonDict) -> JsonDict:
        """The channels made with conversations.create (the bot is a member of each), paged like Slack's."""
        types = {t.strip() for t in str(params.get("types") or "public_channel").split(",")}
        channels = [{"id": cid, "name": name, "is_channel": True, "is_private": self._channel_private.get(cid, False),
                     "is_member": True, "creator": BOT_USER_ID}
                    for name, cid in self._channel_names.items()]
        channels = [c for c in channels if ("private_channel" if c["is_private"] else "public_channel") in types]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page = channels[start:start + limit]
        more = start + limit < len(channels)
        return {"ok": True, "channels": page, "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    @staticmethod
    def _conversations_invite(params: JsonDict) -> JsonDict:
        return {"ok": True, "channel": {"id": str(params.get("channel") or "")}}
