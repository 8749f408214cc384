"""Printable forms as .docx: the 企业自查表 (107号 附件1) and the 镇（区）自查情况汇总表 (附件3).

Word and WPS print them as they are, and a township can fill them by hand or on screen. The plan
names these attachments but its text does not reproduce them, so their fields are the spec's columns
plus the checks 107号 五(十二) lists; each form says so in its footnote.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from supervision.core.config import Settings
from supervision.core.spec import CATEGORIES, ENTERPRISE_STATUSES, TABLES_BY_KEY

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


SELF_CHECK_ITEMS = (
    # 107号 五(十二) lists what the self-check covers; 二(一)-(三), 三(五) and 苏政发〔2012〕6号 二 add the rest.
    "2018年以来稀土矿、富集物、稀土氧化物的采购情况（含进口矿采购数量）",
    "加工生产情况（是否存在无计划、超计划生产，是否开展代加工业务）",
    "稀土产品销售情况",
    "期末产品库存、原料库存情况",
    "稀土增值税专用发票开具情况（是否存在不开、虚开发票或假冒品名）",
    "采购矿产品的资源税完税证明",
    "稀土矿进口手续（进出口许可证、报关单、出口法定检验）",
    "资源综合利用企业的原料来源（是否以稀土矿、富集物及稀土化合物为原料）",
    "环评批复、环保“三同时”竣工验收及污染治理设施运行情况",
    "含放射性废渣分类管理和处置情况",
    "清洁生产审核情况（每两年一轮）",
    "安全生产情况",
)


def _docx() -> Any:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.2)
    return document


def _landscape(document: Any) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)


def _run_font(run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _heading(document: Any, attachment: str, title: str, subtitle: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _run_font(document.add_paragraph().add_run(attachment), "黑体", 16)
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(para.add_run(title), "宋体", 20, bold=True)
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(para.add_run(subtitle), "仿宋", 12)


def _cell(cell: Any, text: str, *, bold: bool = False, center: bool = False, size: float = 11) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.text = ""
    para = cell.paragraphs[0]
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _run_font(para.add_run(text), "黑体" if bold else "仿宋", size)


def _table(document: Any, rows: int, cols: int, widths_cm: Sequence[float]) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return table


def _boxes(options: Sequence[str], chosen: str | None) -> str:
    return "　".join(("☑" if o == chosen else "☐") + o for o in options)


def _blank(value: Any, width: int = 6) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "　" * width
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _note(document: Any, lines: Sequence[str]) -> None:
    for line in lines:
        _run_font(document.add_paragraph().add_run(line), "仿宋", 10)


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def self_check_form(settings: Settings, *, year: int | None = None,
                    enterprise: Mapping[str, Any] | None = None) -> bytes:
    """企业自查表 (107号 附件1) as a printable .docx, blank or with the enterprise's registered details."""
    e = dict(enterprise or {})
    document = _docx()
    _heading(document, "附件1", "企业自查表",
             f"（{_blank(year, 3)}年度　　{settings.jurisdiction.name}稀土行业秩序整顿）")
    info = _table(document, 5, 4, (3.4, 5.4, 3.0, 4.8))
    _cell(info.cell(0, 0), "企业名称", bold=True)
    _cell(info.cell(0, 1).merge(info.cell(0, 3)), _blank(e.get("name"), 20))
    _cell(info.cell(1, 0), "统一社会信用代码", bold=True)
    _cell(info.cell(1, 1), _blank(e.get("uscc"), 10))
    _cell(info.cell(1, 2), "所属镇（区）", bold=True)
    _cell(info.cell(1, 3), _blank(e.get("township"), 6))
    _cell(info.cell(2, 0), "企业类别", bold=True)
    _cell(info.cell(2, 1).merge(info.cell(2, 3)), _boxes(CATEGORIES, e.get("category")), size=10.5)
    _cell(info.cell(3, 0), "生产状态", bold=True)
    _cell(info.cell(3, 1), _boxes(ENTERPRISE_STATUSES, e.get("status")), size=10.5)
    _cell(info.cell(3, 2), "所属集团", bold=True)
    _cell(info.cell(3, 3), _blank(e.get("group_name") or e.get("group"), 6))
    _cell(info.cell(4, 0), "联系人", bold=True)
    _cell(info.cell(4, 2), "联系电话", bold=True)
    document.add_paragraph()
    checks = _table(document, len(SELF_CHECK_ITEMS) + 1, 4, (1.2, 7.6, 5.4, 2.4))
    for i, head in enumerate(("序号", "自查项目", "自查情况（数量、单据、手续）", "是否存在问题")):
        _cell(checks.cell(0, i), head, bold=True, center=True)
    for n, item in enumerate(SELF_CHECK_ITEMS, start=1):
        _cell(checks.cell(n, 0), str(n), center=True)
        _cell(checks.cell(n, 1), item, size=10.5)
        _cell(checks.cell(n, 3), "☐是　☐否", center=True, size=10.5)
    document.add_paragraph()
    result = _table(document, 3, 4, (3.4, 5.4, 3.0, 4.8))
    _cell(result.cell(0, 0), "发现问题数", bold=True)
    _cell(result.cell(0, 2), "已整改数", bold=True)
    _cell(result.cell(1, 0), "问题及整改情况", bold=True)
    problems = result.cell(1, 1).merge(result.cell(1, 3))
    _cell(problems, "\n" * 6)
    _cell(result.cell(2, 0), "镇（区）审核意见", bold=True)
    _cell(result.cell(2, 1).merge(result.cell(2, 3)), "\n" * 3 + "（盖章）　　　　年　　月　　日")
    document.add_paragraph()
    _run_font(document.add_paragraph().add_run(
        "企业负责人（签字）：　　　　　　　　企业（盖章）　　　　　　　　报送日期：　　年　　月　　日"), "仿宋", 12)
    deadline = settings.calendar.for_year(year)["self_check_deadline"] if year else None
    _note(document, [
        "注：1. 本表按太政办〔2019〕107号五（十二）所列排查重点编制（该文未附表样），"
        "系统中的“企业自查表”数据项为：统一社会信用代码、年度、报送日期、发现问题数、已整改数、问题及整改情况。",
        "2. 发现问题数、已整改数填整数，已整改数不大于发现问题数。"
        + (f"3. 自查表应于{deadline.year}年{deadline.month}月{deadline.day}日前报送所在镇（区）。" if deadline else ""),
    ])
    return _save(document)


