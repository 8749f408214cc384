"""The wall screen in a real browser: legible from across the room, and recovering by itself.

- Type: every visible character (HTML text and the charts' SVG text) measured as drawn on screen
  (computed font size times every transform above it), at 1920×1080 and 3840×2160, for each panel group, with
  data and on an empty database: nothing under 14 px (28 px at 4K), at least 80 % at 16 px or more (32 px at
  4K); every bar of every bar chart has its category label; no chart text runs past its panel; no scrolling.
- Server restart: the page reconnects to the restarted server (same port) and redraws, with no reload.
- Server restart while the database is down: the new server's session shows the outage notice, probes, and
  draws the wall when the database returns.
- Database outage (PostgreSQL: `ALTER DATABASE … ALLOW_CONNECTIONS false` and its backends terminated):
  the wall keeps its figures under a "数据暂不可用，显示的是 HH:MM 的数据" banner and resumes when
  connections are allowed again. (SQLite cannot be taken away from a running server: its open
  connections keep reading a renamed or unreadable file.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from auth_support import fast_config
from conftest import _postgres_database
from page_support import seed
from sqlalchemy import text
from sqlalchemy.engine import make_url

from devtools.browser import Offline, Server, chromium, offline_context, start_server, stop_server
from devtools.wall import clipped_text, open_wall, scrolling, type_sizes, unlabelled_bars
from supervision.access import wall_links
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
FILTERS = "year=2019&as_of=2019-10-15"
# (width, height, floor, target): no character under the floor, 80 % at the target or more.
SCREENS = {"1080p": (1920, 1080, 14.0, 16.0), "2160p": (3840, 2160, 28.0, 32.0)}
GROUPS = {"default": "", "overview": "&panels=overview", "map": "&panels=map", "lights": "&panels=lights",
          "burndown": "&panels=burndown"}
EMPTY_GROUPS = ("default", "map", "burndown")
STAMP = "() => ((document.body && document.body.innerText.match(/最后更新：[0-9: -]+/)) || [''])[0]"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("wall")
    url = f"sqlite:///{base / 'wall.db'}"
    return {"url": url, "token": seed(url, settings, base / "package"), "config": fast_config(base), "base": base}


@pytest.fixture(scope="module")
def server(world: dict[str, Any]) -> Iterator[Server]:
    running = start_server({"DATABASE_URL": world["url"], "SUPERVISION_CONFIG": str(world["config"])},
                           world["base"] / "streamlit.log")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def empty_wall(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[tuple[Server, str]]:
    """A wall on a database with no data yet (the first day of a deployment): every panel's empty state."""
    base = tmp_path_factory.mktemp("empty-wall")
    url = f"sqlite:///{base / 'empty.db'}"
    engine = open_database(url, settings)
    try:
        _, token = wall_links.create_screen_token(engine, SYSTEM, "空库大屏", 1)
    finally:
        engine.dispose()
    running = start_server({"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(base))}, base / "streamlit.log")
    try:
        yield running, token
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("group", [*GROUPS, *(f"empty-{g}" for g in EMPTY_GROUPS)])
@pytest.mark.parametrize("size", list(SCREENS))
def test_every_character_is_legible_from_across_the_room(size, group, browser, request, world):
    """Every panel group at both sizes, with data and (empty-…) on a database with none yet."""
    width, height, floor, target = SCREENS[size]
    if group.startswith("empty-"):
        server, token = request.getfixturevalue("empty_wall")
        query = GROUPS[group.removeprefix("empty-")]
    else:
        server, token, query = request.getfixturevalue("server"), world["token"], f"&{FILTERS}{GROUPS[group]}"
    with offline_context(browser, server.url, {"width": width, "height": height}) as offline:
        page = offline.new_page()
        open_wall(page, f"{server.url}/?token={token}&mode=screen{query}", width / 1920)
        sizes = type_sizes(page, floor)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"wall-{group}-{size}.png"))
        assert len(sizes.sizes) > 100
        assert sizes.smallest >= floor - 0.01, sizes.small[:10]
        assert sizes.share_at_least(target) >= 0.8, sizes.summary(floor, target)
        assert unlabelled_bars(page) == []
        assert clipped_text(page) == []
        scroll = scrolling(page)
        assert scroll['[data-testid="stMain"]']["scrollTop"] == 0
        assert not any(v["scrollable"] and v["overflow"] > 1 for k, v in scroll.items() if k != "content"), scroll
        assert scroll["content"]["bottom"] <= height + 1, scroll
        assert page.locator("[data-testid='stException']").count() == 0
        assert offline.blocked == []


