"""Figures to PNG (at 2× or 4× scale) and SVG, rendered by kaleido in the system Chromium, offline.

Offline on purpose: government intranets have no internet, and no request may leave the
server. So MathJax is off (kaleido would load it from a CDN), plotly.js comes from the
installed plotly package, and geo maps read the base topojson from `static/topojson/`
through a file:// URL (plotly.js always loads it, even with the base map hidden).

One browser per batch (`render`): a start costs ~2 s, each further image a fraction of that.
A batch browser, rather than kaleido's process-wide sync server, because the web server
renders for many sessions at once: the sync server's shared result queue would need a lock
around every call, and a browser that died inside it would hang every later request.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[2]
TOPOJSON_DIR = ROOT / "static" / "topojson"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Families the figures ask for first (supervision.reporting.charts.FONT_FAMILY); any font covering Chinese will do.
CJK_PROBE = "稀土整顿"
RENDER_TIMEOUT_S = 90

Format = Literal["png", "svg"]


@dataclass(frozen=True)
class ImageRequest:
    """One image to render: the figure, its format and size in CSS pixels, and the pixel scale (PNG only)."""

    figure: go.Figure
    format: Format = "png"
    width: int = 1280
    height: int | None = None  # None: the figure's own layout height, else 720
    scale: float = 1.0

    def options(self) -> dict[str, Any]:
        height = self.height or self.figure.layout.height or 720
        opts: dict[str, Any] = {"format": self.format, "width": self.width, "height": int(height)}
        if self.format == "png":
            opts["scale"] = self.scale
        return opts


class ExportUnavailable(RuntimeError):
    """The server cannot render images (no browser or no CJK font); the message is Chinese, for the user."""


def topojson_url() -> str:
    """The local topojson folder as a file:// URL with a trailing slash (what plotly.js expects)."""
    return TOPOJSON_DIR.as_uri() + "/"


def configure_plotly() -> None:
    """Make plotly's own static export (pio.write_image) offline too, should anything call it."""
    pio.defaults.topojson = topojson_url()
    pio.defaults.mathjax = False


def browser_path() -> str | None:
    """The Chromium to drive: $BROWSER_PATH if it is an executable, else the first one on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def cjk_font_families() -> list[str]:
    """Font families fontconfig says cover Chinese (what Chromium falls back to for CJK text)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


@functools.lru_cache(maxsize=1)
def export_available() -> tuple[bool, str]:
    """(True, "") when images can be rendered; else (False, why, in Chinese, with what to install).

    Checked once per process: installing the packages needs a restart of the service anyway.
    """
    if browser_path() is None:
        return False, ("服务器未安装Chromium浏览器，暂不能生成图片。可先用图表右上角工具栏的相机按钮下载PNG；"
                       "请系统管理员安装：apt-get install chromium（或设置环境变量BROWSER_PATH）。")
    if not cjk_font_families():
        return False, ("服务器缺少中文字体，生成的图片中文会显示为方框，故暂不生成。"
                       "可先用图表右上角工具栏的相机按钮下载PNG；请系统管理员安装：apt-get install fonts-noto-cjk。")
    return True, ""


def require_export() -> None:
    ok, reason = export_available()
    if not ok:
        raise ExportUnavailable(reason)


Progress = Callable[[int, int], None]


def render(requests: Sequence[ImageRequest], progress: Progress | None = None) -> list[bytes]:
    """Render every request in one browser session; the images in the order asked.

    `progress(done, total)` is called after each image, in the caller's thread (Streamlit
    elements may only be updated from the script's own thread). Raises ExportUnavailable when
    the server cannot render, RuntimeError (Chinese message) when the browser fails.
    """
    if not requests:
        return []
    require_export()
    configure_plotly()
    result: dict[str, Any] = {}
    done: queue.Queue[int] = queue.Queue()

    def run() -> None:
        # A thread of its own: Streamlit's script thread may already run an event loop.
        try:
            result["images"] = asyncio.run(_render_all(requests, done.put))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            result["error"] = exc

    worker = threading.Thread(target=run, name="kaleido-batch", daemon=True)
    worker.start()
    deadline = time.monotonic() + RENDER_TIMEOUT_S * len(requests) + 30
    while worker.is_alive() and time.monotonic() < deadline:
        worker.join(0.1)
        while not done.empty():
            count = done.get()
            if progress is not None:
                progress(count, len(requests))
    if worker.is_alive():
        raise RuntimeError("生成图片超时（浏览器无响应），请稍后重试。")
    if "error" in result:
        error = result["error"]
        if isinstance(error, ExportUnavailable):
            raise error
        first = str(error).splitlines()[0] if str(error) else ""
        raise RuntimeError(f"生成图片失败：{type(error).__name__}：{first}") from error
    return list(result["images"])


async def _render_all(requests: Sequence[ImageRequest], rendered: Callable[[int], None]) -> list[bytes]:
    import kaleido

    topojson = topojson_url()
    out: list[bytes] = []
    async with kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT_S, mathjax=False, path=browser_path()) as k:
        for i, request in enumerate(requests, start=1):
            data = await k.calc_fig(request.figure, opts=request.options(), topojson=topojson)
            out.append(bytes(data))
            rendered(i)
    return out


def render_one(figure: go.Figure, format: Format = "png", *, scale: float = 2.0, width: int = 1280,
               height: int | None = None) -> bytes:
    return render([ImageRequest(figure, format, width, height, scale)])[0]


def chart_images(figure: go.Figure, *, width: int = 1280) -> dict[str, bytes]:
    """A chart as the three downloads the pages offer: PNG at 2× and 4× (for projectors) and SVG."""
    png2, png4, svg = render([ImageRequest(figure, "png", width, None, 2.0),
                              ImageRequest(figure, "png", width, None, 4.0),
                              ImageRequest(figure, "svg", width, None, 1.0)])
    return {"png2": png2, "png4": png4, "svg": svg}


# Switches that keep a headless Chromium from calling home (updates, sync, safe-browsing lists, metrics).
QUIET_BROWSER = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
                 "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                 "--no-pdf-header-footer")


def html_to_pdf(document: str, *, timeout_s: int = 120) -> bytes:
    """Print an HTML document (which must carry everything it shows) to PDF with the system Chromium.

    The page sizes come from the document's CSS @page rule. The browser runs with a fresh
    profile in a temporary folder, removed afterwards.
    """
    import tempfile

    require_export()
    browser = browser_path()
    assert browser is not None  # require_export checked it
    with tempfile.TemporaryDirectory(prefix="supervision-pdf-") as folder:
        root = Path(folder)
        page, out = root / "document.html", root / "document.pdf"
        page.write_text(document, encoding="utf-8")
        command = [browser, *QUIET_BROWSER, f"--user-data-dir={root / 'profile'}", f"--print-to-pdf={out}",
                   page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError("生成PDF超时（浏览器无响应），请稍后重试。") from exc
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise RuntimeError(f"生成PDF失败（浏览器退出码{done.returncode}）：{tail[0][:200]}")
        return out.read_bytes()
