"""The AppTest fixture: the app pointed at the test database with a cheap argon2 cost, caches cleared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_support import clear_streamlit_caches, fast_config
from sqlalchemy import Engine


@pytest.fixture
def app_db(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database, which the app under AppTest also opens."""
    monkeypatch.setenv("SUPERVISION_CONFIG", str(fast_config(tmp_path)))
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    clear_streamlit_caches()
    yield db
    clear_streamlit_caches()
