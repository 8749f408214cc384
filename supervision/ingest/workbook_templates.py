"""Fill-in workbooks generated from the spec: .xlsx templates for upload.

Workbooks (`table_template`, `package_template`): one data sheet per table, named by its Chinese
name and headed by the Chinese headers, so a filled workbook is a data package the importer reads
as it is. Everything else lives where the importer never looks (supervision.ingest.package.RESERVED_SHEETS
and sheets starting with "_"):
- 说明: what to fill and how, a dictionary of every column, and the example rows, marked as such;
- _lists (hidden): the drop-down values (townships, enum choices, 是/否).
Data sheets carry only the header row: drop-downs, formats and input checks (Excel data
validation, mirroring the importer's rules) apply to the empty rows below it. Nothing in a
template is a formula: every text is written as text.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from supervision.core import values as v
from supervision.core.config import Settings
from supervision.core.safety import neutralise, safe_sheet_name
from supervision.core.spec import PRODUCT_CATEGORY_NAMES, TABLES_BY_KEY, Column, Kind, TableSpec
from supervision.ingest.fields import text_limit
from supervision.storage.townships import directory

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_SHEET = "说明"
LISTS_SHEET = "_lists"
_LAST_ROW = 1_048_575  # Excel's last row (0-based): checks and formats cover every row a user may fill

KIND_HELP: dict[Kind, str] = {
    Kind.TEXT: "文本",
    Kind.USCC: "18位统一社会信用代码（GB 32100-2015，含校验位；小写字母自动转为大写）",
    Kind.ENUM: "从下拉列表中选择",
    Kind.TONNES: "吨（折稀土氧化物REO，另有说明的除外），≥0，最多3位小数",
    Kind.TONNES_SIGNED: "吨，最多3位小数；仅红冲发票填负数",
    Kind.YUAN: "元，≥0，最多2位小数",
    Kind.YUAN_SIGNED: "元，最多2位小数；仅红冲发票填负数",
    Kind.SCORE: "分，≥0，最多2位小数",
    Kind.COORD: "经纬度（度，小数），坐标系见“坐标系”列",
    Kind.INT: "整数",
    Kind.YEAR: "四位年份，如2019",
    Kind.DATE: "日期：Excel日期，或 YYYY-MM-DD、YYYY/MM/DD、YYYY年M月D日",
    Kind.PERIOD: "月份，YYYY-MM（如2019-07）",
    Kind.BOOL: "是/否",
    Kind.TOWNSHIP: "镇区全称（也可填简称或规定的别名）",
    Kind.HS_CODE: "8位或10位海关商品编码（文本，保留开头的0）",
}

# Column notes the spec's types do not carry (data-exchange spec, section 3).
COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("enterprises", "coord_system"): "WGS84（默认）、GCJ02（高德/腾讯）、BD09（百度），导入后统一换算为WGS84",
    ("enterprises", "approved_capacity_t"): "吨REO/年",
    ("enterprises", "eia_accepted"): "环保“三同时”竣工验收",
    ("quotas", "batch"): "1、2、3",
    ("invoices", "status"): "作废：所有核查均不计；红冲：按负数计",
    ("licenses", "quantity_t"): "货物吨数",
    ("customs", "quantity_t"): "货物吨数",
    ("customs", "license_no"): "可为空",
    ("customs", "inspection_no"): "出口须批批法检，出口报关单应填写",
    ("environment", "resolved_on"): "尚未整改完成的留空",
    ("self_checks", "problems_rectified"): "不能大于发现问题数",
    ("township_reports", "enterprises_checked"): "不能大于企业总数",
    ("township_reports", "problems_rectified"): "不能大于发现问题数",
    ("inspection_scores", "item_code"): "须为当年督查评价表中已有的条目编号",
    ("inspection_scores", "score"): "不超过该条目分值",
    ("tipoffs", "channel"): "网站、电话、信件、媒体、转办等",
    ("tipoffs", "subject_uscc"): "可为空；辖区外企业也可填写",
    ("tipoffs", "feedback_on"): "查处结果反馈举报人的日期",
    ("penalties", "violation"): "核查规则编号（如R03）或文字描述",
    ("penalties", "measure"): "责令停产、罚款、吊销等",
    ("penalties", "blacklisted_until"): "留空表示未列入黑名单",
}

_EXAMPLE_DATE = dt.date(2019, 7, 20)


def _uscc(body17: str) -> str:
    return body17 + v.uscc_check_char(body17)


EXAMPLE_USCC = _uscc("91320585MA1W2X3Y4")
EXAMPLE_BUYER_USCC = _uscc("91320585MA1N5P6Q7")

# Example values where a kind's generic example would not read naturally; every example row,
# taken together, is a valid package (tests import them).
_EXAMPLE_VALUES: dict[str, Any] = {
    "name": "示例稀土新材料有限公司",
    "address": "示例路1号",
    "group": "中国稀有稀土股份有限公司",
    "invoice_no": "03200001",
    "product_name": "氧化镨钕",
    "certificate_no": "WS2019000001",
    "license_no": "19XK000001",
    "declaration_no": "223120190000000001",
    "country": "日本",
    "inspection_no": "FJ2019000001",
    "record_id": "HB2019-001",
    "description": "示例：发现问题2项，已全部整改",
    "item_code": "A1",
    "section": "组织领导",
    "item": "成立稀土行业秩序整顿工作机构",
    "max_score": Decimal("10"),
    "score": Decimal("8"),
    "inspector": "督查组示例",
    "note": "示例：工作台账不完整，扣2分",
    "tipoff_id": "JB2019-001",
    "channel": "电话",
    "subject_name": "示例稀土新材料有限公司",
    "summary": "示例：群众反映夜间运输矿产品",
    "department": "市工信局",
    "case_no": "太工信罚〔2019〕1号",
    "violation": "R03",
    "measure": "罚款",
    "problems_found": 2,
    "problems_rectified": 2,
    "enterprises_total": 5,
    "enterprises_checked": 5,
    "cases_transferred": 0,
    "approved_capacity_t": Decimal("1500"),
    "quota_t": Decimal("1200"),
    "fine_yuan": Decimal("50000"),
    "tax_yuan": Decimal("3600"),
    "amount_yuan": Decimal("2650000"),
}
_EXAMPLE_BY_TABLE: dict[tuple[str, str], Any] = {
    ("tipoffs", "status"): "已办结",
    ("customs", "direction"): "出口",
    ("licenses", "direction"): "出口",
    ("invoices", "product_category"): "OXIDE",
    ("invoices", "unit"): "吨",
    ("invoices", "buyer_uscc"): EXAMPLE_BUYER_USCC,
    ("invoices", "quantity"): Decimal("5"),
    ("invoices", "reo_t"): Decimal("5"),
    ("customs", "reo_t"): Decimal("4.2"),
    ("penalties", "blacklisted_until"): dt.date(2021, 7, 19),
}


_EXAMPLE_BY_KIND: dict[Kind, Any] = {
    Kind.USCC: EXAMPLE_USCC,
    Kind.TONNES: Decimal("12.5"), Kind.TONNES_SIGNED: Decimal("12.5"),
    Kind.YUAN: Decimal("100"), Kind.YUAN_SIGNED: Decimal("100"), Kind.SCORE: Decimal("100"),
    Kind.YEAR: 2019, Kind.DATE: _EXAMPLE_DATE, Kind.PERIOD: "2019-07", Kind.BOOL: True, Kind.HS_CODE: "28053011",
}


def _example_value(spec: TableSpec, col: Column, settings: Settings) -> Any:
    if (spec.key, col.key) in _EXAMPLE_BY_TABLE:
        return _EXAMPLE_BY_TABLE[(spec.key, col.key)]
    if col.key in _EXAMPLE_VALUES:
        return _EXAMPLE_VALUES[col.key]
    if col.kind in _EXAMPLE_BY_KIND:
        return _EXAMPLE_BY_KIND[col.kind]
    return _example_of_column(col, settings)


def _example_of_column(col: Column, settings: Settings) -> Any:
    """An example that depends on the column's own choices and bounds, or on the configured townships."""
    town = directory(settings).townships[0]
    kind = col.kind
    if kind is Kind.ENUM:
        return col.default or col.choices[0]
    if kind is Kind.TOWNSHIP:
        return town.name
    if kind is Kind.COORD:
        return town.seat_lon if col.key == "lon" else town.seat_lat
    if kind is Kind.INT:
        return col.min_value if col.min_value is not None else 1
    return f"示例{col.header}"


