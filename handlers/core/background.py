"""Work a listener starts right before it acks: opening a modal, answering a command.

Bolt's lazy listeners do the same, but copy the whole request first and share a small pool with every
other listener; on the `/hazard` hot path a pool of our own keeps the modal fast under load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack

from handlers.core.errors import log_unexpected

# How long an ack may wait for the modal it started: a modal that is ready within this time reaches the
# person without competing with the ack for the interpreter, and the ack is still far inside Slack's 3 s.
HEAD_START_SECONDS = 0.008


def ack_now(ack: Ack) -> None:
    """The ack of a listener whose work runs after it (a lazy listener)."""
    ack()


class Background:
    def __init__(self, workers: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work")

    def start(self, work: Callable[..., None], *args: Any, body: dict[str, Any]) -> threading.Event:
        """Run `work(*args)` on the pool; the event is set when it is done. Errors are logged, not raised."""
        done = threading.Event()

        def run() -> None:
            try:
                work(*args)
            except Exception as exc:
                log_unexpected(exc, body)
            finally:
                done.set()

        self._pool.submit(run)
        return done

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
