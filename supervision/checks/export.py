"""Findings out of the system: JSON for machines (spec section 5) and CSV with Chinese headers for officers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from supervision.core.findings import RULES_BY_ID, Finding
from supervision.core.safety import neutralise
from supervision.core.spec import TABLES_BY_KEY

SUBJECT_KINDS = {
    "uscc": "企业",
    "license_no": "许可证",
    "declaration_no": "报关单",
    "township": "镇区",
    "tipoff_id": "举报线索",
}

FIGURE_LABELS: dict[str, str] = {
    "production_t": "冶炼分离产量（吨）",
    "quota_t": "冶炼分离指标（吨）",
    "quota_batches": "指标批次数",
    "usage_pct": "指标使用率（%）",
    "warning_pct": "预警线（%）",
    "excess_t": "超出量（吨）",
    "months_with_production": "有产量月数",
    "toll_processing_t": "受托加工量（吨）",
    "months_with_toll_processing": "受托加工月数",
    "sources_t": "原料来源（吨）",
    "purchases_t": "采购合计（吨）",
    "purchase_ore_domestic_t": "采购国内矿产品（吨）",
    "purchase_ore_imported_t": "采购进口矿产品（吨）",
    "purchase_compound_t": "采购富集物及化合物（吨）",
    "purchase_scrap_t": "采购废料（吨）",
    "opening_raw_stock_t": "期初原料库存（吨）",
    "opening_period": "期初库存月份",
    "closing_raw_stock_t": "期末原料库存（吨）",
    "closing_period": "期末库存月份",
    "limit_t": "产量上限（吨）",
    "monthly_production_t": "月报产量（吨）",
    "traceability_production_t": "追溯系统产量（吨）",
    "difference_t": "差额（吨）",
    "allowed_t": "允许偏差（吨）",
    "certified_ore_t": "完税证明覆盖量（吨）",
    "gap_t": "缺口（吨）",
    "certificates": "完税证明张数",
    "sales_t": "月报销售量（吨）",
    "invoiced_t": "发票折REO（吨）",
    "invoices": "发票张数",
    "credit_notes": "红冲发票张数",
    "forbidden_invoiced_t": "禁用原料发票折REO（吨）",
    "forbidden_invoices": "禁用原料发票张数",
    "ore_import_declarations": "进口稀土矿报关票数",
    "ore_import_reo_t": "进口稀土矿折REO（吨）",
    "sold_t": "销项折REO（吨）",
    "bought_t": "进项折REO（吨）",
    "imported_t": "进口折REO（吨）",
    "inputs_t": "来源合计（吨）",
    "invoices_as_seller": "销项发票张数",
    "invoices_as_buyer": "进项发票张数",
    "import_declarations": "进口报关票数",
    "licensed_t": "许可数量（吨）",
    "declared_t": "报关数量（吨）",
    "declarations": "报关票数",
    "by_other_enterprises": "非持证企业申报票数",
    "wrong_direction": "方向不符票数",
    "outside_validity": "有效期外票数",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "declared_on": "申报日期",
    "hs_code": "商品编码",
    "quantity_t": "数量（吨）",
    "reo_t": "折REO（吨）",
    "country": "国别",
    "license_no": "许可证号",
    "inspection_no": "法检批次号",
    "open_records": "未整改问题数",
    "by_kind": "问题类型",
    "earliest_recorded_on": "最早发现日期",
    "as_of": "检查截至日期",
    "eia_approved": "环评批复",
    "eia_accepted": "环保竣工验收",
    "last_clean_audit": "最近清洁生产审核日期",
    "days_since": "距今天数",
    "limit_days": "时限（天）",
    "deadline": "截止日期",
    "submitted_on": "报送日期",
    "days_overdue": "逾期天数",
    "days_late": "迟报天数",
    "enterprises": "辖区企业数",
    "received_on": "受理日期",
    "feedback_on": "反馈日期",
    "status": "办理状态",
    "department": "承办部门",
    "days_without_feedback": "未反馈天数",
    "days_to_feedback": "反馈用时（天）",
    "missing_periods": "缺报月份",
    "missing_months": "缺报月数",
    "months_due": "已到期月数",
    "last_due_date": "最近到期日",
}

CSV_HEADERS = (
    "规则编号", "规则名称", "性质", "对象类型", "检查对象", "年度", "统一社会信用代码", "企业名称", "所属镇区",
    "企业类别", "情况说明", "依据条款", "核对数据", "来源记录",
)


def jsonable(value: Any) -> Any:
    """Figures as JSON: decimals as exact strings, dates as ISO text, containers recursively."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def finding_dict(f: Finding) -> dict[str, Any]:
    rule = RULES_BY_ID[f.rule]
    return {
        "rule": f.rule,
        "rule_name": rule.name,
        "subject": f.subject,
        "subject_kind": rule.subject,
        "year": f.year,
        "severity": f.severity,
        "message": f.message,
        "uscc": f.uscc,
        "enterprise_name": f.enterprise_name,
        "township": f.township,
        "category": f.category,
        "clause": rule.clause,
        "evidence": {
            "figures": jsonable(f.figures),
            "rows": [{"table": r.table, "key": r.key, "label": r.label} for r in f.rows],
        },
    }


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps([finding_dict(f) for f in findings], ensure_ascii=False, indent=2)


def _cell_value(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "、".join(f"{k}{_cell_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(_cell_value(v) for v in value)
    return str(value)


def figures_text(figures: dict[str, Any]) -> str:
    return "；".join(f"{FIGURE_LABELS.get(k, k)}={_cell_value(v)}" for k, v in figures.items())


def rows_text(f: Finding) -> str:
    return "；".join(f"{TABLES_BY_KEY[r.table].name} {r.key}" for r in f.rows)


def findings_csv(findings: Iterable[Finding]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows reads it right), Chinese headers, one row per finding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for f in findings:
        rule = RULES_BY_ID[f.rule]
        writer.writerow([neutralise("" if v is None else str(v)) for v in (
            f.rule, rule.name, f.severity, SUBJECT_KINDS[rule.subject], f.subject, f.year, f.uscc or "",
            f.enterprise_name or "", f.township or "", f.category or "", f.message, rule.clause,
            figures_text(f.figures), rows_text(f),
        )])
    return buffer.getvalue().encode("utf-8-sig")
