"""What every command shares: the database its --db option names."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from supervision.core.config import Settings, resolve_database_url
from supervision.storage.db import open_database


def open_engine(args: argparse.Namespace, settings: Settings) -> Engine:
    """The engine for --db (or the configured database), migrated to the current schema."""
    url = resolve_database_url(args.db) if args.db else settings.database_url
    return open_database(url, settings)
