"""Alembic environment: runs against the engine handed in by `vecinos.migrations`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from vecinos.models import metadata

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
