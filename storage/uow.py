"""The unit of work: one transaction per use case, with every feature's repository on one session.

A feature adds its repository with one line in `REPOSITORIES`; the repository maps its own tables.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.core.errors import Conflict
from bot.core.events import Dispatcher, EventRecorder
from storage.core import SqlEvents, SqlOutbox, SqlReferences
from storage.hazards import SqlHazards
from storage.incidents import SqlIncidents
from storage.metadata import READING, SqlRepository
from storage.plans import SqlPlans
from storage.scheduling import SqlSchedule
from storage.submissions import SqlSubmissions

# (attribute of the unit of work, repository): what `uow.<attribute>` is inside a transaction.
REPOSITORIES: list[tuple[str, type[SqlRepository]]] = [
    ("events", SqlEvents),
    ("references", SqlReferences),
    ("outbox", SqlOutbox),
    ("hazards", SqlHazards),
    ("incidents", SqlIncidents),
    ("plans", SqlPlans),
    ("schedule", SqlSchedule),
    ("submissions", SqlSubmissions),
]

_mapped = False


def map_domain() -> None:
    """Map the dataclasses once per process; idempotent so tests and the app can both call it."""
    global _mapped
    if _mapped:
        return
    for _, repository in REPOSITORIES:
        repository.map_tables()
    _mapped = True


class SqlUnitOfWork(EventRecorder):
    # Declared for type checkers; set per transaction in __enter__.
    events: SqlEvents
    references: SqlReferences
    outbox: SqlOutbox
    hazards: SqlHazards
    incidents: SqlIncidents
    plans: SqlPlans
    schedule: SqlSchedule
    submissions: SqlSubmissions

    def __init__(
        self, sessions: sessionmaker[Session], after_commit: Callable[[], None] | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self._sessions = sessions
        self._after_commit = after_commit
        self.dispatcher = dispatcher
        self._reading = False

    def reading(self) -> SqlUnitOfWork:
        """The next transaction only reads: on SQLite a plain (deferred) BEGIN instead of BEGIN IMMEDIATE, so
        under WAL it runs beside a writer instead of queueing for the write lock; `commit` refuses."""
        self._reading = True
        return self

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        if self._reading:
            self.session.connection(execution_options={READING: True})
        self.forget_recorded()
        for name, repository in REPOSITORIES:
            setattr(self, name, repository(self.session))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self._reading = False
        self.session.rollback()
        self.session.close()
        if isinstance(exc, StaleDataError):  # raised by an autoflush inside the block
            raise Conflict("error.case_changed") from exc

    def savepoint(self) -> AbstractContextManager[Any]:
        """A SAVEPOINT: the block's writes are undone alone if it raises (the scheduler's one bad row)."""
        return self.session.begin_nested()

    def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a reading unit of work does not commit; open it without reading()")
        self.dispatch_recorded()  # the reactions of other features, in this transaction
        try:
            self.session.commit()
        except StaleDataError as exc:  # another step changed the case between our read and our write
            self.session.rollback()
            raise Conflict("error.case_changed") from exc
        if self.outbox.added and self._after_commit is not None:
            self.outbox.added = 0
            self._after_commit()
