"""The meeting pack (会议材料): 16:9 slides as .pptx with speaker notes, and the same slides as .pdf.

`collect()` turns the principal-scoped `Facts` into a `MeetingPack`: slides with a title, a
figure (supervision.reporting.charts, the same builders the pages draw with) or a table, and speaker
notes that state the figures in sentences. `build_pptx()` and `build_pdf()` lay the pack out;
`render()` renders every chart once (PNG for the .pptx, SVG for the .pdf) and builds both.

The figure builders live in components/charts.py; they are pure (plotly and pandas only),
so the command line can use them without Streamlit.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from supervision.core.clock import now_local
from supervision.core.config import Settings
from supervision.core.frames import present
from supervision.core.principal import Principal
from supervision.geo.boundaries import boundaries
from supervision.reporting import charts, images
from supervision.reporting.charts import Caption, Look
from supervision.reporting.facts import (
    FINDING_SOURCES,
    PROGRESS_SOURCES,
    QUOTA_SOURCES,
    SCORE_SOURCES,
    Facts,
    gather,
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
FONT = "Microsoft YaHei"  # what Chinese offices have; elsewhere the viewer substitutes its CJK font
NAVY, GREY_TEXT, RED_TEXT = "1F3864", "5F6368", "B3261E"

Progress = Callable[[float, str], None]


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

def collect(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
            township: str | None = None, *, now: dt.datetime | None = None) -> MeetingPack:
    """The pack's slides for `year` on `as_of`, in the principal's scope (see facts.gather)."""
    f = gather(engine, settings, principal, year, as_of, township)
    bounds = boundaries(settings)
    geojson = charts.choropleth_geojson(bounds.polygons)
    return build_slides(f, geojson, schematic=bounds.schematic, now=now)


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
             f"整顿阶段：{f.position.phase}" + (f"；距{f.position.next_step.name}（{f.position.next_step.end:%m月%d日}）"
                                            f"还有{f.position.days_to_next}天" if f.position.next_step else ""),
             f"生成时间：{now:%Y-%m-%d %H:%M}　来源：稀土整顿监管平台"]
    if f.demo:
        lines.append("注意：当前为演示数据，企业名称、代码和数字均为虚构，仅用于演示。")
    notes = (f"本材料汇报{f.scope}{f.year}年稀土行业秩序整顿工作情况，数据截至{f.as_of:%Y年%m月%d日}。"
             f"目前整顿处于“{f.position.phase}”阶段。"
             + (f"下一个节点是{f.position.next_step.name}，截止{f.position.next_step.end:%m月%d日}，"
                f"还有{f.position.days_to_next}天。" if f.position.next_step else "本年度各节点均已过。"))
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
                  + (f"，逾期未交{int((reports['status'] == '逾期未交').sum())}个" if (reports["status"] == "逾期未交").any()
                     else "") + "。")
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
        notes = (f"截至{f.as_of:%m月%d日}，逾期事项共{len(items)}项：" + "，".join(f"{k}{int(n)}项" for k, n in kinds.items())
                 + "。请相关镇（区）和部门限期补报、反馈。")
    return Slide(title="逾期事项", notes=notes, table=table)


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


# ---- rendering ----------------------------------------------------------------------------

def figure_requests(pack: MeetingPack, formats: Sequence[str]) -> list[tuple[int, str, images.ImageRequest]]:
    """Which images the chosen formats need: (slide index, format, request)."""
    out = []
    for i, slide in enumerate(pack.slides):
        if slide.figure is None:
            continue
        if "pptx" in formats:
            out.append((i, "png", images.ImageRequest(slide.figure, "png", FIG_W_PX, FIG_H_PX, PNG_SCALE)))
        if "pdf" in formats:
            out.append((i, "svg", images.ImageRequest(slide.figure, "svg", FIG_W_PX, FIG_H_PX)))
    return out


def render(pack: MeetingPack, formats: Sequence[str] = ("pptx", "pdf"),
           progress: Progress | None = None) -> dict[str, bytes]:
    """Render the charts once and build each format asked for; progress(fraction, what) along the way."""
    def say(fraction: float, what: str) -> None:
        if progress is not None:
            progress(min(1.0, fraction), what)

    wanted = figure_requests(pack, formats)
    say(0.02, "正在启动浏览器生成图表……")
    rendered = images.render([r for _, _, r in wanted],
                             lambda done, total: say(0.05 + 0.75 * done / total, f"已生成图表 {done}/{total}"))
    png = {i: data for (i, kind, _), data in zip(wanted, rendered, strict=True) if kind == "png"}
    svg = {i: data for (i, kind, _), data in zip(wanted, rendered, strict=True) if kind == "svg"}
    out: dict[str, bytes] = {}
    if "pptx" in formats:
        say(0.82, "正在生成PPT……")
        out["pptx"] = build_pptx(pack, png)
    if "pdf" in formats:
        say(0.9, "正在生成PDF……")
        out["pdf"] = build_pdf(pack, svg)
    say(1.0, "会议材料已生成")
    return out


# ---- .pptx ----------------------------------------------------------------------------------

def build_pptx(pack: MeetingPack, pictures: dict[int, bytes]) -> bytes:
    """The slides as a 16:9 .pptx: titles as real title placeholders, tables as editable tables, notes per slide."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # PowerPoint's own 16:9 widescreen size
    prs.core_properties.title = pack.title
    prs.core_properties.subject = pack.subtitle
    prs.core_properties.author = "稀土整顿监管平台"
    for i, slide in enumerate(pack.slides):
        if i == 0:
            _pptx_title(prs, pack, slide)
        else:
            _pptx_content(prs, pack, slide, i, pictures.get(i))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _style(run: Any, size: float, *, bold: bool = False, color: str = "1F1F1F") -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.name = FONT
    font.color.rgb = RGBColor.from_string(color)
    rpr = run._r.get_or_add_rPr()
    # The East Asian typeface is a separate attribute: without it Chinese text keeps the theme's font.
    for tag in ("a:ea", "a:cs"):
        found = rpr.find(qn(tag))
        if found is None:
            found = rpr.makeelement(qn(tag), {})
            rpr.append(found)
        found.set("typeface", FONT)


