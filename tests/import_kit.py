"""Helpers for the import tests: build packages in a folder, a .zip or an .xlsx, and compare databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from supervision.core.config import Settings
from supervision.core.spec import TABLES_BY_KEY, TableSpec
from supervision.core.values import uscc_check_char
from supervision.ingest.importer import ImportReport, Problem, import_package
from supervision.ingest.package import Upload
from supervision.storage.db import data_version
from supervision.storage.models import DATA_MODELS, AuditEntry, ImportBatch

Rows = list[list[Any]]


def code(n: int, prefix: str = "91320585MA") -> str:
    """A well-formed, fictional unified social credit code (check character computed)."""
    body = f"{prefix}{n:0{17 - len(prefix)}d}"
    return body + uscc_check_char(body)


E1, E2, E3 = code(1), code(2), code(3)
OUTSIDER = code(9001, "91310000MA")  # a buyer in Shanghai: never in the directory

# One valid row per table, in canonical form: what is written is what reads back
# (dates ISO, decimals without trailing zeros, booleans 是/否, full township names).
SAMPLES: dict[str, dict[str, str]] = {
    "enterprises": {
        "uscc": E1, "name": "太仓示例稀土冶炼有限公司", "category": "冶炼分离", "township": "城厢镇",
        "address": "城厢镇示例路1号", "lon": "121.10776", "lat": "31.45814", "coord_system": "WGS84",
        "group": "中国稀有稀土股份有限公司", "approved_capacity_t": "3000.5", "status": "在产",
        "eia_approved": "是", "eia_accepted": "否", "last_clean_audit": "2018-05-01",
    },
    "quotas": {"year": "2019", "batch": "1", "uscc": E1, "kind": "冶炼分离", "quota_t": "1200.125"},
    "monthly_reports": {
        "uscc": E1, "period": "2019-07", "purchase_ore_domestic_t": "10.5", "purchase_ore_imported_t": "2",
        "purchase_compound_t": "3.25", "purchase_scrap_t": "0.001", "production_t": "100.123", "sales_t": "90",
        "inventory_t": "12", "raw_inventory_t": "4.5", "toll_processing_t": "0", "submitted_on": "2019-08-09",
    },
    "invoices": {
        "invoice_no": "3200191130-00012345", "issued_on": "2019-03-02", "seller_uscc": E1, "buyer_uscc": OUTSIDER,
        "product_category": "OXIDE", "product_name": "氧化镨钕", "quantity": "1500", "unit": "公斤",
        "reo_t": "1.5", "amount_yuan": "450000.25", "status": "正常",
    },
    "traceability": {"uscc": E1, "period": "2019-07", "production_t": "100.123", "sales_t": "88.8"},
    "resource_tax": {
        "certificate_no": "320191000123", "uscc": E1, "issued_on": "2019-03-01", "ore_t": "50.125",
        "tax_yuan": "12345.67",
    },
    "licenses": {
        "license_no": "19-AA-100001", "uscc": E1, "direction": "出口", "hs_code": "28053010",
        "quantity_t": "100", "valid_from": "2019-01-01", "valid_to": "2019-12-31",
    },
    "customs": {
        "declaration_no": "223320190000012345", "declared_on": "2019-04-01", "uscc": E1, "direction": "出口",
        "hs_code": "2846901100", "product_name": "氧化镝", "quantity_t": "10", "reo_t": "9.5",
        "country": "日本", "license_no": "19-AA-100001", "inspection_no": "FJ2019-0001",
    },
    "environment": {
        "record_id": "HB-2019-001", "uscc": E1, "recorded_on": "2019-05-01", "kind": "超标排放",
        "description": "废水氨氮超标", "resolved_on": "2019-06-01",
    },
    "self_checks": {
        "uscc": E1, "year": "2019", "submitted_on": "2019-07-20", "problems_found": "3",
        "problems_rectified": "2", "description": "台账不全，已补齐两项",
    },
    "township_reports": {
        "township": "城厢镇", "year": "2019", "submitted_on": "2019-08-10", "enterprises_total": "5",
        "enterprises_checked": "5", "problems_found": "3", "problems_rectified": "2", "cases_transferred": "1",
    },
    "scoring_items": {"year": "2019", "item_code": "A1", "section": "组织领导", "item": "成立整顿工作领导小组",
                      "max_score": "5"},
    "inspection_scores": {
        "township": "城厢镇", "year": "2019", "item_code": "A1", "score": "4.5", "inspected_on": "2019-08-15",
        "inspector": "张三", "note": "方案未按时报送，扣0.5分",
    },
    "tipoffs": {
        "tipoff_id": "JB-2019-001", "received_on": "2019-03-01", "channel": "电话", "township": "浏河镇",
        "subject_uscc": OUTSIDER, "subject_name": "某无名加工点", "summary": "夜间偷运稀土废料",
        "department": "工信局", "status": "已办结", "resolved_on": "2019-03-20", "feedback_on": "2019-03-25",
    },
    "penalties": {
        "case_no": "太市监罚〔2019〕12号", "uscc": E1, "decided_on": "2019-06-01", "department": "市场监管局",
        "violation": "R03", "measure": "罚款", "fine_yuan": "50000", "blacklisted_until": "2020-06-01",
    },
}


def sample(table: str, **changes: str) -> dict[str, str]:
    """The table's sample row with some values changed."""
    return {**SAMPLES[table], **changes}


def enterprise(n: int, **changes: str) -> dict[str, str]:
    """A valid enterprise row for code(n), with a coordinate-free address by default."""
    row = sample("enterprises", uscc=code(n), name=f"太仓示例企业{n}号", lon="", lat="")
    return {**row, **changes}


