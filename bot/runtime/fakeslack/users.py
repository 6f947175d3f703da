"""``auth.test`` and ``users.*``: the people the bot looks up (their locale decides their language)."""

from __future__ import annotations

from bot.runtime.fakeslack.records import BOT_ID, BOT_USER_ID, TEAM_ID, JsonDict, User, truthy
from bot.runtime.fakeslack.state import State


class UserMethods(State):
    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        locale: str = "en-US",
        deleted: bool = False,
        tz: str = "Asia/Shanghai",
    ) -> None:
        """Known to ``users.info``/``users.list``. Like real Slack, posting to a deleted user still
        succeeds; script failures with :meth:`set_channel_error` / :meth:`error`."""
        with self._cond:
            self._users[user_id] = User(user_id, name or user_id.lower(), locale, deleted, tz)

    @staticmethod
    def _user_json(user: User, include_locale: bool) -> JsonDict:
        data: JsonDict = {
            "id": user.id,
            "team_id": TEAM_ID,
            "name": user.name,
            "real_name": user.name,
            "deleted": user.deleted,
            "is_bot": False,
            "tz": user.tz,
            "profile": {"display_name": user.name, "real_name": user.name},
        }
        if include_locale:
            data["locale"] = user.locale
        return data

    @staticmethod
    def _auth_test(params: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "safetybot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    @staticmethod
    def _apps_connections_open(params: JsonDict) -> JsonDict:
        """Socket Mode's WebSocket address; the fake serves none, so only the token check is real."""
        return {"ok": True, "url": "wss://fakeslack.invalid/link/?ticket=fake"}

    def _users_info(self, params: JsonDict) -> JsonDict:
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user_json(user, truthy(params.get("include_locale", False)))}

    def _users_list(self, params: JsonDict) -> JsonDict:
        include_locale = truthy(params.get("include_locale", False))
        members = [self._user_json(u, include_locale) for u in self._users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
