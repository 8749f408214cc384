"""Shared fixtures: one migrated database per backend (SQLite and PostgreSQL), emptied after each test.

Every fixture more than one test module uses is registered here, so tests never import a fixture by name.
Their helpers live in the support modules (page_support, auth_support, exports_support); those are imported
inside the fixtures because Streamlit's testing module and the demo builder are heavy and most tests need neither.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, delete, text, update
from sqlalchemy.engine import make_url

from supervision.core.config import Settings, load_settings
from supervision.storage.db import open_database
from supervision.storage.models import (
    DATA_MODELS,
    AuditEntry,
    DataVersion,
    FindingFile,
    FindingRecord,
    FindingTransition,
    ImportBatch,
    LinkToken,
    User,
    WebSession,
)

if TYPE_CHECKING:
    from page_support import AppFactory

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Tables that only the tests write to are emptied, in an order the foreign keys allow.
_DATA_TABLES = [FindingFile, FindingTransition, FindingRecord, AuditEntry, *reversed(DATA_MODELS.values()),
                ImportBatch, LinkToken, WebSession, User]


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
        if conn.dialect.name == "postgresql":
            # The audit log is append-only (migration 0005); emptying it is deliberate maintenance.
            conn.execute(text("SET LOCAL supervision.audit_maintenance = 'on'"))
        for model in _DATA_TABLES:
            conn.execute(delete(model))
        conn.execute(update(DataVersion).values(version=0, changed_at=None))


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The backend's database, empty of business data at the start and end of the test."""
    empty_database(engine)
    yield engine
    empty_database(engine)


@pytest.fixture
def app_db(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database, which the app under AppTest also opens."""
    from auth_support import clear_streamlit_caches, fast_config

    monkeypatch.setenv("SUPERVISION_CONFIG", str(fast_config(tmp_path)))
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    clear_streamlit_caches()
    yield db
    clear_streamlit_caches()


@pytest.fixture
def demo(db: Engine, settings: Settings) -> Iterator[Engine]:
    """The backend's database holding the demo data (fictional enterprises, planted problems)."""
    from supervision.demo.build import build_demo_database

    build_demo_database(db, settings)
    yield db


@pytest.fixture(scope="session")
def empty_url(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> str:
    """A migrated SQLite database with no business data, only the page tests' leader's account."""
    from auth_support import add_account
    from page_support import LEADER

    from supervision.core.principal import Role

    url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.db'}"
    engine = open_database(url, settings)
    add_account(engine, settings, LEADER, Role.LEADER)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def fast_settings_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """config.toml with a cheap argon2 cost, so signing in does not dominate the page tests."""
    from auth_support import fast_config

    return fast_config(tmp_path_factory.mktemp("config"))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> tuple[str, str]:
    """(database URL, wall-screen token) of the seeded page-test database."""
    from page_support import seed

    base = tmp_path_factory.mktemp("pages")
    url = f"sqlite:///{base / 'pages.db'}"
    return url, seed(url, settings, base / "package")


@pytest.fixture
def app(seeded: tuple[str, str], fast_settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """Build an AppTest of the app on the seeded database, signed in, opened on a page with query parameters."""
    from page_support import factory

    yield from factory(seeded[0], monkeypatch, fast_settings_file)


@pytest.fixture
def empty_app(empty_url: str, fast_settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """As `app`, on the database with no business data."""
    from page_support import factory

    yield from factory(empty_url, monkeypatch, fast_settings_file)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> str:
    """A SQLite database holding the demo data and the page tests' leader account (the as-of page tests)."""
    from auth_support import add_account
    from page_support import LEADER

    from supervision.core.principal import Role
    from supervision.demo.build import build_demo_database

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = open_database(url, settings)
    try:
        build_demo_database(engine, settings)
        add_account(engine, settings, LEADER, Role.LEADER, display_name="页面测试领导")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def demo_app(demo_url: str, fast_settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """As `app`, on the demo database."""
    from page_support import factory

    yield from factory(demo_url, monkeypatch, fast_settings_file)
