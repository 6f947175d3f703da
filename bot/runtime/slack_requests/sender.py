"""``SlackSender``: POSTs signed requests to the bot as Slack would (tests, benchmarks, the demo)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from bot.runtime.slack_requests.actions import block_actions, block_suggestion
from bot.runtime.slack_requests.builders import event_callback, message_shortcut, slash_command, view_submission
from bot.runtime.slack_requests.common import FORM, SlackRequest, new_response_url, sign


class SlackSender:
    """POSTs signed requests to ``{base_url}{path}`` (default ``/slack/events``).

    Pass ``client`` to reuse an existing ``httpx.Client`` (e.g. Starlette's ``TestClient``); it is then
    not closed by :meth:`close`. ``response_url_base`` (e.g. ``fake.response_url_base``) is used for
    the response_url of commands, clicks and shortcuts unless one is given.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        response_url_base: str | None = None,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = base_url.rstrip("/") + path
        self.signing_secret = signing_secret
        self.response_url_base = response_url_base
        self._owns_client = client is None
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def post(
        self,
        body: bytes,
        content_type: str = FORM,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send ``body`` signed with the secret; ``timestamp``/``signature`` override to forge requests."""
        sent = sign(body, self.signing_secret, timestamp)
        sent["Content-Type"] = content_type
        if signature is not None:
            sent["X-Slack-Signature"] = signature
        if headers:
            sent.update(headers)
        return self.client.post(self.url, content=body, headers=sent)

    def send(self, request: SlackRequest, **kwargs: Any) -> httpx.Response:
        return self.post(request.body, request.content_type, **kwargs)

    def _response_url(self, kind: str, given: str | None) -> str | None:
        if given is not None or self.response_url_base is None:
            return given
        return new_response_url(kind, self.response_url_base)

    def command(self, command: str, text: str = "", *, user_id: str, **kwargs: Any) -> httpx.Response:
        kwargs["response_url"] = self._response_url("commands", kwargs.get("response_url"))
        return self.send(slash_command(command, text, user_id=user_id, **kwargs))

    def submit_view(self, **kwargs: Any) -> httpx.Response:
        return self.send(view_submission(**kwargs))

    def click(self, **kwargs: Any) -> httpx.Response:
        if kwargs.get("view") is None and kwargs.get("channel_id") is not None:
            kwargs["response_url"] = self._response_url("actions", kwargs.get("response_url"))
        return self.send(block_actions(**kwargs))

    def suggest(self, **kwargs: Any) -> httpx.Response:
        """Type in an external select: Slack asks for its options."""
        return self.send(block_suggestion(**kwargs))

    def shortcut(self, **kwargs: Any) -> httpx.Response:
        kwargs["response_url"] = self._response_url("actions", kwargs.get("response_url"))
        return self.send(message_shortcut(**kwargs))

    def event(self, event: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.send(event_callback(event, **kwargs))

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> SlackSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
