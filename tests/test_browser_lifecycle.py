"""In a real browser: a township officer reports a rectification with a file, a 工信局 officer closes it, and the
wall screen's count of open findings drops at its next refresh (marker: browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auth_support import PASSWORD, add_account, fast_config
from lifecycle_support import AS_OF, AUG, CX, GXJ, PNG, finding_id, record, world

from devtools.browser import BODY_HAS, Offline, chromium, offline_context, running_server
from supervision.access import wall_links
from supervision.core.config import Settings, _load
from supervision.core.principal import SYSTEM, Role
from supervision.lifecycle import states as s
from supervision.lifecycle.machine import sync_findings, transition
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("browser_lifecycle")
    config = fast_config(folder)
    url = f"sqlite:///{folder / 'app.db'}"
    settings: Settings = _load(str(config), url)
    engine = open_database(url, settings)
    ids = world(engine)
    sync_findings(engine, settings, 2019, AS_OF, day=AUG)
    fid = finding_id(engine, "R19", ids["cx"])  # 工信局 leads, 城厢镇 rectifies
    transition(engine, settings, GXJ, fid, "assign")
    transition(engine, settings, CX, fid, "start")
    add_account(engine, settings, "l.cx", Role.TOWNSHIP, township="城厢镇", display_name="城厢镇经办")
    add_account(engine, settings, "l.gxj", Role.BUREAU, department="工信局", display_name="工信局经办")
    _, token = wall_links.create_screen_token(engine, SYSTEM, "问题闭环大屏", 1)
    (folder / "现场照片.png").write_bytes(PNG)
    env = {"SUPERVISION_CONFIG": str(config), "DATABASE_URL": url}
    try:
        with running_server(env) as running:
            yield {"base": running.url, "engine": engine, "fid": fid, "token": token, "folder": folder}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Any, server: dict[str, Any]) -> Iterator[Offline]:
    with offline_context(browser, server["base"], {"width": 1600, "height": 1800}) as state:
        yield state
    assert state.blocked == []


def _metric(page: Any, label: str) -> str | None:
    return page.evaluate(
        """(label) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
               .find(m => m.innerText.includes(label));
           return m ? m.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null; }""", label)


def _finding_page(offline: Offline, server: dict[str, Any], username: str) -> Any:
    # Each officer at their own browser: a tab of the same one would share the previous officer's session cookie.
    offline.context.clear_cookies()
    page = offline.new_page()
    page.goto(f"{server['base']}/findings?year=2019&finding={server['fid']}", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"问题{server['fid']}：R19").first.wait_for(timeout=60_000)
    return page


def _choose(page: Any, label: str) -> None:
    """Pick an action in the 办理 segmented control (below the history; the page may still be drawing)."""
    option = page.locator("[data-testid='stButtonGroup'] button", has_text=label).first
    option.wait_for(timeout=90_000)
    option.click()
    page.locator("[data-testid='stForm']").first.wait_for(timeout=60_000)


def _submit(page: Any, label: str) -> None:
    page.locator("[data-testid='stFormSubmitButton'] button", has_text=label).click()


def test_report_with_a_file_close_and_the_wall_counts(server: dict[str, Any], offline: Offline,
                                                      tmp_path: Path) -> None:
    wall = offline.new_page()
    wall.goto(f"{server['base']}/?token={server['token']}&mode=screen&refresh=5&year=2019&as_of=2019-12-31")
    wall.wait_for_function(BODY_HAS, arg="最后更新：", timeout=60_000)
    wall.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                                   .some(m => m.innerText.includes('未销号问题'))""", timeout=60_000)
    before = int(_metric(wall, "未销号问题") or "0")
    assert before > 0

    town = _finding_page(offline, server, "l.cx")
    _choose(town, "报送整改情况")
    town.get_by_label("已采取的整改措施").fill("已补报7至12月月报，附现场照片")
    dropzone = town.locator("[data-testid='stForm'] [data-testid='stFileUploaderDropzoneInput']")
    dropzone.set_input_files(str(server["folder"] / "现场照片.png"))
    town.get_by_text("现场照片.png").first.wait_for(timeout=30_000)
    _submit(town, "报送整改情况")
    town.get_by_text("已报送整改情况，当前状态：待核查").wait_for(timeout=60_000)
    assert record(server["engine"], server["fid"]).state == s.TO_VERIFY
    town.close()

    bureau = _finding_page(offline, server, "l.gxj")
    bureau.get_by_role("button", name="下载附件").wait_for(timeout=60_000)  # the evidence, offered as a download
    _choose(bureau, "核查销号")
    _submit(bureau, "核查销号")
    bureau.get_by_text("已核查销号，当前状态：已销号").wait_for(timeout=60_000)
    assert record(server["engine"], server["fid"]).state == s.CLOSED
    bureau.close()

    # The wall reruns every 5 s: its count drops by the closed finding without a reload.
    wall.wait_for_function(
        """(want) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
               .find(m => m.innerText.includes('未销号问题'));
           return m && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === want; }""",
        arg=str(before - 1), timeout=60_000)
    assert wall.locator("[data-testid='stException']").count() == 0
    wall.close()
