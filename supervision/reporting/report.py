"""The township self-check report (附件4 自查报告) and the city summary (市汇总) as .docx, for officers to sign.

The outline is the plan's: 一、基本情况 二、主要做法 三、排查发现的问题及查处情况
四、整改落实和长效机制 五、存在问题和下步打算. Each section is filled with the scope's figures
and tables from the database (facts.gather, scoped by the principal); what only the officers
know (how they organised the work, the mechanisms they set up, their plans) is left as a marked
【请补充：……】 paragraph, never invented.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from supervision.core.campaign import LATE, MISSING, ON_TIME
from supervision.core.clock import now_local
from supervision.core.config import Settings
from supervision.core.frames import present, ratio
from supervision.core.principal import Principal
from supervision.reporting.facts import FINDING_SOURCES, Facts, gather, sources_text

OUTLINE = ("一、基本情况", "二、主要做法", "三、排查发现的问题及查处情况", "四、整改落实和长效机制",
           "五、存在问题和下步打算")
PLAN = "《太仓市稀土行业秩序整顿工作方案》（太政办〔2019〕107号）"
LIST_LIMIT = 40  # rows of a long list in the report; the rest are counted, and the platform lists them all
BODY_FONT, HEADING_FONT, TABLE_FONT = "仿宋", "黑体", "宋体"


@dataclass(frozen=True)
class Paragraph:
    text: str
    fill_in: bool = False  # a 【请补充】 paragraph the officers write themselves


@dataclass(frozen=True)
class DocTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


Block = Paragraph | DocTable


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Report:
    title: str
    scope: str
    year: int
    as_of: dt.date
    city_summary: bool
    demo: bool
    sections: tuple[Section, ...]
    signature: tuple[str, ...]
    colophon: str
    generated_at: dt.datetime = field(default_factory=lambda: now_local())

    @property
    def file_stem(self) -> str:
        kind = "稀土整顿工作汇总报告（市汇总）" if self.city_summary else "稀土整顿自查报告"
        return f"{self.scope}{self.year}年{kind}_截至{self.as_of:%Y-%m-%d}"


# ---- wording ------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _t(value: Any) -> str:
    """Tonnes as the database holds them (exact), with thousands separators."""
    value = present(value)
    return "" if value is None else format(value, ",") if isinstance(value, Decimal) else str(value)


def _s(value: Any) -> str:
    value = present(value)
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, ",")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _int(value: Any) -> int:
    value = present(value)
    return int(value) if value is not None else 0


def _rows(frame: pd.DataFrame, columns: Sequence[str], limit: int = LIST_LIMIT) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_s(getattr(r, c)) for c in columns) for r in frame.head(limit).itertuples())


def _more(frame: pd.DataFrame, what: str, limit: int = LIST_LIMIT) -> str:
    return f"另有{len(frame) - limit}{what}未列出，见平台。" if len(frame) > limit else ""


# ---- the report ---------------------------------------------------------------------------

def collect(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
            township: str | None = None, *, now: dt.datetime | None = None) -> Report:
    """A township's self-check report, or with no township (and a city-wide principal) the city summary."""
    f = gather(engine, settings, principal, year, as_of, township)
    cal = settings.calendar.for_year(year)
    return build_report(f, cal, now=now)


def build_report(f: Facts, calendar: dict[str, dt.date], *, now: dt.datetime | None = None) -> Report:
    """Facts → the report's sections (pure)."""
    city = f.township is None
    sections = (
        Section(OUTLINE[0], _basics(f, city)),
        Section(OUTLINE[1], _measures(f, city, calendar)),
        Section(OUTLINE[2], _problems(f, city)),
        Section(OUTLINE[3], _rectification(f, city)),
        Section(OUTLINE[4], _outlook(f, city)),
    )
    if city:
        title = f"{f.jurisdiction}{f.year}年稀土行业秩序整顿工作汇总报告"
        signature = (f"{f.jurisdiction}稀土行业秩序整顿工作领导小组办公室（盖章）", "负责人（签字）：＿＿＿＿＿＿",
                     "联系人及电话：＿＿＿＿＿＿", "日期：＿＿＿＿年＿＿月＿＿日")
    else:
        title = f"{f.township}{f.year}年稀土行业秩序整顿自查报告"
        signature = (f"{f.township}（盖章）", "负责人（签字）：＿＿＿＿＿＿", "联系人及电话：＿＿＿＿＿＿",
                     "日期：＿＿＿＿年＿＿月＿＿日")
    now = now or now_local()
    colophon = (f"本报告中的数字由稀土整顿监管平台于{now:%Y-%m-%d %H:%M}按截至{f.as_of:%Y年%m月%d日}的数据生成；"
                "标有【请补充】处由填报单位补充，全文核实后签章报送。"
                + ("当前为演示数据，企业名称、代码和数字均为虚构，仅用于演示。" if f.demo else ""))
    return Report(title=title, scope=f.scope, year=f.year, as_of=f.as_of, city_summary=city, demo=f.demo,
                  sections=sections, signature=signature, colophon=colophon, generated_at=now)


