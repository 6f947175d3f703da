"""Alembic environment: runs on the connection `storage.migrate` hands over (or a URL for the CLI)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import storage.uow  # noqa: F401  (every feature's tables, on the shared metadata)
from storage.metadata import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True,
                      version_table_schema=config.attributes.get("schema"))
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: set sqlalchemy.url, or run the migrations through storage.migrate")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
