"""The migrations build exactly the schema the tables declare (columns, indexes, constraints)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage.uow  # noqa: F401  (every feature's tables on the one MetaData)
from storage.db import make_engine
from storage.metadata import metadata
from storage.migrate import upgrade


def test_the_migrations_at_head_match_the_tables_metadata(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()
