"""Telling people when a message could not be delivered for good, once per cause and conversation.

A message Slack refuses for good would otherwise fail in silence: the reporter was told the head knows,
the head never got the card. So the outbox queues a notice, as an outbox message itself, to the safety
department (by DM to its officers when the failing conversation is their own channel), in plain words
with the fix. 200 refused cards to one channel are one problem and make one notice: the notice's key
names the conversation, the cause and when that problem began; a message that later gets through to
the conversation ends the problem, so the next refusal is news again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.i18n import t
from bot.core.ports import POST, Rendered, UnitOfWork
from bot.core.retry import FIXABLE

if TYPE_CHECKING:
    from bot.core.outbox import OutboxMessage

log = logging.getLogger(__name__)

NOTICE_TEMPLATE = "outbox.delivery_failed"

# What went wrong, said so a safety officer can act on it; anything else gets the general text.
_CAUSES = {
    "not_in_channel": "delivery.failed.not_in_channel",
    "channel_not_found": "delivery.failed.channel_not_found",
    "is_archived": "delivery.failed.is_archived",
    "user_not_found": "delivery.failed.person_gone",
    "account_inactive": "delivery.failed.token",
    "user_disabled": "delivery.failed.person_gone",
    "cannot_dm_bot": "delivery.failed.person_gone",
    "invalid_auth": "delivery.failed.token",
    "not_authed": "delivery.failed.token",
    "token_revoked": "delivery.failed.token",
    "token_expired": "delivery.failed.token",
    "missing_scope": "delivery.failed.scope",
    "no_permission": "delivery.failed.scope",
    "gave_up": "delivery.failed.gave_up",
}


def conversation_mention(conversation: str) -> str:
    """`<#C…>` for a channel, `<@U…>` for a person's DM: Slack shows the name, in the reader's client."""
    if conversation[:1] in ("U", "W"):
        return f"<@{conversation}>"
    return f"<#{conversation}>"


def render_notice(context: dict[str, Any], locale: str) -> Rendered:
    """The notice as a plain post: only our own words, a mention and Slack's error code in it."""
    code = str(context.get("error") or "")
    where = conversation_mention(str(context.get("conversation") or ""))
    key = _CAUSES.get(code.split(":", 1)[0], "delivery.failed.other")
    text = t(key, locale, where=where, error=code[:100])
    return Rendered(POST, {"text": text, "unfurl_links": False, "unfurl_media": False})


@dataclass(frozen=True)
class FailureNotices:
    """Who hears about a conversation Slack refuses: the safety channel, or its officers for that channel."""

    channel: str | None = None
    officers: tuple[str, ...] = ()

    def recipients_for(self, conversation: str) -> list[str]:
        if self.channel is None:
            return []
        if conversation == self.channel:
            return list(self.officers)
        return [self.channel]

    @staticmethod
    def key(conversation: str, error: str, since: datetime, recipient: str) -> str:
        return f"outbox:failed:{conversation}:{error[:40]}:{since.isoformat()}:{recipient}"

# A message refused for one of these waited for another one; that one's refusal is what people are told.
WAITING = ("parent_failed", "parent_missing", "original_message_missing")


def record_failure(uow: UnitOfWork, message: OutboxMessage, error: str, *, notices: FailureNotices,
                   now: datetime, probe_every: timedelta) -> None:
    """In the transaction that gives the message up: note the problem and, if it is new, queue the notice.

    Not told: a notice that failed itself (no loops), a message whose feature handles its failure
    (`on_failed`), and one that only waited for a refused message.
    """
    from bot.core.outbox import OutboxMessage

    if message.template == NOTICE_TEMPLATE or message.on_failed or error in WAITING:
        return
    conversation = message.recipient
    since, new = uow.outbox.record_problem(conversation, error, now=now, probe_at=now + probe_every)
    if not new:
        return
    log.error("outbox: Slack refuses messages to %s (%s); telling the safety department", conversation, error)
    context = {"conversation": conversation, "error": error, "fixable": error in FIXABLE}
    for recipient in notices.recipients_for(conversation):
        uow.outbox.add(OutboxMessage(key=FailureNotices.key(conversation, error, since, recipient),
                                     recipient=recipient, template=NOTICE_TEMPLATE, context=context,
                                     created_at=now))
