"""Alembic environment: migrates the database named by Gemba's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import accounts.models
import audits.models
import forms.models
import plant.models
import trail
from config import load_settings
from extensions import Base, build_engine

# Imported for their side effect of registering tables on Base.metadata.
_MODEL_MODULES = (accounts.models, forms.models, audits.models, plant.models, trail)

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (passed in by tests, or built from settings)."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.attributes.get("database_url") or load_settings().resolved_database_url
    engine = build_engine(url)
    with engine.connect() as conn:
        _configure(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
