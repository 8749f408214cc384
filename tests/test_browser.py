"""Real-browser tests (Playwright with Debian's chromium): cold deep links, offline drawing, clicks, wall screens.

Run with `pytest -m browser`. Each test blocks every request that does not go to the
app's own server and asserts that none was even attempted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from auth_support import PASSWORD, fast_config
from fixture_package import A, B, G, write_addition
from page_support import LEADER, seed

from devtools.browser import Offline, Server, chromium, offline_context, start_server, stop_server
from supervision.core.config import Settings
from supervision.ingest.importer import import_package
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
FILTERS = "year=2019&as_of=2019-10-15"
PAGE_URLS = {
    "overview": ("", "稀土行业秩序整顿 · 总览"),
    "map": ("map", "镇区地图"),
    "quota": ("quota", "配额执行"),
    "flows": ("flows", "物料流向"),
    "progress": ("progress", "工作进度"),
    "scoring": ("scoring", "督查评分"),
    "enterprise": ("enterprises", "企业档案"),
    "findings": ("findings", "问题线索"),
}
# A leader's navigation.
NAV_TITLES = ["总览", "镇区地图", "配额执行", "物料流向", "工作进度", "督查评分", "企业档案", "问题线索", "会议材料",
              "我的账号", "帮助"]
CHART = ".js-plotly-plot .main-svg"


def _start(world: World, log: Path) -> Server:
    return start_server({"DATABASE_URL": world.url, "SUPERVISION_CONFIG": str(world.config)}, log)


@dataclass(frozen=True)
class World:
    """A seeded database, the configuration the server reads (cheap argon2) and the wall-screen token."""

    url: str
    config: Path
    token: str


def _world(base: Path, settings: Settings) -> World:
    url = f"sqlite:///{base / 'browser.db'}"
    token = seed(url, settings, base / "package")
    return World(url, fast_config(base), token)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> World:
    return _world(tmp_path_factory.mktemp("browser"), settings)


@pytest.fixture(scope="module")
def server(database: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app server for the module's tests (the cold-link tests start their own)."""
    running = _start(database, tmp_path_factory.mktemp("log") / "streamlit.log")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser, server) -> Iterator[Offline]:
    with offline_context(browser, server.url, {"width": 1600, "height": 1800}) as state:
        yield state


def _open(offline: Offline, url: str):
    """Open `url` in a new tab of the context and sign in as the leader on that very URL, as after a bookmark."""
    page = offline.context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.get_by_label("用户名").wait_for(timeout=60_000)
    page.get_by_label("用户名").fill(LEADER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=60_000)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _assert_frame(page, heading: str) -> None:
    """The app frame is there (navigation with every page, page title), no exception element, charts drawn."""
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    assert len(nav) == len(NAV_TITLES) and all(t in n for t, n in zip(NAV_TITLES, nav, strict=True)), nav
    assert page.locator("[data-testid='stException']").count() == 0
    assert not page.errors  # type: ignore[attr-defined]


def _wait_for_metric(page, label: str, value: str) -> None:
    """Wait until the metric labelled `label` shows `value` (Streamlit replaces elements as a run proceeds)."""
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
               m.innerText.includes(label)
               && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === value)""",
        arg=[label, value], timeout=30_000)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _record_timing(name: str, seconds: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "browser-timing.json"
    found = json.loads(path.read_text()) if path.exists() else {}
    found[name] = round(seconds, 2)
    path.write_text(json.dumps(found, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("name", list(PAGE_URLS))
def test_cold_deep_link(name, database, browser, tmp_path):
    """A fresh server whose first request is the bookmarked page: after signing in there, the frame, the data
    and the charts appear, and the link's filters are in force."""
    path, heading = PAGE_URLS[name]
    query = FILTERS + (f"&uscc={A}" if name == "enterprise" else "")
    cold = _start(database, tmp_path / "streamlit.log")
    try:
        with offline_context(browser, cold.url, {"width": 1600, "height": 1800}) as offline:
            started = time.monotonic()
            page = _open(offline, f"{cold.url}/{path}?{query}")
            _assert_frame(page, heading)
            page.wait_for_selector(CHART, timeout=60_000)
            _record_timing(f"cold server, first chart: {name}", time.monotonic() - started)
            assert page.locator(".js-plotly-plot .plot-container").count() >= 1
            if name == "map":
                assert page.locator(".choroplethlocation").count() == 8
            if name == "enterprise":
                page.get_by_role("heading", name="太仓浮港稀土分离有限公司").wait_for()
            assert _query(page)["as_of"] == ["2019-10-15"]  # signing in kept the link's parameters
            assert page.locator("[data-testid='stException']").count() == 0
            assert offline.blocked == []
    finally:
        stop_server(cold)


@pytest.mark.parametrize("name", list(PAGE_URLS))
def test_warm_server_fresh_context(name, offline, server):
    """Time to the first drawn chart for a new visitor on a running server."""
    path, heading = PAGE_URLS[name]
    query = FILTERS + (f"&uscc={A}" if name == "enterprise" else "")
    started = time.monotonic()
    page = _open(offline, f"{server.url}/{path}?{query}")
    page.wait_for_selector(CHART, timeout=60_000)
    _record_timing(f"warm server, first chart: {name}", time.monotonic() - started)
    _assert_frame(page, heading)
    assert offline.blocked == []


