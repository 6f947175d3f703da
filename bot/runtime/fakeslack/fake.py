"""``FakeSlack``: the Web API methods, failure scripting and inspection together, served on loopback."""

from __future__ import annotations

import json
import threading
from contextlib import suppress
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.runtime.fakeslack.chat import ChatMethods
from bot.runtime.fakeslack.conversations import ConversationMethods
from bot.runtime.fakeslack.failures import FailureInjection
from bot.runtime.fakeslack.files import UPLOAD_PREFIX, FileMethods
from bot.runtime.fakeslack.http import Server
from bot.runtime.fakeslack.inspection import Inspection
from bot.runtime.fakeslack.records import JSON_ENCODED_FIELDS, Answer, Call, json_bytes, parse_body
from bot.runtime.fakeslack.users import UserMethods
from bot.runtime.fakeslack.views import ViewMethods


class FakeSlack(Inspection, FailureInjection, ChatMethods, ConversationMethods, UserMethods, ViewMethods,
                FileMethods):
    """Fake Slack Web API (``/api/<method>``) plus response_url endpoint (``/respond/<anything>``)."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        super().__init__(host=host)
        self._handlers = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.publish": self._views_open,
            "views.update": self._views_update,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.scheduleMessage": self._chat_schedule_message,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.create": self._conversations_create,
            "conversations.list": self._conversations_list,
            "conversations.invite": self._conversations_invite,
            "pins.add": self._ok,
            "files.getUploadURLExternal": self._files_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.list": self._files_list,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = Server((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in timeout()/delay()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """For ``WebClient(base_url=...)`` (ends with a slash)."""
        return f"{self.base_url}/api/"

    @property
    def response_url_base(self) -> str:
        """Prefix for response_urls: append anything, e.g. ``fake.response_url_base + "T1/1/abc"``."""
        return f"{self.base_url}/respond/"

    def reset(self, *, keep_messages: bool = False) -> None:
        """Forget calls, scripted failures, delays, rate limits, channel errors, channels left and (unless told)
        messages and channel names.

        Users added with :meth:`add_user` are kept.
        """
        with self._cond:
            self._calls.clear()
            self._scripts.clear()
            self._delays.clear()
            self._buckets.clear()
            self._random_429.clear()
            self._channel_errors.clear()
            self._channel_scripts.clear()
            self._left.clear()
            self._chaos.clear()
            self.errors.clear()
            if not keep_messages:
                self._messages.clear()
                self._channel_names.clear()

    # ------------------------------------------------------------------ request handling

    def _dispatch(
        self, *, raw_path: str, body: bytes, content_type: str, authorization: str | None, arrived: float
    ) -> Answer:
        """Record the call *before* answering, so a caller that got an answer finds it in ``calls``."""
        url = urlsplit(raw_path)
        path = url.path
        if path.startswith("/api/") and len(path) > 5:
            method = path[5:]
        elif path.startswith("/respond/"):
            method = "response_url"
        elif path.startswith(UPLOAD_PREFIX):
            return self._receive_upload(path, body)
        else:
            return Answer(404, json_bytes({"ok": False, "error": "unknown_method"}))

        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        params.update(parse_body(body, content_type))
        for name in JSON_ENCODED_FIELDS:
            value = params.get(name)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                with suppress(ValueError):
                    params[name] = json.loads(value)
        token: str | None = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif isinstance(params.get("token"), str):
            token = params["token"]

        call = Call(method=method, params=params, token=token, at=arrived, path=path)
        with self._cond:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None
            script = script or self._channel_script(method, params) or self._chaos_script(method)
            answer = self._decide(method, params, call, script)
            answer.sleep += self._delays.get(method, 0.0)
            self._calls.append(call)
            self._cond.notify_all()
        return answer
