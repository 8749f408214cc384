"""Alembic environment: the engine comes from supervision.storage.db, never from a URL in an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from supervision.core.config import load_settings
from supervision.storage.db import make_engine
from supervision.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine(load_settings().database_url)
    try:
        with engine.begin() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            context.run_migrations()
    finally:
        if owned:
            engine.dispose()


run_migrations_online()
