"""What a Slack error means for a message, and how long the outbox keeps trying.

One table sorts Slack's `ok: false` errors: *transient* ones are tried again like a 5xx or a timeout;
*permanent* ones (the bot is not in the channel, the account is gone, the token is bad, the message
itself is wrong) fail the message at once and tell the safety department, because retrying them for
a day would only hide from people that their message never arrived.

An error in neither table is retried, but only for `unknown_give_up_after` (an hour by default), not
for the whole day: Slack adds error codes, and a new transient one must not lose a message after one
try; yet most codes Slack has are permanent, and a permanent one retried for 24 hours would leave the
safety department believing a card reached its channel when it did not. An hour is long enough for a
blip and short enough that the notice still matters. Each such error is logged, to be sorted here.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Kind(StrEnum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


# Transient: Slack did not finish the call; value: whether it may have acted anyway. Slack documents
# `internal_error` and `fatal_error` as "some aspect of the operation may have succeeded", so a post
# that got one is looked up by its marker before it is sent again; the others were not acted on.
TRANSIENT: dict[str, bool] = {
    "internal_error": True,
    "fatal_error": True,
    "service_unavailable": False,
    "request_timeout": False,
    "ratelimited": False,
    "team_added_to_org": False,  # the workspace is being migrated: try again later
}

# Permanent: the same call will fail the same way until a person changes something.
PERMANENT: frozenset[str] = frozenset({
    # where the message goes
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "cannot_dm_bot",
    "user_disabled", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "restricted_action_non_threadable_channel",
    "ekm_access_denied", "team_access_not_granted", "messages_tab_disabled", "thread_not_found",
    "message_not_found", "cant_update_message", "edit_window_closed", "name_taken", "already_in_channel",
    "cant_invite_self", "user_is_restricted",
    # the bot's token and scopes
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
    "missing_scope", "not_allowed_token_type", "access_denied", "org_login_required",
    # the message itself
    "msg_too_long", "no_text", "invalid_blocks", "invalid_blocks_format", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "too_many_attachments",
    "invalid_attachments", "invalid_name", "invalid_name_specials", "invalid_name_maxlength",
    "invalid_name_required", "invalid_json", "json_not_object", "invalid_form_data", "duplicate_channel_not_found",
    # reasons the outbox itself gives (see OutboxSender)
    "parent_failed", "parent_missing", "original_message_missing",
})

# A permanent error a person can fix for the conversation (invite the bot, unarchive, correct the id):
# once a later message to that conversation goes through, the messages it refused are sent after all.
FIXABLE: frozenset[str] = frozenset({"channel_not_found", "not_in_channel", "is_archived"})

# Given when the retry window ran out without an answer Slack would accept.
GAVE_UP = "gave_up"


def kind_of(error: str) -> Kind:
    code = error.split(":", 1)[0].strip()
    if code in TRANSIENT:
        return Kind.TRANSIENT
    if code in PERMANENT or code in ("unknown_template", "not_a_post"):
        return Kind.PERMANENT
    return Kind.UNKNOWN


def may_have_acted(error: str) -> bool:
    """For a transient `ok: false`: could Slack have carried the call out before failing?"""
    return TRANSIENT.get(error, True)


@dataclass
class RetryPolicy:
    """Backoff between tries, capped, and for how long (from the first try) a message is tried at all."""

    base_seconds: float = 1.0
    max_seconds: float = 300.0
    give_up_after: timedelta = timedelta(hours=24)
    unknown_give_up_after: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> float:
        capped = min(self.max_seconds, self.base_seconds * 2 ** max(0, min(attempts, 40) - 1))
        return min(self.max_seconds, capped * random.uniform(0.8, 1.2))

    def window(self, kind: Kind) -> timedelta:
        """How long after its first try a message failing this way is still tried."""
        if kind is Kind.UNKNOWN:
            return min(self.give_up_after, self.unknown_give_up_after)
        return self.give_up_after


class Pace:
    """Spaces Web API calls evenly below a rate (Slack's workspace limits), shared by all sender threads.

    A call that took longer than its slot (a slow answer, a 429 to retry later) would otherwise lose that
    time for good and keep the rate below the limit; the next few calls may make up for it, at most
    `CATCH_UP` slots' worth, which Slack's limits (they allow short bursts) take."""

    CATCH_UP = 10

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now - self.CATCH_UP * self.interval, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)
