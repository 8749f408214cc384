"""A real app server and a real, offline browser for the browser tests and the benchmarks.

One place for what the GUIDE learned: Debian's chromium with the flags that keep it from
phoning out, the app's server (serve.py, the same entry as `make run`) on a free loopback port
that is polled on /_stcore/health and always terminated, and browser contexts that let only the
app's own server through and record every other request they refused.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# A wait for text on the page that survives a navigation (document.body is null while a reload starts).
BODY_HAS = "(text) => !!document.body && document.body.innerText.includes(text)"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path | None


def start_server(env: Mapping[str, str], log: Path | None = None, timeout: float = 60,
                 port: int | None = None) -> Server:
    """The app as `make run` serves it (`streamlit run serve.py`, the ASGI entry) on `port` (or a free one),
    with `env` added to this process's environment.

    Healthy on return. Give the port of a stopped server to restart it where its pages are connected.
    """
    port = port or free_port()
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace") if log is not None else ""
            raise RuntimeError(f"streamlit exited with {process.returncode}: {detail}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@contextmanager
def running_server(env: Mapping[str, str], log: Path | None = None) -> Iterator[Server]:
    server = start_server(env, log)
    try:
        yield server
    finally:
        stop_server(server)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright (playwright's own browser download cannot work offline)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Offline:
    """A fresh browser context that lets only the app's own server through and records everything else."""

    context: Any
    blocked: list[str] = field(default_factory=list)

    def new_page(self) -> Any:
        return self.context.new_page()


@contextmanager
def offline_context(browser: Any, base: str, viewport: dict[str, int], **options: Any) -> Iterator[Offline]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    state = Offline(context)
    host = urlsplit(base).netloc

    def route(r: Any) -> None:
        if urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:
            state.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    try:
        yield state
    finally:
        context.close()
