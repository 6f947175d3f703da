"""How listeners ack: at once (`ack_now`, work in a lazy listener), or first and then work on (`ack_then`).

`ack_then` is the `/hazard` hot path: the modal is opened on the request's own thread right after the ack,
with no hand-off to another thread (each costs a wake-up and a turn for the interpreter lock, about a
tenth of a millisecond each on this kind of machine). Bolt, with `process_before_response`, answers only
when the listener returns, so the ack is put in an `AckSlot` the adapter handed in through the request's
context: the HTTP front door sends it as soon as the listener returns or, if the work takes longer than
`HEAD_START_SECONDS`, right away; Socket Mode sends it at once. Without a slot (Bolt driven directly, as in
unit tests) the ack goes out when the work is done.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Protocol

from slack_bolt import Ack, BoltContext, BoltResponse

ACK_SLOT = "safetybot_ack_slot"  # the key of the slot in a BoltRequest's context

# How long the front door lets a listener's work run before it sends the ack it has: a modal opened within
# this time reaches the person without competing with the ack for the interpreter, and the ack is still
# far inside Slack's 3 s.
HEAD_START_SECONDS = 0.008


class TakesAck(Protocol):
    """What an adapter puts in the context under ACK_SLOT: `put` gets the ack on the listener's thread."""

    def put(self, response: BoltResponse) -> None: ...


class AckSlot:
    """The HTTP front door's TakesAck: where a listener leaves its ack while it goes on working.

    `put` is called on the listener's thread and `forward` on the front door's event loop. Nothing crosses
    threads unless the front door is already waiting (the work outlived the head start): then `put` wakes it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.response: BoltResponse | None = None
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[BoltResponse]] | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> AckSlot:
        """Bolt deep-copies the context for lazy listeners: they share the request's one slot."""
        return self

    def put(self, response: BoltResponse) -> None:
        with self._lock:
            self.response, waiter = response, self._waiter
        if waiter is not None:
            loop, future = waiter
            loop.call_soon_threadsafe(_resolve, future, response)

    def forward(self, future: asyncio.Future[BoltResponse]) -> None:
        """Settle `future` (of the running loop) with the ack: now if the listener has acked, else when it does."""
        with self._lock:
            if self.response is None:
                self._waiter = (future.get_loop(), future)
                return
        _resolve(future, self.response)


def _resolve(future: asyncio.Future[BoltResponse], response: BoltResponse) -> None:
    if not future.done():
        future.set_result(response)


def ack_now(ack: Ack) -> None:
    """The ack of a listener whose work runs after it (a lazy listener)."""
    ack()


def ack_then(ack: Ack, context: BoltContext, work: Callable[[], None]) -> None:
    """Ack, hand the ack to the adapter, then do `work` on this thread (its errors are the caller's to catch)."""
    response = ack()
    slot: TakesAck | None = context.get(ACK_SLOT)
    if slot is not None:
        slot.put(response)
    work()
