"""In a real browser: upload a file, see the preview, confirm; save a form (marker: browser).

AppTest hands the page a mocked upload; this goes through the real upload endpoint
and the server's size limit, as an officer's browser does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from auth_support import OWN, PASSWORD, E, add_account, fast_config, make_uscc, seed
from entry_support import rows

from devtools.browser import Offline, chromium, offline_context, running_server
from supervision.core.config import _load
from supervision.core.principal import Role
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

NEW = make_uscc(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("browser_entry")
    config = fast_config(folder)
    url = f"sqlite:///{folder / 'app.db'}"
    settings = _load(str(config), url)
    engine = open_database(url, settings)
    seed(engine, settings, folder / "seed")
    add_account(engine, settings, "b.gxj", Role.BUREAU, department="工信局", display_name="工信局经办")
    env = {"SUPERVISION_CONFIG": str(config), "DATABASE_URL": url}
    try:
        with running_server(env) as running:
            yield {"base": running.url, "engine": engine, "folder": folder}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Any, server: dict[str, Any]) -> Iterator[Offline]:
    with offline_context(browser, server["base"], {"width": 1400, "height": 1600}) as state:
        yield state
    assert state.blocked == []


def _signed_in(offline: Offline, server: dict[str, Any], path: str) -> Any:
    page = offline.new_page()
    page.goto(server["base"] + path, wait_until="domcontentloaded")
    page.get_by_label("用户名").fill("b.gxj")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def test_upload_preview_and_confirm_in_a_browser(server: dict[str, Any], offline: Offline) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("enterprises.csv", f"uscc,name,category,township\n{E[0]},浏览器更名有限公司,冶炼分离,{OWN}\n"
                                            f"{NEW},浏览器新增有限公司,贸易流通,{OWN}\n")
    package = server["folder"] / "包.zip"
    package.write_bytes(buffer.getvalue())
    page = _signed_in(offline, server, "/data_entry")
    page.get_by_text("上传后先校验预览").wait_for(timeout=20000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(package))
    page.get_by_text("校验通过：确认后将新增1行、更新1行").wait_for(timeout=30000)
    page.get_by_role("button", name="确认导入").wait_for(timeout=20000)
    page.screenshot(path=str(server["folder"] / "preview.png"))
    names = {r["uscc"]: r["name"] for r in rows(server["engine"], "enterprises")}
    assert NEW not in names  # previewed only
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("新增1行，更新1行").wait_for(timeout=30000)
    names = {r["uscc"]: r["name"] for r in rows(server["engine"], "enterprises")}
    assert names[NEW] == "浏览器新增有限公司" and names[E[0]] == "浏览器更名有限公司"
    page.close()


def test_a_form_saves_in_a_browser(server: dict[str, Any], offline: Offline) -> None:
    page = _signed_in(offline, server, "/form_self_checks")
    page.get_by_text("企业自查表", exact=True).first.wait_for(timeout=20000)
    page.screenshot(path=str(server["folder"] / "form0.png"))
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option").filter(has_text=E[1]).click()
    page.get_by_label("发现问题数").wait_for(timeout=20000)
    page.get_by_label("发现问题数").fill("4")
    page.get_by_label("已整改数").fill("5")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已整改数不能大于发现问题数").wait_for(timeout=20000)
    page.get_by_label("已整改数").fill("4")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").wait_for(timeout=20000)
    page.screenshot(path=str(server["folder"] / "form.png"))
    stored = [r for r in rows(server["engine"], "self_checks") if r["uscc"] == E[1]]
    assert {(r["year"], r["problems_found"], r["problems_rectified"]) for r in stored} >= {(2020, 4, 4)}
    page.close()
