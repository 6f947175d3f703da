"""Answering a modal submission: field errors, a kind refusal, or a short apology — never a trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack

from bot.core.errors import DomainError, InvalidInput
from bot.core.i18n import t
from handlers.core.blocks import build_apology_modal, build_message_modal
from handlers.core.errors import log_unexpected


def refusal(exc: DomainError, locale: str) -> str:
    """A domain refusal in the person's language (a status in it is translated too)."""
    params = dict(exc.params)
    if "status" in params:
        prefix = "incident.status." if exc.key == "error.incident_state" else "status."
        params["status"] = t(prefix + str(params["status"]), locale)
    return t(exc.key, locale, **params)


def answer_submission(ack: Ack, body: dict[str, Any], *, locale: str, title: str, run: Callable[[], Any],
                      block_of: Callable[[str], str], done: Callable[[Any], dict[str, Any]] | None = None) -> None:
    """Run one use case for a modal and ack with what the person should see next.

    Bad input goes back on its field (`block_of` maps a domain field to the modal's block); a refusal or
    an unexpected error replaces the modal with a message; success closes it, or shows `done(result)`.
    """
    try:
        result = run()
    except InvalidInput as exc:
        ack(response_action="errors", errors={block_of(field): t(key, locale, **exc.field_params.get(field, {}))
                                              for field, key in exc.fields.items()})
    except DomainError as exc:
        ack(response_action="update", view=build_message_modal(title=title, text=refusal(exc, locale),
                                                               locale=locale))
    except Exception as exc:
        ack(response_action="update", view=build_apology_modal(locale=locale, error_ref=log_unexpected(exc, body)))
    else:
        if done is None:
            ack()
        else:
            ack(response_action="update", view=done(result))
