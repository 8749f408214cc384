"""Tables as .xlsx: reopened with openpyxl, Chinese headers, numbers with number formats, formula-like text inert."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
from exports_support import YEAR
from sqlalchemy import Engine, update

from supervision.core.config import Settings
from supervision.core.principal import Principal, Role
from supervision.read import queries
from supervision.reporting.tables import xlsx_table
from supervision.storage.models import Enterprise

LEADER = Principal("t.leader", "领导", Role.LEADER)
COLUMNS = {"name": "企业", "township": "镇区", "quota_t": "指标（吨）", "production_t": "产量（吨）",
           "utilisation": "使用率", "batches": "指标批次数", "last_period": "最近月报"}


def _sheet(data: bytes, name: str = "数据") -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def test_quota_table_has_chinese_headers_numbers_and_formats(demo: Engine, settings: Settings) -> None:
    quota = queries.quota_by_enterprise(demo, LEADER, YEAR, as_of=dt.date(YEAR, 12, 31))
    data = xlsx_table(quota, COLUMNS, title="2019年企业配额执行明细", source="数据来源：总量控制指标",
                      scope="2019年 · 全市")
    sheet = _sheet(data)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS.values())
    assert len(rows) - 1 == len(quota)
    by_name = {r[0]: r for r in rows[1:]}
    for record in quota.itertuples():
        row = by_name[record.name]
        if record.quota_t is not None and record.quota_t == record.quota_t:
            assert Decimal(str(row[2])) == record.quota_t  # exact tonnes come through as numbers
            assert abs(row[4] - float(record.production_t / record.quota_t)) < 1e-9
    formats = {cell.column_letter: cell.number_format for cell in sheet[2]}
    assert formats["C"] == "#,##0.000" and formats["D"] == "#,##0.000"
    assert formats["E"] == "0.0%" and formats["F"] == "0"
    about = {r[0]: r[1] for r in _sheet(data, "说明").iter_rows(min_row=2, values_only=True)}
    assert about["表格"] == "2019年企业配额执行明细" and about["行数"] == str(len(quota))


def test_dates_money_and_blanks() -> None:
    frame = pd.DataFrame({"decided_on": [dt.date(2019, 8, 1), None], "fine_yuan": [Decimal("300000.00"), None],
                          "blacklisted": [True, False], "note": ["正常", None]})
    data = xlsx_table(frame, {"decided_on": "决定日期", "fine_yuan": "罚款（元）", "blacklisted": "黑名单",
                              "note": "说明"}, title="处罚")
    sheet = _sheet(data)
    assert sheet["A2"].value == dt.datetime(2019, 8, 1) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].value == 300000 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["A3"].value is None and sheet["B3"].value is None
    assert [sheet["C2"].value, sheet["C3"].value] == ["是", "否"]


def test_formula_like_text_from_the_database_is_inert(demo: Engine, settings: Settings) -> None:
    dangerous = ["=1+2", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "＝HYPERLINK(\"x\")"]
    names = queries.enterprises(demo, LEADER)["uscc"].tolist()[: len(dangerous)]
    with demo.begin() as conn:
        for uscc, text in zip(names, dangerous, strict=True):
            conn.execute(update(Enterprise).where(Enterprise.uscc == uscc).values(name=text))
    listed = queries.enterprises(demo, LEADER)
    data = xlsx_table(listed, {"name": "企业名称", "uscc": "统一社会信用代码"}, title="企业名录")
    sheet = _sheet(data)
    cells = {row[1].value: row[0] for row in sheet.iter_rows(min_row=2)}
    for uscc, text in zip(names, dangerous, strict=True):
        cell = cells[uscc]
        assert cell.data_type == "s" and cell.value == "'" + text  # text, shown as typed, never evaluated
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
