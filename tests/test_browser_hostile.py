"""Hostile text in a real browser (marker: browser): nothing from data or from the URL is rendered as markup.

A package whose every free-text column holds a hostile payload (markdown links and images to
an outside address, emphasis, HTML, plotly's HTML subset, a javascript: link, an RTL override,
the longest text the importer accepts) is generated here and imported through the importer;
then every page is opened for a leader and a township officer (one browser context per role),
and every page again with every URL parameter set to a payload. On every page: no request
left the server (127.0.0.1:8799 is a port where nothing listens; the browser context blocks
and records it), no dialog opened, no <a>, <img>, <strong>/<em> or bold SVG text carries a
payload, and no plotly figure holds a payload's tags unescaped (so hover texts are covered
without hovering).
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from auth_support import PASSWORD, add_account, fast_config
from fixture_package import TABLES, A

from devtools.browser import Server, chromium, offline_context, start_server, stop_server
from supervision.access.permissions import PAGE_ROLES
from supervision.core.config import Settings
from supervision.core.principal import Role
from supervision.core.spec import TABLES_BY_KEY, Kind
from supervision.ingest import fields
from supervision.ingest.importer import import_package
from supervision.storage.db import open_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
MARK = "HOSTILE"
BEACON = "http://127.0.0.1:8799"  # nothing listens there: a request to it is an outside request
PAYLOADS = (
    f"[{MARK}链接]({BEACON}/link)",
    f"![{MARK}图]({BEACON}/beacon.png)",
    f"![{MARK}外](https://beacon.example.com/b.png)",
    f"**{MARK}粗体**",
    f"<img src=x onerror=alert(1)>{MARK}",
    f"<a href='{BEACON}/a'>{MARK}锚</a><br><b>{MARK}</b>",
    f"[{MARK}脚本](javascript:alert(1))",
    f"\u202e{MARK}反向 :red[{MARK}红] :material/home: ${MARK}^2$ www.example.com a@example.com",
)
KEY_PAYLOADS = (  # for identifiers (at most 20 or 40 characters, unique): {i} keeps them apart
    "[K{i}](http://127.0.0.1:8799/k)", "![K{i}](http://127.0.0.1:8799/k.png)", "**K{i}**", "<b>K{i}</b>",
    "<img src=x onerror=alert({i})>",
)
ROLES = {"leader": (Role.LEADER, None), "township": (Role.TOWNSHIP, "浮桥镇")}
FILTERS = "year=2019&as_of=2019-10-15"


def long_payload(limit: int) -> str:
    """The longest text the importer accepts (its limit is in characters): markup, then 4-byte characters."""
    head = f"{PAYLOADS[1]} {PAYLOADS[3]} "
    return head + "𠀀" * (limit - len(head))


def write_hostile_package(folder: Path) -> Path:
    """The page fixture's package with every free-text cell replaced by a payload.

    Identifiers (short text columns) get one short payload per original value, the same in every
    table, so references between tables (item codes, licence numbers) still hold.
    """
    folder.mkdir(parents=True, exist_ok=True)
    identifiers: dict[tuple[str, str], str] = {}
    for key, rows in TABLES.items():
        spec = TABLES_BY_KEY[key]
        texts = {c.key: fields.text_limit(spec, c) for c in spec.columns if c.kind is Kind.TEXT}
        hostile = []
        for i, row in enumerate(rows):
            new = dict(row)
            for c, (column, limit) in enumerate(texts.items()):
                if limit < 100:
                    if new.get(column):
                        n = len(identifiers)
                        new[column] = identifiers.setdefault(
                            (column, str(new[column])), KEY_PAYLOADS[n % len(KEY_PAYLOADS)].format(i=n)[:limit])
                elif i % (len(PAYLOADS) + 1) == len(PAYLOADS):
                    new[column] = long_payload(limit)
                else:
                    new[column] = PAYLOADS[(i + c + 1) % len(PAYLOADS)]  # the first enterprise's name: an image
            hostile.append(new)
        columns = list(dict.fromkeys(k for row in hostile for k in row))
        with open(folder / f"{key}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(hostile)
    return folder


def app_pages() -> list[str]:
    """Every page's url_path, read from app.py's st.Page(...) calls (so a new page is covered)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    paths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page":
            for kw in node.keywords:
                if kw.arg == "url_path" and isinstance(kw.value, ast.Constant) and kw.value.value != "login":
                    paths.append(kw.value.value)
    return list(dict.fromkeys(paths))


