"""The global filters (year, as-of date, township, category), kept in the URL so any view can be bookmarked.

The widgets live in the entry script's sidebar and are bound to query parameters
(`bind="query-params"`): `?year=2019&as_of=2019-08-13&township=浮桥镇&category=冶炼分离`.
Bound to the entry script, they survive page switches, and a cold deep link seeds them.
An empty parameter means "the default": the latest year with data, and for the as-of
date the year's end for a past year or today for the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from components import data
from components.db import settings
from supervision.core import clock
from supervision.core.asof import AsOf
from supervision.core.principal import Principal
from supervision.core.safety import md_escape
from supervision.core.spec import CATEGORIES

YEAR, AS_OF, TOWNSHIP, CATEGORY = "year", "as_of", "township", "category"
BOUND = (YEAR, AS_OF, TOWNSHIP, CATEGORY)  # URL parameters bound to the filter widgets (bind="query-params")
# The date picker's range: wide enough for any campaign year, fixed so the widget keeps its identity.
_MIN_DATE, _MAX_DATE = dt.date(2010, 1, 1), dt.date(2040, 12, 31)


@dataclass(frozen=True)
class Filters:
    year: int
    as_of: dt.date
    township: str | None
    category: str | None

    @property
    def window(self) -> AsOf:
        """The year looked at on the as-of date (spec 4.1): which months and days count."""
        return AsOf(self.year, self.as_of)

    @property
    def months(self) -> str:
        """The months a monthly figure covers on the as-of date, for titles: "1–7月"."""
        return self.window.month_range()

    def describe(self) -> str:
        """One line for captions: which slice of the data a figure shows."""
        parts = [f"{self.year}年", self.township or "全市", self.category or "全部类别", f"截至{self.as_of:%Y-%m-%d}"]
        return " · ".join(parts)


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The year's last day for a past year, today for the current year, the first day for a future one."""
    today = today or clock.today_local()
    if year < today.year:
        return dt.date(year, 12, 31)
    if year > today.year:
        return dt.date(year, 1, 1)
    return today


def year_options(version: int, principal: Principal) -> list[int]:
    """Years with data and configured campaign years, newest first."""
    years = set(data.data_years(version, principal)) | set(data.configured_years())
    return sorted(years or {clock.today_local().year}, reverse=True)


def default_year(version: int, principal: Principal) -> int:
    """The year config.toml names ([display] default_year); else the latest year that has data; without data,
    the latest configured year (or this year)."""
    configured = settings().display.default_year
    if configured is not None:
        return configured
    with_data = data.data_years(version, principal)
    return max(with_data) if with_data else year_options(version, principal)[0]


def ignored_params(years: list[int], towns: list[str], principal: Principal) -> list[str]:
    """The filter values in the address that are not valid here, described for the notice ("年度“abc”…").

    Read before the widgets are drawn: a widget bound to the address drops a value it does not
    know, silently; the notice says what was dropped.
    """
    params, out = st.query_params, []
    year = params.get(YEAR)
    if year and not (year.strip().isdigit() and int(year) in years):
        out.append(f"年度“{year}”（可选：{'、'.join(str(y) for y in years)}）")
    as_of = params.get(AS_OF)
    if as_of:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            out.append(f"截至日期“{as_of}”（应为YYYY-MM-DD）")
    township = params.get(TOWNSHIP)
    if township and not principal.township_scope and township not in towns:
        out.append(f"镇区“{township}”（没有该镇区，或本账号无权查看）")
    category = params.get(CATEGORY)
    if category and category not in CATEGORIES:
        out.append(f"企业类别“{category}”")
    return out


def notice(ignored: list[str]) -> None:
    """One short line saying which values of the address were ignored."""
    if ignored:
        st.warning("网址中的以下筛选值无效，已忽略：" + "；".join(md_escape(i) for i in ignored),
                   icon=":material/link_off:")


def rules_from_address(labels: dict[str, str], key: str) -> list[str]:
    """Before a rule picker bound to `key` is drawn: `rules=R01,R05` (codes, comma-separated or repeated, as
    README writes them) taken as the picker's value (the binding itself only knows its labels, "R01 无计划生产");
    returns the unknown values for the notice."""
    raw = st.query_params.get_all(key)
    if not raw or all(value in labels.values() for value in raw):
        return []
    wanted: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for value in raw for p in value.split(",")):
        code = part.split()[0].upper() if part else ""
        if code in labels:
            if code not in wanted:
                wanted.append(code)
        elif part:
            unknown.append(f"规则“{part}”")
    st.session_state[key] = wanted
    return unknown


def _clear_as_of() -> None:
    # An as-of date picked for one year makes little sense for another: fall back to the default.
    st.session_state[AS_OF] = None


def render(version: int, principal: Principal) -> Filters:
    """Draw the filter widgets in the sidebar and return the filters in force."""
    years = year_options(version, principal)
    towns = data.township_names(version, principal)
    with st.sidebar:
        st.markdown("**筛选条件**")
        ignored = ignored_params(years, towns, principal)
        latest = default_year(version, principal)
        year = st.selectbox("年度", years, index=None, key=YEAR, bind="query-params", on_change=_clear_as_of,
                            placeholder=f"默认年度（{latest}）")
        chosen_year = int(year) if year is not None else latest
        as_of = st.date_input("截至日期", value=None, min_value=_MIN_DATE, max_value=_MAX_DATE, key=AS_OF,
                              bind="query-params", format="YYYY-MM-DD",
                              help="只统计截至该日已发生、已报送的数据：日期在该日之后的记录不计入，月度数据只计已结束的月份"
                                   "（如截至8月13日计1–7月）；截止日期是否已过、是否逾期也按该日判断。"
                                   "默认：往年取年末，当年取今天")
        township = None
        if principal.township_scope:
            township = principal.township_scope
            st.caption(f"镇区：{md_escape(township)}（本账号仅可查看本镇区）")
        else:
            township = st.selectbox("镇区", towns, index=None, key=TOWNSHIP, bind="query-params",
                                    placeholder="全部镇区")
        category = st.selectbox("企业类别", list(CATEGORIES), index=None, key=CATEGORY, bind="query-params",
                                placeholder="全部类别")
    notice(ignored)
    return Filters(chosen_year, as_of or default_as_of(chosen_year), township, category)


def current(version: int, principal: Principal) -> Filters:
    """The filters in force, read from the widgets' state (drawn by the entry script on this run)."""
    years = year_options(version, principal)
    year = st.session_state.get(YEAR)
    chosen_year = int(year) if year is not None and int(year) in years else default_year(version, principal)
    as_of = st.session_state.get(AS_OF)
    township = principal.township_scope or st.session_state.get(TOWNSHIP)
    category = st.session_state.get(CATEGORY)
    return Filters(chosen_year, as_of or default_as_of(chosen_year), township, category)


def select_township(name: str | None) -> None:
    """Set the township filter for every page; call only from a widget callback (before the widgets are drawn)."""
    st.session_state[TOWNSHIP] = name