def example_row(table: str, settings: Settings) -> dict[str, Any]:
    """One valid example record of a table, keyed by column key (all examples together form a valid package)."""
    spec = TABLES_BY_KEY[table]
    return {col.key: _example_value(spec, col, settings) for col in spec.columns}


def choices_of(col: Column, settings: Settings, townships: Sequence[str] | None = None) -> list[str]:
    """The drop-down values of a column, or [] for a free column."""
    if col.kind is Kind.TOWNSHIP:
        return list(townships) if townships is not None else directory(settings).names
    if col.kind is Kind.BOOL:
        return ["是", "否"]
    if col.kind is Kind.ENUM:
        if col.key == "product_category":
            # The importer takes the Chinese names as well as the codes.
            return [*col.choices, *(PRODUCT_CATEGORY_NAMES[c] for c in col.choices)]
        return list(col.choices)
    return []


def column_rules(spec: TableSpec, col: Column, settings: Settings) -> str:
    """Allowed values or range of a column, in words (for the dictionary and the header comment)."""
    parts: list[str] = []
    if col.kind is Kind.ENUM:
        if col.key == "product_category":
            parts.append("、".join(f"{c}（{PRODUCT_CATEGORY_NAMES[c]}）" for c in col.choices))
        else:
            parts.append("、".join(col.choices))
    if col.kind is Kind.TOWNSHIP:
        parts.append("、".join(directory(settings).names))
    if col.min_value is not None or col.max_value is not None:
        low = "" if col.min_value is None else f"≥{col.min_value}"
        high = "" if col.max_value is None else f"≤{col.max_value}"
        parts.append("，".join(p for p in (low, high) if p))
    if col.kind is Kind.TEXT:
        parts.append(f"最多{text_limit(spec, col)}个字符")
    if col.default:
        parts.append(f"空白时按“{col.default}”")
    return "；".join(parts)


