"""``views.*``: a modal or home tab comes back as Slack returns it (ids, hash, empty state)."""

from __future__ import annotations

import time

from bot.runtime.fakeslack.records import APP_ID, BOT_ID, TEAM_ID, JsonDict
from bot.runtime.fakeslack.state import State


class ViewMethods(State):
    def _view_json(self, view: JsonDict, view_id: str) -> JsonDict:
        out = dict(view)
        out.update(
            {
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "state": {"values": {}},
                "hash": f"{int(time.time())}.{self._next_id('h')}",
                "root_view_id": view_id,
            }
        )
        out.setdefault("private_metadata", "")
        out.setdefault("callback_id", "")
        return out

    def _views_open(self, params: JsonDict) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view_json(view, self._next_id("V"))}

    def _views_update(self, params: JsonDict) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id") or self._next_id("V")
        return {"ok": True, "view": self._view_json(view, str(view_id))}
