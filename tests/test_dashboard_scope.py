"""Each role × each dashboard query: which townships' data it returns, on SQLite and PostgreSQL.

The expected townships are read off the fixture package by hand (tests/fixture_package.py),
not derived from supervision.access.scope: a leader, a bureau officer, the wall screen and the
command line see every township the query has data for; the 浮桥镇 officer only 浮桥镇;
an administrator nothing. supervision.read.queries functions that take a principal and are not
in auth's READS must be listed here (tests/test_scope_matrix.py checks both lists together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from auth_support import PRINCIPALS
from fixture_package import AS_OF, ENTERPRISES, YEAR, write_package
from sqlalchemy import Engine

from supervision.core.config import Settings, load_settings
from supervision.core.principal import Principal, Role
from supervision.ingest.importer import import_package
from supervision.read import queries

SETTINGS = load_settings()
OWN, OTHER = "浮桥镇", "城厢镇"
WITH_ENTERPRISES = frozenset({"浮桥镇", "城厢镇", "浏河镇", "沙溪镇", "璜泾镇", "双凤镇", "娄东街道"})
PRODUCERS = frozenset({"浮桥镇", "城厢镇", "浏河镇"})  # A, B (smelters with quotas) and C (recycler)
QUOTA_HOLDERS = frozenset({"浮桥镇", "城厢镇"})
SCORED = frozenset({"浮桥镇", "城厢镇", "浏河镇", "沙溪镇"})
TOWN_OF = {e["uscc"]: e["township"] for e in ENTERPRISES}


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> Engine:
    report = import_package(write_package(tmp_path / "package"), db, settings, actor="范围测试")
    assert report.written, report.summary()
    return db


def _towns(frame: pd.DataFrame) -> set[str]:
    return {t for t in frame["township"] if isinstance(t, str)}


def _per_town(ask: Callable[[Engine, Principal, str], Any]) -> Callable[[Engine, Principal, str | None], set[str]]:
    """For a query answering one township at a time: the townships for which it returned something."""
    def towns(engine: Engine, principal: Principal, township: str | None) -> set[str]:
        asked = [township] if township else sorted(WITH_ENTERPRISES | {"陆渡街道"})
        return {t for t in asked if _has_data(ask(engine, principal, t))}
    return towns


def _per_enterprise(ask: Callable[[Engine, Principal, str], Any],
                    ) -> Callable[[Engine, Principal, str | None], set[str]]:
    """For a query about one enterprise: the townships of the enterprises for which it returned something."""
    def towns(engine: Engine, principal: Principal, township: str | None) -> set[str]:
        asked = [u for u, t in TOWN_OF.items() if township is None or t == township]
        return {TOWN_OF[u] for u in asked if _has_data(ask(engine, principal, u))}
    return towns


def _has_data(answer: Any) -> bool:
    if isinstance(answer, pd.DataFrame):
        return not answer.empty and bool(answer.drop(columns=[c for c in ("month", "period", "cumulative_production_t")
                                                               if c in answer]).notna().any().any())
    if isinstance(answer, dict):
        return any(_has_data(v) for v in answer.values()) if answer else False
    return bool(answer)


def _frame(call: Callable[..., pd.DataFrame], keep: Callable[[pd.DataFrame], pd.DataFrame] = lambda df: df):
    def towns(engine: Engine, principal: Principal, township: str | None) -> set[str]:
        return _towns(keep(call(engine, principal, township)))
    return towns


def _measured_towns(engine: Engine, principal: Principal, township: str | None) -> set[str]:
    """township_measures lists every visible township; those with enterprises carry data."""
    frame = queries.township_measures(engine, principal, SETTINGS, YEAR, AS_OF)
    frame = frame[frame["enterprises"] > 0]
    return {t for t in _towns(frame) if township is None or t == township}


@dataclass(frozen=True)
class DashRead:
    name: str
    towns: Callable[[Engine, Principal, str | None], set[str]]
    expected: frozenset[str]


S = SETTINGS
READS: list[DashRead] = [
    DashRead("data_as_of",
             _per_town(lambda e, p, t: queries.data_as_of(e, p, ("monthly_reports",), YEAR, t, as_of=AS_OF)),
             PRODUCERS),
    DashRead("later_rows", _per_town(lambda e, p, t: queries.later_rows(e, p, ("monthly_reports",), YEAR, t,
                                                                        as_of=dt.date(YEAR, 3, 15))), PRODUCERS),
    DashRead("enterprises", _frame(lambda e, p, t: queries.enterprises(e, p, t)), WITH_ENTERPRISES),
    DashRead("quota_by_enterprise", _frame(lambda e, p, t: queries.quota_by_enterprise(e, p, YEAR, t, as_of=AS_OF)),
             PRODUCERS),
    DashRead("quota_batches", _per_town(lambda e, p, t: queries.quota_batches(e, p, YEAR, t)), QUOTA_HOLDERS),
    DashRead("monthly_flows", _per_town(lambda e, p, t: queries.monthly_flows(e, p, YEAR, t, as_of=AS_OF)), PRODUCERS),
    DashRead("flows_by_enterprise", _frame(lambda e, p, t: queries.flows_by_enterprise(e, p, YEAR, t, as_of=AS_OF)),
             PRODUCERS),
    DashRead("quota_years", _per_town(lambda e, p, t: queries.quota_years(e, p, t, year=YEAR, years=5,
                                                                                    as_of=AS_OF)), QUOTA_HOLDERS),
    DashRead("self_check_status", _frame(lambda e, p, t: queries.self_check_status(e, p, S, YEAR, AS_OF, t)),
             frozenset({"浮桥镇", "城厢镇", "浏河镇", "沙溪镇", "双凤镇"})),
    DashRead("township_report_status",
             _frame(lambda e, p, t: queries.township_report_status(e, p, S, YEAR, AS_OF, t)), WITH_ENTERPRISES),
    DashRead("monthly_report_gaps", _frame(lambda e, p, t: queries.monthly_report_gaps(e, p, S, YEAR, AS_OF, t)),
             PRODUCERS),
    DashRead("inspection_status", _frame(lambda e, p, t: queries.inspection_status(e, p, S, YEAR, AS_OF, t)),
             WITH_ENTERPRISES),
    DashRead("overdue_tipoffs", _frame(lambda e, p, t: queries.overdue_tipoffs(e, p, S, YEAR, AS_OF, t)),
             frozenset({"浮桥镇", "城厢镇", "沙溪镇"})),
    DashRead("township_milestones",
             _frame(lambda e, p, t: queries.township_milestones(e, p, S, YEAR, AS_OF, t)), WITH_ENTERPRISES),
    DashRead("overdue_lights", _frame(lambda e, p, t: queries.overdue_lights(e, p, S, YEAR, AS_OF, t)),
             WITH_ENTERPRISES),
    DashRead("inspection_scores", _frame(lambda e, p, t: queries.inspection_scores(e, p, YEAR, t, as_of=AS_OF)),
             SCORED),
    DashRead("section_scores", _frame(lambda e, p, t: queries.section_scores(e, p, YEAR, t, as_of=AS_OF)), SCORED),
    DashRead("score_totals", _frame(lambda e, p, t: queries.score_totals(e, p, (2018, YEAR), t, as_of=AS_OF)), SCORED),
    DashRead("township_measures", _measured_towns, WITH_ENTERPRISES),
    DashRead("enterprise", _per_enterprise(lambda e, p, u: queries.enterprise(e, p, u)), WITH_ENTERPRISES),
    DashRead("enterprise_records",
             _per_enterprise(lambda e, p, u: queries.enterprise_records(e, p, u, YEAR, as_of=AS_OF)),
             frozenset({"浮桥镇", "城厢镇", "浏河镇", "沙溪镇", "双凤镇"})),  # E and F have nothing but a directory row
    DashRead("counterparty_names",
             _per_enterprise(lambda e, p, u: queries.counterparty_names(e, p, (u,))), WITH_ENTERPRISES),
    DashRead("penalties", _frame(lambda e, p, t: queries.penalties(e, p, None, AS_OF, t)),
             frozenset({"城厢镇", "沙溪镇"})),
    DashRead("blacklist", _frame(lambda e, p, t: queries.blacklist(e, p, AS_OF, t)), frozenset({"城厢镇"})),
]
# Queries without a township dimension, checked one by one below.
WHOLE = {"data_years", "groups", "scoring_table"}
DASHBOARD_QUERIES = {r.name for r in READS} | WHOLE


def _visible(principal: Principal, expected: frozenset[str]) -> set[str]:
    if principal.role is Role.ADMIN and principal.username != "system":
        return set()
    if principal.role is Role.TOWNSHIP:
        return set(expected) & {principal.township or ""}
    return set(expected)


@pytest.mark.parametrize("read", READS, ids=lambda r: r.name)
@pytest.mark.parametrize("role", list(PRINCIPALS))
def test_dashboard_read_matrix(world: Engine, read: DashRead, role: str) -> None:
    principal = PRINCIPALS[role]
    assert read.towns(world, principal, None) == _visible(principal, read.expected)


@pytest.mark.parametrize("read", READS, ids=lambda r: r.name)
def test_officer_asking_for_another_township_gets_nothing(world: Engine, read: DashRead) -> None:
    assert read.towns(world, PRINCIPALS["浮桥镇人员"], OTHER) == set()
    # The leader asking the same gets that township's data, so the empty answer is the scope, not the data.
    assert read.towns(world, PRINCIPALS["领导"], OTHER) == set(read.expected) & {OTHER}


@pytest.mark.parametrize("role", list(PRINCIPALS))
def test_queries_without_a_township_dimension(world: Engine, role: str) -> None:
    principal = PRINCIPALS[role]
    admin = principal.role is Role.ADMIN and principal.username != "system"
    years = queries.data_years(world, principal)
    groups = queries.groups(world, principal)
    items = queries.scoring_table(world, principal, YEAR)
    if admin:
        assert (years, groups, len(items)) == ([], [], 0)
    elif principal.role is Role.TOWNSHIP:
        assert years == [2018, 2019]  # 浮桥镇's quotas and scores, and the city-level scoring tables
        assert groups == ["中国稀有稀土股份有限公司"]
        assert len(items) == 4
    else:
        assert years == [2018, 2019]
        assert groups == ["中国北方稀土(集团)高科技股份有限公司", "中国稀有稀土股份有限公司"]
        assert list(items["item_code"]) == ["A1", "A2", "B1", "B2"]

