"""No English or raw None/nan anywhere a user looks: every page, for every role, walked in AppTest.

What is read: every element's visible text (labels, bodies, captions, placeholders, help, options, values,
tab and expander labels), every table cell and header, and every chart's titles, axis titles, legend names,
tick labels and annotations. Identifiers that the data-exchange spec itself defines (table and column keys,
codes such as R01 or USCC) are allowed; English words, Streamlit's own English placeholders and the raw
values None / nan / NaT are not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from auth_support import add_account
from google.protobuf.json_format import MessageToDict
from page_support import PAGES, charts, no_exception, signed_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components import session
from supervision.core.config import load_settings
from supervision.core.principal import Role
from supervision.core.spec import TABLES
from supervision.storage.db import make_engine
from supervision.storage.models import User

# Columns whose cells are identifiers from the data, shown as given: the spec's English table names and the
# audit log's record keys (a file name, an enterprise code).
DATA_COLUMNS = {"英文表名", "记录"}
RAW_VALUES = {"None", "none", "nan", "NaN", "NaT", "<NA>", "null", "undefined", "True", "False", "inf"}
# Lower-case words that are the spec's own identifiers (shown on purpose, e.g. the English table names column).
SPEC_WORDS = {t.key for t in TABLES} | {c.key for t in TABLES for c in t.columns} | {
    "import", "check", "export", "demo", "migrate", "users", "findings", "sync", "list", "year", "township",
    "mode", "screen", "token", "refresh", "carousel", "panels", "theme", "night", "uscc", "rules", "severity",
    "measure", "category", "as_of", "supervision", "python", "config", "toml", "xlsx", "docx", "pptx", "html",
    "https", "http", "localhost", "sqlite", "postgresql", "psycopg", "timezone", "asia", "shanghai",
    # config.toml's sections, named where a caption says which setting a figure follows
    "database", "jurisdiction", "calendar", "tolerances", "risk", "security", "display", "default"}
# Product and format names are proper nouns users know by their English names.
PROPER_NOUNS = {"Excel", "Word", "PowerPoint", "Chromium", "Chrome", "Windows", "GeoJSON", "Shapefile",
                "GeoPackage", "PostgreSQL", "SQLite", "Prometheus", "Streamlit", "Asia", "Shanghai"}
TEXT_KEYS = {"label", "body", "placeholder", "help", "caption", "text", "value", "options", "stringValue",
             "displayValue", "formattedValue", "default", "title", "subheader"}
SKIP_KEYS = {"id", "formId", "spec", "data", "icon", "url", "pageScriptHash", "key", "format", "type",
             "arrowData", "styler", "columns", "cssId", "src", "mimetype", "fileName", "deltaPath", "fragmentId"}
WORD = re.compile(r"(?<![A-Za-z0-9_.%/{=-])[A-Za-z][a-z]{3,}(?![A-Za-z0-9_])")
PHRASES = ("Choose an option", "No results", "Select all", "View ", "Traceback", "Error:", "Exception")


def _strings(node: Any, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in SKIP_KEYS:
                yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    elif isinstance(node, str) and key in TEXT_KEYS:
        yield node


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def visible_texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the page shows as text."""
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            proto = getattr(node, "proto", None)
            kind = getattr(node, "type", type(node).__name__)
            if kind == "arrow_data_frame" or type(node).__name__ == "Dataframe":
                frame: pd.DataFrame = node.value
                yield from ((f"表头 {c}", str(c)) for c in frame.columns)
                for column in frame.columns:
                    if str(column) in DATA_COLUMNS:
                        continue
                    for v in frame[column].tolist():
                        yield (f"表格 {column}", "None" if v is None else "nan" if _isnan(v) else str(v))
                continue
            if proto is None or kind == "plotly_chart":
                continue
            try:
                as_dict = MessageToDict(proto)
            except TypeError:
                continue
            yield from ((kind, s) for s in _strings(as_dict))
    for name, fig in charts(at).items():
        layout = fig.get("layout", {})
        texts = [layout.get("title", {}).get("text", "")]
        for axis in (k for k in layout if k.startswith(("xaxis", "yaxis"))):
            texts.append(str(layout[axis].get("title", {}).get("text", "")))
            texts.extend(str(t) for t in layout[axis].get("ticktext", []) or [])
        texts.extend(str(a.get("text", "")) for a in layout.get("annotations", []))
        for trace in fig.get("data", []):
            if trace.get("showlegend", True) is not False:
                texts.append(str(trace.get("name", "")))
        yield from ((f"图表 {name}", re.sub(r"<[^>]+>", " ", t)) for t in texts if t)


