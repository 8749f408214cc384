"""The session cookie, /healthz, /metrics and a database outage, in a real browser against serve.py (issue 16).

- A password sign-in on a deep link shows that page, and its fetch to /session/start sets the cookie; a
  reload and a second tab stay signed in; another
  browser (context) is not; the cookie is HttpOnly and SameSite=Strict (and not Secure over plain HTTP).
- Sign-out in one tab ends the other tab's session; an idle session and one past its absolute lifetime are
  refused (their clocks set back in the database: the same check a real wait would reach); a forged cookie
  and one signed with another key are refused.
- /metrics in the Prometheus text format, and refused (403) to an address that is not configured, as seen
  through a trusted proxy's X-Forwarded-For.
- PostgreSQL taken away (`ALLOW_CONNECTIONS false`, its backends terminated): an office page shows the one
  Chinese message and no chart, /healthz answers 503 database_unreachable; connections allowed again, the
  page comes back by itself and /healthz answers 200.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_support import PASSWORD, fast_config
from conftest import _postgres_database
from page_support import LEADER, seed
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from devtools.browser import Offline, Server, chromium, offline_context, start_server, stop_server
from supervision.access import sessions
from supervision.core.config import Settings
from supervision.storage.db import make_engine
from supervision.storage.models import WebSession

pytestmark = pytest.mark.browser

FILTERS = "year=2019&as_of=2019-10-15"
CHART = ".js-plotly-plot .main-svg"
FORM = "input[aria-label='用户名']"
KEY = "browser-test-session-key"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("sessions")
    url = f"sqlite:///{folder / 'app.db'}"
    seed(url, settings, folder / "package")
    env = {"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(folder)), sessions.KEY_ENV: KEY}
    running = start_server(env, folder / "server.log")
    try:
        yield {"base": running.url, "url": url}
    finally:
        stop_server(running)


@pytest.fixture
def offline(browser: Any, server: dict[str, Any]) -> Iterator[Offline]:
    with offline_context(browser, server["base"], {"width": 1600, "height": 1000}) as state:
        yield state
    assert state.blocked == []


def _sign_in(page: Any, base: str, path: str) -> None:
    page.goto(base + path, wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(LEADER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector(CHART, timeout=60_000)


def _chart_or_form(page: Any) -> str:
    page.wait_for_selector(f"{CHART}, {FORM}", timeout=60_000)
    return "form" if page.locator(FORM).count() else "chart"


def _session_cookie(offline: Offline) -> dict[str, Any]:
    found = [c for c in offline.context.cookies() if c["name"] == sessions.COOKIE_NAME]
    assert len(found) == 1, offline.context.cookies()
    return found[0]


def _has_cookie(offline: Offline) -> bool:
    return any(c["name"] == sessions.COOKIE_NAME for c in offline.context.cookies())


def _wait_for_cookie(offline: Offline, page: Any, present: bool = True) -> dict[str, Any] | None:
    """The hand-off's fetch sets (or the sign-out's clears) the cookie just after the run that asked for it."""
    for _ in range(200):
        if _has_cookie(offline) == present:
            return _session_cookie(offline) if present else None
        page.wait_for_timeout(100)
    raise AssertionError("the session cookie did not " + ("appear" if present else "go"))


def test_reload_and_second_tab_stay_signed_in_another_browser_does_not(
        server: dict[str, Any], browser: Any, offline: Offline) -> None:
    page = offline.new_page()
    _sign_in(page, server["base"], f"/quota?{FILTERS}")
    cookie = _wait_for_cookie(offline, page)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["secure"] is False
    assert page.evaluate("() => document.cookie").find(sessions.COOKIE_NAME) == -1  # no script can read it
    assert re.search(r"/quota\?year=2019&as_of=2019-10-15$", page.url)  # the deep link kept through the sign-in
    page.reload(wait_until="domcontentloaded")
    assert _chart_or_form(page) == "chart"
    second = offline.new_page()
    second.goto(f"{server['base']}/map?{FILTERS}", wait_until="domcontentloaded")
    assert _chart_or_form(second) == "chart"
    with offline_context(browser, server["base"], {"width": 1600, "height": 1000}) as other:
        elsewhere = other.new_page()
        elsewhere.goto(f"{server['base']}/quota?{FILTERS}", wait_until="domcontentloaded")
        assert _chart_or_form(elsewhere) == "form"
    assert page.locator("[data-testid='stException']").count() == 0


def test_sign_out_in_one_tab_ends_the_other_tabs_session(server: dict[str, Any], offline: Offline) -> None:
    first = offline.new_page()
    _sign_in(first, server["base"], f"/quota?{FILTERS}")
    _wait_for_cookie(offline, first)
    second = offline.new_page()
    second.goto(f"{server['base']}/map?{FILTERS}", wait_until="domcontentloaded")
    assert _chart_or_form(second) == "chart"
    first.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    first.wait_for_selector(FORM, timeout=30_000)
    _wait_for_cookie(offline, first, present=False)  # cleared by /session/end
    # The other tab, still open on its page: its next run finds the session ended.
    second.locator('[data-testid="stSidebarNav"] a[href$="/quota"]').first.click()
    second.wait_for_selector(FORM, timeout=30_000)
    second.get_by_text("您已在其他页面或设备上退出登录").wait_for(timeout=10_000)


@pytest.mark.parametrize(("column", "shift", "notice"), [
    ("last_seen_at", dt.timedelta(minutes=31), "超过30分钟未操作"),
    ("expires_at", dt.timedelta(hours=13), "登录已超过12小时有效期"),
])
def test_idle_and_expired_sessions_are_refused(server: dict[str, Any], offline: Offline, column: str,
                                               shift: dt.timedelta, notice: str) -> None:
    page = offline.new_page()
    _sign_in(page, server["base"], f"/quota?{FILTERS}")
    _wait_for_cookie(offline, page)
    engine = make_engine(server["url"])
    try:
        with engine.begin() as conn:
            newest = conn.execute(text("SELECT max(id) FROM web_sessions WHERE kind = 'session'")).scalar_one()
            moved = getattr(WebSession, column)
            was = conn.execute(select(moved).where(WebSession.id == newest)).scalar_one()
            conn.execute(update(WebSession).where(WebSession.id == newest).values({moved: was - shift}))
    finally:
        engine.dispose()
    page.reload(wait_until="domcontentloaded")
    assert _chart_or_form(page) == "form"
    page.get_by_text(notice).wait_for(timeout=10_000)


def test_forged_cookies_are_refused(server: dict[str, Any], offline: Offline) -> None:
    forged = [
        "forged",  # not signed at all
        sessions.cookie_value("a-secret-the-server-never-issued", KEY.encode()),  # signed, but no such session
        sessions.cookie_value("whatever", b"another-servers-key"),  # signed with another key
    ]
    for value in forged:
        offline.context.clear_cookies()
        offline.context.add_cookies([{"name": sessions.COOKIE_NAME, "value": value, "url": server["base"]}])
        page = offline.new_page()
        page.goto(f"{server['base']}/quota?{FILTERS}", wait_until="domcontentloaded")
        assert _chart_or_form(page) == "form"
        page.close()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read().decode()


def test_metrics_format_and_address_restriction(server: dict[str, Any], offline: Offline) -> None:
    page = offline.new_page()
    _sign_in(page, server["base"], f"/quota?{FILTERS}")
    status, kind, body = _get(server["base"] + "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    assert "# TYPE supervision_script_run_seconds histogram" in body
    assert re.search(r'^supervision_script_runs_total\{page="quota"\} [1-9]\d*$', body, re.M)
    assert re.search(r'^supervision_script_run_seconds_bucket\{page="quota",le="\+Inf"\} [1-9]\d*$', body, re.M)
    assert re.search(r"^supervision_sessions_active [1-9]\d*$", body, re.M)
    assert re.search(r"^supervision_database_up 1$", body, re.M)
    for line in body.splitlines():  # every sample line: name{labels} value
        assert line.startswith("#") or re.fullmatch(r'[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \S+', line)
    status, _, body = _get(server["base"] + "/metrics", {"X-Forwarded-For": "10.1.2.3"})
    assert status == 403 and "supervision_" not in body
    status, _, body = _get(server["base"] + "/healthz")
    assert status == 200 and json.loads(body)["reason"] == "ok"
    status, _, body = _get(server["base"] + "/healthz", {"X-Forwarded-For": "10.1.2.3"})
    assert status == 403


def _allow_connections(admin: Any, name: str, allow: bool) -> None:
    with admin.connect() as conn:
        # `name` is the generated name of this test's own database, not input.
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allow else "false"}'))
        if not allow:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})


def test_database_outage_and_recovery_on_an_office_page(browser: Any, settings: Settings, tmp_path: Path) -> None:
    created = _postgres_database()
    if created is None:
        pytest.skip("PostgreSQL unreachable")
    url, admin = created
    name = make_url(url).database
    assert name is not None
    live: Server | None = None
    try:
        seed(url, settings, tmp_path / "package")
        live = start_server({"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(tmp_path)),
                             sessions.KEY_ENV: KEY}, tmp_path / "server.log")
        with offline_context(browser, live.url, {"width": 1600, "height": 1000}) as offline:
            page = offline.new_page()
            _sign_in(page, live.url, f"/quota?{FILTERS}")
            _wait_for_cookie(offline, page)
            assert _get(live.url + "/healthz")[0] == 200
            _allow_connections(admin, name, False)
            status, _, body = _get(live.url + "/healthz")
            assert status == 503
            answer = json.loads(body)
            assert answer["reason"] == "database_unreachable" and answer["message"] == "数据库无法连接"
            page.locator('[data-testid="stSidebarNav"] a[href$="/map"]').first.click()
            message = page.get_by_text("数据库暂时无法连接")
            message.wait_for(timeout=60_000)
            assert page.locator(".js-plotly-plot").count() == 0  # no figure left standing as if current
            assert page.locator("[data-testid='stException']").count() == 0
            page.reload(wait_until="domcontentloaded")  # a fresh load during the outage: the same message
            message.wait_for(timeout=60_000)
            assert page.locator(FORM).count() == 0
            _allow_connections(admin, name, True)
            page.wait_for_selector(CHART, timeout=60_000)  # back by itself, still signed in
            message.wait_for(state="detached", timeout=30_000)
            assert page.locator("[data-testid='stException']").count() == 0
            assert _get(live.url + "/healthz")[0] == 200
            assert offline.blocked == []
    finally:
        if live is not None:
            stop_server(live)
        _allow_connections(admin, name, True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