_SUMMARY_FIELDS = ("enterprises_total", "enterprises_checked", "problems_found", "problems_rectified",
                   "cases_transferred")


def township_report_form(settings: Settings, *, year: int | None = None, township: str | None = None,
                         enterprises: pd.DataFrame | None = None,
                         totals: Mapping[str, Any] | None = None) -> bytes:
    """镇（区）自查情况汇总表 (107号 附件3) as a printable .docx (landscape).

    `enterprises` (supervision.entry.records.self_check_status) fills the list of enterprises checked;
    `totals` (supervision.entry.records.township_totals) suggests the summary figures, marked as pre-filled.
    """
    spec = TABLES_BY_KEY["township_reports"]
    document = _docx()
    _landscape(document)
    name = township or "＿＿＿＿"
    title = f"{name}自查情况汇总表" if township else "＿＿＿＿镇（区）自查情况汇总表"
    _heading(document, "附件3", title, f"（{_blank(year, 3)}年度　　{settings.jurisdiction.name}稀土行业秩序整顿）")
    summary = _table(document, 2, len(_SUMMARY_FIELDS), (5.0,) * len(_SUMMARY_FIELDS))
    for i, key in enumerate(_SUMMARY_FIELDS):
        _cell(summary.cell(0, i), spec.column(key).header, bold=True, center=True)
        value = None if totals is None or key not in totals else totals[key]
        _cell(summary.cell(1, i), _blank(value, 4), center=True)
    document.add_paragraph()
    rows = enterprises if enterprises is not None else pd.DataFrame()
    count = max(len(rows), 10)
    headers = ("序号", "企业名称", "统一社会信用代码", "企业类别", "自查表报送日期", "发现问题数", "已整改数",
               "处理意见或备注")
    listing = _table(document, count + 1, len(headers), (1.2, 6.0, 4.6, 2.6, 3.0, 2.0, 2.0, 4.0))
    for i, head in enumerate(headers):
        _cell(listing.cell(0, i), head, bold=True, center=True, size=10.5)
    for n, record in enumerate(rows.to_dict("records"), start=1):
        cells = (str(n), record.get("name"), record.get("uscc"), record.get("category"),
                 record.get("submitted_on"), record.get("problems_found"), record.get("problems_rectified"),
                 "" if record.get("submitted_on") is not None else "未报送自查表")
        for i, value in enumerate(cells):
            _cell(listing.cell(n, i), _blank(value, 0), center=i not in (1, 7), size=10.5)
    document.add_paragraph()
    _run_font(document.add_paragraph().add_run(
        "填表人：　　　　　　联系电话：　　　　　　镇（区）负责人（签字）：　　　　　　（盖章）　　　　"
        "报送日期：　　年　　月　　日"), "仿宋", 12)
    deadline = settings.calendar.for_year(year)["township_report_deadline"] if year else None
    lines = ["注：1. 本表按太政办〔2019〕107号五（十四）编制（该文未附表样），"
             "汇总栏目与系统“镇（区）自查情况汇总表”一致；"
             "已排查企业数不大于企业总数，已整改数不大于发现问题数。"]
    if deadline:
        lines.append(f"2. 连同书面自查报告（附件4）于{deadline.year}年{deadline.month}月{deadline.day}日前报市工信局。")
    if totals is not None:
        lines.append("3. 汇总数字由系统按已录入的企业自查表预填（移送案件数除外），请核对后填报。")
    _note(document, lines)
    return _save(document)
