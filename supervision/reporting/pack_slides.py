"""The meeting pack's content: slides with a title, a figure or a table, and speaker notes.

`build_slides()` turns the principal-scoped `Facts` (supervision.reporting.facts) into a `MeetingPack`:
each slide has a title, a figure (supervision.reporting.charts, the same pure builders the pages draw
with) or a table or key figures, and speaker notes that state the figures in sentences. Laying the
slides out is `pack_pptx` and `pack_pdf`; `pack` collects and renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from supervision.core.clock import now_local
from supervision.core.frames import present
from supervision.read import flows
from supervision.reporting import charts, flow_chart
from supervision.reporting.charts import Caption, Look
from supervision.reporting.facts import (
    FINDING_SOURCES,
    FLOW_SOURCES,
    PROGRESS_SOURCES,
    QUOTA_SOURCES,
    SCORE_SOURCES,
    Facts,
    sources_text,
)

# Slide geometry (16:9, PowerPoint's widescreen size) and the charts' size on a slide in CSS pixels.
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
FIG_W_PX, FIG_H_PX = 1240, 600
FIG_LEFT_IN, FIG_TOP_IN = 0.45, 1.2
FIG_W_IN = SLIDE_W_IN - 2 * FIG_LEFT_IN
SLIDE_LOOK = Look(height=FIG_H_PX, scale=1.15, footnote_chars=120)
PNG_SCALE = 2.0
TABLE_ROWS = 10


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # under the table: its source, and what was left off


@dataclass(frozen=True)
class Slide:
    title: str
    notes: str
    figure: go.Figure | None = None
    table: Table | None = None
    kpis: tuple[Kpi, ...] = ()
    lines: tuple[str, ...] = ()  # plain paragraphs (title slide, data sources)
    footnote: str = ""


@dataclass(frozen=True)
class MeetingPack:
    title: str
    subtitle: str
    scope: str
    year: int
    as_of: dt.date
    generated_at: dt.datetime
    demo: bool
    slides: tuple[Slide, ...] = field(default_factory=tuple)

    @property
    def file_stem(self) -> str:
        return f"{self.scope}稀土整顿会议材料_{self.year}年_截至{self.as_of:%Y-%m-%d}"


# ---- wording ------------------------------------------------------------------------------

def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def tonnes(value: Decimal | None) -> str:
    return "—" if value is None else f"{float(value):,.1f}吨"


def _date(value: Any) -> str:
    value = present(value)
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def _names(frame: pd.DataFrame, column: str = "name", limit: int = 5) -> str:
    names = [str(n) for n in frame[column].tolist() if present(n) is not None]
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}家" if len(names) > limit else "")


# ---- the slides ---------------------------------------------------------------------------


def build_slides(f: Facts, geojson: dict[str, Any], *, schematic: bool = True,
                 now: dt.datetime | None = None) -> MeetingPack:
    """Facts → slides (pure)."""
    now = now or now_local()
    slides = [
        _title_slide(f, now),
        _kpi_slide(f),
        _map_slide(f, geojson, schematic),
        _quota_slide(f),
        _progress_slide(f),
        _scoring_slide(f),
        _findings_slide(f),
        _ranking_slide(f),
        _overdue_slide(f),
        _flow_slide(f),
        _sources_slide(f),
    ]
    return MeetingPack(
        title=f"{f.scope}稀土行业秩序整顿工作情况",
        subtitle=f"{f.year}年度 · 数据截至{f.as_of:%Y年%m月%d日}",
        scope=f.scope, year=f.year, as_of=f.as_of, generated_at=now, demo=f.demo, slides=tuple(slides),
    )


def _caption(f: Facts, title: str, tables: tuple[str, ...]) -> Caption:
    return Caption(title, sources_text(tables), f.data_as_of(tables))


def _title_slide(f: Facts, now: dt.datetime) -> Slide:
    lines = [f"{f.year}年度 · 数据截至{f.as_of:%Y年%m月%d日}",
             f"整顿阶段：{f.position.phase}" + (f"；{f.position.countdown()}" if f.position.next_step else ""),
             f"生成时间：{now:%Y-%m-%d %H:%M}　来源：稀土整顿监管平台"]
    if f.demo:
        lines.append("注意：当前为演示数据，企业名称、代码和数字均为虚构，仅用于演示。")
    notes = (f"本材料汇报{f.scope}{f.year}年稀土行业秩序整顿工作情况，数据截至{f.as_of:%Y年%m月%d日}。"
             f"目前整顿处于“{f.position.phase}”阶段。"
             + (f"下一个节点是{f.position.next_step.name}，截止{f.position.next_step.end:%m月%d日}，"
                + ("就是今天。" if f.position.days_to_next == 0 else f"还有{f.position.days_to_next}天。")
                if f.position.next_step else "本年度各节点均已过。"))
    return Slide(title=f"{f.scope}稀土行业秩序整顿工作情况", notes=notes, lines=tuple(lines))


def _kpi_slide(f: Facts) -> Slide:
    cats = f.by_category()
    util = f.utilisation
    listed = len(f.blacklist)
    kpis = (
        Kpi("稀土企业", f"{f.enterprises}家", "，".join(f"{c}{n}家" for c, n in cats.items() if n)),
        Kpi("冶炼分离指标使用率", pct(util) if f.quota_total else "无指标",
            f"{f.months}产量{tonnes(f.quota_used)} / 指标{tonnes(f.quota_total)}" if f.quota_total else ""),
        Kpi("整顿阶段", f.position.phase,
            f"距{f.position.next_step.name}{f.position.days_to_next}天" if f.position.next_step else "无待办节点"),
        Kpi("未销号问题", f"{len(f.findings)}条", f"违规{f.violations}条，预警{f.warnings}条"),
        Kpi("红灯事项（镇区×事项）", f"{f.red_lights}项", "逾期未交的自查、汇总、月报与超期未反馈的线索"),
        Kpi("黑名单企业", f"{listed}家", f"截至{f.as_of:%Y-%m-%d}仍在黑名单期内"),
    )
    sentences = [f"{f.scope}共有稀土企业{f.enterprises}家，其中"
                 + "，".join(f"{c}{n}家" for c, n in cats.items() if n) + "。" if f.enterprises
                 else f"{f.scope}目前没有登记的稀土企业。"]
    if f.quota_total:
        sentences.append(f"{f.year}年持冶炼分离指标企业合计指标{tonnes(f.quota_total)}，{f.months}已生产{tonnes(f.quota_used)}，"
                         f"指标使用率{pct(util)}。")
    else:
        sentences.append(f"{f.year}年{f.scope}没有下达冶炼分离指标的企业。")
    sentences.append(f"截至{f.as_of:%m月%d日}，系统核查发现未销号问题{len(f.findings)}条，其中违规{f.violations}条、"
                     f"预警{f.warnings}条；红灯事项{f.red_lights}项；在黑名单期内的企业{listed}家。")
    if f.lifecycle_line:
        sentences.append(f"问题整改（问题台账）：{f.lifecycle_line}。")
    tables = ("enterprises",) + FINDING_SOURCES + SCORE_SOURCES + ("penalties",)
    return Slide(title="关键指标", notes="".join(sentences), kpis=kpis,
                 footnote=f"数据来源：{sources_text(tables)}　｜　数据截至：{f.data_as_of(tables) or '暂无数据'}")


def _map_slide(f: Facts, geojson: dict[str, Any], schematic: bool) -> Slide:
    tables = FINDING_SOURCES + ("enterprises",)
    caption = _caption(f, f"{f.year}年各镇（区）未销号问题与企业分布", tables)
    figure = charts.township_map(geojson, f.measures, "open_findings", f.points, caption, SLIDE_LOOK,
                                 selected=f.township, schematic=schematic)
    shown = f.measures[[t in f.towns for t in f.measures["township"]]]
    parts = [f"{r.township}企业{int(r.enterprises or 0)}家、未销号问题{int(r.open_findings or 0)}条"
             for r in shown.itertuples()]
    worst = shown.sort_values("open_findings", ascending=False).head(1)
    notes = "地图按未销号问题条数为各镇（区）着色，点位为企业（形状表示生产状态）。" + "；".join(parts) + "。"
    if not f.township and not worst.empty and int(worst.iloc[0]["open_findings"] or 0) > 0:
        notes += f"问题最多的是{worst.iloc[0]['township']}，共{int(worst.iloc[0]['open_findings'])}条。"
    if schematic:
        notes += "镇区边界为示意，不作为行政区划依据。"
    return Slide(title="镇区分布", notes=notes, figure=figure)


def _quota_slide(f: Facts) -> Slide:
    caption = _caption(f, f"{f.year}年各企业冶炼分离指标使用率（{f.months}产量）", QUOTA_SOURCES)
    figure = charts.quota_utilisation(f.quota, caption, SLIDE_LOOK, warning=f.quota_warning)
    held = f.quota_holders()
    over, near = f.over_plan(), f.near_limit()
    if held.empty:
        notes = f"{f.year}年{f.scope}没有下达冶炼分离指标的企业。"
    else:
        notes = (f"{f.year}年{f.scope}共有{len(held)}家企业持有冶炼分离指标，合计{tonnes(f.quota_total)}；"
                 f"{f.months}已报产量{tonnes(f.quota_used)}，使用率{pct(f.utilisation)}。")
        if f.national is not None and f.national.smelting_t and not f.township:
            notes += (f"全国{f.year}年冶炼分离指标{float(f.national.smelting_t):,.0f}吨，"
                      f"本市占{pct(float(f.quota_total / f.national.smelting_t), 2)}。")
        notes += (f"超计划生产（使用率超过100%）的企业{len(over)}家" + (f"：{_names(over)}" if len(over) else "")
                  + f"；达到{pct(float(f.quota_warning), 0)}预警线的企业{len(near)}家"
                  + (f"：{_names(near)}" if len(near) else "") + "。")
    return Slide(title="配额执行", notes=notes, figure=figure)


def _progress_slide(f: Facts) -> Slide:
    caption = _caption(f, f"逾期事项红黄绿灯（截至{f.as_of:%Y-%m-%d}）", PROGRESS_SOURCES)
    figure = charts.status_grid(f.lights, caption, SLIDE_LOOK)
    counts = f.self_check_counts()
    due = len(f.self_checks)
    reports = f.township_reports
    submitted_reports = int(sum(1 for s in reports["status"] if s in ("按时", "逾期提交")))
    notes = f"截至{f.as_of:%m月%d日}，整顿处于“{f.position.phase}”阶段。"
    if f.campaign_year:
        notes += (f"应报送自查表（附件1）的企业{due}家，已报送{f.self_checks_submitted()}家"
                  + (f"，逾期未交{counts.get('逾期未交', 0)}家" if counts.get("逾期未交") else "") + "；"
                  f"应报送汇总表（附件3）的镇（区）{len(reports)}个，已报送{submitted_reports}个"
                  + (f"，逾期未交{int((reports['status'] == '逾期未交').sum())}个"
                     if (reports["status"] == "逾期未交").any() else "") + "。")
    else:
        notes += f"{f.year}年不是整顿年度，自查表和汇总表不作逾期判断。"
    missing = f.missing_monthly()
    notes += (f"月报缺报的企业{len(missing)}家，共缺{int(missing['missing'].sum())}份；" if len(missing)
              else "没有缺报月报的企业；")
    late_tips = f.overdue_tipoffs()
    notes += f"本年受理举报线索{len(f.tipoffs)}条，反馈超期{len(late_tips)}条。"
    notes += f"图中红灯共{f.red_lights}项。"
    return Slide(title="工作进度", notes=notes, figure=figure)


def _scoring_slide(f: Facts) -> Slide:
    caption = _caption(f, f"{f.year}年各镇（区）督查总分排名", SCORE_SOURCES)
    figure = charts.score_ranking(f.score_totals, caption, SLIDE_LOOK)
    totals = f.score_totals
    if totals.empty:
        notes = f"{f.year}年{f.scope}尚无督查评分。"
    else:
        ranked = "；".join(f"第{i}名{r.township}{float(r.total):.2f}分（满分{float(r.max_total):.0f}）"
                          for i, r in enumerate(totals.itertuples(), start=1))
        notes = f"{f.year}年专项督查评分：{ranked}。"
        deductions = f.scores[f.scores["deduction"] > 0]
        if not deductions.empty:
            notes += f"共有{len(deductions)}项扣分，合计扣{float(sum(deductions['deduction'])):g}分。"
    return Slide(title="督查评分排名", notes=notes, figure=figure)


def _findings_slide(f: Facts) -> Slide:
    caption = _caption(f, f"未销号问题（按规则、严重程度，截至{f.as_of:%Y-%m-%d}）", FINDING_SOURCES)
    per_rule = f.findings_by_rule()
    figure = charts.severity_bars(per_rule, caption, SLIDE_LOOK)
    if per_rule.empty:
        notes = f"截至{f.as_of:%m月%d日}，系统核查未发现问题。"
    else:
        ordered = per_rule.sort_values("n", ascending=False, kind="stable").head(3)
        top = "、".join(f"{r.rule}{r.rule_name}{int(r.n)}条" for r in ordered.itertuples())
        notes = (f"截至{f.as_of:%m月%d日}，按数据交换规范第4节的规则核查，发现问题{len(f.findings)}条，"
                 f"其中违规{f.violations}条、预警{f.warnings}条，涉及{per_rule['rule'].nunique()}条规则。"
                 f"最多的是{top}。")
    return Slide(title="主要问题", notes=notes, figure=figure)


def _ranking_slide(f: Facts) -> Slide:
    ranking = f.ranking.head(TABLE_ROWS)
    rows = tuple((str(int(r.rank)), str(r.name or ""), str(r.township or ""), str(r.category or ""),
                  f"{float(r.score):g}", str(int(r.violations)), str(int(r.warnings)), str(r.rules))
                 for r in ranking.itertuples())
    left_off = len(f.ranking) - len(ranking)
    note = (f"数据来源：{sources_text(FINDING_SOURCES)}　｜　数据截至：{f.data_as_of(FINDING_SOURCES) or '暂无数据'}"
            + (f"　｜　另有{left_off}家见平台“问题线索”页" if left_off > 0 else ""))
    table = Table(("排名", "企业", "镇区", "类别", "风险分", "违规", "预警", "涉及规则"), rows, note)
    if f.ranking.empty:
        notes = "本年度没有发现问题的企业，无需列出重点检查对象。"
    else:
        first = f.ranking.iloc[0]
        notes = (f"按风险分排序，共有{len(f.ranking)}家企业发现问题。排名第一的是{first['township']}的{first['name']}，"
                 f"风险分{float(first['score']):g}，违规{int(first['violations'])}条、预警{int(first['warnings'])}条，"
                 f"涉及{first['rules']}。建议将前{min(3, len(f.ranking))}家列为优先检查对象。")
    return Slide(title="重点企业（风险排名）", notes=notes, table=table)


def _overdue_slide(f: Facts) -> Slide:
    items = f.overdue_items()
    shown = items.head(TABLE_ROWS)
    rows = tuple((str(r.kind), str(r.subject), str(r.township or ""), _date(r.due), str(r.state))
                 for r in shown.itertuples())
    left_off = len(items) - len(shown)
    note = (f"数据来源：{sources_text(PROGRESS_SOURCES)}　｜　数据截至：{f.data_as_of(PROGRESS_SOURCES) or '暂无数据'}"
            + (f"　｜　另有{left_off}项见平台“工作进度”“问题线索”页" if left_off > 0 else ""))
    table = Table(("事项", "对象", "镇区", "截止日期", "情况"), rows, note)
    if items.empty:
        notes = f"截至{f.as_of:%m月%d日}，没有逾期事项。"
    else:
        kinds = items["kind"].value_counts()
        notes = (f"截至{f.as_of:%m月%d日}，逾期事项共{len(items)}项："
                 + "，".join(f"{k}{int(n)}项" for k, n in kinds.items())
                 + "。请相关镇（区）和部门限期补报、反馈。")
    return Slide(title="逾期事项", notes=notes, table=table)


def _flow_slide(f: Facts) -> Slide:
    caption = _caption(f, f"{f.year}年{f.scope}稀土物料流向（折REO，月报{f.months}）", FLOW_SOURCES)
    flow = f.flow
    if flow is None or not flow.links:
        return Slide(title="物料流向", notes=f"{f.year}年{f.scope}截至{f.as_of:%m月%d日}尚无可核算的物料流向数据。",
                     figure=flow_chart.sankey(flows.Flow(f.year, f.as_of, (), ()), caption, SLIDE_LOOK))
    labels = {n.key: n.label for n in flow.nodes}
    largest = sorted((lk for lk in flow.links if lk.kind == flows.FLOW), key=lambda lk: -lk.tonnes)[:3]
    notes = (f"{f.year}年{f.scope}（月报{f.months}，发票、报关单和完税证明截至{f.as_of:%m月%d日}）"
             f"进入流向图的稀土合计{tonnes(flow.entering())}（折REO）。最大的流向是："
             + "；".join(f"{labels[lk.source]}到{labels[lk.target]}{tonnes(lk.tonnes)}" for lk in largest) + "。")
    gaps = flow.gaps()
    if gaps:
        notes += (f"账目对不上的差额共{len(gaps)}处，合计{tonnes(sum((g.tonnes for g in gaps), Decimal(0)))}，"
                  "最大的是：" + "；".join(
                      f"{labels[g.source]}到{labels[g.target]}{tonnes(g.tonnes)}" + (f"（{g.rule}）" if g.rule else "")
                      for g in gaps[:3]) + "。这些差额对应的问题见“主要问题”页。")
    else:
        notes += "各企业的采购、产量、销售和库存都能对上，没有无来源或去向不明的差额。"
    return Slide(title="物料流向", notes=notes, figure=flow_chart.sankey(flow, caption, SLIDE_LOOK))


def _sources_slide(f: Facts) -> Slide:
    fresh = f.freshness[f.freshness["rows"] > 0]
    rows = tuple((str(r.name), str(int(r.rows)), str(present(r.as_of) or "—"),
                  f"{r.imported_at:%Y-%m-%d %H:%M}" if present(r.imported_at) is not None else "—")
                 for r in fresh.itertuples())
    table = Table(("数据表", f"{f.year}年行数", "数据截至", "最近导入"), rows,
                  "各表由对应部门按数据交换规范报送；问题由平台按规范第4节规则（R01–R19、W01）自动核查，须经核实后处理。")
    notes = (f"本材料的数字均来自稀土整顿监管平台，按{f.as_of:%Y年%m月%d日}判断是否逾期。"
             f"共使用{len(fresh)}类数据。" + ("当前为演示数据，数字均为虚构。" if f.demo else ""))
    return Slide(title="数据来源与说明", notes=notes, table=table)