def url_parameters(page: str, shift: int) -> str:
    """Every URL parameter a page reads, each holding a payload (rotated per page), one of them 10 kB long."""
    names = ("uscc", "township", "year", "as_of", "category", "rules", "severity", "group", "measure", "mode",
             "res", "refresh", "carousel")
    values = {name: PAYLOADS[(i + shift) % len(PAYLOADS)] for i, name in enumerate(names)}
    values[names[shift % len(names)]] = (PAYLOADS[0] + " ") * (10_240 // (len(PAYLOADS[0]) + 1))
    return "&".join(f"{k}={quote(v)}" for k, v in values.items())


@dataclass(frozen=True)
class World:
    server: Server
    pages: dict[str, list[str]]  # role → the pages it may open


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[World]:
    base = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{base / 'hostile.db'}"
    engine = open_database(url, settings)
    try:
        report = import_package(write_hostile_package(base / "package"), engine, settings, actor=PAYLOADS[0])
        assert report.written and not report.problems, report.summary()
        for username, (role, township) in ROLES.items():
            add_account(engine, settings, username, role, township=township,
                        display_name=PAYLOADS[(len(username)) % len(PAYLOADS)][:60])
    finally:
        engine.dispose()
    pages = {name: [p for p in app_pages() if role in PAGE_ROLES.get(p, frozenset())]
             for name, (role, _) in ROLES.items()}
    server = start_server({"DATABASE_URL": url, "SUPERVISION_CONFIG": str(fast_config(base))},
                          base / "streamlit.log")
    try:
        yield World(server, pages)
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


FIND_MARKUP = """([mark, origin]) => {
  const bad = [];
  const text = e => (e.textContent || '') + ' ' + (e.getAttribute('alt') || '') + ' ' + (e.getAttribute('title') || '');
  for (const a of document.querySelectorAll('a')) {
    const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
    const target = href ? new URL(href, location.href) : null;
    if (text(a).includes(mark) || /8799|example|javascript:/i.test(href) || (target && target.origin !== origin))
      bad.push('a ' + href + ' ' + text(a).slice(0, 60));
  }
  for (const img of document.querySelectorAll('img, image')) {
    const src = img.getAttribute('src') || img.getAttribute('href') || '';
    const target = src ? new URL(src, location.href) : null;
    if (text(img).includes(mark) || (target && !['data:', 'blob:'].includes(target.protocol)
                                     && target.origin !== origin) || src === 'x')
      bad.push('img ' + src.slice(0, 80));
  }
  for (const el of document.querySelectorAll('strong, em, b, i, del, h1 strong, .katex, tspan[style*="bold"]'))
    if (text(el).includes(mark)) bad.push(el.tagName + ' ' + text(el).slice(0, 60));
  return bad;
}"""

FIGURE_STRINGS = """() => {
  const out = [];
  const walk = v => { if (typeof v === 'string') out.push(v);
                      else if (Array.isArray(v)) v.forEach(walk);
                      else if (v && typeof v === 'object') Object.values(v).forEach(walk); };
  for (const gd of document.querySelectorAll('.js-plotly-plot')) { walk(gd.data); walk(gd.layout); }
  return out;
}"""


def _settled(page: Any) -> None:
    """Wait until the script has run and every chart is drawn (polling the page, no sleeps)."""
    page.wait_for_function(
        """() => { const app = document.querySelector('[data-testid="stApp"]');
                   const main = document.querySelector('[data-testid="stMain"]');
                   return app && app.getAttribute('data-test-script-state') === 'notRunning'
                       && main && main.innerText.trim().length > 0
                       && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                            .every(c => c.querySelector(".main-svg")); }""", timeout=180_000)


def _arrive(page: Any, url: str, username: str) -> None:
    """Open `url` and sign in there when the new session asks for it (as after a bookmark)."""
    page.goto(url)
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.or_(page.get_by_label("用户名")).first.wait_for(timeout=180_000)  # a cold server: ~1 min under load
    if not nav.count():
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        nav.wait_for(timeout=180_000)


def _inspect(page: Any, origin: str, where: str) -> list[str]:
    _settled(page)
    found = [f"{where}: {b}" for b in page.evaluate(FIND_MARKUP, [MARK, origin])]
    raw = [p for p in (*PAYLOADS, *(k.format(i=i) for k in KEY_PAYLOADS for i in range(3)))
           if "<" in p or "$" in p]
    for text in page.evaluate(FIGURE_STRINGS):
        found += [f"{where}: plotly text holds {p!r} unescaped" for p in raw if p in text]
    if page.locator("[data-testid='stException']").count():
        found.append(f"{where}: a Python exception is shown")
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_hostile_data_is_never_markup(role: str, world: World, browser: Any) -> None:
    """Every page of the role on the hostile package, then every page with every URL parameter a payload."""
    origin = world.server.url
    problems: list[str] = []
    dialogs: list[str] = []
    with offline_context(browser, origin, {"width": 1600, "height": 2400}) as offline:
        page = offline.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        for i, name in enumerate(world.pages[role]):
            extra = f"&uscc={A}" if name == "enterprises" else ""
            _arrive(page, f"{origin}/{name}?{FILTERS}{extra}", role)
            problems += _inspect(page, origin, f"{role} /{name}")
            _arrive(page, f"{origin}/{name}?{url_parameters(name, i)}", role)
            problems += _inspect(page, origin, f"{role} /{name}?<payloads>")
        # A wall-screen token is read before anyone signs in: a forged one, on the wall layout and off it.
        for mode in ("&mode=screen", ""):
            page.goto(f"{origin}/?token={quote(PAYLOADS[i % len(PAYLOADS)])}{mode}")
            page.get_by_text("大屏链接无效").first.wait_for(timeout=60_000)
            problems += _inspect(page, origin, f"{role} /?token=<payload>{mode}")
        outside = list(offline.blocked)
    # <img src=x> would ask the server itself for /x: same origin, so the context lets it through; catch it here.
    beacons = [u[:200] for u in requests
               if urlsplit(u).netloc != urlsplit(origin).netloc or urlsplit(u).path.rstrip("/").endswith("/x")]
    assert not problems, "\n".join(problems)
    assert outside == [] and beacons == [], json.dumps({"outside": [u[:200] for u in outside], "beacons": beacons},
                                                       ensure_ascii=False)
    assert dialogs == []
    assert len(world.pages[role]) >= 8  # the loop really covered the role's pages
