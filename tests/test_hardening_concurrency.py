"""Issue 20 (2): an import in progress holds the write lock, yet reads go on and a second import queues with a
clear message instead of "database is locked" (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_support import PRINCIPALS, E, seed
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.ingest import importer
from supervision.ingest.importer import BUSY, import_package
from supervision.ingest.package import Upload
from supervision.storage.db import data_version

TOWN = PRINCIPALS["浮桥镇人员"]


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


class HeldImport:
    """An import stopped inside its transaction (after writing its rows, before the commit), until released."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        # Every (enterprise, year) pair but the seed's: new rows, written before the progress callback holds.
        rows = "".join(f"{u},{year},2019-07-01,{year % 7}\n" for u in E for year in range(1980, 2101) if year != 2019)
        self.upload = Upload("self_checks.csv", ("uscc,year,submitted_on,problems_found\n" + rows).encode())
        self.engine, self.settings = engine, settings
        self.inside, self.release = threading.Event(), threading.Event()
        self.report: importer.ImportReport | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _hold(self, _table: str, _rows: int) -> None:
        self.inside.set()
        assert self.release.wait(60)

    def _run(self) -> None:
        self.report = import_package(self.upload, self.engine, self.settings, progress=self._hold)

    def __enter__(self) -> HeldImport:
        self.thread.start()
        assert self.inside.wait(60), "the held import never got going"
        return self

    def __exit__(self, *_: Any) -> None:
        self.release.set()
        self.thread.join(60)


@pytest.fixture
def held(world: dict[str, Any], db: Engine, settings: Settings,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldImport]:
    monkeypatch.setattr(importer, "IMPORT_WAIT_S", 1.0)
    with HeldImport(db, settings) as running:
        yield running
    assert running.report is not None and running.report.written, running.report


def test_a_second_import_queues_and_says_so(held: HeldImport, db: Engine, settings: Settings) -> None:
    waited: list[bool] = []
    started = time.perf_counter()
    report = import_package(Upload("self_checks.csv", f"uscc,year\n{E[1]},2021\n".encode()), db, settings,
                            principal=TOWN, waiting=lambda: waited.append(True))
    elapsed = time.perf_counter() - started
    assert [p.reason for p in report.problems] == [BUSY] and not report.written
    assert waited == [True] and 0.9 < elapsed < 10


def test_reads_do_not_wait_on_an_import(held: HeldImport, db: Engine) -> None:
    started = time.perf_counter()
    assert data_version(db) >= 1
    assert time.perf_counter() - started < 1


@pytest.fixture
def officer(world: dict[str, Any], db: Engine, settings: Settings) -> str:
    from auth_support import add_account

    from supervision.access.throttle import THROTTLE
    from supervision.core.principal import Role

    THROTTLE.clear()
    add_account(db, settings, "busy.officer", Role.LEADER)
    return "busy.officer"


def test_sign_in_does_not_wait_on_an_import(officer: str, held: HeldImport, db: Engine, settings: Settings) -> None:
    """During an import a sign-in answers at once; its bookkeeping is written once the import has committed."""
    from auth_support import PASSWORD, fast
    from sqlalchemy import select

    from supervision.access import signin
    from supervision.storage.models import AuditEntry

    security = fast(settings.security)
    started = time.perf_counter()
    good = signin.authenticate(db, officer, PASSWORD, security, source="10.2.0.1")
    bad = signin.authenticate(db, officer, "wrong", security, source="10.2.0.1")
    elapsed = time.perf_counter() - started
    assert good.ok and not bad.ok and bad.message == signin.GENERIC_FAILURE
    assert elapsed < 3, elapsed
    held.release.set()
    held.thread.join(60)
    signin.flush_sign_in_bookkeeping()
    with db.connect() as conn:
        actions = list(conn.execute(select(AuditEntry.action).where(AuditEntry.record_key == officer)
                                    .order_by(AuditEntry.id)).scalars())
    assert actions == ["insert", "signin", "signin_bad"]
