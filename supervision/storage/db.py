"""Engines, sessions, schema migrations and the data-version counter."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.orm import Session

from supervision.core.config import Settings
from supervision.storage.models import DataVersion

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A new engine; SQLite gets foreign keys, WAL and a busy timeout so readers never block writers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_file(Path(path))
        kwargs.setdefault("connect_args", {"timeout": 30})
    # A pooled connection that a database restart killed is noticed and replaced before use, not handed out.
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds password hashes).

    SQLite gives its -wal and -shm files the mode of the database file, so they follow.
    An existing file that others could read is tightened too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    for member in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if member.stat().st_mode & 0o077 and member.stat().st_uid == os.getuid():
                member.chmod(0o600)
        except FileNotFoundError:
            continue


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def schema_is_current(engine: Engine) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == heads


def upgrade(engine: Engine) -> None:
    """Bring the schema up to the newest migration (a no-op when it already is)."""
    if schema_is_current(engine):
        return
    command.upgrade(alembic_config(engine), "head")


def bump_data_version(conn: Connection | Session) -> None:
    """Mark that data changed; call inside the writing transaction."""
    conn.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=dt.datetime.now(dt.UTC))
    )


def refresh_statistics(engine: Engine, tables: list[str]) -> None:
    """ANALYZE tables after a bulk write, so the next query is planned for the rows now there.

    PostgreSQL's autovacuum would get there within a minute or so, SQLite never: a planner that still
    believes a table is empty can scan two million invoices where an index range would do.
    """
    with engine.connect() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table}"')  # names from the spec's table list, never user input
        conn.commit()


def data_version(engine: Engine) -> int:
    """The current data version: part of every cache key in the app."""
    with engine.connect() as conn:
        return int(conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one())


def open_database(url: str, settings: Settings) -> Engine:
    """An engine on an up-to-date schema with the jurisdiction's townships in place."""
    from supervision.storage.townships import sync_townships

    engine = make_engine(url)
    upgrade(engine)
    sync_townships(engine, settings)
    return engine
