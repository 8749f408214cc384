"""In a real browser: sign-in, a hostile display name shown as text, and a wall-screen link (marker: browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_support import PASSWORD, fast_config

from supervision.db import open_database
from supervision.principal import SYSTEM, Role

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
XSS = "<img src=x onerror=alert(1)>"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from supervision import auth
    from supervision.config import _load

    folder = tmp_path_factory.mktemp("browser")
    config = fast_config(folder)
    url = f"sqlite:///{folder / 'app.db'}"
    env = {**os.environ, "SUPERVISION_CONFIG": str(config), "DATABASE_URL": url}
    settings = _load(str(config), url)
    engine = open_database(url, settings)
    auth.create_user(engine, SYSTEM, settings.security, username="hostile", display_name=XSS, role=Role.LEADER,
                     password=PASSWORD, must_change_password=False)
    _, token = auth.create_screen_token(engine, SYSTEM, "测试大屏", 1)
    engine.dispose()
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Streamlit server did not start")
            time.sleep(0.3)
        yield {"base": base, "token": token}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (make sysdeps)")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_sign_in_and_a_hostile_name_is_shown_as_text(server: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
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


def test_screen_link_shows_overview_without_sign_in(server: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{server['base']}/?token={server['token']}&mode=screen", wait_until="domcontentloaded")
    page.get_by_text("稀土行业秩序整顿 · 总览").wait_for(timeout=20000)
    assert page.get_by_label("密码").count() == 0
    page.goto(f"{server['base']}/?token=forged&mode=screen", wait_until="domcontentloaded")
    page.get_by_text("大屏链接无效").wait_for(timeout=20000)
    page.close()