def prerequisites(table: str) -> dict[str, list[dict[str, str]]]:
    """The rows a table's sample cites: the enterprise E1, or the scoring item A1."""
    needs: dict[str, list[dict[str, str]]] = {}
    if TABLES_BY_KEY[table].enterprise_refs:
        needs["enterprises"] = [SAMPLES["enterprises"]]
    if table == "inspection_scores":
        needs["scoring_items"] = [SAMPLES["scoring_items"]]
    return needs


def grid(table: str, records: Iterable[Mapping[str, Any]], *, chinese: bool = False,
         columns: Sequence[str] | None = None) -> Rows:
    """Header plus rows for records keyed by English column key; headers in English or Chinese."""
    spec = TABLES_BY_KEY[table]
    records = list(records)
    keys = list(columns) if columns is not None else [c.key for c in spec.columns if any(c.key in r for r in records)]
    header = [spec.column(k).header if chinese else k for k in keys]
    return [header, *([r.get(k, "") for k in keys] for r in records)]


def header_of(table: str, key: str, chinese: bool) -> str:
    return TABLES_BY_KEY[table].column(key).header if chinese else key


def _file_name(table: str, chinese: bool) -> str:
    return TABLES_BY_KEY[table].name if chinese else table


def csv_bytes(rows: Rows, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _as_grids(tables: Mapping[str, Rows | list[dict[str, Any]]], chinese: bool) -> dict[str, Rows]:
    out: dict[str, Rows] = {}
    for table, content in tables.items():
        out[table] = grid(table, content, chinese=chinese) if content and isinstance(content[0], dict) \
            else content  # type: ignore[assignment]
    return out


def csv_package(folder: Path, tables: Mapping[str, Rows | list[dict[str, Any]]], *, chinese: bool = False,
                encoding: str = "utf-8", extra_files: Mapping[str, bytes] | None = None) -> Path:
    """A folder of CSV files: `tables` maps a table key to records (dicts) or a ready grid (header first)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in _as_grids(tables, chinese).items():
        name = _file_name(table, chinese) if table in TABLES_BY_KEY else table
        (folder / f"{name}.csv").write_bytes(csv_bytes(rows, encoding))
    for name, data in (extra_files or {}).items():
        (folder / name).write_bytes(data)
    return folder


def zip_package(path: Path, tables: Mapping[str, Rows | list[dict[str, Any]]], *, chinese: bool = False,
                encoding: str = "utf-8", folder: str = "") -> Path:
    """A .zip holding one CSV per table (optionally inside a folder, as Windows' 'send to zip' does)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in _as_grids(tables, chinese).items():
            archive.writestr(f"{folder}{_file_name(table, chinese)}.csv", csv_bytes(rows, encoding))
    return path


def xlsx_package(path: Path, tables: Mapping[str, Rows | list[dict[str, Any]]], *, chinese: bool = False,
                 instructions: bool = False, hidden_lists: bool = False) -> Path:
    """An .xlsx workbook, one sheet per table; cells keep their Python types (dates stay native dates)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    if instructions:
        sheet = workbook.create_sheet("说明")
        sheet.append(["填写说明：每张表一个工作表，第一行为表头。"])
        sheet.append(["本工作表不是数据表，导入时忽略。", "=HYPERLINK(\"http://example.invalid\")"])
    for table, rows in _as_grids(tables, chinese).items():
        sheet = workbook.create_sheet(_file_name(table, chinese) if table in TABLES_BY_KEY else table)
        for row in rows:
            sheet.append(list(row))
    if hidden_lists:
        sheet = workbook.create_sheet("_lists")
        sheet.append(["冶炼分离", "资源综合利用", "贸易流通"])
        sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def upload(path: Path) -> Upload:
    return Upload(path.name, path.read_bytes())


def run(engine: Engine, settings: Settings, source: Path | Upload, **options: Any) -> ImportReport:
    return import_package(source, engine, settings, **options)


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every business table, the audit log and the import batches, plus the data version."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for key, model in [*DATA_MODELS.items(), ("audit_log", AuditEntry), ("import_batches", ImportBatch)]:
            counts[key] = int(conn.execute(select(func.count()).select_from(model)).scalar_one())
    counts["data_version"] = data_version(engine)
    return counts


def problems_at(report: ImportReport, *, table: str | None = None, row: int | None = None,
                column: str | None = None) -> list[Problem]:
    return [p for p in report.problems
            if (table is None or p.table == table) and (row is None or p.row == row)
            and (column is None or p.column == column)]


def assert_problem(report: ImportReport, *, table: str | None, row: int | None, column: str | None,
                   reason: str, value: str | None = None) -> Problem:
    """The report was rejected and names this table, row and column with a reason containing `reason`."""
    assert not report.ok and not report.written, report.summary()
    found = [p for p in problems_at(report, table=table, row=row, column=column) if reason in p.reason]
    assert found, f"no problem at {table} row {row} column {column!r} with reason ~{reason!r}:\n{report.summary()}"
    if value is not None:
        assert found[0].value == value, found[0]
    return found[0]


def stored(value: Any) -> str | None:
    """A stored value in the canonical text of SAMPLES, to compare what was read back."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def read_rows(engine: Engine, table: str) -> list[dict[str, str | None]]:
    """Every row of a table as {English column key: canonical text}."""
    spec: TableSpec = TABLES_BY_KEY[table]
    model = DATA_MODELS[table]
    with engine.connect() as conn:
        rows = conn.execute(select(model.__table__)).mappings().all()
    return [{c.key: stored(r[c.attribute]) for c in spec.columns} for r in rows]