def _basics(f: Facts, city: bool) -> tuple[Block, ...]:
    cats = f.by_category()
    status = f.by_status()
    blocks: list[Block] = []
    if f.enterprises:
        blocks.append(Paragraph(
            f"{f.scope}现有稀土企业{f.enterprises}家，其中" + "，".join(f"{c}{n}家" for c, n in cats.items() if n)
            + "；按生产状态，" + "，".join(f"{s}{n}家" for s, n in status.items()) + "。"))
    else:
        blocks.append(Paragraph(f"{f.scope}目前没有登记的稀土企业。"))
    if city:
        rows = []
        for town in f.towns:
            mine = f.counts[f.counts["township"] == town]
            per = {c: int(mine[mine["category"] == c]["n"].sum()) for c in cats}
            rows.append((town, *(str(per[c]) for c in cats), str(sum(per.values()))))
        rows.append(("合计", *(str(n) for n in cats.values()), str(f.enterprises)))
        blocks.append(DocTable("各镇（区）稀土企业数量（家）", ("镇区", *cats, "合计"), tuple(rows)))
    else:
        blocks.append(DocTable("稀土企业名录", ("企业名称", "统一社会信用代码", "类别", "生产状态", "所属集团"),
                               _rows(f.points, ("name", "uscc", "category", "status", "group_name")),
                               _more(f.points, "家企业")))
    held = f.quota_holders()
    if held.empty:
        blocks.append(Paragraph(f"{f.year}年{f.scope}没有下达冶炼分离指标的企业。"))
    else:
        over = f.over_plan()
        blocks.append(Paragraph(
            f"{f.year}年{f.scope}持冶炼分离指标企业{len(held)}家，合计指标{_t(f.quota_total)}吨，"
            f"{f.months}已报产量{_t(f.quota_used)}吨，指标使用率{_pct(f.utilisation)}"
            + (f"；其中超计划生产{len(over)}家（{'、'.join(str(n) for n in over['name'])}）" if len(over) else "")
            + "。"))
        shown = held.assign(pct=[_pct(u) for u in held["utilisation"]])
        blocks.append(DocTable("冶炼分离指标执行情况", ("企业名称", "镇区", "指标（吨）", "产量（吨）", "使用率"),
                               _rows(shown, ("name", "township", "quota_t", "production_t", "pct"))))
    return tuple(blocks)


