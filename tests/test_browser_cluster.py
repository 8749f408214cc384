"""Two app processes behind nginx on one PostgreSQL database (issue 16, item 3). Marker: browser.

deploy/cluster.py starts them as `make serve WORKERS=2` does (nginx as an unprivileged child with its own
prefix). Two browsers, each pinned by its routing cookie to a different process: one signs in through the
proxy at a deep link, opens the upload page and imports a package; the other's wall screen, served by the
other process, shows the new enterprise at its next automatic refresh; the officer's browser, moved to the
other process, is still signed in there (the session is in the database). nginx's access log (which records the
upstream of every request) proves that each browser's page, websocket and upload stayed on its own process.
"""

from __future__ import annotations

import io
import os
import re
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from auth_support import OWN, PASSWORD, add_account, fast_config, make_uscc, seed
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from deploy.cluster import ROUTE_COOKIE, Cluster, running_cluster
from devtools.browser import BODY_HAS, chromium, offline_context
from supervision.access import wall_links
from supervision.core.config import _load
from supervision.core.principal import SYSTEM, Role
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LISTEN_PORT, FIRST_PORT = 8640, 8641  # this project's test range for the deploy work
NEW = make_uscc(40)
CHART = ".js-plotly-plot .main-svg"


@dataclass(frozen=True)
class World:
    cluster: Cluster
    engine: Engine
    token: str
    folder: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"sv_cluster_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # a generated identifier, not user input
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: the multi-process journey cannot run
        admin.dispose()
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("cluster")
    config = fast_config(folder)
    settings = _load(str(config), url)
    engine = open_database(url, settings)
    try:
        seed(engine, settings, folder / "seed")
        add_account(engine, settings, "b.gxj", Role.BUREAU, department="工信局", display_name="工信局经办")
        _, token = wall_links.create_screen_token(engine, SYSTEM, "集群大屏", 1)
        env = {"SUPERVISION_CONFIG": str(config), "DATABASE_URL": url}
        with running_cluster(env, 2, LISTEN_PORT, FIRST_PORT, folder) as cluster:
            yield World(cluster, engine, token, folder)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _log(cluster: Cluster) -> list[dict[str, str]]:
    """nginx's access log: method, path, status, upstream and the route cookie the request carried."""
    lines = (cluster.prefix / "access.log").read_text(errors="replace").splitlines()
    pattern = re.compile(r'^(\S+) (\S+) (\d+) upstream=(\S+) route=(\S+) set="(.*)"$')
    out = []
    for line in lines:
        m = pattern.match(line)
        if m:
            out.append(dict(zip(("method", "path", "status", "upstream", "route", "set"), m.groups(), strict=True)))
    return out


def _route_per_process(cluster: Cluster) -> dict[str, str]:
    """A route cookie nginx handed out for each app process (first requests without a cookie, as a browser's)."""
    found: dict[str, str] = {}
    for _ in range(40):
        with urllib.request.urlopen(cluster.url + "/", timeout=30) as response:
            cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith(ROUTE_COOKIE + "="))
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        served = [r for r in _log(cluster) if f"{ROUTE_COOKIE}={value}" in r["set"]]
        if served:
            found.setdefault(served[-1]["upstream"], value)
        if len(found) == len(cluster.workers):
            return found
    raise AssertionError(f"nginx sent every new browser to the same process: {found}")


def _metric(page: Any, label: str) -> str | None:
    return page.evaluate(
        """(label) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
               .find(m => m.innerText.includes(label));
           return m ? m.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null; }""", label)


def test_two_processes_behind_nginx(world: World) -> None:
    cluster = world.cluster
    upstreams = [f"127.0.0.1:{port}" for port in cluster.ports()]
    routes = _route_per_process(cluster)
    officer_at, wall_at = upstreams
    host = "127.0.0.1"
    with chromium() as browser:
        with offline_context(browser, cluster.url, {"width": 1920, "height": 1200}) as wall_ctx, \
                offline_context(browser, cluster.url, {"width": 1400, "height": 1600}) as officer_ctx:
            wall_ctx.context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[wall_at], "domain": host,
                                           "path": "/"}])
            officer_ctx.context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[officer_at], "domain": host,
                                              "path": "/"}])
            # The wall screen, served by the second process, refreshing every 5 s through the proxy.
            wall = wall_ctx.new_page()
            wall.goto(f"{cluster.url}/?token={world.token}&mode=screen&refresh=5", wait_until="domcontentloaded")
            wall.wait_for_selector(CHART, timeout=60_000)
            wall.wait_for_function(BODY_HAS, arg="最后更新：", timeout=30_000)
            before = _metric(wall, "稀土企业（家）")
            assert before is not None and before.isdigit()

            # The officer, on the first process: a deep link, the sign-in form, the page, an upload.
            page = officer_ctx.new_page()
            page.goto(cluster.url + "/data_entry", wait_until="domcontentloaded")
            page.get_by_label("用户名").fill("b.gxj")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_text("上传后先校验预览").wait_for(timeout=30_000)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("enterprises.csv",
                                 f"uscc,name,category,township\n{NEW},集群新增有限公司,贸易流通,{OWN}\n")
            package = world.folder / "集群.zip"
            package.write_bytes(buffer.getvalue())
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(package))
            page.get_by_text("校验通过：确认后将新增1行").wait_for(timeout=30_000)
            page.get_by_role("button", name="确认导入").click()
            page.get_by_text("新增1行").first.wait_for(timeout=30_000)
            assert page.locator("[data-testid='stException']").count() == 0

            # The write through the first process shows on the second at the wall's next refresh.
            wall.wait_for_function(
                """([label, want]) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                       .find(m => m.innerText.includes(label));
                   return m && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === want; }""",
                arg=["稀土企业（家）", str(int(before) + 1)], timeout=30_000)
            assert wall.locator("[data-testid='stException']").count() == 0
            # The sign-in's session lives in the database: the same browser, moved to the other process
            # (its routing cookie changed), opens a page there without signing in again.
            officer_ctx.context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[wall_at], "domain": host,
                                              "path": "/"}])
            moved = officer_ctx.new_page()
            moved.goto(cluster.url + "/quota", wait_until="domcontentloaded")
            moved.get_by_role("heading", name="配额执行").wait_for(timeout=30_000)
            assert moved.get_by_label("密码").count() == 0
            moved.close()
            officer_ctx.context.add_cookies([{"name": ROUTE_COOKIE, "value": routes[officer_at], "domain": host,
                                              "path": "/"}])
            page.close()
            wall.close()  # the websockets' log lines are written when they close
            assert officer_ctx.blocked == [] and wall_ctx.blocked == []

    with world.engine.connect() as conn:
        name = conn.execute(text("SELECT name FROM enterprises WHERE uscc = :u"), {"u": NEW}).scalar()
    assert name == "集群新增有限公司"
    log = _log(cluster)
    for process, route in ((officer_at, routes[officer_at]), (wall_at, routes[wall_at])):
        mine = [r for r in log if r["route"] == route]
        assert {r["upstream"] for r in mine} == {process}, mine
        assert any(r["path"] == "/_stcore/stream" for r in mine)  # the websocket went through the proxy
    officer = [r for r in log if r["route"] == routes[officer_at]]
    uploads = [r for r in officer if r["method"] == "PUT" and r["path"].startswith("/_stcore/upload_file/")]
    assert uploads and all(r["status"] in ("200", "204") for r in uploads), uploads
    streams = [r for r in log if r["path"] == "/_stcore/stream"]
    assert {r["upstream"] for r in streams} >= set(upstreams)  # both processes served a browser
