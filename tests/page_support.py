"""AppTest support for the page tests: a seeded SQLite database, a fresh app per test, chart and click helpers."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import streamlit as st
from auth_support import PASSWORD, add_account, fast
from fixture_package import write_package
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from components import session
from supervision.access import signin, wall_links
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM, Role
from supervision.ingest.importer import import_package
from supervision.storage.db import make_engine, open_database

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("overview", "map", "quota", "flows", "progress", "scoring", "enterprise", "findings")


LEADER = "leader"  # the account the page tests sign in with (password auth_support.PASSWORD)


def seed(url: str, settings: Settings, folder: Path) -> str:
    """Migrate the database at `url`, import the fixture package, add a leader's account and a wall-screen link.

    Returns the wall-screen link token.
    """
    engine = open_database(url, settings)
    try:
        report = import_package(write_package(folder), engine, settings, actor="页面测试")
        assert report.written, report.summary()
        add_account(engine, settings, LEADER, Role.LEADER, display_name="页面测试领导")
        _, token = wall_links.create_screen_token(engine, SYSTEM, "页面测试大屏", 1)
        return token
    finally:
        engine.dispose()


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


AppFactory = Callable[..., AppTest]


def signed_in(url: str, username: str) -> session.SignedIn:
    """The session state of a password sign-in of `username` on the database at `url`."""
    from components.db import settings as app_settings

    engine = make_engine(url)
    try:
        result = signin.authenticate(engine, username, PASSWORD, fast(app_settings().security))
    finally:
        engine.dispose()
    assert result.ok and result.principal is not None and result.user_id is not None, result.message
    return session.SignedIn("password", result.principal, result.user_id, result.epoch, None, time.time())


def factory(url: str, monkeypatch: pytest.MonkeyPatch, config: Path | None = None) -> Iterator[AppFactory]:
    """AppTests on the database at `url`, signed in as the leader, with the Streamlit caches cleared around."""
    monkeypatch.setenv("DATABASE_URL", url)
    if config is not None:
        monkeypatch.setenv("SUPERVISION_CONFIG", str(config))
    _clear_caches()

    def make(page: str = "overview", **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(params)
        if "token" not in params:
            # Signed in before the first run, as a browser is when it opens a bookmark after signing in:
            # the password is checked for real (supervision.access.signin), the session then holds the result.
            at.session_state[session._STATE] = signed_in(url, LEADER)
        at.run()
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    yield make
    _clear_caches()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _decoded(node: Any) -> Any:
    """The figure JSON with plotly's base64 typed arrays ({"dtype", "bdata"}) turned back into lists."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                array = array.reshape([int(n) for n in str(node["shape"]).split(",")])
            return array.tolist()
        return {k: _decoded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decoded(v) for v in node]
    return node


def charts(at: AppTest) -> dict[str, dict[str, Any]]:
    """Every plotly chart on the page by its key (the end of its element id), as its figure dict."""
    out: dict[str, dict[str, Any]] = {}
    for element in at.get("plotly_chart"):
        key = element.proto.id.rsplit("-", 1)[-1] if element.proto.id else str(len(out))
        out[key] = _decoded(json.loads(element.proto.spec))
    return out


def chart_proto(at: AppTest, key: str) -> Any:
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(key):
            return element.proto
    raise AssertionError(f"no chart {key!r} among {list(charts(at))}")


def titles(fig: dict[str, Any]) -> tuple[str, str]:
    title = fig["layout"]["title"]
    return title["text"], title.get("subtitle", {}).get("text", "")


def metric(at: AppTest, label: str) -> str:
    """The value of the metric labelled `label`, as shown (markdown escapes of md_escape removed)."""
    for m in at.metric:
        if re.sub(r"\\(.)", r"\1", m.label) == label:
            return re.sub(r"\\(.)", r"\1", m.value)
    raise AssertionError(f"no metric {label!r} among {[m.label for m in at.metric]}")


def click_chart(at: AppTest, key: str, points: list[dict[str, Any]]) -> AppTest:
    """Send a plotly selection (what a click in the browser sends) for the chart whose key ends with `key`."""
    proto = chart_proto(at, key)
    states = at._tree.get_widget_states()  # the other widgets keep their values, as in a browser
    selection = {"selection": {"points": points, "point_indices": [p.get("point_index", 0) for p in points],
                               "box": [], "lasso": []}}
    state = states.widgets.add()
    state.id = proto.id
    state.string_value = json.dumps(selection, ensure_ascii=False)
    assert isinstance(states, WidgetStates)
    return at._run(states)


def click_table_row(at: AppTest, key: str, row: int) -> AppTest:
    """Select one row of the selectable st.dataframe whose key ends with `key`, as a click in the browser does."""
    element = next(e for e in at.dataframe if e.proto.id.endswith(key))
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = element.proto.id
    state.string_value = json.dumps({"selection": {"rows": [row], "columns": [], "cells": []}})
    return at._run(states)


def table(at: AppTest, *columns: str) -> Any:
    """The DataFrame of the first st.dataframe showing all of `columns` (tables carry no id unless selectable)."""
    for element in at.dataframe:
        frame = element.value
        if all(c in frame.columns for c in columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")
