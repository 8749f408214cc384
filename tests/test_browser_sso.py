"""Single sign-on against a real OpenID Connect provider, in a real browser (issue 16, item 2). Marker: browser.

The provider is `oidc-provider-mock` (PyPI), started by the fixture as its own process on 127.0.0.1; the app
reads Streamlit's `[auth]` settings from a temporary secrets file (STREAMLIT_SECRETS_FILES) and has
`[security.sso] enabled = true`. Its sign-in form takes any subject; the subject becomes the `email` claim,
which is what the app's default `claim` matches against an account's 统一身份标识.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from auth_support import fast_config

from devtools.browser import Server, chromium, start_server, stop_server
from supervision.access import accounts
from supervision.core.config import _load
from supervision.core.principal import SYSTEM, Role
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

PROVIDER_PORT, APP_PORT = 8645, 8646  # this project's test range for the deploy work
LEADER_SUBJECT = "leader@taicang.example"
OVERVIEW = "稀土行业秩序整顿 · 总览"


@dataclass
class World:
    server: Server
    provider: str
    folder: Path
    url: str
    log: Path


def _provider(port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider-mock exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=2) as r:
                if json.load(r).get("authorization_endpoint"):
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("oidc-provider-mock did not start within 30 s")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("sso")
    config = fast_config(folder)
    text, n = re.subn(r"(?m)^(\[security\.sso\]\n(?:#.*\n)*)enabled = false", r"\1enabled = true",
                      config.read_text(encoding="utf-8"))
    assert n == 1
    config.write_text(text, encoding="utf-8")
    url = f"sqlite:///{folder / 'app.db'}"
    settings = _load(str(config), url)
    assert settings.security.sso.enabled
    engine = open_database(url, settings)
    accounts.create_user(engine, SYSTEM, settings.security, username="sso.leader", display_name="单点登录领导",
                         role=Role.LEADER, password=None, sso_subject=LEADER_SUBJECT, must_change_password=False)
    engine.dispose()
    provider = f"http://127.0.0.1:{PROVIDER_PORT}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{APP_PORT}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "rare-earth-test"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    process = _provider(PROVIDER_PORT, folder / "provider.log")
    log = folder / "app.log"
    try:
        server = start_server({"SUPERVISION_CONFIG": str(config), "DATABASE_URL": url,
                               "STREAMLIT_SECRETS_FILES": str(secrets_file)}, log, port=APP_PORT)
        try:
            yield World(server, provider, folder, url, log)
        finally:
            stop_server(server)
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Browser:
    context: Any
    blocked: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Any, world: World) -> Iterator[Browser]:
    """A fresh browser that reaches the app and the identity provider, nothing else."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    state = Browser(context)
    allowed = {urlsplit(world.server.url).netloc, urlsplit(world.provider).netloc}

    def route(r: Any) -> None:
        if urlsplit(r.request.url).netloc in allowed:
            r.continue_()
            return
        # The provider's own pages load a stylesheet from a CDN: refused, but only the app's pages must be
        # self-contained.
        if urlsplit(r.request.frame.url).netloc != urlsplit(world.provider).netloc:
            state.blocked.append(r.request.url)
        r.abort()

    context.route("**/*", route)
    yield state
    context.close()
    assert state.blocked == []


def _through_provider(page: Any, world: World, subject: str) -> None:
    """On the app's sign-in page: the single sign-on button, then the provider's own form."""
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_url(f"{world.provider}/oauth2/authorize*", timeout=30_000)
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{world.server.url}/**", timeout=30_000)


def test_sign_in_through_the_provider_and_sign_out(world: World, offline: Browser) -> None:
    page = offline.context.new_page()
    page.goto(world.server.url + "/", wait_until="domcontentloaded")
    page.get_by_label("用户名").wait_for(timeout=30_000)
    _through_provider(page, world, LEADER_SUBJECT)
    page.get_by_text(OVERVIEW).wait_for(timeout=30_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("单点登录领导", exact=False).wait_for(timeout=10_000)
    assert page.get_by_label("密码").count() == 0
    # Sign-out ends the app's session and the provider's (its end-session page), and does not sign straight back in.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{world.provider}/oauth2/end_session*", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{world.server.url}/**", timeout=30_000)
    page.get_by_label("用户名").wait_for(timeout=30_000)
    page.reload(wait_until="domcontentloaded")
    page.get_by_label("用户名").wait_for(timeout=30_000)
    assert page.get_by_text(OVERVIEW).count() == 0
    page.close()


def test_an_identity_without_an_account_is_refused(world: World, offline: Browser) -> None:
    page = offline.context.new_page()
    page.goto(world.server.url + "/", wait_until="domcontentloaded")
    page.get_by_label("用户名").wait_for(timeout=30_000)
    _through_provider(page, world, "stranger@elsewhere.example")
    page.get_by_text("您的统一身份尚未开通本系统账号，请联系管理员").wait_for(timeout=30_000)
    page.get_by_text("已通过统一身份认证，但本系统中没有对应的账号。").wait_for(timeout=10_000)
    assert page.get_by_text(OVERVIEW).count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()


def test_the_deep_link_is_kept_through_the_sign_in(world: World, offline: Browser) -> None:
    """A bookmark of a page with its filters: the provider returns to the home URL, the app to the bookmark."""
    page = offline.context.new_page()
    page.goto(world.server.url + "/quota?year=2019", wait_until="domcontentloaded")
    page.get_by_label("用户名").wait_for(timeout=30_000)
    _through_provider(page, world, LEADER_SUBJECT)
    page.get_by_role("heading", name="配额执行").wait_for(timeout=30_000)
    page.wait_for_url(f"{world.server.url}/quota*", timeout=10_000)
    assert "year=2019" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    # Only once: the next sign-in in this browser, from the home URL, stays on the home page.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{world.provider}/oauth2/end_session*", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    page.close()


def test_the_sso_route_never_redirects_elsewhere(world: World) -> None:
    """/auth/sso keeps only a page path of this app: another host or scheme falls back to the home page."""
    import http.client

    for target in ("https://evil.example/x", "//evil.example/x", "/quota/../../etc", "javascript:alert(1)"):
        conn = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=10)
        conn.request("GET", "/auth/sso?next=" + urllib.parse.quote(target, safe=""))
        response = conn.getresponse()
        cookie = response.getheader("Set-Cookie") or ""
        location = response.getheader("Location") or ""
        conn.close()
        assert response.status == 302 and location.startswith("/auth/login?provider=")
        assert cookie.startswith("rare_earth_sso_next=%2F;") and "HttpOnly" in cookie, cookie