def _measures(f: Facts, city: bool, cal: dict[str, dt.date]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    checks = f.self_checks
    counts = f.self_check_counts()
    submitted = f.self_checks_submitted()
    blocks.append(Paragraph(
        f"按照{PLAN}要求，{f.scope}于{cal['self_check_start']:%m月%d日}至{cal['self_check_deadline']:%m月%d日}"
        f"组织辖区稀土企业开展自查。应报送企业自查表（附件1）的企业{len(checks)}家，截至{f.as_of:%m月%d日}已报送"
        f"{submitted}家（按时{counts.get(ON_TIME, 0)}家、逾期提交{counts.get(LATE, 0)}家），"
        f"逾期未交{counts.get(MISSING, 0)}家。"
        if f.campaign_year else
        f"{f.year}年未配置整顿工作时间表（非整顿年度），企业自查表不作逾期判断；已报送自查表的企业{submitted}家。"))
    if not checks.empty:
        blocks.append(DocTable("企业自查表报送情况",
                               ("企业名称", "镇区", "类别", "报送日期", "状态", "发现问题", "已整改"),
                               _rows(checks, ("name", "township", "category", "submitted_on", "status",
                                              "problems_found", "problems_rectified")), _more(checks, "家企业")))
    reports = f.township_reports
    seen = reports[[present(s) is not None and s <= f.as_of for s in reports["submitted_on"]]]
    if city:
        checked, found, fixed, transferred = (sum(_int(v) for v in seen[c]) for c in (
            "enterprises_checked", "problems_found", "problems_rectified", "cases_transferred"))
        blocks.append(Paragraph(
            f"各镇（区）应于{cal['township_report_deadline']:%m月%d日}前报送汇总表（附件3），截至{f.as_of:%m月%d日}"
            f"已报送{len(seen)}个、未报送{len(reports) - len(seen)}个；合计排查企业{checked}家，"
            f"发现问题{found}个，已整改{fixed}个，移送案件{transferred}件。"))
        blocks.append(DocTable("各镇（区）汇总表（附件3）报送情况",
                               ("镇区", "报送日期", "状态", "企业总数", "已排查", "发现问题", "已整改", "移送案件"),
                               _rows(reports, ("township", "submitted_on", "status", "enterprises_total",
                                               "enterprises_checked", "problems_found", "problems_rectified",
                                               "cases_transferred"))))
    elif not seen.empty:
        r = seen.iloc[0]
        blocks.append(Paragraph(
            f"{f.scope}于{r['submitted_on']:%Y年%m月%d日}报送汇总表（附件3）：辖区企业{_int(r['enterprises_total'])}家，"
            f"已排查{_int(r['enterprises_checked'])}家，发现问题{_int(r['problems_found'])}个，"
            f"已整改{_int(r['problems_rectified'])}个，移送案件{_int(r['cases_transferred'])}件。"))
    else:
        blocks.append(Paragraph(f"截至{f.as_of:%m月%d日}，{f.scope}尚未报送汇总表（附件3）"
                                f"（截止{cal['township_report_deadline']:%m月%d日}）。"))
    blocks.extend(_lifecycle_figures(f, seen, city))
    totals = f.score_totals
    if totals.empty:
        blocks.append(Paragraph(f"{f.year}年专项督查尚未对{f.scope}评分。"))
    elif city:
        blocks.append(Paragraph(
            f"市专项督查组于{cal['inspection_start']:%m月%d日}至{cal['inspection_end']:%m月%d日}对各镇（区）督查评分，"
            f"{len(totals)}个镇（区）平均得分{sum(float(t) for t in totals['total']) / len(totals):.2f}分。"))
        rows = tuple((str(i), str(r.township), f"{float(r.total):.2f}", f"{float(r.max_total):g}", _pct(r.share))
                     for i, r in enumerate(totals.itertuples(), start=1))
        blocks.append(DocTable("各镇（区）督查评分", ("名次", "镇区", "得分", "满分", "得分率"), rows))
    else:
        r = totals.iloc[0]
        blocks.append(Paragraph(f"市专项督查组对{f.scope}督查评分，得分{float(r['total']):.2f}分（所评条目满分"
                                f"{float(r['max_total']):g}分，得分率{_pct(r['share'])}）。"))
    blocks.append(Paragraph("【请补充：组织领导、宣传发动、部门联动、现场检查等主要做法】", fill_in=True))
    return tuple(blocks)


ANNEX3_FIGURES = (("problems_found", "found", "发现问题"), ("problems_rectified", "rectified", "已整改"),
                  ("cases_transferred", "cases", "移送案件"))


def annex3_differences(f: Facts, submitted: pd.DataFrame) -> list[str]:
    """Where a township's own 附件3 figures differ from the finding lifecycle's: one line per township."""
    life = f.lifecycle.set_index("township")
    out = []
    for r in submitted.itertuples():
        if r.township not in life.index:
            ours = {"found": 0, "rectified": 0, "cases": 0}
        else:
            ours = {k: int(life.loc[r.township, k]) for k in ("found", "rectified", "cases")}
        diffs = [f"{label}填报{_int(getattr(r, own))}、台账{ours[key]}" for own, key, label in ANNEX3_FIGURES
                 if getattr(r, own) is not None and not pd.isna(getattr(r, own)) and _int(getattr(r, own)) != ours[key]]
        if diffs:
            out.append(f"{r.township}：{'；'.join(diffs)}")
    return out


def _lifecycle_figures(f: Facts, submitted: pd.DataFrame, city: bool) -> tuple[Block, ...]:
    """附件3's three figures from the finding lifecycle, and a data-quality note where a township's own differ."""
    life = f.lifecycle
    if life.empty:
        return ()
    found, fixed, cases = (int(life[c].sum()) for c in ("found", "rectified", "cases"))
    blocks: list[Block] = [Paragraph(
        f"据系统问题台账（问题闭环），截至{f.as_of:%m月%d日}{f.scope}发现问题{found}条，已整改销号{fixed}条，"
        f"移送案件{cases}件。")]
    if city:
        rows = tuple((str(r.township), str(r.found), str(r.rectified), str(r.cases)) for r in life.itertuples())
        blocks.append(DocTable("各镇（区）发现问题、已整改、移送案件（系统问题台账）",
                               ("镇区", "发现问题", "已整改", "移送案件"), rows))
    differences = annex3_differences(f, submitted)
    if differences:
        blocks.append(Paragraph("数据质量提示：以下镇（区）汇总表（附件3）填报的数字与系统问题台账不一致，请核实——"
                                + "；".join(differences) + "。"))
    return tuple(blocks)


def _problems(f: Facts, city: bool) -> tuple[Block, ...]:
    blocks: list[Block] = []
    per_rule = f.findings_by_rule()
    blocks.append(Paragraph(
        f"经稀土整顿监管平台按数据交换规范第4节规则（R01–R19、W01）核查（数据来源：{sources_text(FINDING_SOURCES)}），"
        f"截至{f.as_of:%m月%d日}{f.scope}发现问题{len(f.findings)}条，其中违规{f.violations}条、预警{f.warnings}条。"
        + ("上述问题为数据比对结果，须经现场核实后依法处理。" if len(f.findings) else "")))
    if not per_rule.empty:
        blocks.append(DocTable("发现问题（按规则）", ("规则", "名称", "严重程度", "条数"),
                               _rows(per_rule, ("rule", "rule_name", "severity", "n"))))
        listed = f.findings.assign(who=[present(n) or s for n, s in zip(f.findings["enterprise_name"],
                                                                        f.findings["subject"], strict=True)])
        blocks.append(DocTable("发现问题清单", ("规则", "严重程度", "镇区", "对象", "说明"),
                               _rows(listed, ("rule", "severity", "township", "who", "message")),
                               _more(listed, "条问题")))
    pens = f.penalties
    fines = sum((v for v in pens["fine_yuan"] if present(v) is not None), Decimal(0)) if not pens.empty else Decimal(0)
    blocks.append(Paragraph(
        f"{f.year}年（截至{f.as_of:%m月%d日}）{f.scope}涉稀土企业行政处罚{len(pens)}件，"
        f"罚款合计{format(fines, ',')}元；在黑名单期内的企业{len(f.blacklist)}家。"))
    if not pens.empty:
        blocks.append(DocTable("行政处罚",
                               ("案件编号", "决定日期", "企业", "处罚部门", "违法行为", "处罚措施", "罚款（元）"),
                               _rows(pens, ("case_no", "decided_on", "name", "department", "violation", "measure",
                                            "fine_yuan")), _more(pens, "件处罚")))
    tips = f.tipoffs
    if tips.empty:
        blocks.append(Paragraph(f"{f.year}年（截至{f.as_of:%m月%d日}）{f.scope}未受理举报线索。"))
    else:
        done = int(sum(1 for s in tips["status"] if s == "已办结"))
        late = len(f.overdue_tipoffs())
        blocks.append(Paragraph(f"{f.year}年（截至{f.as_of:%m月%d日}）受理举报线索{len(tips)}条，已办结{done}条，"
                                f"反馈举报人超期{late}条。"))
        blocks.append(DocTable("举报线索办理情况",
                               ("线索编号", "受理日期", "被举报对象", "承办部门", "办理状态", "反馈期限", "反馈日期"),
                               _rows(tips, ("tipoff_id", "received_on", "subject_name", "department", "status",
                                            "feedback_due", "feedback_on")), _more(tips, "条线索")))
    return tuple(blocks)


def _rectification(f: Facts, city: bool) -> tuple[Block, ...]:
    checks = f.self_checks
    submitted = checks[[s in (ON_TIME, LATE) for s in checks["status"]]]
    found = sum(_int(v) for v in submitted["problems_found"])
    fixed = sum(_int(v) for v in submitted["problems_rectified"])
    env = f.environment
    blocks: list[Block] = [
        Paragraph(f"企业自查共发现问题{found}个，已整改{fixed}个"
                  + (f"，整改率{_pct(ratio(Decimal(fixed), Decimal(found)))}" if found else "") + "。"),
        Paragraph(f"{f.year}年（截至{f.as_of:%m月%d日}）环保监管记录问题{env.recorded}个，已整改{env.resolved}个，"
                  f"尚未整改{env.open}个。"),
    ]
    if len(f.blacklist):
        blocks.append(Paragraph("列入黑名单的企业：" + "、".join(str(n) for n in f.blacklist["name"])
                                + "，黑名单期内依法限制其生产经营活动。"))
    blocks.append(Paragraph("【请补充：问题整改的具体措施、销号情况，以及建立的长效监管机制（日常巡查、台账管理、信息报送、"
                            "部门联动等）】", fill_in=True))
    return tuple(blocks)


def _outlook(f: Facts, city: bool) -> tuple[Block, ...]:
    items = f.overdue_items()
    blocks: list[Block] = [Paragraph(
        f"截至{f.as_of:%m月%d日}，{f.scope}尚有违规问题{f.violations}条、预警{f.warnings}条未销号，"
        f"逾期事项{len(items)}项。")]
    if not items.empty:
        blocks.append(DocTable("逾期事项", ("事项", "对象", "镇区", "截止日期", "情况"),
                               _rows(items, ("kind", "subject", "township", "due", "state")), _more(items, "项")))
    deductions = f.scores[f.scores["deduction"] > 0]
    if not deductions.empty:
        blocks.append(Paragraph(f"专项督查扣分{len(deductions)}项，合计扣{float(sum(deductions['deduction'])):g}分，"
                                "扣分事项应逐项整改。"))
        blocks.append(DocTable("督查扣分事项", ("镇区", "条目", "评价内容", "扣分", "扣分说明"),
                               _rows(deductions, ("township", "item_code", "item", "deduction", "note"))))
    blocks.append(Paragraph("【请补充：存在的主要问题和下步工作打算】", fill_in=True))
    return tuple(blocks)


# ---- .docx ----------------------------------------------------------------------------------

def build_docx(report: Report) -> bytes:
    """The report as an editable Word document: real headings (for the navigation pane), tables, the signature block."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = report.title
    doc.core_properties.author = "稀土整顿监管平台"
    normal = doc.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, 16)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        _font(style.font, style.element, HEADING_FONT, 16)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
    title = doc.add_heading(report.title, level=0)
    _font(title.style.font, title.style.element, HEADING_FONT, 22)
    title.style.font.color.rgb = RGBColor(0, 0, 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(f"（数据截至{report.as_of:%Y年%m月%d日}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = 0
    for part in report.sections:
        doc.add_heading(part.heading, level=1)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(32)
                run = p.add_run(block.text)
                if block.fill_in:
                    run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
                continue
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            number += 1  # numbered here, so a table left out for lack of data leaves no gap
            cap_run = cap.add_run(f"表{number} {block.caption}")
            _font(cap_run.font, cap_run._r, HEADING_FONT, 12)
            table = doc.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for j, header in enumerate(block.headers):
                _cell(table.rows[0].cells[j], header, bold=True)
            for values in block.rows:
                cells = table.add_row().cells
                for j, value in enumerate(values):
                    _cell(cells[j], value)
            if block.note:
                note = doc.add_paragraph()
                note_run = note.add_run(block.note)
                _font(note_run.font, note_run._r, TABLE_FONT, 10.5)
    doc.add_paragraph()
    for line in report.signature:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    colophon = doc.add_paragraph()
    run = colophon.add_run(report.colophon)
    _font(run.font, run._r, TABLE_FONT, 10.5)
    run.font.color.rgb = RGBColor(0x5F, 0x63, 0x68)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _font(font: Any, element: Any, name: str, size: float) -> None:
    """Set a font for Latin and East Asian text alike (Word keeps a separate East Asian typeface)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font.name = name
    font.size = Pt(size)
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    _font(run.font, run._r, TABLE_FONT, 10.5)