def _column_note(spec: TableSpec, col: Column) -> str:
    return "；".join(p for p in (KIND_HELP[col.kind], COLUMN_NOTES.get((spec.key, col.key), "")) if p)


def _header_comment(spec: TableSpec, col: Column, settings: Settings) -> str:
    flags = [f for f, on in (("必填", col.required), ("主键", col.natural_key)) if on]
    lines = [f"{col.header}（{col.key}）" + (f"【{'，'.join(flags)}】" if flags else ""), _column_note(spec, col)]
    rules = column_rules(spec, col, settings)
    if rules:
        lines.append(rules)
    return "\n".join(lines)


@dataclass
class _Formats:
    title: Any
    bold: Any
    text: Any
    wrap: Any
    head: Any
    head_required: Any
    example_text: Any
    example_date: Any
    example_label: Any
    date: Any
    tonnes: Any
    yuan: Any
    integer: Any
    plain: Any


def _formats(book: xlsxwriter.Workbook) -> _Formats:
    base = {"font_name": "等线", "font_size": 11}
    head = {**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    example = {**base, "italic": True, "font_color": "#595959", "bg_color": "#FFF2CC", "border": 1}
    return _Formats(
        title=book.add_format({**base, "bold": True, "font_size": 16}),
        bold=book.add_format({**base, "bold": True}),
        text=book.add_format({**base, "num_format": "@"}),
        wrap=book.add_format({**base, "text_wrap": True, "valign": "top", "border": 1}),
        head=book.add_format({**head, "bg_color": "#DDEBF7"}),
        head_required=book.add_format({**head, "bg_color": "#F8CBAD"}),
        example_text=book.add_format({**example, "num_format": "@"}),
        example_date=book.add_format({**example, "num_format": "yyyy-mm-dd"}),
        example_label=book.add_format({**base, "bold": True, "font_color": "#C00000"}),
        date=book.add_format({**base, "num_format": "yyyy-mm-dd"}),
        tonnes=book.add_format({**base, "num_format": "0.000"}),
        yuan=book.add_format({**base, "num_format": "0.00"}),
        integer=book.add_format({**base, "num_format": "0"}),
        plain=book.add_format(base),
    )


def _column_format(col: Column, f: _Formats) -> Any:
    if col.kind is Kind.DATE:
        return f.date
    if col.kind in (Kind.TONNES, Kind.TONNES_SIGNED):
        return f.tonnes
    if col.kind in (Kind.YUAN, Kind.YUAN_SIGNED, Kind.SCORE):
        return f.yuan
    if col.kind in (Kind.INT, Kind.YEAR):
        return f.integer
    if col.kind in (Kind.TEXT, Kind.USCC, Kind.PERIOD, Kind.HS_CODE, Kind.ENUM, Kind.TOWNSHIP):
        return f.text  # text cells keep leading zeros and a typed 2019-07 as typed
    return f.plain


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


_KIND_WIDTH = {Kind.USCC: 22, Kind.DATE: 12, Kind.PERIOD: 10, Kind.TEXT: 18, Kind.TOWNSHIP: 12, Kind.HS_CODE: 12}


class _Lists:
    """The hidden sheet of drop-down values: one column per distinct list."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], tuple[str, str]] = {}  # values → (list name, range)

    def source(self, name: str, values: Sequence[str]) -> str:
        key = tuple(values)
        if key not in self.columns:
            letter = xl_col_to_name(len(self.columns))
            self.columns[key] = (name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
        return self.columns[key][1]

    def write(self, sheet: Any, header: Any) -> None:
        for index, (values, (name, _)) in enumerate(self.columns.items()):
            sheet.write_string(0, index, name, header)
            for row, value in enumerate(values, start=1):
                sheet.write_string(row, index, value)
        sheet.hide()


def _validation(spec: TableSpec, col: Column, settings: Settings, lists: _Lists,
                townships: Sequence[str] | None, cell: str) -> dict[str, Any] | None:
    """An Excel data validation mirroring the importer's rule for the column (checked as the user types)."""
    title = col.header[:32]
    choices = choices_of(col, settings, townships)
    if choices:
        return _list_validation(col, choices, lists, title)
    rule = _KIND_VALIDATIONS.get(col.kind)
    return None if rule is None else rule(spec, col, title, cell)


def _list_validation(col: Column, choices: list[str], lists: _Lists, title: str) -> dict[str, Any]:
    if col.kind is Kind.TOWNSHIP:
        # The importer also takes short names and configured aliases (港区, 高新区): warn, do not refuse.
        return {"validate": "list", "source": lists.source(col.header, choices), "error_type": "warning",
                "error_title": title, "error_message": "建议从下拉列表中选择镇区全称；简称或规定的别名也可导入。",
                "input_title": title, "input_message": "请从下拉列表中选择镇区"}
    return {"validate": "list", "source": lists.source(col.header, choices),
            "error_title": title, "error_message": f"请从下拉列表中选择：{'、'.join(choices)}"[:255],
            "input_title": title, "input_message": "请从下拉列表中选择"}


def _date_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    return {"validate": "date", "criteria": "between", "minimum": dt.date(v.MIN_YEAR, 1, 1),
            "maximum": dt.date(v.MAX_YEAR, 12, 31), "error_title": title,
            "error_message": "请填写有效日期，如 2019-07-20"}


def _integer_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    if col.kind is Kind.YEAR:
        low, high, bounded = v.MIN_YEAR, v.MAX_YEAR, True
    else:
        low = col.min_value if col.min_value is not None else -(10**9)
        high = col.max_value if col.max_value is not None else 10**9
        bounded = col.min_value is not None or col.max_value is not None
    return {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
            "error_title": title, "error_message": f"请填写{low}至{high}之间的整数" if bounded else "请填写整数"}


_PLACES = {Kind.TONNES: 3, Kind.TONNES_SIGNED: 3, Kind.YUAN: 2, Kind.YUAN_SIGNED: 2, Kind.SCORE: 2}


def _quantity_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    places = _PLACES[col.kind]
    signed = col.kind in (Kind.TONNES_SIGNED, Kind.YUAN_SIGNED)
    sign = "" if signed else f",{cell}>=0"
    return {"validate": "custom", "value": f"=AND(ISNUMBER({cell}){sign},ROUND({cell},{places})={cell})",
            "error_title": title,
            "error_message": f"请填写{'' if signed else '不小于0的'}数字，最多{places}位小数"}


def _uscc_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    return {"validate": "length", "criteria": "==", "value": 18, "error_title": title,
            "error_message": "统一社会信用代码应为18位"}


def _hs_code_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    return {"validate": "custom", "value": f"=OR(LEN({cell})=8,LEN({cell})=10)", "error_title": title,
            "error_message": "商品编码应为8位或10位数字"}


def _period_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    return {"validate": "length", "criteria": "between", "minimum": 6, "maximum": 7, "error_title": title,
            "error_message": "月份格式应为YYYY-MM，如2019-07"}


def _coordinate_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    return {"validate": "decimal", "criteria": "between", "minimum": -180, "maximum": 180,
            "error_title": title, "error_message": "请填写经纬度（度）"}


def _text_rule(spec: TableSpec, col: Column, title: str, cell: str) -> dict[str, Any]:
    limit = text_limit(spec, col)
    return {"validate": "length", "criteria": "<=", "value": limit, "error_title": title,
            "error_message": f"最多{limit}个字符"}


# The input check per kind of column without a drop-down list (a list column is checked against its list).
_KIND_VALIDATIONS: dict[Kind, Callable[[TableSpec, Column, str, str], dict[str, Any]]] = {
    Kind.DATE: _date_rule, Kind.INT: _integer_rule, Kind.YEAR: _integer_rule,
    **{kind: _quantity_rule for kind in _PLACES},
    Kind.USCC: _uscc_rule, Kind.HS_CODE: _hs_code_rule, Kind.PERIOD: _period_rule, Kind.COORD: _coordinate_rule,
    Kind.TEXT: _text_rule,
}


def _write_data_sheet(book: xlsxwriter.Workbook, spec: TableSpec, settings: Settings, f: _Formats, lists: _Lists,
                      townships: Sequence[str] | None) -> None:
    sheet = book.add_worksheet(safe_sheet_name(spec.name))
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    for index, col in enumerate(spec.columns):
        width = max(_width(col.header) + 4, _KIND_WIDTH.get(col.kind, 12))
        sheet.set_column(index, index, width, _column_format(col, f))
        sheet.write_string(0, index, col.header, f.head_required if col.required or col.natural_key else f.head)
        sheet.write_comment(0, index, _header_comment(spec, col, settings), {"x_scale": 2.2, "y_scale": 1.6})
        first = xl_rowcol_to_cell(1, index)
        rule = _validation(spec, col, settings, lists, townships, first)
        if rule is not None:
            sheet.data_validation(1, index, _LAST_ROW, index, {"ignore_blank": True, **rule})


def _write_value(sheet: Any, row: int, col_index: int, value: Any, f: _Formats) -> None:
    if value is None:
        sheet.write_blank(row, col_index, None, f.example_text)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col_index, dt.datetime.combine(value, dt.time()), f.example_date)
    elif isinstance(value, bool):
        sheet.write_string(row, col_index, "是" if value else "否", f.example_text)
    elif isinstance(value, (int, Decimal)):
        sheet.write_number(row, col_index, float(value), f.example_text)
    else:
        sheet.write_string(row, col_index, str(neutralise(value)), f.example_text)


