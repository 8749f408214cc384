"""Shared fixtures: one migrated database per backend (SQLite and PostgreSQL), emptied after each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, text, update
from sqlalchemy.engine import make_url

from supervision.core.config import Settings, load_settings
from supervision.storage.db import open_database
from supervision.storage.models import DATA_MODELS, AuditEntry, DataVersion, ImportBatch, LinkToken, User

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Tables that only the tests write to are emptied, in an order the foreign keys allow.
_DATA_TABLES = [AuditEntry, *reversed(DATA_MODELS.values()), ImportBatch, LinkToken, User]


def _postgres_database() -> tuple[str, Engine] | None:
    """A fresh database for this test run, so parallel runs never meet."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"sv_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # a generated identifier, not user input
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable at {PG_URL}: {exc}")
        return None
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), admin


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           settings: Settings) -> Iterator[Engine]:
    """A migrated database with the townships in place, one per backend for the whole run."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "test.db"
        eng = open_database(f"sqlite:///{path}", settings)
        yield eng
        eng.dispose()
        return
    created = _postgres_database()
    if created is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL} (set CI=true to make this an error)")
    url, admin = created
    eng = open_database(url, settings)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def empty_database(engine: Engine) -> None:
    with engine.begin() as conn:
        for model in _DATA_TABLES:
            conn.execute(delete(model))
        conn.execute(update(DataVersion).values(version=0, changed_at=None))


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The backend's database, empty of business data at the start and end of the test."""
    empty_database(engine)
    yield engine
    empty_database(engine)
