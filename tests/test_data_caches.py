"""Cached data functions expire by data version, never by the clock, hold a bounded number of entries, and are
shared by every account that may read the same rows."""

from __future__ import annotations

import inspect
from typing import Any

import plotly.graph_objects as go
from auth_support import OTHER, OWN
from sqlalchemy import Engine, event

import components.data as data
from supervision.access import scope
from supervision.core.principal import SYSTEM, Principal, Role


def _cached() -> dict[str, object]:
    """The module's own st.cache_data functions (not the engine's cache_resource it imports)."""
    return {name: fn for name, fn in inspect.getmembers(data)
            if hasattr(fn, "_info") and getattr(fn, "__module__", "") == data.__name__
            and type(fn._info).__name__ == "CachedDataFuncInfo"}


def test_every_data_function_is_keyed_by_version_not_by_a_ttl() -> None:
    cached = _cached()
    assert len(cached) >= 20
    for name, fn in cached.items():
        info = fn._info  # type: ignore[attr-defined]
        assert info.ttl is None, f"{name}: a TTL makes the whole cold cost recur for the first viewer (issue 21)"
        if name != "national_quota":  # one entry per year of a small reference table
            assert info.max_entries, f"{name}: an unbounded cache grows with every filter combination"


def test_cached_reads_are_shared_by_readers_not_accounts(app_db: Engine) -> None:
    """Two leaders, a bureau officer and a wall read the same rows: one cache entry, one set of queries; each
    township's officers share theirs and never get another township's or the city's (issue 21)."""
    from components.db import current_data_version, engine

    live = engine()
    version = current_data_version()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(live, "before_cursor_execute", count)
    try:
        def cost(principal: Principal) -> int:
            before = len(statements)
            data.enterprise_counts(version, principal, None, None)
            return len(statements) - before

        assert cost(Principal("leader.one", "领导一", Role.LEADER)) > 0
        assert cost(Principal("leader.two", "领导二", Role.LEADER)) == 0
        assert cost(Principal("tax.officer", "税务局经办人", Role.BUREAU, department="税务局")) == 0
        assert cost(Principal("screen-7", "大屏：会议室", Role.SCREEN)) == 0
        assert cost(Principal("town.one", "浮桥镇一", Role.TOWNSHIP, township=OWN)) > 0
        assert cost(Principal("town.two", "浮桥镇二", Role.TOWNSHIP, township=OWN)) == 0
        assert cost(Principal("town.other", "城厢镇", Role.TOWNSHIP, township=OTHER)) > 0
        assert cost(Principal("admin", "管理员", Role.ADMIN)) > 0  # reads nothing: its own (empty) entry
    finally:
        event.remove(live, "before_cursor_execute", count)


def test_kept_figures_are_shared_by_readers_not_accounts(app_db: Engine) -> None:
    from components import figures

    built: list[str] = []

    def build(name: str) -> go.Figure:
        built.append(name)
        return go.Figure()

    one, two = Principal("leader.one", "领导一", Role.LEADER), Principal("leader.two", "领导二", Role.LEADER)
    town = Principal("town.one", "浮桥镇一", Role.TOWNSHIP, township=OWN)
    shared = figures.memo(("test_fig", 1, one), lambda: build("one"))
    assert figures.memo(("test_fig", 1, two), lambda: build("two")) is shared
    assert figures.memo(("test_fig", 1, town), lambda: build("town")) is not shared
    assert built == ["one", "town"]
    assert scope.reader(one) == ("all", None) and scope.reader(town) == ("township", OWN)
    assert scope.reader(Principal("admin", "管理员", Role.ADMIN)) == ("none", None)
    assert scope.reader(SYSTEM) == ("all", None)