def _text(frame: Any, lines: Sequence[str], size: float, *, bold: bool = False, color: str = "1F1F1F",
          align: Any = None) -> None:
    frame.word_wrap = True
    for j, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
        paragraph.text = ""
        run = paragraph.add_run()
        run.text = line
        _style(run, size, bold=bold, color=color)
        if align is not None:
            paragraph.alignment = align


def _pptx_title(prs: Any, pack: MeetingPack, slide: Slide) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    page = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = page.shapes.title, page.placeholders[1]
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(SLIDE_W_IN - 1.6), Inches(1.4)
    _text(title.text_frame, [pack.title], 40, bold=True, color=NAVY, align=PP_ALIGN.CENTER)
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.6)
    subtitle.width, subtitle.height = Inches(SLIDE_W_IN - 1.6), Inches(2.6)
    _text(subtitle.text_frame, list(slide.lines), 18, color=GREY_TEXT, align=PP_ALIGN.CENTER)
    if pack.demo:
        last = subtitle.text_frame.paragraphs[-1].runs[0]
        _style(last, 16, bold=True, color=RED_TEXT)
    page.notes_slide.notes_text_frame.text = slide.notes


def _pptx_content(prs: Any, pack: MeetingPack, slide: Slide, index: int, picture: bytes | None) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    page = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the title stays a real title
    title = page.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.45), Inches(0.25), Inches(9.0), Inches(0.8)
    _text(title.text_frame, [slide.title], 28, bold=True, color=NAVY)
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    head = page.shapes.add_textbox(Inches(9.4), Inches(0.35), Inches(3.5), Inches(0.6))
    _text(head.text_frame, [f"{pack.scope} · {pack.year}年 · 截至{pack.as_of:%Y-%m-%d}"], 12, color=GREY_TEXT,
          align=PP_ALIGN.RIGHT)
    line = page.shapes.add_connector(1, Inches(0.45), Inches(1.08), Inches(SLIDE_W_IN - 0.45), Inches(1.08))
    line.line.color.rgb = _rgb(NAVY)
    if picture is not None:
        page.shapes.add_picture(io.BytesIO(picture), Inches(FIG_LEFT_IN), Inches(FIG_TOP_IN), width=Inches(FIG_W_IN))
    if slide.kpis:
        _pptx_kpis(page, slide.kpis)
    if slide.table is not None:
        _pptx_table(page, slide.table)
    if slide.footnote:
        box = page.shapes.add_textbox(Inches(0.45), Inches(6.55), Inches(SLIDE_W_IN - 0.9), Inches(0.5))
        _text(box.text_frame, [slide.footnote], 10, color=GREY_TEXT)
    foot = page.shapes.add_textbox(Inches(SLIDE_W_IN - 3.45), Inches(7.05), Inches(3.0), Inches(0.35))
    _text(foot.text_frame, [("演示数据 · " if pack.demo else "") + f"第{index + 1}页"], 10,
          color=RED_TEXT if pack.demo else GREY_TEXT, align=PP_ALIGN.RIGHT)
    page.notes_slide.notes_text_frame.text = slide.notes


