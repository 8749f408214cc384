"""Issue 20 (13): the SQLite file and its WAL/SHM files are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from supervision.core.config import Settings
from supervision.storage.db import make_engine, open_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_database_and_its_wal_are_private(tmp_path: Path, settings: Settings) -> None:
    old = os.umask(0o022)  # the usual umask, under which files are created world-readable
    try:
        path = tmp_path / "fresh" / "supervision.db"
        engine = open_database(f"sqlite:///{path}", settings)
        with engine.connect() as conn:  # an open connection keeps -wal and -shm in place
            conn.execute(text("SELECT 1"))
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: oct(_mode(f)) for f in files} == {f.name: "0o600" for f in files}
        engine.dispose()
    finally:
        os.umask(old)


def test_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    engine = make_engine(f"sqlite:///{path}")
    engine.dispose()
    assert _mode(path) == 0o600
