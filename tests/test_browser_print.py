"""Printing an office page (Ctrl+P) in Chromium: A4 landscape, no sidebar or toolbar, charts whole, filters kept.

The PDF is what Chromium's print path produces (page.pdf uses the print media and the @page rule);
its text is read with pdftotext and its pages are counted with pdfinfo (Debian's poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_support import PASSWORD, fast_config
from page_support import LEADER, seed

from devtools.browser import Server, chromium, offline_context, start_server, stop_server
from supervision.core.config import Settings

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make sysdeps) missing")]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("print")
    url = f"sqlite:///{base / 'print.db'}"
    seed(url, settings, base / "package")
    running = start_server({"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(base))},
                           base / "streamlit.log")
    try:
        yield running
    finally:
        stop_server(running)


def _pdf_text(pdf: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    assert size is not None and float(size.group(1)) > float(size.group(2)), info  # landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


@pytest.mark.parametrize(("path", "heading"), [("", "稀土行业秩序整顿 · 总览"), ("quota", "配额执行")])
def test_print_to_pdf_without_the_sidebar(server: Server, path: str, heading: str) -> None:
    with chromium() as browser, offline_context(browser, server.url, {"width": 1400, "height": 1000}) as offline:
        page = offline.new_page()
        page.goto(f"{server.url}/{path}?year=2019&as_of=2019-08-13")
        page.get_by_label("用户名").wait_for(timeout=60_000)
        page.get_by_label("用户名").fill(LEADER)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        # A function, not an expression: Playwright evaluates a bare expression with eval, which the CSP refuses.
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                               timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = ARTIFACTS / f"print-{path or 'overview'}.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        assert not offline.blocked
    pages, text = _pdf_text(pdf)
    assert 1 <= pages <= 12, pages
    assert heading.split(" · ")[-1] in text
    assert "截至" in text and "2019" in text  # the filters line under the title
    for sidebar_only in ("退出登录", "当前用户", "本页说明", "下载Excel", "导出图片"):
        assert sidebar_only not in text, sidebar_only
