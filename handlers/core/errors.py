"""One place for the unexpected: log it with a short reference the person also sees."""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_bolt.response import BoltResponse

from bot.core.i18n import t
from bot.core.ports import LocaleResolver
from handlers.core.blocks import build_apology_modal

log = logging.getLogger("safetybot.errors")


def log_unexpected(error: BaseException, body: dict[str, Any] | None) -> str:
    """Log with enough context to find the request again; the returned reference goes to the person."""
    ref = uuid.uuid4().hex[:8]
    body = body or {}
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    kind = body.get("type") or body.get("command")
    log.error("unexpected error ref=%s user=%s request=%s", ref, user, kind, exc_info=error)
    return ref


def register_error_handler(app: App, locales: LocaleResolver) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> BoltResponse | None:
        """Never a 500 (Slack would show a vague failure, and retry): a modal gets the apology in its place, any
        other request a 200 and, where it can be answered, an ephemeral apology. Both carry the reference."""
        ref = log_unexpected(error, body)
        user = (body.get("user") or {}).get("id") or body.get("user_id") or ""
        if body.get("type") == "view_submission":
            view = build_apology_modal(locale=locales.locale_for(user), error_ref=ref)
            return BoltResponse(status=200, body=json.dumps({"response_action": "update", "view": view}),
                                headers={"content-type": "application/json"})
        if respond is not None and body.get("response_url", (body.get("response_urls") or [{}])[0]):
            try:
                respond(text=t("error.unexpected", locales.locale_for(user), ref=ref),
                        response_type="ephemeral", replace_original=False)
            except Exception:
                log.exception("could not tell %s about error %s", user, ref)
        return BoltResponse(status=200, body="")


class Kindly:
    """Wraps work done after the ack (lazy listeners, background work) so that an unexpected error is
    logged with a reference *and* the person is told, instead of Bolt logging one line and the person
    seeing nothing happen."""

    def __init__(self, locales: LocaleResolver) -> None:
        self._locales = locales

    def __call__(self, work: Callable[..., None]) -> Callable[[dict[str, Any], Any, Respond], None]:
        names = inspect.getfullargspec(work).args

        def run(body: dict[str, Any], client: Any, respond: Respond) -> None:
            available = {"body": body, "client": client, "respond": respond}
            try:
                work(**{name: available[name] for name in names})
            except Exception as exc:
                ref = log_unexpected(exc, body)
                user = (body.get("user") or {}).get("id") or body.get("user_id") or ""
                try:
                    respond(text=t("error.unexpected", self._locales.locale_for(user), ref=ref),
                            response_type="ephemeral", replace_original=False)
                except Exception:
                    log.exception("could not tell %s about error %s", user, ref)

        run.__name__ = run.__qualname__ = getattr(work, "__name__", "work")
        return run