def _instructions(book: xlsxwriter.Workbook, specs: Sequence[TableSpec], settings: Settings, f: _Formats,
                  title: str) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 4, 8)
    sheet.set_column(5, 6, 48)
    sheet.set_column(7, 30, 16)
    row = 0
    sheet.write_string(row, 0, title, f.title)
    row += 1
    sheet.write_string(row, 0, f"{settings.jurisdiction.name}稀土行业秩序整顿监管平台 · 数据交换规范第1版", f.plain)
    row += 2
    where = (f"“{specs[0].name}”工作表" if len(specs) == 1
             else "各数据工作表（每张表一个工作表，只填本部门负责的表即可）")
    steps = [
        f"1. 在{where}中，从第2行起每行填写一条记录；不要修改第1行的表头，不要修改工作表名称。",
        "2. 表头为橙色的列为必填项（含主键列）；把鼠标停在表头上可看到该列的填写要求。",
        "3. 日期可填Excel日期或 YYYY-MM-DD、YYYY/MM/DD、YYYY年M月D日；月份填 YYYY-MM（单元格已设为文本格式）。",
        "4. 数量单位为吨（折稀土氧化物REO，另有说明的除外），最多3位小数；金额单位为元，最多2位小数。",
        "5. 带下拉箭头的列请从下拉列表中选择；镇区也可填写简称或规定的别名。",
        "6. 主键相同的行将替换系统中已有的记录，替换前后的值记入审计日志；同一文件中主键不能重复。",
        "7. 上传后系统先校验并预览（新增、更新、错误行及原因），确认后才写入；任何一行有错误时整个文件都不会导入。",
        f"8. 本“{INSTRUCTIONS_SHEET}”工作表和隐藏的“{LISTS_SHEET}”工作表不会被导入；"
        "下面的示例行（黄色）仅供参考，不会被导入。",
        "9. 也可按同样的表头另存为CSV文件（UTF-8或GBK编码），文件名用表名，如“企业名录.csv”。",
    ]
    for step in steps:
        sheet.write_string(row, 0, step, f.plain)
        row += 1
    for spec in specs:
        row += 1
        sheet.write_string(row, 0, f"{spec.name}（{spec.key}）", f.title)
        row += 1
        sheet.write_string(row, 0, spec.description, f.plain)
        row += 1
        for i, label in enumerate(("表头", "英文列名", "类型与单位", "必填", "主键", "取值范围", "说明")):
            sheet.write_string(row, i, label, f.head)
        row += 1
        for col in spec.columns:
            cells = [col.header, col.key, KIND_HELP[col.kind], "是" if col.required else "",
                     "是" if col.natural_key else "", column_rules(spec, col, settings),
                     COLUMN_NOTES.get((spec.key, col.key), "")]
            for i, text in enumerate(cells):
                sheet.write_string(row, i, text, f.wrap)
            row += 1
        row += 1
        sheet.write_string(row, 0, f"▼ 示例（仅供参考，不会被导入；请在“{spec.name}”工作表中填写）", f.example_label)
        row += 1
        for i, col in enumerate(spec.columns):
            sheet.write_string(row, i, col.header, f.head)
        row += 1
        example = example_row(spec.key, settings)
        for i, col in enumerate(spec.columns):
            _write_value(sheet, row, i, example[col.key], f)
        row += 1


