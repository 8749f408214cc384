"""总览: what a leader asks first; with ?mode=screen, the same panels on a dark wall layout that refreshes itself."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, links, screen, session, sources, tables
from components.db import current_data_version, current_lifecycle_version, settings
from components.filters import Filters
from components.session import current_principal
from supervision.core import campaign
from supervision.core.clock import today_local
from supervision.core.frames import findings_per_rule, utilisation_totals
from supervision.core.principal import Principal
from supervision.core.safety import md_escape
from supervision.core.spec import TABLES_BY_KEY
from supervision.reporting import charts
from supervision.reporting.charts import Look

principal = current_principal()
wall = screen.read()
cfg = settings()

# The checks read these tables; a figure of findings names them all as its sources.
FINDING_SOURCES = ("quotas", "monthly_reports", "invoices", "traceability", "resource_tax", "licenses", "customs",
                   "environment", "self_checks", "township_reports", "tipoffs")
TIPOFF_COLUMNS = {"received_on": "受理日期", "township": "镇区", "subject_name": "被举报对象", "summary": "线索摘要",
                  "status": "办理状态", "feedback_due": "反馈期限"}
PENALTY_COLUMNS = {"decided_on": "决定日期", "name": "企业", "township": "镇区", "measure": "处罚措施",
                   "fine_yuan": "罚款（元）", "blacklisted_until": "黑名单截止"}

# Under each KPI card, the page that lists what it counts (same order as the cards).
KPI_PAGES = (("app_pages/map.py", "企业分布"), ("app_pages/quota.py", "指标执行明细"),
             ("app_pages/progress.py", "整顿进度"), ("app_pages/findings.py", "问题清单"),
             ("app_pages/progress.py", "报送红黄绿灯"), ("app_pages/findings.py", "处罚与黑名单"))


def kpis(version: int, f: Filters) -> None:
    """The numbers in one row: enterprises, quota used, campaign phase, overdue items, blacklist."""
    counts = data.enterprise_counts(version, principal, f.township, f.category)
    quota = data.quota_by_enterprise(version, principal, f.year, f.as_of, f.township, f.category)
    used, total = utilisation_totals(quota)
    pos = campaign.position(cfg, f.year, f.as_of)
    lights = data.overdue_lights(version, principal, f.year, f.as_of, f.township, f.category)
    red = int((lights["status"] == campaign.MISSING).sum())
    listed = data.blacklist(version, principal, f.as_of, f.township, f.category)
    found = data.findings(version, principal, f.year, f.as_of, f.township, f.category)
    violations = int((found["severity"] == "违规").sum())
    life = data.finding_counts(current_lifecycle_version(), principal, f.year, today_local(), f.township)
    by_category = counts.groupby("category", sort=False)["n"].sum()
    cols = st.columns(6)
    cols[0].metric("稀土企业（家）", int(counts["n"].sum()),
                   help="；".join(f"{md_escape(c)}{int(n)}家" for c, n in by_category.items()))
    cols[1].metric("冶炼分离指标使用率", f"{float(used / total) * 100:.1f}%" if total else "无指标",
                   help=md_escape(f"{f.year}年{f.months}产量 {float(used):,.3f} 吨 / 全年指标 {float(total):,.3f} 吨"))
    next_text = f"距{pos.next_step.name}{pos.days_to_next}天" if pos.next_step is not None else "无待办节点"
    cols[2].metric("整顿阶段", md_escape(pos.phase), md_escape(next_text), delta_color="off", delta_arrow="off")
    if int(life["found"].sum()):
        # The lifecycle's own count: what the checks found and nobody has closed yet.
        cols[3].metric("未销号问题（条）", int(life["open"].sum()),
                       f"逾期{int(life['overdue'].sum())}条" if int(life["overdue"].sum()) else None,
                       delta_color="inverse", delta_arrow="off",
                       help=f"问题台账：发现{int(life['found'].sum())}条，已销号"
                            f"{int(life['closed'].sum() + life['dismissed'].sum())}条；"
                            f"本次检查（截至{f.as_of:%Y-%m-%d}）违规{violations}条，预警{len(found) - violations}条")
    else:
        cols[3].metric("未销号问题（条）", len(found), help=f"违规{violations}条，预警{len(found) - violations}条"
                       f"（{f.year}年数据按截至{f.as_of:%Y-%m-%d}检查）")
    cols[4].metric("红灯事项（镇区×事项）", red, help="逾期未交的企业自查、镇区汇总、月报与超期未反馈的举报线索")
    cols[5].metric("黑名单企业（家）", len(listed), help=f"截至{f.as_of:%Y-%m-%d}仍在黑名单期内")
    kpi_tables = ("enterprises",) + FINDING_SOURCES + ("inspection_scores", "penalties")
    as_of = data.data_as_of(version, principal, kpi_tables, f.year, f.township, f.as_of)
    names = "、".join(TABLES_BY_KEY[t].name for t in kpi_tables)
    st.caption(f"上列指标数据来源：{md_escape(names)}；整顿时间表：config.toml"
               f"　｜　数据截至：{md_escape(as_of or '暂无数据')}")


@figures.cached
def fig_enterprises(version: int, f: Filters, look: Look) -> charts.go.Figure:
    counts = data.enterprise_counts(version, principal, f.township, f.category)
    c = sources.caption(version, principal, f, "各镇（区）稀土企业数量（按类别）", ("enterprises",))
    return charts.enterprises_by_township(counts, c, look)


@figures.cached
def fig_quota(version: int, f: Filters, look: Look) -> charts.go.Figure:
    quota = data.quota_by_enterprise(version, principal, f.year, f.as_of, f.township, f.category)
    used, total = utilisation_totals(quota)
    national = data.national_quota(f.year)
    context, extra = None, None
    if national is not None and national.smelting_t and total:
        context = (f"全国{f.year}年冶炼分离指标 {float(national.smelting_t):,.0f} 吨，"
                   f"本{'镇区' if f.township else '市'}占 {float(total / national.smelting_t) * 100:.2f}%")
        extra = "全国总量控制指标（工信部公开数据，见下方来源）"
    c = sources.caption(version, principal, f, f"{f.year}年冶炼分离指标使用情况（{f.months}产量）",
                        ("quotas", "monthly_reports"), extra)
    return charts.quota_gauge(used, total, c, look, warning=cfg.tolerances.quota_warning, context=context)


@figures.cached
def fig_findings(version: int, f: Filters, look: Look) -> charts.go.Figure:
    found = data.findings(version, principal, f.year, f.as_of, f.township, f.category)
    c = sources.caption(version, principal, f, f"未销号问题（按规则、严重程度，截至{f.as_of:%Y-%m-%d}）",
                        FINDING_SOURCES)
    return charts.severity_bars(findings_per_rule(found), c, look)


@figures.cached
def fig_lights(version: int, f: Filters, look: Look) -> charts.go.Figure:
    lights = data.overdue_lights(version, principal, f.year, f.as_of, f.township, f.category)
    c = sources.caption(version, principal, f, f"逾期事项红黄绿灯（截至{f.as_of:%Y-%m-%d}）",
                        ("self_checks", "township_reports", "inspection_scores", "monthly_reports", "tipoffs"))
    return charts.status_grid(lights, c, look)


@figures.cached
def fig_tipoffs(version: int, f: Filters, look: Look) -> charts.go.Figure:
    tips = data.tipoffs(version, principal, f.year, f.as_of, f.township).head(6)
    c = sources.caption(version, principal, f, "最新举报线索", ("tipoffs",))
    return charts.table_figure(tips, TIPOFF_COLUMNS, c, look)


@figures.cached
def fig_penalties(version: int, f: Filters, look: Look) -> charts.go.Figure:
    pens = data.penalties(version, principal, f.year, f.as_of, f.township, f.category).head(6)
    c = sources.caption(version, principal, f, "最新行政处罚", ("penalties",))
    return charts.table_figure(pens, PENALTY_COLUMNS, c, look)


def fig_lifecycle(version: int, f: Filters, look: Look) -> charts.go.Figure:
    """Open, overdue and closed findings per township; kept per lifecycle version (a transition redraws it)."""
    lv = current_lifecycle_version()
    today = today_local()

    def build() -> charts.go.Figure:
        counts = data.finding_counts(lv, principal, f.year, today, f.township)
        c = sources.caption(version, principal, f, f"{f.year}年问题整改情况（按整改责任单位，{today:%m月%d日}）",
                            FINDING_SOURCES)
        return charts.lifecycle_by_township(counts, c, look)

    return figures.memo(("lifecycle", lv, version, principal, f, look, today), build)


def fig_burndown(version: int, f: Filters, look: Look) -> charts.go.Figure:
    """Open findings at each week's end since the inspection began, with the week's closures."""
    lv = current_lifecycle_version()
    today = today_local()
    start = cfg.calendar.for_year(f.year)["inspection_start"]
    end = max(start, min(today, f.as_of))

    def build() -> charts.go.Figure:
        weeks = data.finding_burndown(lv, principal, f.year, start, end, f.township)
        c = sources.caption(version, principal, f, f"{f.year}年问题销号进度（每周末未销号数与本周销号数）",
                            FINDING_SOURCES)
        return charts.burndown(weeks, c, look)

    return figures.memo(("burndown", lv, version, principal, f, look, start, end), build)


@figures.cached
def fig_timeline(version: int, f: Filters, look: Look) -> charts.go.Figure:
    points = data.campaign_timeline(version, principal, f.year, f.as_of, f.township, f.category)
    title = f"整顿进程：每周末的未销号问题与红灯事项（{f.year}年，至{f.as_of:%m-%d}）"
    c = sources.caption(version, principal, f, title, FINDING_SOURCES + ("inspection_scores",))
    return charts.campaign_timeline(points, c, look, campaign.steps(cfg, f.year))


def national_context(f: Filters) -> str | None:
    national = data.national_quota(f.year)
    if national is None or not national.smelting_t:
        return None
    return (f"全国{f.year}年稀土冶炼分离总量控制指标 {float(national.smelting_t):,.0f} 吨、开采指标 "
            f"{float(national.mining_t or 0):,.0f} 吨（折REO）。来源：{national.source}")


def normal_page(version: int, f: Filters, who: Principal) -> None:
    st.title("稀土行业秩序整顿 · 总览")
    st.caption(md_escape(f.describe()))
    if data.holds_demo_data(version):
        st.warning("当前为演示数据：企业名称、代码和数字均为虚构，仅用于演示。", icon=":material/info:")
    kpis(version, f)
    links.under_cards(KPI_PAGES)
    left, right = st.columns([3, 2])
    with left:
        fig = fig_enterprises(version, f, Look(height=400, footnote_chars=70))
        downloads.show_chart(fig, key="overview_enterprises")
    with right:
        fig = fig_quota(version, f, Look(height=400, footnote_chars=45))
        downloads.show_chart(fig, key="overview_quota")
    context = national_context(f)
    if context:
        right.caption(md_escape(context))
    left, right = st.columns([2, 3])
    with left:
        fig = fig_findings(version, f, Look(height=420, footnote_chars=50))
        downloads.show_chart(fig, key="overview_findings")
    with right:
        fig = fig_lights(version, f, Look(height=420, footnote_chars=75))
        downloads.show_chart(fig, key="overview_lights")
    left, right = st.columns(2)
    with left:
        downloads.show_chart(fig_lifecycle(version, f, Look(height=420, footnote_chars=60)), key="overview_lifecycle")
    with right:
        downloads.show_chart(fig_burndown(version, f, Look(height=420, footnote_chars=60)), key="overview_burndown")
    left, right = st.columns(2)
    with left:
        st.subheader("最新举报线索")
        tips = data.tipoffs(version, principal, f.year, f.as_of, f.township)
        source = sources.caption(version, principal, f, "", ("tipoffs",)).footnote
        tables.show(tips.head(10), TIPOFF_COLUMNS | {"overdue": "反馈超期"}, key="overview_tipoffs", source=source)
        downloads.table(tips, TIPOFF_COLUMNS | {"overdue": "反馈超期"}, key="overview_tipoffs_xlsx",
                        title=f"{f.year}年举报线索", source=source, scope=f.describe())
    with right:
        st.subheader("最新行政处罚")
        pens = data.penalties(version, principal, f.year, f.as_of, f.township, f.category)
        source = sources.caption(version, principal, f, "", ("penalties",)).footnote
        tables.show(pens.head(10), PENALTY_COLUMNS, key="overview_penalties", source=source)
        downloads.table(pens, PENALTY_COLUMNS, key="overview_penalties_xlsx", title=f"{f.year}年行政处罚",
                        source=source, scope=f.describe())
    st.subheader("整顿进程")
    # On request: the first look checks every week's end of the year (seconds at demo scale, see README), and the
    # panels above must not wait for it. Kept per data version, so later visits and the wall get it at once.
    if st.toggle("显示整顿进程（按周回看：每个周末的未销号问题、违规和红灯事项）", key="timeline",
                 bind="query-params"):
        with st.spinner("正在逐周回看核查结果…"):
            fig = fig_timeline(version, f, Look(height=380, footnote_chars=120))
        downloads.show_chart(fig, key="overview_timeline")
        st.caption("每个周末按当日的截至口径重新核查（只计当日已发生、已报送的数据）：当月月报在月末后才计入，"
                   "而发票等按日计入，故月中的数字可能起伏。")
    with st.expander(f"各类数据{f.year}年的行数、截至日期与最近导入"):
        freshness = data.table_freshness(version, who, f.year, f.township, f.as_of)
        tables.show(freshness, {"name": "数据表", "table": "英文表名", "rows": "行数", "as_of": "数据截至",
                                "imported_at": "最近导入"}, key="overview_freshness")


# Panel groups for the wall; with ?carousel=N each group is shown for N seconds in turn.
PANELS = (
    (("enterprises", fig_enterprises), ("quota", fig_quota), ("findings", fig_findings)),
    (("lights", fig_lights), ("tipoffs", fig_tipoffs), ("penalties", fig_penalties)),
    (("lifecycle", fig_lifecycle), ("burndown", fig_burndown)),
)
# Shown in turn with the others on a carousel wall; a wall showing every group at once has no row to spare.
CAROUSEL_PANELS = PANELS + ((("timeline", fig_timeline),),)


@st.fragment(run_every=wall.run_every if wall.on else None)
def wall_page() -> None:
    """The wall layout: re-reads the data version on every refresh, so an import shows at the next tick."""
    session.guard_refresh()
    version = current_data_version()
    f = filters.current(version, principal)
    head, stamp = st.columns([3, 2])
    pos = campaign.position(cfg, f.year, f.as_of)
    # The same heading as the normal overview: a wall is the overview, laid out for the wall.
    head.title("稀土行业秩序整顿 · 总览")
    deadline = (f"距{pos.next_step.name}（{pos.next_step.end:%m月%d日}）还有{pos.days_to_next}天"
                if pos.next_step is not None else "本年度节点均已过")
    stamp.markdown(f"**{md_escape(cfg.jurisdiction.name)} · {f.year}年 · {md_escape(pos.phase)}** · "
                   f"{md_escape(deadline)}")
    stamp.caption(md_escape(screen.updated_text(data.data_changed_at(version))))
    kpis(version, f)
    if wall.carousel_s:
        groups = [CAROUSEL_PANELS[wall.carousel_index(len(CAROUSEL_PANELS))]]
    else:
        groups = list(PANELS)
    for group in groups:
        cols = st.columns(len(group))
        height = 400 if len(groups) > 1 else 760
        for col, (name, build) in zip(cols, group, strict=True):
            col.plotly_chart(build(version, f, wall.look(height, len(group))), key=f"wall_{name}", theme=None)


if wall.on:
    wall_page()
else:
    version = current_data_version()
    normal_page(version, filters.current(version, principal), principal)