def _rgb(hex_color: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_color)


def _pptx_kpis(page: Any, kpis: Sequence[Kpi]) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    width, height, gap = 3.95, 2.45, 0.3
    for i, kpi in enumerate(kpis):
        col, row = i % 3, i // 3
        left, top = 0.45 + col * (width + gap), 1.35 + row * (height + gap)
        card = page.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top), Inches(width),
                                     Inches(height))
        card.fill.solid()
        card.fill.fore_color.rgb = _rgb("EEF3FA")
        card.line.color.rgb = _rgb("C5D3E8")
        frame = card.text_frame
        _text(frame, [kpi.label, kpi.value, kpi.detail], 16)
        _style(frame.paragraphs[0].runs[0], 16, color=GREY_TEXT)
        _style(frame.paragraphs[1].runs[0], 36, bold=True, color=NAVY)
        _style(frame.paragraphs[2].runs[0], 12, color=GREY_TEXT)


def _text_width(text: str) -> int:
    """Display width in half-width units: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def column_widths(table: Table, total: float) -> list[float]:
    """Column widths (inches) in proportion to their longest text, so names stay on one line where they can."""
    wanted = [max(4, min(40, max([_text_width(h)] + [_text_width(r[j]) for r in table.rows])))
              for j, h in enumerate(table.headers)]
    return [total * w / sum(wanted) for w in wanted]


def _pptx_table(page: Any, table: Table) -> None:
    from pptx.util import Emu, Inches

    rows = max(1, len(table.rows)) + 1
    size = 12 if rows <= TABLE_ROWS + 1 else 10  # the data-sources table lists every table
    height = min(5.0, (0.4 if size == 12 else 0.3) * rows)
    width = SLIDE_W_IN - 0.9
    shape = page.shapes.add_table(rows, len(table.headers), Inches(0.45), Inches(1.3), Inches(width),
                                  Inches(height))
    grid = shape.table
    for j, inches in enumerate(column_widths(table, width)):
        grid.columns[j].width = Emu(int(inches * 914400))
    for j, header in enumerate(table.headers):
        cell = grid.cell(0, j)
        _text(cell.text_frame, [header], 13 if size == 12 else 11, bold=True, color="FFFFFF")
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(NAVY)
    if not table.rows:
        _text(grid.cell(1, 0).text_frame, ["无"], 12)
    for i, values in enumerate(table.rows, start=1):
        for j, value in enumerate(values):
            _text(grid.cell(i, j).text_frame, [value], size)
    if table.note:
        # At the foot of the slide, so a table whose rows grow with wrapped text never runs over it.
        box = page.shapes.add_textbox(Inches(0.45), Inches(6.5), Inches(width), Inches(0.55))
        _text(box.text_frame, [table.note], 10, color=GREY_TEXT)


# ---- .pdf -----------------------------------------------------------------------------------

_CSS = """
@page { size: 13.333in 7.5in; margin: 0 }
* { box-sizing: border-box }
body { margin: 0; font-family: 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif; color: #1f1f1f }
.slide { width: 13.333in; height: 7.5in; position: relative; overflow: hidden; page-break-after: always;
         break-after: page; padding: 0.25in 0.45in 0 0.45in }
.slide:last-child { page-break-after: auto; break-after: auto }
.head { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 1.5px solid #1F3864;
        height: 0.83in; padding-bottom: 0.08in }
.head h1 { font-size: 28pt; color: #1F3864; margin: 0 }
.head .scope { font-size: 12pt; color: #5F6368 }
.figure { position: absolute; left: 0.45in; top: 1.2in; width: 12.433in }
.foot { position: absolute; right: 0.45in; bottom: 0.12in; font-size: 10pt; color: #5F6368 }
.foot.demo { color: #B3261E }
.note { font-size: 10pt; color: #5F6368; margin-top: 0.12in }
.footnote { position: absolute; left: 0.45in; top: 6.55in; font-size: 10pt; color: #5F6368 }
table { border-collapse: collapse; width: 100%; margin-top: 0.2in; font-size: 12pt }
th { background: #1F3864; color: #fff; text-align: left; padding: 4pt 6pt }
td { border-bottom: 1px solid #d0d7e2; padding: 4pt 6pt }
table.dense { font-size: 10pt } table.dense td, table.dense th { padding: 2pt 6pt }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.3in; margin-top: 0.25in }
.kpi { background: #EEF3FA; border: 1px solid #C5D3E8; border-radius: 12px; height: 2.45in; padding: 0.2in }
.kpi .label { font-size: 16pt; color: #5F6368 } .kpi .value { font-size: 36pt; font-weight: bold; color: #1F3864 }
.kpi .detail { font-size: 12pt; color: #5F6368 }
.cover { display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center }
.cover h1 { font-size: 40pt; color: #1F3864; margin: 0 0 0.4in 0 }
.cover p { font-size: 18pt; color: #5F6368; margin: 0.06in 0 } .cover p.demo { color: #B3261E; font-weight: bold }
"""


def build_pdf(pack: MeetingPack, svgs: dict[int, bytes]) -> bytes:
    """The same slides as a PDF (one 16:9 page each), printed by the system Chromium from HTML."""
    return images.html_to_pdf(pack_html(pack, svgs))


def pack_html(pack: MeetingPack, svgs: dict[int, bytes]) -> str:
    """The slides as one HTML document; every value escaped, charts inlined as data: URIs (nothing to fetch)."""
    e = html.escape
    parts = []
    for i, slide in enumerate(pack.slides):
        if i == 0:
            lines = "".join(f'<p class="{"demo" if pack.demo and j == len(slide.lines) - 1 else ""}">{e(t)}</p>'
                            for j, t in enumerate(slide.lines))
            parts.append(f'<section class="slide cover"><h1>{e(pack.title)}</h1>{lines}</section>')
            continue
        body = ""
        if i in svgs:
            data = base64.b64encode(svgs[i]).decode("ascii")
            body += f'<img class="figure" alt="{e(slide.title)}" src="data:image/svg+xml;base64,{data}">'
        if slide.kpis:
            body += '<div class="kpis">' + "".join(
                f'<div class="kpi"><div class="label">{e(k.label)}</div><div class="value">{e(k.value)}</div>'
                f'<div class="detail">{e(k.detail)}</div></div>' for k in slide.kpis) + "</div>"
        if slide.table is not None:
            t = slide.table
            head = "".join(f"<th>{e(h)}</th>" for h in t.headers)
            rows = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in t.rows) \
                or f'<tr><td colspan="{len(t.headers)}">无</td></tr>'
            dense = ' class="dense"' if len(t.rows) > TABLE_ROWS else ""
            body += f"<table{dense}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            if t.note:
                body += f'<div class="note">{e(t.note)}</div>'
        if slide.footnote:
            body += f'<div class="footnote">{e(slide.footnote)}</div>'
        foot = ("演示数据 · " if pack.demo else "") + f"第{i + 1}页"
        parts.append(
            f'<section class="slide"><div class="head"><h1>{e(slide.title)}</h1>'
            f'<span class="scope">{e(pack.scope)} · {pack.year}年 · 截至{pack.as_of:%Y-%m-%d}</span></div>{body}'
            f'<div class="foot{" demo" if pack.demo else ""}">{e(foot)}</div></section>')
    # The policy forbids every fetch: the page can only show what it carries.
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
            'style-src \'unsafe-inline\'">'
            f"<title>{e(pack.title)}</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")
