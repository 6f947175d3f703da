"""The Slack Web API behind the domain's ports: one call at a time, errors sorted by what they mean."""

from __future__ import annotations

import logging
import threading
import time
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.i18n import normalize
from bot.core.outbox import METADATA_EVENT
from bot.core.ports import SlackRateLimited, SlackRefused, SlackUnavailable
from handlers.core.connections import KeepAliveWebClient

log = logging.getLogger(__name__)

# Sent as JSON; everything else as a form, as the Web API documents them.
_JSON_METHODS = ("chat.", "views.")


def level_set(logger: logging.Logger) -> logging.Logger:
    """`logger`, with a level of its own if it had none.

    slack_sdk and Bolt test `logger.level <= DEBUG`, the logger's own level, not the effective one, before
    building their debug lines: on a logger left at NOTSET (0) every Web API call formats its whole
    request body and every dispatch a line per listener, only for logging to drop them (about 0.1 ms on
    `/hazard`'s way to its modal). INFO is what `safetybot serve` logs at anyway.
    """
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


def make_client(*, token: str, base_url: str, timeout: float) -> KeepAliveWebClient:
    """A client without slack_sdk's own retries (the outbox decides when to try again) that keeps its
    connections open (`handlers.core.connections`)."""
    client = KeepAliveWebClient(token=token, base_url=base_url, timeout=int(max(1, timeout)),
                                logger=level_set(logging.getLogger("safetybot.slack_api")))
    client.retry_handlers.clear()
    return client


class WebApiTransport:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            if method == "files.upload":  # the v2 upload: three calls, done by slack_sdk
                response = self._client.files_upload_v2(**self._to_conversation(payload))
            elif method.startswith(_JSON_METHODS):
                response = self._client.api_call(method, json=payload)
            else:
                response = self._client.api_call(method, params=payload)
        except SlackApiError as exc:
            status = exc.response.status_code
            if status == 429:
                raise SlackRateLimited(float(exc.response.headers.get("Retry-After", 1))) from exc
            if status >= 500 or status < 200:
                raise SlackUnavailable(f"HTTP {status}") from exc
            raise SlackRefused(str(exc.response.get("error", f"HTTP {status}"))) from exc
        except (TimeoutError, URLError, OSError, HTTPException) as exc:  # HTTPException: an answer cut short
            raise SlackUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _to_conversation(self, payload: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal takes only conversation ids (C, G, D): a person's id means their DM."""
        channel = str(payload.get("channel") or "")
        if channel[:1] in ("U", "W"):
            opened = self._client.conversations_open(users=channel)
            return payload | {"channel": opened["channel"]["id"]}
        return payload

    def find_done(self, method: str, payload: dict[str, Any], *, since: float) -> dict[str, Any] | None:
        """An upload whose answer was lost is found by its file name in its channel, shared since the first try
        (each export's file name is its own); other calls are idempotent or checked by their own hooks."""
        if method != "files.upload":
            return None
        channel = self._to_conversation(payload)["channel"]
        answer = self.call("files.list", {"channel": channel, "ts_from": int(since) - 1, "count": 100})
        for found in answer.get("files", []):
            if found.get("name") == payload.get("filename"):
                return {"ok": True, "files": [found]}
        return None

    def find_posted(
        self, *, channel: str, marker: str, since: float, thread_ts: str | None
    ) -> tuple[str, str] | None:
        if channel[:1] in ("U", "W"):
            channel = self.call("conversations.open", {"users": channel})["channel"]["id"]
        method, args = "conversations.history", dict[str, Any](channel=channel)
        if thread_ts:
            method, args = "conversations.replies", {"channel": channel, "ts": thread_ts}
        args |= {"oldest": f"{since - 60:.6f}", "include_all_metadata": "true", "limit": 200}
        for _page in range(5):
            answer = self.call(method, args)
            for message in answer.get("messages", []):
                meta = message.get("metadata") or {}
                if meta.get("event_type") == METADATA_EVENT and meta.get("event_payload", {}).get("key") == marker:
                    return channel, str(message["ts"])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
            args["cursor"] = cursor
        return None


class SlackLocales:
    """A person's language from their Slack locale (`users.info`), cached; channels use the default."""

    def __init__(self, client: WebClient, *, default: str, ttl_seconds: float = 3600.0) -> None:
        self._client = client
        self._default = default
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def locale_for(self, recipient: str) -> str:
        if recipient[:1] not in ("U", "W"):
            return normalize(None, self._default)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(recipient)
        if hit and hit[0] > now:
            return hit[1]
        try:
            user = self._client.users_info(user=recipient, include_locale=True)["user"]
            locale, ttl = normalize(user.get("locale"), self._default), self._ttl
        except Exception as exc:  # never let a look-up failure block a message
            log.warning("users.info failed for %s: %s; using %s", recipient, exc, self._default)
            locale, ttl = normalize(None, self._default), 60.0
        with self._lock:
            self._cache[recipient] = (now + ttl, locale)
        return locale

    def warm(self) -> int:
        """Learn everyone's language with `users.list` (one call per 1,000 people), so a reminder to the whole
        company does not need a `users.info` per person. Returns how many people it learned about."""
        learned, cursor, until = 0, None, time.monotonic() + self._ttl
        while True:
            try:
                page = self._client.users_list(include_locale=True, limit=1000, cursor=cursor)
            except Exception as exc:
                log.warning("users.list failed: %s; languages are looked up one by one", exc)
                return learned
            with self._lock:
                members: list[dict[str, Any]] = page.get("members", [])
                for member in members:
                    self._cache[member["id"]] = (until, normalize(member.get("locale"), self._default))
                    learned += 1
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return learned


class SlackDirectory:
    """Is this a real, active person? (users.info; a deactivated account or a bot is not.)"""

    def __init__(self, client: WebClient, *, ttl_seconds: float = 3600.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._names: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def is_active_user(self, user_id: str) -> bool:
        try:
            user = self._client.users_info(user=user_id)["user"]
        except SlackApiError:
            return False
        self._remember(user)
        return not (user.get("deleted") or user.get("is_bot") or user.get("is_app_user"))

    def name_of(self, user_id: str) -> str:
        """The display name (else the real name, else the handle), cached; the id when Slack does not say."""
        with self._lock:
            hit = self._names.get(user_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        try:
            return self._remember(self._client.users_info(user=user_id)["user"])
        except Exception as exc:  # a name is a courtesy: never let it stop a step
            log.warning("users.info failed for %s: %s; naming them by id", user_id, exc)
            return user_id

    def _remember(self, user: dict[str, Any]) -> str:
        profile = user.get("profile") or {}
        name = str(profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                   or user.get("name") or user["id"])
        with self._lock:
            self._names[str(user["id"])] = (time.monotonic() + self._ttl, name)
        return name
