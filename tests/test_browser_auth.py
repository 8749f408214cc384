"""In a real browser: sign-in, a hostile display name shown as text, and a wall-screen link (marker: browser)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auth_support import PASSWORD, fast_config

from devtools.browser import Offline, chromium, offline_context, running_server
from supervision.core.principal import SYSTEM, Role
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from supervision.access import accounts, wall_links
    from supervision.core.config import _load

    folder = tmp_path_factory.mktemp("browser")
    config = fast_config(folder)
    url = f"sqlite:///{folder / 'app.db'}"
    env = {"SUPERVISION_CONFIG": str(config), "DATABASE_URL": url}
    settings = _load(str(config), url)
    engine = open_database(url, settings)
    accounts.create_user(engine, SYSTEM, settings.security, username="hostile", display_name=XSS, role=Role.LEADER,
                         password=PASSWORD, must_change_password=False)
    _, token = wall_links.create_screen_token(engine, SYSTEM, "测试大屏", 1)
    engine.dispose()
    with running_server(env) as running:
        yield {"base": running.url, "token": token}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Any, server: dict[str, Any]) -> Iterator[Offline]:
    with offline_context(browser, server["base"], {"width": 1920, "height": 1080}) as state:
        yield state
    assert state.blocked == []


def test_sign_in_and_a_hostile_name_is_shown_as_text(server: dict[str, Any], offline: Offline) -> None:
    page = offline.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server["base"] + "/", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill("hostile")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码错误").wait_for(timeout=20000)
    page.get_by_label("用户名").fill("hostile")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("稀土行业秩序整顿 · 总览").wait_for(timeout=20000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(XSS, exact=False).wait_for(timeout=10000)  # the literal text is on the screen
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []
    page.close()


def test_screen_link_shows_overview_without_sign_in(server: dict[str, Any], offline: Offline) -> None:
    page = offline.new_page()
    page.goto(f"{server['base']}/?token={server['token']}&mode=screen", wait_until="domcontentloaded")
    page.get_by_text("稀土行业秩序整顿 · 总览").wait_for(timeout=20000)
    assert page.get_by_label("密码").count() == 0
    page.goto(f"{server['base']}/?token=forged&mode=screen", wait_until="domcontentloaded")
    page.get_by_text("大屏链接无效").wait_for(timeout=20000)
    page.close()
