"""总览: what a leader asks first; with ?mode=screen, the same panels on a dark wall layout that refreshes itself."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, filters, links, panels, screen, sources, tables
from components.db import current_data_version, settings
from components.filters import Filters
from components.session import current_principal
from supervision.core.principal import Principal
from supervision.core.safety import md_escape
from supervision.reporting.charts import Look

principal = current_principal()
wall = screen.read()
cfg = settings()

# Under each KPI card, the page that lists what it counts (same order as the cards).
KPI_PAGES = (("app_pages/map.py", "企业分布"), ("app_pages/quota.py", "指标执行明细"),
             ("app_pages/progress.py", "整顿进度"), ("app_pages/findings.py", "问题清单"),
             ("app_pages/progress.py", "报送红黄绿灯"), ("app_pages/findings.py", "处罚与黑名单"))


def kpis(version: int, f: Filters) -> None:
    """The numbers in one row: enterprises, quota used, campaign phase, open findings, red lights, blacklist."""
    for col, m in zip(st.columns(6), panels.kpis(version, f), strict=True):
        detail = md_escape(m.help) if m.help else None
        if m.note:
            col.metric(md_escape(m.label), md_escape(m.value), md_escape(m.note),
                       delta_color="inverse" if m.note_color == "inverse" else "off", delta_arrow="off", help=detail)
        else:
            col.metric(md_escape(m.label), md_escape(m.value), help=detail)
    st.caption(md_escape(panels.kpi_source(version, f)))


def normal_page(version: int, f: Filters, who: Principal) -> None:
    st.title("稀土行业秩序整顿 · 总览")
    st.caption(md_escape(f.describe()))
    if data.holds_demo_data(version):
        st.warning("当前为演示数据：企业名称、代码和数字均为虚构，仅用于演示。", icon=":material/info:")
    kpis(version, f)
    links.under_cards(KPI_PAGES, f)
    left, right = st.columns([3, 2])
    with left:
        fig = panels.fig_enterprises(version, f, Look(height=400, footnote_chars=70))
        downloads.show_chart(fig, key="overview_enterprises")
    with right:
        fig = panels.fig_quota(version, f, Look(height=400, footnote_chars=45))
        downloads.show_chart(fig, key="overview_quota")
    context = panels.national_context(f)
    if context:
        right.caption(md_escape(context))
    left, right = st.columns([2, 3])
    with left:
        fig = panels.fig_findings(version, f, Look(height=420, footnote_chars=50))
        downloads.show_chart(fig, key="overview_findings")
    with right:
        fig = panels.fig_lights(version, f, Look(height=420, footnote_chars=75))
        downloads.show_chart(fig, key="overview_lights")
    left, right = st.columns(2)
    with left:
        downloads.show_chart(panels.fig_lifecycle(version, f, Look(height=420, footnote_chars=60)),
                             key="overview_lifecycle")
    with right:
        downloads.show_chart(panels.fig_burndown(version, f, Look(height=420, footnote_chars=60)),
                             key="overview_burndown")
    left, right = st.columns(2)
    with left:
        st.subheader("最新举报线索")
        tips = data.tipoffs(version, principal, f.year, f.as_of, f.township)
        source = sources.caption(version, principal, f, "", ("tipoffs",)).footnote
        tables.show(tips.head(10), panels.TIPOFF_COLUMNS | {"overdue": "反馈超期"}, key="overview_tipoffs",
                    source=source)
        downloads.table(tips, panels.TIPOFF_COLUMNS | {"overdue": "反馈超期"}, key="overview_tipoffs_xlsx",
                        title=f"{f.year}年举报线索", source=source, scope=f.describe())
    with right:
        st.subheader("最新行政处罚")
        pens = data.penalties(version, principal, f.year, f.as_of, f.township, f.category)
        source = sources.caption(version, principal, f, "", ("penalties",)).footnote
        tables.show(pens.head(10), panels.PENALTY_COLUMNS, key="overview_penalties", source=source)
        downloads.table(pens, panels.PENALTY_COLUMNS, key="overview_penalties_xlsx", title=f"{f.year}年行政处罚",
                        source=source, scope=f.describe())
    st.subheader("整顿进程")
    # On request: the first look checks every week's end of the year (seconds at demo scale, see README), and the
    # panels above must not wait for it. Kept per data version, so later visits and the wall get it at once.
    if st.toggle("显示整顿进程（按周回看：每个周末的未销号问题、违规和红灯事项）", key="timeline",
                 bind="query-params"):
        with st.spinner("正在逐周回看核查结果…"):
            fig = panels.fig_timeline(version, f, Look(height=380, footnote_chars=120))
        downloads.show_chart(fig, key="overview_timeline")
        st.caption("每个周末按当日的截至口径重新核查（只计当日已发生、已报送的数据）：当月月报在月末后才计入，"
                   "而发票等按日计入，故月中的数字可能起伏。")
    with st.expander(f"各类数据{f.year}年的行数、截至日期与最近导入"):
        freshness = data.table_freshness(version, who, f.year, f.township, f.as_of)
        tables.show(freshness, {"name": "数据表", "table": "英文表名", "rows": "行数", "as_of": "数据截至",
                                "imported_at": "最近导入"}, key="overview_freshness")


if wall.on:
    screen.show(wall, default=screen.OVERVIEW_DEFAULT)
else:
    version = current_data_version()
    normal_page(version, filters.current(version, principal), principal)
