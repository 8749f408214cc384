"""Issue 20 in a real browser: a revoked wall link stops at its next refresh (1), a link without
`mode=screen` still gets only the wall (5), and tables offer no CSV download of their own (4). Marker: browser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from auth_support import PASSWORD, fast_config
from fixture_package import write_addition
from page_support import LEADER, seed

from devtools.browser import BODY_HAS, Offline, Server, chromium, offline_context, start_server, stop_server
from supervision.access import wall_links
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM
from supervision.ingest.importer import import_package
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

FILTERS = "year=2019&as_of=2019-10-15"
CHART = ".js-plotly-plot .main-svg"


@dataclass(frozen=True)
class World:
    url: str
    config: Path
    token: str
    server: Server


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[World]:
    base = tmp_path_factory.mktemp("wall")
    url = f"sqlite:///{base / 'wall.db'}"
    token = seed(url, settings, base / "package")
    config = fast_config(base)
    server = start_server({"DATABASE_URL": url, "SUPERVISION_CONFIG": str(config)}, base / "streamlit.log")
    try:
        yield World(url, config, token, server)
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Any, world: World) -> Iterator[Offline]:
    with offline_context(browser, world.server.url, {"width": 1920, "height": 1400}) as state:
        yield state
    assert state.blocked == []


def _metric(page: Any, label: str) -> str | None:
    return page.evaluate(
        """(label) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
               .find(m => m.innerText.includes(label));
           return m ? m.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null; }""", label)


def test_revoked_wall_link_stops_at_the_next_refresh(world: World, offline: Offline, settings: Settings,
                                                     tmp_path: Path) -> None:
    """After revocation the open wall shows a Chinese notice and no more data, not even data imported later (1)."""
    engine = open_database(world.url, settings)
    token_id, token = wall_links.create_screen_token(engine, SYSTEM, "将停用的大屏", 1)
    page = offline.new_page()
    page.goto(f"{world.server.url}/?token={token}&mode=screen&refresh=5&{FILTERS}")
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_function(BODY_HAS, arg="最后更新：", timeout=30_000)
    assert _metric(page, "稀土企业（家）") == "8"
    try:
        wall_links.revoke_screen_token(engine, SYSTEM, token_id)
        assert import_package(write_addition(tmp_path / "addition"), engine, settings, actor="测试").written
    finally:
        engine.dispose()
    # The next automatic refresh (within 5 s) re-checks the link and ends the wall.
    page.get_by_text("已过期或已被停用").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator(CHART).count() == 0
    assert "9" != _metric(page, "稀土企业（家）")
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_a_link_without_mode_screen_opens_the_wall_only(world: World, offline: Offline) -> None:
    """`?token=…` without `&mode=screen` once opened the normal overview with 下载Excel (5)."""
    page = offline.new_page()
    page.goto(f"{world.server.url}/?token={world.token}&{FILTERS}")
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_function(BODY_HAS, arg="最后更新：", timeout=30_000)
    assert page.get_by_text("下载Excel").count() == 0
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    assert page.locator("[data-testid='stDownloadButton']").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    page.goto(f"{world.server.url}/map?token={world.token}&{FILTERS}")
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_function(BODY_HAS, arg="最后更新：", timeout=30_000)
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    assert page.locator("[data-testid='stDownloadButton']").count() == 0
    page.close()


def test_tables_have_no_toolbar_csv_download(world: World, offline: Offline) -> None:
    """The table toolbar offers no "Download as CSV" (it skips neutralisation); the project's Excel export stays (4)."""
    page = offline.new_page()
    page.goto(f"{world.server.url}/?{FILTERS}")
    page.get_by_label("用户名").fill(LEADER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(timeout=60_000)
    table.hover()
    toolbar = page.locator("[data-testid='stElementToolbar']").first
    toolbar.wait_for(state="attached", timeout=10_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stElementToolbarButton\"]').length > 0", timeout=10_000)
    labels = page.locator("[data-testid='stElementToolbarButton']").evaluate_all(
        "els => els.map(e => (e.getAttribute('aria-label') || '') + (e.innerText || ''))")
    assert labels and not any("csv" in label.lower() or "download" in label.lower() for label in labels), labels
    assert page.get_by_role("button", name="下载Excel").count() >= 1
    page.close()


def test_the_admin_changes_an_open_wall_from_the_office(world: World, offline: Offline, settings: Settings) -> None:
    """大屏设置 (issue 15): a link's stored parameters lay out the wall; when the admin changes them, the open
    wall takes the new panels and then the new page at its next refresh, with nobody at the screen."""
    engine = open_database(world.url, settings)
    try:
        token_id, token = wall_links.create_screen_token(engine, SYSTEM, "会议室大屏", 1,
                                                         {"refresh": "5", "panels": "overview"})
        page = offline.new_page()
        page.goto(f"{world.server.url}/?token={token}&{FILTERS}")
        page.wait_for_selector(CHART, timeout=60_000)
        page.wait_for_function(BODY_HAS, arg="最后更新：", timeout=30_000)
        assert page.get_by_text("逾期事项与举报、处罚").count() == 0
        wall_links.set_screen_params(engine, SYSTEM, token_id, {"refresh": "5", "panels": "lights"})
        page.get_by_role("heading", name="逾期事项与举报、处罚").wait_for(timeout=30_000)
        wall_links.set_screen_params(engine, SYSTEM, token_id, {"refresh": "5", "page": "map"})
        page.wait_for_url("**/map?**", timeout=30_000)
        page.get_by_role("heading", name="镇区地图").first.wait_for(timeout=30_000)
        page.wait_for_selector(CHART, timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()
    finally:
        engine.dispose()
