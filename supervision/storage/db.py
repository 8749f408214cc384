"""Engines, sessions, schema migrations and the data-version counter."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervision.core.config import Settings
from supervision.storage.models import DataVersion

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000  # how long a SQLite connection waits for the write lock (make_engine's timeout)
_T = TypeVar("_T")


class WriteLocked(Exception):
    """SQLite's one write lock was held (by an import) for longer than a short write would wait."""


def write_without_waiting(engine: Engine, work: Callable[[Connection], _T], wait_ms: int) -> _T:
    """Run `work` in a transaction of its own that waits at most `wait_ms` for SQLite's write lock.

    An import holds that lock for its whole run; a sign-in's bookkeeping or a session's touch must not wait
    for it. Raises WriteLocked when the lock stayed taken; PostgreSQL writes never wait on an import.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # A PRAGMA takes no bound parameter: an int is formatted in, never text.
            conn.connection.driver_connection.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")  # type: ignore[union-attr]
        try:
            with conn.begin():
                return work(conn)
        except OperationalError as exc:
            if not sqlite or "locked" not in str(exc).lower():
                raise
            raise WriteLocked from exc
        finally:
            if sqlite:
                conn.connection.driver_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")  # type: ignore[union-attr]


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A new engine; SQLite gets foreign keys, WAL and a busy timeout so readers never block writers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_file(Path(path))
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_MS / 1000})
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


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for PostgreSQL and in-memory databases."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


@contextmanager
def import_slot(engine: Engine, wait_s: float, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
    """Yields True once this process holds the one import slot of a SQLite file, False after `wait_s` without.

    SQLite has one writer at a time: a second import would wait out the busy timeout and end in
    "database is locked". Imports take turns on a lock file beside the database instead (an flock,
    so it holds across the server's sessions and the command line, and dies with its process).
    PostgreSQL imports queue on an advisory lock in their transaction (supervision.ingest.importer).
    """
    path = sqlite_file(engine)
    if path is None:
        yield True
        return
    fd = os.open(path.with_name(path.name + ".import-lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                time.sleep(0.2)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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
