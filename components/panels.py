"""The overview's figures and headline numbers, shared by the 总览 page and the wall screen (components/wall.py)."""

from __future__ import annotations

from dataclasses import dataclass

from components import data, figures, sources
from components.db import current_lifecycle_version, settings
from components.filters import Filters
from components.session import current_principal
from supervision.core import campaign
from supervision.core.clock import today_local
from supervision.core.frames import findings_per_rule, utilisation_totals
from supervision.core.spec import TABLES_BY_KEY
from supervision.reporting import charts
from supervision.reporting.charts import Look

# The checks read these tables; a figure of findings names them all as its sources.
FINDING_SOURCES = ("quotas", "monthly_reports", "invoices", "traceability", "resource_tax", "licenses", "customs",
                   "environment", "self_checks", "township_reports", "tipoffs")
LIGHT_SOURCES = ("self_checks", "township_reports", "inspection_scores", "monthly_reports", "tipoffs")
KPI_TABLES = ("enterprises",) + FINDING_SOURCES + ("inspection_scores", "penalties")
TIPOFF_COLUMNS = {"received_on": "受理日期", "township": "镇区", "subject_name": "被举报对象", "summary": "线索摘要",
                  "status": "办理状态", "feedback_due": "反馈期限"}
PENALTY_COLUMNS = {"decided_on": "决定日期", "name": "企业", "township": "镇区", "measure": "处罚措施",
                   "fine_yuan": "罚款（元）", "blacklisted_until": "黑名单截止"}
# Fewer columns on the wall: what can be read from across the room without cutting a cell.
WALL_TIPOFF_COLUMNS = {"received_on": "受理日期", "township": "镇区", "status": "办理状态"}
WALL_PENALTY_COLUMNS = {"decided_on": "决定日期", "township": "镇区", "measure": "处罚措施"}


@dataclass(frozen=True)
class Metric:
    """One headline number: label, value, an optional note under it, and the detail behind it (help)."""

    label: str
    value: str
    note: str | None = None
    help: str | None = None
    note_color: str = "off"  # "inverse": a note that counts something bad (e.g. overdue findings), in red


def kpis(version: int, f: Filters) -> list[Metric]:
    """The numbers in one row: enterprises, quota used, campaign phase, open findings, red lights, blacklist.

    Plain text: the caller escapes it for markdown (md_escape) where it draws it.
    """
    principal = current_principal()
    cfg = settings()
    counts = data.enterprise_counts(version, principal, f.township, f.category)
    used, total = utilisation_totals(data.quota_by_enterprise(version, principal, f.year, f.as_of, f.township,
                                                              f.category))
    pos = campaign.position(cfg, f.year, f.as_of)
    lights = data.overdue_lights(version, principal, f.year, f.as_of, f.township, f.category)
    red = int((lights["status"] == campaign.MISSING).sum())
    listed = data.blacklist(version, principal, f.as_of, f.township, f.category)
    found = data.findings(version, principal, f.year, f.as_of, f.township, f.category)
    violations = int((found["severity"] == "违规").sum())
    life = data.finding_counts(current_lifecycle_version(), principal, f.year, today_local(), f.township)
    by_category = counts.groupby("category", sort=False)["n"].sum()
    next_text = pos.countdown(short=True) if pos.next_step is not None else "无待办节点"
    if int(life["found"].sum()):
        # The lifecycle's own count: what the checks found and nobody has closed yet.
        overdue = int(life["overdue"].sum())
        closed = int(life["closed"].sum() + life["dismissed"].sum())
        open_findings = Metric(
            "未销号问题（条）", str(int(life["open"].sum())), f"逾期{overdue}条" if overdue else None,
            help=f"问题台账：发现{int(life['found'].sum())}条，已销号{closed}条；本次检查（截至{f.as_of:%Y-%m-%d}）"
                 f"违规{violations}条，预警{len(found) - violations}条",
            note_color="inverse")
    else:
        open_findings = Metric("未销号问题（条）", str(len(found)),
                               help=f"违规{violations}条，预警{len(found) - violations}条"
                                    f"（{f.year}年数据按截至{f.as_of:%Y-%m-%d}检查）")
    return [
        Metric("稀土企业（家）", str(int(counts["n"].sum())),
               help="；".join(f"{c}{int(n)}家" for c, n in by_category.items())),
        Metric("冶炼分离指标使用率", f"{float(used / total) * 100:.1f}%" if total else "无指标",
               help=f"{f.year}年{f.months}产量 {float(used):,.3f} 吨 / 全年指标 {float(total):,.3f} 吨"),
        Metric("整顿阶段", pos.phase, note=next_text),
        open_findings,
        Metric("红灯事项（镇区×事项）", str(red), help="逾期未交的企业自查、镇区汇总、月报与超期未反馈的举报线索"),
        Metric("黑名单企业（家）", str(len(listed)), help=f"截至{f.as_of:%Y-%m-%d}仍在黑名单期内"),
    ]


def kpi_source(version: int, f: Filters) -> str:
    """The office page's full source line under the numbers (plain text)."""
    as_of = data.data_as_of(version, current_principal(), KPI_TABLES, f.year, f.township, f.as_of)
    names = "、".join(TABLES_BY_KEY[t].name for t in KPI_TABLES)
    return f"上列指标数据来源：{names}；整顿时间表：config.toml　｜　数据截至：{as_of or '暂无数据'}"


def kpi_caption(version: int, f: Filters) -> charts.Caption:
    return sources.caption(version, current_principal(), f, "", KPI_TABLES)


