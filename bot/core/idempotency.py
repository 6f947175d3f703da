"""Idempotent submissions: the same request twice does the work once and answers the same both times.

Slack may deliver a modal's `view_submission` again, and a person whose answer was slow presses Submit
again on the same modal. Both carry the modal's `view.id`, so `submission_key(view id, callback)` names
the submission; the use case claims that key in its own transaction (`replay`) and stores its result
with the work (`remember`). A second submission then gets the stored result instead of a second case.
A concurrent second one waits on the first's claim (a unique row) and then reads its result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

KEY_MAX = 200


class Submissions(Protocol):
    def claim(self, key: str, *, at: datetime) -> dict[str, Any] | None:
        """Hold `key` until commit; the stored result if an earlier transaction already did this work.

        A transaction holding the same key makes this wait until it ends.
        """

    def remember(self, key: str, result: dict[str, Any]) -> None:
        """Store the result of the work done under `key` (claimed in this transaction)."""


def submission_key(view_id: str | None, callback_id: str) -> str | None:
    """The key of one modal's submission; None when Slack sent no view id (nothing to tell apart)."""
    return f"view:{view_id}:{callback_id}"[:KEY_MAX] if view_id else None


def replay(uow: Any, key: str | None, *, at: datetime) -> dict[str, Any] | None:
    """Claim `key` in this unit of work; the earlier result when the work was already done under it."""
    if key is None:
        return None
    submissions: Submissions = uow.submissions
    return submissions.claim(key, at=at)


def remember(uow: Any, key: str | None, result: BaseModel | dict[str, Any]) -> None:
    if key is None:
        return
    submissions: Submissions = uow.submissions
    submissions.remember(key, result.model_dump(mode="json") if isinstance(result, BaseModel) else result)
