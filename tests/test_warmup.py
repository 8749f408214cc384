"""The background warm-up (issue 21): after it, the first leader's overview and the first wall read no business rows.

Counted with SQLAlchemy's cursor events on the app's engine: a statement that names one of the imported tables
is a business read. Run on a copy of the seeded page database, since the last test imports into it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_package import write_addition
from page_support import no_exception
from sqlalchemy import event

from components import warmup
from components.db import engine
from supervision.core.config import Settings
from supervision.ingest.importer import import_package
from supervision.storage.db import open_database
from supervision.storage.models import DATA_MODELS

BUSINESS = re.compile(r"\b(" + "|".join(m.__tablename__ for m in DATA_MODELS.values()) + r")\b")


@pytest.fixture
def copied(seeded: tuple[str, str], tmp_path: Path) -> str:
    """A private copy of the seeded page database (this module imports into it)."""
    source = Path(seeded[0].removeprefix("sqlite:///"))
    target = tmp_path / "warm.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def business_reads(copied: str, fast_settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Business statements the app's engine runs from now on (the engine of the copied database)."""
    from page_support import factory

    made = factory(copied, monkeypatch, fast_settings_file)
    next(made)
    live = engine()
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if BUSINESS.search(statement):
            seen.append(statement)

    event.listen(live, "before_cursor_execute", count)
    yield seen
    event.remove(live, "before_cursor_execute", count)
    next(made, None)


def _app(url: str, **params: str) -> Any:
    from page_support import APP, LEADER, signed_in
    from streamlit.testing.v1 import AppTest

    from components import session

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    if "token" not in params:
        at.session_state[session._STATE] = signed_in(url, LEADER)
    return at.run()


def test_after_a_warm_up_the_first_overview_reads_no_business_rows(business_reads: list[str], copied: str) -> None:
    warmer = warmup.Warmer(poll_s=60)
    assert warmer.tick() is True
    assert business_reads, "the warm-up itself reads the data"
    assert warmer.tick() is False  # nothing changed since: nothing read again
    business_reads.clear()
    at = _app(copied)
    no_exception(at)
    assert at.title[0].value == "稀土行业秩序整顿 · 总览"
    assert business_reads == [], '\n\n'.join(r[:300] for r in business_reads)


def test_after_a_warm_up_the_first_wall_reads_no_business_rows(business_reads: list[str], copied: str,
                                                                 seeded: tuple[str, str]) -> None:
    warmup.Warmer(poll_s=60).tick()
    business_reads.clear()
    for group in ("overview", "lights", "burndown", "timeline", "map"):
        at = _app(copied, token=seeded[1], mode="screen", panels=group)
        no_exception(at)
    at = _app(copied, token=seeded[1], mode="screen")  # the default wall: two groups in two rows
    no_exception(at)
    assert business_reads == [], '\n\n'.join(r[:300] for r in business_reads)


def test_an_import_is_warmed_at_the_next_tick(business_reads: list[str], copied: str, settings: Settings,
                                              tmp_path: Path) -> None:
    warmer = warmup.Warmer(poll_s=60)
    warmer.tick()
    before = warmer.warmed
    database = open_database(copied, settings)
    try:
        assert import_package(write_addition(tmp_path / "addition"), database, settings, actor="测试").written
    finally:
        database.dispose()
    assert warmer.tick() is True
    assert warmer.warmed is not None and before is not None and warmer.warmed[0] > before[0]
    assert warmer.runs == 2 and warmer.last_seconds is not None
    business_reads.clear()
    at = _app(copied)
    no_exception(at)
    assert any(m.label == "稀土企业（家）" and m.value == "9" for m in at.metric)  # the added ninth enterprise
    assert business_reads == [], '\n\n'.join(r[:300] for r in business_reads)


def test_the_thread_stops_and_is_off_in_the_test_configuration(business_reads: list[str]) -> None:
    assert warmup.start() is None  # tests' config.toml: warm_up = false
    warmer = warmup.Warmer(poll_s=0.05)
    import threading

    thread = threading.Thread(target=warmer.run, name=warmup.THREAD_NAME, daemon=True)
    thread.start()
    deadline = 300  # up to a minute on a loaded machine; it returns as soon as the first warm-up is done
    while warmer.runs == 0 and deadline:
        thread.join(0.2)
        deadline -= 1
    warmer.stop.set()
    thread.join(5)
    assert warmer.runs == 1 and not thread.is_alive()
