"""Domain events: how one feature reacts to what happened in another without importing its internals.

A use case records a fact (`uow.record(RectificationVerified(...))`); the unit of work hands each recorded
event to the handlers subscribed to its class when `commit()` is called, in the same transaction, so the
reaction commits or rolls back with the change that caused it. Each feature defines the events it raises
(past tense, one class each) and exposes its subscriptions; only the composition root combines them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

# (unit of work, event): the unit of work is the feature's own, hence Any here.
Handler = Callable[[Any, Any], None]
Subscriptions = Mapping[type["DomainEvent"], Sequence[Handler]]

MAX_ROUNDS = 20  # a handler recording events whose handlers record events...: a loop is a bug, not a feature


class DomainEvent(BaseModel):
    """Something that happened to a case, told to whoever subscribed; immutable once recorded."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    actor_id: str
    at: datetime


class Dispatcher:
    """Handlers per event class (a handler of a base class also hears its subclasses), in subscription order."""

    def __init__(self, *subscriptions: Subscriptions) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
        for subscription in subscriptions:
            for event_type, handlers in subscription.items():
                self._handlers[event_type].extend(handlers)

    def handlers_for(self, event: DomainEvent) -> list[Handler]:
        return [h for cls in type(event).__mro__ if cls in self._handlers for h in self._handlers[cls]]

    def dispatch(self, uow: Any, events: Iterable[DomainEvent]) -> None:
        for event in events:
            for handler in self.handlers_for(event):
                handler(uow, event)


class EventRecorder:
    """What a unit of work needs to record events and hand them over before it commits.

    Mixed into each implementation (SQL, the test fakes); `dispatcher` None: events are recorded, nobody hears.
    """

    dispatcher: Dispatcher | None = None
    _recorded: list[DomainEvent]

    def record(self, event: DomainEvent) -> None:
        self.__dict__.setdefault("_recorded", []).append(event)

    def forget_recorded(self) -> None:
        """At the start and end of a transaction: events of a rolled-back one are not facts."""
        self._recorded = []

    def dispatch_recorded(self) -> None:
        """Run the handlers of every recorded event, including those the handlers themselves record."""
        for _ in range(MAX_ROUNDS):
            pending, self._recorded = self.__dict__.get("_recorded", []), []
            if not pending:
                return
            if self.dispatcher is not None:
                self.dispatcher.dispatch(self, pending)
        raise RuntimeError("domain events keep causing one another; a handler loops")