def test_map_click_filters_every_page(offline, server):
    page = _open(offline, f"{server.url}/map?{FILTERS}")
    page.wait_for_selector(".choroplethlocation")
    # Polygons are drawn in feature order: the configured township order starts with 城厢镇.
    page.locator(".choroplethlocation").first.click(force=True)
    page.wait_for_function("() => new URLSearchParams(location.search).get('township') === '城厢镇'",
                           timeout=30_000)
    page.get_by_role("heading", name="城厢镇").wait_for()
    page.locator("[data-testid='stSidebarNav'] a", has_text="配额执行").click()
    page.get_by_role("heading", name="配额执行").wait_for()
    page.wait_for_selector(CHART)
    assert _query(page)["township"] == ["城厢镇"]
    _wait_for_metric(page, "冶炼分离指标（吨）", "500.000")  # 城厢镇's quota only
    assert offline.blocked == []


def test_map_enterprise_click_opens_profile(offline, server):
    page = _open(offline, f"{server.url}/map?{FILTERS}&category=冶炼分离")
    page.wait_for_selector(".scattergeo .point")
    page.locator(".scattergeo .point").first.click(force=True)
    page.wait_for_url("**/enterprises?**", timeout=30_000)
    assert _query(page)["uscc"][0] in {A, B, G}  # the smelters (G has stopped production: a square)
    page.get_by_role("heading", name="企业档案").wait_for()
    page.wait_for_selector(CHART)
    assert _query(page).get("category") == ["冶炼分离"]
    assert offline.blocked == []


def test_filters_live_in_the_url_and_reopen_cold(offline, server, browser):
    page = _open(offline, f"{server.url}/?{FILTERS}")
    page.wait_for_selector(CHART)
    page.get_by_role("combobox", name="企业类别").click()
    page.get_by_role("option", name="贸易流通").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('category') === '贸易流通'")
    bookmarked = page.url
    with offline_context(browser, server.url, {"width": 1600, "height": 1800}) as other:
        again = _open(other, bookmarked)
        again.wait_for_selector(CHART)
        _wait_for_metric(again, "稀土企业（家）", "2")
        assert other.blocked == []
    assert offline.blocked == []


SCREENS = {"1920x1080": (1920, 1080, ""), "3840x2160": (3840, 2160, "&res=4k")}


@pytest.mark.parametrize("size", list(SCREENS))
@pytest.mark.parametrize("name", ["overview", "map"])
def test_wall_screen_fits_the_viewport(name, size, browser, server, database):
    """The wall-screen link (token, no password) in the wall layout at 1080p and 2160p."""
    width, height, extra = SCREENS[size]
    path = PAGE_URLS[name][0]
    with offline_context(browser, server.url, {"width": width, "height": height}) as offline:
        page = offline.context.new_page()
        page.goto(f"{server.url}/{path}?token={database.token}&mode=screen&{FILTERS}{extra}")
        page.wait_for_selector(CHART, timeout=60_000)
        expected = 5 if name == "overview" else 2
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}")
        page.wait_for_timeout(1500)  # let plotly finish its layout before measuring
        assert page.locator("[data-testid='stSidebar']").is_hidden()
        assert page.locator("[data-testid='stHeader']").is_hidden()
        assert page.get_by_text("最后更新：").count() >= 1
        panels = page.locator("[data-testid='stPlotlyChart'], [data-testid='stMetric']")
        assert panels.count() >= expected
        for i in range(panels.count()):
            box = panels.nth(i).bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["y"] >= 0, box
            assert box["x"] + box["width"] <= width + 1, box
            assert box["y"] + box["height"] <= height + 1, (i, box)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"screen-{name}-{size}.png"))
        assert page.locator("[data-testid='stException']").count() == 0
        assert offline.blocked == []


def test_wall_refreshes_itself_and_shows_an_import(browser, settings, tmp_path):
    """With ?refresh=5 the wall reruns its panels every 5 s; an import shows at the next refresh."""
    world = _world(tmp_path, settings)
    url = world.url
    live = _start(world, tmp_path / "streamlit.log")
    try:
        with offline_context(browser, live.url, {"width": 1920, "height": 1080}) as offline:
            page = offline.context.new_page()
            page.goto(f"{live.url}/?token={world.token}&mode=screen&refresh=5&{FILTERS}")
            page.wait_for_selector(CHART, timeout=60_000)
            _wait_for_metric(page, "稀土企业（家）", "8")
            stamp = page.get_by_text("最后更新：").first.inner_text()
            engine = open_database(url, settings)
            try:
                assert import_package(write_addition(tmp_path / "addition"), engine, settings, actor="测试").written
            finally:
                engine.dispose()
            _wait_for_metric(page, "稀土企业（家）", "9")
            assert page.get_by_text("最后更新：").first.inner_text() != stamp
            assert page.locator("[data-testid='stException']").count() == 0
            assert offline.blocked == []
    finally:
        stop_server(live)