class Restartable:
    """A server the test stops and starts again on the same port, with a wall page open on it."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.servers = [start_server(env, logs / "first.log")]
        self.port = int(self.servers[0].url.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return self.servers[0].url

    def open_wall(self, offline: Offline, token: str) -> Any:
        """The wall, drawn, with a marker that a reload would lose (redrawn in place, or reloaded?)."""
        page = offline.new_page()
        page.goto(f"{self.url}/?token={token}&mode=screen&refresh=5&{FILTERS}")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        page.evaluate("() => { window.__sameDocument = true; }")
        return page

    def restart(self) -> None:
        stop_server(self.servers[-1])
        self.servers.append(start_server(self.env, self.logs / "second.log", port=self.port))

    def stop(self) -> None:
        for server in self.servers:
            if server.process.poll() is None:
                stop_server(server)


def test_wall_redraws_after_a_server_restart(browser, world, tmp_path):
    """Streamlit's page reconnects by itself; the new server's session redraws the wall (no page reload)."""
    servers = Restartable({"DATABASE_URL": world["url"], "SUPERVISION_CONFIG": str(world["config"])}, tmp_path)
    try:
        with offline_context(browser, servers.url, {"width": 1920, "height": 1080}) as offline:
            page = servers.open_wall(offline, world["token"])
            servers.restart()
            before = page.evaluate(STAMP)
            page.wait_for_function(f"() => ({STAMP})() !== {before!r} && ({STAMP})() !== ''", timeout=90_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            assert page.evaluate("() => window.__sameDocument === true")  # redrawn in place, not reloaded
            assert page.locator("[data-testid='stException']").count() == 0
            assert offline.blocked == []
    finally:
        servers.stop()


def _allow_connections(admin: Any, name: str, allow: bool) -> None:
    with admin.connect() as conn:
        # `name` is the generated name of this test's own database, not input.
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allow else "false"}'))
        if not allow:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})


@dataclass(frozen=True)
class PgWall:
    url: str
    name: str
    admin: Any
    token: str
    env: dict[str, str]


@pytest.fixture
def pg_wall(settings: Settings, tmp_path: Path) -> Iterator[PgWall]:
    """A seeded PostgreSQL database of its own (it is taken away during the test) and a wall link to it."""
    created = _postgres_database()
    if created is None:
        pytest.skip("PostgreSQL unreachable")
    url, admin = created
    name = make_url(url).database
    assert name is not None
    try:
        token = seed(url, settings, tmp_path / "package")
        yield PgWall(url, name, admin, token, {"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(tmp_path))})
    finally:
        _allow_connections(admin, name, True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_wall_keeps_its_figures_through_a_database_outage(browser, pg_wall, tmp_path):
    live = start_server(pg_wall.env, tmp_path / "streamlit.log")
    try:
        with offline_context(browser, live.url, {"width": 1920, "height": 1080}) as offline:
            page = offline.new_page()
            page.goto(f"{live.url}/?token={pg_wall.token}&mode=screen&refresh=5&{FILTERS}")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            charts = page.locator(".js-plotly-plot").count()
            _allow_connections(pg_wall.admin, pg_wall.name, False)
            banner = page.get_by_text("数据暂不可用，显示的是")
            banner.wait_for(timeout=60_000)
            assert page.locator(".js-plotly-plot").count() == charts  # the last figures stay on the wall
            assert page.locator("[data-testid='stException']").count() == 0
            _allow_connections(pg_wall.admin, pg_wall.name, True)
            banner.wait_for(state="detached", timeout=60_000)
            page.get_by_text("最后更新：").first.wait_for(timeout=30_000)
            assert page.locator(".js-plotly-plot").count() == charts
            assert page.locator("[data-testid='stException']").count() == 0
            assert offline.blocked == []
    finally:
        stop_server(live)


def test_wall_recovers_from_a_server_restart_while_the_database_is_down(browser, pg_wall, tmp_path):
    """The worst night: the database goes away, the server restarts meanwhile (its new session has no figures
    to keep), and the database comes back. The wall says the database is unreachable, probes, and redraws by
    itself when it returns: no reload, no traceback, nobody at the screen."""
    servers = Restartable(pg_wall.env, tmp_path)
    try:
        with offline_context(browser, servers.url, {"width": 1920, "height": 1080}) as offline:
            page = servers.open_wall(offline, pg_wall.token)
            _allow_connections(pg_wall.admin, pg_wall.name, False)
            servers.restart()
            page.get_by_text("数据库暂时无法连接").first.wait_for(timeout=90_000)
            assert page.locator("[data-testid='stException']").count() == 0
            _allow_connections(pg_wall.admin, pg_wall.name, True)
            page.get_by_text("数据库暂时无法连接").first.wait_for(state="detached", timeout=60_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            page.get_by_text("最后更新：").first.wait_for(timeout=30_000)
            assert page.evaluate("() => window.__sameDocument === true")  # redrawn in place, not reloaded
            assert page.locator("[data-testid='stException']").count() == 0
            assert offline.blocked == []
    finally:
        servers.stop()