def _workbook(specs: Sequence[TableSpec], settings: Settings, title: str,
              townships: Sequence[str] | None) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties({"title": title, "subject": "稀土行业秩序整顿数据填报模板",
                         "comments": "由监管平台按数据交换规范生成"})
    f = _formats(book)
    _instructions(book, specs, settings, f, title)
    lists = _Lists()
    for spec in specs:
        _write_data_sheet(book, spec, settings, f, lists, townships)
    # Last, so it sorts after the data sheets; validations refer to it by name, so order does not matter.
    lists.write(book.add_worksheet(LISTS_SHEET), f.head)
    book.close()
    return buffer.getvalue()


def table_template(table: str, settings: Settings, townships: Sequence[str] | None = None) -> bytes:
    """The .xlsx template of one table (`townships`: limit the township drop-down, e.g. to an officer's own)."""
    spec = TABLES_BY_KEY[table]
    return _workbook([spec], settings, f"{spec.name}填报模板", townships)


def package_template(tables: Sequence[str], settings: Settings, townships: Sequence[str] | None = None) -> bytes:
    """One workbook with a sheet for each of `tables`, in the spec's order: a whole data package to fill."""
    order = list(TABLES_BY_KEY)
    specs = [TABLES_BY_KEY[t] for t in sorted(set(tables), key=order.index)]
    if not specs:
        raise ValueError("no tables")
    return _workbook(specs, settings, "数据包填报模板", townships)


def template_filename(table: str | None) -> str:
    return "数据包填报模板.xlsx" if table is None else f"{TABLES_BY_KEY[table].name}_填报模板.xlsx"