def _isnan(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def english(text: str) -> list[str]:
    found = [p for p in PHRASES if p in text]
    stripped = text.strip()
    if stripped in RAW_VALUES:
        found.append(stripped)
    found += [w for w in WORD.findall(text)
              if w.lower() not in SPEC_WORDS and w not in RAW_VALUES and w not in PROPER_NOUNS]
    found += [w for w in re.findall(r"(?<![A-Za-z])(None|nan|NaN|NaT)(?![A-Za-z])", text)]
    return found


def problems(at: AppTest, usernames: frozenset[str] = frozenset()) -> list[str]:
    """What looks English; account names are what the admin typed (data, not interface), so they are left out."""
    found = set()
    for kind in ("selectbox", "multiselect"):
        for widget in at.get(kind):
            if not widget.proto.placeholder:  # the browser would show "Choose an option" / "Choose options"
                found.add(f"{kind} {widget.proto.label!r}: no Chinese placeholder")
    for where, text in visible_texts(at):
        for name in usernames:
            text = text.replace(name, "")
        if words := english(text):
            found.add(f"{where}: {text[:80]!r} → {words}")
    return sorted(found)


def _usernames(url: str) -> frozenset[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return frozenset(conn.execute(select(User.username)).scalars())
    finally:
        engine.dispose()


def _open(url: str, username: str | None, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(__import__("page_support").APP), default_timeout=60)
    at.query_params.update(params)
    if username is not None:
        at.session_state[session._STATE] = signed_in(url, username)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


ROLE_ACCOUNTS = {
    "镇区人员": ("lang.town", Role.TOWNSHIP, {"township": "浮桥镇"}),
    "局办人员": ("lang.bureau", Role.BUREAU, {"department": "工信局"}),
    "管理员": ("lang.admin", Role.ADMIN, {}),
}
ROLE_PAGES = {
    "镇区人员": [*PAGES, "meeting", "data_entry", "form_self_checks", "form_township_reports", "form_tipoffs",
              "account"],
    "局办人员": [*PAGES, "meeting", "data_entry", "form_self_checks", "form_scores", "form_penalties", "account"],
    "管理员": ["admin_users", "audit_log", "account"],
}


@pytest.fixture(scope="module")
def accounts(seeded: tuple[str, str], settings: Any) -> str:
    url = seeded[0]
    engine = make_engine(url)
    try:
        for username, role, extra in ROLE_ACCOUNTS.values():
            try:
                add_account(engine, settings, username, role, display_name=f"{role.value}语言检查", **extra)
            except Exception:  # noqa: BLE001 - already added by an earlier module of this session
                pass
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("page", [*PAGES, "meeting", "help"])
def test_no_english_on_the_leaders_pages(app: Any, page: str) -> None:
    at = app(page, year="2019", as_of="2019-08-13")
    no_exception(at)
    found = problems(at)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("page", ["overview", "map"])
def test_no_english_on_the_wall(app: Any, seeded: tuple[str, str], page: str) -> None:
    at = app(page, mode="screen", token=seeded[1], year="2019", as_of="2019-08-13")
    no_exception(at)
    found = problems(at)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("role", "page"), [(r, p) for r, pages in ROLE_PAGES.items() for p in pages])
def test_no_english_for_every_role(app: Any, accounts: str, role: str, page: str,
                                   fast_settings_file: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    username = ROLE_ACCOUNTS[role][0]
    at = _open(accounts, username, page, year="2019", as_of="2019-08-13")
    no_exception(at)
    found = problems(at, _usernames(accounts))
    assert not found, "\n".join(found)


def test_the_detector_finds_what_it_must() -> None:
    assert english("None") and english("nan") and english("Choose an option")
    assert english("共 3 条 View 6 more")
    assert english("数据 loading 中")
    assert not english("R01 无计划生产（USCC 91320585DEM…，折REO 12.5 吨）")
    assert not english("invoices（英文表名）")
    assert load_settings().display.timezone
    assert json.dumps(sorted(SPEC_WORDS))