@figures.cached
def fig_enterprises(version: int, f: Filters, look: Look) -> charts.go.Figure:
    counts = data.enterprise_counts(version, current_principal(), f.township, f.category)
    title = "各镇（区）稀土企业数" if look.wall else "各镇（区）稀土企业数量（按类别）"
    c = sources.caption(version, current_principal(), f, title, ("enterprises",))
    return charts.enterprises_by_township(counts, c, look)


@figures.cached
def fig_quota(version: int, f: Filters, look: Look) -> charts.go.Figure:
    principal = current_principal()
    quota = data.quota_by_enterprise(version, principal, f.year, f.as_of, f.township, f.category)
    used, total = utilisation_totals(quota)
    national = data.national_quota(f.year)
    context, extra = None, None
    if national is not None and national.smelting_t and total and not look.wall:
        context = (f"全国{f.year}年冶炼分离指标 {float(national.smelting_t):,.0f} 吨，"
                   f"本{'镇区' if f.township else '市'}占 {float(total / national.smelting_t) * 100:.2f}%")
        extra = "全国总量控制指标（工信部公开数据，见下方来源）"
    title = f"{f.year}年冶炼分离指标使用率" if look.wall else f"{f.year}年冶炼分离指标使用情况（{f.months}产量）"
    c = sources.caption(version, principal, f, title, ("quotas", "monthly_reports"), extra)
    return charts.quota_gauge(used, total, c, look, warning=settings().tolerances.quota_warning, context=context)


@figures.cached
def fig_findings(version: int, f: Filters, look: Look) -> charts.go.Figure:
    found = data.findings(version, current_principal(), f.year, f.as_of, f.township, f.category)
    title = "未销号问题（按规则）" if look.wall else f"未销号问题（按规则、严重程度，截至{f.as_of:%Y-%m-%d}）"
    c = sources.caption(version, current_principal(), f, title, FINDING_SOURCES)
    return charts.severity_bars(findings_per_rule(found), c, look)


@figures.cached
def fig_lights(version: int, f: Filters, look: Look) -> charts.go.Figure:
    lights = data.overdue_lights(version, current_principal(), f.year, f.as_of, f.township, f.category)
    title = "逾期事项红黄绿灯" if look.wall else f"逾期事项红黄绿灯（截至{f.as_of:%Y-%m-%d}）"
    c = sources.caption(version, current_principal(), f, title, LIGHT_SOURCES)
    return charts.status_grid(lights, c, look)


@figures.cached
def fig_tipoffs(version: int, f: Filters, look: Look) -> charts.go.Figure:
    tips = data.tipoffs(version, current_principal(), f.year, f.as_of, f.township).head(6)
    c = sources.caption(version, current_principal(), f, "最新举报线索", ("tipoffs",))
    return charts.table_figure(tips, WALL_TIPOFF_COLUMNS if look.wall else TIPOFF_COLUMNS, c, look)


@figures.cached
def fig_penalties(version: int, f: Filters, look: Look) -> charts.go.Figure:
    pens = data.penalties(version, current_principal(), f.year, f.as_of, f.township, f.category).head(6)
    c = sources.caption(version, current_principal(), f, "最新行政处罚", ("penalties",))
    return charts.table_figure(pens, WALL_PENALTY_COLUMNS if look.wall else PENALTY_COLUMNS, c, look)


def national_context(f: Filters) -> str | None:
    national = data.national_quota(f.year)
    if national is None or not national.smelting_t:
        return None
    return (f"全国{f.year}年稀土冶炼分离总量控制指标 {float(national.smelting_t):,.0f} 吨、开采指标 "
            f"{float(national.mining_t or 0):,.0f} 吨（折REO）。来源：{national.source}")


def fig_lifecycle(version: int, f: Filters, look: Look) -> charts.go.Figure:
    """Open, overdue and closed findings per township; kept per lifecycle version (a transition redraws it)."""
    principal = current_principal()
    lv = current_lifecycle_version()
    today = today_local()

    def build() -> charts.go.Figure:
        counts = data.finding_counts(lv, principal, f.year, today, f.township)
        title = ("问题整改情况（按整改责任单位）" if look.wall
                 else f"{f.year}年问题整改情况（按整改责任单位，{today:%m月%d日}）")
        c = sources.caption(version, principal, f, title, FINDING_SOURCES)
        return charts.lifecycle_by_township(counts, c, look)

    return figures.memo(("lifecycle", lv, version, principal, f, look, today), build)


def fig_burndown(version: int, f: Filters, look: Look) -> charts.go.Figure:
    """Open findings at each week's end since the inspection began, with the week's closures."""
    principal = current_principal()
    lv = current_lifecycle_version()
    today = today_local()
    start = settings().calendar.for_year(f.year)["inspection_start"]
    end = max(start, min(today, f.as_of))

    def build() -> charts.go.Figure:
        weeks = data.finding_burndown(lv, principal, f.year, start, end, f.township)
        title = "问题销号进度（每周）" if look.wall else f"{f.year}年问题销号进度（每周末未销号数与本周销号数）"
        c = sources.caption(version, principal, f, title, FINDING_SOURCES)
        return charts.burndown(weeks, c, look)

    return figures.memo(("burndown", lv, version, principal, f, look, start, end), build)


@figures.cached
def fig_timeline(version: int, f: Filters, look: Look) -> charts.go.Figure:
    points = data.campaign_timeline(version, current_principal(), f.year, f.as_of, f.township, f.category)
    title = ("整顿进程：每周末的未销号问题与红灯事项" if look.wall
             else f"整顿进程：每周末的未销号问题与红灯事项（{f.year}年，至{f.as_of:%m-%d}）")
    c = sources.caption(version, current_principal(), f, title, FINDING_SOURCES + ("inspection_scores",))
    return charts.campaign_timeline(points, c, look, campaign.steps(settings(), f.year))
